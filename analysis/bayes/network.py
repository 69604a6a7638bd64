"""The analog MLP in NumPy: normalised conductance weights, periphery gains, ensemble forward.

Layer ``l`` computes ``gain_l * [h, 1] @ W_l`` (ReLU between layers, none after the last): the
bias is one more crossbar row driven by a constant input, so every parameter of the network is a
conductance pair (:mod:`rram_ber.analysis.bayes.devices`) except one scalar gain per layer, which
the periphery applies. ``W_l`` has shape (inputs + 1, outputs) and entries in [-1, 1].

An ensemble runs ``M`` forward passes, pass ``k`` with weight sample ``k`` of every layer
(weights of shape (M, inputs + 1, outputs)); its prediction is the mean of the members' softmax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rram_ber.analysis.bayes.metrics import softmax
from rram_ber.core.validation import ParameterError

FloatArray = NDArray[np.float64]
#: Inputs per forward chunk (bounds memory on decision-boundary grids).
_CHUNK = 4096


@dataclass(frozen=True, eq=False)
class AnalogMlp:
    """A trained network: mean weights (the medians to program) and gains.

    Attributes
    ----------
    weights : tuple of numpy.ndarray
        Per layer, shape (inputs + 1, outputs), normalised weights (bias in the last row).
    gains : tuple of float
        Per layer, the periphery's output scale.
    """

    weights: tuple[FloatArray, ...]
    gains: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.gains) or not self.weights:
            raise ParameterError("gains", len(self.gains), f"{len(self.weights)} (one per layer)")
        for a, b in zip(self.weights, self.weights[1:], strict=False):
            if a.shape[1] + 1 != b.shape[0]:
                raise ParameterError("weights", [w.shape for w in self.weights], "chained layers")

    @property
    def n_weights(self) -> int:
        """Number of weights (each one conductance pair per posterior sample)."""
        return int(sum(w.size for w in self.weights))


def ensemble_logits(
    x: ArrayLike, samples: Sequence[ArrayLike], gains: Sequence[float]
) -> FloatArray:
    """Logits of every member, shape (M, n, classes), from per-layer samples (M, in + 1, out)."""
    h = np.asarray(x, dtype=float)[None]
    layers = [np.asarray(w, dtype=float) for w in samples]
    for index, (w, gain) in enumerate(zip(layers, gains, strict=True)):
        h = np.broadcast_to(h, (w.shape[0], *h.shape[1:]))
        h = gain * np.matmul(np.concatenate([h, np.ones((*h.shape[:-1], 1))], axis=-1), w)
        if index < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return np.asarray(h)


def ensemble_probs(
    x: ArrayLike, samples: Sequence[ArrayLike], gains: Sequence[float]
) -> FloatArray:
    """Predictive distribution (n, classes): the mean of the members' softmax."""
    inputs = np.asarray(x, dtype=float)
    parts = [
        softmax(ensemble_logits(inputs[start : start + _CHUNK], samples, gains)).mean(axis=0)
        for start in range(0, len(inputs), _CHUNK)
    ]
    return np.concatenate(parts, axis=0)


def mean_samples(network: AnalogMlp) -> list[FloatArray]:
    """The mean weights as a one-member ensemble."""
    return [w[None] for w in network.weights]
