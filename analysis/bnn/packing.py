"""Bit planes of binary and ternary values, and the XNOR-popcount reference kernel.

Storage convention (the one of Larq Compute Engine, ``core/bitpacking/bitpack.h``):

* **sign plane**: bit 1 <=> value < 0 (so -1 -> 1, +1 -> 0); a binary tensor is one sign plane.
* **mask plane** (ternary only): bit 1 <=> value != 0. A ternary value is (sign, mask); a zero
  has sign bit 0.
* Bits are packed along the last axis (the reduction axis of a layer, length ``K``) with
  ``np.packbits(..., bitorder="little")`` into ``uint8``; the tail of the last byte is 0.

For the popcount kernel the bytes are padded to a multiple of 8 and viewed as ``uint64``
words. Pad bits are 0 in both operands, so they never contribute; the true ``K`` is always used.

Dot-product identities (all exact in integers; ``pc`` = popcount, ``X``, ``S``, ``M`` planes):

* +-1 activations, binary weights: ``x . w = K - 2 pc(X xor S)`` (XNOR-popcount).
* +-1 activations, ternary weights: ``x . w = pc(M) - 2 pc((X xor S) and M)``.
* non-negative integer inputs ``x = sum_b 2^b x_b`` (first layer, e.g. 8-bit pixels):
  ``x . w = sum_b 2^b (pc(x_b and M) - 2 pc(x_b and S and M))`` with ``M`` all ones for binary
  weights (the bit-plane trick of BinaryNet, Courbariaux, Hubara et al., arXiv 1602.02830).

The float32 BLAS product on +-1 / {-1, 0, +1} values gives the same integers whenever
``|x . w| < 2**24`` and is faster in NumPy; this kernel is the bit-exact reference it is tested
against (``np.bitwise_count`` needs NumPy >= 2.0).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Bytes of the largest temporary the kernel allocates per chunk (keeps memory bounded).
_CHUNK_BYTES = 1 << 24


def pack_bits(bits: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """Pack booleans along the last axis, little bit order, into ``uint8``.

    Parameters
    ----------
    bits : array_like of bool, shape (..., K)

    Returns
    -------
    ndarray of uint8, shape (..., ceil(K / 8))
    """
    return np.packbits(np.asarray(bits, dtype=bool), axis=-1, bitorder="little")


def unpack_bits(packed: npt.ArrayLike, k: int) -> npt.NDArray[np.bool_]:
    """Inverse of :func:`pack_bits`: the first ``k`` bits along the last axis."""
    return np.unpackbits(
        np.asarray(packed, dtype=np.uint8), axis=-1, count=k, bitorder="little"
    ).astype(bool)


def pack_signs(values: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """Sign plane of +-1 (or ternary) values: bit 1 <=> value < 0."""
    return pack_bits(np.asarray(values) < 0)


def pack_mask(values: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """Non-zero mask plane of ternary values: bit 1 <=> value != 0."""
    return pack_bits(np.asarray(values) != 0)


def unpack_values(
    sign: npt.ArrayLike, k: int, mask: npt.ArrayLike | None = None
) -> npt.NDArray[np.float32]:
    """Values in {-1, +1} (``mask`` None) or {-1, 0, +1} from their planes.

    Parameters
    ----------
    sign : array_like of uint8, shape (..., ceil(k / 8))
        Sign plane (bit 1 <=> negative).
    k : int
        Number of values along the last axis.
    mask : array_like of uint8 or None
        Non-zero plane of a ternary tensor.

    Returns
    -------
    ndarray of float32, shape (..., k)
    """
    values = np.where(unpack_bits(sign, k), np.float32(-1), np.float32(1))
    if mask is not None:
        values = values * unpack_bits(mask, k)
    return values.astype(np.float32)


def as_words(packed: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """View packed bytes (..., n_bytes) as ``uint64`` words, zero-padding to 8 bytes."""
    data = np.asarray(packed, dtype=np.uint8)
    pad = (-data.shape[-1]) % 8
    if pad:
        data = np.pad(data, [(0, 0)] * (data.ndim - 1) + [(0, pad)])
    return np.ascontiguousarray(data).view(np.uint64)


def _chunk(batch: int, n_out: int, n_words: int) -> int:
    return max(1, min(batch, _CHUNK_BYTES // max(1, 8 * n_out * n_words)))


def popcount_dot(
    x_sign: npt.NDArray[np.uint64],
    w_sign: npt.NDArray[np.uint64],
    k: int,
    w_mask: npt.NDArray[np.uint64] | None = None,
) -> npt.NDArray[np.int64]:
    """Dot products of +-1 activations with binary or ternary weights, by XNOR-popcount.

    Parameters
    ----------
    x_sign : ndarray of uint64, shape (B, W)
        Sign planes of B activation vectors of length ``k`` (see :func:`as_words`).
    w_sign : ndarray of uint64, shape (N, W)
        Sign planes of N weight rows.
    k : int
        True vector length (pad bits excluded).
    w_mask : ndarray of uint64, shape (N, W), or None
        Non-zero planes for ternary weights; None for binary weights.

    Returns
    -------
    ndarray of int64, shape (B, N)
        ``x . w`` for every pair.
    """
    batch, n_out = x_sign.shape[0], w_sign.shape[0]
    out = np.empty((batch, n_out), dtype=np.int64)
    step = _chunk(batch, n_out, w_sign.shape[1])
    if w_mask is None:
        for start in range(0, batch, step):
            diff = x_sign[start : start + step, None, :] ^ w_sign[None]
            out[start : start + step] = k - 2 * np.bitwise_count(diff).sum(-1, dtype=np.int64)
        return out
    nonzero = np.bitwise_count(w_mask).sum(-1, dtype=np.int64)
    for start in range(0, batch, step):
        diff = (x_sign[start : start + step, None, :] ^ w_sign[None]) & w_mask[None]
        out[start : start + step] = nonzero - 2 * np.bitwise_count(diff).sum(-1, dtype=np.int64)
    return out


def popcount_dot_codes(
    codes: npt.ArrayLike,
    n_bits: int,
    w_sign: npt.NDArray[np.uint64],
    w_mask: npt.NDArray[np.uint64] | None = None,
) -> npt.NDArray[np.int64]:
    """Dot products of non-negative integer inputs with binary/ternary weights, by bit planes.

    ``x . w = sum_b 2^b (pc(x_b and M) - 2 pc(x_b and S and M))`` where ``x_b`` is bit ``b`` of
    the input codes (BinaryNet's first-layer trick, arXiv 1602.02830).

    Parameters
    ----------
    codes : array_like of int, shape (B, K)
        Input codes, ``0 <= code < 2**n_bits`` (e.g. 8-bit pixels).
    n_bits : int
        Number of bit planes to use.
    w_sign, w_mask : ndarray of uint64, shape (N, W)
        Weight planes as in :func:`popcount_dot`.

    Returns
    -------
    ndarray of int64, shape (B, N)
    """
    values = np.asarray(codes, dtype=np.int64)
    batch, n_out = values.shape[0], w_sign.shape[0]
    out = np.zeros((batch, n_out), dtype=np.int64)
    step = _chunk(batch, n_out, w_sign.shape[1])
    sign = w_sign if w_mask is None else w_sign & w_mask
    for bit in range(n_bits):
        plane = as_words(pack_bits((values >> bit) & 1))
        for start in range(0, batch, step):
            xb = plane[start : start + step, None, :]
            ones = (
                np.bitwise_count(plane[start : start + step]).sum(-1, dtype=np.int64)[:, None]
                if w_mask is None
                else np.bitwise_count(xb & w_mask[None]).sum(-1, dtype=np.int64)
            )
            negative = np.bitwise_count(xb & sign[None]).sum(-1, dtype=np.int64)
            out[start : start + step] += (ones - 2 * negative) << bit
    return out
