"""Training of the SE-FCN in PyTorch (optional extra ``train``), exported to NumPy.

The PyTorch module has exactly the layers of :mod:`rram_ber.analysis.segmentation.network`;
:func:`export` writes its weights as the crossbar matrices of :class:`SegmentationNet` (CKF
layout), so evaluation, pruning and the analog model never need PyTorch. Loss: binary
cross-entropy plus soft Dice (Milletari, Navab, Ahmadi, "V-Net", 3DV 2016), Adam. Training is
seeded and runs on one thread: the same seed and PyTorch build give the same weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from rram_ber.analysis.segmentation.network import SegmentationNet
from rram_ber.core.validation import check_int, check_range


class _SqueezeExcite(nn.Module):
    def __init__(self, channels: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gate = torch.sigmoid(self.fc2(functional.relu(self.fc1(x.mean(dim=(2, 3))))))
        return x * gate[:, :, None, None]


class SeFcn(nn.Module):
    """The SE-FCN of :mod:`rram_ber.analysis.segmentation.network` (channels A, B, C; SE
    hidden units ``se_hidden``, by default a quarter of the block's channels)."""

    def __init__(
        self, a: int = 8, b: int = 16, c: int = 32, se_hidden: tuple[int, int] | None = None
    ) -> None:
        super().__init__()
        hidden = se_hidden or (max(1, b // 4), max(1, c // 4))
        self.enc1 = nn.Conv2d(1, a, 3, padding=1)
        self.enc2 = nn.Conv2d(a, b, 3, stride=2, padding=1)
        self.se2 = _SqueezeExcite(b, hidden[0])
        self.enc3 = nn.Conv2d(b, c, 3, stride=2, padding=1)
        self.se3 = _SqueezeExcite(c, hidden[1])
        self.dec1 = nn.ConvTranspose2d(c, b, 2, stride=2)
        self.dec2 = nn.ConvTranspose2d(b, a, 2, stride=2)
        self.head = nn.Conv2d(a, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e1 = functional.relu(self.enc1(x))
        e2 = self.se2(functional.relu(self.enc2(e1)))
        e3 = self.se3(functional.relu(self.enc3(e2)))
        d1 = functional.relu(self.dec1(e3)) + e2
        d2 = functional.relu(self.dec2(d1)) + e1
        return self.head(d2)[:, 0]

    @classmethod
    def from_net(cls, net: SegmentationNet) -> SeFcn:
        """A module holding ``net``'s weights (for fine-tuning a pruned network)."""
        a, b, c = net.channels
        m, bias = net.matrices, net.biases
        module = cls(a, b, c, (m["se2_fc1"].shape[1], m["se3_fc1"].shape[1]))
        with torch.no_grad():
            for name in ("enc1", "enc2", "enc3", "head"):
                layer = getattr(module, name)
                k = layer.kernel_size[0]
                weight = np.asarray(m[name]).T.reshape(layer.out_channels, layer.in_channels, k, k)
                layer.weight.copy_(torch.from_numpy(weight.copy()))
                layer.bias.copy_(torch.from_numpy(np.asarray(bias[name]).copy()))
            for name in ("dec1", "dec2"):
                layer = getattr(module, name)
                weight = np.asarray(m[name]).reshape(layer.in_channels, layer.out_channels, 2, 2)
                layer.weight.copy_(torch.from_numpy(weight.copy()))
                bias_f = np.asarray(bias[name]).reshape(layer.out_channels, 4)[:, 0]
                layer.bias.copy_(torch.from_numpy(bias_f.copy()))
            for prefix in ("se2", "se3"):
                se = getattr(module, prefix)
                for fc in ("fc1", "fc2"):
                    linear = getattr(se, fc)
                    linear.weight.copy_(torch.from_numpy(np.asarray(m[f"{prefix}_{fc}"]).T.copy()))
                    linear.bias.copy_(torch.from_numpy(np.asarray(bias[f"{prefix}_{fc}"]).copy()))
        return module


def export(module: SeFcn) -> SegmentationNet:
    """The module's weights as CKF crossbar matrices and biases (float32)."""
    matrices: dict[str, np.ndarray] = {}
    biases: dict[str, np.ndarray] = {}

    def array(t: torch.Tensor) -> np.ndarray:
        return t.detach().cpu().numpy().astype(np.float32)

    for name in ("enc1", "enc2", "enc3", "head"):
        layer = getattr(module, name)
        matrices[name] = array(layer.weight).reshape(layer.out_channels, -1).T.copy()
        biases[name] = array(layer.bias)
    for name in ("dec1", "dec2"):
        layer = getattr(module, name)
        matrices[name] = array(layer.weight).reshape(layer.in_channels, -1).copy()
        biases[name] = np.repeat(array(layer.bias), 4)
    for prefix in ("se2", "se3"):
        se = getattr(module, prefix)
        for fc in ("fc1", "fc2"):
            linear = getattr(se, fc)
            matrices[f"{prefix}_{fc}"] = array(linear.weight).T.copy()
            biases[f"{prefix}_{fc}"] = array(linear.bias)
    return SegmentationNet(matrices, biases)


@dataclass(frozen=True, slots=True)
class TrainSettings:
    """Training recipe."""

    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 3e-3
    seed: int = 1

    def __post_init__(self) -> None:
        check_int("epochs", self.epochs, 1, 10_000)
        check_int("batch_size", self.batch_size, 1, 100_000)
        check_range("learning_rate", self.learning_rate, 0.0, 1.0, low_inclusive=False)
        check_int("seed", self.seed, 0)


def _loss(logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    probabilities = torch.sigmoid(logits)
    intersection = (probabilities * masks).sum()
    dice = (2.0 * intersection + 1.0) / (probabilities.sum() + masks.sum() + 1.0)
    return functional.binary_cross_entropy_with_logits(logits, masks) + (1.0 - dice)


def fit(
    module: SeFcn, images: np.ndarray, masks: np.ndarray, settings: TrainSettings
) -> list[float]:
    """Train ``module`` in place; return the mean loss of each epoch."""
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(settings.seed)
    x = torch.from_numpy(np.asarray(images, np.float32))[:, None]
    y = torch.from_numpy(np.asarray(masks, np.float32))
    optimiser = torch.optim.Adam(module.parameters(), lr=settings.learning_rate)
    losses = []
    module.train()
    for _ in range(settings.epochs):
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for start in range(0, len(x), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            optimiser.zero_grad()
            loss = _loss(module(x[batch]), y[batch])
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(batch)
        losses.append(total / len(x))
    module.eval()
    return losses


def train_network(
    images: np.ndarray,
    masks: np.ndarray,
    settings: TrainSettings,
    channels: tuple[int, int, int] = (8, 16, 32),
) -> tuple[SegmentationNet, list[float]]:
    """A freshly initialised (seeded) SE-FCN trained on ``images``/``masks``, exported."""
    torch.manual_seed(settings.seed)
    module = SeFcn(*channels)
    losses = fit(module, images, masks, settings)
    return export(module), losses


def fine_tune(
    net: SegmentationNet, images: np.ndarray, masks: np.ndarray, settings: TrainSettings
) -> tuple[SegmentationNet, list[float]]:
    """Continue training ``net`` (e.g. after pruning) and export it again."""
    torch.manual_seed(settings.seed)
    module = SeFcn.from_net(net)
    losses = fit(module, images, masks, settings)
    return export(module), losses
