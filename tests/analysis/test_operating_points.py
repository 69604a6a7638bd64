"""The report's operating-point table: rare-event estimates next to the sweep."""

from __future__ import annotations

import pandas as pd

from analysis.summaries import operating_point_table
from characterization import schema


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
