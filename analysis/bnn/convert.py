"""A network described as a chain of framework operations, folded into the evaluator's layers.

The importers (:mod:`rram_ber.analysis.bnn.onnx_import` for ONNX/QONNX graphs,
:mod:`rram_ber.analysis.bnn.torch_export` for PyTorch modules) translate their graphs into a list of
the operations below, in the framework's own conventions (channels first, weights
(O, C, kh, kw)); :func:`fold_chain` turns the list into a :class:`~analysis.bnn.layers.Network`.
Neither importer's framework is imported here.

Folding (one evaluator layer per :class:`Linear`):

* everything between two linear operations that is affine per channel (bias, per-channel or
  scalar multiplication, batch norm) is composed into ``y = A a + B`` on the linear
  operation's raw pre-activation ``a`` (A carries a weight quantizer's scale);
* a following sign (``sign(0) = +1``, BinaryNet, arXiv 1602.02830) becomes a threshold:
  ``y >= 0`` <=> ``a >= -B / A`` for ``A > 0`` (direction +1) and ``a <= -B / A`` for ``A < 0``
  (direction -1); ``A = 0`` gives a constant output (threshold -inf or +inf);
  otherwise (ReLU or the logits) ``A``, ``B`` become an :class:`~analysis.bnn.layers.Affine`;
* a scalar multiplication on the layer's *input* (e.g. pixels / 255, or an activation
  quantizer's scale) multiplies ``A``; a per-channel one there is refused;
* pooling right after the linear operation is on the pre-activation; max pooling after the
  affine part or after the activation is pooling of the outputs
  (:class:`~analysis.bnn.geometry.PoolPosition`), exact because sign and ReLU are
  non-decreasing (max commutes with them); average pooling after the affine part is on the
  pre-activation (the affine map commutes with a mean).

Weights are classified by their values: per output channel ``W = s * Q`` with ``s > 0`` and
``Q`` in {-1, +1} (binary) or {-1, 0, +1} (ternary); ``s`` joins ``A``. Anything else stays a
real (float32) layer, which receives no bit errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from rram_ber.analysis.bnn.geometry import PoolKind, PoolPosition
from rram_ber.analysis.bnn.layers import (
    Affine,
    Conv1D,
    Conv2D,
    Dense,
    Layer,
    Network,
    SignThreshold,
    Weights,
)
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.core.validation import ParameterError

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Linear:
    """Dense (weights (O, K)) or convolution (weights (O, C, k) or (O, C, kh, kw)).

    ``spatial`` is 0 for dense, 1 or 2 for convolutions; ``bias`` may be None.
    """

    name: str
    weights: F64
    bias: F64 | None = None
    spatial: int = 0
    stride: int = 1
    padding: int = 0


@dataclass(frozen=True, eq=False)
class ChannelAffine:
    """``y = scale * x + shift``; scale and shift are scalars or per-channel vectors."""

    name: str
    scale: F64
    shift: F64


@dataclass(frozen=True)
class Activation:
    """``sign`` (sign(0) = +1) or ``relu``."""

    name: str
    kind: str


@dataclass(frozen=True)
class Pool:
    """Non-overlapping pooling of window ``size`` (kernel = stride), ``max`` or ``avg``."""

    name: str
    kind: PoolKind
    size: int


@dataclass(frozen=True)
class Flatten:
    """Channels-first flatten (PyTorch/ONNX) before a dense layer."""

    name: str


Op = Linear | ChannelAffine | Activation | Pool | Flatten


def batch_norm(name: str, gamma: Any, beta: Any, mean: Any, var: Any, eps: float) -> ChannelAffine:
    """Inference batch norm ``gamma (x - mean) / sqrt(var + eps) + beta`` as an affine op."""
    g, b, m, v = (np.asarray(t, dtype=np.float64).ravel() for t in (gamma, beta, mean, var))
    scale = g / np.sqrt(v + eps)
    return ChannelAffine(name, scale, b - scale * m)


def classify_weights(values: F64) -> tuple[WeightKind, F64, F64]:
    """Split ``values`` (O, K) into kind, levels (O, K) and per-row scale (O,), see module."""
    rows = values.reshape(values.shape[0], -1)
    peak = np.abs(rows).max(axis=1)
    # An all-zero row (possible for ternary weights) has levels 0 whatever its scale.
    scale = np.where(peak > 0, peak, 1.0)
    levels = rows / scale[:, None]
    if np.all(np.isin(levels, (-1.0, 1.0))):
        return WeightKind.BINARY, levels, scale
    if np.all(np.isin(levels, (-1.0, 0.0, 1.0))):
        return WeightKind.TERNARY, levels, scale
    return WeightKind.REAL, rows, np.ones(rows.shape[0])


@dataclass
class _Pending:
    """The layer being assembled while walking the chain."""

    linear: Linear
    input_scale: float
    kind: WeightKind
    rows: F64
    a_scale: F64
    a_shift: F64
    affine_seen: bool = False
    pool: Pool | None = None
    pool_position: PoolPosition = PoolPosition.PRE_ACTIVATION
    activation: str | None = None
    ops: list[str] = field(default_factory=list)


def _channels_last_rows(linear: Linear, rows: F64) -> F64:
    """Weight rows in the evaluator's patch order (kernel positions, then channels)."""
    if linear.spatial == 0:
        return rows
    w = linear.weights
    # (O, C, *k) -> (O, *k, C)
    order = (0, *range(2, w.ndim), 1)
    return rows.reshape(w.shape).transpose(order).reshape(w.shape[0], -1)


def _dense_rows_channels_last(rows: F64, shape: tuple[int, ...]) -> F64:
    """Permute dense columns from channels-first (C, *grid) to channels-last (*grid, C)."""
    if len(shape) < 2:
        return rows
    grid, channels = shape[:-1], shape[-1]
    w = rows.reshape(rows.shape[0], channels, *grid)
    return w.transpose(0, *range(2, w.ndim), 1).reshape(rows.shape[0], -1)


def _finish(p: _Pending, shape: tuple[int, ...], flattened: bool, last: bool) -> Layer:
    name = p.linear.name
    a_scale = p.a_scale * p.input_scale
    shift = p.a_shift
    if p.linear.spatial == 0 and len(shape) > 1:
        if not flattened:
            raise ParameterError(name, f"a dense layer on input {shape}", "a Flatten before it")
        rows = _dense_rows_channels_last(p.rows, shape)
    else:
        rows = _channels_last_rows(p.linear, p.rows)
    weights = Weights(p.kind, rows.astype(np.float32))
    output: SignThreshold | Affine
    if p.activation == "sign":
        if last:
            raise ParameterError(name, "a sign output", "real logits from the last layer")
        with np.errstate(divide="ignore", invalid="ignore"):
            threshold = -shift / a_scale
        threshold = np.where(a_scale == 0, np.where(shift >= 0, -np.inf, np.inf), threshold)
        output = SignThreshold(threshold.astype(np.float32), np.where(a_scale < 0, -1, 1))
    else:
        output = Affine(a_scale.astype(np.float32), shift.astype(np.float32),
                        relu=p.activation == "relu")  # fmt: skip
    geometry: dict[str, Any] = {}
    if p.linear.spatial:
        geometry = {
            "stride": p.linear.stride,
            "padding": p.linear.padding,
            "pool_size": 1 if p.pool is None else p.pool.size,
            "pool_kind": PoolKind.MAX if p.pool is None else p.pool.kind,
            "pool_position": p.pool_position,
        }
    elif p.pool is not None:
        raise ParameterError(p.pool.name, "pooling after a dense layer", "pooling after a conv")
    if p.linear.spatial == 0:
        return Dense(name, weights, output)
    kernel = p.linear.weights.shape[2:]
    if p.linear.spatial == 1:
        return Conv1D(name, weights, output, int(kernel[0]), **geometry)
    return Conv2D(name, weights, output, (int(kernel[0]), int(kernel[1])), **geometry)


def fold_chain(
    ops: Sequence[Op],
    name: str,
    input_shape: tuple[int, ...],
    input_bits: int | None,
    metadata: dict[str, Any] | None = None,
) -> Network:
    """Fold a chain of operations into a :class:`Network` (see the module docstring).

    Parameters
    ----------
    ops : sequence of Op
        In execution order, from the network input to the logits.
    name : str
        Network name.
    input_shape : tuple of int
        Per-sample input shape in the evaluator's channels-last layout.
    input_bits : int or None
        Integer-code inputs of that many bits, or None for float inputs.
    metadata : dict, optional
        Stored with the network.

    Raises
    ------
    ParameterError
        Naming the operation that cannot be folded and why.
    """
    layers: list[Layer] = []
    shape = tuple(input_shape)
    pending: _Pending | None = None
    input_scale = 1.0
    flattened = False

    def close() -> None:
        nonlocal pending, shape, flattened
        if pending is not None:
            layer = _finish(pending, shape, flattened, last=False)
            shape = layer.output_shape(shape)
            layers.append(layer)
            pending, flattened = None, False

    for op in ops:
        if isinstance(op, Linear):
            close()
            if op.spatial and len(shape) != op.spatial + 1:
                raise ParameterError(op.name, f"a {op.spatial}-D convolution", f"input {shape}")
            kind, rows, scale = classify_weights(op.weights)
            bias = np.zeros(rows.shape[0]) if op.bias is None else np.asarray(op.bias).ravel()
            # W (s x) + b = s (W x) + b: the input scale multiplies A at the end, not the bias.
            pending = _Pending(op, input_scale, kind, rows, scale, bias)
            input_scale = 1.0
        elif isinstance(op, Flatten):
            if pending is not None:
                close()
            flattened = len(shape) > 1
        elif isinstance(op, ChannelAffine):
            if pending is None or pending.activation is not None:
                if op.scale.size != 1 or np.any(op.shift != 0):
                    raise ParameterError(
                        op.name,
                        "a per-channel scale or a shift on a layer input",
                        "a scalar multiplication before a linear layer",
                    )
                if pending is not None:
                    close()
                input_scale *= float(op.scale.ravel()[0])
                continue
            if pending.pool is not None and pending.pool_position is PoolPosition.OUTPUT:
                raise ParameterError(op.name, "an affine op after pooling", "pooling at the end")
            pending.a_shift = op.scale * pending.a_shift + op.shift
            pending.a_scale = op.scale * pending.a_scale
            pending.affine_seen = True
        elif isinstance(op, Activation):
            if pending is None or pending.activation is not None:
                raise ParameterError(op.name, op.kind, "an activation right after a layer")
            pending.activation = op.kind
        else:  # Pool
            if pending is None or pending.pool is not None or pending.linear.spatial == 0:
                raise ParameterError(op.name, "pooling", "one pooling per convolution")
            pending.pool = op
            if pending.activation is not None or (pending.affine_seen and op.kind is PoolKind.MAX):
                pending.pool_position = PoolPosition.OUTPUT
    if pending is None:
        raise ParameterError("graph", "no layer after the last operation", "a linear last layer")
    last = _finish(pending, shape, flattened, last=True)
    layers.append(last)
    return Network(name, tuple(layers), tuple(input_shape), input_bits, metadata or {})
