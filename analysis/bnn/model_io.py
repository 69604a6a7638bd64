"""The model file: one ``.npz`` per trained network (format ``rram-ber-bnn``, version 1).

Written by :func:`save_network`, read by :func:`load_network` with ``allow_pickle=False`` (a
model file can never run code). Layout of the archive:

``format``
    The string ``"rram-ber-bnn"``.
``format_version``
    Integer, currently 1. A reader refuses versions it does not know.
``meta``
    A JSON string: ``name``, ``input_shape`` (per sample, e.g. ``[28, 28, 1]``),
    ``input_bits`` (inputs are integer codes ``0 <= x < 2**input_bits``), ``layers`` (in order,
    each ``{"name", "type": "dense"|"conv1d"|"conv2d", "weight_kind":
    "binary"|"ternary"|"real", "n_out", "fan_in", "kernel", "pool_size", "output":
    "sign"|"affine", "relu"}``) and ``metadata`` (data set, description, training command and
    seed, clean test accuracy measured when the file was written).
``<layer>.sign``
    ``uint8`` (n_out, ceil(fan_in / 8)): sign bit plane of a binary or ternary weight matrix,
    bit 1 <=> weight -1, bits packed little-endian along the row (``np.packbits(...,
    bitorder="little")``). Rows are flattened in patch order: (k, C) for conv1d, (kh, kw, C)
    for conv2d.
``<layer>.mask``
    Ternary only: ``uint8`` non-zero plane, same layout, bit 1 <=> weight != 0.
``<layer>.weights``
    Real layers only: ``float32`` (n_out, fan_in).
``<layer>.threshold``, ``<layer>.direction``
    Sign outputs: ``float32`` thresholds and ``int8`` directions (+1: output +1 iff
    pre-activation >= threshold; -1: iff <=), in units of the integer pre-activation.
``<layer>.scale``, ``<layer>.bias``
    Affine outputs: ``float32`` per channel (logits = scale * pre-activation + bias).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis.bnn import packing
from analysis.bnn.layers import (
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
from analysis.bnn.quantizers import WeightKind
from rram_ber.validation import ParameterError, parse_enum

FORMAT = "rram-ber-bnn"
FORMAT_VERSION = 1


def _kernel(layer: Layer) -> int | list[int] | None:
    if isinstance(layer, Conv2D):
        return list(layer.kernel)
    if isinstance(layer, Conv1D):
        return layer.kernel
    return None


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
            "pool_size": layer.pool,
        }
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
        if version != FORMAT_VERSION:
            raise ParameterError(
                "format_version", version, f"{FORMAT_VERSION} (this reader's version)"
            )
        meta: dict[str, Any] = json.loads(str(archive["meta"]))
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
            elif layer_type is LayerType.CONV1D:
                layers.append(
                    Conv1D(name, weights, output, int(entry["kernel"]), int(entry["pool_size"]))
                )
            else:
                kh, kw = (int(v) for v in entry["kernel"])
                layers.append(Conv2D(name, weights, output, (kh, kw), int(entry["pool_size"])))
    return Network(
        name=meta["name"],
        layers=tuple(layers),
        input_shape=tuple(meta["input_shape"]),
        input_bits=int(meta["input_bits"]),
        metadata=meta.get("metadata", {}),
    )


def weights_directory() -> Path:
    """Directory of the shipped model files (package data ``analysis/bnn/weights``)."""
    return Path(str(resources.files("analysis.bnn") / "weights"))


def shipped_models() -> dict[str, Path]:
    """Shipped model names and their files, sorted by name."""
    directory = weights_directory()
    if not directory.is_dir():
        return {}
    return {path.stem: path for path in sorted(directory.glob("*.npz"), key=lambda p: p.stem)}


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
