"""``rram-ber crossbar`` and ``rram-ber netlist crossbar`` from the command line."""

from __future__ import annotations

import json

import pytest

from rram_ber.cli import main
from tests import support


def test_bad_sizes_are_refused_before_simulating(capsys):
    assert main(["crossbar", "--sizes", "4,x"]) == 2
    assert "--sizes" in capsys.readouterr().err
    assert main(["crossbar", "--sizes", "4", "--sigma-ln", "-1"]) == 2
    assert "--sigma-ln" in capsys.readouterr().err


def test_netlist_crossbar_writes_a_deck(tmp_path):
    deck = tmp_path / "tile.cir"
    assert main(["netlist", "crossbar", "--rows", "3", "--cols", "2", "-o", str(deck)]) == 0
    text = deck.read_text(encoding="ascii")
    assert "rram-ber-crossbar column=1" in text and text.rstrip().endswith(".end")


@pytest.mark.ngspice
def test_crossbar_json_and_plots(tmp_path):
    # Its own process: the command opens its own ngspice, and the in-process one of the
    # other simulator tests may be open.
    completed = support.cli(
        "crossbar", "--sizes", "4,6", "--tiles", "3", "--fast-tiles", "12", "--json",
        "--plots", str(tmp_path),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    sizes = result["sizes"]
    assert [row["rows"] for row in sizes] == [4, 6]
    for row in sizes:
        assert row["spice_tiles"] == 3 and row["paired_residual_max"] < 1e-3
        assert 0.0 < row["ks_tile_pvalue"] <= 1.0
        assert row["energy_per_read_j"] > 0.0
    assert {r["level"] for r in result["cell_table"]} == set(range(8))
    for name in ("tile_error_cdf.png", "tile_error_position.png", "crossbar.csv"):
        assert (tmp_path / name).stat().st_size > 0
