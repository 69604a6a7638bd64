"""Training of the analog MLP in PyTorch (optional extra ``train``): Bayes by backprop under the
technology's constraint, and the deterministic baseline.

Bayesian network (``kind="bayes"``)
    Mean-field Gaussian variational inference, Bayes by backprop (Blundell et al., ICML 2015):
    each normalised weight ``w ~ N(mu, sigma(mu)^2)`` independently, and the loss is the negative
    evidence lower bound per training example, ``E_q[-log p(y | x, w)] + KL(q || p) / N``, with
    the prior ``p(w) = N(0, PRIOR_SIGMA^2)`` and the KL of two normals in closed form. What
    makes the posterior technology-aware: ``sigma`` is not a free parameter but the spread of
    the conductance pair that holds the weight, ``sigma(mu)`` of
    :meth:`~rram_ber.analysis.bayes.devices.ConductanceMapping.weight_sigma`, the spread
    relation measured in SPICE (Dalgaty et al., Adv. Intell. Syst. 3(8) 2000103, 2021); the
    only variational parameters are the means, and the gradient also flows through
    ``sigma(mu)``. The expectation is estimated with one sample per example through the local
    reparameterisation (Kingma, Salimans, Welling, NeurIPS 2015): the pre-activation of each
    example is drawn from ``N(x @ mu, x^2 @ sigma^2)``, the same distribution as with a sampled
    weight matrix, with less gradient noise.

Deterministic baseline (``kind="deterministic"``)
    The same network, parameterisation and range, trained on the cross-entropy of the mean
    weights without any device noise or prior: what one would transfer without knowing the
    devices.

In both, the means are clipped to [-1, 1] (the programmable range of a pair) after every Adam
step, and each layer has a learned periphery gain (``exp`` of a free parameter). Seeded:
the same seed, thread count and PyTorch build give the same network.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import cast

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from rram_ber.analysis.bayes.devices import ConductanceMapping
from rram_ber.analysis.bayes.network import AnalogMlp
from rram_ber.core.validation import check_choice, check_int

#: Standard deviation of the Gaussian prior on a normalised weight.
PRIOR_SIGMA = 0.5
KINDS = ("bayes", "deterministic")


@dataclass(frozen=True)
class TrainSettings:
    """Network size and optimiser.

    Attributes
    ----------
    hidden : tuple of int
        Hidden layer widths.
    epochs, batch_size : int
        Passes over the training set, examples per Adam step.
    learning_rate : float
        Adam step size.
    """

    hidden: tuple[int, ...]
    epochs: int
    batch_size: int
    learning_rate: float = 1e-2


class _TechSigma(nn.Module):
    """``sigma(mu)`` of a normalised weight, from the spread polynomial (torch, differentiable)."""

    def __init__(self, mapping: ConductanceMapping) -> None:
        super().__init__()
        coefficients, g_min_us, g_range_us, scale = mapping.torch_sigma_terms()
        self.coefficients = coefficients
        self.g_min_us, self.g_range_us, self.scale = g_min_us, g_range_us, scale

    def _sigma_g(self, g_us: torch.Tensor) -> torch.Tensor:
        value = torch.zeros_like(g_us)
        for c in self.coefficients:
            value = value * g_us + c
        return torch.clamp(value, min=0.0)

    def forward(self, mu: torch.Tensor) -> torch.Tensor:
        g_plus = self.g_min_us + torch.relu(mu) * self.g_range_us
        g_minus = self.g_min_us + torch.relu(-mu) * self.g_range_us
        variance = self._sigma_g(g_plus) ** 2 + self._sigma_g(g_minus) ** 2
        return self.scale * torch.sqrt(variance + 1e-30) / self.g_range_us


class _AnalogLayer(nn.Module):
    def __init__(self, n_in: int, n_out: int, sigma: _TechSigma | None) -> None:
        super().__init__()
        bound = 1.0 / math.sqrt(n_in + 1)
        self.mu = nn.Parameter(torch.empty(n_in + 1, n_out, dtype=torch.float64))
        nn.init.uniform_(self.mu, -bound, bound)
        self.log_gain = nn.Parameter(torch.zeros((), dtype=torch.float64))
        self.sigma = sigma

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        x = torch.cat([h, torch.ones(h.shape[0], 1, dtype=h.dtype)], dim=1)
        mean = x @ self.mu
        if self.sigma is not None and self.training:
            var = (x * x) @ self.sigma(self.mu) ** 2
            mean = mean + torch.sqrt(var + 1e-30) * torch.randn_like(mean)
        return torch.exp(self.log_gain) * mean

    def kl(self) -> torch.Tensor:
        """``KL(N(mu, sigma^2) || N(0, PRIOR_SIGMA^2))`` summed over the layer's weights."""
        assert self.sigma is not None
        s = self.sigma(self.mu)
        p = PRIOR_SIGMA
        return torch.sum(torch.log(p / s) + (s * s + self.mu**2) / (2 * p * p) - 0.5)


class _Net(nn.Module):
    def __init__(self, sizes: list[int], sigma: _TechSigma | None) -> None:
        super().__init__()
        self.layers = nn.ModuleList(_AnalogLayer(a, b, sigma) for a, b in itertools.pairwise(sizes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for index, layer in enumerate(self.layers):
            x = layer(x)
            if index < len(self.layers) - 1:
                x = torch.relu(x)
        return x


def train_network(
    x_train: NDArray[np.float64],
    y_train: NDArray[np.int64],
    classes: int,
    mapping: ConductanceMapping,
    kind: str,
    settings: TrainSettings,
    seed: int,
) -> AnalogMlp:
    """Train a network of ``kind`` (``bayes`` or ``deterministic``); see the module docstring.

    Parameters
    ----------
    x_train, y_train : numpy.ndarray
        Inputs (n, features) and class indices.
    classes : int
        Number of classes.
    mapping : ConductanceMapping
        Device relations (and spread scale) of the technology-aware posterior.
    kind : str
        ``"bayes"`` or ``"deterministic"``.
    settings : TrainSettings
        Architecture and optimiser.
    seed : int
        Seed of the initialisation, the batch order and the noise.

    Returns
    -------
    AnalogMlp
        Mean weights and gains.
    """
    check_choice("kind", kind, KINDS)
    check_int("seed", seed, 0, None)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    sizes = [x_train.shape[1], *settings.hidden, classes]
    net = _Net(sizes, _TechSigma(mapping) if kind == "bayes" else None)
    x = torch.tensor(x_train, dtype=torch.float64)
    y = torch.tensor(y_train, dtype=torch.int64)
    n = len(x)
    optimiser = torch.optim.Adam(net.parameters(), lr=settings.learning_rate)
    # Cosine decay to a tenth of the step: the last epochs settle the means.
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimiser, settings.epochs, eta_min=settings.learning_rate / 10
    )
    layers = [cast(_AnalogLayer, layer) for layer in net.layers]
    net.train()
    for _ in range(settings.epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, settings.batch_size):
            index = order[start : start + settings.batch_size]
            loss = nn.functional.cross_entropy(net(x[index]), y[index])
            if kind == "bayes":
                loss = loss + sum(layer.kl() for layer in layers) / n
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            with torch.no_grad():
                for layer in layers:
                    layer.mu.clamp_(-1.0, 1.0)
        schedule.step()
    return AnalogMlp(
        weights=tuple(layer.mu.detach().numpy().copy() for layer in layers),
        gains=tuple(float(torch.exp(layer.log_gain.detach())) for layer in layers),
    )
