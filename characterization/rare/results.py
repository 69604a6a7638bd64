"""What a rare-event estimate returns: the estimate, its interval and every evaluation."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class EvaluatedSamples:
    """Every point the limit state was evaluated at, in evaluation order.

    Attributes
    ----------
    u : numpy.ndarray
        Points, shape ``(n_evaluations, dim)``, standard-normal space.
    failed : numpy.ndarray
        Limit-state outcome of each point (bool).
    stage : numpy.ndarray
        What the evaluation was for: ``"explore"``, ``"search"`` (importance sampling's
        search), ``"estimate"`` (rows that enter the estimate) or ``"scaled"`` (scaled-sigma).
    weight : numpy.ndarray
        Likelihood ratio ``phi(u) / q(u)`` of each ``"estimate"`` row (1 for Monte-Carlo), NaN
        for rows not used with a weight.
    scale : numpy.ndarray
        Sigma scale factor the row was drawn with (scaled-sigma and exploration rows), NaN
        otherwise.
    margin : numpy.ndarray or None
        Subset simulation: the limit state's margin ``g(u)`` of each row (``<= 0`` = failure);
        NaN for rows evaluated by verdict only.
    """

    u: np.ndarray
    failed: np.ndarray
    stage: np.ndarray
    weight: np.ndarray
    scale: np.ndarray
    margin: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class FailureRegion:
    """A failure region found by the importance-sampling search.

    Attributes
    ----------
    centre : numpy.ndarray
        Estimated minimum-norm failure point (design point), where the sampling mean is shifted.
    """

    centre: np.ndarray

    @property
    def beta(self) -> float:
        """Distance of the centre from the origin, in sigmas (``p`` ~ Phi(-beta) if linear)."""
        return float(np.linalg.norm(self.centre))


@dataclass(frozen=True, eq=False)
class RareEventResult:
    """A failure-probability estimate with its interval.

    Attributes
    ----------
    method : str
        ``"importance"``, ``"scaled-sigma"``, ``"subset"`` or ``"monte-carlo"``.
    p : float
        Estimated failure probability.
    ci_low, ci_high : float
        Interval at ``confidence`` (see the method for how it is formed).
    confidence : float
        Confidence level of the interval.
    n_evaluations : int
        Limit-state evaluations spent, search included.
    effective_sample_size : float
        Equivalent Monte-Carlo sample size: ``p (1 - p) / SE(p)^2``, the number of plain
        Monte-Carlo samples that would give the same standard error (``n`` for Monte-Carlo).
    std_error : float
        Estimated standard error of ``p``.
    n_failures : int
        Failures among the rows that enter the estimate.
    effective_failures : float
        Importance sampling: Kish's effective number of failures,
        ``(sum w_i)^2 / sum w_i^2`` over failing estimation rows; the normal interval is
        trustworthy when this is well above 10. Otherwise equal to ``n_failures``.
    regions : tuple of FailureRegion
        Importance sampling: the failure regions the mixture was centred on.
    scales, scale_samples, scale_failures : tuple
        Scaled-sigma: the factors, the samples and the failures at each.
    model_coefficients : tuple of float
        Scaled-sigma: fitted ``(alpha, beta, gamma)`` of ``log P(s) = alpha + beta log s +
        gamma / s^2``.
    notes : tuple of str
        Anything a reader of the number must know (fallbacks, unreliable intervals).
    thresholds : tuple of float
        Subset simulation: the margin thresholds ``b_1 > b_2 > ...`` of the intermediate
        failure sets ``{g <= b_j}``.
    level_probabilities : tuple of float
        Subset simulation: the estimated conditional probability of each level (the last one
        ``P(g <= 0 | g <= b_last)``, unless the result is an upper bound).
    coefficient_of_variation : float
        Subset simulation: estimated coefficient of variation of ``p`` (Au and Beck 2001, chain
        correlation included); of the bounded probability for an upper bound.
    upper_bound_only : bool
        Subset simulation: the run ended (budget or ``max_levels``) before any point failed;
        ``p`` is 0 and ``ci_high`` an upper bound on the failure probability, not an estimate.
    regions_may_be_missing : bool
        Importance sampling: the search could not rule out a failure region the mixture does
        not cover (budget or ``max_regions`` ran out, or a failure no centre explains was left
        unsearched). The interval's upper end is then widened (see
        :func:`~characterization.rare.importance.importance_sampling`).
    samples : EvaluatedSamples or None
        Every evaluated point, if kept.
    """

    method: str
    p: float
    ci_low: float
    ci_high: float
    confidence: float
    n_evaluations: int
    effective_sample_size: float
    std_error: float
    n_failures: int
    effective_failures: float
    regions: tuple[FailureRegion, ...] = ()
    scales: tuple[float, ...] = ()
    scale_samples: tuple[int, ...] = ()
    scale_failures: tuple[int, ...] = ()
    model_coefficients: tuple[float, ...] = ()
    notes: tuple[str, ...] = ()
    thresholds: tuple[float, ...] = ()
    level_probabilities: tuple[float, ...] = ()
    coefficient_of_variation: float = math.nan
    upper_bound_only: bool = False
    regions_may_be_missing: bool = False
    samples: EvaluatedSamples | None = None

    @property
    def relative_half_width(self) -> float:
        """Half the interval's width divided by ``p`` (inf when ``p`` is 0)."""
        if self.p <= 0.0:
            return math.inf
        return 0.5 * (self.ci_high - self.ci_low) / self.p

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the interval."""
        return self.ci_low <= value <= self.ci_high


def equivalent_sample_size(p: float, std_error: float) -> float:
    """Plain Monte-Carlo samples giving the standard error ``std_error`` at ``p``:
    ``p (1 - p) / SE^2`` (the ``effective_sample_size`` of a weighted or fitted estimate).

    NaN when ``std_error`` is 0 or not finite: there is then no variance to compare with (no
    failure, or a bootstrap without spread), and NaN is not a flattering number.
    """
    if not math.isfinite(std_error) or std_error <= 0.0:
        return math.nan
    return p * (1.0 - p) / std_error**2
