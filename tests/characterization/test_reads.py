"""The shared read model: one row builder and one retry rule (no simulator)."""

from __future__ import annotations

import math

import pytest

from rram_ber.characterization import schema
from rram_ber.characterization.measure import ReadMeasurement
from rram_ber.characterization.readout import CampaignCell
from rram_ber.characterization.reads import read_row, simulate_with_retry
from rram_ber.characterization.simulator import SimulationError


def _measured(decision: int) -> ReadMeasurement:
    return ReadMeasurement(decision, decision != 0, 1e-10, 1e-15, 0.1, 1.1)


def test_a_failed_batch_is_retried_item_by_item_and_only_the_bad_item_is_lost():
    calls: list[list[int]] = []

    def simulate(items):
        calls.append(list(items))
        if 3 in items:
            raise SimulationError("timestep too small", "", "")
        return [10 * i for i in items]

    assert simulate_with_retry(simulate, [1, 2, 3, 4]) == [10, 20, "timestep too small", 40]
    assert calls == [[1, 2, 3, 4], [1], [2], [3], [4]]
    calls.clear()
    assert simulate_with_retry(simulate, [3]) == ["timestep too small"]
    assert calls == [[3]]  # a single item is not simulated twice


@pytest.mark.parametrize(
    ("cell", "stored", "activation", "decision", "resolved", "error"),
    [
        (CampaignCell.TWO_T_TWO_R, 1, None, 1, True, False),
        (CampaignCell.TWO_T_TWO_R, 1, None, -1, True, True),
        (CampaignCell.TWO_T_TWO_R, -1, None, 0, False, False),  # undecided, not wrong
        (CampaignCell.TERNARY, 0, None, 0, True, False),  # no latch decodes as 0
        (CampaignCell.TERNARY, 1, None, 0, True, True),
        (CampaignCell.XNOR, -1, -1, 1, True, False),  # expected w * x = +1
        (CampaignCell.XNOR, -1, 1, 1, True, True),
    ],
)
def test_rows_decode_by_read_mode(cell, stored, activation, decision, resolved, error):
    row = read_row(cell.mode, stored, activation, _measured(decision))
    assert row[schema.STATUS] == schema.STATUS_OK
    assert row[schema.LATCHED] is (decision != 0)
    assert (row[schema.RESOLVED], row[schema.ERROR]) == (resolved, error)
    assert row[schema.EXPECTED] == (stored if activation is None else stored * activation)
    assert row[schema.ACTIVATION] == (0 if activation is None else activation)


def test_a_failed_read_is_a_failed_row_with_its_reason():
    row = read_row(CampaignCell.TERNARY.mode, 0, None, "no convergence")
    assert row[schema.STATUS] == schema.STATUS_FAILED
    assert row[schema.FAILURE_REASON] == "no convergence"
    assert not row[schema.RESOLVED] and not row[schema.ERROR]
    assert math.isnan(row[schema.DELAY_S])


def test_read_modes_cycle_their_stored_values_and_inputs():
    ternary, xnor = CampaignCell.TERNARY.mode, CampaignCell.XNOR.mode
    assert [ternary.stored(i) for i in range(6)] == [1, 0, -1, 1, 0, -1]
    pairs = {(xnor.stored(i), xnor.activation(i)) for i in range(4)}
    assert pairs == {(1, 1), (-1, 1), (1, -1), (-1, -1)}
    assert CampaignCell.ONE_T_ONE_R.mode.activation(3) is None
    assert ternary.device_states(0) == (False, False)
    with pytest.raises(ValueError, match="ternary"):
        CampaignCell.TWO_T_TWO_R.mode.device_states(0)
