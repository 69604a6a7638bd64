"""The programmed-conductance table: median and spread of the LRS conductance per SET compliance.

What the table is
    One row per SET compliance current of a sweep
    (:mod:`rram_ber.characterization.conductance_stats` runs it on ngspice): the conductance
    ``G = 1 / R`` read after the SET (0.1 V, read polarity) of a population of fresh devices,
    each with its device-to-device and cycle-to-cycle draws,
    summarised by its median, mean, standard deviation (with the standard error of the standard
    deviation, ``s / sqrt(2 (n - 1))``, the normal-theory value) and the standard deviation of
    ``ln G``; and the HRS conductance after the following RESET. The table is plain CSV
    (:data:`COLUMNS`), so the analysis layer reads it as data and never the simulator.

The two relations read from it (:class:`ConductanceRelation`)
    * **median relation** ``G_med(I_C)``: piecewise linear in ``ln I_C`` through the measured
      medians; its inverse (compliance for a target median) is exact on the measured points
      and monotone between them. Medians that do not increase with the compliance are refused.
    * **spread relation** ``sigma_G(G_med)``: a least-squares polynomial (degree
      :data:`SPREAD_FIT_DEGREE`, in microsiemens) weighted by the standard errors of the
      measured standard deviations. The relation of spread to median is the device fact that
      Dalgaty et al. (Adv. Intell. Syst. 3(8) 2000103, 2021) build their Bayesian transfer on:
      a device programmed at a compliance is a random draw whose median the compliance sets and
      whose spread follows from the median. The polynomial form is this project's choice (the
      paper's fitted form was not available); its reduced chi-square is reported
      (:attr:`ConductanceRelation.spread_chi2_reduced`).

This module imports no simulator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from rram_ber.core.validation import ParameterError

FloatArray = NDArray[np.float64]

#: Columns of the table, in file order (units in the names: A, S (siemens), -).
COLUMNS = (
    "compliance_a",
    "compliance_observed_median_a",
    "devices",
    "failed",
    "g_median_s",
    "g_mean_s",
    "g_std_s",
    "g_std_se_s",
    "g_sigma_ln",
    "g_hrs_median_s",
    "g_hrs_std_s",
    "seed",
    "technology",
)
#: Degree of the spread-versus-median polynomial.
SPREAD_FIT_DEGREE = 2
#: Microsiemens per siemens: the spread polynomial is fitted in uS to keep it well scaled.
_US = 1e6

#: The table shipped with the package (measured by ``rram-ber conductance-sweep``; see README).
SHIPPED_TABLE = Path(__file__).resolve().parent / "data" / "conductance_stats.csv"


def summarise_population(
    compliance_a: float,
    g_lrs_s: ArrayLike,
    g_hrs_s: ArrayLike,
    compliance_observed_a: ArrayLike,
    seed: int,
    technology: str,
) -> dict[str, float | int | str]:
    """One table row from the conductances of one programmed population.

    Parameters
    ----------
    compliance_a : float
        Requested SET compliance [A].
    g_lrs_s, g_hrs_s : array_like
        Conductance after SET and after RESET of each device [S]; NaN for failed devices.
    compliance_observed_a : array_like
        Cell current at the end of each SET plateau [A].
    seed, technology
        Provenance, stored in the row.
    """
    g = np.asarray(g_lrs_s, dtype=float)
    hrs = np.asarray(g_hrs_s, dtype=float)
    ok = np.isfinite(g) & np.isfinite(hrs)
    n = int(ok.sum())
    if n < 3:
        raise ParameterError("devices", n, "at least 3 successfully programmed devices")
    g, hrs = g[ok], hrs[ok]
    std = float(np.std(g, ddof=1))
    observed = np.asarray(compliance_observed_a, dtype=float)[ok]
    return {
        "compliance_a": float(compliance_a),
        "compliance_observed_median_a": float(np.median(observed)),
        "devices": int(g.size + (~ok).sum()),
        "failed": int((~ok).sum()),
        "g_median_s": float(np.median(g)),
        "g_mean_s": float(np.mean(g)),
        "g_std_s": std,
        "g_std_se_s": std / math.sqrt(2.0 * (n - 1)),
        "g_sigma_ln": float(np.std(np.log(g), ddof=1)),
        "g_hrs_median_s": float(np.median(hrs)),
        "g_hrs_std_s": float(np.std(hrs, ddof=1)),
        "seed": int(seed),
        "technology": technology,
    }


def write_table(rows: list[dict[str, float | int | str]], path: Path | str) -> Path:
    """Write the rows as CSV (:data:`COLUMNS`, sorted by compliance); return the path."""
    table = pd.DataFrame(rows, columns=list(COLUMNS)).sort_values("compliance_a")
    out = Path(path)
    table.to_csv(out, index=False, float_format="%.6e")
    return out


def read_table(path: Path | str | None = None) -> pd.DataFrame:
    """The table at ``path`` (default :data:`SHIPPED_TABLE`), checked and sorted by compliance.

    Raises
    ------
    ParameterError
        If the file is missing, lacks a column, or has fewer than 3 rows.
    """
    source = SHIPPED_TABLE if path is None else Path(path)
    try:
        table = pd.read_csv(source)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ParameterError(
            "conductance_table", str(source), f"a readable CSV ({error})"
        ) from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ParameterError("conductance_table", str(source), f"a table with columns {missing}")
    if len(table) < 3:
        raise ParameterError("conductance_table", str(source), "a table with at least 3 rows")
    return table.sort_values("compliance_a").reset_index(drop=True)


@dataclass(frozen=True)
class ConductanceRelation:
    """Median and spread of the programmed conductance, as functions (fitted on a table).

    Attributes
    ----------
    compliance_a : numpy.ndarray
        Measured compliances [A], increasing.
    g_median_s : numpy.ndarray
        Measured median conductance at each compliance [S], increasing.
    spread_coefficients_us : numpy.ndarray
        Polynomial coefficients of ``sigma_G [uS]`` in ``G_med [uS]``, highest power first
        (:func:`numpy.polyval` order).
    spread_chi2_reduced : float
        Reduced chi-square of the spread fit against the standard errors of the measured
        standard deviations (about 1 when the polynomial describes the data within noise).
    """

    compliance_a: FloatArray
    g_median_s: FloatArray
    spread_coefficients_us: FloatArray
    spread_chi2_reduced: float

    @classmethod
    def fit(cls, table: pd.DataFrame) -> ConductanceRelation:
        """Fit both relations on a table (:func:`read_table`).

        Raises
        ------
        ParameterError
            If the medians do not increase strictly with the compliance, or there are fewer
            rows than the spread polynomial has coefficients plus one.
        """
        table = table.sort_values("compliance_a")
        current = table["compliance_a"].to_numpy(dtype=float)
        median = table["g_median_s"].to_numpy(dtype=float)
        if np.any(np.diff(median) <= 0) or np.any(np.diff(current) <= 0):
            raise ParameterError(
                "g_median_s",
                [f"{m:.4g}" for m in median],
                "medians increasing strictly with the compliance",
            )
        if len(table) < SPREAD_FIT_DEGREE + 2:
            raise ParameterError(
                "conductance_table", len(table), f">= {SPREAD_FIT_DEGREE + 2} rows"
            )
        std = table["g_std_s"].to_numpy(dtype=float) * _US
        se = table["g_std_se_s"].to_numpy(dtype=float) * _US
        coefficients = np.polyfit(median * _US, std, SPREAD_FIT_DEGREE, w=1.0 / se)
        residual = (np.polyval(coefficients, median * _US) - std) / se
        dof = len(std) - (SPREAD_FIT_DEGREE + 1)
        return cls(
            compliance_a=current,
            g_median_s=median,
            spread_coefficients_us=np.asarray(coefficients, dtype=float),
            spread_chi2_reduced=float(np.sum(residual**2) / dof),
        )

    @property
    def g_min_s(self) -> float:
        """Smallest programmable median conductance [S] (lowest measured compliance)."""
        return float(self.g_median_s[0])

    @property
    def g_max_s(self) -> float:
        """Largest programmable median conductance [S] (highest measured compliance)."""
        return float(self.g_median_s[-1])

    def median_s(self, compliance_a: ArrayLike) -> FloatArray:
        """Median conductance [S] at a compliance [A] (clipped to the measured range)."""
        log_i = np.log(np.clip(np.asarray(compliance_a, dtype=float), *self._i_range()))
        return np.asarray(np.interp(log_i, np.log(self.compliance_a), self.g_median_s))

    def compliance_for(self, g_median_s: ArrayLike) -> tuple[FloatArray, int]:
        """Compliance [A] programming each target median [S], and how many were clipped.

        The inverse of :meth:`median_s`: a target outside ``[g_min_s, g_max_s]`` is clipped to
        the nearest end of the programmable range and counted.
        """
        target = np.asarray(g_median_s, dtype=float)
        outside = int(np.count_nonzero((target < self.g_min_s) | (target > self.g_max_s)))
        clipped = np.clip(target, self.g_min_s, self.g_max_s)
        log_i = np.interp(clipped, self.g_median_s, np.log(self.compliance_a))
        # exp(log(I)) may land an ulp outside the measured range: clip it back.
        return np.clip(np.exp(log_i), *self._i_range()), outside

    def sigma_s(self, g_median_s: ArrayLike) -> FloatArray:
        """Standard deviation of the programmed conductance [S] at a median [S] (spread fit)."""
        g_us = np.clip(np.asarray(g_median_s, dtype=float), self.g_min_s, self.g_max_s) * _US
        return np.maximum(np.polyval(self.spread_coefficients_us, g_us), 0.0) / _US

    def _i_range(self) -> tuple[float, float]:
        return float(self.compliance_a[0]), float(self.compliance_a[-1])
