"""Plain Monte-Carlo estimate with the exact Clopper-Pearson interval."""

from __future__ import annotations

import math

import numpy as np

from rram_ber.characterization.rare.evaluator import _Evaluator
from rram_ber.characterization.rare.intervals import clopper_pearson
from rram_ber.characterization.rare.options import LimitState, MonteCarloOptions
from rram_ber.characterization.rare.results import RareEventResult

#: Rows drawn at once by plain Monte-Carlo; a fixed size, so draws never depend on batch_size.
_MC_BLOCK = 65_536


def _monte_carlo_result(
    evaluate: _Evaluator,
    failures: int,
    n: int,
    confidence: float,
    method: str = "monte-carlo",
    notes: tuple[str, ...] = (),
    weights: np.ndarray | None = None,
    diagnostics: dict[str, object] | None = None,
) -> RareEventResult:
    p = failures / n
    return evaluate.result(
        method,
        p,
        clopper_pearson(failures, n, confidence),
        math.sqrt(p * (1.0 - p) / n),
        failures,
        effective_sample_size=float(n),
        notes=notes,
        diagnostics=diagnostics,
        weights=weights,
    )


def monte_carlo_rest(
    evaluate: _Evaluator,
    rng: np.random.Generator,
    confidence: float,
    method: str,
    notes: tuple[str, ...],
    diagnostics: dict[str, object],
) -> RareEventResult:
    """Spend what is left of ``evaluate``'s budget on plain Monte-Carlo draws and return their
    estimate (the fallback of an estimator whose search found no failure region)."""
    n = evaluate.remaining
    failed = evaluate(rng.standard_normal((n, evaluate.dim)), "estimate")
    return _monte_carlo_result(
        evaluate,
        int(failed.sum()),
        n,
        confidence,
        method=method,
        notes=notes,
        weights=np.ones(n),
        diagnostics=diagnostics,
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
    No diagnostics.
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
