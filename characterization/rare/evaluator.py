"""Evaluation bookkeeping shared by the estimators: batches, budget, recorded rows."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import special

from rram_ber.characterization.rare.options import (
    CommonOptions,
    LimitState,
    MarginLimitState,
    SharedLimitState,
)
from rram_ber.characterization.rare.results import (
    EvaluatedSamples,
    RareEventResult,
    equivalent_sample_size,
)
from rram_ber.core.validation import ParameterError, check_int


class _OutOfBudget(Exception):
    """A stage asked for more evaluations than it may spend (caught inside this module)."""


class _Evaluator:
    """Calls the limit state in batches, checks its answers, counts and optionally records."""

    def __init__(self, limit_state: LimitState, dim: int, budget: int, options: CommonOptions):
        self._limit_state = limit_state
        self._dim = dim
        #: Number of standard-normal variables.
        self.dim = dim
        self.budget = budget
        self._confidence = options.confidence
        self._batch_size = options.batch_size
        self._keep = options.keep_samples
        self.n = 0
        #: Evaluations allowed before a stage stops (the search lowers it temporarily).
        self.limit = budget
        self._u: list[np.ndarray] = []
        self._failed: list[np.ndarray] = []
        self._stage: list[np.ndarray] = []
        self._scale: list[np.ndarray] = []
        self._margin: list[np.ndarray] = []

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
        self._record(u, failed, np.full(n_rows, np.nan), stage, scale)
        return failed

    @property
    def related(self) -> int:
        """Number of related events the limit state answers with each evaluation (0 unless it
        is a :class:`SharedLimitState`)."""
        limit_state = self._limit_state
        return limit_state.related if isinstance(limit_state, SharedLimitState) else 0

    def all_verdicts(self, u: np.ndarray, stage: str) -> np.ndarray:
        """Verdicts of the rows of ``u`` for the limit state's own event (column 0) and each
        related event of a :class:`SharedLimitState` (columns 1 ...); the rows are counted
        and recorded with their own verdict, as every evaluation is."""
        n_rows = len(u)
        if n_rows > self.remaining:
            raise _OutOfBudget
        limit_state = self._limit_state
        if not isinstance(limit_state, SharedLimitState):
            raise ParameterError(
                "limit_state", limit_state, "an object with a verdicts(u) method and related"
            )
        width = 1 + limit_state.related
        answers = np.empty((n_rows, width), dtype=bool)
        for start in range(0, n_rows, self._batch_size):
            chunk = np.array(u[start : start + self._batch_size], dtype=float)
            answer = np.asarray(limit_state.verdicts(chunk))
            if answer.dtype != np.bool_ or answer.shape != (len(chunk), width):
                raise ParameterError(
                    "limit_state.verdicts",
                    f"an answer of shape {answer.shape} and dtype {answer.dtype}",
                    f"booleans of shape ({len(chunk)}, {width})",
                )
            answers[start : start + len(chunk)] = answer
        self._record(u, answers[:, 0], np.full(n_rows, np.nan), stage, math.nan)
        return answers

    def related_verdicts(self, u: np.ndarray, stage: str, event: int) -> np.ndarray:
        """Verdicts of the rows of ``u`` for the ``event``-th related event (1 ...), see
        :meth:`all_verdicts`."""
        if not 1 <= event <= self.related:
            raise ParameterError("event", event, f"a related event, 1 ... {self.related}")
        return self.all_verdicts(u, stage)[:, event]

    def margins(self, u: np.ndarray, stage: str) -> np.ndarray:
        """Margins ``g(u)`` of the rows of ``u`` (a :class:`MarginLimitState`); ``g <= 0`` is a
        failure and is recorded as such."""
        n_rows = len(u)
        if n_rows > self.remaining:
            raise _OutOfBudget
        limit_state = self._limit_state
        if not isinstance(limit_state, MarginLimitState):
            raise ParameterError(
                "limit_state", limit_state, "an object with a margin(u) method (g <= 0 = failure)"
            )
        margin = np.empty(n_rows)
        for start in range(0, n_rows, self._batch_size):
            chunk = np.array(u[start : start + self._batch_size], dtype=float)
            margin[start : start + len(chunk)] = self._check_margin(
                limit_state.margin(chunk), len(chunk)
            )
        self._record(u, margin <= 0.0, margin, stage, math.nan)
        return margin

    def _record(
        self, u: np.ndarray, failed: np.ndarray, margin: np.ndarray, stage: str, scale: float
    ) -> None:
        n_rows = len(u)
        self.n += n_rows
        if self._keep:
            self._u.append(np.array(u, dtype=float))
            self._failed.append(failed.copy())
            self._stage.append(np.full(n_rows, stage))
            self._scale.append(np.full(n_rows, scale))
            self._margin.append(np.array(margin, dtype=float))

    @staticmethod
    def _check_margin(answer: Any, n_rows: int) -> np.ndarray:
        # A boolean is a verdict, not a margin: ranking points by it would make every level's
        # threshold meaningless, so only finite real numbers are accepted.
        array = np.asarray(answer)
        if array.dtype.kind not in "fiu" or array.shape != (n_rows,):
            raise ParameterError(
                "limit_state.margin",
                f"an answer of shape {array.shape} and dtype {array.dtype}",
                f"a float array of shape ({n_rows},), one margin per row (<= 0 = failure)",
            )
        margin = array.astype(float)
        if not np.all(np.isfinite(margin)):
            raise ParameterError(
                "limit_state.margin", "an answer with NaN or infinite values", "finite margins"
            )
        return margin

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
        """The recorded evaluations, with ``weights`` on the ``"estimate"`` rows, in order."""
        if not self._keep:
            return None
        u = np.concatenate(self._u) if self._u else np.empty((0, self._dim))
        stage = np.concatenate(self._stage) if self._stage else np.empty(0, dtype=str)
        weight = np.full(len(u), np.nan)
        if weights is not None and len(weights):
            # Importance sampling may search again between estimation rounds, so the
            # estimation rows need not be the trailing ones.
            weight[stage == "estimate"] = weights
        return EvaluatedSamples(
            u=u,
            failed=np.concatenate(self._failed) if self._failed else np.empty(0, dtype=bool),
            stage=stage,
            weight=weight,
            scale=np.concatenate(self._scale) if self._scale else np.empty(0),
            margin=np.concatenate(self._margin) if self._margin else np.empty(0),
        )

    def result(
        self,
        method: str,
        p: float,
        interval: tuple[float, float],
        std_error: float,
        n_failures: int,
        *,
        effective_failures: float | None = None,
        effective_sample_size: float | None = None,
        regions_may_be_missing: bool = False,
        notes: Sequence[str] = (),
        diagnostics: Mapping[str, Any] | None = None,
        weights: np.ndarray | None = None,
    ) -> RareEventResult:
        """The estimator's result, with what this evaluator knows filled in: the evaluations
        spent, the confidence, the recorded samples (``weights`` on the estimation rows), and
        ``upper_bound_only`` when ``p`` is 0 (no failure entered the estimate).

        ``effective_failures`` defaults to ``n_failures``, ``effective_sample_size`` to
        :func:`equivalent_sample_size` of ``p`` and ``std_error``.
        """
        return RareEventResult(
            method=method,
            p=p,
            ci_low=interval[0],
            ci_high=interval[1],
            confidence=self._confidence,
            n_evaluations=self.n,
            n_failures=n_failures,
            std_error=std_error,
            effective_sample_size=(
                equivalent_sample_size(p, std_error)
                if effective_sample_size is None
                else effective_sample_size
            ),
            effective_failures=float(
                n_failures if effective_failures is None else effective_failures
            ),
            upper_bound_only=p == 0.0,
            regions_may_be_missing=regions_may_be_missing,
            notes=tuple(notes),
            diagnostics=dict(diagnostics or {}),
            samples=self.samples(weights),
        )


def _z(confidence: float) -> float:
    """Two-sided standard-normal quantile: 1.96 for 95 %."""
    # -ndtri(q) is exactly scipy.stats.norm.isf(q); scipy.stats itself is not imported
    # because it costs every campaign worker's start ~0.35 s.
    return float(-special.ndtri(0.5 * (1.0 - confidence)))


def _seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        # A fresh copy: spawning from the caller's object would advance its child counter, and
        # the same seed must give the same result every time.
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key)
    check_int("seed", seed, 0)
    return np.random.SeedSequence(seed)
