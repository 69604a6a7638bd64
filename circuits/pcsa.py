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

from circuits.netlist import capacitor, mosfet
from models.cmos import (
    NO_DEVIATION,
    Polarity,
    ProcessCorner,
    TransistorDeviation,
    TransistorGeometry,
    instance_parameters,
)
from rram_ber.validation import check_range

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
        delvto, mulu0 = instance_parameters(
            geometry.polarity, corner, deviations.get(geometry.name, NO_DEVIATION)
        )
        lines.append(
            mosfet(
                geometry.name + suffix,
                drain,
                gate,
                source,
                bulk,
                geometry.polarity,
                geometry.w_m,
                geometry.l_m,
                delvto,
                mulu0,
                sizing.l_diffusion_m,
            )
        )
    if sizing.c_out_f > 0.0:
        lines.append(capacitor("out" + suffix, nodes.out, "0", sizing.c_out_f))
        lines.append(capacitor("outb" + suffix, nodes.outb, "0", sizing.c_out_f))
    return lines
