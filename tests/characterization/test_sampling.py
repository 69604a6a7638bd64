"""Seeded sampling of campaign conditions (no simulator)."""

import numpy as np
import pytest

from rram_ber.characterization.readout import CampaignCell
from rram_ber.characterization.sampling import plan_samples
from rram_ber.characterization.spec import parse_spec
from rram_ber.core.validation import ParameterError

SPEC = {
    "campaign": {"seed": 11, "samples": 40, "batch_size": 8, "method": "monte-carlo"},
    "conditions": {"vdd_v": [1.2, 0.8]},
    "device": {"model": "lognormal"},
}


def test_a_sample_draws_the_same_values_whatever_the_chunking():
    spec = parse_spec(SPEC)
    condition = spec.conditions()[1]
    together = plan_samples(spec, condition, range(0, 20))
    apart = plan_samples(spec, condition, range(13, 17))
    assert [p.columns for p in together[13:17]] == [p.columns for p in apart]


def test_conditions_and_seeds_get_different_draws():
    spec = parse_spec(SPEC)
    first, second = spec.conditions()
    a = plan_samples(spec, first, [0])[0].columns
    b = plan_samples(spec, second, [0])[0].columns
    c = plan_samples(
        parse_spec({**SPEC, "campaign": {**SPEC["campaign"], "seed": 12}}), first, [0]
    )[0].columns
    assert a["dvt_nl1"] != b["dvt_nl1"] and a["dvt_nl1"] != c["dvt_nl1"]


def test_every_drawn_variable_is_in_the_row():
    spec = parse_spec(SPEC)
    plan = plan_samples(spec, spec.conditions()[0], [3])[0]
    names = ["pc1", "pc2", "pl1", "pl2", "nl1", "nl2", "nen", "abl", "ablb"]
    for name in names:
        assert plan.copy.deviations[name].dvt_v == plan.columns["dvt_" + name]
        assert plan.copy.deviations[name].dbeta_rel == plan.columns["dbeta_" + name]
    bl, blb = plan.copy.cell.branch_elements()
    assert (bl.nominal_resistance_ohm(), blb.nominal_resistance_ohm()) == (
        plan.columns["r_bl_ohm"],
        plan.columns["r_blb_ohm"],
    )


def test_switching_mismatch_off_keeps_the_device_draws():
    with_mismatch = parse_spec(SPEC)
    without = parse_spec({**SPEC, "variability": {"mismatch": False}})
    a = plan_samples(with_mismatch, with_mismatch.conditions()[0], range(5))
    b = plan_samples(without, without.conditions()[0], range(5))
    assert [p.columns["r_bl_ohm"] for p in a] == [p.columns["r_bl_ohm"] for p in b]
    assert all(not p.copy.deviations for p in b) and "dvt_nl1" not in b[0].columns


def test_stored_values_alternate_and_set_the_device_states():
    spec = parse_spec({**SPEC, "variability": {"device": False}})
    plans = plan_samples(spec, spec.conditions()[0], range(4))
    assert (
        [p.stored for p in plans]
        == [1, -1, 1, -1]
        == [CampaignCell.TWO_T_TWO_R.mode.stored(i) for i in range(4)]
    )
    assert (plans[0].columns["r_bl_ohm"], plans[0].columns["r_blb_ohm"]) == (5e3, 50e3)
    assert (plans[1].columns["r_bl_ohm"], plans[1].columns["r_blb_ohm"]) == (50e3, 5e3)


def test_lognormal_draws_have_the_requested_median_and_spread():
    spec = parse_spec(
        {
            **SPEC,
            "campaign": {"seed": 1, "samples": 4000, "method": "monte-carlo"},
            "variability": {"mismatch": False},
        }
    )
    plans = plan_samples(spec, spec.conditions()[0], range(4000))
    lrs = np.log([p.columns["r_bl_ohm"] for p in plans if p.stored == 1])
    n = lrs.size
    assert abs(lrs.mean() - np.log(5e3)) < 4 * 0.2 / np.sqrt(n)
    assert abs(lrs.std(ddof=1) / 0.2 - 1) < 4 / np.sqrt(2 * (n - 1))


def test_empirical_resistances_are_resampled_from_the_file(tmp_path):
    path = tmp_path / "measured.csv"
    path.write_text("state,resistance_ohm\nLRS,4000\nLRS,6000\nHRS,80000\nhrs,120000\n")
    spec = parse_spec({"device": {"model": "empirical", "csv": "measured.csv"}}, str(tmp_path))
    states = spec.device.states()
    assert (states.lrs.median_ohm, states.hrs.median_ohm) == (5000.0, 100000.0)
    plans = plan_samples(spec, spec.conditions()[0], range(50))
    assert {p.columns["r_bl_ohm"] for p in plans if p.stored == 1} == {4000.0, 6000.0}
    assert {p.columns["r_blb_ohm"] for p in plans if p.stored == 1} == {80000.0, 120000.0}


@pytest.mark.parametrize(
    "content",
    [
        "state,resistance_ohm\nLRS,-5\nHRS,1e5\n",
        "state,ohms\nLRS,5\n",
        "state,resistance_ohm\nLRS,5e3\n",
        "state,resistance_ohm\nMID,5\nLRS,1\nHRS,2\n",
    ],
)
def test_bad_measurement_files_are_rejected(tmp_path, content):
    path = tmp_path / "m.csv"
    path.write_text(content)
    with pytest.raises(ParameterError, match=r"device\.csv"):
        parse_spec({"device": {"model": "empirical", "csv": "m.csv"}}, str(tmp_path))


def test_the_recorded_spawn_key_regenerates_the_sample_draws():
    from rram_ber.characterization.chunks import sample_row
    from rram_ber.characterization.sampling import draw_mismatch, sample_streams
    from rram_ber.circuits.read import read_transistor_geometries

    spec = parse_spec({**SPEC, "conditions": {"vdd_v": [1.2, 0.8], "t_sample_s": [5e-10, 2e-9]}})
    # The second VDD's later sampling time: condition 3 of group 1.
    condition = spec.conditions()[3]
    assert condition.group_id != condition.condition_id
    plan = plan_samples(spec, condition, [7])[0]
    row = sample_row(plan, condition, "not simulated")
    group, sample = (int(part) for part in row["spawn_key"].split("/"))
    mismatch_rng, _ = sample_streams(spec.campaign.seed, group, sample)
    geometries = read_transistor_geometries(spec.read_conditions(condition))
    _, columns = draw_mismatch(spec, geometries, mismatch_rng)
    assert columns == {k: v for k, v in plan.columns.items() if k.startswith(("dvt_", "dbeta_"))}
