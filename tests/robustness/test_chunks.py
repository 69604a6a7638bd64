"""Issues 20 (fault 3) and 29 (faults 2, 4, 9): damaged, misplaced or old chunks are recomputed
and kept aside, never aggregated wrong; the report reads exactly the planned chunks."""

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


@pytest.mark.parametrize(
    "damage",
    [
        _damage_truncate,
        *(pytest.param(d, marks=pytest.mark.slow) for d in (_damage_random, _damage_copy_other)),
    ],
)
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
    assert f"set-aside/{victim.name}" in result.stderr
    assert (copy / "set-aside" / victim.name).exists()
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


@pytest.mark.slow
def test_a_thousand_random_bit_flips_never_give_changed_rows(finished, tmp_path):
    # Each flip either makes the chunk refused (DamagedChunkError, never another exception)
    # or leaves its rows and fingerprint exactly as written; a flip in the fingerprint text
    # is damage, never "another campaign".
    import numpy as np

    from rram_ber.characterization import store

    _spec, out = finished
    original = sorted((out / "samples").glob("*.parquet"))[0]
    data = original.read_bytes()
    rows, fingerprint = store.read_chunk(original)
    rng = np.random.default_rng(29)
    flipped = tmp_path / original.name
    outcomes = {"refused": 0, "unchanged": 0}
    for _ in range(1000):
        damaged = bytearray(data)
        bit = int(rng.integers(len(data) * 8))
        damaged[bit // 8] ^= 1 << (bit % 8)
        flipped.write_bytes(bytes(damaged))
        try:
            got, got_fingerprint = store.read_chunk(flipped)
        except store.DamagedChunkError:
            outcomes["refused"] += 1
            continue
        assert got_fingerprint == fingerprint, f"bit {bit} changed the fingerprint"
        assert got.equals(rows), f"bit {bit} changed the rows"
        outcomes["unchanged"] += 1
    assert outcomes["refused"] > 300  # most flips hit data the digest covers


def test_a_flip_in_the_fingerprint_is_damage_not_another_campaign(finished, tmp_path):
    import pyarrow.parquet as pq

    from rram_ber.characterization import store

    spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    victim = sorted((copy / "samples").glob("*.parquet"))[0]
    # One bit of the stored fingerprint text flipped ("seed": "7" -> "6"), the rest intact.
    table = pq.read_table(victim)
    metadata = dict(table.schema.metadata)
    text = metadata[store.FINGERPRINT_METADATA_KEY]
    metadata[store.FINGERPRINT_METADATA_KEY] = text.replace(
        b'"spec.campaign.seed": "7"', b'"spec.campaign.seed": "6"'
    )
    assert metadata[store.FINGERPRINT_METADATA_KEY] != text
    pq.write_table(table.replace_schema_metadata(metadata), victim)
    result = helpers.cli("run", str(spec), "--out", str(copy))
    assert result.returncode == 0, result.stderr
    assert "content digest" in result.stderr and "recomputing it" in result.stderr
    assert (copy / "ber.csv").read_bytes() == (out / "ber.csv").read_bytes()


@pytest.mark.parametrize("replace", ["directory", "fifo", "nan_condition"])
def test_a_strange_entry_in_a_chunks_place_is_set_aside(finished, tmp_path, replace):
    import os

    import numpy as np

    from rram_ber.characterization import store

    spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    victim = sorted((copy / "samples").glob("*.parquet"))[-1]
    if replace == "nan_condition":
        # A well-formed chunk (valid digest) whose condition ids are not integers.
        rows, fingerprint = store.read_chunk(victim)
        rows["condition_id"] = rows["condition_id"].astype(float)
        rows.loc[0, "condition_id"] = np.nan
        store.write_chunk(copy, *map(int, victim.stem[1:].split("-k")), rows, fingerprint)
    else:
        victim.unlink()
        victim.mkdir() if replace == "directory" else os.mkfifo(victim)
    result = helpers.cli("run", str(spec), "--out", str(copy), timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"set-aside/{victim.name}" in result.stderr
    assert (copy / "ber.csv").read_bytes() == (out / "ber.csv").read_bytes()


def test_chunks_of_the_old_format_are_kept_aside_and_named(finished, tmp_path):
    import pyarrow.parquet as pq

    spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (copy / "campaign.json").unlink()
    old = sorted((copy / "samples").glob("*.parquet"))
    for path in old:  # as written before chunks carried a fingerprint
        table = pq.read_table(path)
        pq.write_table(table.replace_schema_metadata({}), path)
    result = helpers.cli("run", str(spec), "--out", str(copy))
    assert result.returncode == 0, result.stderr
    for path in old:
        assert f"samples/{path.name} carries no campaign fingerprint" in result.stderr
        assert (copy / "set-aside" / path.name).exists()
    assert (copy / "ber.csv").read_bytes() == (out / "ber.csv").read_bytes()


def test_the_report_reads_the_planned_chunks_as_ber_csv_does(finished, tmp_path):
    from rram_ber.analysis.campaign_data import load_campaign

    spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    result = helpers.cli("run", str(spec), "--out", str(copy), "--samples", "4", "--quiet")
    assert result.returncode == 0, result.stderr
    data = load_campaign(copy)
    counted = data.samples.groupby("condition_id").size()
    assert set(counted) == {4}
    assert counted.to_dict() == data.ber.set_index("condition_id")["n_samples"].to_dict()


def test_the_report_refuses_a_chunk_stored_under_another_name(finished, tmp_path):
    _spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    first, second = sorted((copy / "samples").glob("*.parquet"))[:2]
    shutil.copyfile(first, second)
    result = helpers.cli("report", str(copy), "-o", str(tmp_path / "r.html"), "--no-accuracy")
    helpers.assert_message_only(result)
    assert f"{second.name} is damaged: it holds rows of other samples" in result.stderr
