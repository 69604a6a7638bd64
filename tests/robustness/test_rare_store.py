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
