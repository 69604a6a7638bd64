"""The code that runs inside worker processes: one :class:`WorkerState` per process.

A task is a Monte-Carlo chunk (:mod:`rram_ber.characterization.chunks`) or a rare-event estimate
(:mod:`rram_ber.characterization.rare_task`). Each worker process owns one
:class:`~characterization.session.NgspiceSession`, opened on first use, and the caches that
live as long as it (the VCM 1T1R reference of each condition group). All simulator calls of a
process are funnelled through one dedicated thread, because libngspice must never be used from
two threads, and a Dask worker may run tasks on several.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from rram_ber.characterization.chunks import ChunkTask, chunk_tasks, simulate_chunk
from rram_ber.characterization.rare_task import RareEstimate, RareOutcome, RareTask, estimate_rare
from rram_ber.characterization.session import NgspiceSession
from rram_ber.characterization.spec import CampaignSpec

Task = ChunkTask | RareTask
TaskResult = dict[int, pd.DataFrame] | RareOutcome


class WorkerState:
    """What a worker process keeps between tasks: its simulator thread, session and caches.

    The session lives as long as the process (the OS frees libngspice at exit).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: ThreadPoolExecutor | None = None
        self._session: NgspiceSession | None = None
        #: VCM 1T1R references [ohm] by (campaign, condition group), see
        #: :func:`rram_ber.characterization.vcm_cells.reference_ohm`.
        self.references: dict[tuple[str, int], float] = {}

    def _open_session(self) -> NgspiceSession:
        if self._session is None:
            session = NgspiceSession()
            session.open()
            self._session = session
        return self._session

    def _run_on_session(self, spec: CampaignSpec, task: Task) -> TaskResult:
        session = self._open_session()
        # Each campaign's own wall-time limit per ngspice run (a worker may serve several).
        session.time_limit_s = spec.campaign.time_limit_s
        if isinstance(task, RareTask):
            return estimate_rare(session, spec, task, self.references)
        return simulate_chunk(session, spec, task, self.references)

    def _ngspice_thread(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._thread is None:
                self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ngspice")
            return self._thread

    def open(self) -> None:
        """Open the session now, so the first task does not wait for libngspice to load."""
        self._ngspice_thread().submit(self._open_session).result()

    def run(self, spec: CampaignSpec, task: Task) -> TaskResult:
        """Run a chunk or an estimate on this process's ngspice thread (any thread may call)."""
        return self._ngspice_thread().submit(self._run_on_session, spec, task).result()


#: The state of this process (created at import, i.e. once per worker process).
_STATE = WorkerState()


def run_task(spec: CampaignSpec, task: Task) -> TaskResult:
    """Entry point of a worker task: a chunk or an estimate, on this process's ngspice.

    Safe to call from any thread of the process (calls are serialised on one ngspice thread).
    """
    return _STATE.run(spec, task)


def warm_up() -> None:
    """Entry point of an executor's start: load ngspice in this worker before tasks arrive."""
    _STATE.open()


__all__ = [
    "ChunkTask",
    "RareEstimate",
    "RareOutcome",
    "RareTask",
    "Task",
    "TaskResult",
    "WorkerState",
    "chunk_tasks",
    "run_task",
    "warm_up",
]
