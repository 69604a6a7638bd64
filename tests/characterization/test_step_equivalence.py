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
    read = ReadTiming()
    default = STUDY.Timing(read.t_step_s, read.t_evaluate_s, read.trtol, read.bypass)
    reference = STUDY.Timing(STUDY.REFERENCE_STEP_S, ReadTiming().t_evaluate_s)
    with LocalExecutor(2) as executor:
        expected, _ = STUDY.run(SAMPLES, reference, tmp_path / "reference", executor)
        rows, _ = STUDY.run(SAMPLES, default, tmp_path / "default", executor)
    spec = STUDY.campaign(SAMPLES, reference)
    result = STUDY.compare(spec, expected, rows)

    assert result.compared == len(spec.conditions()) * SAMPLES
    # Criteria 1-3 of the study on this small sample (the rare-event criterion 4 and the
    # full 2,000 reads per read mode are the study's own run).
    assert STUDY.failures(result) == []


def _table(cid: int, decisions: list[int], delay_s: float, ber: float) -> tuple:
    import pandas as pd

    from rram_ber.characterization import schema

    rows = pd.DataFrame(
        {
            schema.CONDITION_ID: [cid] * len(decisions),
            schema.SAMPLE_INDEX: range(len(decisions)),
            schema.DECISION: decisions,
            schema.DELAY_S: [delay_s] * len(decisions),
            schema.ENERGY_J: [1e-14] * len(decisions),
        }
    )
    table = pd.DataFrame(
        {
            schema.CONDITION_ID: [cid],
            schema.BER: [ber],
            schema.BER_CI_LOW: [0.0],
            schema.BER_CI_HIGH: [0.31],
        }
    )
    return rows, table


def test_study_comparison_sees_changed_decisions_a_direction_and_a_ber_outside():
    spec = STUDY.campaign(10, STUDY.Timing(2e-12, 3e-9))
    cid = spec.conditions()[0].condition_id
    reference = _table(cid, [1] * 1000, 1e-10, 0.0)
    # 10 of 1,000 decisions moved down (1 %, one direction), delays 5 % longer, BER outside.
    moved = _table(cid, [-1] * 10 + [1] * 990, 1.05e-10, 0.5)
    result = STUDY.compare(spec, reference, moved)
    assert result.decisions_changed == 10 and result.changed_share == pytest.approx(0.01)
    assert result.changed_down_by_mode["2t2r"] == 10 and result.changed_up_by_mode["2t2r"] == 0
    assert result.mcnemar_p_by_mode["2t2r"] == pytest.approx(2 * 0.5**10)
    assert result.ber_outside == [cid]
    assert result.delay_median == pytest.approx(0.05)
    failed = " | ".join(STUDY.failures(result))
    for reason in ("BER", "decisions changed", "direction", "median delay", "p99 delay"):
        assert reason in failed
    same = STUDY.compare(spec, reference, reference)
    assert same.decisions_changed == 0 and same.ber_outside == []
    assert STUDY.failures(same) == []


def test_a_few_changes_without_direction_pass():
    spec = STUDY.campaign(10, STUDY.Timing(2e-12, 3e-9))
    cid = spec.conditions()[0].condition_id
    decisions = [1, -1] * 500
    reference = _table(cid, decisions, 1e-10, 0.0)
    # 2 up and 2 down in 1,000 (0.4 %): noise, no direction.
    swapped = [-1, 1, -1, 1, *decisions[4:]]
    result = STUDY.compare(spec, reference, _table(cid, swapped, 1e-10, 0.0))
    assert result.changed_up_by_mode["2t2r"] == 2 and result.changed_down_by_mode["2t2r"] == 2
    assert result.mcnemar_p_by_mode["2t2r"] == pytest.approx(1.0)
    assert STUDY.failures(result) == []
    assert STUDY.overlap((1e-6, 5e-7, 2e-6), (1.5e-6, 1e-6, 3e-6))
    assert not STUDY.overlap((1e-6, 5e-7, 1.2e-6), (3e-6, 2e-6, 4e-6))
