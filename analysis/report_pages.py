"""The pages of a BER report: HTML (figures embedded) and Markdown, built from sections.

:mod:`rram_ber.analysis.report` decides what each section says; this module only lays the
sections out (tables, figures, folding) and writes the two files.
"""

from __future__ import annotations

import base64
import datetime
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rram_ber.analysis.campaign_data import CampaignData


@dataclass(frozen=True)
class Section:
    """One section of the report page."""

    title: str
    text: str  # HTML
    markdown: str
    figure: str | None = None  # name of the figure shown in the section
    folded: bool = False  # long tables: shown collapsed (<details>) at the end
    anchor: str = ""


def _format(value: Any) -> str:
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        return f"{value:.4g}"
    return str(value)


def html_table(frame: pd.DataFrame, table_id: str = "") -> str:
    """An HTML table; verdict cells get a class (coloured by the style sheet)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)

    def cell(value: Any) -> str:
        text = html.escape(_format(value))
        verdict = f' class="v-{text.replace(" ", "-")}"' if text in _VERDICTS else ""
        return f"<td{verdict}>{text}</td>"

    body = "".join(
        "<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    ident = f' id="{table_id}"' if table_id else ""
    # Wide tables (every column of ber.csv) scroll inside their own box instead of running
    # off the page.
    return (
        f'<div class="table-wrap"><table{ident}><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


_VERDICTS = ("pass", "fail", "undetermined", "no limit")


def markdown_table(frame: pd.DataFrame) -> str:
    """A Markdown (pipe) table."""
    lines = [
        "| " + " | ".join(str(c) for c in frame.columns) + " |",
        "|" + "---|" * len(frame.columns),
    ]
    lines += [
        "| " + " | ".join(_format(v).replace("|", "/") for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


_STYLE = """
body { font-family: sans-serif; margin: 2em; max-width: 1400px; color: #222; }
table { border-collapse: collapse; font-size: 12px; margin: 0.5em 0 1.5em 0; }
.table-wrap { max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th { background: #eee; }
img { max-width: 100%; }
pre { background: #f6f6f6; padding: 1em; font-size: 11px; }
h1 { font-size: 1.4em; margin: 0.2em 0; }
#headline { font-size: 13px; }
#headline td:first-child { text-align: left; font-weight: bold; }
p.note { font-size: 12px; color: #444; max-width: 1100px; }
td.v-pass { background: #c8e6c9; }
td.v-fail { background: #ffcdd2; }
td.v-undetermined { background: #fff9c4; }
td.v-no-limit { color: #777; }
details > summary { font-size: 1.2em; font-weight: bold; margin: 0.8em 0; cursor: pointer; }
"""


def write_html(
    path: Path, data: CampaignData, sections: Sequence[Section], rendered: dict[str, bytes]
) -> None:
    """Write the self-contained HTML page (``rendered``: PNG bytes of each figure by name)."""
    title = f"rram-ber BER report: {data.campaign.campaign.name}"
    generated = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Generated {generated} UTC from <code>{html.escape(str(data.out))}</code>.</p>",
    ]
    for section in sections:
        anchor = f' id="{section.anchor}-section"' if section.anchor else ""
        title = html.escape(section.title)
        if section.folded:
            parts.append(f"<details><summary><h2>{title}</h2></summary>")
        else:
            parts.append(f"<section{anchor}><h2>{title}</h2>")
        parts.append(section.text)
        if section.figure is not None:
            encoded = base64.b64encode(rendered[section.figure]).decode("ascii")
            parts.append(
                f'<figure><img id="figure-{section.figure}" alt="{title}" '
                f'src="data:image/png;base64,{encoded}"></figure>'
            )
        parts.append("</details>" if section.folded else "</section>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def write_markdown(
    path: Path, files: Path, data: CampaignData, sections: Sequence[Section]
) -> None:
    """Write the Markdown summary; figures link to their PNG files in ``files``."""
    name = data.campaign.campaign.name
    lines = [f"# rram-ber BER report: {name}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        if section.markdown:
            lines += [section.markdown, ""]
        if section.figure is not None:
            lines += [f"![{section.title}]({files.name}/{section.figure}.png)", ""]
    lines += [f"Tables as CSV: `{files.name}/`.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
