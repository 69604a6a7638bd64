"""Derived tables of reports (no simulator)."""

import math

import pandas as pd
import pytest

from rram_ber.analysis.bnn.ber_table import read_ber_table
from rram_ber.analysis.summaries import (
    Verdict,
    operating_windows,
    read_failures,
    same_value,
    shmoo_table,
    verdict,
)
from rram_ber.characterization import schema
from rram_ber.characterization.ber import upgrade_ber_table
from rram_ber.core.validation import ParameterError


def _ber(rows):
    defaults = {
        "cell": "2t2r", "corner": "tt", "temp_c": 27.0, "vdd_v": 1.0, "t_sample_s": 1e-9,
        schema.METHOD: "monte-carlo", schema.N_SAMPLES: 100, schema.N_DECIDED: 100,
        schema.N_UNDECIDED: 0, schema.N_FAILED: 0, schema.N_WRONG: 0, schema.N_ERRORS: 0,
        schema.BER: 0.0, schema.BER_CI_LOW: 0.0, schema.BER_CI_HIGH: 0.036,
        schema.BER_REPORT: "", schema.UNDECIDED_SHARE: 0.0, schema.FAILED_SHARE: 0.0,
        schema.P_ERROR_PLUS: 0.0, schema.P_ERROR_MINUS: 0.0,
    }  # fmt: skip
    return pd.DataFrame([{schema.CONDITION_ID: i, **defaults, **r} for i, r in enumerate(rows)])


def test_verdicts_compare_the_whole_interval_with_the_target():
    assert verdict(0.0, 0.009, 0.01) is Verdict.PASS
    assert verdict(0.011, 0.02, 0.01) is Verdict.FAIL
    assert verdict(0.005, 0.02, 0.01) is Verdict.UNDETERMINED


def test_read_failures_are_the_ber_and_a_table_written_before_is_read_into_it():
    """A ber.csv of before the read-outcome definition (n_resolved / n_unresolved, BER over
    resolved reads) gives the BER over all reads: wrong + unresolved + failed."""
    new_only = [schema.N_DECIDED, schema.N_UNDECIDED, schema.N_WRONG]
    new_only += [schema.UNDECIDED_SHARE, schema.FAILED_SHARE]
    legacy = _ber([{schema.BER: 2 / 96}]).drop(columns=new_only)
    legacy = legacy.assign(n_resolved=96, n_unresolved=3, n_failed=1, n_errors=2)
    row = read_failures(legacy).iloc[0]
    assert (row["n_fail"], row["n"], row["p_fail"]) == (6, 100, 0.06)
    assert row["p_fail_low"] < 0.06 < row["p_fail_high"]
    upgraded = upgrade_ber_table(legacy).iloc[0]
    assert (upgraded[schema.N_WRONG], upgraded[schema.N_UNDECIDED]) == (2, 3)
    assert upgraded[schema.BER_REPORT] == "0.06 [0.022, 0.13]"
    current = _ber([{schema.N_ERRORS: 6, schema.BER: 0.06}])
    assert read_failures(current).iloc[0]["n_fail"] == 6


def test_rare_event_rows_use_their_own_estimate_and_interval():
    ber = _ber(
        [
            {
                schema.METHOD: "importance",
                schema.N_SAMPLES: 3000,
                schema.N_UNDECIDED: math.nan,
                schema.N_DECIDED: math.nan,
                schema.N_ERRORS: 900,
                schema.BER: 2e-6,
                schema.BER_CI_LOW: 1.5e-6,
                schema.BER_CI_HIGH: 2.5e-6,
            }
        ]
    )
    row = read_failures(ber).iloc[0]
    assert (row["p_fail"], row["p_fail_low"], row["p_fail_high"]) == (2e-6, 1.5e-6, 2.5e-6)
    assert shmoo_table(ber, 1e-5)["verdict"].iloc[0] == "pass"


def test_operating_window_picks_the_lowest_ternary_error_and_the_matching_binary_read():
    ber = _ber(
        [
            {
                "cell": "ternary",
                "vdd_v": 1.0,
                "t_sample_s": 0.5e-9,
                schema.BER: 0.10,
                schema.BER_CI_HIGH: 0.2,
            },
            {
                "cell": "ternary",
                "vdd_v": 0.6,
                "t_sample_s": 1.0e-9,
                schema.BER: 0.02,
                schema.BER_CI_HIGH: 0.05,
            },
            {
                "cell": "ternary",
                "vdd_v": 0.6,
                "t_sample_s": 2.0e-9,
                schema.BER: 0.30,
                schema.BER_CI_HIGH: 0.4,
            },
            {
                "cell": "2t2r",
                "vdd_v": 0.6,
                "t_sample_s": 1.0e-9,
                schema.BER: 0.01,
                schema.BER_REPORT: "0.01 [..]",
            },
            {"cell": "2t2r", "vdd_v": 0.6, "t_sample_s": 2.0e-9, schema.BER: 0.5},
        ]
    )
    (window,) = operating_windows(ber).to_dict("records")
    assert (window["vdd_v"], window["t_sample_s"], window["ternary_ber"]) == (0.6, 1.0e-9, 0.02)
    assert window["binary_ber"] == 0.01 and window["binary_ber_report"] == "0.01 [..]"


def test_sampling_times_are_compared_relatively():
    assert not same_value(0.5e-9, 2e-9) and same_value(1e-9, 1e-9 * (1 + 1e-12))


def test_conditions_without_resolved_reads_are_skipped_only_on_request(tmp_path):
    ber = _ber(
        [
            {
                schema.N_DECIDED: 0,
                schema.BER: math.nan,
                schema.P_ERROR_PLUS: math.nan,
                schema.P_ERROR_MINUS: math.nan,
            },
            {},
        ]
    )
    ber.to_csv(tmp_path / "ber.csv", index=False)
    with pytest.raises(ParameterError, match="condition '0'"):
        read_ber_table(tmp_path / "ber.csv")
    assert [c.condition_id for c in read_ber_table(tmp_path / "ber.csv", skip_unmeasured=True)] == [
        "1"
    ]
