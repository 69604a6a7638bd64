"""Device-to-device sampler, its standard-normal mapping, and the cycle-to-cycle random walk."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import truncnorm

from rram_ber.core.validation import ParameterError
from rram_ber.models.variability import (
    D2D_FIELDS,
    C2cTargets,
    C2cVariability,
    D2dVariability,
    TruncatedGaussian,
    c2c_step,
    d2d_from_standard_normal,
    d2d_matrix,
    morph_after_pulse,
    sample_d2d,
    switching_progress,
)
from rram_ber.models.vcm import VcmParameters

N = 4000


def test_truncated_gaussian_samples_stay_in_bounds_and_have_the_truncated_mean():
    dist = TruncatedGaussian(mean=0.008, sigma=0.002, low=0.004, high=0.016)
    x = dist.sample(np.random.default_rng(0), N)
    assert x.min() >= 0.004 and x.max() <= 0.016
    a, b = (0.004 - 0.008) / 0.002, (0.016 - 0.008) / 0.002
    mean, var = truncnorm.stats(a, b, loc=0.008, scale=0.002, moments="mv")
    assert abs(x.mean() - mean) < 4 * math.sqrt(var / N)


def test_standard_normal_mapping_is_the_monotone_inverse_cdf():
    dist = TruncatedGaussian(mean=45e-9, sigma=2.25e-9, low=40.5e-9, high=49.5e-9)
    u = np.linspace(-12, 12, 241)
    x = dist.from_standard_normal(u)
    assert np.all(np.diff(x) >= 0) and np.all(np.isfinite(x))
    assert x[0] == pytest.approx(40.5e-9) and x[-1] == pytest.approx(49.5e-9)
    # Symmetric truncation: u = 0 maps to the mean; strictly increasing inside the bulk.
    assert dist.from_standard_normal(0.0) == pytest.approx(45e-9)
    bulk = dist.from_standard_normal(np.linspace(-4, 4, 81))
    assert np.all(np.diff(bulk) > 0) and bulk[-1] < 49.5e-9


def test_d2d_devices_start_fully_reset_and_are_reproducible():
    first = sample_d2d(np.random.default_rng(7), 50)
    again = sample_d2d(np.random.default_rng(7), 50)
    assert first == again
    assert all(d.n_init == d.n_min for d in first)
    values = d2d_matrix(first)
    defaults = D2dVariability().distributions()
    for j, dist in enumerate(defaults):
        assert values[:, j].min() >= dist.low and values[:, j].max() <= dist.high
    # The sampler is exactly the mapping of rng.standard_normal((n, 4)).
    u = np.random.default_rng(7).standard_normal((50, len(D2D_FIELDS)))
    assert d2d_from_standard_normal(u, D2dVariability()) == first


def test_d2d_distributions_outside_the_validity_box_are_refused():
    wide = TruncatedGaussian(45e-9, 5e-9, 35e-9, 55e-9)
    with pytest.raises(ParameterError) as caught:
        D2dVariability(r_filament_m=wide)
    assert caught.value.field == "r_filament_m" and "validity box" in str(caught.value)
    with pytest.raises(ParameterError):
        TruncatedGaussian(1.0, 0.0, 0.0, 2.0)
    with pytest.raises(ParameterError):
        d2d_from_standard_normal(np.zeros((3, 3)), D2dVariability())


def test_c2c_walk_steps_are_bounded_and_stay_in_range():
    c2c = C2cVariability()
    rng = np.random.default_rng(3)
    device = VcmParameters()
    steps = {name: [] for name in D2D_FIELDS}
    for _ in range(2000):
        targets = c2c_step(rng, device, c2c)
        new = (targets.n_min, targets.n_max, targets.r_new_m, targets.l_new_nm)
        for name, old, value in zip(D2D_FIELDS, d2d_matrix([device])[0], new, strict=True):
            steps[name].append(value / old - 1.0)
        device = replace(
            device,
            n_min=targets.n_min,
            n_max=targets.n_max,
            r_filament_m=targets.r_new_m,
            l_disc_nm=targets.l_new_nm,
        )
        for name, dist in zip(D2D_FIELDS, c2c.ranges.distributions(), strict=True):
            assert dist.low <= getattr(device, name) <= dist.high
    for name, limit in zip(D2D_FIELDS, (0.9, 0.1, 0.1, 0.1), strict=True):
        relative = np.abs(steps[name])
        assert relative.max() <= limit + 1e-12
        # Steps are U(0, limit) before truncation: the mean magnitude is near limit / 2 (the
        # redraws near the bounds remove some large steps, so allow a generous margin).
        assert 0.3 * limit < relative.mean() < 0.55 * limit


def test_c2c_walk_is_reproducible_and_disabled_steps_keep_values():
    device = VcmParameters()
    a = c2c_step(np.random.default_rng(5), device, C2cVariability())
    b = c2c_step(np.random.default_rng(5), device, C2cVariability())
    assert a == b
    frozen = C2cVariability(step_n_min=0.0, step_n_max=0.0, step_r=0.0, step_l=0.0)
    assert c2c_step(np.random.default_rng(5), device, frozen) == C2cTargets(
        device.n_min, device.n_max, device.r_filament_m, device.l_disc_nm
    )
    with pytest.raises(ParameterError):
        C2cVariability(step_n_min=1.0)


def test_geometry_morphs_with_switching_progress():
    device = VcmParameters(n_init=0.01, n_min=0.008, n_max=20.0)
    targets = C2cTargets(n_min=0.009, n_max=19.0, r_new_m=47e-9, l_new_nm=0.42)
    # SET half way from 0.01 to N_max = 19: r and l halfway to their new values (Eqs. 21-22).
    half = 0.01 + 0.5 * (19.0 - 0.01)
    after = morph_after_pulse(device, targets, set_pulse=True, n_end=half)
    assert after.r_filament_m == pytest.approx(46e-9) and after.l_disc_nm == pytest.approx(0.41)
    assert (after.n_min, after.n_max, after.n_init) == (0.009, 19.0, half)
    # No progress, no change; full RESET progress (Eqs. 23-24), the new values.
    assert morph_after_pulse(device, targets, True, 0.01).r_filament_m == 45e-9
    lrs = device.with_state(2.0)
    assert morph_after_pulse(lrs, targets, False, 0.009).r_filament_m == pytest.approx(47e-9)
    assert switching_progress(False, 0.005, 0.005, 0.009, 20.0) == 0.0


def test_published_truncation_is_the_default_and_widens_only_inside_the_box():
    from rram_ber.models.variability import PUBLISHED_D2D, D2dVariability

    assert D2dVariability.published() == D2dVariability()
    for name, (mean, low, high) in PUBLISHED_D2D.items():
        dist = getattr(D2dVariability(), name)
        assert (dist.mean, dist.sigma, dist.low, dist.high) == (mean, (mean - low) / 2, low, high)
    # N_min widens upwards (its validity box reaches 0.25); the box pins every other bound.
    for scale, n_min_high in ((1.5, 0.020), (2.0, 0.024)):
        wide = D2dVariability.published(scale)
        assert wide.n_min.high == pytest.approx(n_min_high)
        assert wide.n_min.low == 0.004 and wide.n_min.sigma == 0.002
        for name in ("n_max", "r_filament_m", "l_disc_nm"):
            assert getattr(wide, name) == getattr(D2dVariability(), name)
    # The widened tail is reachable: +5 sigma (0.018) lies beyond the published bound.
    assert D2dVariability().n_min.from_standard_normal(5.0) < 0.016
    tail = D2dVariability.published(2.0).n_min.from_standard_normal(5.0)
    assert tail == pytest.approx(0.018, rel=1e-3)
    narrow = D2dVariability.published(0.5)
    assert (narrow.r_filament_m.low, narrow.r_filament_m.high) == pytest.approx(
        (42.75e-9, 47.25e-9)
    )
    with pytest.raises(ParameterError, match="truncation_scale"):
        D2dVariability.published(0.1)


def test_vcm_truncation_setting_reaches_d2d_and_c2c_ranges():
    from rram_ber.characterization.devices import VcmSettings
    from rram_ber.characterization.spec import parse_spec
    from rram_ber.characterization.vcm_cells import program_conditions
    from rram_ber.models.variability import D2dVariability

    default = program_conditions(VcmSettings(), 75e-6)
    assert default.d2d == D2dVariability() and default.c2c is not None
    assert default.c2c.ranges == D2dVariability()
    wide = program_conditions(VcmSettings(truncation_scale=2.0), 75e-6)
    assert wide.d2d == D2dVariability.published(2.0)
    assert wide.c2c is not None and wide.c2c.ranges == D2dVariability.published(2.0)
    data = {
        "conditions": {"cell": "2t2r", "compliance_a": 75e-6, "temp_c": 27},
        "device": {"model": "vcm", "vcm": {"truncation_scale": 1.5}},
    }
    spec = parse_spec(data)
    assert spec.to_dict()["device"]["vcm"]["truncation_scale"] == 1.5
    data["device"]["vcm"]["truncation_scale"] = 20
    with pytest.raises(ParameterError, match=r"device\.vcm\.truncation_scale"):
        parse_spec(data)
