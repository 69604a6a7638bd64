"""The rare-event limit state of the ternary and XNOR reads, against the Monte-Carlo path.

The limit state's copies (the devices and mismatch drawn from ``u``) are simulated twice: by
the limit state, and as Monte-Carlo samples through the campaign's own chunk simulation and row
builder. The verdict must be the Monte-Carlo path's "wrong or unresolved", and the margin must be
positive exactly where the read works. Real ngspice; the 64-row column of the default campaign
(decoded by logic) and the isolated fixture (decoded from the output separation).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from rram_ber.characterization import schema
from rram_ber.characterization.chunks import simulate_group
from rram_ber.characterization.limit_states import (
    FAILURE_MARGIN,
    LIMIT_STATE_FAILURE,
    LIMIT_STATE_MARGIN,
    SAFE_MARGIN_FLOOR,
    ReadLimitState,
    ReadVariation,
)
from rram_ber.characterization.rare_task import RareTask, rare_seed, rare_tasks, resistor_variation
from rram_ber.characterization.readout import CampaignCell
from rram_ber.characterization.sampling import SamplePlan
from rram_ber.characterization.spec import CampaignSpec, parse_spec
from rram_ber.circuits.cells import CellKind
from rram_ber.core.validation import ParameterError

pytestmark = pytest.mark.ngspice

#: Rows per stored value: enough for reads that work and reads that fail at the condition.
ROWS = 16
#: Exploration scale of ``u``: wider than nominal, so failures show up in a few rows.
SCALE = 1.5


def _spec(cell: str, isolated: bool, **conditions: object) -> CampaignSpec:
    """The default campaign's device block at tt, 27 C, 0.9 V, 0.5 ns (column: 64 rows)."""
    return parse_spec(
        {
            "campaign": {"seed": 7, "samples": 2000, "batch_size": ROWS, "method": "subset"},
            "conditions": {
                "cell": cell,
                "vdd_v": 0.9,
                "t_sample_s": 0.5e-9,
                **conditions,
            },
            "device": {
                "model": "lognormal",
                "lrs_median_ohm": 5e3,
                "lrs_sigma_ln": 0.3,
                "hrs_median_ohm": 40e3,
                "hrs_sigma_ln": 0.8,
            },
            "array": {"isolated": True} if isolated else {"rows": 64},
            "timing": {"t_step_s": 20e-12},
        }
    )


def _both_ways(session, spec: CampaignSpec, stored: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The limit state's rows and the Monte-Carlo rows of the same copies."""
    condition = spec.conditions()[0]
    task = RareTask(condition, stored, "subset", 2000)
    state = ReadLimitState(
        session,
        spec.read_conditions(condition),
        resistor_variation(spec, task),
        copies_per_netlist=ROWS,
    )
    u = SCALE * np.random.default_rng(100 + stored).standard_normal((ROWS, state.dim))
    copies, _ = state.copies(u)
    state.margin(u)
    limit = pd.DataFrame(state.table())
    mode = condition.cell.mode
    # A Monte-Carlo row takes its stored value and input from its sample index: give each
    # copy an index whose (stored, input) are the copy's own.
    period = math.lcm(len(mode.stored_values), len(mode.activations) or 1)
    plans = []
    for k, copy in enumerate(copies):
        offset = next(
            r
            for r in range(period)
            if (mode.stored(r), mode.activation(r)) == (stored, copy.activation)
        )
        expected = mode.expected(stored, copy.activation)
        plans.append(SamplePlan(k * period + offset, stored, expected, copy, {}))
    monte_carlo = simulate_group(session, spec, [condition], plans)[condition.condition_id]
    return limit, monte_carlo


def _check_agreement(limit: pd.DataFrame, monte_carlo: pd.DataFrame) -> None:
    ok = monte_carlo[schema.STATUS] == schema.STATUS_OK
    wrong_or_unresolved = ~ok | monte_carlo[schema.ERROR] | ~monte_carlo[schema.RESOLVED]
    assert list(limit[LIMIT_STATE_FAILURE]) == list(wrong_or_unresolved)
    for column in (schema.DECISION, schema.EXPECTED, schema.ACTIVATION, schema.RESOLVED):
        assert list(limit[column]) == list(monte_carlo[column]), column
    # The margin's sign is the verdict.
    margin = limit[LIMIT_STATE_MARGIN].to_numpy()
    failed = limit[LIMIT_STATE_FAILURE].to_numpy(dtype=bool)
    assert np.all(margin[failed] == FAILURE_MARGIN)
    assert np.all(margin[~failed] >= SAFE_MARGIN_FLOOR)


@pytest.mark.parametrize("isolated", [False, True], ids=["column", "isolated"])
def test_ternary_verdicts_are_the_monte_carlo_decode_of_the_same_reads(session, isolated):
    spec = _spec("ternary", isolated)
    verdicts = {}
    for stored in (1, 0, -1):
        limit, monte_carlo = _both_ways(session, spec, stored)
        _check_agreement(limit, monte_carlo)
        assert (limit[schema.STORED_VALUE] == stored).all()
        verdicts[stored] = limit[LIMIT_STATE_FAILURE].to_numpy(dtype=bool)
        if stored == 0:
            # A zero works only while its outputs stay together: a working zero decodes 0 and
            # its graded margin is above the floor somewhere (not every read at the floor).
            works = ~verdicts[0]
            assert (limit[schema.DECISION][works] == 0).all()
            assert (limit[LIMIT_STATE_MARGIN][works] > 10 * SAFE_MARGIN_FLOOR).any()
        else:
            # A +-1 read that has not separated in time decodes 0 and is wrong.
            undecided = limit[schema.DECISION] == 0
            assert limit[LIMIT_STATE_FAILURE][undecided].all()
    # At this condition (and the exploration scale) zeros and +-1 weights have reads that
    # work and reads that fail, so the agreement above covers both verdicts of both kinds.
    assert verdicts[0].any() and not verdicts[0].all()
    signed = np.concatenate([verdicts[1], verdicts[-1]])
    assert signed.any() and not signed.all()


def test_xnor_verdicts_are_the_monte_carlo_decode_and_inputs_split_evenly(session):
    spec = _spec("xnor", isolated=False)
    failures = 0
    for stored in (1, -1):
        limit, monte_carlo = _both_ways(session, spec, stored)
        _check_agreement(limit, monte_carlo)
        # The input is the sign of u_x; the expected output is w * x.
        x = np.where(limit["u_x"] >= 0, 1, -1)
        assert list(limit[schema.ACTIVATION]) == list(x)
        assert list(limit[schema.EXPECTED]) == list(stored * x)
        assert set(x) == {1, -1}
        failures += int(limit[LIMIT_STATE_FAILURE].sum())
    assert 0 < failures < 2 * ROWS


def test_ternary_zero_margin_in_the_isolated_fixture_is_its_delay_over_the_sampling_time(session):
    """A working zero: ``ln(t_delay / t_sample)``, ``t_delay`` capped at the evaluation phase
    (never separated: the cap); a failing zero separated before the sampling time."""
    spec = _spec("ternary", isolated=True)
    condition = spec.conditions()[0]
    conditions = spec.read_conditions(condition)
    variation = resistor_variation(spec, RareTask(condition, 0, "subset", 2000))
    state = ReadLimitState(session, conditions, variation, copies_per_netlist=ROWS)
    u = 2.0 * np.random.default_rng(3).standard_normal((ROWS, state.dim))
    margin = state.margin(u)
    delay = state.table()[schema.DELAY_S]
    t_sample, t_evaluate = conditions.timing.t_sample_s, conditions.timing.t_evaluate_s
    works = margin > 0
    assert works.any() and not works.all()
    capped = np.minimum(np.where(np.isnan(delay), t_evaluate, delay), t_evaluate)
    expected = np.maximum(np.log(capped / t_sample), SAFE_MARGIN_FLOOR)
    assert np.allclose(margin[works], expected[works])
    assert np.all(delay[~works] <= t_sample)


def test_read_variation_takes_the_read_mode_and_its_stored_values():
    ternary = ReadVariation(stored=0, read_mode=CampaignCell.TERNARY)
    assert ternary.branch_states() == (False, False)  # (HRS, HRS)
    assert ReadVariation(stored=-1, read_mode="xnor").mode.activations
    with pytest.raises(ParameterError, match="stored"):
        ReadVariation(stored=0)  # a binary cell stores no 0
    with pytest.raises(ParameterError, match="cell"):
        ReadVariation(cell=CellKind.ONE_T_ONE_R, read_mode=CampaignCell.TERNARY)
    with pytest.raises(ParameterError, match="read_mode"):
        ReadVariation(read_mode="quaternary")  # type: ignore[arg-type]


def test_ternary_tasks_cover_zero_and_keep_the_binary_seeds():
    spec = _spec("ternary", isolated=True)
    binary = _spec("2t2r", isolated=True)
    tasks = rare_tasks(spec, spec.conditions())
    assert [t.stored for t in tasks] == [1, 0, -1]
    keys = {t.stored: rare_seed(spec, t).spawn_key for t in tasks}
    assert keys == {1: (0, 0, 1), -1: (0, 1, 1), 0: (0, 2, 1)}
    binary_tasks = rare_tasks(binary, binary.conditions())
    assert [rare_seed(binary, t).spawn_key for t in binary_tasks] == [(0, 0, 1), (0, 1, 1)]
