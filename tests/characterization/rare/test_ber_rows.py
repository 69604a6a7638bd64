"""ber.csv rows of rare-event conditions carry the estimators' own intervals."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

from rram_ber.characterization import schema, store
from rram_ber.characterization.ber import rare_ber_row, rare_ber_table
from rram_ber.characterization.rare import (
    RareEstimate,
    RareEventResult,
    estimate_failure_probability,
)
from rram_ber.characterization.rare.problems import HalfSpace


def _stored(result: RareEventResult, stored: int) -> RareEstimate:
    """What a rare task stores of a result, read back from its record."""
    record = json.loads(json.dumps(RareEstimate(0, stored, result).to_record()))
    return RareEstimate.from_record(record)


def _never_fails(u: np.ndarray) -> np.ndarray:
    return np.zeros(len(u), dtype=bool)


def _half_space(u: np.ndarray) -> np.ndarray:
    return np.asarray(u[:, 0] > 4.0)


@pytest.mark.parametrize("method", ["importance", "scaled-sigma"])
def test_a_row_without_a_failure_keeps_the_estimators_upper_bound(method):
    results = [
        estimate_failure_probability(_never_fails, 4, method=method, budget=2000, seed=s)
        for s in (1, 2)
    ]
    # Importance sampling: p = 0 with a bound; scaled-sigma: no estimate (NaN), [0, 1].
    assert all(not r.p > 0.0 and r.ci_high > 0.0 for r in results)
    row = rare_ber_row(_stored(results[0], 1), _stored(results[1], -1))
    # Formerly ber +- z se with se = 0: the interval [0, 0].
    assert row[schema.BER_CI_HIGH] > row[schema.BER_CI_LOW] == 0.0
    assert row[schema.BER_CI_HIGH] == pytest.approx(0.5 * (results[0].ci_high + results[1].ci_high))
    assert row[schema.BER_REPORT].startswith("< " if method == "importance" else "undetermined")


@pytest.mark.parametrize("method", ["importance", "scaled-sigma"])
def test_a_row_with_failures_adds_the_independent_half_widths_in_quadrature(method):
    plus, minus = (
        estimate_failure_probability(_half_space, 3, method=method, budget=3000, seed=s)
        for s in (3, 4)
    )
    row = rare_ber_row(_stored(plus, 1), _stored(minus, -1))
    ber = 0.5 * (plus.p + minus.p)
    below = 0.5 * np.hypot(plus.p - plus.ci_low, minus.p - minus.ci_low)
    above = 0.5 * np.hypot(plus.ci_high - plus.p, minus.ci_high - minus.p)
    assert row[schema.BER] == pytest.approx(ber)
    assert row[schema.BER_CI_LOW] == pytest.approx(ber - below)
    assert row[schema.BER_CI_HIGH] == pytest.approx(ber + above)
    # Narrower than the mean of the two intervals (the rule for bounds), by about sqrt(2).
    assert row[schema.BER_CI_HIGH] < 0.5 * (plus.ci_high + minus.ci_high)
    assert row[schema.BER_CI_LOW] > 0.5 * (plus.ci_low + minus.ci_low)
    assert row[schema.BER_CI_LOW] < row[schema.BER] < row[schema.BER_CI_HIGH]
    assert f"({method})" in row[schema.BER_REPORT]


def test_a_row_with_one_bound_keeps_the_mean_of_the_two_intervals():
    found = estimate_failure_probability(_half_space, 3, budget=3000, seed=3)
    bound = estimate_failure_probability(_never_fails, 3, budget=2000, seed=4)
    assert bound.upper_bound_only
    row = rare_ber_row(_stored(found, 1), _stored(bound, -1))
    assert row[schema.BER_CI_LOW] == pytest.approx(0.5 * (found.ci_low + bound.ci_low))
    assert row[schema.BER_CI_HIGH] == pytest.approx(0.5 * (found.ci_high + bound.ci_high))


def test_the_mean_of_independent_estimates_covers_at_its_confidence():
    """The quadrature rule over 400 seeds of two importance estimates of P(u_0 > 3) = 1.35e-3
    in 3-D: the row's interval covers the truth as often as its 95 % says (within the
    binomial noise of 400 trials: at least 91 %)."""
    truth = norm.sf(3.0)
    covered = 0
    for seed in range(400):
        plus, minus = (
            estimate_failure_probability(
                lambda u: np.asarray(u[:, 0] > 3.0), 3, budget=600, seed=2 * seed + s
            )
            for s in (0, 1)
        )
        row = rare_ber_row(_stored(plus, 1), _stored(minus, -1))
        covered += row[schema.BER_CI_LOW] <= truth <= row[schema.BER_CI_HIGH]
    assert covered >= 0.91 * 400


def test_a_zero_width_estimate_is_refused_not_written():
    result = RareEventResult(
        method="importance",
        p=1e-6,
        ci_low=1e-6,
        ci_high=1e-6,
        confidence=0.95,
        n_evaluations=10,
        n_failures=1,
        std_error=0.0,
        effective_sample_size=float("nan"),
        effective_failures=1.0,
    )
    stored = RareEstimate(7, 1, result)
    with pytest.raises(ValueError, match="condition 7"):
        rare_ber_row(stored, stored)


def test_a_row_says_when_regions_may_be_missing():
    plus = estimate_failure_probability(_half_space, 3, budget=3000, seed=5)
    flagged = RareEstimate(0, 1, dataclasses.replace(plus, regions_may_be_missing=True))
    row = rare_ber_row(flagged, _stored(plus, -1))
    assert "regions may be missing" in row[schema.BER_REPORT]


def test_a_table_needs_both_estimates_of_every_condition():
    plus = _stored(estimate_failure_probability(_half_space, 3, budget=3000, seed=5), 1)
    with pytest.raises(ValueError, match=r"condition 0 has no estimate for stored \[-1\]"):
        rare_ber_table([plus], {0: {"vdd_v": 1.0}})


def test_an_estimate_stored_before_issue_25_is_read_with_its_old_fields():
    """Format 1 (no format key, no diagnostics, no bound flag) reads back; a bound is p = 0."""
    old = {
        "condition_id": 3,
        "stored": -1,
        "method": "subset",
        "p": 0.0,
        "ci_low": 0.0,
        "ci_high": 2e-7,
        "std_error": float("nan"),
        "confidence": 0.95,
        "n_evaluations": 1900,
        "n_failures": 0,
        "effective_sample_size": float("nan"),
        "notes": ["no failure: ..."],
        "regions_may_be_missing": False,
        "fingerprint": {"spec.campaign.seed": "0"},
    }
    estimate = RareEstimate.from_record(json.loads(json.dumps(old)))
    assert (estimate.condition_id, estimate.stored) == (3, -1)
    assert estimate.result.upper_bound_only and estimate.result.diagnostics == {}
    assert np.isnan(estimate.result.effective_failures)
    row = rare_ber_row(estimate, estimate)
    assert row[schema.BER_REPORT] == "< 2e-07 (subset)"
    with pytest.raises(ValueError, match="estimate format 7"):
        RareEstimate.from_record({**old, "format": 7})
    with pytest.raises(ValueError, match="'ci_high'"):
        RareEstimate.from_record({k: v for k, v in old.items() if k != "ci_high"})


def _margin(beta: float) -> HalfSpace:
    """A half-space at ``beta`` sigmas, ``p = Phi(-beta)``."""
    return HalfSpace(3, float(norm.sf(beta)))


def test_subset_rows_carry_the_log_normal_interval_or_the_bound():
    found = [
        estimate_failure_probability(_margin(4.0), 3, method="subset", budget=2000, seed=s)
        for s in (1, 2)
    ]
    row = rare_ber_row(_stored(found[0], 1), _stored(found[1], -1))
    assert row[schema.BER_CI_LOW] < row[schema.BER] < row[schema.BER_CI_HIGH]
    assert "(subset)" in row[schema.BER_REPORT]
    # Out of budget before any failure: p = 0 and the bound, never [0, 0].
    bound = [
        estimate_failure_probability(
            _margin(9.0), 3, method="subset", budget=1000, seed=s, samples_per_level=200
        )
        for s in (1, 2)
    ]
    assert all(r.upper_bound_only for r in bound)
    row = rare_ber_row(_stored(bound[0], 1), _stored(bound[1], -1))
    assert row[schema.BER_CI_HIGH] > row[schema.BER_CI_LOW] == row[schema.BER] == 0.0
    assert row[schema.BER_REPORT].startswith("< ")


def test_a_ternary_row_is_the_mean_of_three_estimates_without_binary_columns():
    plus, zero, minus = (
        estimate_failure_probability(_half_space, 3, method="importance", budget=2000, seed=s)
        for s in (3, 4, 5)
    )
    estimates = [_stored(plus, 1), _stored(zero, 0), _stored(minus, -1)]
    row = rare_ber_row(*estimates)
    assert row[schema.BER] == pytest.approx((plus.p + zero.p + minus.p) / 3)
    below = np.sqrt(sum((r.p - r.ci_low) ** 2 for r in (plus, zero, minus))) / 3
    assert row[schema.BER_CI_LOW] == pytest.approx(row[schema.BER] - below)
    assert row[schema.N_SAMPLES] == plus.n_evaluations + zero.n_evaluations + minus.n_evaluations
    # The 2 x 2 columns are those of a binary read: NaN for ternary (and XNOR) conditions.
    assert np.isnan(row[schema.P_ERROR_PLUS]) and np.isnan(row[schema.P_ERROR_MINUS])
    xnor = rare_ber_row(estimates[0], estimates[2], error_columns=False)
    assert np.isnan(xnor[schema.P_ERROR_PLUS])
    assert rare_ber_row(estimates[0], estimates[2])[schema.P_ERROR_PLUS] == plus.p
    # The table asks the cell's read mode for the stored values it needs.
    table = rare_ber_table(estimates, {0: {"cell": "ternary"}})
    assert table[schema.BER].iloc[0] == row[schema.BER]
    with pytest.raises(ValueError, match=r"condition 0 has no estimate for stored \[0\]"):
        rare_ber_table([estimates[0], estimates[2]], {0: {"cell": "ternary"}})
    # A stored 0 survives its record and has its own file.
    assert _stored(zero, 0).stored == 0
    assert store.estimate_paths(Path("out"), 3, 0)[0].name == "c0003-zero.json"
