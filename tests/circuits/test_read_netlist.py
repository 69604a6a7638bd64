"""Structural checks of the generated read netlists (no simulator)."""

import collections
import re

import pytest

from rram_ber.circuits.cells import Cell1T1R, Cell2T2R
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.netlist import spice_number
from rram_ber.circuits.read import (
    ReadConditions,
    ReadCopy,
    ReadTiming,
    read_netlist,
    read_transistor_geometries,
    standalone_read_netlist,
)
from rram_ber.core.validation import ParameterError
from rram_ber.models.cmos import ProcessCorner, TransistorDeviation

# Terminals per element letter (MOSFET: d g s b).
_TERMINALS = {"m": 4, "r": 2, "c": 2, "v": 2}


def _elements(netlist: str) -> list[list[str]]:
    lines = [ln for ln in netlist.splitlines() if ln and ln[0] in _TERMINALS]
    return [ln.split() for ln in lines]


def _batched(k: int) -> str:
    copies = [
        ReadCopy(Cell2T2R(FixedResistor(5e3 + i), FixedResistor(50e3)))
        if i % 2
        else ReadCopy(Cell1T1R(FixedResistor(5e3), FixedResistor(15e3)))
        for i in range(k)
    ]
    return read_netlist(ReadConditions(), copies)


def test_element_names_are_unique_in_a_batched_netlist():
    names = [e[0] for e in _elements(_batched(7))]
    assert len(names) == len(set(names))
    # 9 MOSFETs, 2 branch elements, 2 load capacitors and 1 supply per copy; WL and SEN drivers.
    assert len(names) == 7 * 14 + 2


def test_every_node_connects_at_least_two_terminals():
    counts: collections.Counter[str] = collections.Counter()
    for element in _elements(_batched(3)):
        counts.update(element[1 : 1 + _TERMINALS[element[0][0]]])
    lonely = [node for node, n in counts.items() if n < 2]
    assert lonely == []


def test_every_referenced_model_is_defined():
    netlist = _batched(2)
    defined = set(re.findall(r"^\.model (\S+)", netlist, flags=re.MULTILINE))
    used = {e[5] for e in _elements(netlist) if e[0].startswith("m")}
    assert used and used <= defined


def test_mismatch_values_are_written_into_the_instance_lines():
    deviations = {"nl1": TransistorDeviation(0.0123, 0.045), "pc2": TransistorDeviation(0.002, 0.0)}
    netlist = read_netlist(
        ReadConditions(), [ReadCopy(Cell2T2R(FixedResistor(1e4), FixedResistor(2e4)), deviations)]
    )
    nl1 = next(ln for ln in netlist.splitlines() if ln.startswith("mnl1_0 "))
    pc2 = next(ln for ln in netlist.splitlines() if ln.startswith("mpc2_0 "))
    assert "delvto=0.0123 " in nl1 and "mulu0=1.045" in nl1
    assert "delvto=-0.002 " in pc2  # PMOS: |VT| up is a negative delvto


def test_supply_temperature_and_corner_reach_the_netlist():
    conditions = ReadConditions(vdd_v=0.8, temp_c=-40.0, corner=ProcessCorner.SS)
    netlist = read_netlist(conditions, [ReadCopy(Cell2T2R(FixedResistor(1e4), FixedResistor(2e4)))])
    assert "vdd_0 vdd_0 0 dc 0.8" in netlist
    assert ".temp -40" in netlist
    enable = next(ln for ln in netlist.splitlines() if ln.startswith("mnen_0 "))
    assert "delvto=0.04 " in enable and " l=1.349e-07 " in enable


def test_standalone_deck_has_a_control_block_that_quits_cleanly():
    deck = standalone_read_netlist(
        ReadConditions(), [ReadCopy(Cell2T2R(FixedResistor(1e4), FixedResistor(2e4)))]
    )
    assert "set num_threads=1" in deck and "quit 0" in deck and deck.endswith(".end\n")
    assert deck.count(".control") == 1


def test_transistor_order_covers_pcsa_and_access_devices():
    names = [g.name for g in read_transistor_geometries(ReadConditions())]
    assert names == ["pc1", "pc2", "pl1", "pl2", "nl1", "nl2", "nen", "abl", "ablb"]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: ReadConditions(vdd_v=0.0), "vdd_v"),
        (lambda: ReadConditions(vdd_v=3.4), "vdd_v"),
        (lambda: ReadConditions(temp_c=151.0), "temp_c"),
        (lambda: ReadConditions(corner="xx"), "corner"),
        (lambda: FixedResistor(0.0), "resistance_ohm"),
        (lambda: FixedResistor(float("nan")), "resistance_ohm"),
        (lambda: ReadTiming(t_sample_s=5e-9), "t_sample_s"),
        (lambda: ReadTiming(t_wl_s=2e-9), "t_sen_s"),
    ],
)
def test_invalid_parameters_fail_in_the_record(build, field):
    with pytest.raises(ParameterError) as caught:
        build()
    assert caught.value.field == field


def test_numbers_are_formatted_without_minus_zero_and_rejected_if_not_finite():
    assert spice_number(-0.0) == "0"
    assert spice_number(1.5e-15) == "1.5e-15"
    with pytest.raises(ValueError):
        spice_number(float("inf"))


def test_trtol_reaches_the_options_unless_it_is_none():
    copy = [ReadCopy(Cell2T2R(FixedResistor(5e3), FixedResistor(50e3)))]
    default = read_netlist(ReadConditions(), copy)
    assert ".options method=gear trtol=1\n" in default
    untouched = read_netlist(ReadConditions(timing=ReadTiming(trtol=None)), copy)
    assert ".options method=gear\n" in untouched and "trtol" not in untouched
    tight = read_netlist(ReadConditions(timing=ReadTiming(t_step_s=30e-12, trtol=2)), copy)
    assert ".options method=gear trtol=2\n" in tight
    with pytest.raises(ParameterError, match="trtol"):
        ReadTiming(trtol=0.0)


def test_device_bypass_reaches_the_options_only_when_on():
    copy = [ReadCopy(Cell2T2R(FixedResistor(5e3), FixedResistor(50e3)))]
    assert "bypass" not in read_netlist(ReadConditions(timing=ReadTiming(bypass=False)), copy)
    on = read_netlist(ReadConditions(timing=ReadTiming(bypass=True)), copy)
    assert ".options method=gear trtol=1 bypass=1\n" in on
    with pytest.raises(ParameterError) as caught:
        ReadTiming(bypass=1)  # type: ignore[arg-type]
    assert caught.value.field == "bypass" and "true or false" in str(caught.value)
