"""Importance sampling guided by subset simulation: the rare-event estimator of ``auto``.

Neither classic method suits every failure set on its own (measured on the benchmark problems
of :mod:`~rram_ber.characterization.rare.problems`): importance sampling is precise once it is
centred on the failure regions, but its exploration at inflated scales never meets a curved
failure set (the 50-D parabola: ``p = 0`` with a bound); subset simulation walks into any
failure set along the margin, but its estimate is a product of correlated Markov-chain
fractions whose spread is an order of magnitude at a few thousand evaluations. This estimator
uses each for what it does well:

1. **Find failures.** The design points of a neighbouring condition given by the caller
   (``start_points``, moved along their rays to this condition's boundary: then steps 2 and
   the check are skipped), or else subset simulation's levels on the margin
   (:func:`~rram_ber.characterization.rare.subset.run_levels`, ``explore_level_size`` points
   per level), whose last level holds failing
   points distributed as the standard normal restricted to the failure set. Without a margin,
   the scaled exploration of importance sampling.
2. **Design points.** From those failures, the minimum-norm failure point of every region they
   reveal (:func:`~rram_ber.characterization.rare.search.search_from`, HL-RF on the verdict).
   For a limit state that also judges related events (a read's earlier sampling times,
   :class:`~rram_ber.characterization.rare.options.SharedLimitState`), each centre's ray is
   also bisected to every related event's boundary (:func:`_related_centres`).
3. **Estimate.** Importance sampling with the defensive mixture centred on the design points
   (:func:`~rram_ber.characterization.rare.importance.mixture_estimate`) with the rest of the
   budget: every reported number comes from these draws and their likelihood-ratio weights,
   so the exploration's evaluations never enter the estimate (they steer it only).

If no design point is found, the result is subset simulation's own estimate, or its upper
bound when no point failed (noted, ``diagnostics["estimate_from"] = "subset"``).

Stages 1-2 may use ``explore_fraction`` of the budget (the subset levels all of it when none
of their points failed within that share: nothing is left to estimate from); the estimation
stops early at ``target_relative_half_width`` (after ``min_estimation_samples`` draws and 10
effective failures), as importance sampling does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rram_ber.characterization.rare.evaluator import _Evaluator, _OutOfBudget
from rram_ber.characterization.rare.importance import mixture_estimate
from rram_ber.characterization.rare.monte_carlo import monte_carlo_rest
from rram_ber.characterization.rare.options import (
    ImportanceOptions,
    LimitState,
    MarginLimitState,
    SharedLimitState,
    SubsetOptions,
)
from rram_ber.characterization.rare.results import RareEventResult
from rram_ber.characterization.rare.search import (
    SearchOutcome,
    _bisect_rays,
    _design_point,
    _is_duplicate,
    find_failure_regions,
    search_from,
)
from rram_ber.characterization.rare.subset import SubsetRun, bound_note, run_levels
from rram_ber.core.validation import ParameterError, check_int, check_range

#: Name of the estimator in the registry and in ``ber.csv``'s ``method`` column.
GUIDED = "guided-importance"


@dataclass(frozen=True, slots=True)
class GuidedOptions(ImportanceOptions):
    """Options of :func:`guided_importance`: importance sampling's, and its exploration's.

    Attributes
    ----------
    explore_fraction : float
        Largest share of the budget the exploration (subset levels and design-point search)
        may use; the rest is the estimation's.
    explore_level_size : int
        Points per subset level of the exploration (a multiple of ``1 / level_probability``).
        200 reaches 1e-9 in nine levels, 1,640 evaluations at ``p0 = 0.1``.
    level_probability : float
        Subset simulation's ``p0`` (see :class:`SubsetOptions`).
    max_levels : int
        Largest number of subset levels (level 0 included).
    round_size, min_estimation_samples : int
        As importance sampling's, smaller by default (100 and 200): a campaign's estimates at
        1e-2 ... 1e-4 reach their target after a few hundred draws once centred, and SPICE
        reads are dear.
    check_batches : int
        Batches of scaled exploration after the subset levels, to find regions their last
        level lost (see :func:`_check_other_regions`); 0 turns the check off.
    start_points : tuple of tuple of float or None
        Design points of a neighbouring condition, in standard-normal coordinates: moved along
        their rays to this boundary, they are the centres (see :func:`_centres_from_starts`)
        and no exploration runs; if none reaches the boundary, the exploration runs as
        without them.
    """

    round_size: int = 100
    min_estimation_samples: int = 200
    explore_fraction: float = 0.6
    explore_level_size: int = 200
    level_probability: float = 0.1
    max_levels: int = 12
    check_batches: int = 2
    start_points: tuple[tuple[float, ...], ...] | None = None

    def __post_init__(self) -> None:
        ImportanceOptions.__post_init__(self)
        check_range("explore_fraction", self.explore_fraction, 0.0, 1.0, low_inclusive=False)
        # SubsetOptions checks p0, the level size and max_levels with its own messages.
        self.subset_options()
        check_int("explore_level_size", self.explore_level_size, 10)
        check_int("check_batches", self.check_batches, 0, 100)
        if self.start_points is not None:
            try:
                points = np.array(self.start_points, dtype=float)
            except (TypeError, ValueError):
                points = np.empty(0)
            if points.ndim != 2 or not np.all(np.isfinite(points)):
                raise ParameterError(
                    "start_points", self.start_points, "rows of finite standard-normal values"
                )
            object.__setattr__(self, "start_points", tuple(map(tuple, points.tolist())))

    def subset_options(self) -> SubsetOptions:
        """The exploration's subset-simulation options."""
        return SubsetOptions(
            batch_size=self.batch_size,
            confidence=self.confidence,
            keep_samples=self.keep_samples,
            level_probability=self.level_probability,
            samples_per_level=self.explore_level_size,
            max_levels=self.max_levels,
        )


def _centres_from_starts(
    evaluate: _Evaluator, options: GuidedOptions, search: SearchOutcome
) -> None:
    """Centres from the start points: each moved along its ray to this limit state's boundary
    (bisected between the origin and 1.5 times its distance), not refined by HL-RF.

    Start points are a neighbouring condition's design points; the boundary moves little
    between neighbours, and the importance estimate is unbiased wherever its centres are (a
    centre a little off the design point only widens the interval), so the search's
    ``(dim + 1) log2(2 r / tol)`` evaluations per HL-RF step are saved. A start whose ray
    does not cross the boundary within 1.5 times its distance is dropped.
    """
    starts = np.array(options.start_points, dtype=float).reshape(-1, evaluate.dim)
    norms = np.linalg.norm(starts, axis=1)
    starts, norms = starts[norms > 0], norms[norms > 0]
    if not len(starts):
        return
    radii = _bisect_rays(evaluate, starts / norms[:, None], 1.5 * norms, options.search_tolerance)
    for radius, start, norm in zip(radii, starts, norms, strict=True):
        centre = radius * start / norm
        if np.isfinite(radius) and not _is_duplicate(centre, search.regions):
            search.regions.append(centre)


def _related_centres(
    evaluate: _Evaluator,
    limit_state: LimitState,
    search: SearchOutcome,
    options: GuidedOptions,
    refine: bool,
) -> None:
    """Centres on the boundaries of a :class:`SharedLimitState`'s related events (a read's
    earlier sampling times), so that the draws estimate them as well as the limit state's own.

    The related failure sets are not the limit state's: at an earlier sampling time a read
    also fails when it is merely slow, so its failure set reaches nearer the origin, and in
    other directions (a high LRS slows a read that no device overlap makes wrong). Centres on
    the later boundary alone leave those failures to the defensive share: shared estimates
    with intervals up to 20x their estimate were measured so on the default campaign.

    Each known centre's ray (and each start point's) is bisected against every related
    event's verdict, between the origin and 1.5 times the point's distance (about
    ``log2(1.5 r / search_tolerance)`` evaluations per ray and event). With ``refine`` (a
    search of its own, not one seeded by a neighbour's design points, which already carry the
    directions found there) each crossing is then refined by HL-RF on the related verdict
    (:func:`~rram_ber.characterization.rare.search._design_point`, about ``(dim + 1)
    log2(2 r / tol)`` evaluations per step). The points not already known become centres.
    They widen nothing: the estimate stays unbiased wherever its centres are, and the
    estimation stops only once the related events' estimates reach the target too
    (:func:`~rram_ber.characterization.rare.importance.mixture_estimate`).
    """
    if not isinstance(limit_state, SharedLimitState) or not search.regions:
        return
    # A neighbour's start points carry its related events' directions too (its design points
    # include their centres), which the moved centres may not: a start whose ray misses this
    # limit state's own boundary is dropped from those.
    centres = np.array([*search.regions, *(options.start_points or ())], dtype=float)
    norms = np.linalg.norm(centres, axis=1)
    centres, norms = centres[norms > 0], norms[norms > 0]
    for event in range(1, limit_state.related + 1):
        radii = _bisect_rays(
            evaluate,
            centres / norms[:, None],
            1.5 * norms,
            options.search_tolerance,
            event=event,
        )
        for radius, centre, norm in zip(radii, centres, norms, strict=True):
            if not np.isfinite(radius):
                continue
            point = radius * centre / norm
            if refine:
                refined, _ = _design_point(evaluate, point, options, event)
                point = point if refined is None else refined
            if not _is_duplicate(point, search.regions):
                search.regions.append(point)


def _check_other_regions(
    evaluate: _Evaluator, rng: np.random.Generator, search: SearchOutcome, options: GuidedOptions
) -> None:
    """Look for failure regions the last subset level lost, with importance sampling's scaled
    exploration.

    Subset simulation's chains drift between regions of similar weight, and a region every
    chain left is absent from the last level (two regions in 30-D at 1e-6: one was missed in
    half the seeds). ``check_batches`` batches of ``explore_samples`` points from ``N(0, s^2
    I)``, ``s`` the first of ``explore_scales``, meet every region within a few sigma of the
    known ones (at ``s = 3`` a region at 5 sigma fails 5 % of the draws); their failures that
    no known design point explains are searched from (:func:`search_from`).
    """
    scale = options.explore_scales[0]
    for _ in range(options.check_batches):
        u = scale * rng.standard_normal((options.explore_samples, evaluate.dim))
        failures = u[evaluate(u, "explore", scale)]
        if len(failures):
            search_from(evaluate, failures, search, options)


def guided_importance(
    limit_state: LimitState,
    dim: int,
    budget: int,
    seed: np.random.SeedSequence,
    options: GuidedOptions,
) -> RareEventResult:
    """Importance sampling centred on the design points that subset simulation's failures (or
    the given starting points) lead to; see the module docstring.

    **Diagnostics**: ``design_points`` and ``betas`` as importance sampling's, and
    ``estimate_from`` (``"importance"`` or ``"subset"``), ``explored_by`` (``"start-points"``,
    ``"subset"`` or ``"scaled-exploration"``) and ``exploration_evaluations``.
    """
    evaluate = _Evaluator(limit_state, dim, budget, options)
    explore_seed, estimate_seed = seed.spawn(2)
    explore_rng = np.random.default_rng(explore_seed)
    explore_limit = max(1, int(options.explore_fraction * budget))
    # The design-point search may go on past the exploration's share (in 100-D one HL-RF step
    # costs ~900 evaluations), as long as the estimation keeps its minimum.
    search_limit = max(explore_limit, budget - options.min_estimation_samples)
    search = SearchOutcome()
    run: SubsetRun | None = None
    explored_by = "start-points"
    try:
        if options.start_points:
            evaluate.limit = search_limit
            _centres_from_starts(evaluate, options, search)
        if not search.regions and isinstance(limit_state, MarginLimitState):
            explored_by = "subset"
            evaluate.limit = explore_limit
            run = run_levels(
                evaluate, explore_rng, options.explore_level_size, options.subset_options()
            )
            if run.bound_only and run.level + 1 < options.max_levels:
                # No point failed within the exploration's share: there is nothing to
                # centre an estimate on, so the rest of the budget goes to more levels
                # (measured: a 1e-10 half-space in 10-D, 2,000 reads, was bounded by 2.5e-5
                # after 1,100 reads, 900 left unused).
                evaluate.limit = budget
                run = run_levels(
                    evaluate,
                    explore_rng,
                    options.explore_level_size,
                    options.subset_options(),
                    resume=run,
                )
            evaluate.limit = search_limit
            if run.n_fail:
                search_from(evaluate, run.failures, search, options)
            if search.regions:
                _check_other_regions(evaluate, explore_rng, search, options)
        elif not search.regions:
            explored_by = "scaled-exploration"
            evaluate.limit = explore_limit
            search = find_failure_regions(evaluate, dim, explore_rng, options)
        evaluate.limit = search_limit
        _related_centres(
            evaluate, limit_state, search, options, refine=explored_by != "start-points"
        )
    except _OutOfBudget:
        search.complete = False
        search.notes.append("the exploration stopped at its share of the budget")
    explored = evaluate.n
    evaluate.limit = budget
    diagnostics: dict[str, object] = {
        "explored_by": explored_by,
        "exploration_evaluations": explored,
    }
    rng = np.random.default_rng(estimate_seed)
    if search.regions:
        return mixture_estimate(
            evaluate, rng, search, options, GUIDED, {**diagnostics, "estimate_from": "importance"}
        )
    diagnostics.update(estimate_from="subset", design_points=(), betas=())
    if run is None:
        # No margin and no failure anywhere: the rest is plain Monte-Carlo.
        return monte_carlo_rest(
            evaluate,
            rng,
            options.confidence,
            GUIDED,
            (*search.notes, "no failure region: the estimate is plain Monte-Carlo"),
            {**diagnostics, "estimate_from": "monte-carlo"},
        )
    subset = options.subset_options()
    notes = [*search.notes, *run.notes]
    if run.bound_only:
        notes.append(bound_note(run, subset))
        return evaluate.result(
            GUIDED,
            0.0,
            (0.0, run.interval(options.confidence)[1]),
            float("nan"),
            0,
            effective_sample_size=float("nan"),
            notes=notes,
            diagnostics=diagnostics,
        )
    notes.append("no design point was found: the estimate is subset simulation's")
    return evaluate.result(
        GUIDED,
        run.p,
        run.interval(options.confidence),
        run.cov * run.p,
        run.n_fail,
        notes=notes,
        diagnostics=diagnostics,
    )
