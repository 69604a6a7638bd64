"""Pre-flight: a mistake in the user's files stops the campaign before the first sample, exit 2,
quoting ngspice's own error; a sample that fails to parse says why in its ``reason``."""

import subprocess
import sys

import pytest

from rram_ber.characterization import schema
from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.chunks import chunk_tasks, simulate_chunk
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.preflight import defined_models, preflight
from rram_ber.characterization.session import NgspiceSubprocess
from rram_ber.characterization.spec import load_spec
from rram_ber.circuits.user_pcsa import builtin_pcsa_subcircuit
from rram_ber.core.validation import ParameterError
from rram_ber.models.cmos import model_card_text

pytestmark = pytest.mark.ngspice

SPEC = """
[campaign]
seed = 5
samples = 2
batch_size = 2
method = "monte-carlo"

[conditions]
cell = "2t2r"
corner = "tt"
vdd_v = 1.0

[technology]
library = "my130.lib"
corners = {{ tt = "tt", ss = "ss" }}
nmos_model = "{nmos}"
pmos_model = "ptm130p"
pcsa = "sa.sp"
pcsa_subckt = "sa"
pcsa_ports = ["vdd", "sen", "out", "outb", "bl", "blb", "sl"]
"""


def _write(folder, nmos="ptm130n", pcsa_text=None, ss_card=None):
    card = model_card_text()
    ss = card if ss_card is None else ss_card
    (folder / "my130.lib").write_text(f".lib tt\n{card}\n.endl tt\n.lib ss\n{ss}\n.endl ss\n")
    (folder / "sa.sp").write_text(pcsa_text or builtin_pcsa_subcircuit("sa"))
    (folder / "user.toml").write_text(SPEC.format(nmos=nmos))
    return folder / "user.toml"


def test_a_misspelt_model_name_stops_before_anything_runs_with_ngspices_message(tmp_path):
    spec = load_spec(_write(tmp_path, nmos="nmos1"))
    out = tmp_path / "out"
    with LocalExecutor(1) as executor, pytest.raises(ParameterError) as caught:
        run_campaign(spec, out, executor)
    error = caught.value
    assert error.field == "technology.nmos_model" and error.value == "nmos1"
    assert "could not find a valid modelname" in str(error)  # ngspice's own words
    assert "ptm130n" in str(error)  # what the section does define
    assert not out.exists()
    # From the command line: exit status 2, the message on stderr, no traceback.
    completed = subprocess.run(
        [sys.executable, "-m", "rram_ber.cli", "run", "user.toml", "--out", "cli", "--quiet"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert completed.returncode == 2
    assert "could not find a valid modelname" in completed.stderr
    assert "nmos1" in completed.stderr and "Traceback" not in completed.stderr
    assert not (tmp_path / "cli").exists()


def test_a_typo_in_the_amplifier_file_names_the_file_and_quotes_ngspice(tmp_path):
    text = builtin_pcsa_subcircuit("sa").replace("blb 0 ptm130n", "blb 0 nchh", 1)
    assert "nchh" in text
    spec = load_spec(_write(tmp_path, pcsa_text=text))
    with pytest.raises(ParameterError) as caught:
        preflight(spec)
    message = str(caught.value)
    assert "sa.sp" in message and "nchh" in message
    assert "could not find a valid modelname" in message


def test_a_model_missing_from_an_unswept_corner_section_is_found(tmp_path):
    """Only tt is swept, so ngspice reads tt; the ss section still must define the models."""
    ss_card = model_card_text().split(".model ptm130p")[0]  # the NMOS card only
    spec = load_spec(_write(tmp_path, ss_card=ss_card))
    with pytest.raises(ParameterError) as caught:
        preflight(spec)
    assert caught.value.field == "technology.pmos_model"
    assert "'ss'" in str(caught.value)


def test_good_user_files_pass_and_binned_models_count():
    assert defined_models(".model NCH.1 nmos\n.model nch.2 nmos\n  .MODEL pch pmos") == {
        "nch.1", "nch.2", "nch", "pch"
    }  # fmt: skip


def test_good_user_files_pass(tmp_path):
    preflight(load_spec(_write(tmp_path)))


def test_a_sample_that_cannot_be_parsed_carries_ngspices_message(tmp_path):
    """What the rows say when a read cannot be parsed (the pre-flight is bypassed here)."""
    spec = load_spec(_write(tmp_path, nmos="nmos1"))
    (task,) = chunk_tasks(spec, spec.conditions())
    with NgspiceSubprocess() as simulator:
        rows = simulate_chunk(simulator, spec, task)[0]
    reasons = set(rows[schema.FAILURE_REASON])
    assert len(reasons) == 1
    (reason,) = reasons
    assert reason.startswith("netlist could not be parsed: ")
    assert "nmos1" in reason and "could not find a valid modelname" in reason
