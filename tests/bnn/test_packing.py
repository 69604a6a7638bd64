"""Bit planes and the XNOR-popcount kernel against plain integer arithmetic."""

import numpy as np
import pytest

from rram_ber.analysis.bnn import packing
from rram_ber.analysis.bnn.quantizers import DEFAULT_TERNARY_THRESHOLD, binarize, ternarize


def test_sign_of_zero_is_plus_one_and_ternary_threshold_is_exclusive():
    assert binarize([0.0, -0.0, -1e-9, 2.0]).tolist() == [1, 1, -1, 1]
    d = DEFAULT_TERNARY_THRESHOLD
    assert ternarize([d, -d, d + 1e-6, -d - 1e-6, 0.0]).tolist() == [0, 0, 1, -1, 0]


@pytest.mark.parametrize("k", [1, 7, 8, 63, 64, 65, 200])
def test_planes_round_trip(k):
    rng = np.random.default_rng(k)
    binary = rng.choice([-1, 1], (5, k)).astype(np.float32)
    ternary = rng.choice([-1, 0, 1], (5, k)).astype(np.float32)
    assert np.array_equal(packing.unpack_values(packing.pack_signs(binary), k), binary)
    restored = packing.unpack_values(packing.pack_signs(ternary), k, packing.pack_mask(ternary))
    assert np.array_equal(restored, ternary)
    # Bit 1 means -1 (Larq Compute Engine convention); the tail of the last byte stays 0.
    assert packing.pack_signs(-np.ones((1, k)))[0, 0] == (1 << min(k, 8)) - 1


@pytest.mark.parametrize("k", [5, 64, 100, 129])
@pytest.mark.parametrize("ternary", [False, True])
def test_popcount_dot_equals_integer_dot(k, ternary):
    rng = np.random.default_rng(k + ternary)
    x = rng.choice([-1, 1], (40, k))
    w = rng.choice([-1, 0, 1] if ternary else [-1, 1], (17, k))
    sign = packing.as_words(packing.pack_signs(w))
    mask = packing.as_words(packing.pack_mask(w)) if ternary else None
    got = packing.popcount_dot(packing.as_words(packing.pack_signs(x)), sign, k, mask)
    assert np.array_equal(got, x.astype(np.int64) @ w.T)


@pytest.mark.parametrize("ternary", [False, True])
def test_bit_plane_dot_of_integer_codes_equals_integer_dot(ternary):
    rng = np.random.default_rng(3)
    k = 97
    codes = rng.integers(0, 256, (30, k))
    w = rng.choice([-1, 0, 1] if ternary else [-1, 1], (11, k))
    sign = packing.as_words(packing.pack_signs(w))
    mask = packing.as_words(packing.pack_mask(w)) if ternary else None
    got = packing.popcount_dot_codes(codes, 8, sign, mask)
    assert np.array_equal(got, codes @ w.T)
