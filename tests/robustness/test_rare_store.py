"""Issue 20, faults 1 and 3 for rare-event estimates: checked like chunks, before simulating."""

from __future__ import annotations

import json

import pytest

from rram_ber.characterization import store
from rram_ber.characterization.campaign import fingerprint, run_campaign
from rram_ber.characterization.spec import parse_spec
from rram_ber.core.validation import ParameterError
from tests.support import RecordingExecutor, Stopped

SPEC = {
    "campaign": {"samples": 2000, "method": "importance"},
    "conditions": {"vdd_v": 0.9},
    "device": {"model": "fixed"},
}


def test_an_estimate_of_another_campaign_is_refused(tmp_path):
    spec = parse_spec(SPEC, source_dir=str(tmp_path))
    path = store.estimate_paths(tmp_path, 0, 1)[0]
    path.parent.mkdir(parents=True)
    other = {**fingerprint(spec), "spec.campaign.seed": "9"}
    path.write_text(json.dumps({"condition_id": 0, "stored": 1, "fingerprint": other}))
    with pytest.raises(ParameterError, match=r"rare/c0000-plus.json .*spec.campaign.seed: 9 there"):
        run_campaign(spec, tmp_path, RecordingExecutor())


def test_an_unreadable_estimate_is_recomputed(tmp_path, capsys):
    spec = parse_spec(SPEC, source_dir=str(tmp_path))
    json_path, rows_path = store.estimate_paths(tmp_path, 0, -1)
    json_path.parent.mkdir(parents=True)
    json_path.write_text("{ half an estimate")
    rows_path.write_bytes(b"")
    executor = RecordingExecutor()
    with pytest.raises(Stopped):
        run_campaign(spec, tmp_path, executor)
    assert [t.stored for t in executor.tasks] == [1, -1]
    assert not json_path.exists() and not rows_path.exists()
    assert "rare/c0000-minus.json is unreadable: recomputing it" in capsys.readouterr().err


def test_every_kind_of_campaign_work_has_a_plan_and_an_estimate_campaign_plans_estimates(
    tmp_path,
):
    from rram_ber.characterization.campaign import _PLANS, campaign_work
    from rram_ber.characterization.rare import ESTIMATORS, CampaignWork
    from rram_ber.characterization.worker import RareTask

    assert set(_PLANS) == set(CampaignWork)
    assert {entry.campaign_work for entry in ESTIMATORS.values()} <= set(_PLANS)
    spec = parse_spec(SPEC, source_dir=str(tmp_path))
    assert campaign_work(spec) is CampaignWork.ESTIMATES
    tasks = _PLANS[campaign_work(spec)](spec, spec.conditions())
    assert [(type(t), t.stored) for t in tasks] == [(RareTask, 1), (RareTask, -1)]


def test_an_estimate_round_trips_through_the_store_and_an_old_one_is_still_read(tmp_path):
    import pandas as pd

    from rram_ber.characterization.rare import RareEstimate, estimate_failure_probability
    from rram_ber.characterization.rare.problems import HalfSpace

    result = estimate_failure_probability(HalfSpace(4, 1e-5), 4, budget=2000, seed=1)
    estimate = RareEstimate(2, 1, result)
    store.write_estimate(tmp_path, estimate, pd.DataFrame({"x": [1.0]}), {"k": "v"})
    json_path = store.estimate_paths(tmp_path, 2, 1)[0]
    assert store.estimate_fingerprint(json_path) == {"k": "v"}
    back = store.read_estimate(json_path)
    assert back.result.diagnostics == result.diagnostics and back.result.p == result.p
    # A record of the first format (before the diagnostics) is read, not refused.
    record = json.loads(json_path.read_text())
    for key in ("format", "diagnostics", "effective_failures", "upper_bound_only"):
        record.pop(key)
    json_path.write_text(json.dumps(record))
    old = store.read_estimate(json_path)
    assert old.result.p == result.p and old.result.diagnostics == {}
    # A record of an unknown format is refused with a message naming the file.
    json_path.write_text(json.dumps({**record, "format": 99}))
    with pytest.raises(ValueError, match=r"rare/c0002-plus.json .*estimate format 99"):
        store.read_estimate(json_path)
    with pytest.raises(ParameterError, match=r"c0002-plus\.json"):
        store.read_estimates(tmp_path)
