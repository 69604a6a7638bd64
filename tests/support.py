"""Helpers shared by the tests: imported as ``from tests import support`` (or its names).

The one way tests share code: helper functions and constants live here and are imported.
Fixtures (``conftest.py``) hold only resources with a lifetime, such as the ngspice session or
a campaign run once per module, never helpers.

* the command line in its own process: :func:`cli`, :func:`cli_command`, :func:`start_cli`,
  :func:`assert_message_only`;
* campaign specifications: the log-normal device block (:data:`LOGNORMAL_DEVICE_TOML`,
  :func:`lognormal_device`) and a small two-supply campaign file (:func:`write_spec`);
* an executor that records what a campaign hands it, then stops it
  (:class:`RecordingExecutor`);
* processes: :func:`wait_until`, :func:`children`, :func:`alive`, :func:`kill`;
* BER tables for the network evaluator (:func:`write_ber_table`, :func:`binary_row`,
  :func:`ternary_confusion`) and small random networks (:func:`random_network`).
"""

from __future__ import annotations

import contextlib
import csv
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rram_ber.characterization import schema

if TYPE_CHECKING:  # the network evaluator is imported by the helpers that need it (~1 s)
    from rram_ber.analysis.bnn.layers import Affine, Network, SignThreshold, Weights
    from rram_ber.analysis.bnn.quantizers import WeightKind

# --- the command line ------------------------------------------------------------------------


def cli_command(*args: str) -> list[str]:
    """The argument vector of ``rram-ber ARGS`` run by this interpreter."""
    return [sys.executable, "-m", "rram_ber.cli", *args]


def cli(
    *args: str, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``rram-ber ARGS`` in a fresh interpreter (its own process, its own ngspice).

    Used where a test needs the real command's exit status, its output streams, or a process
    of its own (the in-process ngspice session of the other tests may be open). ``timeout``
    [s] turns a hung command into a failure, with room for a loaded machine.
    """
    return subprocess.run(
        cli_command(*args), capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False
    )


def start_cli(*args: str, stderr_path: Path) -> subprocess.Popen[bytes]:
    """Start ``rram-ber ARGS`` without waiting; its stderr goes to ``stderr_path``."""
    with stderr_path.open("w") as stderr:
        return subprocess.Popen(cli_command(*args), stdout=subprocess.DEVNULL, stderr=stderr)


def assert_message_only(result: subprocess.CompletedProcess[str], status: int = 2) -> None:
    """The command failed with ``status`` and a message, never a Python traceback."""
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip(), "no message"


# --- campaign specifications -----------------------------------------------------------------

#: The log-normal device of the small test campaigns (LRS 5 kOhm, HRS 20 kOhm), as TOML.
LOGNORMAL_DEVICE_TOML = """
[device]
model = "lognormal"
lrs_median_ohm = 5e3
lrs_sigma_ln = 0.3
hrs_median_ohm = 20e3
hrs_sigma_ln = 0.8
"""


def lognormal_device(**changes: Any) -> dict[str, Any]:
    """The [device] table of :data:`LOGNORMAL_DEVICE_TOML` as data, with ``changes``."""
    return {**tomllib.loads(LOGNORMAL_DEVICE_TOML)["device"], **changes}


#: Two condition groups (two supplies) of 8 samples in chunks of 4: 4 chunks, a few seconds;
#: Monte-Carlo named (the default is auto), since the tests using it are about sample chunks.
SPEC_TEXT = (
    """
[campaign]
name = "robustness"
seed = {seed}
samples = {samples}
batch_size = 4
method = "monte-carlo"

[conditions]
cell = "2t2r"
vdd_v = {vdd}
"""
    + LOGNORMAL_DEVICE_TOML
)


def write_spec(
    folder: Path, seed: int = 7, samples: int = 8, vdd: str = "[0.9, 0.5]", extra: str = ""
) -> Path:
    """A small campaign file ``folder/campaign.toml`` (:data:`SPEC_TEXT`, then ``extra``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "campaign.toml"
    path.write_text(SPEC_TEXT.format(seed=seed, samples=samples, vdd=vdd) + extra)
    return path


# --- a recording executor --------------------------------------------------------------------


class Stopped(Exception):
    """Raised by :class:`RecordingExecutor` once it has recorded what it was given."""


class RecordingExecutor:
    """An executor that records the spec and the tasks it is given, then stops the campaign.

    For tests of what a campaign does before anything is simulated (checks, resolved paths,
    which tasks are left): ``run_campaign`` raises :class:`Stopped`.
    """

    workers = 1

    def __init__(self) -> None:
        self.spec: Any = None
        self.tasks: list[Any] = []

    def run(self, spec: Any, tasks: Iterable[Any]) -> Any:
        self.spec = spec
        self.tasks = list(tasks)
        raise Stopped

    def close(self) -> None:
        pass


# --- processes -------------------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll ``condition`` until it holds; fail the test naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def chunks(out: Path) -> int:
    """Number of chunk files stored in ``out``."""
    from rram_ber.characterization import store  # pandas and pyarrow: only where needed

    return len(store.finished_chunks(out))


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill(pid: int, sig: int) -> None:
    """Send ``sig`` to ``pid`` if it still exists."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


# --- the network evaluator: BER tables, random networks, ECG records ------------------------

#: The condition settings of the BER tables :func:`write_ber_table` writes.
BER_SETTINGS = ("cell", "vdd_v", "temp_c", "corner")


def write_ber_table(
    directory: Path, rows: Iterable[list[Any]], confusion: Iterable[list[Any]] | None = None
) -> Path:
    """Write ber.csv (and confusion.csv) as the campaign engine does (schema columns)."""
    path = directory / "ber.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([schema.CONDITION_ID, *BER_SETTINGS, *schema.BER_COLUMNS])
        for row in rows:
            writer.writerow(row)
    if confusion is not None:
        with (directory / "confusion.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(schema.CONFUSION_COLUMNS)
            writer.writerows(confusion)
    return path


def binary_row(cid: Any, ber: float, plus: float, minus: float, vdd: float = 1.2) -> list[Any]:
    """A ber.csv row of a 2T2R Monte-Carlo condition (10 000 reads per stored value)."""
    n = 10_000
    k = round(ber * n)
    return [cid, "2t2r", vdd, 27, "tt", "monte-carlo", n, n, 0, 0, k, k,
            ber, ber / 2, ber * 2, f"{ber:.2g}", 0.0, 0.0, plus, minus]  # fmt: skip


def ternary_confusion(cid: Any, matrix: Any) -> list[list[Any]]:
    """The confusion.csv rows of a ternary condition whose 3 x 3 matrix is ``matrix``."""
    levels = (-1, 0, 1)
    rows = []
    for i, stored in enumerate(levels):
        for j, read in enumerate(levels):
            p = matrix[i][j]
            outcome = "correct" if read == stored else "wrong"
            rows.append([cid, f"{stored:+d}" if stored else "0", read, outcome, round(p * 1000),
                         1000, p, max(0.0, p - 0.01), min(1.0, p + 0.01)])  # fmt: skip
    return rows


def _weights(kind: WeightKind, n_out: int, fan_in: int, rng: np.random.Generator) -> Weights:
    from rram_ber.analysis.bnn.layers import Weights

    return Weights(kind, rng.choice(kind.levels, (n_out, fan_in)).astype(np.float32))


def _threshold(n: int, rng: np.random.Generator) -> SignThreshold:
    from rram_ber.analysis.bnn.layers import SignThreshold

    # Half-integer and integer thresholds both occur after folding; include ties (a == tau).
    return SignThreshold(np.round(rng.normal(0, 4, n) * 2) / 2, rng.choice([-1, 1], n))


def _logits(n: int, rng: np.random.Generator) -> Affine:
    from rram_ber.analysis.bnn.layers import Affine

    return Affine(rng.normal(1, 0.3, n), rng.normal(0, 1, n))


def random_network(kind: WeightKind, topology: str, rng: np.random.Generator) -> Network:
    """A small network of ``kind`` weights: ``mlp``, ``conv1d`` or ``conv2d`` topology."""
    from rram_ber.analysis.bnn.layers import Conv1D, Conv2D, Dense, Network

    if topology == "mlp":
        layers = (
            Dense("d0", _weights(kind, 70, 100, rng), _threshold(70, rng)),
            Dense("d1", _weights(kind, 33, 70, rng), _threshold(33, rng)),
            Dense("d2", _weights(kind, 5, 33, rng), _logits(5, rng)),
        )
        return Network("random-mlp", layers, (100,), 8)
    if topology == "conv1d":
        layers = (
            Conv1D("c0", _weights(kind, 6, 5 * 2, rng), _threshold(6, rng), 5, 2),
            Conv1D("c1", _weights(kind, 7, 3 * 6, rng), _threshold(7, rng), 3, 1),
            Dense("d", _weights(kind, 4, 7 * 9, rng), _logits(4, rng)),
        )
        return Network("random-conv1d", layers, (27, 2), 8)
    layers = (
        Conv2D("c0", _weights(kind, 8, 3 * 3 * 1, rng), _threshold(8, rng), (3, 3), 2),
        Conv2D("c1", _weights(kind, 5, 2 * 2 * 8, rng), _threshold(5, rng), (2, 2), 1),
        Dense("d", _weights(kind, 6, 5 * 3 * 3, rng), _logits(6, rng)),
    )
    return Network("random-conv2d", layers, (11, 11, 1), 8)


def write_ecg_record(
    directory: Path,
    name: str,
    fs: float,
    peaks: list[int],
    symbols: list[str],
    amplitudes: list[float],
    n_samples: int,
) -> None:
    """A small two-lead WFDB record (MLII, V1) with Gaussian beats at ``peaks``, annotated."""
    from rram_ber.analysis.bnn import ecg

    wfdb = ecg.import_wfdb()
    t = np.arange(n_samples)
    lead = np.zeros(n_samples)
    for peak, amplitude in zip(peaks, amplitudes, strict=True):
        lead += amplitude * np.exp(-((t - peak) ** 2) / (2 * (0.01 * fs) ** 2))
    signals = np.column_stack([lead + 0.2, -0.5 * lead])  # MLII with an offset, V1
    with ecg.wfdb_quiet():
        wfdb.wrsamp(name, fs=fs, units=["mV", "mV"], sig_name=["MLII", "V1"],
                    p_signal=signals, fmt=["16", "16"], write_dir=str(directory))  # fmt: skip
        wfdb.wrann(name, "atr", np.asarray(peaks), symbol=list(symbols), write_dir=str(directory))
