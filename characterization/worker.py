"""Simulate campaign chunks: the code that runs inside worker processes.

A chunk is ``batch_size`` consecutive samples of one condition, simulated together in one
batched netlist. When that netlist fails (no convergence, parse error), the chunk is rerun
sample by sample, so one bad sample cannot take its neighbours down; samples that still fail
are returned as rows with ``status = "failed"`` and ngspice's reason, and the campaign goes on.

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

import pandas as pd

from characterization import schema
from characterization.measure import ReadMeasurement
from characterization.read import simulate_reads
from characterization.sampling import MeasuredResistances, SamplePlan, plan_samples
from characterization.session import NgspiceSession, SimulationError, Simulator
from characterization.spec import CampaignSpec, Condition
from circuits.read import ReadConditions


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """One unit of work: samples ``[first, stop)`` of a condition.

    Attributes
    ----------
    condition : Condition
        The condition.
    chunk : int
        Chunk index (``first = chunk * batch_size``).
    first, stop : int
        Sample index range.
    """

    condition: Condition
    chunk: int
    first: int
    stop: int


def chunk_tasks(spec: CampaignSpec, conditions: Sequence[Condition]) -> list[ChunkTask]:
    """Every chunk of every condition, in order."""
    batch = spec.campaign.batch_size
    samples = spec.campaign.samples
    return [
        ChunkTask(condition, chunk, first, min(first + batch, samples))
        for condition in conditions
        for chunk, first in enumerate(range(0, samples, batch))
    ]


def _row(
    plan: SamplePlan, condition: Condition, measurement: ReadMeasurement | None, reason: str
) -> dict[str, Any]:
    row: dict[str, Any] = {
        schema.CONDITION_ID: condition.condition_id,
        schema.SAMPLE_INDEX: plan.sample_index,
        schema.SEED_SPAWN_KEY: f"{condition.condition_id}/{plan.sample_index}",
        schema.STORED_VALUE: plan.stored,
    }
    if measurement is None:
        row.update(
            {
                schema.STATUS: schema.STATUS_FAILED,
                schema.FAILURE_REASON: reason,
                schema.DECISION: 0,
                schema.RESOLVED: False,
                schema.ERROR: False,
                schema.DELAY_S: math.nan,
                schema.ENERGY_J: math.nan,
                "v_out_v": math.nan,
                "v_outb_v": math.nan,
            }
        )
    else:
        row.update(
            {
                schema.STATUS: schema.STATUS_OK,
                schema.FAILURE_REASON: "",
                schema.DECISION: measurement.decision,
                schema.RESOLVED: measurement.resolved,
                schema.ERROR: measurement.resolved and measurement.decision != plan.stored,
                schema.DELAY_S: measurement.delay_s,
                schema.ENERGY_J: measurement.energy_j,
                "v_out_v": measurement.v_out_v,
                "v_outb_v": measurement.v_outb_v,
            }
        )
    row.update(plan.columns)
    return row


def simulate_plans(
    simulator: Simulator,
    read_conditions: ReadConditions,
    condition: Condition,
    plans: Sequence[SamplePlan],
) -> pd.DataFrame:
    """Simulate the planned samples in one netlist, falling back to one netlist per sample.

    Returns
    -------
    pandas.DataFrame
        One row per plan, in order, with the schema's sample columns.
    """
    copies = [plan.copy for plan in plans]
    try:
        measurements: list[ReadMeasurement | None] = list(
            simulate_reads(simulator, read_conditions, copies)
        )
        reasons = [""] * len(plans)
    except SimulationError:
        measurements, reasons = [], []
        for copy in copies:
            try:
                measurements.append(simulate_reads(simulator, read_conditions, [copy])[0])
                reasons.append("")
            except SimulationError as error:
                measurements.append(None)
                reasons.append(error.reason)
    return pd.DataFrame(
        [
            _row(plan, condition, measurement, reason)
            for plan, measurement, reason in zip(plans, measurements, reasons, strict=True)
        ]
    )


def simulate_chunk(simulator: Simulator, spec: CampaignSpec, task: ChunkTask) -> pd.DataFrame:
    """Draw and simulate the samples of one chunk."""
    measured = None
    if spec.device.model == "empirical":
        measured = MeasuredResistances(Path(spec.source_dir) / spec.device.csv)
    plans = plan_samples(spec, task.condition, range(task.first, task.stop), measured)
    return simulate_plans(simulator, spec.read_conditions(task.condition), task.condition, plans)


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


def run_chunk(spec: CampaignSpec, task: ChunkTask) -> pd.DataFrame:
    """Entry point of a worker task: simulate one chunk on this process's ngspice session.

    Safe to call from any thread of the process (calls are serialised on one ngspice thread).
    """
    global _ngspice_thread
    with _state_lock:
        if _ngspice_thread is None:
            # The session lives as long as the worker process; the OS frees libngspice at exit.
            _ngspice_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ngspice")
    return _ngspice_thread.submit(lambda: simulate_chunk(_open_session(), spec, task)).result()
