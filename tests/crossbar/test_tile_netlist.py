"""The crossbar tile netlist: validation, physics windows, and the exported deck in ngspice -b."""

from __future__ import annotations

import re
import subprocess

import numpy as np
import pytest

from rram_ber.characterization.crossbar import draw_tile, simulate_tile, tile_seeds
from rram_ber.characterization.session import ngspice_executable
from rram_ber.circuits.crossbar import (
    CrossbarParameters,
    crossbar_netlist,
    standalone_crossbar_netlist,
)
from rram_ber.core.validation import ParameterError


def test_parameters_name_the_bad_field():
    with pytest.raises(ParameterError, match="rows"):
        CrossbarParameters(rows=0, cols=4)
    with pytest.raises(ParameterError, match="hrs_ohm"):
        CrossbarParameters(rows=2, cols=2, lrs_ohm=10e3, hrs_ohm=5e3)
    with pytest.raises(ParameterError, match="cell"):
        CrossbarParameters(rows=2, cols=2, cell="3t")


def test_tile_arrays_are_checked():
    params = CrossbarParameters(rows=2, cols=3, cell="1r")
    with pytest.raises(ParameterError, match="resistances_ohm"):
        crossbar_netlist(params, np.full((3, 2), 1e4), [0.5, 0.5])
    with pytest.raises(ParameterError, match="inputs"):
        crossbar_netlist(params, np.full((2, 3), 1e4), [0.5, 1.5])


def test_level_conductances_span_the_window():
    params = CrossbarParameters(rows=2, cols=2, lrs_ohm=5e3, hrs_ohm=50e3, levels=4)
    g = params.level_conductances_s()
    assert g[0] == pytest.approx(20e-6) and g[-1] == pytest.approx(200e-6)
    assert np.allclose(np.diff(g), np.diff(g)[0])


@pytest.mark.ngspice
def test_one_r_tile_obeys_ohm_and_kirchhoff_with_tiny_wires(session):
    # With a milliohm of wire the column current is the ideal product within 0.1 %.
    params = CrossbarParameters(rows=3, cols=2, cell="1r", r_wire_ohm=1e-3)
    resistances = np.array([[10e3, 20e3], [40e3, 5e3], [8e3, 50e3]])
    draw = draw_tile(params, 0.0, np.random.default_rng(0))
    draw = type(draw)(draw.levels, resistances, np.array([1.0, 0.5, 0.25]))
    record = simulate_tile(session, params, draw)
    ideal = (draw.inputs * params.v_read_v) @ (1.0 / resistances)
    assert record.currents_a == pytest.approx(ideal, rel=1e-3)
    # Energy of the flat top alone is V I t; the edges add a little.
    power_w = float((draw.inputs * params.v_read_v) ** 2 @ (1.0 / resistances).sum(axis=1))
    assert record.energy_j == pytest.approx(power_w * params.t_read_s, rel=0.1)


@pytest.mark.ngspice
def test_wire_resistance_lowers_the_far_columns(session):
    params = CrossbarParameters(rows=8, cols=8, cell="1r", r_wire_ohm=20.0)
    draw = draw_tile(params, 0.0, np.random.default_rng(1))
    same = type(draw)(np.zeros_like(draw.levels), np.full((8, 8), 5e3), np.ones(8))
    currents = simulate_tile(session, params, same).currents_a
    # The row drop grows with the distance from the drivers.
    assert np.all(np.diff(currents) < 0)
    assert currents[-1] < 0.99 * 8 * params.v_read_v / 5e3


@pytest.mark.ngspice
@pytest.mark.parametrize("cell", ["1r", "1t1r"])
def test_exported_deck_prints_the_in_process_currents(session, tmp_path, cell):
    params = CrossbarParameters(rows=6, cols=5, cell=cell)
    draw = draw_tile(params, 0.2, tile_seeds(7, 1)[0])
    expected = simulate_tile(session, params, draw).currents_a
    deck = tmp_path / "tile.cir"
    deck.write_text(
        standalone_crossbar_netlist(params, draw.resistances_ohm, draw.inputs), encoding="ascii"
    )
    completed = subprocess.run(
        [ngspice_executable(), "-b", deck.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    printed = {
        int(m.group(1)): float(m.group(2))
        for m in re.finditer(r"rram-ber-crossbar column=(\d+) current_a=(\S+)", completed.stdout)
    }
    assert sorted(printed) == list(range(params.cols))
    # ngspice prints six significant digits.
    assert np.array([printed[j] for j in range(params.cols)]) == pytest.approx(expected, rel=2e-5)
    assert np.all(expected > 0.0)
