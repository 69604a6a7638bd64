"""Programming of VCM devices on a simulator, with device-to-device and cycle-to-cycle variability.

What a programmed device is
    A fresh device draws its N_min, N_max, r and l (d2d, :mod:`rram_ber.models.variability`) and
    starts in its fully RESET state (``N_disc = N_min``). Every SET or RESET pulse is one switching
    event: before it, the cycle-to-cycle random walk draws the event's N bounds and the targets
    of r and l; the pulse is simulated (one device per netlist by default, see
    ``ProgramConditions.batch_size``); the final N is read from the state node; r and l are
    moved by the switching progress; the device, in its new state, is carried to the next
    pulse (:func:`apply_pulse`) or into a read netlist as a
    :class:`~circuits.elements.VcmElement` (:func:`program_2t2r_cells`).

Compliance
    ``compliance_a`` is a current. It becomes the word-line voltage of the access NMOS by a
    lookup (:func:`compliance_lookup`): the NMOS is solved at the bias it has once the SET is
    compliance-limited, i.e. with ``V_C`` = 0.4 V across the device (the R_LRS * I_C ~ 0.4 V of
    HfOx cells, D. Ielmini, IEEE TED 58(12) 4309, 2011, reproduced by this model), drain-source
    ``V_SET - V_C`` (OE on bit line) or source at ``V_C`` (AE on bit line), on a 20 mV word-line
    grid; the word line is interpolated in ln(I_D). The table is cached per bench and pulse.
    The compliance actually observed (the cell current at the end of the SET plateau) is
    reported for every device; it differs from the requested one by the error of ``V_C``
    (measured, nominal device: 40 / 50 / 100 / 200 / 300 uA requested -> 37 / 49 / 102 / 199 /
    293 uA observed).

Reads
    Read resistances are computed from the model's explicit current at the state left by
    programming, ``|V / I|`` at 0.1 V in the orientation's read polarity
    (:meth:`~circuits.elements.VcmElement.read_resistance_ohm`); the same devices go into read
    netlists as :class:`~circuits.elements.VcmElement`.

Randomness is drawn only from the ``rng`` passed in, in a fixed order that does not depend on
the batch size: d2d values of all devices first, then, per pulse, the c2c steps of all devices
in device order. The rare-event estimators pass standard-normal values instead (``d2d_u``,
``c2c_u``), mapped by the transforms of :mod:`rram_ber.models.variability`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rram_ber.characterization.devices import COMPLIANCE_MAX_A, COMPLIANCE_MIN_A
from rram_ber.characterization.reads import simulate_with_retry
from rram_ber.characterization.session import Simulator
from rram_ber.circuits.cells import Cell2T2R
from rram_ber.circuits.elements import DeviceOrientation, VcmElement
from rram_ber.circuits.programming import (
    Operation,
    ProgrammingBench,
    ProgrammingCopy,
    PulseShape,
    ResetPulse,
    compliance_lookup_netlist,
    default_set_pulse,
    driven_line,
    lookup_word_lines,
    programming_netlist,
    programming_probes,
)
from rram_ber.core.validation import ParameterError, check_int, check_range
from rram_ber.models.variability import (
    D2D_FIELDS,
    C2cTargets,
    C2cVariability,
    D2dVariability,
    c2c_step,
    c2c_step_from_standard_normal,
    d2d_from_standard_normal,
    morph_after_pulse,
    pulse_parameters,
    sample_d2d,
)
from rram_ber.models.vcm import VcmParameters

FloatArray = NDArray[np.float64]

#: Device voltage assumed in the compliance-limited phase of SET [V] (R_LRS * I_C).
DEFAULT_COMPLIANCE_VOLTAGE_V = 0.4


@dataclass(frozen=True, slots=True)
class ProgramConditions:
    """How devices are programmed.

    Attributes
    ----------
    compliance_a : float
        SET compliance current [A], 40 uA ... 300 uA.
    set_pulse : PulseShape
        SET pulse on the driven line (:func:`~circuits.programming.default_set_pulse`).
    reset : ResetPulse
        RESET pulse and word line.
    bench : ProgrammingBench
        Access transistor, corner, temperature, orientation.
    d2d : D2dVariability or None
        Device-to-device distributions; None gives every device the nominal parameters.
    c2c : C2cVariability or None
        Cycle-to-cycle random walk; None keeps N_min, N_max, r, l fixed across pulses.
    device : VcmParameters
        Nominal device: its ambient temperature and series resistances apply to every device;
        with ``d2d=None`` every fresh device is this one (started at ``n_init``).
    compliance_voltage_v : float
        Device voltage ``V_C`` assumed by the compliance lookup [V], 0.1 ... 1.
    v_read_v : float
        Read voltage for the reported resistances [V], 0 < V <= 1 (in the read polarity).
    batch_size : int
        Devices per programming netlist, 1 ... 500. Default 1: batching does not pay here,
        because every abrupt SET forces small time steps on all devices of its netlist
        (measured per device at 100 uA: 0.07 s alone, 0.14 s in pairs, 0.17 s in fives; RESET
        0.075 s alone, 0.09 s in twenties). Results do not depend on it (< 0.2 % in N).
    """

    compliance_a: float = 50e-6
    set_pulse: PulseShape = field(default_factory=default_set_pulse)
    reset: ResetPulse = field(default_factory=ResetPulse)
    bench: ProgrammingBench = field(default_factory=ProgrammingBench)
    d2d: D2dVariability | None = field(default_factory=D2dVariability)
    c2c: C2cVariability | None = field(default_factory=C2cVariability)
    device: VcmParameters = field(default_factory=VcmParameters)
    compliance_voltage_v: float = DEFAULT_COMPLIANCE_VOLTAGE_V
    v_read_v: float = 0.1
    batch_size: int = 1

    def __post_init__(self) -> None:
        check_range("compliance_a", self.compliance_a, COMPLIANCE_MIN_A, COMPLIANCE_MAX_A, unit="A")
        if not isinstance(self.device, VcmParameters):
            raise ParameterError("device", self.device, "a VcmParameters record")
        if not isinstance(self.set_pulse, PulseShape):
            raise ParameterError("set_pulse", self.set_pulse, "a PulseShape")
        if not isinstance(self.reset, ResetPulse):
            raise ParameterError("reset", self.reset, "a ResetPulse")
        if not isinstance(self.bench, ProgrammingBench):
            raise ParameterError("bench", self.bench, "a ProgrammingBench")
        if self.d2d is not None and not isinstance(self.d2d, D2dVariability):
            raise ParameterError("d2d", self.d2d, "a D2dVariability or None")
        if self.c2c is not None and not isinstance(self.c2c, C2cVariability):
            raise ParameterError("c2c", self.c2c, "a C2cVariability or None")
        check_range("compliance_voltage_v", self.compliance_voltage_v, 0.1, 1.0, unit="V")
        if self.compliance_voltage_v >= self.set_pulse.amplitude_v:
            raise ParameterError(
                "set_pulse.amplitude_v",
                self.set_pulse.amplitude_v,
                f"above compliance_voltage_v = {self.compliance_voltage_v:g} V",
            )
        check_range("v_read_v", self.v_read_v, 0.0, 1.0, low_inclusive=False, unit="V")
        check_int("batch_size", self.batch_size, 1, 500)


# --- compliance -> word line ---------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceLookup:
    """Drain current of the access NMOS against its word-line voltage at the SET bias.

    Attributes
    ----------
    v_wl_v : numpy.ndarray
        Word-line grid [V].
    i_drain_a : numpy.ndarray
        Drain current at each grid point [A].
    """

    v_wl_v: FloatArray
    i_drain_a: FloatArray

    def word_line_for(self, compliance_a: float) -> float:
        """Word-line voltage giving ``compliance_a`` [V] (interpolation in ln I).

        Raises
        ------
        ParameterError
            If the access transistor cannot deliver that current below 3.3 V, or above the
            smallest grid voltage.
        """
        i = np.maximum(self.i_drain_a, 1e-18)
        # Keep the rising part only (the grid is monotonic for an NMOS; guard anyway).
        keep = np.concatenate(([True], np.diff(i) > 0))
        v, i = self.v_wl_v[keep], i[keep]
        if not i[0] <= compliance_a <= i[-1]:
            raise ParameterError(
                "compliance_a",
                compliance_a,
                f"a current the access transistor delivers at {v[0]:g}-{v[-1]:g} V on the word"
                f" line ({i[0]:.3g} ... {i[-1]:.3g} A)",
            )
        return float(np.interp(math.log(compliance_a), np.log(i), v))


_LOOKUP_CACHE: dict[tuple[ProgrammingBench, float, float], ComplianceLookup] = {}


def compliance_lookup(simulator: Simulator, conditions: ProgramConditions) -> ComplianceLookup:
    """Drain current of the access NMOS vs word line at the compliance-limited SET bias (cached).

    The NMOS sees drain-source ``V_SET - V_C`` with its source grounded (OE on bit line), or
    drain at ``V_SET`` and source at ``V_C`` (AE on bit line, source follower); bulk at ground.
    """
    bench = conditions.bench
    v_set = conditions.set_pulse.amplitude_v
    v_c = conditions.compliance_voltage_v
    key = (bench, v_set, v_c)
    if key not in _LOOKUP_CACHE:
        if bench.orientation is DeviceOrientation.OE_ON_BIT_LINE:
            v_drain, v_source = v_set - v_c, 0.0
        else:
            v_drain, v_source = v_set, v_c
        grid = lookup_word_lines()
        netlist = compliance_lookup_netlist(bench, v_drain, v_source, grid)
        vectors = [f"vd_{k}#branch" for k in range(len(grid))]
        waveforms = simulator.run_transient(netlist, vectors, 1e-9)
        currents = np.array([waveforms[name][-1] for name in vectors], dtype=float)
        _LOOKUP_CACHE[key] = ComplianceLookup(np.array(grid, dtype=float), currents)
    return _LOOKUP_CACHE[key]


def compliance_word_line_voltage(simulator: Simulator, conditions: ProgramConditions) -> float:
    """Word-line voltage of the SET pulse for ``conditions.compliance_a`` [V]."""
    return compliance_lookup(simulator, conditions).word_line_for(conditions.compliance_a)


# --- pulses with cycle-to-cycle variability ------------------------------------------------


@dataclass(frozen=True, slots=True)
class PulseOutcome:
    """Result of one programming pulse on one device.

    Attributes
    ----------
    device : VcmParameters
        The device after the pulse (state in ``n_init``); unchanged if ``failed``.
    n_start, n_end : float
        State before and after the pulse [1e26 m^-3].
    current_end_a : float
        |cell current| at the end of the pulse plateau [A]: for SET, the observed compliance.
    current_peak_a : float
        Largest |cell current| during the pulse [A].
    failed : bool
        The simulation of this device failed (its batch and its own retry).
    energy_j : float
        Programming energy of the pulse [J]: the integral of V * I delivered by the driven
        line into the branch (device and access transistor), :func:`pulse_energy`.
    """

    device: VcmParameters
    n_start: float
    n_end: float
    current_end_a: float
    current_peak_a: float
    failed: bool = False
    energy_j: float = math.nan


def pulse_energy(
    time_s: FloatArray, v_drive_v: FloatArray, branch_current_a: FloatArray, sign: float
) -> float:
    """Energy delivered by the driven line into one branch [J] (trapezoidal rule).

    ``E = integral of V_drive(t) * sign * I_branch(t) dt``: the pulse seen from the driven
    line, through the device and the access transistor, as a line driver would supply it
    (word-line and line-capacitance charging are not included). ``sign`` comes from
    :func:`rram_ber.circuits.programming.driven_line`.
    """
    return float(np.trapezoid(v_drive_v * sign * branch_current_a, time_s))


def _targets(
    rng: np.random.Generator,
    devices: Sequence[VcmParameters],
    c2c: C2cVariability | None,
    c2c_u: ArrayLike | None = None,
) -> list[C2cTargets]:
    if c2c is None:
        return [C2cTargets(d.n_min, d.n_max, d.r_filament_m, d.l_disc_nm) for d in devices]
    if c2c_u is not None:
        u = np.asarray(c2c_u, dtype=float)
        if u.shape != (len(devices), len(D2D_FIELDS)):
            raise ParameterError("c2c_u", u.shape, f"shape ({len(devices)}, {len(D2D_FIELDS)})")
        return [
            c2c_step_from_standard_normal(row, d, c2c) for row, d in zip(u, devices, strict=True)
        ]
    return [c2c_step(rng, d, c2c) for d in devices]


def _run_batch(
    simulator: Simulator,
    bench: ProgrammingBench,
    operation: Operation,
    pulse: PulseShape,
    devices: Sequence[VcmParameters],
    v_wl: float,
) -> list[tuple[float, float, float, float]]:
    """Simulate one netlist; ``(n_end, |I| at plateau end, max |I|, energy)`` per device."""
    copies = [ProgrammingCopy(VcmElement(d, bench.orientation), v_wl) for d in devices]
    netlist = programming_netlist(bench, operation, pulse, copies)
    drive_node, sign = driven_line(bench, operation)
    vectors: list[str] = [drive_node]
    for k in range(len(copies)):
        probes = programming_probes(k)
        vectors += [probes.current, probes.state]
    waveforms = simulator.run_transient(netlist, vectors, pulse.t_stop_s)
    t = waveforms.time_s
    results = []
    for k in range(len(copies)):
        probes = programming_probes(k)
        signed = waveforms[probes.current]
        current = np.abs(signed)
        n_end = float(np.exp(waveforms[probes.state][-1]))
        i_end = float(np.interp(pulse.t_plateau_end_s, t, current))
        energy = pulse_energy(t, waveforms[drive_node], signed, sign)
        results.append((n_end, i_end, float(current.max()), energy))
    return results


def apply_pulse(
    simulator: Simulator,
    devices: Sequence[VcmParameters],
    operation: Operation,
    conditions: ProgramConditions,
    rng: np.random.Generator,
    v_wl_set_v: float | None = None,
    progress: Callable[[int], None] | None = None,
    c2c_u: ArrayLike | None = None,
) -> list[PulseOutcome]:
    """Apply one SET or RESET pulse to every device, with one c2c step each.

    Parameters
    ----------
    simulator : Simulator
        Open simulator.
    devices : sequence of VcmParameters
        Devices in their current state.
    operation : Operation
        SET (at the compliance) or RESET (``conditions.reset``).
    conditions : ProgramConditions
        Programming conditions.
    rng : numpy.random.Generator
        Source of the c2c steps (drawn for all devices before any simulation).
    v_wl_set_v : float, optional
        SET word-line voltage, if already known (else looked up from the compliance).
    progress : callable, optional
        Called with the number of devices of each batch once it is simulated.
    c2c_u : array_like, shape (n_devices, 4), optional
        Standard-normal values of the c2c steps (one row per device, D2D_FIELDS order, mapped
        by :func:`~models.variability.c2c_step_from_standard_normal`) instead of drawing them
        from ``rng``; e.g. from a rare-event estimator. Ignored without c2c variability.

    Returns
    -------
    list of PulseOutcome
        One per device, in order. A device whose simulation fails (in its batch and alone)
        is returned unchanged with ``failed=True``.
    """
    operation = Operation.parse(operation)
    targets = _targets(rng, devices, conditions.c2c, c2c_u)
    if operation is Operation.SET:
        pulse = conditions.set_pulse
        v_wl = (
            compliance_word_line_voltage(simulator, conditions)
            if v_wl_set_v is None
            else v_wl_set_v
        )
    else:
        pulse, v_wl = conditions.reset.pulse, conditions.reset.v_wl_v
    during = [pulse_parameters(d, t) for d, t in zip(devices, targets, strict=True)]

    def simulate(batch: Sequence[VcmParameters]) -> list[tuple[float, float, float, float]]:
        return _run_batch(simulator, conditions.bench, operation, pulse, batch, v_wl)

    results: list[tuple[float, float, float, float] | None] = []
    size = conditions.batch_size
    for start in range(0, len(devices), size):
        # One hard device must not cost the others: a failed batch is retried one by one.
        simulated = simulate_with_retry(simulate, during[start : start + size])
        results += [None if isinstance(r, str) else r for r in simulated]
        if progress is not None:
            progress(len(simulated))
    outcomes = []
    set_pulse = operation is Operation.SET
    for device, target, result in zip(devices, targets, results, strict=True):
        if result is not None:
            n_end, i_end, i_peak, energy = result
            try:
                after = morph_after_pulse(device, target, set_pulse, n_end)
            except ParameterError:
                result = None  # state outside the model's range: a numerical failure
            else:
                outcomes.append(
                    PulseOutcome(after, device.n_init, n_end, i_end, i_peak, energy_j=energy)
                )
        if result is None:
            nan = math.nan
            outcomes.append(PulseOutcome(device, device.n_init, nan, nan, nan, failed=True))
    return outcomes


# --- populations and 2T2R cells ------------------------------------------------------------


def _read_resistance(device: VcmParameters, conditions: ProgramConditions) -> float:
    element = VcmElement(device, conditions.bench.orientation)
    return element.read_resistance_ohm(conditions.v_read_v)


def fresh_devices(
    rng: np.random.Generator,
    n_devices: int,
    conditions: ProgramConditions,
    d2d_u: ArrayLike | None = None,
) -> list[VcmParameters]:
    """``n_devices`` fresh devices, each in its fully RESET state (``n_init = n_min``).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the d2d draws (``rng.standard_normal((n_devices, 4))``) when ``d2d_u`` is None.
    n_devices : int
        Number of devices.
    conditions : ProgramConditions
        ``d2d`` distributions (None: every device is ``conditions.device``) and base device.
    d2d_u : array_like, shape (n_devices, 4), optional
        Given standard-normal values instead of draws (columns in
        :data:`~models.variability.D2D_FIELDS` order), e.g. from a rare-event estimator.
    """
    check_int("n_devices", n_devices, 1, None)
    if conditions.d2d is None:
        return [conditions.device] * n_devices
    if d2d_u is None:
        return sample_d2d(rng, n_devices, conditions.d2d, conditions.device)
    u = np.asarray(d2d_u, dtype=float)
    if u.shape != (n_devices, len(D2D_FIELDS)):
        raise ParameterError("d2d_u", u.shape, f"shape ({n_devices}, {len(D2D_FIELDS)})")
    return d2d_from_standard_normal(u, conditions.d2d, conditions.device)


@dataclass(frozen=True)
class PopulationResult:
    """Devices programmed SET (at the compliance) then RESET, read after each.

    Attributes
    ----------
    drawn : list of VcmParameters
        The fresh devices (d2d draws).
    v_wl_set_v : float
        SET word-line voltage from the compliance lookup [V].
    r_lrs_ohm, r_hrs_ohm : numpy.ndarray
        Read resistances after SET and after RESET [ohm]; NaN where ``failed``.
    n_lrs, n_hrs : numpy.ndarray
        States after SET and after RESET [1e26 m^-3].
    compliance_observed_a : numpy.ndarray
        |cell current| at the end of the SET plateau [A].
    set_energy_j, reset_energy_j : numpy.ndarray
        Programming energy of the SET and of the RESET pulse of each device [J]
        (:func:`pulse_energy`); NaN where that pulse failed.
    failed : numpy.ndarray of bool
        The SET or RESET simulation of the device failed.
    after_set, after_reset : list of VcmParameters
        The devices after each step (the failed ones unchanged).
    """

    drawn: list[VcmParameters]
    v_wl_set_v: float
    r_lrs_ohm: FloatArray
    r_hrs_ohm: FloatArray
    n_lrs: FloatArray
    n_hrs: FloatArray
    compliance_observed_a: FloatArray
    set_energy_j: FloatArray
    reset_energy_j: FloatArray
    failed: NDArray[np.bool_]
    after_set: list[VcmParameters]
    after_reset: list[VcmParameters]


def program_population(
    simulator: Simulator,
    n_devices: int,
    conditions: ProgramConditions,
    rng: np.random.Generator,
    progress: Callable[[int], None] | None = None,
) -> PopulationResult:
    """Draw ``n_devices`` fresh devices, SET them at the compliance, read, RESET, read.

    ``progress`` is called with the number of devices of each simulated batch (SET, then
    RESET: ``2 * n_devices`` in all).
    """
    drawn = fresh_devices(rng, n_devices, conditions)
    v_wl = compliance_word_line_voltage(simulator, conditions)
    set_out = apply_pulse(simulator, drawn, Operation.SET, conditions, rng, v_wl, progress)
    after_set = [o.device for o in set_out]
    reset_out = apply_pulse(
        simulator, after_set, Operation.RESET, conditions, rng, progress=progress
    )
    after_reset = [o.device for o in reset_out]
    failed = np.array([s.failed or r.failed for s, r in zip(set_out, reset_out, strict=True)])

    def reads(devices: list[VcmParameters]) -> FloatArray:
        values = [_read_resistance(d, conditions) for d in devices]
        return np.where(failed, np.nan, np.array(values, dtype=float))

    return PopulationResult(
        drawn=drawn,
        v_wl_set_v=v_wl,
        r_lrs_ohm=reads(after_set),
        r_hrs_ohm=reads(after_reset),
        n_lrs=np.array([o.n_end for o in set_out], dtype=float),
        n_hrs=np.array([o.n_end for o in reset_out], dtype=float),
        compliance_observed_a=np.array([o.current_end_a for o in set_out], dtype=float),
        set_energy_j=np.array([o.energy_j for o in set_out], dtype=float),
        reset_energy_j=np.array([o.energy_j for o in reset_out], dtype=float),
        failed=failed,
        after_set=after_set,
        after_reset=after_reset,
    )


@dataclass(frozen=True)
class CellSample:
    """One 2T2R cell ready for a read netlist, and the numbers for its results row.

    Attributes
    ----------
    stored : int
        +1 (LRS on BL, HRS on BLB) or -1.
    cell : Cell2T2R or None
        The cell (None if programming failed).
    row : dict
        Plain floats: per side (``bl_``/``blb_`` prefix) the drawn d2d values (``n_min``,
        ``n_max``, ``r_filament_m``, ``l_disc_nm``; VCM only), the final state ``n_disc``,
        the read resistance ``r_read_ohm``, the observed SET compliance ``compliance_a``, the
        programming energies ``set_energy_j`` and ``reset_energy_j`` (the HRS device's
        RESET; NaN for the LRS device, which gets no RESET) (NaN where not applicable), and
        ``v_wl_set_v``.
    failed : bool
        Programming of one of the two devices failed (simulation error).
    """

    stored: int
    cell: Cell2T2R | None
    row: dict[str, float]
    failed: bool = False


def _check_stored(stored_values: Sequence[int]) -> list[int]:
    values = [int(v) for v in stored_values] if len(stored_values) else []
    if not values or any(v not in (-1, 1) for v in values):
        raise ParameterError("stored_values", list(stored_values), "a non-empty list of +1 / -1")
    return values


def _read_element(
    device: VcmParameters, orientation: DeviceOrientation, frozen: bool, temp_c: float | None
) -> VcmElement:
    element = VcmElement(device, orientation, frozen)
    return element.at_temperature(temp_c) if frozen and temp_c is not None else element


def program_2t2r_cells(
    simulator: Simulator,
    stored_values: Sequence[int],
    conditions: ProgramConditions,
    rng: np.random.Generator,
    frozen: bool = True,
    d2d_u: ArrayLike | None = None,
    read_temp_c: float | None = None,
    c2c_u: tuple[ArrayLike, ArrayLike] | None = None,
) -> list[CellSample]:
    """Program a batch of 2T2R cells: one device SET, the other RESET (VCM device option).

    For cell ``k`` two fresh devices are drawn (BL then BLB). The device that must hold the LRS
    gets one SET pulse at the compliance; the HRS device is cycled once, SET at the compliance
    then RESET, so that its HRS is the result of a RESET transition (as in an array written
    before) rather than the fresh state. c2c variability applies at each pulse. All SET pulses
    of the batch run first (all ``2 n`` devices), then the RESET pulses (``n`` devices).

    Parameters
    ----------
    simulator : Simulator
        Open simulator.
    stored_values : sequence of int
        +1 / -1 per cell (+1 = LRS on BL).
    conditions : ProgramConditions
        Compliance, pulses, bench, variability.
    rng : numpy.random.Generator
        Source of all draws: d2d of the 2 n devices, then c2c of the SET, then of the RESET.
    frozen : bool
        Return read elements with a frozen state (default; identical decisions and sense delays
        within 0.1 ps in our checks, ~1.5x cheaper) or with the full state equation (to study
        read disturb).
    d2d_u : array_like, shape (2 n, 4), optional
        Standard-normal d2d values of the devices (rows BL, BLB of cell 0, then cell 1, ...)
        instead of drawing them from ``rng`` (which then only feeds the c2c walk).
    c2c_u : pair of array_like, optional
        Standard-normal values of the c2c steps instead of draws: those of the SET pulses, shape
        (2 n, 4), rows as ``d2d_u``, and those of the RESET pulses, shape (n, 4), one row per
        cell (its HRS device); see :func:`apply_pulse`.
    read_temp_c : float, optional
        Cell temperature of the read [C]: frozen read elements then carry the VCM model's
        thermal factor (:meth:`~circuits.elements.VcmElement.at_temperature`); the row's
        ``r_read_ohm`` stays the 293 K read of the programmed state.

    Returns
    -------
    list of CellSample
        One per cell, in order; their ``cell`` goes into a ``ReadCopy``.
    """
    stored = _check_stored(stored_values)
    n_cells = len(stored)
    drawn = fresh_devices(rng, 2 * n_cells, conditions, d2d_u)
    v_wl = compliance_word_line_voltage(simulator, conditions)
    set_u, reset_u = (None, None) if c2c_u is None else c2c_u
    set_out = apply_pulse(simulator, drawn, Operation.SET, conditions, rng, v_wl, c2c_u=set_u)
    # Index of the HRS device of each cell: BLB for +1, BL for -1.
    hrs_index = [2 * k + (1 if s > 0 else 0) for k, s in enumerate(stored)]
    reset_out = apply_pulse(
        simulator,
        [set_out[i].device for i in hrs_index],
        Operation.RESET,
        conditions,
        rng,
        c2c_u=reset_u,
    )
    final: list[VcmParameters] = [o.device for o in set_out]
    failed = [o.failed for o in set_out]
    reset_energy = [math.nan] * len(final)
    for i, outcome in zip(hrs_index, reset_out, strict=True):
        final[i] = outcome.device
        failed[i] = failed[i] or outcome.failed
        reset_energy[i] = outcome.energy_j
    samples = []
    orientation = conditions.bench.orientation
    for k, value in enumerate(stored):
        row: dict[str, float] = {"v_wl_set_v": v_wl}
        for side, i in (("bl", 2 * k), ("blb", 2 * k + 1)):
            for name in D2D_FIELDS:
                row[f"{side}_{name}"] = float(getattr(drawn[i], name))
            row[f"{side}_n_disc"] = final[i].n_init if not failed[i] else math.nan
            row[f"{side}_r_read_ohm"] = (
                _read_resistance(final[i], conditions) if not failed[i] else math.nan
            )
            row[f"{side}_compliance_a"] = set_out[i].current_end_a
            row[f"{side}_set_energy_j"] = set_out[i].energy_j
            row[f"{side}_reset_energy_j"] = reset_energy[i]
        cell_failed = failed[2 * k] or failed[2 * k + 1]
        cell = (
            None
            if cell_failed
            else Cell2T2R(
                _read_element(final[2 * k], orientation, frozen, read_temp_c),
                _read_element(final[2 * k + 1], orientation, frozen, read_temp_c),
            )
        )
        samples.append(CellSample(value, cell, row, cell_failed))
    return samples


def log_normal_summary(resistances_ohm: FloatArray) -> tuple[float, float]:
    """``(median [ohm], sigma of ln R [-])`` of the finite values (sample std, ddof = 1)."""
    values = np.asarray(resistances_ohm, dtype=float)
    values = values[np.isfinite(values)]
    if values.size < 2:
        return math.nan, math.nan
    return float(np.median(values)), float(np.std(np.log(values), ddof=1))
