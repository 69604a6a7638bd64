"""Calibration and uncertainty metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rram_ber.analysis.bayes import metrics


def test_ece_of_hand_made_predictions():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.3, 0.7]])
    labels = np.array([0, 1, 0, 1])
    # Bins: confidence 0.9 (2 inputs, accuracy 0.5), 0.6 (1, acc. 1), 0.7 (1, acc. 1).
    expected = 0.5 * abs(0.5 - 0.9) + 0.25 * abs(1 - 0.6) + 0.25 * abs(1 - 0.7)
    assert metrics.ece(probs, labels) == pytest.approx(expected)
    assert metrics.accuracy(probs, labels) == 0.75
    assert metrics.nll(probs, labels) == pytest.approx(-np.mean(np.log([0.9, 0.1, 0.6, 0.7])))


def test_a_calibrated_predictor_has_a_small_ece():
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0.5, 1.0, 200_000)
    correct = rng.uniform(size=confidence.size) < confidence
    labels = np.where(correct, 0, 1)
    probs = np.stack([confidence, 1 - confidence], axis=1)
    assert metrics.ece(probs, labels) < 0.005


def test_entropy_is_zero_when_certain_and_ln_k_when_uniform():
    h = metrics.entropy(np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]]))
    np.testing.assert_allclose(h, [0.0, math.log(3)], atol=1e-9)
    summary = metrics.summary(np.full((4, 3), 1 / 3), np.zeros(4, int), np.full((2, 3), 1 / 3))
    assert summary["entropy_in"] == pytest.approx(1.0)
    assert summary["entropy_ood"] == pytest.approx(1.0)
