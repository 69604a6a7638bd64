"""The one owner of ngspice in a process.

Two back ends with the same interface, :class:`Simulator`:

* :class:`NgspiceSession` drives libngspice in-process through PySpice's shared-library binding.
  ngspice keeps global state, so a process holds at most one open session and only the thread
  that opened it may use it. Each run loads a circuit, runs it, copies the requested vectors and
  then deletes the plot and the circuit, so memory does not grow over thousands of runs.
* :class:`NgspiceSubprocess` runs ``ngspice -b`` on a temporary deck, the fallback for
  environments where the shared library misbehaves and the cross-check of the in-process path.

Both force one OpenMP thread (``set num_threads=1``): Debian's ngspice 39 is built with OpenMP,
and on a busy 2-core machine small circuits then took 2-36 s instead of 0.06 s; the
``OMP_NUM_THREADS`` environment variable does not help, the ngspice variable does.

Failures raise :class:`SimulationError`, carrying ngspice's own messages and the netlist.

Every run has a wall-clock limit (:data:`DEFAULT_TIME_LIMIT_S` unless set): some valid circuits
(extreme sizings, femtosecond steps) make ngspice crawl for hours without ever reporting
"timestep too small". The in-process session runs the transient in ngspice's background
thread, waits at most the limit, then halts it (``bg_halt``), frees the circuit and raises
:class:`SimulationError` with the reason; the session stays usable for the next run. The limit
is on wall time, not on time points: ngspice's shared library has no step-count limit for a
transient, and wall time is what a stuck campaign costs.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

# Re-exported: the simulator types used to live here and are imported from here.
from rram_ber.characterization.simulator import (
    DEFAULT_TIME_LIMIT_S,
    SimulationError,
    SimulationTimeout,
    Simulator,
    Waveforms,
)

__all__ = [
    "NgspiceSession",
    "NgspiceSubprocess",
    "SimulationError",
    "SimulationTimeout",
    "Simulator",
    "Waveforms",
]

#: Relative tolerance on reaching the requested stop time of a transient.
_STOP_TOLERANCE = 1e-6
#: How long a halted background run may take to stop before the session gives up on it [s].
_HALT_GRACE_S = 30.0


def _check_reached_stop(waveforms: Waveforms, t_stop_s: float, output: str, netlist: str) -> None:
    reached = float(waveforms.time_s[-1]) if waveforms.time_s.size else 0.0
    if reached < t_stop_s * (1.0 - _STOP_TOLERANCE):
        raise SimulationError(
            f"transient stopped at {reached:.4g} s before {t_stop_s:.4g} s", output, netlist
        )


def ngspice_error(output: str) -> str:
    """ngspice's own error: its first ``Error ...`` line and the (up to two) lines it
    introduces (the offending netlist line, the cause), on one line; '' if none."""
    lines = [line.strip() for line in output.splitlines()]
    for index, line in enumerate(lines):
        lowered = line.lower()
        if lowered.startswith("error") and "circuit not parsed" not in lowered:
            block = [line]
            for following in lines[index + 1 : index + 3]:
                if not following or following.lower().startswith(
                    ("error", "simulation interrupted", "note:", "warning")
                ):
                    break
                block.append(following)
            return " ".join(" ".join(block).split())[:500]
    return ""


def _failure_reason(output: str) -> str:
    """The most specific known cause in ngspice's messages (a parse failure with ngspice's
    own error line, which the sample rows' ``reason`` then carries)."""
    lowered = output.lower()
    for needle, reason in (
        ("timestep too small", "timestep too small (no convergence)"),
        ("singular matrix", "singular matrix"),
        ("gmin stepping failed", "operating point did not converge"),
        ("source stepping failed", "operating point did not converge"),
        ("circuit not parsed", "netlist could not be parsed"),
        ("error on line", "netlist could not be parsed"),
        ("no such vector", "requested vector missing"),
    ):
        if needle in lowered:
            detail = ngspice_error(output) if reason.startswith("netlist") else ""
            return f"{reason}: {detail}" if detail else reason
    return "simulation failed"


#: stderr lines of ngspice that are information, not failure. "Checking parameters for BSIM"
#: heads the model-parameter warnings of BSIM4 (the SKY130 ff corner prints them).
_BENIGN_STDERR = re.compile(
    r"^\s*($|warning|note:|trying gmin|using sparse|using klu|reference value"
    r"|checking parameters for bsim)",
    re.IGNORECASE,
)


def has_fatal_message(stderr: str) -> bool:
    """Whether ngspice's stderr holds a line that is not a known informational message."""
    return any(not _BENIGN_STDERR.match(line) for line in stderr.splitlines())


#: What every ngspice run starts with, in place of any start-up file of the user. ngspice
#: sources a ``.spiceinit`` at start: the one in the working directory, else the one in the
#: user's home directory (after its own ``spinit``). Either could run shell commands or change
#: the simulator's tolerances (``option reltol=...``) without the campaign knowing, so both
#: back ends start ngspice in a private directory holding a ``.spiceinit`` of these lines:
#: ngspice finds that one first and reads no other. They are part of a campaign's fingerprint.
STARTUP_COMMANDS = ("set num_threads=1", "set noaskquit")


def simulator_settings() -> dict[str, list[str]]:
    """The simulator settings a sample row depends on besides the netlist (for fingerprints)."""
    return {"startup": list(STARTUP_COMMANDS)}


def _write_startup_file(folder: Path) -> None:
    Path(folder, ".spiceinit").write_text("\n".join(STARTUP_COMMANDS) + "\n", encoding="ascii")


@contextlib.contextmanager
def _in_private_directory() -> Iterator[None]:
    """Make a fresh directory holding only the ``.spiceinit`` of :data:`STARTUP_COMMANDS` the
    working directory, for the duration of the block.

    Used around the start of libngspice only (the one moment it looks for start-up files);
    the previous working directory is restored afterwards through a descriptor (``O_PATH``
    where it exists: no read permission needed), so the process then works where it did.
    """
    previous = os.open(".", getattr(os, "O_PATH", os.O_RDONLY))
    try:
        with tempfile.TemporaryDirectory(prefix="rram-ber-ngspice-") as folder:
            _write_startup_file(Path(folder))
            os.chdir(folder)
            try:
                yield
            finally:
                os.fchdir(previous)
    finally:
        os.close(previous)


_open_session_lock = threading.Lock()
_open_session: NgspiceSession | None = None


def _shared_class() -> Any:
    """PySpice's ``NgSpiceShared`` with a working background-thread callback.

    ngspice calls ``BGThreadRunning(not_running, id, user)`` when its background thread starts
    (``False``) and ends (``True``). PySpice 1.5 stores the flag inverted and returns ``None``
    to C, which prints a cffi ``TypeError`` at every background run. This subclass returns 0
    and sets an event when the thread ends, which :meth:`NgspiceSession.run_transient` waits on.
    """
    from PySpice.Spice.NgSpice.Shared import NgSpiceShared, ffi

    class _Shared(NgSpiceShared):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.background_done = threading.Event()
            super().__init__(*args, **kwargs)

        @staticmethod
        def _background_thread_running(not_running: bool, ngspice_id: int, user_data: Any) -> int:
            if not_running:
                ffi.from_handle(user_data).background_done.set()
            return 0

    return _Shared


class NgspiceSession:
    """In-process ngspice (libngspice through PySpice), one per process, explicit lifecycle.

    Use as a context manager::

        with NgspiceSession() as session:
            waveforms = session.run_transient(netlist, ["out_0"], t_stop_s=5e-9)

    Raises
    ------
    RuntimeError
        On opening a second session in the same process, or using it from another thread:
        libngspice keeps global state and must never be shared between threads.
    """

    def __init__(self, time_limit_s: float = DEFAULT_TIME_LIMIT_S) -> None:
        self._ngspice: Any = None
        self._owner_thread: int | None = None
        self.runs = 0
        #: Wall-clock limit of one run [s]; a longer run is halted and fails.
        self.time_limit_s = time_limit_s
        self._background = True

    def __enter__(self) -> NgspiceSession:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        """Whether the session currently owns libngspice."""
        return self._ngspice is not None

    def open(self) -> None:
        """Load libngspice (once per process) and take ownership of it."""
        global _open_session
        with _open_session_lock:
            if _open_session is not None and _open_session is not self:
                raise RuntimeError("an NgspiceSession is already open in this process")
            if self._ngspice is not None:
                return
            # PySpice logs every ngspice stderr line and its own version notice; the session
            # captures ngspice's output itself and reports it in SimulationError instead.
            logging.getLogger("PySpice").setLevel(logging.CRITICAL)
            shared = _shared_class()
            with _in_private_directory():
                self._ngspice = shared.new_instance()
            # PySpice keeps one instance per process: if plain PySpice code made it before this
            # session (a benchmark's naive loop), it lacks the completion event, and runs go in
            # the foreground without the wall-time limit.
            self._background = isinstance(self._ngspice, shared)
            self._owner_thread = threading.get_ident()
            _open_session = self
        # Again, in case plain PySpice code started libngspice before this session did.
        for command in STARTUP_COMMANDS:
            self._command(command)

    def close(self) -> None:
        """Free the simulator state and give up ownership (libngspice stays loaded)."""
        global _open_session
        if self._ngspice is None:
            return
        self._check_thread()
        self._clear()
        with _open_session_lock:
            self._ngspice = None
            self._owner_thread = None
            if _open_session is self:
                _open_session = None

    def _check_thread(self) -> None:
        if self._owner_thread != threading.get_ident():
            raise RuntimeError("an NgspiceSession may only be used by the thread that opened it")

    def _command(self, command: str) -> str:
        return str(self._ngspice.exec_command(command))

    def _output(self) -> str:
        return f"{self._ngspice.stdout}\n{self._ngspice.stderr}".strip()

    def _clear(self) -> None:
        """Delete every plot and circuit, ignoring errors (there may be nothing to delete)."""
        for command in ("destroy all", "remcirc"):
            # Cleanup must never mask the error that brought us here.
            with contextlib.suppress(Exception):
                self._command(command)

    def _run_in_background(self, netlist: str) -> bool:
        """Run the loaded circuit within :attr:`time_limit_s`; return whether it failed.

        Raises
        ------
        SimulationError
            If the run exceeds the limit (it is halted first).
        """
        from PySpice.Spice.NgSpice.Shared import NgSpiceCommandError

        done: threading.Event = self._ngspice.background_done
        done.clear()
        with contextlib.suppress(NgSpiceCommandError):
            # PySpice judges the messages printed so far, which the background thread is
            # still writing (a gmin-stepping note can land there): judged below, once done.
            self._ngspice.exec_command("bg_run")
        if not done.wait(self.time_limit_s):
            # Halt, wait for the thread to stop, keep what it printed for the message.
            with contextlib.suppress(NgSpiceCommandError):
                self._ngspice.exec_command("bg_halt")
            stopped = done.wait(_HALT_GRACE_S)
            output = self._output()
            if not stopped:
                raise RuntimeError(
                    f"ngspice did not stop within {_HALT_GRACE_S:g} s of a halt request"
                )
            raise SimulationTimeout(
                f"wall-time limit of {self.time_limit_s:g} s per simulation exceeded "
                "(halted; raise campaign.time_limit_s for longer transients)",
                output,
                netlist,
            )
        # PySpice fails a command on any stderr line not starting with "Warning:", including
        # ngspice's informational gmin-stepping notes (PySpice issue #399): judge the
        # messages ourselves.
        return has_fatal_message(self._ngspice.stderr)

    def _run_in_foreground(self) -> bool:
        """Run the loaded circuit to its end (no time limit); return whether it failed."""
        from PySpice.Spice.NgSpice.Shared import NgSpiceCommandError

        try:
            self._ngspice.exec_command("run")
        except NgSpiceCommandError:
            # PySpice fails a command on any stderr line not starting with "Warning:" (PySpice
            # issue #399): judge the messages ourselves.
            return has_fatal_message(self._ngspice.stderr)
        return False

    def run_transient(self, netlist: str, vectors: Sequence[str], t_stop_s: float) -> Waveforms:
        """Load and run ``netlist``; return the time axis and ``vectors``.

        Parameters
        ----------
        netlist : str
            Complete netlist with a ``.tran`` line and no ``.control`` block.
        vectors : sequence of str
            Vector names as ngspice knows them (lower case; ``name#branch`` for currents).
        t_stop_s : float
            Stop time of the ``.tran`` [s]; a run ending earlier is a failure.

        Raises
        ------
        SimulationError
            When ngspice reports an error, stops early, lacks a requested vector or exceeds
            :attr:`time_limit_s` (then it is halted and the session is ready for the next run).
        """
        if self._ngspice is None:
            raise RuntimeError("the NgspiceSession is not open")
        self._check_thread()
        from PySpice.Spice.NgSpice.Shared import NgSpiceCircuitError

        try:
            fatal = False
            try:
                self._ngspice.load_circuit(netlist)
            except NgSpiceCircuitError:
                fatal = True
            # PySpice clears its captured output at every command: keep the load messages.
            output = self._output()
            if not fatal:
                fatal = (
                    self._run_in_background(netlist)
                    if self._background
                    else self._run_in_foreground()
                )
                output = f"{output}\n{self._output()}".strip()
            plot_name = self._ngspice.last_plot
            if fatal or not str(plot_name).startswith("tran"):
                raise SimulationError(_failure_reason(output), output, netlist)
            plot = self._ngspice.plot(None, plot_name)
            missing = [name for name in vectors if name not in plot]
            if missing or "time" not in plot:
                raise SimulationError(
                    f"requested vector missing: {', '.join(missing) or 'time'}", output, netlist
                )
            waveforms = Waveforms(
                time_s=np.array(plot["time"].to_waveform(), dtype=float),
                vectors={name: np.array(plot[name].to_waveform(), dtype=float) for name in vectors},
            )
            _check_reached_stop(waveforms, t_stop_s, output, netlist)
            self.runs += 1
            return waveforms
        finally:
            self._clear()


def ngspice_executable() -> str:
    """Path of the ``ngspice`` program, or raise ``FileNotFoundError`` with an install hint."""
    path = shutil.which("ngspice")
    if path is None:
        raise FileNotFoundError(
            "ngspice not found on PATH; install it (Debian: apt-get install ngspice)"
        )
    return path


def _probe_expression(name: str) -> str:
    # Vector names are the package's own (validated identifiers), never user text.
    if not re.fullmatch(r"[a-z0-9_]+(#branch)?", name):
        raise ValueError(f"unexpected vector name {name!r}")
    return f"i({name.removesuffix('#branch')})" if name.endswith("#branch") else f"v({name})"


class NgspiceSubprocess:
    """``ngspice -b`` on a temporary deck: same interface as :class:`NgspiceSession`.

    Parameters
    ----------
    timeout_s : float
        Wall-clock limit of one run [s].
    """

    def __init__(self, timeout_s: float = 600.0) -> None:
        self.timeout_s = timeout_s
        self.runs = 0

    def __enter__(self) -> NgspiceSubprocess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release: each run is its own process."""

    def run_transient(self, netlist: str, vectors: Sequence[str], t_stop_s: float) -> Waveforms:
        """Run ``netlist`` in ``ngspice -b`` and read ``vectors`` back with ``wrdata``."""
        executable = ngspice_executable()
        expressions = [_probe_expression(name) for name in vectors]
        control = "\n".join(
            [
                ".control",
                "set num_threads=1",
                "set wr_singlescale",
                "set wr_vecnames",
                "option numdgt=15",
                "run",
                "wrdata waveforms.txt " + " ".join(expressions),
                "quit 0",
                ".endc",
            ]
        )
        deck = netlist.rstrip().removesuffix(".end").rstrip() + "\n" + control + "\n.end\n"
        with tempfile.TemporaryDirectory(prefix="rram-ber-ngspice-") as workdir:
            Path(workdir, "deck.cir").write_text(deck, encoding="ascii")
            # ngspice reads .spiceinit from the working directory before the deck (and then
            # none from the user's home directory).
            _write_startup_file(Path(workdir))
            try:
                completed = subprocess.run(
                    [executable, "-b", "deck.cir"],
                    cwd=workdir,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=self.timeout_s,
                    env={**os.environ, "OMP_NUM_THREADS": "1"},
                    check=False,
                )
            except subprocess.TimeoutExpired as error:
                raise SimulationTimeout(
                    f"ngspice -b exceeded {self.timeout_s:g} s", str(error.output or ""), deck
                ) from error
            output = f"{completed.stdout}\n{completed.stderr}".strip()
            data_path = Path(workdir, "waveforms.txt")
            if completed.returncode != 0 or not data_path.exists():
                raise SimulationError(_failure_reason(output), output, deck)
            data = np.loadtxt(data_path, skiprows=1, ndmin=2)
        waveforms = Waveforms(
            time_s=data[:, 0].copy(),
            vectors={name: data[:, i + 1].copy() for i, name in enumerate(vectors)},
        )
        _check_reached_stop(waveforms, t_stop_s, output, deck)
        self.runs += 1
        return waveforms


@functools.cache
def ngspice_version() -> str:
    """Version string of the installed ``ngspice`` program (e.g. ``"ngspice-39"``).

    Asked once per process: every campaign's fingerprint needs it, and starting the program
    cost 50-100 ms per campaign.
    """
    completed = subprocess.run(
        [ngspice_executable(), "-v"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    match = re.search(r"ngspice-[\w.]+", completed.stdout + completed.stderr)
    return match.group(0) if match else "unknown"
