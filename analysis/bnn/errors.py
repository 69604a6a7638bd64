"""Error injection: what the RRAM array returns when a stored weight is read.

Error injection is its own concept, apart from quantizers and layers (design principle 7). It
is described by an :class:`ErrorModel`: one :class:`TransitionMatrix` ``T[i, j] = P(read level
j | stored level i)`` per layer (2 x 2 for binary weights, possibly asymmetric; 3 x 3 for
ternary), and a mode:

* ``static`` (per chip): the errors are drawn once per realisation and fixed for every input,
  as for programming or retention failures of one chip. A realisation is a corrupted copy of
  the weights.
* ``dynamic`` (per read): every inference reads every weight again with fresh, independent
  errors, as for sense-amplifier read errors. A convolution kernel is assumed read once per
  inference (the same draw at every position of one input).

Only binary and ternary weights are in RRAM; real weights, thresholds, scales and biases are
CMOS-side and never perturbed.

Levels are ordered ascending: binary (-1, +1), ternary (-1, 0, +1).

Sampling is exact: for every stored level ``i`` with ``n_i`` cells (times the number of
independent reads), the numbers of cells read as each level are drawn as
``Multinomial(n_i, T[i, :])`` and the affected cells are a uniform sample without replacement
(``Generator.choice``), so at most one transition happens per cell and read
(``reference/bnn-evaluator.md`` section 3.6). The ``rng`` is always passed in.

Conventions for a single bit-error rate ``p`` (:meth:`ErrorModel.uniform`), those of the seed
papers' code (Hirtzlin et al., AICAS 2019; Laborieux et al., arXiv 2007.14234; repository
Laborieux-Axel/Quantized_VGG ``model_utils.py``):

* binary: every weight flips sign with probability ``p``;
* ternary: 0 -> +-1 with probability ``2p / (1 + p0)`` (each sign half of it), +-1 -> 0 with
  probability ``p / (1 + p0)``, never +1 <-> -1, where ``p0`` is the fraction of zero weights in
  the layer; the average error rate over the layer's weights is then exactly ``p``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rram_ber.analysis.bnn.layers import FloatArray, Network, ReadErrorHook, WeightedLayer
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.core.validation import ParameterError, check_range

#: Largest number of (read, cell) pairs sampled at once in dynamic mode (bounds memory).
_MAX_POPULATION = 1 << 22

#: Tolerance on the row sums of a transition matrix read from a table (rounded decimals).
_ROW_SUM_TOLERANCE = 1e-6


class ErrorMode(enum.StrEnum):
    """When errors are drawn: once per chip (``static``) or at every read (``dynamic``)."""

    STATIC = "static"
    DYNAMIC = "dynamic"


@dataclass(frozen=True, eq=False)
class TransitionMatrix:
    """``P(read level j | stored level i)`` for one layer's cells.

    Parameters
    ----------
    levels : tuple of int
        ``(-1, 1)`` (binary) or ``(-1, 0, 1)`` (ternary), ascending.
    probabilities : ndarray, shape (n_levels, n_levels)
        Row ``i`` is the distribution of what is read when ``levels[i]`` is stored; rows must
        sum to 1 (within 1e-6; they are renormalised exactly).
    """

    levels: tuple[int, ...]
    probabilities: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        levels = tuple(int(v) for v in self.levels)
        if levels not in (WeightKind.BINARY.levels, WeightKind.TERNARY.levels):
            raise ParameterError("levels", self.levels, "(-1, 1) or (-1, 0, 1)")
        matrix = np.array(self.probabilities, dtype=np.float64)
        n = len(levels)
        if matrix.shape != (n, n):
            raise ParameterError("probabilities", f"shape {matrix.shape}", f"shape ({n}, {n})")
        if not np.all(np.isfinite(matrix)) or np.any(matrix < 0) or np.any(matrix > 1):
            raise ParameterError(
                "probabilities", matrix.tolist(), "probabilities 0 <= P(read j | stored i) <= 1"
            )
        sums = matrix.sum(axis=1)
        if np.any(np.abs(sums - 1) > _ROW_SUM_TOLERANCE):
            raise ParameterError(
                "probabilities", matrix.tolist(), "rows (stored levels) that sum to 1"
            )
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "probabilities", matrix / sums[:, None])

    @classmethod
    def binary(cls, p_error_plus: float, p_error_minus: float) -> TransitionMatrix:
        """Asymmetric binary errors.

        Parameters
        ----------
        p_error_plus : float
            P(read -1 | stored +1), in [0, 1].
        p_error_minus : float
            P(read +1 | stored -1), in [0, 1].
        """
        plus = check_range("p_error_plus", p_error_plus, 0.0, 1.0)
        minus = check_range("p_error_minus", p_error_minus, 0.0, 1.0)
        return cls((-1, 1), np.array([[1 - minus, minus], [plus, 1 - plus]]))

    @classmethod
    def symmetric(cls, ber: float) -> TransitionMatrix:
        """Binary sign flips with probability ``ber`` whatever the stored value."""
        p = check_range("ber", ber, 0.0, 1.0)
        return cls.binary(p, p)

    @classmethod
    def ternary(cls, probabilities: npt.ArrayLike) -> TransitionMatrix:
        """A 3 x 3 matrix with rows and columns in the order (-1, 0, +1)."""
        return cls((-1, 0, 1), np.asarray(probabilities, dtype=np.float64))

    @classmethod
    def ternary_from_ber(cls, ber: float, zero_fraction: float) -> TransitionMatrix:
        """The seed papers' ternary convention for an average error rate ``ber``.

        0 -> +-1 with probability ``2 ber / (1 + p0)`` (half each), +-1 -> 0 with probability
        ``ber / (1 + p0)``, never +1 <-> -1 (Laborieux-Axel/Quantized_VGG ``model_utils.py``).

        Parameters
        ----------
        ber : float
            Average error rate over the layer's weights, ``0 <= ber <= (1 + p0) / 2``.
        zero_fraction : float
            ``p0``, fraction of zero weights in the layer, in [0, 1].
        """
        p0 = check_range("zero_fraction", zero_fraction, 0.0, 1.0)
        p = check_range("ber", ber, 0.0, (1 + p0) / 2)
        q = p / (1 + p0)
        return cls.ternary([[1 - q, q, 0.0], [q, 1 - 2 * q, q], [0.0, q, 1 - q]])

    @property
    def kind(self) -> WeightKind:
        """Binary or ternary."""
        return WeightKind.BINARY if len(self.levels) == 2 else WeightKind.TERNARY

    def error_probability(self) -> npt.NDArray[np.float64]:
        """P(read != stored) per stored level, in level order."""
        return 1 - np.diag(self.probabilities)

    def expected_error_rate(self, stored: npt.ArrayLike) -> float:
        """Expected fraction of the weights ``stored`` that are read wrong."""
        values = np.asarray(stored).ravel()
        counts = np.array([np.count_nonzero(values == level) for level in self.levels])
        return float(counts @ self.error_probability() / max(1, values.size))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: levels and rows."""
        return {"levels": list(self.levels), "probabilities": self.probabilities.tolist()}


def sample_errors(
    stored: npt.ArrayLike,
    matrix: TransitionMatrix,
    rng: np.random.Generator,
    reads: int = 1,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Draw which cells are read wrong, and as what, in ``reads`` independent reads.

    Parameters
    ----------
    stored : array_like
        The stored levels of ``n`` cells (flattened).
    matrix : TransitionMatrix
        Error model of these cells; every stored value must be one of its levels.
    rng : numpy.random.Generator
        Source of randomness (spawned from a ``SeedSequence`` by the caller).
    reads : int
        Number of independent reads of all cells (e.g. inputs of a batch).

    Returns
    -------
    index : ndarray of int64
        Flat position ``read * n + cell`` of every error, each at most once.
    value : ndarray of float32
        The level read instead of the stored one, for each error.
    """
    values = np.asarray(stored).ravel()
    n = values.size
    if not np.all(np.isin(values, matrix.levels)):
        raise ParameterError(
            "stored", "values outside the matrix levels", f"levels {matrix.levels}"
        )
    indices: list[npt.NDArray[np.int64]] = []
    reads_as: list[npt.NDArray[np.float32]] = []
    for i, level in enumerate(matrix.levels):
        cells = np.flatnonzero(values == level)
        population = cells.size * reads
        if population == 0:
            continue
        counts = rng.multinomial(population, matrix.probabilities[i])
        n_errors = population - int(counts[i])
        if n_errors == 0:
            continue
        # choice() returns the sample in random order, so consecutive slices of it form a
        # uniformly random partition among the target levels.
        chosen = rng.choice(population, size=n_errors, replace=False)
        start = 0
        for j, target in enumerate(matrix.levels):
            if j == i or counts[j] == 0:
                continue
            part = chosen[start : start + counts[j]]
            start += int(counts[j])
            read, cell = np.divmod(part, cells.size)
            indices.append(read * n + cells[cell])
            reads_as.append(np.full(part.size, target, dtype=np.float32))
    if not indices:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(indices).astype(np.int64), np.concatenate(reads_as)


class _PerReadErrors:
    """Forward-pass hook drawing fresh errors for every input of every batch (dynamic mode)."""

    def __init__(self, matrices: Mapping[str, TransitionMatrix], rng: np.random.Generator):
        self._matrices = matrices
        self._rng = rng

    def __call__(self, layer: WeightedLayer, pats: FloatArray, a: FloatArray) -> FloatArray:
        matrix = self._matrices.get(layer.name)
        if matrix is None:
            return a
        stored = layer.weights.values.ravel()
        n, fan_in = stored.size, layer.weights.fan_in
        batch = a.shape[0]
        step = max(1, _MAX_POPULATION // n)
        out = a.copy()
        for start in range(0, batch, step):
            stop = min(batch, start + step)
            index, read = sample_errors(stored, matrix, self._rng, reads=stop - start)
            sample, cell = np.divmod(index, n)
            row, col = np.divmod(cell, fan_in)
            delta = read - stored[cell]
            out[start:stop] = layer.add_weight_deltas(
                pats[start:stop], out[start:stop], sample, row, col, delta
            )
        return out


@dataclass(frozen=True, eq=False)
class ErrorModel:
    """Per-layer transition matrices and when errors are drawn.

    Parameters
    ----------
    matrices : mapping of layer name to TransitionMatrix
        Layers not named are read without errors.
    mode : ErrorMode
        ``static`` (per chip) or ``dynamic`` (per read).
    """

    matrices: Mapping[str, TransitionMatrix]
    mode: ErrorMode = ErrorMode.STATIC

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", ErrorMode(self.mode))
        object.__setattr__(self, "matrices", dict(self.matrices))

    @classmethod
    def uniform(
        cls, network: Network, ber: float, mode: ErrorMode = ErrorMode.STATIC
    ) -> ErrorModel:
        """Every binary/ternary layer at bit-error rate ``ber`` (module-docstring conventions).

        Raises
        ------
        ParameterError
            If ``ber`` is outside [0, 1] (binary) or [0, (1 + p0) / 2] (ternary layers).
        """
        matrices = {}
        for layer in network.quantized_layers():
            if layer.weights.kind is WeightKind.BINARY:
                matrices[layer.name] = TransitionMatrix.symmetric(ber)
            else:
                zeros = float(np.mean(layer.weights.values == 0))
                matrices[layer.name] = TransitionMatrix.ternary_from_ber(ber, zeros)
        return cls(matrices, mode)

    @classmethod
    def same_matrix(
        cls, network: Network, matrix: TransitionMatrix, mode: ErrorMode = ErrorMode.STATIC
    ) -> ErrorModel:
        """``matrix`` (e.g. one measured condition) for every binary/ternary layer.

        Raises
        ------
        ParameterError
            If a layer's weight kind differs from the matrix's (a 2 x 2 matrix cannot describe
            ternary cells, nor the reverse).
        """
        model = cls({layer.name: matrix for layer in network.quantized_layers()}, mode)
        model.check(network)
        return model

    @property
    def error_free(self) -> bool:
        """True if no layer can be read wrong (every matrix is the identity, e.g. BER 0)."""
        return all(
            np.array_equal(m.probabilities, np.eye(len(m.levels))) for m in self.matrices.values()
        )

    def check(self, network: Network) -> None:
        """Raise :class:`ParameterError` if a matrix names no layer or fits no layer's kind."""
        for name, matrix in self.matrices.items():
            layer = network.layer(name)
            if layer.weights.kind is not matrix.kind:
                raise ParameterError(
                    "error model",
                    f"{matrix.kind.value} matrix for layer {name!r}",
                    f"a {layer.weights.kind.value} matrix ({network.name} layer {name!r} has "
                    f"{layer.weights.kind.value} weights)",
                )

    def realize(
        self, network: Network, rng: np.random.Generator
    ) -> tuple[dict[str, FloatArray] | None, ReadErrorHook | None]:
        """One realisation: arguments ``(weights, read_errors)`` for :meth:`Network.forward`.

        Static mode returns corrupted weight copies (one chip) and no hook; dynamic mode
        returns no weights and a hook that draws new errors at every read.
        """
        self.check(network)
        if self.mode is ErrorMode.DYNAMIC:
            return None, _PerReadErrors(self.matrices, rng)
        return draw_chip(network, self, rng), None


def draw_chip(
    network: Network, error_model: ErrorModel, rng: np.random.Generator
) -> dict[str, FloatArray]:
    """Weights of one chip with static errors: layer name -> corrupted copy of the values."""
    chip = {}
    for layer in network.layers:
        matrix = error_model.matrices.get(layer.name)
        if matrix is None:
            continue
        values = layer.weights.values.copy()
        index, read = sample_errors(values, matrix, rng)
        values.ravel()[index] = read
        chip[layer.name] = values
    return chip
