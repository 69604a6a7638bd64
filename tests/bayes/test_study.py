"""Training, transfer and evaluation (PyTorch); seeded runs reproduce exactly."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from rram_ber.analysis.bayes.devices import ConductanceMapping
from rram_ber.analysis.bayes.network import AnalogMlp
from rram_ber.analysis.bayes.study import (
    StudySettings,
    programmed_compliances,
    programmed_samples,
    run_study,
)
from rram_ber.analysis.bayes.tasks import load_task
from rram_ber.characterization.conductance_table import write_table
from rram_ber.cli import main

from .conftest import synthetic_table

pytest.importorskip("torch")

HEADLINE = (
    "software_accuracy",
    "transferred_accuracy",
    "software_ece",
    "transferred_ece",
    "deterministic_transferred_accuracy",
    "deterministic_transferred_ece",
)


@pytest.fixture
def table_path(tmp_path):
    return write_table(synthetic_table().to_dict(orient="records"), tmp_path / "table.csv")


def test_seeded_runs_reproduce_exactly(relation):
    task = load_task("moons")
    mapping = ConductanceMapping(relation)
    settings = StudySettings(devices_per_weight=4, draws=2, seeds=1, epochs=3)
    first = run_study(task, mapping, settings)
    second = run_study(task, mapping, settings)
    assert first.runs.equals(second.runs)
    for key, network in first.networks.items():
        for a, b in zip(network.weights, second.networks[key].weights, strict=True):
            np.testing.assert_array_equal(a, b)
    # Another seed trains another network.
    other = run_study(
        task, mapping, StudySettings(devices_per_weight=4, draws=2, seeds=1, seed=2, epochs=3)
    )
    assert not first.runs.equals(other.runs)
    # More draws keep the draws already there.
    more = run_study(task, mapping, StudySettings(devices_per_weight=4, draws=3, seeds=1, epochs=3))
    assert more.runs[more.runs["draw"] < 2].reset_index(drop=True).equals(first.runs)


def test_the_transferred_network_works_and_weights_stay_in_range(relation):
    task = load_task("moons")
    result = run_study(
        task,
        ConductanceMapping(relation),
        StudySettings(devices_per_weight=8, draws=2, seeds=1, epochs=40),
    )
    means = result.runs.groupby("variant")["accuracy"].mean()
    assert means["software"] > 0.9 and means["transferred"] > 0.9
    assert means["deterministic_transferred"] > 0.85
    assert (result.runs["n_clipped"] == 0).all()
    for network in result.networks.values():
        assert all(np.abs(w).max() <= 1.0 for w in network.weights)
    # The deterministic software network has no randomness: the same in every draw.
    det = result.runs[result.runs["variant"] == "deterministic_software"]
    assert det["accuracy"].nunique() == 1
    interval = result.summary["transferred_accuracy"]
    assert interval["ci_low"] <= interval["mean"] <= interval["ci_high"]


def test_cli_prints_the_headline_with_intervals(capsys, table_path):
    status = main(
        [
            "bayes",
            "--task",
            "moons",
            "--epochs",
            "2",
            "--seeds",
            "1",
            "--draws",
            "2",
            "--devices-per-weight",
            "4",
            "--conductance-table",
            str(table_path),
            "--json",
        ]
    )
    assert status == 0
    payload = json.loads(capsys.readouterr().out)
    for key in HEADLINE:
        entry = payload[key]
        assert entry["ci_low"] <= entry["mean"] <= entry["ci_high"], key
    assert payload["n_clipped"] == 0
    assert payload["settings"]["ensemble_members"] == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--devices-per-weight", "7"],
            "--devices-per-weight = 7 is not allowed; expected an even",
        ),
        (["--spread-scale", "9"], "--spread-scale"),
        (["--task", "fashion"], "--task"),
        (["--draws", "0"], "--draws"),
    ],
)
def test_cli_bad_input_exits_2(capsys, table_path, argv, message):
    status = main(["bayes", "--conductance-table", str(table_path), *argv])
    assert status == 2
    assert message in capsys.readouterr().err


def test_programmed_devices_are_read_back_in_order(relation):
    """Medians put where the devices' compliances say give back the network's weights."""
    rng = np.random.default_rng(4)
    network = AnalogMlp(
        weights=(rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (5, 2))), gains=(1.0, 2.0)
    )
    mapping = ConductanceMapping(relation)
    currents = programmed_compliances(network, mapping, 3)
    assert currents.size == 2 * 3 * network.n_weights
    samples = programmed_samples(network, mapping, 3, relation.median_s(currents))
    for layer, w in zip(samples, network.weights, strict=True):
        assert layer.shape == (3, *w.shape)
        np.testing.assert_allclose(layer, np.broadcast_to(w, layer.shape), atol=1e-12)


@pytest.mark.slow
@pytest.mark.ngspice
def test_cli_spice_transfer_programs_every_device(capsys):
    """Against the shipped table (measured on these devices): SPICE devices follow it."""
    argv = ["bayes", "--task", "moons", "--hidden", "2", "--epochs", "2", "--seeds", "1"]
    argv += ["--draws", "1", "--devices-per-weight", "2", "--spice-transfer", "--json"]
    # A subprocess: the in-process session of the other tests may be open.
    completed = subprocess.run(
        [sys.executable, "-m", "rram_ber.cli", *argv], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    spice = json.loads(completed.stdout)["spice_transfer"]
    # 2-2-2 network: 3 x 2 + 3 x 2 = 12 weights, one pair each, two networks.
    assert spice["devices"] == 2 * 2 * 12 and spice["failed"] == 0
    # 48 devices: the residual mean has a standard error of about 0.15.
    assert abs(spice["device_z_mean"]) < 0.6
    assert 0.6 < spice["device_z_sd"] < 1.6
    for variant in ("transferred", "deterministic_transferred"):
        assert 0.0 <= spice[variant]["accuracy"] <= 1.0
    assert main(["bayes", "--spice-transfer", "--spread-scale", "2"]) == 2
    assert "--spread-scale" in capsys.readouterr().err


def test_the_api_returns_the_summary(table_path):
    from rram_ber import api

    summary = api.bayes_transfer(
        "moons", devices_per_weight=4, draws=2, seeds=1, epochs=2, conductance_table=table_path
    )
    assert set(HEADLINE) <= set(summary)
    assert summary["transferred_accuracy"]["runs"] == 2
