"""The ``[device]`` table of a campaign: which devices are read, as typed records.

``model`` picks the device option:

* ``fixed``: ideal resistors ``lrs_ohm`` / ``hrs_ohm``;
* ``lognormal``: each device drawn from a log-normal LRS or HRS distribution (median, sigma of
  ln R);
* ``empirical``: resampled from a CSV of measured resistances (columns ``state`` = LRS/HRS and
  ``resistance_ohm``), read and validated when the campaign is read, before anything runs;
  with ``tail = "lognormal"`` the rare-event estimators read a log-normal fitted to the data
  (:class:`DeviceTail`);
* ``vcm``: the VCM compact model programmed in SPICE (settings in ``[device.vcm]``,
  :class:`VcmSettings`).

The first three become a :class:`rram_ber.models.resistance.ResistanceStates`
(:meth:`DeviceSettings. states`), the one place a device's resistance is drawn. Nothing here loads
the simulator.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rram_ber.circuits.elements import DeviceOrientation
from rram_ber.circuits.programming import PulseShape, ResetPulse, default_set_pulse
from rram_ber.core.validation import (
    ParameterError,
    check_fields,
    check_int,
    check_range,
    parse_enum,
    prefixed_errors,
    ranged,
)
from rram_ber.models.device_temperature import (
    DEFAULT_TEMPERATURE_PRESET,
    ResistorTemperature,
    TemperaturePreset,
)
from rram_ber.models.resistance import (
    R_MAX_OHM,
    R_MIN_OHM,
    SIGMA_LN_MAX,
    EmpiricalResistance,
    FixedResistance,
    ResistanceDistribution,
    ResistanceStates,
    read_resistance_states,
)
from rram_ber.models.variability import TRUNCATION_SCALE_RANGE


class DeviceModel(enum.StrEnum):
    """The device option of ``[device] model``."""

    FIXED = "fixed"
    LOGNORMAL = "lognormal"
    EMPIRICAL = "empirical"
    VCM = "vcm"


class DeviceTail(enum.StrEnum):
    """The ``[device] tail`` option of measured devices: what lies beyond the measured values.

    Resampling N measured devices shows no tail beyond the rarest one, so a BER below about
    ``1 / N`` is not in the data (an auto campaign stops there, ``below-data-resolution``).
    Below it, only a model of the tail can answer, and the answer rests on that model: with
    ``lognormal`` the rare-event estimators draw each state's devices from the log-normal
    fitted to its measured values (maximum likelihood: the mean and sample standard deviation
    of ln R), the Monte-Carlo samples still resample the data, and every estimate names the
    fit (``ber.csv``'s ``ber_report``; its numbers and a Shapiro-Wilk test of ln R in the
    estimate's diagnostics). Log-normal LRS and HRS spreads are what HfO2 arrays show
    (Ambrogio et al., IEEE TED 61(8), 2014; Grossi et al., IEDM 2016).
    """

    #: No tail model: the data's resolution is the floor.
    NONE = "none"
    #: A log-normal per state, fitted to the measured values.
    LOGNORMAL = "lognormal"


#: Fewest measured devices per state a tail model is fitted to: a sigma of ln R from fewer
#: values is uncertain by more than about 25 % (its relative standard error is 1 / sqrt(2 (N -
#: 1))), and the tail it extrapolates with it.
MIN_TAIL_DEVICES = 10


#: Range of compliance currents accepted [A], where R_LRS * I_C stays near 0.4 V. Below it the
#: HRS of this device already carries the compliance current at ~0.8 V, where a SET takes
#: ~10 us (nominal device, default pulse: 30 uA gave N = 0.026 and an observed 25 uA, 20 uA
#: gave N = 0.0097, i.e. no SET); above 300 uA the LRS sits on the model's series-resistance
#: floor (~1.6 kOhm) and no longer follows I_C (R * I_C = 0.52 V at 300 uA).
COMPLIANCE_MIN_A = 40e-6
COMPLIANCE_MAX_A = 300e-6
#: Device options the rare-event estimators accept. A resistor option joins when its law's
#: ``from_standard_normal`` is the device's distribution all the way into the tails: the limit
#: states draw each device through it (characterization.limit_states); VCM devices through
#: their d2d and c2c draws (characterization.vcm_limit_state). Measured devices stay out: their
#: transform is the data's quantile function, clamped to the measured range, so an estimate
#: below the data's resolution would silently assume no device beyond the measured extremes;
#: they join only with an explicit tail model fitted to the data (:class:`DeviceTail`).
RARE_EVENT_MODELS = (DeviceModel.FIXED, DeviceModel.LOGNORMAL, DeviceModel.VCM)
DEFAULT_PILOT_DEVICES = 60
CELSIUS_TO_KELVIN = 273.15
_DEFAULT_SET = default_set_pulse()
_DEFAULT_RESET = ResetPulse()


@dataclass(frozen=True, slots=True)
class VcmSettings:
    """The ``[device.vcm]`` table: how VCM devices are programmed before they are read.

    Attributes
    ----------
    set_amplitude_v, set_edge_s, set_width_s : float
        SET pulse on the driven line: height [V], edges [s], plateau [s]
        (:func:`rram_ber.circuits.programming.default_set_pulse`).
    reset_amplitude_v, reset_edge_s, reset_width_s : float
        RESET pulse [V, s, s] (:class:`rram_ber.circuits.programming.ResetPulse`).
    reset_v_wl_v : float
        Word-line voltage during RESET [V].
    c2c : bool
        Cycle-to-cycle variability at each pulse (with ``variability.device``).
    orientation : DeviceOrientation
        ``"oe_on_bl"`` (default) or ``"ae_on_bl"``.
    pilot_devices : int
        Devices of the pilot population that places the default 1T1R reference, 10 ... 10000.
    truncation_scale : float
        Scale of the truncation of the d2d (and c2c) variables about their means, 0.25 ... 10:
        1 = the published JART VCM v1b bounds (default); 2 = half-ranges twice as wide, cut to
        the model's validity box, so only N_min widens
        (:meth:`rram_ber.models.variability.D2dVariability.published`). Every rare-event bound
        on a VCM read rests on this truncation.
    """

    set_amplitude_v: float = _DEFAULT_SET.amplitude_v
    set_edge_s: float = _DEFAULT_SET.edge_s
    set_width_s: float = _DEFAULT_SET.width_s
    reset_amplitude_v: float = _DEFAULT_RESET.pulse.amplitude_v
    reset_edge_s: float = _DEFAULT_RESET.pulse.edge_s
    reset_width_s: float = _DEFAULT_RESET.pulse.width_s
    reset_v_wl_v: float = _DEFAULT_RESET.v_wl_v
    c2c: bool = True
    orientation: DeviceOrientation = DeviceOrientation.OE_ON_BIT_LINE
    pilot_devices: int = DEFAULT_PILOT_DEVICES
    truncation_scale: float = 1.0

    def __post_init__(self) -> None:
        # The pulse records own their ranges; their errors name the key of this table.
        self.set_pulse()
        self.reset_pulse()
        if not isinstance(self.c2c, bool):
            raise ParameterError("c2c", self.c2c, "true or false")
        object.__setattr__(
            self, "orientation", parse_enum(DeviceOrientation, self.orientation, "orientation")
        )
        check_int("pilot_devices", self.pilot_devices, 10, 10_000)
        check_range("truncation_scale", self.truncation_scale, *TRUNCATION_SCALE_RANGE)

    def set_pulse(self) -> PulseShape:
        """The SET pulse."""
        with prefixed_errors("set_"):
            return PulseShape(self.set_amplitude_v, self.set_edge_s, self.set_width_s)

    def reset_pulse(self) -> ResetPulse:
        """The RESET pulse and word-line voltage."""
        with prefixed_errors("reset_"):
            pulse = PulseShape(self.reset_amplitude_v, self.reset_edge_s, self.reset_width_s)
            return ResetPulse(pulse=pulse, v_wl_v=self.reset_v_wl_v)

    def to_dict(self) -> dict[str, Any]:
        """The settings as the plain data of a ``[device.vcm]`` table."""
        return {
            "set_amplitude_v": self.set_amplitude_v,
            "set_edge_s": self.set_edge_s,
            "set_width_s": self.set_width_s,
            "reset_amplitude_v": self.reset_amplitude_v,
            "reset_edge_s": self.reset_edge_s,
            "reset_width_s": self.reset_width_s,
            "reset_v_wl_v": self.reset_v_wl_v,
            "c2c": self.c2c,
            "orientation": self.orientation.value,
            "pilot_devices": self.pilot_devices,
            "truncation_scale": self.truncation_scale,
        }


@dataclass(frozen=True, slots=True)
class DeviceSettings:
    """The ``[device]`` table: how each cell's resistive elements are obtained.

    Attributes
    ----------
    model : DeviceModel
        The device option (see the module docstring).
    lrs_ohm, hrs_ohm : float
        Fixed resistances [ohm] (``fixed``), in [1, 1e12].
    lrs_median_ohm, hrs_median_ohm : float
        Medians [ohm] (``lognormal``), in [1, 1e12].
    lrs_sigma_ln, hrs_sigma_ln : float
        Standard deviations of ln R (``lognormal``), in [0, 5].
    csv : str
        Path of the measured-resistance file (``empirical``), relative to the spec file.
    tail : DeviceTail
        ``empirical`` only: the tail model the rare-event estimators read beyond the data,
        ``"none"`` (default) or ``"lognormal"`` (:class:`DeviceTail`).
    vcm : VcmSettings
        Programming settings of the VCM model (``vcm``).
    temperature_preset : TemperaturePreset
        Named temperature law of the resistor options (``fixed``, ``lognormal``,
        ``empirical``), whose resistances are values at 27 C: ``"grossi2017"`` (default),
        ``"walczyk2011"``, ``"activated-0.15ev"`` or ``"none"``
        (:class:`rram_ber.models.device_temperature.TemperaturePreset`, sources cited there).
    lrs_tcr_per_k, hrs_activation_ev : float or None
        LRS coefficient [1/K] (-0.01 ... 0.01) and HRS activation energy [eV] (0 ... 1) set
        explicitly in place of the preset's; None = the preset's value.
    measured : ResistanceStates or None
        The content of ``csv``, read by :meth:`load_measured` when the campaign is read (so a
        bad file stops the campaign before anything is simulated, and worker processes get the
        values, not a path). Not part of the table.
    """

    model: DeviceModel = DeviceModel.FIXED
    lrs_ohm: float = ranged(5e3, R_MIN_OHM, R_MAX_OHM, unit="ohm", description="fixed LRS")
    hrs_ohm: float = ranged(50e3, R_MIN_OHM, R_MAX_OHM, unit="ohm", description="fixed HRS")
    lrs_median_ohm: float = ranged(
        5e3, R_MIN_OHM, R_MAX_OHM, unit="ohm", description="median LRS (lognormal)"
    )
    lrs_sigma_ln: float = ranged(
        0.2, 0.0, SIGMA_LN_MAX, description="standard deviation of ln R in LRS (lognormal)"
    )
    hrs_median_ohm: float = ranged(
        50e3, R_MIN_OHM, R_MAX_OHM, unit="ohm", description="median HRS (lognormal)"
    )
    hrs_sigma_ln: float = ranged(
        0.6, 0.0, SIGMA_LN_MAX, description="standard deviation of ln R in HRS (lognormal)"
    )
    csv: str = ""
    tail: DeviceTail = DeviceTail.NONE
    vcm: VcmSettings = field(default_factory=VcmSettings)
    temperature_preset: TemperaturePreset = DEFAULT_TEMPERATURE_PRESET
    lrs_tcr_per_k: float | None = None
    hrs_activation_ev: float | None = None
    measured: ResistanceStates | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", parse_enum(DeviceModel, self.model, "model"))
        check_fields(self)
        if not isinstance(self.csv, str):
            raise ParameterError("csv", self.csv, "a path (string)")
        if self.model is DeviceModel.EMPIRICAL and not self.csv:
            raise ParameterError("csv", self.csv, "a CSV path when device.model = 'empirical'")
        object.__setattr__(self, "tail", parse_enum(DeviceTail, self.tail, "tail"))
        if self.tail is not DeviceTail.NONE and self.model is not DeviceModel.EMPIRICAL:
            raise ParameterError(
                "tail",
                self.tail.value,
                f"'none' with device.model = {self.model.value!r} (a tail model is fitted to "
                "measured devices, device.model = 'empirical')",
            )
        if self.measured is not None and self.tail is not DeviceTail.NONE:
            self._check_tail_data(self.measured)
        if not isinstance(self.vcm, VcmSettings):
            raise ParameterError("vcm", self.vcm, "a table [device.vcm]")
        object.__setattr__(
            self, "temperature_preset", TemperaturePreset.parse(self.temperature_preset)
        )
        self.temperature_law()  # the explicit values are checked there
        self._check_states_in_order()

    def _check_states_in_order(self) -> None:
        """HRS above LRS: swapped values would store every weight inverted (a 2T2R read takes
        the lower-resistance branch as +1), and the reads would be counted as errors."""
        pairs = {
            DeviceModel.FIXED: ("lrs_ohm", "hrs_ohm"),
            DeviceModel.LOGNORMAL: ("lrs_median_ohm", "hrs_median_ohm"),
        }
        if self.model not in pairs:
            return
        low, high = pairs[self.model]
        if getattr(self, high) <= getattr(self, low):
            raise ParameterError(
                high,
                getattr(self, high),
                f"a resistance above {low} = {getattr(self, low):g} ohm (the high-resistance "
                "state; swapped values would store every weight inverted)",
            )

    def _check_tail_data(self, measured: ResistanceStates) -> None:
        """Refuse a tail fit to too few or identical measured values (naming ``tail``)."""
        for name, state in (("LRS", measured.lrs), ("HRS", measured.hrs)):
            values = _log_values(state)
            if len(values) < MIN_TAIL_DEVICES or state.sigma_ln <= 0.0:
                raise ParameterError(
                    "tail",
                    self.tail.value,
                    f"'none' for this file: a tail is fitted to at least {MIN_TAIL_DEVICES} "
                    f"measured {name} devices of differing resistance ({len(values)} given)",
                )

    def tail_states(self) -> ResistanceStates:
        """The log-normal LRS and HRS fitted to the measured devices (``tail = "lognormal"``):
        per state, median ``exp(mean ln R)`` and sigma the sample standard deviation of
        ``ln R`` (the maximum-likelihood fit, with the unbiased variance)."""
        if self.tail is not DeviceTail.LOGNORMAL:
            raise ParameterError("device.tail", self.tail.value, "'lognormal' for a fitted tail")
        measured = self.states()
        return ResistanceStates.log_normal(
            float(np.exp(_log_values(measured.lrs).mean())), measured.lrs.sigma_ln,
            float(np.exp(_log_values(measured.hrs).mean())), measured.hrs.sigma_ln,
        )  # fmt: skip

    def tail_fit(self) -> dict[str, Any]:
        """What the tail model is, for the estimates' records: the fitted medians [ohm] and
        sigmas of ln R, the device counts and the Shapiro-Wilk p-value of each state's ln R
        (small: the data are not log-normal, and the tail extrapolates a wrong shape)."""
        from scipy import stats

        fitted, measured = self.tail_states(), self.states()
        fit: dict[str, Any] = {"model": self.tail.value}
        for name, data, model in (
            ("lrs", measured.lrs, fitted.lrs),
            ("hrs", measured.hrs, fitted.hrs),
        ):
            values = _log_values(data)
            fit[f"{name}_devices"] = len(values)
            fit[f"{name}_median_ohm"] = model.median_ohm
            fit[f"{name}_sigma_ln"] = model.sigma_ln
            fit[f"{name}_shapiro_p"] = float(stats.shapiro(values).pvalue)
        return fit

    def rare_states(self) -> ResistanceStates:
        """The devices the rare-event estimators read: :meth:`states`, or for measured
        devices with a tail model the fitted one (:meth:`tail_states`)."""
        if self.tail is DeviceTail.LOGNORMAL:  # measured devices only (checked on creation)
            return self.tail_states()
        return self.states()

    def load_measured(self, source_dir: str | Path, key: str = "device.csv") -> DeviceSettings:
        """These settings with the measured file read (``empirical``; others unchanged)."""
        if self.model is not DeviceModel.EMPIRICAL:
            return self
        measured = read_resistance_states(Path(source_dir) / self.csv, key)
        return DeviceSettings(
            **{name: getattr(self, name) for name in _TABLE_KEYS}, measured=measured
        )

    def states(self) -> ResistanceStates:
        """The LRS and HRS distributions of fixed, log-normal and measured devices."""
        if self.model is DeviceModel.FIXED:
            return ResistanceStates(FixedResistance(self.lrs_ohm), FixedResistance(self.hrs_ohm))
        if self.model is DeviceModel.LOGNORMAL:
            return ResistanceStates.log_normal(
                self.lrs_median_ohm, self.lrs_sigma_ln, self.hrs_median_ohm, self.hrs_sigma_ln
            )
        if self.model is DeviceModel.EMPIRICAL and self.measured is not None:
            return self.measured
        raise ParameterError(
            "device.model", self.model.value, "a resistance distribution (measured file read)"
        )

    def temperature_law(self) -> ResistorTemperature:
        """The temperature law of the resistor device options: the preset's, with the values
        set explicitly in its place."""
        preset = self.temperature_preset.law()
        return ResistorTemperature(
            preset.lrs_tcr_per_k if self.lrs_tcr_per_k is None else self.lrs_tcr_per_k,
            preset.hrs_activation_ev if self.hrs_activation_ev is None else self.hrs_activation_ev,
        )

    @property
    def rare_events(self) -> bool:
        """Whether the rare-event estimators apply: the model is in :data:`RARE_EVENT_MODELS`,
        or measured devices have a tail model (:class:`DeviceTail`)."""
        return self.model in RARE_EVENT_MODELS or self.tail is not DeviceTail.NONE

    def nominal_lrs_hrs_ohm(self) -> tuple[float, float]:
        """Typical LRS and HRS [ohm] of the model, for the default 1T1R reference: the fixed
        values, the log-normal medians, or for ``empirical`` the medians of the measured data
        (not the table's default ``lrs_median_ohm`` / ``hrs_median_ohm``, which describe no
        measured device; the rare-event limit states take the same medians of the same
        distributions).

        Raises
        ------
        ParameterError
            For ``empirical`` devices whose file was not read (:meth:`load_measured`; a
            campaign read back from its record carries its resolved ``reference_ohm``).
        """
        if self.model is DeviceModel.FIXED:
            return self.lrs_ohm, self.hrs_ohm
        if self.model is DeviceModel.EMPIRICAL:
            states = self.states()
            return states.lrs.median_ohm, states.hrs.median_ohm
        return self.lrs_median_ohm, self.hrs_median_ohm

    def to_dict(self) -> dict[str, Any]:
        """The table as plain data (``measured`` left out: it is the content of ``csv``).

        The temperature law is written as the numbers that apply (the preset's, or those set in
        its place), next to the preset's name, so the fingerprint follows what is simulated.
        """
        values: dict[str, Any] = {name: getattr(self, name) for name in _TABLE_KEYS}
        values["model"] = self.model.value
        # Written only when set, so a campaign without one keeps the fingerprint it had
        # before the key existed.
        if self.tail is DeviceTail.NONE:
            del values["tail"]
        else:
            values["tail"] = self.tail.value
        values["vcm"] = self.vcm.to_dict()
        law = self.temperature_law()
        values["temperature_preset"] = self.temperature_preset.value
        values["lrs_tcr_per_k"] = law.lrs_tcr_per_k
        values["hrs_activation_ev"] = law.hrs_activation_ev
        return values


#: Keys of the [device] table (the fields of DeviceSettings but ``measured``).
_TABLE_KEYS = (
    "model",
    "lrs_ohm",
    "hrs_ohm",
    "lrs_median_ohm",
    "lrs_sigma_ln",
    "hrs_median_ohm",
    "hrs_sigma_ln",
    "csv",
    "tail",
    "vcm",
    "temperature_preset",
    "lrs_tcr_per_k",
    "hrs_activation_ev",
)
DEVICE_KEYS = _TABLE_KEYS


def _log_values(state: ResistanceDistribution) -> np.ndarray:
    """``ln R`` of a measured state's values (``R`` in ohm): what a tail model is fitted to."""
    if not isinstance(state, EmpiricalResistance):
        raise ParameterError("device.model", type(state).__name__, "measured devices for a tail")
    return np.log(np.asarray(state.values_ohm, dtype=float))
