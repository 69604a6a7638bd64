"""``rram-ber evaluate`` end to end on the shipped digits models (fast)."""

import dataclasses
import json

import pytest

from rram_ber.analysis.bnn import datasets
from rram_ber.analysis.bnn.model_io import shipped_models
from rram_ber.characterization import schema
from rram_ber.cli import main
from tests.support import binary_row, ternary_confusion, write_ber_table


def _json(capsys, argv):
    assert main(["evaluate", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_list_names_every_shipped_model(capsys):
    assert main(["evaluate", "--list"]) == 0
    out = capsys.readouterr().out
    for name in shipped_models():
        assert name in out
    assert "fashion-mlp-bnn" in shipped_models()


def test_json_has_the_documented_keys(capsys):
    result = _json(capsys, ["--model", "digits-mlp-bnn", "--ber", "0.02", "--repeats", "4",
                            "--seed", "5"])  # fmt: skip
    assert {"accuracy_mean", "accuracy_ci_low", "accuracy_ci_high", "repeats", "ber"} <= set(result)
    assert result["repeats"] == 4 and result["ber"] == 0.02
    assert result["accuracy_ci_low"] <= result["accuracy_mean"] <= result["accuracy_ci_high"]
    same = _json(capsys, ["--model", "digits-mlp-bnn", "--ber", "0.02", "--repeats", "4",
                          "--seed", "5"])  # fmt: skip
    assert same == result


def test_text_output_and_ber_zero(capsys):
    assert main(["evaluate", "--model", "digits-mlp-tnn", "--ber", "0", "--repeats", "2"]) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and "95 % CI" in out
    result = _json(capsys, ["--model", "digits-mlp-tnn", "--ber", "0", "--repeats", "2"])
    assert result["accuracy_mean"] == result["accuracy_ci_low"] == result["accuracy_ci_high"]


def test_ber_table_conditions(tmp_path, capsys):
    single = tmp_path / "single"
    single.mkdir()
    path = write_ber_table(single, [binary_row("c7", 0.01, 0.015, 0.005)])
    result = _json(capsys, ["--model", "digits-mlp-bnn", "--ber-table", str(path),
                            "--repeats", "3"])  # fmt: skip
    assert result["ber"] == 0.01 and result["condition_id"] == "c7"
    # A campaign's condition ids are numbers in the JSON (issue 27: they were strings), and
    # the clean accuracy of the same inputs is given beside the accuracy under errors.
    numbered = tmp_path / "numbered"
    numbered.mkdir()
    path = write_ber_table(numbered, [binary_row(7, 0.01, 0.015, 0.005)])
    result = _json(capsys, ["--model", "digits-mlp-bnn", "--ber-table", str(path),
                            "--repeats", "3"])  # fmt: skip
    assert result["condition_id"] == 7
    clean = _json(capsys, ["--model", "digits-mlp-bnn", "--ber", "0", "--repeats", "1"])
    assert result["clean_accuracy"] == clean["accuracy_mean"] == clean["clean_accuracy"]
    assert result["accuracy_drop"] == pytest.approx(
        result["clean_accuracy"] - result["accuracy_mean"]
    )

    path = write_ber_table(tmp_path, [binary_row("a", 0.3, 0.3, 0.3), binary_row("b", 0, 0, 0)])
    argv = ["evaluate", "--model", "digits-mlp-bnn", "--ber-table", str(path), "--repeats", "2"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--condition" in err and "a, b" in err
    result = _json(capsys, [*argv[1:], "--condition", "b"])
    assert result["condition_id"] == "b" and result["accuracy_ci_low"] > 0.9
    assert main([*argv, "--condition", "zz"]) == 2
    assert "'zz'" in capsys.readouterr().err


def test_ternary_condition_does_not_fit_a_binary_model(tmp_path, capsys):
    row = ["t", "2t2r", 0.6, 27, "tt", "monte-carlo", 10, 10, 0, 0, 1, 0.1, 0, 0.4, "0.1",
           "nan", "nan"]  # fmt: skip
    matrix = [[0.9, 0.1, 0.0], [0.05, 0.9, 0.05], [0.0, 0.1, 0.9]]
    path = write_ber_table(tmp_path, [row], ternary_confusion("t", matrix))
    assert main(["evaluate", "--model", "digits-mlp-bnn", "--ber-table", str(path)]) == 2
    assert "--ber-table" in capsys.readouterr().err
    result = _json(capsys, ["--model", "digits-mlp-tnn", "--ber-table", str(path),
                            "--repeats", "2"])  # fmt: skip
    assert result["condition_id"] == "t"


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--model", "digits-mlp-bnn", "--ber", "-0.1"], "--ber"),
        (["--model", "digits-mlp-bnn", "--ber", "1.5"], "--ber"),
        (["--model", "digits-mlp-bnn", "--ber", "nan"], "--ber"),
        (["--model", "digits-mlp-tnn", "--ber", "0.9"], "--ber"),
        (["--model", "digits-mlp-bnn", "--ber", "0.1", "--repeats", "0"], "--repeats"),
        (["--model", "digits-mlp-bnn", "--ber", "0.1", "--seed", "-1"], "--seed"),
        (["--model", "digits-mlp-bnn", "--ber", "0.1", "--mode", "sometimes"], "--mode"),
        (["--model", "digits-mlp-bnn", "--ber", "0.1", "--limit", "0"], "--limit"),
        (["--model", "digits-mlp-bnn", "--ber", "0.1", "--condition", "a"], "--condition"),
        (["--model", "no-such-model", "--ber", "0.1"], "model"),
    ],
)
def test_bad_input_exits_2_naming_the_option(capsys, argv, option):
    assert main(["evaluate", *argv]) == 2
    err = capsys.readouterr().err
    assert f"{option} = " in err and "expected" in err


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--model", "digits-mlp-bnn"], "--ber"),
        (["--ber", "0.1"], "--model"),
        (["--model", "digits-mlp-bnn", "--ber-table", "TABLE"], "--condition"),
        (["--model", "NET", "--ber", "0"], "--data"),
    ],
)
def test_a_missing_option_is_named_as_required(tmp_path, capsys, argv, option):
    # Issue 27: before, "--condition = None is not allowed" / "--data = None is not allowed".
    table = write_ber_table(tmp_path, [binary_row("a", 0.1, 0.1, 0.1), binary_row("b", 0, 0, 0)])
    network = tmp_path / "net.npz"
    from rram_ber.analysis.bnn.model_io import load_shipped, save_network

    shipped = load_shipped("digits-mlp-bnn")
    metadata = {k: v for k, v in shipped.metadata.items() if k != "dataset"}
    save_network(dataclasses.replace(shipped, metadata=metadata), network)
    words = [str(table) if w == "TABLE" else str(network) if w == "NET" else w for w in argv]
    assert main(["evaluate", *words]) == 2
    err = capsys.readouterr().err
    assert f"error: {option} is required (none was given); expected" in err
    assert "None" not in err


def test_missing_data_package_exits_1_with_install_hint(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(datasets, "FASHION_MNIST_DIR", tmp_path)
    status = main(["evaluate", "--model", "fashion-mlp-bnn", "--ber", "0.01", "--repeats", "1"])
    assert status == 1
    assert "apt-get install dataset-fashion-mnist" in capsys.readouterr().err


def test_progress_bar_counts_the_realisations_and_quiet_hides_it(capsys):
    argv = ["evaluate", "--model", "digits-mlp-bnn", "--ber", "0.02", "--repeats", "3"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "evaluate: 100%" in err and "3/3" in err
    assert main([*argv, "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_a_condition_without_errors_is_evaluated_at_its_bound_as_a_worst_case(tmp_path, capsys):
    row = binary_row("z", 0.0, 0.0, 0.0)
    row[schema.BER_COLUMNS.index(schema.BER_CI_HIGH) - len(schema.BER_COLUMNS)] = 0.05  # "< 0.05"
    path = write_ber_table(tmp_path, [row])
    argv = ["--model", "digits-mlp-bnn", "--ber-table", str(path), "--repeats", "3"]
    result = _json(capsys, argv)
    assert result["ber"] == 0.05 and result["ber_resolution"] == "unresolved-bound"
    at_bound = _json(capsys, ["--model", "digits-mlp-bnn", "--ber", "0.05", "--repeats", "3"])
    assert result["accuracy_mean"] == at_bound["accuracy_mean"]  # symmetric flips at 0.05
    assert result["accuracy_at_ber_0"] > result["accuracy_mean"]  # the range's other end
    assert at_bound["accuracy_at_ber_0"] is None
    assert main(["evaluate", *argv]) == 0
    out = capsys.readouterr().out
    assert "< 0.05 (no error seen" in out and "at BER 0" in out
