"""Issue 27, part 5: the report with the user's own network.

Before, ``rram-ber report DIR --model net.npz`` (a binary network) evaluated the ternary
conditions with the shipped ``fashion-mlp-tnn`` without a word, and evaluated 8 of the 16
conditions of the small campaign with no note saying why the other 8 were left out. Now each
read mode gets a network of its kind or is skipped with a note, and every condition is either
in the accuracy table or named in a note with the reason.
"""

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rram_ber.analysis.bnn.curves import load_test_split
from rram_ber.analysis.bnn.model_io import load_shipped, save_network
from rram_ber.analysis.report import ReportOptions, build_report
from rram_ber.cli import main
from rram_ber.core.validation import ParameterError

CAMPAIGN = Path(__file__).resolve().parents[1] / "data" / "small_campaign"


@pytest.fixture(scope="module")
def user_files(tmp_path_factory):
    """The small campaign, and the shipped digits networks saved as a user's files with the
    digits test data as the user's data (80 images)."""
    base = tmp_path_factory.mktemp("user")
    out = base / "campaign"
    shutil.copytree(CAMPAIGN, out)
    paths = {}
    for kind, name in (("binary", "digits-mlp-bnn"), ("ternary", "digits-mlp-tnn")):
        network = load_shipped(name)
        paths[kind] = save_network(network, base / f"my-{kind}.npz")
    x, y = load_test_split(load_shipped("digits-mlp-bnn"), 80)
    np.savez(base / "test.npz", x=x, y=y)
    return out, paths, base / "test.npz"


def _notes(report) -> str:
    return report.markdown.read_text()


def _ids_named(text: str) -> set[int]:
    """Condition ids named in the 'conditions ... not evaluated' notes of the report."""
    found: set[int] = set()
    for match in re.finditer(r"conditions ([0-9, ]+) not evaluated", text):
        found |= {int(c) for c in match.group(1).split(",")}
    return found


def _report(out, target, **options):
    return build_report(out, target, ReportOptions(repeats=2, test_limit=80, **options))


def test_a_binary_user_network_skips_the_ternary_conditions_with_a_note(user_files, tmp_path):
    out, paths, data = user_files
    report = _report(out, tmp_path / "r.html", model=str(paths["binary"]), model_data=str(data))
    table = pd.read_csv(report.files / "accuracy.csv")
    ber = pd.read_csv(out / "ber.csv")
    ternary = set(ber.loc[ber["cell"] == "ternary", "condition_id"])
    # Only the user's network, only on binary conditions (before: fashion-mlp-tnn too).
    assert set(table["model"]) == {"digits-mlp-bnn"}
    assert not set(table["condition_id"]) & ternary
    text = _notes(report)
    assert "fashion" not in report.html.read_text()
    assert "no ternary network was given" in text and "another --model" in text
    # Every condition is evaluated or named in a note with the reason.
    named = _ids_named(text)
    assert ternary <= named
    assert set(table["condition_id"]) | named == set(ber["condition_id"])
    assert not set(table["condition_id"]) & named


@pytest.mark.slow
def test_a_binary_and_a_ternary_user_network_each_get_their_conditions(user_files, tmp_path):
    out, paths, data = user_files
    models = [str(paths["binary"]), str(paths["ternary"])]
    report = _report(out, tmp_path / "r.html", model=models, model_data=str(data))
    table = pd.read_csv(report.files / "accuracy.csv")
    ber = pd.read_csv(out / "ber.csv").set_index("condition_id")
    kinds = {
        row.model: set(ber.loc[table.loc[table["model"] == row.model, "condition_id"], "cell"])
        for row in table.itertuples()
    }
    assert kinds == {"digits-mlp-bnn": {"2t2r"}, "digits-mlp-tnn": {"ternary"}}
    named = _ids_named(_notes(report))
    assert set(table["condition_id"]) | named == set(ber.index)
    assert "no ternary network" not in _notes(report)


def test_two_networks_of_one_kind_are_refused(user_files, tmp_path, capsys):
    out, paths, data = user_files
    with pytest.raises(ParameterError, match="at most one network per weight kind"):
        _report(out, tmp_path / "r.html", model=[str(paths["binary"])] * 2)
    argv = ["report", str(out), "-o", str(tmp_path / "r.html"), "--quiet", "--model",
            str(paths["binary"]), "--model", str(paths["binary"]), "--data", str(data)]  # fmt: skip
    assert main(argv) == 2
    assert "--model" in capsys.readouterr().err
