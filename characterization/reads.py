"""The read model shared by Monte-Carlo chunks and limit states: one row builder, one retry.

:func:`read_row` turns one read (a measurement, or the reason it failed) into the columns of
:mod:`rram_ber.characterization.schema`, the same for every caller. :func:`simulate_with_retry` is
the one "simulate the batch, retry one by one" rule: one divergent copy kills its whole netlist, so
a failed batch is rerun item by item and only the items that fail alone are lost.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rram_ber.characterization import schema
from rram_ber.characterization.measure import ReadMeasurement
from rram_ber.characterization.outcome import ReadOutcome, read_outcome
from rram_ber.characterization.readout import ReadMode
from rram_ber.characterization.simulator import SimulationError

T = TypeVar("T")
R = TypeVar("R")

#: Output columns of a read row besides the schema's: the PCSA output voltages and (array
#: reads) the decode inverter outputs at the sampling time [V].
V_OUT = "v_out_v"
V_OUTB = "v_outb_v"
V_D = "v_d_v"
V_DB = "v_db_v"


def simulate_with_retry(
    simulate: Callable[[Sequence[T]], Sequence[R]], items: Sequence[T]
) -> list[R | str]:
    """``simulate(items)``, one result per item; on :class:`SimulationError` each item alone.

    Returns
    -------
    list
        Per item, its result, or the simulator's reason (a string) when it failed alone too.
    """
    try:
        return list(simulate(items))
    except SimulationError as error:
        if len(items) == 1:
            return [error.reason]
    outcomes: list[R | str] = []
    for item in items:
        try:
            outcomes += simulate([item])
        except SimulationError as error:
            outcomes.append(error.reason)
    return outcomes


def read_row(
    mode: ReadMode,
    stored: int,
    activation: int | None,
    outcome: ReadMeasurement | str,
) -> dict[str, Any]:
    """The read columns of one sample.

    Parameters
    ----------
    mode : ReadMode
        How the cell is read. The row's ``resolved`` and ``error`` columns store the read's
        :class:`~characterization.outcome.ReadOutcome` (the one definition, see
        :mod:`rram_ber.characterization.outcome`): ``resolved`` = a valid value was
        delivered (correct or wrong), ``error`` = wrong. A binary read still at 0 (outputs
        not separated at the sampling time) or with undecided decode logic is undecided; a
        ternary read's 0 is a value.
    stored : int
        Stored weight.
    activation : int or None
        Input activation (XNOR reads), None without input (written as 0).
    outcome : ReadMeasurement or str
        The measurement, or why the read could not be simulated (a failed row).
    """
    expected = mode.expected(stored, activation)
    row: dict[str, Any] = {
        schema.STORED_VALUE: stored,
        schema.ACTIVATION: 0 if activation is None else activation,
        schema.EXPECTED: expected,
    }
    if isinstance(outcome, str):
        row.update(
            {
                schema.STATUS: schema.STATUS_FAILED,
                schema.FAILURE_REASON: outcome,
                schema.DECISION: 0,
                schema.LATCHED: False,
                schema.RESOLVED: False,
                schema.ERROR: False,
                schema.DELAY_S: math.nan,
                schema.ENERGY_J: math.nan,
                V_OUT: math.nan,
                V_OUTB: math.nan,
                V_D: math.nan,
                V_DB: math.nan,
            }
        )
        return row
    # The isolated fixture's threshold on the output separation always decides (+1, -1 or 0).
    decided = outcome.resolved if outcome.logic_decode else True
    verdict = read_outcome(mode, outcome.decision, decided, expected)
    row.update(
        {
            schema.STATUS: schema.STATUS_OK,
            schema.FAILURE_REASON: "",
            schema.DECISION: outcome.decision,
            schema.LATCHED: outcome.resolved,
            schema.RESOLVED: verdict.delivered_value,
            schema.ERROR: verdict is ReadOutcome.WRONG,
            schema.DELAY_S: outcome.delay_s,
            schema.ENERGY_J: outcome.energy_j,
            V_OUT: outcome.v_out_v,
            V_OUTB: outcome.v_outb_v,
            V_D: outcome.v_d_v,
            V_DB: outcome.v_db_v,
        }
    )
    return row
