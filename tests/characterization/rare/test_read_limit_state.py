"""The SPICE-backed read limit state, and importance sampling against Monte-Carlo on it.

Everything here but the first two tests runs the real ngspice.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from rram_ber.characterization.limit_states import (
    CLIPPED,
    LIMIT_STATE_FAILURE,
    ReadLimitState,
    ReadVariation,
    also_failure_column,
)
from rram_ber.characterization.rare import estimate_failure_probability
from rram_ber.characterization.schema import DBETA_PREFIX, DECISION, DVT_PREFIX, RESOLVED, STATUS
from rram_ber.circuits.cells import Cell1T1R, Cell2T2R, CellKind
from rram_ber.circuits.read import ReadConditions, ReadTiming, read_transistor_geometries
from rram_ber.core.validation import ParameterError
from rram_ber.models.cmos import PelgromCoefficients, mismatch_sigmas
from rram_ber.models.resistance import EmpiricalResistance, FixedResistance, ResistanceStates


def test_rows_map_to_pelgrom_deviations_and_log_normal_resistances():
    conditions = ReadConditions()
    variation = ReadVariation(devices=ResistanceStates.log_normal(5e3, 0.2, 50e3, 0.5), stored=-1)
    # Building the copies is pure: no simulator needed.
    state = ReadLimitState(None, conditions, variation)  # type: ignore[arg-type]
    geometries = read_transistor_geometries(conditions)
    n_t = len(geometries)
    assert state.dim == 2 * n_t + 2
    assert state.variable_names[:2] == (
        f"u_dvt_{geometries[0].name}",
        f"u_dvt_{geometries[1].name}",
    )
    assert state.variable_names[-2:] == ("u_r_bl", "u_r_blb")
    u = np.random.default_rng(3).standard_normal((4, state.dim))
    copies, records = state.copies(u)
    sigma_vt, sigma_beta = mismatch_sigmas(geometries, PelgromCoefficients())
    for row, copy, record in zip(u, copies, records, strict=True):
        for k, g in enumerate(geometries):
            assert copy.deviations[g.name].dvt_v == pytest.approx(sigma_vt[k] * row[k])
            assert copy.deviations[g.name].dbeta_rel == pytest.approx(sigma_beta[k] * row[n_t + k])
            assert record[DVT_PREFIX + g.name] == copy.deviations[g.name].dvt_v
            assert record[DBETA_PREFIX + g.name] == copy.deviations[g.name].dbeta_rel
        assert isinstance(copy.cell, Cell2T2R)
        # stored -1: HRS on BL, LRS on BLB.
        r_bl, r_blb = (e.nominal_resistance_ohm() for e in copy.cell.branch_elements())
        assert r_bl == pytest.approx(50e3 * math.exp(0.5 * row[-2]))
        assert r_blb == pytest.approx(5e3 * math.exp(0.2 * row[-1]))
        assert (record["r_bl_ohm"], record["r_blb_ohm"]) == (r_bl, r_blb)
        assert record[CLIPPED] is False


def test_far_tail_rows_are_clipped_and_flagged_bad_rows_rejected():
    state = ReadLimitState(
        None,  # type: ignore[arg-type]
        ReadConditions(),
        ReadVariation(
            cell=CellKind.ONE_T_ONE_R, devices=ResistanceStates.log_normal(5e3, 0.3, 50e3, 0.0)
        ),
    )
    assert state.dim == 19  # 18 mismatch variables and the 1T1R device; the reference is fixed
    u = np.zeros((2, state.dim))
    u[1, 9] = 40.0  # dbeta/beta of the first transistor: 40 sigma, beyond the model's range
    copies, records = state.copies(u)
    assert isinstance(copies[0].cell, Cell1T1R)
    assert copies[0].cell.reference.resistance_ohm == pytest.approx(math.sqrt(5e3 * 50e3))
    assert (records[0][CLIPPED], records[1][CLIPPED]) == (False, True)
    assert abs(copies[1].deviations["pc1"].dbeta_rel) < 0.9
    with pytest.raises(ParameterError):
        state.copies(np.zeros((2, state.dim + 1)))
    with pytest.raises(ParameterError):
        state.copies(np.full((1, state.dim), np.nan))
    with pytest.raises(ParameterError):
        ReadVariation(stored=0)


@pytest.mark.ngspice
def test_verdicts_follow_the_physics(session):
    state = ReadLimitState(
        session,
        ReadConditions(),
        ReadVariation(devices=ResistanceStates.log_normal(5e3, 0.2, 50e3, 0.0)),
    )
    u = np.zeros((3, state.dim))
    u[1, state.variable_names.index("u_r_bl")] = 12.5  # LRS x e^2.5 = 61 kohm > HRS: misread
    u[2, state.variable_names.index("u_r_bl")] = -5.0  # a lower LRS reads even better
    assert state(u).tolist() == [False, True, False]
    table = state.table()
    assert table[DECISION].tolist() == [1, -1, 1]
    assert table[LIMIT_STATE_FAILURE].tolist() == [False, True, False]
    assert list(table[STATUS]) == ["ok"] * 3
    np.testing.assert_array_equal(table["u_r_bl"], u[:, -1])


@pytest.mark.ngspice
@pytest.mark.parametrize("unresolved_is_failure", [True, False])
def test_unresolved_reads_count_as_the_variation_says(session, unresolved_is_failure):
    # Sampled 20 ps after the sense edge, the outputs have not separated yet.
    conditions = ReadConditions(timing=ReadTiming(t_sample_s=20e-12))
    state = ReadLimitState(
        session, conditions, ReadVariation(unresolved_is_failure=unresolved_is_failure)
    )
    verdicts = state(np.zeros((2, state.dim)))
    assert not state.table()[RESOLVED].any()
    assert verdicts.tolist() == [unresolved_is_failure] * 2


@pytest.mark.ngspice
def test_verdicts_do_not_depend_on_the_netlist_batch(session):
    conditions = ReadConditions()
    variation = ReadVariation(devices=ResistanceStates.log_normal(10e3, 0.0, 11.5e3, 0.0))
    u = np.random.default_rng(8).standard_normal((20, 18)) * 2.0
    whole = ReadLimitState(session, conditions, variation, copies_per_netlist=20)(u)
    split = ReadLimitState(session, conditions, variation, copies_per_netlist=7)(u)
    np.testing.assert_array_equal(whole, split)
    assert (
        0 < whole.sum() < len(whole)
    )  # a mix of failures and passes, so the check means something


@pytest.mark.ngspice
def test_verdicts_at_earlier_sampling_times_are_those_of_reads_sampled_there(session):
    """``also_at``: one transient, the verdict at each earlier sampling time recorded on the
    row, the same as a limit state sampling there alone (what a group's shared estimate reads)."""
    variation = ReadVariation(devices=ResistanceStates.log_normal(10e3, 0.0, 11.5e3, 0.0))
    late, early = (ReadConditions(timing=ReadTiming(t_sample_s=t)) for t in (1e-9, 150e-12))
    u = np.random.default_rng(8).standard_normal((20, 18)) * 2.0
    shared = ReadLimitState(session, late, variation, also_at=[early])
    np.testing.assert_array_equal(shared(u), ReadLimitState(session, late, variation)(u))
    alone = ReadLimitState(session, early, variation)(u)
    np.testing.assert_array_equal(shared.table()[also_failure_column(0)], alone)
    # The early sampling time fails reads the late one does not (so the check means something).
    assert alone.sum() > shared.table()[LIMIT_STATE_FAILURE].sum()
    with pytest.raises(ParameterError, match="also_at"):
        ReadLimitState(session, early, variation, also_at=[late])


@pytest.mark.ngspice
@pytest.mark.slow
def test_importance_sampling_agrees_with_monte_carlo_on_a_real_2t2r_read(session):
    """A 2T2R cell with a nearly closed window (LRS 10 kohm, HRS 11.5 kohm; nominal 1.2 V,
    27 C, TT, default Pelgrom mismatch: 18 variables) misreads with probability about 1.2e-2,
    where brute force is affordable. Importance sampling (2000 evaluations, search included:
    the campaign minimum; at 1000 its search cannot rule out a missed region and the interval
    is widened to say so) and plain Monte-Carlo (2000 reads) must agree: overlapping
    intervals and a difference within 3 combined standard errors. Measured: Monte-Carlo
    1.55e-2 [1.06, 2.19]e-2, importance 1.26e-2 [1.14, 1.37]e-2 (design point at 2.22
    sigma). Marked slow: 4000 simulations take about a minute on an idle 2-core machine (at
    ~18 ms per read in netlists of 100 copies).
    """
    conditions = ReadConditions()
    variation = ReadVariation(devices=ResistanceStates.log_normal(10e3, 0.0, 11.5e3, 0.0), stored=1)
    state = ReadLimitState(session, conditions, variation, copies_per_netlist=100)
    start = time.perf_counter()
    mc = estimate_failure_probability(
        state, state.dim, method="monte-carlo", budget=2_000, seed=2026, batch_size=100
    )
    mc_seconds = time.perf_counter() - start
    assert state.n_evaluations == 2_000
    start = time.perf_counter()
    importance = estimate_failure_probability(
        state, state.dim, method="importance", budget=2_000, seed=2026, batch_size=100
    )
    is_seconds = time.perf_counter() - start
    print(
        f"\nMC  p={mc.p:.3e} [{mc.ci_low:.3e}, {mc.ci_high:.3e}] n={mc.n_evaluations}"
        f" {mc_seconds:.0f} s\nIS  p={importance.p:.3e} [{importance.ci_low:.3e},"
        f" {importance.ci_high:.3e}] n={importance.n_evaluations}"
        f" beta={importance.diagnostics['betas'][0]:.2f} {is_seconds:.0f} s"
    )
    assert 1e-3 < mc.p < 5e-2  # the condition is where it was chosen to be
    assert len(importance.diagnostics["design_points"]) >= 1
    assert importance.ci_low <= mc.ci_high and mc.ci_low <= importance.ci_high
    z = abs(importance.p - mc.p) / math.hypot(importance.std_error, mc.std_error)
    assert z < 3.0, z
    # Importance sampling is the more precise of the two at the same number of simulations.
    assert not importance.regions_may_be_missing
    assert importance.relative_half_width < mc.relative_half_width
    assert state.n_evaluations == 4_000
    # The limit state's rows line up with the estimators' samples, row for row.
    table = state.table()
    assert mc.samples is not None and importance.samples is not None
    u = np.column_stack([table[name] for name in state.variable_names])
    np.testing.assert_array_equal(u, np.vstack([mc.samples.u, importance.samples.u]))
    np.testing.assert_array_equal(
        table[LIMIT_STATE_FAILURE],
        np.concatenate([mc.samples.failed, importance.samples.failed]),
    )


def test_rare_event_devices_follow_the_device_temperature_law_like_monte_carlo():
    """Each drawn device value is taken to the condition's temperature by the law the
    Monte-Carlo path applies per draw; at 27 C the law is the identity."""
    from rram_ber.characterization.rare_task import RareTask, resistor_variation
    from rram_ber.characterization.spec import parse_spec
    from rram_ber.models.device_temperature import DeviceState
    from tests.support import lognormal_device

    spec = parse_spec(
        {
            "campaign": {"method": "importance", "samples": 2000},
            "conditions": {"cell": "2t2r", "temp_c": [27, 125]},
            "device": lognormal_device(hrs_median_ohm=40e3, temperature_preset="activated-0.15ev"),
        }
    )  # fmt: skip
    law = spec.device.temperature_law()
    u = np.zeros((1, 20))
    u[0, -2:] = (1.5, -0.5)  # u_r_bl (LRS for stored +1), u_r_blb (HRS)
    drawn = (5e3 * math.exp(0.3 * 1.5), 40e3 * math.exp(-0.8 * 0.5))
    for condition in spec.conditions():
        variation = resistor_variation(spec, RareTask(condition, 1, "subset", 2000))
        assert variation.devices == spec.device.states()
        state = ReadLimitState(None, spec.read_conditions(condition), variation)  # type: ignore[arg-type]
        assert state.variable_names[-2:] == ("u_r_bl", "u_r_blb")
        record = state.copies(u)[1][0]
        lrs = law.resistance_ohm(drawn[0], DeviceState.LRS, condition.temp_c)
        hrs = law.resistance_ohm(drawn[1], DeviceState.HRS, condition.temp_c)
        assert (record["r_bl_ohm"], record["r_blb_ohm"]) == pytest.approx((lrs, hrs), rel=1e-12)
        if condition.temp_c == 27:
            assert (lrs, hrs) == pytest.approx(drawn, rel=1e-12)
        else:
            assert hrs < drawn[1]  # thermally activated HRS falls


def test_a_device_law_is_drawn_through_its_own_transform_not_as_a_log_normal():
    """The limit state calls the distribution's ``from_standard_normal``: a measured law gives
    its quantiles (clamped to the data), a fixed one its value, whatever ``u``."""
    measured = EmpiricalResistance.from_values([4e3, 5e3, 6e3, 9e3, 20e3])
    devices = ResistanceStates(measured, FixedResistance(60e3))
    state = ReadLimitState(
        None,  # type: ignore[arg-type]
        ReadConditions(),
        ReadVariation(devices=devices, mismatch=False),
    )
    assert state.variable_names == ("u_r_bl",)  # the fixed HRS has no variable
    u = np.array([[-8.0], [0.0], [0.7], [8.0]])
    records = state.copies(u)[1]
    expected = measured.from_standard_normal(u[:, 0])
    np.testing.assert_allclose([r["r_bl_ohm"] for r in records], expected, rtol=1e-12)
    assert [r["r_bl_ohm"] for r in records][::3] == pytest.approx([4e3, 20e3])  # clamped
    assert all(r["r_blb_ohm"] == 60e3 for r in records)
    # Without device variability each device sits at its distribution's median.
    still = ReadLimitState(
        None,  # type: ignore[arg-type]
        ReadConditions(),
        ReadVariation(devices=devices, mismatch=False, vary_devices=False),
    )
    assert still.dim == 0
    assert still.copies(np.zeros((1, 0)))[1][0]["r_bl_ohm"] == measured.median_ohm


@pytest.mark.ngspice
@pytest.mark.slow
@pytest.mark.parametrize("overlap", [1e-4, 1e-6, 1e-8])
def test_guided_importance_meets_the_analytic_device_overlap(session, overlap):
    """A fast read (1.2 V, 2 ns, TT, 27 C) of log-normal devices is device-limited: it fails
    where the LRS device ends above the HRS one, with probability
    ``Phi(-ln(R_HRS / R_LRS) / sqrt(s_LRS^2 + s_HRS^2))``. With both spreads set for an overlap
    of 1e-4, 1e-6 and 1e-8 (5 and 40 kohm medians), the guided importance estimate of the
    SPICE read (at its default budget, stopping at +-20 %) must hold the overlap in its
    interval (seed 7: 9.92e-5 [8.04e-5, 1.18e-4] in 1,900 reads, 9.38e-7 [7.64e-7, 1.11e-6]
    in 2,535, 9.25e-9 [7.49e-9, 1.10e-8] in 2,889). Without transistor mismatch, so that the
    overlap is the truth: with Pelgrom
    mismatch the sense amplifier's offset adds to the devices' spread, and the 1e-6 read came
    out 1.27e-6 [1.02e-6, 1.52e-6] (seed 7, 2,404 reads, design point at 4.72 sigma against
    the devices' 4.75).
    """
    sigma = math.log(8.0) / -norm_ppf(overlap) / math.sqrt(2.0)
    variation = ReadVariation(
        devices=ResistanceStates.log_normal(5e3, sigma, 40e3, sigma), stored=1, mismatch=False
    )
    conditions = ReadConditions(timing=ReadTiming(t_sample_s=2e-9))
    state = ReadLimitState(session, conditions, variation, copies_per_netlist=50)
    result = estimate_failure_probability(
        state,
        state.dim,
        method="guided-importance",
        budget=4000,
        seed=7,
        batch_size=50,
        target_relative_half_width=0.2,
    )
    message = (
        f"overlap {overlap:.1e}: {result.p:.3e} [{result.ci_low:.3e}, {result.ci_high:.3e}]"
        f" after {result.n_evaluations} reads, betas {result.diagnostics['betas']}"
    )
    print("\n" + message)
    assert result.diagnostics["estimate_from"] == "importance", message
    assert result.ci_low <= overlap <= result.ci_high, message
    assert result.relative_half_width <= 0.5, message


def norm_ppf(q: float) -> float:
    """Standard-normal quantile."""
    from scipy.special import ndtri

    return float(ndtri(q))
