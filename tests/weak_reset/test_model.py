"""Behavioural weak-RESET model: published statistics, noise terms, fit, validation.

The expected values are derived from the parameters with scipy.stats (an implementation
independent of the model's own inverse-CDF sampler) and compared within sampling error.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from rram_ber.core.validation import ParameterError
from rram_ber.models.weak_reset import (
    IDEAL,
    PUBLISHED,
    Imperfections,
    LawKind,
    TruncatedLaw,
    WeakResetDevices,
    WeakResetParameters,
    fit_devices,
    fit_weak_reset,
    pink_coefficients,
    simulate_trains,
)

N_DEVICES = 10_000
#: Accepted deviation in standard errors of the estimate.
Z = 4.0


def _scipy_law(law: TruncatedLaw):
    if law.kind is LawKind.NORMAL:
        return stats.norm(law.loc, law.scale)
    if law.kind is LawKind.EXPONENTIAL:
        return stats.expon(law.loc, law.scale)
    return stats.lognorm(law.shape, 0.0, law.scale)


def _truncated_grid(law: TruncatedLaw, points: int) -> np.ndarray:
    """Equal-probability grid of the truncated law (midpoint quantiles), via scipy."""
    dist = _scipy_law(law)
    lo, hi = dist.cdf(law.low), dist.cdf(law.high)
    return dist.ppf(lo + (np.arange(points) + 0.5) / points * (hi - lo))


def _truncated_cdf(law: TruncatedLaw, x: np.ndarray) -> np.ndarray:
    dist = _scipy_law(law)
    lo, hi = dist.cdf(law.low), dist.cdf(law.high)
    return (dist.cdf(np.clip(x, law.low, law.high)) - lo) / (hi - lo)


def _implied_cdf_at_t_star(params: WeakResetParameters, x: float) -> float:
    """P(m1 * floor(t*) + c1 <= x) for independent truncated m1, t*, c1."""
    t = np.floor(_truncated_grid(params.t_star, 1500))[:, None]
    c1 = _truncated_grid(params.c1, 300)[None, :]
    return float(np.mean(_truncated_cdf(params.m1, (x - c1) / t)))


def _implied_median_and_density(params: WeakResetParameters) -> tuple[float, float]:
    lo, hi = -1.0, 20.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _implied_cdf_at_t_star(params, mid) < 0.5 else (lo, mid)
    median = 0.5 * (lo + hi)
    h = 0.01
    density = (
        _implied_cdf_at_t_star(params, median + h) - _implied_cdf_at_t_star(params, median - h)
    ) / (2 * h)
    return median, density


def test_median_ln_r_over_r0_at_t_star_matches_the_parameters():
    rng = np.random.default_rng(np.random.SeedSequence(19))
    devices = WeakResetDevices.create(
        N_DEVICES, rng, PUBLISHED, Imperfections(d2d=True, rtn=False, pink=False)
    )
    devices.apply(np.floor(devices.t_star).astype(np.int64))
    w = np.log(devices.resistance_ohm() / devices.r0_ohm)
    expected, density = _implied_median_and_density(PUBLISHED)
    standard_error = 1.0 / (2.0 * density * math.sqrt(N_DEVICES))
    assert 0.2 < expected < 0.6  # the published window: roughly 7 kOhm -> 10 kOhm
    assert abs(np.median(w) - expected) < Z * standard_error


def test_rtn_high_fraction_at_t_star_matches_the_markov_chain():
    rng = np.random.default_rng(np.random.SeedSequence(20))
    devices = WeakResetDevices.create(
        N_DEVICES, rng, PUBLISHED, Imperfections(d2d=True, rtn=True, pink=False)
    )
    target = np.floor(devices.t_star).astype(np.int64)
    for t in range(1, int(target.max()) + 1):  # one pulse at a time: the chain itself
        devices.apply((target >= t).astype(np.int64))
    assert np.array_equal(devices.pulses, target)
    # pi_h (1 - (1 - p_up - p_down)^t), averaged over the t* law
    p = PUBLISHED
    t_grid = np.floor(_truncated_grid(p.t_star, 4000))
    pi = p.p_up / (p.p_up + p.p_down)
    expected = float(np.mean(pi * (1 - (1 - p.p_up - p.p_down) ** t_grid)))
    fraction = devices.rtn_high.mean()
    assert abs(fraction - expected) < Z * math.sqrt(expected * (1 - expected) / N_DEVICES)
    # the high state adds U(0, A), A ~ U(0, 0.5): mean A / 2 = 0.125 over devices
    values = devices.rtn_value[devices.rtn_high]
    assert np.all((values >= 0) & (values <= p.rtn_amplitude_max))
    assert abs(values.mean() - 0.125) < Z * math.sqrt(0.5**2 * 7 / 144 / values.size)


def test_many_pulses_in_one_update_follow_the_n_step_chain():
    rng = np.random.default_rng(np.random.SeedSequence(21))
    devices = WeakResetDevices.create(N_DEVICES, rng, PUBLISHED, Imperfections(False, True, False))
    devices.apply(np.full(N_DEVICES, 300, dtype=np.int64))
    expected = float(PUBLISHED.rtn_high_probability(300))
    fraction = devices.rtn_high.mean()
    assert abs(fraction - expected) < Z * math.sqrt(expected * (1 - expected) / N_DEVICES)


def test_pink_noise_has_the_filter_variance():
    rng = np.random.default_rng(np.random.SeedSequence(22))
    devices = WeakResetDevices.create(N_DEVICES, rng, PUBLISHED, Imperfections(False, False, True))
    for _ in range(PUBLISHED.pink_poles):
        devices.apply(np.ones(N_DEVICES, dtype=np.int64))
    noise = devices.log_ratio() - devices.mean_w()
    b = pink_coefficients(PUBLISHED.pink_poles)
    expected_var = PUBLISHED.pink_alpha**2 * np.sum(b * b) / 12.0
    assert b[:4].tolist() == [1.0, 0.5, 0.375, 0.3125]
    assert abs(noise.mean()) < Z * math.sqrt(expected_var / N_DEVICES)
    assert abs(noise.var() / expected_var - 1) < Z * math.sqrt(2 / N_DEVICES)


def test_pulses_given_at_once_or_one_by_one_end_in_the_same_mean_state():
    rng = np.random.default_rng(5)
    once = WeakResetDevices.create(50, rng, PUBLISHED, Imperfections(True, False, False))
    stepwise = WeakResetDevices.create(50, np.random.default_rng(5), PUBLISHED, once.imperfections)
    once.apply(np.full(50, 700, dtype=np.int64))
    for _ in range(700):
        stepwise.apply(np.ones(50, dtype=np.int64))
    np.testing.assert_allclose(once.resistance_ohm(), stepwise.resistance_ohm())


def test_same_seed_same_trains_and_ideal_devices_are_identical():
    a = simulate_trains(20, 30, np.random.default_rng(3))
    b = simulate_trains(20, 30, np.random.default_rng(3))
    assert np.array_equal(a, b)
    ideal = simulate_trains(5, 30, np.random.default_rng(3), imperfections=IDEAL)
    assert np.all(ideal == ideal[0]) and np.all(np.diff(ideal[0]) > 0)


def test_fit_recovers_the_parameters_of_noise_free_trains():
    truth = WeakResetParameters(
        m1=TruncatedLaw("exponential", 1e-3, 2e-3, 1e-3, 8e-3),
        t_star=TruncatedLaw("lognormal", 0.0, 60.0, 20.0, 150.0, shape=0.4),
        c1=TruncatedLaw("normal", 0.0, 0.0, 0.0, 0.0),
        m2=TruncatedLaw("exponential", 0.0, 1e-4, 0.0, 5e-4),
        r0_ohm=TruncatedLaw("normal", 8000.0, 400.0, 7000.0, 9000.0),
        source="test",
    )
    devices = WeakResetDevices.create(
        300, np.random.default_rng(8), truth, Imperfections(True, False, False)
    )
    trains = [devices.resistance_ohm()]
    for _ in range(250):
        devices.apply(np.ones(300, dtype=np.int64))
        trains.append(devices.resistance_ohm())
    fitted = fit_devices(np.array(trains).T)
    # the fit's break is on whole pulses: t* within one pulse, slopes within a few %
    assert np.all(np.abs(fitted.t_star - devices.t_star) <= 1.0)
    assert np.median(np.abs(fitted.m1 / devices.m1 - 1)) < 0.01
    assert np.median(np.abs(fitted.m2 - devices.m2)) < 0.05 * truth.m2.centre()
    np.testing.assert_allclose(fitted.r0_ohm, devices.r0_ohm)
    law = fit_weak_reset(np.array(trains).T, source="refit")
    assert law.source == "refit" and law.p_up == 0.0
    assert law.m1.loc == pytest.approx(fitted.m1.min())
    assert law.t_star.median() == pytest.approx(truth.t_star.median(), rel=0.1)
    assert law.r0_ohm.loc == pytest.approx(truth.r0_ohm.centre(), rel=0.01)


def test_fit_drops_failed_rows_and_needs_two_devices():
    trains = simulate_trains(3, 20, np.random.default_rng(1))
    trains[0, 5] = np.nan
    assert fit_devices(trains).m1.size == 2
    trains[1, 3] = np.nan
    with pytest.raises(ParameterError, match="r_ohm"):
        fit_devices(trains)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "uniform"}, "kind"),
        ({"scale": -1.0}, "scale"),
        ({"low": 2.0, "high": 1.0}, "high"),
        ({"loc": math.nan}, "loc"),
    ],
)
def test_bad_laws_are_refused_naming_the_field(kwargs, field):
    base = {"kind": "normal", "loc": 0.0, "scale": 1.0, "low": -1.0, "high": 1.0}
    with pytest.raises(ParameterError, match=field):
        TruncatedLaw(**{**base, **kwargs})


def test_bad_pulse_counts_are_refused():
    devices = WeakResetDevices.create(3, np.random.default_rng(0))
    with pytest.raises(ParameterError, match="n_pulses"):
        devices.apply(np.array([1, -1, 0]))
    with pytest.raises(ParameterError, match="n_pulses"):
        devices.apply(np.array([1.0, 1.0, 1.0]))


def test_parameters_round_trip_through_a_dict():
    from dataclasses import asdict

    assert WeakResetParameters.from_dict(asdict(PUBLISHED)) == PUBLISHED
    with pytest.raises(ParameterError, match="parameters"):
        WeakResetParameters.from_dict({"m1": asdict(PUBLISHED.m1)})
