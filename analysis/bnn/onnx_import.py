"""ONNX and QONNX graphs of binarized / ternary networks, converted to the evaluator's format.

Needs the optional ``onnx`` package (extra ``onnx``); the evaluator itself never imports it.

Accepted graphs are one chain from the input to the logits (every node's first input is the
previous node's output). Weights are initializers or computed from constants only: every node
whose inputs are all constants is evaluated first (:meth:`_Graph.fold_constant`), so that the
``Sign -> Transpose`` of PyTorch's ``F.linear(x, torch.sign(W))``, a ``Reshape``, ``Cast``,
``Clip``, ``Identity`` or a ``Mul``/``Div`` by a scale on the weights are accepted whatever the
exporter (TorchScript or dynamo). Nodes without a name (ONNX allows ``''``) are named
``<op_type>_<index>``. Nodes of the chain:

* linear: ``Gemm`` (``transA = 0``, ``alpha = beta = 1``), ``MatMul`` (+ ``Add`` of a
  constant), ``Conv`` (1-D or 2-D, ``group = 1``, dilation 1, equal strides, symmetric
  padding on all sides);
* weights: constants (above), QONNX ``BipolarQuant`` (``sign(x) * scale``
  with ``sign(0) = +1``) and ``Quant`` (integer quantization, :func:`_quant`) applied to them;
  +-s weights per output channel are binary, {-s, 0, +s} ternary, anything else real
  (:func:`rram_ber.analysis.bnn.convert.classify_weights`);
* per channel: ``BatchNormalization``, ``Add``/``Sub``/``Mul``/``Div`` by a constant;
* activations: ``Sign``, ``BipolarQuant`` (its scale multiplies the next layer), ``Relu``;
  ``Clip`` (PyTorch's Hardtanh) only right before a sign, which it does not change;
* ``MaxPool`` / ``AveragePool`` with kernel = strides, no padding, ``ceil_mode = 0``;
* ``Flatten`` (axis 1), ``Reshape`` to (N, -1), ``Identity``;
* ``Cast`` right at the input: an integer input type (uint8, ...) declares integer codes of
  that many bits; a float input declares float inputs.

Anything else is refused with the node's name and type. ONNX ``Sign(0)`` is 0 while the
evaluator's sign is +1 at 0 (BinaryNet, QONNX BipolarQuant): the two agree unless a batch-norm
output is exactly 0.

The graph's input is channels first ((N, C, H, W), (N, C, L) or (N, K)); the converted
network takes channels-last inputs and records ``input_layout = "channels_first"`` and the
original shape in its metadata so that user data in the graph's layout can be transposed
(:func:`rram_ber.analysis.bnn.user_data.to_model_layout`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rram_ber.analysis.bnn.convert import (
    Activation,
    ChannelAffine,
    Flatten,
    Linear,
    Op,
    Pool,
    batch_norm,
    fold_chain,
)
from rram_ber.analysis.bnn.geometry import PoolKind
from rram_ber.analysis.bnn.layers import Network
from rram_ber.core.validation import ParameterError

F64 = npt.NDArray[np.float64]

#: Unsigned integer input types and their code widths [bit].
_INT_BITS = {"uint8": 8, "uint16": 16}


def _onnx() -> Any:
    try:
        import onnx
    except ImportError:  # pragma: no cover - the extra is installed where tests run
        raise ParameterError(
            "--model", "an ONNX file", "the onnx package: pip install 'rram-ber[onnx]'"
        ) from None
    return onnx


def _quant(x: F64, scale: F64, zero: F64, bits: float, signed: bool, narrow: bool) -> F64:
    """QONNX ``Quant``: ``(clip(round(x / scale + zero)) - zero) * scale``, round half even."""
    n = int(bits)
    low = -(2 ** (n - 1)) + int(narrow) if signed else 0
    high = 2 ** (n - 1) - 1 if signed else 2**n - 1 - int(narrow)
    q = np.clip(np.round(x / scale + zero), low, high)
    return (q - zero) * scale


def _bipolar(x: F64, scale: F64) -> F64:
    return np.where(x >= 0, 1.0, -1.0) * scale


class _Graph:
    """The graph's constants (initializers and every node computed from constants only)."""

    def __init__(self, model: Any):
        onnx = _onnx()
        self.helper, self.numpy_helper = onnx.helper, onnx.numpy_helper
        graph = model.graph
        self.model, self.graph = model, graph
        #: Per-sample tensor shapes with a batch of 1 (shape inference), when a Shape needs them.
        self._shapes: dict[str, list[int]] | None = None
        self.opsets = {o.domain: o.version for o in model.opset_import}
        # Constants keep their own dtype (a Reshape's int64 shape, a Cast's target).
        self.raw: dict[str, np.ndarray[Any, Any]] = {
            t.name: self.numpy_helper.to_array(t) for t in graph.initializer
        }

    @property
    def constants(self) -> dict[str, np.ndarray[Any, Any]]:
        return self.raw

    def attrs(self, node: Any) -> dict[str, Any]:
        return {a.name: self.helper.get_attribute_value(a) for a in node.attribute}

    def const(self, node: Any, index: int) -> F64:
        name = node.input[index] if index < len(node.input) else ""
        if name not in self.raw:
            raise ParameterError(
                f"node {node.name!r} ({node.op_type})",
                f"input {index} {name!r} computed at run time",
                "a constant (initializer) there",
            )
        return np.asarray(self.raw[name], dtype=np.float64)

    def fold_constant(self, node: Any) -> bool:
        """Evaluate a node whose inputs are all constants; False if it is not one.

        QONNX's weight quantizers are evaluated here (:func:`_bipolar`, :func:`_quant`); any
        standard ONNX node (the ``Sign -> Transpose`` of ``F.linear(x, sign(W))``, ``Reshape``,
        ``Cast``, ``Mul``/``Div`` by a scale, ``Clip``, ``Identity``, ``Constant``) by onnx's
        reference evaluator at the model's opset, so that only constant folding happens: no
        fusion that would reorder the chain or fold a batch norm into binary weights.
        """
        inputs = [name for name in node.input if name]
        standard = node.domain in ("", "ai.onnx")
        if standard and node.op_type == "Shape" and inputs[0] not in self.raw:
            return self._fold_shape(node)
        if not (standard and node.op_type == "Constant") and (
            not inputs or not all(name in self.raw for name in inputs)
        ):
            return False
        if node.op_type == "BipolarQuant" and not standard:
            x = self.const(node, 0)
            self.raw[node.output[0]] = _bipolar(x, self.const(node, 1))
        elif node.op_type == "Quant" and not standard:
            a = self.attrs(node)
            self.raw[node.output[0]] = _quant(
                self.const(node, 0), self.const(node, 1), self.const(node, 2),
                float(self.const(node, 3)), bool(a.get("signed", 1)), bool(a.get("narrow", 0)),
            )  # fmt: skip
        elif standard:
            self.raw.update(zip(node.output, self._evaluate(node, inputs), strict=True))
        else:
            return False
        return True

    def _fold_shape(self, node: Any) -> bool:
        """``Shape`` of a run-time tensor whose per-sample shape is fixed, as a constant with a
        batch of 1: TorchScript writes ``h.view(h.size(0), -1)`` as Shape -> Gather ->
        Unsqueeze -> Concat -> Reshape, which then folds to a Reshape to (1, -1)."""
        if self._shapes is None:
            onnx = _onnx()
            model = onnx.ModelProto()
            model.CopyFrom(self.model)
            for tensor in model.graph.input:
                dims = tensor.type.tensor_type.shape.dim
                if dims:
                    dims[0].Clear()
                    dims[0].dim_value = 1
            inferred = onnx.shape_inference.infer_shapes(model).graph
            self._shapes = {
                v.name: [d.dim_value if d.HasField("dim_value") else -1
                         for d in v.type.tensor_type.shape.dim]
                for v in [*inferred.input, *inferred.value_info]
            }  # fmt: skip
        dims = self._shapes.get(node.input[0])
        if not dims or any(d <= 0 for d in dims):
            return False
        attrs = self.attrs(node)
        start, end = attrs.get("start", 0), attrs.get("end", len(dims))
        self.raw[node.output[0]] = np.array(dims[start:end], dtype=np.int64)
        return True

    def _evaluate(self, node: Any, inputs: list[str]) -> list[np.ndarray[Any, Any]]:
        from onnx.reference import ReferenceEvaluator

        h = self.helper
        graph = h.make_graph(
            [node], "fold", [], [h.make_empty_tensor_value_info(o) for o in node.output],
            [self.numpy_helper.from_array(np.asarray(self.raw[n]), n) for n in set(inputs)],
        )  # fmt: skip
        try:
            outputs = ReferenceEvaluator(graph, opsets={"": self.opsets.get("", 13)}).run(None, {})
        except Exception as error:  # the reference evaluator raises whatever numpy raises
            raise _refuse(node, f"a constant node onnx can evaluate ({error})") from None
        return [np.asarray(o) for o in outputs]


def _refuse(node: Any, why: str) -> ParameterError:
    return ParameterError(f"node {node.name!r}", node.op_type, why)


def _pool(node: Any, attrs: dict[str, Any]) -> Pool:
    kernel = list(attrs.get("kernel_shape", []))
    strides = list(attrs.get("strides", kernel))
    if (
        len(set(kernel)) != 1
        or strides != kernel
        or any(attrs.get("pads", [0]))
        or attrs.get("ceil_mode", 0)
        or attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET")
    ):
        raise _refuse(node, "pooling with equal kernel and strides, no padding, ceil_mode 0")
    kind = PoolKind.MAX if node.op_type == "MaxPool" else PoolKind.AVG
    return Pool(node.name, kind, int(kernel[0]))


def _conv(g: _Graph, node: Any, attrs: dict[str, Any]) -> Linear:
    w = g.const(node, 1)
    spatial = w.ndim - 2
    strides = list(attrs.get("strides", [1] * spatial))
    pads = list(attrs.get("pads", [0] * 2 * spatial))
    if (
        spatial not in (1, 2)
        or attrs.get("group", 1) != 1
        or any(d != 1 for d in attrs.get("dilations", [1]))
        or len(set(strides)) != 1
        or len(set(pads)) != 1
        or attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET")
    ):
        raise _refuse(node, "1-D/2-D Conv, group 1, dilation 1, equal strides and pads")
    bias = g.const(node, 2) if len(node.input) > 2 and node.input[2] else None
    return Linear(node.name, w, bias, spatial, int(strides[0]), int(pads[0]))


def _channel_constant(node: Any, value: F64) -> F64:
    flat = value.ravel()
    if value.size > 1 and value.size != max(value.shape):
        raise _refuse(node, "a scalar or per-channel constant")
    return flat


def _named_nodes(graph: Any) -> list[Any]:
    """The graph's nodes, each with a layer name: ONNX allows ``name = ''`` (the default of
    ``onnx.helper.make_node``), which becomes ``<op_type>_<index>``; a ``.`` (refused in layer
    names) becomes ``_``. Copies: the caller's model is left as it was."""
    onnx = _onnx()
    named = []
    for index, original in enumerate(graph.node):
        node = onnx.NodeProto()
        node.CopyFrom(original)
        node.name = (node.name or f"{node.op_type}_{index}").replace(".", "_")
        named.append(node)
    return named


def convert_onnx(model: Any, name: str = "onnx-model") -> Network:
    """Convert a loaded ONNX ``ModelProto`` (see the module docstring for what is accepted).

    Raises
    ------
    ParameterError
        Naming the first node that cannot be converted, its type and what is accepted.
    """
    g = _Graph(model)
    graph = g.graph
    inputs = [i for i in graph.input if i.name not in g.constants]
    if len(inputs) != 1:
        raise ParameterError("graph inputs", [i.name for i in inputs], "exactly one data input")
    tensor_type = inputs[0].type.tensor_type
    dims = [d.dim_value for d in tensor_type.shape.dim][1:]
    if not dims or any(d <= 0 for d in dims):
        raise ParameterError("graph input shape", dims, "fixed sizes after the batch axis")
    input_bits: int | None = None
    elem = _onnx().helper.tensor_dtype_to_np_dtype(tensor_type.elem_type)
    if np.dtype(elem).kind in "iu":
        input_bits = _INT_BITS.get(np.dtype(elem).name)
        if input_bits is None:
            raise ParameterError(
                "graph input type", np.dtype(elem).name, "uint8, uint16 or a float type"
            )
    current = inputs[0].name
    ops: list[Op] = []
    nodes = _named_nodes(graph)
    chain = [node for node in nodes if not g.fold_constant(node)]
    for index, node in enumerate(chain):
        if not node.input or node.input[0] != current:
            raise _refuse(node, f"a chain: its first input must be {current!r}")
        attrs = g.attrs(node)
        op = node.op_type
        if op in ("Identity", "Cast"):
            if op == "Cast" and ops:
                raise _refuse(node, "Cast only at the graph input")
        elif op == "Conv":
            ops.append(_conv(g, node, attrs))
        elif op == "Gemm":
            if (
                attrs.get("transA", 0)
                or attrs.get("alpha", 1.0) != 1
                or attrs.get("beta", 1.0) != 1
            ):
                raise _refuse(node, "Gemm with transA 0, alpha 1, beta 1")
            w = g.const(node, 1)
            w = w if attrs.get("transB", 0) else w.T
            bias = g.const(node, 2) if len(node.input) > 2 and node.input[2] else None
            ops.append(Linear(node.name, w, bias))
        elif op == "MatMul":
            ops.append(Linear(node.name, g.const(node, 1).T))
        elif op == "BatchNormalization":
            eps = float(attrs.get("epsilon", 1e-5))
            gamma, beta, mean, var = (g.const(node, i) for i in range(1, 5))
            ops.append(batch_norm(node.name, gamma, beta, mean, var, eps))
        elif op in ("Add", "Sub", "Mul", "Div"):
            value = _channel_constant(node, g.const(node, 1))
            one, zero = np.ones_like(value), np.zeros_like(value)
            scale, shift = {
                "Add": (one, value), "Sub": (one, -value), "Mul": (value, zero),
                "Div": (1 / value, zero),
            }[op]  # fmt: skip
            ops.append(ChannelAffine(node.name, scale, shift))
        elif op == "Sign":
            ops.append(Activation(node.name, "sign"))
        elif op == "BipolarQuant":
            scale = _channel_constant(node, g.const(node, 1))
            ops.append(Activation(node.name, "sign"))
            if np.any(scale != 1):
                ops.append(ChannelAffine(node.name + "_scale", scale, np.zeros_like(scale)))
        elif op == "Relu":
            ops.append(Activation(node.name, "relu"))
        elif op == "Clip":
            following = chain[index + 1].op_type if index + 1 < len(chain) else None
            if following not in ("Sign", "BipolarQuant"):
                raise _refuse(node, "Clip (Hardtanh) only right before Sign or BipolarQuant")
        elif op in ("MaxPool", "AveragePool"):
            ops.append(_pool(node, attrs))
        elif op == "Flatten":
            if attrs.get("axis", 1) != 1:
                raise _refuse(node, "Flatten with axis 1")
            ops.append(Flatten(node.name))
        elif op == "Reshape":
            target = g.const(node, 1).ravel().tolist()
            if len(target) != 2 or (target[1] not in (-1,) and target[0] not in (-1, 0)):
                raise _refuse(node, "Reshape to (N, -1)")
            ops.append(Flatten(node.name))
        else:
            raise _refuse(
                node,
                "Gemm, MatMul, Conv, BatchNormalization, Add/Sub/Mul/Div by constants, Sign, "
                "BipolarQuant, Quant (weights), Relu, Clip before Sign, MaxPool, AveragePool, "
                "Flatten, Reshape, Identity",
            )
        current = node.output[0]
    if current != graph.output[0].name:
        raise ParameterError("graph output", graph.output[0].name, f"the chain's end {current!r}")
    # Channels first (C, *grid) -> channels last (*grid, C).
    shape = tuple(dims[1:] + dims[:1]) if len(dims) > 1 else tuple(dims)
    metadata = {
        "description": f"imported from ONNX ({len(nodes)} nodes)",
        "input_layout": "channels_first" if len(dims) > 1 else "flat",
        "source_input_shape": dims,
    }
    return fold_chain(ops, name, shape, input_bits, metadata)


def load_onnx(path: str | Path) -> Network:
    """Read and convert an ONNX or QONNX file (``.onnx``)."""
    onnx = _onnx()
    source = Path(path)
    try:
        model = onnx.load(str(source))
    except Exception as error:  # onnx raises DecodeError and others on foreign files
        raise ParameterError("model file", str(source), f"an ONNX model ({error})") from None
    return convert_onnx(model, source.stem)
