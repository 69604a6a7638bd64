"""Spec limits of a campaign: the ``[spec]`` table (upper limits each result must meet).

A campaign may declare what its read has to achieve, in the manner of a datasheet's
maximum column::

    [spec]
    ber_max = 1e-3            # bit-error rate
    delay_max_s = "1n"        # 99.9th-percentile sense delay [s]
    energy_max_j = 50e-15     # mean read energy [J]
    accuracy_drop_max = 0.01  # network accuracy loss against clean weights (0.01 = 1 point)

The limits are a verdict on results, not an input of the simulation: they are kept out of the
campaign's fingerprint, so changing a limit never blocks resuming or reporting a campaign.
The report's headline checks every operating point against them; limits given on the
command line take precedence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from rram_ber.characterization.spec_tools import build, record_keys, reject_unknown
from rram_ber.core.units import parse_spice_number
from rram_ber.core.validation import ParameterError, check_fields, ranged


@dataclass(frozen=True)
class SpecLimits:
    """Upper limits an operating point must meet (``None``: not declared).

    Attributes
    ----------
    ber_max : float, optional
        Largest acceptable bit-error rate (pass: the whole 95 % interval is at or below it).
    delay_max_s : float, optional
        Largest acceptable sense delay [s], compared with the 99.9th percentile.
    energy_max_j : float, optional
        Largest acceptable mean read energy [J].
    accuracy_drop_max : float, optional
        Largest acceptable accuracy loss against clean weights [fraction, 0.01 = 1 point].
    """

    ber_max: float | None = ranged(None, 0.0, 1.0, low_inclusive=False)
    delay_max_s: float | None = ranged(None, 0.0, None, low_inclusive=False, unit="s")
    energy_max_j: float | None = ranged(None, 0.0, None, low_inclusive=False, unit="J")
    accuracy_drop_max: float | None = ranged(None, 0.0, 1.0, low_inclusive=False)

    def __post_init__(self) -> None:
        check_fields(self)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str = "spec") -> SpecLimits:
        """Limits from a table such as a campaign's ``[spec]``.

        Numbers may carry SPICE suffixes (``"1n"``, ``"50f"``); unknown keys are refused.

        Raises
        ------
        ParameterError
            Naming ``<where>.<key>``, the value and what is allowed.
        """
        keys = record_keys(cls)
        if not isinstance(values, Mapping):
            raise ParameterError(where, values, "a table of limits (" + ", ".join(keys) + ")")
        reject_unknown(where, values, keys)
        parsed: dict[str, float] = {}
        for key, value in values.items():
            if value is None:
                continue
            number = parse_spice_number(value) if isinstance(value, str) else value
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise ParameterError(f"{where}.{key}", value, "a number (SPICE suffixes allowed)")
            parsed[key] = float(number)
        return build(where, cls, parsed)

    def to_dict(self) -> dict[str, float]:
        """The declared limits only (plain data, as a ``[spec]`` table holds them)."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }

    def merged(self, other: SpecLimits) -> SpecLimits:
        """These limits with every limit declared in ``other`` taking precedence."""
        return SpecLimits(**{**self.to_dict(), **other.to_dict()})

    @property
    def declared(self) -> bool:
        """Whether any limit is declared."""
        return bool(self.to_dict())
