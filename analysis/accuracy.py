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

Every evaluation (a curve point, a distinct condition matrix) draws from its own seed, so they
run on a pool of worker processes, one per usable CPU by default, with the numbers of one
process to the last bit.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from rram_ber.analysis.bnn.ber_table import Condition, read_ber_table
from rram_ber.analysis.bnn.curves import (
    AccuracyEstimate,
    CurvePoint,
    Seed,
    curve_error_models,
    evaluate_with_errors,
    load_test_split,
)
from rram_ber.analysis.bnn.errors import ErrorMode, ErrorModel
from rram_ber.analysis.bnn.layers import Network
from rram_ber.analysis.bnn.model_io import load_model, load_shipped, shipped_models
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.analysis.bnn.user_data import load_user_data
from rram_ber.characterization.executors import die_with_parent
from rram_ber.core.validation import ParameterError, check_int

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


#: What identifies a condition's error model: its levels and transition probabilities.
_MatrixKey = tuple[tuple[int, ...], bytes]


def _matrix_key(condition: Condition) -> _MatrixKey:
    """The key of a condition's matrix (at its resolved BER)."""
    matrix = condition.matrix
    return tuple(matrix.levels), np.asarray(matrix.probabilities).tobytes()


@dataclass
class _Plan:
    """The evaluations of one weight kind's network, as indices into the study's job list.

    Attributes
    ----------
    kind : WeightKind
        The weight kind.
    name : str
        The network's name.
    selected : list of Condition
        The conditions of this kind to place on the curve, in table order.
    curve : list of (float, int)
        Each curve point's uniform BER [-] and job index.
    distinct : dict
        The job index of each distinct condition matrix (:func:`_matrix_key`).
    """

    kind: WeightKind
    name: str
    selected: list[Condition]
    curve: list[tuple[float, int]] = field(default_factory=list)
    distinct: dict[_MatrixKey, int] = field(default_factory=dict)


#: A network and its test inputs and labels.
_Inputs = tuple[Network, npt.NDArray[Any], npt.NDArray[Any]]


@dataclass(frozen=True)
class _Evaluation:
    """One :func:`evaluate_with_errors` call of the study.

    Each draws its errors from its own seed, so the calls are independent: their results do
    not depend on the order they run in, nor on the process.

    Attributes
    ----------
    kind : WeightKind
        Whose network and test data (the study has at most one network per kind).
    errors : ErrorModel
        The error model.
    seed : int or SeedSequence
        Root seed of its error realisations.
    label : str
        What it is, for progress and error messages.
    """

    kind: WeightKind
    errors: ErrorModel
    seed: Seed
    label: str


def _usable_cpus() -> int:
    """Number of CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


#: Environment of the worker processes: one BLAS/OpenMP thread each, since the workers already
#: use every CPU. With OpenBLAS's default (one thread per CPU) 2 workers on 2 cores were
#: slower than 1 process (measured: 58 s against 54 s; 34 s with one thread per worker).
_ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Set :data:`_ONE_THREAD` in this process's environment for the processes started meanwhile.

    A BLAS library reads its thread count when it is loaded, so the variables must be in a
    worker's environment when it starts; setting them in the worker would come after the
    import of NumPy. This process's own BLAS, already loaded, is not affected.
    """
    saved = {name: os.environ.get(name) for name in _ONE_THREAD}
    os.environ.update(_ONE_THREAD)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _evaluate_all(
    jobs: Sequence[_Evaluation],
    inputs: dict[WeightKind, _Inputs],
    repeats: int,
    workers: int,
    step: Callable[[str], None],
) -> list[AccuracyEstimate]:
    """Run ``jobs``, in this process (``workers`` 1) or on a pool; results in ``jobs`` order.

    Calls ``step`` once per finished evaluation. An exception of an evaluation in a worker is
    raised here with its own type and a note naming the evaluation; a worker that dies
    (killed, out of memory) raises :class:`~concurrent.futures.process.BrokenProcessPool`
    with a note saying so. Either way the evaluations not started are cancelled.
    """
    total = len(jobs)
    if workers == 1:
        results = []
        for number, job in enumerate(jobs, start=1):
            results.append(evaluate_with_errors(*inputs[job.kind], job.errors, repeats, job.seed))
            step(f"{job.label} evaluated ({number}/{total})")
        return results
    found: dict[int, AccuracyEstimate] = {}
    # spawn: a fresh interpreter, the same on every platform and Python version (fork of a
    # process running BLAS threads can deadlock). The initializer ends a worker with this
    # process, as the campaign's workers, so a killed report leaves no idle process behind.
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        try:
            # The network and test data go with every evaluation (about 10 MB, 20-30 ms to
            # pass for Fashion-MNIST), not once as the workers' start arguments: those would
            # make starting a worker wait until it has imported everything, and a worker
            # dying while the pool still starts another makes the pool wait for ever
            # (CPython 3.11 misses the one being started when it stops the others).
            with _one_blas_thread():  # the pool starts its workers in submit
                futures = {
                    pool.submit(evaluate_with_errors, *inputs[job.kind], job.errors, repeats,
                                job.seed): n
                    for n, job in enumerate(jobs)
                }  # fmt: skip
            for number, future in enumerate(as_completed(futures), start=1):
                index = futures[future]
                try:
                    found[index] = future.result()
                except Exception as error:
                    if not isinstance(error, BrokenProcessPool):
                        error.add_note(f"while evaluating {jobs[index].label} in a worker process")
                    raise
                step(f"{jobs[index].label} evaluated ({number}/{total})")
        except BaseException as error:
            if isinstance(error, BrokenProcessPool):
                # Every pending evaluation fails with it, whichever one the dead worker ran.
                error.add_note("a worker process of the accuracy study ended abruptly (killed, "
                               "or out of memory)")  # fmt: skip
            # Do not wait for the evaluations not yet started: only the running ones finish.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [found[index] for index in range(total)]


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
    workers: int | None = None,
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
        Called with a short message once before the evaluations and once after each.
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
    workers : int, optional
        Processes evaluating in parallel (default: the CPUs this process may use, at most one
        per evaluation). With 1 everything runs in this process; any number gives the same
        results to the last bit, since every evaluation draws from its own seed. With more,
        the caller's script needs the usual ``if __name__ == "__main__":`` guard (the workers
        are started with ``spawn``).

    Raises
    ------
    ParameterError
        If ``workers`` is not a positive integer, or for a user network of the same weight
        kind as another.
    """
    step = progress or (lambda message: None)
    wanted_workers = _usable_cpus() if workers is None else check_int("workers", workers, 1)
    conditions = read_ber_table(ber_csv, skip_unmeasured=True, resolve_below=resolve_below)
    wanted = None if condition_ids is None else {str(c) for c in condition_ids}
    notes: list[str] = []
    measured = {c.condition_id for c in conditions}
    every = set(pd.read_csv(ber_csv, usecols=["condition_id"], dtype=str)["condition_id"])
    unmeasured = sorted((every if wanted is None else wanted) - measured, key=int)
    if unmeasured:
        notes.append(
            "conditions without a measured BER (no reads) not evaluated: " + ", ".join(unmeasured)
        )
    chosen = _models(model)
    # First every evaluation to run (both kinds, so a pool stays busy across them), then the
    # curves and rows from their results, in the order the conditions are listed.
    inputs: dict[WeightKind, _Inputs] = {}
    jobs: list[_Evaluation] = []
    plans: list[_Plan] = []
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
        inputs[kind] = (network, np.asarray(x), np.asarray(y))
        plan = _Plan(kind, name, selected)
        for ber, errors, child in curve_error_models(network, CURVE_BERS, seed):
            plan.curve.append((ber, len(jobs)))
            jobs.append(_Evaluation(kind, errors, child, f"{name}: uniform BER {ber:g}"))
        # Every condition is drawn from the same seed, so conditions with the same matrix
        # (typically the error-free ones at the same upper bound) have the same estimate:
        # evaluate each matrix once.
        sharing: dict[_MatrixKey, list[Condition]] = {}
        for condition in selected:
            sharing.setdefault(_matrix_key(condition), []).append(condition)
        for key, group in sharing.items():
            matrix = group[0].matrix  # at the condition's resolved BER
            errors = ErrorModel.same_matrix(network, matrix, ErrorMode.STATIC)
            ids = ", ".join(c.condition_id for c in group)
            label = f"{name}: condition{'s' if len(group) > 1 else ''} {ids}"
            plan.distinct[key] = len(jobs)
            jobs.append(_Evaluation(kind, errors, seed, label))
        plans.append(plan)
    count = max(1, min(wanted_workers, len(jobs)))
    step(f"{len(jobs)} accuracy evaluations in {count} process{'es' if count > 1 else ''}")
    estimates = _evaluate_all(jobs, inputs, repeats, count, step)

    curves: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for plan in plans:
        curve = [CurvePoint(ber, estimates[index]) for ber, index in plan.curve]
        clean = curve[0].estimate.mean  # CURVE_BERS starts at 0: the error-free network
        curves.append(
            {
                "label": f"{plan.name} ({plan.kind.value} weights), uniform BER",
                "model": plan.name,
                "ber": np.array([p.ber for p in curve]),
                "mean": np.array([p.estimate.mean for p in curve]),
                "low": np.clip([p.estimate.ci_low for p in curve], 0.0, 1.0),
                "high": np.clip([p.estimate.ci_high for p in curve], 0.0, 1.0),
            }
        )
        for condition in plan.selected:
            estimate = estimates[plan.distinct[_matrix_key(condition)]]
            rows.append(
                {
                    "condition_id": int(condition.condition_id),
                    "model": plan.name,
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
