"""A user's own sense amplifier: a subcircuit file used in place of the built-in PCSA.

The file is checked by :func:`rram_ber.models.user_files.scan_user_file` (models and subcircuits
only). The user declares which subcircuit port plays which role (:class:`PcsaPort`), in port order,
e.g. for ``.subckt my_sa vdd se q qb bl blb sl``::

    [technology]
    pcsa = "my_sa.sp"
    pcsa_subckt = "my_sa"
    pcsa_ports = ["vdd", "sen", "out", "outb", "bl", "blb", "sl"]

Roles ``x``/``xb`` (optional) are the XNOR input and its complement: with them the
subcircuit computes the XNOR itself and receives the activation on those ports (``x`` high for
+1); without them an XNOR read puts the built-in bit-line swap between its ``bl``/``blb`` ports
and the cell. The decision convention is the built-in one: ``out`` falls for +1 (the lower
resistance on BL). Local mismatch is not drawn for the user's transistors (the subcircuit's own
devices are fixed); mismatch of the access transistors and XNOR swap is.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from rram_ber.circuits.netlist import identifier
from rram_ber.circuits.pcsa import PcsaNodes, PcsaSizing, pcsa_lines
from rram_ber.core.validation import ParameterError, parse_enum
from rram_ber.models.cmos import ProcessCorner
from rram_ber.models.technology import PTM130, Technology
from rram_ber.models.user_files import ScannedFile, check_name, subcircuit_ports


class PcsaPort(enum.StrEnum):
    """Roles of the ports of a user sense-amplifier subcircuit."""

    VDD = "vdd"
    SEN = "sen"
    OUT = "out"
    OUTB = "outb"
    BL = "bl"
    BLB = "blb"
    SL = "sl"
    X = "x"
    XB = "xb"


REQUIRED_PORTS = (
    PcsaPort.VDD,
    PcsaPort.SEN,
    PcsaPort.OUT,
    PcsaPort.OUTB,
    PcsaPort.BL,
    PcsaPort.BLB,
    PcsaPort.SL,
)


@dataclass(frozen=True, slots=True)
class UserPcsa:
    """A user sense-amplifier subcircuit with its declared port roles.

    Attributes
    ----------
    file : ScannedFile
        The checked subcircuit file.
    name : str
        Subcircuit name.
    ports : tuple of PcsaPort
        Role of each subcircuit port, in port order.
    """

    file: ScannedFile
    name: str
    ports: tuple[PcsaPort, ...]

    def __post_init__(self) -> None:
        name = check_name("pcsa_subckt", self.name)
        object.__setattr__(self, "name", name)
        roles = tuple(parse_enum(PcsaPort, p, "pcsa_ports") for p in self.ports)
        object.__setattr__(self, "ports", roles)
        declared = subcircuit_ports(self.file, name, "pcsa_subckt")
        if len(declared) != len(roles):
            raise ParameterError(
                "pcsa_ports",
                [r.value for r in roles],
                f"one role per port of .subckt {name} ({len(declared)} ports: "
                + " ".join(declared)
                + ")",
            )
        missing = [r.value for r in REQUIRED_PORTS if r not in roles]
        if missing or len(set(roles)) != len(roles):
            raise ParameterError(
                "pcsa_ports",
                [r.value for r in roles],
                "each role at most once, including " + ", ".join(r.value for r in REQUIRED_PORTS),
            )
        if (PcsaPort.X in roles) != (PcsaPort.XB in roles):
            raise ParameterError("pcsa_ports", [r.value for r in roles], "both x and xb or neither")

    @property
    def has_xnor_input(self) -> bool:
        """Whether the subcircuit takes the XNOR input itself."""
        return PcsaPort.X in self.ports

    def instance_line(
        self, nodes: PcsaNodes, suffix: str, x_node: str = "0", xb_node: str = "0"
    ) -> str:
        """The ``x`` line of one instance connecting each port to its role's node."""
        by_role = {
            PcsaPort.VDD: nodes.vdd,
            PcsaPort.SEN: nodes.sen,
            PcsaPort.OUT: nodes.out,
            PcsaPort.OUTB: nodes.outb,
            PcsaPort.BL: nodes.bl,
            PcsaPort.BLB: nodes.blb,
            PcsaPort.SL: nodes.sl,
            PcsaPort.X: x_node,
            PcsaPort.XB: xb_node,
        }
        connected = " ".join(identifier(by_role[role]) for role in self.ports)
        return f"x{identifier('usa' + suffix)} {connected} {self.name}"


def builtin_pcsa_subcircuit(
    name: str = "builtin_pcsa",
    sizing: PcsaSizing | None = None,
    technology: Technology = PTM130,
    corner: ProcessCorner = ProcessCorner.TT,
) -> str:
    """The built-in PCSA (no mismatch) as a subcircuit file text, ports in role order.

    A starting point for a user's own sense amplifier, and the reference of the equivalence
    test between a user subcircuit and the generated PCSA. Model cards are not included: the
    netlist carries the technology's models. For the PTM cards the project's corner shift is
    written into the instances, so the text is tied to ``corner``.
    """
    sizing = PcsaSizing.for_technology(technology) if sizing is None else sizing
    ports = PcsaNodes(vdd="vdd", sen="sen", out="out", outb="outb", bl="bl", blb="blb", sl="sl")
    lines = [
        f"* built-in PCSA of rram-ber ({technology.name}, corner {corner.value})",
        f".subckt {check_name('name', name)} vdd sen out outb bl blb sl",
        *pcsa_lines(sizing, corner, {}, ports, "", technology),
        f".ends {name}",
    ]
    return "\n".join(lines) + "\n"
