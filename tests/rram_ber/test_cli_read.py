"""``rram-ber read`` and ``rram-ber netlist read`` end to end."""

import json
import re
import subprocess

import pytest

from rram_ber.characterization.session import NgspiceSession
from rram_ber.cli import main
from rram_ber.core.units import parse_spice_number
from tests.support import cli


def _no_simulation(monkeypatch):
    """Fail the test if anything tries to open the simulator."""

    def refuse(self):
        raise AssertionError("the simulator was started despite bad input")

    monkeypatch.setattr(NgspiceSession, "open", refuse)


@pytest.mark.parametrize(
    ("argv", "option", "allowed"),
    [
        (["--r-bl", "0"], "--r-bl", "0 < x"),
        (["--r-blb=-50e3"], "--r-blb", "0 < x"),
        (["--r-bl", "nan"], "--r-bl", "finite"),
        (["--vdd", "0"], "--vdd", "0 < x <= 1.5"),
        (["--vdd", "3.5"], "--vdd", "0 < x <= 1.5"),
        (["--vdd", "nan"], "--vdd", "0 < x <= 1.5"),
        (["--temp=-60"], "--temp", "-55 <= x <= 150"),
        (["--temp", "151"], "--temp", "-55 <= x <= 150"),
        (["--temp", "inf"], "--temp", "-55 <= x <= 150"),
        (["--corner", "xx"], "--corner", "'tt', 'ff', 'ss', 'fs', 'sf'"),
        (["--cell", "3t3r"], "--cell", "'2t2r', '1t1r'"),
        (["--cell", "1t1r", "--r-blb", "1e4"], "--r-blb", "--r-ref"),
        (["--cell", "1t1r", "--r-ref=-1"], "--r-ref", "0 < x"),
        # Issue 27: a negative number with a SPICE suffix was taken for an option ("expected
        # one argument"); now it is read as the number and refused by its range.
        (["--r-bl", "-5k"], "--r-bl", "0 < x"),
        (["--vdd", "-1.2"], "--vdd", "0 < x <= 1.5"),
        (["--temp", "-60"], "--temp", "-55 <= x <= 150"),
    ],
)
@pytest.mark.parametrize("command", [["read"], ["netlist", "read"]])
def test_bad_input_exits_2_naming_option_value_and_range(
    monkeypatch, capsys, command, argv, option, allowed
):
    _no_simulation(monkeypatch)
    assert main([*command, *argv]) == 2
    err = capsys.readouterr().err
    assert option in err and allowed in err
    raw = argv[-1].split("=")[-1]
    number = parse_spice_number(raw)
    shown = repr(raw) if number is None else repr(number)
    assert f"{option} = {shown}" in err


@pytest.mark.ngspice
def test_read_json_reports_decision_delay_and_energy():
    completed = cli(
        "read",
        "--r-bl",
        "5e3",
        "--r-blb",
        "50e3",
        "--vdd",
        "1.2",
        "--corner",
        "tt",
        "--temp",
        "27",
        "--json",
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    # The inputs come back with the result, so a saved JSON line says what was read.
    # Issue 27: the technology is part of it (before: no technology field).
    assert set(result) == {"decision", "resolved", "delay_s", "energy_j", "cell", "r_bl_ohm",
                           "r_blb_ohm", "vdd_v", "corner", "temp_c", "t_sample_s",
                           "v_out_v", "v_outb_v", "rows", "mux", "technology"}  # fmt: skip
    assert result["technology"] == "ptm130" and (result["rows"], result["mux"]) == (64, 1)
    assert (result["r_bl_ohm"], result["r_blb_ohm"], result["vdd_v"]) == (5e3, 50e3, 1.2)
    assert result["t_sample_s"] == 2e-9 and result["temp_c"] == 27.0
    assert result["decision"] == 1 and result["resolved"] is True and result["rows"] == 64
    # The default read is the cell in a 64-row column: drivers and lines included.
    assert 20e-12 < result["delay_s"] < 3e-9 and 1e-15 < result["energy_j"] < 1e-12


@pytest.mark.ngspice
def test_read_table_and_1t1r():
    completed = cli("read", "--cell", "1t1r", "--r-bl", "50e3", "--backend", "subprocess")
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert re.search(r"^decision +-1$", out, flags=re.MULTILINE) and "reference" in out


@pytest.mark.ngspice
def test_netlist_read_writes_a_deck_ngspice_runs(tmp_path):
    deck = tmp_path / "read.cir"
    completed = cli("netlist", "read", "--r-bl", "50e3", "--r-blb", "5e3", "-o", str(deck))
    assert completed.returncode == 0, completed.stderr
    ran = subprocess.run(
        ["ngspice", "-b", deck.name], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0
    assert "decision=-1" in ran.stdout
