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
follow the figures, folded. Each section is built by its own function from the loaded
campaign (:class:`_Campaign`); :mod:`rram_ber.analysis.report_pages` lays them out.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
from rram_ber.analysis.report_pages import (
    Section,
    html_table,
    markdown_table,
    write_html,
    write_markdown,
)
from rram_ber.analysis.summaries import (
    conditions_at,
    is_ternary,
    operating_point_table,
    operating_windows,
    same_value,
    shmoo_table,
)
from rram_ber.characterization import schema
from rram_ber.characterization.readout import CampaignCell
from rram_ber.core.validation import ParameterError, check_int, check_range

#: Columns of the BER table as shown in reports.
BER_DISPLAY_COLUMNS = (
    schema.CONDITION_ID, "cell", "corner", "temp_c", "vdd_v", "compliance_a", "rows", "t_sample_s",
    schema.METHOD, schema.N_SAMPLES, schema.N_ERRORS, schema.N_WRONG, schema.N_UNDECIDED,
    schema.N_FAILED, schema.BER_REPORT, schema.UNDECIDED_SHARE, schema.FAILED_SHARE,
)  # fmt: skip


@dataclass(frozen=True)
class Report:
    """Files written by :func:`build_report`."""

    html: Path
    markdown: Path
    files: Path
    figure_names: tuple[str, ...]


@dataclass(frozen=True)
class ReportOptions:
    """What a report shows and how (every field has a default).

    Attributes
    ----------
    ber_target : float
        Read-failure target of the shmoo plot, in (0, 1].
    accuracy : bool
        Evaluate the shipped networks on the measured BERs (the slowest part).
    repeats : int
        Error realisations (chips) per accuracy estimate, 2 to 10,000.
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
    model : str, path or sequence of them, optional
        The user's network (shipped name, ``.npz`` or ``.onnx``), or one binary and one
        ternary network, evaluated instead of the shipped networks: each on the conditions of
        its weight kind; the conditions of a kind without a user network are skipped, with a
        note in the report saying so (:func:`rram_ber.analysis.accuracy.accuracy_study`).
    model_data : path, optional
        Test data (``.npz`` with ``x``, ``y``) of the user's networks (default: each
        network's shipped data set).
    rare_estimates : pandas.DataFrame, optional
        ``ber.csv`` of a rare-event campaign at some of this campaign's settings (the demo's
        operating points): shown next to the sweep's BER there.
    workers : int, optional
        Processes evaluating the accuracies (default: every usable CPU; 1: in this process).
        Any number gives the same numbers (:func:`rram_ber.analysis.accuracy.accuracy_study`).

    Raises
    ------
    ParameterError
        For a ``ber_target``, ``repeats`` or ``workers`` out of range.
    """

    ber_target: float = 1e-2
    accuracy: bool = True
    repeats: int = 10
    seed: int = 0
    test_limit: int | None = None
    operating_points: Sequence[str] = ()
    limits: SpecLimits | None = None
    pdf: bool = False
    model: str | Path | Sequence[str | Path] | None = None
    model_data: str | Path | None = None
    rare_estimates: pd.DataFrame | None = field(default=None, compare=False)
    workers: int | None = None

    def __post_init__(self) -> None:
        check_range("--ber-target", self.ber_target, 0.0, 1.0, low_inclusive=False)
        check_int("--repeats", self.repeats, 2, 10_000)
        if self.workers is not None:
            check_int("workers", self.workers, 1)


def _ber_display(ber: pd.DataFrame) -> pd.DataFrame:
    """The BER table as shown: the BER over all reads with its undecided and failed shares
    beside it. Columns added to ``ber.csv`` later are kept, after the known ones."""
    known = [c for c in BER_DISPLAY_COLUMNS if c in ber.columns]
    extra = [c for c in ber.columns if c not in known and c not in _HIDDEN_BER_COLUMNS]
    return ber[known + extra]


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
    (schema.UNDECIDED_SHARE, "undecided share", 1.0),
    (schema.FAILED_SHARE, "failed share", 1.0),
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
        html_table(table)
        + f"<details><summary>full campaign specification</summary><pre>{spec_json}</pre></details>"
    )
    return text, markdown_table(table)


def accuracy_conditions(
    ber: pd.DataFrame, windows: pd.DataFrame, points: Sequence[tuple[str, int]]
) -> list[int]:
    """Conditions whose network accuracy the report evaluates, in id order: binary ones at the
    longest sampling time and ternary ones at their best operating window (placed on the
    accuracy curves), and the headline operating ``points`` ``(why chosen, condition id)``."""
    longest = ber[same_value(ber["t_sample_s"], ber["t_sample_s"].max())]
    ternary = is_ternary(longest)
    chosen = list(longest[~ternary][schema.CONDITION_ID])
    for _, window in windows.iterrows():
        match = conditions_at(ber, CampaignCell.TERNARY, window)
        chosen += list(match[schema.CONDITION_ID])
    return sorted({int(c) for c in chosen} | {c for _, c in points})


@dataclass(frozen=True)
class _Campaign:
    """What every section reads: the loaded campaign and the tables derived from it."""

    data: CampaignData
    ber: pd.DataFrame  # ber.csv, with t_sample_s (NaN when the campaign does not sweep it)
    limits: SpecLimits  # the campaign's [spec] table with the options' limits on top
    resolve_below: float  # resolution floor of each condition's one BER
    points: list[tuple[str, int]]  # headline operating points: (why chosen, condition id)
    stats: pd.DataFrame  # delay and energy statistics per condition
    windows: pd.DataFrame  # ternary operating windows
    files: Path  # the <stem>_files folder


@dataclass(frozen=True)
class _Accuracy:
    """The network study: curves and measured points, and the table the report shows."""

    study: Any  # rram_ber.analysis.accuracy.AccuracyStudy (imported only when it runs)
    table: pd.DataFrame  # the points with each condition's settings and ber_report


class _Figures:
    """Figures of the report: PNG (embedded in the HTML, linked from the Markdown) and SVG in
    the files folder, PDF on request."""

    def __init__(self, files: Path, pdf: bool, step: Callable[[str], None]) -> None:
        self.files = files
        self.pdf = pdf
        self.step = step
        self.rendered: dict[str, bytes] = {}

    def add(self, name: str, figure: Any) -> str:
        """Draw and write ``figure`` as ``name``; returns the name."""
        self.step(f"drawing {name}")
        self.rendered[name] = figures.png_bytes(figure)
        (self.files / f"{name}.png").write_bytes(self.rendered[name])
        (self.files / f"{name}.svg").write_bytes(figures.vector_bytes(figure, "svg"))
        if self.pdf:
            (self.files / f"{name}.pdf").write_bytes(figures.vector_bytes(figure, "pdf"))
        return name


def build_report(
    out: str | Path,
    html_path: str | Path,
    options: ReportOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Write the report of a finished campaign.

    Parameters
    ----------
    out : path
        The campaign's output directory.
    html_path : path
        Where the HTML file goes (must end in ``.html`` or ``.htm``); the Markdown file and
        the ``<stem>_files`` folder are put beside it.
    options : ReportOptions, optional
        What to show (default: :class:`ReportOptions`'s defaults).
    progress : callable, optional
        Called with a short message before each slow step.
    """
    options = options or ReportOptions()
    html_file = Path(html_path)
    if html_file.suffix.lower() not in (".html", ".htm"):
        raise ParameterError("--output", str(html_file), "a file name ending in .html")
    step = progress or (lambda message: None)
    step("loading the campaign")
    campaign = _load(out, html_file.with_name(html_file.stem + "_files"), options)
    drawn = _Figures(campaign.files, options.pdf, step)
    accuracy = _accuracy(campaign, options, step) if options.accuracy else None
    sections = [
        _headline_section(campaign, options, accuracy),
        *_rare_event_sections(campaign, options),
        _ber_vs_vdd_section(campaign, drawn),
        *_distribution_sections(campaign, drawn),
        *_window_sections(campaign, drawn),
        _shmoo_section(campaign, options, drawn),
        *_accuracy_sections(accuracy, options, drawn),
        *_table_sections(campaign),
    ]
    step("writing the report")
    write_html(html_file, campaign.data, sections, drawn.rendered)
    markdown = html_file.with_suffix(".md")
    write_markdown(markdown, campaign.files, campaign.data, sections)
    return Report(html_file, markdown, campaign.files, tuple(drawn.rendered))


def _load(out: str | Path, files: Path, options: ReportOptions) -> _Campaign:
    """Load the campaign, derive the tables every section shares, write their CSV files."""
    data = load_campaign(out)
    files.mkdir(parents=True, exist_ok=True)
    ber = data.ber.copy()
    if "t_sample_s" not in ber.columns:
        ber["t_sample_s"] = np.nan
    points = (
        named_points(ber, options.operating_points)
        if options.operating_points
        else default_points(ber)
    )
    stats = delay_energy_stats(data.samples)
    stats.to_csv(files / "delay_energy.csv", index=False)
    return _Campaign(
        data=data,
        ber=ber,
        # The campaign's [spec] table, with every limit given here taking precedence.
        limits=data.campaign.limits.merged(options.limits or SpecLimits()),
        resolve_below=resolution_floor(data.spec),
        points=points,
        stats=stats,
        windows=operating_windows(ber),
        files=files,
    )


def _accuracy(
    campaign: _Campaign, options: ReportOptions, step: Callable[[str], None]
) -> _Accuracy:
    """Evaluate the networks at the accuracy conditions and the headline points."""
    from rram_ber.analysis.accuracy import accuracy_study

    ber = campaign.ber
    wanted = accuracy_conditions(ber, campaign.windows, campaign.points)
    skipped = sorted(set(int(c) for c in ber[schema.CONDITION_ID]) - set(wanted))
    step(f"evaluating network accuracy at {len(wanted)} conditions")
    study = accuracy_study(
        campaign.data.out / "ber.csv",
        wanted,
        options.repeats,
        options.seed,
        options.test_limit,
        progress=step,
        model=options.model,
        data=options.model_data,
        resolve_below=campaign.resolve_below,
        workers=options.workers,
    )
    settings = [c for c in ("cell", "corner", "temp_c", "vdd_v", "t_sample_s") if c in ber]
    table = (
        ber[[schema.CONDITION_ID, *settings, schema.BER_REPORT]]
        .merge(study.points, on=schema.CONDITION_ID)
        .sort_values(schema.CONDITION_ID)
    )
    table.to_csv(campaign.files / "accuracy.csv", index=False)
    if skipped:
        longest = ber["t_sample_s"].max()
        when = f" ({longest * 1e9:g} ns)" if pd.notna(longest) else ""
        study.notes.append(
            f"conditions {', '.join(str(c) for c in skipped)} not evaluated: the accuracy "
            f"section takes the binary conditions at the longest sampling time{when}, the "
            "ternary ones at their best operating windows and the headline operating points; "
            "evaluate any other with 'rram-ber evaluate --ber-table ber.csv --condition ID'"
        )
    return _Accuracy(study, table)


def _headline_section(
    campaign: _Campaign, options: ReportOptions, accuracy: _Accuracy | None
) -> Section:
    """The answer first: the operating points against the spec limits."""
    limits = campaign.limits
    headline = headline_table(
        campaign.ber,
        campaign.points,
        campaign.stats,
        accuracy.table if accuracy is not None else None,
        limits,
        options.rare_estimates,
        campaign.resolve_below,
    )
    headline.to_csv(campaign.files / "headline.csv", index=False)
    shown = _headline_display(headline)
    chosen = (
        "named with --operating-point"
        if options.operating_points
        else "the best condition of each cell (lowest BER) and its nominal one "
        "(tt, nearest 27 C, highest VDD, the cell's best sampling time)"
    )
    floor = campaign.resolve_below
    return Section(
        "Operating points",
        html_table(shown, "headline") + f"<p class='note'>Operating points: {html.escape(chosen)}. "
        f"{html.escape(_limits_text(limits))} BER over all reads: a wrong read, a read "
        "undecided at the sampling time and a failed simulation each count as a bit error; "
        "the undecided and failed shares are shown beside it. Delay over "
        "latched reads, energy over all simulated reads; accuracy drop against the same "
        "network without errors, at the 'BER for accuracy': the estimate, or where no error "
        "was seen the upper bound ('BER resolution' bound-below-floor when the bound is at "
        f"or below the resolution floor {floor:g}, else unresolved-bound: the accuracy at "
        "the bound is then a worst case, its drop an upper bound, and a drop above the "
        "limit is undetermined). The same BER gives rram-ber evaluate --ber-table and "
        "the API their accuracy. Verdicts: delay at its "
        "99.9th percentile, energy at its mean, BER by its whole 95 % interval; where a "
        "rare-event estimate exists at the same settings (it counts failures the same "
        "way, so it estimates the same BER), a BER the sweep leaves undetermined "
        "passes when the estimate's whole interval is within the limit.</p>",
        _limits_text(limits) + "\n\n" + markdown_table(shown),
        anchor="headline",
    )


def _rare_event_sections(campaign: _Campaign, options: ReportOptions) -> list[Section]:
    """Rare-event estimates at operating points next to the sweep's BER (when given)."""
    rare = options.rare_estimates
    if rare is None or not len(rare):
        return []
    rare_points = operating_point_table(campaign.ber, rare)
    rare_points.to_csv(campaign.files / "operating_points.csv", index=False)
    return [
        Section(
            "Rare-event estimates next to the sweep",
            "<p>Importance-sampling estimates (95 % intervals from the estimator, a wrong "
            "or undecided read or a failed simulation counted as a failure, as in the sweep's "
            "BER) at operating points of the sweep, "
            "beside the brute-force BER there.</p>" + html_table(rare_points),
            markdown_table(rare_points),
        )
    ]


def _ber_vs_vdd_section(campaign: _Campaign, drawn: _Figures) -> Section:
    return Section(
        "BER against supply voltage",
        "<p>Per cell and temperature, one line per corner, at the cell's best sampling time "
        "(lowest mean BER); bars are 95 % intervals, open triangles mark upper bounds where "
        "no error was seen; dotted crosses show the share of undecided reads and failed "
        "simulations (counted in the BER) where it is more than 1 % of the reads.</p>",
        "",
        drawn.add("ber_vs_vdd", figures.ber_vs_vdd_figure(campaign.ber)),
    )


def _distribution_sections(campaign: _Campaign, drawn: _Figures) -> list[Section]:
    samples = campaign.data.samples
    if not len(samples):
        return []
    if campaign.data.campaign.column is None:  # the isolated fixture (measure.py)
        definitions = (
            "sense delay (sense-enable edge to outputs separated by 90 % of VDD) and read "
            "energy (charge from VDD times VDD from the sense-enable edge to the end of the "
            "restoring precharge)"
        )
    else:  # a read in a column (measure.py: array reads)
        definitions = (
            "sense delay (sense enable at the PCSA to the decode logic first reading +1 or "
            "-1) and read energy (everything the read's supply delivers over the whole read "
            "cycle, from before the word line rises to the end of the restore: PCSA, drivers, "
            "bit and source lines, decode)"
        )
    return [
        Section(
            "Resistance, sense-delay and read-energy distributions",
            f"<p>Device resistances split by programmed state; {definitions}, per supply "
            "voltage. Mean, sigma and 99.9th percentile per condition are in the delay and "
            "energy table below.</p>",
            "",
            drawn.add("distributions", figures.distributions_figure(samples, campaign.ber)),
        )
    ]


def _window_sections(campaign: _Campaign, drawn: _Figures) -> list[Section]:
    windows = campaign.windows
    if not len(windows):
        return []
    windows.to_csv(campaign.files / "operating_window.csv", index=False)
    confusion = figures.confusion_figure(campaign.data.confusion, windows, campaign.ber)
    return [
        Section(
            "Ternary read: operating window",
            "<p>Per corner and temperature, the supply and sampling time where the ternary "
            "read differs least from the stored +1/0/-1, next to the binary 2T2R read at the "
            "same point.</p>" + html_table(windows),
            markdown_table(windows),
            drawn.add("ternary_confusion", confusion),
        )
    ]


def _shmoo_section(campaign: _Campaign, options: ReportOptions, drawn: _Figures) -> Section:
    target = options.ber_target
    shmoo = shmoo_table(campaign.ber, target)
    shmoo.to_csv(campaign.files / "shmoo.csv", index=False)
    return Section(
        "Shmoo: supply voltage against sampling time",
        f"<p>A read fails when it is wrong, undecided, or its simulation failed (the BER). "
        f"Pass: "
        f"the 95 % interval of the failure rate is at or below {target:g}; fail: above; "
        f"undetermined: the interval straddles the target.</p>",
        "",
        drawn.add("shmoo", figures.shmoo_figure(shmoo, target)),
    )


def _accuracy_sections(
    accuracy: _Accuracy | None, options: ReportOptions, drawn: _Figures
) -> list[Section]:
    if accuracy is None:
        return []
    study, table = accuracy.study, accuracy.table
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in study.notes)
    figure_name = None
    if study.curves:
        figure_name = drawn.add("accuracy", figures.accuracy_figure(study.curves, study.points))
    return [
        Section(
            "Network accuracy against BER",
            f"<p>{'Your' if options.model else 'Shipped'} networks evaluated with static "
            f"errors (drawn once per chip), mean "
            f"and 95 % interval (clipped to [0, 1]) over {options.repeats} chips. Diamonds: "
            f"each measured condition's own error model (asymmetric 2 x 2, or the ternary "
            f"3 x 3 confusion matrix) applied to every stored layer; drop = clean accuracy "
            f"minus accuracy at the condition.</p>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + html_table(table),
            markdown_table(table) + "".join(f"\n\n- {n}" for n in study.notes),
            figure_name,
        )
    ]


def _table_sections(campaign: _Campaign) -> list[Section]:
    """The full tables and the provenance close the page, folded: they are for looking
    things up."""
    files = campaign.files
    display = _ber_display(campaign.ber)
    display.to_csv(files / "ber.csv", index=False)
    campaign.data.confusion.to_csv(files / "confusion.csv", index=False)
    stats = campaign.stats
    provenance_html, provenance_md = _provenance(campaign.data)
    return [
        Section(
            "Bit-error rate per condition",
            "<p>BER = (wrong + undecided reads + failed simulations) / all reads with the "
            "exact Clopper-Pearson 95 % interval; '&lt; x' is the upper bound when no error "
            "was observed. Undecided: no valid value at the sampling time (a binary read whose "
            "outputs had not separated; decode logic undecided). The undecided and failed "
            "shares are shown beside the BER.</p>" + html_table(display),
            markdown_table(display),
            folded=True,
        ),
        Section(
            "Sense delay and read energy per condition",
            "<p>Delay [s] over latched reads, energy [J] over simulated reads: mean, sigma and "
            "99.9th percentile (with fewer than 1000 reads, close to the largest value).</p>"
            + html_table(stats),
            markdown_table(stats),
            folded=True,
        ),
        Section("Settings and provenance", provenance_html, provenance_md, folded=True),
    ]
