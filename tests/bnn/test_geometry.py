"""Padding, stride and average pooling (format version 2) against an independent reference."""

import numpy as np
import pytest

from rram_ber.analysis.bnn.geometry import PoolKind, PoolPosition
from rram_ber.analysis.bnn.layers import (
    Affine,
    Conv1D,
    Conv2D,
    Dense,
    Network,
    SignThreshold,
    Weights,
)
from rram_ber.analysis.bnn.model_io import load_network, save_network
from rram_ber.analysis.bnn.quantizers import WeightKind
from tests.support import random_network


def _conv_reference(x, w, kh, kw, stride, padding):
    """Direct loops over output positions (channels last), no im2col."""
    b, h, wd, c = x.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (wd + 2 * padding - kw) // stride + 1
    kernel = w.reshape(-1, kh, kw, c)
    out = np.zeros((b, ho, wo, kernel.shape[0]))
    for i in range(ho):
        for j in range(wo):
            window = xp[:, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            out[:, i, j] = np.einsum("bhwc,ohwc->bo", window, kernel)
    return out


def _network(kind, rng, pool_kind, position):
    w0 = rng.choice(kind.levels, (6, 3 * 3 * 1)).astype(np.float32)
    w1 = rng.choice(kind.levels, (5, 3 * 3 * 6)).astype(np.float32)
    t0 = SignThreshold(np.round(rng.normal(0, 30, 6)) + 0.5, rng.choice([-1, 1], 6))
    t1 = SignThreshold(np.round(rng.normal(0, 3, 5)), rng.choice([-1, 1], 5))
    c0 = Conv2D("c0", Weights(kind, w0), t0, (3, 3), 2, stride=1, padding=1,
                pool_kind=pool_kind, pool_position=position)  # fmt: skip
    c1 = Conv2D("c1", Weights(kind, w1), t1, (3, 3), 1, stride=2, padding=1)
    d = Dense("d", Weights(kind, rng.choice(kind.levels, (4, 3 * 3 * 5)).astype(np.float32)),
              Affine(rng.normal(1, 0.2, 4), rng.normal(0, 1, 4)))  # fmt: skip
    return Network("padded", (c0, c1, d), (10, 10, 1), 8)


@pytest.mark.parametrize("kind", [WeightKind.BINARY, WeightKind.TERNARY])
@pytest.mark.parametrize("position", list(PoolPosition))
def test_padded_strided_network_matches_direct_loops(kind, position, tmp_path):
    rng = np.random.default_rng(3)
    net = _network(kind, rng, PoolKind.MAX, position)
    x = rng.integers(0, 256, (7, 10, 10, 1))
    c0, c1, d = net.layers
    a0 = _conv_reference(x.astype(np.float64), c0.weights.values, 3, 3, 1, 1)
    if position is PoolPosition.PRE_ACTIVATION:
        a0 = a0[:, :10, :10].reshape(7, 5, 2, 5, 2, 6).max(axis=(2, 4))
        h0 = c0.output.apply(a0)
    else:
        h0 = c0.output.apply(a0).reshape(7, 5, 2, 5, 2, 6).max(axis=(2, 4))
    h1 = c1.output.apply(_conv_reference(h0, c1.weights.values, 3, 3, 2, 1))
    expected = d.output.apply(h1.reshape(7, -1) @ d.weights.values.T.astype(np.float64))
    assert net.layers[1].output_shape((5, 5, 6)) == (3, 3, 5)
    logits = net.forward(x)
    assert np.allclose(logits, expected, atol=1e-5)
    # The popcount reference handles zero padding of +-1 inputs exactly.
    assert np.array_equal(logits, net.forward_popcount(x))
    loaded = load_network(save_network(net, tmp_path / "padded.npz"))
    assert loaded.layers[0].pool_position is position
    assert np.array_equal(loaded.forward(x), logits)


def test_average_pooling_divides_the_window_sum():
    rng = np.random.default_rng(0)
    w = rng.choice([-1.0, 1.0], (3, 2 * 1)).astype(np.float32)
    conv = Conv1D("c", Weights(WeightKind.BINARY, w), Affine(np.ones(3), np.zeros(3)), 2, 3,
                  pool_kind=PoolKind.AVG)  # fmt: skip
    net = Network("avg", (conv, Dense("d", Weights(WeightKind.BINARY, np.ones((2, 9))),
                                      Affine(np.ones(2), np.zeros(2)))), (10, 1), 8)  # fmt: skip
    x = rng.integers(0, 256, (4, 10, 1))
    a = np.stack([x[:, i : i + 2, 0] @ w.T for i in range(9)], axis=1)
    pooled = a.reshape(4, 3, 3, 3).mean(axis=2)
    assert np.allclose(net.forward(x), pooled.reshape(4, -1) @ np.ones((9, 2)), atol=1e-4)


def test_version_1_files_still_read(tmp_path):
    """A file written by the version-1 writer (no geometry keys) loads as stride 1, no pad."""
    import json

    rng = np.random.default_rng(1)
    net = random_network(WeightKind.BINARY, "conv2d", rng)
    path = save_network(net, tmp_path / "v2.npz")
    with np.load(path) as archive:
        arrays = dict(archive)
    meta = json.loads(str(arrays["meta"]))
    for entry in meta["layers"]:
        for key in ("stride", "padding", "pool_kind", "pool_position"):
            entry.pop(key, None)
    arrays["meta"], arrays["format_version"] = np.array(json.dumps(meta)), np.array(1)
    np.savez(tmp_path / "v1.npz", **arrays)
    loaded = load_network(tmp_path / "v1.npz")
    assert (loaded.layers[0].stride, loaded.layers[0].padding) == (1, 0)
    assert loaded.layers[0].pool_kind is PoolKind.MAX
    x = rng.integers(0, 256, (5, 11, 11, 1))
    assert np.array_equal(loaded.forward(x), net.forward(x))


def test_float_input_network():
    w = Weights(WeightKind.BINARY, np.array([[1.0, -1.0]], dtype=np.float32))
    net = Network("f", (Dense("d", w, Affine(np.ones(1), np.zeros(1))),), (2,), None)
    assert net.forward(np.array([[0.25, 1.0]]))[0, 0] == pytest.approx(-0.75)


@pytest.mark.parametrize(
    ("kernel", "stride", "padding"), [((3, 3), 1, 1), ((2, 3), 2, 0), ((3, 2), 3, 2)]
)
def test_patches_2d_are_the_windows_in_kernel_row_order(kernel, stride, padding):
    from rram_ber.analysis.bnn.geometry import output_length, patches_2d

    rng = np.random.default_rng(5)
    x = rng.integers(-9, 9, (3, 7, 8, 4)).astype(np.float32)
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    kh, kw = kernel
    ho, wo = output_length(7, kh, stride, padding), output_length(8, kw, stride, padding)
    got = patches_2d(x, kernel, stride, padding)
    assert got.shape == (3, ho, wo, kh * kw * 4)
    for i in range(ho):
        for j in range(wo):
            window = xp[:, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            assert np.array_equal(got[:, i, j], window.reshape(3, -1))


@pytest.mark.parametrize("size", [1, 2, 3])
def test_max_pooling_is_the_window_maximum_and_drops_the_tail(size):
    from rram_ber.analysis.bnn.geometry import pool_1d, pool_2d

    rng = np.random.default_rng(6)
    a = rng.normal(size=(2, 7, 8, 3)).astype(np.float32)
    got = pool_2d(a, size)
    assert got.shape == (2, 7 // size, 8 // size, 3)
    for i in range(7 // size):
        for j in range(8 // size):
            window = a[:, i * size : (i + 1) * size, j * size : (j + 1) * size]
            assert np.array_equal(got[:, i, j], window.max(axis=(1, 2)))
    got_1d = pool_1d(a[:, :, 0], size)
    for i in range(7 // size):
        assert np.array_equal(got_1d[:, i], a[:, i * size : (i + 1) * size, 0].max(axis=1))
    assert not np.shares_memory(got, a)  # a new array, never a view of the input
