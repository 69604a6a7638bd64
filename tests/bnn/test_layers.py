"""Networks: float32 GEMM and XNOR-popcount paths agree exactly; model files round-trip."""

import json

import numpy as np
import pytest

from rram_ber.analysis.bnn.layers import Affine, Dense, Network, SignThreshold, Weights
from rram_ber.analysis.bnn.model_io import FORMAT_VERSION, load_network, read_meta, save_network
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.core.validation import ParameterError
from tests.support import random_network


def _inputs(network, rng, n=64):
    return rng.integers(0, 2**network.input_bits, (n, *network.input_shape)).astype(np.uint8)


@pytest.mark.parametrize("kind", [WeightKind.BINARY, WeightKind.TERNARY])
@pytest.mark.parametrize("topology", ["mlp", "conv1d", "conv2d"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_popcount_and_float_paths_agree_exactly(kind, topology, seed):
    rng = np.random.default_rng([seed, len(topology)])
    network = random_network(kind, topology, rng)
    x = _inputs(network, rng)
    float_logits = network.forward(x)
    reference = network.forward_popcount(x)
    assert np.array_equal(float_logits, reference)
    # Not trivially equal: the hidden layers produce both signs.
    assert 0.05 < np.mean(network.layers[0].forward(x) > 0) < 0.95


def test_sign_threshold_ties_zeros_and_infinite_thresholds():
    out = SignThreshold(np.array([2.0, 2.0], np.float32), np.array([1, -1], np.int8))
    assert out.apply(np.array([[2.0, 2.0], [1.0, 3.0]])).tolist() == [[1, 1], [-1, -1]]
    # Threshold 0 with both directions, +-0 inputs (a ternary row of zeros gives -0 products).
    zero = SignThreshold(np.zeros(2, np.float32), np.array([-1, 1], np.int8))
    a = np.array([[0.0, -0.0], [-0.0, 0.0], [1.0, -1.0]], np.float32)
    assert zero.apply(a).tolist() == [[1, 1], [1, 1], [-1, -1]]
    assert zero.apply(a.astype(np.int64)).tolist() == [[1, 1], [1, 1], [-1, -1]]
    # gamma = 0 in batch norm folds to a constant output: threshold -inf (+1) or +inf (-1).
    constant = SignThreshold(np.array([-np.inf, np.inf], np.float32), np.array([1, 1]))
    assert constant.apply(np.array([[-1e9, 1e9]], np.float32)).tolist() == [[1, -1]]


def test_model_file_round_trip(tmp_path):
    rng = np.random.default_rng(7)
    for kind, topology in ((WeightKind.BINARY, "conv2d"), (WeightKind.TERNARY, "conv1d")):
        network = random_network(kind, topology, rng)
        path = save_network(network, tmp_path / f"{topology}.npz")
        loaded = load_network(path)
        x = _inputs(network, rng)
        assert np.array_equal(loaded.forward(x), network.forward(x))
        assert loaded.memory() == network.memory()
        meta = read_meta(path)
        assert meta["input_shape"] == list(network.input_shape)
        with np.load(path, allow_pickle=False) as archive:
            assert int(archive["format_version"]) == FORMAT_VERSION
            sign = archive[f"{network.layers[0].name}.sign"]
            assert sign.dtype == np.uint8
            assert sign.shape[1] == -(-network.layers[0].weights.fan_in // 8)


def test_unknown_format_version_is_refused(tmp_path):
    network = random_network(WeightKind.BINARY, "mlp", np.random.default_rng(0))
    path = save_network(network, tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["format_version"] = np.array(FORMAT_VERSION + 1)
    np.savez(tmp_path / "future.npz", **arrays)
    with pytest.raises(ParameterError, match="format_version"):
        load_network(tmp_path / "future.npz")
    arrays["format_version"] = np.array(FORMAT_VERSION)
    arrays["meta"] = np.array(json.dumps({**read_meta(path), "input_shape": [99]}))
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ParameterError, match="fan-in"):
        load_network(tmp_path / "bad.npz")


def test_bad_records_name_the_field():
    with pytest.raises(ParameterError, match=r"weights = .*binary values outside"):
        Weights(WeightKind.BINARY, np.array([[0.0, 1.0]], np.float32))
    with pytest.raises(ParameterError, match="direction"):
        SignThreshold(np.zeros(2, np.float32), np.array([1, 0]))
    weights = Weights(WeightKind.BINARY, np.ones((3, 4), np.float32))
    with pytest.raises(ParameterError, match=r"layer0\.output"):
        Dense("layer0", weights, Affine(np.ones(2), np.zeros(2)))
    hidden = Dense("h", weights, SignThreshold(np.zeros(3), np.ones(3)))
    with pytest.raises(ParameterError, match="real last layer"):
        Network("n", (hidden,), (4,), 8)


def test_memory_footprint_counts_bits_per_weight_kind():
    rng = np.random.default_rng(0)
    binary = random_network(WeightKind.BINARY, "mlp", rng)
    ternary = random_network(WeightKind.TERNARY, "mlp", rng)
    n_weights = 100 * 70 + 70 * 33 + 33 * 5
    assert binary.memory().binary_weight_bits == n_weights
    assert ternary.memory().ternary_weight_bits == 2 * n_weights
    assert binary.memory().other_bits == ternary.memory().other_bits


def test_inputs_must_be_integer_codes_of_the_right_shape():
    network = random_network(WeightKind.BINARY, "mlp", np.random.default_rng(0))
    with pytest.raises(ParameterError, match="dtype"):
        network.forward(np.zeros((2, 100), np.float32))
    with pytest.raises(ParameterError, match=r"shape \(B, 100\)"):
        network.forward(np.zeros((2, 99), np.uint8))
    with pytest.raises(ParameterError, match=r"codes 0\.\.256"):
        network.forward(np.full((2, 100), 256, np.int32) * np.eye(2, 100, dtype=np.int32))
    with pytest.raises(ParameterError, match="codes -1"):
        network.forward_popcount(-np.ones((1, 100), np.int64))
    other = random_network(WeightKind.BINARY, "conv1d", np.random.default_rng(0))
    prepared = other.prepare(np.zeros((2, *other.input_shape), np.uint8))
    assert other.forward(prepared).shape == (2, other.n_classes)
    with pytest.raises(ParameterError, match="x = "):
        network.forward(prepared)


@pytest.mark.slow
def test_exact_passes_do_not_depend_on_the_batching(monkeypatch):
    """Error-free passes run in small batches; the logits are those of one big batch."""
    import rram_ber.analysis.bnn.layers as layers
    from rram_ber.analysis.bnn.curves import load_test_split
    from rram_ber.analysis.bnn.model_io import load_shipped

    network = load_shipped("fashion-cnn-bnn")
    x, _ = load_test_split(network, limit=300)
    prepared = network.prepare(x)
    assert network._batch_size(layers._EXACT_PATCH_BYTES) < 300  # several batches
    small = network.forward(prepared)
    monkeypatch.setattr(layers, "_EXACT_PATCH_BYTES", 1 << 30)
    assert network._batch_size(layers._EXACT_PATCH_BYTES) >= 300  # one batch
    np.testing.assert_array_equal(network.forward(prepared), small)
    np.testing.assert_array_equal(network.forward_popcount(x), small)
