"""Monte-Carlo crossbar tiles on ngspice: programmed tiles, their column currents and read energy.

A tile (:mod:`rram_ber.circuits.crossbar`) is *programmed* by drawing, for every cell, a target
conductance level and a device resistance around it, and *read* with random row inputs. Each
draw is simulated through the project's one simulator owner
(:mod:`rram_ber.characterization.session`) and measured here: the column currents at the
sampling time and the energy the row drivers deliver during the read.

What is drawn (all from one ``numpy.random.Generator`` per tile, spawned from the root seed
with ``SeedSequence(seed).spawn``, so a tile is the same whatever else is run):

* target levels, uniform over the tile's ``levels`` conductances (a weight matrix mapped onto
  the window ``[1/HRS, 1/LRS]``);
* the programmed device: ``R = R_target exp(sigma_ln u)``, ``u ~ N(0, 1)``, the log-normal law
  of filamentary HfO2 states (:class:`rram_ber.models.resistance.LogNormalResistance`;
  Ambrogio et al., IEEE TED 61(8) 2912, 2014) with one ``sigma_ln`` for every level, the spread
  left by a program-and-verify loop;
* row inputs, uniform in [0, 1] of the read voltage.

The measurements leave here as plain arrays and tables (:class:`TileRecord`, a DataFrame), the
form in which :mod:`rram_ber.analysis.crossbar` takes them: analysis never sees the simulator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rram_ber.characterization.session import Simulator
from rram_ber.characterization.simulator import Waveforms
from rram_ber.circuits.crossbar import (
    CrossbarParameters,
    cell_sweep_netlist,
    crossbar_netlist,
    crossbar_vectors,
    input_node,
    input_vector,
    sense_vector,
)
from rram_ber.core.reporting import ProgressCallback
from rram_ber.core.validation import check_int, check_range
from rram_ber.models.resistance import SIGMA_LN_MAX, LogNormalResistance

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Input fractions of the isolated-cell sweep (of the read voltage).
SWEEP_FRACTIONS = (0.125, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class TileDraw:
    """One programmed and read tile.

    Attributes
    ----------
    levels : int array (rows, cols)
        Target level of every cell, 0 (lowest conductance) ... ``levels - 1``.
    resistances_ohm : float array (rows, cols)
        Programmed device resistances [ohm].
    inputs : float array (rows,)
        Row inputs as fractions of the read voltage.
    """

    levels: IntArray
    resistances_ohm: FloatArray
    inputs: FloatArray


def draw_tile(params: CrossbarParameters, sigma_ln: float, rng: np.random.Generator) -> TileDraw:
    """Draw one tile's target levels, programmed resistances and inputs (see module docstring).

    Draws, in this order: ``rows x cols`` integers, ``rows x cols`` standard normals, ``rows``
    uniforms.
    """
    check_range("sigma_ln", sigma_ln, 0.0, SIGMA_LN_MAX)
    shape = (params.rows, params.cols)
    levels = rng.integers(0, params.levels, size=shape)
    u = rng.standard_normal(shape)
    targets_ohm = 1.0 / params.level_conductances_s()[levels]
    resistances = np.empty(shape)
    for level in np.unique(levels):
        mask = levels == level
        law = LogNormalResistance(float(targets_ohm[mask][0]), sigma_ln)
        resistances[mask] = law.from_standard_normal(u[mask])
    inputs = rng.uniform(0.0, 1.0, size=params.rows)
    return TileDraw(levels=levels, resistances_ohm=resistances, inputs=inputs)


@dataclass(frozen=True)
class TileRecord:
    """A simulated tile: its draw and what SPICE measured.

    Attributes
    ----------
    draw : TileDraw
        What was programmed and applied.
    currents_a : float array (cols,)
        Column currents at the sampling time [A].
    energy_j : float
        Energy delivered by the row drivers over the whole read (both edges) [J].
    """

    draw: TileDraw
    currents_a: FloatArray
    energy_j: float


def _value_at(waveforms: Waveforms, name: str, t_s: float) -> float:
    return float(np.interp(t_s, waveforms.time_s, waveforms.vectors[name]))


def driver_energy_j(waveforms: Waveforms, rows: int) -> float:
    """Energy the row sources deliver, ``sum_i integral V_i (-I_i) dt`` [J].

    ngspice counts a source's current into its positive terminal, so a delivering source has a
    negative current.
    """
    power = np.zeros_like(waveforms.time_s)
    for i in range(rows):
        power -= waveforms.vectors[input_node(i)] * waveforms.vectors[input_vector(i)]
    return float(np.trapezoid(power, waveforms.time_s))


def simulate_tile(simulator: Simulator, params: CrossbarParameters, draw: TileDraw) -> TileRecord:
    """Read ``draw`` on ``params`` in one transient; measure currents and energy."""
    netlist = crossbar_netlist(params, draw.resistances_ohm, draw.inputs)
    waveforms = simulator.run_transient(netlist, crossbar_vectors(params), params.t_stop_s)
    currents = np.array(
        [_value_at(waveforms, sense_vector(j), params.t_sample_s) for j in range(params.cols)]
    )
    return TileRecord(draw, currents, driver_energy_j(waveforms, params.rows))


def cell_sweep(
    simulator: Simulator,
    params: CrossbarParameters,
    fractions: Sequence[float] = SWEEP_FRACTIONS,
) -> pd.DataFrame:
    """Current of an isolated cell at every target level and input fraction.

    Returns
    -------
    pandas.DataFrame
        One row per (level, fraction): ``level``, ``device_ohm`` (the level's target
        resistance), ``fraction``, ``v_cell_v`` [V], ``current_a`` [A], ``series_ohm`` (the
        resistance in series with the device: the access transistor's on-resistance of a 1T1R
        cell, ~0 for 1R) [ohm].
    """
    targets = 1.0 / params.level_conductances_s()
    grid = [(level, f) for level in range(params.levels) for f in fractions]
    resistances = np.array([targets[level] for level, _ in grid])
    fraction_array = np.array([f for _, f in grid])
    netlist = cell_sweep_netlist(params, resistances, fraction_array)
    vectors = [v for k in range(len(grid)) for v in (input_node(k), sense_vector(k))]
    waveforms = simulator.run_transient(netlist, vectors, params.t_stop_s)
    rows = []
    for k, (level, fraction) in enumerate(grid):
        v = _value_at(waveforms, input_node(k), params.t_sample_s)
        i = _value_at(waveforms, sense_vector(k), params.t_sample_s)
        rows.append(
            {
                "level": level,
                "device_ohm": float(resistances[k]),
                "fraction": fraction,
                "v_cell_v": v,
                "current_a": i,
                "series_ohm": v / i - float(resistances[k]),
            }
        )
    return pd.DataFrame(rows)


def tile_seeds(seed: int, count: int) -> list[np.random.Generator]:
    """One independent generator per tile, ``SeedSequence(seed).spawn(count)``."""
    check_int("seed", seed, 0)
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(count)]


@dataclass(frozen=True)
class TileStudy:
    """SPICE data of one tile size: the isolated-cell sweep and Monte-Carlo tiles.

    Attributes
    ----------
    params : CrossbarParameters
        The tile.
    sigma_ln : float
        Programming spread of the devices.
    cell_table : pandas.DataFrame
        :func:`cell_sweep` of the tile's cell.
    tiles : list of TileRecord
        The simulated tiles.
    """

    params: CrossbarParameters
    sigma_ln: float
    cell_table: pd.DataFrame
    tiles: list[TileRecord]

    def arrays(self) -> dict[str, NDArray[np.float64] | NDArray[np.int64]]:
        """The tiles stacked as arrays: ``levels`` and ``resistances_ohm`` (T, rows, cols),
        ``inputs`` (T, rows), ``currents_a`` (T, cols), ``energy_j`` (T,)."""
        return {
            "levels": np.stack([t.draw.levels for t in self.tiles]),
            "resistances_ohm": np.stack([t.draw.resistances_ohm for t in self.tiles]),
            "inputs": np.stack([t.draw.inputs for t in self.tiles]),
            "currents_a": np.stack([t.currents_a for t in self.tiles]),
            "energy_j": np.array([t.energy_j for t in self.tiles]),
        }


def tile_study(
    simulator: Simulator,
    tiles_params: Sequence[CrossbarParameters],
    sigma_ln: float,
    count: int,
    seed: int,
    progress: ProgressCallback | None = None,
) -> list[TileStudy]:
    """Cell sweep and ``count`` Monte-Carlo tiles of each tile in ``tiles_params``.

    The tiles of entry ``k`` draw from ``SeedSequence(seed).spawn(len(tiles_params))[k]``, so
    adding a tile size does not change the others.
    """
    check_int("seed", seed, 0)
    studies: list[TileStudy] = []
    total = count * len(tiles_params)
    if progress is not None:
        progress(0, total, "tile")
    roots = np.random.SeedSequence(seed).spawn(len(tiles_params))
    for params, root in zip(tiles_params, roots, strict=True):
        table = cell_sweep(simulator, params)
        records = []
        for child in root.spawn(count):
            draw = draw_tile(params, sigma_ln, np.random.default_rng(child))
            records.append(simulate_tile(simulator, params, draw))
            if progress is not None:
                progress(len(studies) * count + len(records), total, "tile")
        studies.append(TileStudy(params, sigma_ln, table, records))
    return studies
