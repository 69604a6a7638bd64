"""The fast tile model against SPICE: error distributions per tile size, KS tests, figures.

The quantity compared is a column's output error relative to the intended product, as a
fraction of the column's full scale::

    e_j = (I_j - sum_i G_target,ij V_i) / (rows * G_max * V_read)

It holds every non-ideality at once: device spread around the programmed level, the access
transistor's series resistance, and the IR drop of row and column wires, which grows with the
distance from the drivers and the sense amplifiers and with the tile size.

Two checks per tile size, on SPICE tiles the model never saw (the model's only SPICE input is
the isolated-cell sweep):

* **paired**: the fast model applied to the very same programmed tiles and inputs; the
  residual ``e_fast - e_spice`` measures the model's own error;
* **distribution**: the fast model on independently drawn tiles of the same statistics
  against the SPICE tiles, compared with a two-sample Kolmogorov-Smirnov test
  (``scipy.stats.ks_2samp``). Columns of one tile share its inputs, so column errors within a
  tile are not independent; the test's p-value is therefore optimistic about disagreement
  (it treats ``tiles x cols`` values as independent). A tile-aware p-value is reported beside
  it (:func:`clustered_ks_pvalue`): the statistic's distribution under agreement is sampled
  by drawing as many fast-model tiles as SPICE simulated, whole tiles at a time, from the
  fast model's own pool and comparing them with the rest of the pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from numpy.typing import NDArray
from scipy.stats import ks_2samp

from rram_ber.analysis.crossbar.model import (
    SeriesTable,
    cell_conductances_s,
    effective_conductance,
    full_scale_a,
    ideal_currents_a,
    programmed_resistances_ohm,
    read_energy_j,
)
from rram_ber.circuits.crossbar import CrossbarCell, CrossbarParameters
from rram_ber.core.validation import check_int

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class MeasuredTiles:
    """SPICE tiles of one size, as arrays (what the characterisation hands over).

    Attributes
    ----------
    params : CrossbarParameters
        The tile.
    sigma_ln : float
        Programming spread the devices were drawn with.
    series : SeriesTable or None
        The measured series resistance of the cell (None: ideal 1R).
    levels, resistances_ohm : arrays (T, rows, cols)
    inputs : array (T, rows)
    currents_a : array (T, cols)
        SPICE column currents [A].
    energy_j : array (T,)
        SPICE read energy of each tile [J].
    """

    params: CrossbarParameters
    sigma_ln: float
    series: SeriesTable | None
    levels: IntArray
    resistances_ohm: FloatArray
    inputs: FloatArray
    currents_a: FloatArray
    energy_j: FloatArray


def draw_tiles(
    params: CrossbarParameters, sigma_ln: float, count: int, rng: np.random.Generator
) -> tuple[IntArray, FloatArray, FloatArray]:
    """``count`` tiles drawn by the law of the characterisation (levels uniform, log-normal
    devices, inputs uniform in [0, 1]): ``(levels, resistances_ohm, inputs)``."""
    check_int("count", count, 1)
    shape = (count, params.rows, params.cols)
    levels = rng.integers(0, params.levels, size=shape)
    resistances = programmed_resistances_ohm(params, levels, rng.standard_normal(shape), sigma_ln)
    inputs = rng.uniform(0.0, 1.0, size=(count, params.rows))
    return levels, resistances, inputs


def fast_currents_a(
    params: CrossbarParameters,
    series: SeriesTable | None,
    levels: IntArray,
    resistances_ohm: FloatArray,
    inputs: FloatArray,
) -> FloatArray:
    """Fast-model column currents of stacked tiles (T, cols) [A]."""
    out = np.empty((levels.shape[0], params.cols))
    for t in range(levels.shape[0]):
        g = cell_conductances_s(params, levels[t], resistances_ohm[t], series)
        out[t] = inputs[t] * params.v_read_v @ effective_conductance(params, g)
    return out


def relative_errors(
    params: CrossbarParameters, levels: IntArray, inputs: FloatArray, currents_a: FloatArray
) -> FloatArray:
    """Column errors as fractions of full scale (T, cols)."""
    ideal = np.stack(
        [ideal_currents_a(params, lv, x) for lv, x in zip(levels, inputs, strict=True)]
    )
    return (currents_a - ideal) / full_scale_a(params)


#: Null replicates of the tile-aware KS p-value.
KS_REPLICATES = 500


def clustered_ks_pvalue(
    spice: FloatArray, pool: FloatArray, rng: np.random.Generator, replicates: int = KS_REPLICATES
) -> float:
    """Tile-aware p-value of the two-sample KS statistic between ``spice`` (T, cols) and
    ``pool`` (P, cols), P > T.

    Under agreement, ``T`` whole tiles of the model are as good a sample as the SPICE tiles:
    the null distribution of the statistic is that of ``T`` tiles drawn without replacement
    from the pool against the remaining ``P - T``. Returns ``(1 + #{D_null >= D}) / (1 + B)``.
    """
    t, p = spice.shape[0], pool.shape[0]
    if p <= t:
        raise ValueError("the fast-model pool must hold more tiles than SPICE simulated")
    observed = ks_2samp(spice.ravel(), pool.ravel()).statistic
    exceed = 0
    for _ in range(replicates):
        chosen = np.zeros(p, bool)
        chosen[rng.choice(p, t, replace=False)] = True
        null = ks_2samp(pool[chosen].ravel(), pool[~chosen].ravel()).statistic
        exceed += bool(null >= observed)
    return (1 + exceed) / (1 + replicates)


@dataclass(frozen=True)
class SizeComparison:
    """SPICE and the fast model for one tile size (``ks_cluster_pvalue``: see
    :func:`clustered_ks_pvalue`)."""

    params: CrossbarParameters
    spice_errors: FloatArray
    paired_errors: FloatArray
    independent_errors: FloatArray
    energy_j: FloatArray
    ks_cluster_pvalue: float
    energy_model_j: FloatArray

    def row(self) -> dict[str, float | int | str]:
        """One line of the comparison table."""
        ks = ks_2samp(self.spice_errors.ravel(), self.independent_errors.ravel())
        residual = (self.paired_errors - self.spice_errors).ravel()
        p = self.params
        return {
            "rows": p.rows,
            "cols": p.cols,
            "cell": p.cell.value,
            "r_wire_ohm": p.r_wire_ohm,
            "spice_tiles": int(self.spice_errors.shape[0]),
            "fast_tiles": int(self.independent_errors.shape[0]),
            "spice_error_mean": float(self.spice_errors.mean()),
            "spice_error_std": float(self.spice_errors.std(ddof=1)),
            "fast_error_mean": float(self.independent_errors.mean()),
            "fast_error_std": float(self.independent_errors.std(ddof=1)),
            "ks_statistic": float(ks.statistic),
            "ks_pvalue": float(ks.pvalue),
            "ks_tile_pvalue": self.ks_cluster_pvalue,
            "paired_residual_rms": float(np.sqrt(np.mean(residual**2))),
            "paired_residual_max": float(np.max(np.abs(residual))),
            "energy_per_read_j": float(self.energy_j.mean()),
            "energy_spice_over_model": float(np.mean(self.energy_j / self.energy_model_j)),
            "energy_per_mac_j": float(self.energy_j.mean() / (p.rows * p.cols)),
        }


def compare_size(
    tiles: MeasuredTiles, fast_count: int, seed: int | np.random.SeedSequence
) -> SizeComparison:
    """Paired and distribution comparison of one size (``fast_count`` independent tiles)."""
    p = tiles.params
    if p.cell is CrossbarCell.ONE_T_ONE_R and tiles.series is None:
        raise ValueError("a 1T1R comparison needs the measured series table")
    spice = relative_errors(p, tiles.levels, tiles.inputs, tiles.currents_a)
    paired = relative_errors(
        p,
        tiles.levels,
        tiles.inputs,
        fast_currents_a(p, tiles.series, tiles.levels, tiles.resistances_ohm, tiles.inputs),
    )
    rng = np.random.default_rng(seed)
    levels, resistances, inputs = draw_tiles(p, tiles.sigma_ln, fast_count, rng)
    independent = relative_errors(
        p, levels, inputs, fast_currents_a(p, tiles.series, levels, resistances, inputs)
    )
    return SizeComparison(
        p,
        spice,
        paired,
        independent,
        np.asarray(tiles.energy_j),
        clustered_ks_pvalue(spice, independent, rng),
        np.array(
            [
                read_energy_j(p, cell_conductances_s(p, lv, r, tiles.series), x)
                for lv, r, x in zip(tiles.levels, tiles.resistances_ohm, tiles.inputs, strict=True)
            ]
        ),
    )


def comparison_table(comparisons: Sequence[SizeComparison]) -> pd.DataFrame:
    """One row per tile size (see :meth:`SizeComparison.row`)."""
    return pd.DataFrame([c.row() for c in comparisons])


def error_distribution_figure(comparisons: Sequence[SizeComparison]) -> Figure:
    """Empirical CDFs of the column error, SPICE against the fast model, one panel per size."""
    figure = Figure(figsize=(4.0 * len(comparisons), 3.4), layout="constrained")
    axes = figure.subplots(1, len(comparisons), squeeze=False)[0]
    for ax, c in zip(axes, comparisons, strict=True):
        for values, label, style in (
            (c.spice_errors, f"SPICE ({c.spice_errors.shape[0]} tiles)", "-"),
            (c.independent_errors, f"fast model ({c.independent_errors.shape[0]} tiles)", "--"),
        ):
            x = np.sort(values.ravel()) * 100.0
            ax.step(x, np.arange(1, x.size + 1) / x.size, style, where="post", label=label)
        row = c.row()
        ax.set_title(
            f"{c.params.rows} x {c.params.cols}: KS D = {row['ks_statistic']:.3f},"
            f" tile-aware p = {row['ks_tile_pvalue']:.2f}",
            fontsize=9,
        )
        ax.set_xlabel("column error [% of full scale]")
        ax.set_ylabel("cumulative fraction")
        ax.legend(fontsize=7)
    return figure


def position_figure(comparisons: Sequence[SizeComparison]) -> Figure:
    """Mean column error against the column's distance from the row drivers (IR drop)."""
    figure = Figure(figsize=(5.0, 3.6), layout="constrained")
    ax = figure.subplots()
    for c in comparisons:
        columns = np.arange(c.params.cols)
        line = ax.plot(
            columns, c.spice_errors.mean(axis=0) * 100, "o", ms=3, label=f"SPICE {c.params.rows}"
        )
        ax.plot(
            columns,
            c.independent_errors.mean(axis=0) * 100,
            "-",
            color=line[0].get_color(),
            label=f"fast {c.params.rows}",
        )
    ax.set_xlabel("column (distance from the row drivers, in cell pitches)")
    ax.set_ylabel("mean column error [% of full scale]")
    ax.legend(fontsize=7, ncol=2)
    return figure
