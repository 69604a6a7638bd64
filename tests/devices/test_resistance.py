"""Measured-distribution device option: log-normal and empirical (CSV) resistances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from characterization.programming import resistor_2t2r_cells
from characterization.read import simulate_reads
from circuits.elements import FixedResistor
from circuits.read import ReadConditions, ReadCopy
from models.resistance import EmpiricalResistance, LogNormalResistance, ResistanceStates
from rram_ber.validation import ParameterError

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


def test_empirical_from_csv_with_header_and_resampling_only_returns_data(tmp_path):
    path = tmp_path / "hrs.csv"
    path.write_text("device,resistance_ohm\n1,50000\n2,65000\n\n3,80000\n4,120000\n")
    dist = EmpiricalResistance.from_csv(path, column="resistance_ohm")
    assert dist.values_ohm == (50e3, 65e3, 80e3, 120e3)
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


def test_empirical_csv_without_header_by_index(tmp_path):
    path = tmp_path / "lrs.csv"
    path.write_text("4.9e3\n5.1e3\n5.0e3\n")
    assert EmpiricalResistance.from_csv(path).median_ohm == 5.0e3


@pytest.mark.parametrize(
    ("text", "column", "where", "allowed"),
    [
        ("r\n1e3\nabc\n", "r", "line 3", "a resistance in ohm"),
        ("r\n1e3\n-5\n", "r", "line 3", "[1, 1e12] ohm"),
        ("r\n1e3\n", "r", "csv file", "at least 2"),
        ("r\n1e3\n2e3\n", "x", "csv file", "a column among"),
    ],
)
def test_bad_csv_names_file_line_and_allowed_values(tmp_path, text, column, where, allowed):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ParameterError) as caught:
        EmpiricalResistance.from_csv(path, column=column)
    message = str(caught.value)
    assert "bad.csv" in message and where in message and allowed in message


def test_missing_csv_is_a_parameter_error(tmp_path):
    with pytest.raises(ParameterError) as caught:
        EmpiricalResistance.from_csv(tmp_path / "absent.csv")
    assert "readable CSV" in str(caught.value)


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
    samples = resistor_2t2r_cells(states, stored, np.random.default_rng(4))
    assert all(isinstance(s.cell.bl, FixedResistor) for s in samples if s.cell is not None)
    assert all(
        s.row["blb_r_read_ohm"] in (60e3, 80e3, 100e3, 150e3) for s in samples if s.stored > 0
    )
    reads = simulate_reads(session, ReadConditions(), [ReadCopy(s.cell) for s in samples])
    assert [m.decision for m in reads] == stored
