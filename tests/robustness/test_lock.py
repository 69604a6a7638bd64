"""Issue 20, fault 2: one run at a time per output directory."""

from __future__ import annotations

import os
import socket

import pytest

from rram_ber.characterization import store
from rram_ber.cli import main
from tests import support as helpers

pytestmark = pytest.mark.ngspice


def test_a_locked_output_directory_is_refused_naming_the_holder(tmp_path, capsys):
    spec = helpers.write_spec(tmp_path / "spec")
    out = tmp_path / "out"
    out.mkdir()
    with store.locked_output(out):
        assert main(["run", str(spec), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"locked by pid {os.getpid()} on host {socket.gethostname()}" in err
    assert not (out / "samples").exists() and not (out / "campaign.json").exists()


@pytest.mark.slow
def test_two_runs_started_together_never_mix(tmp_path):
    out = tmp_path / "out"
    specs = [helpers.write_spec(tmp_path / f"spec{seed}", seed=seed) for seed in (7, 8)]
    processes = [
        helpers.start_cli(
            "run", str(s), "--out", str(out), "--quiet", stderr_path=tmp_path / f"e{i}"
        )
        for i, s in enumerate(specs)
    ]
    statuses = [p.wait(timeout=300) for p in processes]
    errors = [(tmp_path / f"e{i}").read_text() for i in range(2)]
    assert all("Traceback" not in e for e in errors), errors
    # One run wins; the other is refused by the lock or, if it started after the winner had
    # finished, by the fingerprint. Either way it wrote nothing.
    assert sorted(statuses) == [0, 2], errors
    winner = specs[statuses.index(0)]
    loser_error = errors[statuses.index(2)]
    # A loser that arrives between the winner's lock and its writing of who holds it reads
    # "locked by another process"; later, "locked by pid ...".
    assert "locked by" in loser_error or "another campaign" in loser_error
    again = helpers.cli("run", str(winner), "--out", str(out))
    assert again.returncode == 0 and "0 chunks simulated, 4 resumed" in again.stdout


def test_leftover_cleanup_removes_only_partial_files(tmp_path):
    spec = helpers.write_spec(tmp_path / "spec", samples=4, vdd="0.9")
    out = tmp_path / "out"
    (out / "samples").mkdir(parents=True)
    leftover = out / "samples" / ".g0000-k000000.parquet.abc123.partial"
    leftover.write_bytes(b"half a chunk")
    mine = out / ".my.notes"
    mine.write_text("the user's own hidden file")
    assert main(["run", str(spec), "--out", str(out), "--quiet"]) == 0
    assert not leftover.exists()
    assert mine.read_text() == "the user's own hidden file"


def test_deleting_the_output_folder_stops_the_run_with_a_message(tmp_path):
    # Issue 29, fault 9: the run used to recreate the folder and exit 0 with part of the chunks.
    import shutil

    spec = helpers.write_spec(tmp_path / "spec", samples=200)
    out = tmp_path / "out"
    log = tmp_path / "stderr"
    process = helpers.start_cli("run", str(spec), "--out", str(out), "--quiet", stderr_path=log)
    try:
        helpers.wait_until(lambda: helpers.chunks(out) >= 1, "a first chunk")
        shutil.rmtree(out, ignore_errors=True)
        status = process.wait(timeout=300)
    finally:
        helpers.kill(process.pid, 9)
    err = log.read_text()
    assert status == 1, err
    assert "Traceback" not in err
    assert "deleted or replaced" in err
    assert not (out / "ber.csv").exists()


def test_a_finished_run_leaves_no_lock_file_and_a_stale_lock_file_is_reused(tmp_path):
    # Issue 27: run.lock stayed in the folder after a finished run.
    out = tmp_path / "out"
    out.mkdir()
    with store.locked_output(out):
        assert (out / store.LOCK_NAME).is_file()
        store.check_still_locked(out / "ber.csv")  # the run's own lock file is in place
    assert not (out / store.LOCK_NAME).exists()
    # A file left by a killed run (its flock went with the process) does not block.
    (out / store.LOCK_NAME).write_text("pid 1 on host gone since 2020-01-01\n")
    with store.locked_output(out):
        assert f"pid {os.getpid()}" in (out / store.LOCK_NAME).read_text()
    assert not (out / store.LOCK_NAME).exists()


def test_a_lock_taken_on_a_file_deleted_by_its_holder_is_taken_again(tmp_path, monkeypatch):
    """The race the deletion opens: run B opens run.lock, run A ends (deletes it, unlocks),
    B's flock succeeds on the deleted file. B must lock the file at the path instead, or a
    third run C could lock a new file while B runs."""
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    real_flock = fcntl.flock
    calls = []

    def flock_after_the_holder_left(descriptor, operation):
        calls.append(descriptor)
        if len(calls) == 1:  # the holder deletes the file between B's open and flock
            (out / store.LOCK_NAME).unlink()
        return real_flock(descriptor, operation)

    monkeypatch.setattr(store.fcntl, "flock", flock_after_the_holder_left)
    with store.locked_output(out):
        assert len(calls) == 2  # locked, saw the file gone, opened and locked the new one
        locked = os.stat(out / store.LOCK_NAME)
        store.check_still_locked(out / "ber.csv")
    monkeypatch.setattr(store.fcntl, "flock", real_flock)
    assert locked.st_nlink == 1 and not (out / store.LOCK_NAME).exists()


def test_a_finished_campaign_run_leaves_no_lock_file(tmp_path):
    spec = helpers.write_spec(tmp_path / "spec", samples=4, vdd="0.9")
    out = tmp_path / "out"
    result = helpers.cli("run", str(spec), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert (out / "ber.csv").is_file() and not (out / store.LOCK_NAME).exists()
