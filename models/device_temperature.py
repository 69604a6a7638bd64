"""Temperature dependence of RRAM devices read as resistors, and of the VCM read current.

Two parts:

* :class:`ResistorTemperature`: for the ``fixed``, ``lognormal`` and ``empirical`` device
  options, whose resistances are given (measured or drawn) at a reference temperature::

      R_LRS(T) = R_LRS(T_ref) * (1 + alpha (T - T_ref))
      R_HRS(T) = R_HRS(T_ref) * exp(E_a / k * (1/T - 1/T_ref))

  The two numbers come from a named :class:`TemperaturePreset` (``[device]
  temperature_preset``); ``lrs_tcr_per_k`` / ``hrs_activation_ev`` set either one explicitly.
  What the literature says of the read of a programmed HfO2 device (sources read as abstracts
  only: no full text of these papers could be had, and none of the abstracts gives a number
  for the LRS coefficient):

  - A. Grossi, C. Zambelli, P. Olivo et al., "Impact of temperature on conduction mechanisms
    and switching parameters in HfO2-based 1T-1R resistive random access memories devices",
    2017 (1T1R HfO2, -40 to +150 C; abstract read in the University of Ferrara repository,
    hdl 11392/2369301): "In the HRS, the leakage current values are not affected
    by the temperature, suggesting a tunnel-like conduction mechanism through the filament
    constriction"; "the leakage currents values of the LRS are decreasing linearly with
    raising temperature, suggesting a metal-like conduction mechanism. Therefore, the on/off
    ratio is slightly decreasing with increasing temperature."
  - C. Walczyk et al., "Impact of temperature on the resistive switching behavior of embedded
    HfO2-based RRAM devices", IEEE TED 58(9):3124-3131, 2011 (TiN/HfO2/Ti/TiN cells embedded
    in 0.25 um CMOS, 213-413 K; abstract): fresh devices conduct by Poole-Frenkel emission
    from a trap about 0.2 eV below the HfO2 conduction band; "the off-state current increases
    with temperature, whereas the on-state current can be described by a weak metallic
    behavior". No HRS activation energy.
  - G. Vinuesa et al., 2024 (TiN/Ti/HfO2/W, 40-340 K): both states are more resistive at low
    temperature (LRS by hopping, HRS by Schottky emission); no number in the abstract. The
    sign of the LRS coefficient depends on the stack.

  The default, ``grossi2017``, follows the one source on a comparable device (an HfO2 1T1R
  cell over the industrial range): the HRS does not depend on temperature (``E_a = 0``) and the
  LRS is metal-like. Its coefficient, +1e-3 /K, is an assumption of the right sign: the
  abstract states a linear decrease of the LRS current without its slope. The other presets
  (:data:`PRESET_LAWS`) bracket the HRS behaviour reported elsewhere; the temperature study
  (``characterization/campaigns/temperature.toml``) gives the BER at each, so a reader sees how
  much of a temperature conclusion is assumption. Set both from your own R(T) data.

* :func:`vcm_current_temperature_factor`: the VCM model's own thermally activated conduction.
  The explicit JART-TUD current (:mod:`rram_ber.models.vcm`) was fitted at 293 K; JART VCM v1b's
  current is limited by the Schottky contact at the active electrode, thermionic-field emission in
  the SET polarity and thermionic emission in the RESET polarity (Bengel et al., IEEE TCAS-I
  67(12), 2020, Eqs. (14)-(19)). The factor is the ratio of that contact current at the
  cell temperature to its value at 293 K, at the device's state ``N`` and small bias, and
  multiplies the fitted current. Where the contact limits the current (HRS, small ``N``) this
  is the model's Arrhenius behaviour (effective activation about the image-force-lowered
  barrier, ~0.1 eV); in LRS the barrier is lowered away and tunnelling dominates, and the
  factor stays close to 1.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from rram_ber.core.validation import check_range, parse_enum

#: Boltzmann constant [eV/K].
BOLTZMANN_EV_PER_K = 8.617333e-5
#: 0 C in kelvin.
ZERO_C_K = 273.15
#: Temperature at which device resistances are given by default [C].
DEFAULT_REFERENCE_C = 27.0


class DeviceState(enum.StrEnum):
    """Programmed state of a device."""

    LRS = "lrs"
    HRS = "hrs"

    @classmethod
    def parse(cls, value: object, field: str = "state") -> DeviceState:
        """The state named ``value`` (case-insensitive), else :class:`ParameterError`."""
        return parse_enum(cls, value, field)


@dataclass(frozen=True, slots=True)
class ResistorTemperature:
    """LRS temperature coefficient and HRS activation energy (see the module docstring).

    The defaults are those of the ``grossi2017`` preset: an HRS independent of temperature and
    a metal-like LRS of +1e-3 /K (its sign from Grossi et al. 2017, its size assumed).

    Attributes
    ----------
    lrs_tcr_per_k : float
        Linear temperature coefficient of the LRS resistance [1/K], -0.01 ... 0.01.
    hrs_activation_ev : float
        Activation energy of the HRS conduction [eV], 0 ... 1.
    reference_c : float
        Temperature at which the resistances are given [C].
    """

    lrs_tcr_per_k: float = 1.0e-3
    hrs_activation_ev: float = 0.0
    reference_c: float = DEFAULT_REFERENCE_C

    def __post_init__(self) -> None:
        check_range("lrs_tcr_per_k", self.lrs_tcr_per_k, -0.01, 0.01, unit="1/K")
        check_range("hrs_activation_ev", self.hrs_activation_ev, 0.0, 1.0, unit="eV")
        check_range("reference_c", self.reference_c, -55.0, 150.0, unit="C")

    def resistance_factor(self, state: DeviceState, temp_c: float) -> float:
        """``R(T) / R(T_ref)`` of a device in ``state`` at ``temp_c`` [C]."""
        check_range("temp_c", temp_c, -55.0, 150.0, unit="C")
        if state is DeviceState.LRS:
            factor = 1.0 + self.lrs_tcr_per_k * (temp_c - self.reference_c)
            if factor <= 0.0:
                raise ValueError("the LRS temperature coefficient makes the resistance <= 0")
            return factor
        t, t_ref = temp_c + ZERO_C_K, self.reference_c + ZERO_C_K
        return math.exp(self.hrs_activation_ev / BOLTZMANN_EV_PER_K * (1.0 / t - 1.0 / t_ref))

    def resistance_ohm(self, resistance_ref_ohm: float, state: DeviceState, temp_c: float) -> float:
        """Resistance at ``temp_c`` [ohm] of a device given as ``resistance_ref_ohm`` at the
        reference temperature."""
        return resistance_ref_ohm * self.resistance_factor(state, temp_c)


class TemperaturePreset(enum.StrEnum):
    """Named temperature laws of the resistor device options (``[device] temperature_preset``).

    * ``grossi2017`` (default): HRS independent of temperature (``E_a = 0``), LRS +1e-3 /K.
      Grossi et al. 2017, 1T1R HfO2, -40 to +150 C: HRS leakage "not affected by the
      temperature"; LRS current "decreasing linearly with raising temperature" (abstract; the
      slope is not given, +1e-3 /K is assumed).
    * ``walczyk2011``: HRS thermally activated with ``E_a = 0.2`` eV, LRS +1e-3 /K. Walczyk et
      al. 2011: "the off-state current increases with temperature"; 0.2 eV is the depth of the
      Poole-Frenkel trap of fresh devices given in the abstract, used here as the HRS activation
      energy (an upper reading: the abstract gives none for the HRS itself).
    * ``activated-0.15ev``: ``E_a = 0.15`` eV, LRS +1e-3 /K: the default before issue 28, not
      taken from a source that was read; kept to compare with results computed with it.
    * ``none``: neither state depends on temperature.
    """

    GROSSI2017 = "grossi2017"
    WALCZYK2011 = "walczyk2011"
    ACTIVATED_015 = "activated-0.15ev"
    NONE = "none"

    @classmethod
    def parse(cls, value: object, field: str = "temperature_preset") -> TemperaturePreset:
        """The preset named ``value`` (case-insensitive), else :class:`ParameterError`."""
        return parse_enum(cls, value, field)

    def law(self) -> ResistorTemperature:
        """The temperature law of this preset."""
        return PRESET_LAWS[self]


#: The law of each preset (see :class:`TemperaturePreset` for the sources).
PRESET_LAWS: dict[TemperaturePreset, ResistorTemperature] = {
    TemperaturePreset.GROSSI2017: ResistorTemperature(lrs_tcr_per_k=1.0e-3, hrs_activation_ev=0.0),
    TemperaturePreset.WALCZYK2011: ResistorTemperature(lrs_tcr_per_k=1.0e-3, hrs_activation_ev=0.2),
    TemperaturePreset.ACTIVATED_015: ResistorTemperature(
        lrs_tcr_per_k=1.0e-3, hrs_activation_ev=0.15
    ),
    TemperaturePreset.NONE: ResistorTemperature(lrs_tcr_per_k=0.0, hrs_activation_ev=0.0),
}
#: The preset used when a campaign names none.
DEFAULT_TEMPERATURE_PRESET = TemperaturePreset.GROSSI2017


# --- VCM (JART v1b) Schottky contact ------------------------------------------------------
#: Nominal Schottky barrier height phi_Bn0 [eV] and phi_n [eV] of JART VCM v1b.
PHI_BN0_EV = 0.18
PHI_N_EV = 0.1
#: Relative permittivities: static (for W00) and image-force (for barrier lowering).
EPS_STATIC = 17.0
EPS_IMAGE = 5.5
_EPS0 = 8.854187e-12
_E = 1.602e-19
_H = 6.626e-34
_M_EFF = 9.10938e-31
_Z_VO = 2.0
#: Temperature of the JART-TUD current fit [K].
FIT_TEMPERATURE_K = 293.0


def _barrier_ev(n_disc: float) -> float:
    """Image-force-lowered barrier at zero bias (Bengel 2020 Eq. (19)) [eV]."""
    psi = PHI_BN0_EV - PHI_N_EV
    lowering = (
        _E**3 * _Z_VO * n_disc * 1e26 * psi / (8.0 * math.pi**2 * (EPS_IMAGE * _EPS0) ** 3)
    ) ** 0.25
    return max(PHI_BN0_EV - lowering, 0.0)


def _contact_conductance(temp_k: float, n_disc: float, set_polarity: bool) -> float:
    """Small-bias conductance of the Schottky contact, up to a constant factor."""
    kt = BOLTZMANN_EV_PER_K * temp_k
    phi = _barrier_ev(n_disc)
    if not set_polarity:
        # Thermionic emission (Eq. (15)): I ~ T^2 exp(-phi/kT) (exp(V/kT) - 1) -> T exp(-phi/kT).
        return temp_k * math.exp(-phi / kt)
    # Thermionic-field emission (Eqs. (14), (16)-(18)), |V_S| -> 0.
    w00 = (_E * _H / (4.0 * math.pi)) * math.sqrt(
        _Z_VO * n_disc * 1e26 / (_M_EFF * EPS_STATIC * _EPS0)
    )
    w00_ev = w00 / _E
    ratio = w00_ev / kt
    w0 = w00_ev / math.tanh(ratio)
    eps_prime = w00_ev / (ratio - math.tanh(ratio))
    root = math.sqrt(math.pi * w00_ev * phi / math.cosh(ratio) ** 2) if phi > 0.0 else 1.0
    return temp_k * root * math.exp(-phi / w0) / eps_prime


def vcm_current_temperature_factor(temp_k: float, n_disc: float, set_polarity: bool) -> float:
    """``I(T) / I(293 K)`` of the VCM read current at state ``n_disc`` [1e26 m^-3].

    Parameters
    ----------
    temp_k : float
        Cell temperature [K], 200 ... 450.
    n_disc : float
        Disc vacancy concentration [1e26 m^-3].
    set_polarity : bool
        True when the read biases the device in the SET polarity (``V(AE, OE) < 0``,
        thermionic-field emission), False for the RESET polarity (thermionic emission).
    """
    check_range("temp_k", temp_k, 200.0, 450.0, unit="K")
    check_range("n_disc", n_disc, 0.0, 1e3, low_inclusive=False)
    return _contact_conductance(temp_k, n_disc, set_polarity) / _contact_conductance(
        FIT_TEMPERATURE_K, n_disc, set_polarity
    )
