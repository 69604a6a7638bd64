"""Issue 27, part 6: the API does what the command line does (read, a user network at a
uniform BER, the sample rows, write_report's model), through the command-line code paths."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rram_ber import api
from rram_ber.analysis.bnn.curves import load_test_split
from rram_ber.analysis.bnn.model_io import load_shipped, save_network
from rram_ber.cli import main
from tests import support

CAMPAIGN = Path(__file__).resolve().parents[1] / "data" / "small_campaign"


@pytest.fixture(scope="module")
def user_network(tmp_path_factory):
    """A binary network as a user's file (no shipped data set named) and its test data."""
    base = tmp_path_factory.mktemp("net")
    shipped = load_shipped("digits-mlp-bnn")
    x, y = load_test_split(shipped, 120)
    metadata = {k: v for k, v in shipped.metadata.items() if k != "dataset"}
    import dataclasses

    path = save_network(dataclasses.replace(shipped, metadata=metadata), base / "mine.npz")
    np.savez(base / "test.npz", x=x, y=y)
    return path, base / "test.npz"


def test_evaluate_accuracy_takes_a_user_network_data_and_a_uniform_ber(user_network, capsys):
    model, data = user_network
    frame = api.evaluate_accuracy(model=model, data=data, ber=0.03, repeats=4, seed=5)
    argv = ["evaluate", "--model", str(model), "--data", str(data), "--ber", "0.03",
            "--repeats", "4", "--seed", "5", "--json", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    cli = json.loads(capsys.readouterr().out)
    row = frame.iloc[0]
    assert len(frame) == 1 and row["ber_resolution"] == "given" and row["ber"] == 0.03
    for key in ("accuracy_mean", "clean_accuracy", "accuracy_drop", "repeats"):
        assert row[key] == cli[key], key
    assert row["accuracy_drop"] > 0  # 3 % of the weights flipped cost accuracy
    # At BER 0: the clean accuracy exactly.
    clean = api.evaluate_accuracy(model=str(model), data=str(data), ber=0.0, repeats=1)
    assert clean.iloc[0]["accuracy_mean"] == row["clean_accuracy"]


def test_evaluate_accuracy_refuses_what_it_cannot_do(user_network):
    model, data = user_network
    with pytest.raises(api.ParameterError, match="ber"):
        api.evaluate_accuracy(CAMPAIGN, model=model, ber=0.1)
    with pytest.raises(api.ParameterError, match=r"^model"):
        api.evaluate_accuracy(ber=0.1)
    with pytest.raises(api.ParameterError, match=r"^data is required"):
        api.evaluate_accuracy(model=model, ber=0.1)
    with pytest.raises(api.ParameterError, match=r"^ber = 1\.5"):
        api.evaluate_accuracy(model=model, data=data, ber=1.5)


def test_evaluate_accuracy_of_a_campaign_with_a_user_network(user_network):
    model, data = user_network
    points = api.evaluate_accuracy(CAMPAIGN, repeats=2, model=model, data=data)
    ber = api.ber_table(CAMPAIGN).set_index("condition_id")
    assert set(points["model"]) == {"digits-mlp-bnn"}
    assert set(ber.loc[points["condition_id"], "cell"]) == {"2t2r"}
    assert any("ternary conditions" in note for note in points.attrs["notes"])


def test_load_samples_gives_the_rows_ber_csv_counts():
    rows = api.load_samples(CAMPAIGN)
    ber = api.ber_table(str(CAMPAIGN))
    assert len(rows) == int(ber["n_samples"].sum()) == 16 * 24
    # A row's ``error`` is a wrong value; ber.csv's n_errors adds undecided and failed reads.
    counted = rows.groupby("condition_id")["error"].sum().astype(int)
    assert counted.to_dict() == dict(zip(ber["condition_id"], ber["n_wrong"], strict=True))
    assert (ber["n_errors"] == ber["n_wrong"] + ber["n_undecided"] + ber["n_failed"]).all()
    assert {"status", "reason", "decision", "delay_s", "energy_j", "r_bl_ohm"} <= set(rows)
    with pytest.raises(api.ParameterError, match="no such directory"):
        api.load_samples(CAMPAIGN / "missing")


def test_write_report_documents_and_takes_a_user_model(user_network, tmp_path):
    assert "model : str, path or list of them" in (api.write_report.__doc__ or "")
    model, data = user_network
    report = api.write_report(CAMPAIGN, tmp_path / "r.html", model=str(model),
                              model_data=str(data), repeats=2, test_limit=100)  # fmt: skip
    table = pd.read_csv(report.files / "accuracy.csv")
    assert set(table["model"]) == {"digits-mlp-bnn"}


@pytest.mark.ngspice
def test_read_gives_what_rram_ber_read_prints(tmp_path):
    # In its own process: api.read opens ngspice in the calling process.
    script = (
        "import dataclasses, json, math\n"
        "from rram_ber import api\n"
        "r = api.read(r_bl='5k', r_blb=50e3, vdd=1.2, corner='ss', temp=85)\n"
        "print(json.dumps(r.as_json()))\n"
        "try:\n"
        "    api.read(r_bl=-5e3)\n"
        "except api.ParameterError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    result = json.loads(lines[0])
    cli = support.cli("read", "--r-bl", "5k", "--r-blb", "50e3", "--vdd", "1.2", "--corner",
                      "ss", "--temp", "85", "--json")  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert result == json.loads(cli.stdout)
    assert result["decision"] == 1 and result["technology"] == "ptm130"
    assert 0 < result["delay_s"] < 1e-9 and 0 < result["energy_j"] < 1e-12
    assert lines[1].startswith("--r-bl = -5000.0 is not allowed")


@pytest.mark.ngspice
def test_run_campaign_raises_when_every_read_of_a_condition_failed(tmp_path):
    spec = support.write_spec(tmp_path / "spec", samples=4, vdd="[0.9, 0.1]")
    script = (
        "from rram_ber import api\n"
        f"spec = api.load_campaign({str(spec)!r})\n"
        "try:\n"
        "    api.run_campaign(spec, 'out', progress=False)\n"
        "except api.FailedConditionsError as error:\n"
        "    print('FAILED', [f.condition_id for f in error.failed], len(error.result.ber))\n"
        "    print(error)\n"
        "result = api.run_campaign(spec, 'out', progress=False, allow_failures=True)\n"
        "print('ALLOWED', result.simulated_chunks, result.resumed_chunks)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, check=False, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "FAILED [1] 2" in done.stdout
    assert "0.1V" in done.stdout and "sense enable never reached" in done.stdout
    assert "ALLOWED 0 2" in done.stdout


@pytest.mark.parametrize(
    ("device", "field"),
    [
        ({"model": "lognormal", "lrs_median_ohm": 60e3}, "device.hrs_median_ohm = 50000.0"),
        ({"model": "lognormal", "lrs_median_ohm": 8e3, "hrs_median_ohm": 8e3},
         "device.hrs_median_ohm = 8000.0"),
        ({"model": "fixed", "lrs_ohm": 50e3, "hrs_ohm": 5e3}, "device.hrs_ohm = 5000.0"),
    ],
)  # fmt: skip
def test_an_hrs_below_the_lrs_is_refused(device, field):
    # Issue 27: an HRS median below the LRS median was accepted without a word.
    with pytest.raises(api.ParameterError) as error:
        api.load_campaign({"conditions": {"vdd_v": 1.0}, "device": device})
    assert str(error.value).startswith(field) and "above lrs_" in str(error.value)
