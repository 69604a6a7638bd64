"""A layer's stored parameters: its weight matrix and its folded output stage.

The weights are what the RRAM array stores (binary or ternary) or float32 real weights; the
output stage (:class:`SignThreshold` or :class:`Affine`) lives in CMOS and never receives bit
errors. Layers and networks are in :mod:`rram_ber.analysis.bnn.layers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rram_ber.analysis.bnn import packing
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.core.validation import ParameterError

FloatArray = npt.NDArray[np.float32]


def _float_vector(field_name: str, values: npt.ArrayLike, n: int) -> FloatArray:
    array = np.asarray(values, dtype=np.float32)
    if array.shape != (n,):
        raise ParameterError(field_name, f"array of shape {array.shape}", f"shape ({n},)")
    return array


@dataclass(frozen=True, eq=False)
class Weights:
    """A layer's weight matrix and how it is stored.

    Parameters
    ----------
    kind : WeightKind
        Binary (values +-1), ternary (-1, 0, +1) or real (float32, no bit errors).
    values : ndarray of float32, shape (n_out, fan_in)
        Weight values; row ``j`` feeds output channel ``j``.
    """

    kind: WeightKind
    values: FloatArray

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float32)
        if values.ndim != 2 or values.size == 0:
            raise ParameterError(
                "weights", f"array of shape {values.shape}", "a non-empty 2-D array"
            )
        if not np.all(np.isfinite(values)):
            raise ParameterError("weights", "non-finite values", "finite numbers")
        levels = self.kind.levels
        if levels and not np.all(np.isin(values, levels)):
            raise ParameterError(
                "weights", f"{self.kind.value} values outside {levels}", f"values in {levels}"
            )
        object.__setattr__(self, "values", values)

    @property
    def n_out(self) -> int:
        """Number of output channels."""
        return int(self.values.shape[0])

    @property
    def fan_in(self) -> int:
        """Length ``K`` of each weight row."""
        return int(self.values.shape[1])

    @property
    def n_bits(self) -> int:
        """Storage of the whole matrix [bit] (1, 2 or 32 bits per weight)."""
        return int(self.values.size) * self.kind.bits_per_weight

    def words(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64] | None]:
        """Sign and (ternary) mask planes as ``uint64`` words for the popcount kernel."""
        sign = packing.as_words(packing.pack_signs(self.values))
        if self.kind is WeightKind.TERNARY:
            return sign, packing.as_words(packing.pack_mask(self.values))
        return sign, None


@dataclass(frozen=True, eq=False)
class SignThreshold:
    """Folded batch norm + sign: ``+1 if a >= threshold`` (direction +1) else -1.

    With direction -1 the comparison is ``a <= threshold``. For ``a`` the integer
    pre-activation and batch norm ``y = gamma (s a - mu) / sqrt(var + eps) + beta`` (``s`` the
    input scale folded in), ``sign(y) = +1`` with ``sign(0) = +1`` gives
    ``threshold = (mu - beta sqrt(var + eps) / gamma) / s`` and direction ``sign(gamma)``;
    ``gamma = 0`` gives a constant output, stored as threshold -inf (always +1) or +inf
    (always -1). See the notes in ``reference/bnn-evaluator.md`` section 3.4 and Larq Compute
    Engine's ``output_transform.h``.

    Parameters
    ----------
    threshold : ndarray of float32, shape (n,)
        Per-channel threshold in units of the pre-activation.
    direction : ndarray of int8, shape (n,)
        +1 or -1 per channel.
    """

    threshold: FloatArray
    direction: npt.NDArray[np.int8]

    def __post_init__(self) -> None:
        threshold = np.asarray(self.threshold, dtype=np.float32)
        direction = np.asarray(self.direction, dtype=np.int8)
        if threshold.ndim != 1 or direction.shape != threshold.shape:
            raise ParameterError(
                "direction", f"shape {direction.shape}", f"shape {threshold.shape} like threshold"
            )
        if np.any(np.isnan(threshold)):
            raise ParameterError("threshold", "NaN", "numbers or +-inf")
        if not np.all(np.isin(direction, (-1, 1))):
            raise ParameterError("direction", "values outside +-1", "+1 or -1 per channel")
        object.__setattr__(self, "threshold", threshold)
        object.__setattr__(self, "direction", direction)

    @property
    def size(self) -> int:
        """Number of channels."""
        return int(self.threshold.size)

    def apply(self, a: npt.NDArray[Any]) -> FloatArray:
        """+-1 outputs (float32; float64 for integer ``a``) from pre-activations ``a`` (..., n)."""
        # d (a - t) >= 0 decides both directions. z = d a - d t is computed in floating point:
        # its sign is exact (x - y rounds to 0 only when x == y), and adding +0 turns a -0
        # (from d = -1 times 0) into +0, so copysign gives +1 exactly when d (a - t) >= 0.
        # This is 3-4x faster than comparisons and np.where (no boolean temporaries).
        dtype = np.dtype(a.dtype if a.dtype.kind == "f" else np.float64)
        sign = self.direction.astype(dtype)
        z = a * sign
        z -= self.threshold.astype(dtype) * sign
        z += dtype.type(0)
        return np.copysign(dtype.type(1), z, out=z)


@dataclass(frozen=True, eq=False)
class Affine:
    """Real output ``scale * a + bias`` per channel, then ReLU if ``relu``.

    The last layer's folded batch norm (its outputs are the logits) and the real-valued
    feature layers of "classifier-only" binarized networks (Penkovsky et al., DATE 2020).
    """

    scale: FloatArray
    bias: FloatArray
    relu: bool = False

    def __post_init__(self) -> None:
        scale = np.asarray(self.scale, dtype=np.float32)
        if scale.ndim != 1:
            raise ParameterError("scale", f"shape {scale.shape}", "a 1-D array")
        bias = _float_vector("bias", self.bias, scale.size)
        if not (np.all(np.isfinite(scale)) and np.all(np.isfinite(bias))):
            raise ParameterError("scale", "non-finite values", "finite numbers")
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "bias", bias)

    @property
    def size(self) -> int:
        """Number of channels."""
        return int(self.scale.size)

    def apply(self, a: npt.NDArray[Any]) -> FloatArray:
        """Real outputs (float32) from pre-activations ``a`` (..., n)."""
        out = a.astype(np.float32, copy=False) * self.scale + self.bias
        return np.maximum(out, np.float32(0)) if self.relu else out


Output = SignThreshold | Affine
