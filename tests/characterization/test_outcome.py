"""One definition of a read's outcome for every read mode, and the BER over all reads."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from rram_ber.characterization import schema
from rram_ber.characterization.ber import ber_row, confusion_table
from rram_ber.characterization.measure import ReadMeasurement
from rram_ber.characterization.outcome import ReadOutcome, read_outcome, row_outcomes
from rram_ber.characterization.readout import CampaignCell
from rram_ber.characterization.reads import read_row

BINARY = (CampaignCell.TWO_T_TWO_R, CampaignCell.ONE_T_ONE_R, CampaignCell.XNOR)


@pytest.mark.parametrize("cell", BINARY)
def test_a_binary_read_with_outputs_not_separated_is_undecided_never_a_value(cell):
    mode = cell.mode
    for expected in (1, -1):
        assert read_outcome(mode, 0, True, expected) is ReadOutcome.UNDECIDED
        assert read_outcome(mode, expected, True, expected) is ReadOutcome.CORRECT
        assert read_outcome(mode, -expected, True, expected) is ReadOutcome.WRONG
        assert read_outcome(mode, expected, False, expected) is ReadOutcome.UNDECIDED


def test_a_ternary_zero_is_correct_only_for_a_stored_zero():
    mode = CampaignCell.TERNARY.mode
    assert read_outcome(mode, 0, True, 0) is ReadOutcome.CORRECT
    assert read_outcome(mode, 0, True, 1) is ReadOutcome.WRONG
    assert read_outcome(mode, 0, True, -1) is ReadOutcome.WRONG
    # Undecided decode logic (an output in the undecided band) delivers no value at all.
    assert read_outcome(mode, 0, False, 0) is ReadOutcome.UNDECIDED


def _array_read(decision: int, decided: bool) -> ReadMeasurement:
    """A measurement decoded by the array's logic (``logic_decode``)."""
    return ReadMeasurement(decision, decided, math.nan, 1e-15, 1.1, 1.1, logic_decode=True)


@pytest.mark.parametrize(
    ("cell", "stored", "decision", "decided", "outcome"),
    [
        # Both outputs still high at the sampling time: before issue 28 a resolved error.
        (CampaignCell.TWO_T_TWO_R, 1, 0, True, ReadOutcome.UNDECIDED),
        (CampaignCell.ONE_T_ONE_R, -1, 0, True, ReadOutcome.UNDECIDED),
        (CampaignCell.TWO_T_TWO_R, -1, -1, True, ReadOutcome.CORRECT),
        (CampaignCell.TWO_T_TWO_R, 1, 0, False, ReadOutcome.UNDECIDED),  # both low / band
        (CampaignCell.TERNARY, 1, 0, True, ReadOutcome.WRONG),
        (CampaignCell.TERNARY, 0, 0, True, ReadOutcome.CORRECT),
        (CampaignCell.TERNARY, 0, 0, False, ReadOutcome.UNDECIDED),  # counted before as 0
    ],
)
def test_sample_rows_store_the_outcome_and_the_tally_reads_it_back(
    cell, stored, decision, decided, outcome
):
    row = read_row(cell.mode, stored, None, _array_read(decision, decided))
    back = row_outcomes([row[schema.STATUS] == "ok"], [row[schema.RESOLVED]], [row[schema.ERROR]])
    assert back[0] == outcome
    assert row[schema.LATCHED] is decided  # the measurement itself is kept as measured


def test_a_failed_simulation_is_a_failed_read():
    row = read_row(CampaignCell.TWO_T_TWO_R.mode, 1, None, "timestep too small")
    back = row_outcomes([row[schema.STATUS] == "ok"], [row[schema.RESOLVED]], [row[schema.ERROR]])
    assert back[0] == ReadOutcome.FAILED


def test_ber_is_over_all_reads_with_the_undecided_and_failed_shares_beside_it():
    """Binary column reads sampled before the outputs separate: the issue's measured case
    (every decision 0, counted before as 300 resolved errors) as undecided reads."""
    mode = CampaignCell.TWO_T_TWO_R.mode
    reads = [_array_read(0, True)] * 6 + [_array_read(1, True), _array_read(1, True)]
    rows = [read_row(mode, mode.stored(i), None, m) for i, m in enumerate(reads)]
    rows.append(read_row(mode, 1, None, "no convergence"))
    frame = pd.DataFrame(rows).assign(**{schema.CONDITION_ID: 0})
    row = ber_row(frame, binary=True)
    assert row[schema.N_SAMPLES] == 9
    assert (row[schema.N_UNDECIDED], row[schema.N_FAILED], row[schema.N_WRONG]) == (6, 1, 1)
    assert row[schema.N_ERRORS] == 8 and row[schema.BER] == 8 / 9
    assert (row[schema.UNDECIDED_SHARE], row[schema.FAILED_SHARE]) == (6 / 9, 1 / 9)
    confusion = confusion_table(frame, binary_conditions=[0])
    plus = confusion[confusion[schema.STORED] == 1].set_index(schema.OUTCOME)
    assert plus.loc["undecided", schema.COUNT] == 3 and plus.loc["failed", schema.COUNT] == 1
    assert plus.loc["correct", schema.PROBABILITY] == pytest.approx(1 - row[schema.P_ERROR_PLUS])


@pytest.mark.ngspice
def test_a_binary_column_read_sampled_before_its_outputs_separate_is_undecided(tmp_path):
    """ber.csv of a 2T2R column read at 0.5 V sampled 0.25 ns after sense enable (the issue's
    measured case: both outputs still high, every decision 0): undecided reads, in the BER."""
    from rram_ber.characterization.campaign import run_campaign
    from rram_ber.characterization.executors import LocalExecutor
    from rram_ber.characterization.spec import parse_spec

    spec = parse_spec(
        {
            "campaign": {"seed": 1, "samples": 4, "batch_size": 4, "method": "monte-carlo"},
            "conditions": {"cell": "2t2r", "vdd_v": 0.5, "t_sample_s": 0.25e-9},
            "device": {"model": "fixed", "lrs_ohm": 5e3, "hrs_ohm": 50e3},
        }
    )
    with LocalExecutor(1) as executor:
        result = run_campaign(spec, tmp_path, executor)
    row = result.ber.iloc[0]
    assert (row[schema.N_SAMPLES], row[schema.N_UNDECIDED], row[schema.N_WRONG]) == (4, 4, 0)
    assert (row[schema.N_ERRORS], row[schema.BER], row[schema.UNDECIDED_SHARE]) == (4, 1.0, 1.0)
    written = pd.read_csv(tmp_path / "ber.csv").iloc[0]
    assert (written[schema.N_UNDECIDED], written[schema.BER]) == (4, 1.0)
    undecided = result.confusion[result.confusion[schema.OUTCOME] == "undecided"]
    assert list(undecided[schema.PROBABILITY]) == [1.0, 1.0]  # of stored -1 and +1
