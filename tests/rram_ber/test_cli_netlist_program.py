"""``rram-ber netlist program``: a SET or RESET deck that runs in ``ngspice -b`` and prints what
``rram-ber program`` measures on the same nominal device."""

import json
import re
import shutil
import subprocess

import pytest

from rram_ber.cli import main
from rram_ber.models.vcm import VcmParameters
from tests import support

pytestmark = pytest.mark.ngspice


def _deck_values(path, operation):
    completed = subprocess.run(
        [shutil.which("ngspice") or "ngspice", "-b", str(path)],
        capture_output=True, text=True, cwd=path.parent, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    match = re.search(
        rf"rram-ber-program {operation} n_end=(\S+) i_plateau=(\S+) energy=(\S+)",
        completed.stdout,
    )
    assert match, completed.stdout
    return [float(v) for v in match.groups()]


@pytest.mark.slow
def test_set_and_reset_decks_agree_with_the_program_command(tmp_path):
    # Each command in its own process: both open an ngspice (the SET word line is looked up
    # in it), and the in-process one of the other simulator tests may be open.
    completed = support.cli(
        "program", "--devices", "1", "--no-d2d", "--no-c2c", "--json", "--quiet"
    )
    assert completed.returncode == 0, completed.stderr
    measured = json.loads(completed.stdout)
    for operation in ("set", "reset"):
        deck = tmp_path / f"{operation}.cir"
        written = support.cli("netlist", "program", "--operation", operation, "-o", str(deck))
        assert written.returncode == 0, written.stderr
        assert ".control" in deck.read_text() and "shell" not in deck.read_text()
        n_end, i_plateau, energy = _deck_values(deck, operation)
        if operation == "set":
            assert abs(i_plateau) == pytest.approx(measured["compliance_observed_median_a"], 1e-4)
            assert energy == pytest.approx(measured["set_energy_median_j"], rel=1e-3)
            assert n_end > 5 * VcmParameters().n_init  # SET from the fresh (RESET) state
        else:
            assert energy == pytest.approx(measured["reset_energy_median_j"], rel=1e-3)
            assert n_end < 1.01 * VcmParameters().n_min  # back to the fully RESET state


def test_a_given_word_line_is_used_and_checked(tmp_path, capsys):
    deck = tmp_path / "set.cir"
    assert main(["netlist", "program", "--v-wl", "0.5", "-o", str(deck)]) == 0
    assert re.search(r"^v\S*wl_0 wl_0 0 (dc )?0\.5\b", deck.read_text(), re.MULTILINE)
    assert main(["netlist", "program", "--v-wl", "9"]) == 2
    assert "--v-wl" in capsys.readouterr().err
