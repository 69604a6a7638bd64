"""Campaign samples with VCM devices: each cell is programmed in SPICE, then read.

``device.model = "vcm"`` in a campaign. For every sample the cell's devices are drawn (d2d
variability), programmed through the access transistor (SET at the condition's compliance
current; the device that must hold the HRS is SET then RESET), with the cycle-to-cycle random
walk at each pulse, and the programmed state is carried into the read netlist
(:mod:`rram_ber.characterization.programming`). Each sample programs with its own device stream
(:func:`~characterization.sampling.sample_streams`), so its devices do not depend on the batch,
the worker count or the execution order.

1T1R cells program one device and read it against the reference resistor: ``cell.reference_ohm``
if the campaign gives one, else the geometric mean of the median LRS and HRS of a pilot
population programmed at the same compliance, corner and temperature (seeded, computed once
per worker process and condition group): the reference a designer would place between the two
distributions for those programming conditions.

The settings of the ``[device.vcm]`` table are a :class:`~characterization.devices.VcmSettings`,
validated when the campaign is read.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from rram_ber.characterization.devices import CELSIUS_TO_KELVIN, VcmSettings
from rram_ber.characterization.programming import (
    Operation,
    ProgramConditions,
    apply_pulse,
    compliance_word_line_voltage,
    fresh_devices,
    program_2t2r_cells,
    program_population,
)
from rram_ber.characterization.sampling import SamplePlan, start_sample
from rram_ber.characterization.simulator import SimulationError, Simulator
from rram_ber.characterization.spec import CampaignSpec, Condition
from rram_ber.circuits.cells import AccessSizing, Cell1T1R, CellKind
from rram_ber.circuits.elements import FixedResistor, VcmElement
from rram_ber.circuits.programming import ProgrammingBench
from rram_ber.circuits.read import ReadCopy, read_transistor_geometries
from rram_ber.core.validation import ParameterError
from rram_ber.models.resistance import reference_1t1r_ohm
from rram_ber.models.technology import PTM130, Technology
from rram_ber.models.variability import C2cVariability, D2dVariability
from rram_ber.models.vcm import VcmParameters


def program_conditions(
    vcm: VcmSettings,
    compliance_a: float,
    corner: Any = "tt",
    temp_c: float = 27.0,
    device_variability: bool = True,
    access: AccessSizing | None = None,
    technology: Technology = PTM130,
) -> ProgramConditions:
    """Programming conditions from the ``[device.vcm]`` settings and a condition.

    The devices' ambient temperature follows the condition's temperature (the model's box is
    250-400 K, checked when the campaign is read); d2d variability follows
    ``variability.device``; c2c follows ``vcm.c2c`` and ``variability.device``.
    """
    ranges = D2dVariability.published(vcm.truncation_scale)
    bench = ProgrammingBench(
        corner=corner,
        temp_c=temp_c,
        orientation=vcm.orientation,
        access=AccessSizing() if access is None else access,
        technology=technology,
    )
    return ProgramConditions(
        compliance_a=compliance_a,
        set_pulse=vcm.set_pulse(),
        reset=vcm.reset_pulse(),
        bench=bench,
        d2d=ranges if device_variability else None,
        c2c=C2cVariability(ranges=ranges) if (vcm.c2c and device_variability) else None,
        device=VcmParameters(t_ambient_k=temp_c + CELSIUS_TO_KELVIN),
    )


def conditions_for(spec: CampaignSpec, condition: Condition) -> ProgramConditions:
    """The programming conditions of one campaign condition."""
    if condition.compliance_a is None:
        raise ParameterError("conditions.compliance_a", None, "a compliance for VCM devices")
    return program_conditions(
        spec.device.vcm,
        condition.compliance_a,
        condition.corner,
        condition.temp_c,
        spec.variability.device,
        spec.access,
        spec.technology.technology,
    )


def reference_ohm(
    simulator: Simulator,
    spec: CampaignSpec,
    condition: Condition,
    cache: dict[tuple[str, int], float],
) -> float:
    """The 1T1R reference of a condition (see the module docstring) [ohm].

    ``cache`` holds the references already computed (by campaign and condition group): the
    worker process's, so each group's pilot population is programmed once per process.
    """
    if spec.reference_ohm is not None:
        return spec.reference_ohm
    key = (json.dumps(spec.to_dict(), sort_keys=True), condition.group_id)
    if key not in cache:
        # The pilot's stream: a three-entry spawn key never equals a sample's two-entry one.
        seed = np.random.SeedSequence(spec.campaign.seed, spawn_key=(condition.group_id, 0, 2))
        population = program_population(
            simulator,
            spec.device.vcm.pilot_devices,
            conditions_for(spec, condition),
            np.random.default_rng(seed),
        )
        lrs = np.nanmedian(population.r_lrs_ohm)
        hrs = np.nanmedian(population.r_hrs_ohm)
        cache[key] = reference_1t1r_ohm(float(lrs), float(hrs))
    return cache[key]


def _program_1t1r(
    simulator: Simulator, stored: int, conditions: ProgramConditions, rng: np.random.Generator
) -> tuple[VcmParameters | None, dict[str, float], str]:
    """One device: SET at the compliance, and RESET too when it must hold the HRS."""
    (device,) = fresh_devices(rng, 1, conditions)
    v_wl = compliance_word_line_voltage(simulator, conditions)
    (set_out,) = apply_pulse(simulator, [device], Operation.SET, conditions, rng, v_wl)
    row = {"v_wl_set_v": v_wl, "bl_compliance_a": set_out.current_end_a}
    for name in ("n_min", "n_max", "r_filament_m", "l_disc_nm"):
        row[f"bl_{name}"] = float(getattr(device, name))
    if set_out.failed:
        return None, row, "SET simulation failed"
    final = set_out.device
    if stored == -1:
        (reset_out,) = apply_pulse(simulator, [final], Operation.RESET, conditions, rng)
        if reset_out.failed:
            return None, row, "RESET simulation failed"
        final = reset_out.device
    row["bl_n_disc"] = final.n_init
    return final, row, ""


def plan_vcm_samples(
    simulator: Simulator,
    spec: CampaignSpec,
    condition: Condition,
    sample_indices: Sequence[int],
    references: dict[tuple[str, int], float] | None = None,
) -> list[SamplePlan]:
    """Draw, program and plan the samples ``sample_indices`` of a VCM condition.

    Mismatch is drawn exactly as for the other device models; a sample whose programming
    failed gets a plan without a copy and the reason (it is recorded as a failed sample).
    ``references`` caches 1T1R references (see :func:`reference_ohm`).
    """
    if not condition.cell.mode.vcm_programmable:
        raise ParameterError("conditions.cell", condition.cell.value, "2t2r, 1t1r or xnor for VCM")
    conditions = conditions_for(spec, condition)
    orientation = conditions.bench.orientation
    read_conditions = spec.read_conditions(condition)
    geometries = read_transistor_geometries(read_conditions)
    reference = (
        reference_ohm(simulator, spec, condition, {} if references is None else references)
        if condition.cell.physical_cell is CellKind.ONE_T_ONE_R
        else math.nan
    )
    plans = []
    for index in sample_indices:
        start = start_sample(spec, condition, geometries, index)
        stored, activation, deviations = start.stored, start.activation, start.deviations
        device_rng, columns = start.device_rng, start.columns
        copy: ReadCopy | None = None
        failure = ""
        try:
            if condition.cell.physical_cell is CellKind.ONE_T_ONE_R:
                device, row, failure = _program_1t1r(simulator, stored, conditions, device_rng)
                columns.update(row)
                if device is not None:
                    element = VcmElement(device, orientation, frozen=True)
                    # Read at the cell temperature (the VCM model's thermal factor).
                    hot = element.at_temperature(condition.temp_c)
                    copy = ReadCopy(Cell1T1R(hot, FixedResistor(reference)), deviations)
                    columns["r_bl_ohm"] = element.nominal_resistance_ohm()
                columns["r_blb_ohm"] = reference
            else:
                (cell,) = program_2t2r_cells(
                    simulator, [stored], conditions, device_rng, read_temp_c=condition.temp_c
                )
                columns.update(cell.row)
                columns["r_bl_ohm"] = cell.row["bl_r_read_ohm"]
                columns["r_blb_ohm"] = cell.row["blb_r_read_ohm"]
                if cell.cell is None:
                    failure = "programming simulation failed"
                else:
                    copy = ReadCopy(cell.cell, deviations, activation)
        except SimulationError as error:
            failure = f"programming: {error.reason}"
        plans.append(SamplePlan(index, stored, start.expected, copy, columns, failure))
    return plans


__all__ = ["conditions_for", "plan_vcm_samples", "program_conditions", "reference_ohm"]
