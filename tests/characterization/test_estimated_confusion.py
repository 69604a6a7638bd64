"""A switched condition's read-out model is that of its estimates (issue 26, one BER per
condition): ``confusion.csv`` rows at the estimates, so a ternary matrix has the row's BER."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from rram_ber.analysis.bnn.ber_table import read_ber_table
from rram_ber.characterization import schema
from rram_ber.characterization.auto import auto_ber_table
from rram_ber.characterization.ber import (
    ConditionTally,
    estimated_confusion_rows,
    tally_confusion_table,
)
from rram_ber.characterization.rare import RareEstimate, RareEventResult
from rram_ber.characterization.spec import parse_spec


def _estimate(condition_id: int, stored: int, p: float, evaluations: int = 800) -> RareEstimate:
    result = RareEventResult(
        method="guided-importance",
        p=p,
        ci_low=0.8 * p,
        ci_high=1.2 * p,
        confidence=0.95,
        n_evaluations=evaluations,
        n_failures=60,
        std_error=0.1 * p,
        effective_sample_size=float("nan"),
        effective_failures=60.0,
    )
    return RareEstimate(condition_id, stored, result)


def test_the_wrong_values_split_as_the_monte_carlo_reads_did_and_rows_sum_to_one():
    # Stored +1: 4 reads delivered 0, 1 delivered -1, 2 undecided (one to each wrong value):
    # shares 5/7 and 2/7. Stored 0: no failed read, an even split. Stored -1: 1 failed
    # simulation, even split.
    tally = ConditionTally(
        n_samples=300,
        n_failed=1,
        values={1: Counter({1: 93, 0: 4, -1: 1}), 0: Counter({0: 100}), -1: Counter({-1: 99})},
        decided={1: (98, 5), 0: (100, 0), -1: (99, 0)},
        reads={1: (100, 0), 0: (100, 0), -1: (100, 1)},
    )
    rates = {1: (0.02, 0.015, 0.025), 0: (0.004, 0.003, 0.005), -1: (0.01, 0.008, 0.012)}
    rows = pd.DataFrame(estimated_confusion_rows(7, rates, tally, (1, 0, -1)))
    p = rows.set_index([schema.STORED, schema.READ])[schema.PROBABILITY]
    assert p[(1, 1)] == pytest.approx(0.98)
    assert p[(1, 0)] == pytest.approx(0.02 * 5 / 7)
    assert p[(1, -1)] == pytest.approx(0.02 * 2 / 7)
    assert p[(0, 1)] == p[(0, -1)] == pytest.approx(0.002)
    assert p[(-1, 1)] == p[(-1, 0)] == pytest.approx(0.005)
    assert rows.groupby(schema.STORED)[schema.PROBABILITY].sum().tolist() == pytest.approx(
        [1.0, 1.0, 1.0]
    )
    correct = rows[rows[schema.OUTCOME] == "correct"].set_index(schema.STORED)
    assert correct.loc[1, schema.CI_LOW] == pytest.approx(0.975)
    assert correct.loc[1, schema.CI_HIGH] == pytest.approx(0.985)
    assert rows[schema.COUNT].isna().all() and rows[schema.TOTAL].isna().all()


def test_a_switched_ternary_conditions_matrix_has_the_ber_of_its_row(tmp_path):
    spec = parse_spec(
        {
            "campaign": {"method": "auto", "samples": 100, "batch_size": 10},
            "conditions": {"cell": "ternary", "t_sample_s": [1e-9, 2e-9]},
            "device": {"model": "lognormal", "hrs_sigma_ln": 0.5},
        }
    )
    conditions = spec.conditions()
    # 1 ns: resolved by its samples (many errors). 2 ns: one wrong read in 100, so it
    # switches; its estimates differ per stored value and from what the samples saw.
    early = ConditionTally(
        100,
        0,
        {1: Counter({1: 20, 0: 14}), 0: Counter({0: 33}), -1: Counter({-1: 18, 0: 15})},
        {1: (34, 14), 0: (33, 0), -1: (33, 15)},
        {1: (34, 0), 0: (33, 0), -1: (33, 0)},
    )
    late = ConditionTally(
        100,
        0,
        {1: Counter({1: 33, 0: 1}), 0: Counter({0: 33}), -1: Counter({-1: 33})},
        {1: (34, 1), 0: (33, 0), -1: (33, 0)},
        {1: (34, 0), 0: (33, 0), -1: (33, 0)},
    )
    late_id = next(c.condition_id for c in conditions if c.t_sample_s == 2e-9)
    early_id = next(c.condition_id for c in conditions if c.t_sample_s == 1e-9)
    tallies = {early_id: early, late_id: late}
    estimates = [_estimate(late_id, s, p) for s, p in ((1, 3e-3), (0, 1e-4), (-1, 2e-3))]
    # As campaign.aggregate writes them: ber.csv, then every read-out (a ternary campaign).
    ber, estimated = auto_ber_table(spec, conditions, tallies, estimates)
    confusion = tally_confusion_table(tallies, (), estimated)
    ber.to_csv(tmp_path / "ber.csv", index=False)
    confusion.to_csv(tmp_path / "confusion.csv", index=False)
    rows = ber.set_index(schema.CONDITION_ID)
    assert rows.loc[late_id, schema.METHOD] == "guided-importance"
    assert rows.loc[early_id, schema.METHOD] == "monte-carlo"

    by_id = {c.condition_id: c for c in read_ber_table(tmp_path / "ber.csv")}
    # Each stored value's error, weighted as the row counts them: equally for the estimates,
    # by reads (-1, 0, +1: 33, 33, 34) for the samples.
    for condition_id, weights in ((early_id, [33, 33, 34]), (late_id, [1, 1, 1])):
        matrix = by_id[str(condition_id)].matrix.probabilities
        error = float(((1.0 - matrix.diagonal()) * weights).sum() / sum(weights))
        assert error == pytest.approx(rows.loc[condition_id, schema.BER])
    # The switched condition: each stored value's own estimate, its one wrong 0 read
    # giving stored +1's errors all to 0 (order -1, 0, +1).
    late_matrix = by_id[str(late_id)].matrix.probabilities
    assert 1 - late_matrix[2, 2] == pytest.approx(3e-3)
    assert late_matrix[2, 1] == pytest.approx(3e-3)
    assert 1 - late_matrix[1, 1] == pytest.approx(1e-4)
    # The Monte-Carlo condition keeps its counts.
    early_rows = confusion[confusion[schema.CONDITION_ID] == early_id]
    assert early_rows[schema.COUNT].notna().any()
