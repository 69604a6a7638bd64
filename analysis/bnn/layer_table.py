"""How each layer of a network was read: the table ``evaluate`` and ``report`` print.

An imported network (ONNX, ``from_torch``, a ``.npz`` file) is classified layer by layer from
its weight values (:func:`rram_ber.analysis.bnn.convert.classify_weights`): +-s per output
channel is binary, {-s, 0, +s} ternary, anything else real. Only binary and ternary layers are
stored in RRAM and receive bit errors, so the user sees here whether the network is the one
they meant (a binarized layer read as real gets no errors at all), and a bit-error rate on a
network with nothing to flip is refused (:func:`require_flippable`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rram_ber.analysis.bnn.layers import Network
from rram_ber.analysis.bnn.quantizers import WeightKind
from rram_ber.core.validation import ParameterError


@dataclass(frozen=True)
class LayerReading:
    """One layer as the evaluator reads it.

    ``shape`` is (n_out, fan_in) of the weight matrix (a convolution's rows are its flattened
    kernels); ``weight_bits`` is the layer's storage [bit] (1, 2 or 32 per weight).
    """

    name: str
    layer_type: str
    kind: WeightKind
    shape: tuple[int, int]
    weight_bits: int

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: name, type, kind, shape, weight_bits, bit_errors."""
        return {"name": self.name, "type": self.layer_type, "kind": self.kind.value,
                "shape": list(self.shape), "weight_bits": self.weight_bits,
                "bit_errors": self.receives_errors}  # fmt: skip

    @property
    def receives_errors(self) -> bool:
        """Binary and ternary weights are stored in RRAM and flipped; real ones are not."""
        return self.kind is not WeightKind.REAL


def layer_readings(network: Network) -> list[LayerReading]:
    """Every weighted layer of ``network`` in order."""
    return [
        LayerReading(
            layer.name,
            layer.layer_type.value,
            layer.weights.kind,
            (layer.weights.n_out, layer.weights.fan_in),
            layer.weights.kind.bits_per_weight * layer.weights.n_out * layer.weights.fan_in,
        )
        for layer in network.layers
    ]


def format_layer_table(network: Network) -> str:
    """A plain-text table: layer, type, kind, weight shape, weight bits, bit errors."""
    rows = [("layer", "type", "kind", "shape", "weight bits", "bit errors")]
    for r in layer_readings(network):
        rows.append((r.name, r.layer_type, r.kind.value, f"{r.shape[0]}x{r.shape[1]}",
                     str(r.weight_bits), "yes" if r.receives_errors else "no (real)"))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def require_flippable(network: Network, option: str, value: object) -> None:
    """Refuse bit errors (``option = value``, non-zero) on a network without a binary or
    ternary layer: nothing would be flipped and the accuracy would silently stay clean.

    Raises
    ------
    ParameterError
        Naming ``option``, its value and the layers, all read as real.
    """
    if not network.quantized_layers():
        names = ", ".join(r.name for r in layer_readings(network))
        raise ParameterError(
            option,
            value,
            f"0 for {network.name!r}: every layer ({names}) was read as real (weights not "
            "+-s or {-s, 0, +s} per output channel), so no weight is stored in RRAM and "
            "none can be flipped",
        )
