"""``from_torch``: a PyTorch binarized / ternary network exported to the evaluator's format.

The module's leaf modules are read in registration order, which must be the execution order
(an ``nn.Sequential``, or a module whose submodules are declared in the order they run), and
translated into the operations of :mod:`rram_ber.analysis.bnn.convert`, which folds them:

* ``nn.Linear``, ``nn.Conv1d``, ``nn.Conv2d`` (``groups = 1``, dilation 1, zero padding equal
  on every side, equal strides) and the quantized layers of :mod:`rram_ber.analysis.bnn.torch_nn`
  (their quantized weights are exported; +-s per output channel is binary, {-s, 0, s}
  ternary, anything else real);
* ``nn.BatchNorm1d`` / ``nn.BatchNorm2d`` (running statistics, eval mode);
* activations: :class:`~analysis.bnn.torch_nn.SignActivation` (or any module with
  ``folded = "sign"``), ``nn.ReLU``; ``nn.Hardtanh`` only right before a sign;
* ``nn.MaxPool1d/2d``, ``nn.AvgPool1d/2d`` with kernel = stride, no padding, floor mode;
* ``nn.Flatten``; :class:`~analysis.bnn.torch_nn.InputScale` (a scalar multiplication of the
  input, folded into the first layer); ``nn.Identity`` and ``nn.Dropout`` (no-ops at inference).

Anything else is refused with the module's name and type, and so is a subclass of one of these
with its own ``forward`` (e.g. an ``nn.Linear`` computing ``F.linear(x, torch.sign(W))``):
from_torch reads parameters, not code, and would export the latent real weights. Functions
called in a module's ``forward`` (``torch.sign(h)`` between layers) are invisible to it too, so
the export is checked against the module itself on random inputs (:func:`_check_export`) and
refused if they disagree. Such networks are read faithfully through ONNX
(``torch.onnx.export``, then :func:`rram_ber.analysis.bnn.onnx_import.load_onnx`), which
records the computation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from rram_ber.analysis.bnn.convert import (
    Activation,
    ChannelAffine,
    Flatten,
    Linear,
    Op,
    Pool,
    batch_norm,
    fold_chain,
)
from rram_ber.analysis.bnn.geometry import PoolKind
from rram_ber.analysis.bnn.layers import Network
from rram_ber.analysis.bnn.torch_nn import InputScale, QuantConv1d, QuantConv2d, QuantLinear
from rram_ber.core.validation import ParameterError


def _array(t: torch.Tensor) -> np.ndarray[Any, Any]:
    return t.detach().cpu().to(torch.float64).numpy()


def _single(name: str, value: Any, what: str) -> int:
    values = set(value) if isinstance(value, tuple | list) else {value}
    if len(values) != 1:
        raise ParameterError(name, value, f"the same {what} on every axis")
    return int(values.pop())


def _conv(name: str, m: nn.Conv1d | nn.Conv2d) -> Linear:
    if m.groups != 1 or any(d != 1 for d in m.dilation) or m.padding_mode != "zeros":
        raise ParameterError(name, type(m).__name__, "groups 1, dilation 1, zero padding")
    if isinstance(m.padding, str):
        raise ParameterError(name, m.padding, "an integer padding")
    weight = m.quantized_weight() if isinstance(m, QuantConv1d | QuantConv2d) else m.weight
    bias = None if m.bias is None else _array(m.bias)
    spatial = 1 if isinstance(m, nn.Conv1d) else 2
    stride = _single(f"{name}.stride", m.stride, "stride")
    padding = _single(f"{name}.padding", m.padding, "padding")
    return Linear(name, _array(weight), bias, spatial, stride, padding)


def _pool(name: str, m: nn.Module) -> Pool:
    kernel = _single(f"{name}.kernel_size", m.kernel_size, "kernel")
    stride = _single(f"{name}.stride", m.stride, "stride")
    padding = _single(f"{name}.padding", m.padding, "padding")
    if stride != kernel or padding or m.ceil_mode or getattr(m, "dilation", 1) not in (1, (1, 1)):
        raise ParameterError(name, type(m).__name__, "kernel = stride, no padding, floor mode")
    kind = PoolKind.MAX if isinstance(m, nn.MaxPool1d | nn.MaxPool2d) else PoolKind.AVG
    return Pool(name, kind, kernel)


#: Modules read by type; a subclass with its own ``forward`` computes something else.
_STANDARD = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.BatchNorm1d, nn.BatchNorm2d, nn.ReLU,
             nn.Hardtanh, nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d, nn.Flatten,
             nn.Identity, nn.Dropout)  # fmt: skip
#: This project's layers, whose ``forward`` is known (quantized weights, folded form).
_OWN = (InputScale, QuantLinear, QuantConv1d, QuantConv2d)
#: Random inputs of the export check, and the share of them allowed to differ (a hidden
#: sign at a float32 tie between PyTorch's batch norm and the folded threshold).
_CHECK_INPUTS = 64
_CHECK_MISMATCH = 1 / 8


def _leaves(module: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(n or type(m).__name__, m) for n, m in module.named_modules()
            if not list(m.children())]  # fmt: skip


def _refuse_own_forward(name: str, m: nn.Module) -> None:
    if isinstance(m, _OWN) or getattr(m, "folded", None) in ("sign", "relu"):
        return
    for base in _STANDARD:
        if isinstance(m, base) and type(m).forward is not base.forward:
            raise ParameterError(
                f"module {name!r}",
                type(m).__name__,
                f"a {base.__name__} without its own forward (from_torch reads the weights, not "
                f"what {type(m).__name__}.forward computes with them, e.g. sign(W)); use "
                "QuantLinear/QuantConv1d/QuantConv2d of rram_ber.analysis.bnn.torch_nn, or "
                "export to ONNX (torch.onnx.export) and load the .onnx file",
            )


def torch_ops(module: nn.Module) -> list[Op]:
    """The module's leaf modules as a chain of :mod:`rram_ber.analysis.bnn.convert` operations."""
    leaves = _leaves(module)
    ops: list[Op] = []
    with torch.no_grad():
        for index, (name, m) in enumerate(leaves):
            following = leaves[index + 1][1] if index + 1 < len(leaves) else None
            _refuse_own_forward(name, m)
            if isinstance(m, InputScale):
                ops.append(ChannelAffine(name, np.array([m.scale]), np.zeros(1)))
            elif isinstance(m, QuantLinear):
                ops.append(Linear(name, _array(m.quantized_weight())))
            elif isinstance(m, nn.Linear):
                ops.append(Linear(name, _array(m.weight),
                                  None if m.bias is None else _array(m.bias)))  # fmt: skip
            elif isinstance(m, nn.Conv1d | nn.Conv2d):
                ops.append(_conv(name, m))
            elif isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d):
                if m.running_mean is None or m.running_var is None:
                    raise ParameterError(name, "batch norm without running statistics",
                                         "track_running_stats=True")  # fmt: skip
                gamma = _array(m.weight) if m.affine else np.ones(m.num_features)
                beta = _array(m.bias) if m.affine else np.zeros(m.num_features)
                ops.append(batch_norm(name, gamma, beta, _array(m.running_mean),
                                      _array(m.running_var), m.eps))  # fmt: skip
            elif getattr(m, "folded", None) in ("sign", "relu"):
                ops.append(Activation(name, str(m.folded)))
            elif isinstance(m, nn.ReLU):
                ops.append(Activation(name, "relu"))
            elif isinstance(m, nn.Hardtanh):
                if getattr(following, "folded", None) != "sign":
                    raise ParameterError(name, "Hardtanh", "Hardtanh only right before a sign")
            elif isinstance(m, nn.MaxPool1d | nn.MaxPool2d | nn.AvgPool1d | nn.AvgPool2d):
                ops.append(_pool(name, m))
            elif isinstance(m, nn.Flatten):
                ops.append(Flatten(name))
            elif not isinstance(m, nn.Identity | nn.Dropout):
                raise ParameterError(
                    f"module {name!r}", type(m).__name__, "a layer from_torch can export "
                    "(Linear, Conv1d/2d, BatchNorm, sign, ReLU, pooling, Flatten)"
                )  # fmt: skip
    return ops


def from_torch(
    module: nn.Module,
    input_shape: tuple[int, ...] | None = None,
    input_bits: int | None = None,
    name: str = "torch-model",
    metadata: dict[str, Any] | None = None,
) -> Network:
    """Export a PyTorch network (see the module docstring) to a :class:`Network`.

    Parameters
    ----------
    module : torch.nn.Module
        The trained network; exported as in eval mode (batch-norm running statistics).
    input_shape : tuple of int, optional
        One input in PyTorch's layout: (C, H, W), (C, L) or (K,). Default: the module's
        ``torch_input_shape`` (networks of :mod:`rram_ber.analysis.bnn.torch_nn`), else
        ``(in_features,)`` of a first ``nn.Linear``; a network starting with a convolution
        needs it.
    input_bits : int, optional
        Inputs are integer codes of that many bits; None: float inputs (default: the
        module's ``input_bits`` if it has one).
    name : str
        Network name.
    metadata : dict, optional
        Stored with the network (data set, description, training record).

    Raises
    ------
    ParameterError
        Naming the module that cannot be exported, or if the export's logits differ from the
        module's on random inputs.
    """
    shape = input_shape if input_shape is not None else getattr(module, "torch_input_shape", None)
    shape = shape if shape is not None else _flat_input_shape(module)
    if shape is None:
        raise ParameterError(
            "input_shape", None, "the shape of one input in PyTorch's layout, e.g. (1, 28, 28) "
            "(inferred only when the first layer is an nn.Linear)"
        )  # fmt: skip
    bits = input_bits if input_bits is not None else getattr(module, "input_bits", None)
    dims = [int(s) for s in shape]
    info = dict(metadata or {})
    if len(dims) > 1:
        info.setdefault("input_layout", "channels_first")
        info.setdefault("source_input_shape", dims)
    channels_last = tuple(dims[1:] + dims[:1]) if len(dims) > 1 else tuple(dims)
    network = fold_chain(torch_ops(module), name, channels_last, bits, info)
    _check_export(module, network, dims, bits)
    return network


def _flat_input_shape(module: nn.Module) -> tuple[int] | None:
    """``(in_features,)`` if the first layer is an ``nn.Linear`` (only element-wise modules
    before it); None otherwise (a convolution's input size is not in its weights)."""
    for _, m in _leaves(module):
        if isinstance(m, nn.Linear):
            return (int(m.in_features),)
        if isinstance(m, nn.Conv1d | nn.Conv2d | nn.Flatten | nn.MaxPool1d | nn.MaxPool2d
                      | nn.AvgPool1d | nn.AvgPool2d):  # fmt: skip
            return None
    return None


def _check_export(module: nn.Module, network: Network, dims: list[int], bits: int | None) -> None:
    """Refuse an export whose logits differ from the module's on random inputs (integer codes
    of ``bits`` bits, or standard normal floats), e.g. because ``forward`` calls functions
    (``torch.sign``) that no module records."""
    rng = np.random.default_rng(0)
    size = (_CHECK_INPUTS, *dims)
    x = rng.integers(0, 2**bits, size) if bits is not None else rng.normal(0, 1, size)
    parameter = next(module.parameters(), None)
    dtype = torch.float32 if parameter is None else parameter.dtype
    training = module.training
    module.eval()
    try:
        with torch.no_grad():
            expected = module(torch.as_tensor(x, dtype=dtype))
    finally:
        module.train(training)
    got = network.forward(np.moveaxis(x, 1, -1) if len(dims) > 1 else x)
    if not isinstance(expected, torch.Tensor) or tuple(expected.shape) != got.shape:
        raise ParameterError(
            "module output", type(expected).__name__, f"logits of shape {got.shape}"
        )
    reference = _array(expected)
    tolerance = 1e-3 * max(1.0, float(np.abs(reference).max()))
    differ = int(np.sum(~np.all(np.abs(got - reference) <= tolerance, axis=1)))
    if differ > _CHECK_MISMATCH * _CHECK_INPUTS:
        raise ParameterError(
            f"module {type(module).__name__}",
            f"logits differing from the export on {differ} of {_CHECK_INPUTS} random inputs",
            "a network computed by its modules only (functions called in forward, e.g. "
            "torch.sign between layers, are invisible to from_torch); export it to ONNX "
            "(torch.onnx.export) and load the .onnx file, which records them",
        )
