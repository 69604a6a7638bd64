"""ber.csv rows of rare-event conditions carry the estimators' own intervals."""

from __future__ import annotations

import numpy as np
import pytest

from rram_ber.characterization import schema
from rram_ber.characterization.ber import rare_ber_row
from rram_ber.characterization.rare import RareEventResult, estimate_failure_probability


def _stored(result: RareEventResult, stored: int) -> dict[str, object]:
    """What a rare task stores of a result (the fields ``rare_ber_row`` reads)."""
    return {
        "condition_id": 0,
        "stored": stored,
        "method": result.method,
        "p": result.p,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "std_error": result.std_error,
        "n_evaluations": result.n_evaluations,
        "n_failures": result.n_failures,
        "regions_may_be_missing": result.regions_may_be_missing,
    }


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
def test_a_row_with_failures_is_the_mean_of_the_two_intervals(method):
    plus, minus = (
        estimate_failure_probability(_half_space, 3, method=method, budget=3000, seed=s)
        for s in (3, 4)
    )
    row = rare_ber_row(_stored(plus, 1), _stored(minus, -1))
    assert row[schema.BER_CI_LOW] == pytest.approx(0.5 * (plus.ci_low + minus.ci_low))
    assert row[schema.BER_CI_HIGH] == pytest.approx(0.5 * (plus.ci_high + minus.ci_high))
    assert row[schema.BER_CI_LOW] < row[schema.BER] < row[schema.BER_CI_HIGH]
    assert f"({method})" in row[schema.BER_REPORT]


def test_a_zero_width_estimate_is_refused_not_written():
    stored = {
        "condition_id": 7,
        "method": "importance",
        "p": 1e-6,
        "ci_low": 1e-6,
        "ci_high": 1e-6,
        "std_error": 0.0,
        "n_evaluations": 10,
        "n_failures": 1,
    }
    with pytest.raises(ValueError, match="condition 7"):
        rare_ber_row(stored, stored)


def test_a_row_says_when_regions_may_be_missing():
    plus = estimate_failure_probability(_half_space, 3, budget=3000, seed=5)
    flagged = {**_stored(plus, 1), "regions_may_be_missing": True}
    row = rare_ber_row(flagged, _stored(plus, -1))
    assert "regions may be missing" in row[schema.BER_REPORT]


class _Margin:
    """``g(u) = beta - u_0``: fails where ``u_0 >= beta``."""

    def __init__(self, beta: float) -> None:
        self.beta = beta

    def __call__(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(self.margin(u) <= 0.0)

    def margin(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(self.beta - u[:, 0])


def test_subset_rows_carry_the_log_normal_interval_or_the_bound():
    found = [
        estimate_failure_probability(_Margin(4.0), 3, method="subset", budget=2000, seed=s)
        for s in (1, 2)
    ]
    row = rare_ber_row(_stored(found[0], 1), _stored(found[1], -1))
    assert row[schema.BER_CI_LOW] < row[schema.BER] < row[schema.BER_CI_HIGH]
    assert "(subset)" in row[schema.BER_REPORT]
    # Out of budget before any failure: p = 0 and the bound, never [0, 0].
    bound = [
        estimate_failure_probability(
            _Margin(9.0), 3, method="subset", budget=1000, seed=s, samples_per_level=200
        )
        for s in (1, 2)
    ]
    assert all(r.upper_bound_only for r in bound)
    row = rare_ber_row(_stored(bound[0], 1), _stored(bound[1], -1))
    assert row[schema.BER_CI_HIGH] > row[schema.BER_CI_LOW] == row[schema.BER] == 0.0
    assert row[schema.BER_REPORT].startswith("< ")
