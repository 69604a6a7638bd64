"""Pure measurements of a PCSA read on its waveforms.

Conventions (all functions take plain NumPy arrays, no simulator):

* **Separation** ``s(t) = V(OUTB) - V(OUT)`` [V]. It is positive when OUT fell, i.e. when the
  BL branch had the lower resistance.
* **Decision** at the sampling time ``t_s``: +1 if ``s(t_s) >= f VDD``, -1 if
  ``s(t_s) <= -f VDD``, 0 (*unresolved*) otherwise, with the resolve fraction ``f`` = 0.9 by
  default. For a 2T2R cell +1 is read when the LRS is on BL.
* **Sense delay**: time from the SEN edge (its 50 % point) to the first instant at which
  ``|s| >= f VDD`` [s]; NaN when the outputs never separate.
* **Read energy**: ``E = VDD * Q``, with ``Q`` the charge drawn from the PCSA's VDD source from
  the SEN edge to the end of the restoring precharge [J]. The restore precharge is included
  because that is when the discharged output is recharged; WL and SEN drivers are not counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from characterization.readout import DEFAULT_RESOLVE_FRACTION
from characterization.simulator import Waveforms
from circuits.read import ReadConditions, ReadProbes


@dataclass(frozen=True, slots=True)
class ReadMeasurement:
    """Outcome of one read.

    Attributes
    ----------
    decision : int
        +1 (OUT fell), -1 (OUTB fell) or 0 (unresolved at the sampling time).
    resolved : bool
        Whether the outputs were separated at the sampling time.
    delay_s : float
        Sense delay [s]; NaN if the outputs never separated.
    energy_j : float
        Read energy [J].
    v_out_v, v_outb_v : float
        Output voltages at the sampling time [V].
    """

    decision: int
    resolved: bool
    delay_s: float
    energy_j: float
    v_out_v: float
    v_outb_v: float


def value_at(time_s: np.ndarray, values: np.ndarray, t_s: float) -> float:
    """Linear interpolation of ``values`` at ``t_s`` (clamped to the simulated interval)."""
    return float(np.interp(t_s, time_s, values))


def decision_at(
    time_s: np.ndarray,
    v_out: np.ndarray,
    v_outb: np.ndarray,
    t_sample_s: float,
    vdd_v: float,
    resolve_fraction: float = DEFAULT_RESOLVE_FRACTION,
) -> int:
    """Decision (+1, -1, or 0 when unresolved) from the outputs at ``t_sample_s``."""
    separation = value_at(time_s, v_outb, t_sample_s) - value_at(time_s, v_out, t_sample_s)
    threshold = resolve_fraction * vdd_v
    if separation >= threshold:
        return 1
    if separation <= -threshold:
        return -1
    return 0


def sense_delay(
    time_s: np.ndarray,
    v_out: np.ndarray,
    v_outb: np.ndarray,
    t_start_s: float,
    vdd_v: float,
    resolve_fraction: float = DEFAULT_RESOLVE_FRACTION,
) -> float:
    """Time from ``t_start_s`` until ``|V(OUTB) - V(OUT)|`` first reaches ``f VDD`` [s].

    The crossing is located by linear interpolation between simulator points. Returns NaN
    when the separation never reaches the threshold after ``t_start_s``.
    """
    magnitude = np.abs(v_outb - v_out)
    threshold = resolve_fraction * vdd_v
    after = time_s >= t_start_s
    crossing = np.flatnonzero(after & (magnitude >= threshold))
    if crossing.size == 0:
        return math.nan
    i = int(crossing[0])
    if i == 0 or not after[i - 1]:
        return float(time_s[i] - t_start_s)
    t0, t1 = time_s[i - 1], time_s[i]
    m0, m1 = magnitude[i - 1], magnitude[i]
    t_cross = t0 + (threshold - m0) * (t1 - t0) / (m1 - m0)
    return float(t_cross - t_start_s)


def charge_drawn(
    time_s: np.ndarray, supply_current_a: np.ndarray, t_start_s: float, t_end_s: float
) -> float:
    """Charge delivered by a voltage source between two times [C] (trapezoidal rule).

    ngspice reports a source's branch current as flowing into its positive terminal, so a
    supply delivering charge has a negative current; the sign is flipped here.
    """
    inside = (time_s > t_start_s) & (time_s < t_end_s)
    t = np.concatenate(([t_start_s], time_s[inside], [t_end_s]))
    i = np.concatenate(
        (
            [value_at(time_s, supply_current_a, t_start_s)],
            supply_current_a[inside],
            [value_at(time_s, supply_current_a, t_end_s)],
        )
    )
    return float(-np.trapezoid(i, t))


def measure_read(
    waveforms: Waveforms,
    probes: ReadProbes,
    conditions: ReadConditions,
    resolve_fraction: float = DEFAULT_RESOLVE_FRACTION,
) -> ReadMeasurement:
    """All read measurements of one copy of a read testbench."""
    time_s = waveforms.time_s
    v_out, v_outb = waveforms[probes.out], waveforms[probes.outb]
    timing = conditions.timing
    vdd = conditions.vdd_v
    decision = decision_at(time_s, v_out, v_outb, timing.t_decision_s, vdd, resolve_fraction)
    delay = sense_delay(time_s, v_out, v_outb, timing.t_sen_mid_s, vdd, resolve_fraction)
    energy = vdd * charge_drawn(
        time_s, waveforms[probes.supply_current], timing.t_sen_mid_s, timing.t_stop_s
    )
    return ReadMeasurement(
        decision=decision,
        resolved=decision != 0,
        delay_s=delay,
        energy_j=energy,
        v_out_v=value_at(time_s, v_out, timing.t_decision_s),
        v_outb_v=value_at(time_s, v_outb, timing.t_decision_s),
    )
