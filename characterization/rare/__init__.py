"""Rare-event estimation of failure probabilities over standard-normal variables.

A *limit state* is any callable ``limit_state(u) -> failed`` taking an array of shape
``(n, dim)`` of points in standard-normal space (each coordinate an independent N(0, 1) variable:
a transistor's ``dVT`` or ``dbeta/beta`` divided by its sigma, a device's log-resistance
deviation divided by its sigma, ...) and returning ``n`` booleans, True where the circuit fails.
The quantity estimated is

.. math:: p = P(u \\in F) = \\int 1_F(u)\\, \\varphi_d(u)\\, du,

with :math:`\\varphi_d` the standard normal density in ``dim`` dimensions. The methods of the
registry (:data:`ESTIMATORS`, :mod:`rram_ber.characterization.rare.registry`) share one entry
point, :func:`estimate_failure_probability`, and one result, :class:`RareEventResult` (a common
core, the flags ``upper_bound_only`` and ``regions_may_be_missing``, and each method's own
``diagnostics``):

``"monte-carlo"``
    Plain sampling from :math:`\\varphi_d`, exact Clopper-Pearson interval. Needs about
    ``(1 - p) / (p c^2)`` evaluations for a coefficient of variation ``c``: 1e8 for p = 1e-6
    and c = 10 %.
``"importance"``
    Minimum-norm (mean-shift) importance sampling with a search for one or more failure regions
    and a defensive Gaussian mixture; see :func:`importance_sampling`.
``"scaled-sigma"``
    Scaled-sigma sampling: sample with every sigma multiplied by ``s > 1``, fit the model of
    Sun et al. for ``log P(s)`` and extrapolate to ``s = 1``; see :func:`scaled_sigma_sampling`.
``"subset"``
    Subset simulation (Au and Beck 2001): ``p`` as a product of conditional probabilities of
    nested sets ``{g <= b_j}``, sampled by Markov chains; needs a graded margin ``g``
    (:class:`MarginLimitState`) and no search, so it reaches curved and split failure sets the
    importance search misses; see :func:`subset_simulation`.

Every method evaluates the limit state in batches (``batch_size`` rows per call: a SPICE limit
state simulates a whole batch in one netlist), counts every evaluation, including those spent
searching, in ``n_evaluations`` and never exceeds ``budget``.

Randomness: ``seed`` (an int or a :class:`numpy.random.SeedSequence`) is spawned into one
independent stream per stage (exploration, estimation, bootstrap). Random numbers are drawn in
stage-defined blocks whose sizes never depend on ``batch_size``, so the same seed gives the same
samples and, for a deterministic limit state, the same result whatever the batch size.

References
----------
C. J. Clopper, E. S. Pearson, "The use of confidence or fiducial limits illustrated in the case
of the binomial", Biometrika 26(4):404-413, 1934.

R. Kanj, R. Joshi, S. Nassif, "Mixture importance sampling and its application to the analysis
of SRAM designs in the presence of rare failure events", DAC 2006, pp. 69-72.

L. Dolecek, M. Qazi, D. Shah, A. Chandrakasan, "Breaking the simulation barrier: SRAM
evaluation through norm minimization", ICCAD 2008, pp. 322-329.

S.-K. Au, J. L. Beck, "Estimation of small failure probabilities in high dimensions by subset
simulation", Probabilistic Engineering Mechanics 16(4):263-277, 2001.

I. Papaioannou, W. Betz, K. Zwirglmaier, D. Straub, "MCMC algorithms for subset simulation",
Probabilistic Engineering Mechanics 41:89-103, 2015.

S. Sun, X. Li, H. Liu, K. Luo, B. Gu, "Fast statistical analysis of rare circuit failure events
via scaled-sigma sampling for high-dimensional variation space", IEEE TCAD 34(7):1096-1109,
2015.

T. Hesterberg, "Weighted average importance sampling and defensive mixture distributions",
Technometrics 37(2):185-194, 1995.

A. B. Owen, Y. Zhou, "Safe and effective importance sampling", JASA 95(449):135-143, 2000.

R. Rackwitz, B. Fiessler, "Structural reliability under combined random load sequences",
Computers & Structures 9(5):489-494, 1978 (the HL-RF design-point iteration used by the search).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rram_ber.characterization.rare.evaluator import _seed_sequence
from rram_ber.characterization.rare.importance import importance_sampling
from rram_ber.characterization.rare.monte_carlo import monte_carlo
from rram_ber.characterization.rare.options import (
    MAX_DIM,
    CommonOptions,
    ImportanceOptions,
    LimitState,
    MarginLimitState,
    MonteCarloOptions,
    ScaledSigmaOptions,
    SubsetOptions,
)
from rram_ber.characterization.rare.registry import (
    ESTIMATORS,
    METHODS,
    MIN_BUDGET,
    CampaignWork,
    Estimator,
    make_options,
)
from rram_ber.characterization.rare.results import EvaluatedSamples, RareEstimate, RareEventResult
from rram_ber.characterization.rare.scaled_sigma import (
    fit_scaled_sigma_model,
    scaled_sigma_sampling,
)
from rram_ber.characterization.rare.search import find_failure_regions
from rram_ber.characterization.rare.subset import subset_simulation
from rram_ber.core.validation import ParameterError, check_choice, check_int


def estimate_failure_probability(
    limit_state: LimitState,
    dim: int,
    method: str = "importance",
    budget: int = 10_000,
    seed: int | np.random.SeedSequence = 0,
    **options: Any,
) -> RareEventResult:
    """Estimate ``P(limit_state(u))`` for ``u ~ N(0, I_dim)`` with a 95 % interval.

    Parameters
    ----------
    limit_state : callable
        ``limit_state(u)`` with ``u`` of shape ``(n, dim)`` returns a boolean array of shape
        ``(n,)``, True where the circuit fails. It must not depend on which other rows share the
        call (a SPICE limit state satisfies this up to the simulator's numerical noise).
    dim : int
        Number of standard-normal variables.
    method : str
        A key of :data:`ESTIMATORS`: ``"importance"`` (default), ``"scaled-sigma"``,
        ``"subset"`` or ``"monte-carlo"``. A method whose entry ``needs_margin`` (subset)
        needs a :class:`MarginLimitState`.
    budget : int
        Largest number of limit-state evaluations, search included (at least
        ``MIN_BUDGET[method]``).
    seed : int or numpy.random.SeedSequence
        Root of every random number drawn.
    **options
        Method options: the fields of :class:`ImportanceOptions`, :class:`ScaledSigmaOptions`,
        :class:`SubsetOptions` or :class:`MonteCarloOptions` (``batch_size``,
        ``confidence``, ``keep_samples`` for all).

    Returns
    -------
    RareEventResult
        ``p``, ``ci_low``, ``ci_high``, ``n_evaluations``, the flags and the method's
        ``diagnostics``.

    Raises
    ------
    ParameterError
        For an unknown method or option, ``dim < 1``, a budget below the method's minimum, a
        negative seed, a limit state that is not callable or that answers with anything but a
        boolean array of shape ``(n,)``, or one without a margin for a method that needs it.
    """
    check_choice("method", method, ESTIMATORS)
    if not callable(limit_state):
        raise ParameterError("limit_state", limit_state, "a callable taking an (n, dim) array")
    if ESTIMATORS[method].needs_margin and not isinstance(limit_state, MarginLimitState):
        raise ParameterError(
            "limit_state",
            limit_state,
            f"an object with a margin(u) method (g <= 0 = failure) for method {method!r}",
        )
    check_int("dim", dim, 1, MAX_DIM)
    check_int("budget", budget, MIN_BUDGET[method])
    root = _seed_sequence(seed)
    opts = make_options(method, options)
    return ESTIMATORS[method].run(limit_state, dim, budget, root, opts)


__all__ = [
    "ESTIMATORS",
    "MAX_DIM",
    "METHODS",
    "MIN_BUDGET",
    "CampaignWork",
    "CommonOptions",
    "Estimator",
    "EvaluatedSamples",
    "ImportanceOptions",
    "LimitState",
    "MarginLimitState",
    "MonteCarloOptions",
    "RareEstimate",
    "RareEventResult",
    "ScaledSigmaOptions",
    "SubsetOptions",
    "estimate_failure_probability",
    "find_failure_regions",
    "fit_scaled_sigma_model",
    "importance_sampling",
    "make_options",
    "monte_carlo",
    "scaled_sigma_sampling",
    "subset_simulation",
]
