"""Issue 20, fault 1: a resumed output directory must hold this same campaign."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from rram_ber.characterization import store
from tests import support as helpers

pytestmark = pytest.mark.ngspice


def test_every_chunk_carries_the_campaign_fingerprint(finished):
    _spec, out = finished
    manifest = json.loads((out / "campaign.json").read_text())
    keys = manifest["fingerprint"]["keys"]
    assert json.loads(keys["spec.campaign.seed"]) == 7
    assert {"versions.ngspice", "versions.rram_ber", "versions.numpy"} <= set(keys)
    files = sorted((out / "samples").glob("*.parquet"))
    assert len(files) == 4
    for path in files:
        metadata = pq.read_schema(path).metadata
        assert json.loads(metadata[store.FINGERPRINT_METADATA_KEY]) == keys
        # Metadata, not columns: the rows are the schema's and nothing else.
        assert not any("fingerprint" in name for name in pq.read_schema(path).names)


def test_deleted_manifest_and_changed_spec_is_refused(finished, tmp_path):
    _spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (copy / "campaign.json").unlink()
    before = (copy / "ber.csv").read_bytes()
    changed = helpers.write_spec(tmp_path / "spec", vdd="[1.2, 0.7]")
    result = helpers.cli("run", str(changed), "--out", str(copy), "--quiet")
    helpers.assert_message_only(result)
    assert "spec.conditions.vdd_v: [0.9, 0.5] there, [1.2, 0.7] now" in result.stderr
    assert (copy / "ber.csv").read_bytes() == before  # nothing relabelled
    assert not (copy / "campaign.json").exists()


def test_changed_seed_is_refused_by_the_manifest(finished, tmp_path):
    _spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    changed = helpers.write_spec(tmp_path / "spec", seed=8)
    result = helpers.cli("run", str(changed), "--out", str(copy), "--quiet")
    helpers.assert_message_only(result)
    assert "campaign.json was computed for another campaign" in result.stderr
    assert "spec.campaign.seed: 7 there, 8 now" in result.stderr


EMPIRICAL = """
[device]
model = "empirical"
csv = "devices.csv"
"""


def _empirical_spec(folder, helpers):
    spec = helpers.write_spec(folder, samples=4, vdd="0.9")
    text = spec.read_text()
    spec.write_text(text[: text.index("[device]")] + EMPIRICAL)
    return spec


@pytest.mark.slow
def test_changed_device_csv_at_the_same_path_is_refused(tmp_path):
    spec = _empirical_spec(tmp_path / "spec", helpers)
    data = tmp_path / "spec" / "devices.csv"
    data.write_text("state,resistance_ohm\nLRS,5000\nLRS,6000\nHRS,40000\nHRS,50000\n")
    out = tmp_path / "out"
    # Run from another directory: the CSV path is relative to the spec file, not the cwd.
    first = helpers.cli("run", str(spec), "--out", str(out), "--quiet", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    data.write_text("state,resistance_ohm\nLRS,5000\nLRS,9000\nHRS,40000\nHRS,50000\n")
    again = helpers.cli("run", str(spec), "--out", str(out), "--quiet")
    helpers.assert_message_only(again)
    assert "device_data.csv_sha256" in again.stderr


def test_resumed_and_uninterrupted_tables_are_byte_identical(finished, tmp_path):
    spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    for path in sorted((copy / "samples").glob("*.parquet"))[1:3]:
        path.unlink()
    (copy / "ber.csv").unlink()
    result = helpers.cli("run", str(spec), "--out", str(copy))
    assert result.returncode == 0, result.stderr
    assert "2 chunks simulated, 2 resumed" in result.stdout
    assert (copy / "ber.csv").read_bytes() == (out / "ber.csv").read_bytes()
    assert (copy / "confusion.csv").read_bytes() == (out / "confusion.csv").read_bytes()


def test_an_unreadable_manifest_is_refused(finished, tmp_path):
    spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (copy / "campaign.json").write_text("{ truncated")
    result = helpers.cli("run", str(spec), "--out", str(copy), "--quiet")
    helpers.assert_message_only(result)
    assert "campaign.json is unreadable or has no fingerprint" in result.stderr


def test_an_old_output_of_a_file_naming_no_method_is_refused_with_the_line_that_resumes_it(
    finished, tmp_path
):
    """Issue 26: a file naming no method ran Monte-Carlo before and runs auto now. Its old
    output is another campaign (the method is in the fingerprint): refused, never resumed
    with the two methods mixed, and the message names the line that resumes it as it ran."""
    spec, out = finished
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    unnamed = tmp_path / "unnamed.toml"
    text = spec.read_text()
    assert 'method = "monte-carlo"\n' in text
    unnamed.write_text(text.replace('method = "monte-carlo"\n', ""))
    before = {str(p.relative_to(copy)): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    result = helpers.cli("run", str(unnamed), "--out", str(copy), "--quiet")
    helpers.assert_message_only(result)
    hint = 'add method = "monte-carlo" to its [campaign] table to resume this campaign as it ran'
    # The method first, whatever auto keys follow from it.
    first = 'computed for another campaign (spec.campaign.method: "monte-carlo" there, "auto" now;'
    assert first in result.stderr
    assert hint in result.stderr
    # Without campaign.json, the first chunk's fingerprint refuses it the same way.
    (copy / "campaign.json").unlink()
    result = helpers.cli("run", str(unnamed), "--out", str(copy), "--quiet")
    helpers.assert_message_only(result)
    assert "samples/g0000-k000000.parquet was computed for another campaign" in result.stderr
    assert hint in result.stderr
    after = {str(p.relative_to(copy)): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert after == {k: v for k, v in before.items() if k != "campaign.json"}
    # Naming the method it ran resumes it: nothing simulated, the same table.
    (copy / "campaign.json").write_bytes(before["campaign.json"])
    resumed = helpers.cli("run", str(spec), "--out", str(copy))
    assert resumed.returncode == 0, resumed.stderr
    assert "0 chunks simulated, 4 resumed" in resumed.stdout
    assert (copy / "ber.csv").read_bytes() == before["ber.csv"]
