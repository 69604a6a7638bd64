"""Rare-event tasks: one estimate of the failure probability of a stored value at a condition.

A condition gets one task per value its read mode stores (2T2R, 1T1R and XNOR: +1 and -1;
ternary: +1, 0 and -1). An XNOR read's input activation is not a task of its own: it is a
variable of the limit state (``u_x``, each input with probability 1/2, see
:mod:`~rram_ber.characterization.limit_states`), so the estimate of a stored weight is the
Monte-Carlo path's average over its two inputs, and the condition's BER, the mean of its
stored values' estimates (:func:`~rram_ber.characterization.ber.rare_ber_row`), is the
Monte-Carlo average over the four (weight, input) pairs, each a quarter of the samples there.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rram_ber.characterization import schema
from rram_ber.characterization.ber import estimate_target
from rram_ber.characterization.devices import DeviceModel, DeviceTail
from rram_ber.characterization.limit_states import (
    ReadLimitState,
    ReadVariation,
    also_failure_column,
)
from rram_ber.characterization.rare.importance import missed_region_bound, reweighted_estimate
from rram_ber.characterization.rare.options import ImportanceOptions
from rram_ber.characterization.rare.registry import AUTO, ESTIMATORS
from rram_ber.characterization.rare.results import (
    TAIL_DIAGNOSTIC,
    RareEstimate,
    RareEventResult,
    equivalent_sample_size,
)
from rram_ber.characterization.simulator import Simulator
from rram_ber.characterization.spec import CampaignSpec, Condition
from rram_ber.characterization.vcm_cells import conditions_for, reference_ohm
from rram_ber.characterization.vcm_limit_state import VcmReadLimitState
from rram_ber.circuits.cells import CellKind


@dataclass(frozen=True, slots=True)
class RareTask:
    """One rare-event estimate: the failure probability of one stored value at a condition.

    Attributes
    ----------
    condition : Condition
        The condition (any read mode whose ``rare_events`` is set; resistor or VCM devices).
    stored : int
        The stored weight, one of the read mode's stored values (ternary: +1, 0 or -1).
    method : str
        The estimator (a key of ``rare.registry.ESTIMATORS``).
    budget : int
        Its simulation budget (SPICE reads).
    also : tuple of Condition
        Conditions of the same group (they differ only in an earlier sampling time) estimated
        from the same draws (:func:`shared_estimates`); none by default.
    start_points : tuple of tuple of float or None
        Points to start the failure-region search from (a method with a ``start_points``
        option: ``guided-importance``), e.g. the design points a neighbouring condition found.
    """

    condition: Condition
    stored: int
    method: str
    budget: int
    also: tuple[Condition, ...] = ()
    start_points: tuple[tuple[float, ...], ...] | None = None

    @property
    def samples(self) -> int:
        """Progress units: one per estimate."""
        return 1


def rare_tasks(spec: CampaignSpec, conditions: list[Condition]) -> list[RareTask]:
    """The tasks of a campaign whose method runs estimates: one per condition and stored
    value (in the order of the read mode's ``stored_values``: +1, -1; ternary +1, 0, -1), each
    with the campaign's method and ``samples`` as its budget."""
    method, budget = spec.campaign.method, spec.campaign.samples
    return [
        RareTask(c, stored, method, budget)
        for c in conditions
        for stored in c.cell.mode.stored_values
    ]


#: ``k`` of a stored value in :func:`rare_seed`'s spawn key: +1 and -1 keep the keys they
#: had before ternary cells got estimates (so binary tables do not change); 0 takes the next.
_SEED_KEYS = {1: 0, -1: 1, 0: 2}


@dataclass(frozen=True)
class RareOutcome:
    """A finished :class:`RareTask`: the estimate and every simulated row.

    Attributes
    ----------
    estimate : RareEstimate
        The estimate.
    rows : pandas.DataFrame
        One row per simulated read, in evaluation order: the drawn values, the read's
        columns (as in Monte-Carlo sample rows), the estimator's stage and likelihood-ratio
        weight, and the verdicts at the task's ``also`` conditions.
    shared : tuple of RareEstimate
        The estimates of the task's ``also`` conditions from the same draws (none when the
        estimate did not come from weighted draws, see :func:`shared_estimates`).
    """

    estimate: RareEstimate
    rows: pd.DataFrame
    shared: tuple[RareEstimate, ...] = ()


def rare_seed(spec: CampaignSpec, task: RareTask) -> np.random.SeedSequence:
    """Seed of one estimate: ``SeedSequence(seed, spawn_key=(condition, k, 1))``, k = 0 for
    +1, 1 for -1 and 2 for a ternary 0 (three entries, so it never equals a Monte-Carlo
    sample's two-entry key)."""
    k = _SEED_KEYS[task.stored]
    return np.random.SeedSequence(spec.campaign.seed, spawn_key=(task.condition.condition_id, k, 1))


def _variation(spec: CampaignSpec, task: RareTask, **devices: Any) -> ReadVariation:
    """The read's variation: the condition's read mode, the campaign's mismatch and resolve
    rule, and ``devices``."""
    return ReadVariation(
        cell=task.condition.cell.physical_cell,
        read_mode=task.condition.cell,
        stored=task.stored,
        mismatch=spec.variability.mismatch,
        coefficients=spec.variability.pelgrom,
        unresolved_is_failure=True,
        resolve_fraction=spec.resolve_fraction,
        **devices,
    )


def resistor_variation(spec: CampaignSpec, task: RareTask) -> ReadVariation:
    """The variation of a read with resistor devices at the task's condition: the campaign's
    device distributions (each device drawn through its own ``from_standard_normal``; for
    measured devices the tail model fitted to them, :meth:`DeviceSettings.rare_states`), its
    variability switch, its device temperature law (applied to every drawn value at the
    condition's temperature, as the Monte-Carlo path does draw by draw) and its 1T1R
    reference."""
    return _variation(
        spec,
        task,
        devices=spec.device.rare_states(),
        vary_devices=spec.variability.device,
        device_temperature=spec.device.temperature_law(),
        reference_ohm=spec.reference_resistance_ohm(),
    )


def estimate_rare(
    simulator: Simulator,
    spec: CampaignSpec,
    task: RareTask,
    references: dict[tuple[str, int], float] | None = None,
) -> RareOutcome:
    """Run the campaign's rare-event estimator for one condition and stored value.

    With ``device.model = "vcm"`` every evaluation programs the cell's devices in SPICE and
    then reads it (:class:`~characterization.vcm_limit_state.VcmReadLimitState`); a 1T1R cell
    is read against the reference of the Monte-Carlo path
    (:func:`~characterization.vcm_cells.reference_ohm`, cached in ``references``).

    The limit state is the batched SPICE read (:class:`~characterization.limit_states.
    ReadLimitState`) of the condition's read mode; a read fails when it is wrong (decoded as
    the Monte-Carlo path decodes it: a ternary read not separated in time reads 0), undecided
    at the sampling time, or not simulated, as the Monte-Carlo ``ber`` counts it.
    The task carries the method and its simulation budget (``campaign.samples`` in a
    campaign of estimates, ``campaign.rare_samples`` in an auto campaign). Subset simulation ranks
    reads by the limit state's margin (:meth:`~characterization.limit_states.ReadLimitState.
    margin`, recorded in the rows' ``margin`` column); when it ends before any read fails, the
    estimate is ``p = 0`` with an upper bound (``ber.csv`` reads ``< bound``).
    """
    from rram_ber.characterization.rare import estimate_failure_probability

    read_conditions = spec.read_conditions(task.condition)
    also_at = [spec.read_conditions(c) for c in task.also]
    batch = spec.campaign.batch_size
    state: ReadLimitState
    if spec.device.model is DeviceModel.VCM:
        # Devices programmed in SPICE: d2d and c2c variables join the mismatch ones.
        reference = (
            reference_ohm(simulator, spec, task.condition, {} if references is None else references)
            if task.condition.cell.physical_cell is CellKind.ONE_T_ONE_R
            else None
        )
        variation = _variation(spec, task, reference_ohm=reference)
        state = VcmReadLimitState(
            simulator,
            read_conditions,
            variation,
            conditions_for(spec, task.condition),
            copies_per_netlist=batch,
            also_at=also_at,
        )
    else:
        variation = resistor_variation(spec, task)
        state = ReadLimitState(
            simulator, read_conditions, variation, copies_per_netlist=batch, also_at=also_at
        )
    options: dict[str, Any] = {"batch_size": batch}
    if task.start_points is not None:
        options["start_points"] = task.start_points
    if (
        spec.campaign.target_relative_half_width is not None
        and ESTIMATORS[task.method].precision_target
    ):
        # An auto campaign's target resolves its Monte-Carlo conditions; it is passed on only
        # to a method that stops at one (the spec refuses it for the others). There it is the
        # target of the condition's BER, the mean of one independent estimate per stored
        # value: each estimate stops at its share.
        target = spec.campaign.target_relative_half_width
        if spec.campaign.method == AUTO:
            target = estimate_target(target, len(task.condition.cell.mode.stored_values))
        options["target_relative_half_width"] = target
    result = estimate_failure_probability(
        state,
        state.dim,
        method=task.method,
        budget=task.budget,
        seed=rare_seed(spec, task),
        **options,
    )
    if spec.device.tail is not DeviceTail.NONE:
        # The estimate rests on the tail model: its record says which (ber.csv names it).
        result = dataclasses.replace(
            result, diagnostics={**result.diagnostics, TAIL_DIAGNOSTIC: spec.device.tail_fit()}
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
    # The rows are stored beside the estimate; the result keeps everything else.
    estimate = RareEstimate(
        task.condition.condition_id, task.stored, dataclasses.replace(result, samples=None)
    )
    return RareOutcome(estimate, rows, shared_estimates(task, result, rows))


def shared_estimates(
    task: RareTask, result: RareEventResult, rows: pd.DataFrame
) -> tuple[RareEstimate, ...]:
    """The estimates of ``task.also`` from the draws of ``task``'s own estimate.

    Only an estimate made of weighted draws (importance sampling, or plain Monte-Carlo) can
    be re-read for another event (:func:`~rram_ber.characterization.rare.importance.
    reweighted_estimate`): its ``"estimate"`` rows with their weights and each ``also``
    condition's verdict column. A subset-simulation estimate (a product of conditional
    fractions along its own margin) cannot, so it shares nothing; those conditions then keep
    their Monte-Carlo rows.
    """
    if not task.also or result.samples is None:
        return ()
    drawn = rows["stage"].to_numpy() == "estimate"
    weight = rows["weight"].to_numpy()[drawn]
    if not drawn.any() or not np.all(np.isfinite(weight)):
        return ()
    from_importance = result.diagnostics.get("estimate_from") == "importance" or (
        result.method == "importance"
    )
    defensive = ImportanceOptions().defensive_fraction if from_importance else 1.0
    # The draws in standard-normal space, for the widening where regions may be missing (the
    # rows are the evaluations in the estimator's order: estimate_rare checks it).
    u = result.samples.u[drawn]
    shared = []
    for k, condition in enumerate(task.also):
        failed = rows[also_failure_column(k)].to_numpy(dtype=bool)[drawn]
        p, interval, std_error, n_failures, effective, notes = reweighted_estimate(
            failed, weight, defensive, result.confidence
        )
        notes.insert(0, f"from the draws of condition {task.condition.condition_id}'s estimate")
        if result.regions_may_be_missing:
            # The own estimate's search may have missed a region, and so may the shared
            # event's: widen its upper end as the own estimate's is widened.
            missed = missed_region_bound(
                u, failed, result.design_points, defensive, result.confidence
            )
            interval = (interval[0], min(1.0, interval[1] + missed))
            notes.append(
                f"regions may be missing: the upper end is widened by {missed:.2g}, the bound"
                " on a missed region's probability from the draws"
            )
        shared_result = dataclasses.replace(
            result,
            p=p,
            ci_low=interval[0],
            ci_high=interval[1],
            std_error=std_error,
            n_failures=n_failures,
            effective_failures=effective,
            effective_sample_size=equivalent_sample_size(p, std_error),
            upper_bound_only=p == 0.0,
            notes=(*result.notes, *notes),
            samples=None,
        )
        shared.append(RareEstimate(condition.condition_id, task.stored, shared_result))
    return tuple(shared)
