"""``method = "auto"``: Monte-Carlo where it resolves the BER, a rare-event estimate elsewhere.

An auto campaign runs in two stages (issue 26):

1. **Monte-Carlo.** Every condition group gets the campaign's ``samples`` in the same chunks,
   from the same seeds, as a ``monte-carlo`` campaign: a Monte-Carlo condition's rows are
   those of the Monte-Carlo campaign. A condition is *resolved* when its 95 % interval's
   relative half-width is at most ``campaign.target_relative_half_width`` (stop reason
   ``target-reached``), its upper bound is at most ``campaign.resolve_below``
   (``below-floor``), or its lower bound is at least ``campaign.resolve_above``
   (``above-ceiling``: no network works there, so no precision would change an answer).
   Then, in rounds, a group gets more samples (up to ``campaign.max_samples``) while one of
   its unresolved conditions is projected to be resolved within that cap
   (:func:`top_up_tasks`).
2. **Rare-event estimates.** Every condition the samples left unresolved gets one estimate of
   :data:`~rram_ber.characterization.rare.registry.AUTO_RARE_METHOD` (importance sampling
   guided by subset simulation on the read margin) per stored value,
   ``campaign.rare_samples`` SPICE reads each. Read modes or devices the rare-event limit
   state does not cover (measured devices without a tail model; every read mode is covered)
   keep their Monte-Carlo row with the stop reason ``mode-not-supported``. Measured devices
   with ``[device] tail = "lognormal"`` switch like the others, their estimates reading the
   log-normal fitted to the data and naming it. For measured devices without one the
   top-up rounds aim at the data's resolution (:func:`data_resolution`) where it lies above
   ``resolve_below``, and a row whose upper bound reaches it stops there
   (``below-data-resolution``): resampled data shows no tail beyond its rarest device.

Which conditions switch is decided only from the stored Monte-Carlo rows, so a resumed or
re-run campaign plans the same estimates, whatever the number of workers. ``ber.csv`` of an
auto campaign carries two more columns: ``n_evaluations`` and ``stop_reason``
(:data:`~rram_ber.characterization.schema.AUTO_COLUMNS`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from rram_ber.characterization import schema
from rram_ber.characterization.ber import (
    ConditionTally,
    rare_ber_row,
    rare_error_columns,
)
from rram_ber.characterization.campaign_settings import MAX_SAMPLES
from rram_ber.characterization.chunks import ChunkTask
from rram_ber.characterization.devices import DeviceModel, DeviceTail
from rram_ber.characterization.rare.registry import AUTO_RARE_METHOD
from rram_ber.characterization.rare.results import RareEstimate
from rram_ber.characterization.rare_task import RareTask
from rram_ber.characterization.spec import CampaignSpec, Condition
from rram_ber.models.resistance import EmpiricalResistance


class StopReason(enum.Enum):
    """Why an auto campaign stopped working on a condition (the ``stop_reason`` column)."""

    #: The 95 % interval's half-width is at most the target fraction of the estimate.
    TARGET_REACHED = "target-reached"
    #: The upper bound is at most the resolution floor.
    BELOW_FLOOR = "below-floor"
    #: The lower bound is at least the ceiling (``resolve_above``): the BER is too high for
    #: any network, and more precision would change no answer.
    ABOVE_CEILING = "above-ceiling"
    #: The rare-event estimates spent their whole budget without reaching either (or ended
    #: with a bound above the floor: no failure found within their search's share), or the
    #: campaign budget left none for them (the Monte-Carlo row stays; ``method`` says which).
    BUDGET_EXHAUSTED = "budget-exhausted"
    #: The estimates the row comes from stopped before their budget, each at its share of
    #: the target (:func:`~rram_ber.characterization.ber.estimate_target`), and the row did not
    #: reach it: the stored values' failure probabilities differ too much, or the row re-reads
    #: the draws of its group's estimates, which stopped at the target of the group's latest
    #: sampling time.
    ESTIMATES_STOPPED = "estimates-stopped"
    #: Measured devices: the upper bound is at most the data's resolution
    #: (:func:`data_resolution`), above the floor. Resampling the measured values cannot show
    #: a lower BER (no tail model is fitted to the data), so more samples would only describe
    #: the resampled data more precisely.
    BELOW_DATA_RESOLUTION = "below-data-resolution"
    #: Not resolved by Monte-Carlo, and the rare-event limit state does not cover the read
    #: mode or the devices: the Monte-Carlo row stays.
    MODE_NOT_SUPPORTED = "mode-not-supported"


def resolved_by(
    ber: float,
    ci_low: float,
    ci_high: float,
    target: float,
    floor: float,
    ceiling: float = 1.0,
) -> StopReason | None:
    """Whether an estimate with its 95 % interval is resolved, and how (None: it is not).

    Parameters
    ----------
    ber, ci_low, ci_high : float
        The estimate and its interval (NaN estimate: no resolved read, never resolved).
    target : float
        Largest relative half-width ``(ci_high - ci_low) / 2 / ber`` that resolves.
    floor : float
        Largest upper bound that resolves.
    ceiling : float
        Smallest lower bound that resolves (1: none below 1 does).
    """
    if math.isnan(ber) or math.isnan(ci_high):
        return None
    if ci_high <= floor:
        return StopReason.BELOW_FLOOR
    if ber > 0 and 0.5 * (ci_high - ci_low) / ber <= target:
        return StopReason.TARGET_REACHED
    if ceiling < 1.0 and ci_low >= ceiling:
        return StopReason.ABOVE_CEILING
    return None


def _settings(spec: CampaignSpec) -> tuple[float, float, int]:
    """The auto campaign's precision target, resolution floor and rare budget (filled in by
    :class:`~rram_ber.characterization.campaign_settings.CampaignSettings`)."""
    campaign = spec.campaign
    target, floor, budget = (
        campaign.target_relative_half_width,
        campaign.resolve_below,
        campaign.rare_samples,
    )
    if target is None or floor is None or budget is None:
        raise ValueError(f"campaign.method = {campaign.method!r} is not an auto campaign")
    return target, floor, budget


def _ceiling(spec: CampaignSpec) -> float:
    """The auto campaign's ceiling (``resolve_above``; 1 when unset: none)."""
    ceiling = spec.campaign.resolve_above
    return 1.0 if ceiling is None else ceiling


def data_resolution(spec: CampaignSpec) -> float | None:
    """The smallest BER measured devices can show: one device of the smaller state's data.

    A campaign of ``empirical`` devices resamples the measured values (with replacement), so a
    read that fails only for a device beyond the measured ones never occurs, and the rarest
    device the data holds has probability ``1 / N`` (``N`` devices measured in that state). A
    tail below ``1 / min(N_LRS, N_HRS)`` is not in the data: a BER bound below it describes
    the resampled values, not the devices. None for the other device models, whose
    distributions have tails, and for measured devices with a tail model fitted to them
    (``[device] tail``, :class:`~rram_ber.characterization.devices.DeviceTail`), whose
    estimates go below it on that model and say so.
    """
    if spec.device.model is not DeviceModel.EMPIRICAL or spec.device.tail is not DeviceTail.NONE:
        return None
    states = spec.device.states()  # the measured data (raises if the file was not read)
    counts = [
        len(state.values_ohm)
        for state in (states.lrs, states.hrs)
        if isinstance(state, EmpiricalResistance)
    ]
    return 1.0 / min(counts)


def _floors(spec: CampaignSpec) -> tuple[float, float]:
    """The resolution floor, and the floor top-up rounds aim at: the data's resolution for
    measured devices when it lies above the floor (:func:`data_resolution`)."""
    _, floor, _ = _settings(spec)
    data = data_resolution(spec)
    return floor, floor if data is None else max(floor, data)


#: Margin on a projected sample need: the projection uses the normal approximation, the
#: interval is Clopper-Pearson (a little wider), so aim a little beyond to save a round.
PROJECTION_MARGIN = 1.2


def projected_samples(
    tally: ConditionTally, binary: bool, target: float, floor: float, ceiling: float = 1.0
) -> float:
    """Samples a condition is projected to need to be resolved (inf if it cannot say).

    With ``k`` failed reads (wrong, undecided or not simulated: the BER's numerator) among
    ``n`` samples (``p = k / n``), the 95 % half-width ``1.96 sqrt(p (1 - p) / n)`` is at most
    ``target p`` from ``n = (1.96 / target)^2 (1 - p) / p``, and, when ``p`` is above the
    ``ceiling``, the lower end ``p - 1.96 sqrt(p (1 - p) / n)`` reaches it from ``n = 1.96^2
    p (1 - p) / (p - ceiling)^2`` (the smaller of the two); without a failure, the
    Clopper-Pearson upper bound ``1 - 0.025^(1/n)`` is at most ``floor`` from ``n = ln(0.025)
    / ln(1 - floor)``.
    """
    row = tally.ber_row(binary)
    errors, samples = row[schema.N_ERRORS], row[schema.N_SAMPLES]
    if samples == 0:
        return math.inf
    p = errors / samples
    if errors == samples:
        return 0.0  # every read failed: the binomial interval is already as tight as it gets
    if errors > 0:
        need = (1.959964 / target) ** 2 * (1 - p) / p
        if p > ceiling:
            need = min(need, 1.959964**2 * p * (1 - p) / (p - ceiling) ** 2)
        return need
    return math.log(0.025) / math.log1p(-floor)


def top_up_tasks(
    spec: CampaignSpec,
    conditions: Sequence[Condition],
    tallies: Mapping[int, ConditionTally],
    planned: Mapping[int, int],
) -> tuple[list[ChunkTask], dict[int, int]]:
    """The next Monte-Carlo round of an auto campaign, decided from the stored rows only.

    A condition group gets more samples when one of its unresolved conditions is projected
    (:func:`projected_samples`, with :data:`PROJECTION_MARGIN`) to be resolved within
    ``campaign.max_samples``: up to that projection (the largest among its conditions),
    rounded up to whole chunks of ``batch_size``, at most ``max_samples``. The new chunks
    continue the group's chunk numbering (chunk ``k`` holds samples ``[k b, (k + 1) b)``),
    so when ``samples`` is not a multiple of ``batch_size`` the indices up to the next
    multiple are skipped; every sample still draws from its own seed. With a
    ``campaign.budget`` the groups with a condition whose interval holds the ``[spec]
    ber_max`` limit go first, then those whose widest interval is widest relative to its
    estimate, each within what is left of the budget (the rounds come before the estimates).

    Parameters
    ----------
    planned : mapping
        Condition group -> samples planned so far (the end of its sample indices).

    Returns
    -------
    tasks, planned
        The new chunks (none when no group needs more) and the groups' new ends.
    """
    target, _, _ = _settings(spec)
    _, floor = _floors(spec)
    batch = spec.campaign.batch_size
    cap = spec.campaign.max_samples or spec.campaign.samples
    wanted: dict[int, int] = {}
    urgency: dict[int, tuple[int, float, float]] = {}
    groups: dict[int, list[Condition]] = {}
    for condition in conditions:
        groups.setdefault(condition.group_id, []).append(condition)
        tally = tallies.get(condition.condition_id, ConditionTally())
        binary = not condition.cell.mode.ternary
        if _row_stop(spec, tally.ber_row(binary)) is not None:
            continue
        need = PROJECTION_MARGIN * projected_samples(tally, binary, target, floor, _ceiling(spec))
        if need <= cap:
            group = condition.group_id
            wanted[group] = max(wanted.get(group, 0), math.ceil(need))
            urgency[group] = min(
                urgency.get(group, _UNRANKED),
                _urgency(tally, binary, spec.limits.ber_max),
            )
    tasks: list[ChunkTask] = []
    ends = dict(planned)
    budget = spec.campaign.budget
    left = math.inf if budget is None else budget - _monte_carlo_spent(conditions, tallies)
    for group_id in sorted(wanted, key=lambda g: (urgency[g], g)):
        first = -(-planned[group_id] // batch) * batch  # the next whole chunk
        stop = min(cap, -(-wanted[group_id] // batch) * batch)
        # Within the campaign budget (whole chunks), in the order of urgency.
        stop = min(stop, first + int(min(left, MAX_SAMPLES) // batch) * batch)
        if stop <= first:
            continue
        left -= stop - first
        members = tuple(groups[group_id])
        tasks += [
            ChunkTask(members, start // batch, start, min(start + batch, stop))
            for start in range(first, stop, batch)
        ]
        ends[group_id] = stop
    return tasks, ends


def _row_stop(spec: CampaignSpec, row: Mapping[str, Any]) -> StopReason | None:
    """:func:`resolved_by` applied to a BER row with the campaign's target, floor and
    ceiling; for measured devices, then the data's resolution (:func:`data_resolution`)."""
    target, _, _ = _settings(spec)
    floor, data_floor = _floors(spec)
    reason = resolved_by(
        row[schema.BER],
        row[schema.BER_CI_LOW],
        row[schema.BER_CI_HIGH],
        target,
        floor,
        _ceiling(spec),
    )
    if reason is None and data_floor > floor and row[schema.BER_CI_HIGH] <= data_floor:
        return StopReason.BELOW_DATA_RESOLUTION
    return reason


def supported(spec: CampaignSpec, condition: Condition) -> bool:
    """Whether the rare-event limit state covers this condition's read mode and devices."""
    return spec.device.rare_events and condition.cell.mode.rare_events


def monte_carlo_stop(
    spec: CampaignSpec, condition: Condition, tally: ConditionTally
) -> StopReason | None:
    """How the Monte-Carlo rows resolved a condition, or None if it switches to an estimate.

    An unresolved condition whose read the rare-event limit state does not cover stops here
    with ``mode-not-supported``.
    """
    reason = _row_stop(spec, tally.ber_row(binary=not condition.cell.mode.ternary))
    if reason is None and not supported(spec, condition):
        return StopReason.MODE_NOT_SUPPORTED
    return reason


def switch_tasks(
    spec: CampaignSpec,
    conditions: Sequence[Condition],
    tallies: Mapping[int, ConditionTally],
    start_points: Mapping[tuple[str, int], tuple[tuple[float, ...], ...]] | None = None,
) -> list[RareTask]:
    """The rare-event estimates of the conditions the Monte-Carlo rows left unresolved (and
    the campaign budget allows, see :func:`switch_plan`), one per condition group and stored
    value, in the order of the groups' first conditions.

    A group's estimate runs at its latest switched sampling time (the rarest failures: a read
    that fails there fails at every earlier time too, so its design points lie in every
    switched condition's failure set) and estimates the group's other switched conditions
    from the same draws (``RareTask.also``). ``start_points`` maps ``(cell, stored)`` to
    design points found at another group (:func:`pioneers`), to search from.
    """
    _, _, budget = _settings(spec)
    switched, _ = switch_plan(spec, conditions, tallies)
    tasks = []
    for group in _by_group(switched):
        primary = max(group, key=lambda c: (c.settings()["t_sample_s"], -c.condition_id))
        also = tuple(c for c in group if c is not primary)
        for stored in primary.cell.mode.stored_values:
            starts = (
                None if start_points is None else start_points.get((primary.cell.value, stored))
            )
            tasks.append(RareTask(primary, stored, AUTO_RARE_METHOD, budget, also, starts))
    return tasks


def pioneers(tasks: Sequence[RareTask]) -> list[RareTask]:
    """The estimates that run first, to find the design points the others start from: per
    cell, the tasks of the group that shares its draws with the most conditions (the first
    such group)."""
    best: dict[str, RareTask] = {}
    for task in tasks:
        key = task.condition.cell.value
        if key not in best or len(task.also) > len(best[key].also):
            best[key] = task
    chosen = {(t.condition.cell.value, t.condition.group_id) for t in best.values()}
    return [t for t in tasks if (t.condition.cell.value, t.condition.group_id) in chosen]


def design_points(
    estimates: Sequence[RareEstimate], tasks: Sequence[RareTask]
) -> dict[tuple[str, int], tuple[tuple[float, ...], ...]]:
    """``(cell, stored)`` -> the design points the estimates of ``tasks`` found (stored
    estimates, so a resumed run seeds the same way)."""
    by_key = {(e.condition_id, e.stored): e for e in estimates}
    found: dict[tuple[str, int], tuple[tuple[float, ...], ...]] = {}
    for task in tasks:
        estimate = by_key.get((task.condition.condition_id, task.stored))
        points = () if estimate is None else estimate.result.design_points
        if points:
            found[(task.condition.cell.value, task.stored)] = points
    return found


def _by_group(switched: Sequence[Condition]) -> list[list[Condition]]:
    """The switched conditions by group, in the order of each group's first condition."""
    groups: dict[int, list[Condition]] = {}
    for condition in switched:
        groups.setdefault(condition.group_id, []).append(condition)
    return list(groups.values())


#: The :func:`_urgency` of a condition without a resolved read: last.
_UNRANKED = (1, math.inf, 0.0)


def _urgency(
    tally: ConditionTally, binary: bool, ber_max: float | None
) -> tuple[int, float, float]:
    """Sort key of a condition for the campaign budget: first the conditions whose interval
    holds the spec limit ``ber_max`` (the report cannot yet say whether they pass), then the
    widest interval relative to its estimate (a condition without errors first of all, the
    largest bound first)."""
    row = tally.ber_row(binary)
    ber, low, high = row[schema.BER], row[schema.BER_CI_LOW], row[schema.BER_CI_HIGH]
    if math.isnan(ber):
        return _UNRANKED  # no resolved read: nothing to rank it by
    undetermined = ber_max is not None and low <= ber_max <= high
    relative = math.inf if ber == 0 else (high - low) / ber
    return (0 if undetermined else 1, -relative, -high)


def _monte_carlo_spent(
    conditions: Sequence[Condition], tallies: Mapping[int, ConditionTally]
) -> int:
    """SPICE reads of the Monte-Carlo rounds: each group's samples, once (they serve every
    sampling time of the group)."""
    per_group: dict[int, int] = {}
    for condition in conditions:
        tally = tallies.get(condition.condition_id, ConditionTally())
        per_group[condition.group_id] = max(per_group.get(condition.group_id, 0), tally.n_samples)
    return sum(per_group.values())


def switch_plan(
    spec: CampaignSpec, conditions: Sequence[Condition], tallies: Mapping[int, ConditionTally]
) -> tuple[list[Condition], set[int]]:
    """The conditions that switch to rare-event estimates, and those the budget leaves out.

    Every condition the Monte-Carlo rows left unresolved and whose read the limit state
    covers switches; with a ``campaign.budget``, only while its group's estimates (``rare_samples``
    reads per stored value, shared by the group's switched conditions) fit in what the
    Monte-Carlo rounds left, the groups with a condition whose interval holds the ``[spec]
    ber_max`` limit first, then those with the widest intervals (the others keep their
    Monte-Carlo rows, ``budget-exhausted``).

    Returns
    -------
    switched, left_out
        The switched conditions in condition order, and the ids of those left out.
    """
    _, _, rare_samples = _settings(spec)
    candidates = [
        c
        for c in conditions
        if monte_carlo_stop(spec, c, tallies.get(c.condition_id, ConditionTally())) is None
    ]
    if spec.campaign.budget is None:
        return candidates, set()
    left = spec.campaign.budget - _monte_carlo_spent(conditions, tallies)
    switched: list[Condition] = []
    left_out: set[int] = set()

    def urgency(group: list[Condition]) -> tuple[tuple[int, float, float], int]:
        return min(
            (
                _urgency(
                    tallies.get(c.condition_id, ConditionTally()),
                    not c.cell.mode.ternary,
                    spec.limits.ber_max,
                ),
                c.condition_id,
            )
            for c in group
        )

    for group in sorted(_by_group(candidates), key=urgency):
        cost = len(group[0].cell.mode.stored_values) * rare_samples
        if cost <= left:
            switched += group
            left -= cost
        else:
            left_out.update(c.condition_id for c in group)
    return sorted(switched, key=lambda c: c.condition_id), left_out


def _unresolved_estimates(estimates: Sequence[RareEstimate], budget: int) -> StopReason:
    """Why a condition's own estimates left it unresolved: every one of them saw failures and
    stopped before its budget (at its share of the target), or at least one spent it or
    ended with a bound only (guided importance sampling whose subset stage found no failure
    within its share of the budget returns that stage's bound)."""
    if all(e.result.n_evaluations < budget and not e.result.upper_bound_only for e in estimates):
        return StopReason.ESTIMATES_STOPPED
    return StopReason.BUDGET_EXHAUSTED


def auto_ber_table(
    spec: CampaignSpec,
    conditions: Sequence[Condition],
    tallies: Mapping[int, ConditionTally],
    estimates: Sequence[RareEstimate],
) -> tuple[pd.DataFrame, dict[int, dict[int, tuple[float, float, float]]]]:
    """``ber.csv`` of an auto campaign, and the error rates its switched conditions' read-outs
    stand for.

    ``ber.csv``: per condition its settings, the BER columns of the method that resolved it
    (Monte-Carlo, or the rare-event estimates of its stored values), then ``n_evaluations``
    and ``stop_reason``. ``n_evaluations`` counts the SPICE reads behind the row: the
    condition group's Monte-Carlo samples (shared by the sampling times of the group) plus,
    for a switched condition, the evaluations of its estimates. A switched condition's BER
    counts an undecided read and a failed simulation as a failure, as the Monte-Carlo rows do.

    The rates: switched condition -> ``expected -> (p, ci_low, ci_high)``, the
    ``estimated`` argument of :func:`~rram_ber.characterization.ber.tally_confusion_table`,
    so that a switched condition's ``confusion.csv`` rows (the 3 x 3 matrix of a ternary one)
    stand for the BER of its ``ber.csv`` row. An XNOR estimate averages the two inputs of its
    stored weight, so both expected products get the row's BER.

    Raises
    ------
    ValueError
        If a switched condition lacks the estimate of a stored value (naming it).
    """
    by_key = {(e.condition_id, e.stored): e for e in estimates}
    _, _, budget = _settings(spec)
    _, left_out = switch_plan(spec, conditions, tallies)
    # A condition estimated from its group's draws: the SPICE reads of those estimates.
    shared: dict[int, int] = {}
    for task in switch_tasks(spec, conditions, tallies):
        own = by_key.get((task.condition.condition_id, task.stored))
        for condition in task.also:
            shared[condition.condition_id] = shared.get(condition.condition_id, 0) + (
                0 if own is None else own.result.n_evaluations
            )
    rows: list[dict[str, Any]] = []
    estimated: dict[int, dict[int, tuple[float, float, float]]] = {}
    for condition in conditions:
        tally = tallies.get(condition.condition_id, ConditionTally())
        reason = monte_carlo_stop(spec, condition, tally)
        if reason is None and condition.condition_id in left_out:
            reason = StopReason.BUDGET_EXHAUSTED  # no budget left for its estimates
        if reason is not None:
            row = tally.ber_row(binary=not condition.cell.mode.ternary)
            spent = tally.n_samples
        else:
            values = condition.cell.mode.stored_values
            found = [by_key.get((condition.condition_id, s)) for s in values]
            if any(e is None for e in found):
                if condition.condition_id not in shared:
                    missing = [s for s, e in zip(values, found, strict=True) if e is None]
                    raise ValueError(
                        f"condition {condition.condition_id} has no estimate for stored {missing}"
                    )
                # Its group's estimate could not be re-read for it (a subset-simulation
                # estimate): its Monte-Carlo row stays.
                row = tally.ber_row(binary=not condition.cell.mode.ternary)
                reason = StopReason.BUDGET_EXHAUSTED
                spent = tally.n_samples + shared[condition.condition_id]
            else:
                cell = condition.cell.value
                mine = [e for e in found if e is not None]
                row = rare_ber_row(*mine, error_columns=rare_error_columns(cell))
                reason = _row_stop(spec, row) or _unresolved_estimates(mine, budget)
                spent = tally.n_samples + shared.get(
                    condition.condition_id,
                    sum(e.result.n_evaluations for e in found if e is not None),
                )
                estimated[condition.condition_id] = _estimated_rates(condition, mine, row)
        rows.append(
            {
                schema.CONDITION_ID: condition.condition_id,
                **condition.settings(),
                **row,
                schema.N_EVALUATIONS: spent,
                schema.STOP_REASON: reason.value,
            }
        )
    return pd.DataFrame(rows), estimated


def _estimated_rates(
    condition: Condition, estimates: Sequence[RareEstimate], row: Mapping[str, Any]
) -> dict[int, tuple[float, float, float]]:
    """A switched condition's error rate per expected value, ``(p, ci_low, ci_high)``: its
    estimates per stored value; for an XNOR read, whose estimates average the inputs of their
    stored weight, the row's BER and interval for both expected products."""
    if condition.cell.mode.activations:
        rate = (row[schema.BER], row[schema.BER_CI_LOW], row[schema.BER_CI_HIGH])
        return {1: rate, -1: rate}
    return {e.stored: (e.result.p, e.result.ci_low, e.result.ci_high) for e in estimates}
