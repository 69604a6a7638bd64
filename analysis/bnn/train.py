"""Training of the shipped binarized / ternary networks, in PyTorch (optional extra ``train``).

The recipes are in :mod:`rram_ber.analysis.bnn.recipes`, the PyTorch layers in
:mod:`rram_ber.analysis.bnn.torch_nn`; this module is the trainer: a seeded validation split of the
training data for model selection, Adam with per-epoch learning-rate decay, latent-weight
clipping after every step, optional weight errors in every training forward pass
(error-aware training), export of the epoch with the best validation accuracy through
:func:`rram_ber.analysis.bnn.torch_export.from_torch` (batch norm folded), and the exported
network's test accuracy measured by the NumPy evaluator.

Regenerating the shipped weights (each run prints per-epoch losses and accuracies and writes
``analysis/bnn/weights/<model>.npz``)::

    python -m rram_ber.analysis.bnn.train --model fashion-mlp-bnn --seed 1
    python -m rram_ber.analysis.bnn.train --all --seed 1

Error-aware training from a measured condition instead of the recipe's rate::

    python -m rram_ber.analysis.bnn.train --model fashion-mlp-bnn --train-ber-table DIR/ber.csv \\
        --condition 3 --out DIR

Same seed, thread count and PyTorch build give the same weights (training runs on one thread
unless ``--threads`` says otherwise).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from rram_ber.analysis.bnn.datasets import Dataset, load_dataset
from rram_ber.analysis.bnn.errors import TransitionMatrix
from rram_ber.analysis.bnn.layers import Network
from rram_ber.analysis.bnn.model_io import save_network, weights_directory
from rram_ber.analysis.bnn.recipes import MITBIH_RECIPES, RECIPES, Activation, LrSchedule, Recipe
from rram_ber.analysis.bnn.torch_export import from_torch
from rram_ber.analysis.bnn.torch_nn import RecipeNet, WeightErrors, to_channels_first
from rram_ber.core.validation import ParameterError, check_int, check_range

#: Root seed of the validation hold-out (the same split for every training seed).
VALIDATION_SPLIT_SEED = 20261129
#: Inputs per evaluation batch.
_EVAL_BATCH = 1000


def validation_split(
    n: int, fraction: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Indices (train, validation) of a seeded hold-out of ``fraction`` of ``n`` examples."""
    order = np.random.default_rng(np.random.SeedSequence(VALIDATION_SPLIT_SEED)).permutation(n)
    n_val = round(fraction * n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def augment_images(
    x: torch.Tensor, rng: np.random.Generator, shift: int, flip: bool
) -> torch.Tensor:
    """Randomly shifted (and mirrored) copies of a batch of images, for training only.

    Parameters
    ----------
    x : Tensor, shape (N, C, H, W)
        Input codes, channels first.
    rng : numpy.random.Generator
        Seeded source of the shifts and flips.
    shift : int
        Largest shift in pixels along each axis (the image is zero-padded by ``shift`` and a
        random H x W window is cut out, so the emptied border reads code 0).
    flip : bool
        Mirror each image left-right with probability 1/2 (Fashion-MNIST's classes are
        left-right symmetric: a mirrored shoe is still a shoe).

    Returns
    -------
    Tensor, shape (N, C, H, W)
    """
    n, _, h, w = x.shape
    padded = nn.functional.pad(x, (shift, shift, shift, shift)) if shift else x
    dy = rng.integers(0, 2 * shift + 1, n)
    dx = rng.integers(0, 2 * shift + 1, n)
    cols = np.broadcast_to(np.arange(w), (n, w))
    if flip:
        cols = np.where(rng.random(n)[:, None] < 0.5, cols[:, ::-1], cols)
    rows = torch.from_numpy(dy[:, None] + np.arange(h))
    cols_t = torch.from_numpy(dx[:, None] + cols)
    index = torch.arange(n)[:, None, None]
    # One gather: (N, H, W, C) picked from the channels-last view, then channels first again.
    out = padded.permute(0, 2, 3, 1)[index, rows[:, :, None], cols_t[:, None, :]]
    return out.permute(0, 3, 1, 2).contiguous()


def _scheduler(
    optimizer: torch.optim.Optimizer, recipe: Recipe, n_epochs: int
) -> torch.optim.lr_scheduler.LRScheduler:
    if recipe.lr_schedule is LrSchedule.COSINE:
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=n_epochs)
    return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=recipe.lr_decay)


def _accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(y), _EVAL_BATCH):
            logits = model(x[start : start + _EVAL_BATCH])
            correct += int((logits.argmax(1) == y[start : start + _EVAL_BATCH]).sum())
    return correct / max(1, len(y))


def _check_recipe(recipe: Recipe) -> None:
    activations = [spec.activation for spec in recipe.layers]
    if activations[-1] is not Activation.LOGITS or Activation.LOGITS in activations[:-1]:
        raise ParameterError("layers", recipe.name, "'logits' on the last layer only")
    check_range("learning_rate", recipe.learning_rate, 0.0, None, low_inclusive=False)
    check_range("validation_fraction", recipe.validation_fraction, 0.0, 0.5, low_inclusive=False)
    check_range("train_ber", recipe.train_ber, 0.0, 0.5)


def train(
    recipe: Recipe,
    dataset: Dataset,
    seed: int,
    epochs: int | None = None,
    log: Any = None,
    error_matrix: TransitionMatrix | None = None,
    command: str | None = None,
    checkpoint: Path | None = None,
) -> Network:
    """Train ``recipe`` on ``dataset``; return the exported network of the best epoch.

    Parameters
    ----------
    recipe : Recipe
        Architecture and hyper-parameters (``train_ber``: error-aware training rate).
    dataset : Dataset
        Train/test data. A seeded ``recipe.validation_fraction`` of the training split selects
        the epoch; the test split only gives the recorded test accuracy.
    seed : int
        Seeds the weight initialisation, batch order and training errors.
    epochs : int, optional
        Override of ``recipe.epochs`` (e.g. tiny runs in tests).
    log : file-like, optional
        Where progress lines go (None: silent).
    error_matrix : TransitionMatrix, optional
        Measured errors drawn in training instead of ``recipe.train_ber``.
    command : str, optional
        The command line recorded in the metadata (default: the ``--model`` command).
    checkpoint : Path, optional
        After every epoch, the PyTorch state of the best epoch so far, its number, validation
        accuracy and the history so far are saved here (``torch.save``), so that a run
        stopped early still leaves its best epoch (:func:`export_checkpoint`).
    """
    _check_recipe(recipe)
    check_int("seed", seed, 0)
    n_epochs = check_int("epochs", recipe.epochs if epochs is None else epochs, 1)
    torch.manual_seed(seed)
    order_rng = np.random.default_rng(np.random.SeedSequence(seed))
    model = RecipeNet(recipe, dataset.max_code, dataset.input_bits)
    if recipe.train_ber > 0 or error_matrix is not None:
        generator = torch.Generator().manual_seed(seed + 1_000_003)
        model.set_weight_errors(WeightErrors(recipe.train_ber, generator, error_matrix))
    optimizer = torch.optim.Adam(model.parameters(), lr=recipe.learning_rate)
    scheduler = _scheduler(optimizer, recipe, n_epochs)
    augment = recipe.augment_shift > 0 or recipe.augment_flip
    if augment and len(recipe.input_shape) != 3:
        raise ParameterError("augment_shift/augment_flip", recipe.name, "image (conv2d) inputs")
    # A stream of its own: recipes without augmentation draw exactly what they drew before.
    augment_rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    shape = recipe.input_shape
    train_idx, val_idx = validation_split(dataset.y_train.size, recipe.validation_fraction)
    x_all = to_channels_first(dataset.x_train.reshape(-1, *shape))
    y_all = torch.from_numpy(np.array(dataset.y_train, dtype=np.int64))
    x_train, y_train = x_all[train_idx], y_all[train_idx]
    x_val, y_val = x_all[val_idx], y_all[val_idx]
    loss_fn = nn.CrossEntropyLoss()
    history: list[dict[str, float]] = []
    best: tuple[float, int, dict[str, Any]] | None = None
    start = time.perf_counter()
    for epoch in range(n_epochs):
        model.train()
        order = torch.from_numpy(order_rng.permutation(len(y_train)))
        losses = []
        for i in range(0, len(order), recipe.batch_size):
            batch = order[i : i + recipe.batch_size]
            optimizer.zero_grad()
            x_batch = x_train[batch]
            if augment:
                x_batch = augment_images(
                    x_batch, augment_rng, recipe.augment_shift, recipe.augment_flip
                )
            loss = loss_fn(model(x_batch), y_train[batch])
            loss.backward()
            optimizer.step()
            model.clip_latent_weights()
            losses.append(loss.item())
        scheduler.step()
        val_accuracy = _accuracy(model, x_val, y_val)
        history.append({"loss": float(np.mean(losses)), "validation_accuracy": val_accuracy})
        if best is None or val_accuracy > best[0]:
            best = (val_accuracy, epoch + 1, copy.deepcopy(model.state_dict()))
        if checkpoint is not None:
            torch.save({"epoch": best[1], "validation_accuracy": best[0],
                        "state_dict": best[2], "history": history}, checkpoint)  # fmt: skip
        if log is not None:
            print(
                f"{recipe.name} seed {seed} epoch {epoch + 1}/{n_epochs}: loss "
                f"{np.mean(losses):.4f}, validation accuracy {val_accuracy:.4f}, "
                f"{time.perf_counter() - start:.0f} s",
                file=log,
                flush=True,
            )
    assert best is not None
    default = f"python -m rram_ber.analysis.bnn.train --model {recipe.name} --seed {seed}"
    record = {
        "command": command or default + ("" if epochs is None else f" --epochs {n_epochs}"),
        "seed": seed,
        "recipe": recipe_record(recipe),
        "epochs": n_epochs,
        "selected_epoch": best[1],
        "validation_accuracy": best[0],
        "n_validation": int(val_idx.size),
        "validation_split_seed": VALIDATION_SPLIT_SEED,
        "history": history,
        "error_aware": None
        if recipe.train_ber == 0 and error_matrix is None
        else (error_matrix.as_dict() if error_matrix else {"ber": recipe.train_ber}),
        "optimizer": "Adam",
        "loss": "softmax cross-entropy",
        "seconds": round(time.perf_counter() - start, 1),
        "torch": torch.__version__,
    }
    return _export(model, best[2], recipe, dataset, record)


def _export(
    model: RecipeNet,
    state: dict[str, Any],
    recipe: Recipe,
    dataset: Dataset,
    training: dict[str, Any],
) -> Network:
    """The network of ``state`` with its test accuracy (NumPy evaluator) and metadata."""
    model.load_state_dict(state)
    model.eval()
    network = from_torch(model, name=recipe.name)
    x_test = dataset.x_test.reshape(-1, *recipe.input_shape)
    test_accuracy = network.accuracy(x_test, dataset.y_test)
    metadata = {
        "dataset": dataset.name,
        "dataset_info": dataset.info,
        "classes": list(dataset.classes),
        "description": recipe.description,
        "weight_kinds": sorted({spec.weights.value for spec in recipe.layers}),
        "clean_test_accuracy": test_accuracy,
        "n_test": int(dataset.y_test.size),
        "training": training,
    }
    return Network(network.name, network.layers, network.input_shape, network.input_bits,
                   metadata)  # fmt: skip


def export_checkpoint(recipe: Recipe, dataset: Dataset, seed: int, checkpoint: Path) -> Network:
    """The best epoch of a run that was stopped before its last epoch (see ``checkpoint``).

    The metadata say how far the run went: ``epochs`` is the recipe's, ``epochs_run`` the
    number of epochs completed, and ``stopped_early`` is true. Only runs of the recipe as it
    stands (no ``--epochs``, ``--train-ber`` or measured errors) are exported this way.
    """
    saved = torch.load(checkpoint, weights_only=True)
    model = RecipeNet(recipe, dataset.max_code, dataset.input_bits)
    _, val_idx = validation_split(dataset.y_train.size, recipe.validation_fraction)
    record = {
        "command": f"python -m rram_ber.analysis.bnn.train --model {recipe.name} --seed {seed}",
        "seed": seed,
        "recipe": recipe_record(recipe),
        "epochs": recipe.epochs,
        "epochs_run": len(saved["history"]),
        "stopped_early": True,
        "selected_epoch": int(saved["epoch"]),
        "validation_accuracy": float(saved["validation_accuracy"]),
        "n_validation": int(val_idx.size),
        "validation_split_seed": VALIDATION_SPLIT_SEED,
        "history": saved["history"],
        "error_aware": None if recipe.train_ber == 0 else {"ber": recipe.train_ber},
        "optimizer": "Adam",
        "loss": "softmax cross-entropy",
        "torch": torch.__version__,
    }
    return _export(model, saved["state_dict"], recipe, dataset, record)


def recipe_record(recipe: Recipe) -> dict[str, Any]:
    """The JSON form of a recipe stored in model files."""
    record: dict[str, Any] = json.loads(json.dumps(asdict(recipe), default=str))
    return record


def _error_matrix(table: Path, condition: str | None) -> TransitionMatrix:
    from rram_ber.analysis.bnn.ber_table import read_ber_table, select_condition

    return select_condition(read_ber_table(table, skip_unmeasured=True), condition).matrix


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: train one recipe (or all) and write the model files."""
    parser = argparse.ArgumentParser(
        prog="python -m rram_ber.analysis.bnn.train",
        description="Train the shipped BNN/TNN models.",
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--model", choices=sorted(RECIPES) + sorted(MITBIH_RECIPES), help="recipe to train"
    )
    group.add_argument("--all", action="store_true", help="train every shipped recipe")
    parser.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    parser.add_argument(
        "--train-ber",
        type=float,
        default=None,
        help="error-aware training at this rate (overrides the recipe's)",
    )
    parser.add_argument(
        "--train-ber-table",
        type=Path,
        default=None,
        help="error-aware training with a measured condition of this ber.csv",
    )
    parser.add_argument("--condition", default=None, help="condition_id of --train-ber-table")
    parser.add_argument(
        "--checkpoint",
        type=Path,
        default=None,
        help="save the best epoch's PyTorch state here whenever it improves (one model only)",
    )
    parser.add_argument(
        "--export-checkpoint",
        type=Path,
        default=None,
        help="export the best epoch of a stopped run's --checkpoint file instead of training",
    )
    parser.add_argument("--threads", type=int, default=1, help="PyTorch threads (default 1)")
    parser.add_argument(
        "--out", type=Path, default=None, help="output directory (default: the shipped weights)"
    )
    parser.add_argument(
        "--mitbih-dir",
        type=Path,
        default=None,
        help="directory of MIT-BIH records (.hea/.dat/.atr) for the mitbih-* recipes; "
        "without it they are read from PhysioNet (needs a network)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    torch.set_num_threads(check_int("--threads", args.threads, 1))
    out = weights_directory() if args.out is None else args.out
    names = sorted(RECIPES) if args.all else [args.model]
    for option in ("checkpoint", "export_checkpoint"):
        if getattr(args, option) is not None and len(names) > 1:
            flag = "--" + option.replace("_", "-")
            raise ParameterError(flag, str(getattr(args, option)), "one --model, not --all")
    matrix = None
    if args.train_ber_table is not None:
        matrix = _error_matrix(args.train_ber_table, args.condition)
    datasets: dict[str, Dataset] = {}
    for name in names:
        recipe = RECIPES.get(name) or MITBIH_RECIPES[name]
        if args.train_ber is not None:
            recipe = replace(recipe, train_ber=check_range("--train-ber", args.train_ber, 0, 0.5))
        if recipe.dataset not in datasets:
            if recipe.dataset == "mitbih":
                from rram_ber.analysis.bnn.ecg import load_mitbih_dataset

                datasets[recipe.dataset] = load_mitbih_dataset(args.mitbih_dir)
            else:
                datasets[recipe.dataset] = load_dataset(recipe.dataset)
        command = None
        if args.train_ber is not None or matrix is not None or args.epochs is not None:
            arguments = sys.argv[1:] if argv is None else argv
            command = "python -m rram_ber.analysis.bnn.train " + " ".join(arguments)
        if args.export_checkpoint is not None:
            if command is not None:
                raise ParameterError("--export-checkpoint", str(args.export_checkpoint),
                                     "no --epochs, --train-ber or --train-ber-table")  # fmt: skip
            network = export_checkpoint(recipe, datasets[recipe.dataset], args.seed,
                                        args.export_checkpoint)  # fmt: skip
        else:
            network = train(recipe, datasets[recipe.dataset], args.seed, args.epochs,
                            log=sys.stdout, error_matrix=matrix, command=command,
                            checkpoint=args.checkpoint)  # fmt: skip
        path = save_network(network, out / f"{name}.npz")
        memory = network.memory()
        training = network.metadata["training"]
        print(
            f"{name}: epoch {training['selected_epoch']} selected (validation accuracy "
            f"{training['validation_accuracy']:.4f}), clean test accuracy "
            f"{network.metadata['clean_test_accuracy']:.4f}, weights {memory.weight_bits} bit, "
            f"total {memory.total_bits} bit -> {path}"
        )
    return 0


def _cli() -> int:
    """``main`` with bad input reported as one line and exit status 2 (no traceback)."""
    try:
        return main()
    except ParameterError as error:
        print(f"python -m rram_ber.analysis.bnn.train: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(_cli())
