"""What PyTorch users export: a binarized MLP written with ``F.linear(x, sign(W))``, exported by
both of PyTorch's ONNX exporters, evaluates to its PyTorch accuracy; unnamed nodes and
constant weight subgraphs (Sign, Transpose, Reshape, Cast, Mul, Clip) are accepted."""

import contextlib
import io
import json
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from rram_ber.analysis.bnn.datasets import load_dataset  # noqa: E402
from rram_ber.analysis.bnn.onnx_import import convert_onnx, load_onnx  # noqa: E402
from rram_ber.cli import main  # noqa: E402


class _SignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sign(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x.abs() <= 1).to(grad.dtype)


def _sign(x, training):
    # What a user writes: a straight-through estimator to train, plain torch.sign to export.
    return _SignSTE.apply(x) if training else torch.sign(x)


class BinaryLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, _sign(self.weight, self.training), self.bias)


class BinaryMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = BinaryLinear(64, 48, bias=False)
        self.bn1 = nn.BatchNorm1d(48)
        self.act = nn.Hardtanh()
        self.fc2 = BinaryLinear(48, 10, bias=False)
        self.bn2 = nn.BatchNorm1d(10)

    def forward(self, x):
        h = _sign(self.act(self.bn1(self.fc1(x))), self.training)
        return self.bn2(self.fc2(h))


@pytest.fixture(scope="module")
def trained():
    """A binarized MLP trained 30 epochs on the digits (1 thread, about a second)."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    data = load_dataset("digits")
    x = torch.tensor(data.x_train.reshape(len(data.x_train), -1), dtype=torch.float32) / 16
    y = torch.tensor(data.y_train)
    net = BinaryMLP()
    optimiser = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(30):
        for batch in torch.randperm(len(x)).split(64):
            optimiser.zero_grad()
            F.cross_entropy(net(x[batch]), y[batch]).backward()
            optimiser.step()
    net.eval()
    x_test = data.x_test.reshape(len(data.x_test), -1).astype(np.float32) / 16
    with torch.no_grad():
        accuracy = float((net(torch.tensor(x_test)).argmax(1).numpy() == data.y_test).mean())
    return net, x_test, data.y_test, accuracy


def _export(net, path, dynamo):
    if dynamo:
        pytest.importorskip("onnxscript")
    kwargs = (
        {"dynamic_shapes": {"x": {0: torch.export.Dim("batch")}}}
        if dynamo
        else {"dynamic_axes": {"x": {0: "batch"}}}
    )
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(net, (torch.zeros(2, 64),), path, dynamo=dynamo, input_names=["x"],
                          output_names=["logits"], **kwargs)  # fmt: skip
    return path


@pytest.mark.parametrize("dynamo", [False, True], ids=["torchscript", "dynamo"])
def test_exported_binary_mlp_evaluates_to_its_pytorch_accuracy(trained, tmp_path, capsys, dynamo):
    net, x, y, accuracy = trained
    assert accuracy > 0.8  # a trained network, not chance
    path = _export(net, tmp_path / "net.onnx", dynamo)
    network = load_onnx(path)
    assert [layer.weights.kind.value for layer in network.layers] == ["binary", "binary"]
    assert network.accuracy(x, y) == accuracy
    np.savez(tmp_path / "test.npz", x=x, y=y)
    argv = ["evaluate", "--model", str(path), "--data", str(tmp_path / "test.npz"), "--ber",
            "0", "--json"]  # fmt: skip
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["accuracy_mean"] == pytest.approx(accuracy, abs=1e-12)


def test_torchscript_export_has_the_sign_transpose_weight_subgraph(trained, tmp_path):
    """The graph that was refused: Sign -> Transpose on the weights, then MatMul."""
    path = _export(trained[0], tmp_path / "net.onnx", dynamo=False)
    ops = [node.op_type for node in onnx.load(path).graph.node]
    assert ops[ops.index("Transpose") - 1] == "Sign" and "MatMul" in ops


def test_unnamed_nodes_and_constant_weight_subgraphs_are_folded():
    """Weights through Cast, Reshape, Clip, Mul, Div, Sign, Transpose, Identity; no node names."""
    rng = np.random.default_rng(4)
    latent = rng.normal(0, 1, (5 * 12,)).astype(np.float16)
    inits = [
        numpy_helper.from_array(latent, "w16"),
        numpy_helper.from_array(np.array([12, 5], dtype=np.int64), "shape"),
        numpy_helper.from_array(np.float32(0.5), "half"),
        numpy_helper.from_array(np.float32(4.0), "four"),
        numpy_helper.from_array(np.float32(-1.0), "lo"),
        numpy_helper.from_array(np.float32(1.0), "hi"),
    ]
    to_float = helper.make_node("Cast", ["w16"], ["w32"], to=TensorProto.FLOAT)
    nodes = [
        to_float,
        helper.make_node("Reshape", ["w32", "shape"], ["w2d"]),
        helper.make_node("Clip", ["w2d", "lo", "hi"], ["wc"]),
        helper.make_node("Mul", ["wc", "half"], ["wm"]),
        helper.make_node("Div", ["wm", "four"], ["wd"]),
        helper.make_node("Sign", ["wd"], ["ws"]),
        helper.make_node("Identity", ["ws"], ["wi"]),
        helper.make_node("Transpose", ["wi"], ["wt"], perm=[1, 0]),
        helper.make_node("MatMul", ["x", "wt"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 12])], inits,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    assert all(node.name == "" for node in model.graph.node)
    network = convert_onnx(model)
    (layer,) = network.layers
    assert layer.name == "MatMul_8" and layer.weights.kind.value == "binary"
    assert model.graph.node[8].name == ""  # the caller's model is not renamed
    x = rng.normal(0, 1, (20, 5)).astype(np.float32)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(network.forward(x), session.run(None, {"x": x})[0], rtol=1e-6)


class BinaryConv2d(nn.Conv2d):
    def forward(self, x):
        return F.conv2d(x, _sign(self.weight, self.training), self.bias, self.stride, self.padding)


class BinaryCNN(nn.Module):
    """Conv -> max pool -> batch norm -> sign, flattened with ``view(h.size(0), -1)``, which
    the TorchScript exporter writes as Shape -> Gather -> Unsqueeze -> Concat -> Reshape."""

    def __init__(self):
        super().__init__()
        self.conv = BinaryConv2d(1, 8, 3, padding=1, bias=False)
        self.pool = nn.MaxPool2d(2)
        self.bn = nn.BatchNorm2d(8)
        self.fc = BinaryLinear(8 * 4 * 4, 10, bias=False)

    def forward(self, x):
        h = _sign(self.bn(self.pool(self.conv(x))), self.training)
        return self.fc(h.view(h.size(0), -1))


@pytest.mark.parametrize("dynamo", [False, True], ids=["torchscript", "dynamo"])
def test_exported_binary_cnn_flattened_with_view_gives_torch_logits(tmp_path, dynamo):
    torch.manual_seed(2)
    net = BinaryCNN()
    with torch.no_grad():
        net.bn.running_mean.normal_(0, 3)
        net.bn.running_var.uniform_(0.5, 2)
        net.bn.weight.normal_()
    net.eval()
    if dynamo:
        pytest.importorskip("onnxscript")
    kwargs = (
        {"dynamic_shapes": {"x": {0: torch.export.Dim("batch")}}}
        if dynamo
        else {"dynamic_axes": {"x": {0: "batch"}}}
    )
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(net, (torch.zeros(2, 1, 8, 8),), tmp_path / "cnn.onnx", dynamo=dynamo,
                          input_names=["x"], **kwargs)  # fmt: skip
    network = load_onnx(tmp_path / "cnn.onnx")
    assert [layer.weights.kind.value for layer in network.layers] == ["binary", "binary"]
    x = torch.randint(0, 17, (200, 1, 8, 8)).float()
    with torch.no_grad():
        expected = net(x).numpy()
    logits = network.forward(np.moveaxis(x.numpy(), 1, -1))
    np.testing.assert_allclose(logits, expected, rtol=1e-5, atol=1e-4)
