"""Device-to-device and cycle-to-cycle variability of the VCM RRAM model.

Both follow the JART VCM v1b var approach (C. Bengel et al., "Variability-aware modeling of
filamentary oxide-based bipolar resistive switching cells using SPICE level compact models",
IEEE TCAS-I 67(12) 4618-4630, 2020, doi:10.1109/TCSI.2020.3018502, and the JART VCM v1 user
guide, Bengel, Zhang, Waser, Menzel, 2021, ch. 4): four quantities vary, the bounds of the disc
concentration ``N_min`` and ``N_max``, the filament radius ``r`` and the disc length ``l``.

Device-to-device (d2d)
    Each device draws the four from truncated Gaussians. The user guide (Table 4.1) gives
    min / mean / max of the published fits but no standard deviation; here ``sigma = (mean -
    min) / 2``, i.e. the published minimum is at -2 sigma, and the distribution is truncated at
    the published min and max (N_min 0.004 / 0.008 / 0.016, N_max 18 / 20 / 22 x 1e26 m^-3,
    r 40.5 / 45 / 49.5 nm, l 0.36 / 0.40 / 0.44 nm). All four are independent.

Truncation
    The truncation is what keeps programmed devices out of the tails: N_max, r and l are cut at
    +-2 sigma and N_min at -2 / +4 sigma, so no draw lies further out, and a rare-event bound
    on a VCM read (say 1e-10) rests on it. :meth:`D2dVariability.published` takes a
    ``truncation_scale``: each bound moves to ``mean - s (mean - min)`` and ``mean + s (max -
    mean)`` with sigma unchanged (``s`` = 1: the published bounds), and is then cut to the
    validity box of the explicit current fit (:mod:`rram_ber.models.vcm`). That box is the
    published d2d range itself for r, l and N_max, so only N_min can widen, upwards (its box
    reaches 0.25): 0.016 at ``s`` = 1, 0.020 at 1.5 (+6 sigma), 0.024 at 2 (+8 sigma). Wider
    tails of r, l and N_max would need a current fit made over a wider range. The c2c walk is
    cut to the same ranges.

Cycle-to-cycle (c2c)
    At every switching event (SET or RESET pulse) each quantity takes one step of a random walk
    (Bengel 2020, Sec. III-B; user guide Sec. 4.2)::

        xi_k = xi_{k-1} (1 + s dxi_max P),   s = +-1 with equal probability,  P ~ U(0, 1)

    with ``dxi_max`` = 0.9 for N_min and 0.1 for the others, truncated to the d2d ranges above
    (a step that would leave the range is drawn again, so the walk has no mass piled on the
    bounds). The new N_min and N_max apply from the start of the event. r and l move towards
    their new values in proportion to the switching progress (Bengel Eqs. (21)-(24))::

        SET:   r = r_old + (r_new - r_old) (N - N_old) / (N_max - N_old)
        RESET: r = r_old + (r_new - r_old) (N_old - N) / (N_old - N_min)

    A behavioural ngspice source cannot keep the hidden state these equations need, so they are
    applied pulse by pulse (:func:`morph_after_pulse`): during a pulse the device keeps the r and
    l it had at the start, and after the pulse r and l take the value the equations give for the
    final N. The programmed state, hence every read, sees the same r and l as JART var; only the
    switching kinetics within the pulse use the start-of-pulse geometry.

Randomness
    Samplers take a ``numpy.random.Generator``. The d2d sampler draws standard normals and maps
    them with :func:`d2d_from_standard_normal` (inverse CDF of the truncated Gaussian), so the
    rare-event estimators, which work in standard-normal space, use the very same mapping. The
    c2c walk draws signs and uniforms with redraws (:func:`c2c_step`); the estimators use
    :func:`c2c_step_from_standard_normal`, the same distribution from four standard normals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

from rram_ber.core.validation import ParameterError, check_int, check_range
from rram_ber.models.vcm import L_BOX_NM, N_MAX_BOX, N_MIN_BOX, R_BOX_M, VcmParameters

FloatArray = NDArray[np.float64]

#: Order of the d2d quantities (columns of the standard-normal matrix and of result rows).
D2D_FIELDS = ("n_min", "n_max", "r_filament_m", "l_disc_nm")

#: Validity box of each varied quantity (the JART-TUD fit box, :mod:`rram_ber.models.vcm`).
_BOXES = {"n_min": N_MIN_BOX, "n_max": N_MAX_BOX, "r_filament_m": R_BOX_M, "l_disc_nm": L_BOX_NM}


@dataclass(frozen=True, slots=True)
class TruncatedGaussian:
    """A Gaussian of ``mean`` and ``sigma`` truncated to ``[low, high]``.

    Attributes
    ----------
    mean, sigma : float
        Location and scale of the parent Gaussian (``sigma`` > 0), in the unit of the quantity.
    low, high : float
        Truncation bounds, ``low < high``.
    """

    mean: float
    sigma: float
    low: float
    high: float

    def __post_init__(self) -> None:
        check_range("mean", self.mean)
        check_range("sigma", self.sigma, 0.0, None, low_inclusive=False)
        check_range("low", self.low)
        check_range("high", self.high, self.low, None, low_inclusive=False)

    def _shape(self) -> tuple[float, float]:
        return (self.low - self.mean) / self.sigma, (self.high - self.mean) / self.sigma

    def from_standard_normal(self, u: ArrayLike) -> FloatArray:
        """Map standard-normal values ``u`` through the inverse CDF: ``F^-1(Phi(u))``.

        The upper tail is computed from the survival function so that large ``u`` keep their
        resolution (``Phi(8)`` is 1 in double precision).
        """
        # Imported here, not at the top: scipy.stats costs every campaign worker's start
        # ~0.3 s, and only programmed (VCM) devices draw from truncated Gaussians.
        from scipy.stats import truncnorm

        u_arr = np.asarray(u, dtype=float)
        a, b = self._shape()
        low_tail = truncnorm.ppf(ndtr(u_arr), a, b, loc=self.mean, scale=self.sigma)
        high_tail = truncnorm.isf(ndtr(-u_arr), a, b, loc=self.mean, scale=self.sigma)
        values = np.where(u_arr <= 0.0, low_tail, high_tail)
        # ppf/isf can round a hair outside the support.
        return np.asarray(np.clip(values, self.low, self.high), dtype=float)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` draws, by mapping ``rng.standard_normal(size)``."""
        return self.from_standard_normal(rng.standard_normal(size))


#: Published mean, minimum and maximum of each d2d quantity (JART VCM v1b var, Bengel 2020;
#: user guide Table 4.1), in the units of :data:`D2D_FIELDS`.
PUBLISHED_D2D: dict[str, tuple[float, float, float]] = {
    "n_min": (0.008, 0.004, 0.016),
    "n_max": (20.0, 18.0, 22.0),
    "r_filament_m": (45e-9, 40.5e-9, 49.5e-9),
    "l_disc_nm": (0.40, 0.36, 0.44),
}
#: Range of the truncation scale (1 = the published bounds).
TRUNCATION_SCALE_RANGE = (0.25, 10.0)


def _published(name: str, truncation_scale: float = 1.0) -> TruncatedGaussian:
    """The published distribution of ``name`` with its bounds scaled about the mean and cut to
    the validity box (see the module docstring)."""
    mean, low, high = PUBLISHED_D2D[name]
    box_low, box_high = _BOXES[name]
    return TruncatedGaussian(
        mean=mean,
        sigma=(mean - low) / 2.0,
        low=max(mean - truncation_scale * (mean - low), box_low),
        high=min(mean + truncation_scale * (high - mean), box_high),
    )


@dataclass(frozen=True, slots=True)
class D2dVariability:
    """Device-to-device distributions of N_min, N_max, r and l.

    Defaults: Bengel 2020 / JART user guide Table 4.1 (see the module docstring). Every
    distribution must lie inside the model's validity box.

    Attributes
    ----------
    n_min, n_max : TruncatedGaussian
        Bounds of ``N_disc`` [1e26 m^-3].
    r_filament_m : TruncatedGaussian
        Filament radius [m].
    l_disc_nm : TruncatedGaussian
        Disc length [nm].
    """

    n_min: TruncatedGaussian = field(default_factory=lambda: _published("n_min"))
    n_max: TruncatedGaussian = field(default_factory=lambda: _published("n_max"))
    r_filament_m: TruncatedGaussian = field(default_factory=lambda: _published("r_filament_m"))
    l_disc_nm: TruncatedGaussian = field(default_factory=lambda: _published("l_disc_nm"))

    def __post_init__(self) -> None:
        for name in D2D_FIELDS:
            dist = getattr(self, name)
            if not isinstance(dist, TruncatedGaussian):
                raise ParameterError(name, dist, "a TruncatedGaussian")
            low, high = _BOXES[name]
            # A little slack for bounds written in other units (e.g. 40.5e-9 from nm).
            slack = 1e-9 * (high - low)
            if dist.low < low - slack or dist.high > high + slack:
                raise ParameterError(
                    name,
                    (dist.low, dist.high),
                    f"truncation bounds inside the validity box [{low:g}, {high:g}]",
                )

    def distributions(self) -> tuple[TruncatedGaussian, ...]:
        """The four distributions in :data:`D2D_FIELDS` order."""
        return tuple(getattr(self, name) for name in D2D_FIELDS)

    @classmethod
    def published(cls, truncation_scale: float = 1.0) -> D2dVariability:
        """The published distributions with their truncation scaled by ``truncation_scale``
        (1 = the published bounds; see the module docstring), 0.25 ... 10."""
        check_range("truncation_scale", truncation_scale, *TRUNCATION_SCALE_RANGE)
        return cls(**{name: _published(name, truncation_scale) for name in D2D_FIELDS})


def d2d_from_standard_normal(
    u: ArrayLike, variability: D2dVariability, base: VcmParameters | None = None
) -> list[VcmParameters]:
    """Devices from standard-normal draws (one row per device, columns in D2D_FIELDS order).

    Each fresh device starts in its fully RESET state, ``n_init = n_min``; the other fields
    (temperature, series resistances) are those of ``base``.

    Parameters
    ----------
    u : array_like, shape (n_devices, 4)
        Standard-normal values.
    variability : D2dVariability
        The distributions.
    base : VcmParameters, optional
        Source of the non-varied fields (default: the nominal device).
    """
    u_arr = np.atleast_2d(np.asarray(u, dtype=float))
    if u_arr.ndim != 2 or u_arr.shape[1] != len(D2D_FIELDS):
        raise ParameterError("u", u_arr.shape, f"an array of shape (n_devices, {len(D2D_FIELDS)})")
    template = base or VcmParameters()
    columns = [
        dist.from_standard_normal(u_arr[:, j]) for j, dist in enumerate(variability.distributions())
    ]
    return [
        replace(
            template,
            n_init=float(n_min),
            n_min=float(n_min),
            n_max=float(n_max),
            r_filament_m=float(r),
            l_disc_nm=float(length),
        )
        for n_min, n_max, r, length in zip(*columns, strict=True)
    ]


def sample_d2d(
    rng: np.random.Generator,
    n_devices: int,
    variability: D2dVariability | None = None,
    base: VcmParameters | None = None,
) -> list[VcmParameters]:
    """Draw ``n_devices`` devices: ``rng.standard_normal((n_devices, 4))`` mapped by
    :func:`d2d_from_standard_normal`."""
    check_int("n_devices", n_devices, 1, None)
    u = rng.standard_normal((n_devices, len(D2D_FIELDS)))
    return d2d_from_standard_normal(u, variability or D2dVariability(), base)


@dataclass(frozen=True, slots=True)
class C2cVariability:
    """Cycle-to-cycle random walk (Bengel 2020): maximum relative step per switching event.

    Attributes
    ----------
    step_n_min, step_n_max, step_r, step_l : float
        ``dxi_max`` of each quantity, in [0, 1) (defaults 0.9, 0.1, 0.1, 0.1).
    ranges : D2dVariability
        The walk is truncated to each distribution's ``[low, high]``.
    """

    step_n_min: float = 0.9
    step_n_max: float = 0.1
    step_r: float = 0.1
    step_l: float = 0.1
    ranges: D2dVariability = field(default_factory=D2dVariability)

    def __post_init__(self) -> None:
        for name in ("step_n_min", "step_n_max", "step_r", "step_l"):
            check_range(name, getattr(self, name), 0.0, 1.0, high_inclusive=False)
        if not isinstance(self.ranges, D2dVariability):
            raise ParameterError("ranges", self.ranges, "a D2dVariability")


@dataclass(frozen=True, slots=True)
class C2cTargets:
    """Values drawn for one switching event.

    Attributes
    ----------
    n_min, n_max : float
        Bounds that apply from the start of the event [1e26 m^-3].
    r_new_m, l_new_nm : float
        Values r and l move towards as the event progresses [m], [nm].
    """

    n_min: float
    n_max: float
    r_new_m: float
    l_new_nm: float


#: Give up redrawing a step after this many tries and keep the old value (probability of
#: needing it is < 0.5^100 for any value inside the range).
_MAX_REDRAWS = 100


def _walk(rng: np.random.Generator, value: float, step: float, low: float, high: float) -> float:
    for _ in range(_MAX_REDRAWS):
        sign = 1.0 if rng.random() < 0.5 else -1.0
        candidate = value * (1.0 + sign * step * rng.random())
        if low <= candidate <= high:
            return candidate
    return value


def c2c_step(rng: np.random.Generator, device: VcmParameters, c2c: C2cVariability) -> C2cTargets:
    """One random-walk step of N_min, N_max, r and l for the next switching event.

    Draws, per quantity in D2D_FIELDS order, a sign and a ``U(0, 1)`` step (again if the step
    leaves the range).
    """
    ranges = c2c.ranges
    return C2cTargets(
        n_min=_walk(rng, device.n_min, c2c.step_n_min, ranges.n_min.low, ranges.n_min.high),
        n_max=_walk(rng, device.n_max, c2c.step_n_max, ranges.n_max.low, ranges.n_max.high),
        r_new_m=_walk(
            rng,
            device.r_filament_m,
            c2c.step_r,
            ranges.r_filament_m.low,
            ranges.r_filament_m.high,
        ),
        l_new_nm=_walk(
            rng, device.l_disc_nm, c2c.step_l, ranges.l_disc_nm.low, ranges.l_disc_nm.high
        ),
    )


def _walk_from_standard_normal(
    u: float, value: float, step: float, low: float, high: float
) -> float:
    # The step of c2c_step is value * (1 + s d P) with s = +-1 and P ~ U(0, 1), i.e. value times
    # 1 + d X with X ~ U(-1, 1): a uniform on [value (1 - d), value (1 + d)]. Redrawing until it
    # lies in [low, high] leaves a uniform on the intersection, reached here by its inverse CDF.
    lo = max(value * (1.0 - step), low)
    hi = min(value * (1.0 + step), high)
    if hi <= lo:
        return value
    return float(lo + (hi - lo) * ndtr(u))


def c2c_step_from_standard_normal(
    u: ArrayLike, device: VcmParameters, c2c: C2cVariability
) -> C2cTargets:
    """One random-walk step of N_min, N_max, r and l from four standard normals.

    The same distribution as :func:`c2c_step` (Bengel 2020, Sec. III-B) as an explicit map, for
    the rare-event estimators, which work in standard-normal space. For each quantity ``xi`` (in
    :data:`D2D_FIELDS` order) with maximum step ``d`` and range ``[low, high]``::

        xi_new = a + (b - a) Phi(u),   a = max(xi (1 - d), low),   b = min(xi (1 + d), high)

    because ``xi (1 + s d P)`` with ``s = +-1`` equally likely and ``P ~ U(0, 1)`` is uniform on
    ``[xi (1 - d), xi (1 + d)]``, and the redraw of a step that leaves the range makes it
    uniform on the intersection with ``[low, high]``. (:func:`c2c_step` consumes a variable
    number of uniforms, so the two do not give the same value for the same seed.)

    Parameters
    ----------
    u : array_like, shape (4,)
        Standard-normal values, :data:`D2D_FIELDS` order.
    device : VcmParameters
        The device before the event.
    c2c : C2cVariability
        Step sizes and ranges.
    """
    u_arr = np.asarray(u, dtype=float)
    if u_arr.shape != (len(D2D_FIELDS),):
        raise ParameterError("u", u_arr.shape, f"shape ({len(D2D_FIELDS)},)")
    ranges = c2c.ranges
    steps = (c2c.step_n_min, c2c.step_n_max, c2c.step_r, c2c.step_l)
    values = [
        _walk_from_standard_normal(
            float(u_arr[j]),
            float(getattr(device, name)),
            steps[j],
            getattr(ranges, name).low,
            getattr(ranges, name).high,
        )
        for j, name in enumerate(D2D_FIELDS)
    ]
    return C2cTargets(n_min=values[0], n_max=values[1], r_new_m=values[2], l_new_nm=values[3])


def pulse_parameters(device: VcmParameters, targets: C2cTargets) -> VcmParameters:
    """The device as simulated during the pulse: new N bounds, start-of-pulse r and l."""
    return replace(device, n_min=targets.n_min, n_max=targets.n_max)


def switching_progress(
    set_pulse: bool, n_old: float, n_end: float, n_min: float, n_max: float
) -> float:
    """Switching progress of one event in [0, 1] (Bengel 2020, Eqs. (21)-(24)).

    SET: ``(N - N_old) / (N_max - N_old)``; RESET: ``(N_old - N) / (N_old - N_min)``. An event
    that cannot progress (N_old already at or beyond the bound) has progress 0.
    """
    span = (n_max - n_old) if set_pulse else (n_old - n_min)
    moved = (n_end - n_old) if set_pulse else (n_old - n_end)
    if span <= 0.0:
        return 0.0
    return float(min(max(moved / span, 0.0), 1.0))


def morph_after_pulse(
    device: VcmParameters, targets: C2cTargets, set_pulse: bool, n_end: float
) -> VcmParameters:
    """The device after a pulse that took its state from ``device.n_init`` to ``n_end``.

    N bounds are the event's; r and l moved by the switching progress towards their new
    values (Bengel 2020, Eqs. (21)-(24)); the state is ``n_end``.
    """
    progress = switching_progress(set_pulse, device.n_init, n_end, targets.n_min, targets.n_max)
    r = device.r_filament_m + (targets.r_new_m - device.r_filament_m) * progress
    length = device.l_disc_nm + (targets.l_new_nm - device.l_disc_nm) * progress
    return replace(
        device,
        n_min=targets.n_min,
        n_max=targets.n_max,
        r_filament_m=r,
        l_disc_nm=length,
    ).with_state(n_end)


def d2d_matrix(devices: Sequence[VcmParameters]) -> FloatArray:
    """The d2d quantities of ``devices`` as an array of shape (n, 4), D2D_FIELDS order."""
    return np.array([[getattr(d, name) for name in D2D_FIELDS] for d in devices], dtype=float)
