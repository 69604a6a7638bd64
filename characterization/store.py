"""A campaign's output directory: atomic Parquet chunks, condition files, manifest, lock.

Layout (see :mod:`rram_ber.characterization.schema`)::

    OUT/campaign.json                 the validated campaign, the software versions and the
                                      campaign's fingerprint
    OUT/run.lock                      held (flock) by the run writing here; names its process
    OUT/conditions/c0003.json         settings of condition 3, written before its samples
    OUT/samples/g0001-k000012.parquet sample rows of chunk 12 of condition group 1 (all the
                                      conditions of the group: they share one simulation); its
                                      Parquet key-value metadata holds the fingerprint
    OUT/rare/c0003-plus.json          rare-event estimate for stored +1 (-1: "minus", a
    OUT/rare/c0003-plus.parquet       ternary 0: "zero"), and every read it simulated
    OUT/ber.csv, OUT/confusion.csv    aggregated tables

Each file is written to a temporary name (``.NAME.XXXX.partial``) in the same directory, flushed
to disk and then renamed, so a chunk file exists completely or not at all: an interrupted
campaign resumes from the chunks that exist. Only one run writes into a directory at a time
(:func:`locked_output`), so the temporary files a run finds when it starts are left over from
an interrupted run and can be removed.

A chunk's fingerprint (see :func:`rram_ber.characterization.campaign.fingerprint`) travels with the
chunk, so a resumed run can tell, even without ``campaign.json``, that a chunk was computed for
another specification, another device data file or other software.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import re
import socket
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rram_ber.characterization import schema
from rram_ber.characterization.rare.results import RareEstimate
from rram_ber.core.validation import ParameterError, make_writable_dir

_CHUNK_NAME = re.compile(r"^g(\d{4,})-k(\d{6,})\.parquet$")
#: Suffix of temporary files; :func:`remove_partial_files` removes only files named like this.
_PARTIAL_SUFFIX = ".partial"
#: Parquet key-value metadata key holding the fingerprint of the campaign that wrote a chunk.
FINGERPRINT_METADATA_KEY = b"rram_ber.fingerprint"
#: Parquet key-value metadata key holding the SHA-256 of a file's rows and fingerprint (see
#: :func:`content_digest`): Parquet as pyarrow writes it has no checksum that covers the rows
#: and the metadata, and a flipped bit in a data page can decode to other valid rows.
DIGEST_METADATA_KEY = b"rram_ber.content_sha256"
LOCK_NAME = "run.lock"


def chunk_path(out: Path, group_id: int, chunk: int) -> Path:
    """Where chunk ``chunk`` of condition group ``group_id`` is stored."""
    return out / "samples" / f"g{group_id:04d}-k{chunk:06d}.parquet"


class StoreError(RuntimeError):
    """The output directory cannot hold a complete campaign (exit status 1, a message)."""


class OutputLostError(StoreError):
    """The output directory was deleted or replaced while a run held its lock."""


#: Output directories locked by this process -> (device, inode) of their lock file.
_HELD: dict[Path, tuple[int, int]] = {}


def check_still_locked(path: Path) -> None:
    """Before writing ``path``: the output directory holding it is still the one this run
    locked (its lock file is the same file).

    Deleting or moving the output folder while a run writes would otherwise let the run
    recreate it and report success with part of the chunks; and a second run could lock the
    new folder while this one still writes.

    Raises
    ------
    OutputLostError
        If the lock file of the output directory holding ``path`` is gone or is another file.
    """
    parents = Path(os.path.abspath(path)).parents
    for out, identity in list(_HELD.items()):
        if out in parents:
            try:
                status = os.stat(out / LOCK_NAME)
            except OSError:
                status = None
            if status is None or (status.st_dev, status.st_ino) != identity:
                raise OutputLostError(
                    f"the output folder {out} was deleted or replaced while this run wrote to "
                    "it (its lock file is gone); the run stopped. Rerun the same command to "
                    "start again"
                )


def _atomic_write(path: Path, write: Any, sync: bool = True) -> None:
    """Call ``write(temporary_path)`` then move the file into place atomically.

    With ``sync`` the data reach the disk before the rename, so a crash leaves the old file
    or the complete new one. The folder is created if missing, but not its parents: the
    output directory itself is never recreated (see :func:`check_still_locked`).
    """
    check_still_locked(path)
    path.parent.mkdir(exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=_PARTIAL_SUFFIX, dir=path.parent
    )
    os.close(handle)
    try:
        write(Path(temporary))
        if sync:
            with open(temporary, "rb") as stream:
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def content_digest(rows: pd.DataFrame, fingerprint_text: bytes) -> str:
    """SHA-256 of a chunk's rows, exactly as a reader gets them, and of its fingerprint text.

    Every column adds its name, its dtype and its values: the raw bytes of a numeric or
    boolean column (so any changed bit of a number changes the digest), the ``repr`` of each
    value of another column.
    """
    digest = hashlib.sha256(fingerprint_text)
    for name in rows.columns:
        column = rows[name]
        digest.update(f"\0{name!r}\0{column.dtype}\0".encode())
        values = column.to_numpy()
        if values.dtype.kind in "biufcmM":
            digest.update(np.ascontiguousarray(values).tobytes())
        else:
            digest.update("\0".join(repr(value) for value in values).encode())
    return digest.hexdigest()


def _write_parquet(path: Path, rows: pd.DataFrame, fingerprint: Mapping[str, str]) -> None:
    """Write ``rows`` as Parquet with the fingerprint and the content digest in the file's
    key-value metadata.

    The metadata is not a column, so the rows (and every table made from them) are the same
    as without it. The digest is of the rows as they read back (the Arrow table converted
    to pandas, as :func:`read_chunk` does).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(rows, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    text = json.dumps(dict(fingerprint), sort_keys=True).encode()
    metadata[FINGERPRINT_METADATA_KEY] = text
    metadata[DIGEST_METADATA_KEY] = content_digest(table.to_pandas(), text).encode()
    pq.write_table(table.replace_schema_metadata(metadata), path)


def write_chunk(
    out: Path, group_id: int, chunk: int, rows: pd.DataFrame, fingerprint: Mapping[str, str]
) -> Path:
    """Store one chunk's rows (every condition of the group) atomically; return its path.

    Parameters
    ----------
    out : Path
        Campaign output directory.
    group_id, chunk : int
        Which chunk.
    rows : pandas.DataFrame
        Its sample rows.
    fingerprint : mapping
        The campaign's fingerprint keys (key -> JSON text of the value), stored in the file's
        Parquet metadata.
    """
    path = chunk_path(out, group_id, chunk)
    _atomic_write(path, lambda temporary: _write_parquet(temporary, rows, fingerprint))
    return path


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically."""
    _atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def remove_partial_files(out: Path) -> int:
    """Delete temporary files left by an interrupted write; return how many.

    Call it only while holding :func:`locked_output`: then no other run is writing here and
    every temporary file is a leftover. Only files named like this module's temporary files
    (``.NAME.XXXX.partial``) are touched.
    """
    removed = 0
    for folder in (out, out / "samples", out / "conditions", out / "rare"):
        if folder.is_dir():
            for entry in folder.glob(f".*{_PARTIAL_SUFFIX}"):
                if entry.is_file():
                    entry.unlink(missing_ok=True)
                    removed += 1
    return removed


def _lock_file(out: Path) -> int:
    """Open and ``flock`` ``out/run.lock``: the descriptor of the file now at that path.

    A finished run deletes its lock file while it still holds the lock, so a run that opened
    the file just before may lock a file no longer in the folder: it then opens the new one.

    Raises
    ------
    ParameterError
        If the folder cannot be written, or another process holds the lock (naming it).
    """
    path = out / LOCK_NAME
    for _attempt in range(100):
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise ParameterError(
                "--out", str(out), f"a directory this user can write to ({error.strerror})"
            ) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 400, 0).decode("utf-8", "replace").strip()
            os.close(descriptor)
            raise ParameterError(
                "--out",
                str(out),
                "a directory no other run is writing to (it is locked by "
                f"{holder or 'another process'}; wait for that run or choose another --out)",
            ) from None
        except BaseException:
            os.close(descriptor)
            raise
        mine = os.fstat(descriptor)
        try:
            there = os.stat(path)
        except OSError:
            there = None
        if there is not None and (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino):
            return descriptor
        os.close(descriptor)  # the file was deleted by the run that held it: open the new one
    raise ParameterError("--out", str(out), "a directory whose lock file stays in place")


@contextlib.contextmanager
def locked_output(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output directory ``out`` (which must exist).

    The lock is an ``flock`` on ``out/run.lock``, released by the kernel when the process ends
    however it ends, so a killed run never leaves a stale lock (its file stays, naming the
    process, until the next run). The file names the holder (process id, host, start time)
    for the message another run gets; a run that ends deletes it while still holding the
    lock, and a run that locked a deleted file opens the new one (:func:`_lock_file`).
    ``flock`` locks are not reliable on some network file systems; a shared folder there is
    not protected.

    Raises
    ------
    ParameterError
        If another process holds the lock (naming it).
    """
    path = out / LOCK_NAME
    descriptor = _lock_file(out)
    key = Path(os.path.abspath(out))
    try:
        started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        os.ftruncate(descriptor, 0)
        os.pwrite(
            descriptor,
            f"pid {os.getpid()} on host {socket.gethostname()} since {started}\n".encode(),
            0,
        )
        status = os.fstat(descriptor)
        _HELD[key] = (status.st_dev, status.st_ino)
        yield
    finally:
        identity = _HELD.pop(key, None)
        # Deleted while still locked (a finished run leaves no run.lock behind), and only if
        # it is still this run's file: a folder replaced under the run keeps the other file.
        try:
            there = os.stat(path)
            if identity is not None and (there.st_dev, there.st_ino) == identity:
                path.unlink()
        except OSError:
            pass
        os.close(descriptor)


#: File-name part of a stored value in :func:`estimate_paths`.
_STORED_NAMES = {1: "plus", 0: "zero", -1: "minus"}


def estimate_paths(out: Path, condition_id: int, stored: int) -> tuple[Path, Path]:
    """The JSON estimate and the Parquet rows of one rare-event estimate."""
    stem = f"c{condition_id:04d}-{_STORED_NAMES[stored]}"
    return out / "rare" / f"{stem}.json", out / "rare" / f"{stem}.parquet"


def write_estimate(
    out: Path,
    estimate: RareEstimate,
    rows: pd.DataFrame,
    fingerprint: Mapping[str, str],
) -> None:
    """Store an estimate: rows first, the JSON last (its presence marks the estimate done).

    The JSON is :meth:`RareEstimate.to_record` (the one schema of ``rare/*.json``) with the
    campaign's fingerprint under ``"fingerprint"``; the rows carry it in their Parquet
    metadata.
    """
    json_path, rows_path = estimate_paths(out, estimate.condition_id, estimate.stored)
    _atomic_write(rows_path, lambda temporary: _write_parquet(temporary, rows, fingerprint))
    record = {**estimate.to_record(), "fingerprint": dict(fingerprint)}
    write_text(json_path, json.dumps(record, indent=2, sort_keys=True))


def estimate_fingerprint(path: Path) -> dict[str, Any] | None:
    """The fingerprint a stored estimate carries (``{}`` if none), or None if the file cannot
    be read as a JSON object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(value, dict):
        return None
    stored = value.get("fingerprint")
    return dict(stored) if isinstance(stored, dict) else {}


def read_estimate(path: Path) -> RareEstimate:
    """One stored estimate (:meth:`RareEstimate.from_record`, which also reads the format
    written before issue 25).

    Raises
    ------
    ValueError
        If the file cannot be read as an estimate, saying why and naming it.
    """
    where = f"rare/{path.name}"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{where} is unreadable") from None
    if not isinstance(value, dict):
        raise ValueError(f"{where} is not an estimate record")
    try:
        return RareEstimate.from_record(value)
    except ValueError as error:
        raise ValueError(f"{where} is not an estimate this rram-ber reads ({error})") from None


def read_estimates(out: Path) -> list[RareEstimate]:
    """Every stored rare-event estimate.

    Raises
    ------
    ParameterError
        If an estimate file cannot be read (naming it).
    """
    found = []
    for path in sorted((out / "rare").glob("c*-*.json")):
        try:
            found.append(read_estimate(path))
        except ValueError as error:
            raise ParameterError(
                "DIR", str(out), f"readable estimates ({error}; rerun the campaign)"
            ) from None
    return found


class IncompleteCampaignError(StoreError):
    """Planned chunks are missing or were not counted exactly once before aggregation.

    The chunks stored so far are kept; rerunning the same command recomputes what is missing.
    """


def verify_planned_chunks(
    out: Path,
    planned: Iterable[tuple[int, int]],
    counted: Mapping[int, int],
    expected: Mapping[int, int],
) -> None:
    """Check, before the tables are made, that every planned chunk is stored and counted.

    Parameters
    ----------
    out : Path
        Campaign output directory.
    planned : iterable of (int, int)
        ``(group_id, chunk)`` of every chunk of the campaign.
    counted : mapping
        Sample rows counted per condition id (the chunks verified on resume and those
        simulated by this run).
    expected : mapping
        Sample rows each condition must have (its planned sample count).

    Raises
    ------
    IncompleteCampaignError
        If a planned chunk file is absent, or a condition has more or fewer rows than planned
        (a chunk lost on its way to a worker, or counted twice).
    """
    missing = [key for key in planned if not chunk_path(out, *key).is_file()]
    short = {
        cid: (counted.get(cid, 0), rows)
        for cid, rows in expected.items()
        if counted.get(cid, 0) != rows
    }
    if not missing and not short:
        return
    parts = []
    if missing:
        names = ", ".join(chunk_path(out, *key).name for key in sorted(missing)[:3])
        more = ", ..." if len(missing) > 3 else ""
        parts.append(f"{len(missing)} planned chunk(s) are not stored ({names}{more})")
    if short:
        cid, (got, rows) = sorted(short.items())[0]
        parts.append(
            f"{len(short)} condition(s) have another number of sample rows than planned "
            f"(condition {cid}: {got} instead of {rows})"
        )
    raise IncompleteCampaignError(
        f"the campaign in {out} is incomplete: {'; '.join(parts)}. No table was written; rerun "
        "the same command to recompute what is missing"
    )


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


class DamagedChunkError(Exception):
    """A stored chunk cannot be used: unreadable, not a file, or its content digest differs.

    Attributes
    ----------
    reason : str
        Why, for a message ("its content digest does not match ...").
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def read_chunk(
    path: Path, require_digest: bool = True
) -> tuple[pd.DataFrame, dict[str, str] | None]:
    """Read a chunk completely and verify it; return its rows and its fingerprint.

    The fingerprint is None for a chunk of the format before fingerprints were stored: such
    a chunk has no digest either and cannot be verified.

    Parameters
    ----------
    path : Path
        The chunk file.
    require_digest : bool
        Refuse a chunk that has a fingerprint but no content digest (the format before
        digests). Resuming requires it (such a chunk is recomputed); a reader of a finished
        campaign may accept the older chunks unverified.

    Raises
    ------
    DamagedChunkError
        If the path is not a regular file, the file cannot be read as Parquet (whatever
        pyarrow or pandas raise on damaged bytes), carries no content digest (with
        ``require_digest``), or its rows and fingerprint do not match their digest.
    """
    import pyarrow.parquet as pq

    if not path.is_file() or path.is_symlink():
        raise DamagedChunkError("it is not a regular file")
    try:
        table = pq.read_table(path)
        metadata = table.schema.metadata or {}
        rows = table.to_pandas()
    except Exception as error:  # pyarrow and pandas raise many types on damaged bytes
        detail = " ".join(str(error).split())[:100]
        raise DamagedChunkError(
            f"it cannot be read as Parquet ({type(error).__name__}: {detail})"
        ) from None
    text = metadata.get(FINGERPRINT_METADATA_KEY)
    if text is None:
        return rows, None
    stored = metadata.get(DIGEST_METADATA_KEY)
    if stored is None and require_digest:
        raise DamagedChunkError("it carries no content digest (written by an older rram-ber)")
    if stored is not None and stored != content_digest(rows, text).encode():
        raise DamagedChunkError("its rows do not match their content digest (damaged or edited)")
    try:
        value = json.loads(text.decode("utf-8"))
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise DamagedChunkError("its fingerprint is not a JSON object")
    return rows, {str(k): str(v) for k, v in value.items()}


def chunk_problem(rows: pd.DataFrame, expected: Iterable[tuple[int, int]]) -> str:
    """Why a chunk's rows are not exactly the ``(condition_id, sample)`` pairs expected, or ""."""
    wanted = set(expected)
    if not {schema.CONDITION_ID, schema.SAMPLE_INDEX} <= set(rows.columns):
        return "it has no condition_id/sample columns"
    keys = rows[[schema.CONDITION_ID, schema.SAMPLE_INDEX]]
    if not all(pd.api.types.is_integer_dtype(dtype) for dtype in keys.dtypes):
        return "non-integer condition_id/sample values"
    pairs = list(zip(keys.iloc[:, 0].tolist(), keys.iloc[:, 1].tolist(), strict=True))
    if len(set(pairs)) != len(pairs):
        return f"{len(pairs) - len(set(pairs))} duplicate (condition, sample) rows"
    if set(pairs) != wanted:
        missing, extra = len(wanted - set(pairs)), len(set(pairs) - wanted)
        return f"rows of other samples ({missing} expected missing, {extra} unexpected)"
    return ""


#: Folder (in the output directory) where stored files that cannot be used are moved.
SET_ASIDE = "set-aside"


def set_aside(out: Path, path: Path) -> Path:
    """Move an unusable stored file (or whatever sits at its name) out of the way; return where.

    Nothing is deleted: a damaged chunk or one of an older format may still be wanted by its
    owner, and a directory in a chunk's place cannot simply be unlinked. The entry goes to
    ``OUT/set-aside/`` under its own name, with a number added if that name is taken.
    """
    folder = out / SET_ASIDE
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    number = 1
    while target.exists() or target.is_symlink():
        target = folder / f"{path.name}.{number}"
        number += 1
    os.replace(path, target)
    return target


def read_samples(
    out: Path,
    paths: Iterable[Path] | None = None,
    expected_rows: Mapping[Path, Iterable[tuple[int, int]]] | None = None,
) -> pd.DataFrame:
    """Stored sample rows, sorted by condition and sample index; every chunk is verified.

    A chunk is read only if its content digest matches; chunks written before digests (or
    fingerprints) existed carry none and are read unverified, so finished campaigns of older
    versions can still be reported.

    Parameters
    ----------
    out : Path
        Campaign output directory.
    paths : iterable of Path, optional
        The chunk files to read (default: every chunk file in ``out/samples``; a campaign's
        readers pass its planned chunks).
    expected_rows : mapping, optional
        Path -> the ``(condition_id, sample)`` pairs its rows must be (a chunk stored under
        another chunk's name is refused).

    Raises
    ------
    ParameterError
        If a chunk is missing, cannot be read, fails its content digest or holds other rows
        than expected (naming it; rerunning the campaign recomputes it).
    """
    files = sorted(paths) if paths is not None else sorted((out / "samples").glob("g*-k*.parquet"))
    if not files:
        return pd.DataFrame()
    frames = []
    for path in files:
        if not path.exists() and not path.is_symlink():
            raise ParameterError(
                "DIR", str(out), f"a finished campaign ({path.name} is missing; rerun it)"
            )
        try:
            rows, _fingerprint = read_chunk(path, require_digest=False)
        except DamagedChunkError as error:
            reason = error.reason
        else:
            problem = chunk_problem(rows, expected_rows[path]) if expected_rows else ""
            if not problem:
                frames.append(rows)
                continue
            reason = f"it holds {problem}"
        raise ParameterError(
            "DIR",
            str(out),
            f"readable sample chunks ({path.name} is damaged: {reason}; rerun "
            "'rram-ber run' with the same spec and --out to recompute it)",
        )
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values([schema.CONDITION_ID, schema.SAMPLE_INDEX], ignore_index=True)


def read_manifest(out: Path) -> dict[str, Any] | None:
    """``campaign.json`` of ``out``; None if absent, ``{}`` if unreadable."""
    path = out / "campaign.json"
    if not path.exists():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


#: What a campaign writes in its output directory, and whether each is a folder.
_LAYOUT = {
    "samples": True,
    "conditions": True,
    "rare": True,
    SET_ASIDE: True,
    "campaign.json": False,
    "ber.csv": False,
    "confusion.csv": False,
    LOCK_NAME: False,
}


def make_output_dir(out: Path) -> None:
    """Create ``out`` (and its parents) and check that what a campaign writes there can be.

    Raises
    ------
    ParameterError
        If ``out`` is an existing file or cannot be created or written, or holds a file
        where the campaign writes a folder (``samples``...) or something else where it
        writes a file (``ber.csv``...): checked before anything is simulated.
    """
    make_writable_dir("--out", out)
    for name, folder in _LAYOUT.items():
        entry = out / name
        if not (entry.exists() or entry.is_symlink()):
            continue
        if folder and not (entry.is_dir() and not entry.is_symlink()):
            raise ParameterError(
                "--out", str(out), f"a campaign folder ({name} there must be a folder)"
            )
        if not folder and not (entry.is_file() and not entry.is_symlink()):
            raise ParameterError(
                "--out", str(out), f"a campaign folder ({name} there must be a regular file)"
            )


def write_manifest(out: Path, manifest: Mapping[str, Any]) -> None:
    """Write ``campaign.json``."""
    write_text(out / "campaign.json", json.dumps(dict(manifest), indent=2, sort_keys=True))


def write_conditions(out: Path, records: Mapping[int, dict[str, Any]]) -> None:
    """Store the resolved settings of every condition (``conditions/cNNNN.json``).

    A file already holding the same text is left alone (a resumed run rewrites nothing), and
    the files are not synced one by one: they are derived from the spec in ``campaign.json``
    and rewritten by every run, so a file lost in a crash is restored by the next run. A sync
    per file cost about 5 ms, 1 s for the 192 conditions of the default campaign.
    """
    folder = out / "conditions"
    check_still_locked(folder / "c.json")
    folder.mkdir(exist_ok=True)
    for condition_id, record in records.items():
        path = folder / f"c{condition_id:04d}.json"
        text = json.dumps(record, indent=2, sort_keys=True)
        try:
            if path.read_text(encoding="utf-8") == text:
                continue
        except (OSError, UnicodeDecodeError):
            pass
        _atomic_write(
            path,
            lambda temporary, text=text: temporary.write_text(text, encoding="utf-8"),
            sync=False,
        )
