"""130 nm CMOS transistor models: the PTM BSIM4 cards, global corners and Pelgrom mismatch.

The cards are the published PTM 130 nm bulk values (``models/cards/ptm130.lib``, models
``ptm130n`` and ``ptm130p``, BSIM4 level 54). Corners and local mismatch are *not* written into
the cards: each transistor instance gets two numbers,

* ``delvto`` [V], added by BSIM4 to ``vth0``, and
* ``mulu0`` [-], multiplying the low-field mobility ``u0``,

so that one card serves every corner and every Monte-Carlo sample, and every drawn value is
visible in the netlist. Temperature enters through ngspice's ``.temp`` and the cards' own
temperature coefficients (``kt1``, ``kt2``, ``ute``, ``ua1``, ``ub1``, ``uc1``, ``at``).

Sign convention
---------------
This module describes deviations as a shift of the threshold *magnitude*, ``d|VT|`` [V]
(positive = weaker transistor, for both NMOS and PMOS). BSIM4 adds ``delvto`` to the signed
``vth0``, which is negative for PMOS, so a PMOS with ``d|VT| = +x`` is written ``delvto=-x``
(measured in ngspice 39: ``delvto=+50 mV`` on the PTM PMOS lowers ``|VT|`` from 221 to 171 mV).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

from rram_ber.core.validation import check_range, parse_enum

NMOS_MODEL = "ptm130n"
PMOS_MODEL = "ptm130p"


def model_card_text() -> str:
    """Text of the PTM 130 nm BSIM4 cards (both ``.model`` statements), ready to inline."""
    return (
        resources.files("rram_ber.models").joinpath("cards/ptm130.lib").read_text(encoding="ascii")
    )


class Polarity(enum.StrEnum):
    """Transistor type."""

    NMOS = "nmos"
    PMOS = "pmos"


class ProcessCorner(enum.StrEnum):
    """Global (die-to-die) process corner, NMOS letter first: ``fs`` = fast NMOS, slow PMOS.

    Each corner is a common shift of every NMOS and of every PMOS on the die, see
    :func:`corner_shift`.
    """

    TT = "tt"
    FF = "ff"
    SS = "ss"
    FS = "fs"
    SF = "sf"

    @classmethod
    def parse(cls, value: object, field: str = "corner") -> ProcessCorner:
        """The corner named ``value`` (case-insensitive), else :class:`ParameterError`."""
        return parse_enum(cls, value, field)


#: Threshold-magnitude shift of a fast (negative) or slow (positive) device at a corner [V]:
#: the middle of the 30-50 mV typical of 130 nm +-3 sigma global corners.
CORNER_DVT_V = 0.040
#: Relative mobility change of a fast (+) or slow (-) device at a corner [-] (the SkyWater
#: 130 nm ff/ss corners move u0 by 2 % (n) and 5 % (p)).
CORNER_DMU = 0.05
#: Effective-length shift of a fast (shorter, negative) or slow device at a corner [m]: 10 %
#: of the PTM card's 49 nm Leff, the +-10 % Leff spread the PTM 130 nm card was generated for.
CORNER_DL_M = 4.9e-9


@dataclass(frozen=True, slots=True)
class CornerShift:
    """Global shift of one transistor type at a process corner.

    Attributes
    ----------
    dvt_v : float
        Shift of the threshold magnitude ``|VT|`` [V]; positive = slower.
    mobility_factor : float
        Factor on the low-field mobility ``u0`` [-].
    dl_m : float
        Shift of the channel length [m], added to the drawn length; positive = slower.
    """

    dvt_v: float
    mobility_factor: float
    dl_m: float = 0.0


def corner_shift(corner: ProcessCorner, polarity: Polarity) -> CornerShift:
    """Global shift of ``polarity`` devices at ``corner``.

    A fast device gets ``d|VT| = -40 mV``, ``u0 x 1.05`` and a 4.9 nm shorter channel, a
    slow one ``+40 mV``, ``u0 x 0.95`` and 4.9 nm longer; ``tt`` is the card itself.

    Basis (published 130 nm figures): +-3 sigma global corners of ``|dVT|`` 30-50 mV, tox
    +-3-5 %, ``dL`` +-10 %, giving Idsat spreads of about +-10-15 % (NMOS) and +-15-30 %
    (PMOS) (Pelgrom, Tuinhout, Vertregt, IEDM 1998; Kinget, IEEE JSSC 40(6), 2005); the PTM
    130 nm card itself was generated for Leff +-10 % and Vth +-30 mV (its Nano-CMOS
    generator's statistics); the SkyWater 130 nm ff/ss corners move ``u0`` by 2 % (n) / 5 % (p)
    and give Idsat +-15 % (n), +32/-30 % (p). Threshold alone cannot reproduce the NMOS
    spread: the PTM NMOS is velocity saturated at 1.2 V, so ``|dVT|`` = 40 mV moves its Idsat
    by only +-6 %, and the +-60 mV used before (outside the published range) was needed for
    +-9 %. With the length shift the figures fall inside the published ranges. Measured in
    ngspice 39 at ``|VGS| = |VDS| = 1.2 V``, W/L = 1/0.13 um, 27 C: NMOS Idsat +10.3 % (fast)
    / -9.8 % (slow), Ioff x5.8 / /4.7; PMOS Idsat +22.5 % / -18.8 %, Ioff x6.9 / /6.2.

    Parameters
    ----------
    corner : ProcessCorner
        Corner; the first letter applies to NMOS, the second to PMOS.
    polarity : Polarity
        Which transistor type.

    Returns
    -------
    CornerShift
        The shift to add to every device of that type.
    """
    letter = corner.value[0] if polarity is Polarity.NMOS else corner.value[1]
    if letter == "t":
        return CornerShift(0.0, 1.0)
    if letter == "f":
        return CornerShift(-CORNER_DVT_V, 1.0 + CORNER_DMU, -CORNER_DL_M)
    return CornerShift(CORNER_DVT_V, 1.0 - CORNER_DMU, CORNER_DL_M)


def corner_length_m(l_drawn_m: float, polarity: Polarity, corner: ProcessCorner) -> float:
    """Drawn length to write for a transistor of ``l_drawn_m`` [m] at ``corner`` [m]."""
    return l_drawn_m + corner_shift(corner, polarity).dl_m


@dataclass(frozen=True, slots=True)
class TransistorDeviation:
    """Local (mismatch) deviation of one transistor instance.

    Attributes
    ----------
    dvt_v : float
        Shift of the threshold magnitude ``|VT|`` [V]; positive = weaker.
    dbeta_rel : float
        Relative current-factor deviation ``dbeta/beta`` [-], applied as a mobility factor
        ``mulu0 = 1 + dbeta/beta`` (beta = u0 Cox W/L, so at fixed geometry and oxide the
        relative deviations of beta and u0 are equal).
    """

    dvt_v: float = 0.0
    dbeta_rel: float = 0.0

    def __post_init__(self) -> None:
        check_range("dvt_v", self.dvt_v, -0.5, 0.5, unit="V")
        check_range("dbeta_rel", self.dbeta_rel, -0.9, 0.9, low_inclusive=False)


NO_DEVIATION = TransistorDeviation()


def instance_parameters(
    polarity: Polarity, corner: ProcessCorner, deviation: TransistorDeviation = NO_DEVIATION
) -> tuple[float, float]:
    """``(delvto, mulu0)`` of one instance at ``corner`` with its local ``deviation``.

    Returns
    -------
    tuple of float
        ``delvto`` [V] in BSIM4's signed convention (negated for PMOS, see the module
        docstring) and ``mulu0`` [-].
    """
    shift = corner_shift(corner, polarity)
    dvt_magnitude = shift.dvt_v + deviation.dvt_v
    delvto = dvt_magnitude if polarity is Polarity.NMOS else -dvt_magnitude
    mulu0 = shift.mobility_factor * (1.0 + deviation.dbeta_rel)
    return delvto, mulu0


@dataclass(frozen=True, slots=True)
class PelgromCoefficients:
    """Pelgrom mismatch coefficients of the 130 nm transistors.

    Each transistor instance gets independent Gaussian deviations with

    ``sigma(dVT) = A_VT / sqrt(W L)`` and ``sigma(dbeta/beta) = A_beta / sqrt(W L)``

    (M. J. M. Pelgrom, A. C. J. Duinmaijer, A. P. G. Welbers, "Matching properties of MOS
    transistors", IEEE JSSC 24(5):1433-1439, 1989), W and L the drawn sizes.

    Defaults: A_VT = 3.5 / 4.0 mV um and A_beta = 1.0 / 1.2 % um (NMOS / PMOS), the values
    compiled for 130 nm thin-oxide processes (tox 2-2.5 nm) by Kinget, IEEE JSSC 40(6), 2005
    and Pelgrom, Tuinhout, Vertregt, IEDM 1998. Those papers quote them for the *difference* of
    a matched pair; applying them to each instance, as here, is conservative by sqrt(2) (a pair
    then differs by sigma = sqrt(2) A / sqrt(W L)). Pass A / sqrt(2) for per-device values.

    Attributes
    ----------
    a_vt_n_v_m, a_vt_p_v_m : float
        Threshold coefficients [V m] (3.5 mV um = 3.5e-9 V m).
    a_beta_n_m, a_beta_p_m : float
        Current-factor coefficients [m] (1 % um = 1e-8 m).
    """

    a_vt_n_v_m: float = 3.5e-9
    a_vt_p_v_m: float = 4.0e-9
    a_beta_n_m: float = 1.0e-8
    a_beta_p_m: float = 1.2e-8

    def __post_init__(self) -> None:
        for name in ("a_vt_n_v_m", "a_vt_p_v_m"):
            check_range(name, getattr(self, name), 0.0, 50e-9, unit="V m")
        for name in ("a_beta_n_m", "a_beta_p_m"):
            check_range(name, getattr(self, name), 0.0, 10e-8, unit="m")

    def sigma_vt(self, polarity: Polarity, w_m: float, l_m: float) -> float:
        """Standard deviation of ``dVT`` of one instance [V]."""
        a_vt = self.a_vt_n_v_m if polarity is Polarity.NMOS else self.a_vt_p_v_m
        return a_vt / math.sqrt(w_m * l_m)

    def sigma_beta(self, polarity: Polarity, w_m: float, l_m: float) -> float:
        """Standard deviation of ``dbeta/beta`` of one instance [-]."""
        a_beta = self.a_beta_n_m if polarity is Polarity.NMOS else self.a_beta_p_m
        return a_beta / math.sqrt(w_m * l_m)


@dataclass(frozen=True, slots=True)
class TransistorGeometry:
    """Drawn size and type of one transistor instance (for mismatch sampling)."""

    name: str
    polarity: Polarity
    w_m: float
    l_m: float


def mismatch_sigmas(
    geometries: tuple[TransistorGeometry, ...], coefficients: PelgromCoefficients
) -> tuple[np.ndarray, np.ndarray]:
    """Per-instance standard deviations ``(sigma_dvt [V], sigma_dbeta [-])``, in order."""
    sigma_vt = np.array([coefficients.sigma_vt(g.polarity, g.w_m, g.l_m) for g in geometries])
    sigma_beta = np.array([coefficients.sigma_beta(g.polarity, g.w_m, g.l_m) for g in geometries])
    return sigma_vt, sigma_beta


def deviations_from_standard_normal(
    u_vt: np.ndarray,
    u_beta: np.ndarray,
    geometries: tuple[TransistorGeometry, ...],
    coefficients: PelgromCoefficients,
) -> dict[str, TransistorDeviation]:
    """Scale standard-normal draws into per-instance deviations.

    Working in standard-normal space keeps the mapping explicit for importance sampling,
    which shifts ``u`` and needs the same transformation.

    Parameters
    ----------
    u_vt, u_beta : numpy.ndarray
        Standard-normal values, one per instance, in the order of ``geometries``.
    geometries : tuple of TransistorGeometry
        The transistor instances.
    coefficients : PelgromCoefficients
        Mismatch coefficients.

    Returns
    -------
    dict
        Instance name -> :class:`TransistorDeviation`.
    """
    sigma_vt, sigma_beta = mismatch_sigmas(geometries, coefficients)
    return {
        g.name: TransistorDeviation(float(sv * uv), float(sb * ub))
        for g, sv, sb, uv, ub in zip(geometries, sigma_vt, sigma_beta, u_vt, u_beta, strict=True)
    }
