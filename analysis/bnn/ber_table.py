"""Transition matrices from a campaign's ``ber.csv`` (and ``confusion.csv`` beside it).

The columns and conventions are those of :mod:`rram_ber.characterization.schema`:

* a **binary** condition gives the asymmetric 2 x 2 matrix with ``P(read -1 | stored +1) =
  p_error_plus`` and ``P(read +1 | stored -1) = p_error_minus``; a side whose value is NaN
  (e.g. no read of that stored value, or a table written before the read-outcome definition)
  falls back to the symmetric ``ber``. As in the BER, an undecided read or a failed simulation
  is a flipped bit;
* a **ternary** condition (one whose rows in ``confusion.csv`` include ``stored = 0``) gives the
  3 x 3 matrix of the ``p`` column, rows and columns in the order (-1, 0, +1); pairs absent from
  the table have probability 0. The share of a stored value's undecided reads and failed
  simulations (rows without a ``read`` value) is counted as wrong, half to each wrong value,
  so one minus the diagonal is the value's BER as ``ber.csv`` counts it.

The matrices are applied to the stored weights. For a plain weight read that is exactly the
table's meaning. For an XNOR-PCSA read (``stored`` = the expected product ``w * x``), the error
is on the product: a symmetric matrix is then equivalent (a flipped product is a flipped weight
for that input), an asymmetric one is applied to the weights as an approximation.

Only numbers are read from the files; the other columns of ``ber.csv`` (the condition's
settings, e.g. ``cell``, ``vdd_v``, ``temp_c``, ``corner``) are kept as text for reports.

**One BER per condition.** :func:`resolve_ber` decides, from a row's ``ber`` and
``ber_ci_high``, the one BER a condition stands for and how well it is known
(:class:`Resolution`); :func:`read_ber_table` builds each condition's matrix at that BER. The
report's headline and accuracy section, ``rram-ber evaluate --ber-table`` and
``rram_ber.api.evaluate_accuracy`` all go through it, so they give one accuracy per condition.
"""

from __future__ import annotations

import csv
import enum
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rram_ber.analysis.bnn.errors import TransitionMatrix
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.characterization import schema
from rram_ber.characterization.ber import upgrade_ber_row
from rram_ber.core.validation import MissingParameterError, ParameterError, check_range

CONFUSION_FILE = "confusion.csv"

#: Resolution floor [-] when the campaign sets none (``[campaign] resolve_below``): a
#: zero-error upper bound at or below it answers every question a network can ask.
DEFAULT_RESOLVE_BELOW = 1e-9


class Resolution(enum.StrEnum):
    """How well a condition's BER is known (the ``ber_resolution`` column of the tables)."""

    ESTIMATED = "estimated"  # failures were seen (or a rare-event estimate exists): the estimate
    BOUND_BELOW_FLOOR = "bound-below-floor"  # none seen, upper bound at or below the floor
    UNRESOLVED_BOUND = "unresolved-bound"  # none seen, upper bound above the floor
    UNMEASURED = "unmeasured"  # no BER at all (no reads): nothing to evaluate


@dataclass(frozen=True)
class ResolvedBer:
    """The one BER of a condition, as :func:`resolve_ber` decides it.

    Attributes
    ----------
    ber : float
        The BER the network is evaluated at [-]: the estimate, or the upper bound of the 95 %
        interval when no failure was seen (NaN when unmeasured).
    resolution : Resolution
        What ``ber`` is.
    floor : float
        The resolution floor it was decided against [-].
    """

    ber: float
    resolution: Resolution
    floor: float

    @property
    def is_bound(self) -> bool:
        """``ber`` is an upper bound (no failure seen), not an estimate."""
        return self.resolution in (Resolution.BOUND_BELOW_FLOOR, Resolution.UNRESOLVED_BOUND)

    @property
    def worst_case(self) -> bool:
        """An accuracy at ``ber`` is a worst case (the true BER may be anywhere below it)."""
        return self.resolution is Resolution.UNRESOLVED_BOUND

    def describe(self) -> str:
        """Short text for people, e.g. ``"< 0.148 (no error seen; worst case at the bound)"``."""
        if self.resolution is Resolution.ESTIMATED:
            return f"{self.ber:.3g} (estimate)"
        if self.resolution is Resolution.BOUND_BELOW_FLOOR:
            return f"< {self.ber:.3g} (no error seen, bound below the floor {self.floor:g})"
        if self.resolution is Resolution.UNRESOLVED_BOUND:
            return (
                f"< {self.ber:.3g} (no error seen, unresolved above the floor {self.floor:g}: "
                "evaluated at the bound, a worst case)"
            )
        return "unmeasured"


def resolve_ber(
    ber: float, ber_ci_high: float, resolve_below: float = DEFAULT_RESOLVE_BELOW
) -> ResolvedBer:
    """The one BER of a condition, from its ``ber.csv`` estimate and 95 % upper bound.

    Every consumer of a condition's BER (the report's headline and accuracy section,
    ``rram-ber evaluate --ber-table``, ``rram_ber.api.evaluate_accuracy``) goes through this
    function, so they give one accuracy for one condition.

    * **estimated**: failures were observed (``ber > 0``: Monte-Carlo errors, or an
      importance / scaled-sigma / subset estimate): the estimate. Its error model is the
      condition's own (binary: ``p_error_plus`` / ``p_error_minus``, a side without failures
      at 0; ternary: the ``confusion.csv`` matrix).
    * **bound-below-floor**: no failure seen (``ber = 0``, e.g. ``< 1.5e-10 (subset)``) and
      the upper bound at or below the resolution floor: the bound, where a network cannot
      tell it from 0.
    * **unresolved-bound**: no failure seen and the bound above the floor (e.g. ``< 0.012``
      after 300 samples): the true BER may be anywhere in ``[0, bound]``. Decision: the
      accuracy is evaluated *at the bound* and labelled a **worst case** (a lower bound on the
      accuracy at the interval's 95 % confidence, up to the spread of the chips drawn); the
      other end of the range, BER 0, is the clean accuracy, given beside it. One number (not
      only a range) keeps the three paths, the spec verdicts and the plots comparable: a drop
      within the limit at the worst case proves a pass, a larger one proves nothing.
    * **unmeasured**: ``ber`` NaN (no reads, whose interval is the uninformative
      [0, 1]; or a scaled-sigma fit without failures, ``undetermined [l, h]``): no BER to
      evaluate a network at.

    A bound's error model is symmetric at the bound (binary: sign flips with probability
    ``bound``; ternary: each value read as either other value with probability ``bound / 2``).

    Parameters
    ----------
    ber : float
        The ``ber`` column [-] (NaN when absent).
    ber_ci_high : float
        The ``ber_ci_high`` column [-], the upper end of the 95 % interval (NaN when absent:
        a ``ber`` of 0 without an interval is then taken as given, an estimate).
    resolve_below : float
        The resolution floor [-], in (0, 1) (default 1e-9; a campaign sets it with
        ``[campaign] resolve_below``).
    """
    floor = check_range("resolve_below", resolve_below, 0.0, 1.0, low_inclusive=False)
    seen, high = float(ber), float(ber_ci_high)
    for name, value in ((schema.BER, seen), (schema.BER_CI_HIGH, high)):
        if not math.isnan(value):
            check_range(name, value, 0.0, 1.0)
    if math.isnan(seen):  # no reads, or a rare-event estimate that failed
        return ResolvedBer(math.nan, Resolution.UNMEASURED, floor)
    if seen > 0.0 or math.isnan(high):
        return ResolvedBer(seen, Resolution.ESTIMATED, floor)
    resolution = Resolution.BOUND_BELOW_FLOOR if high <= floor else Resolution.UNRESOLVED_BOUND
    return ResolvedBer(high, resolution, floor)


def bound_matrix(bound: float, kind: WeightKind) -> TransitionMatrix:
    """The symmetric error model of a BER known only by its upper bound ``bound``."""
    if kind is WeightKind.BINARY:
        return TransitionMatrix.symmetric(bound)
    off = bound / 2
    return TransitionMatrix.ternary(
        [[1 - bound, off, off], [off, 1 - bound, off], [off, off, 1 - bound]]
    )


def resolution_floor(spec: Mapping[str, object] | None) -> float:
    """The resolution floor of a campaign specification (``campaign.json``'s ``spec``):
    its ``[campaign] resolve_below``, or :data:`DEFAULT_RESOLVE_BELOW`."""
    campaign = (spec or {}).get("campaign")
    value = campaign.get("resolve_below") if isinstance(campaign, Mapping) else None
    if value is None:
        return DEFAULT_RESOLVE_BELOW
    return check_range("campaign.resolve_below", value, 0.0, 1.0, low_inclusive=False)


def campaign_floor(folder: Path) -> float:
    """The resolution floor of the campaign whose ``campaign.json`` is in ``folder`` (the
    default when there is none, e.g. a table written by hand)."""
    manifest = folder / "campaign.json"
    if not manifest.is_file():
        return DEFAULT_RESOLVE_BELOW
    record = json.loads(manifest.read_text(encoding="utf-8"))
    return resolution_floor(record.get("spec") if isinstance(record, Mapping) else None)


@dataclass(frozen=True)
class Condition:
    """One row of ``ber.csv`` with its error model.

    Parameters
    ----------
    condition_id : str
        The ``condition_id`` column.
    settings : dict of str to str
        The other non-BER columns (the condition's settings), as written.
    ber, ber_ci_low, ber_ci_high : float
        Bit-error rate and its 95 % interval as written (NaN when absent).
    matrix : TransitionMatrix
        2 x 2 (binary) or 3 x 3 (ternary) read-out probabilities at the condition's resolved
        BER (:func:`resolve_ber`): its own error model where the BER is estimated, the
        symmetric one at the bound where no failure was seen.
    resolved : ResolvedBer
        The BER ``matrix`` stands for and how well it is known.
    """

    condition_id: str
    settings: dict[str, str]
    ber: float
    ber_ci_low: float
    ber_ci_high: float
    matrix: TransitionMatrix
    resolved: ResolvedBer


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating)


def _number(text: str | None) -> float:
    if text is None or text.strip() == "" or text.strip().lower() in ("nan", "none", "null"):
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def _level(field: str, text: str, source: Path) -> int:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if value not in (-1.0, 0.0, 1.0):
        raise ParameterError(f"{source.name} {field}", text, "+1, 0 or -1")
    return int(value)


def _read_rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise ParameterError("ber table", str(path), "an existing ber.csv file")
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ParameterError(
                f"{path.name} columns", reader.fieldnames, "columns including " + ", ".join(missing)
            )
        return list(reader)


def _ternary_matrices(path: Path) -> dict[str, TransitionMatrix]:
    """3 x 3 matrices of the ternary conditions in ``confusion.csv`` (none if absent)."""
    if not path.is_file():
        return {}
    rows = _read_rows(path, (schema.CONDITION_ID, schema.STORED, schema.READ, schema.PROBABILITY))
    levels = (-1, 0, 1)
    tables: dict[str, np.ndarray] = {}
    seen: dict[str, set[int]] = {}
    for row in rows:
        cid = row[schema.CONDITION_ID]
        stored = _level(schema.STORED, row[schema.STORED], path)
        seen.setdefault(cid, set()).add(stored)
        table = tables.setdefault(cid, np.zeros((3, 3)))
        if math.isnan(_number(row[schema.READ])):
            continue  # undecided reads or failed simulations: no value (see below)
        read = _level(schema.READ, row[schema.READ], path)
        table[levels.index(stored), levels.index(read)] = _number(row[schema.PROBABILITY])
    matrices = {}
    for cid, table in tables.items():
        if 0 not in seen[cid]:
            continue  # a binary condition's read-out table
        if seen[cid] != {-1, 0, 1}:
            raise ParameterError(
                f"{path.name} condition {cid!r}", sorted(seen[cid]), "rows for stored +1, 0, -1"
            )
        # An undecided read or a failed simulation delivered no value; like the BER, count it
        # as a wrong one, each of the two wrong values with half its share.
        missing = np.clip(1.0 - table.sum(axis=1), 0.0, None)
        table = table + (missing[:, None] / 2) * (1.0 - np.eye(3))
        try:
            matrices[cid] = TransitionMatrix.ternary(table)
        except ParameterError as error:
            raise error.renamed(f"{path.name} condition {cid!r} p") from None
    return matrices


def read_ber_table(
    path: str | Path, skip_unmeasured: bool = False, resolve_below: float | None = None
) -> list[Condition]:
    """All conditions of a campaign's ``ber.csv``, with their error models at their resolved
    BER (:func:`resolve_ber`).

    Parameters
    ----------
    path : path
        The ``ber.csv`` file; a ``confusion.csv`` in the same directory supplies the 3 x 3
        matrices of ternary conditions.
    skip_unmeasured : bool
        Leave out conditions without any bit-error rate (e.g. no read resolved at a
        too-short sampling time) instead of raising.
    resolve_below : float, optional
        Resolution floor [-]; default: the campaign's (``campaign.json`` beside ``path``),
        else 1e-9.

    Raises
    ------
    ParameterError
        For a missing file or column, or probabilities outside [0, 1].
    """
    source = Path(path)
    # A table written before the read-outcome definition is read into today's columns.
    rows = [
        {key: str(float(value)) if _is_number(value) else value for key, value in row.items()}
        for row in map(upgrade_ber_row, _read_rows(source, (schema.CONDITION_ID, schema.BER)))
    ]
    floor = campaign_floor(source.parent) if resolve_below is None else resolve_below
    ternary = _ternary_matrices(source.parent / CONFUSION_FILE)
    conditions = []
    numeric = set(schema.BER_COLUMNS) | {schema.CONDITION_ID}
    for row in rows:
        cid = row[schema.CONDITION_ID]
        ber, high = (_number(row.get(c)) for c in (schema.BER, schema.BER_CI_HIGH))
        plus, minus = (_number(row.get(c)) for c in (schema.P_ERROR_PLUS, schema.P_ERROR_MINUS))
        if math.isnan(ber) and not (math.isnan(plus) or math.isnan(minus)):
            ber = 0.5 * (plus + minus)  # a table with the 2 x 2 model only
        try:
            resolved = resolve_ber(ber, high, floor)
        except ParameterError as error:
            raise error.renamed(f"{source.name} condition {cid!r} {error.field}") from None
        if resolved.resolution is Resolution.UNMEASURED:
            if skip_unmeasured:
                continue
            raise ParameterError(
                f"{source.name} condition {cid!r} ber", row.get(schema.BER),
                "a bit-error rate (ber, or p_error_plus and p_error_minus)",
            )  # fmt: skip
        kind = WeightKind.TERNARY if cid in ternary else WeightKind.BINARY
        try:
            if resolved.is_bound:
                matrix = bound_matrix(resolved.ber, kind)
            elif kind is WeightKind.TERNARY:
                matrix = ternary[cid]
            else:
                plus, minus = (ber if math.isnan(v) else v for v in (plus, minus))
                matrix = TransitionMatrix.binary(plus, minus)
        except ParameterError as error:
            raise error.renamed(f"{source.name} condition {cid!r} {error.field}") from None
        conditions.append(
            Condition(
                condition_id=cid,
                settings={k: v for k, v in row.items() if k not in numeric and k is not None},
                ber=_number(row.get(schema.BER)),
                ber_ci_low=_number(row.get(schema.BER_CI_LOW)),
                ber_ci_high=high,
                matrix=matrix,
                resolved=resolved,
            )
        )
    return conditions


def select_condition(
    conditions: Sequence[Condition], condition_id: str | None, option: str = "--condition"
) -> Condition:
    """The condition called ``condition_id``, or the only one when ``condition_id`` is None.

    Raises
    ------
    ParameterError
        Naming ``option`` and listing the available condition ids when the choice is missing
        or ambiguous.
    """
    ids = [c.condition_id for c in conditions]
    if not ids:
        raise ParameterError(option, condition_id, "a table with at least one measured condition")
    if condition_id is None:
        if len(ids) == 1:
            return conditions[0]
        raise MissingParameterError(
            option, "one of the table's measured conditions: " + ", ".join(ids)
        )
    for condition in conditions:
        if condition.condition_id == condition_id:
            return condition
    raise ParameterError(
        option,
        condition_id,
        "one of the measured conditions (a condition with no reads has no error "
        "model): " + ", ".join(ids),
    )
