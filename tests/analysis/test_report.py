"""BER reports from a small finished campaign; the page checked in headless Chromium.

The campaign is ``tests/data/small_campaign`` (run with the real ngspice and committed: the
specification below, one worker), so these tests need no simulator.
"""

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

from analysis.campaign_data import load_campaign
from analysis.report import build_report
from characterization.spec import parse_spec
from rram_ber.cli import main

CAMPAIGN = Path(__file__).resolve().parents[1] / "data" / "small_campaign"
SPEC = {
    "campaign": {"name": "report test", "seed": 9, "samples": 24, "batch_size": 12},
    "conditions": {
        "cell": ["2t2r", "ternary"],
        "corner": ["tt", "ss"],
        "vdd_v": [1.0, 0.6],
        "t_sample_s": [0.5e-9, 2e-9],
    },
    "device": {"model": "lognormal", "hrs_median_ohm": 30e3, "hrs_sigma_ln": 0.9},
}
FIGURES = {"ber_vs_vdd", "distributions", "ternary_confusion", "shmoo", "accuracy"}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("campaign") / "small_campaign"
    shutil.copytree(CAMPAIGN, out)
    target = tmp_path_factory.mktemp("report") / "report.html"
    return build_report(out, target, repeats=3, test_limit=300)


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
        "Settings and provenance",
        "Bit-error rate per condition",
        "Shmoo: supply voltage against sampling time",
        "Network accuracy against BER",
    ):
        assert heading in parser.headings
    assert re.search(r"ngspice-\d+", text) and "root seed" in text  # provenance


def test_report_writes_markdown_and_csv_tables(report):
    markdown = report.markdown.read_text()
    assert markdown.startswith("# rram-ber BER report: report test")
    for name in FIGURES:
        assert f"({report.files.name}/{name}.png)" in markdown
        assert (report.files / f"{name}.png").stat().st_size > 5000
    for table in ("ber.csv", "confusion.csv", "shmoo.csv", "operating_window.csv", "accuracy.csv"):
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
    assert data.campaign.to_dict() == parse_spec(SPEC).to_dict()
    assert len(data.ber) == 16 and len(data.samples) == 16 * 24


def test_report_of_a_directory_without_a_campaign_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path), "-o", str(tmp_path / "r.html")]) == 2
    assert "finished campaign" in capsys.readouterr().err
