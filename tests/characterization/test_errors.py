"""Errors that cross a process boundary arrive as the same clear message and exit status 2."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.simulator import SimulationError
from rram_ber.characterization.spec import parse_spec
from rram_ber.cli import main
from rram_ber.core.validation import ParameterError

EMPIRICAL = """
[campaign]
seed = 1
samples = 4
batch_size = 2
method = "monte-carlo"

[conditions]
vdd_v = 1.2

[device]
model = "empirical"
csv = "measured.csv"
"""


def test_errors_survive_pickling_with_their_fields():
    error = pickle.loads(pickle.dumps(ParameterError("device.csv", "m.csv", "a readable file")))
    assert (error.field, error.value, error.allowed) == ("device.csv", "m.csv", "a readable file")
    assert str(error) == "device.csv = 'm.csv' is not allowed; expected a readable file"
    failure = pickle.loads(pickle.dumps(SimulationError("timestep too small", "out", "net")))
    assert (failure.reason, failure.ngspice_output, failure.netlist) == (
        "timestep too small",
        "out",
        "net",
    )


@pytest.mark.parametrize(
    ("content", "allowed"),
    [
        (None, "a readable CSV file"),
        ("state,ohm\nLRS,5e3\nHRS,5e4\n", "the columns 'state' and 'resistance_ohm'"),
        ("state,resistance_ohm\nLRS,5e3\nHRS,-1\n", "resistance_ohm in [1, 1e12] ohm"),
    ],
)
def test_a_bad_measured_resistance_file_stops_the_run_before_simulating(
    tmp_path, capsys, content, allowed
):
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(EMPIRICAL)
    if content is not None:
        (tmp_path / "measured.csv").write_text(content)
    out = tmp_path / "out"
    status = main(["run", str(spec_file), "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith("rram-ber run: error: device.csv")
    assert "measured.csv" in captured.err and allowed in captured.err
    assert "Traceback" not in captured.err
    assert not out.exists()  # nothing was prepared, let alone simulated


@pytest.mark.ngspice
def test_a_parameter_error_in_a_worker_process_arrives_as_itself(tmp_path):
    (tmp_path / "measured.csv").write_text("state,resistance_ohm\nLRS,5e3\nHRS,5e4\n")
    spec = parse_spec(
        {
            "campaign": {"samples": 2, "batch_size": 2, "method": "monte-carlo"},
            "device": {"model": "empirical", "csv": "measured.csv"},
        },
        str(tmp_path),
    )
    # The measured values left out: the worker cannot draw devices and says so.
    spec = dataclasses.replace(spec, device=dataclasses.replace(spec.device, measured=None))
    with LocalExecutor(1) as executor, pytest.raises(ParameterError) as caught:
        run_campaign(spec, tmp_path / "out", executor)
    assert caught.value.field == "device.model"
