"""Pluggable resistive elements placed in the cells' bit-line branches.

A resistive element writes its own netlist lines between two nodes. Two kinds exist: a fixed
resistor (this module) and the VCM RRAM compact model (``models.vcm``), which also brings the
definition of its subcircuit. Cells and testbenches only use the :class:`ResistiveElement`
protocol, so a new device model plugs in without touching them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from circuits.netlist import resistor
from rram_ber.validation import check_range

#: Largest resistance accepted anywhere [ohm]; above it a "device" is an open circuit.
MAX_RESISTANCE_OHM = 1e12


@runtime_checkable
class ResistiveElement(Protocol):
    """A two-terminal resistive element that can be written into a netlist."""

    def element_lines(self, name: str, node_a: str, node_b: str) -> list[str]:
        """Netlist lines placing the element between ``node_a`` and ``node_b``.

        ``name`` is a unique lower-case identifier for this instance.
        """
        ...

    def definitions(self) -> tuple[str, ...]:
        """Subcircuit or model definitions the lines need (deduplicated by the testbench)."""
        ...

    def nominal_resistance_ohm(self) -> float:
        """Resistance at a small read voltage [ohm], used to state the expected read value."""
        ...


@dataclass(frozen=True, slots=True)
class FixedResistor:
    """An ideal linear resistor standing for a programmed RRAM device.

    Attributes
    ----------
    resistance_ohm : float
        Resistance [ohm], 0 < R <= 1e12.
    """

    resistance_ohm: float

    def __post_init__(self) -> None:
        check_range(
            "resistance_ohm",
            self.resistance_ohm,
            0.0,
            MAX_RESISTANCE_OHM,
            low_inclusive=False,
            unit="ohm",
        )

    def element_lines(self, name: str, node_a: str, node_b: str) -> list[str]:
        return [resistor(name, node_a, node_b, self.resistance_ohm)]

    def definitions(self) -> tuple[str, ...]:
        return ()

    def nominal_resistance_ohm(self) -> float:
        return self.resistance_ohm
