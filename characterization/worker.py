"""Simulate campaign tasks: the code that runs inside worker processes.

A chunk is ``batch_size`` consecutive samples of one condition group (the conditions that
differ only in sampling time), simulated together in one batched netlist and measured at each
sampling time. When that netlist fails (no convergence, parse error), the chunk is rerun
sample by sample, so one bad sample cannot take its neighbours down; samples that still fail
are returned as rows with ``status = "failed"`` and ngspice's reason, and the campaign goes on.
A rare-event task runs the campaign's estimator for one condition and stored value.

Each worker process owns one :class:`~characterization.session.NgspiceSession`, opened on first
use. All simulator calls of a process are funnelled through one dedicated thread, because
libngspice must never be used from two threads, and a Dask worker may run tasks on several.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from characterization import schema
from characterization.measure import DEFAULT_RESOLVE_FRACTION, ReadMeasurement
from characterization.read import simulate_reads_at
from characterization.sampling import (
    MeasuredResistances,
    SamplePlan,
    activation_value,
    plan_samples,
)
from characterization.session import NgspiceSession, SimulationError, Simulator
from characterization.spec import CampaignCell, CampaignSpec, Condition
from circuits.read import ReadConditions, ReadCopy


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """One unit of work: samples ``[first, stop)`` of a group of conditions.

    The conditions of a task differ only in sampling time (one condition group): their
    samples are simulated once and measured at each sampling time.

    Attributes
    ----------
    conditions : tuple of Condition
        The conditions of one group.
    chunk : int
        Chunk index (``first = chunk * batch_size``).
    first, stop : int
        Sample index range.
    """

    conditions: tuple[Condition, ...]
    chunk: int
    first: int
    stop: int

    @property
    def group_id(self) -> int:
        """The condition group of the task."""
        return self.conditions[0].group_id

    @property
    def samples(self) -> int:
        """Result rows this task produces (samples x conditions)."""
        return (self.stop - self.first) * len(self.conditions)


def chunk_tasks(spec: CampaignSpec, conditions: Sequence[Condition]) -> list[ChunkTask]:
    """Every chunk of every condition group, in order."""
    groups: dict[int, list[Condition]] = {}
    for condition in conditions:
        groups.setdefault(condition.group_id, []).append(condition)
    batch = spec.campaign.batch_size
    samples = spec.campaign.samples
    return [
        ChunkTask(tuple(group), chunk, first, min(first + batch, samples))
        for group in groups.values()
        for chunk, first in enumerate(range(0, samples, batch))
    ]


def _row(
    plan: SamplePlan,
    condition: Condition,
    measurement: ReadMeasurement | None,
    reason: str,
) -> dict[str, Any]:
    """One result row. A ternary read decodes unresolved outputs as 0, so it is always
    "resolved"; a binary read that did not latch is unresolved and never an error."""
    activation = activation_value(condition.cell, plan.sample_index)
    row: dict[str, Any] = {
        schema.CONDITION_ID: condition.condition_id,
        schema.SAMPLE_INDEX: plan.sample_index,
        # The key the sample's draws were spawned with (see characterization.sampling): the
        # group, not the condition, so the sampling times of one group share it.
        schema.SEED_SPAWN_KEY: f"{condition.group_id}/{plan.sample_index}",
        schema.STORED_VALUE: plan.stored,
        schema.ACTIVATION: 0 if activation is None else activation,
        schema.EXPECTED: plan.expected,
    }
    if measurement is None:
        row.update(
            {
                schema.STATUS: schema.STATUS_FAILED,
                schema.FAILURE_REASON: reason,
                schema.DECISION: 0,
                schema.LATCHED: False,
                schema.RESOLVED: False,
                schema.ERROR: False,
                schema.DELAY_S: math.nan,
                schema.ENERGY_J: math.nan,
                "v_out_v": math.nan,
                "v_outb_v": math.nan,
            }
        )
    else:
        resolved = measurement.resolved or condition.cell is CampaignCell.TERNARY
        row.update(
            {
                schema.STATUS: schema.STATUS_OK,
                schema.FAILURE_REASON: "",
                schema.DECISION: measurement.decision,
                schema.LATCHED: measurement.resolved,
                schema.RESOLVED: resolved,
                schema.ERROR: resolved and measurement.decision != plan.expected,
                schema.DELAY_S: measurement.delay_s,
                schema.ENERGY_J: measurement.energy_j,
                "v_out_v": measurement.v_out_v,
                "v_outb_v": measurement.v_outb_v,
            }
        )
    row.update(plan.columns)
    return row


Outcome = tuple[list[ReadMeasurement | None], str]


def _measure_with_fallback(
    simulator: Simulator,
    reads: Sequence[ReadConditions],
    copies: Sequence[ReadCopy],
    resolve_fraction: float,
) -> list[Outcome]:
    """Per copy: its measurement under each of ``reads`` (None if it failed) and the reason."""
    try:
        batched = simulate_reads_at(simulator, reads, copies, resolve_fraction)
        return [([per_read[k] for per_read in batched], "") for k in range(len(copies))]
    except SimulationError:
        pass
    outcomes: list[Outcome] = []
    for copy in copies:
        try:
            single = simulate_reads_at(simulator, reads, [copy], resolve_fraction)
            outcomes.append(([per_read[0] for per_read in single], ""))
        except SimulationError as error:
            outcomes.append(([None] * len(reads), error.reason))
    return outcomes


def _outcomes(
    simulator: Simulator,
    reads: Sequence[ReadConditions],
    plans: Sequence[SamplePlan],
    resolve_fraction: float,
) -> list[Outcome]:
    """Outcomes of every plan; plans without a copy fail with their own reason."""
    ready = [plan for plan in plans if plan.copy is not None]
    measured = iter(
        _measure_with_fallback(
            simulator,
            reads,
            [plan.copy for plan in ready if plan.copy is not None],
            resolve_fraction,
        )
        if ready
        else []
    )
    return [
        next(measured) if plan.copy is not None else ([None] * len(reads), plan.failure)
        for plan in plans
    ]


def simulate_group(
    simulator: Simulator,
    spec: CampaignSpec,
    conditions: Sequence[Condition],
    plans: Sequence[SamplePlan],
) -> dict[int, pd.DataFrame]:
    """Simulate planned samples once (one batched netlist), measure them for every condition.

    When the batched netlist fails, each sample is rerun alone, so one bad sample cannot take
    its neighbours down; samples that still fail get ``status = "failed"`` and ngspice's reason.

    Returns
    -------
    dict
        condition id -> rows (one per plan, in order, with the schema's sample columns).
    """
    reads = [spec.read_conditions(c) for c in conditions]
    outcomes = _outcomes(simulator, reads, plans, spec.resolve_fraction)
    return {
        condition.condition_id: pd.DataFrame(
            [
                _row(plan, condition, measurements[j], reason)
                for plan, (measurements, reason) in zip(plans, outcomes, strict=True)
            ]
        )
        for j, condition in enumerate(conditions)
    }


def simulate_plans(
    simulator: Simulator,
    read_conditions: ReadConditions,
    condition: Condition,
    plans: Sequence[SamplePlan],
    resolve_fraction: float = DEFAULT_RESOLVE_FRACTION,
) -> pd.DataFrame:
    """Simulate planned samples of a single condition (see :func:`simulate_group`)."""
    outcomes = _outcomes(simulator, [read_conditions], plans, resolve_fraction)
    return pd.DataFrame(
        [
            _row(plan, condition, measurements[0], reason)
            for plan, (measurements, reason) in zip(plans, outcomes, strict=True)
        ]
    )


def simulate_chunk(
    simulator: Simulator, spec: CampaignSpec, task: ChunkTask
) -> dict[int, pd.DataFrame]:
    """Draw and simulate the samples of one chunk; rows per condition id."""
    indices = range(task.first, task.stop)
    # The conditions of a group share their draws (and programmed devices): plan them once.
    if spec.device.model == "vcm":
        from characterization.vcm_cells import plan_vcm_samples

        plans = plan_vcm_samples(simulator, spec, task.conditions[0], indices)
    else:
        measured = None
        if spec.device.model == "empirical":
            measured = MeasuredResistances(Path(spec.source_dir) / spec.device.csv)
        plans = plan_samples(spec, task.conditions[0], indices, measured)
    return simulate_group(simulator, spec, task.conditions, plans)


@dataclass(frozen=True, slots=True)
class RareTask:
    """One rare-event estimate: the failure probability of one stored value at a condition.

    Attributes
    ----------
    condition : Condition
        The condition (binary 2T2R or 1T1R cell, fixed or log-normal devices).
    stored : int
        The stored weight, +1 or -1.
    """

    condition: Condition
    stored: int

    @property
    def samples(self) -> int:
        """Progress units: one per estimate."""
        return 1


@dataclass(frozen=True)
class RareOutcome:
    """A finished :class:`RareTask`: the estimate and every simulated row.

    Attributes
    ----------
    estimate : dict
        ``method``, ``p``, ``ci_low``, ``ci_high``, ``std_error``, ``n_evaluations``,
        ``n_failures``, ``effective_sample_size``, ``notes`` (JSON-able).
    rows : pandas.DataFrame
        One row per simulated read, in evaluation order: the drawn values, the read's
        outcome, the estimator's stage and likelihood-ratio weight.
    """

    estimate: dict[str, Any]
    rows: pd.DataFrame


def rare_seed(spec: CampaignSpec, task: RareTask) -> np.random.SeedSequence:
    """Seed of one estimate: ``SeedSequence(seed, spawn_key=(condition, k, 1))``, k = 0 for
    +1 and 1 for -1 (three entries, so it never equals a Monte-Carlo sample's two-entry key)."""
    k = 0 if task.stored == 1 else 1
    return np.random.SeedSequence(spec.campaign.seed, spawn_key=(task.condition.condition_id, k, 1))


def estimate_rare(simulator: Simulator, spec: CampaignSpec, task: RareTask) -> RareOutcome:
    """Run the campaign's rare-event estimator for one condition and stored value.

    The limit state is the batched SPICE read (:class:`~characterization.limit_states.
    ReadLimitState`); a read fails when it is wrong or unresolved at the sampling time (so the
    estimate bounds the Monte-Carlo ``ber``, which leaves unresolved reads out, from above).
    ``campaign.samples`` is the simulation budget of the estimate.
    """
    from characterization.limit_states import ReadLimitState, ReadVariation
    from characterization.rare import estimate_failure_probability

    device = spec.device
    vary = spec.variability.device and device.model == "lognormal"
    lrs, hrs = device.nominal_lrs_hrs_ohm()
    variation = ReadVariation(
        cell=task.condition.cell.physical_cell,
        stored=task.stored,
        lrs_median_ohm=lrs,
        hrs_median_ohm=hrs,
        lrs_sigma_ln=device.lrs_sigma_ln if vary else 0.0,
        hrs_sigma_ln=device.hrs_sigma_ln if vary else 0.0,
        reference_ohm=spec.reference_resistance_ohm(),
        mismatch=spec.variability.mismatch,
        coefficients=spec.variability.pelgrom,
        unresolved_is_failure=True,
        resolve_fraction=spec.resolve_fraction,
    )
    batch = spec.campaign.batch_size
    state = ReadLimitState(
        simulator, spec.read_conditions(task.condition), variation, copies_per_netlist=batch
    )
    result = estimate_failure_probability(
        state,
        state.dim,
        method=spec.campaign.method,
        budget=spec.campaign.samples,
        seed=rare_seed(spec, task),
        batch_size=batch,
    )
    rows = pd.DataFrame(state.table())
    if result.samples is not None:
        # The limit state records one row per evaluation, in the estimator's order.
        if len(rows) != len(result.samples.failed):
            raise RuntimeError(
                f"{len(rows)} simulated rows for {len(result.samples.failed)} evaluations"
            )
        rows["stage"] = result.samples.stage
        rows["weight"] = result.samples.weight
        rows["scale"] = result.samples.scale
    rows.insert(0, schema.CONDITION_ID, task.condition.condition_id)
    estimate = {
        "condition_id": task.condition.condition_id,
        "stored": task.stored,
        "method": result.method,
        "p": result.p,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "std_error": result.std_error,
        "confidence": result.confidence,
        "n_evaluations": result.n_evaluations,
        "n_failures": result.n_failures,
        "effective_sample_size": result.effective_sample_size,
        "notes": list(result.notes),
    }
    return RareOutcome(estimate, rows)


# --- per-process state of a worker --------------------------------------------------------

_ngspice_thread: ThreadPoolExecutor | None = None
_session: NgspiceSession | None = None
_state_lock = threading.Lock()


def _open_session() -> NgspiceSession:
    global _session
    if _session is None:
        _session = NgspiceSession()
        _session.open()
    return _session


Task = ChunkTask | RareTask
TaskResult = dict[int, pd.DataFrame] | RareOutcome


def _run_on_session(spec: CampaignSpec, task: Task) -> TaskResult:
    session = _open_session()
    # Each campaign's own wall-time limit per ngspice run (a worker may serve several).
    session.time_limit_s = spec.campaign.time_limit_s
    if isinstance(task, RareTask):
        return estimate_rare(session, spec, task)
    return simulate_chunk(session, spec, task)


def run_task(spec: CampaignSpec, task: Task) -> TaskResult:
    """Entry point of a worker task: a chunk or an estimate, on this process's ngspice.

    Safe to call from any thread of the process (calls are serialised on one ngspice thread).
    """
    global _ngspice_thread
    with _state_lock:
        if _ngspice_thread is None:
            # The session lives as long as the worker process; the OS frees libngspice at exit.
            _ngspice_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ngspice")
    return _ngspice_thread.submit(_run_on_session, spec, task).result()
