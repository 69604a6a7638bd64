"""Helpers of the robustness tests: small campaigns and the command line in a subprocess."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rram_ber.characterization import store

#: Two condition groups (two supplies) of 8 samples in chunks of 4: 4 chunks, a few seconds.
SPEC_TEXT = """
[campaign]
name = "robustness"
seed = {seed}
samples = {samples}
batch_size = 4

[conditions]
cell = "2t2r"
vdd_v = {vdd}

[device]
model = "lognormal"
lrs_median_ohm = 5e3
lrs_sigma_ln = 0.3
hrs_median_ohm = 20e3
hrs_sigma_ln = 0.8
"""


def write_spec(
    folder: Path, seed: int = 7, samples: int = 8, vdd: str = "[0.9, 0.5]", extra: str = ""
) -> Path:
    """A small campaign file in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "campaign.toml"
    path.write_text(SPEC_TEXT.format(seed=seed, samples=samples, vdd=vdd) + extra)
    return path


def cli(
    *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``rram-ber ARGS`` in a fresh interpreter (its own process, its own ngspice)."""
    return subprocess.run(
        [sys.executable, "-m", "rram_ber.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        check=False,
    )


def start_cli(*args: str, stderr_path: Path) -> subprocess.Popen[bytes]:
    """Start ``rram-ber ARGS`` without waiting; its stderr goes to ``stderr_path``."""
    with stderr_path.open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "rram_ber.cli", *args],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll ``condition`` until it holds; fail the test naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def chunks(out: Path) -> int:
    """Number of chunk files stored in ``out``."""
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


def assert_message_only(result: subprocess.CompletedProcess[str], status: int = 2) -> None:
    """The command failed with ``status`` and a message, never a Python traceback."""
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip(), "no message"


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A finished small campaign (spec file, output directory), run once by the CLI."""
    base = tmp_path_factory.mktemp("finished")
    spec = write_spec(base / "spec")
    out = base / "out"
    result = cli("run", str(spec), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    return spec, out


def kill(pid: int, sig: int) -> None:
    """Send ``sig`` to ``pid`` if it still exists."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


@pytest.fixture(scope="session")
def helpers() -> object:
    """This module, so tests can call its functions (test files cannot import a conftest)."""
    return sys.modules[__name__]
