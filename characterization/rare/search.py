"""Failure-region search of importance sampling: rays, bisection and HL-RF design points
(Rackwitz and Fiessler 1978; Dolecek et al., ICCAD 2008)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from characterization.rare.evaluator import _Evaluator, _OutOfBudget
from characterization.rare.options import ImportanceOptions


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
