import math

import numpy as np
import pytest

from rram_ber.core.validation import ParameterError
from rram_ber.models.cmos import (
    CORNER_DL_M,
    CORNER_DMU,
    CORNER_DVT_V,
    PelgromCoefficients,
    Polarity,
    ProcessCorner,
    TransistorDeviation,
    TransistorGeometry,
    corner_shift,
    deviations_from_standard_normal,
    instance_parameters,
    model_card_text,
)


def test_card_holds_both_renamed_bsim4_models_with_published_values():
    card = model_card_text()
    assert ".model ptm130n nmos  level = 54" in card
    assert ".model ptm130p pmos  level = 54" in card
    assert "vth0    = 0.3782" in card and "vth0    = -0.321" in card


@pytest.mark.parametrize(
    ("corner", "n_faster", "p_faster"),
    [("ff", True, True), ("ss", False, False), ("fs", True, False), ("sf", False, True)],
)
def test_corner_letters_apply_nmos_first(corner, n_faster, p_faster):
    c = ProcessCorner(corner)
    for polarity, faster in ((Polarity.NMOS, n_faster), (Polarity.PMOS, p_faster)):
        shift = corner_shift(c, polarity)
        assert shift.dvt_v == (-CORNER_DVT_V if faster else CORNER_DVT_V)
        assert shift.mobility_factor == pytest.approx(1 + CORNER_DMU if faster else 1 - CORNER_DMU)
        assert shift.dl_m == (-CORNER_DL_M if faster else CORNER_DL_M)


def test_typical_corner_is_the_card_itself():
    for polarity in Polarity:
        assert instance_parameters(polarity, ProcessCorner.TT) == (0.0, 1.0)


def test_pmos_threshold_magnitude_shift_is_written_with_negated_delvto():
    slower = TransistorDeviation(dvt_v=0.01, dbeta_rel=0.02)
    assert instance_parameters(Polarity.NMOS, ProcessCorner.TT, slower) == pytest.approx(
        (0.01, 1.02)
    )
    assert instance_parameters(Polarity.PMOS, ProcessCorner.TT, slower) == pytest.approx(
        (-0.01, 1.02)
    )
    # Corner and mismatch add in |VT| and multiply in mobility.
    delvto, mulu0 = instance_parameters(Polarity.PMOS, ProcessCorner.SS, slower)
    assert delvto == pytest.approx(-(CORNER_DVT_V + 0.01))
    assert mulu0 == pytest.approx((1 - CORNER_DMU) * 1.02)


def test_pelgrom_sigma_scales_with_inverse_root_area():
    coefficients = PelgromCoefficients()
    small = coefficients.sigma_vt(Polarity.NMOS, 0.4e-6, 0.13e-6)
    large = coefficients.sigma_vt(Polarity.NMOS, 1.6e-6, 0.13e-6)
    assert small / large == pytest.approx(2.0)
    assert small == pytest.approx(3.5e-9 / math.sqrt(0.4e-6 * 0.13e-6))
    assert coefficients.sigma_beta(Polarity.PMOS, 1e-6, 1e-6) == pytest.approx(1.2e-2)


def test_standard_normal_draws_are_scaled_per_instance():
    geometries = (
        TransistorGeometry("a", Polarity.NMOS, 1e-6, 1e-6),
        TransistorGeometry("b", Polarity.PMOS, 4e-6, 1e-6),
    )
    deviations = deviations_from_standard_normal(
        np.array([1.0, -2.0]), np.array([0.5, 0.0]), geometries, PelgromCoefficients()
    )
    assert deviations["a"].dvt_v == pytest.approx(3.5e-3)
    assert deviations["b"].dvt_v == pytest.approx(-2 * 4.0e-3 / 2)
    assert deviations["a"].dbeta_rel == pytest.approx(0.5 * 1e-2)


def test_sampled_mismatch_matches_pelgrom_sigma_statistically():
    geometry = (TransistorGeometry("m", Polarity.NMOS, 0.6e-6, 0.13e-6),)
    coefficients = PelgromCoefficients()
    rng = np.random.default_rng(2024)
    n = 4000
    u = rng.standard_normal((2, n))
    values = np.array(
        [
            deviations_from_standard_normal(
                u[0, i : i + 1], u[1, i : i + 1], geometry, coefficients
            )["m"].dvt_v
            for i in range(n)
        ]
    )
    sigma = coefficients.sigma_vt(Polarity.NMOS, 0.6e-6, 0.13e-6)
    # Sample standard deviation of n normals: relative standard error 1/sqrt(2(n-1)).
    assert abs(values.std(ddof=1) / sigma - 1) < 4 / math.sqrt(2 * (n - 1))
    assert abs(values.mean()) < 4 * sigma / math.sqrt(n)


def test_bad_coefficients_and_deviations_are_rejected():
    with pytest.raises(ParameterError, match="a_vt_n_v_m"):
        PelgromCoefficients(a_vt_n_v_m=-1e-9)
    with pytest.raises(ParameterError, match="dvt_v"):
        TransistorDeviation(dvt_v=math.nan)
    with pytest.raises(ParameterError, match="corner"):
        ProcessCorner.parse("typical")


def _idsat(session, polarity: Polarity, corner: ProcessCorner) -> float:
    from rram_ber.circuits.netlist import transistor

    sign = 1.0 if polarity is Polarity.NMOS else -1.0
    geometry = TransistorGeometry("t", polarity, 1e-6, 0.13e-6)
    netlist = "\n".join(
        [
            "* idsat",
            model_card_text(),
            f"vd d 0 {sign * 1.2}",
            f"vg g 0 {sign * 1.2}",
            transistor(geometry, "", "d", "g", "0", "0", corner, {}, 0.26e-6),
            ".tran 1e-10 1e-9",
            ".end",
        ]
    )
    return abs(float(session.run_transient(netlist, ["vd#branch"], 1e-9)["vd#branch"][-1]))


@pytest.mark.ngspice
def test_global_corners_give_the_published_130nm_idsat_spreads(session):
    # Published 130 nm +-3 sigma corners: Idsat about +-10-15 % (NMOS), +-15-30 % (PMOS).
    for polarity, low, high in ((Polarity.NMOS, 0.08, 0.15), (Polarity.PMOS, 0.15, 0.30)):
        typical = _idsat(session, polarity, ProcessCorner.TT)
        fast = _idsat(session, polarity, ProcessCorner.FF) / typical - 1.0
        slow = 1.0 - _idsat(session, polarity, ProcessCorner.SS) / typical
        assert low <= fast <= high and low <= slow <= high, (polarity, fast, slow)
