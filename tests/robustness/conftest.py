"""Fixtures of the robustness tests (their helpers are in ``tests/support.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import cli, write_spec


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A finished small campaign (spec file, output directory), run once by the CLI."""
    base = tmp_path_factory.mktemp("finished")
    spec = write_spec(base / "spec")
    out = base / "out"
    result = cli("run", str(spec), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    return spec, out
