"""Transition matrices from a campaign's ``ber.csv`` (and ``confusion.csv`` beside it).

The columns and conventions are those of :mod:`rram_ber.characterization.schema`:

* a **binary** condition gives the asymmetric 2 x 2 matrix with ``P(read -1 | stored +1) =
  p_error_plus`` and ``P(read +1 | stored -1) = p_error_minus``; a side whose value is NaN
  (e.g. no resolved read of that stored value) falls back to the symmetric ``ber``;
* a **ternary** condition (one whose rows in ``confusion.csv`` include ``stored = 0``) gives the
  3 x 3 matrix of the ``p`` column, rows and columns in the order (-1, 0, +1); pairs absent from
  the table have probability 0.

The matrices are applied to the stored weights. For a plain weight read that is exactly the
table's meaning. For an XNOR-PCSA read (``stored`` = the expected product ``w * x``), the error
is on the product: a symmetric matrix is then equivalent (a flipped product is a flipped weight
for that input), an asymmetric one is applied to the weights as an approximation.

Only numbers are read from the files; the other columns of ``ber.csv`` (the condition's
settings, e.g. ``cell``, ``vdd_v``, ``temp_c``, ``corner``) are kept as text for reports.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rram_ber.analysis.bnn.errors import TransitionMatrix
from rram_ber.characterization import schema
from rram_ber.core.validation import ParameterError

CONFUSION_FILE = "confusion.csv"


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
        Bit-error rate and its 95 % interval (NaN when absent).
    matrix : TransitionMatrix
        2 x 2 (binary) or 3 x 3 (ternary) read-out probabilities.
    """

    condition_id: str
    settings: dict[str, str]
    ber: float
    ber_ci_low: float
    ber_ci_high: float
    matrix: TransitionMatrix


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
        read = _level(schema.READ, row[schema.READ], path)
        p = _number(row[schema.PROBABILITY])
        table = tables.setdefault(cid, np.zeros((3, 3)))
        table[levels.index(stored), levels.index(read)] = p
        seen.setdefault(cid, set()).add(stored)
    matrices = {}
    for cid, table in tables.items():
        if 0 not in seen[cid]:
            continue  # a binary condition's read-out table (read 0 = unresolved)
        if seen[cid] != {-1, 0, 1}:
            raise ParameterError(
                f"{path.name} condition {cid!r}", sorted(seen[cid]), "rows for stored +1, 0, -1"
            )
        try:
            matrices[cid] = TransitionMatrix.ternary(table)
        except ParameterError as error:
            raise error.renamed(f"{path.name} condition {cid!r} p") from None
    return matrices


def read_ber_table(path: str | Path, skip_unmeasured: bool = False) -> list[Condition]:
    """All conditions of a campaign's ``ber.csv``, with their transition matrices.

    Parameters
    ----------
    path : path
        The ``ber.csv`` file; a ``confusion.csv`` in the same directory supplies the 3 x 3
        matrices of ternary conditions.
    skip_unmeasured : bool
        Leave out binary conditions without any bit-error rate (e.g. no read resolved at a
        too-short sampling time) instead of raising.

    Raises
    ------
    ParameterError
        For a missing file or column, or probabilities outside [0, 1].
    """
    source = Path(path)
    rows = _read_rows(source, (schema.CONDITION_ID, schema.BER))
    ternary = _ternary_matrices(source.parent / CONFUSION_FILE)
    conditions = []
    numeric = set(schema.BER_COLUMNS) | {schema.CONDITION_ID}
    for row in rows:
        cid = row[schema.CONDITION_ID]
        ber = _number(row.get(schema.BER))
        if cid in ternary:
            matrix = ternary[cid]
        else:
            plus, minus = (_number(row.get(c)) for c in (schema.P_ERROR_PLUS, schema.P_ERROR_MINUS))
            plus, minus = (ber if math.isnan(v) else v for v in (plus, minus))
            if math.isnan(plus) or math.isnan(minus):
                if skip_unmeasured:
                    continue
                raise ParameterError(
                    f"{source.name} condition {cid!r} ber", row.get(schema.BER),
                    "a bit-error rate (ber, or p_error_plus and p_error_minus)",
                )  # fmt: skip
            try:
                matrix = TransitionMatrix.binary(plus, minus)
            except ParameterError as error:
                raise error.renamed(f"{source.name} condition {cid!r} {error.field}") from None
        conditions.append(
            Condition(
                condition_id=cid,
                settings={k: v for k, v in row.items() if k not in numeric and k is not None},
                ber=ber,
                ber_ci_low=_number(row.get(schema.BER_CI_LOW)),
                ber_ci_high=_number(row.get(schema.BER_CI_HIGH)),
                matrix=matrix,
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
        raise ParameterError(
            option, None, "one of the table's measured conditions: " + ", ".join(ids)
        )
    for condition in conditions:
        if condition.condition_id == condition_id:
            return condition
    raise ParameterError(
        option,
        condition_id,
        "one of the measured conditions (a condition with no resolved read has no error "
        "model): " + ", ".join(ids),
    )
