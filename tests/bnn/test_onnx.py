"""ONNX / QONNX import: graphs built here with onnx.helper, run in onnxruntime and the evaluator."""

import json

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from rram_ber.analysis.bnn.geometry import PoolPosition  # noqa: E402
from rram_ber.analysis.bnn.onnx_import import convert_onnx, load_onnx  # noqa: E402
from rram_ber.cli import main  # noqa: E402

QONNX = "qonnx.custom_op.general"


class _Builder:
    def __init__(self, rng):
        self.rng, self.nodes, self.inits, self.count = rng, [], [], 0

    def const(self, value, name=None):
        self.count += 1
        name = name or f"c{self.count}"
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    def node(self, op, inputs, domain=None, **attrs):
        self.count += 1
        out = f"t{self.count}"
        self.nodes.append(helper.make_node(op, inputs, [out], name=f"{op.lower()}{self.count}",
                                           domain=domain, **attrs))  # fmt: skip
        return out

    def levels(self, shape, ternary=False):
        values = (-1.0, 0.0, 1.0) if ternary else (-1.0, 1.0)
        return self.rng.choice(values, shape)

    def batch_norm(self, x, n):
        # Half-integer means and beta 0: thresholds never meet an integer pre-activation, so
        # ONNX's float32 batch norm and the folded threshold decide alike (and Sign(0) = 0
        # never happens). Negative gammas exercise direction -1.
        gamma = self.rng.choice([-1.0, 1.0], n) * self.rng.uniform(0.5, 2, n)
        mean = np.round(self.rng.normal(0, 3, n)) + 0.5
        args = [self.const(gamma), self.const(np.zeros(n)), self.const(mean),
                self.const(np.ones(n))]  # fmt: skip
        return self.node("BatchNormalization", [x, *args], epsilon=0.0)

    def model(self, out, shape, n_out, elem=TensorProto.FLOAT):
        graph = helper.make_graph(
            self.nodes, "g", [helper.make_tensor_value_info("x", elem, [None, *shape])],
            [helper.make_tensor_value_info(out, TensorProto.FLOAT, [None, n_out])], self.inits,
        )  # fmt: skip
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        return model


def _conv_graph(rng, sign_before_pool=False, qonnx=False):
    b = _Builder(rng)

    def weights(shape, ternary=False):
        if not qonnx:
            return b.const(b.levels(shape, ternary))
        latent = rng.normal(0, 1, shape)
        return b.node("BipolarQuant", [b.const(latent), b.const(1.0)], domain=QONNX)

    def sign(x):
        if qonnx:
            return b.node("BipolarQuant", [x, b.const(1.0)], domain=QONNX)
        return b.node("Sign", [x])

    h = b.node("Conv", ["x", weights((6, 1, 3, 3))], pads=[1, 1, 1, 1])
    if sign_before_pool:
        h = b.node("MaxPool", [sign(b.batch_norm(h, 6))], kernel_shape=[2, 2], strides=[2, 2])
    else:
        h = sign(b.batch_norm(b.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2]), 6))
    h = b.node("Conv", [h, weights((5, 6, 3, 3), ternary=not qonnx)], pads=[1, 1, 1, 1],
               strides=[2, 2])  # fmt: skip
    h = sign(b.batch_norm(h, 5))
    h = b.node("Flatten", [h])
    h = b.node("Gemm", [h, weights((16, 5 * 2 * 2)), b.const(np.zeros(16))], transB=1)
    h = sign(b.batch_norm(h, 16))
    bias = np.round(rng.normal(0, 2, 4) * 8) / 8  # dyadic: sums are exact in float32
    out = b.node("Gemm", [h, weights((4, 16)), b.const(bias)], transB=1)
    return b.model(out, (1, 8, 8), 4)


def _dense_graph(rng):
    b = _Builder(rng)
    h = b.node("Gemm", ["x", b.const(b.levels((20, 12))), b.const(np.zeros(20))], transB=1)
    h = b.node("Sign", [b.node("Clip", [b.batch_norm(h, 20), b.const(-1.0), b.const(1.0)])])
    h = b.node("MatMul", [h, b.const(b.levels((20, 3), ternary=True))])
    return b.model(h, (12,), 3)


def _inputs(rng, shape, n=64):
    return rng.integers(0, 17, (n, *shape)).astype(np.float32)


def _run_ort(model, x):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


@pytest.mark.parametrize("sign_before_pool", [False, True])
def test_conv_bnn_with_padding_is_bit_identical_to_onnxruntime(sign_before_pool):
    rng = np.random.default_rng(7)
    model = _conv_graph(rng, sign_before_pool)
    network = convert_onnx(model, "conv")
    x = _inputs(rng, (1, 8, 8))
    expected = _run_ort(model, x)
    logits = network.forward(np.moveaxis(x, 1, -1))
    assert np.array_equal(logits, expected)
    assert network.layers[0].padding == 1 and network.layers[1].stride == 2
    position = PoolPosition.OUTPUT if sign_before_pool else PoolPosition.PRE_ACTIVATION
    assert network.layers[0].pool_position is position
    assert {layer.weights.kind.value for layer in network.layers} == {"binary", "ternary"}
    # Some channels have direction -1 (negative gamma), where the pool order matters.
    assert np.any(network.layers[0].output.direction == -1)


def test_dense_graph_with_clip_and_matmul_is_bit_identical():
    rng = np.random.default_rng(3)
    model = _dense_graph(rng)
    x = _inputs(rng, (12,))
    assert np.array_equal(convert_onnx(model).forward(x), _run_ort(model, x))


def test_qonnx_bipolar_quant_graph_converts():
    """The QONNX graph gives the decisions of the same network written with plain Sign nodes."""
    rng = np.random.default_rng(11)
    network = convert_onnx(_conv_graph(rng, qonnx=True), "qonnx")
    assert all(layer.weights.kind.value == "binary" for layer in network.layers)
    # Rebuild the graph with the quantized weights as +-1 initializers and Sign activations.
    rng = np.random.default_rng(11)
    qmodel = _conv_graph(rng, qonnx=True)
    consts = {t.name: numpy_helper.to_array(t) for t in qmodel.graph.initializer}
    for node in qmodel.graph.node:
        if node.op_type == "BipolarQuant" and node.input[0] in consts:
            consts[node.output[0]] = np.where(consts[node.input[0]] >= 0, 1.0, -1.0)
    nodes, inits = [], []
    for node in qmodel.graph.node:
        if node.op_type == "BipolarQuant" and node.input[0] in consts:
            inits.append(numpy_helper.from_array(consts[node.output[0]].astype(np.float32),
                                                 node.output[0]))  # fmt: skip
        elif node.op_type == "BipolarQuant":
            nodes.append(helper.make_node("Sign", [node.input[0]], list(node.output), node.name))
        else:
            nodes.append(node)
    inits += [t for t in qmodel.graph.initializer]
    graph = helper.make_graph(nodes, "plain", list(qmodel.graph.input),
                              list(qmodel.graph.output), inits)  # fmt: skip
    plain = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    plain.ir_version = 8
    x = _inputs(rng, (1, 8, 8))
    assert np.array_equal(network.forward(np.moveaxis(x, 1, -1)), _run_ort(plain, x))


def test_cli_evaluates_an_onnx_file_with_user_data(tmp_path, capsys):
    rng = np.random.default_rng(5)
    model = _conv_graph(rng)
    onnx.save(model, tmp_path / "net.onnx")
    x = _inputs(rng, (1, 8, 8), n=50)
    y = np.argmax(_run_ort(model, x), axis=1)
    y[:10] = (y[:10] + 1) % 4  # 40 of 50 right
    np.savez(tmp_path / "test.npz", x=x, y=y)
    argv = ["evaluate", "--model", str(tmp_path / "net.onnx"), "--data", str(tmp_path / "test.npz"),
            "--ber", "0", "--json"]  # fmt: skip
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["accuracy_mean"] == pytest.approx(0.8) and result["n_inputs"] == 50
    # With errors the same file is evaluated too (accuracy falls at a high BER).
    assert main([*argv[:-3], "--ber", "0.3", "--repeats", "3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accuracy_mean"] < 0.8


def test_unsupported_node_is_refused_with_its_name(tmp_path, capsys):
    rng = np.random.default_rng(1)
    b = _Builder(rng)
    h = b.node("Gemm", ["x", b.const(b.levels((3, 12))), b.const(np.zeros(3))], transB=1)
    h = b.node("Softmax", [h])
    onnx.save(b.model(h, (12,), 3), tmp_path / "bad.onnx")
    np.savez(tmp_path / "d.npz", x=_inputs(rng, (12,), 4), y=np.zeros(4, dtype=np.int64))
    assert main(["evaluate", "--model", str(tmp_path / "bad.onnx"), "--data",
                 str(tmp_path / "d.npz"), "--ber", "0"]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "softmax" in err and "Softmax" in err and "Traceback" not in err
    with pytest.raises(Exception, match="softmax"):
        load_onnx(tmp_path / "bad.onnx")


def test_bad_model_and_data_arguments_exit_2(tmp_path, capsys):
    assert main(["evaluate", "--model", str(tmp_path / "none.onnx"), "--ber", "0"]) == 2
    assert "--model" in capsys.readouterr().err
    rng = np.random.default_rng(2)
    onnx.save(_dense_graph(rng), tmp_path / "d.onnx")
    assert main(["evaluate", "--model", str(tmp_path / "d.onnx"), "--ber", "0"]) == 2
    assert "--data" in capsys.readouterr().err
    np.savez(tmp_path / "bad.npz", x=_inputs(rng, (13,), 4), y=np.zeros(4, dtype=np.int64))
    assert main(["evaluate", "--model", str(tmp_path / "d.onnx"), "--data",
                 str(tmp_path / "bad.npz"), "--ber", "0"]) == 2  # fmt: skip
    assert "--data x" in capsys.readouterr().err
