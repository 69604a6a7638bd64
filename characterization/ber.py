"""Bit-error rates with confidence intervals, from sample rows (pure functions, no simulator).

The column conventions are those of :mod:`characterization.schema`. ``analysis`` reuses these
functions for reports; they live here because a campaign writes ``ber.csv`` itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import beta

from characterization import schema

CONFIDENCE = 0.95


def clopper_pearson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact (Clopper-Pearson) two-sided interval of a binomial proportion.

    ``low = B(alpha/2; k, n-k+1)`` and ``high = B(1-alpha/2; k+1, n-k)`` with ``B`` the beta
    quantile function, ``low = 0`` when ``k = 0`` and ``high = 1`` when ``k = n``
    (C. J. Clopper, E. S. Pearson, "The use of confidence or fiducial limits illustrated in the
    case of the binomial", Biometrika 26(4):404-413, 1934). The coverage is at least
    ``confidence`` for every true proportion.

    Parameters
    ----------
    k : int
        Observed events (errors), 0 <= k <= n.
    n : int
        Trials (resolved reads); with n = 0 the interval is (0, 1).
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    tuple of float
        ``(low, high)``.
    """
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    alpha = 1.0 - confidence
    low = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def ber_report(k: int, n: int, low: float, high: float) -> str:
    """Text of a BER for people: the estimate with its interval, ``"< upper"`` when k = 0."""
    if n == 0:
        return "no resolved reads"
    if k == 0:
        return f"< {high:.2g}"
    return f"{k / n:.3g} [{low:.2g}, {high:.2g}]"


def _errors_among(frame: pd.DataFrame, expected: int) -> tuple[int, int]:
    subset = frame[(frame[schema.EXPECTED] == expected) & frame[schema.RESOLVED]]
    return int(subset[schema.ERROR].sum()), len(subset)


def ber_row(frame: pd.DataFrame, binary: bool) -> dict[str, Any]:
    """BER statistics of one condition's sample rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        Sample rows of one condition (``status``, ``expected``, ``resolved``, ``error``).
    binary : bool
        Whether the cell is binary (adds the per-stored-value error rates).
    """
    ok = frame[frame[schema.STATUS] == schema.STATUS_OK]
    n_failed = int((frame[schema.STATUS] != schema.STATUS_OK).sum())
    resolved = ok[ok[schema.RESOLVED]]
    n_resolved = len(resolved)
    n_errors = int(resolved[schema.ERROR].sum())
    low, high = clopper_pearson(n_errors, n_resolved)
    row: dict[str, Any] = {
        schema.METHOD: "monte-carlo",
        schema.N_SAMPLES: len(frame),
        schema.N_RESOLVED: n_resolved,
        schema.N_UNRESOLVED: len(ok) - n_resolved,
        schema.N_FAILED: n_failed,
        schema.N_ERRORS: n_errors,
        schema.BER: n_errors / n_resolved if n_resolved else math.nan,
        schema.BER_CI_LOW: low,
        schema.BER_CI_HIGH: high,
        schema.BER_REPORT: ber_report(n_errors, n_resolved, low, high),
        schema.P_ERROR_PLUS: math.nan,
        schema.P_ERROR_MINUS: math.nan,
    }
    if binary:
        for stored, column in ((1, schema.P_ERROR_PLUS), (-1, schema.P_ERROR_MINUS)):
            k, n = _errors_among(ok, stored)
            row[column] = k / n if n else math.nan
    return row


def ber_table(
    samples: pd.DataFrame,
    condition_settings: Mapping[int, Mapping[str, Any]],
    binary_conditions: Sequence[int],
) -> pd.DataFrame:
    """One row per condition: its settings, then the BER columns of the schema.

    Parameters
    ----------
    samples : pandas.DataFrame
        All sample rows (with ``condition_id``).
    condition_settings : mapping
        condition id -> its swept settings (columns written before the statistics).
    binary_conditions : sequence of int
        Ids of conditions whose cells store binary weights.
    """
    rows = []
    for condition_id, settings in sorted(condition_settings.items()):
        frame = samples[samples[schema.CONDITION_ID] == condition_id]
        rows.append(
            {
                schema.CONDITION_ID: condition_id,
                **settings,
                **ber_row(frame, condition_id in binary_conditions),
            }
        )
    return pd.DataFrame(rows)


def confusion_table(samples: pd.DataFrame, read_values: Sequence[int] = (1, 0, -1)) -> pd.DataFrame:
    """P(read | expected) per condition with Clopper-Pearson intervals (failed samples excluded).

    The ``stored`` column of the result holds the expected value (the weight, or ``w * x`` for
    XNOR reads). For binary cells ``read`` = 0 counts the unresolved reads.
    """
    ok = samples[samples[schema.STATUS] == schema.STATUS_OK]
    rows = []
    for (condition_id, stored), group in ok.groupby([schema.CONDITION_ID, schema.EXPECTED]):
        total = len(group)
        decisions = group[schema.DECISION].to_numpy()
        for read in read_values:
            count = int(np.sum(decisions == read))
            low, high = clopper_pearson(count, total)
            rows.append(
                {
                    schema.CONDITION_ID: int(condition_id),
                    schema.STORED: int(stored),
                    schema.READ: read,
                    schema.COUNT: count,
                    schema.TOTAL: total,
                    schema.PROBABILITY: count / total,
                    schema.CI_LOW: low,
                    schema.CI_HIGH: high,
                }
            )
    return pd.DataFrame(rows, columns=list(schema.CONFUSION_COLUMNS))


def rare_ber_row(plus: Mapping[str, Any], minus: Mapping[str, Any]) -> dict[str, Any]:
    """BER statistics of one condition from its two rare-event estimates (stored +1 and -1).

    ``p_error_plus`` and ``p_error_minus`` are the two estimates and ``ber`` their mean (the
    samples of a Monte-Carlo campaign store each value half of the time). The interval of the
    mean is the mean of the two estimators' own intervals,
    ``[(l+ + l-) / 2, (h+ + h-) / 2]``: for two normal intervals ``p +- z se`` this is
    ``ber +- z (se+ + se-) / 2``, at least as wide as the exact ``z sqrt(se+^2 + se-^2) / 2``;
    and it keeps what the standard error cannot carry (the conservative bound of an estimate
    without failures, scaled-sigma's bootstrap interval, the widening of an estimate whose
    search may have missed a region). A failure here is a wrong or unresolved read, so
    ``n_unresolved`` is not counted apart. When an estimate says failure regions may be
    missing, ``ber_report`` says so.

    Raises
    ------
    ValueError
        If the combined interval has zero width or does not contain ``ber`` (a broken
        estimate: a rare-event row never claims certainty).
    """
    method = str(plus["method"])
    ber = 0.5 * (float(plus["p"]) + float(minus["p"]))
    low = 0.5 * (float(plus["ci_low"]) + float(minus["ci_low"]))
    high = 0.5 * (float(plus["ci_high"]) + float(minus["ci_high"]))
    # A NaN estimate (scaled-sigma without failures at three scales) keeps its interval.
    if not high > low or not (math.isnan(ber) or low <= ber <= high):
        raise ValueError(
            f"rare-event estimates of condition {plus.get('condition_id')} give the interval "
            f"[{low:g}, {high:g}] for ber = {ber:g}; expected a non-empty interval around it"
        )
    n = int(plus["n_evaluations"]) + int(minus["n_evaluations"])
    failures = int(plus["n_failures"]) + int(minus["n_failures"])
    label = method
    if plus.get("regions_may_be_missing") or minus.get("regions_may_be_missing"):
        label += "; regions may be missing, interval widened"
    return {
        schema.METHOD: method,
        schema.N_SAMPLES: n,
        schema.N_RESOLVED: math.nan,
        schema.N_UNRESOLVED: math.nan,
        schema.N_FAILED: 0,
        schema.N_ERRORS: failures,
        schema.BER: ber,
        schema.BER_CI_LOW: low,
        schema.BER_CI_HIGH: high,
        schema.BER_REPORT: _rare_report(ber, low, high, label),
        schema.P_ERROR_PLUS: float(plus["p"]),
        schema.P_ERROR_MINUS: float(minus["p"]),
    }


def _rare_report(ber: float, low: float, high: float, label: str) -> str:
    """``ber_report`` of a rare-event row: never a bare 0, never a zero-width interval."""
    if math.isnan(ber):
        return f"undetermined [{low:.2g}, {high:.2g}] ({label})"
    if ber == 0.0:
        return f"< {high:.2g} ({label})"
    return f"{ber:.3g} [{low:.2g}, {high:.2g}] ({label})"
