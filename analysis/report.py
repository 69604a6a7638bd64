"""BER reports: one self-contained HTML file, a Markdown summary and CSV tables.

:func:`build_report` reads a campaign's output directory (never the simulator), computes the
derived tables (:mod:`rram_ber.analysis.summaries`, :mod:`rram_ber.analysis.accuracy`), draws the
figures (:mod:`rram_ber.analysis.figures`) and writes::

    report.html            everything, figures embedded as PNG data URIs (nothing fetched)
    report.md              summary for people and version control, figures as PNG files
    report_files/*.csv     the tables (headline, BER, confusion, delay and energy statistics,
                           shmoo, operating windows, accuracy)
    report_files/*.png     the figures the Markdown links to, also as SVG (and PDF on request)

The page opens with the answer: the operating points (named, or the best and nominal
condition of each cell) against the spec limits (:mod:`rram_ber.analysis.headline`); the full tables
follow the figures, folded.
"""

from __future__ import annotations

import base64
import datetime
import html
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rram_ber import __version__
from rram_ber.analysis import figures
from rram_ber.analysis.bnn.ber_table import resolution_floor
from rram_ber.analysis.campaign_data import CampaignData, load_campaign
from rram_ber.analysis.headline import (
    SpecLimits,
    default_points,
    delay_energy_stats,
    headline_table,
    named_points,
)
from rram_ber.analysis.summaries import (
    conditions_at,
    is_ternary,
    operating_point_table,
    operating_windows,
    read_failures,
    same_value,
    shmoo_table,
)
from rram_ber.characterization import schema
from rram_ber.characterization.readout import CampaignCell
from rram_ber.core.validation import ParameterError, check_int, check_range

#: Columns of the BER table as shown in reports.
BER_DISPLAY_COLUMNS = (
    schema.CONDITION_ID, "cell", "corner", "temp_c", "vdd_v", "compliance_a", "rows", "t_sample_s",
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
    folded: bool = False  # long tables: shown collapsed (<details>) at the end
    anchor: str = ""


def _format(value: Any) -> str:
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        return f"{value:.4g}"
    return str(value)


def _html_table(frame: pd.DataFrame, table_id: str = "") -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)

    def cell(value: Any) -> str:
        text = html.escape(_format(value))
        verdict = f' class="v-{text.replace(" ", "-")}"' if text in _VERDICTS else ""
        return f"<td{verdict}>{text}</td>"

    body = "".join(
        "<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    ident = f' id="{table_id}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_VERDICTS = ("pass", "fail", "undetermined", "no limit")


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
    """The BER table with the read-failure rate beside the BER (they differ by the
    unresolved reads and failed simulations, which BER leaves out). Columns added to
    ``ber.csv`` later are kept, after the known ones."""
    known = [c for c in BER_DISPLAY_COLUMNS if c in ber.columns]
    extra = [c for c in ber.columns if c not in known and c not in _HIDDEN_BER_COLUMNS]
    failures = read_failures(ber)[[schema.CONDITION_ID, "p_fail", "p_fail_high"]]
    table = ber[known + extra].merge(failures, on=schema.CONDITION_ID)
    return table.rename(
        columns={"p_fail": "read_failure_rate", "p_fail_high": "read_failure_ci_high"}
    )


#: Columns of ``ber.csv`` already summarised by ``ber_report``.
_HIDDEN_BER_COLUMNS = (schema.BER, schema.BER_CI_LOW, schema.BER_CI_HIGH)

#: Headline columns, with their display names and scale factors.
_HEADLINE_DISPLAY = (
    ("operating point", "operating point", 1.0),
    (schema.CONDITION_ID, "id", 1.0),
    ("cell", "cell", 1.0),
    ("corner", "corner", 1.0),
    ("temp_c", "T [C]", 1.0),
    ("vdd_v", "VDD [V]", 1.0),
    ("t_sample_s", "t_sample [ns]", 1e9),
    (schema.BER_REPORT, "BER [95 % CI]", 1.0),
    ("resolved_ber", "BER for accuracy", 1.0),
    ("ber_resolution", "BER resolution", 1.0),
    (schema.METHOD, "method", 1.0),
    ("rare_event_ber", "rare-event BER [95 % CI]", 1.0),
    ("ber_verdict", "BER spec", 1.0),
    ("read_failure_rate", "read-failure rate", 1.0),
    ("delay_mean_s", "delay mean [ps]", 1e12),
    ("delay_sigma_s", "delay sigma [ps]", 1e12),
    ("delay_p999_s", "delay p99.9 [ps]", 1e12),
    ("delay_verdict", "delay spec", 1.0),
    ("energy_mean_j", "energy mean [fJ]", 1e15),
    ("energy_sigma_j", "energy sigma [fJ]", 1e15),
    ("energy_p999_j", "energy p99.9 [fJ]", 1e15),
    ("energy_verdict", "energy spec", 1.0),
    ("model", "network", 1.0),
    ("accuracy", "accuracy", 1.0),
    ("accuracy_drop", "accuracy drop", 1.0),
    ("accuracy_verdict", "accuracy spec", 1.0),
    ("verdict", "verdict", 1.0),
)


def _headline_display(table: pd.DataFrame) -> pd.DataFrame:
    """The headline transposed: one row per quantity, one column per operating point (fits a
    screen's width for a handful of points)."""
    names = [
        f"{why} (id {cid})"
        for why, cid in zip(table["operating point"], table[schema.CONDITION_ID], strict=True)
    ]
    rows = []
    for column, title, scale in _HEADLINE_DISPLAY[2:]:
        # A quantity no point has (e.g. no rare-event estimate) gets no row.
        if column in table.columns and not (table[column].astype(str) == "").all():
            values = table[column] * scale if scale != 1.0 else table[column]
            rows.append(
                [
                    title,
                    *(
                        ("yes" if v else "no") if isinstance(v, bool | np.bool_) else v
                        for v in values
                    ),
                ]
            )
    return pd.DataFrame(rows, columns=["quantity", *names])


def _limits_text(limits: SpecLimits) -> str:
    if not limits.declared:
        return (
            "No spec limits declared (the campaign's [spec] table, or --ber-max, --delay-max, "
            "--energy-max, --accuracy-drop-max): every verdict is 'no limit'."
        )
    parts = []
    if limits.ber_max is not None:
        parts.append(f"BER at most {limits.ber_max:g} (whole 95 % interval)")
    if limits.delay_max_s is not None:
        parts.append(f"99.9th-percentile sense delay at most {limits.delay_max_s * 1e12:g} ps")
    if limits.energy_max_j is not None:
        parts.append(f"mean read energy at most {limits.energy_max_j * 1e15:g} fJ")
    if limits.accuracy_drop_max is not None:
        parts.append(f"accuracy drop at most {limits.accuracy_drop_max:g}")
    return "Spec limits: " + "; ".join(parts) + "."


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
    operating_points: Sequence[str] = (),
    limits: SpecLimits | None = None,
    pdf: bool = False,
    progress: Callable[[str], None] | None = None,
    model: str | Path | None = None,
    model_data: str | Path | None = None,
    rare_estimates: pd.DataFrame | None = None,
) -> Report:
    """Write the report of a finished campaign.

    Parameters
    ----------
    out : path
        The campaign's output directory.
    html_path : path
        Where the HTML file goes (must end in ``.html`` or ``.htm``); the Markdown file and
        the ``<stem>_files`` folder are put beside it.
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
    operating_points : sequence of str
        Operating points of the headline, e.g. ``"corner=tt,temp_c=27,vdd_v=1.2,
        t_sample_s=1e-9"`` (default: the best and the nominal condition of each cell).
    limits : SpecLimits, optional
        Spec limits the headline checks; each one declared here replaces the campaign's own
        (its ``[spec]`` table). Default: the campaign's limits only.
    pdf : bool
        Also write every figure as PDF.
    progress : callable, optional
        Called with a short message before each slow step.
    model, model_data : path, optional
        The user's network (shipped name, ``.npz`` or ``.onnx``) and test data (``.npz``
        with ``x``, ``y``) instead of the shipped network of its weight kind.
    rare_estimates : pandas.DataFrame, optional
        ``ber.csv`` of a rare-event campaign at some of this campaign's settings (the demo's
        operating points): shown next to the sweep's BER there.
    """
    check_range("--ber-target", ber_target, 0.0, 1.0, low_inclusive=False)
    check_int("--repeats", repeats, 2, 10_000)
    html_file = Path(html_path)
    if html_file.suffix.lower() not in (".html", ".htm"):
        raise ParameterError("--output", str(html_file), "a file name ending in .html")
    step = progress or (lambda message: None)
    step("loading the campaign")
    data = load_campaign(out)
    # The campaign's [spec] table, with every limit given here taking precedence.
    limits = data.campaign.limits.merged(limits or SpecLimits())
    floor = resolution_floor(data.spec)
    files = html_file.with_name(html_file.stem + "_files")
    files.mkdir(parents=True, exist_ok=True)
    ber = data.ber.copy()
    if "t_sample_s" not in ber.columns:
        ber["t_sample_s"] = np.nan
    points = named_points(ber, operating_points) if operating_points else default_points(ber)
    sections: list[_Section] = []
    rendered: dict[str, bytes] = {}

    def add_figure(name: str, figure: Any) -> str:
        step(f"drawing {name}")
        rendered[name] = figures.png_bytes(figure)
        (files / f"{name}.png").write_bytes(rendered[name])
        (files / f"{name}.svg").write_bytes(figures.vector_bytes(figure, "svg"))
        if pdf:
            (files / f"{name}.pdf").write_bytes(figures.vector_bytes(figure, "pdf"))
        return name

    stats = delay_energy_stats(data.samples)
    stats.to_csv(files / "delay_energy.csv", index=False)
    windows = operating_windows(ber)

    study = None
    points_table = None
    if accuracy:
        from rram_ber.analysis.accuracy import accuracy_study

        wanted = sorted(set(_accuracy_conditions(ber, windows)) | {c for _, c in points})
        step(f"evaluating network accuracy at {len(wanted)} conditions")
        study = accuracy_study(
            data.out / "ber.csv",
            wanted,
            repeats,
            seed,
            test_limit,
            progress=step,
            model=model,
            data=model_data,
            resolve_below=floor,
        )
        settings = [c for c in ("cell", "corner", "temp_c", "vdd_v", "t_sample_s") if c in ber]
        points_table = (
            ber[[schema.CONDITION_ID, *settings, schema.BER_REPORT]]
            .merge(study.points, on=schema.CONDITION_ID)
            .sort_values(schema.CONDITION_ID)
        )
        points_table.to_csv(files / "accuracy.csv", index=False)

    headline = headline_table(ber, points, stats, points_table, limits, rare_estimates, floor)
    headline.to_csv(files / "headline.csv", index=False)
    shown = _headline_display(headline)
    chosen = (
        "named with --operating-point"
        if operating_points
        else "the best condition of each cell (lowest read-failure rate) and its nominal one "
        "(tt, nearest 27 C, highest VDD, the cell's best sampling time)"
    )
    sections.append(
        _Section(
            "Operating points",
            _html_table(shown, "headline")
            + f"<p class='note'>Operating points: {html.escape(chosen)}. "
            f"{html.escape(_limits_text(limits))} BER counts errors among resolved reads; the "
            "read-failure rate also counts unresolved reads and failed simulations. Delay over "
            "latched reads, energy over all simulated reads; accuracy drop against the same "
            "network without errors, at the 'BER for accuracy': the estimate, or where no error "
            "was seen the upper bound ('BER resolution' bound-below-floor when the bound is at "
            f"or below the resolution floor {floor:g}, else unresolved-bound: the accuracy at "
            "the bound is then a worst case, its drop an upper bound, and a drop above the "
            "limit is undetermined). The same BER gives rram-ber evaluate --ber-table and "
            "the API their accuracy. Verdicts: delay at its "
            "99.9th percentile, energy at its mean, BER by its whole 95 % interval; where a "
            "rare-event estimate exists at the same settings (it counts wrong and unresolved "
            "reads, so it bounds the BER from above), a BER the sweep leaves undetermined "
            "passes when the estimate's whole interval is within the limit.</p>",
            _limits_text(limits) + "\n\n" + _markdown_table(shown),
            anchor="headline",
        )
    )

    if rare_estimates is not None and len(rare_estimates):
        rare_points = operating_point_table(ber, rare_estimates)
        rare_points.to_csv(files / "operating_points.csv", index=False)
        sections.append(
            _Section(
                "Rare-event estimates next to the sweep",
                "<p>Importance-sampling estimates (95 % intervals from the estimator, a wrong "
                "or unresolved read counted as a failure) at operating points of the sweep, "
                "beside the brute-force BER there.</p>" + _html_table(rare_points),
                _markdown_table(rare_points),
            )
        )

    sections.append(
        _Section(
            "BER against supply voltage",
            "<p>Per cell and temperature, one line per corner, at the cell's best sampling time "
            "(lowest mean BER); bars are 95 % intervals, open triangles mark upper bounds where "
            "no error was seen; dotted crosses show the read-failure rate (errors, unresolved "
            "reads and failed simulations over all reads) where more than 1 % of the reads "
            "were unresolved or failed.</p>",
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
                "times VDD over evaluation and restore) per supply voltage. Mean, sigma and "
                "99.9th percentile per condition are in the delay and energy table below.</p>",
                "",
                add_figure("distributions", figures.distributions_figure(data.samples, ber)),
            )
        )

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

    if study is not None and points_table is not None:
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
                f"and 95 % interval (clipped to [0, 1]) over {repeats} chips. Diamonds: each "
                f"measured condition's own error model (asymmetric 2 x 2, or the ternary 3 x 3 "
                f"confusion matrix) applied to every stored layer; drop = clean accuracy minus "
                f"accuracy at the condition.</p>"
                + (f"<ul>{notes}</ul>" if notes else "")
                + _html_table(points_table),
                _markdown_table(points_table) + "".join(f"\n\n- {n}" for n in study.notes),
                figure_name,
            )
        )

    # The full tables close the page, folded: they are for looking things up.
    display = _ber_display(ber)
    display.to_csv(files / "ber.csv", index=False)
    data.confusion.to_csv(files / "confusion.csv", index=False)
    sections.append(
        _Section(
            "Bit-error rate per condition",
            "<p>BER = errors / resolved reads with the exact Clopper-Pearson 95 % interval; "
            "'&lt; x' is the upper bound when no error was observed. Unresolved reads (outputs "
            "not separated at the sampling time) and failed simulations are counted apart; the "
            "read-failure rate beside it counts them as failures.</p>" + _html_table(display),
            _markdown_table(display),
            folded=True,
        )
    )
    sections.append(
        _Section(
            "Sense delay and read energy per condition",
            "<p>Delay [s] over latched reads, energy [J] over simulated reads: mean, sigma and "
            "99.9th percentile (with fewer than 1000 reads, close to the largest value).</p>"
            + _html_table(stats),
            _markdown_table(stats),
            folded=True,
        )
    )
    provenance_html, provenance_md = _provenance(data)
    sections.append(
        _Section("Settings and provenance", provenance_html, provenance_md, folded=True)
    )

    step("writing the report")
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
