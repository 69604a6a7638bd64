"""Resistance distributions for users with measured data (the second device option).

Instead of the VCM compact model, each programmed device is an ideal resistor whose value is
drawn from the LRS or HRS distribution:

* :class:`LogNormalResistance`: ``ln R ~ N(ln median, sigma_ln^2)``, the usual description of
  filamentary HfO2 RRAM states (e.g. S. Ambrogio et al., "Statistical fluctuations in HfOx
  resistive-switching memory: Part I", IEEE TED 61(8) 2912, 2014; A. Grossi et al., IEDM 2016);
* :class:`EmpiricalResistance`: resampling (with replacement) of measured resistances, e.g.
  read from a CSV file with :meth:`EmpiricalResistance.from_csv`.

Both map standard-normal variables to resistances (``from_standard_normal``), the form the
rare-event estimators need: exact for the log-normal; for the empirical distribution it is the
quantile function of ``ln R`` (linear interpolation between order statistics, clamped to the
measured range, so no value outside the data is ever produced).

Resistances only become netlist numbers through ``circuits.elements.FixedResistor``, so the
content of a CSV file never reaches ngspice as text.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

from rram_ber.validation import ParameterError, check_int, check_range

FloatArray = NDArray[np.float64]

#: Range accepted for any resistance [ohm] (the same ceiling as FixedResistor).
R_MIN_OHM = 1.0
R_MAX_OHM = 1e12
#: Largest sigma of ln R accepted [-] (3 would already span 4 decades at +-3 sigma).
SIGMA_LN_MAX = 3.0


@dataclass(frozen=True, slots=True)
class LogNormalResistance:
    """Log-normal resistance distribution.

    Attributes
    ----------
    median_ohm : float
        Median resistance ``exp(E[ln R])`` [ohm], in [1, 1e12].
    sigma_ln : float
        Standard deviation of ``ln R`` [-], in [0, 3].
    """

    median_ohm: float
    sigma_ln: float

    def __post_init__(self) -> None:
        check_range("median_ohm", self.median_ohm, R_MIN_OHM, R_MAX_OHM, unit="ohm")
        check_range("sigma_ln", self.sigma_ln, 0.0, SIGMA_LN_MAX)

    def from_standard_normal(self, u: ArrayLike) -> FloatArray:
        """``R = median * exp(sigma_ln * u)`` [ohm], clipped to [1, 1e12] ohm."""
        values = self.median_ohm * np.exp(self.sigma_ln * np.asarray(u, dtype=float))
        return np.asarray(np.clip(values, R_MIN_OHM, R_MAX_OHM), dtype=float)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` resistances [ohm] from ``rng.standard_normal(size)``."""
        check_int("size", size, 0, None)
        return self.from_standard_normal(rng.standard_normal(size))


@dataclass(frozen=True, slots=True)
class EmpiricalResistance:
    """Resampling of measured resistances.

    Attributes
    ----------
    values_ohm : tuple of float
        Measured resistances [ohm], at least 2, each in [1, 1e12].
    """

    values_ohm: tuple[float, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.values_ohm, tuple) or len(self.values_ohm) < 2:
            raise ParameterError(
                "values_ohm",
                self.values_ohm,
                "a tuple of at least 2 resistances",
            )
        for k, value in enumerate(self.values_ohm):
            check_range(f"values_ohm[{k}]", value, R_MIN_OHM, R_MAX_OHM, unit="ohm")

    @classmethod
    def from_values(cls, values: Sequence[float] | ArrayLike) -> EmpiricalResistance:
        """From any sequence of numbers [ohm]."""
        return cls(tuple(float(v) for v in np.asarray(values, dtype=float).ravel()))

    @classmethod
    def from_csv(cls, path: Path | str, column: str | int = 0) -> EmpiricalResistance:
        """Read resistances [ohm] from one column of a CSV file.

        Parameters
        ----------
        path : path-like
            CSV file; an optional header row is recognised by a non-numeric cell in the
            requested column. Empty lines are skipped.
        column : str or int
            Header name or 0-based index of the column holding resistances in ohm.

        Raises
        ------
        ParameterError
            If the file cannot be read, the column is missing, a value is not a number or is
            outside [1, 1e12] ohm, or fewer than 2 values are found; the message names the file
            and the line.
        """
        field = f"csv file {str(path)!r}"
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise ParameterError(field, str(path), f"a readable CSV file ({error})") from None
        if not rows:
            raise ParameterError(field, str(path), "at least 2 resistance values")
        index: int
        start = 0
        if isinstance(column, str):
            header = [cell.strip() for cell in rows[0]]
            if column not in header:
                raise ParameterError(field, column, f"a column among {header}")
            index, start = header.index(column), 1
        else:
            index = check_int("column", column, 0, None)
        values: list[float] = []
        for line_number, row in enumerate(rows[start:], start=start + 1):
            if index >= len(row):
                raise ParameterError(f"{field} line {line_number}", row, f"a column {index}")
            cell = row[index].strip()
            try:
                value = float(cell)
            except ValueError:
                if line_number == 1:
                    continue  # header row
                raise ParameterError(
                    f"{field} line {line_number}", cell, "a resistance in ohm"
                ) from None
            if not math.isfinite(value) or not R_MIN_OHM <= value <= R_MAX_OHM:
                raise ParameterError(
                    f"{field} line {line_number}", value, "a resistance in [1, 1e12] ohm"
                )
            values.append(value)
        if len(values) < 2:
            raise ParameterError(field, len(values), "at least 2 resistance values")
        return cls(tuple(values))

    @property
    def median_ohm(self) -> float:
        """Median of the data [ohm]."""
        return float(np.median(self.values_ohm))

    @property
    def sigma_ln(self) -> float:
        """Sample standard deviation of ``ln R`` [-]."""
        return float(np.std(np.log(self.values_ohm), ddof=1))

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` values drawn with replacement (``rng.integers``) [ohm]."""
        check_int("size", size, 0, None)
        data = np.asarray(self.values_ohm, dtype=float)
        return np.asarray(data[rng.integers(0, data.size, size)], dtype=float)

    def from_standard_normal(self, u: ArrayLike) -> FloatArray:
        """Quantile of ``ln R`` at ``Phi(u)`` (Hazen plotting positions ``(k - 0.5)/n``,
        linear interpolation, clamped to the data range) [ohm]."""
        log_sorted = np.sort(np.log(np.asarray(self.values_ohm, dtype=float)))
        n = log_sorted.size
        positions = (np.arange(1, n + 1) - 0.5) / n
        q = ndtr(np.asarray(u, dtype=float))
        return np.asarray(np.exp(np.interp(q, positions, log_sorted)), dtype=float)


ResistanceDistribution = LogNormalResistance | EmpiricalResistance


@dataclass(frozen=True, slots=True)
class ResistanceStates:
    """LRS and HRS distributions of a device population.

    Attributes
    ----------
    lrs, hrs : LogNormalResistance or EmpiricalResistance
        Distributions of the low- and high-resistance states.
    """

    lrs: ResistanceDistribution
    hrs: ResistanceDistribution

    def __post_init__(self) -> None:
        for name in ("lrs", "hrs"):
            if not isinstance(getattr(self, name), LogNormalResistance | EmpiricalResistance):
                raise ParameterError(name, getattr(self, name), "a resistance distribution")

    def sample_2t2r(
        self, rng: np.random.Generator, stored_values: Sequence[int]
    ) -> tuple[FloatArray, FloatArray]:
        """Resistances ``(r_bl, r_blb)`` [ohm] of 2T2R cells storing ``stored_values``.

        +1 is (LRS on BL, HRS on BLB), -1 the reverse. Draws all LRS values first, then all
        HRS values, so the stream of ``rng`` does not depend on the pattern of stored values.
        """
        stored = _check_stored(stored_values)
        lrs = self.lrs.sample(rng, stored.size)
        hrs = self.hrs.sample(rng, stored.size)
        plus = stored > 0
        return np.where(plus, lrs, hrs), np.where(plus, hrs, lrs)

    def from_standard_normal_2t2r(
        self, u_lrs: ArrayLike, u_hrs: ArrayLike, stored_values: Sequence[int]
    ) -> tuple[FloatArray, FloatArray]:
        """Like :meth:`sample_2t2r` from given standard-normal values (one per cell each)."""
        stored = _check_stored(stored_values)
        lrs = self.lrs.from_standard_normal(u_lrs)
        hrs = self.hrs.from_standard_normal(u_hrs)
        if lrs.shape != stored.shape or hrs.shape != stored.shape:
            raise ParameterError("u_lrs/u_hrs", lrs.shape, f"one value per cell {stored.shape}")
        plus = stored > 0
        return np.where(plus, lrs, hrs), np.where(plus, hrs, lrs)


def _check_stored(stored_values: Sequence[int]) -> NDArray[np.int64]:
    stored = np.asarray(stored_values)
    if stored.ndim != 1 or stored.size == 0 or not np.all(np.isin(stored, (-1, 1))):
        raise ParameterError("stored_values", stored_values, "a non-empty sequence of +1 / -1")
    return stored.astype(np.int64)
