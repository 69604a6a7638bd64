"""The report's accuracy study on worker processes: the numbers of one process, to the bit.

Every evaluation of :func:`~rram_ber.analysis.accuracy.accuracy_study` (a curve point, a
distinct condition matrix) draws from its own seed, so running them on a pool changes only
where they run. A worker that fails or dies raises in the caller instead of hanging.
"""

import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rram_ber.analysis.accuracy import _evaluate_all, _Evaluation, accuracy_study
from rram_ber.analysis.bnn.curves import load_test_split
from rram_ber.analysis.bnn.errors import ErrorModel
from rram_ber.analysis.bnn.model_io import load_shipped
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.core.validation import ParameterError

CAMPAIGN = Path(__file__).resolve().parents[1] / "data" / "small_campaign"


def test_two_workers_give_the_accuracy_table_of_one():
    one = accuracy_study(CAMPAIGN / "ber.csv", repeats=3, test_limit=300, workers=1)
    two = accuracy_study(CAMPAIGN / "ber.csv", repeats=3, test_limit=300, workers=2)
    # Both weight kinds, several distinct matrices and conditions sharing one.
    assert set(one.points["model"]) == {"fashion-mlp-bnn", "fashion-mlp-tnn"}
    assert one.points["accuracy_mean"].nunique() > 2
    pd.testing.assert_frame_equal(two.points, one.points, check_exact=True)
    assert two.points.to_csv(index=False) == one.points.to_csv(index=False)
    assert len(two.curves) == len(one.curves) == 2
    for mine, theirs in zip(two.curves, one.curves, strict=True):
        assert mine.keys() == theirs.keys()
        for key, value in theirs.items():
            assert np.array_equal(mine[key], value), key
    assert two.notes == one.notes


def test_workers_must_be_a_positive_integer():
    with pytest.raises(ParameterError, match="workers"):
        accuracy_study(CAMPAIGN / "ber.csv", repeats=2, test_limit=10, workers=0)


def _digits_inputs(labels_cut: int = 0):
    network = load_shipped("digits-mlp-bnn")
    x, y = load_test_split(network, limit=50)
    return network, {WeightKind.BINARY: (network, x, y[: len(y) - labels_cut])}


def test_an_error_in_a_worker_is_raised_here_naming_the_evaluation():
    # Labels one shorter than the inputs: evaluate_with_errors refuses them in the worker.
    network, inputs = _digits_inputs(labels_cut=1)
    jobs = [
        _Evaluation(WeightKind.BINARY, ErrorModel.uniform(network, ber), 0, f"point {ber:g}")
        for ber in (0.01, 0.1)
    ]
    with pytest.raises(ParameterError, match="shape") as raised:
        _evaluate_all(jobs, inputs, 2, 2, lambda message: None)
    assert any("in a worker process" in note for note in raised.value.__notes__)


class _EndsTheProcess:
    """Unpickles by ending the process at once: a worker that dies (killed, out of memory)
    as it takes this evaluation."""

    def __reduce__(self):
        return os._exit, (3,)


def test_a_worker_that_dies_raises_here_instead_of_hanging():
    network, inputs = _digits_inputs()
    errors = ErrorModel.uniform(network, 0.01)
    jobs = [
        _Evaluation(WeightKind.BINARY, errors, 0, "a good one"),
        _Evaluation(WeightKind.BINARY, errors, _EndsTheProcess(), "the fatal one"),
        *(_Evaluation(WeightKind.BINARY, errors, seed, f"seed {seed}") for seed in range(8)),
    ]
    with pytest.raises(BrokenProcessPool) as raised:
        _evaluate_all(jobs, inputs, 2, 2, lambda message: None)
    assert any("ended abruptly" in note for note in raised.value.__notes__)
