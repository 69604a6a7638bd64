"""The model file: one ``.npz`` per network (format ``rram-ber-bnn``, version 2).

Written by :func:`save_network`, read by :func:`load_network` with ``allow_pickle=False`` (a
model file can never run code). Version 1 files (no padding, stride or average pooling) are
still read. Layout of the archive:

``format``
    The string ``"rram-ber-bnn"``.
``format_version``
    Integer, 2 (1 is still read). A reader refuses versions it does not know.
``meta``
    A JSON string: ``name``, ``input_shape`` (per sample, channels last, e.g. ``[28, 28, 1]``),
    ``input_bits`` (inputs are integer codes ``0 <= x < 2**input_bits``; ``null``: real-valued
    float inputs, version 2 only), ``layers`` (in order, see below) and ``metadata`` (data set,
    description, how it was trained, clean test accuracy measured when the file was written).
``<layer>.sign``
    ``uint8`` (n_out, ceil(fan_in / 8)): sign bit plane of a binary or ternary weight matrix,
    bit 1 <=> weight -1, bits packed little-endian along the row (``np.packbits(...,
    bitorder="little")``).
``<layer>.mask``
    Ternary only: ``uint8`` non-zero plane, same layout, bit 1 <=> weight != 0.
``<layer>.weights``
    Real layers only: ``float32`` (n_out, fan_in).
``<layer>.threshold``, ``<layer>.direction``
    Sign outputs: ``float32`` thresholds and ``int8`` directions (+1: output +1 iff
    pre-activation >= threshold; -1: iff <=), in units of the integer pre-activation.
``<layer>.scale``, ``<layer>.bias``
    Affine outputs: ``float32`` per channel (output = scale * pre-activation + bias, then
    ReLU if ``relu``).

Each layer entry: ``name``, ``type`` (``dense``, ``conv1d``, ``conv2d``), ``weight_kind``
(``binary``, ``ternary``, ``real``), ``n_out``, ``fan_in``, ``kernel`` (int for conv1d,
``[kh, kw]`` for conv2d, null for dense), ``output`` (``sign`` or ``affine``), ``relu``, and
for conv layers (version 2; version 1 means stride 1, no padding, max pooling of the
pre-activation):

``stride``
    Convolution stride (every spatial axis).
``padding``
    Zero padding on each side of every spatial axis (PyTorch ``padding=p``).
``pool_size``
    Non-overlapping pooling window (window = stride; 1 = no pooling), floor mode.
``pool_kind``
    ``max`` or ``avg`` (sum of the window divided by its size).
``pool_position``
    ``pre-activation``: pool the pre-activation, then threshold (conv -> pool -> batch norm ->
    sign, the BinaryNet order); ``output``: threshold, then pool the outputs. They differ for
    channels with direction -1 (max-pooling the pre-activation of a decreasing threshold is
    min-pooling its signs).

Layout and order conventions:

* Inputs and activations are channels last: dense (K,), signals (L, C), images (H, W, C).
* Weight rows are flattened in patch order: (k, C) for conv1d, (kh, kw, C) for conv2d.
* A dense layer after a convolution flattens its input in (H, W, C) (or (L, C)) order, i.e.
  row-major channels last; a network exported from a channels-first framework (PyTorch,
  ONNX: (C, H, W)) must have its dense weight columns permuted, which the importers
  (:mod:`rram_ber.analysis.bnn.convert`) do.
* Output length of a convolution along an axis: ``(n + 2 padding - k) // stride + 1``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rram_ber.analysis.bnn import packing
from rram_ber.analysis.bnn.geometry import PoolKind, PoolPosition
from rram_ber.analysis.bnn.layers import (
    Affine,
    Conv1D,
    Conv2D,
    Dense,
    Layer,
    LayerType,
    Network,
    SignThreshold,
    Weights,
)
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.core.validation import ParameterError, parse_enum

FORMAT = "rram-ber-bnn"
FORMAT_VERSION = 2
#: Versions this reader understands.
READABLE_VERSIONS = (1, 2)


def save_network(network: Network, path: str | Path) -> Path:
    """Write ``network`` to ``path`` (``.npz``) in the documented format; return the path."""
    arrays: dict[str, npt.NDArray[Any]] = {}
    layers = []
    for layer in network.layers:
        w = layer.weights
        entry: dict[str, Any] = {
            "name": layer.name,
            "type": layer.layer_type.value,
            "weight_kind": w.kind.value,
            "n_out": w.n_out,
            "fan_in": w.fan_in,
            "kernel": list(layer.kernel)
            if isinstance(layer, Conv2D)
            else getattr(layer, "kernel", None),
        }
        if isinstance(layer, Conv1D | Conv2D):
            entry.update(
                stride=layer.stride,
                padding=layer.padding,
                pool_size=layer.pool_size,
                pool_kind=layer.pool_kind.value,
                pool_position=layer.pool_position.value,
            )
        if w.kind is WeightKind.REAL:
            arrays[f"{layer.name}.weights"] = w.values
        else:
            arrays[f"{layer.name}.sign"] = packing.pack_signs(w.values)
            if w.kind is WeightKind.TERNARY:
                arrays[f"{layer.name}.mask"] = packing.pack_mask(w.values)
        if isinstance(layer.output, SignThreshold):
            entry["output"], entry["relu"] = "sign", False
            arrays[f"{layer.name}.threshold"] = layer.output.threshold
            arrays[f"{layer.name}.direction"] = layer.output.direction
        else:
            entry["output"], entry["relu"] = "affine", layer.output.relu
            arrays[f"{layer.name}.scale"] = layer.output.scale
            arrays[f"{layer.name}.bias"] = layer.output.bias
        layers.append(entry)
    meta = {
        "name": network.name,
        "input_shape": list(network.input_shape),
        "input_bits": network.input_bits,
        "layers": layers,
        "metadata": dict(network.metadata),
    }
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    arrays["format"] = np.array(FORMAT)
    arrays["format_version"] = np.array(FORMAT_VERSION)
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    with target.open("wb") as handle:
        np.savez_compressed(handle, allow_pickle=False, **arrays)
    return target


def _array(archive: Mapping[str, npt.NDArray[Any]], key: str, path: Path) -> npt.NDArray[Any]:
    if key not in archive:
        raise ParameterError("model file", str(path), f"an archive with the array {key!r}")
    return archive[key]


def read_meta(path: str | Path) -> dict[str, Any]:
    """The JSON header of a model file (without reading the weights)."""
    source = Path(path)
    with np.load(source, allow_pickle=False) as archive:
        if "format" not in archive or str(archive["format"]) != FORMAT:
            raise ParameterError("model file", str(source), f"a {FORMAT!r} .npz archive")
        version = int(archive["format_version"])
        if version not in READABLE_VERSIONS:
            raise ParameterError(
                "format_version", version, f"one of {READABLE_VERSIONS} (this reader's versions)"
            )
        meta: dict[str, Any] = json.loads(str(archive["meta"]))
    meta["format_version"] = version
    return meta


def load_network(path: str | Path) -> Network:
    """Read a model file written by :func:`save_network`.

    Raises
    ------
    ParameterError
        If the file is not in this format, has another version or is inconsistent.
    """
    source = Path(path)
    meta = read_meta(source)
    layers: list[Layer] = []
    with np.load(source, allow_pickle=False) as archive:
        for entry in meta["layers"]:
            name = entry["name"]
            kind = parse_enum(WeightKind, entry["weight_kind"], f"{name}.weight_kind")
            n_out, fan_in = int(entry["n_out"]), int(entry["fan_in"])
            if kind is WeightKind.REAL:
                values = _array(archive, f"{name}.weights", source)
            else:
                mask = (
                    _array(archive, f"{name}.mask", source) if kind is WeightKind.TERNARY else None
                )
                values = packing.unpack_values(
                    _array(archive, f"{name}.sign", source), fan_in, mask
                )
            if values.shape != (n_out, fan_in):
                raise ParameterError(f"{name} weights", values.shape, f"({n_out}, {fan_in})")
            weights = Weights(kind, values)
            output: SignThreshold | Affine
            if entry["output"] == "sign":
                output = SignThreshold(
                    _array(archive, f"{name}.threshold", source),
                    _array(archive, f"{name}.direction", source),
                )
            else:
                output = Affine(
                    _array(archive, f"{name}.scale", source),
                    _array(archive, f"{name}.bias", source),
                    bool(entry["relu"]),
                )
            layer_type = parse_enum(LayerType, entry["type"], f"{name}.type")
            if layer_type is LayerType.DENSE:
                layers.append(Dense(name, weights, output))
                continue
            # Version 1 had only stride 1, no padding and max pooling of the pre-activation.
            geometry: dict[str, Any] = {
                "pool_size": int(entry.get("pool_size", 1)),
                "stride": int(entry.get("stride", 1)),
                "padding": int(entry.get("padding", 0)),
                "pool_kind": parse_enum(PoolKind, entry.get("pool_kind", "max"),
                                        f"{name}.pool_kind"),
                "pool_position": parse_enum(PoolPosition,
                                            entry.get("pool_position", "pre-activation"),
                                            f"{name}.pool_position"),
            }  # fmt: skip
            if layer_type is LayerType.CONV1D:
                layers.append(Conv1D(name, weights, output, int(entry["kernel"]), **geometry))
            else:
                kh, kw = (int(v) for v in entry["kernel"])
                layers.append(Conv2D(name, weights, output, (kh, kw), **geometry))
    bits = meta["input_bits"]
    return Network(
        name=meta["name"],
        layers=tuple(layers),
        input_shape=tuple(meta["input_shape"]),
        input_bits=None if bits is None else int(bits),
        metadata=meta.get("metadata", {}),
    )


def weights_directory() -> Path:
    """Directory of the shipped model files (package data ``analysis/bnn/weights``)."""
    return Path(str(resources.files("rram_ber.analysis.bnn") / "weights"))


def shipped_models() -> dict[str, Path]:
    """Shipped model names and their files, sorted by name."""
    directory = weights_directory()
    if not directory.is_dir():
        return {}
    return {path.stem: path for path in sorted(directory.glob("*.npz"), key=lambda p: p.stem)}


def load_model(spec: str | Path) -> Network:
    """A shipped model by name, or a file: ``.npz`` (this format) or ``.onnx`` (ONNX/QONNX).

    Raises
    ------
    ParameterError
        Naming ``--model``: neither a shipped name nor an existing ``.npz``/``.onnx`` file.
    """
    text = str(spec)
    if text in shipped_models():
        return load_shipped(text)
    path = Path(text)
    suffix = path.suffix.lower()
    if suffix not in (".npz", ".onnx"):
        raise ParameterError(
            "--model",
            text,
            "a shipped model (" + ", ".join(shipped_models()) + ") or a .npz / .onnx file",
        )
    if not path.is_file():
        raise ParameterError("--model", text, "an existing file")
    if suffix == ".onnx":
        from rram_ber.analysis.bnn.onnx_import import load_onnx

        return load_onnx(path)
    try:
        return load_network(path)
    except (OSError, ValueError, KeyError) as error:
        if isinstance(error, ParameterError):
            raise
        raise ParameterError("--model", text, f"a readable {FORMAT!r} .npz ({error})") from None


def load_shipped(name: str) -> Network:
    """Load the shipped model ``name``.

    Raises
    ------
    ParameterError
        Listing the shipped names if ``name`` is not one of them.
    """
    models = shipped_models()
    if name not in models:
        raise ParameterError(
            "model", name, "one of " + ", ".join(models) if models else "none shipped"
        )
    return load_network(models[name])
