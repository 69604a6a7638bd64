"""Training: a tiny model learns, and batch-norm folding keeps the trained decisions."""

import numpy as np
import pytest

from analysis.bnn.datasets import load_digits
from analysis.bnn.layers import LayerType
from analysis.bnn.model_io import load_network, save_network
from analysis.bnn.quantizers import WeightKind
from analysis.bnn.train import LayerSpec, Recipe, Trainer, train


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def _recipe(kind, layers=None):
    layers = layers or (
        LayerSpec(LayerType.DENSE, 48, kind),
        LayerSpec(LayerType.DENSE, 10, kind, "logits"),
    )
    return Recipe("tiny", "digits", (64,), layers, "test", epochs=5, learning_rate=1e-2)


@pytest.mark.parametrize("kind", [WeightKind.BINARY, WeightKind.TERNARY])
def test_tiny_model_learns_and_is_reproducible(digits, kind, tmp_path):
    network = train(_recipe(kind), digits, seed=4)
    accuracy = network.accuracy(digits.x_test.reshape(-1, 64), digits.y_test)
    assert accuracy > 0.6  # chance is 0.1
    assert network.metadata["clean_test_accuracy"] == pytest.approx(accuracy)
    assert network.metadata["training"]["seed"] == 4
    levels = set(np.unique(network.layers[0].weights.values).tolist())
    assert levels == set(kind.levels)
    again = train(_recipe(kind), digits, seed=4)
    assert np.array_equal(again.layers[0].weights.values, network.layers[0].weights.values)
    loaded = load_network(save_network(network, tmp_path / "tiny.npz"))
    assert loaded.accuracy(digits.x_test.reshape(-1, 64), digits.y_test) == accuracy


def test_folded_thresholds_reproduce_the_trained_network(digits):
    """Export (batch norm -> thresholds, input scale folded) keeps the eval-mode predictions."""
    layers = (
        LayerSpec(LayerType.CONV2D, 8, WeightKind.BINARY, kernel=(3, 3), pool=2),
        LayerSpec(LayerType.DENSE, 32, WeightKind.TERNARY),
        LayerSpec(LayerType.DENSE, 10, WeightKind.BINARY, "logits"),
    )
    recipe = Recipe("tiny-cnn", "digits", (8, 8, 1), layers, "test", epochs=1)
    trainer = Trainer(recipe, 1 / digits.max_code, np.random.default_rng(0))
    for start in range(0, 1000, 100):
        batch = slice(start, start + 100)
        trainer.train_step(digits.x_train[batch], digits.y_train[batch], 1e-2)
    network = trainer.export(digits, {})
    trained = np.argmax(trainer.logits(digits.x_test, training=False), axis=1)
    exported = network.predict(digits.x_test)
    # Equal up to float rounding at exact ties of the batch-norm output (measure zero).
    assert np.mean(trained == exported) >= 0.99
    assert np.allclose(
        network.forward(digits.x_test), trainer.logits(digits.x_test, training=False), atol=1e-3
    )
    assert np.array_equal(network.forward(digits.x_test), network.forward_popcount(digits.x_test))


def test_mitbih_recipe_trains_from_local_records(tmp_path, capsys):
    """The real-data path end to end, on small WFDB records written here (no PhysioNet)."""
    from analysis.bnn import ecg
    from analysis.bnn.train import main

    from .test_ecg import _write_record

    rng = np.random.default_rng(0)
    database = tmp_path / "mitdb"
    database.mkdir()
    for name in ecg.MITBIH_DS1 + ecg.MITBIH_DS2:
        symbols = rng.choice(["N", "V", "A", "F", "/"], 4)
        _write_record(database, name, 360, [150, 450, 750, 1050], symbols, [1, 1.2, 0.9, 1.1],
                      1250)  # fmt: skip
    out = tmp_path / "out"
    argv = ["--model", "mitbih-cnn-bnn", "--mitbih-dir", str(database), "--out", str(out)]
    assert main([*argv, "--epochs", "1"]) == 0
    assert "mitbih-cnn-bnn: clean test accuracy" in capsys.readouterr().out
    network = load_network(out / "mitbih-cnn-bnn.npz")
    assert network.metadata["dataset"] == "mitbih"
    assert network.n_classes == len(ecg.AAMI_CLASSES)
    assert network.metadata["n_test"] == 4 * len(ecg.MITBIH_DS2)
