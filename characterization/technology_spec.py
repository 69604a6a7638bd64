"""The ``[technology]`` table of a campaign: built-in process, user model library, user PCSA.

::

    [technology]
    name = "sky130"                  # built-in: "ptm130" (default) or "sky130"
    # a user's own BSIM model library (.model cards in .lib sections, one per corner):
    library = "models/my130.lib"
    corners = { tt = "tt", ff = "ff", ss = "ss" }
    nmos_model = "nch"
    pmos_model = "pch"
    # a user's own sense amplifier (ports in order, by role):
    pcsa = "my_sa.sp"
    pcsa_subckt = "my_sa"
    pcsa_ports = ["vdd", "sen", "out", "outb", "bl", "blb", "sl"]

With ``library``, the supply limits and default sizes are those of ``name``, and local
mismatch uses the ``[variability]`` Pelgrom coefficients as ``delvto``/``mulu0`` on the
user's cards. Every user file is checked by :func:`rram_ber.models.user_files.scan_user_file` before
anything runs; its SHA-256 goes into ``campaign.json`` (and the campaign fingerprint) under
``technology.files``, and :func:`copy_user_files` copies it into the run directory.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rram_ber.characterization.spec_tools import reject_unknown
from rram_ber.circuits.user_pcsa import PcsaPort, UserPcsa
from rram_ber.core.validation import ParameterError, prefixed_errors
from rram_ber.models.cmos import PelgromCoefficients, ProcessCorner
from rram_ber.models.technology import (
    PTM130,
    TECHNOLOGIES,
    InstanceStyle,
    Technology,
    get_technology,
    user_technology,
)
from rram_ber.models.user_files import ScannedFile, check_name, scan_user_file

TECHNOLOGY_KEYS = (
    "name",
    "library",
    "corners",
    "nmos_model",
    "pmos_model",
    "pcsa",
    "pcsa_subckt",
    "pcsa_ports",
    "files",
)
#: Folder of the run directory holding copies of the user files.
USER_FILES_DIR = "user_files"


@dataclass(frozen=True, slots=True)
class TechnologySettings:
    """The validated ``[technology]`` table.

    Attributes
    ----------
    technology : Technology
        The technology the reads use (built-in, or built from the user's library).
    user_pcsa : UserPcsa or None
        The user's sense amplifier, if any.
    table : mapping
        The table as given (paths as written), for ``campaign.json``.
    files : mapping
        Path as written -> SHA-256 of every user file (empty when none, or not read).
    """

    technology: Technology = PTM130
    user_pcsa: UserPcsa | None = None
    table: Mapping[str, Any] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``campaign.json``: the table plus the files' checksums."""
        values = {k: v for k, v in self.table.items() if k != "files"}
        values.setdefault("name", self.technology.name)
        if self.files:
            values["files"] = dict(self.files)
        return values

    def scanned(self) -> tuple[ScannedFile, ...]:
        """The user files this technology uses (library, PCSA)."""
        files = []
        if self.technology.library is not None:
            files.append(self.technology.library)
        if self.user_pcsa is not None:
            files.append(self.user_pcsa.file)
        return tuple(files)


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ParameterError(f"technology.{key}", value, "a non-empty string")
    return value


def _scan(key: str, value: Any, source_dir: str) -> ScannedFile:
    return scan_user_file(Path(source_dir) / _text(key, value), f"technology.{key}")


def parse_technology(
    table: Mapping[str, Any], source_dir: str, pelgrom: PelgromCoefficients, read_files: bool
) -> TechnologySettings:
    """Validate ``[technology]``; with ``read_files``, scan the user files it names.

    Without ``read_files`` (a spec read back from ``campaign.json``) user files are not read:
    the technology is the built-in one named, and the table is kept for the record.

    Raises
    ------
    ParameterError
        Naming the key, the value and what is allowed; a refused user file names the file, the
        line and the reason.
    """
    reject_unknown("technology", table, TECHNOLOGY_KEYS)
    name = table.get("name", PTM130.name)
    if name not in TECHNOLOGIES:
        raise ParameterError("technology.name", name, "one of " + ", ".join(TECHNOLOGIES))
    base = get_technology(name, "technology.name")
    library_keys = ("library", "corners", "nmos_model", "pmos_model")
    pcsa_keys = ("pcsa", "pcsa_subckt", "pcsa_ports")
    for group in (library_keys, pcsa_keys):
        given = [k for k in group if k in table]
        if given and len(given) != len(group):
            missing = [k for k in group if k not in table]
            raise ParameterError(
                f"technology.{missing[0]}", None, "a value (set together: " + ", ".join(group) + ")"
            )
    recorded = table.get("files", {})
    if not isinstance(recorded, dict):
        raise ParameterError("technology.files", recorded, "a table of path = sha256")
    if not read_files:
        return TechnologySettings(restored_technology(table, base, pelgrom), None, dict(table),
                                  dict(recorded))  # fmt: skip
    technology = base
    files: dict[str, str] = {}
    if "library" in table:
        library = _scan("library", table["library"], source_dir)
        corners = table["corners"]
        if not isinstance(corners, dict) or not corners:
            raise ParameterError("technology.corners", corners, "a table corner = section")
        sections = {
            ProcessCorner.parse(k, "technology.corners"): _text(f"corners.{k}", v)
            for k, v in corners.items()
        }
        technology = user_technology(
            library,
            sections,
            _text("nmos_model", table["nmos_model"]),
            _text("pmos_model", table["pmos_model"]),
            pelgrom,
            base,
        )
        files[table["library"]] = library.sha256
    user_pcsa = None
    if "pcsa" in table:
        ports = table["pcsa_ports"]
        if not isinstance(ports, list):
            raise ParameterError(
                "technology.pcsa_ports", ports, "a list of roles: " + ", ".join(PcsaPort)
            )
        scanned = _scan("pcsa", table["pcsa"], source_dir)
        subckt = _text("pcsa_subckt", table["pcsa_subckt"])
        with prefixed_errors("technology."):
            user_pcsa = UserPcsa(scanned, subckt, tuple(ports))
        files[table["pcsa"]] = scanned.sha256
    for path, digest in recorded.items():
        if files.get(path, digest) != digest:
            raise ParameterError(
                f"technology.files.{path}", digest, f"the file's checksum {files[path]}"
            )
    return TechnologySettings(technology, user_pcsa, dict(table), files)


def covered_corners(settings: TechnologySettings, corners: tuple[ProcessCorner, ...]) -> None:
    """Refuse a swept corner the user's library has no section for."""
    sections = dict(settings.technology.corner_sections)
    if settings.technology.library is None:
        return
    for corner in corners:
        if corner not in sections:
            raise ParameterError(
                "conditions.corner",
                corner.value,
                "a corner with a section in technology.corners: "
                + ", ".join(c.value for c in sections),
            )


def copy_user_files(settings: TechnologySettings, out: Path) -> None:
    """Copy the user files (and what they include) into ``out/user_files``."""
    scanned = settings.scanned()
    if not scanned:
        return
    target = out / USER_FILES_DIR
    target.mkdir(exist_ok=True)
    for item in scanned:
        shutil.copy2(item.path, target / item.path.name)
        for included in item.included:
            relative = included.relative_to(item.path.parent)
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(included, target / relative)


def recorded_table(table: Mapping[str, Any]) -> dict[str, Any]:
    """A ``[technology]`` table read back from ``campaign.json``, as the TOML file gave it.

    :meth:`TechnologySettings.to_dict` records a user library's technology under its own name,
    ``user:<library file name>``, when the TOML named no base process (the default, PTM130,
    gave the supply limits and sizes); that name is dropped here so the table validates again.
    """
    values = dict(table)
    library = values.get("library")
    if isinstance(library, str) and values.get("name") == f"user:{Path(library).name}":
        del values["name"]
    return values


def restored_technology(
    table: Mapping[str, Any], base: Technology, pelgrom: PelgromCoefficients
) -> Technology:
    """The technology a finished campaign used, from its recorded ``[technology]`` table.

    Built-in processes are themselves; a user library becomes a record with the run's name,
    model names, corner sections, mismatch and the base process's limits and sizes, but no
    library text (the files are not read again: their checksums are in ``technology.files``
    and their copies in ``user_files/``). It describes results; simulating from it refuses
    every corner, having no library section to inline.
    """
    if "library" not in table:
        return base
    library = Path(_text("library", table["library"]))
    corners = table.get("corners")
    if not isinstance(corners, dict):
        raise ParameterError("technology.corners", corners, "a table corner = section")
    digest = dict(table.get("files") or {}).get(table["library"], "not recorded")
    return dataclasses.replace(
        base,
        name=f"user:{library.name}",
        source=f"user model library {library.name} (sha256 {digest}), as recorded",
        style=InstanceStyle.MODEL_CARD,
        nmos_model=check_name("technology.nmos_model", table.get("nmos_model")),
        pmos_model=check_name("technology.pmos_model", table.get("pmos_model")),
        mismatch=pelgrom,
        library=ScannedFile(library, "", digest),
        corner_sections=tuple(
            (ProcessCorner.parse(k, "technology.corners"), _text(f"corners.{k}", v))
            for k, v in corners.items()
        ),
    )
