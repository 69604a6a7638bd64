"""NumPy/SciPy reference implementation of the VCM model of :mod:`rram_ber.models.vcm`.

The same equations as the ngspice subcircuit (see :mod:`rram_ber.models.vcm` for them and their
sources), written once more in NumPy so that the subcircuit can be checked against an
independent integration, and so that read resistances of a known state can be computed
without a simulator (the current is an explicit function of V and N).

Sign convention: ``V = V(AE, OE)``; SET (N rises) at V < 0, RESET (N falls) at V > 0; the
current is counted from AE to OE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rram_ber.models.vcm import (
    ACTIVATION_ENERGY_EV,
    ALPHA_LINE_PER_K,
    ATTEMPT_FREQUENCY_HZ,
    BOLTZMANN_EV_PER_K,
    ELECTRON_MOBILITY_M2_VS,
    ELEMENTARY_CHARGE_C,
    FIT_NEGATIVE,
    FIT_POSITIVE,
    HOP_DISTANCE_M,
    L_CELL_M,
    LN_N_CLAMP,
    N_FIT_NORMALISATION,
    N_PLUG,
    R_DET_M,
    R_TH0_K_PER_W,
    R_TH_LINE_K_PER_W,
    R_TH_RESET_SCALING,
    Z_VO,
    VcmParameters,
)

FloatArray = NDArray[np.float64]

#: Largest |g| used in asin / sqrt(1 - g^2), the same guard as the subcircuit.
_GAMMA_LIMIT = 0.999
#: Temperature cap [K], the same guard as the subcircuit (reached only far outside use).
_T_MAX_K = 3000.0


def _coefficients(params: VcmParameters) -> tuple[dict[str, float], dict[str, float]]:
    d_r, d_l = params.d_r, params.d_l
    pos = {name: c.value(d_r, d_l) for name, c in FIT_POSITIVE.items()}
    neg = {name: c.value(d_r, d_l) for name, c in FIT_NEGATIVE.items()}
    return pos, neg


def current(v: ArrayLike, n_disc: ArrayLike, params: VcmParameters) -> FloatArray:
    """Device current ``I(V, N)`` of the explicit JART-TUD fit [A] (Ntinas 2023, Eq. (1)).

    Parameters
    ----------
    v : array_like
        ``V(AE, OE)`` [V].
    n_disc : array_like
        Disc vacancy concentration ``N`` [1e26 m^-3] (broadcast against ``v``).
    params : VcmParameters
        Device; its ``r`` and ``l`` set the coefficients (``n_init`` is not used).

    Returns
    -------
    numpy.ndarray
        Current from AE to OE [A]; it has the sign of ``v``.
    """
    v_arr, n_arr = np.broadcast_arrays(np.asarray(v, dtype=float), np.asarray(n_disc, dtype=float))
    pos, neg = _coefficients(params)
    x = np.log(n_arr / N_FIT_NORMALISATION)

    with np.errstate(over="ignore", invalid="ignore"):
        # V > 0 (RESET and read).
        vp = np.maximum(v_arr, 0.0)
        p5 = pos["p5_1"] * (1.0 - np.exp(-pos["p5_2"] * vp))
        p6 = pos["p6_0"] + pos["p6_1"] * vp
        p7 = pos["p7_0"] + pos["p7_1"] * vp + pos["p7_2"] * np.exp(-pos["p7_3"] * vp)
        p8 = pos["p8_0"] + pos["p8_1"] * vp
        p10 = pos["p10_0"] + pos["p10_1"] * vp + pos["p10_2"] * vp * vp
        p11 = pos["p11_0"] + pos["p11_1"] * vp + pos["p11_2"] * vp * vp
        i_pos = p5 / (p6 + p7 * (p8 * np.exp(x)) ** (-p10)) ** (1.0 / p11)

        # V < 0 (SET).
        vn = np.minimum(v_arr, 0.0)
        p1 = (
            neg["p1_0"]
            * (neg["p1_1"] * vn + neg["p1_2"] * vn * vn)
            / (1.0 + neg["p1_3"] * vn + neg["p1_4"] * vn * vn)
        )
        p3 = neg["p3_0"] + neg["p3_1"] * vn
        p4 = neg["p4_0"] - neg["p4_1"] * np.exp(-neg["p4_2"] * vn)
        p5n = neg["p5_1"] * vn + neg["p5_2"] * vn * vn
        p9 = neg["p9_0"] + (neg["p9_1"] - neg["p9_0"]) / (
            1.0 + np.exp((vn - neg["p9_2"]) / neg["p9_3"])
        )
        p10n = neg["p10_0"] + (neg["p10_1"] - neg["p10_0"]) / (
            1.0 + np.exp((vn - neg["p10_2"]) / neg["p10_3"])
        )
        p11n = neg["p11_0"] + (neg["p11_1"] - neg["p11_0"]) / (
            1.0 + np.exp((vn - neg["p11_2"]) / neg["p11_3"])
        )
        i_neg = (
            p1 * (neg["p2_0"] * (np.exp((x - p3) / p4) - 1.0) + (x - p3))
            + p5n / (1.0 + neg["p7_0"] * np.exp(-p10n * (x - p9))) ** p11n
        )
    return np.where(v_arr > 0.0, i_pos, i_neg).astype(float)


def resistance(v: ArrayLike, n_disc: ArrayLike, params: VcmParameters) -> FloatArray:
    """Chord resistance ``V / I(V, N)`` [ohm] at a non-zero ``V = V(AE, OE)``.

    The HRS conducts less in the SET polarity (Schottky contact at AE): at |V| = 0.1 V and
    N = 0.008 the resistance is 1.8 times higher at V < 0 than at V > 0, while LRS states differ
    by a few %. A read resistance must therefore state its polarity.

    Parameters
    ----------
    v : array_like
        ``V(AE, OE)`` [V], non-zero.
    n_disc : array_like
        State ``N`` [1e26 m^-3].
    params : VcmParameters
        Device (``r``, ``l``).
    """
    return np.asarray(np.asarray(v, dtype=float) / current(v, n_disc, params), dtype=float)


def series_voltage(i: ArrayLike, params: VcmParameters) -> FloatArray:
    """Voltage over the series resistance with line self-heating [V] (Bengel 2020, Eq. (12))."""
    i_arr = np.asarray(i, dtype=float)
    r_series = params.r_tiox_ohm + params.r0_ohm * (
        1.0 + params.r0_ohm * ALPHA_LINE_PER_K * R_TH_LINE_K_PER_W * i_arr * i_arr
    )
    return np.asarray(i_arr * r_series, dtype=float)


def _thermal(v: FloatArray, i: FloatArray, params: VcmParameters) -> tuple[FloatArray, FloatArray]:
    """Joule power in the disc, plug and Schottky contact [W] and R_th,eff [K/W] (Eqs. (5)-(6))."""
    v_series = series_voltage(i, params)
    power = np.maximum(i * (v - v_series), 0.0)
    rth_set = R_TH0_K_PER_W * (R_DET_M / params.r_filament_m) ** 2
    rth = np.where(v > 0.0, rth_set * R_TH_RESET_SCALING, rth_set)
    return np.asarray(power, dtype=float), np.asarray(rth, dtype=float)


def temperature_rise(v: ArrayLike, n_disc: ArrayLike, params: VcmParameters) -> FloatArray:
    """Steady-state temperature rise ``P R_th,eff`` of the filament [K] (Bengel Eqs. (5)-(6))."""
    v_arr, n_arr = np.broadcast_arrays(np.asarray(v, dtype=float), np.asarray(n_disc, dtype=float))
    power, rth = _thermal(v_arr, current(v_arr, n_arr, params), params)
    return np.asarray(power * rth, dtype=float)


def dn_dt(
    v: ArrayLike,
    n_disc: ArrayLike,
    params: VcmParameters,
    delta_t_k: ArrayLike | None = None,
) -> FloatArray:
    """State derivative ``dN/dt`` [1e26 m^-3 / s] (Bengel 2020, Eqs. (1)-(13)).

    Positive in SET (V < 0), negative in RESET (V > 0), zero at ``N_max`` in SET and at
    ``N_min`` in RESET; past those bounds ``F_lim`` < 0 pulls the state back (see
    :mod:`rram_ber.models.vcm` for this one change from JART's hard stop).

    Parameters
    ----------
    v : array_like
        ``V(AE, OE)`` [V].
    n_disc : array_like
        State ``N`` [1e26 m^-3].
    params : VcmParameters
        Device.
    delta_t_k : array_like, optional
        Temperature rise of the filament [K]; default the steady state
        :func:`temperature_rise` (the thermal time constant is 16 ps).
    """
    v_arr, n_arr = np.broadcast_arrays(np.asarray(v, dtype=float), np.asarray(n_disc, dtype=float))
    i = current(v_arr, n_arr, params)
    v_series = series_voltage(i, params)
    r = params.r_filament_m
    l_m = params.l_disc_nm * 1e-9
    area = np.pi * r * r
    reset = v_arr > 0.0
    if delta_t_k is None:
        power, rth = _thermal(v_arr, i, params)
        rise = power * rth
    else:
        rise = np.asarray(delta_t_k, dtype=float)
    t_k = np.clip(params.t_ambient_k + rise, params.t_ambient_k, _T_MAX_K)

    # Driving field: over the disc in SET, over disc + plug in RESET (Eqs. (10)-(11)).
    e_set = i / (Z_VO * ELEMENTARY_CHARGE_C * n_arr * 1e26 * ELECTRON_MOBILITY_M2_VS * area)
    e_reset = (v_arr - v_series) / L_CELL_M
    field = np.where(reset, e_reset, e_set)
    g = np.clip(
        Z_VO * HOP_DISTANCE_M * field / (np.pi * ACTIVATION_ENERGY_EV),
        -_GAMMA_LIMIT,
        _GAMMA_LIMIT,
    )
    kt = BOLTZMANN_EV_PER_K * t_k
    w0 = ACTIVATION_ENERGY_EV * (np.sqrt(1.0 - g * g) + g * np.arcsin(g))
    hop = 2.0 * np.exp(-w0 / kt) * np.sinh(g * np.pi * ACTIVATION_ENERGY_EV / (2.0 * kt))
    f_lim = np.where(reset, 1.0 - (params.n_min / n_arr) ** 10, 1.0 - (n_arr / params.n_max) ** 10)
    rate = -(N_PLUG + n_arr) / 2.0 * (HOP_DISTANCE_M * ATTEMPT_FREQUENCY_HZ / l_m) * hop * f_lim
    return np.asarray(rate, dtype=float)


@dataclass(frozen=True)
class ReferenceTrajectory:
    """Solution of the reference model under a voltage waveform.

    Attributes
    ----------
    time_s : numpy.ndarray
        Time points [s].
    v : numpy.ndarray
        ``V(AE, OE)`` at those times [V].
    n_disc : numpy.ndarray
        State [1e26 m^-3].
    current_a : numpy.ndarray
        Current from AE to OE [A].
    """

    time_s: FloatArray
    v: FloatArray
    n_disc: FloatArray
    current_a: FloatArray


def simulate(
    voltage: Callable[[float], float],
    t_stop_s: float,
    params: VcmParameters,
    t_eval: ArrayLike | None = None,
    max_step_s: float | None = None,
    rtol: float = 1e-6,
) -> ReferenceTrajectory:
    """Integrate ``d ln(N)/dt`` under ``V(t) = voltage(t)`` with SciPy's LSODA solver.

    LSODA switches between stiff (BDF) and non-stiff (Adams) formulas as the state moves. Plain
    BDF with these tolerances stops with "required step size is less than spacing between
    numbers" on SciPy 1.17 at the SET of a device at the box corner (N_init 0.004, r 49.5 nm,
    l_disc 0.36 nm, 1 V/s); LSODA integrates the same sweeps about 3x faster.

    The state is integrated as ``ln N``, like the subcircuit, which keeps it positive. The
    temperature is the steady state ``T0 + P R_th,eff``, the limit of the subcircuit's thermal
    node (time constant 16 ps) for waveforms slower than picoseconds; a second stiff state
    with that time constant made a 5 s sweep take minutes in SciPy for no visible change.

    Parameters
    ----------
    voltage : callable
        ``V(AE, OE)`` [V] as a function of time [s].
    t_stop_s : float
        End time [s].
    params : VcmParameters
        Device; ``n_init`` is the initial state.
    t_eval : array_like, optional
        Output times (default: the solver's own steps).
    max_step_s : float, optional
        Largest solver step [s]; set it below the shortest feature of ``voltage``.
    rtol : float
        Relative tolerance of the solver.
    """

    def rhs(t: float, y: FloatArray) -> FloatArray:
        # The subcircuit's clamp of the state, which also keeps trial steps finite.
        n = float(np.exp(np.clip(y[0], LN_N_CLAMP[0], LN_N_CLAMP[1])))
        return np.array([float(dn_dt(voltage(t), n, params)) / n])

    # Imported here, not at the top: the netlist code imports this module for its closed-form
    # resistance, and SciPy's integrators would add ~0.2 s to every worker's start.
    from scipy.integrate import solve_ivp

    solution = solve_ivp(
        rhs,
        (0.0, t_stop_s),
        [np.log(params.n_init)],
        method="LSODA",
        t_eval=None if t_eval is None else np.asarray(t_eval, dtype=float),
        max_step=np.inf if max_step_s is None else max_step_s,
        rtol=rtol,
        atol=1e-9,
    )
    if not solution.success:
        raise RuntimeError(f"reference integration failed: {solution.message}")
    time_s = np.asarray(solution.t, dtype=float)
    v = np.array([voltage(t) for t in time_s], dtype=float)
    n = np.exp(np.asarray(solution.y[0], dtype=float))
    return ReferenceTrajectory(time_s, v, n, current(v, n, params))


def triangle_sweep(
    v_amplitude: float, rate_v_per_s: float
) -> tuple[Callable[[float], float], float]:
    """The bipolar triangular sweep 0 -> -A -> 0 -> +A -> 0 (SET first) and its duration.

    Parameters
    ----------
    v_amplitude : float
        Peak |V(AE, OE)| [V].
    rate_v_per_s : float
        Sweep rate [V/s].

    Returns
    -------
    tuple
        ``(voltage(t) [V], duration [s])``.
    """
    quarter = v_amplitude / rate_v_per_s

    def voltage(t: float) -> float:
        phase = t / quarter
        if phase <= 1.0:
            return -v_amplitude * phase
        if phase <= 2.0:
            return -v_amplitude * (2.0 - phase)
        if phase <= 3.0:
            return v_amplitude * (phase - 2.0)
        return v_amplitude * max(4.0 - phase, 0.0)

    return voltage, 4.0 * quarter
