"""Executors that run campaign chunks in parallel: local processes or a Dask cluster.

All have the same interface: :meth:`Executor.run` takes the chunk tasks and yields
``(task, rows)`` as chunks finish (in completion order; the campaign sorts rows afterwards, so
the table does not depend on the order). At most a few tasks per worker are in flight at a
time, so millions of chunks do not sit in memory as futures.

* :class:`InProcessExecutor`: every task in the calling process, one after the other (no
  process is spawned, so a script or notebook needs no ``__main__`` guard).
* :class:`LocalExecutor`: a pool of worker processes started with ``spawn`` (a fresh
  interpreter: libngspice's global state is never inherited through ``fork``), each holding
  one ngspice session. On Linux each worker asks the kernel to kill it when the parent dies
  (``PR_SET_PDEATHSIG``), so ``kill -9`` of the command leaves no simulating orphans. A worker
  that dies (killed, out of memory, ngspice crash) breaks the whole pool; the executor starts
  a fresh pool and reruns the chunks that were in flight, up to :data:`MAX_POOL_RESTARTS`
  times per run. A watchdog replaces a worker that stays stopped (SIGSTOP) or workers that
  all stay silent (no CPU time used, no chunk finished) longer than the campaign's
  per-simulation time limit plus a margin, which would otherwise make the run wait forever.
* :class:`DaskExecutor`: an existing Dask cluster (``tcp://HOST:PORT``) or a ``LocalCluster``
  of single-threaded worker processes, for users who outgrow one machine. Every task carries
  the (small) spec itself rather than a scattered copy, so the scheduler can rerun the tasks
  of a lost worker anywhere (a scattered object dies with the worker holding it).

A run that loses workers more often than that raises :class:`WorkerLostError`: the chunks
finished so far are stored, and rerunning resumes.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self

from rram_ber.core.validation import ParameterError, check_int

if TYPE_CHECKING:
    # Not imported at run time: this module stays light (standard library and validation
    # only), so a command can start its workers before it imports the campaign code itself,
    # and the workers' start-up (interpreter, NumPy/pandas, libngspice) overlaps the
    # command's own imports.
    from rram_ber.characterization.spec import CampaignSpec
    from rram_ber.characterization.worker import Task, TaskResult

#: Tasks kept in flight per worker.
IN_FLIGHT_PER_WORKER = 3
#: Chunks a local worker process runs before it is replaced by a fresh one. A worker's
#: resident memory grows about 2 kB per chunk (measured: 164.2 -> 165.0 MB over 350 chunks of
#: 10 reads); replacing it bounds that to a few MB, for about 3 s of start-up every ~15
#: minutes of simulation.
MAX_TASKS_PER_WORKER = 2000
#: Fresh pools a local run may start after a worker died, before it gives up.
MAX_POOL_RESTARTS = 3
#: Times Dask may rerun a task whose worker died (on top of the scheduler's own retries).
DASK_RETRIES = 2
#: Seconds to wait for a Dask scheduler to answer.
DASK_CONNECT_TIMEOUT_S = 20.0

#: Dask settings of a ``LocalCluster`` started here (a remote cluster keeps its own). Each
#: worker's statistical profiler samples every thread's stack every 10 ms, and the scheduler
#: holds ready tasks back until a worker thread is free (worker-saturation 1.1), so a worker
#: idles for a round trip between chunks; the local pool instead queues the next chunk in
#: the worker. Measured on 2 idle workers: 7.1 % of a core with the defaults, 5.4 % without
#: the profiler. The chunks are the tasks already (one ngspice run each); nothing else to tune.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.scheduler.worker-saturation": float("inf"),
}


#: How often a local run looks at its workers while no result arrives [s].
WATCHDOG_POLL_S = 5.0
#: Beyond a campaign's per-simulation time limit, how long no worker may use any CPU time
#: while chunks are in flight before the silent workers are replaced [s]. A working worker
#: always uses CPU (ngspice computes); the limit bounds one simulation, the margin covers a
#: chunk's set-up and a loaded machine.
WATCHDOG_MARGIN_S = 120.0
#: How long a worker may stay stopped (SIGSTOP, a debugger) before it is replaced [s]. When
#: the whole command is suspended (Ctrl-Z) this process is stopped too and checks nothing.
STOPPED_GRACE_S = 30.0


def _cpu_and_state(pid: int) -> tuple[float, str] | None:
    """CPU time [clock ticks] and scheduler state letter of a process (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return float(fields[11]) + float(fields[12]), fields[0]


class _Watchdog:
    """Replaces worker processes that stopped working; the pool then reruns their chunks.

    A worker is replaced (SIGKILL; the pool breaks, and :class:`LocalExecutor` starts a fresh
    one and reruns the chunks in flight) when it has been stopped for
    :data:`STOPPED_GRACE_S`, or when no worker has used CPU time and no chunk has finished for
    ``silence_s`` (every worker silent: hung). Only Linux exposes what is needed
    (``/proc``); elsewhere nothing is checked.
    """

    def __init__(self, silence_s: float) -> None:
        self.silence_s = silence_s
        self._last_progress = time.monotonic()
        self._cpu: dict[int, float] = {}
        self._stopped_since: dict[int, float] = {}

    def progressed(self) -> None:
        """A chunk finished."""
        self._last_progress = time.monotonic()

    def check(self, pids: list[int]) -> None:
        """Look at the workers; kill those stopped too long, or all if all are silent."""
        now = time.monotonic()
        seen = {pid: _cpu_and_state(pid) for pid in pids}
        working = False
        for pid, found in seen.items():
            if found is None:
                continue
            cpu, state = found
            if cpu != self._cpu.get(pid):
                working = True
            self._cpu[pid] = cpu
            if state in "Tt":
                since = self._stopped_since.setdefault(pid, now)
                if now - since >= STOPPED_GRACE_S:
                    self._replace(pid, f"stopped for {now - since:.0f} s")
            else:
                self._stopped_since.pop(pid, None)
        if working:
            self._last_progress = now
        elif now - self._last_progress >= self.silence_s:
            for pid, found in seen.items():
                if found is not None:
                    self._replace(pid, f"silent for {now - self._last_progress:.0f} s")
            self._last_progress = now

    def _replace(self, pid: int, why: str) -> None:
        print(f"a worker process was {why}; replacing it", file=sys.stderr)
        self._stopped_since.pop(pid, None)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


class WorkerLostError(RuntimeError):
    """Worker processes kept dying; the finished chunks are stored and a rerun resumes."""


def die_with_parent(parent_pid: int) -> None:
    """Pool initializer: end this worker when the process that started it ends, and fast.

    ``PR_SET_PDEATHSIG`` (Linux ``prctl(2)``) makes the kernel send SIGKILL to this process
    when its parent dies by any signal, including SIGKILL, which no handler in the parent
    can catch. The parent may already be gone by the time this runs; then exit at once.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1  # from <linux/prctl.h>
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)
    atexit.register(_exit_without_teardown)


def _warm_up() -> None:
    """Executor start: import the worker code and load ngspice in this worker process.

    Defined here (and importing the worker code only when it runs) so that the parent can
    submit it without importing the worker code first.
    """
    from rram_ber.characterization.worker import warm_up

    warm_up()


def _run_task(spec: CampaignSpec, task: Task) -> TaskResult:
    """Run one chunk task in a worker (see :func:`rram_ber.characterization.worker.run_task`)."""
    from rram_ber.characterization.worker import run_task

    return run_task(spec, task)


def _exit_without_teardown() -> None:
    """Exit hook of a pool worker: end the process without tearing the interpreter down.

    A worker leaves the pool (shutdown, or :data:`MAX_TASKS_PER_WORKER` reached) only after
    its last result is sent, so nothing is left to save; the interpreter's teardown of what
    it loaded (pandas, SciPy, libngspice and its thread) is pure waiting time, and the pool's
    shutdown waits for it. Measured on a loaded 2-core machine: 1.6 s from the last line of a
    worker to its end, 0.1 s with this hook.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class Executor(Protocol):
    """Runs chunk tasks somewhere and yields their rows as they finish."""

    workers: int

    def run(self, spec: CampaignSpec, tasks: Iterable[Task]) -> Iterator[tuple[Task, TaskResult]]:
        """Yield ``(task, rows)`` for every task, in completion order."""
        ...

    def close(self) -> None:
        """Release workers."""
        ...


class _NotSubmitted:
    """Key in ``pending`` of a task taken off the queue whose submission failed."""


def _windowed(
    submit: Callable[[Task], Any],
    wait_any: Callable[[set[Any]], tuple[set[Any], set[Any]]],
    result: Callable[[Any], TaskResult],
    tasks: Iterable[Task],
    window: int,
    pending: dict[Any, Task],
) -> Iterator[tuple[Task, TaskResult]]:
    """Keep at most ``window`` tasks submitted; yield each as it completes.

    ``pending`` (future -> task) holds the tasks taken from ``tasks`` and not yet yielded; a
    task leaves it only once its result is in hand, so after an exception it lists what must be
    rerun. That includes a task whose ``submit`` raised (a process pool that broke while it
    started): it is kept under a placeholder key, never dropped between queue and pool.
    """
    queue = iter(tasks)
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            task = next(queue, None)
            if task is None:
                exhausted = True
                break
            try:
                future = submit(task)
            except BaseException:
                pending[_NotSubmitted()] = task
                raise
            pending[future] = task
        if not pending:
            return
        done, _ = wait_any(set(pending))
        for future in done:
            value = result(future)
            yield pending.pop(future), value


class _Executor:
    """What every executor shares: started on entry, closed on exit.

    Subclasses set :attr:`workers` and implement :meth:`run`; :meth:`start` (start workers
    without waiting) and :meth:`close` (release them) do nothing unless overridden.
    """

    workers: int = 1

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        """Start the workers without waiting for them (nothing to start here)."""

    def close(self) -> None:
        """Release the workers (nothing to release here)."""


class InProcessExecutor(_Executor):
    """Runs every task in the calling process, one after the other (one ngspice session).

    No process is spawned, so nothing needs the ``__main__`` guard of :mod:`multiprocessing`;
    results are the same as with one worker process (every sample's randomness comes from its
    own seed, not from where it runs). The ngspice session lives as long as the process.
    """

    def run(self, spec: CampaignSpec, tasks: Iterable[Task]) -> Iterator[tuple[Task, TaskResult]]:
        """Run ``tasks`` in order, yielding each with its result."""
        for task in tasks:
            yield task, _run_task(spec, task)


class LocalExecutor(_Executor):
    """Worker processes on this machine, one ngspice session each.

    Parameters
    ----------
    workers : int
        Number of worker processes (1 ... 256).
    """

    def __init__(self, workers: int = 1) -> None:
        self.workers = check_int("--workers", workers, 1, 256)
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the worker processes and load ngspice in them, without waiting.

        The campaign plans and verifies its chunks meanwhile, so the start-up of the workers
        (interpreter, imports, libngspice: about 2 s each, in parallel) is hidden behind it
        instead of being added to the campaign.
        """
        pool = self._fresh_pool()
        for _ in range(self.workers):
            pool.submit(_warm_up)

    def _fresh_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=die_with_parent,
                initargs=(os.getpid(),),
                max_tasks_per_child=MAX_TASKS_PER_WORKER,
            )
        return self._pool

    def run(self, spec: CampaignSpec, tasks: Iterable[Task]) -> Iterator[tuple[Task, TaskResult]]:
        watchdog = _Watchdog(spec.campaign.time_limit_s + WATCHDOG_MARGIN_S)

        def wait_any(futures: set[Future[TaskResult]]) -> tuple[set[Any], set[Any]]:
            while True:
                done, not_done = wait(futures, WATCHDOG_POLL_S, return_when=FIRST_COMPLETED)
                if done:
                    watchdog.progressed()
                    return set(done), set(not_done)
                if self._pool is not None:
                    # Private, but the only way to the worker processes of the pool.
                    watchdog.check(list(self._pool._processes))

        queue: Iterator[Task] = iter(tasks)
        restarts = 0
        while True:
            pool = self._fresh_pool()
            pending: dict[Any, Task] = {}
            try:
                yield from _windowed(
                    lambda task, pool=pool: pool.submit(_run_task, spec, task),  # type: ignore[misc]
                    wait_any,
                    lambda future: future.result(),
                    queue,
                    self.workers * IN_FLIGHT_PER_WORKER,
                    pending,
                )
                return
            except BrokenProcessPool as error:
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
                if error.__cause__ is not None:
                    # Not a dead worker: a result or error that could not be unpickled here.
                    # Rerunning would fail the same way.
                    lines = [ln for ln in str(error.__cause__).splitlines() if ln.strip(" '")]
                    raise WorkerLostError(
                        "a worker's result could not be passed back to this process "
                        f"({lines[-1] if lines else 'no detail'}); the chunks finished so far "
                        "are stored"
                    ) from None
                # A worker died; every future of the pool fails with it. Rerun what was in
                # flight on a fresh pool, before the tasks not yet submitted.
                restarts += 1
                if restarts > MAX_POOL_RESTARTS:
                    raise WorkerLostError(
                        f"a worker process died {restarts} times (killed, out of memory or "
                        "ngspice crashed); the chunks finished so far are stored, rerun the "
                        "same command to resume"
                    ) from None
                print(
                    f"a worker process died; restarting the pool and rerunning {len(pending)} "
                    "chunk(s) that were in flight",
                    file=sys.stderr,
                )
                queue = itertools.chain(list(pending.values()), queue)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(_Executor):
    """Chunks on a Dask distributed cluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://HOST:PORT``). Its workers must have rram-ber
        and ngspice installed; workers with several threads are fine (each process funnels
        its simulations through one ngspice thread).
    local_workers : int, optional
        Start a ``LocalCluster`` with this many single-threaded worker processes instead.
    """

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None) -> None:
        if (scheduler is None) == (local_workers is None):
            raise ParameterError(
                "--scheduler/--dask-local", (scheduler, local_workers), "exactly one of the two"
            )
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ParameterError(
                "--scheduler/--dask-local",
                scheduler or local_workers,
                "an installed Dask (pip install 'rram-ber[dask]')",
            ) from None
        self._cluster: Any = None
        self._warm_ups: list[Any] = []
        if local_workers is not None:
            import dask

            n = check_int("--dask-local", local_workers, 1, 256)
            with dask.config.set(LOCAL_CLUSTER_CONFIG):
                self._cluster = LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
                )
            self._client = Client(self._cluster)
        else:
            assert scheduler is not None
            if not scheduler.startswith(("tcp://", "tls://", "inproc://")):
                raise ParameterError("--scheduler", scheduler, "an address such as tcp://HOST:8786")
            try:
                self._client = Client(scheduler, timeout=f"{DASK_CONNECT_TIMEOUT_S:g}s")
            except (OSError, ValueError, TimeoutError) as error:
                raise ParameterError(
                    "--scheduler",
                    scheduler,
                    f"the address of a reachable Dask scheduler, tcp://HOST:PORT ({error})",
                ) from None
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def start(self) -> None:
        """Load ngspice on every worker now, without waiting (see :meth:`LocalExecutor.start`)."""
        # Keep the futures: Dask forgets (and may cancel) a task whose future is released.
        self._warm_ups = [
            self._client.submit(_warm_up, workers=[address], pure=False)
            for address in self._client.scheduler_info().get("workers", {})
        ]

    def run(self, spec: CampaignSpec, tasks: Iterable[Task]) -> Iterator[tuple[Task, TaskResult]]:
        from dask.distributed import wait as dask_wait

        client = self._client

        def wait_any(futures: set[Any]) -> tuple[set[Any], set[Any]]:
            done, not_done = dask_wait(list(futures), return_when="FIRST_COMPLETED")
            return set(done), set(not_done)

        def result(future: Any) -> TaskResult:
            # A task rerun after its worker died still fails when workers keep dying
            # (KilledWorker) or the cluster goes away (cancelled futures).
            try:
                return future.result()
            except Exception as error:
                lost = ("KilledWorker", "CancelledError", "FuturesCancelledError")
                if type(error).__name__ in lost:
                    raise WorkerLostError(
                        f"Dask workers kept dying or left ({type(error).__name__}); the chunks "
                        "finished so far are stored, rerun the same command to resume"
                    ) from None
                raise

        yield from _windowed(
            # The spec travels with every task (not scattered): a lost worker loses nothing
            # the scheduler cannot resend.
            lambda task: client.submit(_run_task, spec, task, pure=False, retries=DASK_RETRIES),
            wait_any,
            result,
            tasks,
            self.workers * IN_FLIGHT_PER_WORKER,
            {},
        )

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
