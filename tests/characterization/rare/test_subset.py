"""Subset simulation on analytic margins with known failure probabilities (no simulator)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom, norm

from rram_ber.characterization.rare import (
    MIN_BUDGET,
    MarginLimitState,
    SubsetOptions,
    estimate_failure_probability,
    problems,
)
from rram_ber.characterization.rare.intervals import clopper_pearson
from rram_ber.characterization.rare.problems import Parabola
from rram_ber.characterization.rare.subset import chain_correlation_factor, lognormal_interval
from rram_ber.core.validation import ParameterError


def HalfSpaceMargin(dim: int, p: float) -> problems.HalfSpace:
    """The half-space these tests were written with (its direction from seed 7)."""
    return problems.HalfSpace(dim, p, direction_seed=7)


def _min_plausible(n: int, confidence: float) -> int:
    """Smallest number of covering intervals not rejected at the 0.1 % level."""
    return int(binom.ppf(0.001, n, confidence))


@pytest.mark.parametrize(
    ("limit_state", "dim"),
    [
        (HalfSpaceMargin(20, 1e-6), 20),
        (HalfSpaceMargin(50, 1e-9), 50),
        (Parabola(50, 4.0, 0.02), 50),
    ],
    ids=["half-space-20d-1e-6", "half-space-50d-1e-9", "parabola-50d-4.9e-7"],
)
def test_subset_interval_covers_the_truth(limit_state, dim):
    n_seeds = 60
    results = [
        estimate_failure_probability(
            limit_state, dim, method="subset", budget=4000, seed=seed, keep_samples=False
        )
        for seed in range(n_seeds)
    ]
    covered = sum(r.contains(limit_state.p) for r in results)
    assert covered >= _min_plausible(n_seeds, 0.95), covered
    ratios = np.array([r.p / limit_state.p for r in results])
    # Right order of magnitude on average (the estimator's spread at this budget is ~70 %).
    assert 0.6 < ratios.mean() < 1.6, ratios.mean()
    for r in results:
        assert r.method == "subset" and not r.upper_bound_only
        assert r.n_evaluations <= 4000
        assert r.ci_low < r.p < r.ci_high
        thresholds = r.diagnostics["thresholds"]
        assert math.prod(r.diagnostics["level_probabilities"]) == pytest.approx(r.p)
        assert list(thresholds) == sorted(thresholds, reverse=True)
        assert all(b > 0 for b in thresholds)


def test_subset_reaches_the_parabola_importance_sampling_never_finds():
    limit_state = Parabola(50, 4.0, 0.02)
    importance = estimate_failure_probability(
        limit_state, 50, method="importance", budget=4000, seed=1, keep_samples=False
    )
    subset = estimate_failure_probability(
        limit_state, 50, method="subset", budget=4000, seed=1, keep_samples=False
    )
    assert subset.n_failures > 0 and subset.contains(limit_state.p)
    # Importance sampling: no region found, p = 0 with a plain Monte-Carlo bound (issue 14).
    assert importance.p == 0.0


def test_a_frequent_event_stops_at_level_zero_as_plain_sampling():
    limit_state = HalfSpaceMargin(5, 0.3)
    result = estimate_failure_probability(
        limit_state, 5, method="subset", budget=1000, seed=3, samples_per_level=500
    )
    assert result.diagnostics["thresholds"] == ()
    assert len(result.diagnostics["level_probabilities"]) == 1
    assert result.n_evaluations == 500
    assert result.contains(0.3)


def test_an_event_that_every_point_shows_gets_the_binomial_interval_not_zero_width():
    # All of level 0 fails (a 1T1R read unresolved at its sampling time did this): the
    # log-normal interval would be [1, 1]; plain sampling of 200 points gives Clopper-Pearson.
    limit_state = HalfSpaceMargin(5, 1.0 - 1e-12)
    result = estimate_failure_probability(
        limit_state, 5, method="subset", budget=1000, seed=3, samples_per_level=200
    )
    assert result.p == 1.0 and result.diagnostics["thresholds"] == ()
    low, high = clopper_pearson(200, 200)
    assert (result.ci_low, result.ci_high) == (low, high) and low < 0.99 < high == 1.0


def test_a_run_that_ends_before_failing_returns_a_flagged_upper_bound():
    limit_state = HalfSpaceMargin(10, 1e-15)
    result = estimate_failure_probability(
        limit_state, 10, method="subset", budget=1000, seed=2, samples_per_level=200
    )
    assert result.upper_bound_only
    assert result.p == 0.0 and result.ci_low == 0.0 and result.n_failures == 0
    # The bound holds the truth, and covers the last intermediate set P(g <= b_last).
    assert limit_state.p < result.ci_high < 1.0
    b_last = result.diagnostics["thresholds"][-1]
    assert norm.sf(limit_state.beta - b_last) <= result.ci_high
    assert any("upper bound" in note for note in result.notes)
    assert result.n_evaluations <= 1000 and limit_state.rows == result.n_evaluations


def test_max_levels_ends_the_run_with_a_bound_too():
    result = estimate_failure_probability(
        HalfSpaceMargin(10, 1e-12), 10, method="subset", budget=20_000, seed=2, max_levels=3
    )
    assert result.upper_bound_only and len(result.diagnostics["thresholds"]) == 3
    assert any("max_levels" in note for note in result.notes)


def test_each_markov_chain_step_is_one_batch_and_the_seed_fixes_the_result():
    limit_state = HalfSpaceMargin(8, 1e-5)
    results = [
        estimate_failure_probability(
            limit_state, 8, method="subset", budget=2000, seed=11, batch_size=batch
        )
        for batch in (7, 2000)
    ]
    assert limit_state.largest_batch == SubsetOptions().level_size(2000)  # level 0 in one call
    a, b = results
    assert (a.p, a.ci_low, a.ci_high) == (b.p, b.ci_low, b.ci_high)
    assert a.samples is not None and b.samples is not None
    np.testing.assert_array_equal(a.samples.u, b.samples.u)
    np.testing.assert_array_equal(a.samples.failed, a.samples.margin <= 0)
    assert a.samples.stage[0] == "subset level 0"
    other = estimate_failure_probability(limit_state, 8, method="subset", budget=2000, seed=12)
    assert other.p != a.p


def test_chain_correlation_factor():
    # Independent states: no correlation; identical states along each chain: the most.
    rng = np.random.default_rng(0)
    independent = rng.random((2000, 10)) < 0.1
    assert abs(chain_correlation_factor(independent)) < 0.1
    frozen = np.repeat(rng.random((200, 1)) < 0.1, 10, axis=1)
    # All 10 states equal: gamma = 2 sum_{k=1}^{9} (1 - k/10) = 9.
    assert chain_correlation_factor(frozen) == pytest.approx(9.0, rel=0.05)
    assert chain_correlation_factor(np.zeros((10, 10), dtype=bool)) == 0.0


def test_lognormal_interval_has_the_stated_coverage():
    # A log-normal estimator with mean p and coefficient of variation 1.5.
    p, cov = 1e-6, 1.5
    s2 = math.log1p(cov**2)
    rng = np.random.default_rng(1)
    estimates = p * np.exp(rng.normal(-0.5 * s2, math.sqrt(s2), 4000))
    intervals = [lognormal_interval(e, cov, 0.95) for e in estimates]
    covered = [low <= p <= high for low, high in intervals]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.015)
    # A probability's interval stops at 1.
    assert lognormal_interval(0.5, 3.0, 0.95)[1] == 1.0


def test_a_limit_state_without_a_margin_is_refused_by_subset():
    def verdict_only(u: np.ndarray) -> np.ndarray:
        return np.asarray(u[:, 0] > 4.0)

    assert not isinstance(verdict_only, MarginLimitState)
    with pytest.raises(ParameterError) as caught:
        estimate_failure_probability(verdict_only, 3, method="subset", budget=1000)
    assert caught.value.field == "limit_state"
    assert "margin" in str(caught.value)


class _BadMargin:
    def __init__(self, answer):
        self.answer = answer

    def __call__(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(u[:, 0] > 4.0)

    def margin(self, u: np.ndarray) -> np.ndarray:
        return self.answer(u)


@pytest.mark.parametrize(
    "answer",
    [
        lambda u: u[:, 0] > 4.0,  # a verdict is not a margin
        lambda u: (4.0 - u[:, 0])[:-1],
        lambda u: np.full(len(u), np.nan),
    ],
    ids=["boolean", "short", "nan"],
)
def test_a_margin_that_is_not_finite_floats_per_row_is_refused(answer):
    with pytest.raises(ParameterError) as caught:
        estimate_failure_probability(_BadMargin(answer), 3, method="subset", budget=1000)
    assert caught.value.field == "limit_state.margin"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"budget": MIN_BUDGET["subset"] - 1}, "budget"),
        ({"level_probability": 0.3}, "level_probability"),
        ({"level_probability": 0.01}, "level_probability"),
        ({"samples_per_level": 105}, "samples_per_level"),
        ({"samples_per_level": 50}, "samples_per_level"),
        ({"samples_per_level": 5000}, "samples_per_level"),
        ({"max_levels": 1}, "max_levels"),
        ({"initial_scale": 0.0}, "initial_scale"),
        ({"explore_scales": (3.0,)}, "options"),
    ],
)
def test_bad_subset_options_are_rejected_naming_the_field(kwargs, field):
    options = {"budget": 2000, **kwargs}
    with pytest.raises(ParameterError) as caught:
        estimate_failure_probability(HalfSpaceMargin(3, 1e-4), 3, method="subset", **options)
    assert caught.value.field == field
