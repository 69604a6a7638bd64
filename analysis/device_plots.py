"""PNG plots of device characteristics: the I-V butterfly and LRS/HRS resistance CDFs.

The functions take plain arrays (from :mod:`rram_ber.characterization.programming` results or any
other source) and never run the simulator. Matplotlib's non-interactive Agg backend is used,
so they work without a display.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike


def _pyplot() -> Any:
    # Imported here so that importing analysis stays light; Agg needs no display.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_iv_butterfly(
    v: ArrayLike,
    currents_a: Sequence[ArrayLike],
    path: Path | str,
    labels: Sequence[str] | None = None,
    title: str = "VCM device I-V (JART-TUD model)",
) -> Path:
    """Write ``log10 |I|`` against ``V(AE, OE)`` for several devices to a PNG file.

    Parameters
    ----------
    v : array_like
        ``V(AE, OE)`` [V] of the sweep (one axis shared by all devices).
    currents_a : sequence of array_like
        Current from AE to OE of each device [A], sampled on ``v``.
    path : path-like
        Output PNG file.
    labels : sequence of str, optional
        Legend entry per device.
    title : str
        Figure title.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    plt = _pyplot()
    v_arr = np.asarray(v, dtype=float)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=120)
    for k, current in enumerate(currents_a):
        magnitude = np.maximum(np.abs(np.asarray(current, dtype=float)), 1e-12)
        label = labels[k] if labels is not None else f"device {k}"
        ax.semilogy(v_arr, magnitude, linewidth=1.0, label=label)
    ax.set_xlabel("V(AE, OE) [V]  (SET at V < 0, RESET at V > 0)")
    ax.set_ylabel("|I| [A]")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    if len(currents_a) <= 10:
        ax.legend(fontsize="small")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, format="png")
    plt.close(fig)
    return out


def empirical_cdf(values: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Sorted finite values and their CDF ``(k - 0.5) / n`` (Hazen positions)."""
    data = np.asarray(values, dtype=float)
    data = np.sort(data[np.isfinite(data)])
    n = data.size
    return data, (np.arange(1, n + 1) - 0.5) / max(n, 1)


def plot_resistance_cdfs(
    r_lrs_ohm: ArrayLike,
    r_hrs_ohm: ArrayLike,
    path: Path | str,
    title: str = "Programmed resistance distributions",
) -> Path:
    """Write the CDFs of LRS and HRS resistances on a log axis to a PNG file.

    Parameters
    ----------
    r_lrs_ohm, r_hrs_ohm : array_like
        Resistances [ohm]; NaN entries (failed devices) are left out.
    path : path-like
        Output PNG file.
    title : str
        Figure title.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=120)
    for values, label in ((r_lrs_ohm, "LRS"), (r_hrs_ohm, "HRS")):
        x, p = empirical_cdf(values)
        ax.step(x, p, where="mid", label=f"{label} (n={x.size})")
    ax.set_xscale("log")
    ax.set_xlabel("R [ohm]")
    ax.set_ylabel("cumulative probability")
    ax.set_ylim(0.0, 1.0)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, format="png")
    plt.close(fig)
    return out


def plot_weak_reset(
    r_ohm: ArrayLike, path: Path | str, title: str = "weak RESET pulse train"
) -> Path:
    """Write the median resistance against pulse count, with its 10-90 % band, to a PNG file.

    Parameters
    ----------
    r_ohm : array_like, shape (devices, pulses + 1)
        Resistance of each device before (column 0) and after each pulse [ohm].
    path : path-like
        Output PNG file.
    title : str
        Figure title.
    """
    plt = _pyplot()
    r = np.asarray(r_ohm, dtype=float)
    pulses = np.arange(r.shape[1])
    low, median, high = np.percentile(r, [10, 50, 90], axis=0)
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=120)
    ax.fill_between(pulses, low, high, alpha=0.3, label="10-90 %")
    ax.plot(pulses, median, label="median")
    ax.set_xlabel("weak-RESET pulses")
    ax.set_ylabel("R at read [ohm]")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out)
    plt.close(fig)
    return out
