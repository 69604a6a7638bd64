"""Issue 29, fault 3: no ngspice start-up file of the user's directories runs or changes results."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests import support as helpers

pytestmark = pytest.mark.ngspice


def _hostile_startup_file(folder, marker):
    """A ``.spiceinit`` that runs a shell command and loosens the tolerances tenfold."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".spiceinit").write_text(f"shell touch {marker}\noption reltol=0.2\n")


def test_a_session_started_beside_a_spiceinit_does_not_source_it(tmp_path):
    marker = tmp_path / "shell-ran"
    _hostile_startup_file(tmp_path / "cwd", marker)
    code = (
        "from rram_ber.characterization.session import NgspiceSession\n"
        "with NgspiceSession() as session:\n"
        "    print(session._command('echo $num_threads'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path / "cwd",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not marker.exists(), "the working directory's .spiceinit ran"


def test_a_campaign_run_beside_a_spiceinit_ignores_it(finished, tmp_path):
    spec, reference = finished
    marker = tmp_path / "shell-ran"
    cwd = tmp_path / "cwd"
    _hostile_startup_file(cwd, marker)
    out = tmp_path / "out"
    result = helpers.cli("run", str(spec), "--out", str(out), "--quiet", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), "the working directory's .spiceinit ran in a worker"
    # reltol=0.2 would have moved every delay and energy: the same table as without it.
    assert (out / "ber.csv").read_bytes() == (reference / "ber.csv").read_bytes()
    samples = sorted((out / "samples").glob("*.parquet"))
    assert [p.read_bytes() for p in samples] == [
        (reference / "samples" / p.name).read_bytes() for p in samples
    ]


def test_the_simulator_settings_are_part_of_the_fingerprint(finished):
    _spec, out = finished
    keys = json.loads((out / "campaign.json").read_text())["fingerprint"]["keys"]
    assert json.loads(keys["simulator.startup"]) == ["set num_threads=1", "set noaskquit"]
