"""``method = "auto"`` on real ngspice: Monte-Carlo where it resolves, guided importance sampling
where it does not, one set of draws for every sampling time of a group."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from rram_ber.analysis.bnn.ber_table import read_ber_table
from rram_ber.characterization import schema, store
from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.spec import parse_spec

pytestmark = pytest.mark.ngspice

HOT_C = 125.0

SPEC = {
    "campaign": {
        "seed": 4,
        "samples": 100,
        "batch_size": 50,
        "method": "auto",
        # Loose enough for 100 samples to resolve the hot read's frequent errors.
        "target_relative_half_width": 0.5,
        # Not the default, to show that the reports read the campaign's own floor.
        "resolve_below": 1e-8,
    },
    # A fast read (1.2 V, 1 and 2 ns) at the devices' reference temperature, and hot.
    "conditions": {
        "cell": "2t2r",
        "vdd_v": 1.2,
        "temp_c": [27.0, HOT_C],
        "t_sample_s": [1e-9, 2e-9],
    },
    # Log-normal devices with a small overlap at 27 C: P(R_LRS > R_HRS) = Phi(-ln 8 /
    # sqrt(0.3^2 + 0.5^2)) = 1.8e-4 per stored value. With an HRS activation energy of 0.2 eV
    # the HRS median falls to about 6 kohm at 125 C, next to the LRS (5.5 kohm): errors are
    # common there (47 of 100 with seed 4) and Monte-Carlo resolves them.
    "device": {
        "model": "lognormal",
        "lrs_median_ohm": 5e3,
        "lrs_sigma_ln": 0.3,
        "hrs_median_ohm": 40e3,
        "hrs_sigma_ln": 0.5,
        "hrs_activation_ev": 0.2,
    },
    # The isolated fixture: 2 x 4,000 column reads would take many minutes.
    "array": {"isolated": True},
}

#: The device-limited failure probability of the fast read (see the spec above).
OVERLAP = 0.5 * math.erfc(math.log(8) / math.hypot(0.3, 0.5) / math.sqrt(2))


@pytest.mark.slow  # up to 8,000 reads: 3-6 minutes (measured 2 x ~1,900 reads)
def test_auto_resolves_by_sampling_or_switches_to_guided_importance_and_resumes(tmp_path):
    spec = parse_spec(SPEC)
    out = tmp_path / "auto"
    with LocalExecutor(2) as executor:
        result = run_campaign(spec, out, executor)
    table = result.ber.set_index(["temp_c", "t_sample_s"])
    assert list(result.ber.columns[-2:]) == [schema.N_EVALUATIONS, schema.STOP_REASON]

    # Hot: resolved by its 100 Monte-Carlo samples (at both sampling times).
    for t_sample in (1e-9, 2e-9):
        hot = table.loc[(HOT_C, t_sample)]
        assert hot[schema.METHOD] == "monte-carlo"
        assert hot[schema.STOP_REASON] == "target-reached"
        assert hot[schema.N_EVALUATIONS] == hot[schema.N_SAMPLES] == 100
        assert hot[schema.N_ERRORS] > 0

    # The fast read: few or no errors in 100 samples, so one guided-importance estimate per
    # stored value at 2 ns, whose draws also give the 1 ns condition (the same reads there:
    # the device-limited errors, every read resolved by 1 ns).
    fast_late, fast_early = table.loc[(27.0, 2e-9)], table.loc[(27.0, 1e-9)]
    for fast in (fast_late, fast_early):
        assert fast[schema.METHOD] == "guided-importance"
        assert fast[schema.STOP_REASON] in ("target-reached", "budget-exhausted")
        assert fast[schema.N_EVALUATIONS] == 100 + fast_late[schema.N_SAMPLES]
        # Seed 4: 1.94e-4 [1.57e-4, 2.30e-4] against the overlap 1.81e-4, 3,759 reads.
        assert fast[schema.BER_CI_LOW] <= OVERLAP <= fast[schema.BER_CI_HIGH]
    assert fast_late[schema.N_SAMPLES] <= 2 * 4000
    estimates = store.read_estimates(out)
    assert {(e.condition_id, e.stored) for e in estimates} == {(0, 1), (0, -1), (1, 1), (1, -1)}
    assert all(e.result.method == "guided-importance" for e in estimates)
    shared = [e for e in estimates if e.condition_id == 0]
    assert all("from the draws of condition 1's estimate" in e.result.notes for e in shared)

    # The Monte-Carlo stage is a monte-carlo campaign: the same rows.
    plain = parse_spec(
        {
            **SPEC,
            "campaign": {"seed": 4, "samples": 100, "batch_size": 50, "method": "monte-carlo"},
        }
    )
    with LocalExecutor(1) as executor:
        reference = run_campaign(plain, tmp_path / "mc", executor)
    pd.testing.assert_frame_equal(store.read_samples(out), store.read_samples(tmp_path / "mc"))
    mc_table = reference.ber.set_index(["temp_c", "t_sample_s"])
    for t_sample in (1e-9, 2e-9):
        assert (
            mc_table.loc[(HOT_C, t_sample), schema.BER_REPORT]
            == table.loc[(HOT_C, t_sample), schema.BER_REPORT]
        )

    # Interrupted: a chunk of the 27 C group is lost; one process redoes it, plans the
    # same estimates from the samples, finds them stored and writes the same table.
    (out / "samples" / "g0000-k000001.parquet").unlink()
    text = (out / "ber.csv").read_text()
    with LocalExecutor(1) as executor:
        again = run_campaign(spec, out, executor)
    assert (again.simulated_chunks, again.resumed_chunks) == (1, 5)
    pd.testing.assert_frame_equal(again.ber, result.ber)
    assert (out / "ber.csv").read_text() == text

    # The reports read the floor the campaign wrote (the one-BER function).
    assert all(c.resolved.floor == 1e-8 for c in read_ber_table(out / "ber.csv"))


def test_auto_tops_up_a_group_until_its_target_and_the_rows_are_a_plain_campaigns(tmp_path):
    # The hot condition alone, from 20 samples, aiming at +-30 % (no ceiling: its BER of about
    # 0.5 would resolve it above one at once): a round (or more) of samples reaches it well
    # within the cap, so no estimate runs.
    campaign = {"seed": 4, "samples": 20, "batch_size": 10}
    auto = {
        **campaign,
        "method": "auto",
        "max_samples": 400,
        "target_relative_half_width": 0.3,
        "resolve_above": 1.0,
    }
    conditions = {**SPEC["conditions"], "temp_c": HOT_C}
    spec = parse_spec({**SPEC, "campaign": auto, "conditions": conditions})
    out = tmp_path / "auto"
    with LocalExecutor(2) as executor:
        result = run_campaign(spec, out, executor)
    row = result.ber.iloc[0]
    assert row[schema.METHOD] == "monte-carlo"
    assert row[schema.STOP_REASON] == "target-reached"
    assert 20 < row[schema.N_SAMPLES] <= 400 and row[schema.N_SAMPLES] % 10 == 0
    assert row[schema.N_EVALUATIONS] == row[schema.N_SAMPLES]
    half_width = 0.5 * (row[schema.BER_CI_HIGH] - row[schema.BER_CI_LOW])
    assert half_width <= 0.3 * row[schema.BER]
    assert not (out / "rare").exists()
    # The reports read the first round's rows (their delay and energy statistics).
    from rram_ber.analysis.campaign_data import load_campaign

    assert len(load_campaign(out).samples) == 20 * len(spec.conditions())
    # The same rows as a monte-carlo campaign of that many samples, run in one process.
    plain = parse_spec(
        {
            **SPEC,
            "campaign": {
                **campaign,
                "method": "monte-carlo",
                "samples": int(row[schema.N_SAMPLES]),
            },
            "conditions": conditions,
        }
    )
    with LocalExecutor(1) as executor:
        run_campaign(plain, tmp_path / "mc", executor)
    pd.testing.assert_frame_equal(store.read_samples(out), store.read_samples(tmp_path / "mc"))
    # Resumed: the same rounds are planned from the stored rows and nothing is simulated.
    with LocalExecutor(1) as executor:
        again = run_campaign(spec, out, executor)
    assert again.simulated_chunks == 0
    pd.testing.assert_frame_equal(again.ber, result.ber)
