"""In-situ learning on differential weak-RESET synapses (NumPy, digits)."""

from __future__ import annotations

import numpy as np
import pytest

from rram_ber.analysis.bnn.datasets import load_dataset
from rram_ber.analysis.bnn.insitu import (
    RECIPES,
    DeviceSynapses,
    Recipe,
    SoftwareSynapses,
    imperfection_table,
    table_markdown,
    train,
)
from rram_ber.core.validation import ParameterError
from rram_ber.models.weak_reset import IDEAL, PUBLISHED, Imperfections


def _pairs(sign, recipe, imperfections=IDEAL, seed=0):
    return DeviceSynapses(
        np.asarray(sign, dtype=float), recipe, np.random.default_rng(seed), PUBLISHED, imperfections
    )


def test_updates_become_capped_pulses_on_the_device_the_sign_chooses():
    recipe = Recipe(pulses_per_unit=100.0, max_pulses=14, init_pulses=1)
    pairs = _pairs([[1.0, -1.0, 1.0, -1.0]], recipe)
    assert pairs.binary().tolist() == [[1.0, -1.0, 1.0, -1.0]]
    pairs.update(np.array([[0.0, 0.05, -1.0, -0.004]]))
    # after the 1-pulse initial signs: 0 pulses, 5 on BL, 14 (capped, not 100) on BLB,
    # round(0.4) = 0
    assert pairs.bl.pulses.tolist() == [1, 5, 1, 0]
    assert pairs.blb.pulses.tolist() == [0, 1, 14, 1]
    assert pairs.pulses_applied == 4 + 5 + 14
    # ideal devices: the weight is the sign of the pulse difference
    assert pairs.binary().tolist() == [[1.0, 1.0, -1.0, -1.0]]


def test_re_set_of_saturated_pairs_keeps_the_sign_and_frees_the_range():
    recipe = Recipe(pulses_per_unit=1.0, max_pulses=1000, reset_after_pulses=50)
    pairs = _pairs([[1.0, -1.0, 1.0]], recipe)
    pairs.update(np.array([[60.0, -70.0, 10.0]]))
    pairs.update(np.array([[-80.0, 60.0, -20.0]]))
    # pairs 0 and 1 had both devices past 50 pulses: SET again, the lead given back
    assert pairs.resets == 2
    assert pairs.bl.pulses.tolist() == [0, 0, 11]
    assert pairs.blb.pulses.tolist() == [19, 11, 20]
    assert pairs.binary().tolist() == [[-1.0, -1.0, -1.0]]


def test_software_latent_weights_are_clipped_and_read_as_their_sign():
    synapses = SoftwareSynapses(np.array([1.0, -1.0]), Recipe(pulses_per_unit=100.0))
    assert synapses.latent.tolist() == [0.01, -0.01]
    synapses.update(np.array([-5.0, 0.005]))
    assert synapses.latent.tolist() == [-1.0, -0.005]
    assert synapses.binary().tolist() == [-1.0, -1.0]


@pytest.mark.slow
def test_ideal_devices_learn_digits_as_well_as_the_software_bnn():
    dataset = load_dataset("digits")
    recipe = RECIPES["digits"]  # the table's recipe (30 epochs, about 3 s here)
    software = train(dataset, recipe, seed=0)
    ideal = train(dataset, recipe, seed=0, devices=(PUBLISHED, IDEAL))
    noisy = train(dataset, recipe, seed=0, devices=(PUBLISHED, Imperfections()))
    assert software.test_accuracy > 0.9 and software.pulses_per_synapse == 0
    assert abs(ideal.test_accuracy - software.test_accuracy) <= 0.02
    assert ideal.pulses_per_synapse > 0 and noisy.test_accuracy > 0.5


def test_table_rows_and_markdown():
    rows = imperfection_table(
        "digits",
        seeds=[0, 1],
        epochs=1,
        rows=[("ideal", IDEAL, False), ("all, re-SET", Imperfections(), True)],
    )
    assert [r["label"] for r in rows] == ["ideal", "all, re-SET"]
    assert all(len(r["accuracies"]) == 2 and 0 < r["mean"] <= 1 for r in rows)
    text = table_markdown(rows, "digits", PUBLISHED.source)
    assert "| ideal |" in text and "2 seeds" in text


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"hidden": ()}, "hidden"),
        ({"lr": 0.0}, "lr"),
        ({"max_pulses": 0}, "max_pulses"),
        ({"reset_after_pulses": 0}, "reset_after_pulses"),
    ],
)
def test_bad_recipes_are_refused(kwargs, field):
    with pytest.raises(ParameterError, match=field):
        Recipe(**kwargs)


def test_unknown_dataset_is_refused():
    with pytest.raises(ParameterError, match="dataset"):
        imperfection_table("mnist")
