"""Device resistance distributions: the one place a programmed device becomes a resistance.

Each state (LRS or HRS) of a device population is one of

* :class:`FixedResistance`: one value, no variability (ideal devices);
* :class:`LogNormalResistance`: ``ln R ~ N(ln median, sigma_ln^2)``, the usual description of
  filamentary HfO2 RRAM states (S. Ambrogio et al., "Statistical fluctuations in HfOx
  resistive-switching memory: Part I", IEEE TED 61(8) 2912, 2014; A. Grossi et al., IEDM 2016);
* :class:`EmpiricalResistance`: resampling (with replacement) of measured resistances, read
  from a CSV file with :func:`read_resistance_states`.

and :class:`ResistanceStates` pairs an LRS and an HRS distribution. Every distribution draws
one resistance from a random generator (:meth:`~LogNormalResistance.draw_ohm`, what a
Monte-Carlo sample uses) and maps standard-normal values to resistances
(``from_standard_normal``, the form the rare-event estimators need): exact for the log-normal;
for the empirical distribution the quantile function of ``ln R`` (linear interpolation between
order statistics, clamped to the measured range, so no value outside the data is produced).

VCM devices programmed in SPICE are the fourth device option of a campaign; they need the
simulator, so they live in :mod:`rram_ber.characterization.vcm_cells`.

Resistances only become netlist numbers through ``rram_ber.circuits.elements.FixedResistor``, so the
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

from rram_ber.core.validation import ParameterError, check_int, check_range

FloatArray = NDArray[np.float64]

#: Range accepted for any resistance [ohm] (the ceiling of
# ``rram_ber.circuits.elements.FixedResistor``).
R_MIN_OHM = 1.0
R_MAX_OHM = 1e12
#: Largest sigma of ln R accepted [-] (3 already spans 4 decades at +-3 sigma; 5 is allowed for
#: the scaled exploration of the rare-event estimators and for badly formed HRS tails).
SIGMA_LN_MAX = 5.0
#: Largest exponent of ``exp(sigma_ln u)``: beyond it the float overflows (the value is then
#: clipped to R_MAX_OHM anyway).
_MAX_EXPONENT = 700.0


def _as_array(values: ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=float)


@dataclass(frozen=True, slots=True)
class FixedResistance:
    """A state without variability.

    Attributes
    ----------
    value_ohm : float
        Resistance [ohm], in [1, 1e12].
    """

    value_ohm: float

    def __post_init__(self) -> None:
        check_range("value_ohm", self.value_ohm, R_MIN_OHM, R_MAX_OHM, unit="ohm")

    @property
    def median_ohm(self) -> float:
        """The value [ohm]."""
        return self.value_ohm

    @property
    def sigma_ln(self) -> float:
        """0: no variability."""
        return 0.0

    def draw_ohm(self, rng: np.random.Generator) -> float:
        """The value [ohm]; draws nothing from ``rng``."""
        return self.value_ohm

    def from_standard_normal(self, u: ArrayLike) -> FloatArray:
        """The value [ohm] for every ``u``."""
        return np.full(np.shape(u), self.value_ohm)


@dataclass(frozen=True, slots=True)
class LogNormalResistance:
    """Log-normal resistance distribution.

    Attributes
    ----------
    median_ohm : float
        Median resistance ``exp(E[ln R])`` [ohm], in [1, 1e12].
    sigma_ln : float
        Standard deviation of ``ln R`` [-], in [0, 5].
    """

    median_ohm: float
    sigma_ln: float

    def __post_init__(self) -> None:
        check_range("median_ohm", self.median_ohm, R_MIN_OHM, R_MAX_OHM, unit="ohm")
        check_range("sigma_ln", self.sigma_ln, 0.0, SIGMA_LN_MAX)

    def value_ohm(self, u: float) -> float:
        """``R = median * exp(sigma_ln * u)`` [ohm] for one standard-normal ``u``, clipped to
        [1, 1e12] ohm (reached only far in the tails, by the estimators' scaled exploration)."""
        value = self.median_ohm * math.exp(min(self.sigma_ln * float(u), _MAX_EXPONENT))
        return min(max(value, R_MIN_OHM), R_MAX_OHM)

    def draw_ohm(self, rng: np.random.Generator) -> float:
        """One resistance [ohm] from one ``rng.standard_normal()`` draw."""
        return self.value_ohm(rng.standard_normal())

    def from_standard_normal(self, u: ArrayLike) -> FloatArray:
        """:meth:`value_ohm` of every element of ``u`` [ohm]."""
        array = _as_array(u)
        values = [self.value_ohm(x) for x in array.ravel()]
        return np.asarray(values, dtype=float).reshape(array.shape)

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
        Measured resistances [ohm], at least 1, each in [1, 1e12].
    """

    values_ohm: tuple[float, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.values_ohm, tuple) or len(self.values_ohm) < 1:
            raise ParameterError("values_ohm", self.values_ohm, "a tuple of at least 1 resistance")
        for k, value in enumerate(self.values_ohm):
            check_range(f"values_ohm[{k}]", value, R_MIN_OHM, R_MAX_OHM, unit="ohm")

    @classmethod
    def from_values(cls, values: Sequence[float] | ArrayLike) -> EmpiricalResistance:
        """From any sequence of numbers [ohm]."""
        return cls(tuple(float(v) for v in _as_array(values).ravel()))

    @property
    def median_ohm(self) -> float:
        """Median of the data [ohm]."""
        return float(np.median(self.values_ohm))

    @property
    def sigma_ln(self) -> float:
        """Sample standard deviation of ``ln R`` [-] (0 for a single value)."""
        if len(self.values_ohm) < 2:
            return 0.0
        return float(np.std(np.log(self.values_ohm), ddof=1))

    def draw_ohm(self, rng: np.random.Generator) -> float:
        """One measured value [ohm], chosen by one ``rng.integers`` draw."""
        return self.values_ohm[int(rng.integers(len(self.values_ohm)))]

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` values drawn with replacement (``rng.integers``) [ohm]."""
        check_int("size", size, 0, None)
        data = _as_array(self.values_ohm)
        return np.asarray(data[rng.integers(0, data.size, size)], dtype=float)

    def from_standard_normal(self, u: ArrayLike) -> FloatArray:
        """Quantile of ``ln R`` at ``Phi(u)`` (Hazen plotting positions ``(k - 0.5)/n``,
        linear interpolation, clamped to the data range) [ohm]."""
        log_sorted = np.sort(np.log(_as_array(self.values_ohm)))
        n = log_sorted.size
        positions = (np.arange(1, n + 1) - 0.5) / n
        q = ndtr(_as_array(u))
        return np.asarray(np.exp(np.interp(q, positions, log_sorted)), dtype=float)


ResistanceDistribution = FixedResistance | LogNormalResistance | EmpiricalResistance


@dataclass(frozen=True, slots=True)
class ResistanceStates:
    """LRS and HRS distributions of a device population.

    Attributes
    ----------
    lrs, hrs : FixedResistance, LogNormalResistance or EmpiricalResistance
        Distributions of the low- and high-resistance states.
    """

    lrs: ResistanceDistribution
    hrs: ResistanceDistribution

    def __post_init__(self) -> None:
        for name in ("lrs", "hrs"):
            if not isinstance(getattr(self, name), ResistanceDistribution):
                raise ParameterError(name, getattr(self, name), "a resistance distribution")

    @classmethod
    def log_normal(
        cls, lrs_median_ohm: float, lrs_sigma_ln: float, hrs_median_ohm: float, hrs_sigma_ln: float
    ) -> ResistanceStates:
        """Log-normal LRS and HRS (medians [ohm], standard deviations of ln R)."""
        return cls(
            LogNormalResistance(lrs_median_ohm, lrs_sigma_ln),
            LogNormalResistance(hrs_median_ohm, hrs_sigma_ln),
        )

    def state(self, low_resistance: bool) -> ResistanceDistribution:
        """The LRS (``low_resistance``) or the HRS distribution."""
        return self.lrs if low_resistance else self.hrs

    def draw_ohm(self, low_resistance: bool, rng: np.random.Generator, vary: bool) -> float:
        """One device's resistance [ohm] in LRS or HRS; the median when not ``vary``.

        The draw happens either way, so that a sample's later draws do not depend on the
        variability switch.
        """
        distribution = self.state(low_resistance)
        value = distribution.draw_ohm(rng)
        return value if vary else distribution.median_ohm

    def sample_2t2r(
        self, rng: np.random.Generator, stored_values: Sequence[int]
    ) -> tuple[FloatArray, FloatArray]:
        """Resistances ``(r_bl, r_blb)`` [ohm] of 2T2R cells storing ``stored_values``.

        +1 is (LRS on BL, HRS on BLB), -1 the reverse. Draws all LRS values first, then all
        HRS values, so the stream of ``rng`` does not depend on the pattern of stored values.
        """
        stored = _check_stored(stored_values)
        lrs = np.array([self.lrs.draw_ohm(rng) for _ in stored])
        hrs = np.array([self.hrs.draw_ohm(rng) for _ in stored])
        plus = stored > 0
        return np.where(plus, lrs, hrs), np.where(plus, hrs, lrs)


def reference_1t1r_ohm(lrs_ohm: float, hrs_ohm: float) -> float:
    """The default 1T1R reference resistor [ohm]: ``sqrt(R_LRS R_HRS)``, the geometric mean of a
    typical LRS and HRS.

    On a log scale it sits half-way between the two states, the same factor
    ``sqrt(R_HRS / R_LRS)`` away from each, so a log-normal spread of either state reaches it
    equally soon. The rare-event limit states, the pilot-population reference of programmed (VCM)
    devices and ``rram-ber read`` call it.
    """
    return math.sqrt(lrs_ohm * hrs_ohm)


def _check_stored(stored_values: Sequence[int]) -> NDArray[np.int64]:
    stored = np.asarray(stored_values)
    if stored.ndim != 1 or stored.size == 0 or not np.all(np.isin(stored, (-1, 1))):
        raise ParameterError("stored_values", stored_values, "a non-empty sequence of +1 / -1")
    return stored.astype(np.int64)


#: Columns of a measured-resistance file.
CSV_COLUMNS = ("state", "resistance_ohm")


def read_resistance_states(path: Path | str, key: str = "csv") -> ResistanceStates:
    """Measured LRS and HRS resistances from a CSV file, for resampling.

    The file has a header with the columns ``state`` (``LRS`` or ``HRS``, any case) and
    ``resistance_ohm`` (a number in [1, 1e12] ohm), and at least one row of each state.

    Parameters
    ----------
    path : path-like
        The file.
    key : str
        The name the file was given under (e.g. the campaign key ``device.csv``), used in
        error messages.

    Raises
    ------
    ParameterError
        If the file cannot be read, lacks a column, has a bad row (the message names the line)
        or lacks one of the states.
    """
    values: dict[str, list[float]] = {"LRS": [], "HRS": []}
    # Only a regular file: opening a FIFO or a device would wait for a writer forever.
    if Path(path).exists() and not Path(path).is_file():
        raise ParameterError(key, str(path), "a regular file (this is not one)")
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or set(CSV_COLUMNS) - set(reader.fieldnames):
                raise ParameterError(
                    key, str(path), "a CSV file with the columns 'state' and 'resistance_ohm'"
                )
            for line, row in enumerate(reader, start=2):
                state = (row["state"] or "").strip().upper()
                try:
                    resistance = float(row["resistance_ohm"])
                except (TypeError, ValueError):
                    resistance = math.nan
                if state not in values or not (
                    math.isfinite(resistance) and R_MIN_OHM <= resistance <= R_MAX_OHM
                ):
                    raise ParameterError(
                        f"{key} ({path}) line {line}",
                        dict(row),
                        "state LRS or HRS and a resistance_ohm in [1, 1e12] ohm",
                    )
                values[state].append(resistance)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ParameterError(key, str(path), f"a readable CSV file ({reason})") from None
    for state, found in values.items():
        if not found:
            raise ParameterError(key, str(path), f"a CSV file with at least one {state} row")
    return ResistanceStates(
        EmpiricalResistance(tuple(values["LRS"])), EmpiricalResistance(tuple(values["HRS"]))
    )
