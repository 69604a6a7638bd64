"""The answer first: operating points of a campaign against spec limits.

An *operating point* is one condition of the campaign (cell, corner, temperature, VDD,
sampling time). For each chosen point the headline gives the bit-error rate with its interval
(or upper bound) and estimator, over all reads (wrong, undecided and failed ones count), with
the shares of undecided reads and failed simulations beside it, sense delay and read energy
(mean, sigma, 99.9th percentile) and, when the network study ran, the accuracy of the network
and its drop against clean weights. Each number is compared with the declared spec limits, in
the manner of a datasheet's min/typ/max with pass/fail per result.

Pure functions on tables (``ber.csv``, the sample rows, the accuracy points); the report
only formats what they return.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rram_ber.analysis.bnn.ber_table import DEFAULT_RESOLVE_BELOW, resolve_ber
from rram_ber.analysis.summaries import (
    SETTING_COLUMNS,
    Verdict,
    best_sampling_times,
    rows_at_settings,
    same_value,
    verdict,
)
from rram_ber.characterization import schema
from rram_ber.characterization.ber import upgrade_ber_table
from rram_ber.characterization.spec_limits import SpecLimits
from rram_ber.core.units import parse_spice_number
from rram_ber.core.validation import ParameterError

#: Keys of ``--operating-point`` and the ``ber.csv`` column each one selects.
POINT_KEYS = ("cell", "corner", "temp_c", "vdd_v", "t_sample_s")
_NUMERIC_KEYS = ("temp_c", "vdd_v", "t_sample_s")

#: Percentile of the tail statistics [%] (one read in a thousand is slower / costlier).
TAIL_PERCENTILE = 99.9

#: Verdict shown when no limit is declared for a quantity.
NO_LIMIT = "no limit"


def parse_operating_point(text: str) -> dict[str, Any]:
    """``"corner=tt,temp_c=27,vdd_v=1.2,t_sample_s=1e-9"`` as a dict of settings.

    Raises
    ------
    ParameterError
        Naming ``--operating-point`` if a key is unknown, repeated, or a number is malformed.
    """
    allowed = "comma-separated KEY=VALUE pairs with keys among " + ", ".join(POINT_KEYS)
    point: dict[str, Any] = {}
    for item in text.split(","):
        key, sep, value = (part.strip() for part in item.partition("="))
        if not sep or key not in POINT_KEYS or key in point or not value:
            raise ParameterError("--operating-point", text, allowed)
        if key in _NUMERIC_KEYS:
            number = parse_spice_number(value)
            if number is None:
                raise ParameterError(
                    "--operating-point", text, allowed + " (numbers as 1e-9 or 1n)"
                )
            point[key] = number
        else:
            point[key] = value
    return point


def select_point(ber: pd.DataFrame, point: Mapping[str, Any], text: str) -> pd.DataFrame:
    """Rows of ``ber`` at a named operating point (all of its cells if no cell is named)."""
    mask = pd.Series(True, index=ber.index)
    for key, value in point.items():
        if key in _NUMERIC_KEYS:
            mask &= same_value(ber[key].astype(float), float(value))
        else:
            mask &= ber[key].astype(str) == str(value)
    rows = ber[mask]
    if rows.empty:
        choices = "; ".join(
            f"{c}: {sorted(ber[c].unique().tolist())}" for c in POINT_KEYS if c in ber.columns
        )
        raise ParameterError("--operating-point", text, f"a condition of the campaign ({choices})")
    return rows


def default_points(ber: pd.DataFrame) -> list[tuple[str, int]]:
    """The best condition of each cell (lowest BER) and each cell's nominal one.

    Best: lowest BER (over all reads: wrong, undecided and failed ones count,
    :mod:`rram_ber.characterization.outcome`), then lowest upper bound of the BER, then
    highest VDD.
    Nominal: corner ``tt`` (else the first), the temperature nearest 27 C, the highest VDD and
    the cell's best sampling time (:func:`~analysis.summaries.best_sampling_times`: a ternary
    read is at its worst at the longest one).

    Returns
    -------
    list of (str, int)
        ``(why chosen, condition_id)``, without repeats.
    """
    table = upgrade_ber_table(ber)
    times = best_sampling_times(table) if table["t_sample_s"].notna().any() else {}
    chosen: list[tuple[str, int]] = []
    for cell, rows in table.groupby("cell", sort=False):
        best = rows.sort_values(
            [schema.BER, schema.BER_CI_HIGH, "vdd_v"], ascending=[True, True, False]
        ).iloc[0]
        corner = "tt" if (rows["corner"] == "tt").any() else rows["corner"].iloc[0]
        nominal = rows[rows["corner"] == corner]
        temps = nominal["temp_c"].astype(float)
        nominal = nominal[same_value(temps, temps.iloc[(temps - 27.0).abs().argmin()])]
        if str(cell) in times and same_value(nominal["t_sample_s"], times[str(cell)]).any():
            nominal = nominal[same_value(nominal["t_sample_s"], times[str(cell)])]
        nominal = nominal.sort_values(["vdd_v", "t_sample_s"], ascending=False).iloc[0]
        for why, row in ((f"best {cell}", best), (f"nominal {cell}", nominal)):
            condition = int(row[schema.CONDITION_ID])
            if condition not in [c for _, c in chosen]:
                chosen.append((why, condition))
            else:
                index = [c for _, c in chosen].index(condition)
                chosen[index] = (chosen[index][0] + " = " + why, condition)
    return chosen


def named_points(ber: pd.DataFrame, texts: Iterable[str]) -> list[tuple[str, int]]:
    """Conditions of ``--operating-point`` options, in order, without repeats."""
    chosen: list[tuple[str, int]] = []
    for text in texts:
        for condition in select_point(ber, parse_operating_point(text), text)[schema.CONDITION_ID]:
            if int(condition) not in [c for _, c in chosen]:
                chosen.append((text, int(condition)))
    return chosen


def _stats(values: np.ndarray) -> tuple[float, float, float]:
    if values.size == 0:
        return math.nan, math.nan, math.nan
    sigma = float(np.std(values, ddof=1)) if values.size > 1 else math.nan
    return float(np.mean(values)), sigma, float(np.percentile(values, TAIL_PERCENTILE))


def delay_energy_stats(samples: pd.DataFrame) -> pd.DataFrame:
    """Per condition: sense delay and read energy mean, sigma and 99.9th percentile.

    Delays are taken over the reads that latched at the sampling time (an unresolved read has
    no delay), energies over every simulated read. With fewer than 1000 reads the 99.9th
    percentile is the largest value seen (or interpolated towards it), not an extrapolation.

    Returns
    -------
    pandas.DataFrame
        ``condition_id``, ``n_delay``, ``delay_mean_s``, ``delay_sigma_s``, ``delay_p999_s``,
        ``n_energy``, ``energy_mean_j``, ``energy_sigma_j``, ``energy_p999_j``.
    """
    columns = [schema.CONDITION_ID, "n_delay", "delay_mean_s", "delay_sigma_s", "delay_p999_s",
               "n_energy", "energy_mean_j", "energy_sigma_j", "energy_p999_j"]  # fmt: skip
    rows = []
    if len(samples):
        ok = samples[samples[schema.STATUS] == schema.STATUS_OK]
        for condition, group in ok.groupby(schema.CONDITION_ID, sort=True):
            delays = group.loc[group[schema.LATCHED].astype(bool), schema.DELAY_S].dropna()
            energies = group[schema.ENERGY_J].dropna()
            rows.append(
                [
                    int(condition),
                    len(delays),
                    *_stats(delays.to_numpy(float)),
                    len(energies),
                    *_stats(energies.to_numpy(float)),
                ]
            )
    return pd.DataFrame(rows, columns=columns)


def _against(value: float, limit: float | None) -> str:
    if limit is None:
        return NO_LIMIT
    if math.isnan(value):
        return Verdict.UNDETERMINED.value
    return (Verdict.PASS if value <= limit else Verdict.FAIL).value


def _ber_verdict(row: pd.Series, estimate: pd.Series | None, limit: float | None) -> str:
    """The sweep's BER verdict; an undetermined one becomes a pass when a rare-event interval
    lies within the limit (a failure of the sweep stands: the two would contradict)."""
    if limit is None:
        return NO_LIMIT
    sweep = verdict(row[schema.BER_CI_LOW], row[schema.BER_CI_HIGH], limit)
    if (
        sweep is Verdict.UNDETERMINED
        and estimate is not None
        and float(estimate[schema.BER_CI_HIGH]) <= limit
    ):
        return Verdict.PASS.value
    return sweep.value


def _overall(verdicts: Sequence[str]) -> str:
    declared = [v for v in verdicts if v != NO_LIMIT]
    if not declared:
        return NO_LIMIT
    if Verdict.FAIL.value in declared:
        return Verdict.FAIL.value
    if Verdict.UNDETERMINED.value in declared:
        return Verdict.UNDETERMINED.value
    return Verdict.PASS.value


def headline_table(
    ber: pd.DataFrame,
    points: Sequence[tuple[str, int]],
    stats: pd.DataFrame,
    accuracy: pd.DataFrame | None,
    limits: SpecLimits,
    rare: pd.DataFrame | None = None,
    resolve_below: float = DEFAULT_RESOLVE_BELOW,
) -> pd.DataFrame:
    """One row per operating point with its numbers and verdicts.

    Parameters
    ----------
    ber : pandas.DataFrame
        ``ber.csv``.
    points : sequence of (str, int)
        ``(why chosen, condition_id)``, e.g. from :func:`default_points`.
    stats : pandas.DataFrame
        :func:`delay_energy_stats` of the campaign.
    accuracy : pandas.DataFrame, optional
        Accuracy points with ``condition_id``, ``model``, ``accuracy_mean`` and
        ``accuracy_drop`` (None when the network study did not run).
    limits : SpecLimits
        The spec limits.
    rare : pandas.DataFrame, optional
        ``ber.csv`` of a rare-event campaign (the demo's operating points). Where it has a
        point's settings, the point shows that estimate (``rare_event_ber``), and a BER the
        sweep leaves undetermined passes when the estimate's whole interval is within the
        limit. The estimate counts failures as the sweep does (wrong, undecided and failed
        reads), so it estimates the same BER: it can prove a pass the sweep's few samples
        cannot; it is not used to prove a failure.
    resolve_below : float
        Resolution floor [-] of :func:`~rram_ber.analysis.bnn.ber_table.resolve_ber`, which
        gives each point its one BER (``resolved_ber``, ``ber_resolution``), the BER the
        accuracy was evaluated at.

    Returns
    -------
    pandas.DataFrame
        Settings, ``ber_report``, ``resolved_ber`` and ``ber_resolution`` (``estimated``,
        ``bound-below-floor``, ``unresolved-bound``: no error seen and the bound above the
        floor, so the accuracy at it is a worst case, a lower bound, and its drop an upper
        bound), ``method``, ``undecided_share`` and ``failed_share`` (the parts of the BER
        that are undecided reads and failed simulations; NaN for a rare-event row, which does
        not split its failures), delay and energy statistics, ``model``, ``accuracy``,
        ``accuracy_drop``, one verdict column per limit (``pass``, ``fail``, ``undetermined``
        or ``no limit``) and ``verdict``.
    """
    by_id = upgrade_ber_table(ber).set_index(schema.CONDITION_ID)
    stat_by_id = stats.set_index(schema.CONDITION_ID) if len(stats) else pd.DataFrame()
    rows = []
    for why, condition in points:
        row = by_id.loc[condition]
        record: dict[str, Any] = {"operating point": why, schema.CONDITION_ID: condition}
        record.update({c: row[c] for c in SETTING_COLUMNS if c in by_id.columns})
        record[schema.METHOD] = row.get(schema.METHOD, "monte-carlo")
        record[schema.BER_REPORT] = row[schema.BER_REPORT]
        resolved = resolve_ber(row[schema.BER], row[schema.BER_CI_HIGH], resolve_below)
        record["resolved_ber"] = resolved.ber
        record["ber_resolution"] = resolved.resolution.value
        estimate = rows_at_settings(rare, row) if rare is not None else pd.DataFrame()
        estimate_row = estimate.iloc[0] if len(estimate) else None
        record["rare_event_ber"] = (
            estimate_row[schema.BER_REPORT] if estimate_row is not None else ""
        )
        for column in (schema.UNDECIDED_SHARE, schema.FAILED_SHARE):
            record[column] = row.get(column, math.nan)
        for column in ("delay_mean_s", "delay_sigma_s", "delay_p999_s",
                       "energy_mean_j", "energy_sigma_j", "energy_p999_j"):  # fmt: skip
            has = condition in stat_by_id.index
            record[column] = stat_by_id.loc[condition, column] if has else math.nan
        acc = None
        if accuracy is not None and len(accuracy):
            match = accuracy[accuracy[schema.CONDITION_ID] == condition]
            acc = match.iloc[0] if len(match) else None
        record["model"] = acc["model"] if acc is not None else ""
        record["accuracy"] = acc["accuracy_mean"] if acc is not None else math.nan
        record["accuracy_drop"] = acc["accuracy_drop"] if acc is not None else math.nan
        accuracy_verdict = _against(record["accuracy_drop"], limits.accuracy_drop_max)
        if resolved.worst_case and accuracy_verdict == Verdict.FAIL.value:
            # Evaluated at the BER's upper bound, the drop is a worst case: exceeding the
            # limit proves nothing (meeting it does).
            accuracy_verdict = Verdict.UNDETERMINED.value
        checks = {
            "ber_verdict": _ber_verdict(row, estimate_row, limits.ber_max),
            "delay_verdict": _against(record["delay_p999_s"], limits.delay_max_s),
            "energy_verdict": _against(record["energy_mean_j"], limits.energy_max_j),
            "accuracy_verdict": accuracy_verdict,
        }
        record.update(checks)
        record["verdict"] = _overall(list(checks.values()))
        rows.append(record)
    return pd.DataFrame(rows)
