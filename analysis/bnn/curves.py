"""Network accuracy under bit errors: repeated error draws, 95 % intervals, accuracy-vs-BER.

These are the functions the report generator calls: :func:`evaluate_with_errors` for one
error model, :func:`evaluate_conditions` for the measured conditions of a campaign's
``ber.csv`` (:func:`rram_ber.analysis.bnn.ber_table.read_ber_table`) and :func:`accuracy_curve` for
a sweep of bit-error rates.

Interval convention: the accuracies of the ``R`` realisations (chips in static mode, repeated
passes over the test set in dynamic mode) are treated as independent draws; the reported
interval is the Student-t 95 % confidence interval of their mean,
``mean +- t_{0.975, R-1} s / sqrt(R)``. It covers the draw-to-draw variability for this fixed
test set, not the sampling error of the test set itself; with ``R = 1`` it is undefined (NaN).

Randomness: realisation ``r`` uses ``default_rng(SeedSequence(seed).spawn(R)[r])``; the points
of a curve use ``SeedSequence(seed).spawn(n_points)``, each then spawning its realisations, so
every number is reproducible from ``seed`` alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from rram_ber.analysis.bnn.ber_table import Condition
from rram_ber.analysis.bnn.errors import ErrorMode, ErrorModel
from rram_ber.analysis.bnn.layers import Dense, Network
from rram_ber.analysis.bnn.parameters import FloatArray
from rram_ber.core.validation import ParameterError, check_int, check_range

Seed = int | np.random.SeedSequence


@dataclass(frozen=True)
class AccuracyEstimate:
    """Accuracies of repeated error realisations and their summary.

    Parameters
    ----------
    accuracies : tuple of float
        Fraction of correct test predictions of each realisation, in draw order.
    """

    accuracies: tuple[float, ...]

    @property
    def repeats(self) -> int:
        """Number of realisations."""
        return len(self.accuracies)

    @property
    def mean(self) -> float:
        """Mean accuracy."""
        return float(np.mean(self.accuracies))

    @property
    def std(self) -> float:
        """Sample standard deviation of the accuracies (ddof 1; NaN for one realisation)."""
        return float(np.std(self.accuracies, ddof=1)) if self.repeats > 1 else math.nan

    @property
    def ci_low(self) -> float:
        """Lower end of the Student-t 95 % confidence interval of the mean."""
        return self._interval()[0]

    @property
    def ci_high(self) -> float:
        """Upper end of the Student-t 95 % confidence interval of the mean."""
        return self._interval()[1]

    def _interval(self) -> tuple[float, float]:
        if self.repeats < 2:
            return math.nan, math.nan
        from scipy import stats

        half = float(stats.t.ppf(0.975, self.repeats - 1)) * self.std / math.sqrt(self.repeats)
        return self.mean - half, self.mean + half


@dataclass(frozen=True)
class CurvePoint:
    """One point of an accuracy-vs-BER curve."""

    ber: float
    estimate: AccuracyEstimate


def _seed_sequence(seed: Seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(check_int("seed", seed, 0))


#: Largest fraction of changed first-layer weights for which a chip's pass reuses the
#: error-free first-layer pre-activation (:class:`_SparseFirstLayer`); above it one GEMM is
#: cheaper (measured break-even: about 9 % for the 784 x 512 layer of ``fashion-mlp-bnn``).
_SPARSE_FRACTION = 0.05
#: Largest inputs + first-layer pre-activation held for that reuse [bytes].
_SPARSE_BYTES = 1 << 28


class _SparseFirstLayer:
    """Static-error passes of an exact MLP from its error-free first-layer pre-activation.

    A chip differs from the stored network in a few weights, so the first layer's
    pre-activation is the error-free one plus ``D x`` with ``D`` the sparse weight changes
    (``W_chip - W``): work proportional to the number of errors instead of a GEMM over the
    largest layer (784 x 512 in ``fashion-mlp-bnn``: 0.04 s instead of 0.27 s per 10,000
    images at BER 1e-2). Used only for networks whose every pre-activation is an exact
    integer in float32 (integer input codes, dense binary/ternary layers), so the logits are
    those of the full pass bit for bit, whatever the order of the sums.
    """

    def __init__(self, network: Network, inputs: npt.NDArray[np.float32]):
        self._network = network
        self._first = network.layers[0]
        self._inputs_t: npt.NDArray[np.float32] | None = None
        self._clean_t: npt.NDArray[np.float32] | None = None
        self._inputs = inputs

    @classmethod
    def applies(cls, network: Network, error_model: ErrorModel, n_inputs: int) -> bool:
        """Whether the reuse is exact and fits in memory for this network and error model."""
        first = network.layers[0]
        return (
            error_model.mode is ErrorMode.STATIC
            and network.input_bits is not None
            and all(isinstance(layer, Dense) for layer in network.layers)
            and len(network.quantized_layers()) == len(network.layers)
            and 4 * n_inputs * (first.weights.fan_in + first.weights.n_out) <= _SPARSE_BYTES
        )

    def logits(self, weights: Mapping[str, FloatArray]) -> FloatArray | None:
        """Logits of the chip ``weights``, or None if too many first-layer weights changed."""
        first = self._first
        stored = first.weights.values
        changed = weights.get(first.name, stored) - stored
        rows, cols = np.nonzero(changed)
        if rows.size > _SPARSE_FRACTION * changed.size:
            return None
        if self._inputs_t is None or self._clean_t is None:
            # Computed at the first chip that uses them: (K, B) inputs, (N, B) pre-activation.
            self._inputs_t = np.ascontiguousarray(self._inputs.reshape(len(self._inputs), -1).T)
            self._clean_t = stored @ self._inputs_t
        update = sparse.csr_matrix(
            (changed[rows, cols], (rows, cols)), shape=changed.shape, dtype=np.float32
        )
        h = first.finish((self._clean_t + update @ self._inputs_t).T)
        for layer in self._network.layers[1:]:
            h = layer.forward(h, weights.get(layer.name))
        return h


def evaluate_with_errors(
    network: Network,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    error_model: ErrorModel,
    repeats: int,
    seed: Seed = 0,
    progress: Callable[[int], None] | None = None,
) -> AccuracyEstimate:
    """Accuracy of ``network`` on ``(x, y)`` over ``repeats`` independent error realisations.

    Parameters
    ----------
    network : Network
        The model.
    x : array_like of int, shape (N, *network.input_shape)
        Test input codes.
    y : array_like of int, shape (N,)
        Test labels.
    error_model : ErrorModel
        Per-layer transition matrices and static/dynamic mode.
    repeats : int
        Number of realisations ``R >= 1``.
    seed : int or SeedSequence
        Root of the realisations' seeds.
    progress : callable, optional
        Called with the number of realisations just finished (for a progress bar).
    """
    count = check_int("repeats", repeats, 1)
    inputs, labels = np.asarray(x), np.asarray(y)
    if labels.shape != (inputs.shape[0],):
        raise ParameterError("y", f"shape {labels.shape}", f"shape ({inputs.shape[0]},)")
    error_model.check(network)
    prepared = network.prepare(inputs)
    if error_model.error_free:
        # Every realisation would be the stored network: evaluate it once (same result as
        # ``count`` passes, since error-free draws change nothing).
        accuracy = network.accuracy(prepared, labels)
        if progress is not None:
            progress(count)
        return AccuracyEstimate((accuracy,) * count)
    reuse = None
    if _SparseFirstLayer.applies(network, error_model, labels.size):
        reuse = _SparseFirstLayer(network, prepared.values)
    accuracies = []
    for child in _seed_sequence(seed).spawn(count):
        weights, read_errors = error_model.realize(network, np.random.default_rng(child))
        logits = None if reuse is None or weights is None else reuse.logits(weights)
        if logits is None:
            logits = network.forward(prepared, weights=weights, read_errors=read_errors)
        # Network.accuracy's rule: argmax (lowest index on ties) equals the label.
        accuracies.append(float(np.mean(np.argmax(logits, axis=1) == labels)))
        if progress is not None:
            progress(1)
    return AccuracyEstimate(tuple(accuracies))


def accuracy_curve(
    network: Network,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    bers: Sequence[float],
    repeats: int,
    seed: Seed = 0,
    mode: ErrorMode = ErrorMode.STATIC,
) -> list[CurvePoint]:
    """Accuracy versus a uniform bit-error rate on every binary/ternary layer.

    Binary layers get symmetric sign flips, ternary layers the seed papers' 0 <-> +-1
    convention (:meth:`ErrorModel.uniform`), so binary and ternary networks are compared at the
    same average error rate per weight.
    """
    return [
        CurvePoint(ber, evaluate_with_errors(network, x, y, model, repeats, child))
        for ber, model, child in curve_error_models(network, bers, seed, mode)
    ]


def curve_error_models(
    network: Network,
    bers: Sequence[float],
    seed: Seed = 0,
    mode: ErrorMode = ErrorMode.STATIC,
) -> list[tuple[float, ErrorModel, np.random.SeedSequence]]:
    """The error model and seed of each point of :func:`accuracy_curve`.

    Point ``k`` is ``evaluate_with_errors(network, x, y, model_k, repeats, seed_k)``; each is
    independent of the others, so they may run in any order or in parallel processes.

    Parameters
    ----------
    network : Network
        The model.
    bers : sequence of float
        Uniform bit-error rates [-], each in [0, 1].
    seed : int or SeedSequence
        Root seed; point ``k`` gets the ``k``-th child of ``SeedSequence(seed)``.
    mode : ErrorMode
        Static (per chip) or dynamic (per read) errors.

    Returns
    -------
    list of (float, ErrorModel, SeedSequence)
        The BER [-], its error model and its seed, in the order of ``bers``.
    """
    rates = [check_range("ber", b, 0.0, 1.0) for b in bers]
    children = _seed_sequence(seed).spawn(len(rates))
    return [
        (ber, ErrorModel.uniform(network, ber, mode), child)
        for ber, child in zip(rates, children, strict=True)
    ]


def evaluate_conditions(
    network: Network,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    conditions: Sequence[Condition],
    repeats: int,
    seed: Seed = 0,
    mode: ErrorMode = ErrorMode.STATIC,
) -> list[tuple[Condition, AccuracyEstimate]]:
    """Accuracy under each measured condition of a campaign (rows of ``ber.csv``).

    Every binary/ternary layer gets the condition's transition matrix
    (:meth:`ErrorModel.same_matrix`); condition ``k`` uses the ``k``-th child of
    ``SeedSequence(seed)``.

    Raises
    ------
    ParameterError
        If a condition's matrix does not fit the network (2 x 2 for ternary weights or the
        reverse).
    """
    results = []
    children = _seed_sequence(seed).spawn(len(conditions))
    for condition, child in zip(conditions, children, strict=True):
        model = ErrorModel.same_matrix(network, condition.matrix, mode)
        results.append((condition, evaluate_with_errors(network, x, y, model, repeats, child)))
    return results


def load_test_split(
    network: Network, limit: int | None = None
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """The test split of the data set a model was trained on, shaped for its input.

    Parameters
    ----------
    network : Network
        A model whose ``metadata["dataset"]`` names a data set of
        :func:`rram_ber.analysis.bnn.datasets.load_dataset`.
    limit : int, optional
        Keep only the first ``limit`` test inputs.

    Raises
    ------
    DatasetUnavailableError
        If the data set is not installed (the message says how to install it).
    """
    from rram_ber.analysis.bnn.datasets import load_dataset

    dataset = load_dataset(str(network.metadata.get("dataset")))
    x = dataset.x_test.reshape(dataset.x_test.shape[0], *network.input_shape)
    y = dataset.y_test
    if limit is not None:
        n = check_int("limit", limit, 1)
        x, y = x[:n], y[:n]
    return x, y
