"""Bit-error rates with confidence intervals, from sample rows (pure functions, no simulator).

The column conventions are those of :mod:`rram_ber.characterization.schema`. ``analysis`` reuses
these functions for reports; they live here because a campaign writes ``ber.csv`` itself.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rram_ber.characterization import schema
from rram_ber.characterization.outcome import ReadOutcome, row_outcomes
from rram_ber.characterization.rare.intervals import CONFIDENCE, clopper_pearson
from rram_ber.characterization.rare.results import TAIL_DIAGNOSTIC, RareEstimate
from rram_ber.characterization.readout import read_mode

__all__ = [
    "CONFIDENCE",
    "ConditionTally",
    "ber_report",
    "ber_row",
    "ber_table",
    "clopper_pearson",
    "confusion_table",
    "estimated_confusion_rows",
    "ordered_ber_table",
    "rare_ber_row",
    "rare_ber_table",
    "rare_error_columns",
    "rare_estimates_of",
    "tally_ber_table",
    "tally_confusion_table",
    "tally_rows",
    "upgrade_ber_row",
    "upgrade_ber_table",
]


def ber_report(k: int, n: int, low: float, high: float) -> str:
    """Text of a BER for people: the estimate with its interval, ``"< upper"`` when k = 0."""
    if n == 0:
        return "no reads"
    if k == 0:
        return f"< {high:.2g}"
    return f"{k / n:.3g} [{low:.2g}, {high:.2g}]"


@dataclass
class ConditionTally:
    """Counts of one condition's sample rows: all a BER row and its confusion rows need.

    A tally is filled chunk by chunk (:meth:`add`), so a campaign aggregates its results as
    they arrive instead of reading every stored chunk back at the end; adding the same rows
    in any split gives the same counts, hence the same tables. Each row's outcome is the one
    of :mod:`rram_ber.characterization.outcome`.

    Attributes
    ----------
    n_samples, n_failed : int
        Rows, and rows whose simulation failed.
    values : dict
        ``expected -> {value: count}`` over the reads that delivered a value (correct or wrong).
    decided : dict
        ``expected -> (reads that delivered a value, wrong reads)``.
    reads : dict
        ``expected -> (rows, failed simulations)``, every row.
    """

    n_samples: int = 0
    n_failed: int = 0
    values: dict[int, Counter[int]] = field(default_factory=dict)
    decided: dict[int, tuple[int, int]] = field(default_factory=dict)
    reads: dict[int, tuple[int, int]] = field(default_factory=dict)

    def add(self, frame: pd.DataFrame) -> None:
        """Count the rows of ``frame`` (rows of this condition only)."""
        self._add(*_columns(frame))

    def _add(self, outcome: np.ndarray, expected: np.ndarray, decision: np.ndarray) -> None:
        failed = outcome == ReadOutcome.FAILED
        delivered = (outcome == ReadOutcome.CORRECT) | (outcome == ReadOutcome.WRONG)
        wrong = outcome == ReadOutcome.WRONG
        self.n_samples += len(outcome)
        self.n_failed += int(failed.sum())
        for value in np.unique(expected):
            mine = expected == value
            key = int(value)
            n, f = self.reads.get(key, (0, 0))
            self.reads[key] = (n + int(mine.sum()), f + int((mine & failed).sum()))
            counter = self.values.setdefault(key, Counter())
            counter.update(int(d) for d in decision[mine & delivered])
            n, k = self.decided.get(key, (0, 0))
            self.decided[key] = (n + int((mine & delivered).sum()), k + int((mine & wrong).sum()))

    def ber_row(self, binary: bool) -> dict[str, Any]:
        """BER statistics of the counted rows (see :func:`ber_row`)."""
        n = self.n_samples
        n_decided = sum(d for d, _ in self.decided.values())
        n_wrong = sum(k for _, k in self.decided.values())
        n_undecided = n - self.n_failed - n_decided
        n_errors = n_wrong + n_undecided + self.n_failed
        low, high = clopper_pearson(n_errors, n)
        row: dict[str, Any] = {
            schema.METHOD: "monte-carlo",
            schema.N_SAMPLES: n,
            schema.N_DECIDED: n_decided,
            schema.N_UNDECIDED: n_undecided,
            schema.N_FAILED: self.n_failed,
            schema.N_WRONG: n_wrong,
            schema.N_ERRORS: n_errors,
            schema.BER: n_errors / n if n else math.nan,
            schema.BER_CI_LOW: low,
            schema.BER_CI_HIGH: high,
            schema.BER_REPORT: ber_report(n_errors, n, low, high),
            schema.UNDECIDED_SHARE: n_undecided / n if n else math.nan,
            schema.FAILED_SHARE: self.n_failed / n if n else math.nan,
            schema.P_ERROR_PLUS: math.nan,
            schema.P_ERROR_MINUS: math.nan,
        }
        if binary:
            for stored, column in ((1, schema.P_ERROR_PLUS), (-1, schema.P_ERROR_MINUS)):
                reads, _ = self.reads.get(stored, (0, 0))
                correct = self.values.get(stored, Counter()).get(stored, 0)
                row[column] = (reads - correct) / reads if reads else math.nan
        return row

    def confusion_rows(
        self, condition_id: int, read_values: Sequence[int] = (1, 0, -1)
    ) -> list[dict[str, Any]]:
        """Outcome rows of this condition per expected value (see :func:`confusion_table`)."""
        rows = []
        for stored in sorted(self.reads):
            total, failed = self.reads[stored]
            values = self.values.get(stored, Counter())
            delivered, _ = self.decided.get(stored, (0, 0))
            counts: list[tuple[float, ReadOutcome, int]] = [
                (
                    read,
                    ReadOutcome.CORRECT if read == stored else ReadOutcome.WRONG,
                    values.get(read, 0),
                )
                for read in read_values
            ]
            counts += [
                (math.nan, ReadOutcome.UNDECIDED, total - failed - delivered),
                (math.nan, ReadOutcome.FAILED, failed),
            ]
            for read, outcome, count in counts:
                low, high = clopper_pearson(count, total)
                rows.append(
                    {
                        schema.CONDITION_ID: condition_id,
                        schema.STORED: stored,
                        schema.READ: read,
                        schema.OUTCOME: str(outcome),
                        schema.COUNT: count,
                        schema.TOTAL: total,
                        schema.PROBABILITY: count / total,
                        schema.CI_LOW: low,
                        schema.CI_HIGH: high,
                    }
                )
        return rows


def tally_rows(samples: pd.DataFrame, tallies: dict[int, ConditionTally]) -> None:
    """Add sample rows of any conditions to ``tallies`` (condition id -> tally)."""
    if samples.empty:
        return
    columns = _columns(samples)
    ids = samples[schema.CONDITION_ID].to_numpy()
    for condition_id in np.unique(ids):
        mine = ids == condition_id
        tally = tallies.setdefault(int(condition_id), ConditionTally())
        tally._add(*(column[mine] for column in columns))


def _columns(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a tally counts, as arrays: each row's outcome, expected value and decision."""
    ok = (frame[schema.STATUS] == schema.STATUS_OK).to_numpy()
    resolved = frame[schema.RESOLVED].fillna(False).to_numpy(dtype=bool)
    error = frame[schema.ERROR].fillna(False).to_numpy(dtype=bool)
    outcome = row_outcomes(ok, resolved, error)
    return outcome, frame[schema.EXPECTED].to_numpy(), frame[schema.DECISION].to_numpy()


def ber_row(frame: pd.DataFrame, binary: bool) -> dict[str, Any]:
    """BER statistics of one condition's sample rows: the ``ber.csv`` columns of the schema.

    Every row's outcome (:mod:`rram_ber.characterization.outcome`) counts: ``ber`` =
    ``(n_wrong + n_undecided + n_failed) / n_samples``, with the undecided and failed shares
    beside it. For a binary cell ``p_error_plus`` / ``p_error_minus`` are the same rate over
    the reads of expected +1 / -1.

    Parameters
    ----------
    frame : pandas.DataFrame
        Sample rows of one condition (``status``, ``expected``, ``resolved``, ``error``,
        ``decision``).
    binary : bool
        Whether the cell is binary (adds the per-stored-value error rates).
    """
    tally = ConditionTally()
    tally.add(frame)
    return tally.ber_row(binary)


def tally_ber_table(
    tallies: Mapping[int, ConditionTally],
    condition_settings: Mapping[int, Mapping[str, Any]],
    binary_conditions: Sequence[int],
) -> pd.DataFrame:
    """One row per condition from its tally: its settings, then the BER columns."""
    rows = []
    for condition_id, settings in sorted(condition_settings.items()):
        tally = tallies.get(condition_id, ConditionTally())
        rows.append(
            {
                schema.CONDITION_ID: condition_id,
                **settings,
                **tally.ber_row(condition_id in binary_conditions),
            }
        )
    return pd.DataFrame(rows)


def tally_confusion_table(
    tallies: Mapping[int, ConditionTally],
    binary_conditions: Collection[int] = (),
    estimated: Mapping[int, Mapping[int, tuple[float, float, float]]] | None = None,
) -> pd.DataFrame:
    """Outcome rows per condition and expected value from the tallies (see
    :func:`confusion_table`); the conditions of ``binary_conditions`` read +1 or -1 only.

    ``estimated`` maps the conditions whose BER comes from rare-event estimates (an auto
    campaign's switched conditions) to their error rate per expected value, ``expected ->
    (p, ci_low, ci_high)``: their rows are :func:`estimated_confusion_rows`, so that their
    read-out model has the BER of their ``ber.csv`` row.
    """
    estimated = estimated or {}
    rows = []
    for condition_id in sorted(tallies.keys() | estimated.keys()):
        read_values = (1, -1) if condition_id in binary_conditions else (1, 0, -1)
        tally = tallies.get(condition_id, ConditionTally())
        if condition_id in estimated:
            rows += estimated_confusion_rows(
                condition_id, estimated[condition_id], tally, read_values
            )
        else:
            rows += tally.confusion_rows(condition_id, read_values)
    table = pd.DataFrame(rows, columns=list(schema.CONFUSION_COLUMNS))
    # Read values and counts as integers, empty where the read delivered no value or the row
    # is an estimate (no count).
    return table.astype({schema.READ: "Int64", schema.COUNT: "Int64", schema.TOTAL: "Int64"})


def estimated_confusion_rows(
    condition_id: int,
    rates: Mapping[int, tuple[float, float, float]],
    tally: ConditionTally,
    read_values: Sequence[int],
) -> list[dict[str, Any]]:
    """Read-out rows of a condition whose BER comes from rare-event estimates.

    Per expected value ``e`` with estimated error rate ``p_e`` and 95 % interval
    ``[l_e, h_e]`` (``rates[e]``): the correct read has ``p = 1 - p_e`` (interval ``[1 - h_e,
    1 - l_e]``), each wrong value ``r`` has ``p = share_r p_e`` (interval ``share_r [l_e,
    h_e]``). The estimates count a read as failed whatever it delivered (a wrong value, no
    value in time, a failed simulation), so the split between the wrong values comes from the
    condition's Monte-Carlo reads of ``e`` (``tally``): ``share_r`` is proportional to the
    reads that delivered ``r`` plus the undecided and failed ones spread evenly over the
    wrong values, as the BER counts them (:mod:`rram_ber.analysis.bnn.ber_table` reads a
    count table the same way); without any failed Monte-Carlo read of ``e``, evenly. The rows
    have no ``count`` and ``total`` (they are estimates) and no undecided or failed row, so
    each expected value's ``p`` sum to 1 and one minus the correct row's is ``p_e``.

    Parameters
    ----------
    condition_id : int
        The condition.
    rates : mapping
        ``expected -> (p, ci_low, ci_high)``, the estimated error rate of each expected value.
    tally : ConditionTally
        The condition's Monte-Carlo reads (empty: even split).
    read_values : sequence of int
        The values a read can deliver, in the table's order ((1, 0, -1) or (1, -1)).
    """
    rows = []
    for stored in sorted(rates):
        p, low, high = rates[stored]
        wrong_values = [r for r in read_values if r != stored]
        total, _ = tally.reads.get(stored, (0, 0))
        delivered, _ = tally.decided.get(stored, (0, 0))
        values = tally.values.get(stored, Counter())
        no_value = (total - delivered) / len(wrong_values)
        weights = [values.get(r, 0) + no_value for r in wrong_values]
        shares = (
            [w / sum(weights) for w in weights]
            if sum(weights) > 0
            else [1 / len(wrong_values)] * len(wrong_values)
        )
        share_of = dict(zip(wrong_values, shares, strict=True))
        for read in read_values:
            correct = read == stored
            rows.append(
                {
                    schema.CONDITION_ID: condition_id,
                    schema.STORED: stored,
                    schema.READ: read,
                    schema.OUTCOME: str(ReadOutcome.CORRECT if correct else ReadOutcome.WRONG),
                    schema.COUNT: pd.NA,
                    schema.TOTAL: pd.NA,
                    schema.PROBABILITY: 1.0 - p if correct else share_of[read] * p,
                    schema.CI_LOW: 1.0 - high if correct else share_of[read] * low,
                    schema.CI_HIGH: 1.0 - low if correct else share_of[read] * high,
                }
            )
    return rows


def upgrade_ber_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``ber.csv`` row read back, in the columns of the schema (a new dict).

    Tables written before the outcome definition (:mod:`rram_ber.characterization.outcome`)
    have ``n_resolved`` / ``n_unresolved`` and a Monte-Carlo ``ber`` over resolved reads only.
    Their Monte-Carlo rows get ``n_decided`` = ``n_resolved``, ``n_undecided`` =
    ``n_unresolved``, ``n_wrong`` = the old ``n_errors``, and the BER over all reads:
    ``n_errors`` = wrong + undecided + failed reads and ``ber`` = ``n_errors / n_samples`` with
    its Clopper-Pearson interval and report. Every read that was not correct is counted either
    way, so this is the BER the campaign writes now; only the split between wrong and
    undecided may differ (such tables counted a binary column read with both outputs still
    high as a wrong read). Their ``p_error_plus`` / ``p_error_minus`` were over resolved reads
    and become NaN (readers fall back to ``ber``). Rare-event rows already counted every
    failure and are only renamed. A row in the current columns is returned as it is.
    Values may be numbers or their text (a ``csv`` row); the counts it recomputes are numbers.
    """
    if schema.LEGACY_N_UNRESOLVED not in row or schema.N_UNDECIDED in row:
        return dict(row)
    names = {
        schema.LEGACY_N_RESOLVED: schema.N_DECIDED,
        schema.LEGACY_N_UNRESOLVED: schema.N_UNDECIDED,
    }
    new = {names.get(key, key): value for key, value in row.items()}
    if str(row.get(schema.METHOD, "monte-carlo")) != "monte-carlo":
        return new
    n, wrong, undecided, failed = (
        int(float(row[c]))
        for c in (schema.N_SAMPLES, schema.N_ERRORS, schema.LEGACY_N_UNRESOLVED, schema.N_FAILED)
    )
    k = wrong + undecided + failed
    low, high = clopper_pearson(k, n)
    new.update(
        {
            schema.N_WRONG: wrong,
            schema.N_ERRORS: k,
            schema.BER: k / n if n else math.nan,
            schema.BER_CI_LOW: low,
            schema.BER_CI_HIGH: high,
            schema.BER_REPORT: ber_report(k, n, low, high),
            schema.UNDECIDED_SHARE: undecided / n if n else math.nan,
            schema.FAILED_SHARE: failed / n if n else math.nan,
            schema.P_ERROR_PLUS: math.nan,
            schema.P_ERROR_MINUS: math.nan,
        }
    )
    return new


def upgrade_ber_table(table: pd.DataFrame) -> pd.DataFrame:
    """A ``ber.csv`` read back, in the columns of the schema (:func:`upgrade_ber_row` on every
    row; the condition's settings first, the BER columns in the schema's order, then any
    others such as an auto campaign's). A table in the current columns is returned as a copy."""
    if schema.LEGACY_N_UNRESOLVED not in table.columns or schema.N_UNDECIDED in table.columns:
        return table.copy()
    rows = [upgrade_ber_row(row) for row in table.to_dict("records")]
    return ordered_ber_table(pd.DataFrame(rows, index=table.index))


def ordered_ber_table(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the condition's settings first, then the BER columns it has in the
    schema's order, then any others (an auto campaign's). Rows built with different columns
    (an auto campaign's Monte-Carlo and rare-event rows) otherwise leave the columns the
    first row lacks at the end."""
    statistics = [c for c in schema.BER_COLUMNS if c in table.columns]
    if not statistics:
        return table
    first = min(list(table.columns).index(c) for c in statistics)
    before = [c for c in table.columns[:first] if c not in statistics]
    after = [c for c in table.columns[first:] if c not in statistics]
    return table[[*before, *statistics, *after]]


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
    tallies: dict[int, ConditionTally] = {}
    tally_rows(samples, tallies)
    return tally_ber_table(tallies, condition_settings, binary_conditions)


def confusion_table(samples: pd.DataFrame, binary_conditions: Collection[int] = ()) -> pd.DataFrame:
    """Read outcomes per condition and expected value, with Clopper-Pearson intervals.

    The ``stored`` column holds the expected value (the weight, or ``w * x`` for XNOR reads).
    Per expected value: one row per value a read can deliver (``read`` +1, 0, -1; +1 and -1
    for the conditions of ``binary_conditions``), ``outcome`` correct or wrong; then the
    undecided reads and the failed simulations (``read`` NaN). ``total`` counts every read
    of the expected value, so the rows' ``p`` sum to 1 and the correct row's is 1 - its BER.
    """
    tallies: dict[int, ConditionTally] = {}
    tally_rows(samples, tallies)
    return tally_confusion_table(tallies, binary_conditions)


def rare_ber_row(*estimates: RareEstimate, error_columns: bool = True) -> dict[str, Any]:
    """BER statistics of one condition from its rare-event estimates, one per stored value.

    ``ber`` is the mean of the estimates (the samples of a Monte-Carlo campaign store each
    value equally often: +1 and -1, ternary +1, 0 and -1; an XNOR estimate already averages
    its two inputs, see :mod:`~rram_ber.characterization.rare_task`). The estimates are
    independent (each draws from its own seed), so when every one of them is an estimate (a
    failure seen, not a bound alone) the interval of the mean adds their half-widths in
    quadrature, each side apart: ``ber - sqrt(sum (p_s - l_s)^2) / n`` to ``ber + sqrt(sum
    (h_s - p_s)^2) / n``. For normal intervals ``p_s +- z se_s`` this is the exact ``ber +- z
    sqrt(sum se_s^2) / n``; a side an estimator widened (the Clopper-Pearson floor of an
    estimate with few effective failures, the widening of one whose search may have missed a
    region) stays widened. When an estimate is a bound only (no failure) or undetermined, the
    interval is the mean of the estimators' own intervals, ``[mean(l_s), mean(h_s)]``, which
    is never narrower and keeps a conservative bound as it is. A failure here is a wrong or
    unresolved read, so ``n_unresolved`` is not counted apart. When every estimate
    is an upper bound only, the report is the bound (``< bound``); when an estimate says
    failure regions may be missing, the report says so.

    Parameters
    ----------
    *estimates : RareEstimate
        The condition's estimates, one per stored value (binary: +1 then -1).
    error_columns : bool
        Whether ``p_error_plus`` and ``p_error_minus`` are the estimates of stored +1 and -1
        (a binary read without input). False for an XNOR read, whose 2 x 2 error model is by
        expected value ``w * x``, not by stored weight: NaN, as for a ternary condition (an
        estimate of stored 0 among them), whose 3 x 3 model has no place in these columns.

    Raises
    ------
    ValueError
        If no estimate is given, or the combined interval has zero width or does not contain
        ``ber`` (a broken estimate: a rare-event row never claims certainty).
    """
    if not estimates:
        raise ValueError("rare_ber_row needs at least one estimate")
    results = [e.result for e in estimates]
    first = results[0]
    n = len(results)
    ber = sum(r.p for r in results) / n
    if all(math.isfinite(r.p) and not r.upper_bound_only for r in results):
        low = max(0.0, ber - math.hypot(*(r.p - r.ci_low for r in results)) / n)
        high = ber + math.hypot(*(r.ci_high - r.p for r in results)) / n
    else:
        low = sum(r.ci_low for r in results) / n
        high = sum(r.ci_high for r in results) / n
    # A NaN estimate (scaled-sigma without failures at three scales) keeps its interval.
    if not high > low or not (math.isnan(ber) or low <= ber <= high):
        raise ValueError(
            f"rare-event estimates of condition {estimates[0].condition_id} give the interval "
            f"[{low:g}, {high:g}] for ber = {ber:g}; expected a non-empty interval around it"
        )
    label = first.method
    if any(r.regions_may_be_missing for r in results):
        label += "; regions may be missing, interval widened"
    tail = first.diagnostics.get(TAIL_DIAGNOSTIC)
    if isinstance(tail, dict):
        # Measured devices below their data's resolution: the number rests on the tail model.
        label += (
            f"; devices: {tail.get('model')} tail fitted to {tail.get('lrs_devices')} LRS and "
            f"{tail.get('hrs_devices')} HRS measured values"
        )
    if math.isnan(ber):
        report = f"undetermined [{low:.2g}, {high:.2g}] ({label})"
    elif all(r.upper_bound_only for r in results):
        report = f"< {high:.2g} ({label})"
    else:
        report = f"{ber:.3g} [{low:.2g}, {high:.2g}] ({label})"
    by_stored = {e.stored: e.result.p for e in estimates}
    binary = error_columns and 0 not in by_stored
    return {
        schema.METHOD: first.method,
        schema.N_SAMPLES: sum(r.n_evaluations for r in results),
        schema.N_RESOLVED: math.nan,
        schema.N_UNRESOLVED: math.nan,
        schema.N_FAILED: 0,
        schema.N_ERRORS: sum(r.n_failures for r in results),
        schema.BER: ber,
        schema.BER_CI_LOW: low,
        schema.BER_CI_HIGH: high,
        schema.BER_REPORT: report,
        schema.P_ERROR_PLUS: by_stored.get(1, math.nan) if binary else math.nan,
        schema.P_ERROR_MINUS: by_stored.get(-1, math.nan) if binary else math.nan,
    }


#: Each of a condition's ``k`` rare-event estimates in an auto campaign stops at
#: ``target * sqrt(k) * ESTIMATE_TARGET_FACTOR`` (:func:`estimate_target`): the mean of ``k``
#: independent estimates of equal ``p`` and relative half-width ``h`` has ``h / sqrt(k)``, and
#: 0.9 leaves room for estimates whose ``p`` differ (up to about 2.3x for ``k = 2``).
ESTIMATE_TARGET_FACTOR = 0.9


def estimate_target(target: float, estimates: int) -> float:
    """The relative half-width at which each of a condition's ``estimates`` independent
    rare-event estimates (one per stored value) stops so that their mean, the condition's BER
    (:func:`rare_ber_row`), reaches ``target``.

    The interval of the mean adds the half-widths in quadrature: with ``k`` estimates of
    ``p_s`` each at relative half-width ``h``, the mean's is ``h sqrt(sum p_s^2) / sum p_s``,
    ``h / sqrt(k)`` for equal ``p_s`` and at most ``h``. The returned ``h = target sqrt(k)
    ESTIMATE_TARGET_FACTOR`` reaches the target while the ``p_s`` differ moderately; where one
    stored value dominates, the row misses it (stop reason ``estimates-stopped``).

    Examples
    --------
    >>> round(estimate_target(0.2, 2), 4)
    0.2546
    """
    return target * math.sqrt(estimates) * ESTIMATE_TARGET_FACTOR


def rare_estimates_of(
    by_key: Mapping[tuple[int, int], RareEstimate], condition_id: int, cell: str
) -> list[RareEstimate]:
    """The estimates of one condition, one per value its read mode (``cell``, e.g.
    ``"ternary"``) stores, in the mode's order (binary: +1 then -1).

    Parameters
    ----------
    by_key : mapping
        ``(condition_id, stored) -> estimate``.

    Raises
    ------
    ValueError
        If the estimate of a stored value is missing (naming them).
    """
    values = read_mode(cell).stored_values
    missing = [s for s in values if (condition_id, s) not in by_key]
    if missing:
        raise ValueError(f"condition {condition_id} has no estimate for stored {missing}")
    return [by_key[(condition_id, s)] for s in values]


def rare_error_columns(cell: str) -> bool:
    """Whether a condition's rare-event row carries ``p_error_plus`` / ``p_error_minus`` (see
    :func:`rare_ber_row`): a binary read without input."""
    mode = read_mode(cell)
    return not mode.ternary and not mode.activations


def rare_ber_table(
    estimates: Sequence[RareEstimate], condition_settings: Mapping[int, Mapping[str, Any]]
) -> pd.DataFrame:
    """One row per condition from its estimates (one per stored value of its read mode, the
    ``cell`` of its settings): its settings, then the BER columns.

    Raises
    ------
    ValueError
        If a condition lacks the estimate of a stored value (naming it), or an estimate is
        broken (see :func:`rare_ber_row`).
    """
    by_key = {(e.condition_id, e.stored): e for e in estimates}
    rows = []
    for condition_id, settings in sorted(condition_settings.items()):
        # Settings without a cell (hand-made tables) are binary 2T2R reads.
        cell = str(settings.get("cell", "2t2r"))
        mine = rare_estimates_of(by_key, condition_id, cell)
        rows.append(
            {
                schema.CONDITION_ID: condition_id,
                **settings,
                **rare_ber_row(*mine, error_columns=rare_error_columns(cell)),
            }
        )
    return pd.DataFrame(rows)
