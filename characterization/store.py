"""A campaign's output directory: atomic Parquet chunks, condition files, manifest.

Layout (see :mod:`characterization.schema`)::

    OUT/campaign.json                 the validated campaign and the software versions
    OUT/conditions/c0003.json         settings of condition 3, written before its samples
    OUT/samples/g0001-k000012.parquet sample rows of chunk 12 of condition group 1 (all the
                                      conditions of the group: they share one simulation)
    OUT/rare/c0003-plus.json          importance / scaled-sigma estimate for stored +1 (-1:
    OUT/rare/c0003-plus.parquet       "minus"), and every read it simulated
    OUT/ber.csv, OUT/confusion.csv    aggregated tables

Each chunk file is written to a temporary name in the same directory, flushed to disk and then
renamed, so a chunk file exists completely or not at all: an interrupted campaign resumes from
the chunks that exist.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from characterization import schema
from rram_ber.validation import ParameterError

_CHUNK_NAME = re.compile(r"^g(\d{4,})-k(\d{6,})\.parquet$")


def chunk_path(out: Path, group_id: int, chunk: int) -> Path:
    """Where chunk ``chunk`` of condition group ``group_id`` is stored."""
    return out / "samples" / f"g{group_id:04d}-k{chunk:06d}.parquet"


def _atomic_write(path: Path, write: Any) -> None:
    """Call ``write(temporary_path)`` then move the file into place atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_chunk(out: Path, group_id: int, chunk: int, rows: pd.DataFrame) -> Path:
    """Store one chunk's rows (every condition of the group) atomically; return its path."""
    path = chunk_path(out, group_id, chunk)
    _atomic_write(path, lambda temporary: rows.to_parquet(temporary, index=False))
    return path


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically."""
    _atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def remove_partial_files(out: Path) -> int:
    """Delete temporary files left by an interrupted write; return how many."""
    removed = 0
    for folder in (out, out / "samples", out / "conditions", out / "rare"):
        if folder.is_dir():
            for entry in folder.glob(".*.*"):
                if entry.is_file():
                    entry.unlink()
                    removed += 1
    return removed


def estimate_paths(out: Path, condition_id: int, stored: int) -> tuple[Path, Path]:
    """The JSON estimate and the Parquet rows of one rare-event estimate."""
    stem = f"c{condition_id:04d}-{'plus' if stored == 1 else 'minus'}"
    return out / "rare" / f"{stem}.json", out / "rare" / f"{stem}.parquet"


def write_estimate(
    out: Path, condition_id: int, stored: int, estimate: dict[str, Any], rows: pd.DataFrame
) -> None:
    """Store an estimate: rows first, the JSON last (its presence marks the estimate done)."""
    json_path, rows_path = estimate_paths(out, condition_id, stored)
    _atomic_write(rows_path, lambda temporary: rows.to_parquet(temporary, index=False))
    write_text(json_path, json.dumps(estimate, indent=2, sort_keys=True))


def read_estimates(out: Path) -> list[dict[str, Any]]:
    """Every stored rare-event estimate."""
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((out / "rare").glob("c*-*.json"))
    ]


def finished_chunks(out: Path) -> set[tuple[int, int]]:
    """``(group_id, chunk)`` of every chunk already stored."""
    folder = out / "samples"
    if not folder.is_dir():
        return set()
    found = set()
    for entry in folder.iterdir():
        match = _CHUNK_NAME.match(entry.name)
        if match:
            found.add((int(match.group(1)), int(match.group(2))))
    return found


def read_samples(out: Path) -> pd.DataFrame:
    """All stored sample rows, sorted by condition and sample index."""
    files = sorted((out / "samples").glob("g*-k*.parquet"))
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    return frame.sort_values([schema.CONDITION_ID, schema.SAMPLE_INDEX], ignore_index=True)


def prepare_output(out: Path, manifest: dict[str, Any]) -> None:
    """Create ``out`` and its manifest, or check that it holds this same campaign.

    Raises
    ------
    ParameterError
        If ``out`` holds results of a different campaign (resuming would mix two tables).
    """
    out.mkdir(parents=True, exist_ok=True)
    path = out / "campaign.json"
    if path.exists():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            existing = None
        if existing is None or existing.get("spec") != manifest["spec"]:
            raise ParameterError(
                "--out",
                str(out),
                "an empty directory or one holding this same campaign (its campaign.json "
                "describes another one; choose a new --out)",
            )
        return
    write_text(path, json.dumps(manifest, indent=2, sort_keys=True))


def write_condition(out: Path, condition_id: int, settings: dict[str, Any]) -> None:
    """Store the resolved settings of one condition as JSON."""
    write_text(
        out / "conditions" / f"c{condition_id:04d}.json",
        json.dumps(settings, indent=2, sort_keys=True),
    )
