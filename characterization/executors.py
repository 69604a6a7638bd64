"""Executors that run campaign chunks in parallel: local processes or a Dask cluster.

Both have the same interface: :meth:`Executor.run` takes the chunk tasks and yields
``(task, rows)`` as chunks finish (in completion order; the campaign sorts rows afterwards, so
the table does not depend on the order). At most a few tasks per worker are in flight at a
time, so millions of chunks do not sit in memory as futures.

* :class:`LocalExecutor`: a pool of worker processes started with ``spawn`` (a fresh
  interpreter: libngspice's global state is never inherited through ``fork``), each holding
  one ngspice session.
* :class:`DaskExecutor`: an existing Dask cluster (``tcp://HOST:PORT``) or a ``LocalCluster``
  of single-threaded worker processes, for users who outgrow one machine.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any, Protocol

from characterization.spec import CampaignSpec
from characterization.worker import Task, TaskResult, run_task
from rram_ber.validation import ParameterError, check_int

#: Tasks kept in flight per worker.
IN_FLIGHT_PER_WORKER = 3


class Executor(Protocol):
    """Runs chunk tasks somewhere and yields their rows as they finish."""

    workers: int

    def run(self, spec: CampaignSpec, tasks: Iterable[Task]) -> Iterator[tuple[Task, TaskResult]]:
        """Yield ``(task, rows)`` for every task, in completion order."""
        ...

    def close(self) -> None:
        """Release workers."""
        ...


def _windowed(
    submit: Callable[[Task], Any],
    wait_any: Callable[[set[Any]], tuple[set[Any], set[Any]]],
    result: Callable[[Any], TaskResult],
    tasks: Iterable[Task],
    window: int,
) -> Iterator[tuple[Task, TaskResult]]:
    """Keep at most ``window`` tasks submitted; yield each as it completes."""
    pending: dict[Any, Task] = {}
    queue = iter(tasks)
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            task = next(queue, None)
            if task is None:
                exhausted = True
                break
            pending[submit(task)] = task
        if not pending:
            return
        done, _ = wait_any(set(pending))
        for future in done:
            task = pending.pop(future)
            yield task, result(future)


class LocalExecutor:
    """Worker processes on this machine, one ngspice session each.

    Parameters
    ----------
    workers : int
        Number of worker processes (1 ... 256).
    """

    def __init__(self, workers: int = 1) -> None:
        self.workers = check_int("--workers", workers, 1, 256)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def run(self, spec: CampaignSpec, tasks: Iterable[Task]) -> Iterator[tuple[Task, TaskResult]]:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        pool = self._pool

        def wait_any(futures: set[Future[TaskResult]]) -> tuple[set[Any], set[Any]]:
            done, not_done = wait(futures, return_when=FIRST_COMPLETED)
            return set(done), set(not_done)

        yield from _windowed(
            lambda task: pool.submit(run_task, spec, task),
            wait_any,
            lambda future: future.result(),
            tasks,
            self.workers * IN_FLIGHT_PER_WORKER,
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor:
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
        if local_workers is not None:
            n = check_int("--dask-local", local_workers, 1, 256)
            self._cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        else:
            assert scheduler is not None
            if not scheduler.startswith(("tcp://", "tls://", "inproc://")):
                raise ParameterError("--scheduler", scheduler, "an address such as tcp://HOST:8786")
            self._client = Client(scheduler)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def run(self, spec: CampaignSpec, tasks: Iterable[Task]) -> Iterator[tuple[Task, TaskResult]]:
        from dask.distributed import wait as dask_wait

        client = self._client
        spec_future = client.scatter(spec, broadcast=True)

        def wait_any(futures: set[Any]) -> tuple[set[Any], set[Any]]:
            done, not_done = dask_wait(list(futures), return_when="FIRST_COMPLETED")
            return set(done), set(not_done)

        yield from _windowed(
            lambda task: client.submit(run_task, spec_future, task, pure=False),
            wait_any,
            lambda future: future.result(),
            tasks,
            self.workers * IN_FLIGHT_PER_WORKER,
        )

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
