"""The cell in its column: bit lines, source line, unselected cells, drivers and decode logic.

One read copy of an array read is::

    senin -> [SEN driver chain] -> sen_k ------------+
    wlin  -> [WL driver chain]  -> wl_k ---+          |
                                           |       PCSA (vdd_k) -- out_k -> [inv] -> dout_k
    PCSA BL input -- [column mux] -- BL wire: rows x (R, C per cell pitch) ... selected cell
    PCSA BLB input - [column mux] -- BLB wire                                   (far end)
    PCSA enable NMOS drain ---------- SL wire: rows x (R, C per cell pitch) ...

* **Wires.** Bit lines BL, BLB and the source line SL run along the column, one cell pitch per
  row, each with the resistance and capacitance of a minimum-pitch copper line of a 130 nm back
  end (:class:`ColumnParameters`). They are written as a chain of pi segments.
* **Unselected cells.** Each unselected row hangs a device (a resistor) and an *off* access
  transistor (gate at 0 V: its word line is low) between each bit line and the source line. The
  transistors bring their drain junction capacitance, gate overlap and sub-threshold leakage
  from the same models as every other transistor (the read's technology,
  :mod:`rram_ber.models.technology`). Two forms: ``transistors`` writes one
  real off transistor per unselected row and side; ``equivalent`` (default) lumps the rows of
  each wire segment into one off transistor of multiplicity ``m`` = rows of the segment behind
  ``R_unselected / m``. The junctions of all rows see the same bit-line voltage within the
  segment's wire drop (below a millivolt here), so ``m`` identical transistors in parallel are
  the same circuit; ``tests/circuits/test_array.py`` checks the two forms against each other.
* **Selected cell** at the far end of the column (the worst-case row: all wire resistance and
  the whole line between it and the PCSA).
* **Column multiplexer** (optional, ``mux_ways > 1``): an NMOS pass transistor (gate held at
  VDD) between the PCSA and each line, plus the ``mux_ways - 1`` off pass transistors of the
  other columns sharing the PCSA, lumped as one off transistor of multiplicity ``mux_ways - 1``.
* **Drivers.** Word line and sense enable are driven by inverter chains powered by the copy's
  own supply, so their energy and their edges are part of the read. A word-line driver of a
  real array drives a whole row; the chain here is its per-column share, sized for one column's
  load (the cell's two access gates and one column width of word-line wire): a driver ``1/C``
  the size driving ``1/C`` of the load has the same edge and ``1/C`` of the energy.
* **Decode logic.** Each PCSA output drives a minimum inverter, the input stage of the
  flip-flop that samples it at the sampling time. The flip-flop stores the logic level of the
  PCSA output against that inverter's switching threshold ``V_M``; a self-biased replica of
  the inverter (input tied to output, on its own supply so it is not part of any copy's
  energy) puts ``V_M`` at the read's corner and temperature on node ``vm``. Values are decoded
  from these logic levels (:mod:`rram_ber.characterization.decode`), never from an analogue output
  difference.

Every transistor is written by :func:`rram_ber.circuits.netlist.transistor` for the read's
technology (corner included); sizes default to the technology's
(:class:`rram_ber.models.technology.DefaultSizes`). No random numbers here: unselected devices are a
fixed resistance, and only the selected copy's transistors carry mismatch.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from rram_ber.circuits.netlist import (
    capacitor,
    dc_source,
    identifier,
    resistor,
    spice_number,
    transistor,
)
from rram_ber.circuits.pcsa import L_MIN_M, PcsaSizing, check_width
from rram_ber.core.validation import ParameterError, check_range, parse_enum
from rram_ber.models.cmos import Polarity, ProcessCorner, TransistorGeometry
from rram_ber.models.technology import PTM130, Technology

#: Default number of rows: the lower end of the 64-256-row columns usual in embedded RRAM
#: macros (a longer line costs read speed, a shorter one area). The seed chips' organisation is
#: not documented in the material this project used; their test arrays are kilobit scale, so
#: short columns are the closer choice. Measured here (TT, 27 C, 1.2 V, 5 / 50 kOhm): sense
#: delay 98 ps with 1 row, 360 ps with 64, 684 ps with 128, 1.5 ns with 256.
DEFAULT_ROWS = 64
#: Largest number of rows accepted.
MAX_ROWS = 4096
#: Wire resistance of a minimum-pitch copper line of a 130 nm back end [ohm/m]: 0.16 um wide,
#: 0.30 um thick, effective resistivity 2.2 uOhm cm (barrier and surface scattering included).
WIRE_R_OHM_PER_M = 0.46e6
#: Total capacitance of a minimum-pitch line [F/m]: about 0.2 fF/um, nearly constant across
#: nodes (R. Ho, K. W. Mai, M. A. Horowitz, "The future of wires", Proc. IEEE 89(4):490-504,
#: 2001).
WIRE_C_F_PER_M = 0.2e-9
#: Cell pitch along the column [m]: an access transistor of W = 0.6 um with its contacts and
#: the via stack to the RRAM fits in a ~1 um row at 130 nm design rules (an assumption, not a
#: published layout of the seed chips).
CELL_PITCH_M = 1.0e-6
#: Gate capacitance per width used to size the driver chains of the default technology [F/m]
#: (:attr:`rram_ber.models.technology.DefaultSizes.gate_c_f_per_m`). Only the sizing uses it; the
#: simulation uses the models themselves.
GATE_C_F_PER_M = PTM130.sizes.gate_c_f_per_m
#: Fan-out per stage of the driver chains (the usual optimum of 3-4 of logical effort).
DRIVER_FANOUT = 4.0
#: Segments of each wire in the ``equivalent`` form. The wire RC of 256 rows (120 ohm x 51 fF,
#: 6 ps) is small next to the cell branch, so two segments describe the line (checked against
#: one real transistor per row in ``tests/circuits/test_array.py``).
EQUIVALENT_SEGMENTS = 2


class UnselectedForm(enum.StrEnum):
    """How the unselected cells are written (see the module docstring)."""

    EQUIVALENT = "equivalent"
    TRANSISTORS = "transistors"

    @classmethod
    def parse(cls, value: object, field: str = "unselected") -> UnselectedForm:
        """The form named ``value`` (case-insensitive), else :class:`ParameterError`."""
        return parse_enum(cls, value, field)


@dataclass(frozen=True, slots=True)
class InverterSizing:
    """A CMOS inverter of the drivers and the decode logic (PTM 130 nm defaults).

    Attributes
    ----------
    w_n_m, w_p_m : float
        NMOS and PMOS widths [m] of the unit inverter (PMOS twice the NMOS: the PTM PMOS
        drives about half the current per width).
    l_m : float
        Drawn length [m].
    l_diffusion_m : float
        Diffusion length for junction area and perimeter [m].
    gate_c_f_per_m : float
        Gate capacitance per width [F/m], for sizing the driver chains only.
    """

    w_n_m: float = PTM130.sizes.w_logic_n_m
    w_p_m: float = PTM130.sizes.w_logic_p_m
    l_m: float = L_MIN_M
    l_diffusion_m: float = PTM130.sizes.l_diffusion_m
    gate_c_f_per_m: float = GATE_C_F_PER_M

    def __post_init__(self) -> None:
        check_width("w_n_m", self.w_n_m)
        check_width("w_p_m", self.w_p_m)
        check_range("l_m", self.l_m, L_MIN_M, 10e-6, unit="m")
        check_range("l_diffusion_m", self.l_diffusion_m, 0.1e-6, 5e-6, unit="m")
        check_range("gate_c_f_per_m", self.gate_c_f_per_m, 0.0, 1e-7, low_inclusive=False)

    @classmethod
    def for_technology(cls, technology: Technology) -> InverterSizing:
        """The unit inverter of ``technology`` (its default logic sizes)."""
        sizes = technology.sizes
        return cls(
            w_n_m=sizes.w_logic_n_m,
            w_p_m=sizes.w_logic_p_m,
            l_m=sizes.l_m,
            l_diffusion_m=sizes.l_diffusion_m,
            gate_c_f_per_m=sizes.gate_c_f_per_m,
        )

    @property
    def input_capacitance_f(self) -> float:
        """Estimated input capacitance of the unit inverter [F]."""
        return self.gate_c_f_per_m * (self.w_n_m + self.w_p_m)


@dataclass(frozen=True, slots=True)
class ColumnParameters:
    """A column of ``rows`` cells and its periphery (see the module docstring).

    Attributes
    ----------
    rows : int
        Cells on the column, 1 ... 4096 (default 64, see :data:`DEFAULT_ROWS`).
    cell_pitch_m : float
        Length of line per row [m].
    wire_r_ohm_per_m, wire_c_f_per_m : float
        Resistance [ohm/m] and capacitance [F/m] of each line (BL, BLB, SL).
    r_unselected_ohm : float
        Resistance standing for each unselected device [ohm]; default the geometric mean of
        5 and 50 kOhm. The off transistor behind it dominates, so its value hardly matters.
    unselected : UnselectedForm
        Real off transistor per row, or the lumped equivalent.
    mux_ways : int
        Columns sharing one PCSA through a column multiplexer; 1 = no multiplexer.
    w_mux_m : float
        Width of each multiplexer pass NMOS [m].
    logic : InverterSizing or None
        Unit inverter of the drivers and of the decode inverters; None (default): the read's
        technology's (:meth:`logic_for`).
    c_logic_f : float
        Load on each decode inverter output (flip-flop input and wiring) [F].
    wl_wire_length_m : float
        Word-line wire per column (one 2T2R cell width) [m], part of the word-line load.
    """

    rows: int = DEFAULT_ROWS
    cell_pitch_m: float = CELL_PITCH_M
    wire_r_ohm_per_m: float = WIRE_R_OHM_PER_M
    wire_c_f_per_m: float = WIRE_C_F_PER_M
    r_unselected_ohm: float = math.sqrt(5e3 * 50e3)
    unselected: UnselectedForm = UnselectedForm.EQUIVALENT
    mux_ways: int = 1
    w_mux_m: float = 1.0e-6
    logic: InverterSizing | None = None
    c_logic_f: float = 1e-15
    wl_wire_length_m: float = 2.0e-6

    def __post_init__(self) -> None:
        for name, high in (("rows", MAX_ROWS), ("mux_ways", 64)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
                raise ParameterError(name, value, f"an integer from 1 to {high}")
        check_range("cell_pitch_m", self.cell_pitch_m, 0.1e-6, 20e-6, unit="m")
        check_range("wire_r_ohm_per_m", self.wire_r_ohm_per_m, 0.0, 1e9, unit="ohm/m")
        check_range("wire_c_f_per_m", self.wire_c_f_per_m, 0.0, 1e-8, unit="F/m")
        check_range(
            "r_unselected_ohm", self.r_unselected_ohm, 1.0, 1e12, low_inclusive=False, unit="ohm"
        )
        object.__setattr__(self, "unselected", UnselectedForm.parse(self.unselected))
        check_width("w_mux_m", self.w_mux_m)
        if self.logic is not None and not isinstance(self.logic, InverterSizing):
            raise ParameterError("logic", self.logic, "an InverterSizing record or None")
        check_range("c_logic_f", self.c_logic_f, 0.0, 1e-12, unit="F")
        check_range("wl_wire_length_m", self.wl_wire_length_m, 0.0, 1e-3, unit="m")

    def logic_for(self, technology: Technology) -> InverterSizing:
        """The unit inverter of the read: :attr:`logic`, else ``technology``'s."""
        return self.logic if self.logic is not None else InverterSizing.for_technology(technology)

    @property
    def r_pitch_ohm(self) -> float:
        """Wire resistance of one row of line [ohm]."""
        return self.wire_r_ohm_per_m * self.cell_pitch_m

    @property
    def c_pitch_f(self) -> float:
        """Wire capacitance of one row of line [F]."""
        return self.wire_c_f_per_m * self.cell_pitch_m

    def segments(self) -> tuple[int, ...]:
        """Rows per wire segment, near end first; they add up to ``rows``."""
        count = self.rows if self.unselected is UnselectedForm.TRANSISTORS else EQUIVALENT_SEGMENTS
        count = min(count, self.rows)
        base, extra = divmod(self.rows, count)
        return tuple(base + (1 if s < extra else 0) for s in range(count))


def chain_stages(load_f: float, unit: InverterSizing) -> tuple[float, ...]:
    """Width multipliers of an inverter chain driving ``load_f`` [F] from a unit inverter.

    The number of stages is the integer closest to ``log_4(load / C_in)`` (at least 1), and
    the stages taper geometrically from the unit inverter so each has the same fan-out
    (Sutherland, Sproull, Harris, *Logical Effort*, Morgan Kaufmann 1999, ch. 3). An odd
    chain inverts: its input is then driven with the complementary pulse
    (:func:`chain_inverts`).
    """
    ratio = max(load_f / unit.input_capacitance_f, 1.0)
    n = max(1, round(math.log(ratio, DRIVER_FANOUT)))
    fanout = ratio ** (1.0 / n)
    return tuple(fanout**i for i in range(n))


def chain_inverts(load_f: float, unit: InverterSizing) -> bool:
    """Whether the chain sized for ``load_f`` has an odd number of stages."""
    return len(chain_stages(load_f, unit)) % 2 == 1


def _inverter(
    name: str,
    unit: InverterSizing,
    scale: float,
    node_in: str,
    node_out: str,
    vdd: str,
    corner: ProcessCorner,
    technology: Technology,
) -> list[str]:
    lines = []
    for polarity, width, source in (
        (Polarity.NMOS, unit.w_n_m, "0"),
        (Polarity.PMOS, unit.w_p_m, vdd),
    ):
        geometry = TransistorGeometry(
            f"{name}{polarity.value[0]}", polarity, width * scale, unit.l_m
        )
        lines.append(
            transistor(
                geometry,
                "",
                node_out,
                node_in,
                source,
                source,
                corner,
                {},
                unit.l_diffusion_m,
                technology,
            )
        )
    return lines


def driver_lines(
    name: str,
    unit: InverterSizing,
    load_f: float,
    node_in: str,
    node_out: str,
    vdd: str,
    corner: ProcessCorner,
    technology: Technology = PTM130,
) -> list[str]:
    """An inverter chain from ``node_in`` to ``node_out`` sized for ``load_f`` [F]."""
    stages = chain_stages(load_f, unit)
    nodes = [node_in] + [f"{name}s{i}" for i in range(1, len(stages))] + [node_out]
    lines = []
    for i, scale in enumerate(stages):
        lines += _inverter(
            f"{name}i{i}", unit, scale, nodes[i], nodes[i + 1], vdd, corner, technology
        )
    return lines


def word_line_load_f(
    access_width_m: float, column: ColumnParameters, gate_c_f_per_m: float = GATE_C_F_PER_M
) -> float:
    """Load of the per-column word-line driver: two access gates and the word-line wire [F]."""
    return 2.0 * gate_c_f_per_m * access_width_m + column.wire_c_f_per_m * column.wl_wire_length_m


def sense_enable_load_f(pcsa: PcsaSizing, gate_c_f_per_m: float = GATE_C_F_PER_M) -> float:
    """Load of the sense-enable driver: the gates of both precharge PMOS and the enable NMOS [F].

    A user's PCSA subcircuit (:mod:`rram_ber.circuits.user_pcsa`) does not state its sense-enable
    load; its driver is sized for the technology's built-in PCSA (the caller passes those sizes).
    """
    return gate_c_f_per_m * (2.0 * pcsa.w_precharge_m + pcsa.w_enable_m)


@dataclass(frozen=True, slots=True)
class ColumnNodes:
    """Where one column connects: the PCSA's BL/BLB/SL terminals and the selected cell's."""

    pcsa_bl: str
    pcsa_blb: str
    pcsa_sl: str
    cell_bl: str
    cell_blb: str
    cell_sl: str
    vdd: str


def _off_transistor(
    name: str,
    drain: str,
    source: str,
    multiplicity: int,
    width_m: float,
    l_m: float,
    l_diffusion_m: float,
    corner: ProcessCorner,
    technology: Technology,
) -> str:
    geometry = TransistorGeometry(name, Polarity.NMOS, width_m, l_m)
    line = transistor(geometry, "", drain, "0", source, "0", corner, {}, l_diffusion_m, technology)
    # ``m`` multiplies the instance (a subcircuit instance too: ngspice multiplies every device
    # inside it), so the width stays that of one cell's transistor.
    return line if multiplicity == 1 else line + f" m={multiplicity}"


def column_lines(
    column: ColumnParameters,
    access_width_m: float,
    access_length_m: float,
    access_l_diffusion_m: float,
    corner: ProcessCorner,
    nodes: ColumnNodes,
    suffix: str,
    technology: Technology = PTM130,
) -> list[str]:
    """Netlist lines of one column between the PCSA and the selected cell.

    Parameters
    ----------
    column : ColumnParameters
        Rows, wires, unselected cells and multiplexer.
    access_width_m, access_length_m, access_l_diffusion_m : float
        Sizes of the cells' access transistors [m] (the unselected ones are the same device).
    corner : ProcessCorner
        Global corner (the unselected and multiplexer transistors carry no mismatch: they are
        off or fully on, where a few mV of threshold do not matter).
    nodes : ColumnNodes
        PCSA-side and cell-side nodes.
    suffix : str
        Appended to every element and internal node name.
    technology : Technology
        Transistor models (the multiplexer pass transistors have its minimum length).

    Returns
    -------
    list of str
        Resistor, capacitor and transistor lines.
    """
    lines: list[str] = []
    tops = {}
    for line_name, pcsa_node in (("bl", nodes.pcsa_bl), ("blb", nodes.pcsa_blb)):
        if column.mux_ways == 1:
            tops[line_name] = pcsa_node
            continue
        top = f"c{line_name}m{suffix}"
        l_mux = technology.sizes.l_m
        mux = TransistorGeometry(f"mux{line_name}{suffix}", Polarity.NMOS, column.w_mux_m, l_mux)
        lines.append(
            transistor(
                mux,
                "",
                pcsa_node,
                nodes.vdd,
                top,
                "0",
                corner,
                {},
                access_l_diffusion_m,
                technology,
            )
        )
        lines.append(
            _off_transistor(
                f"muxoff{line_name}{suffix}",
                pcsa_node,
                "0",
                column.mux_ways - 1,
                column.w_mux_m,
                l_mux,
                access_l_diffusion_m,
                corner,
                technology,
            )
        )
        tops[line_name] = top
    tops["sl"] = nodes.pcsa_sl
    ends = {"bl": nodes.cell_bl, "blb": nodes.cell_blb, "sl": nodes.cell_sl}
    segments = column.segments()
    # Node k of a line is the far end of segment k-1; node 0 is the top.
    line_nodes = {
        name: [tops[name]] + [f"c{name}{k}{suffix}" for k in range(1, len(segments))] + [ends[name]]
        for name in ("bl", "blb", "sl")
    }
    unselected_left = column.rows - 1
    for k, rows in enumerate(segments):
        for name in ("bl", "blb", "sl"):
            near, far = line_nodes[name][k], line_nodes[name][k + 1]
            c_half = 0.5 * rows * column.c_pitch_f
            lines.append(resistor(f"w{name}{k}{suffix}", near, far, rows * column.r_pitch_ohm))
            if c_half > 0.0:
                lines.append(capacitor(f"w{name}{k}a{suffix}", near, "0", c_half))
                lines.append(capacitor(f"w{name}{k}b{suffix}", far, "0", c_half))
        # The selected cell takes one row of the last segment.
        unselected = min(rows, unselected_left)
        if k == len(segments) - 1:
            unselected = min(rows - 1, unselected_left)
        unselected_left -= unselected
        if unselected == 0:
            continue
        sl_node = line_nodes["sl"][k + 1]
        for side in ("bl", "blb"):
            drain = identifier(f"u{side}{k}{suffix}")
            lines.append(
                resistor(
                    f"u{side}{k}{suffix}",
                    line_nodes[side][k + 1],
                    drain,
                    column.r_unselected_ohm / unselected,
                )
            )
            lines.append(
                _off_transistor(
                    f"u{side}{k}{suffix}",
                    drain,
                    sl_node,
                    unselected,
                    access_width_m,
                    access_length_m,
                    access_l_diffusion_m,
                    corner,
                    technology,
                )
            )
    return lines


def decode_lines(
    column: ColumnParameters,
    out: str,
    outb: str,
    dout: str,
    doutb: str,
    vdd: str,
    corner: ProcessCorner,
    suffix: str,
    technology: Technology = PTM130,
) -> list[str]:
    """The decode inverters: ``out -> dout`` and ``outb -> doutb``, each with its load."""
    unit = column.logic_for(technology)
    lines = _inverter(f"dq{suffix}", unit, 1.0, out, dout, vdd, corner, technology)
    lines += _inverter(f"dqb{suffix}", unit, 1.0, outb, doutb, vdd, corner, technology)
    if column.c_logic_f > 0.0:
        lines.append(capacitor(f"dq{suffix}", dout, "0", column.c_logic_f))
        lines.append(capacitor(f"dqb{suffix}", doutb, "0", column.c_logic_f))
    return lines


#: Node holding the decode inverter's switching threshold (replica) in an array read.
SWITCHING_NODE = "vm"


def replica_lines(
    column: ColumnParameters,
    vdd_v: float,
    corner: ProcessCorner,
    technology: Technology = PTM130,
) -> list[str]:
    """Self-biased replica of the decode inverter on its own supply: ``V(vm) = V_M``."""
    unit = column.logic_for(technology)
    return [
        dc_source("ddm", "vddm", "0", vdd_v),
        *_inverter("rep", unit, 1.0, SWITCHING_NODE, SWITCHING_NODE, "vddm", corner, technology),
    ]


def describe(column: ColumnParameters) -> str:
    """One-line summary for netlist headers (numbers only)."""
    return (
        f"rows={column.rows} pitch={spice_number(column.cell_pitch_m)} m"
        f" mux={column.mux_ways} unselected={column.unselected.value}"
    )
