"""Options of the rare-event estimators: one validated record per method."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from rram_ber.core.validation import ParameterError, check_int, check_range

#: A limit state: ``(n, dim)`` float array in standard-normal space -> ``(n,)`` bool, True = fail.
LimitState = Callable[[np.ndarray], np.ndarray]


@runtime_checkable
class MarginLimitState(Protocol):
    """A limit state that also grades how far a point is from failing.

    ``margin(u)`` takes an ``(n, dim)`` array in standard-normal space and returns ``n`` finite
    floats ``g(u)``, with ``g(u) <= 0`` exactly where the boolean verdict ``limit_state(u)`` is
    True (failure). On the safe side ``g`` must grow with the distance from failure (any
    monotone grading will do): subset simulation ranks points by it to pick each level's
    intermediate failure set ``{g <= b}``. The boolean methods keep calling the object itself
    and refuse anything but booleans; only ``method = "subset"`` calls ``margin``.
    """

    def __call__(self, u: np.ndarray) -> np.ndarray:
        """Boolean verdicts, True = failure."""
        ...

    def margin(self, u: np.ndarray) -> np.ndarray:
        """Margins ``g(u)``, ``g <= 0`` = failure."""
        ...


@runtime_checkable
class SharedLimitState(Protocol):
    """A limit state whose every evaluation also answers related events.

    A read simulated once is judged at its own sampling time and at the earlier sampling times
    of its condition group (:class:`~rram_ber.characterization.limit_states.ReadLimitState`'s
    ``also_at``). ``verdicts(u)`` returns an ``(n, 1 + related)`` boolean array: column 0 is
    the verdict of ``limit_state(u)``, column ``j`` that of the ``j``-th related event. Guided
    importance sampling adds centres on the related events' boundaries, so that the same
    draws estimate them too.
    """

    def __call__(self, u: np.ndarray) -> np.ndarray:
        """Boolean verdicts, True = failure."""
        ...

    @property
    def related(self) -> int:
        """Number of related events."""
        ...

    def verdicts(self, u: np.ndarray) -> np.ndarray:
        """Verdicts of the event and of each related event, one column each."""
        ...


#: Largest dimension accepted (a guard against passing a sample count as the dimension).
MAX_DIM = 100_000


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


@dataclass(frozen=True, slots=True)
class SubsetOptions(CommonOptions):
    """Options of :func:`~characterization.rare.subset.subset_simulation`.

    Attributes
    ----------
    level_probability : float
        Conditional probability ``p0`` of each intermediate level (Au and Beck 2001 recommend
        0.1; 0.05 ... 0.5 accepted). ``1 / p0`` must be an integer: each level grows
        ``N p0`` Markov chains of ``1 / p0`` states.
    samples_per_level : int or None
        Points per level ``N`` (a multiple of ``1 / p0``, at least ``10 / p0``). None: the
        budget is spread over ``max_levels`` levels, ``N = budget / (1 + (max_levels - 1)
        (1 - p0))`` rounded down to a multiple of ``1 / p0``.
    max_levels : int
        Largest number of levels (level 0, the plain Monte-Carlo one, included). With ``p0 =
        0.1`` the default 12 reaches ``p ~ 1e-12``: a bound below 1e-9 needs that margin, as
        the bound is the upper end of a wide interval. A run that stops before reaching
        failure returns an upper bound, not an estimate.
    target_acceptance : float
        Acceptance rate the conditional sampler adapts its step to (0.44: Papaioannou et al.
        2015, after Roberts and Rosenthal).
    initial_scale : float
        Starting step factor ``lambda`` of the conditional sampler, 0 < lambda <= 1.
    """

    level_probability: float = 0.1
    samples_per_level: int | None = None
    max_levels: int = 12
    target_acceptance: float = 0.44
    initial_scale: float = 0.6

    def __post_init__(self) -> None:
        CommonOptions.__post_init__(self)
        check_range("level_probability", self.level_probability, 0.05, 0.5)
        chain_length = 1.0 / self.level_probability
        if abs(chain_length - round(chain_length)) > 1e-9:
            raise ParameterError(
                "level_probability",
                self.level_probability,
                "1 / p0 an integer (0.05, 0.1, 0.125, 0.2, 0.25, 0.5 ...)",
            )
        if self.samples_per_level is not None:
            check_int("samples_per_level", self.samples_per_level, 10 * round(chain_length))
            if self.samples_per_level % round(chain_length):
                raise ParameterError(
                    "samples_per_level",
                    self.samples_per_level,
                    f"a multiple of 1 / level_probability = {round(chain_length)}",
                )
        check_int("max_levels", self.max_levels, 2, 100)
        check_range("target_acceptance", self.target_acceptance, 0.05, 0.95)
        check_range("initial_scale", self.initial_scale, 0.0, 1.0, low_inclusive=False)

    @property
    def chain_length(self) -> int:
        """States per Markov chain, ``1 / p0`` (the seed included)."""
        return round(1.0 / self.level_probability)

    def level_size(self, budget: int) -> int:
        """Points per level ``N`` for ``budget`` evaluations (see ``samples_per_level``)."""
        if self.samples_per_level is not None:
            return self.samples_per_level
        levels = 1.0 + (self.max_levels - 1) * (1.0 - self.level_probability)
        step = self.chain_length
        return max(step, int(budget / levels) // step * step)
