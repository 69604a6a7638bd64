"""A campaign estimated by importance sampling (real ngspice): wiring, table, resume."""

import math

import pandas as pd
import pytest

from rram_ber.characterization import schema
from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.spec import parse_spec
from rram_ber.characterization.store import read_estimates
from tests.support import lognormal_device

pytestmark = pytest.mark.ngspice

SPEC = {
    "campaign": {"seed": 4, "samples": 2000, "batch_size": 50, "method": "importance"},
    "conditions": {"cell": "2t2r", "vdd_v": 1.0},
    "device": lognormal_device(hrs_median_ohm=40e3),
    # The isolated fixture: this test is about the estimator's records and resume, and 1500
    # column reads per estimate would take several minutes.
    "array": {"isolated": True},
}


@pytest.mark.slow
def test_importance_sampling_campaign_reports_method_interval_and_resumes(tmp_path):
    spec = parse_spec(SPEC)
    with LocalExecutor(2) as executor:
        result = run_campaign(spec, tmp_path, executor)
    row = result.ber.iloc[0]
    assert row[schema.METHOD] == "importance"
    assert "(importance)" in row[schema.BER_REPORT]
    # Device-limited 2T2R failure: P(ln R_LRS > ln R_HRS) = Phi(-ln 8 / sqrt(0.3^2 + 0.8^2))
    # = 7.5e-3 for both stored values; the sense amplifier adds little at 1.0 V.
    expected = 0.5 * math.erfc(math.log(8) / math.hypot(0.3, 0.8) / math.sqrt(2))
    assert row[schema.BER_CI_LOW] <= row[schema.BER] <= row[schema.BER_CI_HIGH]
    assert 0.5 * expected < row[schema.BER] < 2 * expected
    assert row[schema.P_ERROR_PLUS] > 0 and row[schema.P_ERROR_MINUS] > 0
    estimates = {e.stored: e.result for e in read_estimates(tmp_path)}
    assert set(estimates) == {1, -1}
    assert all(r.method == "importance" and r.n_evaluations <= 2000 for r in estimates.values())
    # The importance diagnostics travel with the stored estimate: the design points found.
    assert all(len(r.diagnostics["design_points"]) >= 1 for r in estimates.values())
    rows = pd.read_parquet(tmp_path / "rare" / "c0000-plus.parquet")
    assert len(rows) == estimates[1].n_evaluations
    assert {"weight", "stage", "u_dvt_nl1"} <= set(rows.columns)
    with LocalExecutor(1) as executor:
        again = run_campaign(spec, tmp_path, executor)
    assert (again.simulated_chunks, again.resumed_chunks) == (0, 2)
    pd.testing.assert_frame_equal(again.ber, result.ber)


@pytest.mark.slow
def test_subset_simulation_campaign_ranks_reads_by_their_margin(tmp_path):
    spec = parse_spec({**SPEC, "campaign": {**SPEC["campaign"], "method": "subset"}})
    with LocalExecutor(2) as executor:
        result = run_campaign(spec, tmp_path, executor)
    row = result.ber.iloc[0]
    assert row[schema.METHOD] == "subset"
    assert "(subset)" in row[schema.BER_REPORT]
    # The device-limited BER of the importance test above (7.5e-3), inside the interval.
    expected = 0.5 * math.erfc(math.log(8) / math.hypot(0.3, 0.8) / math.sqrt(2))
    assert row[schema.BER_CI_LOW] <= expected <= row[schema.BER_CI_HIGH]
    assert 0.2 * expected < row[schema.BER] < 5 * expected
    estimates = read_estimates(tmp_path)
    assert all(e.result.n_evaluations <= 2000 for e in estimates)
    assert all(e.result.diagnostics["thresholds"] for e in estimates)
    rows = pd.read_parquet(tmp_path / "rare" / "c0000-minus.parquet")
    assert {"margin", "failure", "stage"} <= set(rows.columns)
    assert ((rows["margin"] <= 0) == rows["failure"]).all()
    assert rows["stage"].iloc[0] == "subset level 0"


#: The default campaign's devices, read at tt, 27 C, 0.9 V, 0.5 ns in its 64-row column: every
#: stored value of the ternary read fails often enough (wrong or undecided, 13-24 %) for
#: subset simulation to stop at its first level (180 column reads per stored value).
COLUMN_SPEC = {
    "campaign": {"seed": 20261123, "samples": 2000, "batch_size": 60, "method": "subset"},
    "conditions": {"cell": "ternary", "vdd_v": 0.9, "t_sample_s": 0.5e-9},
    "device": lognormal_device(hrs_median_ohm=40e3),
    "array": {"rows": 64},
    "timing": {"t_step_s": 20e-12},
}


@pytest.mark.slow  # 540 column reads: about a minute of CPU
def test_a_ternary_subset_campaign_estimates_every_stored_value(tmp_path):
    spec = parse_spec(COLUMN_SPEC)
    with LocalExecutor(1) as executor:
        result = run_campaign(spec, tmp_path, executor)
    written = pd.read_csv(tmp_path / "ber.csv")
    assert len(written) == 1 and written[schema.METHOD].iloc[0] == "subset"
    estimates = {e.stored: e.result for e in read_estimates(tmp_path)}
    assert set(estimates) == {1, 0, -1}
    row = result.ber.iloc[0]
    # The campaign BER is the Monte-Carlo path's average over the three stored values.
    assert row[schema.BER] == pytest.approx(sum(r.p for r in estimates.values()) / 3)
    assert row[schema.BER_CI_LOW] < row[schema.BER] < row[schema.BER_CI_HIGH]
    assert math.isnan(row[schema.P_ERROR_PLUS]) and math.isnan(row[schema.P_ERROR_MINUS])
    assert all(r.p > 0 for r in estimates.values())
    zeros = pd.read_parquet(tmp_path / "rare" / "c0000-zero.parquet")
    assert (zeros[schema.STORED_VALUE] == 0).all()
    assert ((zeros["margin"] <= 0) == zeros["failure"]).all()
    # A zero fails when it does not decode 0 (separated, or undecided at the sampling time).
    assert (zeros["failure"] == ((zeros[schema.DECISION] != 0) | ~zeros[schema.RESOLVED])).all()


@pytest.mark.slow  # a few hundred column reads per stored weight
def test_an_xnor_subset_campaign_draws_both_inputs(tmp_path):
    spec = parse_spec({**COLUMN_SPEC, "conditions": {**COLUMN_SPEC["conditions"], "cell": "xnor"}})
    with LocalExecutor(1) as executor:
        result = run_campaign(spec, tmp_path, executor)
    row = result.ber.iloc[0]
    estimates = {e.stored: e.result for e in read_estimates(tmp_path)}
    assert set(estimates) == {1, -1}
    assert row[schema.BER] == pytest.approx(0.5 * (estimates[1].p + estimates[-1].p))
    assert row[schema.BER_CI_LOW] < row[schema.BER] < row[schema.BER_CI_HIGH]
    # Per stored weight, not per expected output: no 2 x 2 columns.
    assert math.isnan(row[schema.P_ERROR_PLUS])
    for name, stored in (("plus", 1), ("minus", -1)):
        rows = pd.read_parquet(tmp_path / "rare" / f"c0000-{name}.parquet")
        assert set(rows[schema.ACTIVATION]) == {1, -1}
        assert (rows[schema.EXPECTED] == stored * rows[schema.ACTIVATION]).all()
        assert ((rows["margin"] <= 0) == rows["failure"]).all()
