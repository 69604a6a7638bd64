"""A small squeeze-and-excitation fully convolutional network (SE-FCN), in NumPy.

The architecture follows the kind of network Chen et al. map onto memristor crossbars
("An Efficient Memristor-Based Circuit Implementation of Squeeze-and-Excitation Fully
Convolutional Neural Networks", IEEE TNNLS 33(4):1779-1790, 2022): a convolutional encoder
with SE blocks, a decoder of transposed convolutions, and a 1 x 1 classifier per pixel, scaled
down to 32 x 32 synthetic images::

    enc1  conv 3x3, 1 -> A, ReLU                      H x W       (skip to dec2)
    enc2  conv 3x3 stride 2, A -> B, ReLU, SE(B)      H/2 x W/2   (skip to dec1)
    enc3  conv 3x3 stride 2, B -> C, ReLU, SE(C)      H/4 x W/4
    dec1  transposed conv 2x2 stride 2, C -> B, ReLU, + enc2
    dec2  transposed conv 2x2 stride 2, B -> A, ReLU, + enc1
    head  conv 1x1, A -> 1: the logit of "cell" per pixel

An SE block (Hu, Shen, Sun, "Squeeze-and-excitation networks", CVPR 2018) scales each channel
by ``sigmoid(W2 relu(W1 mean_hw(x) + b1) + b2)``, with ``W1`` of C/4 rows.

Every weighted layer is one matrix product ``X @ W`` (+ bias, digital) with ``X >= 0`` (an image
in [0, 1] or a ReLU output), which is what a crossbar computes: the forward pass takes the
product as a function (:data:`MatMul`), the exact one or the analog tiles of
:mod:`rram_ber.analysis.segmentation.analog`. The weight matrices are laid out kernel first
(CKF, Chen et al.): row ``c * k * k + u * k + v`` of a convolution's matrix is tap ``(u, v)`` of
input channel ``c``, so each input channel's kernel occupies consecutive crossbar rows and a
pruned input channel removes a block of rows; column ``f`` is output channel ``f``. A
transposed 2 x 2 convolution of stride 2 has one row per input channel and one column per
(output channel, tap): each input pixel writes a 2 x 2 patch, with no overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rram_ber.core.validation import ParameterError

Array = NDArray[np.float32]
#: ``matmul(layer_name, X, W) -> X @ W`` for ``X`` (P, K) >= 0 and ``W`` (K, F).
MatMul = Callable[[str, Array, Array], Array]

#: Weighted layers in forward order (each one crossbar matrix).
LAYERS = (
    "enc1",
    "enc2",
    "se2_fc1",
    "se2_fc2",
    "enc3",
    "se3_fc1",
    "se3_fc2",
    "dec1",
    "dec2",
    "head",
)


def exact_matmul(name: str, x: Array, w: Array) -> Array:
    """The exact product (the clean, floating-point network)."""
    return x @ w


@dataclass(frozen=True)
class SegmentationNet:
    """Weights of the SE-FCN as crossbar matrices (CKF layout) and biases.

    Attributes
    ----------
    matrices : mapping of layer name to float32 array (K, F)
    biases : mapping of layer name to float32 array (F,)
    """

    matrices: Mapping[str, Array]
    biases: Mapping[str, Array]

    def __post_init__(self) -> None:
        missing = [n for n in LAYERS if n not in self.matrices or n not in self.biases]
        if missing:
            raise ParameterError("network", ", ".join(missing), "every layer of the SE-FCN")

    @property
    def channels(self) -> tuple[int, int, int]:
        """``(A, B, C)``: channels of the three resolutions."""
        return (
            self.matrices["enc1"].shape[1],
            self.matrices["enc2"].shape[1],
            self.matrices["enc3"].shape[1],
        )

    def save(self, path: str) -> None:
        """Write to ``.npz`` (``m_<layer>``, ``b_<layer>``)."""
        arrays = {f"m_{n}": np.asarray(self.matrices[n]) for n in LAYERS}
        arrays.update({f"b_{n}": np.asarray(self.biases[n]) for n in LAYERS})
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str) -> SegmentationNet:
        """Read what :meth:`save` wrote."""
        with np.load(path, allow_pickle=False) as data:
            matrices = {n: data[f"m_{n}"].astype(np.float32) for n in LAYERS}
            biases = {n: data[f"b_{n}"].astype(np.float32) for n in LAYERS}
        return cls(matrices, biases)


def im2col(x: Array, kernel: int, stride: int) -> tuple[Array, int, int]:
    """Patches of ``x`` (B, C, H, W), zero padding ``kernel // 2``, in CKF order.

    Returns ``(patches (B * Ho * Wo, C * k * k), Ho, Wo)``.
    """
    pad = kernel // 2
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kernel, kernel), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride]
    b, c, ho, wo = windows.shape[:4]
    patches = windows.transpose(0, 2, 3, 1, 4, 5).reshape(b * ho * wo, c * kernel * kernel)
    return np.ascontiguousarray(patches), ho, wo


def _conv(
    matmul: MatMul, net: SegmentationNet, name: str, x: Array, kernel: int, stride: int
) -> Array:
    b = x.shape[0]
    patches, ho, wo = im2col(x, kernel, stride)
    y = matmul(name, patches, net.matrices[name]) + net.biases[name]
    return y.reshape(b, ho, wo, -1).transpose(0, 3, 1, 2)


def _deconv(matmul: MatMul, net: SegmentationNet, name: str, x: Array) -> Array:
    b, c, h, w = x.shape
    pixels = x.transpose(0, 2, 3, 1).reshape(b * h * w, c)
    y = matmul(name, pixels, net.matrices[name]) + net.biases[name]
    f = y.shape[1] // 4
    y = y.reshape(b, h, w, f, 2, 2).transpose(0, 3, 1, 4, 2, 5)
    return y.reshape(b, f, 2 * h, 2 * w)


def _relu(x: Array) -> Array:
    return np.maximum(x, 0.0)


def _se(matmul: MatMul, net: SegmentationNet, prefix: str, x: Array) -> Array:
    pooled = x.mean(axis=(2, 3))
    fc1 = matmul(prefix + "_fc1", pooled, net.matrices[prefix + "_fc1"])
    hidden = _relu(fc1 + net.biases[prefix + "_fc1"])
    gate = matmul(prefix + "_fc2", hidden, net.matrices[prefix + "_fc2"])
    gate = 1.0 / (1.0 + np.exp(-(gate + net.biases[prefix + "_fc2"])))
    return x * gate[:, :, None, None]


def forward(net: SegmentationNet, images: Array, matmul: MatMul = exact_matmul) -> Array:
    """Per-pixel logits (B, H, W) of ``images`` (B, H, W) in [0, 1]."""
    x = np.asarray(images, np.float32)[:, None]
    e1 = _relu(_conv(matmul, net, "enc1", x, 3, 1))
    e2 = _se(matmul, net, "se2", _relu(_conv(matmul, net, "enc2", e1, 3, 2)))
    e3 = _se(matmul, net, "se3", _relu(_conv(matmul, net, "enc3", e2, 3, 2)))
    d1 = _relu(_deconv(matmul, net, "dec1", e3)) + e2
    d2 = _relu(_deconv(matmul, net, "dec2", d1)) + e1
    return _conv(matmul, net, "head", d2, 1, 1)[:, 0]


def layer_positions(net: SegmentationNet, height: int, width: int) -> dict[str, int]:
    """How many times each layer's matrix is read per image (output positions)."""
    full, half, quarter = height * width, height * width // 4, height * width // 16
    return {
        "enc1": full,
        "enc2": half,
        "se2_fc1": 1,
        "se2_fc2": 1,
        "enc3": quarter,
        "se3_fc1": 1,
        "se3_fc2": 1,
        "dec1": quarter,
        "dec2": half,
        "head": full,
    }


def macs_per_image(net: SegmentationNet, height: int, width: int) -> int:
    """Multiply-accumulates of one image: sum over layers of ``K * F * positions``."""
    positions = layer_positions(net, height, width)
    return int(sum(int(np.prod(net.matrices[n].shape)) * positions[n] for n in LAYERS))


def prune_channels(net: SegmentationNet, fraction: float) -> SegmentationNet:
    """Remove the ``fraction`` of each channel group with the smallest weights (L1 norm).

    Groups: (enc1, dec2) at full resolution, (enc2, dec1) at half, enc3 at quarter (layers
    joined by a skip addition share channels). A removed channel drops its columns from the
    layers that produce it, its rows (a CKF block of ``k * k`` rows for a 3 x 3 convolution)
    from the layers that read it, and its row and column in the SE block. Returns a smaller
    network (no zeros left on the crossbars); fine-tuning it is the trainer's job.
    """
    if not 0.0 <= fraction < 1.0:
        raise ParameterError("fraction", fraction, "in [0, 1)")
    m = {n: np.asarray(v) for n, v in net.matrices.items()}
    b = {n: np.asarray(v) for n, v in net.biases.items()}
    a_ch, b_ch, c_ch = net.channels

    def keep(scores: NDArray[np.float64]) -> NDArray[np.int64]:
        n_keep = max(1, round(len(scores) * (1.0 - fraction)))
        return np.sort(np.argsort(-scores, kind="stable")[:n_keep])

    dec2 = m["dec2"].reshape(b_ch, a_ch, 4)
    dec1 = m["dec1"].reshape(c_ch, b_ch, 4)
    keep_a = keep(np.abs(m["enc1"]).sum(0) + np.abs(dec2).sum((0, 2)))
    keep_b = keep(np.abs(m["enc2"]).sum(0) + np.abs(dec1).sum((0, 2)))
    keep_c = keep(np.abs(m["enc3"]).sum(0))

    def rows3(matrix: NDArray[np.float32], channels: NDArray[np.int64]) -> NDArray[np.float32]:
        rows = (channels[:, None] * 9 + np.arange(9)[None, :]).ravel()
        return matrix[rows]

    def se(prefix: str, kept: NDArray[np.int64]) -> None:
        m[prefix + "_fc1"] = m[prefix + "_fc1"][kept]
        m[prefix + "_fc2"] = m[prefix + "_fc2"][:, kept]
        b[prefix + "_fc2"] = b[prefix + "_fc2"][kept]

    m["enc1"], b["enc1"] = m["enc1"][:, keep_a], b["enc1"][keep_a]
    m["enc2"] = rows3(m["enc2"], keep_a)[:, keep_b]
    b["enc2"] = b["enc2"][keep_b]
    se("se2", keep_b)
    m["enc3"] = rows3(m["enc3"], keep_b)[:, keep_c]
    b["enc3"] = b["enc3"][keep_c]
    se("se3", keep_c)
    m["dec1"] = dec1[keep_c][:, keep_b].reshape(len(keep_c), -1)
    b["dec1"] = b["dec1"].reshape(b_ch, 4)[keep_b].ravel()
    m["dec2"] = dec2[keep_b][:, keep_a].reshape(len(keep_b), -1)
    b["dec2"] = b["dec2"].reshape(a_ch, 4)[keep_a].ravel()
    m["head"] = m["head"][keep_a]
    return SegmentationNet(m, b)
