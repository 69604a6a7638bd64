"""The Python API (``rram_ber.api``): the README example run as a script, and the functions on
the committed small campaign (no simulator needed there)."""

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from rram_ber import api

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = ROOT / "tests" / "data" / "small_campaign"


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- api-example -->\n```python\n(.*?)```", text, re.S)
    assert match, "the README's API example is missing"
    return match.group(1)


def test_readme_example_runs_as_a_script_without_a_main_guard(tmp_path):
    code = readme_example()
    assert "__main__" not in code
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    ber = pd.read_csv(tmp_path / "api-out" / "ber.csv")
    assert list(ber["n_samples"]) == [8, 8] and list(ber["vdd_v"]) == [1.2, 0.7]
    assert "accuracy_drop" in done.stdout and "report:" in done.stdout
    headline = pd.read_csv(tmp_path / "api-out" / "report_files" / "headline.csv")
    assert set(headline["ber_verdict"]) <= {"pass", "fail", "undetermined"}
    # Code piped to the interpreter (no file, no guard) resumes the same campaign.
    rerun = subprocess.run(
        [sys.executable, "-"], input=code.split("accuracy =")[0], cwd=tmp_path,
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert pd.read_csv(tmp_path / "api-out" / "ber.csv").equals(ber)


def test_ber_table_and_report_accept_str_paths_and_results(tmp_path):
    table = api.ber_table(str(CAMPAIGN))
    assert len(table) == 16
    assert api.ber_table(CAMPAIGN / "ber.csv").equals(table)
    report = api.write_report(str(CAMPAIGN), str(tmp_path / "r.html"), accuracy=False)
    assert report.html.is_file() and (report.files / "headline.csv").is_file()


def test_evaluate_accuracy_takes_a_dataframe():
    ber = api.ber_table(CAMPAIGN)
    binary = ber[ber["cell"] == "2t2r"].head(2)
    points = api.evaluate_accuracy(binary, repeats=2, test_limit=100)
    assert list(points["condition_id"]) == list(binary["condition_id"])
    assert ((points["accuracy_mean"] > 0.1) & (points["accuracy_mean"] <= 1)).all()
    assert points["accuracy_drop"].equals(points["clean_accuracy"] - points["accuracy_mean"])


def test_bad_input_raises_parameter_errors(tmp_path):
    with pytest.raises(api.ParameterError, match="campaign"):
        api.ber_table(tmp_path)
    with pytest.raises(api.ParameterError, match="conditions"):
        api.load_campaign({"campaign": {"samples": 10}})
    with pytest.raises(api.ParameterError, match="workers"):
        api.run_campaign({"conditions": {"vdd_v": 1.0}}, tmp_path / "o", workers=0)
    with pytest.raises(api.ParameterError, match="SPEC"):
        api.load_campaign(str(tmp_path / "missing.toml"))


def test_package_docstrings_point_to_the_api():
    import rram_ber.analysis
    import rram_ber.characterization

    for package in (rram_ber.analysis, rram_ber.characterization):
        assert package.__doc__ and "rram_ber.api" in package.__doc__


def test_a_network_prints_in_one_line():
    from rram_ber.analysis.bnn import load_shipped

    text = repr(load_shipped("fashion-mlp-bnn"))
    assert "\n" not in text and len(text) < 300
    network = load_shipped("fashion-mlp-bnn")
    first = network.layers[0]
    assert f"Dense {first.name} binary {first.weights.values.shape[0]}x784" in text


def test_rare_event_rows_get_one_accuracy_through_the_api_and_evaluate(tmp_path, capsys):
    """Rare-event rows of ber.csv (an estimate with its per-stored-value model, a zero-failure
    bound below and one above the floor) give the API and ``rram-ber evaluate --ber-table``
    the same BER, label and accuracy."""
    import json

    from rram_ber.cli import main

    ber = api.ber_table(CAMPAIGN).iloc[:3].copy()
    rare = {
        "method": ["importance", "subset", "subset"],
        "n_samples": 4000, "n_resolved": float("nan"), "n_unresolved": float("nan"),
        "n_failed": 0, "n_errors": [9, 0, 0],
        "ber": [0.02, 0.0, 0.0], "ber_ci_low": [0.015, 0.0, 0.0],
        "ber_ci_high": [0.027, 1.5e-10, 0.012],
        "ber_report": ["0.02 [0.015, 0.027] (importance)", "< 1.5e-10 (subset)",
                       "< 0.012 (subset)"],
        "p_error_plus": [0.03, 0.0, 0.0], "p_error_minus": [0.01, 0.0, 0.0],
    }  # fmt: skip
    for column, values in rare.items():
        ber[column] = values
    ber.to_csv(tmp_path / "ber.csv", index=False)
    points = api.evaluate_accuracy(tmp_path, repeats=2, test_limit=100).set_index("condition_id")
    assert list(points["ber_resolution"]) == ["estimated", "bound-below-floor", "unresolved-bound"]
    assert list(points["ber"]) == [0.02, 1.5e-10, 0.012]
    for condition, point in points.iterrows():
        argv = ["evaluate", "--model", point["model"], "--ber-table", str(tmp_path / "ber.csv"),
                "--condition", str(condition), "--repeats", "2", "--limit", "100", "--json",
                "--quiet"]  # fmt: skip
        assert main(argv) == 0
        evaluated = json.loads(capsys.readouterr().out)
        assert evaluated["ber"] == point["ber"]
        assert evaluated["ber_resolution"] == point["ber_resolution"]
        assert evaluated["accuracy_mean"] == pytest.approx(point["accuracy_mean"], rel=1e-12)
    # The bound below the floor is indistinguishable from error-free weights.
    assert points.loc[1, "accuracy_mean"] == points.loc[1, "clean_accuracy"]
