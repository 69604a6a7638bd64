"""Validation of user-facing numbers, shared by every layer.

Every parameter record in ``models``, ``circuits``, ``characterization`` and ``analysis``
validates itself with these helpers in ``__post_init__``. A bad value raises
:class:`ParameterError`, whose message names the field, the value and what is allowed, so the
command line can print it as is and exit with status 2.

Netlists are built only from numbers that passed these checks (never from user strings), because
an ngspice ``.control`` block can run shell commands.
"""

from __future__ import annotations

import enum
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from rram_ber.core.units import without_unit_letters

E = TypeVar("E", bound=enum.StrEnum)


class ParameterError(ValueError):
    """A parameter value outside what is allowed.

    Parameters
    ----------
    field : str
        Name of the parameter (record field, campaign key or command-line option).
    value : object
        The offending value, as given.
    allowed : str
        Human-readable description of the allowed values, e.g. ``"0 < vdd <= 3.3 V"``.
    """

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field} = {value!r} is not allowed; expected {allowed}")

    def __reduce__(self) -> tuple[type[ParameterError], tuple[str, Any, str]]:
        # Errors raised in a worker process travel back pickled; the default reduction calls
        # ``ParameterError(message)`` and fails, which broke the whole process pool.
        return (type(self), (self.field, self.value, self.allowed))

    def renamed(self, field: str) -> ParameterError:
        """The same error reported under another name (e.g. a command-line option)."""
        return ParameterError(field, self.value, self.allowed)


class MissingParameterError(ParameterError):
    """A required parameter that was not given at all (the message says it is required,
    rather than showing ``= None``).

    Parameters
    ----------
    field : str
        Name of the parameter (e.g. ``--data``).
    allowed : str
        What to give, e.g. ``"test data (x, y) for net.npz"``.
    """

    def __init__(self, field: str, allowed: str) -> None:
        super().__init__(field, None, allowed)
        self.args = (f"{field} is required (none was given); expected {allowed}",)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.allowed))

    def renamed(self, field: str) -> ParameterError:
        """The same error reported under another name."""
        return MissingParameterError(field, self.allowed)


def _as_float(field: str, value: Any, allowed: str) -> float:
    # bool is an int subclass; True as a voltage is a bug, not 1 V.
    if isinstance(value, bool) or not isinstance(value, int | float):
        bare = without_unit_letters(value) if isinstance(value, str) else None
        if bare is not None:  # "1ns" in a spec: say what to write
            allowed += f" (write {bare!r}: no unit letters after the SPICE suffix)"
        raise ParameterError(field, value, allowed)
    number = float(value)
    if not math.isfinite(number):
        raise ParameterError(field, value, allowed)
    return number


def check_range(
    field: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    unit: str = "",
) -> float:
    """Return ``value`` as a finite float inside ``[low, high]``, else raise.

    Parameters
    ----------
    field : str
        Name used in the error message.
    value : object
        Candidate value; must be a real number (not bool, not NaN or infinite).
    low, high : float or None
        Bounds; ``None`` means unbounded on that side.
    low_inclusive, high_inclusive : bool
        Whether the bounds themselves are allowed.
    unit : str
        Unit appended to the description of the allowed range.

    Returns
    -------
    float
        The validated value.

    Raises
    ------
    ParameterError
        If the value is not a finite real number inside the range.
    """
    allowed = describe_range(low, high, low_inclusive, high_inclusive, unit)
    number = _as_float(field, value, allowed)
    if low is not None and (number < low or (number == low and not low_inclusive)):
        raise ParameterError(field, value, allowed)
    if high is not None and (number > high or (number == high and not high_inclusive)):
        raise ParameterError(field, value, allowed)
    return number


def check_positive(field: str, value: Any, unit: str = "") -> float:
    """Return ``value`` as a finite float > 0, else raise :class:`ParameterError`."""
    return check_range(field, value, 0.0, None, low_inclusive=False, unit=unit)


def check_int(field: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int inside ``[low, high]``, else raise :class:`ParameterError`."""
    allowed = "an integer" + (
        ""
        if low is None and high is None
        else " " + describe_range(low, high, True, True, "").removeprefix("a finite number ")
    )
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(field, value, allowed)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ParameterError(field, value, allowed)
    return value


def check_choice(field: str, value: Any, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices`` (case-sensitive), else raise."""
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        raise ParameterError(field, value, "one of " + ", ".join(repr(c) for c in options))
    return value


def parse_enum(enum_type: type[E], value: Any, field: str) -> E:
    """The member of a string enum named ``value`` (case-insensitive), else raise.

    Raises
    ------
    ParameterError
        Listing the allowed names.
    """
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        try:
            return enum_type(value.lower())
        except ValueError:
            pass
    raise ParameterError(field, value, "one of " + ", ".join(repr(m.value) for m in enum_type))


def describe_range(
    low: float | None, high: float | None, low_inclusive: bool, high_inclusive: bool, unit: str
) -> str:
    """Text such as ``"0 < x <= 3.3 V"`` describing an interval."""
    suffix = f" {unit}" if unit else ""
    if low is None and high is None:
        return "a finite number" + suffix
    parts = []
    if low is not None:
        parts.append(f"{low:g} {'<=' if low_inclusive else '<'} ")
    parts.append("x")
    if high is not None:
        parts.append(f" {'<=' if high_inclusive else '<'} {high:g}")
    return "a finite number " + "".join(parts) + suffix


class prefixed_errors:
    """Report a :class:`ParameterError` raised inside the block under ``prefix + field``.

    The one way a record that builds other records (a campaign table, the VCM programming
    settings) names the key the user wrote: ``with prefixed_errors("device."): ...`` turns an
    error on ``model`` into one on ``device.model``. Names that already hold a dot are kept.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, traceback: Any) -> None:
        if isinstance(exc, ParameterError) and "." not in exc.field.split(" ")[0]:
            raise ParameterError(self.prefix + exc.field, exc.value, exc.allowed) from None


#: Metadata key of a field declared with :func:`ranged`.
RANGE = "rram_ber.range"


def ranged(
    default: float | None,
    low: float | None,
    high: float | None,
    *,
    unit: str = "",
    description: str = "",
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> Any:
    """A dataclass field whose allowed range, unit and description are declared once.

    The one way a range is declared. :func:`check_fields` validates it (the error names the
    field; a table prefix is added by :class:`prefixed_errors`), and the same metadata documents
    it. A field whose default is None is optional: None is always allowed.
    """
    from dataclasses import field

    metadata = {
        RANGE: {
            "low": low,
            "high": high,
            "low_inclusive": low_inclusive,
            "high_inclusive": high_inclusive,
            "unit": unit,
        },
        "description": description,
    }
    return field(default=default, metadata=metadata)


def check_fields(record: Any) -> None:
    """Check every field of a dataclass ``record`` declared with :func:`ranged` (None passes)."""
    from dataclasses import fields

    for item in fields(record):
        bounds = item.metadata.get(RANGE)
        value = getattr(record, item.name)
        if bounds is not None and value is not None:
            check_range(
                item.name,
                value,
                bounds["low"],
                bounds["high"],
                low_inclusive=bounds["low_inclusive"],
                high_inclusive=bounds["high_inclusive"],
                unit=bounds["unit"],
            )


def make_writable_dir(field: str, path: Path) -> Path:
    """Create directory ``path`` (and parents) if needed and check this user can write there.

    Checked before any simulation, so an unusable output path never costs a run.

    Raises
    ------
    ParameterError
        If ``path`` is an existing file, cannot be created, or is not writable.
    """
    if path.exists() and not path.is_dir():
        raise ParameterError(field, str(path), "a directory (this is an existing file)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ParameterError(
            field, str(path), f"a directory that can be created ({error.strerror})"
        ) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ParameterError(field, str(path), "a directory this user can write to")
    return path
