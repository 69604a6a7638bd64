"""The read in its array: column, drivers and logic decode (real ngspice where marked)."""

import dataclasses
import itertools
import json
import math
import re
import subprocess

import numpy as np
import pytest

from rram_ber.characterization.decode import HIGH, LOW, UNDECIDED, decode_levels, decode_outputs
from rram_ber.characterization.read import simulate_reads
from rram_ber.circuits.array import (
    ColumnParameters,
    InverterSizing,
    UnselectedForm,
    chain_inverts,
    chain_stages,
)
from rram_ber.circuits.cells import Cell2T2R
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.read import (
    ReadConditions,
    ReadCopy,
    ReadTiming,
    read_netlist,
    standalone_read_netlist,
)
from rram_ber.circuits.user_pcsa import UserPcsa, builtin_pcsa_subcircuit
from rram_ber.core.validation import ParameterError
from rram_ber.models.cmos import ProcessCorner
from rram_ber.models.technology import PTM130, get_technology, sky130_installed
from rram_ber.models.user_files import scan_user_file
from tests.support import cli

LRS, HRS = 5e3, 50e3


def _pair(bl: float, blb: float) -> ReadCopy:
    return ReadCopy(Cell2T2R(FixedResistor(bl), FixedResistor(blb)))


def _column(rows: int, **kwargs: object) -> ReadConditions:
    return ReadConditions(column=ColumnParameters(rows=rows), **kwargs)  # type: ignore[arg-type]


# --- pure parts ---------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [("rows", 0), ("rows", 5000), ("mux_ways", 0)])
def test_column_rejects_bad_sizes(field, value):
    with pytest.raises(ParameterError, match=field):
        ColumnParameters(**{field: value})


@pytest.mark.parametrize("rows", [1, 2, 5, 128, 257])
@pytest.mark.parametrize("form", list(UnselectedForm))
def test_segments_cover_every_row(rows, form):
    segments = ColumnParameters(rows=rows, unselected=form).segments()
    assert sum(segments) == rows and min(segments) >= 1
    assert max(segments) - min(segments) <= 1


def test_driver_chains_follow_the_fanout_rule_and_taper_up():
    unit = InverterSizing()
    for load in (1e-15, 20e-15, 500e-15):
        stages = chain_stages(load, unit)
        ratio = max(load / unit.input_capacitance_f, 1.0)
        assert len(stages) == max(1, round(math.log(ratio, 4)))
        assert stages[0] == 1.0 and all(b >= a for a, b in itertools.pairwise(stages))
        assert chain_inverts(load, unit) == (len(stages) % 2 == 1)
    assert len(chain_stages(500e-15, unit)) > len(chain_stages(1e-15, unit))


def test_logic_decode_table():
    levels = np.array([LOW, HIGH, HIGH, LOW, UNDECIDED, HIGH])
    levels_b = np.array([HIGH, LOW, HIGH, LOW, HIGH, UNDECIDED])
    value, decided = decode_levels(levels, levels_b)
    assert value.tolist() == [1, -1, 0, 0, 0, 0]
    assert decided.tolist() == [True, True, True, False, False, False]


def test_decode_outputs_uses_per_output_levels_not_the_difference():
    # The case: 0.6 V, outputs (0.044, 0.568) V: logically +1, though the difference
    # is below 0.9 VDD.
    value, decided = decode_outputs(0.044, 0.568, 0.3, 0.6)
    assert (int(value), bool(decided)) == (1, True)
    # Common-mode droop at 1.2 V: both outputs high, a 0, not a +1 or -1.
    value, decided = decode_outputs(1.0, 1.1, 0.6, 1.2)
    assert (int(value), bool(decided)) == (0, True)
    # An output in the band around the threshold is undecided.
    value, decided = decode_outputs(0.6, 1.2, 0.6, 1.2)
    assert not bool(decided)


# --- with ngspice -------------------------------------------------------------------------


@pytest.mark.ngspice
def test_sense_delay_grows_with_rows(session):
    delays = []
    for rows in (1, 16, 64, 256):
        (m,) = simulate_reads(session, _column(rows), [_pair(LRS, HRS)])
        assert (m.decision, m.resolved) == (1, True)
        delays.append(m.delay_s)
    assert all(b > a for a, b in itertools.pairwise(delays)), delays
    assert delays[-1] >= 1.5 * delays[0], delays


@pytest.mark.ngspice
def test_energy_counts_drivers_and_lines(session):
    (isolated,) = simulate_reads(session, ReadConditions(), [_pair(LRS, HRS)])
    energies = [
        simulate_reads(session, _column(rows), [_pair(LRS, HRS)])[0].energy_j for rows in (1, 128)
    ]
    assert isolated.energy_j < energies[0] < energies[1]


@pytest.mark.ngspice
def test_equivalent_unselected_cells_match_real_off_transistors(session):
    results = {}
    for form in UnselectedForm:
        conditions = ReadConditions(column=ColumnParameters(rows=32, unselected=form))
        results[form] = simulate_reads(session, conditions, [_pair(LRS, HRS), _pair(HRS, LRS)])
    for real, lumped in zip(
        results[UnselectedForm.TRANSISTORS], results[UnselectedForm.EQUIVALENT], strict=True
    ):
        assert real.decision == lumped.decision
        assert lumped.delay_s == pytest.approx(real.delay_s, rel=0.03)
        assert lumped.energy_j == pytest.approx(real.energy_j, rel=0.03)


@pytest.mark.ngspice
def test_column_mux_slows_the_read(session):
    plain = simulate_reads(session, _column(64), [_pair(LRS, HRS)])[0]
    muxed = ReadConditions(column=ColumnParameters(rows=64, mux_ways=8))
    (m,) = simulate_reads(session, muxed, [_pair(LRS, HRS)])
    assert m.decision == 1 and m.delay_s > plain.delay_s


@pytest.mark.ngspice
def test_low_vdd_early_sample_reads_plus_one_by_logic(session):
    conditions = ReadConditions(
        vdd_v=0.6, timing=ReadTiming(t_sample_s=0.25e-9), column=ColumnParameters(rows=1)
    )
    (m,) = simulate_reads(session, conditions, [_pair(LRS, HRS)])
    assert (m.decision, m.resolved) == (1, True)
    # The analogue rule (|V(OUTB) - V(OUT)| >= 0.9 VDD) would call this read unresolved.
    assert m.v_outb_v - m.v_out_v < 0.9 * 0.6


@pytest.mark.ngspice
def test_hrs_hrs_read_before_it_resolves_reads_zero(session):
    conditions = ReadConditions(
        timing=ReadTiming(t_sample_s=0.05e-9), column=ColumnParameters(rows=1)
    )
    (m,) = simulate_reads(session, conditions, [_pair(HRS, HRS)])
    assert (m.decision, m.resolved) == (0, True)
    assert min(m.v_out_v, m.v_outb_v) > 0.6


@pytest.mark.ngspice
def test_exported_256_row_deck_runs_unchanged_with_the_same_decisions(session, tmp_path):
    conditions = ReadConditions(
        timing=ReadTiming(t_sample_s=2.5e-9), column=ColumnParameters(rows=256)
    )
    copies = [_pair(LRS, HRS), _pair(HRS, LRS), _pair(HRS, HRS)]
    measured = simulate_reads(session, conditions, copies)
    deck = tmp_path / "read.cir"
    deck.write_text(standalone_read_netlist(conditions, copies))
    ran = subprocess.run(
        ["ngspice", "-b", deck.name], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    printed = re.findall(r"decision=(-?\d+) undecided=(\d)", ran.stdout)
    assert [(int(d), u == "0") for d, u in printed] == [(m.decision, m.resolved) for m in measured]
    assert [m.decision for m in measured] == [1, -1, 0]


@pytest.mark.ngspice
def test_cli_read_json_reports_decoded_value_and_both_outputs():
    completed = cli("read", "--rows", "1", "--vdd", "0.6", "--t-sample", "0.25e-9", "--json")
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["decision"] == 1 and result["resolved"] is True and result["rows"] == 1
    assert result["v_out_v"] < 0.3 * 0.6 < 0.7 * 0.6 < result["v_outb_v"]


# --- technologies and a user's sense amplifier in the column --------------------------------


@pytest.mark.ngspice
@pytest.mark.parametrize(
    "name",
    [
        "ptm130",
        pytest.param(
            "sky130",
            marks=pytest.mark.skipif(not sky130_installed(), reason="SKY130 models not installed"),
        ),
    ],
)
def test_every_column_transistor_goes_through_the_technology(session, name):
    technology = get_technology(name)
    conditions = ReadConditions.for_technology(
        technology,
        timing=ReadTiming(t_sample_s=2e-9),
        column=ColumnParameters(rows=8, mux_ways=2),
    )
    text = read_netlist(conditions, [_pair(LRS, HRS)])
    devices = [line for line in text.splitlines() if line[:1] in ("m", "x")]
    # Drivers, multiplexer, unselected cells, decode and replica inverters: all of them on the
    # technology's own models, none on another technology's.
    other = {"ptm130": "sky130_fd_pr__", "sky130": "ptm130"}[name]
    assert len(devices) > 20
    for line in devices:
        model = line.split()[5]
        assert model in (technology.nmos_model, technology.pmos_model), line
        assert other not in line
    assert any(" m=" in line for line in devices)  # lumped unselected / multiplexer devices
    plus, minus = simulate_reads(session, conditions, [_pair(LRS, HRS), _pair(HRS, LRS)])
    assert (plus.decision, minus.decision) == (1, -1) and plus.resolved and minus.resolved
    assert 50e-12 < plus.delay_s < 2e-9


@pytest.mark.ngspice
def test_a_user_pcsa_in_the_column_reads_like_the_builtin_one(session, tmp_path):
    """The built-in PCSA written as a user subcircuit gives the same column read."""
    path = tmp_path / "my_sa.sp"
    path.write_text(builtin_pcsa_subcircuit("my_sa", technology=PTM130, corner=ProcessCorner.TT))
    user = UserPcsa(scan_user_file(path), "my_sa", ("vdd", "sen", "out", "outb", "bl", "blb", "sl"))
    generated = ReadConditions(timing=ReadTiming(t_sample_s=1e-9), column=ColumnParameters(rows=16))
    mine = dataclasses.replace(generated, user_pcsa=user)
    copies = [_pair(LRS, HRS), _pair(HRS, LRS), _pair(HRS, HRS)]
    reference = simulate_reads(session, generated, copies)
    candidate = simulate_reads(session, mine, copies)
    assert [m.decision for m in reference] == [1, -1, 0]
    for ref, got in zip(reference, candidate, strict=True):
        assert got.decision == ref.decision
        assert got.energy_j == pytest.approx(ref.energy_j, rel=1e-3)
        if ref.resolved and ref.decision != 0:
            assert got.delay_s == pytest.approx(ref.delay_s, rel=1e-3)
