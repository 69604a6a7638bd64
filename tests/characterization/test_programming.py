"""Programming through the 1T1R access transistor, c2c carried pulse to pulse, 2T2R then read.

All but the bad-input tests run the real ngspice. The 200-device population (about 30-40 s on
a 2-core machine) is simulated once per module and shared.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from rram_ber.characterization.programming import (
    ProgramConditions,
    apply_pulse,
    compliance_lookup,
    log_normal_summary,
    program_2t2r_cells,
    program_population,
)
from rram_ber.characterization.read import simulate_reads
from rram_ber.circuits.elements import DeviceOrientation, VcmElement
from rram_ber.circuits.programming import (
    Operation,
    ProgrammingBench,
    ProgrammingCopy,
    PulseShape,
    ResetPulse,
    default_set_pulse,
    programming_netlist,
)
from rram_ber.circuits.read import ReadConditions, ReadCopy, read_netlist
from rram_ber.core.validation import ParameterError
from rram_ber.models.variability import D2D_FIELDS, D2dVariability, d2d_from_standard_normal
from rram_ber.models.vcm import VcmParameters

DETERMINISTIC = {"d2d": None, "c2c": None}


# --- bad input (no simulator) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field", "allowed"),
    [
        (lambda: ProgramConditions(compliance_a=1e-3), "compliance_a", "4e-05 <= x <= 0.0003"),
        (lambda: ProgramConditions(compliance_a=-5e-5), "compliance_a", "4e-05 <= x <= 0.0003"),
        (lambda: ProgramConditions(compliance_a=math.nan), "compliance_a", "finite"),
        (lambda: PulseShape(-1.0, 1e-6, 1e-6), "amplitude_v", "0 < x <= 3.3"),
        (lambda: PulseShape(1.8, 1e-6, 0.0), "width_s", "1e-09 <= x <= 0.01"),
        (lambda: PulseShape(1.8, 1.0, 1e-6), "edge_s", "1e-09 <= x <= 0.0001"),
        (lambda: ResetPulse(v_wl_v=5.0), "v_wl_v", "0 < x <= 3.3"),
        (
            lambda: ProgramConditions(set_pulse=PulseShape(0.3, 1e-6, 1e-6)),
            "set_pulse.amplitude_v",
            "above compliance_voltage_v",
        ),
        (lambda: ProgrammingBench(orientation="sideways"), "orientation", "'oe_on_bl'"),
        (lambda: ProgramConditions(batch_size=0), "batch_size", "1 <= x <= 500"),
    ],
)
def test_non_physical_programming_conditions_name_field_value_and_range(build, field, allowed):
    with pytest.raises(ParameterError) as caught:
        build()
    assert caught.value.field == field
    assert allowed in str(caught.value)


def test_programming_netlist_refuses_a_device_of_the_other_orientation():
    element = VcmElement(VcmParameters(), DeviceOrientation.AE_ON_BIT_LINE)
    with pytest.raises(ParameterError) as caught:
        programming_netlist(
            ProgrammingBench(), Operation.SET, default_set_pulse(), [ProgrammingCopy(element, 0.4)]
        )
    assert "orientation" in caught.value.field


# --- compliance ----------------------------------------------------------------------------


@pytest.mark.ngspice
def test_lrs_falls_as_compliance_rises_with_r_times_ic_near_0_4_v(session):
    """Nominal device, no variability. Measured (ngspice 39, default pulses): 50 / 100 / 200 uA
    -> 8.5 / 3.4 / 2.1 kOhm, R * I_C = 0.42 / 0.34 / 0.41 V."""
    results = {}
    for compliance in (50e-6, 100e-6, 200e-6):
        conditions = ProgramConditions(compliance_a=compliance, **DETERMINISTIC)
        result = program_population(session, 1, conditions, np.random.default_rng(0))
        assert not result.failed.any()
        observed = float(result.compliance_observed_a[0])
        # The lookup assumes 0.4 V on the device; the observed compliance is within 10 %.
        assert observed == pytest.approx(compliance, rel=0.10)
        results[compliance] = float(result.r_lrs_ohm[0])
        assert 0.3 < results[compliance] * compliance < 0.5
    assert results[50e-6] > results[100e-6] > results[200e-6]
    lookup = compliance_lookup(session, ProgramConditions(**DETERMINISTIC))
    assert np.all(np.diff(lookup.i_drain_a) > 0)


@pytest.mark.ngspice
def test_with_ae_on_the_bit_line_the_source_follower_cannot_set_at_the_compliance(session):
    """The orientation argument (circuits.elements.DeviceOrientation) as a measurement: with AE
    on the bit line the access NMOS has the device in its source; at a 200 uA compliance the
    device sees ~0.5 V before switching and does not SET within the default pulse."""
    bench = ProgrammingBench(orientation=DeviceOrientation.AE_ON_BIT_LINE)
    conditions = ProgramConditions(compliance_a=200e-6, bench=bench, **DETERMINISTIC)
    result = program_population(session, 1, conditions, np.random.default_rng(0))
    assert result.r_lrs_ohm[0] > 30e3 and result.compliance_observed_a[0] < 50e-6


# --- a population of 200 devices -----------------------------------------------------------

N_DEVICES = 200


@pytest.fixture(scope="module")
def population(session):
    conditions = ProgramConditions(compliance_a=50e-6)
    return conditions, program_population(
        session, N_DEVICES, conditions, np.random.default_rng(np.random.SeedSequence(1))
    )


@pytest.mark.slow
@pytest.mark.ngspice
def test_hrs_spread_exceeds_lrs_spread_over_200_devices(population):
    conditions, result = population
    assert not result.failed.any()
    lrs_median, lrs_sigma = log_normal_summary(result.r_lrs_ohm)
    hrs_median, hrs_sigma = log_normal_summary(result.r_hrs_ohm)
    # Standard error of a sample standard deviation: sigma / sqrt(2 (n - 1)).
    se = math.hypot(lrs_sigma, hrs_sigma) / math.sqrt(2 * (N_DEVICES - 1))
    assert hrs_sigma - lrs_sigma > 4 * se
    # Physics windows (measured: LRS 8.4 kOhm, sigma 0.08; HRS 110 kOhm, sigma 0.5).
    assert 0.3 < lrs_median * conditions.compliance_a < 0.5
    assert 60e3 < hrs_median < 250e3
    assert hrs_median / lrs_median > 10


@pytest.mark.slow
@pytest.mark.ngspice
def test_programmed_states_lie_within_their_bounds(population):
    _, result = population
    for device in result.after_reset:
        # RESET ends at N_min (slowest corner: 1.2 N_min, see test_vcm_model).
        assert device.n_min * 0.999 <= device.n_init <= 1.25 * device.n_min
    for device in result.after_set:
        assert device.n_min * 0.999 <= device.n_init <= device.n_max * 1.001
    # The HRS spread comes from N_min (d2d and the 90 % c2c walk): ln R_HRS follows ln N_min.
    n_min = np.array([d.n_min for d in result.after_reset])
    correlation = np.corrcoef(np.log(n_min), np.log(result.r_hrs_ohm))[0, 1]
    assert correlation < -0.9


# --- cycle-to-cycle: state carried pulse to pulse -----------------------------------------


@pytest.mark.ngspice
def test_each_pulse_starts_from_the_state_the_previous_one_left(session):
    conditions = ProgramConditions(compliance_a=100e-6)
    rng = np.random.default_rng(11)
    devices = [VcmParameters()] * 3
    history = []
    for operation in (Operation.SET, Operation.RESET, Operation.SET, Operation.RESET):
        outcomes = apply_pulse(session, devices, operation, conditions, rng)
        assert not any(o.failed for o in outcomes)
        for device, outcome in zip(devices, outcomes, strict=True):
            assert outcome.n_start == device.n_init
            assert outcome.device.n_init == outcome.n_end
        history.append(outcomes)
        devices = [o.device for o in outcomes]
    # c2c: the N bounds of each device move at every event (90 % walk on N_min).
    n_min_per_event = np.array([[o.device.n_min for o in h] for h in history])
    assert np.all(np.diff(n_min_per_event, axis=0) != 0)
    # Two SETs of the same device at the same compliance give different LRS (c2c), both LRS.
    first, second = history[0], history[2]
    for a, b in zip(first, second, strict=True):
        assert a.n_end != b.n_end and a.n_end > 0.1 and b.n_end > 0.1


@pytest.mark.ngspice
def test_same_seed_same_devices_whatever_the_batch_size(session):
    base = ProgramConditions(compliance_a=100e-6)
    one = program_population(session, 4, base, np.random.default_rng(5))
    again = program_population(session, 4, base, np.random.default_rng(5))
    batched = program_population(session, 4, replace(base, batch_size=4), np.random.default_rng(5))
    assert np.array_equal(one.r_lrs_ohm, again.r_lrs_ohm)
    assert one.drawn == batched.drawn
    # Batching changes only the simulator's time steps (measured: < 0.2 % in N).
    assert np.allclose(one.n_lrs, batched.n_lrs, rtol=0.01)
    assert np.allclose(one.n_hrs, batched.n_hrs, rtol=0.01)


# --- 2T2R: program one device SET, the other RESET, then read ------------------------------


@pytest.mark.ngspice
def test_programmed_2t2r_cells_read_as_stored(session):
    stored = [1, -1, -1, 1, 1, -1]
    conditions = ProgramConditions(compliance_a=50e-6)
    samples = program_2t2r_cells(session, stored, conditions, np.random.default_rng(9))
    assert [s.stored for s in samples] == stored and not any(s.failed for s in samples)
    for sample in samples:
        lrs, hrs = ("bl", "blb") if sample.stored > 0 else ("blb", "bl")
        assert sample.row[f"{lrs}_r_read_ohm"] < 15e3 < sample.row[f"{hrs}_r_read_ohm"]
        assert sample.row[f"{lrs}_compliance_a"] == pytest.approx(50e-6, rel=0.1)
        for side in ("bl", "blb"):
            assert 40.5e-9 <= sample.row[f"{side}_r_filament_m"] <= 49.5e-9
    copies = [ReadCopy(s.cell) for s in samples if s.cell is not None]
    reads = simulate_reads(session, ReadConditions(), copies)
    assert [m.decision for m in reads] == stored


@pytest.mark.ngspice
def test_a_read_does_not_set_the_hrs_device(session):
    """OE on the bit line reads in the SET polarity. Measured in one PCSA read (VDD 1.2 V):
    up to 0.7 V across the HRS device for about a nanosecond, N up by ~1e-9 relative (the SET
    needs ~0.5 ms at -0.7 V); the LRS device gains ~2e-4 (towards lower R, the safe side)."""
    samples = program_2t2r_cells(
        session, [1], ProgramConditions(compliance_a=50e-6), np.random.default_rng(9), frozen=False
    )
    cell = samples[0].cell
    assert cell is not None
    netlist = read_netlist(ReadConditions(), [ReadCopy(cell)])
    states = ["mbl_0_lnn", "mblb_0_lnn"]
    netlist = netlist.replace(".end\n", "".join(f".save v({s})\n" for s in states) + ".end\n")
    waveforms = session.run_transient(netlist, states, ReadConditions().timing.t_stop_s)
    lrs_change = math.expm1(waveforms["mbl_0_lnn"][-1] - waveforms["mbl_0_lnn"][0])
    hrs_change = math.expm1(waveforms["mblb_0_lnn"][-1] - waveforms["mblb_0_lnn"][0])
    assert abs(hrs_change) < 1e-6
    assert 0 <= lrs_change < 1e-3


@pytest.mark.ngspice
def test_2t2r_devices_from_given_standard_normal_values(session):
    """The rare-event path: d2d values from given u instead of rng draws."""
    conditions = ProgramConditions(compliance_a=100e-6)
    u = np.array([[0.0, 0.0, 0.0, 0.0], [-3.0, 3.0, 2.5, -2.5]])
    samples = program_2t2r_cells(session, [-1], conditions, np.random.default_rng(0), d2d_u=u)
    expected = d2d_from_standard_normal(u, D2dVariability())
    row = samples[0].row
    for side, device in zip(("bl", "blb"), expected, strict=True):
        for name in D2D_FIELDS:
            assert row[f"{side}_{name}"] == getattr(device, name)
    # u = 0 is the nominal device (symmetric truncation of r, l, N_max); large u go to the
    # tails of the truncated distributions, inside their bounds.
    assert row["bl_r_filament_m"] == pytest.approx(45e-9) and row["bl_n_max"] == pytest.approx(20)
    assert 48e-9 < row["blb_r_filament_m"] < 49.5e-9 and 0.36 < row["blb_l_disc_nm"] < 0.37
    with pytest.raises(ParameterError) as caught:
        program_2t2r_cells(session, [1, -1], conditions, np.random.default_rng(0), d2d_u=u)
    assert caught.value.field == "d2d_u"
