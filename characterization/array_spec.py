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

from rram_ber.characterization.spec_tools import boolean, reject_unknown, swept
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
    reject_unknown("array", table, ARRAY_KEYS)
    if boolean("array.isolated", table.get("isolated", False)):
        for key in ("rows", "mux_ways"):
            if key in table:
                raise ParameterError(f"array.{key}", table[key], "no value with isolated = true")
        return None, ()
    rows = swept(
        "array.rows",
        table.get("rows", DEFAULT_ROWS),
        lambda name, value: check_int(name, value, 1, MAX_ROWS),
        "an integer or a non-empty list of integers",
    )
    mux = check_int("array.mux_ways", table.get("mux_ways", 1), 1, 64)
    return ColumnParameters(rows=rows[0], mux_ways=mux), rows
