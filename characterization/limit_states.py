"""SPICE-backed limit states for the rare-event estimators of :mod:`rram_ber.characterization.rare`.

:class:`ReadLimitState` turns a read of a cell by the PCSA into a function of independent
standard-normal variables ``u``, the form the estimators work in, for every read mode of
:class:`~rram_ber.characterization.readout.CampaignCell`: the binary 2T2R and 1T1R reads, the
ternary read of a 2T2R cell (stored +1 / 0 / -1, 0 = (HRS, HRS), decoded in one sense) and the
XNOR-PCSA read of a 2T2R cell with an input activation. The variables:

* ``u_dvt_<t>``: threshold shift of transistor ``t`` over its Pelgrom sigma, and
  ``u_dbeta_<t>``: relative current-factor deviation over its sigma, for every transistor of
  :func:`~circuits.read.read_transistor_geometries` (the XNOR swap's transistors included),
  mapped by :func:`rram_ber.models.cmos.deviations_from_standard_normal`;
* optionally ``u_r_bl`` and ``u_r_blb``: device-to-device variability of the resistive elements,
  mapped by the device distribution's own ``from_standard_normal`` (for the log-normal law
  ``R = median * exp(sigma_ln * u)``; any law of :mod:`rram_ber.models.resistance`), then taken
  to the read's temperature by the device temperature law, as the Monte-Carlo path does draw
  by draw (only devices whose distribution spreads, ``sigma_ln > 0``, get a variable; a 1T1R
  reference resistor is fixed);
* XNOR reads only, ``u_x``: the input activation, ``x = +1`` where ``u_x >= 0`` and ``-1``
  elsewhere. Each input has probability 1/2, the share the Monte-Carlo path gives it
  (:data:`~rram_ber.characterization.readout.XNOR_ACTIVATIONS`), so the failure probability of
  a stored weight is the Monte-Carlo average over the two inputs, and the estimators need no
  discrete variable.

Each call simulates the rows in batched netlists (``copies_per_netlist`` PCSA + cell copies in
one transient, see :mod:`rram_ber.circuits.read`) and returns True for every read that fails. Every
evaluated row is recorded (its ``u``, the deviations and resistances actually simulated, the
activation, the decision and the verdict), in call order, so the rows line up with the
estimator's :class:`~characterization.rare.EvaluatedSamples`; :meth:`ReadLimitState.table`
returns them with the same read columns as a Monte-Carlo sample row
(:func:`rram_ber.characterization.reads.read_row`, which also decodes the read).

What counts as a failure (the verdict), with ``e`` the expected value (the stored weight, or
``w * x`` for XNOR):

* a resolved read whose decoded value differs from ``e`` (an *error* in the schema). A ternary
  read decodes outputs not separated at the sampling time as 0, so a stored +-1 read that has
  not separated in time is wrong, and a stored 0 fails when its outputs separate before the
  sampling time;
* an unresolved read (binary isolated fixture: outputs not separated by
  ``resolve_fraction * VDD`` at the sampling time; column read: the decode logic undecided,
  e.g. an output inside the undecided band, for a ternary 0 too), when
  ``unresolved_is_failure`` (default True: such a read gives the next stage no valid value,
  and the campaign's ``ber`` column counts it as one too, so Monte-Carlo and rare-event rows
  estimate the same BER; False estimates the wrong reads alone);
* a simulation that fails even when the copy is simulated alone (recorded with its reason;
  conservative: a read that could not be shown to work is not counted as working).

The margin (:meth:`ReadLimitState.margin`, for subset simulation, a
:class:`~characterization.rare.options.MarginLimitState`), with ``t_delay`` the read's sense
delay (from sense enable at the PCSA, as ``t_sample``; NaN when the outputs never separate):

* a working read of ``e = +-1``: ``g = ln(t_sample / t_delay)``, floored at
  :data:`SAFE_MARGIN_FLOOR` (also for a read without a delay). The PCSA's delay grows without
  bound as the two branch currents (with the latch's mismatch) approach balance, and a read
  whose delay exceeds the sampling time is unresolved (ternary: decoded 0), so ``g`` falls
  continuously to 0 at the edge of the failure set that a correct read approaches first and
  ranks the working reads by how close they are to it (a wrong read lies beyond that edge,
  past the balance point);
* a working read of a ternary 0, whose working side is the slow one (its outputs must stay
  together, both high, until the sampling time):

  - isolated fixture (decision from the output separation): ``g = ln(t_delay / t_sample)``,
    floored at :data:`SAFE_MARGIN_FLOOR`. ``t_delay`` is capped at the evaluation phase
    ``t_evaluate`` (the window in which a separation can be seen: then SEN falls and the
    outputs are precharged again), and a read whose outputs never separate in the simulated
    interval takes ``t_delay = t_evaluate``, so ``g = ln(t_evaluate / t_sample)``: the
    largest margin a stored 0 can have, finite, and a lower bound of its true margin (it
    separates, if ever, after ``t_evaluate``). The read fails as its (mismatch-driven)
    separation speeds up to the sampling time, where ``g`` reaches 0;
  - column read (decoded by logic): ``g = (min(V_OUT, V_OUTB) - V_IH) / VDD`` at the sampling
    time, floored at :data:`SAFE_MARGIN_FLOOR`, with ``V_IH = V_M + 0.15 VDD`` the decode
    logic's high-level limit (:mod:`~rram_ber.characterization.decode`). A 0 decodes only
    while both outputs read high, so this is 0 exactly at its edge, whether the read fails by
    separating (the falling output leaves the high level well before the logic's delay, taken
    at the low level, is reached) or by both outputs drooping into the undecided band. On the
    default campaign's device block (tt, 27 C, 0.9 V, 0.5 ns, 64 rows) 5 of the 6 failing
    zeros among 20 reads had a logic delay beyond the sampling time: a delay margin would
    have called them safe;
* :data:`FAILURE_MARGIN` (< 0) for every failing read,

so ``g > 0`` exactly where the verdict is "works". A failure with no graded approach (a
simulation that fails, a VCM programming that fails) is counted wherever a chain lands on it,
but nothing leads subset simulation towards it.

The estimators assume the verdict of a row does not depend on the other rows of its netlist.
All copies share the simulator's time steps, so a read within numerical noise of the boundary
can in principle flip with the batch composition; the maximum time step (``ReadTiming``) bounds
this effect.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rram_ber.characterization.decode import UNDECIDED_BAND_FRACTION
from rram_ber.characterization.measure import DEFAULT_RESOLVE_FRACTION, ReadMeasurement
from rram_ber.characterization.read import simulate_reads_at
from rram_ber.characterization.readout import CampaignCell, ReadMode
from rram_ber.characterization.reads import read_row, simulate_with_retry
from rram_ber.characterization.schema import (
    DBETA_PREFIX,
    DELAY_S,
    DVT_PREFIX,
    ERROR,
    RESOLVED,
    STORED_VALUE,
)
from rram_ber.characterization.simulator import Simulator
from rram_ber.circuits.cells import Cell, Cell1T1R, Cell2T2R, CellKind
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.read import ReadConditions, ReadCopy, read_transistor_geometries
from rram_ber.core.validation import ParameterError, check_int, check_range
from rram_ber.models.cmos import (
    PelgromCoefficients,
    deviations_from_standard_normal,
    mismatch_sigmas,
)
from rram_ber.models.device_temperature import DeviceState, ResistorTemperature
from rram_ber.models.resistance import (
    R_MAX_OHM,
    R_MIN_OHM,
    FixedResistance,
    ResistanceStates,
    reference_1t1r_ohm,
)

#: Column of the verdict returned to the estimator.
LIMIT_STATE_FAILURE = "failure"
#: Column of the margin ``g`` (<= 0 = failure) returned by :meth:`ReadLimitState.margin`.
LIMIT_STATE_MARGIN = "margin"
#: Margin of every failing read (wrong, unresolved when that is a failure, or not simulated).
FAILURE_MARGIN = -1.0
#: Smallest margin of a working read: ``ln(t_sample / t_delay)`` is floored here, so a read
#: that works never has ``g <= 0`` (a read decoded at the sampling time can have crossed the
#: delay's threshold just after it, or have no delay at all, when unresolved reads do not fail).
SAFE_MARGIN_FLOOR = 1e-6
#: Prefix of the verdict columns at the other sampling times (``also_at``): ``failure_also_0``...
ALSO_FAILURE_PREFIX = "failure_also_"
#: Column flagging rows whose deviations or resistances were clipped to the allowed range.
CLIPPED = "clipped"
#: Key of a row's transistor deviations while its copy is built (not a column).
_DEVIATIONS = "_deviations"

# TransistorDeviation accepts |dVT| <= 0.5 V and |dbeta/beta| < 0.9; values drawn beyond
# (>= 16 sigma for the default sizes) are clipped just inside.
_DVT_LIMIT_V = 0.5
_DBETA_LIMIT = 0.89


@dataclass(frozen=True, slots=True)
class ReadVariation:
    """What varies in the read, and what is a failure.

    Attributes
    ----------
    cell : CellKind
        ``2t2r`` (LRS/HRS pair) or ``1t1r`` (one device against ``reference_ohm``).
    stored : int
        Stored weight, one of the read mode's stored values (+1 or -1; ternary also 0). 2T2R:
        +1 = LRS on BL, HRS on BLB, 0 = HRS on both. 1T1R: +1 = device in LRS.
    devices : ResistanceStates
        The LRS and HRS distributions of the devices, at the temperature their law's values
        are given (default fixed 5 and 50 kOhm). Each device is drawn through its
        distribution's ``from_standard_normal``.
    vary_devices : bool
        Whether the devices vary (one variable per device whose distribution spreads); off:
        each device at its distribution's median, as the Monte-Carlo path does.
    device_temperature : ResistorTemperature or None
        Law taking a device's value to the read's temperature (``conditions.temp_c``), applied
        to every drawn value; None: the values are used as they are.
    reference_ohm : float or None
        1T1R reference resistor [ohm]; None =
        :func:`~rram_ber.models.resistance.reference_1t1r_ohm` of the two medians.
    mismatch : bool
        Whether transistor mismatch variables are included.
    coefficients : PelgromCoefficients
        Mismatch coefficients.
    unresolved_is_failure : bool
        Whether an unresolved read counts as a failure (see the module docstring).
    resolve_fraction : float
        Output separation, as a fraction of VDD, that counts as resolved.
    read_mode : CampaignCell or None
        How the cell is read and decoded: ``ternary`` or ``xnor`` (2T2R cells), or the binary
        read of ``cell`` (None, the default: ``2t2r`` or ``1t1r``).
    """

    cell: CellKind = CellKind.TWO_T_TWO_R
    stored: int = 1
    devices: ResistanceStates = field(
        default_factory=lambda: ResistanceStates(FixedResistance(5e3), FixedResistance(50e3))
    )
    vary_devices: bool = True
    device_temperature: ResistorTemperature | None = None
    reference_ohm: float | None = None
    mismatch: bool = True
    coefficients: PelgromCoefficients = field(default_factory=PelgromCoefficients)
    unresolved_is_failure: bool = True
    resolve_fraction: float = DEFAULT_RESOLVE_FRACTION
    read_mode: CampaignCell | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "cell", CellKind.parse(self.cell))
        if self.read_mode is None:
            object.__setattr__(self, "read_mode", CampaignCell(self.cell.value))
        else:
            try:
                object.__setattr__(self, "read_mode", CampaignCell(self.read_mode))
            except ValueError:
                allowed = ", ".join(repr(c.value) for c in CampaignCell)
                raise ParameterError("read_mode", self.read_mode, f"one of {allowed}") from None
        if self.mode.physical_cell is not self.cell:
            raise ParameterError(
                "cell", self.cell.value, f"{self.mode.physical_cell.value!r} for {self.read_mode}"
            )
        if self.stored not in self.mode.stored_values or isinstance(self.stored, bool):
            allowed = ", ".join(f"{v:+d}" if v else "0" for v in self.mode.stored_values)
            raise ParameterError("stored", self.stored, f"one of {allowed}")
        if not isinstance(self.devices, ResistanceStates):
            raise ParameterError("devices", self.devices, "ResistanceStates")
        if self.device_temperature is not None and not isinstance(
            self.device_temperature, ResistorTemperature
        ):
            raise ParameterError(
                "device_temperature", self.device_temperature, "ResistorTemperature or None"
            )
        if self.reference_ohm is not None:
            check_range(
                "reference_ohm",
                self.reference_ohm,
                0.0,
                R_MAX_OHM,
                low_inclusive=False,
                unit="ohm",
            )
        for name in ("mismatch", "unresolved_is_failure", "vary_devices"):
            if not isinstance(getattr(self, name), bool):
                raise ParameterError(name, getattr(self, name), "True or False")
        if not isinstance(self.coefficients, PelgromCoefficients):
            raise ParameterError("coefficients", self.coefficients, "PelgromCoefficients")
        check_range("resolve_fraction", self.resolve_fraction, 0.0, 1.0, low_inclusive=False)

    @property
    def mode(self) -> ReadMode:
        """The read mode: stored values, input activations and decoding."""
        # __post_init__ fills read_mode in (None stands for the binary read of ``cell``).
        return CampaignCell(self.read_mode or self.cell.value).mode

    def branch_states(self) -> tuple[bool, bool | None]:
        """Whether the device on BL, and on BLB, is in LRS (None on BLB: the 1T1R reference),
        as the read mode of the cell stores ``stored``."""
        bl_low, blb_low = self.mode.device_states(self.stored)
        return bl_low, (blb_low if self.cell is CellKind.TWO_T_TWO_R else None)

    def reference_resistance_ohm(self) -> float:
        """The 1T1R reference resistor [ohm]."""
        if self.reference_ohm is not None:
            return self.reference_ohm
        return reference_1t1r_ohm(self.devices.lrs.median_ohm, self.devices.hrs.median_ohm)

    def device_ohm(self, low_resistance: bool, u: float | None, temp_c: float) -> float:
        """One device's resistance [ohm] at ``temp_c``: its distribution's value at the standard
        normal ``u`` (its median when ``u`` is None), taken to ``temp_c`` by
        ``device_temperature``, kept within [1, 1e12] ohm."""
        distribution = self.devices.state(low_resistance)
        value = (
            distribution.median_ohm if u is None else float(distribution.from_standard_normal(u))
        )
        if self.device_temperature is not None:
            state = DeviceState.LRS if low_resistance else DeviceState.HRS
            value = self.device_temperature.resistance_ohm(value, state, temp_c)
        return min(max(value, R_MIN_OHM), R_MAX_OHM)


def _safe_margin(t_sample_s: float, delay_s: float) -> float:
    """``max(ln(t_sample / t_delay), SAFE_MARGIN_FLOOR)`` of a working read (the floor also
    for a read without a delay)."""
    if not math.isfinite(delay_s) or delay_s <= 0.0:
        return SAFE_MARGIN_FLOOR
    return max(math.log(t_sample_s / delay_s), SAFE_MARGIN_FLOOR)


def _high_level_margin(read: ReadMeasurement, vdd_v: float) -> float:
    """``max((min(V_OUT, V_OUTB) - V_IH) / VDD, SAFE_MARGIN_FLOOR)`` of a working column read
    of a ternary 0, with ``V_IH = V_M + UNDECIDED_BAND_FRACTION VDD / 2`` the decode logic's
    high-level limit at the sampling time (see the module docstring)."""
    limit = read.switching_v + 0.5 * UNDECIDED_BAND_FRACTION * vdd_v
    value = (min(read.v_out_v, read.v_outb_v) - limit) / vdd_v
    return value if value > SAFE_MARGIN_FLOOR else SAFE_MARGIN_FLOOR


def _slow_margin(t_sample_s: float, t_evaluate_s: float, delay_s: float) -> float:
    """``max(ln(min(t_delay, t_evaluate) / t_sample), SAFE_MARGIN_FLOOR)`` of a working read
    of a ternary 0, whose working side is the slow one; a read that never separates (NaN
    delay) takes ``t_delay = t_evaluate`` (see the module docstring)."""
    delay = t_evaluate_s if math.isnan(delay_s) else min(delay_s, t_evaluate_s)
    if delay <= 0.0:
        return SAFE_MARGIN_FLOOR
    return max(math.log(delay / t_sample_s), SAFE_MARGIN_FLOOR)


class ReadLimitState:
    """Failure of a PCSA read as a function of standard-normal variables.

    Parameters
    ----------
    simulator : Simulator
        An open :class:`~characterization.session.NgspiceSession` (or the subprocess back end).
    conditions : ReadConditions
        Supply, temperature, corner, timing and sizes.
    variation : ReadVariation
        Devices, stored value, read mode, mismatch and the failure rule.
    copies_per_netlist : int
        Largest number of copies simulated in one netlist (50-100 was fastest per read on the
        PTM cards here; the cost per copy grows beyond ~200).
    also_at : sequence of ReadConditions
        Conditions that differ from ``conditions`` only in the sampling time (no later than
        its own, whose transient they share): every row also records its verdict at each, in
        column ``failure_also_<k>`` (:func:`also_failure_column`), so one set of draws
        estimates every sampling time of a condition group.

    Examples
    --------
    ::

        with NgspiceSession() as session:
            state = ReadLimitState(session, ReadConditions(vdd_v=1.2), ReadVariation())
            result = estimate_failure_probability(state, state.dim, method="importance",
                                                  budget=3000, batch_size=100)
            rows = state.table()          # every simulated row, in evaluation order
    """

    def __init__(
        self,
        simulator: Simulator,
        conditions: ReadConditions,
        variation: ReadVariation,
        copies_per_netlist: int = 100,
        also_at: Sequence[ReadConditions] = (),
    ) -> None:
        if not isinstance(conditions, ReadConditions):
            raise ParameterError("conditions", conditions, "ReadConditions")
        for other in also_at:
            if not isinstance(other, ReadConditions):
                raise ParameterError("also_at", other, "ReadConditions")
            if other.timing.t_sample_s > conditions.timing.t_sample_s:
                raise ParameterError(
                    "also_at",
                    other.timing.t_sample_s,
                    f"sampling times up to {conditions.timing.t_sample_s:g} s (the transient's)",
                )
        self.also_at = tuple(also_at)
        if not isinstance(variation, ReadVariation):
            raise ParameterError("variation", variation, "ReadVariation")
        check_int("copies_per_netlist", copies_per_netlist, 1, 2000)
        if variation.mode.xnor_switch and conditions.xnor is None:
            raise ParameterError(
                "conditions.xnor", None, f"the XNOR switch sizes for a {variation.read_mode} read"
            )
        self.simulator = simulator
        self.conditions = conditions
        self.variation = variation
        self.copies_per_netlist = copies_per_netlist
        self.geometries = read_transistor_geometries(conditions) if variation.mismatch else ()
        self._sigma_vt, self._sigma_beta = mismatch_sigmas(self.geometries, variation.coefficients)
        names = [f"u_dvt_{g.name}" for g in self.geometries]
        names += [f"u_dbeta_{g.name}" for g in self.geometries]
        #: Per branch (BL, BLB): whether its device is in LRS (None: the 1T1R reference) and the
        #: column of ``u`` that draws it (None: at its median).
        self._branches: list[tuple[bool | None, int | None]] = []
        n_mismatch = len(names)
        for side, low in zip(("bl", "blb"), variation.branch_states(), strict=True):
            column = None
            if (
                low is not None
                and variation.vary_devices
                and variation.devices.state(low).sigma_ln > 0
            ):
                column = len(names) - n_mismatch
                names.append(f"u_r_{side}")
            self._branches.append((low, column))
        #: Column of ``u`` that draws the XNOR input (None: a read without input).
        self._activation_column: int | None = None
        if variation.mode.activations:
            self._activation_column = len(names)
            names.append("u_x")
        self.variable_names: tuple[str, ...] = tuple(names)
        # The same row builder and decoding as a Monte-Carlo sample of this read mode.
        self._mode = variation.mode
        self._rows: list[dict[str, object]] = []

    @property
    def dim(self) -> int:
        """Number of standard-normal variables (columns of ``u``)."""
        return len(self.variable_names)

    @property
    def n_evaluations(self) -> int:
        """Rows simulated since construction (or the last :meth:`clear`)."""
        return len(self._rows)

    def clear(self) -> None:
        """Forget the recorded rows."""
        self._rows.clear()

    def copies(self, u: np.ndarray) -> tuple[list[ReadCopy], list[dict[str, object]]]:
        """The read copies for the rows of ``u`` and, for each, the values it simulates.

        Pure (no simulator): deviations from
        :func:`~models.cmos.deviations_from_standard_normal`, resistances
        ``median * exp(sigma_ln * u)``. Values outside what the netlist accepts
        (``|dVT| <= 0.5 V``, ``|dbeta/beta| < 0.9``, ``1 ohm <= R <= 1e12 ohm``; reached only
        beyond ~16 sigma, i.e. by the estimators' scaled exploration, never with a nominal
        density that matters) are clipped, and the row is flagged ``clipped``.
        """
        u = self._check_u(u)
        n_t = len(self.geometries)
        copies: list[ReadCopy] = []
        records = self._mismatch_records(u)
        for i, record in enumerate(records):
            deviations = record.pop(_DEVIATIONS)
            assert isinstance(deviations, dict)
            resistances, device_clipped = self._resistances(u[i, 2 * n_t :])
            copies.append(ReadCopy(self._cell(resistances), deviations, self._activation(u[i])))
            record["r_bl_ohm"], record["r_blb_ohm"] = resistances
            record[CLIPPED] = bool(record[CLIPPED] or device_clipped)
        return copies, records

    def _mismatch_records(self, u: np.ndarray) -> list[dict[str, object]]:
        """Per row of ``u``: its values by variable name, the stored value, the deviations of
        the first ``2 n_transistors`` columns (also under the private key ``_DEVIATIONS``) and
        whether they were clipped."""
        n_t = len(self.geometries)
        u_vt = u[:, :n_t]
        u_beta = u[:, n_t : 2 * n_t]
        # Clip in u-space so the project's own mapping still produces the deviations.
        vt_bound = _DVT_LIMIT_V / self._sigma_vt if n_t else np.empty(0)
        beta_bound = _DBETA_LIMIT / self._sigma_beta if n_t else np.empty(0)
        u_vt_c = np.clip(u_vt, -vt_bound, vt_bound)
        u_beta_c = np.clip(u_beta, -beta_bound, beta_bound)
        clipped = np.any(u_vt_c != u_vt, axis=1) | np.any(u_beta_c != u_beta, axis=1)
        records: list[dict[str, object]] = []
        for i in range(len(u)):
            deviations = (
                deviations_from_standard_normal(
                    u_vt_c[i], u_beta_c[i], self.geometries, self.variation.coefficients
                )
                if n_t
                else {}
            )
            record: dict[str, object] = {
                name: float(value) for name, value in zip(self.variable_names, u[i], strict=True)
            }
            for name, deviation in deviations.items():
                record[DVT_PREFIX + name] = deviation.dvt_v
                record[DBETA_PREFIX + name] = deviation.dbeta_rel
            record[STORED_VALUE] = self.variation.stored
            record[CLIPPED] = bool(clipped[i])
            record[_DEVIATIONS] = dict(deviations)
            records.append(record)
        return records

    def _plan(self, u: np.ndarray) -> tuple[list[ReadCopy | str], list[dict[str, object]]]:
        """The read copies of the rows of ``u`` (a string: why a row cannot be read)."""
        copies, records = self.copies(u)
        return list(copies), records

    def __call__(self, u: np.ndarray) -> np.ndarray:
        """Simulate every row of ``u`` (shape ``(n, dim)``); True where the read fails."""
        return self._evaluate(u)[0]

    def margin(self, u: np.ndarray) -> np.ndarray:
        """Simulate every row of ``u`` (shape ``(n, dim)``); the margin ``g`` of each read,
        ``<= 0`` exactly where :meth:`__call__` says it fails (see the module docstring)."""
        return self._evaluate(u)[1]

    @property
    def related(self) -> int:
        """Number of related events each evaluation also answers: the ``also_at`` sampling
        times (see :class:`~rram_ber.characterization.rare.options.SharedLimitState`)."""
        return len(self.also_at)

    def verdicts(self, u: np.ndarray) -> np.ndarray:
        """Simulate every row of ``u``; per row its verdict at ``conditions`` (column 0, as
        :meth:`__call__`) and at each of ``also_at`` (columns 1 ...), from one transient."""
        verdicts, _, also = self._evaluate(u)
        return np.column_stack([verdicts, also])

    def _evaluate(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Verdicts, margins and verdicts at ``also_at`` (one column each) of the rows of
        ``u``; every row is recorded (with its verdicts at ``also_at``)."""
        planned, records = self._plan(u)
        readable = [copy for copy in planned if not isinstance(copy, str)]
        simulated: list[tuple[ReadMeasurement, ...] | str] = []
        for start in range(0, len(readable), self.copies_per_netlist):
            simulated += simulate_with_retry(
                self._simulate, readable[start : start + self.copies_per_netlist]
            )
        reads = iter(simulated)
        outcomes = [copy if isinstance(copy, str) else next(reads) for copy in planned]
        verdicts = np.empty(len(planned), dtype=bool)
        margins = np.empty(len(planned))
        also = np.empty((len(planned), len(self.also_at)), dtype=bool)
        timing = self.conditions.timing
        u_checked = self._check_u(u)
        for i, (record, outcome) in enumerate(zip(records, outcomes, strict=True)):
            measured: Sequence[ReadMeasurement | str] = (
                [outcome] * (1 + len(self.also_at)) if isinstance(outcome, str) else outcome
            )
            # The same read columns (and decoding) as a Monte-Carlo sample row.
            activation = self._activation(u_checked[i])
            read = measured[0]
            row = read_row(self._mode, self.variation.stored, activation, read)
            record.update(row)
            verdicts[i] = self._fails(read, row)
            record[LIMIT_STATE_FAILURE] = bool(verdicts[i])
            if verdicts[i]:
                margins[i] = FAILURE_MARGIN
            elif self._mode.expected(self.variation.stored, activation) == 0:
                # A ternary 0 works while both outputs stay high: the slow side is safe.
                assert isinstance(read, ReadMeasurement)
                margins[i] = (
                    _high_level_margin(read, self.conditions.vdd_v)
                    if read.logic_decode
                    else _slow_margin(timing.t_sample_s, timing.t_evaluate_s, row[DELAY_S])
                )
            else:
                margins[i] = _safe_margin(timing.t_sample_s, row[DELAY_S])
            record[LIMIT_STATE_MARGIN] = float(margins[i])
            for k, other in enumerate(measured[1:]):
                other_row = read_row(self._mode, self.variation.stored, activation, other)
                also[i, k] = self._fails(other, other_row)
                record[also_failure_column(k)] = bool(also[i, k])
        self._rows.extend(records)
        return verdicts, margins, also

    def _fails(self, outcome: ReadMeasurement | str, row: dict[str, object]) -> bool:
        """The verdict of one read: not simulated, wrong, or unresolved when that fails."""
        return bool(
            isinstance(outcome, str)
            or row[ERROR]
            or (not row[RESOLVED] and self.variation.unresolved_is_failure)
        )

    def table(self) -> dict[str, np.ndarray]:
        """Every recorded row as columns (one array per column, rows in evaluation order)."""
        if not self._rows:
            return {}
        columns = list(self._rows[0])
        return {name: np.array([row[name] for row in self._rows]) for name in columns}

    # ----------------------------------------------------------------------------------------

    def _check_u(self, u: np.ndarray) -> np.ndarray:
        array = np.asarray(u, dtype=float)
        if array.ndim != 2 or array.shape[1] != self.dim:
            raise ParameterError("u", f"an array of shape {array.shape}", f"shape (n, {self.dim})")
        if not np.all(np.isfinite(array)):
            raise ParameterError("u", "an array with NaN or infinite values", "finite values")
        return array

    def _activation(self, u_row: np.ndarray) -> int | None:
        """The XNOR input of one row of ``u``: +1 where ``u_x >= 0``, else -1 (None without
        input)."""
        if self._activation_column is None:
            return None
        return 1 if u_row[self._activation_column] >= 0.0 else -1

    def _resistances(self, u_devices: np.ndarray) -> tuple[tuple[float, float], bool]:
        values: list[float] = []
        clipped = False
        for low, column in self._branches:
            if low is None:
                values.append(self.variation.reference_resistance_ohm())
                continue
            u = None if column is None else float(u_devices[column])
            values.append(self.variation.device_ohm(low, u, self.conditions.temp_c))
            clipped |= column is not None and values[-1] in (R_MIN_OHM, R_MAX_OHM)
        return (values[0], values[1]), clipped

    def _cell(self, resistances: tuple[float, float]) -> Cell:
        bl, blb = (FixedResistor(r) for r in resistances)
        if self.variation.cell is CellKind.TWO_T_TWO_R:
            return Cell2T2R(bl, blb)
        return Cell1T1R(bl, blb)

    def _simulate(self, copies: Sequence[ReadCopy]) -> list[tuple[ReadMeasurement, ...]]:
        """Per copy, its measurements at ``conditions`` and at each of ``also_at`` (one
        transient)."""
        measured = simulate_reads_at(
            self.simulator,
            [self.conditions, *self.also_at],
            copies,
            self.variation.resolve_fraction,
        )
        return list(zip(*measured, strict=True))


def also_failure_column(k: int) -> str:
    """The verdict column of a row at the ``k``-th condition of ``also_at``."""
    return f"{ALSO_FAILURE_PREFIX}{k}"
