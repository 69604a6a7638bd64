"""What the characterisation code needs from a simulator, without loading one.

:class:`Simulator` is the interface of a back end (the in-process
:class:`~characterization.session.NgspiceSession` or the subprocess one), :class:`Waveforms` what
a transient returns and :class:`SimulationError` how it fails. Pure measurement code
(:mod:`rram_ber.characterization.measure`) and the campaign types import these without PySpice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

#: Default wall-clock limit of one simulation [s]. A batched 10-sample read takes about 0.5 s
#: on one core; the largest allowed timing (1 us transient at 0.1 ps steps) needs minutes.
DEFAULT_TIME_LIMIT_S = 300.0


class SimulationError(RuntimeError):
    """ngspice could not parse or finish a simulation.

    Attributes
    ----------
    reason : str
        Short description (e.g. ``"timestep too small"``).
    ngspice_output : str
        What ngspice printed (stdout and stderr) for the failing load/run.
    netlist : str
        The full netlist text that was simulated.
    """

    def __init__(self, reason: str, ngspice_output: str, netlist: str) -> None:
        self.reason = reason
        self.ngspice_output = ngspice_output
        self.netlist = netlist
        super().__init__(reason)

    def __reduce__(self) -> tuple[type[SimulationError], tuple[str, str, str]]:
        # Raised in a worker process, the error travels back pickled: rebuild it from its
        # three fields (the default reduction would call SimulationError(reason) and fail).
        return (type(self), (self.reason, self.ngspice_output, self.netlist))

    def netlist_excerpt(self, max_lines: int = 12) -> str:
        """Netlist lines that ngspice's messages point at, else the first element lines."""
        lines = self.netlist.splitlines()
        wanted: list[str] = []
        for match in re.finditer(r"line (\d+)", self.ngspice_output):
            index = int(match.group(1)) - 1
            if 0 <= index < len(lines):
                wanted.append(lines[index])
        if not wanted:
            wanted = [ln for ln in lines if ln and not ln.startswith(("*", "+", ".model"))]
        return "\n".join(wanted[:max_lines])

    def __str__(self) -> str:
        output = "\n".join(self.ngspice_output.strip().splitlines()[-15:])
        return (
            f"ngspice failed: {self.reason}\n--- ngspice said ---\n{output}\n"
            f"--- netlist excerpt ---\n{self.netlist_excerpt()}"
        )


class SimulationTimeout(SimulationError):
    """A simulation was halted at its wall-clock limit.

    Unlike a convergence failure, this depends on the machine's load, not only on the
    circuit; callers must not answer it with numbers computed another way (see
    :func:`rram_ber.characterization.chunks.simulate_batch`).
    """


@dataclass(frozen=True)
class Waveforms:
    """Transient results: a time axis and named vectors sampled on it.

    Attributes
    ----------
    time_s : numpy.ndarray
        Simulator time points [s], increasing.
    vectors : mapping
        Vector name (ngspice lower case: ``out_0``, ``vdd_0#branch``) -> values (V or A).
    """

    time_s: np.ndarray
    vectors: Mapping[str, np.ndarray]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.vectors[name]


class Simulator(Protocol):
    """What the characterisation code needs from a simulator back end."""

    def run_transient(self, netlist: str, vectors: Sequence[str], t_stop_s: float) -> Waveforms:
        """Simulate ``netlist`` (which holds its ``.tran``) and return ``vectors``."""
        ...

    def close(self) -> None:
        """Release the simulator."""
        ...
