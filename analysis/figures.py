"""Figures of a campaign report, drawn from result tables (matplotlib, Agg canvas, no pyplot).

Each function takes tables and returns a :class:`matplotlib.figure.Figure`; :func:`png_bytes`
renders one. Nothing here reads files or runs a simulator.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rram_ber.analysis.bnn.ber_table import Resolution
from rram_ber.analysis.summaries import best_sampling_times, conditions_at, same_value
from rram_ber.characterization import schema
from rram_ber.characterization.readout import CampaignCell, read_mode
from rram_ber.circuits.cells import CellKind

CORNER_COLOURS = {
    "tt": "#1f77b4",
    "ss": "#d62728",
    "ff": "#2ca02c",
    "fs": "#9467bd",
    "sf": "#ff7f0e",
}
VERDICT_COLOURS = {"pass": "#4caf50", "fail": "#e53935", "undetermined": "#fdd835"}


def png_bytes(figure: Figure, dpi: int = 110) -> bytes:
    """Render a figure to PNG."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def vector_bytes(figure: Figure, fmt: str) -> bytes:
    """Render a figure as a vector file (``"svg"`` or ``"pdf"``) for papers and slides."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, bbox_inches="tight")
    return buffer.getvalue()


def _grid(
    n: int, width: float = 4.2, height: float = 3.2, columns: int = 3
) -> tuple[Figure, list[Any]]:
    cols = min(columns, max(n, 1))
    rows = math.ceil(max(n, 1) / cols)
    figure = Figure(figsize=(width * cols, height * rows), layout="constrained")
    axes = [figure.add_subplot(rows, cols, i + 1) for i in range(max(n, 1))]
    return figure, axes


def ber_vs_vdd_figure(ber: pd.DataFrame) -> Figure:
    """BER against VDD, one panel per (cell, temperature), one line per corner.

    Each panel uses its cell's best sampling time
    (:func:`~analysis.summaries.best_sampling_times`; the shmoo figure covers the sampling
    time). Error bars are the 95 % intervals; a condition without
    any observed error is drawn as an open downward triangle at its upper bound; where more
    than 1 % of the reads were undecided or failed (counted in the BER), their share is drawn
    beside it (dotted, x).
    """
    if ber["t_sample_s"].isna().all():
        data = ber
        times = {str(c): math.nan for c in ber["cell"].unique()}
    else:
        times = best_sampling_times(ber)
        data = ber[
            [
                bool(same_value(t, times[str(c)]))
                for c, t in zip(ber["cell"], ber["t_sample_s"], strict=False)
            ]
        ]
    panels = list(data.groupby(["cell", "temp_c"], sort=False))
    figure, axes = _grid(len(panels))
    for axis, ((cell, temp), group) in zip(axes, panels, strict=False):
        t_best = times[str(cell)]
        for corner, rows in group.groupby("corner", sort=False):
            rows = rows.sort_values("vdd_v")
            colour = CORNER_COLOURS.get(str(corner), "black")
            methods = set(rows.get(schema.METHOD, pd.Series(["monte-carlo"])))
            label = (
                str(corner)
                if methods == {"monte-carlo"}
                else f"{corner} ({', '.join(sorted(methods))})"
            )
            seen = rows[rows[schema.N_ERRORS] > 0]
            if len(seen):
                y = seen[schema.BER].to_numpy()
                yerr = np.vstack(
                    [
                        y - seen[schema.BER_CI_LOW].to_numpy(),
                        seen[schema.BER_CI_HIGH].to_numpy() - y,
                    ]
                )
                axis.errorbar(
                    seen["vdd_v"],
                    y,
                    yerr=yerr,
                    marker="o",
                    capsize=3,
                    color=colour,
                    label=label,
                )
            bound = rows[rows[schema.N_ERRORS] == 0]
            if len(bound):
                axis.plot(
                    bound["vdd_v"],
                    bound[schema.BER_CI_HIGH],
                    linestyle="none",
                    marker="v",
                    markerfacecolor="none",
                    color=colour,
                    label=f"{label}: no error seen (upper bound)",
                )
            # The BER counts undecided reads and failed simulations as failures; where they
            # are more than 1 % of the reads, draw their share beside it (the part of the
            # BER that is not a wrong value). Rare-event rows do not split their failures.
            shares = [rows.get(c) for c in (schema.UNDECIDED_SHARE, schema.FAILED_SHARE)]
            if shares[0] is not None and shares[1] is not None:
                not_wrong = shares[0].fillna(0.0) + shares[1].fillna(0.0)
                many = rows[not_wrong > 0.01]
                if len(many):
                    axis.plot(
                        many["vdd_v"],
                        not_wrong[many.index],
                        linestyle=":",
                        marker="x",
                        color=colour,
                        label=f"{label}: undecided + failed share (> 1 %)",
                    )
        axis.set_yscale("log")
        axis.set_xlabel("VDD [V]")
        axis.set_ylabel("BER")
        axis.set_title(f"{cell}, {temp:g} C, sampled {t_best * 1e9:g} ns after SEN")
        axis.grid(True, which="both", alpha=0.3)
    for axis in axes[len(panels) :]:
        axis.set_visible(False)
    # One legend for every panel, below them: a legend inside a panel covered its points.
    entries: dict[str, Any] = {}
    for axis in axes[: len(panels)]:
        for handle, text in zip(*axis.get_legend_handles_labels(), strict=True):
            entries.setdefault(text, handle)
    if entries:
        figure.legend(
            list(entries.values()), list(entries), loc="outside lower center",
            ncols=min(3, len(entries)), fontsize=7,
        )  # fmt: skip
    return figure


def _device_states(samples: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """LRS and HRS device resistances [ohm] of all samples (from the stored values).

    2T2R and ternary cells: +1 = (LRS, HRS), -1 = (HRS, LRS), 0 = (HRS, HRS); 1T1R: the BL
    device is LRS for +1 (its BLB column is the reference resistor, not a device).
    """
    lrs: list[np.ndarray] = []
    hrs: list[np.ndarray] = []
    for cell, rows in samples.groupby(samples.get("cell", pd.Series("2t2r", index=samples.index))):
        stored = rows[schema.STORED_VALUE].to_numpy()
        bl = rows["r_bl_ohm"].to_numpy()
        blb = rows["r_blb_ohm"].to_numpy()
        lrs.append(bl[stored == 1])
        hrs.append(bl[stored != 1])
        if read_mode(str(cell)).physical_cell is CellKind.TWO_T_TWO_R:
            lrs.append(blb[stored == -1])
            hrs.append(blb[stored != -1])
    return np.concatenate(lrs or [np.empty(0)]), np.concatenate(hrs or [np.empty(0)])


def distributions_figure(samples: pd.DataFrame, ber: pd.DataFrame) -> Figure:
    """Device resistance CDFs (LRS, HRS) and sense-delay and read-energy distributions by VDD.

    Delays and energies come from the samples of the longest sampling time (one per simulated
    sample) whose read resolved.
    """
    figure = Figure(figsize=(13.5, 3.6), layout="constrained")
    cdf, delay, energy = (figure.add_subplot(1, 3, i) for i in (1, 2, 3))
    columns = [
        c for c in (schema.CONDITION_ID, "cell", "vdd_v", "t_sample_s", "temp_c") if c in ber
    ]
    rows = samples.merge(ber[columns], on=schema.CONDITION_ID)
    longest = rows[same_value(rows["t_sample_s"], rows["t_sample_s"].max())]
    # Resistances are drawn at each condition's temperature: pooling temperatures would mix
    # laws (an HRS median of 19.8 kOhm for a 40 kOhm device), so show the one nearest 27 C,
    # where the campaign's [device] values are given.
    devices = longest
    where = "device resistances"
    if "temp_c" in longest and longest["temp_c"].notna().any():
        nearest = longest["temp_c"].iloc[int(np.argmin(np.abs(longest["temp_c"] - 27.0)))]
        devices = longest[same_value(longest["temp_c"], nearest)]
        where += f" at {nearest:g} C"
    lrs, hrs = _device_states(devices.drop_duplicates([schema.CONDITION_ID, schema.SAMPLE_INDEX]))
    for values, label, colour in ((lrs, "LRS", "#1f77b4"), (hrs, "HRS", "#d62728")):
        if values.size:
            ordered = np.sort(values)
            cdf.step(
                ordered,
                np.arange(1, ordered.size + 1) / ordered.size,
                where="post",
                label=f"{label} (median {np.median(ordered) / 1e3:.3g} kOhm)",
                color=colour,
            )
    cdf.set_xscale("log")
    cdf.set_xlabel("device resistance [ohm]")
    cdf.set_ylabel("cumulative probability")
    cdf.set_title(where)
    cdf.legend(fontsize=7)
    cdf.grid(True, which="both", alpha=0.3)
    ok = longest[(longest[schema.STATUS] == schema.STATUS_OK) & longest[schema.LATCHED]]
    vdds = sorted(ok["vdd_v"].unique(), reverse=True)
    colours = _sequential(len(vdds))
    for vdd, colour in zip(vdds, colours, strict=True):
        subset = ok[same_value(ok["vdd_v"], vdd)]
        delays = subset[schema.DELAY_S].dropna().to_numpy() * 1e12
        if delays.size:
            bins = np.geomspace(max(delays.min(), 1.0), delays.max() * 1.01 + 1e-9, 30)
            delay.hist(delays, bins=list(bins), histtype="step", color=colour, label=f"{vdd:g} V")
        energy.hist(
            subset[schema.ENERGY_J].dropna().to_numpy() * 1e15,
            bins=30,
            histtype="step",
            color=colour,
            label=f"{vdd:g} V",
        )
    delay.set_xscale("log")
    # Plain numbers at 1-2-5 steps: within one decade the log axis otherwise labels every
    # minor tick and the labels overlap.
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    delay.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    delay.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    delay.xaxis.set_minor_formatter(NullFormatter())
    delay.set_xlabel("sense delay [ps]")
    delay.set_ylabel("reads")
    delay.set_title("sense delay (resolved reads)")
    energy.set_xlabel("read energy [fJ]")
    energy.set_ylabel("reads")
    energy.set_title("read energy per read")
    for axis in (delay, energy):
        axis.legend(fontsize=7)
        axis.grid(True, alpha=0.3)
    return figure


def _sequential(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [cmap(x) for x in np.linspace(0.0, 0.85, max(n, 1))][:n]


def confusion_figure(confusion: pd.DataFrame, windows: pd.DataFrame, ber: pd.DataFrame) -> Figure:
    """Ternary confusion heatmaps P(read | stored) at each corner's best operating window."""
    picks = []
    for _, window in windows.iterrows():
        match = conditions_at(ber, CampaignCell.TERNARY, window)
        if len(match):
            picks.append((int(match[schema.CONDITION_ID].iloc[0]), window))
    figure, axes = _grid(len(picks), width=3.6, height=3.2)
    levels = (1, 0, -1)
    for axis, (condition_id, window) in zip(axes, picks, strict=False):
        table = confusion[confusion[schema.CONDITION_ID] == condition_id]
        matrix = np.zeros((3, 3))
        # Rows without a read value (undecided reads, failed simulations) are not drawn: a
        # stored value's row of the matrix then sums to 1 minus their share.
        for _, row in table[table[schema.READ].notna()].iterrows():
            matrix[levels.index(int(row[schema.STORED])), levels.index(int(row[schema.READ]))] = (
                row[schema.PROBABILITY]
            )
        axis.imshow(matrix, vmin=0.0, vmax=1.0, cmap="Blues")
        for i in range(3):
            for j in range(3):
                axis.text(
                    j,
                    i,
                    f"{matrix[i, j]:.3f}",
                    ha="center",
                    va="center",
                    color="white" if matrix[i, j] > 0.5 else "black",
                    fontsize=9,
                )
        axis.set_xticks(range(3), [f"{v:+d}" if v else "0" for v in levels])
        axis.set_yticks(range(3), [f"{v:+d}" if v else "0" for v in levels])
        axis.set_xlabel("read")
        axis.set_ylabel("stored")
        axis.set_title(
            f"{window['corner']} {window['temp_c']:g} C: {window['vdd_v']:g} V, "
            f"{window['t_sample_s'] * 1e9:g} ns",
            fontsize=9,
        )
    for axis in axes[len(picks) :]:
        axis.set_visible(False)
    return figure


def shmoo_figure(shmoo: pd.DataFrame, target: float) -> Figure:
    """Shmoo plots: VDD against sampling time, coloured by verdict at the failure target.

    One panel per (cell, corner, temperature). Green: the 95 % interval of the read-failure
    rate is below the target; red: above; yellow: the interval straddles it.
    """
    panels = list(shmoo.groupby(["cell", "corner", "temp_c"], sort=False))
    figure, axes = _grid(len(panels), width=3.6, height=3.0, columns=4)
    for axis, ((cell, corner, temp), group) in zip(axes, panels, strict=False):
        vdds = sorted(group["vdd_v"].unique())
        times = sorted(group["t_sample_s"].unique())
        for _, row in group.iterrows():
            i, j = vdds.index(row["vdd_v"]), times.index(row["t_sample_s"])
            axis.add_patch(_rectangle(j, i, VERDICT_COLOURS[row["verdict"]]))
            axis.text(
                j,
                i,
                f"{row['p_fail']:.1e}" if row["n_fail"] else "0",
                ha="center",
                va="center",
                fontsize=6,
            )
        axis.set_xlim(-0.5, len(times) - 0.5)
        axis.set_ylim(-0.5, len(vdds) - 0.5)
        axis.set_xticks(range(len(times)), [f"{t * 1e9:g}" for t in times])
        axis.set_yticks(range(len(vdds)), [f"{v:g}" for v in vdds])
        axis.set_xlabel("sampling time after SEN [ns]")
        axis.set_ylabel("VDD [V]")
        axis.set_title(f"{cell} {corner} {temp:g} C", fontsize=9)
    for axis in axes[len(panels) :]:
        axis.set_visible(False)
    figure.suptitle(
        f"read-failure rate vs target {target:g} (green pass, red fail, yellow undetermined)"
    )
    return figure


def _rectangle(x: float, y: float, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), 1.0, 1.0, facecolor=colour, edgecolor="white")


def accuracy_figure(curves: Sequence[dict[str, Any]], points: pd.DataFrame) -> Figure:
    """Network accuracy against BER (mean and 95 % band) with measured operating points.

    Parameters
    ----------
    curves : sequence of dict
        Each with ``label`` and arrays ``ber``, ``mean``, ``low``, ``high``.
    points : pandas.DataFrame
        Measured conditions evaluated on their own error model: ``model``, ``ber``,
        ``ber_resolution`` (a bound, no error seen, is drawn as an open left triangle at the
        bound: the true BER is lower), ``accuracy_mean``, ``accuracy_ci_low``,
        ``accuracy_ci_high``.
    """
    figure = Figure(figsize=(8.0, 4.6), layout="constrained")
    axis = figure.add_subplot(1, 1, 1)
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    floor = 1e-5
    for curve, colour in zip(curves, colours, strict=False):
        x = np.maximum(np.asarray(curve["ber"], dtype=float), floor)
        axis.plot(x, curve["mean"], color=colour, label=curve["label"])
        axis.fill_between(
            x, np.clip(curve["low"], 0.0, 1.0), np.clip(curve["high"], 0.0, 1.0),
            color=colour, alpha=0.2,
        )  # fmt: skip
    for (model, group), colour in zip(points.groupby("model", sort=False), colours, strict=False):
        resolution = group.get("ber_resolution", pd.Series("", index=group.index))
        bounds = resolution.isin([r.value for r in Resolution if r is not Resolution.ESTIMATED])
        for rows, bound in ((group[~bounds], False), (group[bounds], True)):
            if rows.empty:
                continue
            x = np.maximum(rows["ber"].to_numpy(dtype=float), floor)
            y = rows["accuracy_mean"].to_numpy(dtype=float)
            low = np.clip(rows["accuracy_ci_low"].to_numpy(dtype=float), 0.0, 1.0)
            high = np.clip(rows["accuracy_ci_high"].to_numpy(dtype=float), 0.0, 1.0)
            yerr = np.maximum(np.vstack([y - low, high - y]), 0.0)
            axis.errorbar(
                x,
                y,
                yerr=np.nan_to_num(yerr),
                linestyle="none",
                marker="<" if bound else "D",
                markersize=5 if bound else 4,
                color=colour,
                markerfacecolor="none" if bound else colour,
                markeredgecolor=colour if bound else "black",
                capsize=2,
                label=f"{model}: no error seen, at the BER upper bound"
                if bound
                else f"{model}: measured conditions",
            )
    axis.set_xscale("log")
    axis.set_xlabel(f"bit-error rate (points below {floor:g} drawn at {floor:g})")
    axis.set_ylabel("test accuracy")
    axis.set_ylim(0.0, 1.0)
    axis.set_title("network accuracy against BER (mean and 95 % interval over error draws)")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    return figure
