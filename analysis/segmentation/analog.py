"""The SE-FCN on analog crossbar tiles: kernel-first mapping, programmed chips, Dice and energy.

Mapping (Chen et al., TNNLS 2022, convolution-kernel-first): every weighted layer's CKF matrix
``W`` (K rows, F columns; :mod:`rram_ber.analysis.segmentation.network`) is cut into tiles of
``rows x cols`` cells. A weight is a differential pair of adjacent columns: ``w > 0`` programs
the ``+`` device to level ``q = round(|w| / w_max * (L - 1))`` and leaves the ``-`` device at the
lowest level, ``w < 0`` the reverse, so the pair's current difference is
``V x q (G_max - G_min) / (L - 1)`` (conductance quantisation to ``L`` levels, ``w_max`` the
layer's largest weight). Tiles of a layer along K add their column currents digitally; cells
of a partly used tile are left at the lowest level and unused rows at 0 V (they still load the
wires). Inputs are the layer's activations scaled by ``a_max`` (the 99.9th percentile of the
clean network's activations on the training images, then clipped to [0, 1]) onto row voltages
``x V_read``. Biases, ReLU, the SE block's pooling, sigmoid and scaling, and the skip additions
are digital.

A *chip* is one programming of every tile: each device drawn log-normally around its level
(:func:`rram_ber.analysis.crossbar.model.programmed_resistances_ohm`) with its own generator,
its measured series resistance added, and the wire network of its tile solved once
(:func:`rram_ber.analysis.crossbar.model.effective_conductance`). Inference through the chip is
then a product with the tiles' ``G_eff`` per layer.

Energy per inference is the Joule energy of the array reads,
``sum over reads of sum_i (x_i V_read)^2 sum_j G_ij`` over every tile's full width, times the
read pulse (:func:`rram_ber.analysis.crossbar.model.read_energy_j`); ``rram-ber crossbar``
checks it against the energy SPICE integrates for whole tiles (column
``energy_spice_over_model``). The sense amplifiers, converters and digital periphery are not
included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rram_ber.analysis.crossbar.model import (
    SeriesTable,
    cell_conductances_s,
    effective_conductance,
    programmed_resistances_ohm,
    pulse_time_s,
)
from rram_ber.analysis.segmentation.network import (
    LAYERS,
    SegmentationNet,
    exact_matmul,
    forward,
    layer_positions,
)
from rram_ber.circuits.crossbar import CrossbarParameters
from rram_ber.core.validation import ParameterError, check_range

Array = NDArray[np.float32]
#: Percentile of a layer's clean input activations mapped to the full read voltage.
INPUT_PERCENTILE = 99.9


def input_scales(net: SegmentationNet, images: Array) -> dict[str, float]:
    """``a_max`` of every layer: the 99.9th percentile of its input on ``images`` (> 0)."""
    scales: dict[str, float] = {}

    def record(name: str, x: Array, w: Array) -> Array:
        scales[name] = max(float(np.percentile(x, INPUT_PERCENTILE)), 1e-6)
        return x @ w

    forward(net, images, record)
    return scales


def weight_levels(w: Array, levels: int) -> tuple[NDArray[np.int64], float]:
    """Levels of the differential pairs of ``w`` (K, F): ``(levels (K, 2F), w_max)``; columns
    ``2f`` (+) and ``2f + 1`` (-)."""
    w_max = float(np.max(np.abs(w))) or 1.0
    q = np.rint(np.abs(w) / w_max * (levels - 1)).astype(np.int64)
    pairs = np.zeros((w.shape[0], 2 * w.shape[1]), np.int64)
    pairs[:, 0::2] = np.where(w > 0, q, 0)
    pairs[:, 1::2] = np.where(w < 0, q, 0)
    return pairs, w_max


@dataclass(frozen=True)
class TileBlock:
    """One programmed tile of a layer: the rows and pair-columns of ``W`` it holds."""

    row_start: int
    row_stop: int
    col_start: int
    col_stop: int
    g_eff: NDArray[np.float64]
    row_conductance_s: NDArray[np.float64]


@dataclass(frozen=True)
class ProgrammedLayer:
    """A layer programmed on its tiles."""

    w_max: float
    a_max: float
    out_features: int
    blocks: tuple[TileBlock, ...]


def tile_grid(k: int, f: int, params: CrossbarParameters) -> list[tuple[int, int, int, int]]:
    """``(row_start, row_stop, col_start, col_stop)`` over the (K, 2F) pair matrix."""
    if params.cols % 2:
        raise ParameterError("cols", params.cols, "an even number (differential pairs)")
    return [
        (r, min(r + params.rows, k), c, min(c + params.cols, 2 * f))
        for r in range(0, k, params.rows)
        for c in range(0, 2 * f, params.cols)
    ]


def program_layer(
    w: Array,
    a_max: float,
    params: CrossbarParameters,
    series: SeriesTable | None,
    sigma_ln: float,
    rng: np.random.Generator | None,
    verify_cell: bool = False,
) -> ProgrammedLayer:
    """Program ``w`` onto tiles; ``rng`` None programs every device exactly on its level.

    ``verify_cell``: program-and-verify on the cell's conductance (device plus the measured
    series resistance at the operating fraction), else on the device's
    (:func:`rram_ber.analysis.crossbar.model.programmed_resistances_ohm`).
    """
    pairs, w_max = weight_levels(w, params.levels)
    series_ohm = series.at(0.5) if verify_cell and series is not None else None
    blocks = []
    for r0, r1, c0, c1 in tile_grid(w.shape[0], w.shape[1], params):
        levels = np.zeros((params.rows, params.cols), np.int64)
        levels[: r1 - r0, : c1 - c0] = pairs[r0:r1, c0:c1]
        u = np.zeros(levels.shape) if rng is None else rng.standard_normal(levels.shape)
        resistances = programmed_resistances_ohm(params, levels, u, sigma_ln, series_ohm)
        g_cell = cell_conductances_s(params, levels, resistances, series)
        g_eff = effective_conductance(params, g_cell)
        blocks.append(
            TileBlock(r0, r1, c0, c1, g_eff[: r1 - r0, : c1 - c0], g_cell.sum(axis=1)[: r1 - r0])
        )
    return ProgrammedLayer(w_max, a_max, w.shape[1], tuple(blocks))


@dataclass(frozen=True)
class AnalogChip:
    """Every layer of a network programmed on tiles (one chip)."""

    params: CrossbarParameters
    layers: Mapping[str, ProgrammedLayer]

    def matmul(self, name: str, x: Array, w: Array) -> Array:
        """The product of layer ``name`` through its tiles (the :data:`MatMul` of the chip)."""
        layer = self.layers[name]
        p = self.params
        v = np.clip(np.asarray(x, np.float64) / layer.a_max, 0.0, 1.0) * p.v_read_v
        currents = np.zeros((x.shape[0], 2 * layer.out_features))
        for block in layer.blocks:
            currents[:, block.col_start : block.col_stop] += (
                v[:, block.row_start : block.row_stop] @ block.g_eff
            )
        difference = currents[:, 0::2] - currents[:, 1::2]
        scale = layer.w_max * layer.a_max / (p.v_read_v * (p.g_max_s - p.g_min_s))
        return (difference * scale).astype(np.float32)

    def read_energy_j(self, net: SegmentationNet, images: Array) -> float:
        """Joule energy of the array reads for ``images``, per image [J] (see module)."""
        p = self.params
        total = 0.0

        def record(name: str, x: Array, w: Array) -> Array:
            nonlocal total
            layer = self.layers[name]
            v = np.clip(np.asarray(x, np.float64) / layer.a_max, 0.0, 1.0) * p.v_read_v
            for block in layer.blocks:
                total += float(
                    np.sum(v[:, block.row_start : block.row_stop] ** 2 @ block.row_conductance_s)
                )
            return self.matmul(name, x, w)

        forward(net, images, record)
        return total * pulse_time_s(p) / len(images)


def program_chip(
    net: SegmentationNet,
    scales: Mapping[str, float],
    params: CrossbarParameters,
    series: SeriesTable | None,
    sigma_ln: float,
    rng: np.random.Generator | None,
    verify_cell: bool = False,
) -> AnalogChip:
    """Program every layer of ``net`` (one generator for the whole chip, layers in order;
    ``verify_cell`` as in :func:`program_layer`)."""
    check_range("sigma_ln", sigma_ln, 0.0, 2.0)
    layers = {
        name: program_layer(
            net.matrices[name], scales[name], params, series, sigma_ln, rng, verify_cell
        )
        for name in LAYERS
    }
    return AnalogChip(params, layers)


def quantised_matrices(
    net: SegmentationNet, scales: Mapping[str, float], levels: int
) -> dict[str, Array]:
    """The weight matrices as the ideal tiles realise them (quantised, no device or wire)."""
    out = {}
    for name in LAYERS:
        pairs, w_max = weight_levels(net.matrices[name], levels)
        out[name] = ((pairs[:, 0::2] - pairs[:, 1::2]) * (w_max / (levels - 1))).astype(np.float32)
    return out


def ideal_forward(net: SegmentationNet, images: Array) -> Array:
    """Logits of the clean floating-point network."""
    return forward(net, images, exact_matmul)


def tiles_and_reads(
    net: SegmentationNet, params: CrossbarParameters, height: int, width: int
) -> tuple[int, int]:
    """``(tiles, tile reads per image)`` of the mapped network."""
    positions = layer_positions(net, height, width)
    tiles = reads = 0
    for name in LAYERS:
        k, f = net.matrices[name].shape
        count = len(tile_grid(k, f, params))
        tiles += count
        reads += count * positions[name]
    return tiles, reads
