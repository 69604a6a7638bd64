"""Formatting of netlist elements from validated numbers.

Everything written into a netlist goes through these helpers: numbers are formatted from finite
floats, names are built from fixed identifiers and integer indices. No user-supplied string can
reach ngspice this way (an ngspice ``.control`` block can run shell commands).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from models.cmos import (
    NMOS_MODEL,
    NO_DEVIATION,
    PMOS_MODEL,
    Polarity,
    ProcessCorner,
    TransistorDeviation,
    TransistorGeometry,
    corner_length_m,
    instance_parameters,
)

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


def mosfet(
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
    """One BSIM4 MOSFET instance line.

    Source and drain diffusions are given explicit areas and perimeters (a rectangle of the
    device width by ``l_diffusion_m``) so that junction capacitances load the circuit; the PTM
    card would otherwise compute zero area.
    """
    model = NMOS_MODEL if polarity is Polarity.NMOS else PMOS_MODEL
    area = w_m * l_diffusion_m
    perimeter = 2.0 * (w_m + l_diffusion_m)
    nodes = " ".join(identifier(n) for n in (drain, gate, source, bulk))
    return (
        f"m{identifier(name)} {nodes} {model} w={spice_number(w_m)} l={spice_number(l_m)}"
        f" ad={spice_number(area)} as={spice_number(area)}"
        f" pd={spice_number(perimeter)} ps={spice_number(perimeter)}"
        f" delvto={spice_number(delvto_v)} mulu0={spice_number(mulu0)}"
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
) -> str:
    """One transistor of a generator, at a process corner with its own mismatch.

    The instance is named ``m<geometry.name><suffix>``; its ``delvto``/``mulu0`` combine the
    corner shift and ``deviations[geometry.name]`` (none if absent), see
    :func:`models.cmos.instance_parameters`, and its length carries the corner's length shift
    (:func:`models.cmos.corner_length_m`). Mismatch is drawn for the drawn geometry.
    """
    delvto, mulu0 = instance_parameters(
        geometry.polarity, corner, deviations.get(geometry.name, NO_DEVIATION)
    )
    return mosfet(
        geometry.name + suffix,
        drain,
        gate,
        source,
        bulk,
        geometry.polarity,
        geometry.w_m,
        corner_length_m(geometry.l_m, geometry.polarity, corner),
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
