"""Behavioural model of the weak RESET of HfO2 RRAM, vectorised over devices.

The model (Majumdar et al., "Model of the weak RESET process in HfOx resistive memory for deep
learning frameworks", arXiv 2107.06064, in the form of the authors' public code) gives the
resistance of a device after ``t`` cumulative weak-RESET pulses as

.. math::

    R = R_0 \\exp(w), \\qquad w = w_{mean}(t) + w_{RTN} + \\alpha\\, w_{pink},

    w_{mean}(t) = m_1 t + c_1 \\quad (t < t^*), \\qquad
    w_{mean}(t) = m_2 t + t^*(m_1 - m_2) + c_1 \\quad (t \\ge t^*),

a fast-then-slow (saturating) rise in ``ln R``. Per device, ``m1``, ``t*``, ``c1``, ``m2`` and
``R0`` are drawn once (device-to-device variability) from truncated distributions
(:class:`WeakResetParameters`; published values in :data:`PUBLISHED`). The random telegraph
noise (RTN) is a two-state Markov chain per device, advanced by the pulses (``p_up`` low to
high, ``p_down`` high to low per pulse); in the high state it adds ``U(0, A)`` to ``w`` (drawn
again at every pulse), with ``A ~ U(0, rtn_amplitude_max)`` per device. The pink (1/f) noise
is white noise filtered by the first ``pink_poles`` coefficients of the fractional
differencing filter of Kasdin (Proc. IEEE 83(5) 802, 1995) for a 1/f spectrum,
``b_0 = 1, b_k = b_{k-1} (k - 1/2) / k`` (1, 0.5, 0.375, 0.3125, ...), one new white sample
per pulse.

Two departures from the authors' code, both stated where they matter: the white noise is
centred (``U(-1/2, 1/2)`` instead of ``U(0, 1)``, whose mean would add a constant
``alpha * sum(b) / 2 = 0.056`` to ``w`` that the fitted ``c1`` already holds), and the RTN
amplitude in the high state is ``U(0, A)`` (their code draws ``U(0, U(0, A))``).

:func:`fit_weak_reset` fits the same form to simulated or measured pulse trains (resistance
against pulse count, one row per device), so the SPICE-derived parameters of
:mod:`rram_ber.characterization.weak_reset` can replace the published ones.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from rram_ber.core.validation import ParameterError, check_int, check_range, parse_enum

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def pink_coefficients(poles: int) -> FloatArray:
    """The first ``poles`` coefficients of Kasdin's 1/f filter: 1, 0.5, 0.375, 0.3125, ...

    ``b_k = b_{k-1} (k - 1 + a/2) / k`` with spectral exponent ``a = 1`` (Kasdin, Proc. IEEE
    83(5) 802, 1995, Eq. (116)).
    """
    check_int("poles", poles, 1, 1000)
    b = np.ones(poles)
    for k in range(1, poles):
        b[k] = b[k - 1] * (k - 0.5) / k
    return b


#: Variance of the centred white noise ``U(-1/2, 1/2)`` that drives the pink noise.
WHITE_VARIANCE = 1.0 / 12.0


# --- truncated laws ----------------------------------------------------------------------


class LawKind(enum.StrEnum):
    """Family of a :class:`TruncatedLaw`."""

    NORMAL = "normal"
    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"


@dataclass(frozen=True, slots=True)
class TruncatedLaw:
    """A distribution truncated to ``[low, high]``, sampled by inverse CDF.

    Attributes
    ----------
    kind : LawKind
        ``NORMAL`` (``loc`` mean, ``scale`` standard deviation), ``EXPONENTIAL``
        (``loc`` + Exp(``scale``)) or ``LOGNORMAL`` (median ``scale``, ``shape`` the standard
        deviation of the log; ``loc`` must be 0); its name is accepted too.
    loc, scale, shape : float
        Parameters as above; ``scale = 0`` gives the constant ``loc`` (``LOGNORMAL``: not
        allowed).
    low, high : float
        Truncation bounds, ``low <= high``.
    """

    kind: LawKind
    loc: float
    scale: float
    low: float
    high: float
    shape: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", parse_enum(LawKind, self.kind, "kind"))
        for name in ("loc", "scale", "low", "high", "shape"):
            value = getattr(self, name)
            if not math.isfinite(value):
                raise ParameterError(name, value, "a finite number")
        check_range("scale", self.scale, 0.0, math.inf)
        check_range("shape", self.shape, 0.0, math.inf)
        if self.high < self.low:
            raise ParameterError("high", self.high, f"at least low = {self.low:g}")
        if self.kind is LawKind.LOGNORMAL and (
            self.scale <= 0.0 or self.low <= 0.0 or self.loc != 0.0
        ):
            raise ParameterError(
                "scale", self.scale, "a positive median with low > 0 and loc = 0 (lognormal)"
            )

    @property
    def constant(self) -> bool:
        """Whether the law is a single value (no spread)."""
        return self.low == self.high or (
            self.shape == 0.0 if self.kind is LawKind.LOGNORMAL else self.scale == 0.0
        )

    def cdf(self, x: ArrayLike) -> FloatArray:
        """CDF of the untruncated law at ``x``."""
        x = np.asarray(x, dtype=float)
        if self.kind is LawKind.NORMAL:
            return np.asarray(special.ndtr((x - self.loc) / self.scale), dtype=float)
        if self.kind is LawKind.EXPONENTIAL:
            return np.where(x > self.loc, -np.expm1(-(x - self.loc) / self.scale), 0.0)
        z = np.log(np.maximum(x, 1e-300) / self.scale) / self.shape
        return np.where(x > 0, special.ndtr(z), 0.0)

    def ppf(self, q: ArrayLike) -> FloatArray:
        """Inverse CDF of the untruncated law at probabilities ``q``."""
        q = np.asarray(q, dtype=float)
        if self.kind is LawKind.NORMAL:
            return np.asarray(self.loc + self.scale * special.ndtri(q), dtype=float)
        if self.kind is LawKind.EXPONENTIAL:
            return np.asarray(self.loc - self.scale * np.log1p(-q), dtype=float)
        return np.asarray(self.scale * np.exp(self.shape * special.ndtri(q)), dtype=float)

    def truncated_cdf(self, x: ArrayLike) -> FloatArray:
        """CDF of the truncated law at ``x`` (what :meth:`sample` draws from)."""
        x = np.clip(np.asarray(x, dtype=float), self.low, self.high)
        lo, hi = self.cdf(self.low), self.cdf(self.high)
        return np.asarray((self.cdf(x) - lo) / (hi - lo), dtype=float)

    def truncated_ppf(self, q: ArrayLike) -> FloatArray:
        """Inverse CDF of the truncated law at probabilities ``q``."""
        q = np.asarray(q, dtype=float)
        if self.constant:
            return np.full(q.shape, self.centre())
        lo, hi = self.cdf(self.low), self.cdf(self.high)
        return np.clip(self.ppf(lo + q * (hi - lo)), self.low, self.high)

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> FloatArray:
        """Draws from the truncated law (one ``rng.random`` per value, even if constant)."""
        return self.truncated_ppf(rng.random(size))

    def median(self) -> float:
        """Median of the truncated law."""
        return float(self.truncated_ppf(0.5))

    def centre(self) -> float:
        """The value every device gets without device-to-device variability.

        The mean of the truncated law (so that the average device is the same with and
        without variability), from 4001 quantiles.
        """
        if self.constant:
            value = self.loc if self.kind is not LawKind.LOGNORMAL else self.scale
            return float(np.clip(value, self.low, self.high))
        return float(np.mean(self.truncated_ppf((np.arange(4001) + 0.5) / 4001)))


# --- parameters --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeakResetParameters:
    """Parameters of the weak-RESET model.

    Attributes
    ----------
    m1 : TruncatedLaw
        Initial slope of ``ln(R/R0)`` [1/pulse].
    t_star : TruncatedLaw
        Pulse count where the slope changes [pulses].
    c1 : TruncatedLaw
        Offset of ``ln(R/R0)`` [1].
    m2 : TruncatedLaw
        Slope after ``t*`` [1/pulse].
    r0_ohm : TruncatedLaw
        Resistance before the first weak-RESET pulse (after SET) [ohm].
    p_up, p_down : float
        RTN transition probabilities per pulse, low to high and high to low, in [0, 1].
    rtn_amplitude_max : float
        Per-device RTN amplitude ``A ~ U(0, rtn_amplitude_max)`` [in ln R], >= 0.
    pink_alpha : float
        Coupling of the pink noise into ``w`` [1], >= 0.
    pink_poles : int
        Length of the pink-noise filter, 1 ... 1000.
    source : str
        Where the values come from (for reports).
    """

    m1: TruncatedLaw
    t_star: TruncatedLaw
    c1: TruncatedLaw
    m2: TruncatedLaw
    r0_ohm: TruncatedLaw
    p_up: float = 0.0008
    p_down: float = 0.002
    rtn_amplitude_max: float = 0.5
    pink_alpha: float = 2.5e-2
    pink_poles: int = 15
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("m1", "t_star", "c1", "m2", "r0_ohm"):
            if not isinstance(getattr(self, name), TruncatedLaw):
                raise ParameterError(name, getattr(self, name), "a TruncatedLaw")
        if self.t_star.low < 0.0 or self.r0_ohm.low <= 0.0:
            raise ParameterError("t_star/r0_ohm", self.r0_ohm.low, "non-negative t*, R0 > 0")
        check_range("p_up", self.p_up, 0.0, 1.0)
        check_range("p_down", self.p_down, 0.0, 1.0)
        if self.p_up + self.p_down > 1.0:
            raise ParameterError("p_up + p_down", self.p_up + self.p_down, "at most 1")
        check_range("rtn_amplitude_max", self.rtn_amplitude_max, 0.0, 10.0)
        check_range("pink_alpha", self.pink_alpha, 0.0, 10.0)
        check_int("pink_poles", self.pink_poles, 1, 1000)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> WeakResetParameters:
        """Parameters from ``dataclasses.asdict`` output (e.g. read back from JSON)."""
        laws = ("m1", "t_star", "c1", "m2", "r0_ohm")
        try:
            fields: dict[str, Any] = {
                k: TruncatedLaw(**v) if k in laws else v for k, v in values.items()
            }
            return cls(**fields)
        except TypeError as error:
            raise ParameterError(
                "parameters", sorted(values), f"the fields of {cls.__name__}"
            ) from error

    @property
    def rtn_high_fraction(self) -> float:
        """Stationary probability of the RTN high state, ``p_up / (p_up + p_down)``."""
        total = self.p_up + self.p_down
        return 0.0 if total == 0.0 else self.p_up / total

    def rtn_high_probability(self, pulses: ArrayLike) -> FloatArray:
        """P(RTN high) after ``pulses`` pulses, starting low: ``pi (1 - (1 - p_up - p_down)^t)``."""
        t = np.asarray(pulses, dtype=float)
        return np.asarray(
            self.rtn_high_fraction * (1.0 - (1.0 - self.p_up - self.p_down) ** t), dtype=float
        )

    @property
    def pink_std(self) -> float:
        """Standard deviation of ``alpha * w_pink`` once the filter is full [1]."""
        b = pink_coefficients(self.pink_poles)
        return float(self.pink_alpha * math.sqrt(WHITE_VARIANCE * float(np.sum(b * b))))


#: Published parameters (Majumdar et al., arXiv 2107.06064, values of the authors' code).
PUBLISHED = WeakResetParameters(
    m1=TruncatedLaw(LawKind.EXPONENTIAL, 3.7415768e-05, 6.564678e-4, 3.74e-5, 7.6e-3),
    t_star=TruncatedLaw(LawKind.LOGNORMAL, 0.0, 542.53852, 41.0, 2000.0, shape=0.80338177),
    c1=TruncatedLaw(LawKind.NORMAL, 0.005293141, 0.053208042, -0.15, 0.15),
    m2=TruncatedLaw(LawKind.EXPONENTIAL, 0.0, 2.8890517e-05, 0.0, 1.3e-4),
    r0_ohm=TruncatedLaw(LawKind.NORMAL, 6988.0, 381.7, 6252.0, 7897.0),
    source="Majumdar et al., arXiv 2107.06064 (authors' code)",
)


@dataclass(frozen=True, slots=True)
class Imperfections:
    """Which imperfections of the model are on.

    Attributes
    ----------
    d2d : bool
        Device-to-device variability of m1, t*, c1, m2, R0 (off: every device gets each law's
        truncated mean, :meth:`TruncatedLaw.centre`) and of the RTN amplitude (off:
        ``rtn_amplitude_max / 2``).
    rtn : bool
        Random telegraph noise.
    pink : bool
        Pink (1/f) noise.
    """

    d2d: bool = True
    rtn: bool = True
    pink: bool = True

    def __post_init__(self) -> None:
        for name in ("d2d", "rtn", "pink"):
            if not isinstance(getattr(self, name), bool):
                raise ParameterError(name, getattr(self, name), "True or False")


ALL_ON = Imperfections()
IDEAL = Imperfections(d2d=False, rtn=False, pink=False)


# --- simulated devices -------------------------------------------------------------------


@dataclass
class WeakResetDevices:
    """State of ``n`` devices (flat arrays); create with :meth:`create`.

    Attributes
    ----------
    parameters : WeakResetParameters
    imperfections : Imperfections
    m1, t_star, c1, m2, r0_ohm, rtn_amplitude : numpy.ndarray
        Per-device values drawn once.
    pulses : numpy.ndarray of int64
        Weak-RESET pulses received since the last SET.
    rtn_high : numpy.ndarray of bool
        RTN state.
    rtn_value : numpy.ndarray
        RTN contribution to ``w`` (0 in the low state).
    white : numpy.ndarray, shape (n, pink_poles)
        Last white-noise samples, newest first.
    rng : numpy.random.Generator
        Source of the noise.
    """

    parameters: WeakResetParameters
    imperfections: Imperfections
    m1: FloatArray
    t_star: FloatArray
    c1: FloatArray
    m2: FloatArray
    r0_ohm: FloatArray
    rtn_amplitude: FloatArray
    pulses: IntArray
    rtn_high: NDArray[np.bool_]
    rtn_value: FloatArray
    white: FloatArray
    rng: np.random.Generator
    _b: FloatArray = field(repr=False, default_factory=lambda: np.ones(1))

    @classmethod
    def create(
        cls,
        n_devices: int,
        rng: np.random.Generator,
        parameters: WeakResetParameters = PUBLISHED,
        imperfections: Imperfections = ALL_ON,
    ) -> WeakResetDevices:
        """``n_devices`` freshly SET devices (no pulse yet, RTN low, empty noise filter).

        Draws, in this order: m1, t*, c1, m2, R0, RTN amplitude (``n_devices`` each, drawn
        even when ``imperfections.d2d`` is off, so that the noise that follows is the same
        stream either way).
        """
        check_int("n_devices", n_devices, 1, None)
        if not isinstance(parameters, WeakResetParameters):
            raise ParameterError("parameters", parameters, "a WeakResetParameters")
        if not isinstance(imperfections, Imperfections):
            raise ParameterError("imperfections", imperfections, "an Imperfections")
        laws = (parameters.m1, parameters.t_star, parameters.c1, parameters.m2, parameters.r0_ohm)
        drawn = [law.sample(rng, n_devices) for law in laws]
        amplitude = rng.random(n_devices) * parameters.rtn_amplitude_max
        if not imperfections.d2d:
            drawn = [np.full(n_devices, law.centre()) for law in laws]
            amplitude = np.full(n_devices, parameters.rtn_amplitude_max / 2.0)
        return cls(
            parameters=parameters,
            imperfections=imperfections,
            m1=drawn[0],
            t_star=drawn[1],
            c1=drawn[2],
            m2=drawn[3],
            r0_ohm=drawn[4],
            rtn_amplitude=amplitude,
            pulses=np.zeros(n_devices, dtype=np.int64),
            rtn_high=np.zeros(n_devices, dtype=bool),
            rtn_value=np.zeros(n_devices),
            white=np.zeros((n_devices, parameters.pink_poles)),
            rng=rng,
            _b=pink_coefficients(parameters.pink_poles),
        )

    @property
    def size(self) -> int:
        """Number of devices."""
        return int(self.pulses.size)

    def mean_w(self) -> FloatArray:
        """``w_mean(t)`` of every device at its pulse count [1]."""
        t = self.pulses.astype(float)
        before = self.m1 * t + self.c1
        after = self.m2 * t + self.t_star * (self.m1 - self.m2) + self.c1
        return np.where(t < self.t_star, before, after)

    def pink_w(self) -> FloatArray:
        """``alpha * w_pink`` of every device [1] (0 with pink noise off)."""
        if not self.imperfections.pink:
            return np.zeros(self.size)
        return np.asarray(self.parameters.pink_alpha * (self.white @ self._b), dtype=float)

    def log_ratio(self) -> FloatArray:
        """``w = ln(R / R0)`` of every device [1]."""
        return self.mean_w() + self.rtn_value + self.pink_w()

    def resistance_ohm(self) -> FloatArray:
        """``R = R0 exp(w)`` of every device [ohm]."""
        return np.asarray(self.r0_ohm * np.exp(self.log_ratio()), dtype=float)

    def apply(self, n_pulses: ArrayLike) -> None:
        """Apply ``n_pulses[k]`` weak-RESET pulses to device ``k`` (0 leaves it unchanged).

        The RTN chain moves by the ``n``-step transition probabilities
        ``P(low->high) = pi_h (1 - l^n)``, ``P(high->low) = pi_l (1 - l^n)`` with
        ``l = 1 - p_up - p_down``; the pink filter takes ``n`` new white samples.
        """
        n = np.asarray(n_pulses)
        if n.shape != self.pulses.shape or not np.issubdtype(n.dtype, np.integer):
            raise ParameterError("n_pulses", n.shape, f"integers of shape {self.pulses.shape}")
        if n.size and int(n.min()) < 0:
            raise ParameterError("n_pulses", int(n.min()), "non-negative pulse counts")
        hit = np.flatnonzero(n)
        if hit.size == 0:
            return
        counts = n[hit].astype(np.int64)
        self.pulses[hit] += counts
        p = self.parameters
        if self.imperfections.rtn:
            relax = 1.0 - (1.0 - p.p_up - p.p_down) ** counts.astype(float)
            high = self.rtn_high[hit]
            flip_p = np.where(
                high, (1.0 - p.rtn_high_fraction) * relax, p.rtn_high_fraction * relax
            )
            high = high ^ (self.rng.random(hit.size) < flip_p)
            self.rtn_high[hit] = high
            value = self.rng.random(hit.size) * self.rtn_amplitude[hit]
            self.rtn_value[hit] = np.where(high, value, 0.0)
        if self.imperfections.pink:
            poles = p.pink_poles
            taken = np.minimum(counts, poles)
            fresh = self.rng.random((hit.size, int(taken.max()))) - 0.5
            for c in np.unique(taken):
                # Devices given c pulses take c new samples (newest first) and keep the
                # poles - c most recent old ones.
                group = hit[taken == c]
                new = fresh[taken == c, :c][:, ::-1]
                self.white[group] = np.concatenate((new, self.white[group, : poles - c]), axis=1)

    def reset_set(self, mask: ArrayLike) -> None:
        """SET the devices in ``mask`` again: pulse count 0, RTN low, noise filter kept."""
        chosen = np.asarray(mask, dtype=bool)
        self.pulses[chosen] = 0
        self.rtn_high[chosen] = False
        self.rtn_value[chosen] = 0.0


def simulate_trains(
    n_devices: int,
    n_pulses: int,
    rng: np.random.Generator,
    parameters: WeakResetParameters = PUBLISHED,
    imperfections: Imperfections = ALL_ON,
) -> FloatArray:
    """Resistances of ``n_devices`` devices before and after each of ``n_pulses`` pulses.

    Returns
    -------
    numpy.ndarray, shape (n_devices, n_pulses + 1)
        Column ``t`` is the resistance after ``t`` pulses [ohm].
    """
    check_int("n_pulses", n_pulses, 0, 1_000_000)
    devices = WeakResetDevices.create(n_devices, rng, parameters, imperfections)
    out = np.empty((n_devices, n_pulses + 1))
    out[:, 0] = devices.resistance_ohm()
    one = np.ones(n_devices, dtype=np.int64)
    for t in range(1, n_pulses + 1):
        devices.apply(one)
        out[:, t] = devices.resistance_ohm()
    return out


# --- fit to pulse trains -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviceFit:
    """Per-device least-squares fit of ``w_mean`` to ``ln(R/R0)``.

    Attributes
    ----------
    m1, t_star, c1, m2, r0_ohm : numpy.ndarray
        Fitted values per device (R0 is the resistance before the first pulse).
    residual_std : float
        Standard deviation of ``ln(R/R0) - w_mean`` over all devices and pulses [1].
    """

    m1: FloatArray
    t_star: FloatArray
    c1: FloatArray
    m2: FloatArray
    r0_ohm: FloatArray
    residual_std: float


def fit_devices(r_ohm: ArrayLike) -> DeviceFit:
    """Fit ``w_mean`` (m1, t*, c1, m2) to each device's pulse train by least squares.

    For every candidate break ``t*`` on the integer pulse counts ``2 ... T - 1`` the model is
    linear in (c1, m1, m2); the break with the smallest squared error wins.

    Parameters
    ----------
    r_ohm : array_like, shape (n_devices, T + 1)
        Resistance before (column 0) and after each pulse [ohm]; rows with a NaN are dropped.
    """
    r = np.asarray(r_ohm, dtype=float)
    if r.ndim != 2 or r.shape[1] < 5:
        raise ParameterError("r_ohm", r.shape, "shape (devices, pulses + 1) with >= 4 pulses")
    r = r[np.all(np.isfinite(r) & (r > 0), axis=1)]
    if r.shape[0] < 2:
        raise ParameterError("r_ohm", r.shape[0], "at least 2 devices with finite trains")
    r0 = r[:, 0]
    w = np.log(r / r0[:, None])
    t = np.arange(r.shape[1], dtype=float)
    best_sse = np.full(r.shape[0], np.inf)
    best = np.zeros((r.shape[0], 4))
    for t_star in range(2, r.shape[1] - 1):
        basis = np.stack([np.ones_like(t), np.minimum(t, t_star), np.maximum(t - t_star, 0)], 1)
        coef, *_ = np.linalg.lstsq(basis, w.T, rcond=None)
        sse = np.sum((basis @ coef - w.T) ** 2, axis=0)
        better = sse < best_sse
        best_sse[better] = sse[better]
        best[better] = np.column_stack([coef.T, np.full(r.shape[0], t_star)])[better]
    residual = math.sqrt(float(np.sum(best_sse)) / w.size)
    return DeviceFit(
        m1=best[:, 1],
        t_star=best[:, 3],
        c1=best[:, 0],
        m2=best[:, 2],
        r0_ohm=r0,
        residual_std=residual,
    )


def fit_weak_reset(r_ohm: ArrayLike, source: str = "fit") -> WeakResetParameters:
    """Parameters of the same form fitted to pulse trains (e.g. SPICE, see module docstring).

    Per-device values from :func:`fit_devices`, then laws of the published families with
    truncation bounds at the observed extremes: m1 exponential (``loc`` = smallest value,
    ``scale`` = mean - loc), t* log-normal (median and standard deviation of ``ln t*``), c1 and
    R0 normal, m2 exponential from 0 (negative fitted m2 count as 0). A train without RTN
    (SPICE has none) gets ``p_up = 0``; its residual around the mean becomes pink noise:
    ``alpha`` such that the pink standard deviation equals the residual standard deviation.
    """
    fit = fit_devices(r_ohm)
    m1 = np.maximum(fit.m1, 0.0)
    m2 = np.maximum(fit.m2, 0.0)
    ln_t = np.log(fit.t_star)
    b = pink_coefficients(PUBLISHED.pink_poles)
    alpha = fit.residual_std / math.sqrt(WHITE_VARIANCE * float(np.sum(b * b)))
    return WeakResetParameters(
        m1=TruncatedLaw(
            LawKind.EXPONENTIAL,
            float(m1.min()),
            max(float(m1.mean() - m1.min()), 0.0),
            float(m1.min()),
            float(m1.max()),
        ),
        t_star=TruncatedLaw(
            LawKind.LOGNORMAL,
            0.0,
            float(np.exp(ln_t.mean())),
            float(fit.t_star.min()),
            float(fit.t_star.max()),
            shape=float(ln_t.std()),
        ),
        c1=TruncatedLaw(
            LawKind.NORMAL,
            float(fit.c1.mean()),
            float(fit.c1.std()),
            float(fit.c1.min()),
            float(fit.c1.max()),
        ),
        m2=TruncatedLaw(LawKind.EXPONENTIAL, 0.0, float(m2.mean()), 0.0, float(m2.max())),
        r0_ohm=TruncatedLaw(
            LawKind.NORMAL,
            float(fit.r0_ohm.mean()),
            float(fit.r0_ohm.std()),
            float(fit.r0_ohm.min()),
            float(fit.r0_ohm.max()),
        ),
        p_up=0.0,
        p_down=0.0,
        rtn_amplitude_max=0.0,
        pink_alpha=min(alpha, 10.0),
        source=source,
    )
