"""Programming testbenches: SET and RESET pulses on 1T1R branches with VCM devices.

One programming netlist holds many independent branches (a batch)::

    drive BL --[vbl_k: 0 V sense]-- bl_k --[VCM device k]-- x_k --[access NMOS k]-- SL drive
                                                                      |
                                                              gate: wl_k (own DC source)

Each branch is the read cell's branch (same access transistor sizing, corner and mismatch
treatment as :mod:`rram_ber.circuits.cells`) with its own word-line source, so branches of one batch
may have different compliances. One line (BL or SL) carries the pulse, the other is grounded.

Polarity (``V = V(AE, OE)``; SET at V < 0, RESET at V > 0, see :mod:`rram_ber.models.vcm`), for the
device orientations of :class:`~circuits.elements.DeviceOrientation`:

=================  =========================  =========================
orientation        SET                        RESET
=================  =========================  =========================
OE on bit line     pulse on BL, SL grounded   pulse on SL, BL grounded
AE on bit line     pulse on SL, BL grounded   pulse on BL, SL grounded
=================  =========================  =========================

With OE on the bit line (the default), the SET current flows BL -> device -> NMOS -> SL with
the NMOS source grounded, so its saturation current, set by the word line, is the compliance.
RESET then has the device in the NMOS source and needs the word line well above the RESET
voltage (default 3.3 V).

The word line is held at its DC value for the whole transient and the driven line carries one
trapezoidal pulse (10 ns delay, then ``edge_s`` rise, ``width_s`` plateau, ``edge_s`` fall).
Programming word lines above the 1.3 V of the PTM core card stand for the thick-oxide access
devices of real 1T1R arrays; the core card is used at those biases as an extrapolation.

No random numbers here: device parameters, states and word-line voltages arrive as inputs.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from rram_ber.circuits.cells import AccessSizing
from rram_ber.circuits.elements import DeviceOrientation, VcmElement
from rram_ber.circuits.netlist import dc_source, pulse_source, spice_number, transistor
from rram_ber.core.validation import ParameterError, check_range, parse_enum
from rram_ber.models.cmos import (
    NO_DEVIATION,
    Polarity,
    ProcessCorner,
    TransistorDeviation,
    TransistorGeometry,
)
from rram_ber.models.technology import PTM130, Technology

#: Highest voltage accepted on any programming line or word line [V].
V_PROGRAM_MAX_V = 3.3
#: Delay before a programming pulse starts [s].
PULSE_DELAY_S = 10e-9
#: Simulated time after the pulse has fallen [s].
PULSE_TAIL_S = 10e-9
#: Time points per pulse segment: the largest step is max(edge, width) / this.
_POINTS_PER_SEGMENT = 50


class Operation(enum.StrEnum):
    """Programming operation."""

    SET = "set"
    RESET = "reset"

    @classmethod
    def parse(cls, value: object, field: str = "operation") -> Operation:
        """The operation named ``value`` (case-insensitive), else :class:`ParameterError`."""
        return parse_enum(cls, value, field)


@dataclass(frozen=True, slots=True)
class PulseShape:
    """A trapezoidal programming pulse on the driven line.

    Attributes
    ----------
    amplitude_v : float
        Pulse height [V], 0 < V <= 3.3 (always positive: the polarity across the device comes
        from which line is driven).
    edge_s : float
        Rise and fall time [s], 1 ns ... 100 us.
    width_s : float
        Plateau duration [s], 1 ns ... 10 ms.
    """

    amplitude_v: float
    edge_s: float
    width_s: float

    def __post_init__(self) -> None:
        check_range(
            "amplitude_v", self.amplitude_v, 0.0, V_PROGRAM_MAX_V, low_inclusive=False, unit="V"
        )
        check_range("edge_s", self.edge_s, 1e-9, 100e-6, unit="s")
        check_range("width_s", self.width_s, 1e-9, 10e-3, unit="s")

    @property
    def t_plateau_end_s(self) -> float:
        """Time at which the plateau ends [s]."""
        return PULSE_DELAY_S + self.edge_s + self.width_s

    @property
    def t_stop_s(self) -> float:
        """End of the transient [s]."""
        return self.t_plateau_end_s + self.edge_s + PULSE_TAIL_S


def default_set_pulse() -> PulseShape:
    """SET: 1.8 V on the driven line, 1 us rise, 1 us plateau.

    Why a 1 us ramp: SET in this model is a thermal runaway. With a 10 ns edge the device
    switched while seeing ~1.8 V, the drain node of the access transistor discharged through
    it (a current overshoot to 3-4x the compliance) and the final state changed by a factor of
    up to 5 with the simulator tolerances (N = 0.20 ... 0.96 for the same 83 uA compliance).
    Ramped over 1 us, the device switches at a lower voltage, the overshoot stays small and the
    final state agreed to 4 digits between default tolerances and reltol = 1e-5 with 10 ps
    steps (measured with the default access transistor at 83 and 143 uA).
    """
    return PulseShape(amplitude_v=1.8, edge_s=1e-6, width_s=1e-6)


@dataclass(frozen=True, slots=True)
class ResetPulse:
    """RESET conditions: a pulse on the driven line with the word line fully on.

    Defaults: 2.5 V, 100 ns edges, 1 us plateau, word line 3.3 V. With the default access
    transistor and OE on the bit line the device then sees up to ~2.4 V (the NMOS works as a
    source follower, ``V_dev ~ V_WL - V_T``), which RESETs every compliance-limited LRS to
    ``N_min`` within the pulse (checked from N = 0.03 ... 3; at N_min = 0.004 with l = 0.44 nm
    the last step is slow and the pulse ends at 1.13-1.18 N_min). It does not RESET states SET
    without compliance (N ~ N_max, ~1.6 kOhm) of wide filaments (r = 49.5 nm): those need more
    current than the access transistor delivers.

    Attributes
    ----------
    pulse : PulseShape
        The pulse on the driven line.
    v_wl_v : float
        Word-line voltage during RESET [V], 0 < V <= 3.3.
    """

    pulse: PulseShape = field(
        default_factory=lambda: PulseShape(amplitude_v=2.5, edge_s=100e-9, width_s=1e-6)
    )
    v_wl_v: float = 3.3

    def __post_init__(self) -> None:
        if not isinstance(self.pulse, PulseShape):
            raise ParameterError("pulse", self.pulse, "a PulseShape")
        check_range("v_wl_v", self.v_wl_v, 0.0, V_PROGRAM_MAX_V, low_inclusive=False, unit="V")


@dataclass(frozen=True, slots=True)
class ProgrammingBench:
    """Settings shared by every branch of a programming netlist.

    Attributes
    ----------
    access : AccessSizing
        Access transistor (the read cell's, by default).
    corner : ProcessCorner
        Global process corner of the access transistors.
    temp_c : float
        Temperature of the transistors [C], -55 ... 150. (The VCM device's own ambient
        temperature is its ``t_ambient_k`` parameter.)
    orientation : DeviceOrientation
        Orientation of every device in the batch.
    technology : Technology
        Transistor models of the access transistor (default PTM 130 nm).
    """

    access: AccessSizing = field(default_factory=AccessSizing)
    corner: ProcessCorner = ProcessCorner.TT
    temp_c: float = 27.0
    orientation: DeviceOrientation = DeviceOrientation.OE_ON_BIT_LINE
    technology: Technology = PTM130

    def __post_init__(self) -> None:
        if not isinstance(self.technology, Technology):
            raise ParameterError("technology", self.technology, "a Technology")
        if not isinstance(self.access, AccessSizing):
            raise ParameterError("access", self.access, "an AccessSizing")
        object.__setattr__(self, "corner", ProcessCorner.parse(self.corner))
        check_range("temp_c", self.temp_c, -55.0, 150.0, unit="C")
        object.__setattr__(self, "orientation", DeviceOrientation.parse(self.orientation))

    def drives_bit_line(self, operation: Operation) -> bool:
        """Whether ``operation`` pulses the bit line (else the source line), see the table."""
        oe_on_bl = self.orientation is DeviceOrientation.OE_ON_BIT_LINE
        return oe_on_bl == (operation is Operation.SET)


@dataclass(frozen=True, slots=True)
class ProgrammingCopy:
    """One branch of a programming netlist.

    Attributes
    ----------
    element : VcmElement
        The device and its state before the pulse; its orientation must be the bench's.
    v_wl_v : float
        Word-line voltage of this branch [V], 0 <= V <= 3.3.
    deviation : TransistorDeviation
        Local mismatch of the access transistor.
    """

    element: VcmElement
    v_wl_v: float
    deviation: TransistorDeviation = NO_DEVIATION

    def __post_init__(self) -> None:
        if not isinstance(self.element, VcmElement):
            raise ParameterError("element", self.element, "a VcmElement")
        check_range("v_wl_v", self.v_wl_v, 0.0, V_PROGRAM_MAX_V, unit="V")


@dataclass(frozen=True, slots=True)
class ProgrammingProbes:
    """Vectors of branch ``k``.

    Attributes
    ----------
    current : str
        Current of the bit-line sense source, positive from BL towards SL [A].
    state : str
        Node whose voltage is ``ln(N_disc)``.
    """

    current: str
    state: str


#: Nodes of the two programming lines shared by every branch.
BIT_LINE_NODE = "pbl"
SOURCE_LINE_NODE = "psl"


def driven_line(bench: ProgrammingBench, operation: Operation) -> tuple[str, float]:
    """Node of the line that carries the pulse, and the sign that turns the branch current
    (positive from BL towards SL) into the current the driven line delivers into the branch.

    The programming energy of branch ``k`` is ``E = integral of V(driven) * sign * I_k dt``.
    """
    if bench.drives_bit_line(operation):
        return BIT_LINE_NODE, 1.0
    return SOURCE_LINE_NODE, -1.0


def programming_probes(index: int) -> ProgrammingProbes:
    """Vectors of branch ``index`` of a programming netlist."""
    return ProgrammingProbes(f"vbl_{index}#branch", VcmElement.state_node(f"dev_{index}"))


def _header(bench: ProgrammingBench, title: str) -> list[str]:
    return [
        f"* rram-ber {title}",
        f"* corner={bench.corner.value} temp={spice_number(bench.temp_c)} C"
        f" orientation={bench.orientation.value}",
        bench.technology.model_text(bench.corner).rstrip(),
    ]


def _access_line(
    bench: ProgrammingBench, name: str, drain: str, gate: str, source: str, dev: TransistorDeviation
) -> str:
    access = bench.access
    geometry = TransistorGeometry(name, Polarity.NMOS, access.w_m, access.l_m)
    return transistor(
        geometry,
        "",
        drain,
        gate,
        source,
        "0",
        bench.corner,
        {name: dev},
        access.l_diffusion_m,
        bench.technology,
    )


def programming_netlist(
    bench: ProgrammingBench,
    operation: Operation,
    pulse: PulseShape,
    copies: Sequence[ProgrammingCopy],
) -> str:
    """Netlist of one SET or RESET pulse applied to every branch in ``copies``.

    Parameters
    ----------
    bench : ProgrammingBench
        Access transistor, corner, temperature, device orientation.
    operation : Operation
        SET or RESET; with the orientation it decides which line carries the pulse.
    pulse : PulseShape
        The pulse.
    copies : sequence of ProgrammingCopy
        Branches; branch ``k`` has probes :func:`programming_probes` ``(k)``.

    Returns
    -------
    str
        Netlist (no ``.control`` block) with a ``.tran`` to :attr:`PulseShape.t_stop_s`.
    """
    operation = Operation.parse(operation)
    if not copies:
        raise ParameterError("copies", len(copies), "at least one branch")
    for k, copy in enumerate(copies):
        if copy.element.orientation is not bench.orientation:
            raise ParameterError(
                f"copies[{k}].element.orientation",
                copy.element.orientation.value,
                f"the bench's orientation {bench.orientation.value!r}",
            )
    drive_bl = bench.drives_bit_line(operation)
    lines = _header(bench, f"{operation.value} testbench: {len(copies)} 1T1R branches")
    lines.append(copies[0].element.definitions()[0])
    pulse_line = pulse_source(
        "drive",
        "pbl" if drive_bl else "psl",
        "0",
        0.0,
        pulse.amplitude_v,
        PULSE_DELAY_S,
        pulse.edge_s,
        pulse.width_s,
    )
    lines.append(pulse_line)
    lines.append(dc_source("ground", "psl" if drive_bl else "pbl", "0", 0.0))
    saves = [f"v({driven_line(bench, operation)[0]})"]
    for k, copy in enumerate(copies):
        suffix = f"_{k}"
        probes = programming_probes(k)
        lines.append(dc_source("bl" + suffix, "pbl", "bl" + suffix, 0.0))
        lines.extend(copy.element.element_lines("dev" + suffix, "bl" + suffix, "x" + suffix))
        lines.append(dc_source("wl" + suffix, "wl" + suffix, "0", copy.v_wl_v))
        lines.append(
            _access_line(bench, "acc" + suffix, "x" + suffix, "wl" + suffix, "psl", copy.deviation)
        )
        saves.append(f"i(vbl{suffix}) v({probes.state})")
    # Largest step: 1/50 of the longer pulse segment. The simulator refines it wherever the
    # state moves fast; a 10x smaller cap on RESET (100 ns edges) doubled the cost and moved
    # the final states by < 0.3 %.
    t_step = max(pulse.edge_s, pulse.width_s) / _POINTS_PER_SEGMENT
    lines.append(f".temp {spice_number(bench.temp_c)}")
    # reltol=1e-4: with the default 1e-3 an abrupt SET at 200 uA compliance ended at N = 2.24
    # instead of the converged 1.41 (reltol 1e-5, 20 ps steps). maxord=1 (backward Euler, which
    # cannot overshoot a stable fixed point): second-order Gear stepped up to 6 % past N_min in
    # abrupt switching events; backward Euler kept the state inside its bounds and agreed with
    # the converged state within 0.3 %, at the same cost.
    lines.append(".options method=gear maxord=1 reltol=1e-4")
    lines.extend(".save " + s for s in saves)
    lines.append(f".tran {spice_number(t_step)} {spice_number(pulse.t_stop_s)}")
    lines.append(".end")
    return "\n".join(lines) + "\n"


#: Word-line grid of the compliance lookup [V].
LOOKUP_WL_MIN_V = 0.10
LOOKUP_WL_STEP_V = 0.02


def lookup_word_lines(v_wl_max_v: float = V_PROGRAM_MAX_V) -> list[float]:
    """The word-line voltages of the compliance lookup, 0.10 V to ``v_wl_max_v`` [V]."""
    count = round((v_wl_max_v - LOOKUP_WL_MIN_V) / LOOKUP_WL_STEP_V) + 1
    return [round(LOOKUP_WL_MIN_V + k * LOOKUP_WL_STEP_V, 6) for k in range(count)]


def compliance_lookup_netlist(
    bench: ProgrammingBench, v_drain_v: float, v_source_v: float, word_lines: Sequence[float]
) -> str:
    """Access transistors at the SET compliance bias, one per word-line voltage.

    Transistor ``k`` has its drain at ``v_drain_v``, its source at ``v_source_v``, bulk at
    ground and gate at ``word_lines[k]``; its drain current is ``i(vd_k)`` (positive into the
    drain). The transient is only a vehicle for the operating point (DC sources, 1 ns).

    Parameters
    ----------
    bench : ProgrammingBench
        Access transistor, corner and temperature.
    v_drain_v, v_source_v : float
        Terminal voltages during the compliance-limited phase of SET [V].
    word_lines : sequence of float
        Gate voltages [V].
    """
    check_range("v_drain_v", v_drain_v, 0.0, V_PROGRAM_MAX_V, unit="V")
    check_range("v_source_v", v_source_v, 0.0, v_drain_v, unit="V")
    lines = _header(bench, "compliance lookup: access NMOS drain current vs word line")
    lines.append(dc_source("drain", "nd", "0", v_drain_v))
    lines.append(dc_source("source", "ns", "0", v_source_v))
    for k, v_wl in enumerate(word_lines):
        check_range(f"word_lines[{k}]", v_wl, 0.0, V_PROGRAM_MAX_V, unit="V")
        lines.append(dc_source(f"d_{k}", "nd", f"d_{k}", 0.0))
        lines.append(dc_source(f"g_{k}", f"g_{k}", "0", v_wl))
        lines.append(_access_line(bench, f"t_{k}", f"d_{k}", f"g_{k}", "ns", NO_DEVIATION))
    lines.append(f".temp {spice_number(bench.temp_c)}")
    lines.extend(f".save i(vd_{k})" for k in range(len(word_lines)))
    lines.append(".tran 1e-10 1e-9")
    lines.append(".end")
    return "\n".join(lines) + "\n"


def iv_sweep_netlist(
    elements: Sequence[VcmElement], amplitude_v: float, rate_v_per_s: float
) -> str:
    """Bipolar triangular sweep of ``V(AE, OE)`` on bare devices (no transistor).

    ``V(AE, OE)``: 0 -> -A -> 0 -> +A -> 0 (SET first) at ``rate_v_per_s``. Device ``k`` sits
    between the swept node and its own 0 V sense source ``vs_k`` (``i(vs_k)`` = current from
    AE to OE); its state node is ``dev_k_lnn``.
    """
    check_range("amplitude_v", amplitude_v, 0.0, 2.0, low_inclusive=False, unit="V")
    check_range("rate_v_per_s", rate_v_per_s, 1e-3, 1e6, unit="V/s")
    if not elements:
        raise ParameterError("elements", len(elements), "at least one device")
    quarter = amplitude_v / rate_v_per_s
    points = [(0.0, 0.0), (quarter, -amplitude_v), (2 * quarter, 0.0), (3 * quarter, amplitude_v)]
    points.append((4 * quarter, 0.0))
    pwl = " ".join(f"{spice_number(t)} {spice_number(v)}" for t, v in points)
    lines = ["* rram-ber I-V sweep of bare VCM devices", elements[0].definitions()[0]]
    lines.append(f"vsweep ae 0 pwl({pwl})")
    for k, element in enumerate(elements):
        # Placed with AE on terminal a whatever the element's cell orientation.
        bare = VcmElement(element.parameters, DeviceOrientation.AE_ON_BIT_LINE)
        lines.extend(bare.element_lines(f"dev_{k}", "ae", f"oe_{k}"))
        lines.append(dc_source(f"s_{k}", f"oe_{k}", "0", 0.0))
    # Backward Euler (maxord=1): see programming_netlist; agreement with the SciPy reference
    # on the +-1.3 V, 1 V/s sweep: I_min, I_max and final N within 0.2 %.
    lines.append(".options method=gear maxord=1 reltol=1e-4 abstol=1e-14")
    lines.extend(f".save i(vs_{k}) v(dev_{k}_lnn)" for k in range(len(elements)))
    lines.append(".save v(ae)")
    t_stop = 4 * quarter
    lines.append(
        f".tran {spice_number(t_stop / 5200)} {spice_number(t_stop)} 0"
        f" {spice_number(t_stop / 2600)}"
    )
    lines.append(".end")
    return "\n".join(lines) + "\n"


def standalone_programming_netlist(
    bench: ProgrammingBench, operation: Operation, pulse: PulseShape, copy: ProgrammingCopy
) -> str:
    """One SET or RESET pulse on one 1T1R branch as a self-contained ``ngspice -b`` deck.

    Its ``.control`` block runs the transient and prints the state at the end of the pulse
    (``N_disc`` [1e26 m^-3]), the device current at the end of the plateau [A] (the
    compliance of a SET) and the energy the driven line delivers into the branch [J],
    ``integral of V(driven) * I dt`` as :func:`characterization.programming.pulse_energy`.
    """
    body = programming_netlist(bench, operation, pulse, [copy]).removesuffix(".end\n")
    probes = programming_probes(0)
    node, sign = driven_line(bench, operation)
    current = f"i({probes.current.removesuffix('#branch')})"
    lines = [
        ".control",
        "set num_threads=1",
        "run",
        f"let n_end = exp(v({probes.state})[length(time) - 1])",
        f"meas tran i_plateau find {current} at={spice_number(pulse.t_plateau_end_s)}",
        f"let p_drive = {spice_number(sign)} * v({node}) * {current}",
        "meas tran energy integ p_drive",
        f"echo rram-ber-program {Operation(operation).value} n_end=$&n_end"
        " i_plateau=$&i_plateau energy=$&energy",
        "quit 0",
        ".endc",
    ]
    return body + "\n".join(lines) + "\n.end\n"
