"""Executor plumbing that needs no simulation: the shared base and the pool workers' exit."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rram_ber.characterization.executors import DaskExecutor, InProcessExecutor, LocalExecutor


def test_every_executor_starts_on_entry_and_closes_on_exit():
    events: list[str] = []

    class Recording(InProcessExecutor):
        def start(self) -> None:
            events.append("start")

        def close(self) -> None:
            events.append("close")

    with Recording() as executor:
        assert isinstance(executor, Recording)
        events.append("body")
    assert events == ["start", "body", "close"]
    for cls in (LocalExecutor, DaskExecutor):
        assert cls.__enter__ is InProcessExecutor.__enter__
        assert cls.__exit__ is InProcessExecutor.__exit__


def test_a_pool_worker_ends_without_teardown_and_keeps_its_output(tmp_path):
    # The pool initializer registers an exit hook that ends the process at once: exit
    # handlers registered before it (here: one writing a file) do not run, but what the
    # worker printed is flushed and the exit status is 0.
    marker = tmp_path / "teardown-ran"
    code = (
        "import atexit, os, sys\n"
        f"atexit.register(lambda: open({str(marker)!r}, 'w').close())\n"
        "from rram_ber.characterization.executors import die_with_parent\n"
        "die_with_parent(os.getppid())\n"
        "sys.stdout.write('last line')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "last line"
    assert not marker.exists()


def _modules_after_import(module: str, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` a fresh interpreter holds after importing ``module``."""
    code = f"import sys, {module}\nprint(' '.join(n for n in {names!r} if n in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.split()


def test_the_executors_module_is_light_so_workers_start_before_the_campaign_code():
    # run/demo enter the executor first and import the campaign code while the workers
    # start; that overlap is lost if this module pulls in the heavy packages again.
    heavy = (
        "numpy",
        "pandas",
        "scipy",
        "rram_ber.characterization.worker",
        "rram_ber.characterization.spec",
    )
    assert _modules_after_import("rram_ber.characterization.executors", heavy) == []


def test_a_worker_does_not_import_scipy_stats_or_its_integrators():
    # scipy.stats and scipy.integrate cost each worker's start ~0.35 s and ~0.2 s; the
    # Monte-Carlo chunks need neither (only VCM programming and reference sweeps do).
    heavy = ("scipy.stats", "scipy.integrate")
    assert _modules_after_import("rram_ber.characterization.worker", heavy) == []


def test_a_task_whose_submission_fails_stays_pending_for_the_rerun():
    # A process pool that breaks while it starts makes ``submit`` raise BrokenProcessPool:
    # the task already taken off the queue must be among those rerun, not lost.
    from concurrent.futures.process import BrokenProcessPool

    from rram_ber.characterization.executors import _windowed

    submitted: list[int] = []

    def submit(task):
        if len(submitted) == 1:
            raise BrokenProcessPool("a worker died while the pool started")
        submitted.append(task)
        return object()

    pending: dict = {}
    queue = iter(range(5))
    with pytest.raises(BrokenProcessPool):
        list(_windowed(submit, lambda f: (set(f), set()), lambda f: {}, queue, 3, pending))
    assert sorted(pending.values()) == [0, 1]
    assert list(queue) == [2, 3, 4]


def test_a_missing_or_short_chunk_stops_the_campaign_before_the_tables(tmp_path):
    from rram_ber.characterization import store

    out = tmp_path / "out"
    (out / "samples").mkdir(parents=True)
    store.chunk_path(out, 0, 0).write_bytes(b"x")
    store.verify_planned_chunks(out, [(0, 0)], {0: 4}, {0: 4})  # complete: no error
    with pytest.raises(store.IncompleteCampaignError, match=r"g0000-k000001\.parquet"):
        store.verify_planned_chunks(out, [(0, 0), (0, 1)], {0: 8}, {0: 8})
    with pytest.raises(store.IncompleteCampaignError, match="condition 0: 4 instead of 8"):
        store.verify_planned_chunks(out, [(0, 0)], {0: 4}, {0: 8})
