"""Training of the shipped binarized / ternary networks, in NumPy.

Recipe (BinaryNet: Courbariaux, Hubara et al., arXiv 1602.02830; larq's ``ste_sign`` and
``weight_clip``):

* latent real weights, quantized in the forward pass (sign for binary; the fixed threshold 0.05
  of Laborieux et al. / Quantized_VGG for ternary), latent weights clipped to [-1, 1] after
  every step;
* straight-through estimator ``1{|x| <= 1}`` for the sign activations; the weight gradient is
  passed to the latent weights unchanged (they stay inside the clip window);
* order per block: linear (dense or valid conv) -> max-pool -> batch norm -> sign (hidden
  layers), ReLU (real feature layers of "classifier-only" networks, Penkovsky et al., DATE
  2020) or nothing (last layer: batch norm output = logits);
* real-valued first-layer input (codes / max_code), softmax cross-entropy, Adam (lr 1e-3,
  multiplied by ``lr_decay`` after every epoch), mini-batches of 100, no data augmentation, no
  early stopping (the last epoch is exported).

After training, batch norm is folded into per-channel thresholds (hidden sign layers) or
scale/bias (real layers), see :class:`analysis.bnn.layers.SignThreshold`, and the network is
written with :func:`analysis.bnn.model_io.save_network`. The reported accuracy is that of the
exported network (the evaluator's own forward pass) on the test split.

Regenerating the shipped weights (each run prints per-epoch accuracy and writes
``analysis/bnn/weights/<model>.npz``)::

    python -m analysis.bnn.train --model fashion-mlp-bnn --seed 1
    python -m analysis.bnn.train --all          # every recipe in RECIPES, seed 1

Same seed, same machine and BLAS thread count -> same weights; another BLAS may sum in another
order and give slightly different weights.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis.bnn.datasets import Dataset, load_dataset
from analysis.bnn.layers import (
    Affine,
    Conv1D,
    Conv2D,
    Dense,
    Layer,
    LayerType,
    Network,
    SignThreshold,
    Weights,
    patches_1d,
    patches_2d,
)
from analysis.bnn.model_io import save_network, weights_directory
from analysis.bnn.quantizers import (
    DEFAULT_TERNARY_THRESHOLD,
    WeightKind,
    binarize,
    quantize,
    ste_gradient,
)
from rram_ber.validation import ParameterError, check_int, check_range

Array = npt.NDArray[np.float32]

#: Batch-norm epsilon (added to the variance).
BN_EPSILON = 1e-4
#: Batch-norm running-average momentum (weight of the old value).
BN_MOMENTUM = 0.9


@dataclass(frozen=True)
class LayerSpec:
    """One block of a recipe.

    Parameters
    ----------
    type : LayerType
        dense, conv1d or conv2d.
    n_out : int
        Output channels.
    weights : WeightKind
        binary, ternary or real.
    activation : str
        ``"sign"``, ``"relu"`` or ``"logits"`` (last layer only).
    kernel : int or tuple of int
        Conv kernel (ignored for dense).
    pool : int
        Max-pool window after the conv (1 = none).
    """

    type: LayerType
    n_out: int
    weights: WeightKind
    activation: str = "sign"
    kernel: int | tuple[int, int] = 1
    pool: int = 1

    @property
    def kernel_1d(self) -> int:
        """Conv1D kernel length."""
        if not isinstance(self.kernel, int):
            raise ParameterError("kernel", self.kernel, "an int for conv1d")
        return self.kernel

    @property
    def kernel_2d(self) -> tuple[int, int]:
        """Conv2D kernel (kh, kw)."""
        if isinstance(self.kernel, int):
            raise ParameterError("kernel", self.kernel, "(kh, kw) for conv2d")
        return self.kernel


@dataclass(frozen=True)
class Recipe:
    """Everything that defines a shipped model's training."""

    name: str
    dataset: str
    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]
    description: str
    epochs: int
    learning_rate: float = 1e-3
    lr_decay: float = 0.7
    batch_size: int = 100
    ternary_threshold: float = DEFAULT_TERNARY_THRESHOLD


def _mlp(hidden: Sequence[int], n_classes: int, kind: WeightKind) -> tuple[LayerSpec, ...]:
    blocks = [LayerSpec(LayerType.DENSE, n, kind) for n in hidden]
    return (*blocks, LayerSpec(LayerType.DENSE, n_classes, kind, "logits"))


def _fashion_cnn(kind: WeightKind) -> tuple[LayerSpec, ...]:
    return (
        LayerSpec(LayerType.CONV2D, 16, kind, kernel=(5, 5), pool=2),
        LayerSpec(LayerType.CONV2D, 32, kind, kernel=(3, 3), pool=2),
        LayerSpec(LayerType.DENSE, 128, kind),
        LayerSpec(LayerType.DENSE, 10, kind, "logits"),
    )


def _digits_cnn(kind: WeightKind) -> tuple[LayerSpec, ...]:
    return (
        LayerSpec(LayerType.CONV2D, 32, kind, kernel=(3, 3), pool=2),
        LayerSpec(LayerType.DENSE, 128, kind),
        LayerSpec(LayerType.DENSE, 10, kind, "logits"),
    )


def _ecg_cnn(features: WeightKind, n_classes: int = 4) -> tuple[LayerSpec, ...]:
    """Beat classifier; ``features`` real = "classifier-only" binarization (Penkovsky 2020)."""
    activation = "sign" if features is not WeightKind.REAL else "relu"
    return (
        LayerSpec(LayerType.CONV1D, 16, features, activation, kernel=7, pool=2),
        LayerSpec(LayerType.CONV1D, 32, features, activation, kernel=5, pool=2),
        LayerSpec(LayerType.DENSE, 64, WeightKind.BINARY),
        LayerSpec(LayerType.DENSE, n_classes, WeightKind.BINARY, "logits"),
    )


_B, _T, _R = WeightKind.BINARY, WeightKind.TERNARY, WeightKind.REAL
#: The shipped models. Names: data set, architecture, kind (bnn = binary weights, tnn = ternary
#: weights; activations are binary in both).
RECIPES = {
    r.name: r
    for r in (
        Recipe("fashion-mlp-bnn", "fashion-mnist", (784,), _mlp((256, 256), 10, _B),
               "784-256-256-10 MLP, binary weights and activations", epochs=8),
        Recipe("fashion-mlp-tnn", "fashion-mnist", (784,), _mlp((256, 256), 10, _T),
               "784-256-256-10 MLP, ternary weights, binary activations", epochs=8),
        Recipe("fashion-cnn-bnn", "fashion-mnist", (28, 28, 1), _fashion_cnn(_B),
               "conv5x5-16-pool2, conv3x3-32-pool2, dense 128, dense 10; binary", epochs=4),
        Recipe("fashion-cnn-tnn", "fashion-mnist", (28, 28, 1), _fashion_cnn(_T),
               "conv5x5-16-pool2, conv3x3-32-pool2, dense 128, dense 10; ternary weights",
               epochs=4),
        Recipe("digits-mlp-bnn", "digits", (64,), _mlp((128, 128), 10, _B),
               "64-128-128-10 MLP, binary weights and activations", epochs=30, lr_decay=0.93),
        Recipe("digits-mlp-tnn", "digits", (64,), _mlp((128, 128), 10, _T),
               "64-128-128-10 MLP, ternary weights, binary activations", epochs=30,
               lr_decay=0.93),
        Recipe("digits-cnn-bnn", "digits", (8, 8, 1), _digits_cnn(_B),
               "conv3x3-32-pool2, dense 128, dense 10; binary", epochs=30, lr_decay=0.93),
        Recipe("digits-cnn-tnn", "digits", (8, 8, 1), _digits_cnn(_T),
               "conv3x3-32-pool2, dense 128, dense 10; ternary weights", epochs=30,
               lr_decay=0.93),
        Recipe("ecg-synthetic-cnn-bnn", "ecg-synthetic", (117, 1), _ecg_cnn(_B),
               "SYNTHETIC heartbeats (not MIT-BIH); whole network binarized: conv7-16-pool2, "
               "conv5-32-pool2, dense 64, dense 4", epochs=8),
        Recipe("ecg-synthetic-cnn-bnn-classifier", "ecg-synthetic", (117, 1), _ecg_cnn(_R),
               "SYNTHETIC heartbeats (not MIT-BIH); classifier only binarized: real "
               "conv7-16-pool2 and conv5-32-pool2 with ReLU, binary dense 64, dense 4",
               epochs=8),
    )
}  # fmt: skip

#: The same ECG networks for real MIT-BIH beats (5 AAMI classes, inter-patient DS1/DS2 split).
#: Not shipped: no package carries the records and this project's machines cannot download
#: them. Train where the records are: ``--mitbih-dir DIR`` (or no directory, with a network,
#: to read them from PhysioNet through wfdb).
MITBIH_RECIPES = {
    r.name: r
    for r in (
        Recipe("mitbih-cnn-bnn", "mitbih", (117, 1), _ecg_cnn(_B, 5),
               "MIT-BIH beats; whole network binarized", epochs=8),
        Recipe("mitbih-cnn-bnn-classifier", "mitbih", (117, 1), _ecg_cnn(_R, 5),
               "MIT-BIH beats; classifier only binarized", epochs=8),
    )
}  # fmt: skip


class _Adam:
    """Adam (Kingma and Ba 2015) on a list of parameter arrays, updated in place."""

    def __init__(self, params: list[Array], beta1: float = 0.9, beta2: float = 0.999):
        self.params = params
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.beta1, self.beta2, self.t = beta1, beta2, 0

    def step(self, grads: list[Array], lr: float) -> None:
        self.t += 1
        correction = math.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= (lr * correction) * m / (np.sqrt(v) + 1e-8)


class _Block:
    """Linear -> max-pool -> batch norm -> activation, with its backward pass."""

    def __init__(
        self,
        spec: LayerSpec,
        input_shape: tuple[int, ...],
        rng: np.random.Generator,
        ternary_threshold: float,
    ):
        self.spec = spec
        self.input_shape = input_shape
        self.threshold = ternary_threshold
        if spec.type is LayerType.DENSE:
            fan_in = math.prod(input_shape)
        elif spec.type is LayerType.CONV1D:
            fan_in = spec.kernel_1d * input_shape[-1]
        else:
            kh, kw = spec.kernel_2d
            fan_in = kh * kw * input_shape[-1]
        # Glorot-uniform initialisation of the latent weights (as in BinaryNet's code).
        limit = math.sqrt(6 / (fan_in + spec.n_out))
        self.w = rng.uniform(-limit, limit, (spec.n_out, fan_in)).astype(np.float32)
        self.gamma = np.ones(spec.n_out, np.float32)
        self.beta = np.zeros(spec.n_out, np.float32)
        self.mean = np.zeros(spec.n_out, np.float32)
        self.var = np.ones(spec.n_out, np.float32)
        self._cache: dict[str, Any] = {}

    @property
    def params(self) -> list[Array]:
        return [self.w, self.gamma, self.beta]

    def quantized(self) -> Array:
        return quantize(self.w, self.spec.weights, self.threshold)

    def patches(self, x: Array) -> Array:
        if self.spec.type is LayerType.DENSE:
            return x.reshape(x.shape[0], -1)
        if self.spec.type is LayerType.CONV1D:
            return patches_1d(x, self.spec.kernel_1d)
        return patches_2d(x, self.spec.kernel_2d)

    def _pool(self, a: Array) -> tuple[Array, Any]:
        p = self.spec.pool
        if p == 1:
            return a, None
        if self.spec.type is LayerType.CONV1D:
            batch, length, n = a.shape
            lp = length // p
            windows = a[:, : lp * p].reshape(batch, lp, p, n).transpose(0, 1, 3, 2)
        else:
            batch, h, w, n = a.shape
            hp, wp = h // p, w // p
            windows = (
                a[:, : hp * p, : wp * p]
                .reshape(batch, hp, p, wp, p, n)
                .transpose(0, 1, 3, 5, 2, 4)
                .reshape(batch, hp, wp, n, p * p)
            )
        index = windows.argmax(axis=-1)[..., None]
        return np.take_along_axis(windows, index, -1)[..., 0], (a.shape, index)

    def _unpool(self, g: Array, state: Any) -> Array:
        if state is None:
            return g
        shape, index = state
        p = self.spec.pool
        windows = np.zeros((*g.shape, p ** (len(shape) - 2)), np.float32)
        np.put_along_axis(windows, index, g[..., None], -1)
        out = np.zeros(shape, np.float32)
        if self.spec.type is LayerType.CONV1D:
            batch, lp, n, _ = windows.shape
            out[:, : lp * p] = windows.transpose(0, 1, 3, 2).reshape(batch, lp * p, n)
        else:
            batch, hp, wp, n, _ = windows.shape
            out[:, : hp * p, : wp * p] = (
                windows.reshape(batch, hp, wp, n, p, p)
                .transpose(0, 1, 4, 2, 5, 3)
                .reshape(batch, hp * p, wp * p, n)
            )
        return out

    def forward(self, x: Array, training: bool) -> Array:
        pats = self.patches(x)
        wq = self.quantized()
        a = (pats.reshape(-1, pats.shape[-1]) @ wq.T).reshape(*pats.shape[:-1], -1)
        a, pool_state = self._pool(a)
        axes = tuple(range(a.ndim - 1))
        if training:
            mean, var = a.mean(axis=axes), a.var(axis=axes)
            self.mean = BN_MOMENTUM * self.mean + (1 - BN_MOMENTUM) * mean
            self.var = BN_MOMENTUM * self.var + (1 - BN_MOMENTUM) * var
        else:
            mean, var = self.mean, self.var
        inv_std = 1 / np.sqrt(var + BN_EPSILON)
        xhat = (a - mean) * inv_std
        y = self.gamma * xhat + self.beta
        self._cache = {"x": x, "pats": pats, "wq": wq, "pool": pool_state, "xhat": xhat,
                       "inv_std": inv_std, "y": y}  # fmt: skip
        if self.spec.activation == "sign":
            return binarize(y)
        if self.spec.activation == "relu":
            return np.maximum(y, np.float32(0))
        return y

    def backward(self, g: Array, need_input_grad: bool) -> tuple[list[Array], Array | None]:
        c = self._cache
        y = c["y"]
        if self.spec.activation == "sign":
            g = g * ste_gradient(y)
        elif self.spec.activation == "relu":
            g = g * (y > 0)
        xhat, inv_std = c["xhat"], c["inv_std"]
        axes = tuple(range(g.ndim - 1))
        m = g.size // g.shape[-1]
        d_gamma = (g * xhat).sum(axis=axes)
        d_beta = g.sum(axis=axes)
        dxhat = g * self.gamma
        da = (inv_std / m) * (
            m * dxhat - dxhat.sum(axis=axes) - xhat * (dxhat * xhat).sum(axis=axes)
        )
        da = self._unpool(da.astype(np.float32), c["pool"])
        pats = c["pats"]
        da2 = da.reshape(-1, da.shape[-1])
        d_w = da2.T @ pats.reshape(-1, pats.shape[-1])
        dx = None
        if need_input_grad:
            dpats = (da2 @ c["wq"]).reshape(pats.shape)
            dx = self._col2im(dpats, c["x"].shape)
        return [d_w, d_gamma.astype(np.float32), d_beta.astype(np.float32)], dx

    def _col2im(self, dpats: Array, shape: tuple[int, ...]) -> Array:
        if self.spec.type is LayerType.DENSE:
            return dpats.reshape(shape)
        dx = np.zeros(shape, np.float32)
        if self.spec.type is LayerType.CONV1D:
            k = self.spec.kernel_1d
            batch, positions, _ = dpats.shape
            d = dpats.reshape(batch, positions, k, shape[-1])
            for t in range(k):
                dx[:, t : t + positions] += d[:, :, t]
            return dx
        kh, kw = self.spec.kernel_2d
        batch, h, w, _ = dpats.shape
        d = dpats.reshape(batch, h, w, kh, kw, shape[-1])
        for i in range(kh):
            for j in range(kw):
                dx[:, i : i + h, j : j + w] += d[:, :, :, i, j]
        return dx

    def export(self, name: str, input_scale: float) -> Layer:
        """Inference layer with batch norm folded (see :class:`SignThreshold`)."""
        weights = Weights(self.spec.weights, self.quantized())
        std = np.sqrt(self.var.astype(np.float64) + BN_EPSILON)
        gamma, beta, mean = (v.astype(np.float64) for v in (self.gamma, self.beta, self.mean))
        output: SignThreshold | Affine
        if self.spec.activation == "sign":
            with np.errstate(divide="ignore", invalid="ignore"):
                tau = (mean - beta * std / gamma) / input_scale
            tau = np.where(gamma == 0, np.where(beta >= 0, -np.inf, np.inf), tau)
            output = SignThreshold(tau.astype(np.float32), np.where(gamma < 0, -1, 1))
        else:
            output = Affine(
                (gamma * input_scale / std).astype(np.float32),
                (beta - gamma * mean / std).astype(np.float32),
                relu=self.spec.activation == "relu",
            )
        if self.spec.type is LayerType.DENSE:
            return Dense(name, weights, output)
        if self.spec.type is LayerType.CONV1D:
            return Conv1D(name, weights, output, self.spec.kernel_1d, self.spec.pool)
        return Conv2D(name, weights, output, self.spec.kernel_2d, self.spec.pool)


def _output_shape(spec: LayerSpec, shape: tuple[int, ...]) -> tuple[int, ...]:
    if spec.type is LayerType.DENSE:
        return (spec.n_out,)
    if spec.type is LayerType.CONV1D:
        return ((shape[0] - spec.kernel_1d + 1) // spec.pool, spec.n_out)
    kh, kw = spec.kernel_2d
    return ((shape[0] - kh + 1) // spec.pool, (shape[1] - kw + 1) // spec.pool, spec.n_out)


class Trainer:
    """A recipe's network during training (latent weights, batch-norm statistics, Adam)."""

    def __init__(self, recipe: Recipe, input_scale: float, rng: np.random.Generator):
        if recipe.layers[-1].activation != "logits" or any(
            s.activation == "logits" for s in recipe.layers[:-1]
        ):
            raise ParameterError("layers", recipe.name, "'logits' on the last layer only")
        self.recipe = recipe
        self.input_scale = input_scale
        self.blocks: list[_Block] = []
        shape = recipe.input_shape
        for spec in recipe.layers:
            self.blocks.append(_Block(spec, shape, rng, recipe.ternary_threshold))
            shape = _output_shape(spec, shape)
        self.optimizer = _Adam([p for b in self.blocks for p in b.params])

    def logits(self, codes: npt.NDArray[Any], training: bool) -> Array:
        h = codes.astype(np.float32) * np.float32(self.input_scale)
        for block in self.blocks:
            h = block.forward(h, training)
        return h

    def train_step(
        self, codes: npt.NDArray[Any], labels: npt.NDArray[np.int64], lr: float
    ) -> float:
        """One Adam step on a mini-batch; returns the mean cross-entropy before the step."""
        z = self.logits(codes, training=True).astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        prob = np.exp(z)
        prob /= prob.sum(axis=1, keepdims=True)
        loss = float(-np.mean(np.log(prob[np.arange(labels.size), labels] + 1e-12)))
        g = prob
        g[np.arange(labels.size), labels] -= 1
        grad: Array = (g / labels.size).astype(np.float32)
        grads: list[list[Array]] = []
        for i in range(len(self.blocks) - 1, -1, -1):
            block_grads, dx = self.blocks[i].backward(grad, need_input_grad=i > 0)
            grads.insert(0, block_grads)
            if dx is not None:
                grad = dx
        self.optimizer.step([g for block in grads for g in block], lr)
        for block in self.blocks:
            if block.spec.weights is not WeightKind.REAL:
                np.clip(block.w, -1, 1, out=block.w)
        return loss

    def export(self, dataset: Dataset, metadata: dict[str, Any]) -> Network:
        """The inference network (batch norm folded, weights quantized)."""
        layers = tuple(
            block.export(f"layer{i}", self.input_scale if i == 0 else 1.0)
            for i, block in enumerate(self.blocks)
        )
        return Network(
            self.recipe.name, layers, self.recipe.input_shape, dataset.input_bits, metadata
        )


def _as_input(x: npt.NDArray[Any], shape: tuple[int, ...]) -> npt.NDArray[Any]:
    return x.reshape(x.shape[0], *shape)


def train(
    recipe: Recipe,
    dataset: Dataset,
    seed: int,
    epochs: int | None = None,
    log: Any = None,
) -> Network:
    """Train ``recipe`` on ``dataset`` and return the exported network with its metadata.

    Parameters
    ----------
    recipe : Recipe
        Architecture and hyper-parameters.
    dataset : Dataset
        Train/test data; the test split gives the accuracies recorded in the metadata.
    seed : int
        Root seed: ``SeedSequence(seed).spawn(2)`` -> weight initialisation, batch order.
    epochs : int, optional
        Override of ``recipe.epochs`` (e.g. tiny runs in tests).
    log : file-like, optional
        Where progress lines go (None: silent).
    """
    check_int("seed", seed, 0)
    n_epochs = check_int("epochs", recipe.epochs if epochs is None else epochs, 1)
    check_range("learning_rate", recipe.learning_rate, 0.0, None, low_inclusive=False)
    init_seed, order_seed = np.random.SeedSequence(seed).spawn(2)
    trainer = Trainer(recipe, 1.0 / dataset.max_code, np.random.default_rng(init_seed))
    order_rng = np.random.default_rng(order_seed)
    x_train = _as_input(dataset.x_train, recipe.input_shape)
    x_test = _as_input(dataset.x_test, recipe.input_shape)
    history: list[float] = []
    start = time.perf_counter()
    network: Network | None = None
    for epoch in range(n_epochs):
        lr = recipe.learning_rate * recipe.lr_decay**epoch
        order = order_rng.permutation(dataset.y_train.size)
        losses = []
        for i in range(0, order.size, recipe.batch_size):
            batch = order[i : i + recipe.batch_size]
            losses.append(trainer.train_step(x_train[batch], dataset.y_train[batch], lr))
        network = trainer.export(dataset, {})
        accuracy = network.accuracy(x_test, dataset.y_test)
        history.append(accuracy)
        if log is not None:
            print(
                f"{recipe.name} epoch {epoch + 1}/{n_epochs}: loss {np.mean(losses):.4f}, "
                f"test accuracy {accuracy:.4f}, {time.perf_counter() - start:.0f} s",
                file=log,
                flush=True,
            )
    assert network is not None
    kinds = sorted({spec.weights.value for spec in recipe.layers})
    metadata = {
        "dataset": dataset.name,
        "dataset_info": dataset.info,
        "classes": list(dataset.classes),
        "description": recipe.description,
        "weight_kinds": kinds,
        "clean_test_accuracy": history[-1],
        "n_test": int(dataset.y_test.size),
        "training": {
            "command": f"python -m analysis.bnn.train --model {recipe.name} --seed {seed}"
            + ("" if epochs is None else f" --epochs {n_epochs}"),
            "seed": seed,
            "recipe": json.loads(json.dumps(asdict(recipe), default=str)),
            "epochs": n_epochs,
            "optimizer": "Adam",
            "loss": "softmax cross-entropy",
            "test_accuracy_per_epoch": history,
            "seconds": round(time.perf_counter() - start, 1),
            "numpy": np.__version__,
        },
    }
    return trainer.export(dataset, metadata)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: train one recipe (or all) and write the model files."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.bnn.train", description="Train the shipped BNN/TNN models."
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--model", choices=sorted(RECIPES) + sorted(MITBIH_RECIPES), help="recipe to train"
    )
    group.add_argument("--all", action="store_true", help="train every shipped recipe")
    parser.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    parser.add_argument(
        "--out", type=Path, default=None, help="output directory (default: the shipped weights)"
    )
    parser.add_argument(
        "--mitbih-dir",
        type=Path,
        default=None,
        help="directory of MIT-BIH records (.hea/.dat/.atr) for the mitbih-* recipes; "
        "without it they are read from PhysioNet (needs a network)",
    )
    args = parser.parse_args(argv)
    out = weights_directory() if args.out is None else args.out
    names = sorted(RECIPES) if args.all else [args.model]
    datasets: dict[str, Dataset] = {}
    for name in names:
        recipe = RECIPES.get(name) or MITBIH_RECIPES[name]
        if recipe.dataset not in datasets:
            if recipe.dataset == "mitbih":
                from analysis.bnn.ecg import load_mitbih_dataset

                datasets[recipe.dataset] = load_mitbih_dataset(args.mitbih_dir)
            else:
                datasets[recipe.dataset] = load_dataset(recipe.dataset)
        network = train(recipe, datasets[recipe.dataset], args.seed, args.epochs, log=sys.stdout)
        path = save_network(network, out / f"{name}.npz")
        memory = network.memory()
        print(
            f"{name}: clean test accuracy {network.metadata['clean_test_accuracy']:.4f}, "
            f"weights {memory.weight_bits} bit, total {memory.total_bits} bit -> {path}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
