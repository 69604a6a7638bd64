"""Topping up a finished Monte-Carlo campaign: more samples into the same output."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rram_ber.characterization import schema, store
from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.spec import parse_spec
from tests.support import lognormal_device

pytestmark = pytest.mark.ngspice

SPEC = {
    "campaign": {"seed": 11, "samples": 200, "batch_size": 50, "method": "monte-carlo"},
    "conditions": {"cell": "2t2r", "vdd_v": 0.8},
    "device": lognormal_device(),
}


@pytest.mark.parametrize(
    ("samples", "batch"),
    # 200 -> 400 is the case (about a minute on an idle core); 8 -> 16 the quick one.
    [pytest.param(200, 50, marks=pytest.mark.slow), (8, 4)],
)
def test_extending_a_finished_campaign_to_twice_the_samples_keeps_its_rows(
    tmp_path, samples, batch
):
    spec = parse_spec(
        {**SPEC, "campaign": {**SPEC["campaign"], "samples": samples, "batch_size": batch}}
    )
    with LocalExecutor(1) as executor:
        first = run_campaign(spec, tmp_path, executor)
        before = store.read_samples(tmp_path)
        more = run_campaign(spec.with_samples(2 * samples), tmp_path, executor)
    after = store.read_samples(tmp_path)
    assert len(before) == samples and len(after) == 2 * samples
    # Only the new chunks are simulated; the stored ones are verified and kept.
    chunks = samples // batch
    assert (more.simulated_chunks, more.resumed_chunks) == (chunks, chunks)
    pd.testing.assert_frame_equal(after.iloc[:samples].reset_index(drop=True), before)
    assert int(more.ber.iloc[0][schema.N_SAMPLES]) == 2 * samples
    assert int(first.ber.iloc[0][schema.N_SAMPLES]) == samples
    record = json.loads((tmp_path / "campaign.json").read_text())
    assert record["spec"]["campaign"]["samples"] == 2 * samples
