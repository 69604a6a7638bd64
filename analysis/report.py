"""BER reports: one self-contained HTML file, a Markdown summary and CSV tables.

:func:`build_report` reads a campaign's output directory (never the simulator), computes the
derived tables (:mod:`analysis.summaries`, :mod:`analysis.accuracy`), draws the figures
(:mod:`analysis.figures`) and writes::

    report.html            everything, figures embedded as PNG data URIs (nothing fetched)
    report.md              summary for people and version control, figures as PNG files
    report_files/*.csv     the tables (BER, confusion, shmoo, operating windows, accuracy)
    report_files/*.png     the figures the Markdown links to
"""

from __future__ import annotations

import base64
import datetime
import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import figures
from analysis.campaign_data import CampaignData, load_campaign
from analysis.summaries import (
    conditions_at,
    is_ternary,
    operating_point_table,
    operating_windows,
    same_value,
    shmoo_table,
)
from characterization import schema
from characterization.readout import CampaignCell
from rram_ber import __version__
from rram_ber.validation import check_int, check_range

#: Columns of the BER table as shown in reports.
BER_DISPLAY_COLUMNS = (
    schema.CONDITION_ID, "cell", "corner", "temp_c", "vdd_v", "compliance_a", "t_sample_s",
    schema.METHOD, schema.N_SAMPLES, schema.N_RESOLVED, schema.N_ERRORS, schema.N_UNRESOLVED,
    schema.N_FAILED, schema.BER_REPORT,
)  # fmt: skip


@dataclass(frozen=True)
class Report:
    """Files written by :func:`build_report`."""

    html: Path
    markdown: Path
    files: Path
    figure_names: tuple[str, ...]


@dataclass(frozen=True)
class _Section:
    title: str
    text: str  # HTML
    markdown: str
    figure: str | None = None  # name of the figure shown in the section


def _format(value: Any) -> str:
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        return f"{value:.4g}"
    return str(value)


def _html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_format(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _markdown_table(frame: pd.DataFrame) -> str:
    lines = [
        "| " + " | ".join(str(c) for c in frame.columns) + " |",
        "|" + "---|" * len(frame.columns),
    ]
    lines += [
        "| " + " | ".join(_format(v).replace("|", "/") for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines)


def _ber_display(ber: pd.DataFrame) -> pd.DataFrame:
    return ber[[c for c in BER_DISPLAY_COLUMNS if c in ber.columns]]


def _provenance(data: CampaignData) -> tuple[str, str]:
    spec = data.spec
    typed = data.campaign
    campaign = typed.campaign
    versions = data.versions
    facts = [
        ("campaign", campaign.name),
        ("root seed", campaign.seed),
        ("samples per condition", campaign.samples),
        ("samples per netlist (batch)", campaign.batch_size),
        ("estimator", campaign.method),
        ("device model", typed.device.model.value),
        ("transistor mismatch", typed.variability.mismatch),
        ("device variability", typed.variability.device),
        ("1T1R reference [ohm]", typed.reference_resistance_ohm()),
        ("conditions", len(data.ber)),
        ("simulated with", f"rram-ber {versions.get('rram_ber', '?')}, "
                           f"{versions.get('ngspice', '?')}, numpy {versions.get('numpy', '?')}, "
                           f"Python {versions.get('python', '?')}"),
        ("results created (UTC)", data.manifest.get("created_utc", "")),
        ("report by", f"rram-ber {__version__}"),
    ]  # fmt: skip
    table = pd.DataFrame(facts, columns=["setting", "value"])
    spec_json = html.escape(json.dumps(spec, indent=2, sort_keys=True))
    text = (
        _html_table(table)
        + f"<details><summary>full campaign specification</summary><pre>{spec_json}</pre></details>"
    )
    return text, _markdown_table(table)


def _accuracy_conditions(ber: pd.DataFrame, windows: pd.DataFrame) -> list[int]:
    """Conditions placed on the accuracy curves: binary ones at the longest sampling time,
    ternary ones at their best operating window."""
    longest = ber[same_value(ber["t_sample_s"], ber["t_sample_s"].max())]
    ternary = is_ternary(longest)
    chosen = list(longest[~ternary][schema.CONDITION_ID])
    for _, window in windows.iterrows():
        match = conditions_at(ber, CampaignCell.TERNARY, window)
        chosen += list(match[schema.CONDITION_ID])
    return [int(c) for c in chosen]


def build_report(
    out: str | Path,
    html_path: str | Path,
    ber_target: float = 1e-2,
    accuracy: bool = True,
    repeats: int = 10,
    seed: int = 0,
    test_limit: int | None = None,
    operating_points: pd.DataFrame | None = None,
) -> Report:
    """Write the report of a finished campaign.

    Parameters
    ----------
    out : path
        The campaign's output directory.
    html_path : path
        Where the HTML file goes; the Markdown file and the ``<stem>_files`` folder are put
        beside it.
    ber_target : float
        Read-failure target of the shmoo plot.
    accuracy : bool
        Evaluate the shipped networks on the measured BERs (the slowest part).
    repeats : int
        Error realisations per accuracy estimate.
    seed : int
        Root seed of the accuracy error draws.
    test_limit : int, optional
        Evaluate accuracies on this many test inputs only.
    operating_points : pandas.DataFrame, optional
        ``ber.csv`` of a rare-event campaign at some of this campaign's settings (the demo's
        operating points): shown next to the sweep's BER there.
    """
    check_range("--ber-target", ber_target, 0.0, 1.0, low_inclusive=False)
    check_int("--repeats", repeats, 2, 10_000)
    data = load_campaign(out)
    html_file = Path(html_path)
    files = html_file.with_name(html_file.stem + "_files")
    files.mkdir(parents=True, exist_ok=True)
    ber = data.ber.copy()
    if "t_sample_s" not in ber.columns:
        ber["t_sample_s"] = np.nan
    sections: list[_Section] = []
    rendered: dict[str, bytes] = {}

    def add_figure(name: str, figure: Any) -> str:
        rendered[name] = figures.png_bytes(figure)
        (files / f"{name}.png").write_bytes(rendered[name])
        return name

    provenance_html, provenance_md = _provenance(data)
    sections.append(_Section("Settings and provenance", provenance_html, provenance_md))

    display = _ber_display(ber)
    display.to_csv(files / "ber.csv", index=False)
    data.confusion.to_csv(files / "confusion.csv", index=False)
    sections.append(
        _Section(
            "Bit-error rate per condition",
            "<p>BER = errors / resolved reads with the exact Clopper-Pearson 95 % interval; "
            "'&lt; x' is the upper bound when no error was observed. Unresolved reads (outputs "
            "not separated at the sampling time) and failed simulations are counted apart.</p>"
            + _html_table(display),
            _markdown_table(display),
        )
    )
    if operating_points is not None and len(operating_points):
        points = operating_point_table(ber, operating_points)
        points.to_csv(files / "operating_points.csv", index=False)
        sections.append(
            _Section(
                "Operating points: rare-event estimates next to the sweep",
                "<p>Importance-sampling estimates (95 % intervals from the estimator, a wrong "
                "or unresolved read counted as a failure) at operating points of the sweep, "
                "beside the brute-force BER there.</p>" + _html_table(points),
                _markdown_table(points),
            )
        )
    sections.append(
        _Section(
            "BER against supply voltage",
            "<p>Per cell and temperature, one line per corner, at the longest sampling time; "
            "bars are 95 % intervals, open triangles mark upper bounds where no error was seen."
            "</p>",
            "",
            add_figure("ber_vs_vdd", figures.ber_vs_vdd_figure(ber)),
        )
    )
    if len(data.samples):
        sections.append(
            _Section(
                "Resistance, sense-delay and read-energy distributions",
                "<p>Device resistances split by programmed state; sense delay (sense-enable "
                "edge to outputs separated by 90 % of VDD) and read energy (charge from VDD "
                "times VDD over evaluation and restore) per supply voltage.</p>",
                "",
                add_figure("distributions", figures.distributions_figure(data.samples, ber)),
            )
        )

    windows = operating_windows(ber)
    if len(windows):
        windows.to_csv(files / "operating_window.csv", index=False)
        sections.append(
            _Section(
                "Ternary read: operating window",
                "<p>Per corner and temperature, the supply and sampling time where the ternary "
                "read differs least from the stored +1/0/-1, next to the binary 2T2R read at the "
                "same point.</p>" + _html_table(windows),
                _markdown_table(windows),
                add_figure(
                    "ternary_confusion", figures.confusion_figure(data.confusion, windows, ber)
                ),
            )
        )

    shmoo = shmoo_table(ber, ber_target)
    shmoo.to_csv(files / "shmoo.csv", index=False)
    sections.append(
        _Section(
            "Shmoo: supply voltage against sampling time",
            f"<p>A read fails when it is an error, unresolved, or its simulation failed. Pass: "
            f"the 95 % interval of the failure rate is at or below {ber_target:g}; fail: above; "
            f"undetermined: the interval straddles the target.</p>",
            "",
            add_figure("shmoo", figures.shmoo_figure(shmoo, ber_target)),
        )
    )

    if accuracy:
        from analysis.accuracy import accuracy_study

        study = accuracy_study(
            data.out / "ber.csv", _accuracy_conditions(ber, windows), repeats, seed, test_limit
        )
        study.points.to_csv(files / "accuracy.csv", index=False)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in study.notes)
        figure_name = None
        if study.curves:
            figure_name = add_figure(
                "accuracy", figures.accuracy_figure(study.curves, study.points)
            )
        sections.append(
            _Section(
                "Network accuracy against BER",
                f"<p>Shipped networks evaluated with static errors (drawn once per chip), mean "
                f"and 95 % interval over {repeats} chips. Diamonds: each measured condition's own "
                f"error model (asymmetric 2 x 2, or the ternary 3 x 3 confusion matrix) applied "
                f"to every stored layer.</p>"
                + (f"<ul>{notes}</ul>" if notes else "")
                + _html_table(study.points),
                _markdown_table(study.points) + "".join(f"\n\n- {n}" for n in study.notes),
                figure_name,
            )
        )

    _write_html(html_file, data, sections, rendered)
    markdown = html_file.with_suffix(".md")
    _write_markdown(markdown, files, data, sections)
    return Report(html_file, markdown, files, tuple(rendered))


_STYLE = """
body { font-family: sans-serif; margin: 2em; max-width: 1400px; color: #222; }
table { border-collapse: collapse; font-size: 12px; margin: 0.5em 0 1.5em 0; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th { background: #eee; }
img { max-width: 100%; }
pre { background: #f6f6f6; padding: 1em; font-size: 11px; }
"""


def _write_html(
    path: Path, data: CampaignData, sections: Sequence[_Section], rendered: dict[str, bytes]
) -> None:
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
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        parts.append(section.text)
        if section.figure is not None:
            encoded = base64.b64encode(rendered[section.figure]).decode("ascii")
            parts.append(
                f'<figure><img id="figure-{section.figure}" alt="{html.escape(section.title)}" '
                f'src="data:image/png;base64,{encoded}"></figure>'
            )
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def _write_markdown(
    path: Path, files: Path, data: CampaignData, sections: Sequence[_Section]
) -> None:
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
