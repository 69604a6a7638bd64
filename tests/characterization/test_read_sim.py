"""PCSA reads with the real ngspice."""

import itertools
import re
import subprocess

import numpy as np
import pytest
from scipy.stats import binom

from rram_ber.characterization.read import sample_read_mismatch, simulate_reads
from rram_ber.characterization.session import NgspiceSubprocess
from rram_ber.circuits.cells import Cell1T1R, Cell2T2R
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.read import ReadConditions, ReadCopy, standalone_read_netlist
from rram_ber.models.cmos import ProcessCorner

pytestmark = pytest.mark.ngspice

LRS, HRS = 5e3, 50e3


def _pair(bl: float, blb: float) -> ReadCopy:
    return ReadCopy(Cell2T2R(FixedResistor(bl), FixedResistor(blb)))


@pytest.mark.parametrize(
    ("corner", "vdd", "temp"),
    list(itertools.product(list(ProcessCorner), (1.2, 0.8), (-40.0, 27.0, 125.0))),
)
def test_2t2r_reads_both_stored_values_correctly(session, corner, vdd, temp):
    conditions = ReadConditions(vdd_v=vdd, temp_c=temp, corner=corner)
    plus, minus = simulate_reads(session, conditions, [_pair(LRS, HRS), _pair(HRS, LRS)])
    assert (plus.decision, minus.decision) == (1, -1)
    assert plus.resolved and minus.resolved
    for m in (plus, minus):
        assert 20e-12 < m.delay_s < 1e-9
        assert 1e-15 < m.energy_j < 100e-15


@pytest.mark.parametrize("corner", list(ProcessCorner))
def test_1t1r_reads_device_against_reference(session, corner):
    conditions = ReadConditions(vdd_v=1.2, corner=corner)
    reference = FixedResistor((LRS * HRS) ** 0.5)
    copies = [
        ReadCopy(Cell1T1R(FixedResistor(LRS), reference)),
        ReadCopy(Cell1T1R(FixedResistor(HRS), reference)),
    ]
    assert [m.decision for m in simulate_reads(session, conditions, copies)] == [1, -1]


def test_sense_delay_grows_as_vdd_falls(session):
    delays = [
        simulate_reads(session, ReadConditions(vdd_v=vdd), [_pair(LRS, HRS)])[0].delay_s
        for vdd in (1.3, 1.2, 1.0, 0.8, 0.6)
    ]
    assert all(np.diff(delays) > 0), delays


def test_smaller_resistance_ratio_reads_more_slowly(session):
    wide, narrow = simulate_reads(session, ReadConditions(), [_pair(5e3, 50e3), _pair(10e3, 11e3)])
    assert narrow.delay_s > wide.delay_s


@pytest.mark.slow
def test_equal_resistances_with_mismatch_split_near_half(session):
    conditions = ReadConditions()
    rng = np.random.default_rng(20261123)
    n = 400
    decisions = []
    for _ in range(n // 100):
        copies = [
            ReadCopy(
                Cell2T2R(FixedResistor(10e3), FixedResistor(10e3)),
                sample_read_mismatch(rng, conditions),
            )
            for _ in range(100)
        ]
        decisions += [m.decision for m in simulate_reads(session, conditions, copies)]
    assert 0 not in decisions
    plus = decisions.count(1)
    # The design is symmetric and the mismatch distribution is symmetric under swapping the
    # two sides, so P(+1) = 1/2; accept the central 99.9 % of Binomial(n, 1/2).
    low, high = binom.ppf([0.0005, 0.9995], n, 0.5)
    assert low <= plus <= high, plus


def test_in_process_and_subprocess_back_ends_agree(session):
    conditions = ReadConditions(vdd_v=0.9, corner=ProcessCorner.FS)
    rng = np.random.default_rng(7)
    copies = [
        ReadCopy(
            Cell2T2R(FixedResistor(10e3), FixedResistor(10.3e3)),
            sample_read_mismatch(rng, conditions),
        )
        for _ in range(4)
    ]
    shared = simulate_reads(session, conditions, copies)
    with NgspiceSubprocess() as subprocess_backend:
        separate = simulate_reads(subprocess_backend, conditions, copies)
    for a, b in zip(shared, separate, strict=True):
        assert a.decision == b.decision
        assert a.delay_s == pytest.approx(b.delay_s, rel=1e-6)
        assert a.energy_j == pytest.approx(b.energy_j, rel=1e-6)


def test_exported_deck_gives_the_same_decisions_in_ngspice_batch_mode(session, tmp_path):
    conditions = ReadConditions(vdd_v=0.8, temp_c=125.0, corner=ProcessCorner.SF)
    rng = np.random.default_rng(11)
    copies = [_pair(LRS, HRS), _pair(HRS, LRS)] + [
        ReadCopy(
            Cell2T2R(FixedResistor(10e3), FixedResistor(10e3)),
            sample_read_mismatch(rng, conditions),
        )
        for _ in range(6)
    ]
    in_process = [m.decision for m in simulate_reads(session, conditions, copies)]
    deck = tmp_path / "read.cir"
    deck.write_text(standalone_read_netlist(conditions, copies))
    completed = subprocess.run(
        ["ngspice", "-b", deck.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    printed = {
        int(k): int(float(d))
        for k, d in re.findall(r"rram-ber-read copy=(\d+) .* decision=(\S+)", completed.stdout)
    }
    assert [printed[k] for k in range(len(copies))] == in_process
    assert in_process[:2] == [1, -1]
