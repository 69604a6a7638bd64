"""Fast model of a crossbar tile: the column currents of programmed tiles, without SPICE.

The tile of :mod:`rram_ber.circuits.crossbar` is, at a fixed read voltage, a linear resistive
network apart from the access transistors of 1T1R cells. The model keeps everything SPICE sees
that matters for the output, in three steps:

1. **Programming** (:func:`programmed_resistances_ohm`): every cell's target level becomes a
   device resistance ``R = R_target exp(sigma_ln u)`` (the log-normal law of
   :class:`rram_ber.models.resistance.LogNormalResistance`), so conductance quantisation (the
   ``levels`` of the window) and device-to-device variability are both in the draw.
2. **Cell non-linearity** (:class:`SeriesTable`): a 1T1R cell conducts ``1 / (R + R_s)`` where
   ``R_s`` is the access transistor's on-resistance at the read bias. ``R_s`` is not computed
   here: it is *measured* on isolated cells in SPICE
   (:func:`rram_ber.characterization.crossbar.cell_sweep`) and passed in as a table, per level
   and input fraction (the transistor is in triode, so ``R_s`` grows with the cell voltage:
   about 330-540 ohm for the PTM 130 nm access device between 25 and 200 mV).
3. **IR drop** (:func:`effective_conductance`): rows and columns are resistor chains, one
   segment per cell pitch, and the sense amplifier's input is the finite-gain virtual ground
   ``R_f / (1 + A)``. For a linear network the column currents are exactly
   ``I = V @ G_eff`` for some matrix ``G_eff`` that depends on the cells and the wires but
   not on the inputs: it is obtained once per programmed tile by a sparse LU solve of the
   nodal equations (Kirchhoff's current law at every row and column node) for each unit row
   input. Every inference through that tile is then one matrix product, which is what the
   network evaluator needs (:mod:`rram_ber.analysis.segmentation.analog`).

What is left out, and measured instead of assumed: the dependence of ``R_s`` on the actual
cell voltage beyond the chosen operating fraction, and the wire capacitance (the currents are
sampled after it has settled). :mod:`rram_ber.analysis.crossbar.compare` checks the result
against SPICE on tiles the model never saw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.linalg import splu

from rram_ber.circuits.crossbar import CrossbarCell, CrossbarParameters
from rram_ber.core.validation import ParameterError, check_range

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class SeriesTable:
    """Measured series resistance of a cell, per target level and input fraction.

    Attributes
    ----------
    fractions : float array (F,)
        Input fractions of the read voltage, increasing.
    series_ohm : float array (levels, F)
        Resistance in series with the device [ohm] (0 for an ideal 1R cell).
    """

    fractions: FloatArray
    series_ohm: FloatArray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> SeriesTable:
        """From the table of :func:`rram_ber.characterization.crossbar.cell_sweep`
        (columns ``level``, ``fraction``, ``series_ohm``)."""
        pivot = frame.pivot(index="level", columns="fraction", values="series_ohm").sort_index()
        return cls(np.asarray(pivot.columns, dtype=float), pivot.to_numpy(dtype=float))

    @classmethod
    def ideal(cls, levels: int) -> SeriesTable:
        """No series resistance (an ideal 1R cell)."""
        return cls(np.array([0.0, 1.0]), np.zeros((levels, 2)))

    def at(self, fraction: float) -> FloatArray:
        """Series resistance of every level at input ``fraction`` (linear interpolation) [ohm]."""
        check_range("fraction", fraction, 0.0, 1.0)
        return np.array([np.interp(fraction, self.fractions, row) for row in self.series_ohm])


def programmed_resistances_ohm(
    params: CrossbarParameters,
    levels: IntArray,
    u: FloatArray,
    sigma_ln: float,
    series_ohm: FloatArray | None = None,
) -> FloatArray:
    """Device resistances of cells programmed to ``levels`` [ohm].

    ``R = R_target * exp(sigma_ln * u)`` with ``u`` standard normal, clipped like
    :class:`rram_ber.models.resistance.LogNormalResistance`. ``R_target = 1 / G_level``, the
    device verified on its own; with ``series_ohm`` (per level) the program-and-verify loop
    reads the whole cell, so the device is set to ``1 / G_level - R_s`` and the cell, not the
    device, lands on the level.
    """
    check_range("sigma_ln", sigma_ln, 0.0, 5.0)
    index = np.asarray(levels)
    targets = 1.0 / params.level_conductances_s()[index]
    if series_ohm is not None:
        targets = targets - np.asarray(series_ohm, dtype=float)[index]
    return np.clip(targets * np.exp(np.minimum(sigma_ln * np.asarray(u), 700.0)), 1.0, 1e12)


def cell_conductances_s(
    params: CrossbarParameters,
    levels: IntArray,
    resistances_ohm: FloatArray,
    series: SeriesTable | None,
    fraction: float = 0.5,
) -> FloatArray:
    """Conductance of every cell, device plus measured series resistance [S].

    ``series`` is required for 1T1R cells; for 1R it may be None (no series resistance).
    """
    if series is None:
        if params.cell is CrossbarCell.ONE_T_ONE_R:
            raise ParameterError("series", None, "the measured series table of a 1T1R cell")
        return 1.0 / np.asarray(resistances_ohm, dtype=float)
    r_s = series.at(fraction)[np.asarray(levels)]
    return 1.0 / (np.asarray(resistances_ohm, dtype=float) + r_s)


def sense_input_ohm(params: CrossbarParameters) -> float:
    """Input resistance of the finite-gain virtual ground, ``R_f / (1 + A)`` [ohm]."""
    return params.r_feedback_ohm / (1.0 + params.amplifier_gain)


def _nodal_matrix(g_cell: FloatArray, g_wire: float, g_end: float) -> sp.csc_matrix:
    """Nodal conductance matrix of one tile; unknowns: row nodes, then column nodes."""
    m, n = g_cell.shape
    size = m * n
    idx = np.arange(size).reshape(m, n)
    rows_i: list[NDArray[np.int64]] = []
    cols_i: list[NDArray[np.int64]] = []
    vals: list[FloatArray] = []

    def couple(a: NDArray[np.int64], b: NDArray[np.int64], g: FloatArray) -> None:
        rows_i.extend([a, b, a, b])
        cols_i.extend([a, b, b, a])
        vals.extend([g, g, -g, -g])

    def ground(a: NDArray[np.int64], g: FloatArray) -> None:
        rows_i.append(a)
        cols_i.append(a)
        vals.append(g)

    row_nodes, col_nodes = idx, idx + size
    # Row wires: driver (a fixed voltage) to column 0, then between neighbours.
    ground(row_nodes[:, 0].ravel(), np.full(m, g_wire))
    couple(row_nodes[:, :-1].ravel(), row_nodes[:, 1:].ravel(), np.full(m * (n - 1), g_wire))
    # Cells.
    couple(row_nodes.ravel(), col_nodes.ravel(), g_cell.ravel())
    # Column wires down to the sense amplifier; the last segment ends on the virtual ground.
    couple(col_nodes[:-1, :].ravel(), col_nodes[1:, :].ravel(), np.full((m - 1) * n, g_wire))
    ground(col_nodes[-1, :].ravel(), np.full(n, g_end))
    matrix = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows_i), np.concatenate(cols_i))),
        shape=(2 * size, 2 * size),
    )
    return matrix.tocsc()


def effective_conductance(params: CrossbarParameters, g_cell: FloatArray) -> FloatArray:
    """``G_eff`` of one programmed tile: column currents ``I = V @ G_eff`` [S].

    Parameters
    ----------
    params : CrossbarParameters
        Wire resistance per pitch and sense amplifier of the tile.
    g_cell : float array (rows, cols)
        Cell conductances [S] (:func:`cell_conductances_s`).

    Returns
    -------
    float array (rows, cols)
        ``G_eff[i, j]``: current into column ``j``'s sense node per volt on row ``i``'s
        driver. Without wire resistance it would equal ``g_cell``.
    """
    g = np.asarray(g_cell, dtype=float)
    m, n = g.shape
    g_wire = 1.0 / params.r_wire_ohm
    r_end = params.r_wire_ohm + sense_input_ohm(params)
    lu = splu(_nodal_matrix(g, g_wire, 1.0 / r_end))
    rhs = np.zeros((2 * m * n, m))
    rhs[np.arange(m) * n, np.arange(m)] = g_wire
    solution = lu.solve(rhs)
    last_column_nodes = m * n + (m - 1) * n + np.arange(n)
    return np.ascontiguousarray(solution[last_column_nodes, :].T / r_end)


def tile_currents_a(
    params: CrossbarParameters,
    levels: IntArray,
    resistances_ohm: FloatArray,
    inputs: FloatArray,
    series: SeriesTable | None,
    fraction: float = 0.5,
) -> FloatArray:
    """Column currents of one programmed tile read with ``inputs`` (fractions of V_read) [A]."""
    g_cell = cell_conductances_s(params, levels, resistances_ohm, series, fraction)
    return np.asarray(inputs, dtype=float) * params.v_read_v @ effective_conductance(params, g_cell)


def ideal_currents_a(
    params: CrossbarParameters, levels: IntArray, inputs: FloatArray
) -> FloatArray:
    """The intended product: target conductances times input voltages, no wires [A]."""
    g = params.level_conductances_s()[np.asarray(levels)]
    return np.asarray(inputs, dtype=float) * params.v_read_v @ g


def full_scale_a(params: CrossbarParameters) -> float:
    """Largest intended column current, every row at V_read on the highest level [A]."""
    return params.rows * params.g_max_s * params.v_read_v


def pulse_time_s(params: CrossbarParameters) -> float:
    """Time that counts as full voltage for Joule energy: the flat top plus 2/3 of an edge
    (a linear edge of length t delivers ``V^2 G t / 3`` on each side) [s]."""
    return params.t_read_s + 2.0 * params.t_edge_s / 3.0


def read_energy_j(params: CrossbarParameters, g_cell: FloatArray, inputs: FloatArray) -> float:
    """Joule energy of one tile read, ``sum_i (x_i V_read)^2 sum_j G_ij`` times
    :func:`pulse_time_s` [J] (wire losses and the wire capacitance's charge neglected)."""
    v = np.asarray(inputs, dtype=float) * params.v_read_v
    return float(v**2 @ np.asarray(g_cell).sum(axis=1)) * pulse_time_s(params)
