"""Error injection: counts follow the requested rates, ternary transitions follow the matrix."""

import numpy as np
import pytest
from scipy import stats

from rram_ber.analysis.bnn.errors import (
    ErrorMode,
    ErrorModel,
    TransitionMatrix,
    draw_chip,
    sample_errors,
)
from rram_ber.analysis.bnn.layers import Affine, Dense, Network, Weights
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.core.validation import ParameterError
from tests.support import random_network

#: Smallest two-sided p-value accepted by the statistical tests below (fixed seeds).
ALPHA = 1e-3


def _transition_counts(stored, index, read, matrix, reads=1):
    """counts[i, j] = number of (read, cell) pairs storing level i read as level j."""
    levels = matrix.levels
    flat_stored = np.tile(np.asarray(stored).ravel(), reads)
    counts = np.zeros((len(levels), len(levels)), dtype=np.int64)
    for i, level in enumerate(levels):
        counts[i, i] = np.count_nonzero(flat_stored == level)
    for cell_level, read_level in zip(flat_stored[index], read, strict=True):
        i, j = levels.index(int(cell_level)), levels.index(int(read_level))
        counts[i, j] += 1
        counts[i, i] -= 1
    return counts


@pytest.mark.parametrize("reads", [1, 7])
def test_binary_error_counts_match_asymmetric_rates(reads):
    rng = np.random.default_rng(11)
    stored = rng.choice([-1, 1], 50_000).astype(np.float32)
    matrix = TransitionMatrix.binary(p_error_plus=0.02, p_error_minus=0.005)
    index, read = sample_errors(stored, matrix, rng, reads=reads)
    assert np.unique(index).size == index.size, "a cell was flipped twice in one read"
    assert np.all(read != np.tile(stored, reads)[index])
    counts = _transition_counts(stored, index, read, matrix, reads)
    n_minus, n_plus = counts.sum(axis=1)
    # Row order is (-1, +1): counts[1, 0] = stored +1 read -1.
    assert stats.binomtest(int(counts[1, 0]), int(n_plus), 0.02).pvalue > ALPHA
    assert stats.binomtest(int(counts[0, 1]), int(n_minus), 0.005).pvalue > ALPHA
    # A wrong implementation (e.g. swapped sides) would be far off.
    assert stats.binomtest(int(counts[1, 0]), int(n_plus), 0.005).pvalue < 1e-12


def test_ternary_transitions_follow_the_matrix():
    rng = np.random.default_rng(5)
    stored = rng.choice([-1, 0, 1], 60_000, p=[0.3, 0.4, 0.3]).astype(np.float32)
    probabilities = np.array([[0.90, 0.08, 0.02], [0.05, 0.88, 0.07], [0.01, 0.04, 0.95]])
    matrix = TransitionMatrix.ternary(probabilities)
    index, read = sample_errors(stored, matrix, rng, reads=3)
    counts = _transition_counts(stored, index, read, matrix, reads=3)
    for row, p in zip(counts, probabilities, strict=True):
        assert stats.chisquare(row, row.sum() * p).pvalue > ALPHA
    # The rows of another plausible matrix are rejected.
    assert stats.chisquare(counts[0], counts[0].sum() * probabilities[2][::-1]).pvalue < 1e-12


def test_seed_papers_ternary_convention_has_no_sign_inversions_and_average_rate_ber():
    rng = np.random.default_rng(2)
    stored = rng.choice([-1, 0, 1], 90_000, p=[0.35, 0.3, 0.35]).astype(np.float32)
    p0 = float(np.mean(stored == 0))
    matrix = TransitionMatrix.ternary_from_ber(0.03, p0)
    assert matrix.expected_error_rate(stored) == pytest.approx(0.03)
    index, read = sample_errors(stored, matrix, rng)
    counts = _transition_counts(stored, index, read, matrix)
    assert counts[0, 2] == counts[2, 0] == 0
    assert stats.binomtest(index.size, stored.size, 0.03).pvalue > ALPHA


def test_static_chip_and_dynamic_reads():
    """One-hot inputs read out the weight column each inference actually used."""
    rng = np.random.default_rng(0)
    w = rng.choice([-1.0, 1.0], (6, 40)).astype(np.float32)
    layer = Dense("d", Weights(WeightKind.BINARY, w), Affine(np.ones(6), np.zeros(6)))
    network = Network("probe", (layer,), (40,), 1)
    reads = 2000
    x = np.zeros((reads, 40), np.uint8)
    x[np.arange(reads), np.arange(reads) % 40] = 1
    column = np.arange(reads) % 40
    matrix = TransitionMatrix.symmetric(0.1)

    static = ErrorModel({"d": matrix}, ErrorMode.STATIC)
    weights, hook = static.realize(network, np.random.default_rng(1))
    assert hook is None
    seen = network.forward(x, weights=weights)
    assert np.array_equal(seen, weights["d"][:, column].T)  # the same chip for every input

    dynamic = ErrorModel({"d": matrix}, ErrorMode.DYNAMIC)
    weights, hook = dynamic.realize(network, np.random.default_rng(1))
    assert weights is None
    seen = network.forward(x, read_errors=hook)
    stored = w[:, column].T
    assert np.all(np.isin(seen, (-1, 1)))
    flips = int(np.count_nonzero(seen != stored))
    assert stats.binomtest(flips, seen.size, 0.1).pvalue > ALPHA
    # Fresh errors per read: two reads of the same column differ somewhere.
    same_column = seen[column == 0]
    assert len({row.tobytes() for row in same_column}) > 1


def test_static_draws_are_reproducible_and_independent():
    network = random_network(WeightKind.TERNARY, "mlp", np.random.default_rng(0))
    model = ErrorModel.uniform(network, 0.05)
    first = draw_chip(network, model, np.random.default_rng(np.random.SeedSequence(9)))
    again = draw_chip(network, model, np.random.default_rng(np.random.SeedSequence(9)))
    other = draw_chip(network, model, np.random.default_rng(np.random.SeedSequence(10)))
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert not all(np.array_equal(first[k], other[k]) for k in first)


def test_ber_zero_changes_nothing():
    network = random_network(WeightKind.BINARY, "conv2d", np.random.default_rng(0))
    for mode in ErrorMode:
        weights, hook = ErrorModel.uniform(network, 0.0, mode).realize(
            network, np.random.default_rng(0)
        )
        x = np.random.default_rng(1).integers(0, 256, (20, 11, 11, 1)).astype(np.uint8)
        assert np.array_equal(
            network.forward(x, weights=weights, read_errors=hook), network.forward(x)
        )


def test_invalid_matrices_name_the_field():
    with pytest.raises(ParameterError, match="p_error_plus"):
        TransitionMatrix.binary(1.5, 0.1)
    with pytest.raises(ParameterError, match=r"rows .* sum to 1"):
        TransitionMatrix.ternary([[0.5, 0.5, 0.5], [0, 1, 0], [0, 0, 1]])
    with pytest.raises(ParameterError, match="ber"):
        TransitionMatrix.ternary_from_ber(0.9, 0.2)
    with pytest.raises(ParameterError, match="levels"):
        TransitionMatrix((0, 1), np.eye(2))


def test_matrix_must_fit_the_layer_kind():
    network = random_network(WeightKind.TERNARY, "mlp", np.random.default_rng(0))
    with pytest.raises(ParameterError, match="ternary matrix"):
        ErrorModel.same_matrix(network, TransitionMatrix.symmetric(0.01))


@pytest.mark.parametrize("topology", ["conv1d", "conv2d", "mlp"])
def test_per_read_weight_deltas_equal_a_per_input_weight_copy(topology):
    """The dynamic-error correction equals evaluating each input with its own weights."""
    rng = np.random.default_rng(4)
    network = random_network(WeightKind.TERNARY, topology, rng)
    layer = network.layers[0]
    x = rng.integers(0, 256, (3, *network.input_shape)).astype(np.uint8)
    n_out, fan_in = layer.weights.values.shape
    sample = np.array([0, 0, 2, 2, 2], dtype=np.int64)
    row = rng.integers(0, n_out, 5)
    col = rng.choice(fan_in, 5, replace=False)
    read = rng.choice([-1.0, 0.0, 1.0], 5).astype(np.float32)
    delta = read - layer.weights.values[row, col]

    def hook(hooked, pats, a):
        return hooked.add_weight_deltas(pats, a, sample, row, col, delta)

    corrected = layer.forward(x, read_errors=hook)
    for b in range(3):
        w = layer.weights.values.copy()
        chosen = sample == b
        w[row[chosen], col[chosen]] = read[chosen]
        assert np.array_equal(corrected[b], layer.forward(x[b : b + 1], weights=w)[0])
