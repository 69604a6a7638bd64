"""PyTorch building blocks of binarized / ternary networks (optional extra ``train``).

Quantizers with straight-through estimators, activation objects that know their forward
pass, their gradient and their folded inference form, quantized linear and convolution layers
with latent-weight clipping and optional weight errors in the training forward pass, and the
:class:`RecipeNet` a :class:`~analysis.bnn.recipes.Recipe` describes. The evaluator never
imports this module.

Conventions are those of the evaluator and of the seed papers' code:

* ``sign(0) = +1``; the sign activation's gradient is the hardtanh straight-through estimator
  ``1{|x| <= 1}`` (BinaryNet, Courbariaux, Hubara et al., arXiv 1602.02830);
* weights: sign (binary) or the fixed-threshold ternarizer ``q(w) = +1 if w > 0.05, -1 if
  w < -0.05, else 0`` (Laborieux et al., arXiv 2007.14234); the gradient passes to the
  latent weights unchanged (they are clipped to [-1, 1] after every step, so the estimator's
  window never cuts it);
* weight errors during training (Hirtzlin et al., AICAS 2019): each quantized weight is read
  as another level with the probabilities of a
  :class:`~analysis.bnn.errors.TransitionMatrix` (binary: sign flips; ternary 0 <-> +-1 at an
  average rate, or a measured matrix); the error is added without gradient, so the latent
  weight receives the gradient of the weight actually used.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from rram_ber.analysis.bnn.errors import TransitionMatrix
from rram_ber.analysis.bnn.layers import LayerType
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.analysis.bnn.recipes import Activation, Recipe
from rram_ber.core.validation import ParameterError

#: Batch-norm epsilon (added to the variance) and momentum (PyTorch convention: new weight).
BN_EPSILON = 1e-4
BN_MOMENTUM = 0.1


class _SignSTE(torch.autograd.Function):
    """sign with sign(0) = +1; backward: hardtanh straight-through ``1{|x| <= 1}``."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.where(x >= 0, 1.0, -1.0).to(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return grad * (x.abs() <= 1).to(grad.dtype)


def quantize_weights(w: torch.Tensor, kind: WeightKind, threshold: float) -> torch.Tensor:
    """Quantized weights with an identity gradient to the latent ones (``w + (q - w).detach()``)."""
    if kind is WeightKind.REAL:
        return w
    if kind is WeightKind.BINARY:
        q = torch.where(w >= 0, 1.0, -1.0).to(w.dtype)
    else:
        q = (w > threshold).to(w.dtype) - (w < -threshold).to(w.dtype)
    return w + (q - w).detach()


class SignActivation(nn.Module):
    """Binary activation: forward sign (sign(0) = +1), gradient ``1{|x| <= 1}``.

    Folded inference form: batch norm + sign become one threshold per channel
    (:class:`rram_ber.analysis.bnn.layers.SignThreshold`).
    """

    folded = "sign"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = _SignSTE.apply(x)
        return out


class ReluActivation(nn.ReLU):
    """ReLU of real feature layers; folded form: :class:`~analysis.bnn.layers.Affine` + ReLU."""

    folded = "relu"


def activation_module(activation: Activation) -> nn.Module:
    """The module of a recipe's activation (identity for the logits)."""
    if activation is Activation.SIGN:
        return SignActivation()
    if activation is Activation.RELU:
        return ReluActivation()
    return nn.Identity()


class WeightErrors:
    """Draws read errors on quantized weights in training forward passes.

    Parameters
    ----------
    ber : float
        Uniform rate (binary flips; ternary 0 <-> +-1 at this average rate, recomputed from the
        current zero fraction at every draw). Ignored if ``matrix`` is given.
    matrix : TransitionMatrix, optional
        A measured transition matrix (e.g. one condition of a campaign's ``ber.csv``).
    generator : torch.Generator
        Seeded source of the draws.
    """

    def __init__(
        self,
        ber: float,
        generator: torch.Generator,
        matrix: TransitionMatrix | None = None,
    ):
        self.ber, self.matrix, self.generator = ber, matrix, generator

    def _matrix(self, kind: WeightKind, q: torch.Tensor) -> TransitionMatrix:
        if self.matrix is not None:
            return self.matrix
        if kind is WeightKind.BINARY:
            return TransitionMatrix.symmetric(self.ber)
        return TransitionMatrix.ternary_from_ber(self.ber, float((q == 0).float().mean()))

    def __call__(self, q: torch.Tensor, kind: WeightKind) -> torch.Tensor:
        """``q`` with errors drawn; the change carries no gradient."""
        if kind is WeightKind.REAL or (self.matrix is None and self.ber == 0):
            return q
        if self.matrix is None and kind is WeightKind.BINARY:
            # Symmetric flips: one uniform draw per weight, cheaper than the general path.
            flip = torch.rand(q.shape, generator=self.generator, dtype=q.dtype) < self.ber
            return q - 2 * (q.detach() * flip)
        matrix = self._matrix(kind, q)
        levels = torch.tensor(matrix.levels, dtype=q.dtype)
        cumulative = torch.tensor(np.cumsum(matrix.probabilities, axis=1), dtype=q.dtype)
        stored = q.detach()
        index = torch.bucketize(stored, levels)  # level index of each weight
        u = torch.rand(stored.shape, generator=self.generator, dtype=q.dtype)
        # Read level j: the first whose cumulative probability exceeds u (inverse CDF).
        read_index = (u.unsqueeze(-1) >= cumulative[index]).sum(-1).clamp(max=len(levels) - 1)
        return q + (levels[read_index] - stored)


class _Quantized:
    """Weight quantization (and training errors) shared by the quantized layers."""

    weight: torch.Tensor
    training: bool
    kind: WeightKind
    threshold: float
    errors: WeightErrors | None

    def quantized_weight(self) -> torch.Tensor:
        """The weights the forward pass uses (with training errors when enabled)."""
        q = quantize_weights(self.weight, self.kind, self.threshold)
        if self.training and self.errors is not None:
            q = self.errors(q, self.kind)
        return q


class QuantLinear(_Quantized, nn.Linear):
    """Dense layer with quantized weights (no bias: batch norm follows)."""

    def __init__(self, n_in: int, n_out: int, kind: WeightKind, threshold: float):
        super().__init__(n_in, n_out, bias=False)
        self.kind, self.threshold = kind, threshold
        self.errors = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(x, self.quantized_weight())


class QuantConv1d(_Quantized, nn.Conv1d):
    """1-D convolution with quantized weights, zero padding, no bias."""

    def __init__(self, c_in: int, c_out: int, kernel: int, padding: int, kind: WeightKind,
                 threshold: float):  # fmt: skip
        super().__init__(c_in, c_out, kernel, padding=padding, bias=False)
        self.kind, self.threshold = kind, threshold
        self.errors = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(x, self.quantized_weight(), None)


class QuantConv2d(_Quantized, nn.Conv2d):
    """2-D convolution with quantized weights, zero padding, no bias."""

    def __init__(self, c_in: int, c_out: int, kernel: tuple[int, int], padding: int,
                 kind: WeightKind, threshold: float):  # fmt: skip
        super().__init__(c_in, c_out, kernel, padding=padding, bias=False)
        self.kind, self.threshold = kind, threshold
        self.errors = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._conv_forward(x, self.quantized_weight(), None)


QuantLayer = QuantLinear | QuantConv1d | QuantConv2d


class InputScale(nn.Module):
    """Multiplies the integer input codes by ``1 / max_code`` (folded into the first layer)."""

    def __init__(self, scale: float):
        super().__init__()
        self.scale = scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale


def _glorot(layer: nn.Module) -> None:
    """Uniform +-sqrt(6 / (fan_in + n_out)) latent weights (BinaryNet's initialisation)."""
    weight = layer.weight
    assert isinstance(weight, torch.Tensor)
    fan_in = weight[0].numel()
    limit = float(np.sqrt(6 / (fan_in + weight.shape[0])))
    with torch.no_grad():
        weight.uniform_(-limit, limit)


class RecipeNet(nn.Sequential):
    """The network of a recipe, channels first (N, C, H, W) / (N, C, L) / (N, K).

    Attributes ``torch_input_shape`` and ``input_bits`` are the defaults
    :func:`rram_ber.analysis.bnn.torch_export.from_torch` uses.
    """

    def __init__(self, recipe: Recipe, max_code: int, input_bits: int):
        modules: list[nn.Module] = [InputScale(1.0 / max_code)]
        shape = recipe.input_shape
        channels = shape[-1]
        flat = len(shape) == 1
        for spec in recipe.layers:
            threshold = recipe.ternary_threshold
            linear: QuantLayer
            if spec.type is LayerType.DENSE:
                if not flat:
                    modules.append(nn.Flatten())
                    flat = True
                n_in = int(np.prod(shape))
                linear = QuantLinear(n_in, spec.n_out, spec.weights, threshold)
                modules.append(linear)
                norm: nn.Module = nn.BatchNorm1d(spec.n_out, BN_EPSILON, BN_MOMENTUM)
                shape = (spec.n_out,)
            elif spec.type is LayerType.CONV1D:
                k = spec.kernel_1d
                linear = QuantConv1d(channels, spec.n_out, k, spec.padding, spec.weights,
                                     threshold)  # fmt: skip
                modules.append(linear)
                if spec.pool > 1:
                    modules.append(nn.MaxPool1d(spec.pool))
                norm = nn.BatchNorm1d(spec.n_out, BN_EPSILON, BN_MOMENTUM)
                length = (shape[0] + 2 * spec.padding - k + 1) // spec.pool
                shape = (length, spec.n_out)
            else:
                kh, kw = spec.kernel_2d
                linear = QuantConv2d(channels, spec.n_out, (kh, kw), spec.padding,
                                     spec.weights, threshold)  # fmt: skip
                modules.append(linear)
                if spec.pool > 1:
                    modules.append(nn.MaxPool2d(spec.pool))
                norm = nn.BatchNorm2d(spec.n_out, BN_EPSILON, BN_MOMENTUM)
                h = (shape[0] + 2 * spec.padding - kh + 1) // spec.pool
                w = (shape[1] + 2 * spec.padding - kw + 1) // spec.pool
                shape = (h, w, spec.n_out)
            channels = spec.n_out
            if recipe.weight_init == "glorot":
                _glorot(linear)
            elif recipe.weight_init != "default":
                raise ParameterError("weight_init", recipe.weight_init, "'default' or 'glorot'")
            modules += [norm, activation_module(spec.activation)]
        super().__init__(*modules)
        # PyTorch layout of one input: (C, H, W), (C, L) or (K,).
        shape = recipe.input_shape
        self.torch_input_shape = shape if len(shape) == 1 else (shape[-1], *shape[:-1])
        self.input_bits = input_bits

    def quant_layers(self) -> list[QuantLayer]:
        """The weighted layers, in order."""
        return [m for m in self if isinstance(m, QuantLinear | QuantConv1d | QuantConv2d)]

    def clip_latent_weights(self) -> None:
        """Latent weights of binary/ternary layers back into [-1, 1] (BinaryNet)."""
        with torch.no_grad():
            for layer in self.quant_layers():
                if layer.kind is not WeightKind.REAL:
                    layer.weight.clamp_(-1, 1)

    def set_weight_errors(self, errors: WeightErrors | None) -> None:
        """Draw ``errors`` in every training forward pass of the binary/ternary layers."""
        for layer in self.quant_layers():
            layer.errors = errors


def to_channels_first(x: np.ndarray[Any, Any]) -> torch.Tensor:
    """Float tensor (N, C, ...) from channels-last integer codes (N, ..., C)."""
    t = torch.from_numpy(np.array(x, dtype=np.float32))
    if t.ndim > 2:
        t = t.movedim(-1, 1).contiguous()
    return t
