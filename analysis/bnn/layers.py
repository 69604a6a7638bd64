"""Layers and networks of the NumPy binarized / ternary evaluator.

A :class:`Network` is a sequence of weighted layers (:class:`Dense`, :class:`Conv1D`,
:class:`Conv2D`). Each layer computes a linear pre-activation ``a = patches @ W.T`` (one patch
per output position; a dense layer has one position), optionally pools ``a`` over positions
(conv layers), then applies its output stage (or pools after it, see
:class:`rram_ber.analysis.bnn.geometry.PoolPosition`):

* :class:`SignThreshold`: batch norm followed by sign, folded into one per-channel threshold
  (hidden layers; output +-1), or
* :class:`Affine`: per-channel ``scale * a + bias`` (the folded batch norm of the last layer,
  whose real outputs are the logits; optionally followed by ReLU for real-valued feature
  layers).

Order conv -> max-pool -> batch norm -> sign is the BinaryNet order (Courbariaux, Hubara et al.,
arXiv 1602.02830); training uses the same order, so no equivalence argument is needed.

Conventions
-----------
* Network input: non-negative integer codes ``0 <= x < 2**input_bits`` (8-bit pixels, 5-bit
  digit intensities 0..16, 8-bit ECG ADC codes). Any input scaling used in training is folded
  into the first layer's thresholds (or scale), so the pre-activation of a binary/ternary layer
  fed with codes or +-1 activations is an exact integer and the float32 and popcount paths
  agree exactly (float32 holds every integer up to 2**24).
* Layouts: dense inputs (B, K); 1-D signals (B, L, C); images (B, H, W, C) (channels last).
  Weight rows are flattened in patch order: (k, C) for Conv1D, (kh, kw, C) for Conv2D.
* Convolutions have a stride and symmetric zero padding (default: stride 1, no padding);
  pooling (max or average) is non-overlapping, the tail that does not fill a window is dropped,
  and happens on the pre-activation (default) or on the outputs, see
  :mod:`rram_ber.analysis.bnn.geometry`.
* Float inputs: a network with ``input_bits=None`` takes real-valued float32 inputs (e.g. an
  imported network trained on normalised pixels); its first layer's pre-activation is then
  float32 and only the later layers are exact integers.
* Thresholds live in CMOS, not in the RRAM array, so error injection never touches them.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from rram_ber.analysis.bnn import packing
from rram_ber.analysis.bnn.geometry import (
    PoolKind,
    PoolPosition,
    output_length,
    pad,
    patches_1d,
    patches_2d,
    pool_1d,
    pool_2d,
)
from rram_ber.analysis.bnn.parameters import Affine as Affine
from rram_ber.analysis.bnn.parameters import FloatArray
from rram_ber.analysis.bnn.parameters import Output as Output
from rram_ber.analysis.bnn.parameters import SignThreshold as SignThreshold
from rram_ber.analysis.bnn.parameters import Weights as Weights
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.core.validation import ParameterError, check_int

#: Hook adding per-read weight errors to a layer's pre-activation:
#: ``read_errors(layer, patches (B, *grid, K), a (B, *grid, N)) -> a``.
ReadErrorHook = Callable[["WeightedLayer", FloatArray, FloatArray], FloatArray]

#: Largest im2col temporary per batch [bytes]; the forward pass splits the batch to stay below.
#: Per-read errors are drawn batch by batch, so this size fixes their random stream: keep it.
_PATCH_BYTES = 1 << 26
#: The same for passes whose result cannot depend on the batching (no per-read errors, integer
#: input codes, no real-weight layer: every pre-activation is an exact integer, whatever the
#: GEMM's blocking). Small
#: temporaries stay in the allocator's heap and in cache: measured 1.5-2x faster than 64 MB
#: for fashion-cnn-bnn on a loaded 2-core machine, slightly faster for the MLPs too.
_EXACT_PATCH_BYTES = 1 << 22


class LayerType(enum.StrEnum):
    """Names of the layer types in the model file."""

    DENSE = "dense"
    CONV1D = "conv1d"
    CONV2D = "conv2d"


@dataclass(frozen=True, eq=False)
class WeightedLayer:
    """Common part of dense and convolutional layers (see the module docstring)."""

    name: str
    weights: Weights
    output: Output

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "." in self.name:
            raise ParameterError("name", self.name, "a non-empty layer name without '.'")
        if self.output.size != self.weights.n_out:
            raise ParameterError(
                f"{self.name}.output",
                f"{self.output.size} channels",
                f"{self.weights.n_out} (one per weight row)",
            )

    @property
    def layer_type(self) -> LayerType:
        """The type tag written to model files."""
        raise NotImplementedError

    @property
    def pool(self) -> int:
        """Pooling window (1 = none)."""
        return 1

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Per-sample output shape for a per-sample input shape; raises on a mismatch."""
        raise NotImplementedError

    def patches(self, x: npt.NDArray[Any], pad_value: float = 0) -> npt.NDArray[Any]:
        """im2col: patches (B, *grid, K) of a batch ``x`` (grid of output positions, K fan-in).

        The grid is () for a dense layer, (L',) for Conv1D and (H', W') for Conv2D; padded
        positions hold ``pad_value`` (0 everywhere except the popcount reference).
        """
        raise NotImplementedError

    def pool_grid(self, a: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Pool values (B, *grid, N) over the grid (identity without pooling)."""
        return a

    @property
    def pools_output(self) -> bool:
        """True if pooling follows the output stage (:attr:`PoolPosition.OUTPUT`)."""
        return False

    def finish(self, a: npt.NDArray[Any]) -> FloatArray:
        """Pooling and output stage on pre-activations (B, *grid, N), in the layer's order."""
        if self.pools_output:
            return self.pool_grid(self.output.apply(a))
        return self.output.apply(self.pool_grid(a))

    def padding_correction(self, x_shape: tuple[int, ...]) -> npt.NDArray[np.float64] | None:
        """What padded positions add to a +-1 popcount when they are read as +1.

        The popcount kernel only knows +-1 inputs; padding with +1 and subtracting the sum of
        the weights that see padding (the same for every sample) gives the zero-padded
        pre-activation exactly. Returns (*grid, N), or None for a layer without padding.
        """
        return None

    def forward(
        self,
        x: npt.NDArray[Any],
        weights: npt.NDArray[np.float32] | None = None,
        read_errors: ReadErrorHook | None = None,
    ) -> FloatArray:
        """Float32 BLAS forward pass of a batch.

        Parameters
        ----------
        x : ndarray, shape (B, ...)
            Layer input (float32 or integer codes).
        weights : ndarray of float32, shape (n_out, fan_in), optional
            Weight values to use instead of the stored ones (e.g. a chip with static errors).
        read_errors : callable, optional
            Adds per-read (dynamic) weight errors to the pre-activation.
        """
        w = self.weights.values if weights is None else weights
        pats = self.patches(x).astype(np.float32, copy=False)
        a = (pats.reshape(-1, pats.shape[-1]) @ w.T).reshape(*pats.shape[:-1], -1)
        if read_errors is not None:
            a = read_errors(self, pats, a)
        return self.finish(a)

    def forward_popcount(self, x: npt.NDArray[Any], input_bits: int | None) -> FloatArray:
        """Bit-exact reference forward pass with the XNOR-popcount kernel.

        Parameters
        ----------
        x : ndarray, shape (B, ...)
            +-1 activations (``input_bits`` None) or non-negative integer codes.
        input_bits : int or None
            Number of bit planes of integer-code inputs (first layer); None for +-1 inputs.
        """
        if self.weights.kind is WeightKind.REAL:
            raise ParameterError(
                f"{self.name}.weights", "real", "binary or ternary weights for the popcount path"
            )
        correction = None if input_bits is not None else self.padding_correction(x.shape)
        if correction is not None:
            if not np.all(np.isin(x, (-1, 1))):
                raise ParameterError(
                    f"{self.name} input", "values other than +-1", "+-1 activations or codes"
                )
            pats = self.patches(x, pad_value=1)
        else:
            pats = self.patches(x)
        k = pats.shape[-1]
        flat = pats.reshape(-1, k)
        sign, mask = self.weights.words()
        if input_bits is None:
            if not np.all(np.isin(flat, (-1, 1))):
                raise ParameterError(
                    f"{self.name} input", "values other than +-1", "+-1 activations or codes"
                )
            a = packing.popcount_dot(packing.as_words(packing.pack_signs(flat)), sign, k, mask)
        else:
            a = packing.popcount_dot_codes(flat.astype(np.int64), input_bits, sign, mask)
        grid = a.reshape(*pats.shape[:-1], -1)
        return self.finish(grid if correction is None else grid - correction)

    def add_weight_deltas(
        self,
        pats: FloatArray,
        a: FloatArray,
        sample: npt.NDArray[np.int64],
        row: npt.NDArray[np.int64],
        col: npt.NDArray[np.int64],
        delta: FloatArray,
    ) -> FloatArray:
        """Pre-activations after per-sample weight changes ``W[row, col] += delta``.

        Each event changes one weight for one sample of the batch, at every output position of
        that sample: ``a[sample, ..., row] += delta * pats[sample, ..., col]``. Used for
        per-read errors. ``pats`` (B, *grid, K) and ``a`` (B, *grid, N) as in :meth:`forward`.
        """
        if sample.size == 0:
            return a
        batch, n_out = a.shape[0], a.shape[-1]
        positions = a.size // (batch * n_out)
        flat_pats = pats.reshape(batch, positions, -1)
        contributions = delta[:, None] * flat_pats[sample, :, col]  # (E, P)
        index = (sample[:, None] * positions + np.arange(positions)[None, :]) * n_out + row[:, None]
        totals = np.bincount(index.ravel(), contributions.ravel(), minlength=a.size)
        return (a.reshape(-1) + totals).astype(np.float32).reshape(a.shape)


@dataclass(frozen=True, eq=False)
class Dense(WeightedLayer):
    """Fully connected layer; its input is flattened."""

    @property
    def layer_type(self) -> LayerType:
        return LayerType.DENSE

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        k = math.prod(input_shape)
        if k != self.weights.fan_in:
            raise ParameterError(
                f"{self.name}.weights",
                f"fan-in {self.weights.fan_in}",
                f"{k} for input {input_shape}",
            )
        return (self.weights.n_out,)

    def patches(self, x: npt.NDArray[Any], pad_value: float = 0) -> npt.NDArray[Any]:
        return x.reshape(x.shape[0], -1)


class _Conv(WeightedLayer):
    """Stride, padding and pooling shared by :class:`Conv1D` and :class:`Conv2D`."""

    def _check_geometry(self) -> None:
        check_int(f"{self.name}.pool_size", self.pool_size, 1)
        check_int(f"{self.name}.stride", self.stride, 1)
        check_int(f"{self.name}.padding", self.padding, 0)
        object.__setattr__(self, "pool_kind", PoolKind(self.pool_kind))
        object.__setattr__(self, "pool_position", PoolPosition(self.pool_position))

    # Fields of the subclasses (declared there, after ``kernel``, so positional construction
    # keeps working); this class is not a dataclass, so these lines add no fields.
    pool_size: int
    stride: int
    padding: int
    pool_kind: PoolKind
    pool_position: PoolPosition

    @property
    def pool(self) -> int:
        return self.pool_size

    @property
    def pools_output(self) -> bool:
        return self.pool_size > 1 and self.pool_position is PoolPosition.OUTPUT

    def _spatial(self) -> int:
        raise NotImplementedError

    def padding_correction(self, x_shape: tuple[int, ...]) -> npt.NDArray[np.float64] | None:
        if self.padding == 0:
            return None
        # Patches of an all-zero input padded with 1: 1 exactly where a patch sees padding.
        indicator = self.patches(np.zeros((1, *x_shape[1:])), pad_value=1)
        return (indicator @ self.weights.values.T.astype(np.float64))[0]


@dataclass(frozen=True, eq=False)
class Conv1D(_Conv):
    """1-D convolution on (B, L, C) inputs; optional pooling over positions.

    Parameters
    ----------
    kernel : int
        Kernel length ``k``; weight rows are flattened as (k, C).
    pool_size : int
        Non-overlapping pooling window (1 = none).
    stride : int
        Convolution stride.
    padding : int
        Zero padding on each side.
    pool_kind : PoolKind
        max (default) or avg.
    pool_position : PoolPosition
        Pool the pre-activation (default) or the outputs.
    """

    kernel: int = 3
    pool_size: int = 1
    stride: int = 1
    padding: int = 0
    pool_kind: PoolKind = PoolKind.MAX
    pool_position: PoolPosition = PoolPosition.PRE_ACTIVATION

    def __post_init__(self) -> None:
        super().__post_init__()
        check_int(f"{self.name}.kernel", self.kernel, 1)
        self._check_geometry()

    @property
    def layer_type(self) -> LayerType:
        return LayerType.CONV1D

    def _spatial(self) -> int:
        return 1

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) != 2 or self.kernel * input_shape[1] != self.weights.fan_in:
            raise ParameterError(
                f"{self.name}.weights",
                f"fan-in {self.weights.fan_in}",
                f"kernel {self.kernel} x channels for input (L, C) = {input_shape}",
            )
        positions = output_length(input_shape[0], self.kernel, self.stride, self.padding)
        length = positions // self.pool_size
        if length < 1:
            raise ParameterError(
                f"{self.name}.kernel", self.kernel, f"a kernel and pool that fit {input_shape[0]}"
            )
        return (length, self.weights.n_out)

    def patches(self, x: npt.NDArray[Any], pad_value: float = 0) -> npt.NDArray[Any]:
        if self.padding and pad_value:
            x = pad(x, self.padding, 1, pad_value)
            return patches_1d(x, self.kernel, self.stride)
        return patches_1d(x, self.kernel, self.stride, self.padding)

    def pool_grid(self, a: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return a if self.pool_size == 1 else pool_1d(a, self.pool_size, self.pool_kind)


@dataclass(frozen=True, eq=False)
class Conv2D(_Conv):
    """2-D convolution on (B, H, W, C) inputs; optional square pooling.

    Parameters
    ----------
    kernel : tuple of int
        (kh, kw); weight rows are flattened as (kh, kw, C).
    pool_size : int
        Non-overlapping square pooling window (1 = none).
    stride : int
        Convolution stride (both axes).
    padding : int
        Zero padding on each side of both axes.
    pool_kind : PoolKind
        max (default) or avg.
    pool_position : PoolPosition
        Pool the pre-activation (default) or the outputs.
    """

    kernel: tuple[int, int] = (3, 3)
    pool_size: int = 1
    stride: int = 1
    padding: int = 0
    pool_kind: PoolKind = PoolKind.MAX
    pool_position: PoolPosition = PoolPosition.PRE_ACTIVATION

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.kernel) != 2:
            raise ParameterError(f"{self.name}.kernel", self.kernel, "(kh, kw)")
        for size in self.kernel:
            check_int(f"{self.name}.kernel", size, 1)
        object.__setattr__(self, "kernel", tuple(int(v) for v in self.kernel))
        self._check_geometry()

    @property
    def layer_type(self) -> LayerType:
        return LayerType.CONV2D

    def _spatial(self) -> int:
        return 2

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        kh, kw = self.kernel
        if len(input_shape) != 3 or kh * kw * input_shape[2] != self.weights.fan_in:
            raise ParameterError(
                f"{self.name}.weights",
                f"fan-in {self.weights.fan_in}",
                f"kh x kw x channels for input (H, W, C) = {input_shape}",
            )
        h = output_length(input_shape[0], kh, self.stride, self.padding) // self.pool_size
        w = output_length(input_shape[1], kw, self.stride, self.padding) // self.pool_size
        if h < 1 or w < 1:
            raise ParameterError(
                f"{self.name}.kernel", self.kernel, f"a kernel and pool that fit {input_shape[:2]}"
            )
        return (h, w, self.weights.n_out)

    def patches(self, x: npt.NDArray[Any], pad_value: float = 0) -> npt.NDArray[Any]:
        if self.padding and pad_value:
            x = pad(x, self.padding, 2, pad_value)
            return patches_2d(x, self.kernel, self.stride)
        return patches_2d(x, self.kernel, self.stride, self.padding)

    def pool_grid(self, a: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return a if self.pool_size == 1 else pool_2d(a, self.pool_size, self.pool_kind)


Layer = Dense | Conv1D | Conv2D


@dataclass(frozen=True)
class MemoryFootprint:
    """Storage of a network [bit].

    ``binary_weight_bits`` and ``ternary_weight_bits`` are the RRAM array (1 and 2 bits per
    weight); ``real_weight_bits`` counts float32 weights at 32 bits; ``other_bits`` counts the
    CMOS-side parameters (thresholds, scales, biases) at 32 bits and directions at 1 bit.
    """

    binary_weight_bits: int
    ternary_weight_bits: int
    real_weight_bits: int
    other_bits: int

    @property
    def weight_bits(self) -> int:
        """All weights [bit]."""
        return self.binary_weight_bits + self.ternary_weight_bits + self.real_weight_bits

    @property
    def total_bits(self) -> int:
        """Weights and other parameters [bit]."""
        return self.weight_bits + self.other_bits


@dataclass(frozen=True, eq=False)
class PreparedInputs:
    """Input codes already validated by :meth:`Network.prepare`, as float32 (exact)."""

    values: FloatArray
    input_shape: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class Network:
    """A feed-forward binarized / ternary network.

    Parameters
    ----------
    name : str
        Model name, e.g. ``fashion-mlp-bnn`` (data set, architecture, kind).
    layers : tuple of Dense, Conv1D, Conv2D
        In order; names must be unique. The last layer must have an :class:`Affine` output.
    input_shape : tuple of int
        Per-sample input shape, e.g. (784,), (28, 28, 1) or (128, 1).
    input_bits : int or None
        Inputs are integer codes ``0 <= x < 2**input_bits``; None: real-valued float inputs.
    metadata : dict
        JSON-serialisable facts: data set, description, how it was trained, accuracy at export.
    """

    name: str
    layers: tuple[Layer, ...]
    input_shape: tuple[int, ...]
    input_bits: int | None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.layers:
            raise ParameterError("layers", self.layers, "at least one layer")
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise ParameterError("layers", names, "unique layer names")
        if not isinstance(self.layers[-1].output, Affine):
            raise ParameterError("layers", "last output is a sign threshold", "a real last layer")
        if self.input_bits is not None:
            check_int("input_bits", self.input_bits, 1, 24)
        shape = tuple(int(s) for s in self.input_shape)
        object.__setattr__(self, "input_shape", shape)
        for layer in self.layers:
            shape = layer.output_shape(shape)

    def __repr__(self) -> str:
        # The dataclass default prints every weight array: thousands of lines in a notebook.
        layers = ", ".join(
            f"{type(layer).__name__} {layer.name} {layer.weights.kind.value} "
            f"{'x'.join(str(n) for n in layer.weights.values.shape)}"
            for layer in self.layers
        )
        return f"Network({self.name!r}, input {self.input_shape}, layers: {layers})"

    @property
    def n_classes(self) -> int:
        """Number of logits."""
        return self.layers[-1].weights.n_out

    def layer(self, name: str) -> Layer:
        """The layer called ``name``."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ParameterError("layer", name, "one of " + ", ".join(x.name for x in self.layers))

    def quantized_layers(self) -> tuple[Layer, ...]:
        """Layers whose weights are binary or ternary (stored in RRAM, subject to errors)."""
        return tuple(layer for layer in self.layers if layer.weights.kind is not WeightKind.REAL)

    def memory(self) -> MemoryFootprint:
        """Storage of weights and CMOS-side parameters [bit]."""
        bits = {kind: 0 for kind in WeightKind}
        other = 0
        for layer in self.layers:
            bits[layer.weights.kind] += layer.weights.n_bits
            if isinstance(layer.output, SignThreshold):
                other += 33 * layer.output.size
            else:
                other += 64 * layer.output.size
        return MemoryFootprint(
            bits[WeightKind.BINARY], bits[WeightKind.TERNARY], bits[WeightKind.REAL], other
        )

    def _batch_size(self, budget: int = _PATCH_BYTES) -> int:
        # Patch elements per sample, from one dummy sample through every layer.
        h: npt.NDArray[Any] = np.zeros((1, *self.input_shape), dtype=np.float32)
        largest = 1
        for layer in self.layers:
            largest = max(largest, layer.patches(h).size)
            h = layer.forward(h)
        return max(1, budget // (4 * largest))

    def _check_input(self, x: npt.ArrayLike) -> npt.NDArray[Any]:
        data = np.asarray(x)
        if data.shape[1:] != self.input_shape:
            raise ParameterError(
                "x",
                f"array of shape {data.shape}",
                f"shape (B, {', '.join(map(str, self.input_shape))})",
            )
        if self.input_bits is None:
            if data.dtype.kind not in "iuf" or (data.size and not np.all(np.isfinite(data))):
                raise ParameterError("x", f"dtype {data.dtype}", "finite real numbers")
            return data
        allowed = f"integer codes 0 <= x < 2**{self.input_bits}"
        if not np.issubdtype(data.dtype, np.integer):
            raise ParameterError("x", f"dtype {data.dtype}", allowed)
        if data.size and (data.min() < 0 or data.max() >= 2**self.input_bits):
            raise ParameterError("x", f"codes {data.min()}..{data.max()}", allowed)
        return data

    def prepare(self, x: npt.ArrayLike) -> PreparedInputs:
        """Validate input codes once and convert them to float32 for repeated forward passes.

        Evaluating many error realisations on the same test set would otherwise check and
        convert the inputs at every pass.
        """
        return PreparedInputs(self._check_input(x).astype(np.float32), self.input_shape)

    def forward(
        self,
        x: npt.ArrayLike | PreparedInputs,
        weights: Mapping[str, npt.NDArray[np.float32]] | None = None,
        read_errors: ReadErrorHook | None = None,
    ) -> FloatArray:
        """Logits (B, n_classes) by float32 BLAS products.

        Parameters
        ----------
        x : array_like of int, shape (B, *input_shape), or PreparedInputs
            Input codes (or the result of :meth:`prepare`).
        weights : mapping of layer name to ndarray, optional
            Replacement weight values (e.g. one chip with static errors); others stay stored.
        read_errors : callable, optional
            Per-read (dynamic) error hook, see :data:`ReadErrorHook`.
        """
        if isinstance(x, PreparedInputs):
            if x.input_shape != self.input_shape:
                raise ParameterError("x", f"inputs of shape {x.input_shape}", "this network's")
            data = x.values
        else:
            data = self._check_input(x)
        exact = (
            read_errors is None
            and self.input_bits is not None
            and len(self.quantized_layers()) == len(self.layers)
        )
        step = self._batch_size(_EXACT_PATCH_BYTES if exact else _PATCH_BYTES)
        chunks = []
        for start in range(0, data.shape[0], step):
            h: npt.NDArray[Any] = data[start : start + step]
            for layer in self.layers:
                w = None if weights is None else weights.get(layer.name)
                h = layer.forward(h, w, read_errors)
            chunks.append(h)
        if not chunks:
            return np.zeros((0, self.n_classes), dtype=np.float32)
        return np.concatenate(chunks).astype(np.float32, copy=False)

    def forward_popcount(self, x: npt.ArrayLike) -> FloatArray:
        """Logits by the bit-exact XNOR-popcount reference (binary/ternary layers only)."""
        if self.input_bits is None:
            raise ParameterError("input_bits", None, "integer-code inputs for the popcount path")
        data = self._check_input(x)
        step = max(1, self._batch_size() // 4)
        chunks = []
        for start in range(0, data.shape[0], step):
            h: npt.NDArray[Any] = data[start : start + step]
            bits: int | None = self.input_bits
            for layer in self.layers:
                h = layer.forward_popcount(h, bits)
                bits = None
            chunks.append(h)
        return np.concatenate(chunks).astype(np.float32, copy=False)

    def predict(self, x: npt.ArrayLike | PreparedInputs, **kwargs: Any) -> npt.NDArray[np.int64]:
        """Class indices: argmax of :meth:`forward` (lowest index on ties)."""
        return np.argmax(self.forward(x, **kwargs), axis=1)

    def accuracy(self, x: npt.ArrayLike | PreparedInputs, y: npt.ArrayLike, **kwargs: Any) -> float:
        """Fraction of correct predictions."""
        labels = np.asarray(y)
        return float(np.mean(self.predict(x, **kwargs) == labels))
