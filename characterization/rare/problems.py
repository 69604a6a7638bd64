"""The estimators' benchmark problems: analytic limit states with known failure probabilities.

Each problem is a limit state in standard-normal space with a margin ``g(u)`` (``<= 0``
exactly where the point fails, so it is a
:class:`~rram_ber.characterization.rare.options.MarginLimitState` and every method accepts
it) and its true failure probability ``p``. The tests of the estimators and
``benchmarks/rare_event.py`` use these classes, so a coverage measured by the benchmark and one
asserted by a test are about the same problem. Every problem counts the rows it is given
(``rows``) and its largest batch (``largest_batch``): the budget and batching checks need them.

The sets the project's figures were measured on (:data:`COVERAGE_PROBLEMS`): two and four
orthogonal failure regions in 30-D, a half-space at 1e-9 in 100-D, and a curved (parabolic)
failure set in 50-D that the importance search misses.

Only NumPy and :mod:`scipy.special` are imported (the parabola's truth integrates with
:mod:`scipy.integrate`, loaded when one is made).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import special


def _isf(p: float) -> float:
    """Standard-normal ``beta`` with ``Phi(-beta) = p`` (``scipy.stats.norm.isf``)."""
    return float(-special.ndtri(p))


def _sf(beta: float) -> float:
    """``Phi(-beta)`` (``scipy.stats.norm.sf``)."""
    return float(special.ndtr(-beta))


class BenchmarkProblem:
    """An analytic limit state: ``margin(u)`` graded, ``problem(u)`` the verdict ``g <= 0``.

    Attributes
    ----------
    dim : int
        Number of standard-normal variables.
    p : float
        The true failure probability.
    rows, largest_batch : int
        Rows evaluated so far, and the most in one call.
    """

    dim: int
    p: float

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.rows = 0
        self.largest_batch = 0

    def __call__(self, u: np.ndarray) -> np.ndarray:
        """Verdicts: True where ``margin(u) <= 0``."""
        return np.asarray(self.margin(u) <= 0.0)

    def margin(self, u: np.ndarray) -> np.ndarray:
        """Margins ``g(u)`` of the rows of ``u`` (shape ``(n, dim)``); counts them."""
        array = np.asarray(u, dtype=float)
        self.rows += len(array)
        self.largest_batch = max(self.largest_batch, len(array))
        return np.asarray(self._margin(array), dtype=float)

    def _margin(self, u: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class HalfSpace(BenchmarkProblem):
    """``a . u >= beta`` with ``|a| = 1`` drawn from ``direction_seed``: ``p = Phi(-beta)`` in
    any dimension (no coordinate is special); ``g = beta - a . u``."""

    def __init__(self, dim: int, p: float, direction_seed: int = 2024) -> None:
        super().__init__(dim)
        a = np.random.default_rng(direction_seed).standard_normal(dim)
        self.a = a / np.linalg.norm(a)
        self.beta = _isf(p)
        self.p = p

    def _margin(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(self.beta - u @ self.a)


class TwoSided(BenchmarkProblem):
    """``|a . u| >= beta``: two mirror-image failure regions, ``p = 2 Phi(-beta)``;
    ``g = beta - |a . u|``."""

    def __init__(self, dim: int, p: float, direction_seed: int = 99) -> None:
        super().__init__(dim)
        a = np.random.default_rng(direction_seed).standard_normal(dim)
        self.a = a / np.linalg.norm(a)
        self.beta = _isf(p / 2)
        self.p = p

    def _margin(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(self.beta - np.abs(u @ self.a))


class TwoOrthogonal(BenchmarkProblem):
    """``u_0 >= b0 or u_1 >= b1``: two regions 90 degrees apart at different distances,
    ``p = 1 - (1 - Phi(-b0)) (1 - Phi(-b1))``; ``g = min(b0 - u_0, b1 - u_1)``."""

    def __init__(self, dim: int, b0: float, b1: float) -> None:
        super().__init__(dim)
        self.b0, self.b1 = b0, b1
        self.p = 1.0 - (1.0 - _sf(b0)) * (1.0 - _sf(b1))

    def _margin(self, u: np.ndarray) -> np.ndarray:
        return np.minimum(self.b0 - u[:, 0], self.b1 - u[:, 1])


class Union(BenchmarkProblem):
    """Failure if any of ``k`` orthonormal half-spaces ``a_j . u >= beta`` holds.

    ``P = 1 - (1 - Phi(-beta))^k`` exactly (the projections on orthonormal ``a_j`` are
    independent standard normals); ``beta`` is chosen so that ``P`` is the given value;
    ``g = beta - max_j a_j . u``.
    """

    def __init__(self, dim: int, p: float, k: int, direction_seed: int = 2024) -> None:
        super().__init__(dim)
        q, _ = np.linalg.qr(np.random.default_rng(direction_seed).standard_normal((dim, k)))
        self.a = q.T
        self.beta = _isf(1.0 - (1.0 - p) ** (1.0 / k))
        self.p = 1.0 - float(special.ndtr(self.beta)) ** k if k > 1 else _sf(self.beta)

    def _margin(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(self.beta - (u @ self.a.T).max(axis=1))


class Parabola(BenchmarkProblem):
    """Failure if ``u_1 >= beta + kappa sum_{i>1} u_i^2`` (a convex, curved failure set);
    ``g = beta + kappa sum_{i>1} u_i^2 - u_1``.

    ``P = E[Phi(-(beta + kappa Q))]`` with ``Q ~ chi^2_{dim-1}``, integrated numerically.
    """

    def __init__(self, dim: int, beta: float, kappa: float) -> None:
        from scipy import integrate

        super().__init__(dim)
        self.beta, self.kappa = beta, kappa
        half = 0.5 * (dim - 1)

        def integrand(q: float) -> float:
            # chi^2_{dim-1} density, written out to keep scipy.stats out of this module.
            log_pdf = special.xlogy(half - 1.0, q) - 0.5 * q - half * math.log(2.0)
            return _sf(beta + kappa * q) * math.exp(log_pdf - special.gammaln(half))

        self.p = float(integrate.quad(integrand, 0.0, np.inf, limit=200)[0])

    def _margin(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(self.beta + self.kappa * np.sum(u[:, 1:] ** 2, axis=1) - u[:, 0])


#: The problems coverage is measured on: name -> a maker of a fresh problem (``p`` is its
#: truth). The parabola with ``kappa = 0.02`` (``P = 4.91e-7``) is the one the importance
#: search never finds (``p = 0`` with a bound); with ``kappa = 0.01`` it does.
COVERAGE_PROBLEMS: dict[str, Callable[[], BenchmarkProblem]] = {
    "two regions, 30-D, 1e-6": lambda: Union(30, 1e-6, 2),
    "four regions, 30-D, 1e-6": lambda: Union(30, 1e-6, 4),
    "half-space, 100-D, 1e-9": lambda: Union(100, 1e-9, 1),
    "parabola, 50-D (kappa 0.01)": lambda: Parabola(50, 4.0, 0.01),
    "parabola, 50-D (kappa 0.02)": lambda: Parabola(50, 4.0, 0.02),
}

__all__ = [
    "COVERAGE_PROBLEMS",
    "BenchmarkProblem",
    "HalfSpace",
    "Parabola",
    "TwoOrthogonal",
    "TwoSided",
    "Union",
]
