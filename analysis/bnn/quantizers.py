"""Quantizers: real numbers to binary (+-1) and ternary (-1, 0, +1) weight or activation values.

Quantization is its own concept, apart from layers and from error injection (the larq split of
quantizers and layers). Values are returned as ``float32`` so they can go straight into a BLAS
matrix product; every value is exactly -1, 0 or +1.

Conventions
-----------
* ``sign(0) = +1`` (larq's ``math.sign``; Courbariaux, Hubara et al. 2016, "Binarized Neural
  Networks", arXiv 1602.02830), so a binarized value is never 0.
* Ternarization with a fixed threshold on the latent weight, ``q(w) = +1 if w > delta,
  -1 if w < -delta, else 0`` with ``delta = 0.05`` by default: the rule and default of the
  ternary RRAM papers' code (Laborieux et al., arXiv 2007.14234; repository
  Laborieux-Axel/Quantized_VGG) and of larq's ``SteTern``.
* The training-time versions with straight-through estimators are in
  :mod:`rram_ber.analysis.bnn.torch_nn` (PyTorch); they follow these rules exactly (tested).
"""

from __future__ import annotations

import enum

import numpy as np
import numpy.typing as npt

from rram_ber.core.validation import check_range

#: Default ternarization threshold on latent weights (Laborieux et al., Quantized_VGG).
DEFAULT_TERNARY_THRESHOLD = 0.05


class WeightKind(enum.StrEnum):
    """How a layer's weights are stored.

    ``binary``: one bit per weight, values +-1. ``ternary``: two bits per weight (sign and
    non-zero mask planes), values -1, 0, +1. ``real``: float32, 32 bits per weight; such layers
    are not stored in RRAM here and receive no bit errors.
    """

    BINARY = "binary"
    TERNARY = "ternary"
    REAL = "real"

    @property
    def bits_per_weight(self) -> int:
        """Storage of one weight [bit]: 1 (binary), 2 (ternary: sign + mask), 32 (float32)."""
        return {WeightKind.BINARY: 1, WeightKind.TERNARY: 2, WeightKind.REAL: 32}[self]

    @property
    def levels(self) -> tuple[int, ...]:
        """The stored values in ascending order (empty for real weights)."""
        return {WeightKind.BINARY: (-1, 1), WeightKind.TERNARY: (-1, 0, 1), WeightKind.REAL: ()}[
            self
        ]


def binarize(x: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """Sign with ``sign(0) = +1``.

    Parameters
    ----------
    x : array_like
        Real values (latent weights or pre-activations).

    Returns
    -------
    ndarray of float32
        +1 where ``x >= 0``, -1 elsewhere (also -1 for NaN, which never occurs in valid input).
    """
    values = np.asarray(x)
    return np.where(values >= 0, np.float32(1), np.float32(-1)).astype(np.float32, copy=False)


def ternarize(
    x: npt.ArrayLike, threshold: float = DEFAULT_TERNARY_THRESHOLD
) -> npt.NDArray[np.float32]:
    """Ternary quantizer with a fixed threshold ``delta``.

    ``q(x) = +1 if x > delta, -1 if x < -delta, else 0`` (Laborieux et al., arXiv 2007.14234,
    code Laborieux-Axel/Quantized_VGG).

    Parameters
    ----------
    x : array_like
        Real values (latent weights).
    threshold : float
        ``delta >= 0``; values with ``|x| <= delta`` become 0.

    Returns
    -------
    ndarray of float32
        Values in {-1, 0, +1}.
    """
    delta = check_range("threshold", threshold, 0.0, None)
    values = np.asarray(x)
    out = np.zeros(values.shape, dtype=np.float32)
    out[values > delta] = 1.0
    out[values < -delta] = -1.0
    return out


def quantize(
    x: npt.ArrayLike, kind: WeightKind, threshold: float = DEFAULT_TERNARY_THRESHOLD
) -> npt.NDArray[np.float32]:
    """Quantize latent weights to ``kind`` (real weights are returned as float32 copies)."""
    if kind is WeightKind.BINARY:
        return binarize(x)
    if kind is WeightKind.TERNARY:
        return ternarize(x, threshold)
    return np.array(x, dtype=np.float32)
