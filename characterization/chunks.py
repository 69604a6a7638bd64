"""Monte-Carlo chunk tasks: draw a chunk's samples, simulate them once, measure every condition.

A chunk is ``batch_size`` consecutive samples of one condition group (the conditions that
differ only in sampling time), simulated together in one batched netlist and measured at each
sampling time. When that netlist fails (no convergence, parse error), the chunk is rerun
sample by sample (:func:`~characterization.reads.simulate_with_retry`), so one bad sample
cannot take its neighbours down; samples that still fail are returned as rows with
``status = "failed"`` and ngspice's reason, and the campaign goes on. A netlist halted at the
wall-time limit is rerun whole with a longer limit instead (:func:`simulate_batch`), so a
sample's numbers never depend on the machine's load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rram_ber.characterization import schema
from rram_ber.characterization.devices import DeviceModel
from rram_ber.characterization.measure import ReadMeasurement
from rram_ber.characterization.reads import read_row, simulate_with_retry
from rram_ber.characterization.sampling import SamplePlan, plan_samples
from rram_ber.characterization.simulator import SimulationError, SimulationTimeout, Simulator
from rram_ber.characterization.spec import CampaignSpec, Condition
from rram_ber.circuits.read import ReadConditions, ReadCopy


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


def sample_row(
    plan: SamplePlan, condition: Condition, outcome: ReadMeasurement | str
) -> dict[str, Any]:
    """One result row: the sample's keys, its read columns and its drawn values."""
    mode = condition.cell.mode
    row: dict[str, Any] = {
        schema.CONDITION_ID: condition.condition_id,
        schema.SAMPLE_INDEX: plan.sample_index,
        # The key the sample's draws were spawned with (see characterization.sampling): the
        # group, not the condition, so the sampling times of one group share it.
        schema.SEED_SPAWN_KEY: f"{condition.group_id}/{plan.sample_index}",
    }
    row.update(read_row(mode, plan.stored, mode.activation(plan.sample_index), outcome))
    row.update(plan.columns)
    return row


Outcome = list[ReadMeasurement] | str


def _outcomes(
    simulator: Simulator,
    reads: Sequence[ReadConditions],
    plans: Sequence[SamplePlan],
    resolve_fraction: float,
) -> list[Outcome]:
    """Per plan: its measurement under each of ``reads``, or why it has none (a plan without
    a copy fails with its own reason)."""

    # Imported here: the chunk plan (chunk_tasks) is read by the analysis layer, which must
    # not load the simulator code.
    from rram_ber.characterization.read import simulate_reads_at

    def simulate(copies: Sequence[ReadCopy]) -> list[list[ReadMeasurement]]:
        per_read = simulate_reads_at(simulator, reads, copies, resolve_fraction)
        return [[measured[k] for measured in per_read] for k in range(len(copies))]

    ready = [plan.copy for plan in plans if plan.copy is not None]
    measured = iter(simulate_batch(simulator, simulate, ready) if ready else [])
    return [next(measured) if plan.copy is not None else plan.failure for plan in plans]


#: A batch halted at the wall-time limit is rerun once, whole, with this many times the limit.
TIME_LIMIT_RETRY_FACTOR = 4.0


def simulate_batch(
    simulator: Simulator,
    simulate: Callable[[Sequence[ReadCopy]], list[list[ReadMeasurement]]],
    copies: Sequence[ReadCopy],
) -> list[list[ReadMeasurement] | str]:
    """Simulate ``copies`` as one batch; per copy its measurements or why it has none.

    A batch that fails to converge is rerun copy by copy
    (:func:`~characterization.reads.simulate_with_retry`): one divergent copy kills its whole
    netlist, and that failure is a property of the circuit. A batch halted at the wall-time
    limit is different: whether it finishes depends on the machine's load, and a copy
    simulated alone gives numbers about 1e-5 (relative) away from the same copy in the batch,
    enough to flip a marginal decision. So it is rerun once as the same batch with
    :data:`TIME_LIMIT_RETRY_FACTOR` times the limit, and if halted again every copy fails
    with the reason: a sample's numbers are the batched ones or none, whatever the load.
    """
    try:
        return list(simulate(copies))
    except SimulationTimeout as error:
        halted = error
    except SimulationError:
        return _one_by_one(simulate, copies)
    limit = getattr(simulator, "time_limit_s", None)
    if not isinstance(limit, float | int):  # a back end whose limit cannot be raised
        return [halted.reason] * len(copies)
    simulator.time_limit_s = limit * TIME_LIMIT_RETRY_FACTOR  # type: ignore[attr-defined]
    try:
        return list(simulate(copies))
    except SimulationTimeout as error:
        return [error.reason] * len(copies)
    except SimulationError:
        return _one_by_one(simulate, copies)
    finally:
        simulator.time_limit_s = limit  # type: ignore[attr-defined]


def _one_by_one(
    simulate: Callable[[Sequence[ReadCopy]], list[list[ReadMeasurement]]],
    copies: Sequence[ReadCopy],
) -> list[list[ReadMeasurement] | str]:
    """Each copy alone (the batch failed): its measurements, or the simulator's reason."""
    return [simulate_with_retry(simulate, [copy])[0] for copy in copies]


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
                sample_row(plan, condition, outcome if isinstance(outcome, str) else outcome[j])
                for plan, outcome in zip(plans, outcomes, strict=True)
            ]
        )
        for j, condition in enumerate(conditions)
    }


def simulate_chunk(
    simulator: Simulator,
    spec: CampaignSpec,
    task: ChunkTask,
    references: dict[tuple[str, int], float] | None = None,
) -> dict[int, pd.DataFrame]:
    """Draw and simulate the samples of one chunk; rows per condition id.

    ``references`` caches the VCM 1T1R references of the calling process (a fresh pilot
    population is programmed for each call without it).
    """
    indices = range(task.first, task.stop)
    # The conditions of a group share their draws (and programmed devices): plan them once.
    if spec.device.model is DeviceModel.VCM:
        from rram_ber.characterization.vcm_cells import plan_vcm_samples

        plans = plan_vcm_samples(
            simulator, spec, task.conditions[0], indices, {} if references is None else references
        )
    else:
        plans = plan_samples(spec, task.conditions[0], indices)
    return simulate_group(simulator, spec, task.conditions, plans)
