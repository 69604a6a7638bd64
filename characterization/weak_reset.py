"""Weak RESET in SPICE: trains of short, low-amplitude RESET pulses on VCM devices.

With this project's VCM model a quasi-static RESET is abrupt (at 1 V/s the disc concentration
falls from 50 % to below 1 % of its range within about 6 mV), so a partial RESET comes from
the pulse: a short, low pulse moves the state only a little, and a train of them raises the
resistance step by step (the "weak RESET" regime of Majumdar et al., arXiv 2107.06064).

Each device is drawn (d2d), SET at the compliance through its access transistor
(:func:`~characterization.programming.apply_pulse`), read, then given ``n_pulses`` identical
RESET pulses, each one a switching event with its own cycle-to-cycle step, read after every
pulse at the read voltage of :class:`~characterization.programming.ProgramConditions`.
Only the RESET pulse of the conditions is replaced; SET, bench, variability and read stay.

Randomness comes from the one ``rng`` passed in, in the order of
:func:`~characterization.programming.program_population`: d2d draws, SET c2c steps, then the
c2c steps of every pulse (all devices, in device order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from rram_ber.characterization.programming import (
    ProgramConditions,
    apply_pulse,
    compliance_word_line_voltage,
    fresh_devices,
)
from rram_ber.characterization.session import Simulator
from rram_ber.circuits.elements import VcmElement
from rram_ber.circuits.programming import Operation, PulseShape, ResetPulse
from rram_ber.core.validation import ParameterError, check_int
from rram_ber.models.vcm import VcmParameters

FloatArray = NDArray[np.float64]

#: Most pulses in one train.
MAX_PULSES = 100_000


def weak_reset_pulse(amplitude_v: float = 1.0, width_s: float = 100e-9) -> ResetPulse:
    """A weak-RESET pulse: ``amplitude_v`` on the driven line, 10 ns edges, word line 3.3 V.

    Default 1.0 V, 100 ns. Measured on the nominal device SET at 50 uA (8.5 kOhm at 0.1 V):
    30 such pulses raise it to 12.4 kOhm, the first pulse by 8 %, the 30th by 0.8 %; 1.2 V
    and 1.6 V pulses of the same width reach 24 and 69 kOhm; 10 ns pulses at 1.0 V only
    9.5 kOhm. A full RESET (2.5 V, 1 us) reaches the HRS in one pulse.
    """
    return ResetPulse(PulseShape(amplitude_v, 10e-9, width_s), 3.3)


@dataclass(frozen=True, slots=True)
class WeakResetTrain:
    """A train of identical weak-RESET pulses.

    Attributes
    ----------
    reset : ResetPulse
        Pulse and word line (:func:`weak_reset_pulse`).
    n_pulses : int
        Pulses per device, 1 ... 100000.
    """

    reset: ResetPulse = field(default_factory=weak_reset_pulse)
    n_pulses: int = 50

    def __post_init__(self) -> None:
        if not isinstance(self.reset, ResetPulse):
            raise ParameterError("reset", self.reset, "a ResetPulse")
        check_int("n_pulses", self.n_pulses, 1, MAX_PULSES)


@dataclass(frozen=True)
class WeakResetResult:
    """Resistances of a population along a weak-RESET train.

    Attributes
    ----------
    r_ohm : numpy.ndarray, shape (devices, n_pulses + 1)
        Read resistance after SET (column 0) and after each pulse [ohm]; a row is NaN from the
        pulse whose simulation failed onwards.
    n_disc : numpy.ndarray, same shape
        Disc concentration [1e26 m^-3] at the same points.
    failed : numpy.ndarray of bool
        The device's SET or one of its pulses failed.
    v_wl_set_v : float
        SET word-line voltage [V].
    """

    r_ohm: FloatArray
    n_disc: FloatArray
    failed: NDArray[np.bool_]
    v_wl_set_v: float

    def median_ohm(self) -> FloatArray:
        """Median resistance per pulse count over the devices that never failed [ohm]."""
        return np.asarray(np.median(self._good(), axis=0), dtype=float)

    def sigma_ln(self) -> FloatArray:
        """Standard deviation of ``ln R`` per pulse count (ddof = 1; NaN with < 2 devices)."""
        good = self._good()
        if good.shape[0] < 2:
            return np.full(good.shape[1], np.nan)
        return np.asarray(np.std(np.log(good), axis=0, ddof=1), dtype=float)

    def _good(self) -> FloatArray:
        good = self.r_ohm[~self.failed]
        if good.shape[0] == 0:
            return np.full((1, self.r_ohm.shape[1]), np.nan)
        return good


def _read(devices: Sequence[VcmParameters], conditions: ProgramConditions) -> FloatArray:
    orientation = conditions.bench.orientation
    return np.array(
        [VcmElement(d, orientation).read_resistance_ohm(conditions.v_read_v) for d in devices],
        dtype=float,
    )


def weak_reset_trains(
    simulator: Simulator,
    n_devices: int,
    conditions: ProgramConditions,
    train: WeakResetTrain,
    rng: np.random.Generator,
) -> WeakResetResult:
    """SET ``n_devices`` fresh devices, then apply the weak-RESET ``train``, reading each step.

    Parameters
    ----------
    simulator : Simulator
        Open simulator (real ngspice).
    n_devices : int
        Number of devices.
    conditions : ProgramConditions
        SET compliance, bench, d2d and c2c variability, read voltage; its ``reset`` is
        replaced by ``train.reset``.
    train : WeakResetTrain
        The weak-RESET pulse and the number of pulses.
    rng : numpy.random.Generator
        Source of every draw (see the module docstring for the order).
    """
    check_int("n_devices", n_devices, 1, None)
    if not isinstance(train, WeakResetTrain):
        raise ParameterError("train", train, "a WeakResetTrain")
    weak = replace(conditions, reset=train.reset)
    devices = fresh_devices(rng, n_devices, weak)
    v_wl = compliance_word_line_voltage(simulator, weak)
    outcomes = apply_pulse(simulator, devices, Operation.SET, weak, rng, v_wl)
    failed = np.array([o.failed for o in outcomes])
    devices = [o.device for o in outcomes]
    r = np.full((n_devices, train.n_pulses + 1), np.nan)
    n = np.full_like(r, np.nan)
    r[:, 0] = np.where(failed, np.nan, _read(devices, weak))
    n[:, 0] = np.where(failed, np.nan, [d.n_init for d in devices])
    for pulse in range(1, train.n_pulses + 1):
        outcomes = apply_pulse(simulator, devices, Operation.RESET, weak, rng)
        failed |= np.array([o.failed for o in outcomes])
        devices = [o.device for o in outcomes]
        r[:, pulse] = np.where(failed, np.nan, _read(devices, weak))
        n[:, pulse] = np.where(failed, np.nan, [d.n_init for d in devices])
    return WeakResetResult(r_ohm=r, n_disc=n, failed=failed, v_wl_set_v=v_wl)
