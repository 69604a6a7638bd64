"""The ``[array]`` table of a campaign: the column every read is simulated in.

::

    [array]
    rows = 64            # or a list, swept like a condition: rows = [1, 16, 64, 256]
    mux_ways = 1         # columns sharing one PCSA through a column multiplexer
    isolated = false     # true: the idealised fixture (no column, ideal pulses, analogue
                         # decision), for comparisons with earlier tables

Without the table every read is the cell in a column of :data:`rram_ber.circuits.array.DEFAULT_ROWS`
rows, decoded by logic (:mod:`rram_ber.circuits.array`, :mod:`rram_ber.characterization.decode`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rram_ber.circuits.array import DEFAULT_ROWS, MAX_ROWS, ColumnParameters
from rram_ber.core.validation import ParameterError, check_int

ARRAY_KEYS = ("rows", "mux_ways", "isolated")


def parse_array(table: Mapping[str, Any]) -> tuple[ColumnParameters | None, tuple[int, ...]]:
    """The base column (None when ``isolated``) and the swept row counts.

    Raises
    ------
    ParameterError
        Naming ``array.<key>`` (with ``[i]`` for a list element), the value and what is allowed.
    """
    for key, value in table.items():
        if key not in ARRAY_KEYS:
            raise ParameterError(
                f"array.{key}", value, "a known key: " + ", ".join(repr(k) for k in ARRAY_KEYS)
            )
    isolated = table.get("isolated", False)
    if not isinstance(isolated, bool):
        raise ParameterError("array.isolated", isolated, "true or false")
    if isolated:
        for key in ("rows", "mux_ways"):
            if key in table:
                raise ParameterError(f"array.{key}", table[key], "no value with isolated = true")
        return None, ()
    raw = table.get("rows", DEFAULT_ROWS)
    values = raw if isinstance(raw, list) else [raw]
    if not values:
        raise ParameterError("array.rows", raw, "an integer or a non-empty list of integers")
    rows = []
    for index, value in enumerate(values):
        name = f"array.rows[{index}]" if isinstance(raw, list) else "array.rows"
        rows.append(check_int(name, value, 1, MAX_ROWS))
    if len(set(rows)) != len(rows):
        raise ParameterError("array.rows", raw, "a list without repeated values")
    mux = check_int("array.mux_ways", table.get("mux_ways", 1), 1, 64)
    return ColumnParameters(rows=rows[0], mux_ways=mux), tuple(rows)
