"""Issue 20, fault 3: damaged or misplaced chunks are recomputed, never aggregated wrong."""

from __future__ import annotations

import shutil

import pytest

from tests import support as helpers

pytestmark = pytest.mark.ngspice


def _damage_truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damage_random(path):
    import numpy as np

    path.write_bytes(np.random.default_rng(0).bytes(path.stat().st_size))


def _damage_copy_other(path):
    # A valid chunk of this very campaign, stored under another chunk's name.
    others = sorted(p for p in path.parent.glob("*.parquet") if p != path)
    shutil.copyfile(others[0], path)


@pytest.mark.parametrize("damage", [_damage_truncate, _damage_random, _damage_copy_other])
def test_a_bad_chunk_is_recomputed_with_a_message(finished, tmp_path, damage):
    spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    victim = sorted((copy / "samples").glob("*.parquet"))[-1]
    damage(victim)
    result = helpers.cli("run", str(spec), "--out", str(copy))
    assert result.returncode == 0, result.stderr
    assert f"samples/{victim.name}" in result.stderr and "recomputing it" in result.stderr
    assert "1 chunks simulated, 3 resumed" in result.stdout
    # The same table as the uninterrupted run: no duplicate rows, nothing lost.
    assert (copy / "ber.csv").read_bytes() == (out / "ber.csv").read_bytes()


def test_a_stray_chunk_file_is_not_aggregated(finished, tmp_path):
    spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    first = sorted((copy / "samples").glob("*.parquet"))[0]
    shutil.copyfile(first, copy / "samples" / "g0000-k000099.parquet")
    result = helpers.cli("run", str(spec), "--out", str(copy), "--quiet")
    assert result.returncode == 0, result.stderr
    assert (copy / "ber.csv").read_bytes() == (out / "ber.csv").read_bytes()


def test_report_on_a_corrupt_chunk_is_a_message(finished, tmp_path):
    _spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    _damage_truncate(sorted((copy / "samples").glob("*.parquet"))[0])
    result = helpers.cli("report", str(copy), "-o", str(tmp_path / "r.html"), "--no-accuracy")
    helpers.assert_message_only(result)
    assert "g0000-k000000.parquet is damaged" in result.stderr
