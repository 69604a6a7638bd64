"""Measurement functions on synthetic waveforms with known answers."""

import math

import numpy as np
import pytest

from rram_ber.characterization.measure import charge_drawn, decision_at, sense_delay

VDD = 1.0


def _latch(t, t_switch, falling_out=True, tau=10e-12):
    """OUT falls (or OUTB falls) exponentially from VDD after t_switch."""
    falling = VDD * np.where(t < t_switch, 1.0, np.exp(-(t - t_switch) / tau))
    steady = np.full_like(t, VDD)
    return (falling, steady) if falling_out else (steady, falling)


def test_decision_sign_follows_the_output_that_fell():
    t = np.linspace(0, 1e-9, 1001)
    out, outb = _latch(t, 0.2e-9, falling_out=True)
    assert decision_at(t, out, outb, 0.8e-9, VDD) == 1
    out, outb = _latch(t, 0.2e-9, falling_out=False)
    assert decision_at(t, out, outb, 0.8e-9, VDD) == -1


def test_outputs_not_separated_at_the_sampling_time_are_unresolved():
    t = np.linspace(0, 1e-9, 1001)
    out, outb = _latch(t, 0.79e-9)  # only just started to fall at 0.8 ns
    assert decision_at(t, out, outb, 0.8e-9, VDD) == 0
    both_low = np.full_like(t, 0.3)
    assert decision_at(t, both_low, both_low, 0.8e-9, VDD) == 0


def test_sense_delay_interpolates_the_ninety_percent_crossing():
    t = np.linspace(0, 1e-9, 101)  # 10 ps grid
    separation_start = 0.3e-9
    out = np.clip(1.0 - (t - separation_start) / 100e-12, 0.0, 1.0)  # linear fall over 100 ps
    outb = np.ones_like(t)
    # |outb - out| reaches 0.9 at separation_start + 90 ps; measured from t = 0.25 ns.
    assert sense_delay(t, out, outb, 0.25e-9, VDD) == pytest.approx(0.14e-9, abs=1e-15)


def test_sense_delay_is_nan_when_outputs_never_separate():
    t = np.linspace(0, 1e-9, 101)
    flat = np.ones_like(t)
    assert math.isnan(sense_delay(t, flat, flat, 0.0, VDD))


def test_charge_of_a_constant_supply_current_over_a_window():
    t = np.linspace(0, 10e-9, 11)
    current = np.full_like(t, -2e-6)  # a supply delivering 2 uA reads negative in ngspice
    assert charge_drawn(t, current, 2.5e-9, 7.5e-9) == pytest.approx(2e-6 * 5e-9)


def test_charge_window_boundaries_are_interpolated():
    t = np.array([0.0, 1.0, 2.0])
    current = -np.array([0.0, 1.0, 0.0])  # triangle of area 1
    assert charge_drawn(t, current, 0.0, 2.0) == pytest.approx(1.0)
    assert charge_drawn(t, current, 0.5, 1.0) == pytest.approx(0.375)
