"""Rare-event estimation of failure probabilities over standard-normal variables.

A *limit state* is any callable ``limit_state(u) -> failed`` taking an array of shape
``(n, dim)`` of points in standard-normal space (each coordinate an independent N(0, 1) variable:
a transistor's ``dVT`` or ``dbeta/beta`` divided by its sigma, a device's log-resistance
deviation divided by its sigma, ...) and returning ``n`` booleans, True where the circuit fails.
The quantity estimated is

.. math:: p = P(u \\in F) = \\int 1_F(u)\\, \\varphi_d(u)\\, du,

with :math:`\\varphi_d` the standard normal density in ``dim`` dimensions. Three methods share one
entry point, :func:`estimate_failure_probability`:

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

import contextlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from scipy import special, stats

from characterization.ber import clopper_pearson
from characterization.schema import METHODS
from rram_ber.validation import ParameterError, check_choice, check_int, check_range

#: A limit state: ``(n, dim)`` float array in standard-normal space -> ``(n,)`` bool, True = fail.
LimitState = Callable[[np.ndarray], np.ndarray]

#: Smallest budget each method accepts (the search of importance sampling alone needs a few
#: hundred evaluations; scaled-sigma needs enough samples at each of its scales).
MIN_BUDGET = {"monte-carlo": 10, "importance": 500, "scaled-sigma": 500}

#: Largest dimension accepted (a guard against passing a sample count as the dimension).
MAX_DIM = 100_000

#: Rows drawn at once by plain Monte-Carlo; a fixed size, so draws never depend on batch_size.
_MC_BLOCK = 65_536


# --------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------


def _check_scales(field: str, values: Sequence[float], minimum: float) -> tuple[float, ...]:
    scales = tuple(check_range(field, v, minimum, 100.0, low_inclusive=False) for v in values)
    if not scales:
        raise ParameterError(field, values, f"at least one scale factor > {minimum:g}")
    return scales


@dataclass(frozen=True, slots=True)
class CommonOptions:
    """Options every method accepts.

    Attributes
    ----------
    batch_size : int
        Largest number of rows passed to the limit state in one call.
    confidence : float
        Confidence level of the interval, 0.5 ... 0.9999 (0.95 everywhere in this project).
    keep_samples : bool
        Whether the result keeps every evaluated point (:class:`EvaluatedSamples`); the project
        keeps every drawn value with its results, so this is on by default. It holds
        ``budget x dim`` floats: turn it off for very large analytic budgets.
    """

    batch_size: int = 200
    confidence: float = 0.95
    keep_samples: bool = True

    def __post_init__(self) -> None:
        check_int("batch_size", self.batch_size, 1)
        check_range("confidence", self.confidence, 0.5, 0.9999)
        if not isinstance(self.keep_samples, bool):
            raise ParameterError("keep_samples", self.keep_samples, "True or False")


@dataclass(frozen=True, slots=True)
class ImportanceOptions(CommonOptions):
    """Options of :func:`importance_sampling` (defaults suit 1e-3 ... 1e-10 in up to ~50-D).

    Attributes
    ----------
    explore_scales : tuple of float
        Scale factors of the exploration stage, tried in order until ``min_failures`` failures
        have been seen. At scale 3 a region at 4.75 sigma (1e-6) fails 6 % of the time, one at
        6 sigma (1e-9) 2 %; the design-point search then walks in from wherever they are.
    explore_samples : int
        Points drawn at each exploration scale.
    min_failures : int
        Failures wanted from the exploration before searching.
    max_regions : int
        Largest number of distinct failure regions kept.
    search_fraction : float
        Largest fraction of the budget the search (exploration + refinement) may use.
    search_step : float
        Tangential offset of the probe rays around a boundary point (standard-normal units).
    search_tolerance : float
        Width to which boundary radii are bisected (standard-normal units).
    max_search_iterations : int
        Design-point iterations per region.
    probe_opposite : bool
        After the search, test the point opposite each region at ``|centre| + opposite_margin``
        and search there too if it fails (a sense amplifier can fail in either direction).
    opposite_margin : float
        See ``probe_opposite``; regions further out than that contribute < ~exp(-margin |c|).
    defensive_fraction : float
        Share of the estimation samples drawn from the nominal density (defensive mixture).
    round_size : int
        Estimation samples per round (draws are made a round at a time; the stopping rule is
        checked after each round).
    target_relative_half_width : float or None
        Stop the estimation once the interval's half-width is at most this fraction of ``p``
        (at least ``min_estimation_samples`` samples and 10 effective failures first). None:
        spend the whole budget.
    min_estimation_samples : int
        See ``target_relative_half_width``.
    """

    explore_scales: tuple[float, ...] = (3.0, 4.0, 6.0)
    explore_samples: int = 100
    min_failures: int = 10
    max_regions: int = 4
    search_fraction: float = 0.5
    search_step: float = 1.0
    search_tolerance: float = 0.02
    max_search_iterations: int = 6
    probe_opposite: bool = True
    opposite_margin: float = 2.0
    defensive_fraction: float = 0.1
    round_size: int = 500
    target_relative_half_width: float | None = None
    min_estimation_samples: int = 500

    def __post_init__(self) -> None:
        CommonOptions.__post_init__(self)
        object.__setattr__(
            self, "explore_scales", _check_scales("explore_scales", self.explore_scales, 0.0)
        )
        check_int("explore_samples", self.explore_samples, 1)
        check_int("min_failures", self.min_failures, 1)
        check_int("max_regions", self.max_regions, 1, 64)
        check_range("search_fraction", self.search_fraction, 0.0, 1.0, low_inclusive=False)
        check_range("search_step", self.search_step, 0.0, 10.0, low_inclusive=False)
        check_range("search_tolerance", self.search_tolerance, 0.0, 1.0, low_inclusive=False)
        check_int("max_search_iterations", self.max_search_iterations, 1, 100)
        if not isinstance(self.probe_opposite, bool):
            raise ParameterError("probe_opposite", self.probe_opposite, "True or False")
        check_range("opposite_margin", self.opposite_margin, 0.0, 20.0)
        check_range("defensive_fraction", self.defensive_fraction, 0.0, 1.0, high_inclusive=False)
        check_int("round_size", self.round_size, 1)
        if self.target_relative_half_width is not None:
            check_range(
                "target_relative_half_width",
                self.target_relative_half_width,
                0.0,
                10.0,
                low_inclusive=False,
            )
        check_int("min_estimation_samples", self.min_estimation_samples, 1)


@dataclass(frozen=True, slots=True)
class ScaledSigmaOptions(CommonOptions):
    """Options of :func:`scaled_sigma_sampling`.

    Attributes
    ----------
    scales : tuple of float or None
        Scale factors (each > 1), each sampled with an equal share of the budget. None: chosen
        from a pilot run (see :func:`scaled_sigma_sampling`).
    n_scales : int
        Number of scales when they are chosen automatically (the pilot's scale included).
    pilot_scales : tuple of float
        Scales tried in order for the pilot until it sees ``pilot_min_failures`` failures.
    pilot_min_failures : int
        See ``pilot_scales``.
    target_failures : float
        Expected failures wanted at the smallest automatic scale.
    max_scale_probability : float
        Failure probability aimed at for the largest automatic scale.
    bootstrap : int
        Bootstrap replicates of the interval.
    """

    scales: tuple[float, ...] | None = None
    n_scales: int = 4
    pilot_scales: tuple[float, ...] = (3.0, 4.5, 6.0)
    pilot_min_failures: int = 10
    target_failures: float = 10.0
    max_scale_probability: float = 0.2
    bootstrap: int = 2000

    def __post_init__(self) -> None:
        CommonOptions.__post_init__(self)
        if self.scales is not None:
            scales = _check_scales("scales", self.scales, 1.0)
            if len(set(scales)) < 3:
                raise ParameterError("scales", self.scales, "at least 3 distinct factors > 1")
            object.__setattr__(self, "scales", scales)
        check_int("n_scales", self.n_scales, 3, 50)
        object.__setattr__(
            self, "pilot_scales", _check_scales("pilot_scales", self.pilot_scales, 1.0)
        )
        check_int("pilot_min_failures", self.pilot_min_failures, 1)
        check_range("target_failures", self.target_failures, 1.0, 1e6)
        check_range(
            "max_scale_probability", self.max_scale_probability, 0.0, 0.5, low_inclusive=False
        )
        check_int("bootstrap", self.bootstrap, 100, 1_000_000)


@dataclass(frozen=True, slots=True)
class MonteCarloOptions(CommonOptions):
    """Options of :func:`monte_carlo` (only the common ones)."""


_OPTION_TYPES: dict[str, type[CommonOptions]] = {
    "importance": ImportanceOptions,
    "scaled-sigma": ScaledSigmaOptions,
    "monte-carlo": MonteCarloOptions,
}


def make_options(method: str, options: Mapping[str, Any]) -> CommonOptions:
    """Validated option record of ``method`` from keyword options.

    Raises
    ------
    ParameterError
        For an unknown method, an option the method does not have, or a bad value.
    """
    check_choice("method", method, METHODS)
    option_type = _OPTION_TYPES[method]
    known = [f.name for f in fields(option_type)]
    for name in options:
        if name not in known:
            raise ParameterError(
                "options", name, f"an option of method {method!r}: " + ", ".join(known)
            )
    values = dict(options)
    for name in ("explore_scales", "scales", "pilot_scales"):
        if values.get(name) is not None and not isinstance(values[name], str):
            try:
                values[name] = tuple(values[name])
            except TypeError:
                raise ParameterError(name, values[name], "a sequence of numbers") from None
    return option_type(**values)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


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
    """

    u: np.ndarray
    failed: np.ndarray
    stage: np.ndarray
    weight: np.ndarray
    scale: np.ndarray


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
        ``"importance"``, ``"scaled-sigma"`` or ``"monte-carlo"``.
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


# --------------------------------------------------------------------------------------------
# Evaluation bookkeeping
# --------------------------------------------------------------------------------------------


class _OutOfBudget(Exception):
    """A stage asked for more evaluations than it may spend (caught inside this module)."""


class _Evaluator:
    """Calls the limit state in batches, checks its answers, counts and optionally records."""

    def __init__(self, limit_state: LimitState, dim: int, budget: int, options: CommonOptions):
        self._limit_state = limit_state
        self._dim = dim
        self.budget = budget
        self._batch_size = options.batch_size
        self._keep = options.keep_samples
        self.n = 0
        #: Evaluations allowed before a stage stops (the search lowers it temporarily).
        self.limit = budget
        self._u: list[np.ndarray] = []
        self._failed: list[np.ndarray] = []
        self._stage: list[np.ndarray] = []
        self._scale: list[np.ndarray] = []

    @property
    def remaining(self) -> int:
        """Evaluations the current stage may still spend."""
        return max(0, min(self.limit, self.budget) - self.n)

    def __call__(self, u: np.ndarray, stage: str, scale: float = math.nan) -> np.ndarray:
        n_rows = len(u)
        if n_rows > self.remaining:
            raise _OutOfBudget
        failed = np.empty(n_rows, dtype=bool)
        for start in range(0, n_rows, self._batch_size):
            chunk = np.array(u[start : start + self._batch_size], dtype=float)
            failed[start : start + len(chunk)] = self._check(self._limit_state(chunk), len(chunk))
        self.n += n_rows
        if self._keep:
            self._u.append(np.array(u, dtype=float))
            self._failed.append(failed.copy())
            self._stage.append(np.full(n_rows, stage))
            self._scale.append(np.full(n_rows, scale))
        return failed

    @staticmethod
    def _check(answer: Any, n_rows: int) -> np.ndarray:
        # A limit state returning floats or 0/1 ints would silently change meaning (a margin
        # is not a verdict), so only booleans of the right length are accepted.
        array = np.asarray(answer)
        if array.dtype != np.bool_ or array.shape != (n_rows,):
            raise ParameterError(
                "limit_state",
                f"an answer of shape {array.shape} and dtype {array.dtype}",
                f"a boolean array of shape ({n_rows},), one verdict per row (True = failure)",
            )
        return array

    def samples(self, weights: np.ndarray | None = None) -> EvaluatedSamples | None:
        """The recorded evaluations, with ``weights`` on the trailing estimation rows."""
        if not self._keep:
            return None
        u = np.concatenate(self._u) if self._u else np.empty((0, self._dim))
        stage = np.concatenate(self._stage) if self._stage else np.empty(0, dtype=str)
        weight = np.full(len(u), np.nan)
        if weights is not None and len(weights):
            weight[len(u) - len(weights) :] = weights
        return EvaluatedSamples(
            u=u,
            failed=np.concatenate(self._failed) if self._failed else np.empty(0, dtype=bool),
            stage=stage,
            weight=weight,
            scale=np.concatenate(self._scale) if self._scale else np.empty(0),
        )


def _z(confidence: float) -> float:
    """Two-sided standard-normal quantile: 1.96 for 95 %."""
    return float(stats.norm.isf(0.5 * (1.0 - confidence)))


def _seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        # A fresh copy: spawning from the caller's object would advance its child counter, and
        # the same seed must give the same result every time.
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
    check_int("seed", seed, 0)
    return np.random.SeedSequence(seed)


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


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
        ``"importance"`` (default), ``"scaled-sigma"`` or ``"monte-carlo"``.
    budget : int
        Largest number of limit-state evaluations, search included (at least
        ``MIN_BUDGET[method]``).
    seed : int or numpy.random.SeedSequence
        Root of every random number drawn.
    **options
        Method options: the fields of :class:`ImportanceOptions`, :class:`ScaledSigmaOptions`
        or :class:`MonteCarloOptions` (``batch_size``, ``confidence``, ``keep_samples`` for
        all).

    Returns
    -------
    RareEventResult
        ``p``, ``ci_low``, ``ci_high``, ``n_evaluations``, ``effective_sample_size`` and
        diagnostics.

    Raises
    ------
    ParameterError
        For an unknown method or option, ``dim < 1``, a budget below the method's minimum, a
        negative seed, a limit state that is not callable or that answers with anything but a
        boolean array of shape ``(n,)``.
    """
    check_choice("method", method, METHODS)
    if not callable(limit_state):
        raise ParameterError("limit_state", limit_state, "a callable taking an (n, dim) array")
    check_int("dim", dim, 1, MAX_DIM)
    check_int("budget", budget, MIN_BUDGET[method])
    root = _seed_sequence(seed)
    opts = make_options(method, options)
    if isinstance(opts, ImportanceOptions):
        return importance_sampling(limit_state, dim, budget, root, opts)
    if isinstance(opts, ScaledSigmaOptions):
        return scaled_sigma_sampling(limit_state, dim, budget, root, opts)
    assert isinstance(opts, MonteCarloOptions)
    return monte_carlo(limit_state, dim, budget, root, opts)


# --------------------------------------------------------------------------------------------
# Monte-Carlo
# --------------------------------------------------------------------------------------------


def _monte_carlo_result(
    evaluate: _Evaluator,
    failures: int,
    n: int,
    confidence: float,
    method: str = "monte-carlo",
    notes: tuple[str, ...] = (),
    weights: np.ndarray | None = None,
) -> RareEventResult:
    p = failures / n
    low, high = clopper_pearson(failures, n, confidence)
    std_error = math.sqrt(p * (1.0 - p) / n)
    return RareEventResult(
        method=method,
        p=p,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        n_evaluations=evaluate.n,
        effective_sample_size=float(n),
        std_error=std_error,
        n_failures=failures,
        effective_failures=float(failures),
        notes=notes,
        samples=evaluate.samples(weights),
    )


def monte_carlo(
    limit_state: LimitState,
    dim: int,
    budget: int,
    seed: np.random.SeedSequence,
    options: MonteCarloOptions,
) -> RareEventResult:
    """Plain Monte-Carlo: ``p = k / n`` with the exact Clopper-Pearson interval.

    ``n = budget`` points are drawn from ``N(0, I)``; ``k`` fail. With no failure, ``p = 0``
    and the upper bound is ``1 - (alpha/2)^(1/n)`` (about ``3.7 / n`` at 95 %), never 0.
    """
    evaluate = _Evaluator(limit_state, dim, budget, options)
    rng = np.random.default_rng(seed.spawn(1)[0])
    failures = 0
    while evaluate.remaining:
        u = rng.standard_normal((min(_MC_BLOCK, evaluate.remaining), dim))
        failures += int(evaluate(u, "estimate").sum())
    return _monte_carlo_result(
        evaluate, failures, budget, options.confidence, weights=np.ones(budget)
    )


# --------------------------------------------------------------------------------------------
# Importance sampling: search
# --------------------------------------------------------------------------------------------


def _bisect_rays(
    evaluate: _Evaluator,
    directions: np.ndarray,
    r_high: np.ndarray,
    tolerance: float,
    known_failing: bool = False,
) -> np.ndarray:
    """Radius at which each ray ``r * direction`` enters the failure set.

    Assumes the origin is safe and that each ray crosses the boundary once (the safe set is
    star-shaped around the origin, true for the monotone margins of a sense amplifier). All rays
    are bisected together, so each step is one batch. Returns the smallest radius found to fail
    (within ``tolerance`` of the crossing), NaN for rays still safe at ``r_high``.
    """
    n_rays = len(directions)
    low = np.zeros(n_rays)
    high = np.array(r_high, dtype=float)
    if known_failing:
        crossing = np.ones(n_rays, dtype=bool)
    else:
        crossing = evaluate(directions * high[:, None], "search")
    active = crossing & (high - low > tolerance)
    while active.any():
        index = np.flatnonzero(active)
        middle = 0.5 * (low[index] + high[index])
        failed = evaluate(directions[index] * middle[:, None], "search")
        high[index[failed]] = middle[failed]
        low[index[~failed]] = middle[~failed]
        active = crossing & (high - low > tolerance)
    return np.where(crossing, high, np.nan)


def _tangent_basis(direction: np.ndarray) -> np.ndarray:
    """Orthonormal basis (rows) of the hyperplane orthogonal to the unit vector ``direction``."""
    dim = len(direction)
    q, _ = np.linalg.qr(np.column_stack([direction, np.eye(dim)]))
    # The first column of q is +-direction; the others span its orthogonal complement.
    return np.asarray(q[:, 1:dim].T)


def _design_point(
    evaluate: _Evaluator, start: np.ndarray, options: ImportanceOptions
) -> tuple[np.ndarray, bool]:
    """Minimum-norm failure point near the failing point ``start``.

    HL-RF iteration (Rackwitz and Fiessler, 1978) on a limit state that only answers pass/fail:

    1. ``p`` = boundary point on the ray through ``start`` (bisection).
    2. Boundary points on the rays through ``p + h t_j`` for an orthonormal basis ``t_j`` of the
       plane orthogonal to ``p`` (``dim - 1`` rays, bisected together, ``h = search_step``).
    3. The hyperplane ``n . x = 1`` through these ``dim`` points linearises the boundary; its
       minimum-norm point is ``n / |n|^2``.
    4. Bisect along the ray through that point. If the boundary lies where the linearisation
       said (within 3 tolerances), stop; else repeat from step 2 there.

    For a linear limit state one iteration is exact up to the bisection tolerance. Cost: about
    ``(dim + 1) log2(2 r / tol)`` evaluations per iteration.

    Returns
    -------
    tuple
        The failing point of smallest norm found, and whether the search budget ran out.
    """
    tol = options.search_tolerance
    direction = start / np.linalg.norm(start)
    best = np.array(start, dtype=float)
    dim = len(start)
    try:
        radius = _bisect_rays(
            evaluate,
            direction[None, :],
            np.array([np.linalg.norm(start)]),
            tol,
            known_failing=True,
        )[0]
        point = radius * direction
        best = point
        for _ in range(options.max_search_iterations if dim > 1 else 0):
            probes = point + options.search_step * _tangent_basis(direction)
            probe_norms = np.linalg.norm(probes, axis=1)
            radii = _bisect_rays(evaluate, probes / probe_norms[:, None], 2.0 * probe_norms, tol)
            found = np.isfinite(radii)
            if found.sum() < dim - 1:
                # Some rays never meet the boundary: it bends away and the linearisation
                # through the remaining points is not determined.
                break
            points = np.vstack([point, (radii / probe_norms)[:, None] * probes])
            normal = np.linalg.lstsq(points, np.ones(dim), rcond=None)[0]
            normal_sq = float(normal @ normal)
            if not math.isfinite(normal_sq) or normal_sq == 0.0:
                break
            predicted = normal / normal_sq
            predicted_norm = float(np.linalg.norm(predicted))
            new_direction = predicted / predicted_norm
            new_radius = _bisect_rays(
                evaluate, new_direction[None, :], np.array([2.0 * predicted_norm]), tol
            )[0]
            if not math.isfinite(new_radius):
                break
            point, direction = new_radius * new_direction, new_direction
            if new_radius < np.linalg.norm(best):
                best = point
            if abs(new_radius - predicted_norm) <= 3.0 * tol:
                break
    except _OutOfBudget:
        return best, True
    return best, False


def _is_duplicate(centre: np.ndarray, regions: Sequence[np.ndarray]) -> bool:
    for other in regions:
        distance = float(np.linalg.norm(centre - other))
        if distance <= max(0.5, 0.1 * float(np.linalg.norm(other))):
            return True
    return False


def _explained(points: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Failures lying beyond (most of the way to) the tangent plane at ``centre``."""
    beta = np.linalg.norm(centre)
    return np.asarray(points @ (centre / beta) >= 0.75 * beta)


def find_failure_regions(
    evaluate: _Evaluator,
    dim: int,
    rng: np.random.Generator,
    options: ImportanceOptions,
) -> tuple[list[np.ndarray], list[str]]:
    """Search for the minimum-norm points of the failure regions.

    1. Exploration: ``explore_samples`` points from ``N(0, s^2 I)`` for each ``s`` of
       ``explore_scales`` in turn, until ``min_failures`` failures are seen (the scaled
       sampling of Kanj et al. and Dolecek et al. used to locate failures).
    2. From the failing point of smallest norm (Dolecek et al.'s starting shift), the design
       point of its region is found by :func:`_design_point`.
    3. Failures explained by a region (beyond 3/4 of the way to its tangent plane) are set
       aside; the smallest-norm remaining failure starts the next search, until none remain or
       ``max_regions`` regions are found. A search that ends on a known region is discarded
       with the failures at least as aligned with it as its start.
    4. Optionally, the point opposite each region at ``|c| + opposite_margin`` is tested and,
       if it fails, searched from.

    Returns the centres and notes. The search stops early, keeping what it has, when it would
    exceed its share of the budget.
    """
    notes: list[str] = []
    if evaluate(np.zeros((1, dim)), "search")[0]:
        notes.append("the nominal point u = 0 fails: the event is not rare")
        return [], notes
    failures: list[np.ndarray] = []
    for scale in options.explore_scales:
        if evaluate.remaining < options.explore_samples:
            break
        u = scale * rng.standard_normal((options.explore_samples, dim))
        failed = evaluate(u, "explore", scale)
        failures.extend(u[failed])
        if len(failures) >= options.min_failures:
            break
    if not failures:
        notes.append(
            f"the exploration found no failure up to scale {max(options.explore_scales):g} sigma"
        )
        return [], notes
    regions: list[np.ndarray] = []
    pending = np.array(failures)
    exhausted = False
    attempts = 0
    while len(pending) and len(regions) < options.max_regions and not exhausted:
        attempts += 1
        if attempts > 2 * options.max_regions:
            break
        start = pending[np.argmin(np.linalg.norm(pending, axis=1))]
        centre, exhausted = _design_point(evaluate, start, options)
        if _is_duplicate(centre, regions):
            # A start outside every known region's half-space led back to a known region
            # (its boundary is curved): set aside the failures at least as aligned with it.
            unit = centre / np.linalg.norm(centre)
            cosines = pending @ unit / np.linalg.norm(pending, axis=1)
            pending = pending[cosines < start @ unit / np.linalg.norm(start)]
        else:
            regions.append(centre)
        for region in regions:
            pending = pending[~_explained(pending, region)]
    if options.probe_opposite:
        for region in list(regions):
            if len(regions) >= options.max_regions or exhausted:
                break
            beta = float(np.linalg.norm(region))
            probe = -region / beta * (beta + options.opposite_margin)
            try:
                probe_failed = evaluate(probe[None, :], "search")[0]
            except _OutOfBudget:
                exhausted = True
                break
            if probe_failed:
                centre, exhausted = _design_point(evaluate, probe, options)
                if not _is_duplicate(centre, regions):
                    regions.append(centre)
    if exhausted:
        notes.append("the search stopped at its share of the budget; regions may be missing")
    return regions, notes


# --------------------------------------------------------------------------------------------
# Importance sampling: estimation
# --------------------------------------------------------------------------------------------


def _allocate(n: int, proportions: np.ndarray) -> np.ndarray:
    """Integer counts summing to ``n`` closest to ``n * proportions`` (largest remainders)."""
    raw = n * proportions
    counts = np.floor(raw).astype(int)
    shortfall = n - int(counts.sum())
    if shortfall:
        order = np.argsort(-(raw - counts), kind="stable")
        counts[order[:shortfall]] += 1
    return counts


def _log_likelihood_ratio(u: np.ndarray, means: np.ndarray, proportions: np.ndarray) -> np.ndarray:
    """``log(phi(u) / q(u))`` for the mixture ``q = sum_k a_k N(mu_k, I)``.

    ``N(mu, I)(u) / phi(u) = exp(mu . u - |mu|^2 / 2)``, so the ratio needs no density of
    ``u`` itself and stays finite far in the tails (log-sum-exp).
    """
    used = proportions > 0
    terms = (
        np.log(proportions[used])[None, :]
        + u @ means[used].T
        - 0.5 * np.sum(means[used] ** 2, axis=1)[None, :]
    )
    return np.asarray(-special.logsumexp(terms, axis=1))


def _weighted_estimate(
    failed: np.ndarray, log_weight: np.ndarray
) -> tuple[float, float, float, np.ndarray]:
    """``(p, standard error, Kish effective failures, weights)`` of an importance sample."""
    weight = np.exp(log_weight)
    y = np.where(failed, weight, 0.0)
    n = len(y)
    p = float(y.mean())
    std_error = float(y.std(ddof=1) / math.sqrt(n)) if n > 1 else math.inf
    y_fail = y[failed]
    effective = float(y_fail.sum() ** 2 / np.sum(y_fail**2)) if y_fail.size else 0.0
    return p, std_error, effective, weight


def importance_sampling(
    limit_state: LimitState,
    dim: int,
    budget: int,
    seed: np.random.SeedSequence,
    options: ImportanceOptions,
) -> RareEventResult:
    """Minimum-norm importance sampling with a defensive Gaussian mixture.

    **Search** (:func:`find_failure_regions`, at most ``search_fraction`` of the budget): the
    minimum-norm failure points ``mu_1 ... mu_K`` of up to ``max_regions`` failure regions.
    Shifting the sampling mean to the minimum-norm failure point is the MNIS of Dolecek et al.
    (ICCAD 2008); a mixture of shifted Gaussians covering several regions, plus the nominal
    density, is the mixture importance sampling of Kanj, Joshi and Nassif (DAC 2006).

    **Estimation** (the rest of the budget): points from

    .. math:: q(u) = a_0 \\varphi(u) + \\sum_{k=1}^K a_k \\varphi(u - \\mu_k),

    with ``a_0 = defensive_fraction`` (Hesterberg's defensive mixture: the weights below are
    then bounded by ``1 / a_0``, so the estimator's variance is finite even where the shifted
    components are a poor fit) and ``a_k`` shared among regions in proportion to
    ``0.8 Phi(-|mu_k|) / sum + 0.2 / K`` (FORM's estimate of each region's share, floored so no
    region is starved). Each round of ``round_size`` points is split among the components in
    these proportions deterministically (largest remainders), which keeps the estimator
    unbiased with the balance-heuristic weights of Owen and Zhou (2000):

    .. math:: \\hat p = \\frac{1}{N} \\sum_{i=1}^N 1_F(u_i) w(u_i),\\qquad
              w(u) = \\frac{\\varphi(u)}{q(u)},

    ``q`` using the realised share of each component.

    **Interval**: ``p +- z SE`` with ``SE^2 = s^2 / N``, ``s^2`` the sample variance of
    ``1_F(u_i) w(u_i)`` and ``z`` = 1.96 at 95 % (lower end clipped at 0). Assumptions:

    (i) the central limit theorem holds for the ``N`` terms: with ``a_0 > 0`` the weights are
    bounded and it does, but with few effective failures (``effective_failures`` below ~10, a
    note is then added) the interval is too narrow;
    (ii) the search found every region that matters: a region the mixture misses is reached only
    by the nominal component, so its contribution is almost always absent from both ``p`` and
    ``SE`` (an interval cannot see what was never sampled);
    (iii) ``s^2 / N`` is the variance of i.i.d. sampling from ``q``; the stratified split is at
    least as precise, so this errs on the wide side.

    Measured on half-spaces at 1e-6 and 1e-9 in 10 and 50 dimensions (1000 seeds each, 1e4
    evaluations) and at 1e-6 in 20 dimensions (3000 evaluations): coverage 94.7-97.0 %.

    With no failing estimation point, ``p = 0`` and the upper bound is the Clopper-Pearson bound
    on ``q(F)`` divided by ``a_0`` (since ``q(F) >= a_0 p``).

    With ``target_relative_half_width`` the estimation stops early once the interval is that
    narrow (sequential stopping makes the interval slightly optimistic; measured in the
    benchmark). If the search finds no failure, the remaining budget is spent on plain
    Monte-Carlo and the Clopper-Pearson interval is returned (noted).
    """
    evaluate = _Evaluator(limit_state, dim, budget, options)
    explore_seed, estimate_seed = seed.spawn(2)
    evaluate.limit = max(1, int(options.search_fraction * budget))
    centres, notes = find_failure_regions(
        evaluate, dim, np.random.default_rng(explore_seed), options
    )
    evaluate.limit = budget
    rng = np.random.default_rng(estimate_seed)
    if not centres:
        notes.append("no failure region: the estimate is plain Monte-Carlo on the rest")
        n = evaluate.remaining
        failed = evaluate(rng.standard_normal((n, dim)), "estimate")
        return _monte_carlo_result(
            evaluate,
            int(failed.sum()),
            n,
            options.confidence,
            method="importance",
            notes=tuple(notes),
            weights=np.ones(n),
        )
    means = np.vstack([np.zeros(dim), *centres])
    log_share = stats.norm.logsf(np.linalg.norm(means[1:], axis=1))
    share = np.exp(log_share - log_share.max())
    share = 0.8 * share / share.sum() + 0.2 / len(centres)
    proportions = np.concatenate(
        [[options.defensive_fraction], (1.0 - options.defensive_fraction) * share]
    )
    z = _z(options.confidence)
    u_parts: list[np.ndarray] = []
    failed_parts: list[np.ndarray] = []
    counts = np.zeros(len(means), dtype=int)
    while evaluate.remaining:
        allocation = _allocate(min(options.round_size, evaluate.remaining), proportions)
        u = np.vstack(
            [
                mean + rng.standard_normal((k, dim))
                for mean, k in zip(means, allocation, strict=True)
            ]
        )
        failed_parts.append(evaluate(u, "estimate"))
        u_parts.append(u)
        counts += allocation
        if options.target_relative_half_width is not None:
            n_done = int(counts.sum())
            if n_done >= options.min_estimation_samples:
                u_all = np.vstack(u_parts)
                p, se, effective, _ = _weighted_estimate(
                    np.concatenate(failed_parts),
                    _log_likelihood_ratio(u_all, means, counts / n_done),
                )
                if p > 0 and effective >= 10 and z * se <= options.target_relative_half_width * p:
                    break
    u_all = np.vstack(u_parts)
    failed_all = np.concatenate(failed_parts)
    n = len(u_all)
    log_weight = _log_likelihood_ratio(u_all, means, counts / n)
    p, std_error, effective, weight = _weighted_estimate(failed_all, log_weight)
    n_failures = int(failed_all.sum())
    if n_failures == 0:
        nominal_share = counts[0] / n
        upper_q = clopper_pearson(0, n, options.confidence)[1]
        high = min(1.0, upper_q / nominal_share) if nominal_share > 0 else 1.0
        notes.append("no failure among the estimation samples: p = 0 with a conservative bound")
        low = 0.0
    else:
        low, high = max(0.0, p - z * std_error), p + z * std_error
        if effective < 10:
            notes.append(
                f"only {effective:.1f} effective failures: the normal interval is unreliable"
            )
    # Undefined without a failure (no variance to compare with): NaN, not a flattering number.
    ess = p * (1.0 - p) / std_error**2 if std_error > 0 else math.nan
    return RareEventResult(
        method="importance",
        p=p,
        ci_low=low,
        ci_high=high,
        confidence=options.confidence,
        n_evaluations=evaluate.n,
        effective_sample_size=float(ess),
        std_error=std_error,
        n_failures=n_failures,
        effective_failures=effective,
        regions=tuple(FailureRegion(np.array(c)) for c in centres),
        notes=tuple(notes),
        samples=evaluate.samples(weight),
    )


# --------------------------------------------------------------------------------------------
# Scaled-sigma sampling
# --------------------------------------------------------------------------------------------


def _solve(matrices: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Batched ``matrices[b] @ x[b] = vectors[b]`` (NaN rows where a matrix is singular)."""
    try:
        return np.asarray(np.linalg.solve(matrices, vectors[..., None])[..., 0])
    except np.linalg.LinAlgError:
        pass
    out = np.full(vectors.shape, np.nan)
    for b in range(len(matrices)):
        # A singular system means the fit is not identified; the NaN row says so.
        with contextlib.suppress(np.linalg.LinAlgError):
            out[b] = np.linalg.solve(matrices[b], vectors[b])
    return out


def _sss_design(scales: np.ndarray) -> np.ndarray:
    """Regressors ``[1, log s, 1/s^2]`` of the scaled-sigma model."""
    return np.column_stack([np.ones_like(scales), np.log(scales), scales**-2.0])


def fit_scaled_sigma_model(
    scales: np.ndarray, samples: np.ndarray, failures: np.ndarray, iterations: int = 60
) -> np.ndarray:
    """Maximum-likelihood ``(alpha, beta, gamma)`` of ``log P(s) = alpha + beta log s + gamma/s^2``.

    The failures ``k_j`` at scale ``s_j`` are Binomial(``n_j``, ``P(s_j)``); the model is a
    binomial GLM with log link, fitted by iteratively reweighted least squares (working weights
    ``n P / (1 - P)``, working response ``eta + (k - n P) / (n P)``) with step halving. The
    likelihood is concave in the coefficients, and unlike least squares on ``log(k_j / n_j)``
    it copes with scales that saw few or no failures.

    Parameters
    ----------
    scales : numpy.ndarray
        Scale factors, shape ``(m,)``, m >= 3.
    samples : numpy.ndarray
        Samples at each scale, shape ``(m,)``.
    failures : numpy.ndarray
        Failure counts, shape ``(m,)`` or ``(b, m)`` for ``b`` data sets fitted at once (the
        bootstrap).

    Returns
    -------
    numpy.ndarray
        Coefficients, shape ``(3,)`` or ``(b, 3)``; NaN rows where the fit is not identified
        (fewer than 3 scales with a failure).
    """
    x = _sss_design(np.asarray(scales, dtype=float))
    n = np.asarray(samples, dtype=float)
    k = np.atleast_2d(np.asarray(failures, dtype=float))
    # Start: weighted least squares on continuity-corrected log rates.
    rate = (k + 0.5) / (n + 1.0)
    theta = _solve(
        np.einsum("mi,bm,mj->bij", x, k + 0.5, x),
        np.einsum("mi,bm,bm->bi", x, k + 0.5, np.log(rate)),
    )

    def log_likelihood(theta: np.ndarray) -> np.ndarray:
        eta = np.minimum(theta @ x.T, -1e-12)
        return np.asarray(np.sum(k * eta + (n - k) * np.log(-np.expm1(eta)), axis=1))

    current = log_likelihood(theta)
    for _ in range(iterations):
        eta = np.minimum(theta @ x.T, -1e-9)
        prob = np.exp(eta)
        weight = n * prob / (1.0 - prob)
        working = eta + (k - n * prob) / (n * prob)
        proposal = _solve(
            np.einsum("mi,bm,mj->bij", x, weight, x),
            np.einsum("mi,bm,bm->bi", x, weight, working),
        )
        step = proposal - theta
        accepted = np.zeros(len(theta), dtype=bool)
        for _halving in range(30):
            candidate = np.where(accepted[:, None], theta, theta + step)
            value = log_likelihood(candidate)
            better = (value >= current - 1e-12) & ~accepted
            theta = np.where(better[:, None], candidate, theta)
            current = np.where(better, value, current)
            accepted |= better
            if accepted.all():
                break
            step = 0.5 * step
        finite = np.isfinite(step)
        if not finite.any() or np.max(np.abs(step[finite])) < 1e-10:
            break
    identified = np.sum(k > 0, axis=1) >= 3
    theta[~identified] = np.nan
    return theta[0] if np.ndim(failures) == 1 else theta


def _choose_scales(
    evaluate: _Evaluator,
    dim: int,
    rng: np.random.Generator,
    options: ScaledSigmaOptions,
    per_scale: int,
) -> tuple[list[float], list[int], list[int]]:
    """Pilot run, then scales from its implied reliability index.

    The pilot samples ``per_scale`` points at each of ``pilot_scales`` in turn until one sees
    ``pilot_min_failures`` failures, at scale ``s_0`` with rate ``r_0``. Treating the failure
    region as a half-space gives ``b = s_0 Phi^-1(1 - r_0)``; ``n_scales`` scales are then spaced
    geometrically from ``b / Phi^-1(1 - target_failures / per_scale)`` (about
    ``target_failures`` failures expected there) to ``b / Phi^-1(1 - max_scale_probability)``,
    and the one nearest ``s_0`` is replaced by the pilot itself. A wide span of ``1 / s^2``
    keeps the extrapolation's variance down; scales far from 1 add model bias (the defaults
    balance the two for half-spaces between 1e-3 and 1e-9, see the tests).
    """
    scales: list[float] = []
    samples: list[int] = []
    failures: list[int] = []
    for scale in options.pilot_scales:
        if evaluate.remaining < per_scale:
            break
        u = scale * rng.standard_normal((per_scale, dim))
        scales.append(scale)
        samples.append(per_scale)
        failures.append(int(evaluate(u, "scaled", scale).sum()))
        if failures[-1] >= options.pilot_min_failures:
            break
    if not failures or failures[-1] == 0:
        return scales, samples, failures
    pilot = scales[-1]
    rate = min(failures[-1] / per_scale, 0.5)
    b = pilot * float(stats.norm.isf(rate))
    smallest = b / float(stats.norm.isf(min(0.5, options.target_failures / per_scale)))
    largest = b / float(stats.norm.isf(options.max_scale_probability))
    smallest = max(smallest, 1.05)
    largest = max(largest, 1.5 * smallest)
    design = list(np.geomspace(smallest, largest, options.n_scales))
    del design[int(np.argmin([abs(math.log(s / pilot)) for s in design]))]
    for scale in design:
        if evaluate.remaining < per_scale:
            break
        u = float(scale) * rng.standard_normal((per_scale, dim))
        scales.append(float(scale))
        samples.append(per_scale)
        failures.append(int(evaluate(u, "scaled", float(scale)).sum()))
    return scales, samples, failures


def scaled_sigma_sampling(
    limit_state: LimitState,
    dim: int,
    budget: int,
    seed: np.random.SeedSequence,
    options: ScaledSigmaOptions,
) -> RareEventResult:
    """Scaled-sigma sampling (Sun, Li et al., IEEE TCAD 34(7), 2015).

    Points are drawn from ``N(0, s^2 I)`` at several scale factors ``s > 1``; the failure rate
    at each is ``P(s)``. For a failure region away from the origin, Sun et al. show that

    .. math:: \\log P(s) \\approx \\alpha + \\beta \\log s + \\frac{\\gamma}{s^2}

    (for a half-space at distance ``b``: ``P(s) = Phi(-b/s)`` whose tail expansion is
    ``-b^2/(2 s^2) + log s - log(b sqrt(2 pi))``, i.e. beta = 1, gamma = -b^2/2, plus terms in
    ``s^2/b^2`` the model lacks). The coefficients are fitted to the counts
    (:func:`fit_scaled_sigma_model`, maximum likelihood) and extrapolated to ``s = 1``:
    ``p = exp(alpha + gamma)``. Unlike importance sampling there is no search and no
    likelihood ratio, so the cost does not grow with the dimension; the price is an
    extrapolation through a model.

    **Interval**: percentile bootstrap. Each replicate redraws every scale's failure count from
    Binomial(``n_j``, ``k_j / n_j``) (the same as resampling that scale's points), refits and
    extrapolates; the interval is the (2.5 %, 97.5 %) quantiles of the ``bootstrap`` replicate
    estimates. It covers the *statistical* error only, not the model error of the
    extrapolation. Measured on half-spaces (``p = Phi(-b)``; 10 and 50 dimensions, automatic
    scales, 200 seeds per case; see the tests): at 1e4 evaluations the interval covered the
    truth in 90.5-94 % of runs, the geometric mean of estimate / truth was about 0.6 at 1e-6 and
    0.4 at 1e-9 (the model's bias: the expansion of ``log Phi(-b/s)`` has further terms in
    ``s^2 / b^2``), and the median half-width of the interval was 7 p (1e-6) and 49 p (1e-9);
    at 1e5 evaluations coverage 86-94 %, bias 0.75 and 0.5, half-width 1.4 p and 3 p. Read it as a
    statistical interval around a model-based estimate; importance sampling is far more precise
    for the few tens of variables of a sense amplifier, scaled-sigma's cost does not grow with
    the dimension.

    **Scales**: ``options.scales`` with an equal share of the budget each, or (default) a pilot
    run and scales derived from it (:func:`_choose_scales`), ``n_scales`` in all.
    """
    evaluate = _Evaluator(limit_state, dim, budget, options)
    sample_seed, bootstrap_seed = seed.spawn(2)
    rng = np.random.default_rng(sample_seed)
    notes: list[str] = []
    if options.scales is not None:
        per_scale = budget // len(options.scales)
        scales, samples, failures = [], [], []
        for scale in options.scales:
            u = scale * rng.standard_normal((per_scale, dim))
            scales.append(scale)
            samples.append(per_scale)
            failures.append(int(evaluate(u, "scaled", scale).sum()))
    else:
        per_scale = budget // options.n_scales
        scales, samples, failures = _choose_scales(evaluate, dim, rng, options, per_scale)
    s = np.array(scales)
    n = np.array(samples)
    k = np.array(failures)
    theta = fit_scaled_sigma_model(s, n, k)
    if not np.all(np.isfinite(theta)):
        notes.append(f"failures at fewer than 3 scales ({k.tolist()} of {n.tolist()}): no estimate")
        return RareEventResult(
            method="scaled-sigma",
            p=math.nan,
            ci_low=0.0,
            ci_high=1.0,
            confidence=options.confidence,
            n_evaluations=evaluate.n,
            effective_sample_size=0.0,
            std_error=math.inf,
            n_failures=int(k.sum()),
            effective_failures=float(k.sum()),
            scales=tuple(scales),
            scale_samples=tuple(samples),
            scale_failures=tuple(failures),
            notes=tuple(notes),
            samples=evaluate.samples(),
        )
    p = float(np.exp(theta[0] + theta[2]))
    boot_rng = np.random.default_rng(bootstrap_seed)
    boot_counts = boot_rng.binomial(n, k / n, size=(options.bootstrap, len(n)))
    boot_theta = fit_scaled_sigma_model(s, n, boot_counts)
    boot_p = np.exp(boot_theta[:, 0] + boot_theta[:, 2])
    valid = np.isfinite(boot_p)
    if valid.mean() < 0.99:
        notes.append(f"{(~valid).sum()} bootstrap replicates were not identified (dropped)")
    tail = 0.5 * (1.0 - options.confidence)
    low, high = (float(q) for q in np.quantile(boot_p[valid], [tail, 1.0 - tail]))
    std_error = float(np.std(boot_p[valid], ddof=1))
    ess = p * (1.0 - p) / std_error**2 if std_error > 0 else math.inf
    return RareEventResult(
        method="scaled-sigma",
        p=p,
        ci_low=low,
        ci_high=high,
        confidence=options.confidence,
        n_evaluations=evaluate.n,
        effective_sample_size=float(ess),
        std_error=std_error,
        n_failures=int(k.sum()),
        effective_failures=float(k.sum()),
        scales=tuple(float(v) for v in scales),
        scale_samples=tuple(int(v) for v in samples),
        scale_failures=tuple(int(v) for v in failures),
        model_coefficients=tuple(float(v) for v in theta),
        notes=tuple(notes),
        samples=evaluate.samples(),
    )
