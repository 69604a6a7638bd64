"""Subset simulation with adaptive conditional sampling, batched over Markov chains.

Subset simulation (Au and Beck 2001) writes a small failure probability as a product of larger
conditional ones,

.. math:: P(g \\le 0) = P(F_1) \\prod_{j=2}^{m} P(F_j \\mid F_{j-1}),\\qquad
          F_j = \\{u : g(u) \\le b_j\\},\\ b_1 > b_2 > \\dots > b_m = 0,

with each threshold ``b_j`` chosen as the ``p0`` quantile of the margins of the level's ``N``
points, so that every factor is about ``p0`` (0.1) and is estimated from a few hundred points.
It needs a graded margin ``g`` (:class:`~characterization.rare.options.MarginLimitState`),
not a verdict, and it needs no search for failure regions: the levels walk towards whatever
part of the failure set holds the probability, curved or split into several regions.

The points of level ``j + 1`` come from ``N p0`` Markov chains started at the points of level
``j`` inside ``F_{j+1}`` (each already distributed as ``phi`` restricted to ``F_{j+1}``), each
grown to ``1 / p0`` states by conditional sampling (Papaioannou et al. 2015): a candidate
``v = rho u + sigma z`` (``z ~ N(0, I)``, ``rho = sqrt(1 - sigma^2)``) leaves the standard
normal density invariant, and is accepted if ``g(v) <= b``; its step ``sigma = min(1,
lambda)`` is adapted after each step towards an acceptance rate of 0.44 (``lambda <- lambda
exp((a - 0.44) / sqrt(i))``, their adaptive scheme) and carried from level to level. The
proposal does not degrade with the dimension as a random walk does. Papaioannou et al. scale
``sigma_k`` per coordinate by the seeds' spread; that was dropped here because, measured on
two and four separate regions in 30-D (200 seeds, 1,000 points per level), the spread of seeds
lying in several regions inflated the first steps and biased the estimate low (mean 0.83 and
0.79 of the truth, against 1.00 and 1.10 with one ``sigma``; one region and the parabola
within 1.00-1.10 either way). All chains advance together, so each step is one batch of
``N p0`` limit-state evaluations (one SPICE netlist of that many reads).

Why not OpenTURNS (``ot.SubsetSampling``, 1.27): it does batch (with ``setBlockSize(N)`` a
``PythonFunction(func_sample=...)`` received every step as one sample of ``N`` rows), it is
reproducible with ``RandomGenerator.SetSeed`` and it reports a coefficient of variation; but it
has no evaluation budget (only points per level and a minimum probability), a run stopped by
``setMinimumProbability`` or a stop callback raised an exception and returned nothing (so
neither the upper bound below nor the evaluations spent), its only proposal is a
component-wise random walk, and its seed is one process-wide generator. This module is short
enough to own those.

References
----------
S.-K. Au, J. L. Beck, "Estimation of small failure probabilities in high dimensions by subset
simulation", Probabilistic Engineering Mechanics 16(4):263-277, 2001.

I. Papaioannou, W. Betz, K. Zwirglmaier, D. Straub, "MCMC algorithms for subset simulation",
Probabilistic Engineering Mechanics 41:89-103, 2015.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rram_ber.characterization.rare.evaluator import _Evaluator, _z
from rram_ber.characterization.rare.intervals import clopper_pearson
from rram_ber.characterization.rare.options import LimitState, SubsetOptions
from rram_ber.characterization.rare.results import RareEventResult
from rram_ber.core.validation import ParameterError


def chain_correlation_factor(inside: np.ndarray) -> float:
    """Au and Beck's (2001) ``gamma_j`` of one level from its chains' indicators.

    Parameters
    ----------
    inside : numpy.ndarray
        Shape ``(n_chains, chain_length)``: whether each chain state lies in the next
        intermediate failure set (or in the failure set at the last level).

    Returns
    -------
    float
        ``gamma = 2 sum_{k=1}^{Ns-1} (1 - k / Ns) rho(k)``, with ``rho(k) = R(k) / R(0)`` the
        indicator's lag-``k`` correlation pooled over the chains,
        ``R(k) = sum_c sum_l I_{c,l} I_{c,l+k} / (N - k Nc) - P^2``. The variance of the
        level's estimate is ``(1 + gamma)`` times the independent-sample one. A negative
        estimate (noise, on short chains) is set to 0, so the interval never narrows on it.
    """
    indicator = np.asarray(inside, dtype=float)
    n_chains, length = indicator.shape
    n = n_chains * length
    p = float(indicator.mean())
    r0 = p * (1.0 - p)
    if r0 <= 0.0 or length < 2:
        return 0.0
    gamma = 0.0
    for k in range(1, length):
        r_k = float(np.sum(indicator[:, :-k] * indicator[:, k:])) / (n - k * n_chains) - p * p
        gamma += 2.0 * (1.0 - k / length) * r_k / r0
    return max(0.0, gamma)


def _level_cov2(p: float, n: int, gamma: float) -> float:
    """Squared coefficient of variation of one level's probability estimate (Au and Beck
    2001): ``(1 - p) / (N p) (1 + gamma)``."""
    return (1.0 - p) / (n * p) * (1.0 + gamma)


def combined_cov(level_cov: list[float]) -> float:
    """Coefficient of variation of ``p = prod_j P_j`` from those of the levels, ``delta_j``.

    Au and Beck (2001) bound it between ``sqrt(sum_j delta_j^2)`` (levels
    uncorrelated) and ``sum_j delta_j`` (fully correlated: the seeds of each level are points
    of the one before). This returns the upper bound. Measured at a budget of 2,000 (100 seeds
    each, the problems of ``benchmarks/rare_event.py``): the uncorrelated form covered the truth
    in 87 % (half-space, 30-D, 1e-6), 84 % (two regions, 30-D), 79 % (half-space, 100-D, 1e-9)
    and 86 % (parabola, 50-D, 4.9e-7) of seeds, below the 95 % it claims (median coefficient of
    variation 0.8-1.0 against a spread over seeds of 0.9-4.2); the upper bound 99, 98, 96 and
    94 %.
    """
    return float(np.sum(level_cov))


def lognormal_interval(p: float, cov: float, confidence: float) -> tuple[float, float]:
    """Interval of ``p`` when its estimator is log-normal with coefficient of variation ``cov``.

    With ``s^2 = ln(1 + cov^2)``, ``ln p_hat ~ N(ln p - s^2 / 2, s^2)`` (mean ``p``), so
    ``[p_hat exp(s^2 / 2 - z s), p_hat exp(s^2 / 2 + z s)]``. The subset estimator is a
    product of level estimates: skewed to the right and biased by ``O(1/N)`` at few levels, which
    a symmetric normal interval ignores (its lower end would often go below 0).
    """
    s2 = math.log1p(cov * cov)
    s = math.sqrt(s2)
    z = _z(confidence)
    # A probability: a wide interval around a large estimate stops at 1.
    return min(1.0, p * math.exp(0.5 * s2 - z * s)), min(1.0, p * math.exp(0.5 * s2 + z * s))


def subset_simulation(
    limit_state: LimitState,
    dim: int,
    budget: int,
    seed: np.random.SeedSequence,
    options: SubsetOptions,
) -> RareEventResult:
    """Subset simulation (Au and Beck 2001) with adaptive conditional sampling (Papaioannou et
    al. 2015), see the module docstring.

    **Levels.** Level 0 draws ``N`` points from ``N(0, I)``. While fewer than ``N p0`` points
    of the current level fail, the next threshold ``b`` is set between the ``N p0``-th and the
    next smallest margin, ``P(F_{j+1} | F_j)`` is estimated by the share of points with
    ``g <= b`` (exactly ``p0`` unless margins tie), ``N p0`` of those points seed the chains of
    the next level (a random choice among them if more tie), and each chain takes
    ``1 / p0 - 1`` conditional-sampling steps: ``N (1 - p0)`` new evaluations per level. The
    last level contributes its share of failing points, ``p = prod_j P_j``.

    **Interval.** Au and Beck's coefficient of variation, ``delta = sum_j delta_j`` with
    ``delta_j^2 = (1 - P_j) / (N P_j) (1 + gamma_j)`` and ``gamma_j`` the correlation of the
    chain states (:func:`chain_correlation_factor`; 0 at level 0), and a log-normal interval
    with that coefficient of variation (:func:`lognormal_interval`). The plain sum of the
    ``delta_j`` is Au and Beck's upper bound (levels fully correlated); their lower bound
    ``sqrt(sum delta_j^2)`` covered the truth far too rarely (see :func:`combined_cov`).

    **Budget.** ``N`` is ``samples_per_level``, or the budget spread over ``max_levels`` levels.
    When the budget or ``max_levels`` ends the run before ``N p0`` points fail:

    * if some points of the last level fail, ``p`` is estimated with that level's share of
      failures (fewer than ``N p0``, so a wider interval; noted);
    * if none fails, the result is an **upper bound**, flagged ``upper_bound_only``: ``p = 0``
      and ``ci_high`` is the upper end of the interval of ``P(g <= b_last)``, the probability of
      the last intermediate set, which contains the failure set since ``b_last > 0``.

    **Diagnostics**: ``thresholds``, the margin thresholds ``b_1 > b_2 > ...`` of the
    intermediate failure sets; ``level_probabilities``, the estimated conditional probability
    of each level (the last one ``P(g <= 0 | g <= b_last)``, unless the result is a bound);
    ``coefficient_of_variation``, Au and Beck's estimate for ``p`` (of the bounded probability
    for a bound).

    Raises
    ------
    ParameterError
        If ``limit_state`` has no ``margin`` method (a
        :class:`~rram_ber.characterization.rare.options.MarginLimitState`), its margins are not
        finite floats of the right shape, or ``samples_per_level`` exceeds the budget.
    """
    n_level = options.level_size(budget)
    if n_level > budget:
        raise ParameterError(
            "samples_per_level", n_level, f"at most the budget, {budget} evaluations"
        )
    evaluate = _Evaluator(limit_state, dim, budget, options)
    rng = np.random.default_rng(seed.spawn(1)[0])
    run = run_levels(evaluate, rng, n_level, options)
    if run.bound_only:
        return _bound_result(evaluate, run, options)
    return evaluate.result(
        "subset",
        run.p,
        run.interval(options.confidence),
        run.cov * run.p,
        run.n_fail,
        notes=run.notes,
        diagnostics=_diagnostics(run.thresholds, run.level_p, run.cov),
    )


@dataclass
class SubsetRun:
    """The levels of one subset-simulation run (see :func:`subset_simulation`).

    Attributes
    ----------
    thresholds, level_p, level_cov : list of float
        The margin thresholds of the intermediate sets, each level's conditional probability
        and its coefficient of variation (the last entry is the failing share of the last
        level, unless the run is a bound).
    n_fail : int
        Failing points of the last level.
    last_u, last_g : numpy.ndarray
        The last level's points and their margins (its failing points are distributed as
        ``phi`` restricted to the failure set: the starting points of a design-point search).
    bound_only : bool
        No point failed before the budget or ``max_levels`` ended the run: ``p`` is then the
        probability of the last intermediate set, an upper bound.
    level : int
        Index of the last level.
    notes : list of str
        What the run noted.
    scale : float
        The adapted step factor ``lambda`` of the conditional sampling, for a run continued
        from this one (``run_levels(resume=...)``).
    """

    thresholds: list[float]
    level_p: list[float]
    level_cov: list[float]
    n_fail: int
    last_u: np.ndarray
    last_g: np.ndarray
    bound_only: bool
    level: int
    notes: list[str]
    scale: float = math.nan

    @property
    def p(self) -> float:
        """The estimate (for a bound: the probability of the last intermediate set)."""
        return math.prod(self.level_p)

    @property
    def cov(self) -> float:
        """Au and Beck's coefficient of variation of :attr:`p` (:func:`combined_cov`)."""
        return combined_cov(self.level_cov)

    def interval(self, confidence: float) -> tuple[float, float]:
        """The interval of an estimate: log-normal with :attr:`cov`, or, for a run that ended
        at level 0 (plain Monte-Carlo), the exact binomial one."""
        if self.thresholds:
            return lognormal_interval(self.p, self.cov, confidence)
        # Ended at level 0: the log-normal interval has zero width when every point fails.
        return clopper_pearson(self.n_fail, len(self.last_g), confidence)

    @property
    def failures(self) -> np.ndarray:
        """The last level's failing points."""
        return self.last_u[self.last_g <= 0.0]


def run_levels(
    evaluate: _Evaluator,
    rng: np.random.Generator,
    n_level: int,
    options: SubsetOptions,
    resume: SubsetRun | None = None,
) -> SubsetRun:
    """Run subset simulation's levels of ``n_level`` points on ``evaluate`` until ``n_level
    p0`` points fail, or the evaluator's budget or ``max_levels`` ends the run.

    ``resume``: a run of the same ``n_level`` and options that ended as a bound (no point
    failed) before ``max_levels``; its levels are kept and the next one grows from its last
    intermediate set, as the run would have gone on with a larger budget.
    """
    n_chains = n_level // options.chain_length
    new_per_level = n_level - n_chains

    if resume is None:
        u = rng.standard_normal((n_level, evaluate.dim))
        g = evaluate.margins(u, "subset level 0")
        # States of the current level as (n_chains, chain_length); level 0 is one i.i.d.
        # "chain" per point, so its correlation factor is 0.
        chain_shape: tuple[int, int] = (n_level, 1)
        thresholds: list[float] = []
        level_p: list[float] = []
        level_cov: list[float] = []
        scale = options.initial_scale
        notes: list[str] = []
        level = 0
    else:
        if not resume.bound_only or len(resume.last_g) != n_level:
            raise ValueError("only a bound-only run of the same level size can be resumed")
        thresholds, level_p = list(resume.thresholds), list(resume.level_p)
        level_cov, notes = list(resume.level_cov), list(resume.notes)
        level = resume.level + 1
        u, g, scale = _grow_chains(
            evaluate,
            rng,
            *_seeds(rng, resume.last_u, resume.last_g, thresholds[-1], n_chains),
            thresholds[-1],
            resume.scale,
            options,
            level,
        )
        chain_shape = (n_chains, options.chain_length)
    while True:
        failing = g <= 0.0
        n_fail = int(failing.sum())
        more = level + 1 < options.max_levels and evaluate.remaining >= new_per_level
        if n_fail >= n_chains or (n_fail and not more):
            p_last = n_fail / n_level
            gamma = chain_correlation_factor(failing.reshape(chain_shape))
            level_cov.append(math.sqrt(_level_cov2(p_last, n_level, gamma)))
            level_p.append(p_last)
            if n_fail < n_chains:
                notes.append(
                    f"the {'budget' if level + 1 < options.max_levels else 'max_levels'} ended"
                    f" the run at level {level} with {n_fail} failing points (fewer than"
                    f" {n_chains}): the last factor rests on few failures"
                )
            return SubsetRun(
                thresholds, level_p, level_cov, n_fail, u, g, False, level, notes, scale
            )
        order = np.sort(g)
        b = 0.5 * (order[n_chains - 1] + order[n_chains])
        inside = g <= b
        p_level = float(inside.mean())
        gamma = chain_correlation_factor(inside.reshape(chain_shape))
        level_cov.append(math.sqrt(_level_cov2(p_level, n_level, gamma)))
        thresholds.append(float(b))
        level_p.append(p_level)
        if not more:
            return SubsetRun(thresholds, level_p, level_cov, 0, u, g, True, level, notes, scale)
        level += 1
        u, g, scale = _grow_chains(
            evaluate, rng, *_seeds(rng, u, g, float(b), n_chains), float(b), scale, options, level
        )
        chain_shape = (n_chains, options.chain_length)


def _seeds(
    rng: np.random.Generator, u: np.ndarray, g: np.ndarray, threshold: float, n_chains: int
) -> tuple[np.ndarray, np.ndarray]:
    """The seeds of the next level's chains: the points of the intermediate set ``g <=
    threshold`` (``n_chains`` of them)."""
    candidates = np.flatnonzero(g <= threshold)
    if len(candidates) > n_chains:
        # Tied margins: any subset of points distributed as phi restricted to F_{j+1} is
        # again so distributed, so a random choice keeps the seeds unbiased.
        candidates = np.sort(rng.choice(candidates, n_chains, replace=False))
    return u[candidates], g[candidates]


def _diagnostics(thresholds: list[float], level_p: list[float], cov: float) -> dict[str, object]:
    """The diagnostics of a subset-simulation result (see :func:`subset_simulation`)."""
    return {
        "thresholds": thresholds,
        "level_probabilities": level_p,
        "coefficient_of_variation": cov,
    }


def _grow_chains(
    evaluate: _Evaluator,
    rng: np.random.Generator,
    seeds_u: np.ndarray,
    seeds_g: np.ndarray,
    threshold: float,
    scale: float,
    options: SubsetOptions,
    level: int,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Grow one chain of ``1 / p0`` states from each seed by adaptive conditional sampling
    (all chains step together: one batch of ``n_chains`` evaluations per step).

    Returns the level's points (chain-major: chain 0's states, then chain 1's, ...), their
    margins and the adapted step factor ``lambda`` (carried to the next level, as in
    Papaioannou et al. 2015, Algorithm 5).
    """
    n_chains, dim = seeds_u.shape
    length = options.chain_length
    states_u = np.empty((n_chains, length, dim))
    states_g = np.empty((n_chains, length))
    current_u, current_g = seeds_u.copy(), seeds_g.copy()
    states_u[:, 0], states_g[:, 0] = current_u, current_g
    stage = f"subset level {level}"
    for step in range(1, length):
        sigma = min(1.0, scale)
        rho = math.sqrt(1.0 - sigma * sigma)
        candidate = rho * current_u + sigma * rng.standard_normal((n_chains, dim))
        g_candidate = evaluate.margins(candidate, stage)
        accept = g_candidate <= threshold
        current_u[accept] = candidate[accept]
        current_g[accept] = g_candidate[accept]
        states_u[:, step], states_g[:, step] = current_u, current_g
        # Robbins-Monro step on log(lambda) towards the target acceptance rate.
        scale *= math.exp((float(accept.mean()) - options.target_acceptance) / math.sqrt(step))
    return states_u.reshape(n_chains * length, dim), states_g.reshape(-1), scale


def _bound_result(evaluate: _Evaluator, run: SubsetRun, options: SubsetOptions) -> RareEventResult:
    """No point failed before the run ended: ``p <= P(g <= b_last)``, reported as a bound."""
    notes = [*run.notes, bound_note(run, options)]
    return evaluate.result(
        "subset",
        0.0,
        (0.0, run.interval(options.confidence)[1]),
        math.nan,
        0,
        effective_sample_size=math.nan,
        notes=notes,
        diagnostics=_diagnostics(run.thresholds, run.level_p, run.cov),
    )


def bound_note(run: SubsetRun, options: SubsetOptions) -> str:
    """What a run that ended without a failure says of its bound."""
    high = run.interval(options.confidence)[1]
    why = "budget" if run.level + 1 < options.max_levels else "max_levels"
    return (
        f"no failure: the {why} ended the run at level {run.level} (margin threshold"
        f" b = {run.thresholds[-1]:.3g} > 0); p <= {high:.3g}, an upper bound on P(g <= b),"
        " not an estimate"
    )
