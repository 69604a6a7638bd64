"""The default read timing against a 2 ps reference, on near-balanced Monte-Carlo reads.

The campaign, the comparison and the criteria are those of ``benchmarks/step_study.py`` (the
study that chose the default, at 2,000 reads per read mode): every read mode (2T2R binary,
ternary, XNOR, 1T1R) on near-balanced devices (LRS 5 kOhm, HRS 7 kOhm, sigma of ln R 0.3), at
1.2 V and near threshold (0.6 V), four sampling times per simulation. Same seed at every
timing, so every ``(condition, sample)`` pair is the same read and decisions, sense delays
(interpolated between simulator points) and read energies compare sample by sample.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from rram_ber.characterization.executors import LocalExecutor
from rram_ber.circuits.read import ReadTiming

#: Reads per (read mode, supply); the study runs 1,000.
SAMPLES = 40
#: The timing before the step study: 10 ps maximum step, 3 ns evaluation.
BEFORE_STUDY = (10e-12, 3e-9)


def _study() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "step_study.py"
    spec = importlib.util.spec_from_file_location("step_study", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


STUDY = _study()


@pytest.mark.slow
@pytest.mark.ngspice
def test_default_timing_meets_the_step_criteria_against_the_2ps_reference(tmp_path):
    default = STUDY.Timing(ReadTiming().t_step_s, ReadTiming().t_evaluate_s)
    before = STUDY.Timing(*BEFORE_STUDY)
    reference = STUDY.Timing(STUDY.REFERENCE_STEP_S, ReadTiming().t_evaluate_s)
    with LocalExecutor(2) as executor:
        expected, _ = STUDY.run(SAMPLES, reference, tmp_path / "reference", executor)
        rows, _ = STUDY.run(SAMPLES, default, tmp_path / "default", executor)
        if before != default:
            earlier, _ = STUDY.run(SAMPLES, before, tmp_path / "before", executor)
    spec = STUDY.campaign(SAMPLES, reference)
    result = STUDY.compare(spec, expected, rows)
    baseline = result if before == default else STUDY.compare(spec, expected, earlier)

    assert result.compared == len(spec.conditions()) * SAMPLES
    # At most 1.5 x the decisions the 10 ps step changed (with one decision of slack for this
    # small sample: the study found 105 changes in 32,000 condition-samples at 10 ps, about
    # 4 in the 1,280 here).
    assert result.decisions_changed <= max(1, STUDY.DECISION_FACTOR * baseline.decisions_changed)
    assert result.ber_outside == []
    assert result.delay_median <= STUDY.MEDIAN_ERROR_MAX
    assert result.energy_median <= STUDY.MEDIAN_ERROR_MAX


def test_study_comparison_sees_a_changed_decision_and_a_ber_outside_the_reference_noise():
    import pandas as pd

    from rram_ber.characterization import schema

    spec = STUDY.campaign(10, STUDY.Timing(2e-12, 3e-9))
    cid = spec.conditions()[0].condition_id
    rows = pd.DataFrame(
        {
            schema.CONDITION_ID: [cid] * 10,
            schema.SAMPLE_INDEX: range(10),
            schema.DECISION: [1] * 10,
            schema.DELAY_S: [1e-10] * 10,
            schema.ENERGY_J: [1e-14] * 10,
        }
    )
    ber = pd.DataFrame(
        {
            schema.CONDITION_ID: [cid],
            schema.BER: [0.0],
            schema.BER_CI_LOW: [0.0],
            schema.BER_CI_HIGH: [0.31],
        }
    )
    changed = rows.assign(**{schema.DECISION: [-1] * 5 + [1] * 5, schema.DELAY_S: 1.05e-10})
    result = STUDY.compare(spec, (rows, ber), (changed, ber.assign(**{schema.BER: [0.5]})))
    assert result.decisions_changed == 5
    assert result.changed_by_mode["2t2r"] == 5
    assert result.ber_outside == [cid]
    assert result.delay_median == pytest.approx(0.05)
    assert not STUDY.passes(result, default_changed=5)
    same = STUDY.compare(spec, (rows, ber), (rows, ber))
    assert same.decisions_changed == 0 and same.ber_outside == []
    assert STUDY.passes(same, default_changed=0)
