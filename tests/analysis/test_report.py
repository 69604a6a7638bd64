"""BER reports from a small finished campaign; the page checked in headless Chromium.

The campaign is ``tests/data/small_campaign`` (run with the real ngspice and committed: the
specification below, one worker), so these tests need no simulator.
"""

import dataclasses
import html
import html.parser
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image

from rram_ber.analysis.campaign_data import load_campaign
from rram_ber.analysis.report import ReportOptions, build_report
from rram_ber.characterization.spec import parse_spec
from rram_ber.characterization.spec_limits import SpecLimits
from rram_ber.cli import main

CAMPAIGN = Path(__file__).resolve().parents[1] / "data" / "small_campaign"
SPEC = {
    "campaign": {
        "name": "report test",
        "seed": 9,
        "samples": 24,
        "batch_size": 12,
        "method": "monte-carlo",
    },
    "conditions": {
        "cell": ["2t2r", "ternary"],
        "corner": ["tt", "ss"],
        "vdd_v": [1.0, 0.6],
        "t_sample_s": [0.5e-9, 2e-9],
    },
    "device": {"model": "lognormal", "hrs_median_ohm": 30e3, "hrs_sigma_ln": 0.9},
    # The read's default step when the campaign was run (since issue 26: 30 ps, TRTOL 1).
    "timing": {"t_step_s": 10e-12},
}
FIGURES = {"ber_vs_vdd", "distributions", "ternary_confusion", "shmoo", "accuracy"}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("campaign") / "small_campaign"
    shutil.copytree(CAMPAIGN, out)
    target = tmp_path_factory.mktemp("report") / "report.html"
    limits = SpecLimits(ber_max=0.3, delay_max_s=1e-9, energy_max_j=12e-15, accuracy_drop_max=0.1)
    return build_report(out, target, ReportOptions(repeats=3, test_limit=300, limits=limits))


class _Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.references: list[str] = []
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.images.append(attributes)
        for name in ("src", "href", "action", "data"):
            if attributes.get(name):
                self.references.append(attributes[name])
        self._in_heading = tag == "h2"

    def handle_data(self, data):
        if self._in_heading:
            self.headings.append(data)
            self._in_heading = False


def test_report_html_parses_and_embeds_every_figure(report):
    text = report.html.read_text()
    parser = _Collector()
    parser.feed(text)
    parser.close()
    assert {img["id"].removeprefix("figure-") for img in parser.images} == FIGURES
    assert all(img["src"].startswith("data:image/png;base64,") for img in parser.images)
    assert all(ref.startswith("data:") for ref in parser.references)  # nothing fetched
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text)
    for heading in (
        "Operating points",
        "Settings and provenance",
        "Bit-error rate per condition",
        "Shmoo: supply voltage against sampling time",
        "Network accuracy against BER",
    ):
        assert heading in parser.headings
    assert re.search(r"ngspice-\d+", text) and "root seed" in text  # provenance
    # The answer comes first; the long tables come last, folded.
    assert parser.headings[0] == "Operating points"
    assert text.index('id="headline"') < text.index("<img")
    assert text.index("<details><summary><h2>Bit-error rate per condition") > text.rindex("<img")


def test_report_writes_markdown_and_csv_tables(report):
    markdown = report.markdown.read_text()
    assert markdown.startswith("# rram-ber BER report: report test")
    for name in FIGURES:
        assert f"({report.files.name}/{name}.png)" in markdown
        assert (report.files / f"{name}.png").stat().st_size > 5000
    for name in FIGURES:
        assert (report.files / f"{name}.svg").read_text().lstrip().startswith("<?xml")
    tables = ("ber.csv", "confusion.csv", "shmoo.csv", "operating_window.csv", "accuracy.csv",
              "headline.csv", "delay_energy.csv")  # fmt: skip
    for table in tables:
        assert (report.files / table).stat().st_size > 0
    shmoo = (report.files / "shmoo.csv").read_text().splitlines()
    assert len(shmoo) == 1 + 16 and "verdict" in shmoo[0]


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PROBE = """
<script>
window.__errors = [];
window.addEventListener("error", e => window.__errors.push(String(e.message || e)));
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const decoded = images.filter(i => i.complete && i.naturalWidth > 0).length;
  const result = {images: images.length, decoded, errors: window.__errors};
  document.body.setAttribute("data-probe", JSON.stringify(result));
});
</script>
"""


def test_report_loads_in_headless_chromium_and_its_images_decode(report, tmp_path):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required (bootstrap.sh --test installs it)"
    page = tmp_path / "probe.html"
    page.write_text(report.html.read_text().replace("<head>", "<head>" + PROBE, 1))
    common = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=10000",
    ]
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    probe = re.search(r'data-probe="([^"]*)"', dom.stdout)
    assert probe, dom.stderr[-2000:]
    result = json.loads(html.unescape(probe.group(1)))
    assert result == {"images": len(FIGURES), "decoded": len(FIGURES), "errors": []}
    shot = tmp_path / "report.png"
    shot_keep = report.html.with_name("screenshot.png")
    subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1400,2400", report.html.as_uri()],
        capture_output=True,
        timeout=180,
        check=True,
    )
    pixels = image.imread(shot)
    assert pixels.shape[0] >= 2000 and pixels.shape[1] >= 1300
    assert np.std(pixels[..., :3]) > 0.05  # not a blank page
    shutil.copy(shot, shot_keep)


def test_the_committed_campaign_is_the_one_this_file_describes():
    data = load_campaign(CAMPAIGN)
    # Run before the read's TRTOL had a default (issue 26): the netlist had no TRTOL option.
    spec = parse_spec(SPEC)
    described = dataclasses.replace(spec, timing=dataclasses.replace(spec.timing, trtol=None))
    assert data.campaign.to_dict() == described.to_dict()
    assert len(data.ber) == 16 and len(data.samples) == 16 * 24


def test_report_of_a_directory_without_a_campaign_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path), "-o", str(tmp_path / "r.html")]) == 2
    assert "finished campaign" in capsys.readouterr().err


FIRST_SCREEN_PROBE = """
<script>
window.addEventListener("load", () => {
  const table = document.getElementById("headline");
  const rows = Array.from(table.rows).filter(r => r.getBoundingClientRect().bottom <= innerHeight);
  const result = {
    height: innerHeight,
    width: innerWidth,
    tableRight: table.getBoundingClientRect().right,
    visible: rows.map(r => r.cells[0].textContent),
  };
  document.body.setAttribute("data-probe", JSON.stringify(result));
});
</script>
"""


def test_first_screen_shows_the_operating_points_against_the_spec(report, tmp_path):
    """At 1400 x 900 px the whole headline (BER, delay, energy, accuracy, verdicts) is on the
    first screen, and the pass/fail colours are in the screenshot."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required (bootstrap.sh --test installs it)"
    common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
              "--window-size=1400,900", "--hide-scrollbars"]  # fmt: skip
    page = tmp_path / "probe.html"
    page.write_text(report.html.read_text().replace("<head>", "<head>" + FIRST_SCREEN_PROBE, 1))
    dom = subprocess.run(
        [*common, "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    probe = re.search(r'data-probe="([^"]*)"', dom.stdout)
    assert probe, dom.stderr[-2000:]
    result = json.loads(html.unescape(probe.group(1)))
    assert result["tableRight"] <= result["width"]  # no horizontal scrolling needed
    visible = set(result["visible"])
    for quantity in ("BER [95 % CI]", "BER spec", "undecided share", "delay mean [ps]",
                     "delay sigma [ps]", "delay p99.9 [ps]", "energy mean [fJ]",
                     "energy p99.9 [fJ]", "accuracy", "accuracy drop", "verdict"):  # fmt: skip
        assert quantity in visible, (quantity, result)

    shot = tmp_path / "first_screen.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", report.html.as_uri()],
        capture_output=True, timeout=180, check=True,
    )  # fmt: skip
    pixels = (image.imread(shot)[..., :3] * 255).round().astype(int)
    assert pixels.shape[:2] == (900, 1400)
    # The verdict cells' colours: pass (#c8e6c9) and fail (#ffcdd2); the limits above make
    # the small campaign both pass and fail somewhere.
    for colour in ((0xC8, 0xE6, 0xC9), (0xFF, 0xCD, 0xD2)):
        assert (np.abs(pixels - colour).sum(axis=-1) <= 3).sum() > 500, colour
    shutil.copy(shot, report.html.with_name("first_screen.png"))


def test_headline_numbers_follow_from_the_tables(report):
    import pandas as pd

    headline = pd.read_csv(report.files / "headline.csv")
    # The committed campaign's ber.csv predates the read-outcome definition: read back upgraded.
    ber = load_campaign(CAMPAIGN).ber.set_index("condition_id")
    samples = load_campaign(CAMPAIGN).samples
    accuracy = pd.read_csv(report.files / "accuracy.csv").set_index("condition_id")
    assert list(headline["operating point"]) == [
        "best 2t2r", "nominal 2t2r", "best ternary", "nominal ternary"
    ]  # fmt: skip
    for _, row in headline.iterrows():
        condition = ber.loc[row["condition_id"]]
        assert row["ber_report"] == condition["ber_report"]
        n_fail = condition["n_wrong"] + condition["n_undecided"] + condition["n_failed"]
        assert row["resolved_ber"] == pytest.approx(n_fail / condition["n_samples"])
        assert row["undecided_share"] == condition["n_undecided"] / condition["n_samples"]
        mine = samples[(samples["condition_id"] == row["condition_id"]) & samples["latched"]]
        assert row["delay_mean_s"] == pytest.approx(mine["delay_s"].mean())
        assert row["delay_p999_s"] <= mine["delay_s"].max()
        expected = "pass" if row["delay_p999_s"] <= 1e-9 else "fail"
        assert row["delay_verdict"] == expected
        clean = accuracy.loc[row["condition_id"], "clean_accuracy"]
        assert 0.5 < clean <= 1.0
        assert row["accuracy_drop"] == pytest.approx(clean - row["accuracy"])
        verdicts = {row[c] for c in ("ber_verdict", "delay_verdict", "energy_verdict",
                                     "accuracy_verdict")}  # fmt: skip
        assert row["verdict"] == (
            "fail"
            if "fail" in verdicts
            else "undetermined"
            if "undetermined" in verdicts
            else "pass"
        )
    # The best condition of a cell has the lowest BER (over all reads) of that cell.
    best = headline[headline["operating point"] == "best 2t2r"].iloc[0]
    binary = ber[ber["cell"] == "2t2r"]
    rates = (binary["n_wrong"] + binary["n_undecided"] + binary["n_failed"]) / binary["n_samples"]
    assert best["resolved_ber"] == pytest.approx(rates.min())


def test_accuracy_intervals_are_clipped_and_labelled(report):
    import pandas as pd

    points = pd.read_csv(report.files / "accuracy.csv")
    assert {"corner", "vdd_v", "t_sample_s", "ber_report", "accuracy_drop"} <= set(points.columns)
    assert (points["accuracy_ci_low"] >= 0).all() and (points["accuracy_ci_high"] <= 1).all()


def test_ber_table_shows_the_undecided_and_failed_shares_beside_the_ber(report):
    import pandas as pd

    table = pd.read_csv(report.files / "ber.csv")
    n_fail = table["n_wrong"] + table["n_undecided"] + table["n_failed"]
    assert (table["n_errors"] == n_fail).all()
    assert np.allclose(table["undecided_share"], table["n_undecided"] / table["n_samples"])
    assert np.allclose(table["failed_share"], table["n_failed"] / table["n_samples"])
    # Condition 6 (2T2R, ss, 0.6 V, 0.5 ns): 7 of its 24 reads undecided, none wrong.
    six = table.set_index("condition_id").loc[6]
    assert (six["n_undecided"], six["n_wrong"], six["ber_report"]) == (7, 0, "0.292 [0.13, 0.51]")


def test_report_refuses_a_non_html_output_and_bad_limits(tmp_path, capsys):
    assert main(["report", str(CAMPAIGN), "-o", str(tmp_path / "r.pdf")]) == 2
    assert "--output" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()
    out = str(tmp_path / "r.html")
    assert main(["report", str(CAMPAIGN), "-o", out, "--ber-max", "2"]) == 2
    assert "--ber-max = 2.0" in capsys.readouterr().err
    assert main(["report", str(CAMPAIGN), "-o", out, "--operating-point", "corner=zz"]) == 2
    err = capsys.readouterr().err
    assert "--operating-point = 'corner=zz'" in err and "corner: ['ss', 'tt']" in err
    assert main(["report", str(CAMPAIGN), "-o", out, "--operating-point", "volts=1"]) == 2
    assert "keys among cell, corner" in capsys.readouterr().err


def test_named_operating_point_with_spice_suffixes(tmp_path, capsys):
    out = tmp_path / "r.html"
    point = "cell=2t2r,corner=tt,vdd_v=1,t_sample_s=2n"
    argv = ["report", str(CAMPAIGN), "-o", str(out), "--no-accuracy", "--operating-point", point,
            "--delay-max", "200p"]  # fmt: skip
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "report: drawing shmoo" in err  # progress messages
    import pandas as pd

    headline = pd.read_csv(tmp_path / "r_files" / "headline.csv")
    assert list(headline["condition_id"]) == [1]
    assert headline["delay_verdict"].iloc[0] == "fail"  # p99.9 of 264 ps > 200 ps
    assert headline["ber_verdict"].iloc[0] == "no limit"


def test_a_condition_whose_only_failure_is_an_undecided_read_is_evaluated_at_its_ber(report):
    """Condition 7 (2T2R, ss, 0.6 V, 2 ns): no wrong read, one of 24 undecided. Before the
    read-outcome definition its BER was "< 0.15" (an upper bound); the undecided read counts
    now, so it is estimated at 1/24. (A condition without any failure, evaluated at its
    bound, is tested on tables in tests/bnn.)"""
    import pandas as pd

    points = pd.read_csv(report.files / "accuracy.csv").set_index("condition_id")
    ber = load_campaign(CAMPAIGN).ber.set_index("condition_id")
    assert (ber.loc[7, "n_wrong"], ber.loc[7, "n_undecided"], ber.loc[7, "n_errors"]) == (0, 1, 1)
    assert points.loc[7, "ber_resolution"] == "estimated"
    assert points.loc[7, "ber"] == pytest.approx(1 / 24)
    assert (points["ber_resolution"] == "estimated").all()
    assert np.allclose(points["ber"], ber.loc[points.index, "ber"])
    headline = pd.read_csv(report.files / "headline.csv").set_index("condition_id")
    if 7 in headline.index:
        assert headline.loc[7, "resolved_ber"] == pytest.approx(1 / 24)


@pytest.mark.parametrize("condition", [7, 3])
def test_report_evaluate_and_api_give_one_accuracy_per_condition(report, condition, capsys):
    """One BER per condition everywhere: the report's headline and accuracy section,
    ``rram-ber evaluate --ber-table`` and ``api.evaluate_accuracy`` print the same accuracy.
    Condition 7 saw no error ("< 0.15": evaluated at its bound, a worst case); condition 3
    has an asymmetric 2 x 2 model (p_error_plus 0, p_error_minus 0.083)."""
    import pandas as pd

    from rram_ber import api

    section = pd.read_csv(report.files / "accuracy.csv").set_index("condition_id")
    headline = pd.read_csv(report.files / "headline.csv").set_index("condition_id")
    argv = ["evaluate", "--model", section.loc[condition, "model"], "--ber-table",
            str(CAMPAIGN / "ber.csv"), "--condition", str(condition), "--repeats", "3",
            "--limit", "300", "--json", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    evaluated = json.loads(capsys.readouterr().out)
    through_api = api.evaluate_accuracy(CAMPAIGN, [condition], repeats=3, test_limit=300)
    through_api = through_api.set_index("condition_id")
    accuracy = section.loc[condition, "accuracy_mean"]
    assert evaluated["accuracy_mean"] == pytest.approx(accuracy, rel=1e-12)
    assert through_api.loc[condition, "accuracy_mean"] == pytest.approx(accuracy, rel=1e-12)
    ber = section.loc[condition, "ber"]
    assert evaluated["ber"] == pytest.approx(ber) and through_api.loc[condition, "ber"] == ber
    resolution = section.loc[condition, "ber_resolution"]
    assert evaluated["ber_resolution"] == through_api.loc[condition, "ber_resolution"]
    assert evaluated["ber_resolution"] == resolution
    if condition in headline.index:
        assert headline.loc[condition, "accuracy"] == pytest.approx(accuracy, rel=1e-12)
        assert headline.loc[condition, "ber_resolution"] == resolution
    # The printed report says the same number.
    markdown = report.markdown.read_text(encoding="utf-8")
    assert f"{accuracy:.4g}" in markdown


def test_distribution_caption_defines_the_column_reads_delay_and_energy(report):
    # Issue 27: the caption gave the isolated cell's definitions (outputs separated by 90 % of
    # VDD; energy over evaluation and restore) for a campaign read in a column.
    text = report.html.read_text()
    assert "decode logic first reading +1 or -1" in text and "whole read cycle" in text
    assert "separated by 90 % of VDD" not in text


WIDTH_PROBE = """
<script>
window.addEventListener("load", () => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  const widest = Math.max(...Array.from(document.querySelectorAll("table"),
                                        t => t.getBoundingClientRect().width));
  const result = {page: document.documentElement.scrollWidth, width: innerWidth, widest};
  document.body.setAttribute("data-probe", JSON.stringify(result));
});
</script>
"""


def test_wide_tables_scroll_in_their_box_instead_of_widening_the_page(report, tmp_path):
    # Issue 27: the report's wide tables (every column of ber.csv) ran off the page.
    page = tmp_path / "width.html"
    page.write_text(report.html.read_text().replace("<head>", "<head>" + WIDTH_PROBE, 1))
    dom = subprocess.run(
        [shutil.which("chromium") or "chromium", *CHROMIUM_FLAGS,
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000",
         "--window-size=900,900", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    probe = re.search(r'data-probe="([^"]*)"', dom.stdout)
    assert probe, dom.stderr[-2000:]
    result = json.loads(html.unescape(probe.group(1)))
    assert result["widest"] > result["width"]  # a table wider than the window exists...
    assert result["page"] <= result["width"]  # ...and the page does not scroll sideways
