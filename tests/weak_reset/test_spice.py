"""Weak RESET with the VCM model in real ngspice: a few devices, d2d and c2c on."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rram_ber.characterization.programming import ProgramConditions
from rram_ber.characterization.weak_reset import WeakResetTrain, weak_reset_pulse, weak_reset_trains
from rram_ber.circuits.programming import PulseShape
from rram_ber.cli import main
from rram_ber.core.validation import ParameterError
from rram_ber.models.vcm import N_BOX
from rram_ber.models.weak_reset import fit_weak_reset
from tests.support import cli


@pytest.mark.ngspice
def test_resistance_rises_monotonically_in_the_median_with_pulse_count(session):
    """1.0 V, 100 ns pulses after a 50 uA SET: a weak, progressive RESET.

    Measured (4 devices, seed 19): median 8.8 kOhm after SET, 11.0 kOhm after 15 pulses,
    median steps of +2.6 % (first pulse) to +0.9 % (15th), largest single step +11 %; a full
    RESET (2.5 V, 1 us) reaches the HRS in one pulse.
    """
    rng = np.random.default_rng(np.random.SeedSequence(19))
    train = WeakResetTrain(weak_reset_pulse(1.0, 100e-9), n_pulses=15)
    result = weak_reset_trains(session, 4, ProgramConditions(), train, rng)
    assert not result.failed.any()
    median = result.median_ohm()
    assert np.all(np.diff(median) > 0)
    # weak: every step smaller than 15 % and the whole train well short of the HRS
    assert np.all(np.diff(np.log(result.r_ohm), axis=1) < np.log(1.15))
    assert median[-1] < 3 * median[0]
    # the state stays inside the model's validity box (N_min ... N_max)
    assert np.all((result.n_disc >= N_BOX[0]) & (result.n_disc <= N_BOX[1]))
    assert np.all(np.isfinite(result.sigma_ln())) and result.sigma_ln()[0] > 0
    fit = fit_weak_reset(result.r_ohm, source="SPICE 1.0 V 100 ns")
    assert fit.m1.centre() > 0 and fit.p_up == 0.0


@pytest.mark.ngspice
def test_a_higher_pulse_resets_further(session):
    trains = []
    for amplitude in (0.9, 1.1):
        rng = np.random.default_rng(np.random.SeedSequence(7))
        train = WeakResetTrain(weak_reset_pulse(amplitude, 100e-9), n_pulses=4)
        trains.append(weak_reset_trains(session, 2, ProgramConditions(d2d=None), train, rng))
    low, high = (t.median_ohm() for t in trains)
    assert low[0] == pytest.approx(high[0])  # same devices, same SET
    assert np.all(high[1:] > low[1:])


def test_bad_trains_are_refused():
    with pytest.raises(ParameterError, match="n_pulses"):
        WeakResetTrain(n_pulses=0)
    with pytest.raises(ParameterError, match="amplitude_v"):
        weak_reset_pulse(5.0)
    with pytest.raises(ParameterError, match="reset"):
        WeakResetTrain(reset=PulseShape(1.0, 10e-9, 100e-9))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("argv", "option", "allowed"),
    [
        (["--weak-reset-pulses", "-1"], "--weak-reset-pulses", "0 <= x <= 100000"),
        (["--weak-reset-pulses", "3", "--reset-voltage", "9"], "--reset-voltage", "0 < x <= 3.3"),
        (["--weak-reset-pulses", "3", "--reset-width", "1"], "--reset-width", "0.01 s"),
    ],
)
def test_bad_weak_reset_options_exit_2(monkeypatch, capsys, argv, option, allowed):
    from rram_ber.characterization.session import NgspiceSession

    def refuse(self):
        raise AssertionError("the simulator was started despite bad input")

    monkeypatch.setattr(NgspiceSession, "open", refuse)
    assert main(["program", *argv]) == 2
    err = capsys.readouterr().err
    assert option in err and allowed in err and "Traceback" not in err


@pytest.mark.ngspice
def test_program_weak_reset_json_and_plot(tmp_path):
    # A subprocess: the in-process session of the other tests may be open.
    completed = cli(
        "program", "--devices", "3",
        "--weak-reset-pulses", "4", "--reset-voltage", "1.0", "--reset-width", "100e-9",
        "--json", "--plots", str(tmp_path),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert len(result["weak_reset_median_ohm"]) == 5 == len(result["weak_reset_sigma_ln"])
    assert np.all(np.diff(result["weak_reset_median_ohm"]) > 0)
    assert result["reset_width_s"] == 100e-9 and result["failed"] == 0
    data = (tmp_path / "weak_reset.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
