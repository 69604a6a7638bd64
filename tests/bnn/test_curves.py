"""Accuracy under errors: intervals, BER 0 = clean, BER 0.5 = chance, reproducible curves."""

import math

import numpy as np
import pytest

from rram_ber.analysis.bnn.curves import (
    AccuracyEstimate,
    accuracy_curve,
    evaluate_with_errors,
    load_test_split,
)
from rram_ber.analysis.bnn.errors import ErrorMode, ErrorModel
from rram_ber.analysis.bnn.model_io import load_shipped


@pytest.fixture(scope="module")
def digits_bnn():
    network = load_shipped("digits-mlp-bnn")
    return network, *load_test_split(network)


def test_student_t_interval_of_the_mean():
    estimate = AccuracyEstimate((0.80, 0.82, 0.84))
    # t_{0.975, 2} = 4.302653 (tables); s = 0.02.
    half = 4.302653 * 0.02 / math.sqrt(3)
    assert estimate.mean == pytest.approx(0.82)
    assert estimate.ci_low == pytest.approx(0.82 - half, abs=1e-6)
    assert estimate.ci_high == pytest.approx(0.82 + half, abs=1e-6)
    single = AccuracyEstimate((0.9,))
    assert math.isnan(single.ci_low) and math.isnan(single.std)


@pytest.mark.parametrize("name", ["digits-mlp-bnn", "digits-mlp-tnn"])
@pytest.mark.parametrize("mode", list(ErrorMode))
def test_ber_zero_gives_the_clean_accuracy(name, mode):
    network = load_shipped(name)
    x, y = load_test_split(network)
    estimate = evaluate_with_errors(network, x, y, ErrorModel.uniform(network, 0.0, mode), 3)
    clean = network.accuracy(x, y)
    assert estimate.accuracies == (clean,) * 3
    assert clean == network.metadata["clean_test_accuracy"]


def test_ber_half_on_a_binary_net_gives_chance_level(digits_bnn):
    network, x, y = digits_bnn
    estimate = evaluate_with_errors(network, x, y, ErrorModel.uniform(network, 0.5), 40, seed=1)
    chance = 1 / network.n_classes
    assert network.accuracy(x, y) > 0.9
    # Weights read at BER 0.5 carry no information about the stored ones.
    assert abs(estimate.mean - chance) < 0.03
    assert estimate.ci_low < chance + 0.01 and estimate.ci_high > chance - 0.01


def test_curve_is_reproducible_and_degrades(digits_bnn):
    network, x, y = digits_bnn
    bers = [0.0, 0.05, 0.2, 0.5]
    curve = accuracy_curve(network, x, y, bers, repeats=5, seed=3)
    again = accuracy_curve(network, x, y, bers, repeats=5, seed=3)
    other = accuracy_curve(network, x, y, bers, repeats=5, seed=4)
    assert [p.estimate for p in curve] == [p.estimate for p in again]
    assert [p.estimate for p in curve] != [p.estimate for p in other]
    means = [p.estimate.mean for p in curve]
    assert means[0] > means[2] > means[3]
    assert [p.ber for p in curve] == bers


def test_dynamic_errors_on_a_shipped_model(digits_bnn):
    network, x, y = digits_bnn
    model = ErrorModel.uniform(network, 0.05, ErrorMode.DYNAMIC)
    estimate = evaluate_with_errors(network, x, y, model, 3, seed=0)
    assert 0.1 < estimate.mean < network.accuracy(x, y)
    assert len(set(estimate.accuracies)) > 1


def test_each_measured_condition_of_a_table(digits_bnn, tmp_path):
    from rram_ber.analysis.bnn import evaluate_conditions, read_ber_table
    from tests.support import binary_row, write_ber_table

    network, x, y = digits_bnn
    path = write_ber_table(tmp_path, [binary_row("ok", 0.0, 0.0, 0.0),
                                      binary_row("bad", 0.5, 0.5, 0.5)])  # fmt: skip
    results = evaluate_conditions(network, x, y, read_ber_table(path), repeats=10, seed=0)
    (ok, clean), (bad, broken) = results
    assert (ok.condition_id, bad.condition_id) == ("ok", "bad")
    assert clean.accuracies == (network.accuracy(x, y),) * 10
    assert broken.mean < 0.2


@pytest.mark.parametrize("name", ["fashion-mlp-bnn", "fashion-mlp-tnn"])
def test_sparse_first_layer_reuse_gives_the_full_pass_bit_for_bit(name, monkeypatch):
    from rram_ber.analysis.bnn import curves
    from rram_ber.analysis.bnn.errors import draw_chip

    network = load_shipped(name)
    x, y = curves.load_test_split(network, limit=1000)
    for ber in (1e-3, 1e-2, 0.2):  # 0.2: too many changes, the full pass is used
        model = ErrorModel.uniform(network, ber)
        assert curves._SparseFirstLayer.applies(network, model, y.size)
        reuse = curves._SparseFirstLayer(network, network.prepare(x).values)
        chip = draw_chip(network, model, np.random.default_rng(3))
        logits = reuse.logits(chip)
        if ber < 0.1:
            assert logits is not None
            np.testing.assert_array_equal(logits, network.forward(x, weights=chip))
        else:
            assert logits is None
        fast = curves.evaluate_with_errors(network, x, y, model, 3, 11)
        with monkeypatch.context() as patch:
            patch.setattr(curves, "_SPARSE_FRACTION", -1.0)  # never reuse
            full = curves.evaluate_with_errors(network, x, y, model, 3, 11)
        assert fast.accuracies == full.accuracies
    assert not curves._SparseFirstLayer.applies(
        network, ErrorModel.uniform(network, 1e-2, ErrorMode.DYNAMIC), y.size
    )
