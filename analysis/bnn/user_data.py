"""The user's own test data: ``--data PATH.npz`` with arrays ``x`` (inputs) and ``y`` (labels).

``x`` holds integer input codes (``0 <= x < 2**input_bits``) for a network that declares
integer inputs, or real numbers for one that declares float inputs (``input_bits`` None,
e.g. an ONNX graph with a float input). Its layout is the network's own: channels last
(N, *input_shape), or, for a network imported from a channels-first graph (metadata
``input_layout = "channels_first"``), also the graph's (N, C, H, W) / (N, C, L), which is
transposed here. ``y`` holds class indices ``0 <= y < n_classes``, one per input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rram_ber.analysis.bnn.layers import Network
from rram_ber.core.validation import ParameterError


def to_model_layout(network: Network, x: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``x`` in the network's channels-last layout (transposed from channels first if needed)."""
    if x.shape[1:] == network.input_shape:
        return x
    source = list(network.metadata.get("source_input_shape") or [])
    channels_first = network.metadata.get("input_layout") == "channels_first" and source
    if channels_first and list(x.shape[1:]) == source:
        return np.moveaxis(x, 1, -1)
    allowed = f"shape (N, {', '.join(map(str, network.input_shape))})"
    if channels_first:
        allowed += f" or the graph's (N, {', '.join(map(str, source))})"
    raise ParameterError("--data x", f"array of shape {x.shape}", allowed)


def load_user_data(
    path: str | Path, network: Network, limit: int | None = None
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """Read and check ``x`` and ``y`` of an ``.npz`` file for ``network``.

    Raises
    ------
    ParameterError
        Naming ``--data`` and what is wrong (missing array, shape, dtype, label range).
    """
    source = Path(path)
    if not source.is_file():
        raise ParameterError("--data", str(source), "an existing .npz file with arrays x and y")
    try:
        with np.load(source, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in ("x", "y") if key in archive}
    except (OSError, ValueError) as error:
        raise ParameterError("--data", str(source), f"an .npz archive ({error})") from None
    if set(arrays) != {"x", "y"}:
        raise ParameterError("--data", str(source), "an .npz archive with arrays 'x' and 'y'")
    x, y = arrays["x"], arrays["y"]
    if x.ndim < 2 or y.shape != (x.shape[0],):
        raise ParameterError("--data y", f"shape {y.shape}", f"one label per input ({len(x)},)")
    if not np.issubdtype(y.dtype, np.integer) or (
        y.size and (y.min() < 0 or y.max() >= network.n_classes)
    ):
        raise ParameterError(
            "--data y", f"{y.dtype} labels", f"integers 0..{network.n_classes - 1}"
        )
    if network.input_bits is not None and not np.issubdtype(x.dtype, np.integer):
        raise ParameterError(
            "--data x",
            f"dtype {x.dtype}",
            f"integer codes (the model takes {network.input_bits}-bit codes)",
        )
    x = to_model_layout(network, x)
    if limit is not None:
        x, y = x[:limit], y[:limit]
    return x, y.astype(np.int64)
