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

An **array read** (``conditions.column`` given, :mod:`rram_ber.circuits.array`) differs in three
ways:

* the reference edge is the sense enable *at the PCSA* (the driver chain's output crossing
  VDD/2), so sampling time and sense delay count from when the PCSA is enabled;
* the decision is decoded from the logic levels of OUT and OUTB at the sampling time against
  the decode inverter's switching threshold at the read's corner and temperature
  (:mod:`rram_ber.characterization.decode`), and ``resolved`` means the logic decided;
* the sense delay is the time from that edge until the logic first reads +1 or -1 (the
  falling output crossing the low-level limit while the other is high);
* the energy is everything the copy's supply delivers over the whole read cycle, from t = 0
  (before the word line rises) to the end of the restore: PCSA, drivers, bit and source lines,
  decode inverters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rram_ber.characterization.decode import UNDECIDED_BAND_FRACTION, decode_outputs
from rram_ber.characterization.readout import DEFAULT_RESOLVE_FRACTION
from rram_ber.characterization.simulator import Waveforms
from rram_ber.circuits.read import ReadConditions, ReadProbes


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
    v_d_v, v_db_v : float
        Decode inverter outputs (NOT OUT, NOT OUTB) at the sampling time [V]; NaN without
        decode logic (idealised fixture).
    logic_decode : bool
        Whether the decision was decoded by logic (array read) rather than from the analogue
        output separation (isolated fixture).
    switching_v : float
        Switching threshold ``V_M`` of the decode logic at the sampling time [V] (array read;
        NaN in the isolated fixture). An output reads high from ``V_M + 0.15 VDD``.
    """

    decision: int
    resolved: bool
    delay_s: float
    energy_j: float
    v_out_v: float
    v_outb_v: float
    v_d_v: float = math.nan
    v_db_v: float = math.nan
    logic_decode: bool = False
    switching_v: float = math.nan


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


def rising_crossing(time_s: np.ndarray, values: np.ndarray, level: float, after_s: float) -> float:
    """First time after ``after_s`` at which ``values`` rises through ``level`` [s].

    Linear interpolation between simulator points; NaN if it never does.
    """
    above = values >= level
    candidates = np.flatnonzero((time_s > after_s) & above)
    if candidates.size == 0:
        return math.nan
    i = int(candidates[0])
    if i == 0 or above[i - 1]:
        return float(time_s[i])
    t0, t1, v0, v1 = time_s[i - 1], time_s[i], values[i - 1], values[i]
    return float(t0 + (level - v0) * (t1 - t0) / (v1 - v0))


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
    if conditions.column is not None:
        return _measure_array_read(waveforms, probes, conditions)
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


def logic_delay(
    time_s: np.ndarray,
    v_out: np.ndarray,
    v_outb: np.ndarray,
    t_start_s: float,
    switching_v: float,
    vdd_v: float,
) -> float:
    """Time from ``t_start_s`` until the logic first decodes +1 or -1 [s]; NaN if never.

    The crossing of the falling output through the low-level limit is interpolated linearly
    between simulator points.
    """
    value, decided = decode_outputs(v_out, v_outb, switching_v, vdd_v)
    found = np.flatnonzero((time_s >= t_start_s) & decided & (value != 0))
    if found.size == 0:
        return math.nan
    i = int(found[0])
    falling = v_out if value[i] == 1 else v_outb
    limit = switching_v - 0.5 * UNDECIDED_BAND_FRACTION * vdd_v
    t_cross = float(time_s[i])
    if i > 0 and time_s[i - 1] >= t_start_s and falling[i - 1] > limit:
        t0, t1, f0, f1 = time_s[i - 1], time_s[i], falling[i - 1], falling[i]
        t_cross = float(t0 + (limit - f0) * (t1 - t0) / (f1 - f0))
    return t_cross - t_start_s


def _measure_array_read(
    waveforms: Waveforms,
    probes: ReadProbes,
    conditions: ReadConditions,
) -> ReadMeasurement:
    """Measurements of an array read (see the module docstring)."""
    if probes.sen is None or probes.dout is None or probes.doutb is None or not probes.switching:
        raise ValueError("an array read needs the sense-enable, decode and threshold probes")
    time_s = waveforms.time_s
    v_out, v_outb = waveforms[probes.out], waveforms[probes.outb]
    timing = conditions.timing
    vdd = conditions.vdd_v
    t_enable = rising_crossing(time_s, waveforms[probes.sen], 0.5 * vdd, timing.t_sen_s)
    if math.isnan(t_enable):
        raise ValueError("the sense enable never reached VDD/2 at the PCSA")
    t_decision = t_enable + timing.t_sample_s
    # The replica sits at its DC point; its value at the decision time is V_M.
    switching = value_at(time_s, waveforms[probes.switching], t_decision)
    out_at, outb_at = value_at(time_s, v_out, t_decision), value_at(time_s, v_outb, t_decision)
    value, decided = decode_outputs(out_at, outb_at, switching, vdd)
    energy = vdd * charge_drawn(time_s, waveforms[probes.supply_current], 0.0, timing.t_stop_s)
    return ReadMeasurement(
        decision=int(value),
        resolved=bool(decided),
        delay_s=logic_delay(time_s, v_out, v_outb, t_enable, switching, vdd),
        energy_j=energy,
        v_out_v=out_at,
        v_outb_v=outb_at,
        v_d_v=value_at(time_s, waveforms[probes.dout], t_decision),
        v_db_v=value_at(time_s, waveforms[probes.doutb], t_decision),
        logic_decode=True,
        switching_v=switching,
    )
