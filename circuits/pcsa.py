"""Precharge sense amplifier (PCSA) of Zhao et al. 2009.

Topology (W. Zhao, C. Chappert, V. Javerliac, J.-P. Noziere, "High speed, high stability and
low power sensing amplifier for MTJ/CMOS hybrid logic circuits", IEEE Trans. Magn. 45(10),
3784-3787, 2009), as used for 2T2R HfO2 RRAM by Bocquet et al., IEDM 2018::

          VDD ----+-----------+-----------+-----------+
                  |           |           |           |
      SEN --o[MPC1]    OUTB--o[MPL1]  OUT--o[MPL2]   [MPC2]o-- SEN
                  |           |           |           |
                 OUT ---------+           +--------- OUTB
                  |                                   |
          OUTB --[MNL1]                     OUT --[MNL2]
                  |                                   |
                  BL (cell branch)                    BLB (cell branch)
                  |                                   |
                  +---------------- SL ---------------+
                                    |
                             SEN --[MNEN]
                                    |
                                   GND

* Precharge (SEN = 0): MPC1/MPC2 pull OUT and OUTB to VDD; MNEN is off, no static current.
* Evaluation (SEN = 1): MNEN discharges both branches; the branch with the lower resistance
  pulls its output down first, turning on the opposite latch PMOS; the cross-coupled pair
  latches: low-resistance side -> 0, high-resistance side -> VDD.

The generator returns netlist lines; per-instance corner/mismatch values arrive as inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rram_ber.circuits.netlist import capacitor, transistor
from rram_ber.core.validation import check_range
from rram_ber.models.cmos import (
    Polarity,
    ProcessCorner,
    TransistorDeviation,
    TransistorGeometry,
)
from rram_ber.models.technology import PTM130, Technology

#: Minimum drawn length of the 130 nm process [m].
L_MIN_M = 130e-9


def check_width(field: str, value: float) -> float:
    """A drawn transistor width between 0.15 um and 100 um [m]."""
    return check_range(field, value, 0.15e-6, 100e-6, unit="m")


def check_length(field: str, value: float) -> float:
    """A drawn transistor length between 130 nm and 10 um [m]."""
    return check_range(field, value, L_MIN_M, 10e-6, unit="m")


@dataclass(frozen=True, slots=True)
class PcsaSizing:
    """Transistor sizes and output load of the PCSA (130 nm defaults).

    Attributes
    ----------
    w_precharge_m : float
        Width of the precharge PMOS MPC1/MPC2 [m].
    w_latch_p_m : float
        Width of the latch PMOS MPL1/MPL2 [m].
    w_latch_n_m : float
        Width of the latch NMOS MNL1/MNL2 [m].
    w_enable_m : float
        Width of the discharge/enable NMOS MNEN [m]; it carries both branch currents.
    l_m : float
        Drawn length of every PCSA transistor [m].
    l_diffusion_m : float
        Length of each source/drain diffusion, for junction area and perimeter [m].
    c_out_f : float
        Load capacitance on each output (next-stage input and wiring) [F].
    """

    w_precharge_m: float = 0.4e-6
    w_latch_p_m: float = 0.4e-6
    w_latch_n_m: float = 0.6e-6
    w_enable_m: float = 1.0e-6
    l_m: float = L_MIN_M
    l_diffusion_m: float = 0.26e-6
    c_out_f: float = 2e-15

    def __post_init__(self) -> None:
        for name in ("w_precharge_m", "w_latch_p_m", "w_latch_n_m", "w_enable_m"):
            check_width(name, getattr(self, name))
        check_length("l_m", self.l_m)
        check_range("l_diffusion_m", self.l_diffusion_m, 0.1e-6, 5e-6, unit="m")
        check_range("c_out_f", self.c_out_f, 0.0, 1e-12, unit="F")

    @classmethod
    def for_technology(cls, technology: Technology) -> PcsaSizing:
        """The default PCSA sizes of ``technology`` (same output load)."""
        sizes = technology.sizes
        return cls(
            w_precharge_m=sizes.w_precharge_m,
            w_latch_p_m=sizes.w_latch_p_m,
            w_latch_n_m=sizes.w_latch_n_m,
            w_enable_m=sizes.w_enable_m,
            l_m=sizes.l_m,
            l_diffusion_m=sizes.l_diffusion_m,
        )


def pcsa_geometries(sizing: PcsaSizing) -> tuple[TransistorGeometry, ...]:
    """The seven PCSA transistors, in a fixed order (mismatch columns follow it)."""
    p, n = Polarity.PMOS, Polarity.NMOS
    return (
        TransistorGeometry("pc1", p, sizing.w_precharge_m, sizing.l_m),
        TransistorGeometry("pc2", p, sizing.w_precharge_m, sizing.l_m),
        TransistorGeometry("pl1", p, sizing.w_latch_p_m, sizing.l_m),
        TransistorGeometry("pl2", p, sizing.w_latch_p_m, sizing.l_m),
        TransistorGeometry("nl1", n, sizing.w_latch_n_m, sizing.l_m),
        TransistorGeometry("nl2", n, sizing.w_latch_n_m, sizing.l_m),
        TransistorGeometry("nen", n, sizing.w_enable_m, sizing.l_m),
    )


@dataclass(frozen=True, slots=True)
class PcsaNodes:
    """Node names of one PCSA instance."""

    vdd: str
    sen: str
    out: str
    outb: str
    bl: str
    blb: str
    sl: str


def pcsa_lines(
    sizing: PcsaSizing,
    corner: ProcessCorner,
    deviations: Mapping[str, TransistorDeviation],
    nodes: PcsaNodes,
    suffix: str,
    technology: Technology = PTM130,
) -> list[str]:
    """Netlist lines of one PCSA.

    Parameters
    ----------
    sizing : PcsaSizing
        Transistor sizes and output load.
    corner : ProcessCorner
        Global process corner.
    deviations : mapping
        Local mismatch per transistor name (``pc1`` ... ``nen``); missing names get none.
    nodes : PcsaNodes
        Where the PCSA connects.
    suffix : str
        Appended to every element name (``_3`` for copy 3 of a batched netlist).
    technology : Technology
        How the transistors are written.

    Returns
    -------
    list of str
        MOSFET and load-capacitor lines.
    """
    drain_gate_source = {
        "pc1": (nodes.out, nodes.sen, nodes.vdd),
        "pc2": (nodes.outb, nodes.sen, nodes.vdd),
        "pl1": (nodes.out, nodes.outb, nodes.vdd),
        "pl2": (nodes.outb, nodes.out, nodes.vdd),
        "nl1": (nodes.out, nodes.outb, nodes.bl),
        "nl2": (nodes.outb, nodes.out, nodes.blb),
        "nen": (nodes.sl, nodes.sen, "0"),
    }
    lines = []
    for geometry in pcsa_geometries(sizing):
        drain, gate, source = drain_gate_source[geometry.name]
        bulk = nodes.vdd if geometry.polarity is Polarity.PMOS else "0"
        lines.append(
            transistor(
                geometry,
                suffix,
                drain,
                gate,
                source,
                bulk,
                corner,
                deviations,
                sizing.l_diffusion_m,
                technology,
            )
        )
    if sizing.c_out_f > 0.0:
        lines.append(capacitor("out" + suffix, nodes.out, "0", sizing.c_out_f))
        lines.append(capacitor("outb" + suffix, nodes.outb, "0", sizing.c_out_f))
    return lines


@dataclass(frozen=True, slots=True)
class XnorSwitchSizing:
    """The bit-line swap that turns the PCSA into an XNOR-PCSA.

    Four NMOS pass transistors sit between the latch NMOS sources (nodes ``left``/``right``)
    and the cell's bit lines, driven by the input activation ``x`` and its complement:

    * ``x = +1`` (X high): ``left -> BL`` (``xs1``), ``right -> BLB`` (``xs2``): the PCSA reads
      the stored weight ``w``;
    * ``x = -1`` (XB high): ``left -> BLB`` (``xs3``), ``right -> BL`` (``xs4``): the sides are
      swapped and the PCSA reads ``-w``.

    The output is therefore ``w * x`` = XNOR(w, x) in the +-1 encoding, computed in the same
    sense operation, as in the XNOR-augmented sense amplifiers of Hirtzlin et al., "Digital
    biologically plausible implementation of binarized neural networks with differential
    hafnium oxide resistive memory arrays", Front. Neurosci. 13:1383, 2020. The exact
    transistor-level circuit of that paper is not public in the material this project used;
    this swap is our implementation of the same function.

    Attributes
    ----------
    w_m : float
        Width of each pass transistor [m]; wide, so the switch adds little resistance.
    l_m : float
        Drawn length [m].
    """

    w_m: float = 1.0e-6
    l_m: float = L_MIN_M

    def __post_init__(self) -> None:
        check_width("w_m", self.w_m)
        check_length("l_m", self.l_m)

    @classmethod
    def for_technology(cls, technology: Technology) -> XnorSwitchSizing:
        """The default swap sizes of ``technology``."""
        return cls(w_m=technology.sizes.w_xnor_m, l_m=technology.sizes.l_m)


def xnor_switch_geometries(sizing: XnorSwitchSizing) -> tuple[TransistorGeometry, ...]:
    """The four pass transistors ``xs1`` ... ``xs4`` (see :class:`XnorSwitchSizing`)."""
    n = Polarity.NMOS
    return tuple(TransistorGeometry(f"xs{i}", n, sizing.w_m, sizing.l_m) for i in range(1, 5))


def xnor_switch_lines(
    sizing: XnorSwitchSizing,
    l_diffusion_m: float,
    corner: ProcessCorner,
    deviations: Mapping[str, TransistorDeviation],
    activation: int,
    left: str,
    right: str,
    bl: str,
    blb: str,
    on: str,
    suffix: str,
    technology: Technology = PTM130,
) -> list[str]:
    """Netlist lines of the bit-line swap for one input activation (+1 or -1).

    ``on`` is a node held at VDD; a gate tied to ground (``0``) keeps its switch off.
    """
    if activation not in (1, -1):
        raise ValueError(f"activation must be +1 or -1, got {activation!r}")
    x, xb = (on, "0") if activation == 1 else ("0", on)
    connections = {
        "xs1": (left, x, bl),
        "xs2": (right, x, blb),
        "xs3": (left, xb, blb),
        "xs4": (right, xb, bl),
    }
    lines = []
    for geometry in xnor_switch_geometries(sizing):
        drain, gate, source = connections[geometry.name]
        lines.append(
            transistor(
                geometry,
                suffix,
                drain,
                gate,
                source,
                "0",
                corner,
                deviations,
                l_diffusion_m,
                technology,
            )
        )
    return lines
