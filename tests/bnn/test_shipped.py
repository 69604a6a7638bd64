"""The shipped models: documented metadata, honest recorded accuracies, exact reference path."""

import re

import numpy as np
import pytest

from rram_ber.analysis.bnn.curves import evaluate_with_errors, load_test_split
from rram_ber.analysis.bnn.errors import ErrorModel
from rram_ber.analysis.bnn.model_io import load_shipped, shipped_models
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.core.validation import ParameterError

EXPECTED = {
    "fashion-mlp-bnn", "fashion-mlp-bnn-ea", "fashion-mlp-tnn", "fashion-cnn-bnn",
    "fashion-cnn-bnn-ea", "fashion-cnn-tnn",
    "digits-mlp-bnn", "digits-mlp-tnn", "digits-cnn-bnn", "digits-cnn-tnn",
    "ecg-synthetic-cnn-bnn", "ecg-synthetic-cnn-bnn-classifier",
}  # fmt: skip


def test_every_recipe_is_shipped():
    assert set(shipped_models()) == EXPECTED


@pytest.mark.parametrize(
    "name",
    [
        # The convolutional networks take ~30 s each on the full test set: slow tier.
        pytest.param(n, marks=pytest.mark.slow) if "-cnn-" in n and n.startswith("fashion") else n
        for n in sorted(EXPECTED)
    ],
)
def test_shipped_model_is_documented_and_its_accuracy_is_reproduced(name):
    network = load_shipped(name)
    meta = network.metadata
    # The command as it was run: models trained before the one import package name the
    # trainer by its old top-level module.
    commands = {
        f"python -m {module} --model {name} --seed 1"
        for module in ("rram_ber.analysis.bnn.train", "analysis.bnn.train")
    }
    assert meta["training"]["command"] in commands
    assert re.fullmatch(r"(fashion|digits|ecg-synthetic)-(mlp|cnn)-(bnn|tnn)(-classifier|-ea)?",
                        name)  # fmt: skip
    assert meta["dataset"] == {"fashion": "fashion-mnist", "digits": "digits"}.get(
        name.split("-")[0], "ecg-synthetic"
    )
    x, y = load_test_split(network)
    assert y.size == meta["n_test"]
    assert network.accuracy(x, y) == meta["clean_test_accuracy"]
    kinds = {layer.weights.kind for layer in network.layers}
    assert (WeightKind.TERNARY in kinds) == name.endswith("tnn")
    # Selected on the validation split: the recorded epoch is the best validation epoch.
    training = meta["training"]
    history = [h["validation_accuracy"] for h in training["history"]]
    assert training["validation_accuracy"] == max(history)
    assert training["selected_epoch"] == history.index(max(history)) + 1
    assert (training["error_aware"] is not None) == name.endswith("-ea")


@pytest.mark.parametrize("name", ["fashion-mlp-bnn", "fashion-mlp-tnn"])
def test_fashion_mlps_reach_88_percent(name):
    network = load_shipped(name)
    x, y = load_test_split(network)
    assert y.size == 10_000
    assert network.accuracy(x, y) >= 0.88


@pytest.mark.parametrize("name", sorted(EXPECTED - {"ecg-synthetic-cnn-bnn-classifier"}))
def test_popcount_reference_agrees_on_test_images(name):
    network = load_shipped(name)
    x, _ = load_test_split(network, limit=64)
    assert np.array_equal(network.forward(x), network.forward_popcount(x))


def test_classifier_only_ecg_net_has_real_features_and_more_memory():
    whole = load_shipped("ecg-synthetic-cnn-bnn")
    classifier = load_shipped("ecg-synthetic-cnn-bnn-classifier")
    assert classifier.memory().real_weight_bits > 0 == whole.memory().real_weight_bits
    assert whole.memory().weight_bits < classifier.memory().weight_bits
    x, _ = load_test_split(classifier, limit=4)
    with pytest.raises(ParameterError, match="real"):
        classifier.forward_popcount(x)


def test_fashion_binary_mlp_at_ber_half_is_at_chance_level():
    network = load_shipped("fashion-mlp-bnn")
    x, y = load_test_split(network, limit=2000)
    estimate = evaluate_with_errors(network, x, y, ErrorModel.uniform(network, 0.5), 20, 2)
    assert abs(estimate.mean - 0.1) < 0.03


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recorded_recipe_is_the_current_recipe(name):
    """``python -m rram_ber.analysis.bnn.train --model NAME --seed 1`` retrains what is shipped."""
    import json
    from dataclasses import MISSING, asdict, fields

    from rram_ber.analysis.bnn.recipes import RECIPES, Recipe

    recorded = load_shipped(name).metadata["training"]["recipe"]
    # A file trained before a recipe field existed was trained with that field's default
    # (defaults keep the earlier behaviour), so missing fields compare as their defaults.
    defaults = {f.name: f.default for f in fields(Recipe) if f.default is not MISSING}
    current = json.loads(json.dumps(asdict(RECIPES[name]), default=str))
    assert {**defaults, **recorded} == current
    assert set(RECIPES) == EXPECTED


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.endswith("-ea")))
def test_error_aware_recipe_is_its_standard_recipe_with_training_errors(name):
    """An ``-ea`` model differs from its standard model only by the training error rate."""
    from dataclasses import replace

    from rram_ber.analysis.bnn.recipes import RECIPES

    error_aware, standard = RECIPES[name], RECIPES[name.removesuffix("-ea")]
    assert error_aware.train_ber == 4e-2 and standard.train_ber == 0
    same = replace(error_aware, name=standard.name, description=standard.description,
                   train_ber=0.0)  # fmt: skip
    assert same == standard


@pytest.mark.slow
def test_fashion_binary_cnn_reaches_90_percent():
    network = load_shipped("fashion-cnn-bnn")
    x, y = load_test_split(network)
    assert y.size == 10_000
    assert network.accuracy(x, y) >= 0.90
