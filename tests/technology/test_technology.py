"""Technologies on the real ngspice: PTM-130 unchanged, SKY130 reads, user PCSA equivalence."""

import dataclasses
import json
import re
import shutil
import subprocess

import pytest

from rram_ber.characterization.read import simulate_reads
from rram_ber.circuits.cells import AccessSizing, Cell2T2R
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.pcsa import PcsaSizing, XnorSwitchSizing
from rram_ber.circuits.read import ReadConditions, ReadCopy, read_netlist
from rram_ber.circuits.user_pcsa import UserPcsa, builtin_pcsa_subcircuit
from rram_ber.core.validation import ParameterError
from rram_ber.models.cmos import ProcessCorner
from rram_ber.models.technology import PTM130, SKY130, get_technology, sky130_installed
from rram_ber.models.user_files import scan_user_file
from tests.support import cli

pytestmark = pytest.mark.ngspice
needs_sky130 = pytest.mark.skipif(
    not sky130_installed(),
    reason="SKY130 models not installed (python -m rram_ber.models.sky130_install)",
)
PORTS = ("vdd", "sen", "out", "outb", "bl", "blb", "sl")


def pair(r_bl: float, r_blb: float) -> ReadCopy:
    return ReadCopy(Cell2T2R(FixedResistor(r_bl), FixedResistor(r_blb)))


def test_ptm130_is_the_default_technology_with_the_old_sizes():
    assert PcsaSizing.for_technology(PTM130) == PcsaSizing()
    assert AccessSizing.for_technology(PTM130) == AccessSizing()
    assert XnorSwitchSizing.for_technology(PTM130) == XnorSwitchSizing()
    default = ReadConditions(vdd_v=1.1, corner=ProcessCorner.SS)
    explicit = ReadConditions.for_technology(PTM130, vdd_v=1.1, corner=ProcessCorner.SS)
    assert read_netlist(default, [pair(5e3, 50e3)]) == read_netlist(explicit, [pair(5e3, 50e3)])


def test_an_unknown_technology_and_a_too_high_supply_are_refused():
    with pytest.raises(ParameterError, match="--technology"):
        get_technology("tsmc65", "--technology")
    with pytest.raises(ParameterError, match=r"1\.3 V core devices"):
        ReadConditions(vdd_v=1.8)


@needs_sky130
@pytest.mark.parametrize(
    "corner", ["tt", *(pytest.param(c, marks=pytest.mark.slow) for c in ("ff", "ss", "fs", "sf"))]
)
def test_sky130_reads_plus_and_minus_one_and_its_deck_runs_in_ngspice(corner, tmp_path):
    common = ["--technology", "sky130", "--vdd", "1.8", "--corner", corner, "--temp", "27"]
    for r_bl, r_blb, expected in (("5e3", "50e3", 1), ("50e3", "5e3", -1)):
        done = cli("read", *common, "--r-bl", r_bl, "--r-blb", r_blb, "--json")
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["decision"] == expected and result["resolved"]
        assert 50e-12 < result["delay_s"] < 1e-9
    deck = tmp_path / "read.cir"
    done = cli("netlist", "read", *common, "--r-bl", "5e3", "--r-blb", "50e3", "-o", str(deck))
    assert done.returncode == 0, done.stderr
    text = deck.read_text()
    assert ".include" not in text.lower() and "sky130_fd_pr__nfet_01v8" in text
    ngspice = shutil.which("ngspice")
    assert ngspice is not None
    (tmp_path / ".spiceinit").write_text("set num_threads=1\n")
    run = subprocess.run(
        [ngspice, "-b", deck.name], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert re.search(r"rram-ber-read copy=0 .* decision=1\b", run.stdout)


@pytest.mark.parametrize(
    "technology",
    [PTM130, pytest.param(SKY130, marks=needs_sky130)],
    ids=["ptm130", "sky130"],
)
def test_the_builtin_pcsa_as_a_user_subcircuit_reads_identically(session, technology, tmp_path):
    corner = ProcessCorner.SS
    path = tmp_path / "my_sa.sp"
    path.write_text(builtin_pcsa_subcircuit("my_sa", technology=technology, corner=corner))
    user = UserPcsa(scan_user_file(path), "my_sa", PORTS)
    generated = ReadConditions.for_technology(technology, corner=corner)
    mine = dataclasses.replace(generated, user_pcsa=user)
    copies = [pair(5e3, 50e3), pair(50e3, 5e3), pair(10e3, 12e3)]
    for reference, candidate in zip(
        simulate_reads(session, generated, copies),
        simulate_reads(session, mine, copies),
        strict=True,
    ):
        assert candidate.decision == reference.decision
        assert candidate.delay_s == pytest.approx(reference.delay_s, rel=1e-3)
        assert candidate.energy_j == pytest.approx(reference.energy_j, rel=1e-3)
    assert {m.decision for m in simulate_reads(session, mine, copies)} == {1, -1}


def test_user_pcsa_ports_must_match_the_subcircuit(tmp_path):
    path = tmp_path / "sa.sp"
    path.write_text(builtin_pcsa_subcircuit("sa"))
    with pytest.raises(ParameterError, match="one role per port"):
        UserPcsa(scan_user_file(path), "sa", PORTS[:-1])
    with pytest.raises(ParameterError, match="a subcircuit defined"):
        UserPcsa(scan_user_file(path), "other", PORTS)


@needs_sky130
def test_sky130_mismatch_reaches_the_pdk_devices(session):
    """A threshold shift on one latch NMOS decides a balanced read, in both directions."""
    from rram_ber.models.cmos import TransistorDeviation

    conditions = ReadConditions.for_technology(SKY130)
    decisions = []
    for dvt in (0.05, -0.05):
        deviations = {"nl1": TransistorDeviation(dvt_v=dvt)}
        copy = ReadCopy(Cell2T2R(FixedResistor(10e3), FixedResistor(10e3)), deviations)
        assert "mm_z=" in read_netlist(conditions, [copy])
        decisions.append(simulate_reads(session, conditions, [copy])[0].decision)
    assert sorted(decisions) == [-1, 1]
