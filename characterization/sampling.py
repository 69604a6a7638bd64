"""Seeded Monte-Carlo samples of a campaign condition.

Every random number is drawn here, in Python, and written into the netlist as a number and into
the sample's result row (ngspice's own random functions are not reproducible across runs).

Seeding: sample ``i`` of condition group ``g`` uses ``SeedSequence(seed, spawn_key=(g, i))`` (the
sequence ``SeedSequence(seed).spawn`` would give as child ``g``, grandchild ``i``); a group is
the set of conditions that differ only in sampling time (see
:class:`~characterization.spec.Condition`). A sample's draws therefore depend only on the root
seed and its own indices, never on the batch size, the worker count or the order of
execution. The sequence is split into two independent streams, one for transistor mismatch
and one for the devices, so switching mismatch off leaves the device draws unchanged.

Stored values and inputs cycle with the sample index as the condition's read mode says
(:class:`~characterization.readout.ReadMode`): +1, -1 for binary cells, +1, 0, -1 for ternary
cells; XNOR reads go through the four (weight, input) pairs. Device resistances come from the
campaign's :class:`~models.resistance.ResistanceStates`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rram_ber.characterization.schema import DBETA_PREFIX, DVT_PREFIX
from rram_ber.characterization.spec import CampaignSpec, Condition
from rram_ber.circuits.cells import Cell, Cell1T1R, Cell2T2R, CellKind
from rram_ber.circuits.elements import MAX_RESISTANCE_OHM, FixedResistor
from rram_ber.circuits.read import ReadCopy, read_transistor_geometries
from rram_ber.models.cmos import (
    TransistorDeviation,
    TransistorGeometry,
    deviations_from_standard_normal,
)
from rram_ber.models.device_temperature import DeviceState
from rram_ber.models.resistance import ResistanceStates


def sample_streams(
    seed: int, group_id: int, sample_index: int
) -> tuple[np.random.Generator, np.random.Generator]:
    """The (mismatch, device) random generators of one sample."""
    sequence = np.random.SeedSequence(seed, spawn_key=(group_id, sample_index))
    mismatch, device = sequence.spawn(2)
    return np.random.default_rng(mismatch), np.random.default_rng(device)


@dataclass(frozen=True)
class SamplePlan:
    """Everything one sample will simulate, and the drawn values for its result row.

    Attributes
    ----------
    sample_index : int
        Index within its condition.
    stored : int
        Stored weight.
    expected : int
        What a perfect read returns: the weight, or weight x activation for XNOR reads.
    copy : ReadCopy or None
        Cell and mismatch to simulate; None when the sample could not be prepared (e.g. its
        devices failed to program), see ``failure``.
    columns : dict
        Drawn variables (``dvt_<transistor>``, ``dbeta_<transistor>``, ``r_bl_ohm``, ...).
    failure : str
        Why there is no copy ("" when there is one).
    """

    sample_index: int
    stored: int
    expected: int
    copy: ReadCopy | None
    columns: dict[str, float]
    failure: str = ""


def draw_mismatch(
    spec: CampaignSpec, geometries: Sequence[TransistorGeometry], rng: np.random.Generator
) -> tuple[dict[str, TransistorDeviation], dict[str, float]]:
    """One sample's Pelgrom mismatch, and its result-row columns (none if mismatch is off).

    Draws ``2 n`` standard normals (``dVT`` of each transistor, then ``dbeta/beta`` of each,
    in ``geometries`` order) from the sample's mismatch stream.
    """
    if not spec.variability.mismatch:
        return {}, {}
    u = rng.standard_normal((2, len(geometries)))
    deviations = deviations_from_standard_normal(
        u[0], u[1], tuple(geometries), spec.variability.pelgrom
    )
    columns: dict[str, float] = {}
    for name, deviation in deviations.items():
        columns[DVT_PREFIX + name] = deviation.dvt_v
        columns[DBETA_PREFIX + name] = deviation.dbeta_rel
    return deviations, columns


@dataclass
class SampleStart:
    """What every sample draws before its devices: stored value, input and mismatch.

    Attributes
    ----------
    stored : int
        Stored weight.
    activation : int or None
        XNOR input activation (None for other cells).
    expected : int
        What a perfect read returns: the weight, or weight x activation for XNOR reads.
    deviations : dict
        Pelgrom mismatch per transistor (empty when mismatch is off).
    columns : dict
        The mismatch columns of the result row; device columns are added to it.
    device_rng : numpy.random.Generator
        The sample's device stream, for whatever the device model draws next.
    """

    stored: int
    activation: int | None
    expected: int
    deviations: dict[str, TransistorDeviation]
    columns: dict[str, float]
    device_rng: np.random.Generator


def start_sample(
    spec: CampaignSpec,
    condition: Condition,
    geometries: Sequence[TransistorGeometry],
    sample_index: int,
) -> SampleStart:
    """Seed sample ``sample_index`` of ``condition`` and draw its value, input and mismatch."""
    mismatch_rng, device_rng = sample_streams(spec.campaign.seed, condition.group_id, sample_index)
    mode = condition.cell.mode
    stored = mode.stored(sample_index)
    activation = mode.activation(sample_index)
    expected = mode.expected(stored, activation)
    deviations, columns = draw_mismatch(spec, geometries, mismatch_rng)
    return SampleStart(stored, activation, expected, deviations, columns, device_rng)


def plan_samples(
    spec: CampaignSpec,
    condition: Condition,
    sample_indices: Sequence[int],
) -> list[SamplePlan]:
    """Draw the samples ``sample_indices`` of ``condition``.

    Parameters
    ----------
    spec : CampaignSpec
        The campaign (seed, device model, variability switches, design).
    condition : Condition
        The condition the samples belong to.
    sample_indices : sequence of int
        Which samples to draw.

    Returns
    -------
    list of SamplePlan
        One plan per index, in order.
    """
    states = spec.device.states()  # fixed, log-normal or measured (raises for VCM devices)
    read_conditions = spec.read_conditions(condition)
    geometries = read_transistor_geometries(read_conditions)
    plans = []
    for index in sample_indices:
        start = start_sample(spec, condition, geometries, index)
        columns = start.columns
        # Draws beyond [1, 1e12] ohm (a wide log-normal) are clipped by the distribution: at
        # 1e12 ohm the branch is already an open circuit to the read.
        cell = _build_cell(spec, states, condition, start.stored, start.device_rng)
        bl, blb = cell.branch_elements()
        columns["r_bl_ohm"] = bl.nominal_resistance_ohm()
        columns["r_blb_ohm"] = blb.nominal_resistance_ohm()
        copy = ReadCopy(cell, start.deviations, start.activation)
        plans.append(SamplePlan(index, start.stored, start.expected, copy, columns))
    return plans


def _build_cell(
    spec: CampaignSpec,
    states: ResistanceStates,
    condition: Condition,
    stored: int,
    rng: np.random.Generator,
) -> Cell:
    """One sample's cell: devices drawn as values at 27 C, taken to the condition's
    temperature by the device temperature law (the 1T1R reference resistor stays fixed)."""
    vary = spec.variability.device
    law = spec.device.temperature_law()
    cell = condition.cell
    bl_low, blb_low = cell.mode.device_states(stored)

    def device(low: bool) -> FixedResistor:
        state = DeviceState.LRS if low else DeviceState.HRS
        drawn = states.draw_ohm(low, rng, vary)
        # Clipped to the element's bound like the distributions' own draws.
        value = law.resistance_ohm(drawn, state, condition.temp_c)
        return FixedResistor(min(value, MAX_RESISTANCE_OHM))

    if cell.physical_cell is CellKind.TWO_T_TWO_R:
        # The BL device is drawn first, then the BLB device.
        bl = device(bl_low)
        return Cell2T2R(bl, device(blb_low))
    return Cell1T1R(device(bl_low), FixedResistor(spec.reference_resistance_ohm()))
