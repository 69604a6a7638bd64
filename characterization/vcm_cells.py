"""Campaign samples with VCM devices: each cell is programmed in SPICE, then read.

``device.model = "vcm"`` in a campaign. For every sample the cell's devices are drawn (d2d
variability), programmed through the access transistor (SET at the condition's compliance
current; the device that must hold the HRS is SET then RESET), with the cycle-to-cycle random
walk at each pulse, and the programmed state is carried into the read netlist
(:mod:`characterization.programming`). Each sample programs with its own device stream
(:func:`~characterization.sampling.sample_streams`), so its devices do not depend on the batch,
the worker count or the execution order.

1T1R cells program one device and read it against the reference resistor: ``cell.reference_ohm``
if the campaign gives one, else the geometric mean of the median LRS and HRS of a pilot
population programmed at the same compliance, corner and temperature (seeded, computed once
per worker process and condition group): the reference a designer would place between the two
distributions for those programming conditions.

Settings of the ``[device.vcm]`` table (all optional): ``set_amplitude_v``, ``set_edge_s``,
``set_width_s``, ``reset_amplitude_v``, ``reset_edge_s``, ``reset_width_s``, ``reset_v_wl_v``,
``c2c`` (true/false), ``orientation`` (``"oe_on_bl"``, the default, or ``"ae_on_bl"``) and
``pilot_devices`` (size of the 1T1R reference pilot, default 60).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from characterization.programming import (
    Operation,
    ProgramConditions,
    apply_pulse,
    compliance_word_line_voltage,
    fresh_devices,
    program_2t2r_cells,
    program_population,
)
from characterization.sampling import SamplePlan, start_sample
from characterization.session import SimulationError, Simulator
from characterization.spec import CampaignCell, CampaignSpec, Condition
from circuits.cells import Cell1T1R
from circuits.elements import DeviceOrientation, FixedResistor, VcmElement
from circuits.programming import ProgrammingBench, ResetPulse, default_set_pulse
from circuits.read import ReadCopy, read_transistor_geometries
from models.variability import C2cVariability, D2dVariability
from models.vcm import VcmParameters
from rram_ber.validation import ParameterError, check_int

#: Keys of [device.vcm] that are numbers, mapped to (record, field).
_PULSE_KEYS = {
    "set_amplitude_v": ("set", "amplitude_v"),
    "set_edge_s": ("set", "edge_s"),
    "set_width_s": ("set", "width_s"),
    "reset_amplitude_v": ("reset", "amplitude_v"),
    "reset_edge_s": ("reset", "edge_s"),
    "reset_width_s": ("reset", "width_s"),
}
VCM_KEYS = (*_PULSE_KEYS, "reset_v_wl_v", "c2c", "orientation", "pilot_devices")
#: Cells a VCM campaign can program (ternary zeros would need two RESET devices).
VCM_CELLS = (CampaignCell.TWO_T_TWO_R, CampaignCell.ONE_T_ONE_R, CampaignCell.XNOR)
DEFAULT_PILOT_DEVICES = 60
CELSIUS_TO_KELVIN = 273.15


def program_conditions(
    vcm: Mapping[str, Any],
    compliance_a: float,
    corner: Any = "tt",
    temp_c: float = 27.0,
    device_variability: bool = True,
    access: Any = None,
) -> ProgramConditions:
    """Programming conditions from a ``[device.vcm]`` table and a condition.

    The devices' ambient temperature follows the condition's temperature (the model's box is
    250-400 K); d2d variability follows ``variability.device``; c2c follows ``vcm.c2c``
    (default true) and ``variability.device``.

    Raises
    ------
    ParameterError
        Naming ``device.vcm.<key>`` (or the condition value) for anything out of range.
    """
    for key, value in vcm.items():
        if key not in VCM_KEYS:
            raise ParameterError(
                f"device.vcm.{key}", value, "a known key: " + ", ".join(repr(k) for k in VCM_KEYS)
            )
    set_pulse, reset = default_set_pulse(), ResetPulse()
    set_values = {f: vcm[k] for k, (r, f) in _PULSE_KEYS.items() if r == "set" and k in vcm}
    reset_values = {f: vcm[k] for k, (r, f) in _PULSE_KEYS.items() if r == "reset" and k in vcm}
    c2c = vcm.get("c2c", True)
    if not isinstance(c2c, bool):
        raise ParameterError("device.vcm.c2c", c2c, "true or false")
    for prefix, record, values in (
        ("set_", set_pulse, set_values),
        ("reset_", reset.pulse, reset_values),
    ):
        try:
            built = dataclasses.replace(record, **_numbers(values))
        except ParameterError as error:  # report the key as written in [device.vcm]
            raise ParameterError(
                f"device.vcm.{prefix}{error.field}", error.value, error.allowed
            ) from None
        if prefix == "set_":
            set_pulse = built
        else:
            reset = dataclasses.replace(reset, pulse=built)
    try:
        reset = ResetPulse(pulse=reset.pulse, v_wl_v=_number(vcm.get("reset_v_wl_v", reset.v_wl_v)))
        bench = ProgrammingBench(
            corner=corner,
            temp_c=temp_c,
            orientation=DeviceOrientation.parse(
                vcm.get("orientation", DeviceOrientation.OE_ON_BIT_LINE.value)
            ),
            **({} if access is None else {"access": access}),
        )
        device = VcmParameters(t_ambient_k=temp_c + CELSIUS_TO_KELVIN)
        return ProgramConditions(
            compliance_a=compliance_a,
            set_pulse=set_pulse,
            reset=reset,
            bench=bench,
            d2d=D2dVariability() if device_variability else None,
            c2c=C2cVariability() if (c2c and device_variability) else None,
            device=device,
        )
    except ParameterError as error:
        field = error.field
        if field == "t_ambient_k":
            raise ParameterError(
                "conditions.temp_c", temp_c, "-23.15 ... 126.85 C (VCM model box 250-400 K)"
            ) from None
        if field == "compliance_a":
            raise ParameterError("conditions.compliance_a", compliance_a, error.allowed) from None
        if field == "v_wl_v":
            field = "reset_v_wl_v"
        raise ParameterError(f"device.vcm.{field}", error.value, error.allowed) from None
    except TypeError as error:
        raise ParameterError("device.vcm", dict(vcm), f"valid values ({error})") from None


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _numbers(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _number(v) for k, v in values.items()}


def pilot_devices(vcm: Mapping[str, Any]) -> int:
    """Size of the 1T1R reference pilot population."""
    return check_int(
        "device.vcm.pilot_devices", vcm.get("pilot_devices", DEFAULT_PILOT_DEVICES), 10, 10_000
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
    )


_reference_cache: dict[tuple[str, int], float] = {}


def reference_ohm(simulator: Simulator, spec: CampaignSpec, condition: Condition) -> float:
    """The 1T1R reference of a condition (see the module docstring) [ohm]."""
    if spec.reference_ohm is not None:
        return spec.reference_ohm
    key = (json.dumps(spec.to_dict(), sort_keys=True), condition.group_id)
    if key not in _reference_cache:
        # The pilot's stream: a three-entry spawn key never equals a sample's two-entry one.
        seed = np.random.SeedSequence(spec.campaign.seed, spawn_key=(condition.group_id, 0, 2))
        population = program_population(
            simulator,
            pilot_devices(spec.device.vcm),
            conditions_for(spec, condition),
            np.random.default_rng(seed),
        )
        lrs = np.nanmedian(population.r_lrs_ohm)
        hrs = np.nanmedian(population.r_hrs_ohm)
        _reference_cache[key] = float(math.sqrt(lrs * hrs))
    return _reference_cache[key]


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
    simulator: Simulator, spec: CampaignSpec, condition: Condition, sample_indices: Sequence[int]
) -> list[SamplePlan]:
    """Draw, program and plan the samples ``sample_indices`` of a VCM condition.

    Mismatch is drawn exactly as for the other device models; a sample whose programming
    failed gets a plan without a copy and the reason (it is recorded as a failed sample).
    """
    if condition.cell not in VCM_CELLS:
        raise ParameterError("conditions.cell", condition.cell.value, "2t2r, 1t1r or xnor for VCM")
    conditions = conditions_for(spec, condition)
    orientation = conditions.bench.orientation
    read_conditions = spec.read_conditions(condition)
    geometries = read_transistor_geometries(read_conditions)
    reference = (
        reference_ohm(simulator, spec, condition)
        if condition.cell is CampaignCell.ONE_T_ONE_R
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
            if condition.cell is CampaignCell.ONE_T_ONE_R:
                device, row, failure = _program_1t1r(simulator, stored, conditions, device_rng)
                columns.update(row)
                if device is not None:
                    element = VcmElement(device, orientation, frozen=True)
                    copy = ReadCopy(Cell1T1R(element, FixedResistor(reference)), deviations)
                    columns["r_bl_ohm"] = element.nominal_resistance_ohm()
                columns["r_blb_ohm"] = reference
            else:
                (cell,) = program_2t2r_cells(simulator, [stored], conditions, device_rng)
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


__all__ = ["VCM_CELLS", "VCM_KEYS", "conditions_for", "plan_vcm_samples", "program_conditions"]
