"""Measured-distribution device option: log-normal and empirical (CSV) resistances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rram_ber.characterization.read import simulate_reads
from rram_ber.circuits.cells import Cell2T2R
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.read import ReadConditions, ReadCopy
from rram_ber.core.validation import ParameterError
from rram_ber.models.resistance import (
    EmpiricalResistance,
    FixedResistance,
    LogNormalResistance,
    ResistanceStates,
    read_resistance_states,
)

N = 5000


def test_log_normal_median_and_sigma_within_statistical_bounds():
    dist = LogNormalResistance(median_ohm=5e3, sigma_ln=0.3)
    r = dist.sample(np.random.default_rng(1), N)
    log_r = np.log(r)
    # Standard errors of the mean and of the standard deviation of ln R.
    assert abs(log_r.mean() - math.log(5e3)) < 4 * 0.3 / math.sqrt(N)
    assert abs(log_r.std(ddof=1) - 0.3) < 4 * 0.3 / math.sqrt(2 * (N - 1))
    assert dist.from_standard_normal(0.0) == pytest.approx(5e3)
    assert dist.from_standard_normal(2.0) == pytest.approx(5e3 * math.exp(0.6))


def test_log_normal_bad_parameters_name_the_field():
    with pytest.raises(ParameterError) as caught:
        LogNormalResistance(median_ohm=-1.0, sigma_ln=0.3)
    assert caught.value.field == "median_ohm"
    with pytest.raises(ParameterError) as caught:
        LogNormalResistance(median_ohm=1e3, sigma_ln=float("nan"))
    assert caught.value.field == "sigma_ln"


def test_measured_csv_is_read_per_state_and_resampling_only_returns_data(tmp_path):
    path = tmp_path / "measured.csv"
    path.write_text(
        "state,resistance_ohm,device\nHRS,50000,1\nhrs,65000,2\n\nHRS,80000,3\n"
        "HRS,120000,4\nLRS,5000,5\n"
    )
    states = read_resistance_states(path, "device.csv")
    dist = states.hrs
    assert dist.values_ohm == (50e3, 65e3, 80e3, 120e3) and states.lrs.values_ohm == (5e3,)
    draws = dist.sample(np.random.default_rng(0), 1000)
    assert set(draws) <= set(dist.values_ohm)
    # Each value is drawn ~1/4 of the time (binomial, 4 sigma).
    counts = np.array([np.sum(draws == v) for v in dist.values_ohm])
    assert np.all(np.abs(counts - 250) < 4 * math.sqrt(1000 * 0.25 * 0.75))
    # Quantile mapping: monotone, clamped to the data, the median in the middle.
    q = dist.from_standard_normal(np.linspace(-6, 6, 101))
    assert np.all(np.diff(q) >= 0)
    assert q[0] == pytest.approx(50e3) and q[-1] == pytest.approx(120e3)
    assert 65e3 < dist.from_standard_normal(0.0) < 80e3


@pytest.mark.parametrize(
    ("text", "where", "allowed"),
    [
        ("state,resistance_ohm\nLRS,1e3\nHRS,abc\n", "line 3", "resistance_ohm in [1, 1e12]"),
        ("state,resistance_ohm\nLRS,1e3\nHRS,-5\n", "line 3", "resistance_ohm in [1, 1e12]"),
        ("state,resistance_ohm\nLRS,1e3\nMID,5\n", "line 3", "state LRS or HRS"),
        ("state,resistance_ohm\nLRS,1e3\n", "device.csv =", "at least one HRS row"),
        ("state,ohm\nLRS,1e3\nHRS,2e3\n", "device.csv =", "'state' and 'resistance_ohm'"),
    ],
)
def test_bad_csv_names_key_line_and_allowed_values(tmp_path, text, where, allowed):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ParameterError) as caught:
        read_resistance_states(path, "device.csv")
    message = str(caught.value)
    assert message.startswith("device.csv") and where in message and allowed in message


def test_missing_csv_is_a_parameter_error(tmp_path):
    with pytest.raises(ParameterError) as caught:
        read_resistance_states(tmp_path / "absent.csv", "device.csv")
    assert "readable CSV" in str(caught.value) and "absent.csv" in str(caught.value)


def test_one_implementation_of_a_log_normal_device():
    dist = LogNormalResistance(5e3, 0.4)
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    assert dist.draw_ohm(rng_a) == dist.value_ohm(rng_b.standard_normal())
    assert dist.value_ohm(1e6) == 1e12 and dist.value_ohm(-1e6) == 1.0
    fixed = FixedResistance(7e3)
    assert fixed.draw_ohm(rng_a) == 7e3 and fixed.sigma_ln == 0.0


def test_2t2r_sampling_places_lrs_on_bl_for_plus_one():
    states = ResistanceStates(LogNormalResistance(5e3, 0.1), LogNormalResistance(100e3, 0.5))
    stored = [1, -1] * 50
    r_bl, r_blb = states.sample_2t2r(np.random.default_rng(2), stored)
    plus = np.array(stored) > 0
    assert np.all(r_bl[plus] < 20e3) and np.all(r_blb[plus] > 20e3)
    assert np.all(r_bl[~plus] > 20e3) and np.all(r_blb[~plus] < 20e3)
    with pytest.raises(ParameterError):
        states.sample_2t2r(np.random.default_rng(2), [1, 0])


@pytest.mark.ngspice
def test_resistor_cells_are_read_as_stored(session):
    states = ResistanceStates(
        LogNormalResistance(5e3, 0.2), EmpiricalResistance((60e3, 80e3, 100e3, 150e3))
    )
    stored = [1, -1, 1, -1, -1, 1]
    r_bl, r_blb = states.sample_2t2r(np.random.default_rng(4), stored)
    assert all(r in (60e3, 80e3, 100e3, 150e3) for r, s in zip(r_blb, stored, strict=True) if s > 0)
    cells = [Cell2T2R(FixedResistor(a), FixedResistor(b)) for a, b in zip(r_bl, r_blb, strict=True)]
    reads = simulate_reads(session, ReadConditions(), [ReadCopy(cell) for cell in cells])
    assert [m.decision for m in reads] == stored
