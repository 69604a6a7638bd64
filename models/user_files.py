"""User-supplied netlist files: a model library and a sense-amplifier subcircuit, checked first.

A user file may only contain models and subcircuits. ngspice's control language can run
programs (``shell``), read other files (``source``) and execute commands at parse time
(``.exec``, ``.control`` ... ``.endc``), so :func:`scan_user_file` refuses, with the file, the
line and the reason, any file holding

* a control block or command: ``.control``, ``.endc``, ``.exec``, ``shell``, ``source``;
* an ``.include`` / ``.inc`` / ``.lib <file>`` of anything outside the file's own folder;
* any dot command other than those that define models and subcircuits (``.model``, ``.subckt``,
  ``.ends``, ``.param``, ``.func``, ``.lib``/``.endl`` sections, ``.include``, ``.end``), e.g.
  an analysis (``.tran``) or output (``.print``) statement, or an ``.option(s)`` line: inlined
  into the deck it would change the whole simulation (``scale`` multiplies every W and L,
  ``temp`` overrides the condition's temperature, tolerances change every read).

Files it includes are scanned the same way. Accepted text is inlined into the netlist (the
includes resolved), so exported decks run unchanged elsewhere, and each file's SHA-256 is
reported so a campaign can record it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from rram_ber.core.validation import ParameterError

#: Dot commands a model library or subcircuit file may hold.
ALLOWED_DOT_COMMANDS = frozenset(
    {
        ".model",
        ".subckt",
        ".ends",
        ".param",
        ".func",
        ".lib",
        ".endl",
        ".include",
        ".inc",
        ".end",
    }
)
_CONTROL = {
    ".control": "a control-language block (.control)",
    ".endc": "a control-language block (.endc)",
    ".exec": "a control-language command (.exec)",
    "shell": "a shell command",
    "source": "a control-language 'source' command",
}
#: Dot commands refused with their own reason (any other gets "the command ...").
_GLOBAL = {
    ".option": "an .option line (it would set scale, temperature or tolerances for the whole "
    "simulation; rram-ber sets them: remove it)",
}
_GLOBAL[".options"] = _GLOBAL[".option"].replace(".option line", ".options line")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_MAX_BYTES = 50_000_000
_MAX_DEPTH = 8


class UserFileError(ParameterError):
    """A user file refused by the scanner (a :class:`ParameterError`: exit status 2)."""

    def __init__(self, path: Path, line: int, text: str, reason: str) -> None:
        super().__init__(
            f"{path} line {line}",
            text.strip()[:80],
            f"a file with only models and subcircuits; refused: {reason}",
        )
        self.path = path
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """A user file that passed :func:`scan_user_file`.

    Attributes
    ----------
    path : Path
        Absolute path.
    text : str
        Its text with every ``.include`` replaced by the included text (scanned too).
    sha256 : str
        SHA-256 of the file's own bytes (hex).
    included : tuple of Path
        Files it includes, recursively.
    """

    path: Path
    text: str
    sha256: str
    included: tuple[Path, ...] = ()


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """``(line number, text)`` of each non-comment line, ``+`` continuations joined."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("*"):
            continue
        if stripped.startswith("+") and lines:
            lines[-1] = (lines[-1][0], lines[-1][1] + " " + stripped[1:])
        else:
            lines.append((number, stripped))
    return lines


def _inside(folder: Path, target: Path) -> bool:
    try:
        target.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _read(path: Path, field: str) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ParameterError(field, str(path), f"a readable file ({error.strerror})") from None
    if len(data) > _MAX_BYTES:
        raise ParameterError(field, str(path), f"a file of at most {_MAX_BYTES} bytes")
    return data


def scan_user_file(path: Path, field: str = "file", _depth: int = 0) -> ScannedFile:
    """Check a user model or subcircuit file and return its resolved text and checksum.

    Parameters
    ----------
    path : Path
        The file.
    field : str
        Spec key or option that named it (for a missing or unreadable file).

    Raises
    ------
    UserFileError
        Naming the file, the line and the reason (see the module docstring).
    ParameterError
        If the file cannot be read or is not ASCII/UTF-8 text.
    """
    path = path.resolve()
    data = _read(path, field)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ParameterError(field, str(path), "a text (UTF-8) netlist file") from None
    folder = path.parent
    out: list[str] = []
    included: list[Path] = []
    replaced: dict[int, str] = {}
    for number, line in _logical_lines(text):
        words = line.split()
        first = words[0].lower()
        if first in _CONTROL:
            raise UserFileError(path, number, line, _CONTROL[first])
        if not first.startswith("."):
            continue
        if first not in ALLOWED_DOT_COMMANDS:
            raise UserFileError(path, number, line, _GLOBAL.get(first, f"the command {first}"))
        is_file_lib = first == ".lib" and len(words) >= 3
        if first in (".include", ".inc") or is_file_lib:
            if len(words) < 2:
                raise UserFileError(path, number, line, f"{first} without a file")
            target = folder / words[1].strip("'\"")
            if not _inside(folder, target):
                raise UserFileError(
                    path, number, line, f"{first} of a file outside the folder {folder}"
                )
            if _depth >= _MAX_DEPTH:
                raise UserFileError(path, number, line, "includes nested too deeply")
            child = scan_user_file(target, field, _depth + 1)
            included += [child.path, *child.included]
            section = words[2] if is_file_lib else None
            replaced[number] = (
                child.text if section is None else library_section(child, section, field)
            )
    for number, raw in enumerate(text.splitlines(), start=1):
        out.append(replaced.get(number, raw))
    digest = hashlib.sha256(data).hexdigest()
    return ScannedFile(path, "\n".join(out) + "\n", digest, tuple(included))


def library_section(scanned: ScannedFile, section: str, field: str = "library") -> str:
    """Text of the ``.lib <section>`` ... ``.endl`` block of a scanned library.

    Raises
    ------
    ParameterError
        If the library has no such section.
    """
    pattern = re.compile(
        rf"^\s*\.lib\s+{re.escape(section)}\s*$(.*?)^\s*\.endl\b[^\n]*$",
        re.IGNORECASE | re.MULTILINE | re.DOTALL,
    )
    match = pattern.search(scanned.text)
    if match is None:
        raise ParameterError(field, section, f"a section (.lib {section}) of {scanned.path}")
    return match.group(1).strip("\n")


def check_name(field: str, value: object) -> str:
    """A model or subcircuit name (letters, digits, ``_`` and ``.``), lower-cased."""
    if not isinstance(value, str) or not _NAME.match(value):
        raise ParameterError(field, value, "a model or subcircuit name (letters, digits, _ .)")
    return value.lower()


def subcircuit_ports(scanned: ScannedFile, name: str, field: str = "subckt") -> tuple[str, ...]:
    """Port names of subcircuit ``name`` in a scanned file, in order (lower case).

    Parameters after the ports (``key=value``) are not ports.

    Raises
    ------
    ParameterError
        If the file defines no such subcircuit.
    """
    for _, line in _logical_lines(scanned.text):
        words = line.split()
        if len(words) >= 2 and words[0].lower() == ".subckt" and words[1].lower() == name:
            ports = []
            for word in words[2:]:
                if "=" in word or word.lower() == "params:":
                    break
                ports.append(word.lower())
            return tuple(ports)
    raise ParameterError(field, name, f"a subcircuit defined in {scanned.path}")
