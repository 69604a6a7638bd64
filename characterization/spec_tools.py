"""The toolkit every table of a campaign file is parsed with.

One way each for what every table needs:

* a sub-table (:func:`table`) and the refusal of unknown keys (:func:`reject_unknown`, listing
  the known ones);
* a record built from a table (:func:`record_from_table`): unknown keys refused, TOML integers
  given to float fields made floats, any error reported under ``<table>.<field>``
  (:func:`build`, through :class:`~rram_ber.core.validation.prefixed_errors`);
* a swept key, one value or a list of them (:func:`swept`), and the name of one swept element
  in a message (:func:`element`);
* a switch (:func:`boolean`).

Ranges are declared on the records' fields with :func:`rram_ber.core.validation.ranged`; a
record checks them in ``__post_init__`` with :func:`~rram_ber.core.validation.check_fields`,
so the same declaration documents the field and names it in the error.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from rram_ber.core.units import parse_spice_number
from rram_ber.core.validation import ParameterError, prefixed_errors

R = TypeVar("R")
T = TypeVar("T")


def table(data: Mapping[str, Any], name: str, parent: str = "") -> dict[str, Any]:
    """The sub-table ``data[name]`` (empty when absent).

    Raises
    ------
    ParameterError
        If the value is not a table (named ``parent.name``).
    """
    where = f"{parent}.{name}" if parent else name
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ParameterError(where, value, f"a table [{where}]")
    return value


def reject_unknown(where: str, given: Mapping[str, Any], allowed: Collection[str]) -> None:
    """Refuse the first key of ``given`` not in ``allowed``, listing the allowed keys.

    ``where`` is the table's name (empty for the top level of the file).
    """
    for key, value in given.items():
        if key not in allowed:
            raise ParameterError(
                f"{where}.{key}" if where else key,
                value,
                "a known key: " + ", ".join(repr(k) for k in allowed),
            )


def record_keys(record_type: type, without: Collection[str] = ()) -> tuple[str, ...]:
    """The field names of a dataclass, in declaration order, less ``without``."""
    return tuple(f.name for f in dataclasses.fields(record_type) if f.name not in without)


@functools.cache
def _float_fields(record_type: type) -> frozenset[str]:
    """The fields of ``record_type`` annotated ``float`` or ``float | None``."""
    hints = typing.get_type_hints(record_type)
    floats = set()
    for name, hint in hints.items():
        options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        if float in options and int not in options:
            floats.add(name)
    return frozenset(floats)


def with_floats(record_type: type, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with TOML integers given to float fields made floats (``vdd_v = 1``).

    Anything else is left for the record's own check, whose message states what is allowed.
    """
    floats = _float_fields(record_type)
    return {key: as_float(value) if key in floats else value for key, value in values.items()}


def as_float(value: Any) -> Any:
    """An integer (not a bool) as a float, a string with a SPICE suffix as its number
    (``"0.5n"``, ``"50u"``, as the command-line options read them); any other value unchanged,
    for the record's own check to name."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        number = parse_spice_number(value)
        return value if number is None else number
    return value


def build(where: str, record_type: Callable[..., R], values: Mapping[str, Any]) -> R:
    """``record_type(**values)``, any error reported under ``where.<field>``.

    Raises
    ------
    ParameterError
        The record's own error with the table name prefixed; a value of a type the record's
        checks cannot even compare is reported on the table as a whole.
    """
    try:
        with prefixed_errors(f"{where}."):
            return record_type(**values)
    except TypeError as error:  # a value of the wrong type reached a comparison
        raise ParameterError(where, dict(values), f"valid values ({error})") from None


def record_from_table(
    where: str,
    record_type: type[R],
    values: Mapping[str, Any],
    *,
    defaults: Mapping[str, Any] | None = None,
    without: Collection[str] = (),
) -> R:
    """The record a table describes: its keys are the record's fields (less ``without``).

    Parameters
    ----------
    where : str
        The table's name, prefixed to every error's field.
    record_type : dataclass type
        The record; it validates itself in ``__post_init__``.
    values : mapping
        The table as read.
    defaults : mapping, optional
        Values of the fields the table leaves out (else the record's own defaults), e.g. a
        technology's default sizes.
    without : collection of str
        Fields the table may not set (set through ``defaults``).

    Raises
    ------
    ParameterError
        On an unknown key or a value the record refuses, naming ``where.<key>``.
    """
    reject_unknown(where, values, record_keys(record_type, without))
    return build(where, record_type, {**(defaults or {}), **with_floats(record_type, values)})


def element(field: str, index: int, count: int) -> str:
    """The name of element ``index`` of a swept key holding ``count`` values, for a message."""
    return f"{field}[{index}]" if count > 1 else field


def swept(
    field: str,
    raw: Any,
    check: Callable[[str, Any], T],
    allowed: str = "a value or a non-empty list",
) -> tuple[T, ...]:
    """The values of a swept key: one value or a non-empty list without repeats.

    Parameters
    ----------
    field : str
        The key's full name (``conditions.vdd_v``).
    raw : object
        The value as read: one value or a list of them.
    check : callable
        ``check(name, value)`` returns the validated value or raises; ``name`` carries
        ``[i]`` for an element of a list.
    allowed : str
        What the key may hold, for the message on an empty list.

    Raises
    ------
    ParameterError
        On an empty list, an invalid element or a repeated value.
    """
    values = raw if isinstance(raw, list) else [raw]
    if not values:
        raise ParameterError(field, raw, allowed)
    checked = tuple(
        check(f"{field}[{index}]" if isinstance(raw, list) else field, value)
        for index, value in enumerate(values)
    )
    if len(set(checked)) != len(checked):
        raise ParameterError(field, raw, "a list without repeated values")
    return checked


def boolean(field: str, value: Any) -> bool:
    """A switch: ``true`` or ``false`` (not 0 or 1)."""
    if not isinstance(value, bool):
        raise ParameterError(field, value, "true or false")
    return value
