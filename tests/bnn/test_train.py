"""PyTorch training: a tiny model learns, export keeps torch's decisions, errors are drawn right."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from rram_ber.analysis.bnn.datasets import load_digits  # noqa: E402
from rram_ber.analysis.bnn.errors import TransitionMatrix  # noqa: E402
from rram_ber.analysis.bnn.layers import LayerType  # noqa: E402
from rram_ber.analysis.bnn.model_io import load_network, save_network  # noqa: E402
from rram_ber.analysis.bnn.quantizers import WeightKind  # noqa: E402
from rram_ber.analysis.bnn.recipes import (  # noqa: E402
    Activation,
    LayerSpec,
    LrSchedule,
    Recipe,
)
from rram_ber.analysis.bnn.torch_export import from_torch  # noqa: E402
from rram_ber.analysis.bnn.torch_nn import (  # noqa: E402
    RecipeNet,
    SignActivation,
    WeightErrors,
    to_channels_first,
)
from rram_ber.analysis.bnn.train import (  # noqa: E402
    augment_images,
    export_checkpoint,
    train,
    validation_split,
)
from rram_ber.core.validation import ParameterError  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def _recipe(kind, epochs=4, train_ber=0.0):
    layers = (
        LayerSpec(LayerType.DENSE, 48, kind),
        LayerSpec(LayerType.DENSE, 10, kind, Activation.LOGITS),
    )
    return Recipe("tiny", "digits", (64,), layers, "test", epochs=epochs, learning_rate=1e-2,
                  train_ber=train_ber)  # fmt: skip


@pytest.mark.parametrize("kind", [WeightKind.BINARY, WeightKind.TERNARY])
def test_tiny_model_learns_and_is_reproducible(digits, kind, tmp_path):
    network = train(_recipe(kind), digits, seed=4)
    accuracy = network.accuracy(digits.x_test.reshape(-1, 64), digits.y_test)
    assert accuracy > 0.6  # chance is 0.1
    training = network.metadata["training"]
    assert network.metadata["clean_test_accuracy"] == accuracy
    assert training["seed"] == 4 and 1 <= training["selected_epoch"] <= 4
    # The selected epoch is the best on validation, never chosen by test accuracy.
    history = [h["validation_accuracy"] for h in training["history"]]
    assert training["validation_accuracy"] == max(history)
    assert history.index(max(history)) + 1 == training["selected_epoch"]
    levels = set(np.unique(network.layers[0].weights.values).tolist())
    assert levels == set(kind.levels)
    again = train(_recipe(kind), digits, seed=4)
    assert np.array_equal(again.layers[0].weights.values, network.layers[0].weights.values)
    loaded = load_network(save_network(network, tmp_path / "tiny.npz"))
    assert loaded.accuracy(digits.x_test.reshape(-1, 64), digits.y_test) == accuracy


def test_torch_quantizers_follow_the_numpy_rules():
    from rram_ber.analysis.bnn.quantizers import binarize, ternarize
    from rram_ber.analysis.bnn.torch_nn import quantize_weights

    w = torch.tensor([-1.0, -0.05, -0.0499, 0.0, 0.05, 0.0501, 0.7])
    assert np.array_equal(quantize_weights(w, WeightKind.BINARY, 0.05).numpy(), binarize(w.numpy()))
    assert np.array_equal(quantize_weights(w, WeightKind.TERNARY, 0.05).numpy(),
                          ternarize(w.numpy(), 0.05))  # fmt: skip


def test_validation_split_is_disjoint_and_fixed():
    train_idx, val_idx = validation_split(1000, 0.1)
    assert val_idx.size == 100 and np.intersect1d(train_idx, val_idx).size == 0
    assert np.array_equal(validation_split(1000, 0.1)[1], val_idx)


def _trained_cnn(digits):
    layers = (
        LayerSpec(LayerType.CONV2D, 8, WeightKind.BINARY, kernel=(3, 3), pool=2, padding=1),
        LayerSpec(LayerType.DENSE, 32, WeightKind.TERNARY),
        LayerSpec(LayerType.DENSE, 10, WeightKind.BINARY, Activation.LOGITS),
    )
    recipe = Recipe("tiny-cnn", "digits", (8, 8, 1), layers, "test", epochs=1)
    model = RecipeNet(recipe, digits.max_code, digits.input_bits)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = to_channels_first(digits.x_train)
    y = torch.from_numpy(np.array(digits.y_train))
    model.train()
    for start in range(0, 1000, 100):
        optimizer.zero_grad()
        batch = slice(start, start + 100)
        nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
        optimizer.step()
        model.clip_latent_weights()
    return model.eval()


def test_from_torch_gives_torch_predictions_on_the_test_set(digits):
    """Export (batch norm -> thresholds, input scale and padding folded) keeps the decisions."""
    model = _trained_cnn(digits)
    network = from_torch(model, name="tiny-cnn")
    with torch.no_grad():
        expected = model(to_channels_first(digits.x_test)).numpy()
    logits = network.forward(digits.x_test)
    assert np.array_equal(network.predict(digits.x_test), expected.argmax(axis=1))
    assert np.allclose(logits, expected, atol=1e-3)
    assert network.layers[0].padding == 1
    assert np.array_equal(logits, network.forward_popcount(digits.x_test))
    # The channels-first layout of the torch input is recorded for user data.
    assert network.metadata["source_input_shape"] == [1, 8, 8]


def test_from_torch_exports_a_plain_sequential_with_float_inputs():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, stride=1),  # real weights, float input
        nn.BatchNorm2d(4),
        nn.Hardtanh(),
        SignActivation(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 3 * 3, 5),
    ).eval()
    with torch.no_grad():
        model[1].running_mean.uniform_(-0.5, 0.5)
        model[1].running_var.uniform_(0.5, 2)
        model[6].weight.copy_(torch.sign(model[6].weight))  # binary last layer, real bias
    network = from_torch(model, input_shape=(2, 6, 6))
    assert [layer.weights.kind.value for layer in network.layers] == ["real", "binary"]
    x = torch.randn(200, 2, 6, 6)
    with torch.no_grad():
        expected = model(x).numpy()
    logits = network.forward(np.moveaxis(x.numpy(), 1, -1))
    assert np.allclose(logits, expected, atol=1e-4)
    assert np.array_equal(logits.argmax(1), expected.argmax(1))


def test_from_torch_refuses_an_unknown_module_by_name():
    model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
    with pytest.raises(ParameterError, match=r"module '1'.*Softmax"):
        from_torch(model, input_shape=(4,))


def test_binary_training_errors_flip_at_the_rate():
    generator = torch.Generator().manual_seed(0)
    q = torch.where(torch.rand(200_000, generator=generator) < 0.3, -1.0, 1.0)
    errors = WeightErrors(0.04, generator)
    read = errors(q, WeightKind.BINARY)
    flips = int((read != q).sum())
    # Binomial(200000, 0.04): mean 8000, sd 87.6; 5 sd.
    assert abs(flips - 8000) < 440
    assert set(torch.unique(read).tolist()) == {-1.0, 1.0}


def test_ternary_training_errors_follow_the_seed_convention():
    generator = torch.Generator().manual_seed(1)
    levels = np.random.default_rng(0).choice([-1.0, 0.0, 1.0], 300_000, p=[0.25, 0.5, 0.25])
    q = torch.tensor(levels, dtype=torch.float32)
    read = WeightErrors(0.05, generator)(q, WeightKind.TERNARY)
    changed = read != q
    assert not bool(((q * read) == -1).any())  # never +1 <-> -1
    assert abs(float(changed.float().mean()) - 0.05) < 0.002
    # Asymmetric measured matrix: only +1 -> -1 errors.
    matrix = TransitionMatrix.binary(0.2, 0.0)
    binary = torch.where(q >= 0, 1.0, -1.0)
    read = WeightErrors(0.0, generator, matrix)(binary, WeightKind.BINARY)
    assert not bool(((binary == -1) & (read == 1)).any())
    rate = float(((binary == 1) & (read == -1)).sum() / (binary == 1).sum())
    assert abs(rate - 0.2) < 0.005


def test_training_errors_only_in_training_mode(digits):
    network = train(_recipe(WeightKind.BINARY, epochs=2, train_ber=0.04), digits, seed=2)
    assert network.metadata["training"]["error_aware"] == {"ber": 0.04}
    recipe = _recipe(WeightKind.BINARY, train_ber=0.04)
    model = RecipeNet(recipe, digits.max_code, digits.input_bits)
    model.set_weight_errors(WeightErrors(0.5, torch.Generator().manual_seed(0)))
    x = to_channels_first(digits.x_test[:50].reshape(-1, 64))
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(x), model(x))


def test_mitbih_recipe_trains_from_local_records(tmp_path, capsys):
    """The real-data path end to end, on small WFDB records written here (no PhysioNet)."""
    from rram_ber.analysis.bnn import ecg
    from rram_ber.analysis.bnn.train import main
    from tests.support import write_ecg_record as _write_record

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
    assert "clean test accuracy" in capsys.readouterr().out
    network = load_network(out / "mitbih-cnn-bnn.npz")
    assert network.metadata["dataset"] == "mitbih"
    assert network.n_classes == len(ecg.AAMI_CLASSES)
    assert network.metadata["n_test"] == 4 * len(ecg.MITBIH_DS2)


def _shifted(image, dy, dx):
    """``image`` (C, H, W) moved by (dy, dx) pixels, the emptied border 0."""
    out = torch.zeros_like(image)
    h, w = image.shape[1:]
    out[:, max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        :, max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def test_augmentation_shifts_and_mirrors_whole_images():
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.integers(1, 256, (200, 2, 6, 7)).astype(np.float32))
    assert torch.equal(augment_images(x, np.random.default_rng(1), 0, False), x)
    out = augment_images(x, np.random.default_rng(1), 2, True)
    assert out.shape == x.shape
    again = augment_images(x, np.random.default_rng(1), 2, True)
    assert torch.equal(out, again)  # seeded
    mirrored = shifted = 0
    for image, result in zip(x, out, strict=True):
        matches = [
            (flip, dy, dx)
            for flip in (False, True)
            for dy in range(-2, 3)
            for dx in range(-2, 3)
            if torch.equal(result, _shifted(image.flip(-1) if flip else image, dy, dx))
        ]
        assert len(matches) == 1  # pixels are non-zero, so one shift and flip explain it
        mirrored += matches[0][0]
        shifted += matches[0][1:] != (0, 0)
    assert 70 < mirrored < 130  # probability 1/2
    assert shifted > 150  # 24 of 25 shifts move the image


def test_augmented_cosine_conv_recipe_trains_and_checkpoints(digits, tmp_path):
    layers = (
        LayerSpec(LayerType.CONV2D, 8, WeightKind.BINARY, kernel=(3, 3), pool=2, padding=1),
        LayerSpec(LayerType.DENSE, 10, WeightKind.BINARY, Activation.LOGITS),
    )
    recipe = Recipe("tiny-conv", "digits", (8, 8, 1), layers, "test", epochs=3,
                    learning_rate=1e-2, lr_schedule=LrSchedule.COSINE, augment_shift=1,
                    augment_flip=True)  # fmt: skip
    checkpoint = tmp_path / "best.pt"
    network = train(recipe, digits, seed=2, checkpoint=checkpoint)
    assert network.accuracy(digits.x_test.reshape(-1, 8, 8, 1), digits.y_test) > 0.3
    again = train(recipe, digits, seed=2)
    assert np.array_equal(again.layers[0].weights.values, network.layers[0].weights.values)
    saved = torch.load(checkpoint, weights_only=True)
    training = network.metadata["training"]
    assert saved["epoch"] == training["selected_epoch"]
    assert saved["validation_accuracy"] == training["validation_accuracy"]
    assert training["recipe"]["lr_schedule"] == "cosine"
    assert saved["history"] == training["history"]
    exported = export_checkpoint(recipe, digits, 2, checkpoint)
    for layer, stored in zip(exported.layers, network.layers, strict=True):
        assert np.array_equal(layer.weights.values, stored.weights.values)
    record = exported.metadata["training"]
    assert record["stopped_early"] and record["epochs_run"] == 3
    assert exported.metadata["clean_test_accuracy"] == network.metadata["clean_test_accuracy"]


def test_augmentation_is_refused_for_non_image_inputs(digits):
    recipe = Recipe("tiny", "digits", (64,), _recipe(WeightKind.BINARY).layers, "test",
                    epochs=1, augment_shift=1)  # fmt: skip
    with pytest.raises(ParameterError, match="augment"):
        train(recipe, digits, seed=0)
