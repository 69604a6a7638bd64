"""``from_torch`` never guesses; ``evaluate`` and ``report`` say how each layer was read and
refuse a bit-error rate on a network with nothing to flip."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from rram_ber.analysis.bnn.layer_table import format_layer_table, layer_readings  # noqa: E402
from rram_ber.analysis.bnn.model_io import load_shipped, save_network  # noqa: E402
from rram_ber.analysis.bnn.quantizers import WeightKind  # noqa: E402
from rram_ber.analysis.bnn.torch_export import from_torch  # noqa: E402
from rram_ber.analysis.bnn.torch_nn import SignActivation  # noqa: E402
from rram_ber.cli import main  # noqa: E402
from rram_ber.core.validation import ParameterError  # noqa: E402


class BinaryLinear(nn.Linear):
    """What users write: the layer binarizes its weights in its own forward."""

    def forward(self, x):
        return F.linear(x, torch.sign(self.weight), self.bias)


class FunctionalSign(nn.Module):
    """Plain layers, but the sign activation is a function call in forward."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(torch.sign(self.fc1(x)))


def _binary_sequential():
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(12, 16, bias=False), nn.BatchNorm1d(16), SignActivation(),
                          nn.Linear(16, 3)).eval()  # fmt: skip
    with torch.no_grad():
        model[0].weight.copy_(torch.sign(model[0].weight))
        model[1].running_mean.uniform_(-2, 2)
    return model


def test_a_linear_subclass_with_its_own_forward_is_refused_by_name():
    torch.manual_seed(0)
    model = nn.Sequential(BinaryLinear(12, 16), SignActivation(), BinaryLinear(16, 3))
    with pytest.raises(ParameterError, match=r"module '0' = 'BinaryLinear'.*own forward"):
        from_torch(model, input_shape=(12,))


def test_a_sign_called_in_forward_is_refused_not_dropped():
    torch.manual_seed(0)
    with pytest.raises(ParameterError, match=r"FunctionalSign.*differing.*ONNX"):
        from_torch(FunctionalSign())


def test_input_shape_inferred_from_a_first_linear_layer():
    model = _binary_sequential()
    network = from_torch(model)
    assert network.input_shape == (12,)
    assert [layer.weights.kind for layer in network.layers] == [WeightKind.BINARY, WeightKind.REAL]
    x = torch.randn(50, 12)
    with torch.no_grad():
        expected = model(x).numpy()
    assert np.allclose(network.forward(x.numpy()), expected, atol=1e-4)
    assert model.training is False  # the check leaves the module's mode as it was


def test_a_first_convolution_needs_the_input_shape():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    with pytest.raises(ParameterError, match=r"input_shape.*nn.Linear"):
        from_torch(model)
    assert from_torch(model, input_shape=(1, 6, 6)).input_shape == (6, 6, 1)


def test_layer_table_of_a_shipped_network():
    network = load_shipped("digits-mlp-tnn")
    readings = layer_readings(network)
    assert [r.kind for r in readings] == [layer.weights.kind for layer in network.layers]
    first = network.layers[0].weights
    assert readings[0].shape == (first.n_out, first.fan_in)
    assert readings[0].weight_bits == first.kind.bits_per_weight * first.values.size
    table = format_layer_table(network).splitlines()
    assert table[0].split() == ["layer", "type", "kind", "shape", "weight", "bits", "bit",
                                "errors"]  # fmt: skip
    assert len(table) == 1 + len(network.layers) and "ternary" in table[1]


@pytest.fixture
def real_network(tmp_path):
    """A network whose every layer is real (nothing stored in RRAM) and its test data."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 3))
    path = save_network(from_torch(model, name="real-mlp"), tmp_path / "real.npz")
    x = np.random.default_rng(0).normal(0, 1, (20, 12)).astype(np.float32)
    np.savez(tmp_path / "data.npz", x=x, y=np.zeros(20, dtype=np.int64))
    return path, tmp_path / "data.npz"


def test_evaluate_refuses_a_ber_on_a_network_with_nothing_to_flip(real_network, capsys):
    model, data = real_network
    argv = ["evaluate", "--model", str(model), "--data", str(data), "--repeats", "2"]
    assert main([*argv, "--ber", "0.1"]) == 2
    err = capsys.readouterr().err
    assert "--ber = 0.1" in err and "read as real" in err and "Traceback" not in err
    # Error-free evaluation stays possible, and the table says how each layer was read.
    assert main([*argv, "--ber", "0"]) == 0
    out = capsys.readouterr().out
    assert "layers as read" in out and out.count("no (real)") == 2


def test_evaluate_prints_the_layer_table(capsys):
    argv = ["evaluate", "--model", "digits-mlp-bnn", "--ber", "0.01", "--repeats", "2"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    network = load_shipped("digits-mlp-bnn")
    rows = [line.split()[:3] for line in out.splitlines()]
    for layer in network.layers:
        assert [layer.name, layer.layer_type.value, layer.weights.kind.value] in rows
    assert main([*argv, "--json"]) == 0
    layers = json.loads(capsys.readouterr().out)["layers"]
    assert [entry["kind"] for entry in layers] == [
        layer.weights.kind.value for layer in network.layers
    ]


def test_report_refuses_a_user_network_with_nothing_to_flip(real_network, tmp_path, capsys):
    model, data = real_network
    argv = ["report", str(tmp_path), "--model", str(model), "--data", str(data), "--quiet"]
    assert main(argv) == 2
    assert "--model" in capsys.readouterr().err
