"""Device temperature: every device option's HRS read current against the analytic factor."""

import math

import numpy as np
import pytest

from rram_ber.circuits.elements import (
    DeviceOrientation,
    FixedResistor,
    ResistiveElement,
    VcmElement,
)
from rram_ber.circuits.netlist import dc_source
from rram_ber.core.validation import ParameterError
from rram_ber.models.device_temperature import (
    BOLTZMANN_EV_PER_K,
    DeviceState,
    ResistorTemperature,
    vcm_current_temperature_factor,
)
from rram_ber.models.resistance import EmpiricalResistance, LogNormalResistance
from rram_ber.models.vcm import VcmParameters

V_READ = 0.1
LAW = ResistorTemperature()


def test_resistor_law_is_the_stated_formula():
    t, t_ref = 85.0 + 273.15, 27.0 + 273.15
    hrs = math.exp(0.15 / BOLTZMANN_EV_PER_K * (1.0 / t - 1.0 / t_ref))
    assert LAW.resistance_factor(DeviceState.HRS, 85.0) == pytest.approx(hrs, rel=1e-12)
    assert LAW.resistance_factor(DeviceState.LRS, 85.0) == pytest.approx(1.058, rel=1e-12)
    assert LAW.resistance_factor(DeviceState.HRS, 27.0) == 1.0
    # HRS conduction is thermally activated: a hot HRS conducts more, a cold one less.
    assert (
        LAW.resistance_factor(DeviceState.HRS, 125.0)
        < 1.0
        < LAW.resistance_factor(DeviceState.HRS, -40.0)
    )


def test_resistor_law_rejects_bad_values():
    with pytest.raises(ParameterError, match="hrs_activation_ev"):
        ResistorTemperature(hrs_activation_ev=-0.1)
    with pytest.raises(ParameterError, match="temp_c"):
        LAW.resistance_factor(DeviceState.LRS, 400.0)


def test_vcm_factor_is_one_at_the_fit_temperature_and_activated_in_hrs():
    for polarity in (True, False):
        assert vcm_current_temperature_factor(293.0, 0.008, polarity) == pytest.approx(1.0)
        assert vcm_current_temperature_factor(398.15, 0.008, polarity) > 1.2
        assert vcm_current_temperature_factor(233.15, 0.008, polarity) < 0.8
    # LRS: the barrier is lowered away, the contact's thermal factor stays near 1.
    assert 0.8 < vcm_current_temperature_factor(398.15, 20.0, True) < 1.2


def _read_current(session, element: ResistiveElement) -> float:
    netlist = "\n".join(
        [
            "* device read current",
            *element.definitions(),
            dc_source("rd", "a", "0", V_READ),
            *element.element_lines("dut", "a", "0"),
            ".tran 1e-10 1e-9",
            ".end",
        ]
    )
    waveforms = session.run_transient(netlist, ["vrd#branch"], 1e-9)
    return float(-waveforms["vrd#branch"][-1])


def _hrs_resistor(option: str) -> float:
    rng = np.random.default_rng(3)
    if option == "fixed":
        return 50e3
    if option == "lognormal":
        return float(LogNormalResistance(50e3, 0.5).sample(rng, 1)[0])
    values = LogNormalResistance(60e3, 0.4).sample(rng, 50)
    return float(EmpiricalResistance.from_values(values).sample(rng, 1)[0])


@pytest.mark.ngspice
@pytest.mark.parametrize("option", ["fixed", "lognormal", "empirical"])
@pytest.mark.parametrize("temp_c", [-40.0, 85.0, 125.0])
def test_resistor_device_hrs_current_follows_the_law(session, option, temp_c):
    r_ref = _hrs_resistor(option)
    cold = _read_current(session, FixedResistor(r_ref))
    hot = _read_current(session, FixedResistor(LAW.resistance_ohm(r_ref, DeviceState.HRS, temp_c)))
    expected = 1.0 / LAW.resistance_factor(DeviceState.HRS, temp_c)
    assert hot / cold == pytest.approx(expected, rel=1e-6)


@pytest.mark.ngspice
@pytest.mark.parametrize("orientation", list(DeviceOrientation))
@pytest.mark.parametrize("temp_c", [-40.0, 125.0])
def test_vcm_hrs_read_current_follows_the_schottky_factor(session, orientation, temp_c):
    device = VcmParameters()  # n_init = 0.008: HRS
    base = VcmElement(device, orientation, frozen=True)
    at_fit = _read_current(session, base)
    at_temp = _read_current(session, base.at_temperature(temp_c))
    set_polarity = orientation is DeviceOrientation.OE_ON_BIT_LINE
    expected = vcm_current_temperature_factor(temp_c + 273.15, device.n_init, set_polarity)
    assert at_temp / at_fit == pytest.approx(expected, rel=1e-6)
    assert (at_temp > at_fit) == (temp_c > 20.0)


def test_vcm_temperature_only_on_frozen_elements():
    with pytest.raises(ParameterError, match="temperature_k"):
        VcmElement(VcmParameters(), frozen=False, temperature_k=300.0)
