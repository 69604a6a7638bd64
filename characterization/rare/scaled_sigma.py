"""Scaled-sigma sampling (Sun et al., IEEE TCAD 34(7), 2015): sample with every sigma scaled by
s > 1, fit log P(s) and extrapolate to s = 1."""

from __future__ import annotations

import contextlib
import math

import numpy as np
from scipy import special

from rram_ber.characterization.rare.evaluator import _Evaluator
from rram_ber.characterization.rare.options import LimitState, ScaledSigmaOptions
from rram_ber.characterization.rare.results import RareEventResult


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
    b = pilot * float(-special.ndtri(rate))
    smallest = b / float(-special.ndtri(min(0.5, options.target_failures / per_scale)))
    largest = b / float(-special.ndtri(options.max_scale_probability))
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

    **Diagnostics**: ``scales``, ``scale_samples`` and ``scale_failures``, the factors and the
    samples and failures at each; ``model_coefficients``, the fitted ``(alpha, beta, gamma)``
    (empty when fewer than 3 scales saw a failure: then ``p`` is NaN, no estimate).
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
        return evaluate.result(
            "scaled-sigma",
            math.nan,
            (0.0, 1.0),
            math.inf,
            int(k.sum()),
            effective_sample_size=0.0,
            notes=notes,
            diagnostics={
                "scales": scales,
                "scale_samples": samples,
                "scale_failures": failures,
                "model_coefficients": (),
            },
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
    return evaluate.result(
        "scaled-sigma",
        p,
        (low, high),
        std_error,
        int(k.sum()),
        notes=notes,
        diagnostics={
            "scales": scales,
            "scale_samples": samples,
            "scale_failures": failures,
            "model_coefficients": theta,
        },
    )
