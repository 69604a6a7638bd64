"""Failure-region search of importance sampling: rays, bisection and HL-RF design points
(Rackwitz and Fiessler 1978; Dolecek et al., ICCAD 2008)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from rram_ber.characterization.rare.evaluator import _Evaluator, _OutOfBudget
from rram_ber.characterization.rare.options import ImportanceOptions


def _bisect_rays(
    evaluate: _Evaluator,
    directions: np.ndarray,
    r_high: np.ndarray,
    tolerance: float,
    known_failing: bool = False,
    event: int = 0,
) -> np.ndarray:
    """Radius at which each ray ``r * direction`` enters the failure set.

    Assumes the origin is safe and that each ray crosses the boundary once (the safe set is
    star-shaped around the origin, true for the monotone margins of a sense amplifier; rays that
    do not fail at ``r_high`` are tried once more at ``0.6 r_high``, since a ray can cross a
    curved failure set and leave it again). All rays
    are bisected together, so each step is one batch. Returns the smallest radius found to fail
    (within ``tolerance`` of the crossing), NaN for rays still safe at ``r_high``. ``event``
    ``j >= 1`` bisects the failure set of the limit state's ``j``-th related event instead
    (:meth:`_Evaluator.related_verdicts`).
    """

    def fails(points: np.ndarray) -> np.ndarray:
        if event:
            return evaluate.related_verdicts(points, "search", event)
        return evaluate(points, "search")

    n_rays = len(directions)
    low = np.zeros(n_rays)
    high = np.array(r_high, dtype=float)
    if known_failing:
        crossing = np.ones(n_rays, dtype=bool)
    else:
        crossing = fails(directions * high[:, None])
        if not crossing.all():
            # A ray can leave a curved (convex) failure set again before r_high: try nearer.
            missed = np.flatnonzero(~crossing)
            nearer = 0.6 * high[missed]
            found = fails(directions[missed] * nearer[:, None])
            high[missed[found]] = nearer[found]
            crossing[missed[found]] = True
    active = crossing & (high - low > tolerance)
    while active.any():
        index = np.flatnonzero(active)
        middle = 0.5 * (low[index] + high[index])
        failed = fails(directions[index] * middle[:, None])
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
    evaluate: _Evaluator, start: np.ndarray, options: ImportanceOptions, event: int = 0
) -> tuple[np.ndarray | None, bool]:
    """Minimum-norm failure point near the failing point ``start`` (of the limit state's
    ``event``-th related event for ``event >= 1``, see :func:`_bisect_rays`).

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
        The failing point of smallest norm found (None if the budget ran out before one
        linearisation step was complete: a raw or merely bisected starting point is far from
        the design point, and a mixture centred there misses most of the region), and whether
        the search budget ran out.
    """
    tol = options.search_tolerance
    direction = start / np.linalg.norm(start)
    best = np.array(start, dtype=float)
    dim = len(start)
    refined = dim == 1
    try:
        radius = _bisect_rays(
            evaluate,
            direction[None, :],
            np.array([np.linalg.norm(start)]),
            tol,
            known_failing=True,
            event=event,
        )[0]
        point = radius * direction
        best = point
        for _ in range(options.max_search_iterations if dim > 1 else 0):
            probes = point + options.search_step * _tangent_basis(direction)
            probe_norms = np.linalg.norm(probes, axis=1)
            radii = _bisect_rays(
                evaluate, probes / probe_norms[:, None], 2.0 * probe_norms, tol, event=event
            )
            found = np.isfinite(radii)
            if not found.all():
                # The boundary bends away on that side: probe the other side instead.
                lost = np.flatnonzero(~found)
                probes[lost] = 2.0 * point - probes[lost]
                probe_norms[lost] = np.linalg.norm(probes[lost], axis=1)
                radii[lost] = _bisect_rays(
                    evaluate,
                    probes[lost] / probe_norms[lost, None],
                    2.0 * probe_norms[lost],
                    tol,
                    event=event,
                )
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
                evaluate,
                new_direction[None, :],
                np.array([2.0 * predicted_norm]),
                tol,
                event=event,
            )[0]
            if not math.isfinite(new_radius):
                break
            point, direction = new_radius * new_direction, new_direction
            refined = True
            if new_radius < np.linalg.norm(best):
                best = point
            if abs(new_radius - predicted_norm) <= 3.0 * tol:
                break
    except _OutOfBudget:
        return (best if refined else None), True
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


def _residuals(points: np.ndarray, regions: Sequence[np.ndarray]) -> np.ndarray:
    """``points`` with their positive components along each region's direction removed.

    A failure of a known region passes once its component along that region's design point
    is gone (exactly so for a half-space); a failure of a region not yet found keeps failing,
    since it lies (nearly) orthogonal to the known directions. Two sweeps take care of centres
    that are not orthogonal to each other.
    """
    residual = np.array(points, dtype=float)
    for _ in range(2):
        for region in regions:
            unit = region / np.linalg.norm(region)
            residual -= np.maximum(residual @ unit, 0.0)[:, None] * unit[None, :]
    return residual


def _unexplained(
    evaluate: _Evaluator, failures: np.ndarray, regions: Sequence[np.ndarray]
) -> np.ndarray:
    """Failures (as residuals) that no known region explains: their residuals still fail.

    Costs one evaluation per failure that has a component along a known region. Why not the
    cheaper tangent-plane test (:func:`_explained`)? Exploration points are drawn at 3-6 sigma
    in tens of dimensions, so their projection on an unrelated direction is often beyond that
    region's plane: the geometric test then wrongly declares a failure of an unfound region
    explained, and with 0-2 exploration hits that region is missed.
    """
    if not regions or not len(failures):
        return np.array(failures, dtype=float).reshape(-1, evaluate.dim)
    residual = _residuals(failures, regions)
    moved = np.linalg.norm(residual - failures, axis=1) > 0.0
    still = ~moved
    if moved.any():
        still[moved] = evaluate(residual[moved], "search")
    return residual[still]


class SearchOutcome:
    """What the search found: centres, notes, and whether regions may be missing."""

    def __init__(self) -> None:
        self.regions: list[np.ndarray] = []
        self.notes: list[str] = []
        self.complete = True


def search_from(
    evaluate: _Evaluator,
    failures: np.ndarray,
    outcome: SearchOutcome,
    options: ImportanceOptions,
) -> int:
    """Find the regions of ``failures`` that no known region explains; returns how many.

    The smallest-norm unexplained failure (its residual, see :func:`_residuals`) starts a
    design-point search (:func:`_design_point`); a search that ends on a known region sets
    aside the failures at least as aligned with it as its start; repeat until every failure is
    explained, ``max_regions`` regions are known, or the budget runs out (then
    ``outcome.complete`` is False: regions may be missing).
    """
    found = 0
    pending = np.array(failures, dtype=float).reshape(-1, evaluate.dim)
    attempts = 0
    try:
        while len(pending) and attempts < 2 * options.max_regions:
            pending = _unexplained(evaluate, pending, outcome.regions)
            if not len(pending):
                break
            if len(outcome.regions) >= options.max_regions:
                outcome.complete = False
                outcome.notes.append(
                    f"failures outside the {options.max_regions} regions kept (max_regions)"
                )
                break
            attempts += 1
            start = pending[np.argmin(np.linalg.norm(pending, axis=1))]
            centre, exhausted = _design_point(evaluate, start, options)
            if centre is not None and not _is_duplicate(centre, outcome.regions):
                outcome.regions.append(centre)
                found += 1
            elif centre is not None:
                # A start outside every known region's half-space led back to a known region
                # (its boundary is curved): set aside the failures at least as aligned with it.
                unit = centre / np.linalg.norm(centre)
                cosines = pending @ unit / np.linalg.norm(pending, axis=1)
                pending = pending[cosines < start @ unit / np.linalg.norm(start)]
            if exhausted:
                outcome.complete = False
                break
    except _OutOfBudget:
        outcome.complete = False
    return found


def find_failure_regions(
    evaluate: _Evaluator,
    dim: int,
    rng: np.random.Generator,
    options: ImportanceOptions,
) -> SearchOutcome:
    """Search for the minimum-norm points of the failure regions.

    1. Exploration: batches of ``explore_samples`` points from ``N(0, s^2 I)``, ``s`` running
       through ``explore_scales`` (the scaled sampling of Kanj et al. and Dolecek et al. used
       to locate failures). After each batch its failures are searched from
       (:func:`search_from`). Another batch at the same scale follows while a batch reveals a
       new region or fewer than ``min_failures`` failures have been seen; a batch without a
       failure moves on to the next scale. Exploration ends when a batch's failures are all
       explained by known regions: new failures stop revealing new directions. Without any
       failure the scales are cycled through again until the search's budget share is spent.
    2. Optionally, the point opposite each region at ``|c| + opposite_margin`` is tested and,
       if it fails, searched from.

    Measured before this rule (exploration stopped at the first scale with 10 failures and a
    geometric test declared failures explained): four regions in 30-D at 1e-6 lost a region in
    29 of 400 seeds, each time with an interval excluding the truth.

    Returns the centres, notes and whether regions may be missing (``complete`` False: the
    search ran out of its share of the budget or of ``max_regions``). A search cut short by
    the budget never keeps an unrefined starting point as a centre.
    """
    outcome = SearchOutcome()
    if evaluate(np.zeros((1, dim)), "search")[0]:
        outcome.notes.append("the nominal point u = 0 fails: the event is not rare")
        return outcome
    n_failures = 0
    settled = False
    while not settled and outcome.complete:
        for scale_index, scale in enumerate(options.explore_scales):
            last_scale = scale_index == len(options.explore_scales) - 1
            while outcome.complete and not settled:
                if evaluate.remaining < options.explore_samples:
                    outcome.complete = False
                    break
                u = scale * rng.standard_normal((options.explore_samples, dim))
                failures = u[evaluate(u, "explore", scale)]
                if not len(failures):
                    break
                n_failures += len(failures)
                if not search_from(evaluate, failures, outcome, options):
                    # Nothing new: done once enough failures were seen, else a larger scale
                    # gives more failures per batch.
                    settled = n_failures >= options.min_failures or last_scale
                    break
            if settled or not outcome.complete:
                break
        # Without any failure the scales are tried again while the search budget lasts (a
        # curved failure set may fail a fraction of a percent of the time at every scale).
        settled = settled or n_failures > 0
    if not n_failures:
        # Nothing to miss a region of: the estimate falls back to plain Monte-Carlo, whose
        # Clopper-Pearson interval needs no search.
        outcome.complete = True
        outcome.notes.append(
            f"the exploration found no failure up to scale {max(options.explore_scales):g} sigma"
        )
        return outcome
    if options.probe_opposite and outcome.complete:
        for region in list(outcome.regions):
            if len(outcome.regions) >= options.max_regions:
                break
            beta = float(np.linalg.norm(region))
            probe = -region / beta * (beta + options.opposite_margin)
            try:
                probe_failed = evaluate(probe[None, :], "search")[0]
            except _OutOfBudget:
                outcome.complete = False
                break
            if probe_failed:
                search_from(evaluate, probe[None, :], outcome, options)
    if not outcome.complete:
        outcome.notes.append(
            "the search stopped at its share of the budget; regions may be missing"
        )
    return outcome
