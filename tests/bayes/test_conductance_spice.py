"""The spread-versus-median fit on real SPICE programming (ngspice), with small populations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rram_ber.characterization.conductance_stats import compliance_sweep, program_conductances
from rram_ber.characterization.conductance_table import ConductanceRelation
from rram_ber.core.validation import ParameterError

COMPLIANCES_A = (40e-6, 70e-6, 120e-6, 200e-6, 300e-6)
DEVICES = 12


@pytest.fixture(scope="module")
def table(session) -> pd.DataFrame:
    """5 compliances x 12 devices, SET then RESET (about 120 pulses)."""
    return pd.DataFrame(compliance_sweep(session, COMPLIANCES_A, DEVICES, seed=5))


@pytest.mark.slow
@pytest.mark.ngspice
def test_the_median_rises_with_the_compliance_and_the_spread_fit_holds(table):
    assert (table["failed"] == 0).all() and (table["devices"] == DEVICES).all()
    relation = ConductanceRelation.fit(table)  # refuses medians that do not increase
    # The compliance lookup assumes R_LRS * I_C ~ 0.4 V (Ielmini 2011): G_med ~ I_C / 0.4 V.
    ratio = table["g_median_s"] * 0.4 / table["compliance_a"]
    assert ratio.between(0.5, 1.2).all(), ratio.tolist()
    # The observed compliance is the requested one within the lookup's error.
    observed = table["compliance_observed_median_a"] / table["compliance_a"]
    assert observed.between(0.85, 1.1).all(), observed.tolist()
    # Spread: a real spread at every point, and the fit within 3 standard errors of each point.
    assert (table["g_std_s"] > 0).all() and (table["g_sigma_ln"] > 0.005).all()
    fitted = relation.sigma_s(table["g_median_s"])
    assert np.all(np.abs(fitted - table["g_std_s"]) < 3 * table["g_std_se_s"])
    assert relation.spread_chi2_reduced < 5
    # The relative spread shrinks as the filament grows (stronger programming).
    assert table["g_sigma_ln"].iloc[0] > table["g_sigma_ln"].iloc[-1]
    # The inverse of the median relation returns the swept compliances.
    back, clipped = relation.compliance_for(table["g_median_s"])
    assert clipped == 0
    np.testing.assert_allclose(back, table["compliance_a"], rtol=1e-9)
    # The HRS after RESET is far below every programmed LRS.
    assert (table["g_hrs_median_s"] < 0.3 * table["g_median_s"].min()).all()


@pytest.mark.slow
@pytest.mark.ngspice
def test_devices_programmed_one_by_one_follow_the_table(session, table):
    """SET-only programming at per-device compliances reproduces the sweep's statistics."""
    currents = np.repeat([70e-6, 300e-6], DEVICES)
    g = program_conductances(session, currents, seed=11)
    assert np.isfinite(g).all()
    for current in (70e-6, 300e-6):
        row = table[np.isclose(table["compliance_a"], current)].iloc[0]
        sample = g[currents == current]
        # Two independent populations of 12: means agree within 4 combined standard errors.
        se = np.hypot(row["g_std_s"], sample.std(ddof=1)) / np.sqrt(DEVICES)
        assert abs(sample.mean() - row["g_mean_s"]) < 4 * se
    # Seeded: the first devices come out the same when fewer are programmed.
    np.testing.assert_array_equal(program_conductances(session, currents[:3], seed=11), g[:3])


def test_bad_sweeps_are_refused_before_simulating():
    with pytest.raises(ParameterError, match=r"compliances.*4e-05 <= x <= 0\.0003"):
        compliance_sweep(None, (10e-6, 50e-6, 80e-6, 100e-6), 5, 1)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="at least 4 strictly increasing"):
        compliance_sweep(None, (50e-6, 40e-6, 80e-6, 100e-6), 5, 1)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="n_devices"):
        compliance_sweep(None, COMPLIANCES_A, 2, 1)  # type: ignore[arg-type]
