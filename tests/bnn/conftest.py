"""Shared helpers of the evaluator tests: small random networks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from rram_ber.analysis.bnn.layers import (
    Affine,
    Conv1D,
    Conv2D,
    Dense,
    Network,
    SignThreshold,
    Weights,
)
from rram_ber.analysis.bnn.quantizers import WeightKind


def _weights(kind: WeightKind, n_out: int, fan_in: int, rng: np.random.Generator) -> Weights:
    return Weights(kind, rng.choice(kind.levels, (n_out, fan_in)).astype(np.float32))


def _threshold(n: int, rng: np.random.Generator) -> SignThreshold:
    # Half-integer and integer thresholds both occur after folding; include ties (a == tau).
    return SignThreshold(np.round(rng.normal(0, 4, n) * 2) / 2, rng.choice([-1, 1], n))


def _logits(n: int, rng: np.random.Generator) -> Affine:
    return Affine(rng.normal(1, 0.3, n), rng.normal(0, 1, n))


def make_random_network(kind: WeightKind, topology: str, rng: np.random.Generator) -> Network:
    """A small network of ``kind`` weights: ``mlp``, ``conv1d`` or ``conv2d`` topology."""
    if topology == "mlp":
        layers = (
            Dense("d0", _weights(kind, 70, 100, rng), _threshold(70, rng)),
            Dense("d1", _weights(kind, 33, 70, rng), _threshold(33, rng)),
            Dense("d2", _weights(kind, 5, 33, rng), _logits(5, rng)),
        )
        return Network("random-mlp", layers, (100,), 8)
    if topology == "conv1d":
        layers = (
            Conv1D("c0", _weights(kind, 6, 5 * 2, rng), _threshold(6, rng), 5, 2),
            Conv1D("c1", _weights(kind, 7, 3 * 6, rng), _threshold(7, rng), 3, 1),
            Dense("d", _weights(kind, 4, 7 * 9, rng), _logits(4, rng)),
        )
        return Network("random-conv1d", layers, (27, 2), 8)
    layers = (
        Conv2D("c0", _weights(kind, 8, 3 * 3 * 1, rng), _threshold(8, rng), (3, 3), 2),
        Conv2D("c1", _weights(kind, 5, 2 * 2 * 8, rng), _threshold(5, rng), (2, 2), 1),
        Dense("d", _weights(kind, 6, 5 * 3 * 3, rng), _logits(6, rng)),
    )
    return Network("random-conv2d", layers, (11, 11, 1), 8)


@pytest.fixture
def random_network() -> Callable[[WeightKind, str, np.random.Generator], Network]:
    """Factory of small random networks (see :func:`make_random_network`)."""
    return make_random_network
