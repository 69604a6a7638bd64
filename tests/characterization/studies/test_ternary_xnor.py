"""Ternary read-out in one sense and the XNOR-PCSA, with the real ngspice."""

import itertools

import numpy as np
import pytest

from rram_ber.characterization import schema, store
from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.chunks import simulate_group
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.read import simulate_reads
from rram_ber.characterization.sampling import plan_samples
from rram_ber.characterization.spec import CampaignCell, parse_spec
from rram_ber.circuits.cells import Cell2T2R
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.pcsa import XnorSwitchSizing
from rram_ber.circuits.read import ReadConditions, ReadCopy, ReadTiming
from rram_ber.models.cmos import ProcessCorner

pytestmark = pytest.mark.ngspice

LRS, HRS = 5e3, 50e3


def _ternary_spec(vdd, t_sample, **extra):
    return parse_spec(
        {
            "campaign": {"samples": 9, "batch_size": 9, "method": "monte-carlo"},
            "conditions": {"cell": "ternary", "vdd_v": vdd, "t_sample_s": t_sample},
            "device": {"model": "fixed", "lrs_ohm": LRS, "hrs_ohm": HRS},
            # The isolated fixture and its analogue decision: these tests pin its ternary
            # window (array reads decode by logic: tests/circuits/test_array.py).
            "array": {"isolated": True},
            **extra,
        }
    )


@pytest.mark.parametrize("corner", ["tt", "ss", "ff"])
def test_ternary_decode_on_ideal_resistances_returns_all_three_states(session, corner):
    spec = _ternary_spec(
        0.6,
        0.8e-9,
        conditions={"cell": "ternary", "vdd_v": 0.6, "t_sample_s": 0.8e-9, "corner": corner},
    )
    condition = spec.conditions()[0]
    plans = plan_samples(spec, condition, range(9))
    rows = simulate_group(session, spec, [condition], plans)[condition.condition_id]
    assert list(rows[schema.STORED_VALUE]) == [1, 0, -1] * 3
    assert list(rows[schema.DECISION]) == list(rows[schema.STORED_VALUE])
    assert rows[schema.RESOLVED].all() and not rows[schema.ERROR].any()
    zeros = rows[rows[schema.STORED_VALUE] == 0]
    assert not zeros[schema.LATCHED].any()  # (HRS, HRS) had not latched at the sampling time


def test_zero_weights_latch_randomly_when_sampled_too_late(session):
    """The ternary window: (HRS, HRS) pairs read 0 only before mismatch makes them latch."""
    reads = {}
    for t_sample in (0.8e-9, 2.9e-9):
        spec = parse_spec(
            {
                "campaign": {"samples": 60, "seed": 4, "method": "monte-carlo"},
                "conditions": {"cell": "ternary", "vdd_v": 0.6, "t_sample_s": t_sample},
                "device": {"model": "fixed", "lrs_ohm": LRS, "hrs_ohm": HRS},
                "array": {"isolated": True},
            }
        )
        condition = spec.conditions()[0]
        plans = plan_samples(spec, condition, range(60))
        rows = simulate_group(session, spec, [condition], plans)[condition.condition_id]
        reads[t_sample] = rows
    early, late = reads[0.8e-9], reads[2.9e-9]
    for rows in (early, late):  # stored +-1 are read correctly either way
        signed = rows[rows[schema.STORED_VALUE] != 0]
        assert (signed[schema.DECISION] == signed[schema.STORED_VALUE]).all()
    assert (early[early[schema.STORED_VALUE] == 0][schema.DECISION] == 0).all()
    late_zeros = late[late[schema.STORED_VALUE] == 0][schema.DECISION]
    assert (late_zeros != 0).sum() >= 15  # most have latched by 2.9 ns ...
    assert {1, -1} <= set(late_zeros)  # ... to either side, as mismatch decides


def test_ternary_campaign_confusion_rows_sum_to_one(tmp_path):
    spec = parse_spec(
        {
            "campaign": {"seed": 2, "samples": 24, "batch_size": 12, "method": "monte-carlo"},
            "conditions": {"cell": "ternary", "vdd_v": 0.6, "t_sample_s": [0.5e-9, 1.0e-9]},
            "device": {
                "model": "lognormal",
                "lrs_median_ohm": LRS,
                "hrs_median_ohm": HRS,
                "hrs_sigma_ln": 0.5,
            },
            "array": {"isolated": True},
        }
    )
    with LocalExecutor(1) as executor:
        result = run_campaign(spec, tmp_path, executor)
    confusion = result.confusion
    assert set(confusion[schema.STORED]) == {1, 0, -1}
    sums = confusion.groupby([schema.CONDITION_ID, schema.STORED])[schema.PROBABILITY].sum()
    assert np.allclose(sums, 1.0)
    assert (confusion[schema.CI_LOW] <= confusion[schema.PROBABILITY]).all()
    assert (confusion[schema.PROBABILITY] <= confusion[schema.CI_HIGH]).all()
    # Both sampling times come from one simulation of the same draws.
    samples = store.read_samples(tmp_path)
    first, second = (samples[samples[schema.CONDITION_ID] == c] for c in (0, 1))
    assert list(first["r_bl_ohm"]) == list(second["r_bl_ohm"])
    assert list(first[schema.ENERGY_J]) == list(second[schema.ENERGY_J])
    # Ternary conditions have no binary error split; a read with both outputs still high is
    # the value 0, not undecided (only undecided decode logic would be).
    assert result.ber[schema.P_ERROR_PLUS].isna().all()
    assert (result.ber[schema.N_UNDECIDED] == 0).all()


@pytest.mark.parametrize("corner", list(ProcessCorner))
def test_xnor_pcsa_truth_table_at_every_corner(session, corner):
    for vdd in (1.2, 0.8):
        conditions = ReadConditions(vdd_v=vdd, corner=corner, xnor=XnorSwitchSizing())
        cases = list(itertools.product((1, -1), (1, -1)))
        copies = [
            ReadCopy(
                Cell2T2R(FixedResistor(LRS), FixedResistor(HRS))
                if w == 1
                else Cell2T2R(FixedResistor(HRS), FixedResistor(LRS)),
                activation=x,
            )
            for w, x in cases
        ]
        decisions = [m.decision for m in simulate_reads(session, conditions, copies)]
        assert decisions == [w * x for w, x in cases], (corner, vdd)


def test_xnor_campaign_cycles_all_four_input_cases(session):
    spec = parse_spec(
        {
            "campaign": {"samples": 8, "method": "monte-carlo"},
            "conditions": {"cell": "xnor"},
            "device": {"model": "fixed"},
        }
    )
    condition = spec.conditions()[0]
    assert condition.cell is CampaignCell.XNOR
    plans = plan_samples(spec, condition, range(8))
    assert {(p.stored, p.copy.activation) for p in plans} == set(
        itertools.product((1, -1), (1, -1))
    )
    rows = simulate_group(session, spec, [condition], plans)[condition.condition_id]
    assert list(rows[schema.DECISION]) == [p.stored * p.copy.activation for p in plans]
    assert list(rows[schema.EXPECTED]) == list(rows[schema.DECISION])
    assert {"dvt_xs1", "dvt_xs4"} <= set(rows.columns)  # the swap transistors get mismatch too


def test_read_testbench_refuses_activation_without_xnor_pcsa():
    from rram_ber.circuits.read import read_netlist
    from rram_ber.core.validation import ParameterError

    with pytest.raises(ParameterError, match="activation"):
        read_netlist(
            ReadConditions(),
            [ReadCopy(Cell2T2R(FixedResistor(LRS), FixedResistor(HRS)), activation=1)],
        )
    with pytest.raises(ParameterError, match="activation"):
        read_netlist(
            ReadConditions(xnor=XnorSwitchSizing()),
            [ReadCopy(Cell2T2R(FixedResistor(LRS), FixedResistor(HRS)))],
        )
    assert ReadTiming().t_sample_s > 0
