"""Issue 20, fault 6: lost workers are replaced, and workers never outlive the command."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from rram_ber.characterization import store
from tests import support as helpers

pytestmark = pytest.mark.ngspice


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _pool_workers(helpers, pid: int) -> list[int]:
    return [c for c in helpers.children(pid) if "spawn_main" in _cmdline(c)]


@pytest.fixture(scope="module")
def longer(tmp_path_factory):
    """A 12-chunk campaign and its uninterrupted output (two local workers)."""
    base = tmp_path_factory.mktemp("longer")
    spec = helpers.write_spec(base / "spec", samples=24)
    out = base / "out"
    result = helpers.cli("run", str(spec), "--out", str(out), "--workers", "2", "--quiet")
    assert result.returncode == 0, result.stderr
    return spec, out


def test_a_killed_pool_worker_is_replaced_and_the_table_is_right(longer, tmp_path):
    spec, reference = longer
    out = tmp_path / "out"
    log = tmp_path / "stderr"
    process = helpers.start_cli(
        "run", str(spec), "--out", str(out), "--workers", "2", "--quiet", stderr_path=log
    )
    try:
        helpers.wait_until(lambda: helpers.chunks(out) >= 1, "a first chunk")
        workers = _pool_workers(helpers, process.pid)
        assert workers, "no pool worker found"
        helpers.kill(workers[0], signal.SIGKILL)
        assert process.wait(timeout=300) == 0, log.read_text()
    finally:
        helpers.kill(process.pid, signal.SIGKILL)
    err = log.read_text()
    assert "Traceback" not in err
    if helpers.chunks(out) and "worker process died" not in err:
        pytest.skip("the campaign finished before the worker was killed")
    assert (out / "ber.csv").read_bytes() == (reference / "ber.csv").read_bytes()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_command(tmp_path, sig):
    spec = helpers.write_spec(tmp_path / "spec", samples=400)
    out = tmp_path / "out"
    process = helpers.start_cli(
        "run",
        str(spec),
        "--out",
        str(out),
        "--workers",
        "2",
        "--quiet",
        stderr_path=tmp_path / "stderr",
    )
    try:
        helpers.wait_until(lambda: helpers.chunks(out) >= 1, "a first chunk")
        descendants = helpers.children(process.pid)
        assert len(_pool_workers(helpers, process.pid)) == 2
        process.send_signal(sig)  # the command only, not its process group
        process.wait(timeout=60)
        helpers.wait_until(
            lambda: not any(helpers.alive(pid) for pid in descendants),
            "the workers and the resource tracker to exit",
            timeout=15,
        )
    finally:
        helpers.kill(process.pid, signal.SIGKILL)
    # Whatever was stored is complete (chunks are written atomically by the command).
    for path in (out / "samples").glob("*.parquet"):
        rows, fingerprint = store.read_chunk(path)
        assert fingerprint is not None and len(rows) == 4


@pytest.mark.slow
def test_dask_workers_lost_at_once_are_retried(longer, tmp_path):
    pytest.importorskip("dask.distributed")
    import os

    from rram_ber.characterization.campaign import run_campaign
    from rram_ber.characterization.executors import DaskExecutor
    from rram_ber.characterization.spec import load_spec

    spec, reference = longer

    class KillAfterFirst:
        """Kill every Dask worker process once, right after the first chunk arrives."""

        def __init__(self, inner):
            self.inner = inner
            self.workers = inner.workers

        def run(self, spec, tasks):
            killed = False
            for item in self.inner.run(spec, tasks):
                if not killed:
                    pids = self.inner._client.run(os.getpid)
                    for pid in pids.values():
                        helpers.kill(pid, signal.SIGKILL)
                    killed = True
                yield item

        def close(self):
            self.inner.close()

    out = tmp_path / "out"
    with DaskExecutor(local_workers=2) as dask:
        run_campaign(load_spec(spec), out, KillAfterFirst(dask))
    assert (out / "ber.csv").read_bytes() == (reference / "ber.csv").read_bytes()
    assert len(store.finished_chunks(out)) == 12


@pytest.mark.slow
def test_replaced_workers_give_the_same_table(finished, tmp_path, monkeypatch):
    from rram_ber.characterization import executors
    from rram_ber.characterization.campaign import run_campaign
    from rram_ber.characterization.spec import load_spec

    spec, reference = finished
    monkeypatch.setattr(executors, "MAX_TASKS_PER_WORKER", 1)  # a fresh process per chunk
    out = tmp_path / "out"
    with executors.LocalExecutor(1) as executor:
        run_campaign(load_spec(spec), out, executor)
    assert (out / "ber.csv").read_bytes() == (reference / "ber.csv").read_bytes()


@pytest.mark.slow
def test_a_worker_killed_while_the_pool_starts_loses_no_chunk(longer, tmp_path):
    # The worker dies before the first chunk is submitted: the pool is broken by then, so the
    # first submission raises. That chunk must be rerun on the fresh pool like the others.
    import time

    from rram_ber.characterization import executors
    from rram_ber.characterization.campaign import run_campaign
    from rram_ber.characterization.spec import load_spec

    spec, reference = longer
    out = tmp_path / "out"
    with executors.LocalExecutor(2) as executor:
        pool = executor._pool
        assert pool is not None
        helpers.wait_until(lambda: len(pool._processes) == 2, "the pool's workers")
        helpers.kill(next(iter(pool._processes)), signal.SIGKILL)
        helpers.wait_until(lambda: bool(pool._broken), "the pool to notice the dead worker")
        time.sleep(0.1)
        result = run_campaign(load_spec(spec), out, executor)
    assert result.simulated_chunks == 12
    assert len(store.finished_chunks(out)) == 12
    assert (out / "ber.csv").read_bytes() == (reference / "ber.csv").read_bytes()


@pytest.mark.slow
def test_a_stopped_worker_is_replaced_and_the_table_is_right(longer, tmp_path, monkeypatch, capfd):
    # Issue 29, fault 7: a SIGSTOPped worker made the run wait forever.
    import threading

    from rram_ber.characterization import executors
    from rram_ber.characterization.campaign import run_campaign
    from rram_ber.characterization.spec import load_spec

    monkeypatch.setattr(executors, "STOPPED_GRACE_S", 2.0)
    monkeypatch.setattr(executors, "WATCHDOG_POLL_S", 0.5)
    spec, reference = longer
    out = tmp_path / "out"
    stopped: list[int] = []
    with executors.LocalExecutor(2) as executor:

        def stop_a_worker() -> None:
            helpers.wait_until(lambda: helpers.chunks(out) >= 1, "a first chunk")
            pool = executor._pool
            if pool is not None and pool._processes:
                stopped.append(next(iter(pool._processes)))
                helpers.kill(stopped[0], signal.SIGSTOP)

        thread = threading.Thread(target=stop_a_worker, daemon=True)
        thread.start()
        try:
            run_campaign(load_spec(spec), out, executor)
        finally:
            for pid in stopped:
                helpers.kill(pid, signal.SIGKILL)
        thread.join(timeout=10)
    assert stopped, "no worker was stopped"
    assert "was stopped for" in capfd.readouterr().err
    assert (out / "ber.csv").read_bytes() == (reference / "ber.csv").read_bytes()
