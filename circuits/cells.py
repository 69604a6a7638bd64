"""Memory cells read by the PCSA: the differential 2T2R cell and the 1T1R cell with a reference.

Both cells put one resistive branch under each side of the PCSA: ``BL -> element -> access
NMOS -> SL`` and the same on ``BLB``; the two access transistors share the word line.

* **2T2R** (Bocquet et al., IEDM 2018): one RRAM device on each side; the weight is stored as a
  complementary pair, +1 = (LRS on BL, HRS on BLB), -1 = (HRS, LRS). The PCSA compares the two
  devices of the same cell.
* **1T1R**: one RRAM device on BL, a fixed reference resistor (between the LRS and HRS
  distributions) on BLB through an identical access transistor. A 1T1R read fails whenever the
  device crosses the reference, which is why the 2T2R cell is more reliable.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from rram_ber.circuits.elements import FixedResistor, ResistiveElement
from rram_ber.circuits.netlist import transistor
from rram_ber.circuits.pcsa import L_MIN_M, check_length, check_width
from rram_ber.core.validation import ParameterError, check_range, parse_enum
from rram_ber.models.cmos import (
    Polarity,
    ProcessCorner,
    TransistorDeviation,
    TransistorGeometry,
)
from rram_ber.models.technology import PTM130, Technology


class CellKind(enum.StrEnum):
    """Kinds of memory cell."""

    TWO_T_TWO_R = "2t2r"
    ONE_T_ONE_R = "1t1r"

    @classmethod
    def parse(cls, value: object, field: str = "cell") -> CellKind:
        """The kind named ``value`` (case-insensitive), else :class:`ParameterError`."""
        return parse_enum(cls, value, field)


@dataclass(frozen=True, slots=True)
class AccessSizing:
    """Access transistors of a cell (130 nm defaults).

    Attributes
    ----------
    w_m : float
        Drawn width of each access NMOS [m].
    l_m : float
        Drawn length [m].
    l_diffusion_m : float
        Source/drain diffusion length, for junction area and perimeter [m].
    """

    w_m: float = 0.6e-6
    l_m: float = L_MIN_M
    l_diffusion_m: float = 0.26e-6

    def __post_init__(self) -> None:
        check_width("w_m", self.w_m)
        check_length("l_m", self.l_m)
        check_range("l_diffusion_m", self.l_diffusion_m, 0.1e-6, 5e-6, unit="m")

    @classmethod
    def for_technology(cls, technology: Technology) -> AccessSizing:
        """The default access sizes of ``technology``."""
        sizes = technology.sizes
        return cls(w_m=sizes.w_access_m, l_m=sizes.l_m, l_diffusion_m=sizes.l_diffusion_m)


def access_geometries(sizing: AccessSizing) -> tuple[TransistorGeometry, ...]:
    """The two access transistors: ``abl`` on BL, ``ablb`` on BLB."""
    n = Polarity.NMOS
    return (
        TransistorGeometry("abl", n, sizing.w_m, sizing.l_m),
        TransistorGeometry("ablb", n, sizing.w_m, sizing.l_m),
    )


@dataclass(frozen=True, slots=True)
class Cell2T2R:
    """Differential cell: a resistive element on each bit line.

    Attributes
    ----------
    bl, blb : ResistiveElement
        Devices on BL and on BLB.
    """

    bl: ResistiveElement
    blb: ResistiveElement

    kind = CellKind.TWO_T_TWO_R

    def __post_init__(self) -> None:
        for name in ("bl", "blb"):
            if not isinstance(getattr(self, name), ResistiveElement):
                raise ParameterError(name, getattr(self, name), "a resistive element")

    def branch_elements(self) -> tuple[ResistiveElement, ResistiveElement]:
        """The elements on (BL, BLB)."""
        return self.bl, self.blb


@dataclass(frozen=True, slots=True)
class Cell1T1R:
    """One device on BL read against a fixed reference resistor on BLB.

    Attributes
    ----------
    device : ResistiveElement
        The memory device (on BL).
    reference : FixedResistor
        Reference resistor (on BLB), usually the geometric mean of the LRS and HRS medians.
    """

    device: ResistiveElement
    reference: FixedResistor

    kind = CellKind.ONE_T_ONE_R

    def __post_init__(self) -> None:
        if not isinstance(self.device, ResistiveElement):
            raise ParameterError("device", self.device, "a resistive element")
        if not isinstance(self.reference, FixedResistor):
            raise ParameterError("reference", self.reference, "a fixed resistor")

    def branch_elements(self) -> tuple[ResistiveElement, ResistiveElement]:
        """The elements on (BL, BLB)."""
        return self.device, self.reference


Cell = Cell2T2R | Cell1T1R


@dataclass(frozen=True, slots=True)
class CellNodes:
    """Node names around one cell."""

    bl: str
    blb: str
    sl: str
    wl: str
    bl_access: str
    blb_access: str


def cell_lines(
    cell: Cell,
    sizing: AccessSizing,
    corner: ProcessCorner,
    deviations: Mapping[str, TransistorDeviation],
    nodes: CellNodes,
    suffix: str,
    technology: Technology = PTM130,
) -> list[str]:
    """Netlist lines of one cell: two ``element -> access NMOS`` branches.

    The resistive elements are placed with their first terminal on the bit line (``node_a`` =
    BL/BLB side), so read current flows from terminal a to terminal b.
    """
    lines: list[str] = []
    branches = zip(
        access_geometries(sizing),
        cell.branch_elements(),
        (nodes.bl, nodes.blb),
        (nodes.bl_access, nodes.blb_access),
        ("bl", "blb"),
        strict=True,
    )
    for geometry, element, bitline, access_node, side in branches:
        lines.extend(element.element_lines("m" + side + suffix, bitline, access_node))
        lines.append(
            transistor(
                geometry,
                suffix,
                access_node,
                nodes.wl,
                nodes.sl,
                "0",
                corner,
                deviations,
                sizing.l_diffusion_m,
                technology,
            )
        )
    return lines
