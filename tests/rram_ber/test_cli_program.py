"""``rram-ber program`` end to end."""

from __future__ import annotations

import json

import pytest

from rram_ber.characterization.session import NgspiceSession
from rram_ber.cli import main
from tests.support import cli


def _no_simulation(monkeypatch):
    """Fail the test if anything tries to open the simulator."""

    def refuse(self):
        raise AssertionError("the simulator was started despite bad input")

    monkeypatch.setattr(NgspiceSession, "open", refuse)


@pytest.mark.parametrize(
    ("argv", "option", "shown", "allowed"),
    [
        (["--compliance", "1e-3"], "--compliance", "0.001", "4e-05 <= x <= 0.0003 A"),
        (["--compliance", "nan"], "--compliance", "nan", "4e-05 <= x <= 0.0003 A"),
        (["--compliance=-5e-5"], "--compliance", "-5e-05", "4e-05 <= x <= 0.0003 A"),
        (["--devices", "0"], "--devices", "0", "1 <= x <= 100000"),
        (["--seed=-1"], "--seed", "-1", "0 <= x"),
        (["--set-voltage", "4"], "--set-voltage", "4.0", "0 < x <= 3.3 V"),
        (["--set-voltage", "0.2"], "--set-voltage", "0.2", "above compliance_voltage_v"),
        (["--set-width", "0"], "--set-width", "0.0", "1e-09 <= x <= 0.01 s"),
        (["--reset-voltage=-2"], "--reset-voltage", "-2.0", "0 < x <= 3.3 V"),
        (["--reset-width", "1"], "--reset-width", "1.0", "1e-09 <= x <= 0.01 s"),
        (["--reset-wl", "5"], "--reset-wl", "5.0", "0 < x <= 3.3 V"),
        (["--orientation", "up"], "--orientation", "'up'", "'oe_on_bl', 'ae_on_bl'"),
        (["--t-ambient", "500"], "--t-ambient", "500.0", "-23.15 <= x <= 126.85 C"),
        (["--compliance", "1m"], "--compliance", "0.001", "4e-05 <= x <= 0.0003 A"),
    ],
)
def test_bad_input_exits_2_naming_option_value_and_range(
    monkeypatch, capsys, argv, option, shown, allowed
):
    _no_simulation(monkeypatch)
    assert main(["program", *argv]) == 2
    err = capsys.readouterr().err
    assert f"{option} = {shown}" in err and allowed in err


def test_plots_path_that_is_a_file_is_refused(monkeypatch, capsys, tmp_path):
    _no_simulation(monkeypatch)
    a_file = tmp_path / "plots"
    a_file.write_text("not a directory")
    assert main(["program", "--devices", "2", "--plots", str(a_file)]) == 2
    assert "--plots" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.ngspice
def test_program_json_and_plots(tmp_path):
    # A subprocess: the in-process session of the other tests may be open.
    completed = cli(
        "program", "--compliance", "50u", "--devices", "20", "--seed", "1", "--json",
        "--plots", str(tmp_path / "plots"),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    # Not silent: a bar over the 20 SET and 20 RESET pulses.
    assert "program (SET at 50 uA, RESET)" in completed.stderr
    assert "40/40" in completed.stderr
    assert "program: done in" in completed.stderr
    result = json.loads(completed.stdout)
    expected = {"lrs_median_ohm", "lrs_sigma_ln", "hrs_median_ohm", "hrs_sigma_ln"}
    assert expected | {"devices", "failed"} <= set(result)
    assert result["devices"] == 20 and result["failed"] == 0
    # R_LRS * I_C ~ 0.4 V; HRS 60-250 kOhm in the SET-polarity read; HRS spread wider.
    assert 0.3 < result["lrs_median_ohm"] * 50e-6 < 0.5
    assert 60e3 < result["hrs_median_ohm"] < 250e3
    assert result["hrs_sigma_ln"] > result["lrs_sigma_ln"]
    assert result["compliance_observed_median_a"] == pytest.approx(50e-6, rel=0.1)
    for name in ("iv_butterfly.png", "resistance_cdf.png"):
        data = (tmp_path / "plots" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def _program_json(compliance: str) -> dict[str, float]:
    completed = cli(
        "program", "--compliance", compliance, "--devices", "4", "--seed", "1", "--json"
    )
    assert completed.returncode == 0, completed.stderr
    return dict(json.loads(completed.stdout))


@pytest.mark.slow
@pytest.mark.ngspice
def test_programming_energies_are_reported_and_grow_with_the_compliance():
    low, high = _program_json("50e-6"), _program_json("200e-6")
    for result in (low, high):
        # SET: the driven line supplies ~compliance x pulse voltage over the 1 us plateau and
        # the ramps; RESET: the LRS current over its pulse. Both in the 10 pJ - 10 nJ range.
        assert 10e-12 < result["set_energy_median_j"] < 10e-9
        assert 10e-12 < result["reset_energy_median_j"] < 10e-9
    assert high["set_energy_median_j"] > 2.0 * low["set_energy_median_j"]
    # A stronger SET leaves a lower LRS, which draws more current when the RESET starts.
    assert high["reset_energy_median_j"] > low["reset_energy_median_j"]


def test_pulse_energy_integrates_v_times_i():
    import numpy as np

    from rram_ber.characterization.programming import pulse_energy

    t = np.linspace(0.0, 1e-6, 101)
    v = np.full_like(t, 2.0)
    i = np.full_like(t, -50e-6)  # current from SL to BL: the source line drives
    assert pulse_energy(t, v, i, -1.0) == pytest.approx(2.0 * 50e-6 * 1e-6)
