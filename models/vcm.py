"""VCM (HfO2) RRAM compact model: JART VCM v1b physics in the explicit JART-TUD form.

The device is the Pt / HfO2 / TiOx / Ti ("HOTO") valence-change cell of the Jülich Aachen
Resistive switching Tools (JART VCM v1b var). Its state is the oxygen-vacancy concentration of
the disc next to the active electrode, ``N_disc``, in units of 1e26 m^-3 (written ``N``).

Sign convention
---------------
``V = V(AE, OE)``: the active electrode (Pt, Schottky contact) against the ohmic electrode
(Ti). **SET (towards low resistance, N rises) happens at negative V; RESET (towards high
resistance, N falls) at positive V.** The device current ``I`` is counted from AE to OE, so it
has the sign of ``V``.

Equations
---------
Electronic current, the explicit fit of Ntinas et al. 2023 (their Eqs. (1)-(16)), with
``x = ln(N / N_dL)``, the fixed normalisation ``N_dL = 0.004``, ``d_r = (r - r_det)/(0.1 r_det)``
and ``d_l = (l - l_det)/(0.1 l_det)``::

    I = p1 (p2 (exp((x - p3)/p4) - 1) + (x - p3)) + p5 / (p6 + p7 (p8 exp(x - p9))^-p10)^(1/p11)

    V > 0: p1 = p2 = p3 = p9 = 0, p4 = 1, p5 = p5_1 (1 - exp(-p5_2 V)), p6 = p6_0 + p6_1 V,
           p7 = p7_0 + p7_1 V + p7_2 exp(-p7_3 V), p8 = p8_0 + p8_1 V,
           p10 = p10_0 + p10_1 V + p10_2 V^2, p11 = p11_0 + p11_1 V + p11_2 V^2
    V < 0: p1 = p1_0 (p1_1 V + p1_2 V^2) / (1 + p1_3 V + p1_4 V^2), p2 = p2_0,
           p3 = p3_0 + p3_1 V, p4 = p4_0 - p4_1 exp(-p4_2 V), p5 = p5_1 V + p5_2 V^2,
           p6 = 1, p7 = p7_0, p8 = 1, p9 = p9_0 + (p9_1 - p9_0) / (1 + exp((V - p9_2)/p9_3)),
           p10 likewise, p11 = 1 / (p11_0 + (p11_1 - p11_0) / (1 + exp((V - p11_2)/p11_3)))

and every coefficient ``p_k = base + D_r d_r + D_r2 d_r^2 + D_l d_l`` (:data:`FIT_POSITIVE`,
:data:`FIT_NEGATIVE`).

State equation, JART VCM v1b var (Bengel et al. 2020, Eqs. (1)-(13); the JART-TUD model keeps
it and evaluates it with the explicit current)::

    dN/dt = -I_ion / (z e A l)                                               (1)
    I_ion = z e c_VO a nu0 A (exp(-dW_min/kT) - exp(-dW_max/kT)) F_lim      (2)-(4)
    c_VO  = (N_plug + N) / 2
    dW_min,max = dW_A (sqrt(1 - g^2) -+ g pi/2 + g asin g),  g = z a E / (pi dW_A)   (7)-(9)
    E = V_disc / l                (SET, V < 0)                              (10)
    E = (V - V_series) / l_cell   (RESET, V > 0)                            (11)
    V_disc = I l / (z e N mu_n A),  A = pi r^2                              (13)
    V_series = I (R_TiOx + R0 (1 + R0 alpha_line I^2 R_th,line))            (12)
    T = T0 + I (V - V_series) R_th,eff,  R_th,eff = R_th0 (r_det/r)^2, x 0.27 for RESET  (5)-(6)
        (steady state; see change 2 below)
    F_lim = 1 - (N/N_max)^10 (SET),  1 - (N_min/N)^10 (RESET)

``A`` and ``z e`` cancel in (1)-(2), which leaves

    dN/dt = -(N_plug + N)/2 * (a nu0 / l) * 2 exp(-W0/kT) sinh(g pi dW_A / 2kT) * F_lim,
    W0 = dW_A (sqrt(1 - g^2) + g asin g),

the form that both the subcircuit (:func:`subcircuit_text`) and :mod:`rram_ber.models.vcm_reference`
evaluate.

Two deliberate changes from the JART-TUD Verilog-A model, both for numerical robustness:

1. JART sets the ion flux to zero beyond ``N_max`` in SET and beyond ``N_min`` in RESET (a hard
   stop). Here ``F_lim`` is simply continued past the bound, where it turns negative and pulls
   the state back. Inside ``[N_min, N_max]`` the two are identical; the difference is what
   happens after an overshoot. An abrupt SET (thermal runaway within picoseconds) made ngspice
   step from N = 0.7 to 22.5 in one accepted time step; with the hard stop the state then stayed
   above N_max for good (N = 36.9 with N_max = 20), with the restoring flux it returns.
2. The filament temperature has a thermal capacitance, ``C_th d(dT)/dt = P - dT / R_th,eff``
   with ``C_th`` = 1e-18 J/K (the value of JART VCM v1b readvar, Wiefels et al. 2020), instead
   of following the power instantly. Its 16 ps time constant is invisible in sweeps and
   microsecond pulses but smooths the runaway enough for the simulator to resolve it: without
   it (and at ngspice's default tolerances) the same compliance-limited SET ended at different
   states depending on which other devices shared the netlist (N = 0.30 alone, 1.14 in a pair,
   at 100 uA); with it, alone, in pairs and in fives agreed. The NumPy reference uses the
   quasi-static limit (see :mod:`rram_ber.models.vcm_reference`).

Sources
-------
* V. Ntinas, D. Patel, Y. Wang, I. Messaris, V. Rana, S. Menzel, A. Ascoli, R. Tetzlaff,
  "A Simplified Variability-Aware VCM Memristor Model for Efficient Circuit Simulation",
  SMACD 2023, doi:10.1109/SMACD58065.2023.10192107 (current fit and its coefficients, as
  published with the JART-TUD model v0.1).
* C. Bengel, A. Siemon, F. Cüppers, S. Hoffmann-Eifert, A. Hardtdegen, M. von Witzleben,
  L. Hellmich, R. Waser, S. Menzel, "Variability-aware modeling of filamentary oxide-based
  bipolar resistive switching cells using SPICE level compact models", IEEE TCAS-I 67(12)
  4618-4630, 2020, doi:10.1109/TCSI.2020.3018502 (state equation, variability ranges).
* F. Cüppers et al., "Exploiting the switching dynamics of HfO2-based ReRAM devices for
  reliable analog memristive behavior", APL Mater. 7, 091105, 2019 (JART VCM v1b).

Validity
--------
The current fit holds only inside the box it was fitted in (Ntinas 2023, using the Bengel 2020
ranges): ``r`` in [40.5, 49.5] nm, ``l`` in [0.36, 0.44] nm, ``N_min`` in [0.004, 0.25] and
``N_max`` in [18, 22]. :class:`VcmParameters` refuses anything outside it. The fit was made at
the nominal series resistances and T0 = 293 K, so the ambient temperature and the series
resistances act on the state equation only (kinetics, field and Joule heating), not on the
electronic current; they are limited to a modest box around the fitted values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from rram_ber.core.validation import ParameterError, check_range

# --- physical constants (as in the JART-TUD model) -----------------------------------------
#: Elementary charge [C].
ELEMENTARY_CHARGE_C = 1.602e-19
#: Boltzmann constant over the elementary charge [eV/K] (1.3807e-23 J/K / 1.602e-19 C).
BOLTZMANN_EV_PER_K = 1.3807e-23 / 1.602e-19
#: Oxygen-vacancy charge number [-].
Z_VO = 2.0

# --- fixed JART v1b var parameters (Bengel 2020 / user guide Table 3.2 defaults) -----------
#: Oxygen-vacancy concentration of the plug [1e26 m^-3].
N_PLUG = 20.0
#: Ion hopping distance [m].
HOP_DISTANCE_M = 0.25e-9
#: Attempt frequency [Hz].
ATTEMPT_FREQUENCY_HZ = 2e13
#: Activation energy of ion hopping [eV].
ACTIVATION_ENERGY_EV = 1.35
#: Electron mobility [m^2/(V s)].
ELECTRON_MOBILITY_M2_VS = 4e-6
#: Thermal resistance of the nominal filament [K/W].
R_TH0_K_PER_W = 15.72e6
#: Scaling of the thermal resistance in RESET [-].
R_TH_RESET_SCALING = 0.27
#: Disc plus plug length [m].
L_CELL_M = 3e-9
#: Thermal capacitance of the filament [J/K] (JART VCM v1b readvar, S. Wiefels et al., IEEE TED
#: 67(10) 4208, 2020); tau = R_th0 C_th = 16 ps.
C_TH_J_PER_K = 1e-18
#: Line thermal resistance [K/W] and temperature coefficient [1/K] (self-heating of R0).
R_TH_LINE_K_PER_W = 90471.47
ALPHA_LINE_PER_K = 3.92e-3

# --- nominal (deterministic) geometry the fit is centred on -------------------------------
#: Nominal filament radius r_det [m].
R_DET_M = 45e-9
#: Nominal disc length l_det [nm] (JART keeps lengths in nm).
L_DET_NM = 0.4
#: Fixed normalisation of the state in the current fit, "Ndmin" [1e26 m^-3].
N_FIT_NORMALISATION = 0.004

# --- validity box of the explicit fit (Ntinas 2023, Bengel 2020 ranges) -------------------
R_BOX_M = (40.5e-9, 49.5e-9)
L_BOX_NM = (0.36, 0.44)
N_MIN_BOX = (0.004, 0.25)
N_MAX_BOX = (18.0, 22.0)
#: Range of N over which the fit was made (lowest N_min to highest N_max) [1e26 m^-3].
N_BOX = (N_MIN_BOX[0], N_MAX_BOX[1])
#: Ambient temperature [K]: the kinetics are Arrhenius-type; the current fit was made at 293 K.
T_AMBIENT_BOX_K = (250.0, 400.0)
#: Series resistances: nominal values of the JART v1b var HOTO stack [ohm].
R_TIOX_NOMINAL_OHM = 650.0
R0_NOMINAL_OHM = 719.2437
#: Allowed relative deviation of the series resistances from the fitted values [-].
SERIES_RESISTANCE_TOLERANCE = 0.10

#: Clamp of ln(N) in the subcircuit and the reference, N in [1e-4, 100] x 1e26 m^-3: it acts
#: only on Newton trial points far outside the physical range.
LN_N_CLAMP = (math.log(1e-4), math.log(100.0))

#: Name of the ngspice subcircuit.
SUBCIRCUIT_NAME = "rram_vcm"
#: Name of the fixed-state (read-only) subcircuit.
FROZEN_SUBCIRCUIT_NAME = "rram_vcm_frozen"


@dataclass(frozen=True, slots=True)
class FitCoefficient:
    """One coefficient of the explicit current fit and its sensitivity to r and l.

    ``value(d_r, d_l) = base + d_r D_r + d_r^2 D_r2 + d_l (D_l + d_r D_lr + d_r^2 D_lr2)``
    (the cross terms exist only for ``p7_2`` at V > 0; Ntinas 2023).
    """

    base: float
    d_r: float = 0.0
    d_r2: float = 0.0
    d_l: float = 0.0
    d_lr: float = 0.0
    d_lr2: float = 0.0

    def value(self, d_r: float, d_l: float) -> float:
        """Coefficient at the normalised deviations ``d_r``, ``d_l`` [-]."""
        return (
            self.base
            + self.d_r * d_r
            + self.d_r2 * d_r * d_r
            + d_l * (self.d_l + self.d_lr * d_r + self.d_lr2 * d_r * d_r)
        )


#: Coefficients of the V > 0 branch (RESET and read), Ntinas 2023.
FIT_POSITIVE: dict[str, FitCoefficient] = {
    "p5_1": FitCoefficient(1.3769e-3, d_r=2.3087e-4, d_l=1.3293e-7),
    "p5_2": FitCoefficient(8.1819e-2),
    "p6_0": FitCoefficient(1.9687e-1, d_r=2.6129e-2),
    "p6_1": FitCoefficient(-2.1833e-2),
    "p7_0": FitCoefficient(-9.7606e1, d_r=-7.4338e-1, d_r2=1.1713e-1, d_l=2.4377),
    "p7_1": FitCoefficient(7.8250),
    "p7_2": FitCoefficient(
        9.9296e1, d_r=6.9547e-1, d_r2=-1.3724e-1, d_l=-2.3728, d_lr=-9.0456e-3, d_lr2=-1.2221e-3
    ),
    "p7_3": FitCoefficient(7.1092e-2),
    "p8_0": FitCoefficient(1.1713e-1, d_l=-3.8320e-3),
    "p8_1": FitCoefficient(8.1370e-2),
    "p10_0": FitCoefficient(9.7733e-1, d_l=5.9623e-5),
    "p10_1": FitCoefficient(3.5214e-2),
    "p10_2": FitCoefficient(1.2856e-2),
    "p11_0": FitCoefficient(9.4207e-1, d_l=-6.7239e-4),
    "p11_1": FitCoefficient(3.8953e-2),
    "p11_2": FitCoefficient(2.3436e-2),
}

#: Coefficients of the V < 0 branch (SET), Ntinas 2023.
FIT_NEGATIVE: dict[str, FitCoefficient] = {
    "p1_0": FitCoefficient(1.1830, d_r=-6.2246e-2, d_l=1.1419e-1),
    "p1_1": FitCoefficient(-2.7034e-3, d_r=-1.8077e-4, d_l=-2.0831e-4),
    "p1_2": FitCoefficient(-4.5379e-6, d_r=1.7313e-4, d_l=-8.9677e-5),
    "p1_3": FitCoefficient(9.9115e-1, d_r=5.7155e-3, d_l=-2.3237e-2),
    "p1_4": FitCoefficient(4.4093e-1, d_r=-9.7198e-4, d_l=-1.8507e-3),
    "p2_0": FitCoefficient(-2.5955e3),
    "p3_0": FitCoefficient(6.8845, d_r=1.2536e-1, d_l=2.5983e-1),
    "p3_1": FitCoefficient(-5.8995e-1, d_r=6.5498e-2, d_l=8.5666e-2),
    "p4_0": FitCoefficient(2.5890e3),
    "p4_1": FitCoefficient(-2.9537, d_r=8.2522e-2, d_l=-7.2255e-2),
    "p4_2": FitCoefficient(-5.4031e-1),
    "p5_1": FitCoefficient(6.4705e-4, d_r=1.5169e-5, d_l=1.3260e-6),
    "p5_2": FitCoefficient(5.1529e-5, d_r=6.7042e-7, d_r2=1.0756e-6),
    "p7_0": FitCoefficient(1.1708e-1, d_r=4.8662e-4, d_l=3.7351e-3),
    "p9_0": FitCoefficient(3.9052, d_r=-5.4723e-1, d_l=3.6802e-2),
    "p9_1": FitCoefficient(9.6130),
    "p9_2": FitCoefficient(-4.5637e-1),
    "p9_3": FitCoefficient(1.4310, d_r=3.6e-1),
    "p10_0": FitCoefficient(4.6925e-1),
    "p10_1": FitCoefficient(3.4731, d_r=1.1444e-2),
    "p10_2": FitCoefficient(-1.1871),
    "p10_3": FitCoefficient(5.6947e-1),
    "p11_0": FitCoefficient(1.0667e1, d_r=3.6290e-1),
    "p11_1": FitCoefficient(1.2812e-1),
    "p11_2": FitCoefficient(7.4414e-1),
    "p11_3": FitCoefficient(4.2381e-1),
}


def _check_box(field: str, value: float, box: tuple[float, float], unit: str) -> float:
    """``check_range`` whose message says it is the model's validity box."""
    try:
        return check_range(field, value, box[0], box[1], unit=unit)
    except ParameterError as error:
        raise ParameterError(
            field, value, error.allowed + " (validity box of the JART-TUD VCM model)"
        ) from None


@dataclass(frozen=True, slots=True)
class VcmParameters:
    """Parameters of one VCM device (and its current state).

    Defaults are the nominal JART v1b var device of Bengel 2020 (mean values of the user
    guide's Table 4.1) starting in its fully RESET state (``n_init = n_min``).

    Attributes
    ----------
    n_init : float
        State at the start of a simulation, ``N_disc`` [1e26 m^-3], in [0.004, 22] (the
        range the current fit covers). It may lie outside ``[n_min, n_max]`` after a
        cycle-to-cycle re-draw of the bounds; the model then only moves it towards them.
    n_min, n_max : float
        Lower / upper bound of ``N_disc`` [1e26 m^-3]: [0.004, 0.25] and [18, 22].
    r_filament_m : float
        Filament radius ``r`` [m], [40.5, 49.5] nm.
    l_disc_nm : float
        Disc length ``l`` [nm], [0.36, 0.44] nm.
    t_ambient_k : float
        Ambient temperature ``T0`` [K], [250, 400] K (state equation only).
    r_tiox_ohm : float
        Series resistance of the TiOx layer [ohm], 650 +- 10 % (state equation only).
    r0_ohm : float
        Line resistance at zero current [ohm], 719.24 +- 10 % (state equation only).

    Raises
    ------
    ParameterError
        Naming the field, the value and the validity box.
    """

    n_init: float = 0.008
    n_min: float = 0.008
    n_max: float = 20.0
    r_filament_m: float = R_DET_M
    l_disc_nm: float = L_DET_NM
    t_ambient_k: float = 293.0
    r_tiox_ohm: float = R_TIOX_NOMINAL_OHM
    r0_ohm: float = R0_NOMINAL_OHM

    def __post_init__(self) -> None:
        _check_box("n_init", self.n_init, N_BOX, "x 1e26 m^-3")
        _check_box("n_min", self.n_min, N_MIN_BOX, "x 1e26 m^-3")
        _check_box("n_max", self.n_max, N_MAX_BOX, "x 1e26 m^-3")
        _check_box("r_filament_m", self.r_filament_m, R_BOX_M, "m")
        _check_box("l_disc_nm", self.l_disc_nm, L_BOX_NM, "nm")
        _check_box("t_ambient_k", self.t_ambient_k, T_AMBIENT_BOX_K, "K")
        tol = SERIES_RESISTANCE_TOLERANCE
        _check_box(
            "r_tiox_ohm",
            self.r_tiox_ohm,
            (R_TIOX_NOMINAL_OHM * (1 - tol), R_TIOX_NOMINAL_OHM * (1 + tol)),
            "ohm",
        )
        _check_box(
            "r0_ohm", self.r0_ohm, (R0_NOMINAL_OHM * (1 - tol), R0_NOMINAL_OHM * (1 + tol)), "ohm"
        )

    @property
    def d_r(self) -> float:
        """Normalised radius deviation ``(r - r_det) / (0.1 r_det)`` [-]."""
        return (self.r_filament_m - R_DET_M) / (0.1 * R_DET_M)

    @property
    def d_l(self) -> float:
        """Normalised disc-length deviation ``(l - l_det) / (0.1 l_det)`` [-]."""
        return (self.l_disc_nm - L_DET_NM) / (0.1 * L_DET_NM)

    def with_state(self, n_disc: float) -> VcmParameters:
        """The same device in state ``n_disc`` [1e26 m^-3].

        A state within 0.1 % outside the fit's N range (integration round-off at N_min = 0.004
        or N_max = 22) is clipped into it; anything further out fails validation.
        """
        low, high = N_BOX
        if low * 0.999 <= n_disc <= high * 1.001:
            n_disc = min(max(n_disc, low), high)
        return replace(self, n_init=n_disc)

    def instance_values(self) -> tuple[tuple[str, float], ...]:
        """``(name, value)`` of the subcircuit's instance parameters, in SI units except
        ``N`` [1e26 m^-3] and ``l`` [nm] (the units of the JART equations)."""
        return (
            ("ninit", self.n_init),
            ("nmin", self.n_min),
            ("nmax", self.n_max),
            ("rvar", self.r_filament_m),
            ("lvar", self.l_disc_nm),
            ("t0", self.t_ambient_k),
            ("rtiox", self.r_tiox_ohm),
            ("r0", self.r0_ohm),
        )


def _num(value: float) -> str:
    # Only this module's own constants are formatted here (never user input).
    return f"{value:.12g}"


def _coefficient_expression(coefficient: FitCoefficient) -> str:
    """ngspice expression of a coefficient in the subcircuit parameters ``dr`` and ``dl``."""
    c = coefficient
    terms = [_num(c.base)]
    if c.d_r:
        terms.append(f"({_num(c.d_r)})*dr")
    if c.d_r2:
        terms.append(f"({_num(c.d_r2)})*dr*dr")
    if c.d_l or c.d_lr or c.d_lr2:
        terms.append(f"(({_num(c.d_l)})+({_num(c.d_lr)})*dr+({_num(c.d_lr2)})*dr*dr)*dl")
    return "{" + "+".join(terms) + "}"


def _current_fit_lines() -> list[str]:
    """``.param`` and ``.func`` lines of the explicit current fit (inside a subcircuit that has
    the instance parameters ``rvar`` and ``lvar``): ``ipos(v, x)`` and ``ineg(v, x)`` with
    ``x = ln(N / N_dL)``."""
    lines = [
        f".param dr={{(rvar-{_num(R_DET_M)})/{_num(0.1 * R_DET_M)}}}",
        f".param dl={{(lvar-{_num(L_DET_NM)})/{_num(0.1 * L_DET_NM)}}}",
    ]
    lines += [f".param k{name}p={_coefficient_expression(c)}" for name, c in FIT_POSITIVE.items()]
    lines += [f".param k{name}n={_coefficient_expression(c)}" for name, c in FIT_NEGATIVE.items()]
    lines += [
        f".param lnfit={_num(math.log(N_FIT_NORMALISATION))}",
        # V > 0 branch of the current fit.
        ".func ipos(v,x) {kp5_1p*(1-exp(-kp5_2p*v))/exp(ln(max(kp6_0p+kp6_1p*v"
        "+(kp7_0p+kp7_1p*v+kp7_2p*exp(-kp7_3p*v))"
        "*exp(-(kp10_0p+kp10_1p*v+kp10_2p*v*v)*(ln(kp8_0p+kp8_1p*v)+x)),1e-30))"
        "/(kp11_0p+kp11_1p*v+kp11_2p*v*v))}",
        # V < 0 branch: ExpLin part + generalised logistic part.
        ".func p4n(v) {kp4_0n-kp4_1n*exp(-kp4_2n*v)}",
        ".func p9n(v) {kp9_0n+(kp9_1n-kp9_0n)/(1+exp((v-kp9_2n)/kp9_3n))}",
        ".func p10n(v) {kp10_0n+(kp10_1n-kp10_0n)/(1+exp((v-kp10_2n)/kp10_3n))}",
        ".func p11n(v) {kp11_0n+(kp11_1n-kp11_0n)/(1+exp((v-kp11_2n)/kp11_3n))}",
        ".func ineg(v,x) {kp1_0n*(kp1_1n*v+kp1_2n*v*v)/(1+kp1_3n*v+kp1_4n*v*v)"
        "*(kp2_0n*(exp((x-kp3_0n-kp3_1n*v)/p4n(v))-1)+(x-kp3_0n-kp3_1n*v))"
        "+(kp5_1n*v+kp5_2n*v*v)"
        "/exp(ln(1+kp7_0n*exp(-p10n(v)*(x-p9n(v))))*p11n(v))}",
    ]
    return lines


def subcircuit_text() -> str:
    """The ngspice subcircuit ``rram_vcm AE OE LNN`` of the model (B-sources, no OSDI).

    Ports: ``AE`` active electrode, ``OE`` ohmic electrode, ``LNN`` the state node, whose
    voltage is ``ln(N_disc)`` (N in 1e26 m^-3). The state lives on a 1 F capacitor fed by
    ``d ln(N)/dt = (dN/dt)/N``: with N itself on the capacitor the SET transient overshot to
    negative N in ngspice 39, with ln N it is stable. A 1e15 ohm resistor gives the node a DC
    path (it changes ln N by < 1e-15 per second). The caller must set the initial state with
    ``.ic v(LNN)=ln(ninit)``, which also holds the node during the operating point.

    Internal nodes: ``ni`` (current in uA), ``nvr`` (V - V_series), ``ng`` (field factor g),
    ``ndt`` (temperature rise on ``C_th``). Splitting the expressions this way made the model
    ~20x faster than one B-source holding everything (ngspice differentiates each expression
    symbolically, and the current fit was repeated ~10 times in it).

    Numerical guards (they act only outside the physical range, e.g. at the first Newton
    iterations, where node voltages start at 0): N is clamped to [1e-4, 100], the field factor
    ``g`` to +-0.999 (``asin`` and ``sqrt(1 - g^2)``), the temperature to [T0, 3000 K].

    ngspice 39 pitfalls respected (research notes, checked): a ``.func`` call right after
    ``?`` in a ternary must be wrapped in parentheses; no parameter named ``pi``; node
    voltages are passed to ``.func`` as arguments, never used inside their bodies.
    """
    lines = [
        "* JART VCM v1b physics, explicit JART-TUD current (Ntinas 2023, Bengel 2020)",
        "* V(ae,oe) < 0: SET (N rises); V(ae,oe) > 0: RESET (N falls); v(lnn) = ln(N)",
        f".subckt {SUBCIRCUIT_NAME} ae oe lnn ninit=0.008 nmin=0.008 nmax=20"
        f" rvar={_num(R_DET_M)} lvar={_num(L_DET_NM)} t0=293"
        f" rtiox={_num(R_TIOX_NOMINAL_OHM)} r0={_num(R0_NOMINAL_OHM)}",
        *_current_fit_lines(),
    ]
    pic = _num(math.pi)
    kbe = _num(BOLTZMANN_EV_PER_K)
    dwa = _num(ACTIVATION_ENERGY_EV)
    lines += [
        # a nu0 / l [1/s]
        f".param kflux={{{_num(HOP_DISTANCE_M * ATTEMPT_FREQUENCY_HZ)}/(lvar*1e-9)}}",
        # E_set = I * kfield / N [V/m]: V_disc / l = I / (z e N 1e26 mu_n pi r^2)
        f".param kfield={{1/({_num(Z_VO * ELEMENTARY_CHARGE_C * 1e26 * ELECTRON_MOBILITY_M2_VS)}"
        f"*{pic}*rvar*rvar)}}",
        f".param rthset={{{_num(R_TH0_K_PER_W)}*({_num(R_DET_M)}/rvar)*({_num(R_DET_M)}/rvar)}}",
        f".param rthres={{rthset*{_num(R_TH_RESET_SCALING)}}}",
        f".param kgam={_num(Z_VO * HOP_DISTANCE_M / (math.pi * ACTIVATION_ENERGY_EV))}",
        # x = ln(N / N_dL) from the clamped state node.
        f".func xof(s) {{min(max(s,{_num(LN_N_CLAMP[0])}),{_num(LN_N_CLAMP[1])})-lnfit}}",
        f".func nof(s) {{exp(min(max(s,{_num(LN_N_CLAMP[0])}),{_num(LN_N_CLAMP[1])}))}}",
        # Net hopping rate 2 exp(-W0/kT) sinh(g pi dWa / 2kT) [-], of the clamped g.
        f".func hopc(g,tk) {{2*exp(-{dwa}*(sqrt(1-g*g)+g*asin(g))/({kbe}*tk))"
        f"*sinh(g*{pic}*{dwa}/(2*{kbe}*tk))}}",
        # Node voltages of a Newton trial point are not yet consistent: clamp again here.
        ".func hop(g,tk) {hopc(max(min(g,0.999),-0.999),min(max(tk,t0),3000))}",
        # Intermediate nodes keep each expression (and ngspice's symbolic derivative of it)
        # small; written out in one B-source the current fit appears ~10 times and the 1 V/s
        # sweep took 4.8 s instead of 0.23 s. Node ni: device current in uA (1 uV = 1 pA).
        "bi ni 0 v={1e6*(v(ae,oe) > 0 ? (ipos(v(ae,oe),xof(v(lnn))))"
        " : (ineg(v(ae,oe),xof(v(lnn)))))}",
        "bm ae oe i={1e-6*v(ni)}",
        # Node nvr: V - V_series [V], with line self-heating (Bengel Eq. (12)).
        f"bvr nvr 0 v={{v(ae,oe)-1e-6*v(ni)*(rtiox+r0*(1"
        f"+r0*{_num(ALPHA_LINE_PER_K * R_TH_LINE_K_PER_W * 1e-12)}*v(ni)*v(ni)))}}",
        # Node ng: field factor g (Eqs. (7), (10), (11)), clamped inside asin's domain.
        f"bg ng 0 v={{max(min(kgam*(v(ae,oe) > 0 ? (v(nvr)/{_num(L_CELL_M)})"
        " : (1e-6*v(ni)*kfield/nof(v(lnn)))),0.999),-0.999)}",
        # Node ndt: temperature rise [K]; C_th d(dT)/dt = P - dT / R_th,eff (Eqs. (5)-(6) plus
        # the thermal capacitance of JART v1b readvar, Wiefels 2020).
        "bth 0 ndt i={max(1e-6*v(ni)*v(nvr),0)-v(ndt)/(v(ae,oe) > 0 ? rthres : rthset)}",
        f"cth ndt 0 {_num(C_TH_J_PER_K)}",
        # d ln(N)/dt = (dN/dt)/N into the 1 F state capacitor; F_lim < 0 past a bound pulls
        # the state back (see the module docstring).
        f"bion 0 lnn i={{-(({_num(N_PLUG)}+nof(v(lnn)))/(2*nof(v(lnn))))*kflux*hop(v(ng),t0+v(ndt))"
        "*(v(ae,oe) > 0 ? (1-exp(10*ln(nmin/nof(v(lnn)))))"
        " : (1-exp(10*ln(nof(v(lnn))/nmax))))}",
        "cn lnn 0 1",
        "rn lnn 0 1e15",
        f".ends {SUBCIRCUIT_NAME}",
    ]
    return "\n".join(lines)


def frozen_subcircuit_text() -> str:
    """The subcircuit ``rram_vcm_frozen AE OE``: the model's current at a fixed state.

    Only the explicit current ``I(V(AE, OE), N)`` of :func:`subcircuit_text`, with the state
    ``n`` an instance parameter and no state equation. For reads: a PCSA read of a few
    nanoseconds moves N by ~1e-4 (LRS) and ~1e-9 (HRS) relative in the full model (see
    ``tests/characterization/test_programming.py``), far below what matters for the decision,
    and the frozen element keeps the nonlinear and polarity-dependent I-V that a fixed
    resistor would lose, at a fraction of the cost.
    """
    lines = [
        "* JART-TUD current of a VCM device at a fixed state n (Ntinas 2023)",
        f".subckt {FROZEN_SUBCIRCUIT_NAME} ae oe n=0.008"
        f" rvar={_num(R_DET_M)} lvar={_num(L_DET_NM)} kt=1",
        *_current_fit_lines(),
        ".param xst={ln(n)-lnfit}",
        "bm ae oe i={kt*(v(ae,oe) > 0 ? (ipos(v(ae,oe),xst)) : (ineg(v(ae,oe),xst)))}",
        f".ends {FROZEN_SUBCIRCUIT_NAME}",
    ]
    return "\n".join(lines)
