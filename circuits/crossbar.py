"""An analog in-memory multiply-accumulate tile: an M x N RRAM crossbar read on virtual ground.

Where the rest of the project reads one cell digitally (a sense amplifier decides a bit), a
crossbar tile computes analog dot products (Chen et al., "An Efficient Memristor-Based Circuit
Implementation of Squeeze-and-Excitation Fully Convolutional Neural Networks", IEEE TNNLS
33(4):1779-1790, 2022): weights are conductances ``G_ij``, inputs are row voltages ``V_i``, and
each column's current ``I_j = sum_i G_ij V_i`` (Ohm's and Kirchhoff's laws) is taken by a
transimpedance stage that holds the column at virtual ground::

    vin_i -- R_w -- r_i_0 -- R_w -- r_i_1 -- ...  row i (driver on the left)
                      |               |
                    cell            cell          1R: device only; 1T1R: device then an
                      |               |           access NMOS whose gate is the word line
                    c_i_0           c_i_1         (every row on at once: an analog MAC)
                      |               |
                     R_w             R_w          column j runs down to its sense node
                      |               |
                    vsense_j (0 V, measures I_j) -> s_j -> TIA: ideal op-amp (gain A) + R_f

* **Wires.** Each row and column is a chain of one segment per cell pitch, the resistance
  ``r_wire_ohm`` in series and ``c_wire_f`` to ground at each cell node. The defaults are the
  column wires of :mod:`rram_ber.circuits.array` (a minimum-pitch copper line of a 130 nm back
  end, 0.46 ohm and 0.2 fF per 1 um pitch); larger values stand for narrower wires or a
  coarser pitch.
* **Cells.** The device is a linear resistor whose value is drawn by the caller from the
  project's device distributions (:mod:`rram_ber.models.resistance`); ``1t1r`` puts the access
  transistor of the project's technology (:mod:`rram_ber.models.technology`, at a corner, no
  mismatch) between the device and the column: its on-resistance in triode is the cell's
  non-linearity at the read voltage.
* **Sense.** A behavioural operational amplifier (a voltage-controlled source of gain ``A``)
  with a feedback resistor ``R_f``: the column node sits at ``-V_out / A`` and the current is
  measured by a zero-volt source in series (``i(vsense_j)``, positive into the sense node).
* **Conductance window.** Weights are programmed to ``levels`` conductances evenly spaced
  between ``1 / hrs_ohm`` and ``1 / lrs_ohm`` (multi-level cells; the defaults are the LRS/HRS
  medians of the project's log-normal device option).

Row inputs are trapezoidal pulses to ``x_i * v_read_v`` (``0 <= x_i <= 1``); the column currents
are sampled near the end of the pulse, when the wires have long settled (the wire RC of a 256
x 256 tile is below a picosecond here). No random numbers here: resistances and inputs arrive
as numbers.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rram_ber.circuits.array import CELL_PITCH_M, WIRE_C_F_PER_M, WIRE_R_OHM_PER_M
from rram_ber.circuits.cells import AccessSizing
from rram_ber.circuits.netlist import (
    capacitor,
    dc_source,
    identifier,
    pulse_source,
    resistor,
    spice_number,
    transistor,
)
from rram_ber.core.validation import ParameterError, check_int, check_range, parse_enum
from rram_ber.models.cmos import Polarity, ProcessCorner, TransistorGeometry
from rram_ber.models.resistance import R_MAX_OHM, R_MIN_OHM
from rram_ber.models.technology import PTM130, Technology

FloatArray = NDArray[np.float64]

#: Largest tile side accepted (rows or columns).
MAX_TILE_SIDE = 256
#: Default read voltage [V]: 0.2 V, the read bias of the JART VCM user guide and low enough
#: that a read does not disturb a programmed HfO2 state (the project's single-device reads
#: use 0.1 V, :data:`rram_ber.circuits.elements.READ_VOLTAGE_V`).
DEFAULT_READ_V = 0.2
#: Wire resistance and capacitance per cell pitch of the project's column [ohm], [F].
DEFAULT_R_WIRE_OHM = WIRE_R_OHM_PER_M * CELL_PITCH_M
DEFAULT_C_WIRE_F = WIRE_C_F_PER_M * CELL_PITCH_M


class CrossbarCell(enum.StrEnum):
    """Cell of a crossbar tile."""

    ONE_R = "1r"
    ONE_T_ONE_R = "1t1r"

    @classmethod
    def parse(cls, value: object, field: str = "cell") -> CrossbarCell:
        """The cell named ``value`` (case-insensitive), else :class:`ParameterError`."""
        return parse_enum(cls, value, field)


@dataclass(frozen=True, slots=True)
class CrossbarParameters:
    """One crossbar tile and its read (SI units).

    Attributes
    ----------
    rows, cols : int
        Tile size, 1 ... 256 each.
    cell : CrossbarCell
        ``1r`` or ``1t1r`` (default).
    v_read_v : float
        Row voltage of a full-scale input [V], 0 < v <= 1.
    r_wire_ohm, c_wire_f : float
        Row/column wire resistance [ohm] (> 0, at most 1 kOhm) and capacitance to ground [F]
        per cell pitch.
    lrs_ohm, hrs_ohm : float
        Resistances of the highest and lowest conductance level [ohm], ``lrs < hrs``.
    levels : int
        Programmable conductance levels, 2 ... 256, evenly spaced in conductance.
    technology : Technology
        Access transistors of ``1t1r`` cells.
    corner : ProcessCorner
        Their process corner.
    v_gate_v : float or None
        Word-line voltage of every row during the read [V]; None: the technology's default
        supply.
    access : AccessSizing or None
        Access transistor sizes; None: the technology's defaults.
    temp_c : float
        Temperature [C], -55 ... 150.
    amplifier_gain : float
        Open-loop gain of the behavioural sense amplifier, 1e2 ... 1e9.
    r_feedback_ohm : float
        Its feedback resistor [ohm].
    t_read_s, t_edge_s, t_step_s : float
        Input pulse width, its edges and the largest time step [s].
    """

    rows: int
    cols: int
    cell: CrossbarCell = CrossbarCell.ONE_T_ONE_R
    v_read_v: float = DEFAULT_READ_V
    r_wire_ohm: float = DEFAULT_R_WIRE_OHM
    c_wire_f: float = DEFAULT_C_WIRE_F
    lrs_ohm: float = 5e3
    hrs_ohm: float = 50e3
    levels: int = 8
    technology: Technology = PTM130
    corner: ProcessCorner = ProcessCorner.TT
    v_gate_v: float | None = None
    access: AccessSizing | None = None
    temp_c: float = 27.0
    amplifier_gain: float = 1e6
    r_feedback_ohm: float = 1e3
    t_read_s: float = 2e-9
    t_edge_s: float = 50e-12
    t_step_s: float = 200e-12
    _sizing: AccessSizing = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_int("rows", self.rows, 1, MAX_TILE_SIDE)
        check_int("cols", self.cols, 1, MAX_TILE_SIDE)
        object.__setattr__(self, "cell", CrossbarCell.parse(self.cell))
        check_range("v_read_v", self.v_read_v, 0.0, 1.0, low_inclusive=False, unit="V")
        check_range("r_wire_ohm", self.r_wire_ohm, 0.0, 1e3, low_inclusive=False, unit="ohm")
        check_range("c_wire_f", self.c_wire_f, 0.0, 1e-12, unit="F")
        check_range("lrs_ohm", self.lrs_ohm, R_MIN_OHM, R_MAX_OHM, unit="ohm")
        check_range("hrs_ohm", self.hrs_ohm, R_MIN_OHM, R_MAX_OHM, unit="ohm")
        if self.hrs_ohm <= self.lrs_ohm:
            raise ParameterError("hrs_ohm", self.hrs_ohm, f"above lrs_ohm ({self.lrs_ohm:g} ohm)")
        check_int("levels", self.levels, 2, 256)
        if not isinstance(self.technology, Technology):
            raise ParameterError("technology", self.technology, "a Technology record")
        object.__setattr__(self, "corner", ProcessCorner.parse(self.corner))
        if self.v_gate_v is not None:
            check_range(
                "v_gate_v", self.v_gate_v, 0.0, self.technology.vdd_max_v, low_inclusive=False
            )
        check_range("temp_c", self.temp_c, -55.0, 150.0, unit="C")
        check_range("amplifier_gain", self.amplifier_gain, 1e2, 1e9)
        check_range("r_feedback_ohm", self.r_feedback_ohm, 1.0, 1e9, unit="ohm")
        check_range("t_read_s", self.t_read_s, 1e-10, 1e-6, unit="s")
        check_range("t_edge_s", self.t_edge_s, 1e-12, self.t_read_s / 4, unit="s")
        check_range("t_step_s", self.t_step_s, 1e-13, self.t_read_s / 10, unit="s")
        sizing = self.access or AccessSizing.for_technology(self.technology)
        if not isinstance(sizing, AccessSizing):
            raise ParameterError("access", self.access, "an AccessSizing record or None")
        object.__setattr__(self, "_sizing", sizing)

    @property
    def sizing(self) -> AccessSizing:
        """Access transistor sizes in use."""
        return self._sizing

    @property
    def gate_v(self) -> float:
        """Word-line voltage during the read [V]."""
        return self.technology.vdd_default_v if self.v_gate_v is None else self.v_gate_v

    @property
    def g_min_s(self) -> float:
        """Lowest programmable conductance [S]."""
        return 1.0 / self.hrs_ohm

    @property
    def g_max_s(self) -> float:
        """Highest programmable conductance [S]."""
        return 1.0 / self.lrs_ohm

    def level_conductances_s(self) -> FloatArray:
        """The ``levels`` target conductances, lowest first [S]."""
        return np.linspace(self.g_min_s, self.g_max_s, self.levels)

    @property
    def t_sample_s(self) -> float:
        """When the column currents are taken: 90 % into the flat top of the pulse [s]."""
        return 2.0 * self.t_edge_s + 0.9 * self.t_read_s

    @property
    def t_stop_s(self) -> float:
        """End of the transient: the pulse has fallen [s]."""
        return 4.0 * self.t_edge_s + self.t_read_s

    def describe(self) -> str:
        """One line of the tile's settings for a deck header."""
        return (
            f"rows={self.rows} cols={self.cols} cell={self.cell.value}"
            f" v_read={spice_number(self.v_read_v)} V r_wire={spice_number(self.r_wire_ohm)} ohm"
            f" c_wire={spice_number(self.c_wire_f)} F technology={self.technology.name}"
            f" corner={self.corner.value} temp={spice_number(self.temp_c)} C"
        )


def access_geometry(sizing: AccessSizing) -> TransistorGeometry:
    """The access NMOS of a crossbar cell (instances ``macc_<row>_<col>``)."""
    return TransistorGeometry("acc", Polarity.NMOS, sizing.w_m, sizing.l_m)


def _checked_tile(
    params: CrossbarParameters, resistances_ohm: ArrayLike, inputs: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    resistances = np.asarray(resistances_ohm, dtype=float)
    x = np.asarray(inputs, dtype=float)
    if resistances.shape != (params.rows, params.cols):
        raise ParameterError(
            "resistances_ohm",
            resistances.shape,
            f"an array of shape ({params.rows}, {params.cols})",
        )
    if not np.all(np.isfinite(resistances)) or np.any(
        (resistances < R_MIN_OHM) | (resistances > R_MAX_OHM)
    ):
        raise ParameterError(
            "resistances_ohm", "out of range", f"in [{R_MIN_OHM:g}, {R_MAX_OHM:g}]"
        )
    if x.shape != (params.rows,):
        raise ParameterError("inputs", x.shape, f"an array of shape ({params.rows},)")
    if not np.all(np.isfinite(x)) or np.any((x < 0.0) | (x > 1.0)):
        raise ParameterError("inputs", "out of range", "fractions of the read voltage in [0, 1]")
    return resistances, x


def sense_vector(col: int) -> str:
    """ngspice vector of column ``col``'s current [A] (positive into the sense node)."""
    return f"vsense_{col}#branch"


def input_vector(row: int) -> str:
    """ngspice vector of row ``row``'s driver current [A] (negative when delivering)."""
    return f"vin_{row}#branch"


def input_node(row: int) -> str:
    """Node driven by row ``row``'s input source."""
    return f"in_{row}"


def crossbar_vectors(params: CrossbarParameters) -> list[str]:
    """Every vector a tile measurement needs: driver nodes and currents, column currents."""
    rows = range(params.rows)
    return (
        [input_node(i) for i in rows]
        + [input_vector(i) for i in rows]
        + [sense_vector(j) for j in range(params.cols)]
    )


def _cell_lines(params: CrossbarParameters, i: int, j: int, resistance: float) -> list[str]:
    """Cell ``(i, j)`` between row node ``r_i_j`` and column node ``c_i_j``."""
    suffix = f"_{i}_{j}"
    row_node, col_node = "r" + suffix, "c" + suffix
    if params.cell is CrossbarCell.ONE_R:
        return [resistor("d" + suffix, row_node, col_node, resistance)]
    mid = "m" + suffix
    return [
        resistor("d" + suffix, row_node, mid, resistance),
        transistor(
            access_geometry(params.sizing),
            suffix,
            mid,
            "wl",
            col_node,
            "0",
            params.corner,
            {},
            params.sizing.l_diffusion_m,
            params.technology,
        ),
    ]


def _header(params: CrossbarParameters, title: str) -> list[str]:
    lines = [f"* rram-ber {title}", "* " + params.describe()]
    if params.cell is CrossbarCell.ONE_T_ONE_R:
        lines.append(params.technology.model_text(params.corner).rstrip())
        lines.append(dc_source("wl", "wl", "0", params.gate_v))
    return lines


def _input_source(params: CrossbarParameters, name: str, node: str, fraction: float) -> str:
    edge = params.t_edge_s
    return pulse_source(
        name, node, "0", 0.0, fraction * params.v_read_v, edge, edge, params.t_read_s
    )


def _sense_lines(params: CrossbarParameters, j: int, column_end: str) -> list[str]:
    sense, out = f"s_{j}", f"o_{j}"
    return [
        dc_source(f"sense_{j}", column_end, sense, 0.0),
        # Ideal op-amp: V(out) = A (0 - V(sense)); the feedback keeps the column at ~0 V.
        f"e{identifier('amp_' + str(j))} {out} 0 0 {sense} {spice_number(params.amplifier_gain)}",
        resistor(f"f_{j}", sense, out, params.r_feedback_ohm),
    ]


def _analysis_lines(params: CrossbarParameters, saves: Sequence[str]) -> list[str]:
    lines = [f".temp {spice_number(params.temp_c)}", ".options method=gear"]
    lines.extend(".save " + name for name in saves)
    lines.append(f".tran {spice_number(params.t_step_s)} {spice_number(params.t_stop_s)}")
    lines.append(".end")
    return lines


def crossbar_netlist(
    params: CrossbarParameters, resistances_ohm: ArrayLike, inputs: ArrayLike
) -> str:
    """Netlist of one tile read (``.tran``, no ``.control`` block).

    Parameters
    ----------
    params : CrossbarParameters
        The tile.
    resistances_ohm : array of shape (rows, cols)
        Device resistance of every cell [ohm], 1 ... 1e12.
    inputs : array of shape (rows,)
        Input of each row as a fraction of ``params.v_read_v``, in [0, 1].

    Returns
    -------
    str
        The netlist, ending in ``.end`` and a newline; vectors in :func:`crossbar_vectors`.
    """
    resistances, x = _checked_tile(params, resistances_ohm, inputs)
    rw, cw = params.r_wire_ohm, params.c_wire_f
    lines = _header(params, "crossbar tile: row inputs, column currents at virtual ground")
    for i in range(params.rows):
        lines.append(_input_source(params, f"in_{i}", input_node(i), float(x[i])))
        previous = input_node(i)
        for j in range(params.cols):
            node = f"r_{i}_{j}"
            lines.append(resistor(f"wr_{i}_{j}", previous, node, rw))
            if cw > 0.0:
                lines.append(capacitor(f"wr_{i}_{j}", node, "0", cw))
            lines.extend(_cell_lines(params, i, j, float(resistances[i, j])))
            previous = node
    for j in range(params.cols):
        for i in range(params.rows):
            node = f"c_{i}_{j}"
            below = f"c_{i + 1}_{j}" if i + 1 < params.rows else f"ce_{j}"
            lines.append(resistor(f"wc_{i}_{j}", node, below, rw))
            if cw > 0.0:
                lines.append(capacitor(f"wc_{i}_{j}", node, "0", cw))
        lines.extend(_sense_lines(params, j, f"ce_{j}"))
    lines.extend(_analysis_lines(params, crossbar_vectors(params)))
    return "\n".join(lines) + "\n"


def cell_sweep_netlist(
    params: CrossbarParameters, resistances_ohm: ArrayLike, fractions: ArrayLike
) -> str:
    """Isolated cells of the tile's kind, cell ``k`` biased at ``fractions[k] * v_read_v``.

    Each cell sits between its own input source (through 1 mOhm, a wire too short to
    matter) and its own ideal virtual ground, a 0 V source:
    the cell's own current-voltage relation, from which the access transistor's share of a
    1T1R cell is measured. Vectors ``in_k``, ``vsense_k#branch``.
    """
    resistances = np.asarray(resistances_ohm, dtype=float).ravel()
    fractions_array = np.asarray(fractions, dtype=float).ravel()
    if resistances.shape != fractions_array.shape or resistances.size == 0:
        raise ParameterError("fractions", fractions_array.shape, "one per resistance (>= 1)")
    sweep = CrossbarParameters(
        rows=1,
        cols=1,
        cell=params.cell,
        v_read_v=params.v_read_v,
        technology=params.technology,
        corner=params.corner,
        v_gate_v=params.v_gate_v,
        access=params.access,
        temp_c=params.temp_c,
        t_read_s=params.t_read_s,
        t_edge_s=params.t_edge_s,
        t_step_s=params.t_step_s,
    )
    lines = _header(params, "isolated crossbar cells at virtual ground")
    saves = []
    for k, (resistance, fraction) in enumerate(zip(resistances, fractions_array, strict=True)):
        _checked_tile(sweep, [[resistance]], [fraction])
        lines.append(_input_source(params, f"in_{k}", input_node(k), float(fraction)))
        lines.extend(_cell_lines(params, k, 0, float(resistance)))
        lines.append(resistor(f"wr_{k}_0", input_node(k), f"r_{k}_0", 1e-3))
        lines.append(dc_source(f"sense_{k}", f"c_{k}_0", "0", 0.0))
        saves += [input_node(k), sense_vector(k)]
    lines.extend(_analysis_lines(params, saves))
    return "\n".join(lines) + "\n"


def standalone_crossbar_netlist(
    params: CrossbarParameters, resistances_ohm: ArrayLike, inputs: ArrayLike
) -> str:
    """A tile deck that runs with ``ngspice -b`` and prints each column's current.

    The ``.control`` block forces one OpenMP thread (Debian's ngspice is built with OpenMP,
    which makes circuits erratically slow on a busy machine), runs the transient, and prints
    one line per column, ``rram-ber-crossbar column=<j> current_a=<I_j>``, the current at
    :attr:`CrossbarParameters.t_sample_s`; then ``quit 0`` (without it ``ngspice -b`` exits 1).
    """
    body = crossbar_netlist(params, resistances_ohm, inputs).removesuffix(".end\n")
    t_sample = spice_number(params.t_sample_s)
    lines = [".control", "set num_threads=1", "run"]
    for j in range(params.cols):
        lines += [
            f"meas tran icol_{j} find i(vsense_{j}) at={t_sample}",
            f"echo rram-ber-crossbar column={j} current_a=$&icol_{j}",
        ]
    lines += ["quit 0", ".endc"]
    return body + "\n".join(lines) + "\n.end\n"
