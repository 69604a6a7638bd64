"""Derived tables of a campaign: read-failure rates, shmoo verdicts, ternary operating windows.

Pure functions on the ``ber.csv`` table (columns in :mod:`rram_ber.characterization.schema`); the
report only formats what these return.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from rram_ber.characterization import schema
from rram_ber.characterization.ber import upgrade_ber_table
from rram_ber.characterization.readout import CampaignCell, read_mode


def same_value(a: Any, b: Any) -> Any:
    """Element-wise equality of settings up to rounding (relative 1e-9, no absolute slack:
    sampling times of 0.5 ns and 2 ns must not compare equal)."""
    return np.isclose(a, b, rtol=1e-9, atol=0.0)


def is_ternary(table: pd.DataFrame) -> pd.Series:
    """Per row of a table with a ``cell`` column: whether its read mode stores ternary
    weights (decided by :class:`~characterization.readout.ReadMode`, not by the name)."""
    return table["cell"].map(lambda cell: read_mode(cell).ternary).astype(bool)


def conditions_at(ber: pd.DataFrame, cell: CampaignCell, point: Mapping[str, Any]) -> pd.DataFrame:
    """Rows of ``ber`` for ``cell`` at a point's corner, temperature, VDD and sampling time."""
    return ber[
        (ber["cell"] == cell)
        & (ber["corner"] == point["corner"])
        & (ber["temp_c"] == point["temp_c"])
        & same_value(ber["vdd_v"], point["vdd_v"])
        & same_value(ber["t_sample_s"], point["t_sample_s"])
    ]


def best_sampling_times(ber: pd.DataFrame) -> dict[str, float]:
    """Per cell (read mode): the sampling time of lowest mean BER over its conditions.

    A ternary read is best early (its 0 decays into +1/-1 as the latch resolves), a binary
    one late; a single campaign-wide time would show one of them at its worst. Ties go to
    the longer time.
    """
    best: dict[str, float] = {}
    for cell, rows in ber.groupby("cell", sort=False):
        means = rows.groupby("t_sample_s")[schema.BER].mean().sort_index(ascending=False)
        best[str(cell)] = float(means.idxmin()) if means.notna().any() else float(means.index[0])
    return best


#: Columns that describe a condition (as opposed to its statistics).
SETTING_COLUMNS = ("cell", "corner", "temp_c", "vdd_v", "compliance_a", "rows", "t_sample_s")


class Verdict(enum.StrEnum):
    """Shmoo verdict of one condition against a failure-rate target."""

    PASS = "pass"  # the whole 95 % interval is at or below the target
    FAIL = "fail"  # the whole interval is above the target
    UNDETERMINED = "undetermined"  # the interval straddles the target: more samples needed


def read_failures(ber: pd.DataFrame) -> pd.DataFrame:
    """Per condition, the reads that did not deliver the expected value, with 95 % intervals.

    Since the read-outcome definition (:mod:`rram_ber.characterization.outcome`) this is the
    BER itself: a read fails when it is wrong, undecided at the sampling time, or its
    simulation failed, which is what ``ber.csv``'s ``n_errors`` and ``ber`` count for
    Monte-Carlo rows and what the rare-event estimates count (a table written before is read
    into these columns by ``upgrade_ber_table``).

    Returns
    -------
    pandas.DataFrame
        ``condition_id``, ``n_fail``, ``n``, ``p_fail``, ``p_fail_low``, ``p_fail_high``.
    """
    table = upgrade_ber_table(ber)
    return pd.DataFrame(
        {
            schema.CONDITION_ID: table[schema.CONDITION_ID],
            "n_fail": table[schema.N_ERRORS],
            "n": table[schema.N_SAMPLES],
            "p_fail": table[schema.BER],
            "p_fail_low": table[schema.BER_CI_LOW],
            "p_fail_high": table[schema.BER_CI_HIGH],
        }
    ).reset_index(drop=True)


def verdict(low: float, high: float, target: float) -> Verdict:
    """Pass/fail/undetermined of an interval ``[low, high]`` against ``target``."""
    if high <= target:
        return Verdict.PASS
    if low > target:
        return Verdict.FAIL
    return Verdict.UNDETERMINED


def shmoo_table(ber: pd.DataFrame, target: float) -> pd.DataFrame:
    """Shmoo verdicts: every condition's read-failure rate against ``target``.

    Returns
    -------
    pandas.DataFrame
        The condition's settings, ``p_fail`` with its interval, and ``verdict``.
    """
    failures = read_failures(ber)
    settings = [c for c in SETTING_COLUMNS if c in ber.columns]
    table = ber[[schema.CONDITION_ID, *settings]].merge(failures, on=schema.CONDITION_ID)
    table["verdict"] = [
        verdict(lo, hi, target).value
        for lo, hi in zip(table["p_fail_low"], table["p_fail_high"], strict=True)
    ]
    return table


def operating_windows(ber: pd.DataFrame) -> pd.DataFrame:
    """For each ternary (corner, temperature): the VDD and sampling time of lowest error.

    The ternary error is ``ber``: every read that did not deliver the stored +1/0/-1 (wrong,
    undecided at the sampling time, or failed simulation), over all reads. Ties are broken
    by the lower upper confidence bound, then by the higher VDD. The binary 2T2R read at the
    same (corner, temperature, VDD, sampling time), when the campaign has it, is put beside.

    Returns
    -------
    pandas.DataFrame
        One row per (corner, temp_c): ``vdd_v``, ``t_sample_s``, ternary ``ber`` and interval,
        and ``binary_ber`` / ``binary_ber_report`` (NaN / empty when absent).
    """
    if "cell" not in ber.columns:
        return pd.DataFrame()
    ternary = ber[is_ternary(ber)]
    rows = []
    for (corner, temp), group in ternary.groupby(["corner", "temp_c"], sort=False):
        ordered = group.sort_values(
            [schema.BER, schema.BER_CI_HIGH, "vdd_v"], ascending=[True, True, False]
        )
        best = ordered.iloc[0]
        match = conditions_at(ber, CampaignCell.TWO_T_TWO_R, best)
        rows.append(
            {
                "corner": corner,
                "temp_c": temp,
                "vdd_v": best["vdd_v"],
                "t_sample_s": best["t_sample_s"],
                "ternary_ber": best[schema.BER],
                "ternary_ber_ci_low": best[schema.BER_CI_LOW],
                "ternary_ber_ci_high": best[schema.BER_CI_HIGH],
                "ternary_ber_report": best[schema.BER_REPORT],
                "binary_ber": match[schema.BER].iloc[0] if len(match) else np.nan,
                "binary_ber_report": match[schema.BER_REPORT].iloc[0] if len(match) else "",
            }
        )
    return pd.DataFrame(rows)


#: Settings that identify an operating point in both tables.
_POINT_KEYS = ("cell", "corner", "temp_c", "vdd_v", "t_sample_s")


def rows_at_settings(table: pd.DataFrame, point: Mapping[str, Any]) -> pd.DataFrame:
    """Rows of ``table`` with the settings (cell, corner, temperature, VDD, sampling time) of
    ``point``; settings missing from either side are not compared."""
    match = np.ones(len(table), dtype=bool)
    for key in _POINT_KEYS:
        if key in table.columns and key in point:
            match &= np.asarray([_equal(v, point[key]) for v in table[key]], dtype=bool)
    return table[match]


def operating_point_table(sweep: pd.DataFrame, rare: pd.DataFrame) -> pd.DataFrame:
    """Rare-event BERs of operating points next to the brute-force sweep at the same settings.

    One row per row of ``rare`` (a ``ber.csv`` of an importance or scaled-sigma campaign): its
    settings, the sweep's ``ber_report`` there (empty if the sweep has no such condition) and
    the estimate's ``ber_report`` with its interval. Both count a wrong read, an undecided read
    and a failed simulation as a failure (:mod:`rram_ber.characterization.outcome`), so they
    estimate the same quantity.
    """
    keys = [k for k in _POINT_KEYS if k in rare.columns and k in sweep.columns]
    rows = []
    for _, point in rare.iterrows():
        brute = rows_at_settings(sweep, {key: point[key] for key in keys})
        rows.append(
            {
                **{key: point[key] for key in keys},
                "monte-carlo": brute[schema.BER_REPORT].iloc[0] if len(brute) else "",
                "rare-event": point[schema.BER_REPORT],
                schema.BER_CI_LOW: point[schema.BER_CI_LOW],
                schema.BER_CI_HIGH: point[schema.BER_CI_HIGH],
            }
        )
    return pd.DataFrame(rows)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    return bool(same_value(float(a), float(b)))
