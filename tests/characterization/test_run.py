"""Campaigns on the real ngspice: determinism, resume after SIGKILL, faults, command line."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from rram_ber.characterization import schema, store
from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.chunks import simulate_group
from rram_ber.characterization.executors import DaskExecutor, LocalExecutor
from rram_ber.characterization.sampling import SamplePlan, plan_samples
from rram_ber.characterization.spec import load_spec, parse_spec
from rram_ber.circuits.cells import Cell2T2R
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.netlist import identifier
from rram_ber.circuits.read import ReadCopy
from rram_ber.cli import main
from tests.support import LOGNORMAL_DEVICE_TOML

pytestmark = pytest.mark.ngspice

SPEC_TEXT = (
    """
[campaign]
name = "test"
seed = 5
samples = 24
batch_size = 6
method = "monte-carlo"

[conditions]
cell = ["2t2r", "1t1r"]
vdd_v = [1.0, 0.7]
"""
    + LOGNORMAL_DEVICE_TOML
)


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "campaign.toml"
    path.write_text(SPEC_TEXT)
    return path


@pytest.fixture(scope="module")
def reference(spec_file, tmp_path_factory) -> pd.DataFrame:
    """The campaign run once, uninterrupted, on one local worker."""
    out = tmp_path_factory.mktemp("reference")
    with LocalExecutor(1) as executor:
        result = run_campaign(load_spec(spec_file), out, executor)
    assert result.simulated_chunks == 16
    return store.read_samples(out)


def test_one_worker_table_is_complete_and_plausible(reference):
    assert len(reference) == 4 * 24
    assert (reference[schema.STATUS] == schema.STATUS_OK).all()
    assert sorted(reference[schema.STORED_VALUE].unique()) == [-1, 1]
    assert {"dvt_nl1", "dbeta_ablb", "r_bl_ohm", "r_blb_ohm", "delay_s", "energy_j"} <= set(
        reference.columns
    )
    # With lognormal overlap some reads fail; not all of them.
    assert 0 < reference[schema.ERROR].sum() < len(reference) / 2


@pytest.mark.slow
def test_two_workers_give_the_identical_table(spec_file, reference, tmp_path):
    with LocalExecutor(2) as executor:
        run_campaign(load_spec(spec_file), tmp_path, executor)
    pd.testing.assert_frame_equal(store.read_samples(tmp_path), reference)


@pytest.mark.slow
def test_a_dask_local_cluster_gives_the_identical_table(spec_file, reference, tmp_path):
    with DaskExecutor(local_workers=2) as executor:
        run_campaign(load_spec(spec_file), tmp_path, executor)
    pd.testing.assert_frame_equal(store.read_samples(tmp_path), reference)


def test_sigkill_mid_campaign_then_resume_gives_the_identical_table(spec_file, reference, tmp_path):
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "rram_ber.cli",
        "run",
        str(spec_file),
        "--out",
        str(out),
        "--quiet",
    ]
    log = tmp_path / "stderr.txt"
    with (
        log.open("w") as stderr,
        subprocess.Popen(
            command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=stderr
        ) as process,
    ):
        deadline = time.monotonic() + 120
        while len(store.finished_chunks(out)) < 3:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "campaign made no progress"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and its worker processes
        process.wait()
    interrupted = len(store.finished_chunks(out))
    assert 3 <= interrupted < 16  # 4 groups x 4 chunks
    assert main(["run", str(spec_file), "--out", str(out), "--quiet"]) == 0
    pd.testing.assert_frame_equal(store.read_samples(out), reference)
    assert list(out.glob("samples/.*")) == []  # no half-written chunk left behind


class DivergentElement:
    """A discontinuous current source: ngspice reports "timestep too small" on it."""

    def element_lines(self, name, node_a, node_b):
        a, b = identifier(node_a), identifier(node_b)
        return [f"b{identifier(name)} {a} {b} i=v({a},{b}) > 0.3 ? 1e-3 : -1e-3"]

    def definitions(self):
        return ()

    def nominal_resistance_ohm(self):
        return 1e4


def test_a_non_converging_sample_is_recorded_and_its_chunk_goes_on(session):
    # The isolated fixture: in a column this discontinuous element makes ngspice crawl on
    # instead of giving up with "timestep too small" (the campaign time limit then ends it).
    spec = parse_spec(
        {
            "campaign": {"samples": 4, "method": "monte-carlo"},
            "device": {"model": "fixed"},
            "array": {"isolated": True},
        }
    )
    condition = spec.conditions()[0]
    plans = plan_samples(spec, condition, range(4))
    divergent = ReadCopy(Cell2T2R(DivergentElement(), FixedResistor(5e4)))
    plans[2] = SamplePlan(sample_index=2, stored=1, expected=1, copy=divergent, columns={})
    rows = simulate_group(session, spec, [condition], plans)[condition.condition_id]
    assert list(rows[schema.STATUS]) == ["ok", "ok", "failed", "ok"]
    assert "timestep too small" in rows.loc[2, schema.FAILURE_REASON]
    assert list(rows[schema.DECISION])[:2] == [1, -1] and rows.loc[3, schema.DECISION] == -1
    from rram_ber.characterization.ber import ber_row

    counts = ber_row(rows, binary=True)
    assert (counts[schema.N_FAILED], counts[schema.N_DECIDED], counts[schema.N_WRONG]) == (1, 3, 0)
    # The failed simulation is a failed read: it counts in the BER, over all four reads.
    assert (counts[schema.N_ERRORS], counts[schema.BER]) == (1, 0.25)


def test_an_output_directory_of_another_campaign_is_refused(spec_file, tmp_path, capsys):
    assert main(["run", str(spec_file), "--out", str(tmp_path), "--samples", "2", "--quiet"]) == 0
    other = spec_file.parent / "other-seed.toml"
    other.write_text(SPEC_TEXT.replace("seed = 5", "seed = 6"))
    assert main(["run", str(other), "--out", str(tmp_path), "--samples", "2", "--quiet"]) == 2
    assert "spec.campaign.seed: 5 there, 6 now" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--samples", "0"], "--samples = 0"),
        (["--workers", "0"], "--workers = 0"),
        (["--scheduler", "localhost:1"], "--scheduler = 'localhost:1'"),
    ],
)
def test_bad_run_options_exit_2(spec_file, tmp_path, capsys, extra, message):
    assert main(["run", str(spec_file), "--out", str(tmp_path / "o"), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o" / "samples").exists()


def test_bad_spec_file_exits_2_with_the_key(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[conditions]\nvdd_v = [1.2, 9]\n")
    assert main(["run", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "conditions.vdd_v[1] = 9.0" in err and "1.5" in err
