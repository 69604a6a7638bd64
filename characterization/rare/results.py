"""What a rare-event estimate returns, and its stored record: one result type for every method."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np


@dataclass(frozen=True, eq=False)
class EvaluatedSamples:
    """Every point the limit state was evaluated at, in evaluation order.

    Attributes
    ----------
    u : numpy.ndarray
        Points, shape ``(n_evaluations, dim)``, standard-normal space.
    failed : numpy.ndarray
        Limit-state outcome of each point (bool).
    stage : numpy.ndarray
        What the evaluation was for: ``"explore"``, ``"search"`` (importance sampling's
        search), ``"estimate"`` (rows that enter the estimate) or ``"scaled"`` (scaled-sigma).
    weight : numpy.ndarray
        Likelihood ratio ``phi(u) / q(u)`` of each ``"estimate"`` row (1 for Monte-Carlo), NaN
        for rows not used with a weight.
    scale : numpy.ndarray
        Sigma scale factor the row was drawn with (scaled-sigma and exploration rows), NaN
        otherwise.
    margin : numpy.ndarray or None
        Subset simulation: the limit state's margin ``g(u)`` of each row (``<= 0`` = failure);
        NaN for rows evaluated by verdict only.
    """

    u: np.ndarray
    failed: np.ndarray
    stage: np.ndarray
    weight: np.ndarray
    scale: np.ndarray
    margin: np.ndarray | None = None


#: The diagnostic of an estimate of measured devices read through a tail model fitted to them
#: (``characterization.devices.DeviceSettings.tail_fit``): the model, counts, fitted values.
TAIL_DIAGNOSTIC = "device_tail"


#: A JSON value as kept in a result's diagnostics: sequences become tuples, so a result read
#: back from its file equals the one written.
JsonValue: TypeAlias = (
    str | int | float | bool | tuple["JsonValue", ...] | dict[str, "JsonValue"] | None
)


def _json_value(name: str, value: object) -> JsonValue:
    """``value`` as a plain JSON value (NumPy numbers and arrays converted, lists as tuples).

    Raises
    ------
    TypeError
        For anything JSON cannot hold (an object, a set ...), naming the diagnostic.
    """
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): _json_value(f"{name}.{k}", v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(_json_value(name, v) for v in value)
    raise TypeError(f"diagnostic {name!r}: a {type(value).__name__} is not a JSON value")


@dataclass(frozen=True, eq=False)
class RareEventResult:
    """A failure-probability estimate with its interval: the one result of every estimator.

    The core fields mean the same for every method, and are all a BER table reads; what only
    one method knows is in ``diagnostics`` (documented with each estimator).

    Attributes
    ----------
    method : str
        The estimator that made it (a key of
        :data:`~rram_ber.characterization.rare.registry.ESTIMATORS`).
    p : float
        Estimated failure probability (NaN: no estimate, the interval says what is known).
    ci_low, ci_high : float
        Interval at ``confidence`` (see the method for how it is formed).
    confidence : float
        Confidence level of the interval.
    n_evaluations : int
        Limit-state evaluations spent, search included.
    n_failures : int
        Failures among the rows that enter the estimate.
    std_error : float
        Estimated standard error of ``p``.
    effective_sample_size : float
        Equivalent Monte-Carlo sample size: ``p (1 - p) / SE(p)^2``, the number of plain
        Monte-Carlo samples that would give the same standard error (``n`` for Monte-Carlo).
    effective_failures : float
        Importance sampling: Kish's effective number of failures,
        ``(sum w_i)^2 / sum w_i^2`` over failing estimation rows; the normal interval is
        trustworthy when this is well above 10. Otherwise equal to ``n_failures``.
    upper_bound_only : bool
        No failure entered the estimate: ``p`` is 0 and ``ci_high`` an upper bound on the
        failure probability, not an estimate (``ber.csv`` reads ``< bound``).
    regions_may_be_missing : bool
        The method could not rule out a failure region it did not sample (importance
        sampling's search ran out of budget or of ``max_regions``, or left a failure no centre
        explains unsearched). The interval's upper end is then widened (see
        :func:`~rram_ber.characterization.rare.importance.importance_sampling`).
    notes : tuple of str
        Anything a reader of the number must know (fallbacks, unreliable intervals).
    diagnostics : dict
        What only this method knows, as JSON values (sequences as tuples), documented with
        each estimator: importance sampling's design points, scaled-sigma's scales and fit,
        subset simulation's levels. Stored with the estimate.
    samples : EvaluatedSamples or None
        Every evaluated point, if kept (not stored with the estimate: the campaign keeps the
        simulated rows beside it).
    """

    method: str
    p: float
    ci_low: float
    ci_high: float
    confidence: float
    n_evaluations: int
    n_failures: int
    std_error: float
    effective_sample_size: float
    effective_failures: float
    upper_bound_only: bool = False
    regions_may_be_missing: bool = False
    notes: tuple[str, ...] = ()
    diagnostics: dict[str, JsonValue] = field(default_factory=dict)
    samples: EvaluatedSamples | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", tuple(str(note) for note in self.notes))
        object.__setattr__(
            self,
            "diagnostics",
            {str(k): _json_value(str(k), v) for k, v in self.diagnostics.items()},
        )

    @property
    def relative_half_width(self) -> float:
        """Half the interval's width divided by ``p`` (inf when ``p`` is 0)."""
        if self.p <= 0.0:
            return math.inf
        return 0.5 * (self.ci_high - self.ci_low) / self.p

    @property
    def design_points(self) -> tuple[tuple[float, ...], ...]:
        """The design points an importance estimate centred on (its ``design_points``
        diagnostic, standard-normal space); none for other methods."""
        points = self.diagnostics.get("design_points", ())
        if not isinstance(points, tuple):
            return ()
        return tuple(
            tuple(float(x) for x in point)  # type: ignore[arg-type]
            for point in points
            if isinstance(point, tuple)
        )

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the interval."""
        return self.ci_low <= value <= self.ci_high

    def to_record(self) -> dict[str, Any]:
        """The result as plain JSON data (``samples`` left out): see :data:`RESULT_FIELDS`."""
        record: dict[str, Any] = {name: getattr(self, name) for name in RESULT_FIELDS}
        record["notes"] = list(self.notes)
        record["diagnostics"] = _plain(self.diagnostics)
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RareEventResult:
        """The result :meth:`to_record` wrote (``samples`` None).

        Raises
        ------
        ValueError
            If a field is missing or of the wrong type, naming it.
        """
        values: dict[str, Any] = {}
        for name, kind in RESULT_FIELDS.items():
            if name not in record:
                raise ValueError(f"no {name!r}")
            value = record[name]
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ValueError(f"{name!r} is {value!r}, not a {kind.__name__}")
            values[name] = value
        notes = record.get("notes", ())
        diagnostics = record.get("diagnostics", {})
        if not isinstance(notes, list | tuple) or not isinstance(diagnostics, Mapping):
            raise ValueError("'notes' must be a list and 'diagnostics' a mapping")
        return cls(**values, notes=tuple(notes), diagnostics=dict(diagnostics))


#: The core fields of a stored result, with their JSON types (``notes`` and ``diagnostics``
#: follow them in the record).
RESULT_FIELDS: dict[str, type] = {
    "method": str,
    "p": float,
    "ci_low": float,
    "ci_high": float,
    "confidence": float,
    "n_evaluations": int,
    "n_failures": int,
    "std_error": float,
    "effective_sample_size": float,
    "effective_failures": float,
    "upper_bound_only": bool,
    "regions_may_be_missing": bool,
}


def _plain(value: JsonValue) -> Any:
    """Tuples as lists, for ``json``."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


#: Version of the ``rare/cNNNN-plus.json`` record written by :meth:`RareEstimate.to_record`.
#: Version 1 (no ``format`` key, before issue 25) lacked ``effective_failures``,
#: ``upper_bound_only`` and ``diagnostics``; it is still read (see :meth:`RareEstimate.
#: from_record`).
ESTIMATE_FORMAT = 2


@dataclass(frozen=True, eq=False)
class RareEstimate:
    """One estimate of a campaign: the result for one condition and stored value
    (``rare/cNNNN-plus.json`` / ``-minus``, ``-zero`` for a ternary 0).

    Attributes
    ----------
    condition_id : int
        The condition.
    stored : int
        The stored weight, +1 or -1 (ternary cells also 0).
    result : RareEventResult
        The estimate (without its samples: the simulated rows are stored beside it).
    """

    condition_id: int
    stored: int
    result: RareEventResult

    def to_record(self) -> dict[str, Any]:
        """The JSON record of the estimate: ``format``, ``condition_id``, ``stored`` and the
        fields of :meth:`RareEventResult.to_record`, all at the top level."""
        return {
            "format": ESTIMATE_FORMAT,
            "condition_id": self.condition_id,
            "stored": self.stored,
            **self.result.to_record(),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RareEstimate:
        """The estimate a record describes (other keys, such as the fingerprint, ignored).

        A version-1 record (no ``format``) is read with ``effective_failures`` NaN (not
        recorded), ``upper_bound_only`` true exactly where ``p`` is 0 (what its ``ber.csv`` row
        said, ``< bound``) and no diagnostics.

        Raises
        ------
        ValueError
            If the record is of an unknown format or lacks a field, saying which.
        """
        version = record.get("format", 1)
        if version not in (1, ESTIMATE_FORMAT) or isinstance(version, bool):
            raise ValueError(
                f"estimate format {version!r}; this rram-ber reads formats 1 and {ESTIMATE_FORMAT}"
            )
        values = dict(record)
        if version == 1:
            p = values.get("p")
            values.setdefault("effective_failures", math.nan)
            values.setdefault("upper_bound_only", p == 0)
        for name, kind in (("condition_id", int), ("stored", int)):
            if not isinstance(values.get(name), kind) or isinstance(values.get(name), bool):
                raise ValueError(f"{name!r} is {values.get(name)!r}, not an integer")
        if values["stored"] not in (1, 0, -1):
            raise ValueError(f"'stored' is {values['stored']!r}, not +1, 0 or -1")
        return cls(values["condition_id"], values["stored"], RareEventResult.from_record(values))


def equivalent_sample_size(p: float, std_error: float) -> float:
    """Plain Monte-Carlo samples giving the standard error ``std_error`` at ``p``:
    ``p (1 - p) / SE^2`` (the ``effective_sample_size`` of a weighted or fitted estimate).

    NaN when ``std_error`` is 0 or not finite: there is then no variance to compare with (no
    failure, or a bootstrap without spread), and NaN is not a flattering number.
    """
    if not math.isfinite(std_error) or std_error <= 0.0:
        return math.nan
    return p * (1.0 - p) / std_error**2
