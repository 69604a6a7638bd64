"""Accuracy and uncertainty metrics of an ensemble's predictive distribution (NumPy).

The predictive distribution of an ensemble is the mean of its members' softmax outputs
(Bayesian model averaging with equally weighted posterior samples).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rram_ber.core.validation import ParameterError

FloatArray = NDArray[np.float64]

#: Equal-width confidence bins of the expected calibration error.
ECE_BINS = 15
#: Floor of a probability inside a logarithm.
_TINY = 1e-12


def softmax(logits: ArrayLike) -> FloatArray:
    """Softmax over the last axis (max-shifted)."""
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=-1, keepdims=True))


def accuracy(probs: ArrayLike, labels: ArrayLike) -> float:
    """Fraction of inputs whose most probable class is the label."""
    p = np.asarray(probs, dtype=float)
    return float(np.mean(p.argmax(axis=-1) == np.asarray(labels)))


def nll(probs: ArrayLike, labels: ArrayLike) -> float:
    """Mean negative log-likelihood of the labels [nats]."""
    p = np.asarray(probs, dtype=float)
    y = np.asarray(labels, dtype=int)
    return float(-np.mean(np.log(np.maximum(p[np.arange(y.size), y], _TINY))))


def ece(probs: ArrayLike, labels: ArrayLike, bins: int = ECE_BINS) -> float:
    """Expected calibration error of the top-label confidence (Guo et al., ICML 2017).

    ``sum_b |B_b| / n * |accuracy(B_b) - confidence(B_b)|`` over ``bins`` equal-width bins of
    the confidence in [0, 1] (upper edges inclusive).
    """
    p = np.asarray(probs, dtype=float)
    y = np.asarray(labels)
    if p.ndim != 2 or p.shape[0] != y.size or y.size == 0:
        raise ParameterError("probs", p.shape, f"shape (n, classes) with n = {y.size} > 0")
    confidence = p.max(axis=1)
    correct = p.argmax(axis=1) == y
    index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        inside = index == b
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def entropy(probs: ArrayLike) -> FloatArray:
    """Predictive entropy of each input [nats]."""
    p = np.asarray(probs, dtype=float)
    return np.asarray(-np.sum(p * np.log(np.maximum(p, _TINY)), axis=-1))


def summary(probs: ArrayLike, labels: ArrayLike, probs_ood: ArrayLike) -> dict[str, float]:
    """Accuracy, NLL, ECE and mean predictive entropy (in-distribution and out-of-distribution).

    Entropies are also given as a fraction of ``ln(classes)``, the entropy of a uniform guess.
    """
    p = np.asarray(probs, dtype=float)
    scale = math.log(p.shape[-1])
    h_in = float(entropy(p).mean())
    h_ood = float(entropy(probs_ood).mean())
    return {
        "accuracy": accuracy(p, labels),
        "nll": nll(p, labels),
        "ece": ece(p, labels),
        "entropy_in": h_in / scale,
        "entropy_ood": h_ood / scale,
    }
