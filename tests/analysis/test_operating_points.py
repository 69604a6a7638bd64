"""The report's operating-point table: rare-event estimates next to the sweep."""

from __future__ import annotations

import pandas as pd

from rram_ber.analysis.headline import headline_table
from rram_ber.analysis.summaries import operating_point_table
from rram_ber.characterization import schema
from rram_ber.characterization.spec_limits import SpecLimits


def _row(cell, vdd, t, report, low=0.0, high=0.01):
    return {
        "cell": cell,
        "corner": "tt",
        "temp_c": 27.0,
        "vdd_v": vdd,
        "t_sample_s": t,
        schema.BER_REPORT: report,
        schema.BER_CI_LOW: low,
        schema.BER_CI_HIGH: high,
    }


def test_each_estimate_sits_next_to_the_sweep_at_the_same_settings():
    sweep = pd.DataFrame(
        [
            _row("2t2r", 1.2, 1e-9, "< 0.0092"),
            _row("2t2r", 1.2, 2e-9, "< 0.0091"),
            _row("ternary", 1.2, 1e-9, "0.01 [0.005, 0.02]"),
            _row("2t2r", 0.9, 1e-9, "0.0125 [0.004, 0.03]"),
        ]
    )
    rare = pd.DataFrame(
        [
            _row("2t2r", 1.2, 1e-9, "7.4e-05 [6.1e-05, 8.8e-05] (importance)", 6.1e-5, 8.8e-5),
            _row("2t2r", 0.9, 1e-9, "0.011 [0.01, 0.012] (importance)", 0.01, 0.012),
            _row("2t2r", 0.7, 1e-9, "0.2 [0.19, 0.21] (importance)", 0.19, 0.21),
        ]
    )
    table = operating_point_table(sweep, rare)
    assert list(table["monte-carlo"]) == ["< 0.0092", "0.0125 [0.004, 0.03]", ""]
    assert list(table["rare-event"]) == list(rare[schema.BER_REPORT])
    assert list(table[schema.BER_CI_HIGH]) == [8.8e-5, 0.012, 0.21]


def _sweep_row(condition, vdd, n_errors, low, high):
    return {
        **_row("2t2r", vdd, 1e-9, f"{n_errors / 300:.3g} [{low:.2g}, {high:.2g}]", low, high),
        schema.CONDITION_ID: condition,
        schema.N_SAMPLES: 300,
        schema.N_ERRORS: n_errors,
        schema.N_UNDECIDED: 0,
        schema.N_FAILED: 0,
        schema.BER: n_errors / 300,
    }


def test_the_headline_shows_the_estimate_and_it_settles_only_an_undetermined_ber():
    # 1.2 V: the sweep's interval straddles the 1e-2 limit, the estimate is far below it;
    # 0.9 V: the sweep alone already fails; 0.8 V: no estimate at these settings.
    sweep = pd.DataFrame(
        [
            _sweep_row(1, 1.2, 1, 8e-5, 1.8e-2),
            _sweep_row(2, 0.9, 12, 2.1e-2, 6.9e-2),
            _sweep_row(3, 0.8, 1, 8e-5, 1.8e-2),
        ]
    )
    rare = pd.DataFrame(
        [
            _row("2t2r", 1.2, 1e-9, "7.4e-05 [6.1e-05, 8.8e-05] (importance)", 6.1e-5, 8.8e-5),
            _row("2t2r", 0.9, 1e-9, "0.005 [0.004, 0.006] (importance)", 0.004, 0.006),
        ]
    )
    points = [("a", 1), ("b", 2), ("c", 3)]
    limits = SpecLimits(ber_max=1e-2)
    table = headline_table(sweep, points, pd.DataFrame(), None, limits, rare).set_index(
        schema.CONDITION_ID
    )
    assert list(table["rare_event_ber"]) == [*rare[schema.BER_REPORT], ""]
    assert list(table["ber_verdict"]) == ["pass", "fail", "undetermined"]
    without = headline_table(sweep, points, pd.DataFrame(), None, limits)
    assert list(without["ber_verdict"]) == ["undetermined", "fail", "undetermined"]
    assert (without["rare_event_ber"] == "").all()
