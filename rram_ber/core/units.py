"""Numbers as users write them: SPICE scale suffixes (``5k``, ``2n``, ``50u``, ``1.5meg``).

Used wherever a number is read from text: command-line options and spec values.
"""

from __future__ import annotations

import re

#: SPICE scale suffixes (case-insensitive; ``m`` is milli, ``meg`` mega, as in ngspice).
SPICE_SUFFIXES = {
    "f": 1e-15, "p": 1e-12, "n": 1e-9, "u": 1e-6, "m": 1e-3,
    "k": 1e3, "meg": 1e6, "g": 1e9, "t": 1e12,
}  # fmt: skip

_SPICE_NUMBER = re.compile(
    r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(meg|[fpnumkgt])?\s*$", re.I
)


def parse_spice_number(text: str) -> float | None:
    """``"5k"``, ``"2n"``, ``"50u"``, ``"1.5meg"`` or ``"1e-9"`` as a float; None if malformed.

    Anything :class:`float` reads is returned as it reads it (``"nan"`` included, so that
    the range check reports it like any other value out of range).

    The suffixes are ngspice's (``m`` = 1e-3, ``meg`` = 1e6); no unit letters may follow, so a
    typo such as ``2ns`` or ``5kohm`` is refused rather than read the way SPICE would.
    """
    try:
        # Plain numbers as Python reads them (nan and inf too: the range checks name them).
        return float(text)
    except ValueError:
        pass
    match = _SPICE_NUMBER.match(text)
    if match is None:
        return None
    return float(match.group(1)) * SPICE_SUFFIXES.get((match.group(2) or "").lower(), 1.0)


_UNIT_LETTERS = re.compile(
    r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?(?:meg|[fpnumkgt])?)([a-z]+)\s*$", re.I
)


def without_unit_letters(text: str) -> str | None:
    """``"1n"`` for ``"1ns"``, ``"5k"`` for ``"5kohm"``: the number ngspice would read, which
    rram-ber asks for instead (None if ``text`` is not a number followed by letters).

    ngspice ignores letters after the scale suffix; rram-ber refuses them, since ``1mohm``
    (1e-3 ohm to ngspice) or ``1ms`` are easily meant otherwise, and suggests this form.
    """
    if parse_spice_number(text) is not None:
        return None
    match = _UNIT_LETTERS.match(text)
    if match is None or parse_spice_number(match.group(1)) is None:
        return None
    return match.group(1)


def spice_float(text: str) -> float:
    """An ``argparse`` type: a number with an optional SPICE suffix (``5k``, ``2n``, ``50u``)."""
    import argparse

    number = parse_spice_number(text)
    if number is None:
        bare = without_unit_letters(text)
        hint = (
            f"; write {bare!r} (no unit letters after the suffix; m is milli, meg mega)"
            if bare is not None
            else ""
        )
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number; expected e.g. 1.2, 1e-9 or a SPICE suffix "
            f"(f p n u m k meg g t: 5k, 2n, 50u){hint}"
        )
    return number
