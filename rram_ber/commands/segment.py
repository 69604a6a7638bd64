"""``rram-ber segment``: an SE fully convolutional network on analog crossbar tiles.

Trains (or loads) the SE-FCN of :mod:`rram_ber.analysis.segmentation.network` on synthetic
cell images (or the user's ``.npz``), measures the 1T1R cell's series resistance in SPICE, and
reports Dice/IoU clean and through programmed chips against device variability, tile size and
wire resistance, and the pruning table (computations, energy, Dice).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rram_ber.circuits.crossbar import CrossbarCell
from rram_ber.commands.crossbar import add_tile_options, tile_from_args
from rram_ber.commands.read import as_option
from rram_ber.core.validation import ParameterError, check_int, check_range

#: Synthetic images: training and test counts, and side.
TRAIN_IMAGES = 1024
TEST_IMAGES = 128
IMAGE_SIZE = 32


def _floats(option: str, text: str, low: float, high: float) -> tuple[float, ...]:
    try:
        values = tuple(float(word) for word in str(text).split(",") if word.strip())
    except ValueError:
        raise ParameterError(option, text, "comma-separated numbers") from None
    for value in values:
        if not low <= value <= high:
            raise ParameterError(option, text, f"numbers in [{low:g}, {high:g}]")
    return values


def register(subparsers: Any) -> None:
    """Add the ``segment`` subcommand."""
    parser = subparsers.add_parser(
        "segment",
        help="SE-FCN segmentation on analog crossbar tiles: Dice against variability, pruning",
        description=(
            "Train a small squeeze-and-excitation fully convolutional network (PyTorch, the"
            " 'train' extra) on synthetic cell images (or --data), map it kernel-first onto"
            " crossbar tiles, and report Dice/IoU clean and over programmed chips, against"
            " device variability, tile size and wire resistance, and with channel pruning."
        ),
    )
    parser.add_argument("--data", type=Path, default=None, help=".npz with images and masks")
    parser.add_argument("--model", type=Path, default=None, help="a trained network (.npz)")
    parser.add_argument("--save-model", type=Path, default=None, help="write the trained network")
    parser.add_argument("--epochs", type=int, default=20, help="training epochs (default 20)")
    parser.add_argument("--tile", type=int, default=32, help="square tile side (default 32)")
    parser.add_argument("--chips", type=int, default=10, help="chips per setting (default 10)")
    parser.add_argument(
        "--sigma-levels", default="0.05,0.1,0.2", help="variability levels (default: %(default)s)"
    )
    parser.add_argument(
        "--tile-sizes", default="16,32,64", help="tile sizes swept (default: %(default)s)"
    )
    parser.add_argument(
        "--wires",
        default="2,5",
        help="wire resistances swept [ohm per pitch] (default: %(default)s)",
    )
    parser.add_argument(
        "--prune", default="0.25,0.5", help="channel fractions pruned (default: %(default)s)"
    )
    parser.add_argument(
        "--fine-tune-epochs", type=int, default=5, help="after pruning (default: %(default)s)"
    )
    parser.add_argument(
        "--verify-cell",
        action="store_true",
        help="program-and-verify on the 1T1R cell's conductance (device plus access"
        " transistor), not on the device alone",
    )
    add_tile_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    parser.set_defaults(handler=run)


def _data(args: argparse.Namespace) -> Any:
    from rram_ber.analysis.segmentation.data import load_npz, synthetic_cells
    from rram_ber.analysis.segmentation.study import SegmentationData

    if args.data is None:
        train_images, train_masks = synthetic_cells(TRAIN_IMAGES, args.seed)
        test_images, test_masks = synthetic_cells(TEST_IMAGES, args.seed + 1_000_000)
        return SegmentationData(train_images, train_masks, test_images, test_masks)
    images, masks = load_npz(args.data)
    if len(images) < 5:
        raise ParameterError("--data", str(args.data), "at least 5 images")
    order = np.random.default_rng(args.seed).permutation(len(images))
    cut = round(0.8 * len(images))
    train, test = order[:cut], order[cut:]
    return SegmentationData(
        images[train], masks[train], images[test], masks[test], f"user data {args.data.name}"
    )


def segment_study(args: argparse.Namespace, progress: Any = None) -> dict[str, Any]:
    """Everything ``rram-ber segment`` reports, from parsed options."""
    from rram_ber.analysis.crossbar.model import SeriesTable
    from rram_ber.analysis.segmentation.network import SegmentationNet
    from rram_ber.analysis.segmentation.study import StudySettings, run_study

    as_option("--tile", lambda: check_int("tile", args.tile, 2, 256))
    if args.tile % 2:
        raise ParameterError("--tile", args.tile, "an even number (differential column pairs)")
    base = tile_from_args(args, args.tile, args.tile)
    settings = StudySettings(
        sigma_levels=_floats("--sigma-levels", args.sigma_levels, 0.0, 2.0),
        base_sigma_ln=as_option("--sigma-ln", lambda: check_range("", args.sigma_ln, 0.0, 2.0)),
        tile_sizes=tuple(int(v) for v in _floats("--tile-sizes", args.tile_sizes, 2, 256)),
        wire_ohms=_floats("--wires", args.wires, 1e-3, 1e3),
        prune_fractions=_floats("--prune", args.prune, 0.0, 0.95),
        chips=as_option("--chips", lambda: check_int("chips", args.chips, 1, 10_000)),
        fine_tune_epochs=as_option(
            "--fine-tune-epochs", lambda: check_int("epochs", args.fine_tune_epochs, 0, 10_000)
        ),
        seed=args.seed,
        verify_cell=bool(args.verify_cell),
    )
    if any(size % 2 for size in settings.tile_sizes):
        raise ParameterError("--tile-sizes", args.tile_sizes, "even sizes")
    as_option("--epochs", lambda: check_int("epochs", args.epochs, 1, 10_000))
    data = _data(args)
    if args.model is not None:
        try:
            net = SegmentationNet.load(str(args.model))
        except (OSError, KeyError, ValueError) as error:
            raise ParameterError("--model", str(args.model), f"a saved network ({error})") from None
        losses: list[float] = []
    else:
        from rram_ber.analysis.segmentation.train import TrainSettings, train_network

        if progress:
            progress(f"training {args.epochs} epochs")
        net, losses = train_network(
            data.train_images, data.train_masks, TrainSettings(epochs=args.epochs, seed=args.seed)
        )
    if args.save_model is not None:
        net.save(str(args.save_model))
    series = None
    if base.cell is CrossbarCell.ONE_T_ONE_R:
        from rram_ber.characterization.crossbar import cell_sweep
        from rram_ber.characterization.session import NgspiceSession

        with NgspiceSession() as session:
            series = SeriesTable.from_frame(cell_sweep(session, base))

    def fine_tune(pruned: SegmentationNet, epochs: int) -> SegmentationNet:
        from rram_ber.analysis.segmentation.train import TrainSettings
        from rram_ber.analysis.segmentation.train import fine_tune as tune

        tuned, _ = tune(
            pruned, data.train_images, data.train_masks, TrainSettings(epochs, seed=args.seed)
        )
        return tuned

    result = run_study(net, data, base, series, settings, fine_tune, progress)
    result["training_losses"] = losses
    result["tile"] = base.describe()
    return result


def _jsonable(result: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.to_dict(orient="records") if isinstance(value, pd.DataFrame) else value
        for key, value in result.items()
    }


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber segment``."""
    quiet = args.quiet or args.json

    def progress(text: str) -> None:
        if not quiet:
            print(f"segment: {text}", file=sys.stderr)

    result = segment_study(args, progress)
    if args.json:
        print(json.dumps(_jsonable(result)))
        return 0
    clean = result["clean"]
    print(f"data: {result['data']}")
    print(f"tile: {result['tile']}")
    print(
        f"clean Dice {clean['dice']:.4f} IoU {clean['iou']:.4f};"
        f" quantised weights Dice {clean['quantised_dice']:.4f}"
    )
    for key in ("variability", "tile_size", "wire", "pruning"):
        print(f"\n{key}:")
        print(result[key].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0
