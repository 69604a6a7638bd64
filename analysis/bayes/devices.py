"""Weights as differences of programmed RRAM conductances, and their transfer to compliances.

How a weight is made of devices
    A weight is one differential pair, ``w = (G+ - G-) / (G_max - G_min)``: a positive weight
    programs ``G+`` to the median ``G_min + w (G_max - G_min)`` and leaves ``G-`` at the
    lowest programmable median ``G_min`` (a negative weight the other way round), so ``w`` lies
    in [-1, 1] and every device is in the LRS range that a SET compliance can set. ``G_min`` and
    ``G_max`` are the medians at the lowest and highest compliance of the conductance table
    (:class:`~rram_ber.characterization.conductance_table.ConductanceRelation`). A layer's
    output is scaled by a gain kept in the periphery (software), so the unit of ``w`` is free.

What one programmed pair is
    A sample of the weight: each device, programmed at the compliance that gives its median
    (the inverse of the median relation, :meth:`ConductanceMapping.to_compliances`), reaches a
    conductance drawn around that median with the spread the table's spread relation gives,
    times ``spread_scale`` (1 = as measured). The weight's standard deviation is therefore not
    free: ``sigma_w(w) = spread_scale * sqrt(sigma_G(G+)^2 + sigma_G(G-)^2) / (G_max - G_min)``
    (:meth:`ConductanceMapping.weight_sigma`), the technology-aware posterior of Dalgaty et al.
    (Adv. Intell. Syst. 3(8) 2000103, 2021), whose Bayesian network is transferred by programming
    its devices once, each programmed device being a sample of the posterior.

How the transfer draws devices
    ``devices_per_weight`` devices (an even number: ``devices_per_weight / 2`` pairs) are
    programmed for every weight; forward pass ``k`` of the ensemble uses pair ``k`` of every
    weight. Conductances are drawn log-normal around the median the clipped compliance gives,
    ``G = G_med * exp(s * z)`` with ``s = spread_scale * sigma_G(G_med) / G_med`` (so that the
    standard deviation is ``sigma_G`` to first order; the measured populations are skewed like a
    log-normal, not like a normal) and ``z`` standard normal. The software posterior used in
    training is the Gaussian of the same mean and standard deviation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rram_ber.characterization.conductance_table import ConductanceRelation
from rram_ber.core.validation import check_int, check_range

FloatArray = NDArray[np.float64]

#: Largest spread scale accepted (x 8 of the measured spread).
MAX_SPREAD_SCALE = 8.0


@dataclass(frozen=True)
class Transfer:
    """Compliance currents of every device of an array of weights.

    Attributes
    ----------
    compliance_plus_a, compliance_minus_a : numpy.ndarray
        SET compliance of the ``G+`` and ``G-`` device of each weight [A] (shape of the weights).
    n_clipped : int
        Weights outside [-1, 1], clipped to the nearest end of the programmable range.
    """

    compliance_plus_a: FloatArray
    compliance_minus_a: FloatArray
    n_clipped: int


@dataclass(frozen=True)
class ConductanceMapping:
    """The conductance relations of a table, seen as weights; see the module docstring.

    Attributes
    ----------
    relation : ConductanceRelation
        Median and spread relations fitted on the conductance table.
    spread_scale : float
        Factor on the measured spread, 0 ... 8 (0: devices land exactly on their median).
    """

    relation: ConductanceRelation
    spread_scale: float = 1.0

    def __post_init__(self) -> None:
        check_range("spread_scale", self.spread_scale, 0.0, MAX_SPREAD_SCALE)

    @property
    def g_range_s(self) -> float:
        """``G_max - G_min`` [S]: the conductance of a weight of 1."""
        return self.relation.g_max_s - self.relation.g_min_s

    def medians(self, weights: ArrayLike) -> tuple[FloatArray, FloatArray, int]:
        """Target medians ``(G+, G-)`` [S] of each weight, and the count of clipped weights."""
        w = np.asarray(weights, dtype=float)
        n_clipped = int(np.count_nonzero(np.abs(w) > 1.0))
        w = np.clip(w, -1.0, 1.0)
        g_min = self.relation.g_min_s
        g_plus = g_min + np.maximum(w, 0.0) * self.g_range_s
        g_minus = g_min + np.maximum(-w, 0.0) * self.g_range_s
        return g_plus, g_minus, n_clipped

    def to_compliances(self, weights: ArrayLike) -> Transfer:
        """SET compliances of both devices of each weight (inverse of the median relation)."""
        g_plus, g_minus, n_clipped = self.medians(weights)
        i_plus, _ = self.relation.compliance_for(g_plus)
        i_minus, _ = self.relation.compliance_for(g_minus)
        return Transfer(i_plus, i_minus, n_clipped)

    def weight_sigma(self, weights: ArrayLike) -> FloatArray:
        """Standard deviation of a weight made of one pair (weight units), from its mean."""
        g_plus, g_minus, _ = self.medians(weights)
        sigma = np.hypot(self.relation.sigma_s(g_plus), self.relation.sigma_s(g_minus))
        return np.asarray(self.spread_scale * sigma / self.g_range_s)

    def device_conductances(self, compliance_a: ArrayLike, z: ArrayLike) -> FloatArray:
        """Conductance [S] of devices programmed at ``compliance_a``, from standard normals ``z``.

        ``z`` broadcasts against ``compliance_a`` (e.g. a leading axis of pairs).
        """
        median = self.relation.median_s(compliance_a)
        sigma_ln = self.spread_scale * self.relation.sigma_s(median) / median
        return np.asarray(median * np.exp(sigma_ln * np.asarray(z, dtype=float)))

    def transferred_weights(
        self, transfer: Transfer, rng: np.random.Generator, n_pairs: int
    ) -> FloatArray:
        """Weights read back from ``n_pairs`` programmed pairs per weight (leading axis).

        Draws ``z`` for the ``G+`` devices of all pairs, then for the ``G-`` devices, in that
        order, from ``rng``.
        """
        check_int("n_pairs", n_pairs, 1, None)
        shape = (n_pairs, *np.shape(transfer.compliance_plus_a))
        g_plus = self.device_conductances(transfer.compliance_plus_a, rng.standard_normal(shape))
        g_minus = self.device_conductances(transfer.compliance_minus_a, rng.standard_normal(shape))
        return np.asarray((g_plus - g_minus) / self.g_range_s)

    def weights_from_conductances(self, g_plus_s: ArrayLike, g_minus_s: ArrayLike) -> FloatArray:
        """Weights of pairs whose conductances were measured (e.g. programmed in SPICE)."""
        g_plus = np.asarray(g_plus_s, dtype=float)
        return np.asarray((g_plus - np.asarray(g_minus_s, dtype=float)) / self.g_range_s)

    def torch_sigma_terms(self) -> tuple[list[float], float, float, float]:
        """What a PyTorch layer needs to compute :meth:`weight_sigma` with gradients.

        Returns ``(spread polynomial coefficients in uS, highest power first, G_min [uS],
        G_range [uS], spread_scale)``.
        """
        return (
            [float(c) for c in self.relation.spread_coefficients_us],
            self.relation.g_min_s * 1e6,
            self.g_range_s * 1e6,
            self.spread_scale,
        )
