"""Read testbench: a PCSA reading a 2T2R or 1T1R cell, precharge then evaluation.

Waveforms (times from ``ReadTiming``)::

    WL   ______/‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾\\______   rises at t_wl, falls with SEN
    SEN  ______________/‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾‾\\______   rises at t_sen, high for t_evaluate
                 precharge   evaluation          restore (precharge again)
                              ^ t_sen + t_sample: outputs sampled here

One netlist can hold many independent copies of the PCSA + cell ("batched" netlist): they
share the WL and SEN drivers but each has its own supply source ``vdd_<k>``, so its read
energy can be measured, its own resistive elements and its own per-transistor mismatch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rram_ber.circuits.array import (
    SWITCHING_NODE,
    ColumnNodes,
    ColumnParameters,
    chain_inverts,
    column_lines,
    decode_lines,
    describe,
    driver_lines,
    replica_lines,
    sense_enable_load_f,
    word_line_load_f,
)
from rram_ber.circuits.cells import AccessSizing, Cell, CellNodes, access_geometries, cell_lines
from rram_ber.circuits.netlist import dc_source, pulse_source, spice_number
from rram_ber.circuits.pcsa import (
    PcsaNodes,
    PcsaSizing,
    XnorSwitchSizing,
    pcsa_geometries,
    pcsa_lines,
    xnor_switch_geometries,
    xnor_switch_lines,
)
from rram_ber.circuits.user_pcsa import UserPcsa
from rram_ber.core.validation import ParameterError, check_range
from rram_ber.models.cmos import (
    ProcessCorner,
    TransistorDeviation,
    TransistorGeometry,
)
from rram_ber.models.technology import PTM130, Technology

#: Highest read supply of the default technology (PTM 130 nm) [V]; see
#: :attr:`rram_ber.models.technology.Technology.vdd_max_v` for each technology and why.
VDD_MAX_V = PTM130.vdd_max_v
TEMP_MIN_C = -55.0
TEMP_MAX_C = 150.0


def check_vdd(field: str, value: Any, technology: Technology = PTM130) -> float:
    """``value`` as a read supply in ``0 < x <= technology.vdd_max_v`` [V].

    Raises
    ------
    ParameterError
        Naming ``field``, the value, the range and the reason for its upper end.
    """
    try:
        return check_range(field, value, 0.0, technology.vdd_max_v, low_inclusive=False, unit="V")
    except ParameterError as error:
        reason = technology.vdd_limit_reason
        raise ParameterError(field, value, f"{error.allowed} ({reason})") from None


@dataclass(frozen=True, slots=True)
class ReadTiming:
    """Timing of one read [s].

    Attributes
    ----------
    t_wl_s : float
        Word line rises (precharge already running since t = 0).
    t_sen_s : float
        Sense enable rises: end of precharge, start of evaluation. Must follow ``t_wl_s``.
    t_evaluate_s : float
        Duration of the evaluation phase (SEN high); WL falls with SEN.
    t_restore_s : float
        Precharge after evaluation that restores both outputs to VDD; part of the read energy.
    t_sample_s : float
        Time after the SEN edge at which the outputs are sampled for the decision; at most
        ``t_evaluate_s``.
    t_edge_s : float
        Rise and fall time of WL and SEN.
    t_step_s : float
        Largest simulator time step (ngspice TMAX). The number of time points, hence the run
        time, falls with a larger step. The default, 30 ps with ``trtol = 1``, was chosen by
        the statistical rule of ``benchmarks/step_study.py`` against a 2 ps reference
        (2026-12-07; 64-row column, 2T2R, ternary, XNOR and 1T1R reads of near-balanced
        devices, LRS 5 kOhm / HRS 7 kOhm, sigma of ln R 0.3, 1.2 and 0.6 V, 2,000 reads per
        read mode, four sampling times, 32,000 condition-samples per timing, seed 5): 41
        decisions changed (at most 160 allowed), no direction per read mode (McNemar p >=
        0.18), no condition's BER outside the reference's 95 % interval, sense delay error
        0.31 % median / 1.37 % p99, read energy error 0.40 % / 0.76 %, and a rare-event
        estimate of 1.92e-4 [1.77e-4, 2.08e-4] against 1.93e-4 [1.77e-4, 2.09e-4] at 10 ps.
        That is 2.1x faster than 10 ps (ngspice's default TRTOL), which changed 17
        decisions. 50 ps with ``trtol = 1`` failed: its changes lean one way in the 2T2R read
        (3 up / 14 down, p = 0.013) and its p99 delay error is 3.04 %.
    trtol : float or None
        ngspice's truncation-error tolerance factor TRTOL (``.options trtol``); the default 1
        was chosen with ``t_step_s``. The simulator rejects a step whose estimated local
        truncation error exceeds the allowed error times TRTOL, so a smaller TRTOL puts more
        points where the outputs regenerate and lets a larger ``t_step_s`` serve the quiet
        phases (ngspice manual, section "Transient Analysis Options"). None keeps the netlist
        free of the option (ngspice's own default, 7). At 20 ps, TRTOL 1 halved the decisions
        changed against 2 ps (8 of 9,600 against 14) for no measurable cost.
    bypass : bool
        ngspice's device bypass (``.options bypass=1``): a transistor whose terminal voltages
        moved less than the convergence tolerances since its last evaluation keeps its
        currents and conductances instead of being evaluated again (ngspice manual, section
        "Transient Analysis Options"; the SPICE2 bypass of Nagel, UCB/ERL M520, 1975). Most
        of a read's transistors (the column's unselected cells, the drivers) are quiet most
        of the cycle, and BSIM4 evaluation is most of a read's CPU time. Off by default: in
        ``benchmarks/step_study.py`` (2026-12-08; the reads of ``t_step_s`` above, 30 ps
        with TRTOL 1 with and without it) it passed the Monte-Carlo criteria (54 decisions
        changed against 2 ps where 160 are allowed, no direction: McNemar p >= 0.30; delay
        error 0.36 % median / 1.68 % p99, energy 0.31 % / 0.79 %) in 0.88x the time, but its
        rare-event estimate near 2e-4 came out below the default's at each of three seeds:
        1.70e-4 against 1.92e-4, 1.76e-4 against 1.99e-4, 1.85e-4 against 2.00e-4 (7-12 %
        lower). The intervals overlap, so the study's criterion 4 passes at its one seed, but
        a bias of that size would take half of a +-20 % precision target.
    """

    t_wl_s: float = 0.5e-9
    t_sen_s: float = 1.0e-9
    t_evaluate_s: float = 3.0e-9
    t_restore_s: float = 1.0e-9
    t_sample_s: float = 2.0e-9
    t_edge_s: float = 20e-12
    t_step_s: float = 30e-12
    trtol: float | None = 1.0
    bypass: bool = False

    def __post_init__(self) -> None:
        check_range("t_wl_s", self.t_wl_s, 0.0, 1e-6, unit="s")
        check_range("t_sen_s", self.t_sen_s, 0.0, 1e-6, low_inclusive=False, unit="s")
        check_range("t_evaluate_s", self.t_evaluate_s, 0.0, 1e-6, low_inclusive=False, unit="s")
        check_range("t_restore_s", self.t_restore_s, 0.0, 1e-6, low_inclusive=False, unit="s")
        check_range("t_edge_s", self.t_edge_s, 1e-13, 1e-9, unit="s")
        check_range("t_step_s", self.t_step_s, 1e-13, 1e-9, unit="s")
        if self.trtol is not None:
            check_range("trtol", self.trtol, 0.1, 100.0)
        if not isinstance(self.bypass, bool):
            raise ParameterError("bypass", self.bypass, "true or false")
        if self.t_wl_s + self.t_edge_s > self.t_sen_s:
            raise ParameterError(
                "t_sen_s",
                self.t_sen_s,
                f"at least t_wl_s + t_edge_s = {self.t_wl_s + self.t_edge_s:g} s",
            )
        check_range("t_sample_s", self.t_sample_s, self.t_edge_s, self.t_evaluate_s, unit="s")

    @property
    def t_sen_mid_s(self) -> float:
        """Time at which SEN crosses half of VDD [s]: the reference of the sense delay."""
        return self.t_sen_s + 0.5 * self.t_edge_s

    @property
    def t_decision_s(self) -> float:
        """Absolute sampling time of the outputs [s]."""
        return self.t_sen_mid_s + self.t_sample_s

    @property
    def t_stop_s(self) -> float:
        """End of the transient: evaluation, SEN fall and restore precharge [s]."""
        return self.t_sen_s + self.t_evaluate_s + self.t_edge_s + self.t_restore_s


@dataclass(frozen=True, slots=True)
class ReadConditions:
    """Operating point and design shared by every copy of a read testbench.

    Attributes
    ----------
    vdd_v : float
        Supply of the PCSA, word line and sense enable [V], 0 < VDD <= VDD_MAX_V (1.5 V; see there).
    temp_c : float
        Temperature [C], -55 ... 150.
    corner : ProcessCorner
        Global process corner.
    timing : ReadTiming
        Read timing.
    pcsa : PcsaSizing
        PCSA transistor sizes.
    access : AccessSizing
        Cell access transistor sizes.
    xnor : XnorSwitchSizing or None
        When given, every copy uses the XNOR-PCSA (bit-line swap driven by the copy's input
        activation) and reads ``w XNOR x``; None for the plain PCSA.
    column : ColumnParameters or None
        The array around the cell (:mod:`rram_ber.circuits.array`): bit and source lines, unselected
        cells, word-line and sense-enable drivers, decode inverters. None: the idealised test
        fixture (ideal WL/SEN pulses, no lines, analogue decode).
    technology : Technology
        Transistor models, corners and mismatch style (default PTM 130 nm). Build conditions
        for another technology with :meth:`for_technology` to get its default sizes.
    user_pcsa : UserPcsa or None
        A user's sense-amplifier subcircuit used in place of the built-in PCSA (``pcsa``
        sizes then do not apply, except that in an array read the sense-enable driver is
        sized for the gates of the PCSA ``pcsa`` describes: the subcircuit does not state its
        own load); None for the built-in one.
    """

    vdd_v: float = 1.2
    temp_c: float = 27.0
    corner: ProcessCorner = ProcessCorner.TT
    timing: ReadTiming = field(default_factory=ReadTiming)
    pcsa: PcsaSizing = field(default_factory=PcsaSizing)
    access: AccessSizing = field(default_factory=AccessSizing)
    xnor: XnorSwitchSizing | None = None
    column: ColumnParameters | None = None
    technology: Technology = PTM130
    user_pcsa: UserPcsa | None = None

    def __post_init__(self) -> None:
        if self.column is not None and not isinstance(self.column, ColumnParameters):
            raise ParameterError("column", self.column, "a ColumnParameters record or None")
        if not isinstance(self.technology, Technology):
            raise ParameterError("technology", self.technology, "a Technology")
        if self.user_pcsa is not None and not isinstance(self.user_pcsa, UserPcsa):
            raise ParameterError("user_pcsa", self.user_pcsa, "a UserPcsa or None")
        check_vdd("vdd_v", self.vdd_v, self.technology)
        check_range("temp_c", self.temp_c, TEMP_MIN_C, TEMP_MAX_C, unit="C")
        object.__setattr__(self, "corner", ProcessCorner.parse(self.corner))

    @classmethod
    def for_technology(
        cls, technology: Technology, *, xnor: bool = False, **values: Any
    ) -> ReadConditions:
        """Conditions with ``technology``'s default sizes (and XNOR swap if ``xnor``).

        ``values`` are the other fields (``vdd_v``, ``temp_c``, ``corner``, ``timing``);
        ``vdd_v`` defaults to the technology's default read supply.
        """
        values.setdefault("vdd_v", technology.vdd_default_v)
        return cls(
            pcsa=PcsaSizing.for_technology(technology),
            access=AccessSizing.for_technology(technology),
            xnor=XnorSwitchSizing.for_technology(technology) if xnor else None,
            technology=technology,
            **values,
        )


@dataclass(frozen=True, slots=True)
class ReadCopy:
    """One PCSA + cell of a (possibly batched) read testbench.

    Attributes
    ----------
    cell : Cell2T2R or Cell1T1R
        The cell and its resistive elements.
    deviations : mapping
        Local mismatch by transistor name (see :func:`read_transistor_geometries`); missing
        names get no deviation.
    activation : int or None
        Input activation (+1 or -1) of an XNOR-PCSA read; None for a plain read.
    """

    cell: Cell
    deviations: Mapping[str, TransistorDeviation] = field(default_factory=dict)
    activation: int | None = None

    def __post_init__(self) -> None:
        if self.activation not in (None, 1, -1):
            raise ParameterError("activation", self.activation, "+1, -1 or None")


def read_transistor_geometries(conditions: ReadConditions) -> tuple[TransistorGeometry, ...]:
    """All transistors of one read copy (PCSA, access, then the XNOR swap if any), in order.

    A user's PCSA subcircuit contributes none (its devices carry no drawn mismatch), nor does
    the swap when the subcircuit takes the XNOR input itself.
    """
    user = conditions.user_pcsa
    geometries = () if user is not None else pcsa_geometries(conditions.pcsa)
    geometries += access_geometries(conditions.access)
    if conditions.xnor is not None and (user is None or not user.has_xnor_input):
        geometries += xnor_switch_geometries(conditions.xnor)
    return geometries


@dataclass(frozen=True, slots=True)
class ReadProbes:
    """Names of the simulator vectors one copy's measurement needs (ngspice lower case).

    ``sen``, ``dout``, ``doutb`` and ``switching`` (the sense enable at the PCSA, the decode
    inverter outputs and their switching threshold, shared by all copies) exist only in an
    array read (``conditions.column`` given), else they are None.
    """

    out: str
    outb: str
    supply_current: str
    sen: str | None = None
    dout: str | None = None
    doutb: str | None = None
    switching: str | None = None

    def vectors(self) -> list[str]:
        """Every vector to save and return."""
        names = [self.out, self.outb, self.supply_current, self.sen, self.dout, self.doutb]
        names.append(self.switching)
        return [n for n in names if n is not None]


def read_probes(index: int, array: bool = False) -> ReadProbes:
    """Vectors of copy ``index``: both outputs and the current of its supply source, and in an
    array read (``array``) the sense enable at the PCSA and both decode inverter outputs."""
    if not array:
        return ReadProbes(f"out_{index}", f"outb_{index}", f"vdd_{index}#branch")
    return ReadProbes(
        f"out_{index}",
        f"outb_{index}",
        f"vdd_{index}#branch",
        f"sen_{index}",
        f"dout_{index}",
        f"doutb_{index}",
        SWITCHING_NODE,
    )


def read_netlist(conditions: ReadConditions, copies: Sequence[ReadCopy]) -> str:
    """Netlist of a read testbench holding ``copies`` (without a ``.control`` block).

    Parameters
    ----------
    conditions : ReadConditions
        Supply, temperature, corner, timing and sizes.
    copies : sequence of ReadCopy
        One entry per PCSA + cell; copy ``k`` uses nodes ``out_k``, ``outb_k`` and supply
        ``vdd_k``.

    Returns
    -------
    str
        Netlist text with the model cards inlined, the built-in PCSA's latch outputs started
        at VDD (``.nodeset``), a ``.tran`` analysis and ``.save`` of the probe vectors, ending
        in ``.end`` and a newline.
    """
    if not copies:
        raise ParameterError("copies", len(copies), "at least one copy")
    for copy in copies:
        if (conditions.xnor is None) != (copy.activation is None):
            raise ParameterError(
                "activation", copy.activation, "+1 or -1 exactly when the XNOR-PCSA is used"
            )
    timing = conditions.timing
    vdd = conditions.vdd_v
    column = conditions.column
    lines = [
        "* rram-ber read testbench: PCSA + cell, precharge then evaluation",
        f"* copies={len(copies)} vdd={spice_number(vdd)} V temp={spice_number(conditions.temp_c)}"
        f" C corner={conditions.corner.value}",
        conditions.technology.model_text(conditions.corner).rstrip(),
    ]
    if column is not None:
        lines.insert(2, "* column: " + describe(column))
    definitions: dict[str, None] = {}
    for copy in copies:
        for element in copy.cell.branch_elements():
            definitions.update(dict.fromkeys(element.definitions()))
    lines.extend(definitions)
    user = conditions.user_pcsa
    if user is not None:
        lines.append(user.file.text.rstrip())
    # The built-in swap sits between the PCSA and the cell unless the user's SA does the XNOR.
    swap = conditions.xnor is not None and (user is None or not user.has_xnor_input)
    # In an array read the ideal pulses drive the inputs of each copy's driver chains, with
    # the complementary pulse where the chain inverts.
    wl_source, sen_source = ("wl", "sen") if column is None else ("wlin", "senin")
    wl_low, sen_low = 0.0, 0.0
    if column is not None:
        unit = column.logic_for(conditions.technology)
        gate_c = unit.gate_c_f_per_m
        wl_load = word_line_load_f(conditions.access.w_m, column, gate_c)
        wl_low = vdd if chain_inverts(wl_load, unit) else 0.0
        sen_load = sense_enable_load_f(conditions.pcsa, gate_c)
        sen_low = vdd if chain_inverts(sen_load, unit) else 0.0
    lines.append(
        pulse_source(
            wl_source,
            wl_source,
            "0",
            wl_low,
            vdd - wl_low,
            timing.t_wl_s,
            timing.t_edge_s,
            timing.t_sen_s - timing.t_wl_s + timing.t_evaluate_s,
        )
    )
    lines.append(
        pulse_source(
            sen_source,
            sen_source,
            "0",
            sen_low,
            vdd - sen_low,
            timing.t_sen_s,
            timing.t_edge_s,
            timing.t_evaluate_s,
        )
    )
    if conditions.xnor is not None:
        lines.append(dc_source("xon", "xon", "0", vdd))
    if column is not None:
        lines.extend(replica_lines(column, vdd, conditions.corner, conditions.technology))
    saves = []
    # The precharge holds both latch outputs at VDD at t = 0, so that is where the operating
    # point lies. Without this start ngspice's direct Newton iteration fails on the
    # cross-coupled latch and it falls back to gmin stepping: 101 operating-point iterations
    # per 10-copy netlist of the default campaign instead of 23, 10 % more CPU per read, for
    # the same solution (no decision changed, sense delays within 3e-7 relative:
    # benchmarks/operating_point.py). A user's sense amplifier may precharge elsewhere, so its
    # outputs get no start.
    latch_starts: list[str] = []
    for k, copy in enumerate(copies):
        suffix = f"_{k}"
        lines.append(f"* copy {k}: {copy.cell.kind.value}")
        lines.append(dc_source("dd" + suffix, "vdd" + suffix, "0", vdd))
        sen, wl = ("sen", "wl") if column is None else ("sen" + suffix, "wl" + suffix)
        # With the XNOR swap the latch sources are internal nodes left/right, else BL/BLB.
        left, right = ("bl" + suffix, "blb" + suffix)
        if swap:
            left, right = ("xl" + suffix, "xr" + suffix)
        pcsa_nodes = PcsaNodes(
            vdd="vdd" + suffix,
            sen=sen,
            out="out" + suffix,
            outb="outb" + suffix,
            bl=left,
            blb=right,
            sl="sl" + suffix,
        )
        if user is None:
            latch_starts += [
                f"v({node})={spice_number(vdd)}" for node in (pcsa_nodes.out, pcsa_nodes.outb)
            ]
            lines.extend(
                pcsa_lines(
                    conditions.pcsa,
                    conditions.corner,
                    copy.deviations,
                    pcsa_nodes,
                    suffix,
                    conditions.technology,
                )
            )
        else:
            # A plain read is the XNOR with x = +1 (the stored weight itself).
            high = "vdd" + suffix
            x, xb = (high, "0") if copy.activation in (None, 1) else ("0", high)
            lines.append(user.instance_line(pcsa_nodes, suffix, x, xb))
        if swap and conditions.xnor is not None and copy.activation is not None:
            lines.extend(
                xnor_switch_lines(
                    conditions.xnor,
                    conditions.pcsa.l_diffusion_m,
                    conditions.corner,
                    copy.deviations,
                    copy.activation,
                    left,
                    right,
                    "bl" + suffix,
                    "blb" + suffix,
                    "xon",
                    suffix,
                    conditions.technology,
                )
            )
        # In a column the cell hangs on the far end of the wires ("c" nodes).
        node_prefix = "c" if column is not None else ""
        cell_nodes = CellNodes(
            bl=f"{node_prefix}bl{suffix}",
            blb=f"{node_prefix}blb{suffix}",
            sl=f"{node_prefix}sl{suffix}",
            wl=wl,
            bl_access="bla" + suffix,
            blb_access="blba" + suffix,
        )
        if column is not None:
            lines.extend(_array_lines(conditions, column, suffix))
        lines.extend(
            cell_lines(
                copy.cell,
                conditions.access,
                conditions.corner,
                copy.deviations,
                cell_nodes,
                suffix,
                conditions.technology,
            )
        )
        probes = read_probes(k, column is not None)
        saves.append(
            " ".join(
                f"i({v.removesuffix('#branch')})" if v.endswith("#branch") else f"v({v})"
                for v in probes.vectors()
            )
        )
    if latch_starts:
        lines.append(".nodeset " + " ".join(latch_starts))
    lines.append(f".temp {spice_number(conditions.temp_c)}")
    trtol = "" if timing.trtol is None else f" trtol={spice_number(timing.trtol)}"
    bypass = " bypass=1" if timing.bypass else ""
    lines.append(".options method=gear" + trtol + bypass)
    lines.extend(".save " + s for s in saves)
    lines.append(
        f".tran {spice_number(timing.t_step_s)} {spice_number(timing.t_stop_s)}"
        f" 0 {spice_number(timing.t_step_s)}"
    )
    lines.append(".end")
    return "\n".join(lines) + "\n"


def _array_lines(conditions: ReadConditions, column: ColumnParameters, suffix: str) -> list[str]:
    """Drivers, column and decode inverters of one copy of an array read."""
    vdd, corner, technology = "vdd" + suffix, conditions.corner, conditions.technology
    access = conditions.access
    unit = column.logic_for(technology)
    lines = driver_lines(
        "wld" + suffix,
        unit,
        word_line_load_f(access.w_m, column, unit.gate_c_f_per_m),
        "wlin",
        "wl" + suffix,
        vdd,
        corner,
        technology,
    )
    lines += driver_lines(
        "send" + suffix,
        unit,
        sense_enable_load_f(conditions.pcsa, unit.gate_c_f_per_m),
        "senin",
        "sen" + suffix,
        vdd,
        corner,
        technology,
    )
    lines += column_lines(
        column,
        access.w_m,
        access.l_m,
        access.l_diffusion_m,
        corner,
        ColumnNodes(
            pcsa_bl="bl" + suffix,
            pcsa_blb="blb" + suffix,
            pcsa_sl="sl" + suffix,
            cell_bl="cbl" + suffix,
            cell_blb="cblb" + suffix,
            cell_sl="csl" + suffix,
            vdd=vdd,
        ),
        suffix,
        technology,
    )
    lines += decode_lines(
        column,
        "out" + suffix,
        "outb" + suffix,
        "dout" + suffix,
        "doutb" + suffix,
        vdd,
        corner,
        suffix,
        technology,
    )
    return lines


def standalone_control_block(
    conditions: ReadConditions, n_copies: int, resolve_fraction: float = 0.9
) -> str:
    """``.control`` block that makes a read netlist a self-contained ``ngspice -b`` deck.

    It forces one OpenMP thread (Debian's ngspice is built with OpenMP, which makes small
    circuits erratically slow), runs the transient, prints for each copy the outputs at the
    sampling time and the decision (+1: OUT fell, -1: OUTB fell, 0: not separated by
    ``resolve_fraction * VDD``), and quits with status 0 (without ``quit 0`` a ``.control``
    deck makes ``ngspice -b`` exit 1 even on success).
    """
    check_range("resolve_fraction", resolve_fraction, 0.0, 1.0, low_inclusive=False)
    if conditions.column is not None:
        return _array_control_block(conditions, n_copies)
    threshold = resolve_fraction * conditions.vdd_v
    t_sample = spice_number(conditions.timing.t_decision_s)
    lines = [".control", "set num_threads=1", "run"]
    for k in range(n_copies):
        probes = read_probes(k)
        lines += [
            f"meas tran vout_{k} find v({probes.out}) at={t_sample}",
            f"meas tran voutb_{k} find v({probes.outb}) at={t_sample}",
            f"let sep_{k} = voutb_{k} - vout_{k}",
            f"let decision_{k} = 0",
            f"if sep_{k} ge {spice_number(threshold)}",
            f"  let decision_{k} = 1",
            "end",
            f"if sep_{k} le {spice_number(-threshold)}",
            f"  let decision_{k} = -1",
            "end",
            f"echo rram-ber-read copy={k} v_out=$&vout_{k} v_outb=$&voutb_{k}"
            f" decision=$&decision_{k}",
        ]
    lines += ["quit 0", ".endc"]
    return "\n".join(lines) + "\n"


def _array_control_block(conditions: ReadConditions, n_copies: int) -> str:
    """Control block of an array read: the logic decode of :mod:`rram_ber.characterization.decode`.

    For each copy: the sense-enable edge at the PCSA (``sen_k`` rising through VDD/2), the
    outputs and the replica threshold ``V_M`` at that edge plus the sampling time, the logic
    levels (low below ``V_M - 0.15 VDD``, high above ``V_M + 0.15 VDD``) and the decoded value:
    +1 (OUT low, OUTB high), -1, 0 (both high), or ``undecided=1``.
    """
    vdd = conditions.vdd_v
    half_band = spice_number(0.15 * vdd)
    lines = [".control", "set num_threads=1", "run"]
    for k in range(n_copies):
        probes = read_probes(k, array=True)
        lines += [
            f"meas tran ten_{k} when v({probes.sen})={spice_number(0.5 * vdd)} rise=1"
            f" from={spice_number(conditions.timing.t_sen_s)}",
            f"let tdec_{k} = ten_{k} + {spice_number(conditions.timing.t_sample_s)}",
            f"meas tran vout_{k} find v({probes.out}) at=$&tdec_{k}",
            f"meas tran voutb_{k} find v({probes.outb}) at=$&tdec_{k}",
            f"meas tran vm_{k} find v({probes.switching}) at=$&tdec_{k}",
            # Levels: 1 high, 0 low, -1 undecided.
            f"let lo_{k} = vm_{k} - {half_band}",
            f"let hi_{k} = vm_{k} + {half_band}",
            f"let la_{k} = -1",
            f"let lb_{k} = -1",
            f"if vout_{k} ge hi_{k}",
            f"  let la_{k} = 1",
            "end",
            f"if vout_{k} le lo_{k}",
            f"  let la_{k} = 0",
            "end",
            f"if voutb_{k} ge hi_{k}",
            f"  let lb_{k} = 1",
            "end",
            f"if voutb_{k} le lo_{k}",
            f"  let lb_{k} = 0",
            "end",
            f"let decision_{k} = 0",
            f"let undecided_{k} = 1",
            f"if la_{k} eq 0",
            f"  if lb_{k} eq 1",
            f"    let decision_{k} = 1",
            f"    let undecided_{k} = 0",
            "  end",
            "end",
            f"if la_{k} eq 1",
            f"  if lb_{k} eq 0",
            f"    let decision_{k} = -1",
            f"    let undecided_{k} = 0",
            "  end",
            f"  if lb_{k} eq 1",
            f"    let undecided_{k} = 0",
            "  end",
            "end",
            f"echo rram-ber-read copy={k} v_out=$&vout_{k} v_outb=$&voutb_{k}"
            f" decision=$&decision_{k} undecided=$&undecided_{k}",
        ]
    lines += ["quit 0", ".endc"]
    return "\n".join(lines) + "\n"


def standalone_read_netlist(
    conditions: ReadConditions, copies: Sequence[ReadCopy], resolve_fraction: float = 0.9
) -> str:
    """A read netlist plus its :func:`standalone_control_block`, runnable with ``ngspice -b``."""
    body = read_netlist(conditions, copies)
    body = body.removesuffix(".end\n")
    return body + standalone_control_block(conditions, len(copies), resolve_fraction) + ".end\n"
