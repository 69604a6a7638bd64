"""PNG figures of the Bayesian-transfer study: conductance statistics, decision and
uncertainty maps.

Plain arrays and tables in, files out; Matplotlib's Agg backend (no display needed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rram_ber.analysis.bayes.metrics import entropy
from rram_ber.analysis.bayes.network import ensemble_probs
from rram_ber.analysis.device_plots import _pyplot
from rram_ber.characterization.conductance_table import ConductanceRelation

#: Grid points per axis of a decision map.
MAP_POINTS = 160
#: Half-width of the decision map (standardised moons units).
MAP_HALF_WIDTH = 3.0


def plot_conductance_stats(
    table: pd.DataFrame, relation: ConductanceRelation, path: Path | str
) -> Path:
    """Median conductance against compliance, and spread against median with its fit."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=120)
    current_ua = table["compliance_a"].to_numpy() * 1e6
    median_us = table["g_median_s"].to_numpy() * 1e6
    left.plot(current_ua, median_us, "o", label="SPICE, median")
    fine = np.geomspace(current_ua[0], current_ua[-1], 200)
    left.plot(fine, relation.median_s(fine * 1e-6) * 1e6, "-", label="median relation (interp.)")
    left.set_xscale("log")
    left.set_xlabel("SET compliance [uA]")
    left.set_ylabel("LRS conductance [uS]")
    left.legend()
    left.grid(True, alpha=0.3)
    right.errorbar(
        median_us,
        table["g_std_s"].to_numpy() * 1e6,
        yerr=table["g_std_se_s"].to_numpy() * 1e6,
        fmt="o",
        label="SPICE, std (+- s.e.)",
    )
    g = np.linspace(median_us[0], median_us[-1], 200)
    right.plot(
        g,
        relation.sigma_s(g * 1e-6) * 1e6,
        "-",
        label=f"fit (deg. 2), chi2/dof = {relation.spread_chi2_reduced:.2f}",
    )
    right.set_xlabel("median conductance [uS]")
    right.set_ylabel("std of conductance [uS]")
    right.set_ylim(bottom=0)
    right.legend()
    right.grid(True, alpha=0.3)
    devices = int(table["devices"].min())
    fig.suptitle(f"Programmed LRS conductance, {devices} devices per compliance (ngspice)")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out)
    plt.close(fig)
    return out


def plot_decision_maps(
    panels: Sequence[tuple[str, Sequence[NDArray[np.float64]], Sequence[float]]],
    x_train: NDArray[np.float64],
    y_train: NDArray[np.int64],
    path: Path | str,
    title: str,
) -> Path:
    """P(class 1) with the decision boundary (top row) and predictive entropy (bottom row).

    Parameters
    ----------
    panels : sequence of (label, weight samples per layer, gains)
        One column per network; samples as for
        :func:`~rram_ber.analysis.bayes.network.ensemble_probs`.
    x_train, y_train : numpy.ndarray
        Training points drawn on the maps (2 features).
    path : path-like
        Output PNG.
    title : str
        Figure title.
    """
    plt = _pyplot()
    axis = np.linspace(-MAP_HALF_WIDTH, MAP_HALF_WIDTH, MAP_POINTS)
    gx, gy = np.meshgrid(axis, axis)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    fig, axes = plt.subplots(2, len(panels), figsize=(3.6 * len(panels), 7), dpi=110, squeeze=False)
    for column, (label, samples, gains) in enumerate(panels):
        probs = ensemble_probs(grid, samples, gains)
        p1 = probs[:, 1].reshape(gx.shape)
        h = (entropy(probs) / np.log(2.0)).reshape(gx.shape)
        top, bottom = axes[0, column], axes[1, column]
        image = top.contourf(gx, gy, p1, levels=np.linspace(0, 1, 11), cmap="RdBu_r")
        top.contour(gx, gy, p1, levels=[0.5], colors="k", linewidths=1.2)
        shade = bottom.contourf(gx, gy, h, levels=np.linspace(0, 1, 11), cmap="viridis")
        for ax in (top, bottom):
            ax.scatter(
                x_train[:, 0], x_train[:, 1], c=y_train, s=4, cmap="coolwarm", edgecolors="none"
            )
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
        top.set_title(label, fontsize=9)
    fig.colorbar(image, ax=axes[0, :].tolist(), shrink=0.8, label="P(class 1)")
    fig.colorbar(shade, ax=axes[1, :].tolist(), shrink=0.8, label="predictive entropy [bit]")
    fig.suptitle(title)
    out = Path(path)
    fig.savefig(out, bbox_inches="tight")
    plt.close(fig)
    return out
