"""Issue 27, part 8: the distribution figure of the report (no simulator)."""

import itertools

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg

from rram_ber.analysis.figures import distributions_figure


def _campaign(n: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two conditions, 27 C and 125 C: HRS 40 kOhm at 27 C, a quarter of it when hot."""
    rng = np.random.default_rng(1)
    frames = []
    for condition, hrs in ((0, 40e3), (1, 10e3)):
        stored = np.where(np.arange(n) % 2 == 0, 1, -1)
        lrs_draw = 5e3 * np.exp(rng.normal(0, 0.1, n))
        hrs_draw = hrs * np.exp(rng.normal(0, 0.1, n))
        frames.append(pd.DataFrame({
            "condition_id": condition, "sample": np.arange(n), "stored": stored,
            "r_bl_ohm": np.where(stored == 1, lrs_draw, hrs_draw),
            "r_blb_ohm": np.where(stored == 1, hrs_draw, lrs_draw),
            "status": "ok", "latched": True,
            # Sense delays over 1.3 decades (130 ps - 2.6 ns), as the small test campaign's are.
            "delay_s": np.exp(rng.uniform(np.log(130e-12), np.log(2.6e-9), n)),
            "energy_j": rng.normal(20e-15, 1e-15, n),
        }))  # fmt: skip
    ber = pd.DataFrame({"condition_id": [0, 1], "cell": "2t2r", "vdd_v": 1.2,
                        "t_sample_s": 2e-9, "temp_c": [27.0, 125.0]})  # fmt: skip
    return pd.concat(frames, ignore_index=True), ber


def test_device_resistances_are_shown_at_one_temperature():
    # Before: every temperature pooled, the HRS median fell between 10 and 40 kOhm.
    samples, ber = _campaign()
    figure = distributions_figure(samples, ber)
    cdf = figure.axes[0]
    labels = [text.get_text() for text in cdf.get_legend().get_texts()]
    hrs = next(label for label in labels if label.startswith("HRS"))
    median = float(hrs.split("median ")[1].split(" kOhm")[0])
    assert abs(median - 40.0) < 2.0, labels
    assert cdf.get_title() == "device resistances at 27 C"


def test_sense_delay_tick_labels_do_not_overlap():
    samples, ber = _campaign()
    figure = distributions_figure(samples, ber)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    delay = figure.axes[1]
    renderer = canvas.get_renderer()
    shown = [t for t in delay.xaxis.get_ticklabels(which="both") if t.get_text() and
             t.get_visible()]  # fmt: skip
    low, high = delay.get_xlim()
    boxes = sorted(
        (t.get_window_extent(renderer) for t in shown if low <= t.get_position()[0] <= high),
        key=lambda box: box.x0,
    )
    assert len(boxes) >= 2  # labelled at all
    assert all(a.x1 <= b.x0 for a, b in itertools.pairwise(boxes)), [t.get_text() for t in shown]


def test_the_ber_panels_legend_covers_no_data():
    # Issue 27: legends inside the BER-against-VDD panels covered points.
    from rram_ber.analysis.figures import ber_vs_vdd_figure
    from tests.analysis.test_report import CAMPAIGN

    ber = pd.read_csv(CAMPAIGN / "ber.csv")
    figure = ber_vs_vdd_figure(ber)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    panels = [axis for axis in figure.axes if axis.get_visible()]
    assert panels and all(axis.get_legend() is None for axis in panels)
    (legend,) = figure.legends
    box = legend.get_window_extent(renderer)
    for axis in panels:
        assert not box.overlaps(axis.get_window_extent(renderer))
    texts = [t.get_text() for t in legend.get_texts()]
    assert len(texts) == len(set(texts)) and any(t.startswith("tt") for t in texts)
