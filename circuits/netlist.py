"""Formatting of netlist elements from validated numbers.

Everything written into a netlist goes through these helpers: numbers are formatted from finite
floats, names are built from fixed identifiers and integer indices. No user-supplied string can
reach ngspice this way (an ngspice ``.control`` block can run shell commands).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from rram_ber.models.cmos import (
    NO_DEVIATION,
    Polarity,
    ProcessCorner,
    TransistorDeviation,
    TransistorGeometry,
    corner_length_m,
    instance_parameters,
)
from rram_ber.models.technology import PTM130, InstanceStyle, Technology

# Lower-case names built from fixed words and integer indices, or "0" for ground.
_IDENTIFIER = re.compile(r"^([a-z][a-z0-9_]*|0)$")


def spice_number(value: float) -> str:
    """Format a finite real number for a netlist, with 12 significant digits.

    Raises
    ------
    ValueError
        If ``value`` is not a finite real number (a programming error: validated records never
        carry one).
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"not a finite number for a netlist: {value!r}")
    # Adding 0.0 turns -0.0 into 0.0, so a zero deviation never prints as "-0".
    return f"{float(value) + 0.0:.12g}"


def identifier(name: str) -> str:
    """Return ``name`` if it is a safe lower-case SPICE identifier, else raise ``ValueError``.

    Only the package's own fixed names pass through here (node and element names); the check
    guards against a future change that would let outside text in.
    """
    if not _IDENTIFIER.match(name):
        raise ValueError(f"unsafe netlist identifier: {name!r}")
    return name


def model_card_mosfet(
    technology: Technology,
    name: str,
    drain: str,
    gate: str,
    source: str,
    bulk: str,
    polarity: Polarity,
    w_m: float,
    l_m: float,
    delvto_v: float,
    mulu0: float,
    l_diffusion_m: float,
) -> str:
    """An ``m`` instance line on ``technology``'s ``.model`` cards (SI units)."""
    model = technology.nmos_model if polarity is Polarity.NMOS else technology.pmos_model
    area = w_m * l_diffusion_m
    perimeter = 2.0 * (w_m + l_diffusion_m)
    nodes = " ".join(identifier(n) for n in (drain, gate, source, bulk))
    return (
        f"m{identifier(name)} {nodes} {model} w={spice_number(w_m)} l={spice_number(l_m)}"
        f" ad={spice_number(area)} as={spice_number(area)}"
        f" pd={spice_number(perimeter)} ps={spice_number(perimeter)}"
        f" delvto={spice_number(delvto_v)} mulu0={spice_number(mulu0)}"
    )


def sky130_mosfet(
    technology: Technology,
    name: str,
    nodes: tuple[str, str, str, str],
    polarity: Polarity,
    w_m: float,
    l_m: float,
    mismatch_z: float,
    l_diffusion_m: float,
) -> str:
    """An ``x`` instance of a SKY130 FET subcircuit.

    Sizes are written in um (and um^2) because the PDK sets ``.option scale=1.0u``; the
    diffusions are a rectangle of the width by ``l_diffusion_m`` as for the PTM cards.
    ``mismatch_z`` is the standard-normal threshold-mismatch draw the PDK scales itself.
    """
    model = technology.nmos_model if polarity is Polarity.NMOS else technology.pmos_model
    w_um, l_um, ld_um = w_m * 1e6, l_m * 1e6, l_diffusion_m * 1e6
    area = w_um * ld_um
    perimeter = 2.0 * (w_um + ld_um)
    node_text = " ".join(identifier(n) for n in nodes)
    return (
        f"x{identifier(name)} {node_text} {model} w={spice_number(w_um)} l={spice_number(l_um)}"
        f" ad={spice_number(area)} as={spice_number(area)}"
        f" pd={spice_number(perimeter)} ps={spice_number(perimeter)}"
        f" mm_z={spice_number(mismatch_z)}"
    )


def transistor(
    geometry: TransistorGeometry,
    suffix: str,
    drain: str,
    gate: str,
    source: str,
    bulk: str,
    corner: ProcessCorner,
    deviations: Mapping[str, TransistorDeviation],
    l_diffusion_m: float,
    technology: Technology = PTM130,
) -> str:
    """One transistor of a generator, at a process corner with its own mismatch.

    With a ``.model``-card technology the instance is named ``m<geometry.name><suffix>``; its
    ``delvto``/``mulu0`` combine the corner shift and ``deviations[geometry.name]`` (none if
    absent), see :func:`rram_ber.models.cmos.instance_parameters`, and with the project's corners
    its length carries the corner's length shift (:func:`rram_ber.models.cmos.corner_length_m`);
    mismatch is drawn for the drawn geometry. With SKY130 it is ``x<geometry.name><suffix>``: the
    corner is in the included parameter file, and the deviation's ``dvt_v`` becomes the PDK's
    standard-normal draw ``mm_z = dVT / sigma`` with sigma the PDK's own threshold mismatch
    (:attr:`Technology.mismatch`); ``mm_z`` is negated
    for PMOS because the PDK adds it to the signed (negative) PMOS threshold.
    """
    deviation = deviations.get(geometry.name, NO_DEVIATION)
    if technology.style is InstanceStyle.SKY130_SUBCIRCUIT:
        sigma = technology.mismatch.sigma_vt(geometry.polarity, geometry.w_m, geometry.l_m)
        z = deviation.dvt_v / sigma if sigma > 0.0 else 0.0
        return sky130_mosfet(
            technology,
            geometry.name + suffix,
            (drain, gate, source, bulk),
            geometry.polarity,
            geometry.w_m,
            geometry.l_m,
            z if geometry.polarity is Polarity.NMOS else -z,
            l_diffusion_m,
        )
    # A user library selects its corner by section: no project shift on top of it.
    shifted = corner if technology.corner_shifts else ProcessCorner.TT
    delvto, mulu0 = instance_parameters(geometry.polarity, shifted, deviation)
    return model_card_mosfet(
        technology,
        geometry.name + suffix,
        drain,
        gate,
        source,
        bulk,
        geometry.polarity,
        geometry.w_m,
        corner_length_m(geometry.l_m, geometry.polarity, shifted),
        delvto,
        mulu0,
        l_diffusion_m,
    )


def resistor(name: str, node_a: str, node_b: str, resistance_ohm: float) -> str:
    """A linear resistor line."""
    return f"r{identifier(name)} {identifier(node_a)} {identifier(node_b)} " + spice_number(
        resistance_ohm
    )


def capacitor(name: str, node_a: str, node_b: str, capacitance_f: float) -> str:
    """A linear capacitor line."""
    return f"c{identifier(name)} {identifier(node_a)} {identifier(node_b)} " + spice_number(
        capacitance_f
    )


def dc_source(name: str, positive: str, negative: str, voltage_v: float) -> str:
    """An ideal DC voltage source line."""
    return f"v{identifier(name)} {identifier(positive)} {identifier(negative)} dc " + spice_number(
        voltage_v
    )


def pulse_source(
    name: str,
    positive: str,
    negative: str,
    low_v: float,
    high_v: float,
    delay_s: float,
    edge_s: float,
    width_s: float,
) -> str:
    """A single trapezoidal pulse (period longer than any simulation)."""
    values = (low_v, high_v, delay_s, edge_s, edge_s, width_s, 1.0)
    return (
        f"v{identifier(name)} {identifier(positive)} {identifier(negative)} pulse("
        + " ".join(spice_number(v) for v in values)
        + ")"
    )
