"""The read limit state's margin (for subset simulation) on real ngspice reads."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rram_ber.characterization.limit_states import (
    FAILURE_MARGIN,
    LIMIT_STATE_FAILURE,
    LIMIT_STATE_MARGIN,
    SAFE_MARGIN_FLOOR,
    ReadLimitState,
    ReadVariation,
)
from rram_ber.characterization.rare import MarginLimitState
from rram_ber.characterization.schema import DELAY_S, ERROR, RESOLVED
from rram_ber.circuits.read import ReadConditions, ReadTiming
from rram_ber.models.resistance import ResistanceStates

pytestmark = pytest.mark.ngspice


def _state(session, t_sample_s: float = 2e-9) -> ReadLimitState:
    # A nearly closed window (10 / 11.5 kohm) so mismatch gives wrong reads as well as right ones.
    return ReadLimitState(
        session,
        ReadConditions(timing=ReadTiming(t_sample_s=t_sample_s)),
        ReadVariation(devices=ResistanceStates.log_normal(10e3, 0.2, 11.5e3, 0.0)),
        copies_per_netlist=30,
    )


def test_margin_is_at_most_zero_exactly_where_the_verdict_is_failure(session):
    state = _state(session, t_sample_s=0.3e-9)
    assert isinstance(state, MarginLimitState)
    u = np.random.default_rng(8).standard_normal((30, state.dim)) * 2.0
    margins = state.margin(u)
    table = state.table()
    failed = table[LIMIT_STATE_FAILURE]
    np.testing.assert_array_equal(margins <= 0.0, failed)
    np.testing.assert_array_equal(table[LIMIT_STATE_MARGIN], margins)
    # Wrong reads and unresolved reads both occur, so both kinds of failure are checked.
    assert table[ERROR].any() and (~table[RESOLVED]).any() and (~failed).any()
    assert np.all(margins[failed] == FAILURE_MARGIN)
    # The verdict of a second, independent evaluation of the same rows agrees.
    verdicts = _state(session, t_sample_s=0.3e-9)(u)
    np.testing.assert_array_equal(verdicts, failed)
    # A working read's margin is ln(t_sample / delay), above the floor.
    ok = ~failed
    expected = np.maximum(np.log(0.3e-9 / table[DELAY_S][ok]), SAFE_MARGIN_FLOOR)
    np.testing.assert_allclose(margins[ok], expected)
    assert np.all(margins[ok] > 0.0)


def test_margin_shrinks_as_the_devices_approach_each_other(session):
    state = _state(session)
    u = np.zeros((4, state.dim))
    # The LRS device on BL, raised towards the 11.5 kohm HRS one: the read slows down.
    u[:, state.variable_names.index("u_r_bl")] = [-2.0, -1.0, 0.0, 0.5]
    margins = state.margin(u)
    assert np.all(margins > 0.0)
    assert np.all(np.diff(margins) < 0.0), margins
    assert margins[0] > math.log(2.0)  # a 5 kohm / 11.5 kohm read is far from the 2 ns edge
