"""In-situ learning of a binarized MLP on differential (2T2R) weak-RESET synapses, in NumPy.

Each binary weight is a pair of RRAM devices on the bit lines BL and BLB, read as
``W = sign(R_BL - R_BLB)`` (ties read +1). Learning only ever applies weak-RESET pulses
(:mod:`rram_ber.models.weak_reset`): the optimiser's update ``dW`` of a weight becomes
``n = min(round(|dW| * pulses_per_unit), max_pulses)`` pulses on BL if ``dW > 0`` (raising
R_BL pushes W towards +1) or on BLB if ``dW < 0``, as in Majumdar et al. (arXiv 2107.06064,
at most 14 pulses per update). Biases (batch-norm shifts) and batch-norm scales stay in
software. Optionally, a pair whose two devices have both taken ``reset_after_pulses`` pulses
since their last SET is SET again and the device that was ahead gets the pulse difference back
(capped at ``reset_after_pulses``), so the pair keeps its sign and regains its range.

The software baseline is the same network and recipe (Adam, learning rate, schedule, batch
size, batch norm, initial signs) with a latent float weight per synapse (BinaryConnect,
Courbariaux et al. 2015: ``W = sign(W_h)``, ``W_h`` clipped to ``[-1, 1]``) in place of the
device pair, so "ideal devices against software" compares weight storage only.

Network: inputs scaled to [0, 1]; per layer ``z = a W`` (binary W), batch norm (batch
statistics in training, running averages for the test), then sign activations with the
straight-through estimator (gradient passed where ``|y| <= 1``, Hubara et al. 2016) for hidden
layers and softmax cross-entropy on the last.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rram_ber.analysis.bnn.datasets import Dataset, load_dataset
from rram_ber.core.validation import ParameterError, check_int, check_range
from rram_ber.models.weak_reset import (
    PUBLISHED,
    Imperfections,
    WeakResetDevices,
    WeakResetParameters,
)

FloatArray = NDArray[np.float64]

#: Batch-norm epsilon and running-average momentum.
BN_EPS = 1e-5
BN_MOMENTUM = 0.1
#: Adam moments (Kingma and Ba 2015).
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


@dataclass(frozen=True, slots=True)
class Recipe:
    """How a network is trained (shared by software and device synapses).

    Attributes
    ----------
    hidden : tuple of int
        Hidden layer widths, each 1 ... 8192.
    epochs : int
        Passes over the training set.
    batch_size : int
        Samples per update.
    lr : float
        Adam learning rate (latent weights live in [-1, 1]).
    lr_halvings : int
        The learning rate halves this many times, at equal intervals of the epochs.
    pulses_per_unit : float
        Weak-RESET pulses per unit of weight update (device synapses), > 0.
    max_pulses : int
        Most pulses per update and device, 1 ... 1000 (14 in the paper).
    init_pulses : int
        Pulses that write each pair's random initial sign (device synapses); the software
        baseline starts at ``+-init_pulses / pulses_per_unit``.
    reset_after_pulses : int or None
        Re-SET a pair once both devices have taken this many pulses since SET; None: never.
    """

    hidden: tuple[int, ...] = (128,)
    epochs: int = 30
    batch_size: int = 32
    lr: float = 0.005
    lr_halvings: int = 2
    pulses_per_unit: float = 600.0
    max_pulses: int = 14
    init_pulses: int = 1
    reset_after_pulses: int | None = None

    def __post_init__(self) -> None:
        if not self.hidden:
            raise ParameterError("hidden", self.hidden, "at least one hidden layer")
        for k, width in enumerate(self.hidden):
            check_int(f"hidden[{k}]", width, 1, 8192)
        check_int("epochs", self.epochs, 1, 10_000)
        check_int("batch_size", self.batch_size, 1, 100_000)
        check_range("lr", self.lr, 0.0, 10.0, low_inclusive=False)
        check_int("lr_halvings", self.lr_halvings, 0, 20)
        check_range("pulses_per_unit", self.pulses_per_unit, 0.0, 1e6, low_inclusive=False)
        check_int("max_pulses", self.max_pulses, 1, 1000)
        check_int("init_pulses", self.init_pulses, 1, 1000)
        if self.reset_after_pulses is not None:
            check_int("reset_after_pulses", self.reset_after_pulses, 1, 10**9)


#: Default recipe per data set.
RECIPES = {
    "digits": Recipe(hidden=(128,), epochs=30, batch_size=32),
    "fashion-mnist": Recipe(hidden=(256,), epochs=2, batch_size=100),
}


# --- weight storage ----------------------------------------------------------------------


class SoftwareSynapses:
    """Latent float weights in [-1, 1], read as their sign (ties +1)."""

    def __init__(self, initial_sign: FloatArray, recipe: Recipe) -> None:
        self.latent = initial_sign * (recipe.init_pulses / recipe.pulses_per_unit)

    def binary(self) -> FloatArray:
        """The binary weights, +-1."""
        return np.where(self.latent >= 0.0, 1.0, -1.0)

    def update(self, delta: FloatArray) -> None:
        """Add ``delta`` to the latent weights and clip them to [-1, 1]."""
        self.latent = np.clip(self.latent + delta, -1.0, 1.0)


class DeviceSynapses:
    """(BL, BLB) weak-RESET device pairs, read as ``sign(R_BL - R_BLB)`` (ties +1).

    Attributes
    ----------
    pulses_applied : int
        Weak-RESET pulses applied so far (both devices, all pairs).
    resets : int
        Pairs SET again.
    """

    def __init__(
        self,
        initial_sign: FloatArray,
        recipe: Recipe,
        rng: np.random.Generator,
        parameters: WeakResetParameters,
        imperfections: Imperfections,
    ) -> None:
        self.shape = initial_sign.shape
        self.recipe = recipe
        n = initial_sign.size
        self.bl = WeakResetDevices.create(n, rng, parameters, imperfections)
        self.blb = WeakResetDevices.create(n, rng, parameters, imperfections)
        sign = initial_sign.ravel()
        self.pulses_applied = 0
        self.resets = 0
        self._pulse(np.where(sign > 0, recipe.init_pulses, -recipe.init_pulses))

    def binary(self) -> FloatArray:
        """The binary weights, +-1."""
        diff = self.bl.resistance_ohm() - self.blb.resistance_ohm()
        return np.where(diff >= 0.0, 1.0, -1.0).reshape(self.shape)

    def _pulse(self, signed: NDArray[np.int64]) -> None:
        self.bl.apply(np.maximum(signed, 0))
        self.blb.apply(np.maximum(-signed, 0))
        self.pulses_applied += int(np.abs(signed).sum())

    def update(self, delta: FloatArray) -> None:
        """Turn the updates into capped pulse counts on BL (``delta > 0``) or BLB."""
        recipe = self.recipe
        count = np.minimum(
            np.rint(np.abs(delta.ravel()) * recipe.pulses_per_unit), recipe.max_pulses
        )
        self._pulse((np.sign(delta.ravel()) * count).astype(np.int64))
        limit = recipe.reset_after_pulses
        if limit is not None:
            both = np.minimum(self.bl.pulses, self.blb.pulses) >= limit
            if both.any():
                ahead = np.clip(self.bl.pulses - self.blb.pulses, -limit, limit)
                self.bl.reset_set(both)
                self.blb.reset_set(both)
                self.resets += int(both.sum())
                self._pulse(np.where(both, ahead, 0).astype(np.int64))


# --- network -----------------------------------------------------------------------------


@dataclass
class _Adam:
    lr: float
    m: FloatArray
    v: FloatArray
    step: int = 0

    def delta(self, grad: FloatArray) -> FloatArray:
        b1, b2 = ADAM_BETAS
        self.step += 1
        self.m = b1 * self.m + (1 - b1) * grad
        self.v = b2 * self.v + (1 - b2) * grad * grad
        m_hat = self.m / (1 - b1**self.step)
        v_hat = self.v / (1 - b2**self.step)
        return np.asarray(-self.lr * m_hat / (np.sqrt(v_hat) + ADAM_EPS), dtype=float)


@dataclass
class _Layer:
    synapses: SoftwareSynapses | DeviceSynapses
    gamma: FloatArray
    beta: FloatArray
    running_mean: FloatArray
    running_var: FloatArray
    opt_w: _Adam
    opt_gamma: _Adam
    opt_beta: _Adam
    cache: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainResult:
    """Outcome of one training run.

    Attributes
    ----------
    test_accuracy : float
        Fraction of the test set classified correctly after training.
    train_accuracy : float
        The same on the training set (batch norm in test mode).
    pulses_per_synapse : float
        Weak-RESET pulses per device pair over the run (0 for software).
    resets : int
        Pairs SET again (device synapses with ``reset_after_pulses``).
    """

    test_accuracy: float
    train_accuracy: float
    pulses_per_synapse: float
    resets: int


def _inputs(x: NDArray[np.uint8], max_code: int) -> FloatArray:
    return np.asarray(x.reshape(x.shape[0], -1), dtype=float) / max_code


def _forward(layers: list[_Layer], x: FloatArray, training: bool) -> FloatArray:
    a = x
    for k, layer in enumerate(layers):
        w = layer.synapses.binary()
        z = a @ w
        if training:
            mean, var = z.mean(axis=0), z.var(axis=0)
            layer.running_mean += BN_MOMENTUM * (mean - layer.running_mean)
            layer.running_var += BN_MOMENTUM * (var - layer.running_var)
        else:
            mean, var = layer.running_mean, layer.running_var
        inv = 1.0 / np.sqrt(var + BN_EPS)
        zhat = (z - mean) * inv
        y = layer.gamma * zhat + layer.beta
        layer.cache = {"a": a, "w": w, "zhat": zhat, "inv": inv, "y": y}
        a = y if k == len(layers) - 1 else np.where(y >= 0.0, 1.0, -1.0)
    return a


def _backward(layers: list[_Layer], logits: FloatArray, labels: NDArray[np.int64]) -> None:
    shifted = logits - logits.max(axis=1, keepdims=True)
    prob = np.exp(shifted)
    prob /= prob.sum(axis=1, keepdims=True)
    prob[np.arange(labels.size), labels] -= 1.0
    dy = prob / labels.size
    for k in range(len(layers) - 1, -1, -1):
        layer, c = layers[k], layers[k].cache
        if k < len(layers) - 1:
            dy = dy * (np.abs(c["y"]) <= 1.0)  # straight-through estimator of sign
        d_gamma = (dy * c["zhat"]).sum(axis=0)
        d_beta = dy.sum(axis=0)
        dzhat = dy * layer.gamma
        n = dy.shape[0]
        dz = (
            c["inv"]
            / n
            * (n * dzhat - dzhat.sum(axis=0) - c["zhat"] * (dzhat * c["zhat"]).sum(axis=0))
        )
        d_w = c["a"].T @ dz
        dy = dz @ c["w"].T
        layer.synapses.update(layer.opt_w.delta(d_w))
        layer.gamma += layer.opt_gamma.delta(d_gamma)
        layer.beta += layer.opt_beta.delta(d_beta)


def _accuracy(layers: list[_Layer], x: FloatArray, y: NDArray[np.int64]) -> float:
    correct = 0
    for start in range(0, x.shape[0], 2000):
        logits = _forward(layers, x[start : start + 2000], training=False)
        correct += int(np.sum(np.argmax(logits, axis=1) == y[start : start + 2000]))
    return correct / x.shape[0]


def train(
    dataset: Dataset,
    recipe: Recipe,
    seed: int,
    devices: tuple[WeakResetParameters, Imperfections] | None = None,
) -> TrainResult:
    """Train the MLP of ``recipe`` on ``dataset`` with software or device synapses.

    Parameters
    ----------
    dataset : Dataset
        Train and test splits.
    recipe : Recipe
        Network and training settings.
    seed : int
        Root seed: initial signs and batch order come from one child stream (the same for
        software and devices), the devices' draws and noise from another.
    devices : (WeakResetParameters, Imperfections) or None
        Device pairs with these parameters and imperfections; None trains the software BNN.
    """
    check_int("seed", seed, 0, None)
    init_seq, device_seq = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(init_seq)
    device_rng = np.random.default_rng(device_seq)
    x_train = _inputs(dataset.x_train, dataset.max_code)
    x_test = _inputs(dataset.x_test, dataset.max_code)
    sizes = [x_train.shape[1], *recipe.hidden, len(dataset.classes)]
    layers = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        sign = np.where(rng.random((fan_in, fan_out)) < 0.5, -1.0, 1.0)
        synapses: SoftwareSynapses | DeviceSynapses
        if devices is None:
            synapses = SoftwareSynapses(sign, recipe)
        else:
            synapses = DeviceSynapses(sign, recipe, device_rng, *devices)
        zeros = np.zeros(fan_out)
        layers.append(
            _Layer(
                synapses=synapses,
                gamma=np.ones(fan_out),
                beta=zeros.copy(),
                running_mean=zeros.copy(),
                running_var=np.ones(fan_out),
                opt_w=_Adam(recipe.lr, np.zeros((fan_in, fan_out)), np.zeros((fan_in, fan_out))),
                opt_gamma=_Adam(recipe.lr, zeros.copy(), zeros.copy()),
                opt_beta=_Adam(recipe.lr, zeros.copy(), zeros.copy()),
            )
        )
    interval = max(1, math.ceil(recipe.epochs / (recipe.lr_halvings + 1)))
    for epoch in range(recipe.epochs):
        lr = recipe.lr * 0.5 ** (epoch // interval)
        for layer in layers:
            layer.opt_w.lr = layer.opt_gamma.lr = layer.opt_beta.lr = lr
        order = rng.permutation(x_train.shape[0])
        for start in range(0, order.size, recipe.batch_size):
            batch = order[start : start + recipe.batch_size]
            if batch.size < 2:
                continue  # batch norm needs two samples
            logits = _forward(layers, x_train[batch], training=True)
            _backward(layers, logits, dataset.y_train[batch])
    pulses, resets, pairs = 0, 0, 0
    for layer in layers:
        if isinstance(layer.synapses, DeviceSynapses):
            pulses += layer.synapses.pulses_applied
            resets += layer.synapses.resets
            pairs += layer.synapses.bl.size
    return TrainResult(
        test_accuracy=_accuracy(layers, x_test, dataset.y_test),
        train_accuracy=_accuracy(layers, x_train, dataset.y_train),
        pulses_per_synapse=pulses / pairs if pairs else 0.0,
        resets=resets,
    )


# --- the imperfection table --------------------------------------------------------------

#: Rows of the table: (label, imperfections or None for software, re-SET after pulses).
TABLE_ROWS: tuple[tuple[str, Imperfections | None, bool], ...] = (
    ("software BNN (latent weights)", None, False),
    ("ideal devices", Imperfections(d2d=False, rtn=False, pink=False), False),
    ("D2D only", Imperfections(d2d=True, rtn=False, pink=False), False),
    ("RTN only", Imperfections(d2d=False, rtn=True, pink=False), False),
    ("pink noise only", Imperfections(d2d=False, rtn=False, pink=True), False),
    ("D2D + RTN + pink", Imperfections(), False),
    ("D2D + RTN + pink, re-SET", Imperfections(), True),
)


def imperfection_table(
    dataset_name: str,
    seeds: Iterable[int] = (0, 1, 2),
    epochs: int | None = None,
    parameters: WeakResetParameters = PUBLISHED,
    rows: Sequence[tuple[str, Imperfections | None, bool]] = TABLE_ROWS,
) -> list[dict[str, Any]]:
    """Test accuracy of every row of :data:`TABLE_ROWS` over ``seeds``.

    The re-SET rows use ``reset_after_pulses`` = twice the median ``t*`` of ``parameters``.

    Returns
    -------
    list of dict
        Per row: ``label``, ``accuracies`` (per seed), ``mean``, ``std`` (ddof = 1),
        ``pulses_per_synapse`` (mean over seeds), ``resets``.
    """
    if dataset_name not in RECIPES:
        raise ParameterError("dataset", dataset_name, "one of " + ", ".join(RECIPES))
    dataset = load_dataset(dataset_name)
    base = RECIPES[dataset_name]
    if epochs is not None:
        check_int("epochs", epochs, 1, 10_000)
        base = replace(base, epochs=epochs)
    seeds = list(seeds)
    out = []
    for label, imperfections, reset in rows:
        recipe = base
        if reset:
            after = max(1, round(2 * parameters.t_star.median()))
            recipe = replace(base, reset_after_pulses=after)
        results = [
            train(
                dataset,
                recipe,
                seed,
                None if imperfections is None else (parameters, imperfections),
            )
            for seed in seeds
        ]
        acc = np.array([r.test_accuracy for r in results])
        out.append(
            {
                "label": label,
                "accuracies": acc.tolist(),
                "mean": float(acc.mean()),
                "std": float(acc.std(ddof=1)) if acc.size > 1 else 0.0,
                "pulses_per_synapse": float(np.mean([r.pulses_per_synapse for r in results])),
                "resets": int(sum(r.resets for r in results)),
            }
        )
    return out


def table_markdown(rows: Sequence[dict[str, Any]], dataset_name: str, source: str) -> str:
    """The table as Markdown: test accuracy in %, mean +- standard deviation over seeds."""
    seeds = len(rows[0]["accuracies"]) if rows else 0
    lines = [
        f"{dataset_name}, device parameters: {source}; {seeds} seeds",
        "",
        "| synapses | test accuracy (%) | pulses per pair | pairs re-SET |",
        "|---|---|---|---|",
    ]
    for row in rows:
        device = bool(row["pulses_per_synapse"])
        pulses = f"{row['pulses_per_synapse']:.0f}" if device else "-"
        resets = str(row["resets"]) if device else "-"
        lines.append(
            f"| {row['label']} | {100 * row['mean']:.1f} +- {100 * row['std']:.1f}"
            f" | {pulses} | {resets} |"
        )
    return "\n".join(lines) + "\n"
