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

Stored values cycle with the sample index: +1, -1 for binary cells, +1, 0, -1 for ternary
cells, so every value is stored by the same share of samples. XNOR reads cycle through the four
(weight, input) pairs: weight +1, -1, +1, -1 with input +1, +1, -1, -1.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from characterization.schema import DBETA_PREFIX, DVT_PREFIX
from characterization.spec import CampaignCell, CampaignSpec, Condition, DeviceSettings
from circuits.cells import Cell, Cell1T1R, Cell2T2R, CellKind
from circuits.elements import FixedResistor
from circuits.read import ReadCopy, read_transistor_geometries
from models.cmos import (
    TransistorDeviation,
    TransistorGeometry,
    deviations_from_standard_normal,
)
from rram_ber.validation import ParameterError

#: Values a cell of each kind can store, in the order samples cycle through them.
STORED_VALUES: dict[CampaignCell, tuple[int, ...]] = {
    CampaignCell.TWO_T_TWO_R: (1, -1),
    CampaignCell.ONE_T_ONE_R: (1, -1),
    CampaignCell.TERNARY: (1, 0, -1),
    CampaignCell.XNOR: (1, -1),
}

#: Input activations of XNOR reads, cycled with period 4 against the period-2 weights.
XNOR_ACTIVATIONS = (1, 1, -1, -1)


def stored_value(cell: CampaignCell, sample_index: int) -> int:
    """The weight stored by sample ``sample_index`` (cycles through :data:`STORED_VALUES`)."""
    values = STORED_VALUES[cell]
    return values[sample_index % len(values)]


def activation_value(cell: CampaignCell, sample_index: int) -> int | None:
    """The XNOR input activation of sample ``sample_index`` (None for other cells)."""
    if cell is not CampaignCell.XNOR:
        return None
    return XNOR_ACTIVATIONS[sample_index % len(XNOR_ACTIVATIONS)]


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
    stored = stored_value(condition.cell, sample_index)
    activation = activation_value(condition.cell, sample_index)
    expected = stored if activation is None else stored * activation
    deviations, columns = draw_mismatch(spec, geometries, mismatch_rng)
    return SampleStart(stored, activation, expected, deviations, columns, device_rng)


class MeasuredResistances:
    """Measured LRS and HRS resistances read from a CSV file, for resampling.

    The file has a header with columns ``state`` (``LRS`` or ``HRS``) and ``resistance_ohm``;
    every value must be a positive finite number.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        values: dict[str, list[float]] = {"LRS": [], "HRS": []}
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle)
                if reader.fieldnames is None or {"state", "resistance_ohm"} - set(
                    reader.fieldnames
                ):
                    raise ParameterError(
                        "device.csv", str(path), "a CSV with columns 'state' and 'resistance_ohm'"
                    )
                for line, row in enumerate(reader, start=2):
                    state = (row["state"] or "").strip().upper()
                    try:
                        resistance = float(row["resistance_ohm"])
                    except (TypeError, ValueError):
                        resistance = math.nan
                    if state not in values or not (math.isfinite(resistance) and resistance > 0):
                        raise ParameterError(
                            f"device.csv line {line}", row, "state LRS or HRS and a resistance > 0"
                        )
                    values[state].append(resistance)
        except OSError as error:
            raise ParameterError(
                "device.csv", str(path), f"a readable file ({error.strerror})"
            ) from None
        for state, found in values.items():
            if not found:
                raise ParameterError("device.csv", str(path), f"at least one {state} resistance")
        self.lrs_ohm = np.array(values["LRS"])
        self.hrs_ohm = np.array(values["HRS"])

    def medians_ohm(self) -> tuple[float, float]:
        """Median LRS and HRS [ohm]."""
        return float(np.median(self.lrs_ohm)), float(np.median(self.hrs_ohm))


def _device_resistance(
    device: DeviceSettings,
    low_resistance: bool,
    rng: np.random.Generator,
    vary: bool,
    measured: MeasuredResistances | None,
) -> float:
    """One device's resistance [ohm] in LRS (``low_resistance``) or HRS."""
    if device.model == "fixed":
        return device.lrs_ohm if low_resistance else device.hrs_ohm
    if device.model == "lognormal":
        median = device.lrs_median_ohm if low_resistance else device.hrs_median_ohm
        sigma = device.lrs_sigma_ln if low_resistance else device.hrs_sigma_ln
        # Always draw, so that a sample's later draws do not depend on the variability switch.
        u = rng.standard_normal()
        return float(median * math.exp(sigma * u)) if vary else median
    if device.model == "empirical":
        assert measured is not None
        pool = measured.lrs_ohm if low_resistance else measured.hrs_ohm
        index = int(rng.integers(len(pool)))
        return float(pool[index]) if vary else float(np.median(pool))
    raise ParameterError("device.model", device.model, "a model with fixed resistances here")


def plan_samples(
    spec: CampaignSpec,
    condition: Condition,
    sample_indices: Sequence[int],
    measured: MeasuredResistances | None = None,
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
    measured : MeasuredResistances, optional
        The loaded CSV for the ``empirical`` device model.

    Returns
    -------
    list of SamplePlan
        One plan per index, in order.
    """
    if spec.device.model == "vcm":
        raise ParameterError("device.model", "vcm", "a fixed-resistance model in plan_samples")
    read_conditions = spec.read_conditions(condition)
    geometries = read_transistor_geometries(read_conditions)
    plans = []
    for index in sample_indices:
        start = start_sample(spec, condition, geometries, index)
        columns = start.columns
        try:
            cell = _build_cell(spec, condition.cell, start.stored, start.device_rng, measured)
        except ParameterError as error:
            # A valid distribution can draw outside what the device model accepts (a wide
            # log-normal beyond 1e12 ohm): that sample fails with the reason, the rest go on.
            columns["r_bl_ohm"] = columns["r_blb_ohm"] = math.nan
            reason = f"device draw outside the model: {error}"
            plans.append(SamplePlan(index, start.stored, start.expected, None, columns, reason))
            continue
        bl, blb = cell.branch_elements()
        columns["r_bl_ohm"] = bl.nominal_resistance_ohm()
        columns["r_blb_ohm"] = blb.nominal_resistance_ohm()
        copy = ReadCopy(cell, start.deviations, start.activation)
        plans.append(SamplePlan(index, start.stored, start.expected, copy, columns))
    return plans


def device_states(cell: CampaignCell, stored: int) -> tuple[bool, bool]:
    """Whether the BL and BLB devices are in LRS for a stored value.

    2T2R encoding (Bocquet et al., IEDM 2018; Laborieux et al. 2020 for ternary):
    +1 = (LRS, HRS), -1 = (HRS, LRS), 0 = (HRS, HRS). For 1T1R only the BL entry is used.
    """
    if stored == 0:
        if cell is not CampaignCell.TERNARY:
            raise ValueError("only ternary cells store 0")
        return False, False
    return stored == 1, stored == -1


def _build_cell(
    spec: CampaignSpec,
    cell: CampaignCell,
    stored: int,
    rng: np.random.Generator,
    measured: MeasuredResistances | None,
) -> Cell:
    vary = spec.variability.device
    bl_low, blb_low = device_states(cell, stored)
    if cell.physical_cell is CellKind.TWO_T_TWO_R:
        # The BL device is drawn first, then the BLB device.
        bl = _device_resistance(spec.device, bl_low, rng, vary, measured)
        blb = _device_resistance(spec.device, blb_low, rng, vary, measured)
        return Cell2T2R(FixedResistor(bl), FixedResistor(blb))
    device = _device_resistance(spec.device, bl_low, rng, vary, measured)
    return Cell1T1R(FixedResistor(device), FixedResistor(spec.reference_resistance_ohm()))
