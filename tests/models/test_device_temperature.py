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
    DEFAULT_TEMPERATURE_PRESET,
    DeviceState,
    ResistorTemperature,
    TemperaturePreset,
    vcm_current_temperature_factor,
)
from rram_ber.models.resistance import EmpiricalResistance, LogNormalResistance
from rram_ber.models.vcm import VcmParameters

V_READ = 0.1
#: A law with a thermally activated HRS, so that the formula and the simulated current are
#: checked where they differ from 1 (the default HRS does not depend on temperature).
LAW = ResistorTemperature(hrs_activation_ev=0.15)


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


def test_default_law_is_the_grossi2017_preset():
    """Grossi et al. 2017: HRS leakage independent of temperature, LRS metal-like."""
    default = ResistorTemperature()
    assert DEFAULT_TEMPERATURE_PRESET is TemperaturePreset.GROSSI2017
    assert default == TemperaturePreset.GROSSI2017.law()
    for temp_c in (-40.0, 85.0, 125.0):
        assert default.resistance_factor(DeviceState.HRS, temp_c) == 1.0
    assert default.resistance_factor(DeviceState.LRS, 125.0) == pytest.approx(1.098)
    assert default.resistance_factor(DeviceState.LRS, -40.0) == pytest.approx(0.933)


def test_presets_give_their_stated_laws():
    expected = {
        "grossi2017": (1e-3, 0.0),
        "walczyk2011": (1e-3, 0.2),
        "activated-0.15ev": (1e-3, 0.15),
        "none": (0.0, 0.0),
    }
    assert {p.value for p in TemperaturePreset} == set(expected)
    for name, (tcr, e_a) in expected.items():
        law = TemperaturePreset.parse(name.upper()).law()
        assert (law.lrs_tcr_per_k, law.hrs_activation_ev) == (tcr, e_a)
    # A larger activation energy makes a hot HRS fall further.
    at_125 = [
        TemperaturePreset.parse(name).law().resistance_factor(DeviceState.HRS, 125.0)
        for name in ("grossi2017", "activated-0.15ev", "walczyk2011")
    ]
    assert at_125[0] == 1.0 > at_125[1] > at_125[2]
    with pytest.raises(ParameterError, match=r"temperature_preset.*grossi2017"):
        TemperaturePreset.parse("hot")


def test_device_table_preset_explicit_values_and_fingerprint():
    from rram_ber.characterization.spec import parse_spec

    def spec(**device):
        table = {"model": "lognormal", **device}
        return parse_spec({"conditions": {"temp_c": [27, 125]}, "device": table})

    default = spec()
    assert default.device.temperature_law() == TemperaturePreset.GROSSI2017.law()
    recorded = default.to_dict()["device"]
    assert (recorded["temperature_preset"], recorded["hrs_activation_ev"]) == ("grossi2017", 0.0)
    walczyk = spec(temperature_preset="walczyk2011")
    assert walczyk.device.temperature_law().hrs_activation_ev == 0.2
    # A value set explicitly replaces the preset's, and the record holds what is simulated.
    swept = spec(temperature_preset="walczyk2011", hrs_activation_ev=0.1)
    assert swept.device.temperature_law() == ResistorTemperature(1e-3, 0.1)
    assert swept.to_dict()["device"]["hrs_activation_ev"] == 0.1
    assert len({str(s.to_dict()["device"]) for s in (default, walczyk, swept)}) == 3
    with pytest.raises(ParameterError, match=r"device\.temperature_preset"):
        spec(temperature_preset="warm")
    with pytest.raises(ParameterError, match=r"device\.hrs_activation_ev"):
        spec(hrs_activation_ev=-0.1)


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
