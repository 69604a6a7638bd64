"""The segmentation study: clean against analog Dice over programmed chips, sweeps, pruning.

For each setting, ``chips`` chips are programmed independently (chip ``k`` of a setting from
``SeedSequence([seed, setting, k])``) and the test images are segmented through each; the
Dice and IoU of a chip are computed over all test pixels, and the table gives their mean over
chips with a 95 % Student-t interval (the spread from chip to chip, which is what a user of
one chip faces), beside the clean floating-point network and the ideally quantised one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from rram_ber.analysis.crossbar.model import SeriesTable
from rram_ber.analysis.segmentation.analog import (
    input_scales,
    program_chip,
    quantised_matrices,
    tiles_and_reads,
)
from rram_ber.analysis.segmentation.data import DATA_LABEL, dice_iou
from rram_ber.analysis.segmentation.network import (
    SegmentationNet,
    forward,
    macs_per_image,
    prune_channels,
)
from rram_ber.circuits.crossbar import CrossbarParameters
from rram_ber.core.validation import check_int

Array = NDArray[np.float32]


@dataclass(frozen=True)
class SegmentationData:
    """Train and test images with masks, and what they are (``label``)."""

    train_images: Array
    train_masks: Array
    test_images: Array
    test_masks: Array
    label: str = DATA_LABEL


def _scores(logits: Array, masks: Array) -> tuple[float, float]:
    return dice_iou(logits > 0.0, masks > 0.5)


def interval(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and 95 % Student-t interval of ``values`` (the mean itself for one value)."""
    x = np.asarray(values, float)
    mean = float(x.mean())
    if x.size < 2:
        return mean, mean, mean
    half = float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


def analog_row(
    net: SegmentationNet,
    data: SegmentationData,
    params: CrossbarParameters,
    series: SeriesTable | None,
    sigma_ln: float,
    chips: int,
    seed: Sequence[int],
    scales: dict[str, float] | None = None,
    verify_cell: bool = False,
) -> dict[str, float | int]:
    """Dice and IoU over ``chips`` programmed chips, and energy per inference
    (``verify_cell``: see :func:`rram_ber.analysis.segmentation.analog.program_layer`)."""
    check_int("chips", chips, 1)
    scales = scales or input_scales(net, data.train_images[:128])
    dice, iou, energy = [], [], []
    for child in np.random.SeedSequence(list(seed)).spawn(chips):
        rng = np.random.default_rng(child)
        chip = program_chip(net, scales, params, series, sigma_ln, rng, verify_cell)
        d, i = _scores(forward(net, data.test_images, chip.matmul), data.test_masks)
        dice.append(d)
        iou.append(i)
        energy.append(chip.read_energy_j(net, data.test_images[:16]))
    height, width = data.test_images.shape[1:]
    tiles, reads = tiles_and_reads(net, params, height, width)
    dice_mean, dice_low, dice_high = interval(dice)
    iou_mean, iou_low, iou_high = interval(iou)
    return {
        "tile": params.rows,
        "r_wire_ohm": params.r_wire_ohm,
        "sigma_ln": sigma_ln,
        "levels": params.levels,
        "verify_cell": int(verify_cell),
        "chips": chips,
        "dice_mean": dice_mean,
        "dice_ci_low": dice_low,
        "dice_ci_high": dice_high,
        "iou_mean": iou_mean,
        "iou_ci_low": iou_low,
        "iou_ci_high": iou_high,
        "tiles": tiles,
        "tile_reads_per_image": reads,
        "energy_per_image_j": float(np.mean(energy)),
    }


def clean_scores(net: SegmentationNet, data: SegmentationData, levels: int) -> dict[str, float]:
    """Dice/IoU of the floating-point network and of its ideally quantised weights."""
    scales = input_scales(net, data.train_images[:128])
    quantised = quantised_matrices(net, scales, levels)
    dice, iou = _scores(forward(net, data.test_images), data.test_masks)
    q_dice, q_iou = _scores(
        forward(net, data.test_images, lambda n, x, w: x @ quantised[n]), data.test_masks
    )
    return {"dice": dice, "iou": iou, "quantised_dice": q_dice, "quantised_iou": q_iou}


@dataclass(frozen=True)
class StudySettings:
    """What the study sweeps (each sweep around the base tile and ``base_sigma_ln``)."""

    sigma_levels: tuple[float, ...] = (0.05, 0.1, 0.2)
    base_sigma_ln: float = 0.1
    tile_sizes: tuple[int, ...] = (16, 32, 64)
    wire_ohms: tuple[float, ...] = (2.0, 5.0)
    prune_fractions: tuple[float, ...] = (0.25, 0.5)
    chips: int = 10
    fine_tune_epochs: int = 5
    seed: int = 1
    verify_cell: bool = False


def run_study(
    net: SegmentationNet,
    data: SegmentationData,
    base: CrossbarParameters,
    series: SeriesTable | None,
    settings: StudySettings,
    fine_tune: Callable[[SegmentationNet, int], SegmentationNet] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pd.DataFrame | dict[str, float] | str]:
    """Clean and analog scores, the variability/tile/wire sweeps and the pruning table.

    ``fine_tune(net, epochs)`` retrains a pruned network (PyTorch); None skips fine-tuning.
    Returns ``clean`` (dict), ``variability``, ``tile_size``, ``wire``, ``pruning``
    (DataFrames) and ``data`` (the data label).
    """
    s = settings

    def note(text: str) -> None:
        if progress is not None:
            progress(text)

    height, width = data.test_images.shape[1:]
    clean = clean_scores(net, data, base.levels)
    scales = input_scales(net, data.train_images[:128])

    def sweep(stream: int, points: list[tuple[str, CrossbarParameters, float]]) -> pd.DataFrame:
        """One analog row per (label, tile, sigma_ln) point, seeded ``[seed, stream, k]``."""
        rows = []
        for k, (label, params, sigma) in enumerate(points):
            note(label)
            seed = [s.seed, stream, k]
            rows.append(
                analog_row(net, data, params, series, sigma, s.chips, seed, scales, s.verify_cell)
            )
        return pd.DataFrame(rows)

    variability = sweep(
        1, [(f"variability sigma_ln={sigma:g}", base, sigma) for sigma in s.sigma_levels]
    )
    tile_size = sweep(
        2,
        [
            (f"tile {n} x {n}", dataclasses.replace(base, rows=n, cols=n), s.base_sigma_ln)
            for n in s.tile_sizes
        ],
    )
    wire = sweep(
        3,
        [
            (f"wire {ohm:g} ohm", dataclasses.replace(base, r_wire_ohm=ohm), s.base_sigma_ln)
            for ohm in (base.r_wire_ohm, *s.wire_ohms)
        ],
    )
    pruning_rows: list[dict[str, object]] = []
    for k, fraction in enumerate((0.0, *s.prune_fractions)):
        note(f"pruning {fraction:g}")
        pruned = net
        if fraction > 0.0:
            pruned = prune_channels(net, fraction)
            if fine_tune is not None and s.fine_tune_epochs > 0:
                pruned = fine_tune(pruned, s.fine_tune_epochs)
        scores = clean_scores(pruned, data, base.levels)
        analog = analog_row(
            pruned,
            data,
            base,
            series,
            s.base_sigma_ln,
            s.chips,
            [s.seed, 4, k],
            None,
            s.verify_cell,
        )
        pruning_rows.append(
            {
                "pruned_fraction": fraction,
                "channels": "-".join(str(c) for c in pruned.channels),
                "weights": int(sum(m.size for m in pruned.matrices.values())),
                "macs_per_image": macs_per_image(pruned, height, width),
                "tiles": analog["tiles"],
                "tile_reads_per_image": analog["tile_reads_per_image"],
                "energy_per_image_j": analog["energy_per_image_j"],
                "clean_dice": scores["dice"],
                "dice_mean": analog["dice_mean"],
                "dice_ci_low": analog["dice_ci_low"],
                "dice_ci_high": analog["dice_ci_high"],
            }
        )
    pruning = pd.DataFrame(pruning_rows)
    full = pruning.iloc[0]
    pruning["macs_saved"] = 1.0 - pruning["macs_per_image"] / full["macs_per_image"]
    pruning["energy_saved"] = 1.0 - pruning["energy_per_image_j"] / full["energy_per_image_j"]
    return {
        "data": data.label,
        "clean": clean,
        "variability": variability,
        "tile_size": tile_size,
        "wire": wire,
        "pruning": pruning,
    }
