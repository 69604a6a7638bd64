"""The README's column definitions of ber.csv and confusion.csv are the schema's."""

from __future__ import annotations

import re
from pathlib import Path

from rram_ber.characterization import schema

README = Path(__file__).resolve().parents[2] / "README.md"


def _table_after(text: str, heading: str) -> list[tuple[str, str]]:
    """The (column cell, meaning) rows of the first Markdown table after ``heading``."""
    lines = text[text.index(heading) :].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| column |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append((cells[0], cells[1]))
    return rows


def test_the_readme_ber_columns_are_the_schema_columns_in_order():
    rows = _table_after(README.read_text(encoding="utf-8"), "`ber.csv` columns.")
    named = [re.findall(r"`([a-z_0-9]+)`", cell) for cell, _ in rows]
    # First the condition id, then the settings row ("...": the campaign's sweep keys).
    assert named[0] == [schema.CONDITION_ID]
    assert "..." in rows[1][0]
    documented = [name for names in named[2:] for name in names]
    assert documented == [*schema.BER_COLUMNS, *schema.AUTO_COLUMNS]


def test_the_readme_defines_the_ber_as_the_code_computes_it():
    meanings = dict(_table_after(README.read_text(encoding="utf-8"), "`ber.csv` columns."))
    assert meanings["`n_errors`"].startswith("`n_wrong + n_undecided + n_failed`")
    assert meanings["`ber`, `ber_ci_low`, `ber_ci_high`"].startswith("`n_errors / n_samples`")
    assert "counted in the BER" in meanings["`n_undecided`"]
    assert "counted in the BER" in meanings["`n_failed`"]


def test_the_readme_confusion_columns_are_the_schema_columns():
    text = README.read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if row.startswith("| `confusion.csv` |"))
    listed = line.split("`stored`):", 1)[1].split(";", 1)[0]
    assert re.findall(r"`([a-z_]+)`", listed) == list(schema.CONFUSION_COLUMNS)
