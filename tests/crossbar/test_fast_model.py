"""The fast tile model: physics limits, agreement with SPICE, the tile-aware KS p-value."""

from __future__ import annotations

import numpy as np
import pytest

from rram_ber.analysis.crossbar.compare import (
    MeasuredTiles,
    clustered_ks_pvalue,
    compare_size,
    draw_tiles,
    relative_errors,
)
from rram_ber.analysis.crossbar.model import (
    SeriesTable,
    cell_conductances_s,
    effective_conductance,
    programmed_resistances_ohm,
    tile_currents_a,
)
from rram_ber.characterization.crossbar import cell_sweep, draw_tile, simulate_tile, tile_seeds
from rram_ber.circuits.crossbar import CrossbarParameters
from rram_ber.core.validation import ParameterError


def test_without_wire_resistance_the_tile_is_its_cells():
    params = CrossbarParameters(rows=5, cols=4, cell="1r", r_wire_ohm=1e-6)
    g = np.random.default_rng(0).uniform(2e-5, 2e-4, (5, 4))
    assert effective_conductance(params, g) == pytest.approx(g, rel=1e-4)


def test_ir_drop_grows_with_wire_resistance_and_distance():
    g = np.full((16, 16), 1e-4)
    losses = []
    for ohm in (1.0, 5.0):
        params = CrossbarParameters(rows=16, cols=16, cell="1r", r_wire_ohm=ohm)
        column_sums = effective_conductance(params, g).sum(axis=0)
        assert np.all(np.diff(column_sums) < 0)  # farther from the drivers, less current
        losses.append(1.0 - column_sums.mean() / g.sum(axis=0).mean())
    assert 0.0 < losses[0] < losses[1]


def test_the_one_t_one_r_model_needs_the_measured_table():
    params = CrossbarParameters(rows=2, cols=2)
    with pytest.raises(ParameterError, match="series"):
        cell_conductances_s(params, np.zeros((2, 2), int), np.full((2, 2), 1e4), None)


def test_the_model_draws_devices_like_the_characterisation():
    # Same law: R_target * exp(sigma u); the characterisation's draw, replayed with its u.
    params = CrossbarParameters(rows=4, cols=3, levels=4)
    rng = np.random.default_rng(3)
    draw = draw_tile(params, 0.3, rng)
    replay = np.random.default_rng(3)
    levels = replay.integers(0, params.levels, size=(4, 3))
    u = replay.standard_normal((4, 3))
    assert np.array_equal(levels, draw.levels)
    assert programmed_resistances_ohm(params, levels, u, 0.3) == pytest.approx(
        draw.resistances_ohm, rel=1e-12
    )


def test_tile_aware_ks_pvalue_separates_agreement_from_a_shift():
    rng = np.random.default_rng(5)
    pool = rng.normal(0.0, 1.0, (200, 8)) + rng.normal(0.0, 0.5, (200, 1))
    same = rng.normal(0.0, 1.0, (20, 8)) + rng.normal(0.0, 0.5, (20, 1))
    shifted = same + 1.0
    assert clustered_ks_pvalue(same, pool, np.random.default_rng(1), 200) > 0.05
    assert clustered_ks_pvalue(shifted, pool, np.random.default_rng(1), 200) < 0.01


@pytest.mark.ngspice
@pytest.mark.parametrize(("cell", "ohm"), [("1r", 5.0), ("1t1r", 2.0)])
def test_fast_model_reproduces_spice_tiles(session, cell, ohm):
    # Tiles the model never saw: only the isolated-cell sweep enters the model.
    params = CrossbarParameters(rows=8, cols=6, cell=cell, r_wire_ohm=ohm)
    series = SeriesTable.from_frame(cell_sweep(session, params)) if cell == "1t1r" else None
    records = [
        simulate_tile(session, params, draw_tile(params, 0.2, rng)) for rng in tile_seeds(11, 3)
    ]
    full_scale = params.rows * params.g_max_s * params.v_read_v
    for record in records:
        d = record.draw
        fast = tile_currents_a(params, d.levels, d.resistances_ohm, d.inputs, series)
        assert np.max(np.abs(fast - record.currents_a)) < 5e-4 * full_scale
    measured = MeasuredTiles(
        params,
        0.2,
        series,
        np.stack([r.draw.levels for r in records]),
        np.stack([r.draw.resistances_ohm for r in records]),
        np.stack([r.draw.inputs for r in records]),
        np.stack([r.currents_a for r in records]),
        np.array([r.energy_j for r in records]),
    )
    row = compare_size(measured, 30, 2).row()
    assert row["paired_residual_max"] < 5e-4
    # Joule energy of the cells is what SPICE integrates, within the wire losses.
    assert row["energy_spice_over_model"] == pytest.approx(1.0, abs=0.03)


def test_relative_errors_are_zero_for_the_ideal_product():
    params = CrossbarParameters(rows=3, cols=2, cell="1r")
    levels, _, inputs = draw_tiles(params, 0.0, 4, np.random.default_rng(0))
    ideal = np.stack(
        [
            x * params.v_read_v @ params.level_conductances_s()[lv]
            for lv, x in zip(levels, inputs, strict=True)
        ]
    )
    assert np.allclose(relative_errors(params, levels, inputs, ideal), 0.0)
