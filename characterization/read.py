"""Simulate PCSA reads: build the (batched) read netlist, run it, measure every copy."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from rram_ber.characterization.measure import (
    DEFAULT_RESOLVE_FRACTION,
    ReadMeasurement,
    measure_read,
)
from rram_ber.characterization.session import Simulator
from rram_ber.characterization.simulator import SimulationError
from rram_ber.circuits.read import (
    ReadConditions,
    ReadCopy,
    read_netlist,
    read_probes,
    read_transistor_geometries,
)
from rram_ber.models.cmos import (
    PelgromCoefficients,
    TransistorDeviation,
    deviations_from_standard_normal,
)


def simulate_reads(
    simulator: Simulator,
    conditions: ReadConditions,
    copies: Sequence[ReadCopy],
    resolve_fraction: float = DEFAULT_RESOLVE_FRACTION,
) -> list[ReadMeasurement]:
    """Read every copy in one transient and measure each.

    Parameters
    ----------
    simulator : Simulator
        An open :class:`~characterization.session.NgspiceSession` or the subprocess back end.
    conditions : ReadConditions
        Operating point shared by the copies.
    copies : sequence of ReadCopy
        Cells and per-transistor mismatch, one per PCSA.
    resolve_fraction : float
        Output separation, as a fraction of VDD, that counts as resolved.

    Returns
    -------
    list of ReadMeasurement
        One per copy, in order.
    """
    return simulate_reads_at(simulator, [conditions], copies, resolve_fraction)[0]


def simulate_reads_at(
    simulator: Simulator,
    conditions: Sequence[ReadConditions],
    copies: Sequence[ReadCopy],
    resolve_fraction: float = DEFAULT_RESOLVE_FRACTION,
) -> list[list[ReadMeasurement]]:
    """Simulate once, measure at several sampling times.

    The sampling time is a measurement, not part of the circuit: conditions that differ only in
    ``timing.t_sample_s`` share one transient.

    Parameters
    ----------
    conditions : sequence of ReadConditions
        Identical except for ``timing.t_sample_s``.

    Returns
    -------
    list of list of ReadMeasurement
        ``result[j][k]``: copy ``k`` measured with ``conditions[j]``.

    Raises
    ------
    ValueError
        If the conditions differ in anything but the sampling time.
    SimulationError
        If ngspice fails, or its waveforms cannot be measured (the reason says why).
    """
    first = conditions[0]
    for other in conditions[1:]:
        if (
            dataclasses.replace(other, timing=first.timing) != first
            or dataclasses.replace(other.timing, t_sample_s=first.timing.t_sample_s) != first.timing
        ):
            raise ValueError("conditions measured together may differ only in t_sample_s")
    return run_read_netlist(
        simulator, conditions, read_netlist(first, copies), len(copies), resolve_fraction
    )


def run_read_netlist(
    simulator: Simulator,
    conditions: Sequence[ReadConditions],
    netlist: str,
    copies: int,
    resolve_fraction: float = DEFAULT_RESOLVE_FRACTION,
) -> list[list[ReadMeasurement]]:
    """Run a read netlist of ``copies`` copies and measure each at every condition's
    sampling time: the second half of :func:`simulate_reads_at`, for a netlist built (or
    altered, as a benchmark does) elsewhere.

    Parameters
    ----------
    conditions : sequence of ReadConditions
        The conditions ``netlist`` was built for, differing only in ``timing.t_sample_s``.
    netlist : str
        A netlist of :func:`~circuits.read.read_netlist` for ``conditions[0]``.
    copies : int
        Number of read copies in ``netlist``.

    Returns
    -------
    list of list of ReadMeasurement
        ``result[j][k]``: copy ``k`` measured with ``conditions[j]``.

    Raises
    ------
    SimulationError
        If ngspice fails, or its waveforms cannot be measured (the reason says why).
    """
    first = conditions[0]
    array = first.column is not None
    probes = [read_probes(k, array) for k in range(copies)]
    vectors = list(dict.fromkeys(v for p in probes for v in p.vectors()))
    waveforms = simulator.run_transient(netlist, vectors, first.timing.t_stop_s)
    try:
        return [
            [measure_read(waveforms, p, c, resolve_fraction) for p in probes] for c in conditions
        ]
    except ValueError as error:
        # The waveforms do not allow the measurement (at VDD = 0.1 V the column's sense
        # enable never reaches VDD/2): a failure of these reads, with the reason, like a
        # simulation that did not converge, not an error that ends the campaign.
        raise SimulationError(f"read not measurable: {error}", "", netlist) from error


def sample_read_mismatch(
    rng: np.random.Generator,
    conditions: ReadConditions,
    coefficients: PelgromCoefficients | None = None,
) -> dict[str, TransistorDeviation]:
    """Draw Pelgrom mismatch for every transistor of one read copy.

    Draws ``2 n`` standard normals from ``rng`` (``dVT`` of each transistor, then ``dbeta/beta``
    of each, in :func:`~circuits.read.read_transistor_geometries` order) and scales them.
    """
    geometries = read_transistor_geometries(conditions)
    u = rng.standard_normal((2, len(geometries)))
    return deviations_from_standard_normal(
        u[0], u[1], geometries, coefficients or PelgromCoefficients()
    )
