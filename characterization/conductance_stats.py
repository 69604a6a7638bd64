"""SET-compliance sweep on ngspice: the programmed-conductance table of the VCM devices.

At each compliance of the sweep a population of fresh devices (device-to-device draws) is SET
through its 1T1R access transistor at that compliance, read, RESET and read again, with a
cycle-to-cycle step at each pulse
(:func:`~rram_ber.characterization.programming.program_population`, the same simulation as
``rram-ber program``). Each population becomes one row of the table of
:mod:`rram_ber.characterization.conductance_table` (median, spread and log-spread of
``G = 1 / R_LRS``; HRS conductance after the RESET).

Reproducible: the population of compliance ``k`` draws from the ``k``-th child of
``SeedSequence(seed)``, so a row does not depend on which other compliances are swept with it.

Also here: :func:`program_conductances`, which programs one fresh device per requested
compliance (SET only, each at its own word-line voltage) and reads its conductance: the check
of a transfer whose devices are drawn from the table's statistics.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rram_ber.characterization.conductance_table import summarise_population
from rram_ber.characterization.devices import COMPLIANCE_MAX_A, COMPLIANCE_MIN_A
from rram_ber.characterization.programming import (
    ProgramConditions,
    apply_pulse,
    compliance_word_line_voltage,
    fresh_devices,
    program_population,
)
from rram_ber.characterization.session import Simulator
from rram_ber.circuits.elements import VcmElement
from rram_ber.circuits.programming import Operation
from rram_ber.core.validation import ParameterError, check_int, check_range

#: The default sweep [A]: the programmable range of the compliance lookup, log-spaced.
DEFAULT_COMPLIANCES_A = (40e-6, 50e-6, 65e-6, 80e-6, 100e-6, 130e-6, 160e-6, 200e-6, 250e-6, 300e-6)


def check_compliances(compliances_a: Sequence[float], field: str = "compliances") -> list[float]:
    """The compliances as a strictly increasing list of at least 4 values in 40 ... 300 uA."""
    values = [
        check_range(field, c, COMPLIANCE_MIN_A, COMPLIANCE_MAX_A, unit="A") for c in compliances_a
    ]
    if len(values) < 4 or any(b <= a for a, b in itertools.pairwise(values)):
        raise ParameterError(field, values, "at least 4 strictly increasing currents")
    return values


def compliance_sweep(
    simulator: Simulator,
    compliances_a: Sequence[float],
    n_devices: int,
    seed: int,
    conditions: ProgramConditions | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, float | int | str]]:
    """Program ``n_devices`` fresh devices at each compliance; one table row per compliance.

    Parameters
    ----------
    simulator : Simulator
        Open simulator.
    compliances_a : sequence of float
        SET compliances [A], strictly increasing, 40 ... 300 uA (:func:`check_compliances`).
    n_devices : int
        Devices per compliance, >= 3.
    seed : int
        Root seed (``SeedSequence(seed).spawn``: one child per compliance).
    conditions : ProgramConditions, optional
        Pulses, bench and variability (default: those of ``rram-ber program``); its
        ``compliance_a`` is replaced by each value of the sweep.
    progress : callable, optional
        Called with the number of devices of each simulated pulse batch.

    Returns
    -------
    list of dict
        Rows of :data:`~rram_ber.characterization.conductance_table.COLUMNS`.
    """
    currents = check_compliances(compliances_a)
    check_int("n_devices", n_devices, 3, None)
    seed = check_int("seed", seed, 0, None)
    base = ProgramConditions() if conditions is None else conditions
    children = np.random.SeedSequence(seed).spawn(len(currents))
    rows = []
    for current, child in zip(currents, children, strict=True):
        at = replace(base, compliance_a=current)
        result = program_population(
            simulator, n_devices, at, np.random.default_rng(child), progress
        )
        rows.append(
            summarise_population(
                current,
                1.0 / result.r_lrs_ohm,
                1.0 / result.r_hrs_ohm,
                result.compliance_observed_a,
                seed,
                base.bench.technology.name,
            )
        )
    return rows


def program_conductances(
    simulator: Simulator,
    compliances_a: ArrayLike,
    seed: int,
    conditions: ProgramConditions | None = None,
    progress: Callable[[int], None] | None = None,
) -> NDArray[np.float64]:
    """One fresh device SET at each compliance; its read conductance [S] (NaN if it failed).

    Devices are drawn (d2d) in order from ``default_rng(SeedSequence(seed))``; devices that
    share a compliance are SET in one :func:`~rram_ber.characterization.programming.apply_pulse`
    call (the word-line voltage comes from the compliance lookup), the c2c steps of each group
    coming from the group's own child seed, so results do not depend on the grouping order.
    """
    currents = np.asarray(compliances_a, dtype=float).ravel()
    for value in np.unique(currents):
        check_range("compliances", float(value), COMPLIANCE_MIN_A, COMPLIANCE_MAX_A, unit="A")
    base = ProgramConditions() if conditions is None else conditions
    root = np.random.SeedSequence(check_int("seed", seed, 0, None))
    d2d_seed, c2c_seed = root.spawn(2)
    drawn = fresh_devices(np.random.default_rng(d2d_seed), currents.size, base)
    conductance = np.full(currents.size, np.nan)
    levels = np.unique(currents)
    for level, child in zip(levels, c2c_seed.spawn(levels.size), strict=True):
        index = np.flatnonzero(currents == level)
        at = replace(base, compliance_a=float(level))
        v_wl = compliance_word_line_voltage(simulator, at)
        outcomes = apply_pulse(
            simulator,
            [drawn[i] for i in index],
            Operation.SET,
            at,
            np.random.default_rng(child),
            v_wl,
            progress,
        )
        for i, outcome in zip(index, outcomes, strict=True):
            if not outcome.failed:
                element = VcmElement(outcome.device, base.bench.orientation)
                conductance[i] = 1.0 / element.read_resistance_ohm(base.v_read_v)
    return conductance
