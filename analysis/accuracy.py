"""What a campaign's measured BERs do to network accuracy (the report's accuracy section).

Two kinds of numbers, both from the NumPy evaluator (:mod:`rram_ber.analysis.bnn`):

* **curves**: accuracy of a shipped binary and a shipped ternary model against a uniform
  bit-error rate on every stored layer (:func:`rram_ber.analysis.bnn.curves.accuracy_curve`);
* **operating points**: each measured condition's own error model (the asymmetric 2 x 2
  matrix of a binary condition, the 3 x 3 confusion matrix of a ternary one, read from
  ``ber.csv`` / ``confusion.csv``) applied to every stored layer of the matching model, placed
  on the curve at the condition's BER. That BER is the one
  :func:`~rram_ber.analysis.bnn.ber_table.resolve_ber` decides, as for ``rram-ber evaluate``:
  a condition without any observed error is evaluated at the upper bound of its interval,
  labelled ``unresolved-bound`` (a worst case) or ``bound-below-floor``.

Errors are static (drawn once per simulated chip), the programming/retention view of a
weight memory; each estimate is the mean and Student-t 95 % interval over ``repeats`` chips.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rram_ber.analysis.bnn.ber_table import read_ber_table
from rram_ber.analysis.bnn.curves import (
    AccuracyEstimate,
    accuracy_curve,
    evaluate_with_errors,
    load_test_split,
)
from rram_ber.analysis.bnn.errors import ErrorMode, ErrorModel
from rram_ber.analysis.bnn.layers import Network
from rram_ber.analysis.bnn.model_io import load_model, load_shipped, shipped_models
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.analysis.bnn.user_data import load_user_data
from rram_ber.core.validation import ParameterError

#: Uniform BERs of the curves (0 is drawn at the left edge of the log axis).
CURVE_BERS = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.2)

#: Preferred models, most informative first; the first shipped one of each kind is used.
PREFERRED_MODELS = {
    WeightKind.BINARY: ("fashion-mlp-bnn", "fashion-cnn-bnn", "digits-mlp-bnn"),
    WeightKind.TERNARY: ("fashion-mlp-tnn", "fashion-cnn-tnn", "digits-mlp-tnn"),
}


@dataclass(frozen=True)
class AccuracyStudy:
    """Accuracy curves and measured operating points.

    Attributes
    ----------
    curves : list of dict
        ``label``, ``model``, and arrays ``ber``, ``mean``, ``low``, ``high``.
    points : pandas.DataFrame
        ``condition_id``, ``model``, ``ber`` (the resolved BER: the estimate, or the upper
        bound where no error was observed), ``ber_resolution`` (``estimated``,
        ``bound-below-floor`` or ``unresolved-bound``: then the accuracy is a worst case and
        its drop a best case for the design), ``accuracy_mean``, ``accuracy_ci_low``,
        ``accuracy_ci_high`` (clipped to [0, 1]), ``repeats``, ``clean_accuracy`` (the same
        network without errors) and ``accuracy_drop`` (clean minus measured).
    notes : list of str
        What could not be evaluated and why (e.g. a data set that is not installed).
    """

    curves: list[dict[str, Any]]
    points: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def choose_model(kind: WeightKind) -> str | None:
    """The first preferred shipped model of a weight kind, or None."""
    available = shipped_models()
    return next((name for name in PREFERRED_MODELS[kind] if name in available), None)


#: A user's network or networks: a shipped name or a file, or one per weight kind.
UserModels = str | Path | Sequence[str | Path] | None


def user_model_list(model: UserModels) -> list[str | Path]:
    """The user's networks as a list (empty: none given)."""
    if model is None:
        return []
    if isinstance(model, str | Path):
        return [model]
    return list(model)


def _models(
    user_model: UserModels,
) -> dict[WeightKind, tuple[str, Network | None]]:
    """Model of each weight kind.

    Without a user network: the preferred shipped one of each kind. With user networks: each
    one for its kind (ternary if any layer is ternary, else binary) and nothing for a kind
    the user gave no network of: the user's networks never silently share the page with a
    shipped network evaluated in their place.

    Raises
    ------
    ParameterError
        If two user networks are of the same weight kind (naming ``--model``).
    """
    users = user_model_list(user_model)
    chosen: dict[WeightKind, tuple[str, Network | None]] = {}
    if not users:
        for kind in (WeightKind.BINARY, WeightKind.TERNARY):
            name = choose_model(kind)
            if name is not None:
                chosen[kind] = (name, None)
        return chosen
    for spec in users:
        network = load_model(spec)
        kinds = {layer.weights.kind for layer in network.quantized_layers()}
        kind = WeightKind.TERNARY if WeightKind.TERNARY in kinds else WeightKind.BINARY
        if kind in chosen:
            raise ParameterError(
                "--model",
                [str(u) for u in users],
                f"at most one network per weight kind ({chosen[kind][0]!r} and "
                f"{network.name!r} are both {kind.value})",
            )
        chosen[kind] = (network.name, network)
    return chosen


def accuracy_study(
    ber_csv: str | Path,
    condition_ids: Sequence[int] | None = None,
    repeats: int = 10,
    seed: int = 0,
    test_limit: int | None = None,
    progress: Callable[[str], None] | None = None,
    model: UserModels = None,
    data: str | Path | None = None,
    resolve_below: float | None = None,
) -> AccuracyStudy:
    """Evaluate the curves and the measured conditions of a campaign.

    Parameters
    ----------
    ber_csv : path
        The campaign's ``ber.csv`` (``confusion.csv`` beside it).
    condition_ids : sequence of int, optional
        Conditions to place on the curves (default: all).
    repeats : int
        Error realisations (chips) per estimate.
    seed : int
        Root seed of the error draws.
    test_limit : int, optional
        Evaluate on the first ``test_limit`` test inputs only (faster).
    progress : callable, optional
        Called with a short message before each curve and each condition.
    model : str, path or sequence of them, optional
        The user's network (shipped name, ``.npz`` or ``.onnx``), or one binary and one
        ternary network. Each is evaluated on the conditions of its weight kind (ternary if
        any layer is ternary, else binary); the conditions of a kind without a user network
        are not evaluated, and a note says so. Default: the preferred shipped network of
        each kind.
    data : path, optional
        Test data ``.npz`` (``x``, ``y``) for the user's networks; default each one's shipped
        data set.
    resolve_below : float, optional
        Resolution floor of :func:`~rram_ber.analysis.bnn.ber_table.resolve_ber` [-];
        default: the campaign's (``campaign.json`` beside ``ber_csv``), else 1e-9.
    """
    step = progress or (lambda message: None)
    conditions = read_ber_table(ber_csv, skip_unmeasured=True, resolve_below=resolve_below)
    wanted = None if condition_ids is None else {str(c) for c in condition_ids}
    curves: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    measured = {c.condition_id for c in conditions}
    every = set(pd.read_csv(ber_csv, usecols=["condition_id"], dtype=str)["condition_id"])
    unmeasured = sorted((every if wanted is None else wanted) - measured, key=int)
    if unmeasured:
        notes.append(
            "conditions without a measured BER (no reads) not evaluated: " + ", ".join(unmeasured)
        )
    chosen = _models(model)
    for kind in (WeightKind.BINARY, WeightKind.TERNARY):
        name, user_network = chosen.get(kind, (None, None))
        selected = [
            c
            for c in conditions
            if c.matrix.kind is kind and (wanted is None or c.condition_id in wanted)
        ]
        if name is None:
            ids = ", ".join(c.condition_id for c in selected)
            if not selected:
                continue
            if user_model_list(model):
                given = ", ".join(n for n, _ in chosen.values())
                notes.append(
                    f"{kind.value} conditions {ids} not evaluated: no {kind.value} network was "
                    f"given (the given network {given} is "
                    f"{'ternary' if kind is WeightKind.BINARY else 'binary'}); give a "
                    f"{kind.value} network as another --model to evaluate them"
                )
            else:
                notes.append(
                    f"{kind.value} conditions {ids} not evaluated: no shipped {kind.value} model"
                )
            continue
        network = load_shipped(name) if user_network is None else user_network
        try:
            if user_network is not None and data is not None:
                x, y = load_user_data(data, network, test_limit)
            else:
                x, y = load_test_split(network, test_limit)
        except Exception as error:  # a missing data set must not stop the report
            ids = ", ".join(c.condition_id for c in selected)
            notes.append(
                f"{name}: test data unavailable ({error}); {kind.value} conditions "
                f"{ids or '(none)'} not evaluated"
            )
            continue
        step(f"{name}: accuracy curve at {len(CURVE_BERS)} BERs")
        curve = accuracy_curve(network, x, y, CURVE_BERS, repeats, seed)
        clean = curve[0].estimate.mean  # CURVE_BERS starts at 0: the error-free network
        curves.append(
            {
                "label": f"{name} ({kind.value} weights), uniform BER",
                "model": name,
                "ber": np.array([p.ber for p in curve]),
                "mean": np.array([p.estimate.mean for p in curve]),
                "low": np.clip([p.estimate.ci_low for p in curve], 0.0, 1.0),
                "high": np.clip([p.estimate.ci_high for p in curve], 0.0, 1.0),
            }
        )
        # Every condition is drawn from the same seed, so conditions with the same matrix
        # (typically the error-free ones at the same upper bound) have the same estimate:
        # evaluate each matrix once.
        estimates: dict[tuple[tuple[int, ...], bytes], AccuracyEstimate] = {}
        for number, condition in enumerate(selected, start=1):
            step(f"{name}: condition {condition.condition_id} ({number}/{len(selected)})")
            matrix = condition.matrix  # at the condition's resolved BER
            key = (tuple(matrix.levels), np.asarray(matrix.probabilities).tobytes())
            if key not in estimates:
                errors = ErrorModel.same_matrix(network, matrix, ErrorMode.STATIC)
                estimates[key] = evaluate_with_errors(network, x, y, errors, repeats, seed)
            estimate = estimates[key]
            rows.append(
                {
                    "condition_id": int(condition.condition_id),
                    "model": name,
                    "ber": condition.resolved.ber,
                    "ber_resolution": condition.resolved.resolution.value,
                    "accuracy_mean": estimate.mean,
                    # An accuracy lies in [0, 1]; the Student-t interval of a few chips does not.
                    "accuracy_ci_low": max(estimate.ci_low, 0.0),
                    "accuracy_ci_high": min(estimate.ci_high, 1.0),
                    "repeats": estimate.repeats,
                    "clean_accuracy": clean,
                    "accuracy_drop": clean - estimate.mean,
                }
            )
    columns = ["condition_id", "model", "ber", "ber_resolution", "accuracy_mean", "accuracy_ci_low",
               "accuracy_ci_high", "repeats", "clean_accuracy", "accuracy_drop"]  # fmt: skip
    return AccuracyStudy(curves, pd.DataFrame(rows, columns=columns), notes)
