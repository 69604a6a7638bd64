"""Run a campaign: conditions -> chunks -> executor -> atomic Parquet chunks -> BER tables.

:func:`run_campaign` is resumable: chunks already stored in the output directory are not
simulated again, and since every sample's random draws depend only on the seed and its indices
(see :mod:`rram_ber.characterization.sampling`), an interrupted and resumed campaign ends with the
same table as an uninterrupted one.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import math
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from rram_ber import __version__
from rram_ber.characterization import schema, store
from rram_ber.characterization.auto import (
    auto_ber_table,
    design_points,
    pioneers,
    switch_tasks,
    top_up_tasks,
)
from rram_ber.characterization.ber import (
    ConditionTally,
    ordered_ber_table,
    rare_ber_table,
    tally_ber_table,
    tally_confusion_table,
    tally_rows,
)
from rram_ber.characterization.campaign_settings import DEFAULT_METHOD, PREVIOUS_DEFAULT_METHOD
from rram_ber.characterization.executors import Executor
from rram_ber.characterization.preflight import preflight
from rram_ber.characterization.rare.registry import CampaignWork, campaign_work_of
from rram_ber.characterization.rare_task import rare_tasks
from rram_ber.characterization.spec import CampaignSpec, Condition
from rram_ber.characterization.technology_spec import copy_user_files
from rram_ber.characterization.worker import ChunkTask, RareOutcome, RareTask, Task, chunk_tasks
from rram_ber.core.reporting import ProgressCallback
from rram_ber.core.validation import ParameterError

#: Most chunks a campaign may have: each is a task object in memory and a file on disk.
MAX_CHUNKS = 1_000_000

#: How each kind of campaign work is planned into tasks (the tasks then dispatch on their
#: type: a chunk is simulated and tallied, an estimate is estimated and stored as a record).
_PLANS: dict[CampaignWork, Callable[[CampaignSpec, list[Condition]], list[Task]]] = {
    CampaignWork.SAMPLE_CHUNKS: lambda spec, conditions: list(chunk_tasks(spec, conditions)),
    CampaignWork.ESTIMATES: lambda spec, conditions: list(rare_tasks(spec, conditions)),
    # The Monte-Carlo stage; the estimates of the second stage are planned from its rows
    # (characterization.auto.switch_tasks).
    CampaignWork.AUTO: lambda spec, conditions: list(chunk_tasks(spec, conditions)),
}


def campaign_work(spec: CampaignSpec) -> CampaignWork:
    """What the campaign's method runs (its registry entry says)."""
    return campaign_work_of(spec.campaign.method)


@dataclass(frozen=True)
class CampaignResult:
    """What a finished campaign produced.

    Attributes
    ----------
    out : Path
        Output directory.
    ber : pandas.DataFrame
        The ``ber.csv`` table.
    confusion : pandas.DataFrame
        The ``confusion.csv`` table.
    simulated_chunks, resumed_chunks : int
        Chunks simulated by this call, and chunks found already stored.
    recomputed_chunks : int
        Stored chunks (or estimates) that failed verification and were simulated again
        (counted in ``simulated_chunks`` too).
    """

    out: Path
    ber: pd.DataFrame
    confusion: pd.DataFrame
    simulated_chunks: int
    resumed_chunks: int
    recomputed_chunks: int = 0


def software_versions() -> dict[str, str]:
    """Versions of the software whose behaviour decides the numbers in a sample row."""
    import scipy

    from rram_ber.characterization.session import ngspice_version

    return {
        "rram_ber": __version__,
        "ngspice": ngspice_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "python": sys.version.split()[0],
    }


def _file_sha256(field: str, path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:
        raise ParameterError(field, str(path), f"a readable file ({error.strerror})") from None
    return digest.hexdigest()


def _flatten(prefix: str, value: Any, into: dict[str, str]) -> None:
    """Dotted keys of nested dicts -> JSON text of each leaf (lists are leaves)."""
    if isinstance(value, dict) and value:
        for key in sorted(value):
            _flatten(f"{prefix}.{key}" if prefix else str(key), value[key], into)
    else:
        into[prefix] = json.dumps(value, sort_keys=True, default=str)


def fingerprint(spec: CampaignSpec) -> dict[str, str]:
    """What a sample row depends on, as flat keys: the spec, the device data, the software.

    ``spec.*`` keys are the validated campaign (:meth:`CampaignSpec.to_dict`), ``device_data.*``
    the SHA-256 of every data file the campaign reads (the empirical device CSV: a changed file
    at the same path is another campaign), ``versions.*`` the software versions,
    ``simulator.*`` the settings every ngspice run starts with (in place of any start-up file
    of the user, which ngspice never reads). Each value is
    JSON text. Resuming compares these keys, so a refusal can name what differs.

    Raises
    ------
    ParameterError
        If a device data file cannot be read.
    """
    device_data: dict[str, str] = {}
    if spec.device.model == "empirical":
        device_data["csv_sha256"] = _file_sha256(
            "device.csv", Path(spec.source_dir) / spec.device.csv
        )
    from rram_ber.characterization.session import simulator_settings

    record = json.loads(json.dumps(spec.to_dict()))
    # Spec limits judge results; they do not change a sample row, so changing a limit must
    # not make a finished campaign "another campaign".
    record.pop("spec", None)
    keys: dict[str, str] = {}
    _flatten(
        "",
        {
            "spec": record,
            "device_data": device_data,
            "versions": software_versions(),
            "simulator": simulator_settings(),
        },
        keys,
    )
    return keys


def fingerprint_digest(keys: Mapping[str, str]) -> str:
    """SHA-256 of the fingerprint keys (one string that changes when any key does)."""
    return hashlib.sha256(json.dumps(dict(keys), sort_keys=True).encode()).hexdigest()


def manifest(spec: CampaignSpec, keys: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Contents of ``campaign.json``: the campaign, the versions that ran it, its fingerprint."""
    keys = fingerprint(spec) if keys is None else keys
    versions = {
        k.removeprefix("versions."): json.loads(v)
        for k, v in keys.items()
        if k.startswith("versions.")
    }
    return {
        "spec": json.loads(json.dumps(spec.to_dict())),
        "versions": versions,
        "fingerprint": {"sha256": fingerprint_digest(keys), "keys": dict(keys)},
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


#: The fingerprint key of the campaign's method.
METHOD_KEY = "spec.campaign.method"


def _mismatch(where: str, stored: Mapping[str, str], current: Mapping[str, str]) -> str:
    """The differing fingerprint keys, with both values, for a refusal message.

    A differing method is named first (the keys it implies, such as an auto campaign's
    ``max_samples``, follow from it); when the stored results are Monte-Carlo and the current
    campaign is auto, the message says how to resume an output written before auto became
    the default (issue 26).
    """
    differing = [k for k in sorted(set(stored) | set(current)) if stored.get(k) != current.get(k)]
    if METHOD_KEY in differing:
        differing.remove(METHOD_KEY)
        differing.insert(0, METHOD_KEY)

    def short(value: str | None) -> str:
        text = "(none)" if value is None else value
        return text if len(text) <= 60 else text[:57] + "..."

    shown = [
        f"{k}: {short(stored.get(k))} there, {short(current.get(k))} now" for k in differing[:6]
    ]
    more = f"; and {len(differing) - 6} more" if len(differing) > 6 else ""
    hint = ""
    if (stored.get(METHOD_KEY), current.get(METHOD_KEY)) == (
        json.dumps(PREVIOUS_DEFAULT_METHOD),
        json.dumps(DEFAULT_METHOD),
    ):
        hint = (
            f"; a campaign file naming no method ran {PREVIOUS_DEFAULT_METHOD!r} before "
            f"{DEFAULT_METHOD!r} became the default: if this one names none, add "
            f'method = "{PREVIOUS_DEFAULT_METHOD}" to its [campaign] table to resume this '
            "campaign as it ran"
        )
    return f"{where} was computed for another campaign ({'; '.join(shown)}{more}){hint}"


#: The fingerprint key of the sample count: a Monte-Carlo sample row does not depend on it
#: (sample ``i`` draws from its own seed), so a finished campaign may be topped up.
SAMPLES_KEY = "spec.campaign.samples"


def _same_campaign(stored: Mapping[str, str], current: Mapping[str, str], top_up: bool) -> bool:
    """Whether stored results belong to the current campaign (all keys equal).

    With ``top_up`` (a campaign of Monte-Carlo sample chunks, see
    :attr:`CampaignWork.may_top_up`) a rerun with another ``campaign.samples`` into the same
    output is the same campaign topped up (or cut): its existing sample rows are kept, the new
    ones added.
    """
    if top_up:
        return {k: v for k, v in stored.items() if k != SAMPLES_KEY} == {
            k: v for k, v in current.items() if k != SAMPLES_KEY
        }
    return dict(stored) == dict(current)


def _refuse(out: Path, reason: str) -> ParameterError:
    return ParameterError(
        "--out",
        str(out),
        f"an empty directory or one holding this same campaign: {reason}. Resuming would mix "
        "two campaigns in one table; choose a new --out, or rerun with the spec, device data "
        "and software that made it",
    )


def check_size(spec: CampaignSpec) -> None:
    """Refuse campaigns whose list of chunks alone would not fit in memory.

    Raises
    ------
    ParameterError
        If the campaign has more than :data:`MAX_CHUNKS` chunks (or rare-event tasks).
    """
    groups = len({c.group_id for c in spec.conditions()})
    most = max(spec.campaign.samples, spec.campaign.max_samples or 0)
    chunks = groups * math.ceil(most / spec.campaign.batch_size)
    sampled = campaign_work(spec) in (CampaignWork.SAMPLE_CHUNKS, CampaignWork.AUTO)
    if sampled and chunks > MAX_CHUNKS:
        per_condition = MAX_CHUNKS // groups * spec.campaign.batch_size
        raise ParameterError(
            "campaign.samples",
            spec.campaign.samples,
            f"at most {per_condition} with {groups} condition group(s) and batch_size "
            f"{spec.campaign.batch_size} (a campaign has at most {MAX_CHUNKS} chunks; at about "
            "0.5 s per chunk and core that is already days of simulation)",
        )


def condition_record(
    spec: CampaignSpec, condition: Condition, spec_dict: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Everything that defines one condition, as plain data (``conditions/cNNNN.json``).

    ``spec_dict`` is ``spec.to_dict()`` when the caller has it already (a campaign makes the
    records of all its conditions; converting the spec once per condition cost 1 s for 192).
    """
    read = spec.read_conditions(condition)
    spec_dict = spec.to_dict() if spec_dict is None else spec_dict
    return {
        "condition_id": condition.condition_id,
        "label": condition.label(),
        **condition.settings(),
        "seed": spec.campaign.seed,
        "samples": spec.campaign.samples,
        "batch_size": spec.campaign.batch_size,
        "device": spec_dict["device"],
        "variability": spec_dict["variability"],
        "reference_ohm": spec.reference_resistance_ohm(),
        "read": json.loads(json.dumps(dataclasses.asdict(read), default=str)),
    }


def _is_binary(condition: Condition) -> bool:
    return not condition.cell.mode.ternary


def aggregate(
    spec: CampaignSpec, out: Path, tallies: Mapping[int, ConditionTally] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute ``ber.csv`` and ``confusion.csv`` and write them.

    Parameters
    ----------
    spec : CampaignSpec
        The campaign.
    out : Path
        Its output directory.
    tallies : mapping, optional
        Monte-Carlo counts per condition gathered while the chunks were verified and
        simulated (:func:`run_campaign` streams them); without them the chunk files of this
        campaign's tasks are read back (a stray file in ``samples/`` is never aggregated).
    """
    conditions = spec.conditions()
    settings = {c.condition_id: c.settings() for c in conditions}
    work = campaign_work(spec)
    if work in (CampaignWork.SAMPLE_CHUNKS, CampaignWork.AUTO):
        binary = [c.condition_id for c in conditions if _is_binary(c)]
        if tallies is None:
            # An auto campaign's top-up rounds depend on its rows: every stored chunk is its.
            paths = (
                [store.chunk_path(out, t.group_id, t.chunk) for t in chunk_tasks(spec, conditions)]
                if work is CampaignWork.SAMPLE_CHUNKS
                else sorted((out / "samples").glob("g*-k*.parquet"))
            )
            counted: dict[int, ConditionTally] = {}
            tally_rows(store.read_samples(out, paths), counted)
            tallies = counted
        estimated = None
        if work is CampaignWork.AUTO:
            auto_ber, estimated = auto_ber_table(
                spec, conditions, tallies, store.read_estimates(out)
            )
            ber = ordered_ber_table(auto_ber)
        else:
            ber = tally_ber_table(tallies, settings, binary)
        # Monte-Carlo read-outs; a switched condition's are those of its estimates.
        confusion = tally_confusion_table(tallies, binary, estimated)
    else:
        ber = rare_ber_table(store.read_estimates(out), settings)
        confusion = pd.DataFrame(columns=list(schema.CONFUSION_COLUMNS))
    store.write_text(out / "ber.csv", ber.to_csv(index=False))
    store.write_text(out / "confusion.csv", confusion.to_csv(index=False))
    return ber, confusion


def _stored_problem(
    out: Path,
    task: Task,
    keys: Mapping[str, str],
    tallies: dict[int, ConditionTally],
    top_up: bool,
) -> str | None:
    """Verify a task's stored result: None if absent, "" if good, else why it is unusable.

    The rows of a good chunk are added to ``tallies`` (they were read to be verified).

    Raises
    ------
    ParameterError
        If the result carries another campaign's fingerprint (naming the differing keys).
    """
    if isinstance(task, RareTask):
        path = store.estimate_paths(out, task.condition.condition_id, task.stored)[0]
        if not path.exists():
            return None
        stored_keys = store.estimate_fingerprint(path)
        if stored_keys is None:
            return f"rare/{path.name} is unreadable"
        if stored_keys != keys:
            raise _refuse(out, _mismatch(f"rare/{path.name}", stored_keys, keys))
        try:
            store.read_estimate(path)
        except ValueError as error:
            return str(error)
        return ""
    path = store.chunk_path(out, task.group_id, task.chunk)
    if not path.exists() and not path.is_symlink():
        return None
    try:
        rows, stored = store.read_chunk(path)
    except store.DamagedChunkError as error:
        return f"samples/{path.name} is unusable: {error.reason}"
    if stored is None:
        return f"samples/{path.name} carries no campaign fingerprint (an older format)"
    if not _same_campaign(stored, keys, top_up):
        raise _refuse(out, _mismatch(f"samples/{path.name}", stored, keys))
    expected = [(c.condition_id, s) for c in task.conditions for s in range(task.first, task.stop)]
    problem = store.chunk_problem(rows, expected)
    if problem:
        return f"samples/{path.name} holds {problem}"
    tally_rows(rows, tallies)
    return ""


def _tasks(
    spec: CampaignSpec,
    conditions: list[Condition],
    out: Path,
    keys: Mapping[str, str],
    stream: TextIO,
    tallies: dict[int, ConditionTally],
) -> tuple[list[Task], list[Task], int]:
    """All tasks, those still to run, and how many stored results failed verification.

    The rows of the good stored chunks are counted into ``tallies``.

    A stored chunk that cannot be read, fails its content digest, has an older format or
    holds the wrong rows is moved to ``set-aside/`` (see :func:`store.set_aside`) and
    simulated again, with a message on ``stream`` naming where it went; a bad estimate is
    deleted and recomputed; one made by another campaign stops the run.
    """
    work = campaign_work(spec)
    tasks = _PLANS[work](spec, conditions)
    todo, bad = _verify(out, tasks, keys, stream, tallies, work.may_top_up)
    return tasks, todo, bad


def _verify(
    out: Path,
    tasks: list[Task],
    keys: Mapping[str, str],
    stream: TextIO,
    tallies: dict[int, ConditionTally],
    top_up: bool,
) -> tuple[list[Task], int]:
    """The tasks whose stored results are absent or unusable (deleted), and how many were
    unusable; the rows of the good stored chunks are counted into ``tallies``."""
    todo: list[Task] = []
    bad = 0
    for task in tasks:
        problem = _stored_problem(out, task, keys, tallies, top_up)
        if problem:
            bad += 1
            if isinstance(task, RareTask):
                print(f"{problem}: recomputing it", file=stream)
                for path in store.estimate_paths(out, task.condition.condition_id, task.stored):
                    path.unlink(missing_ok=True)
            else:
                kept = store.set_aside(out, store.chunk_path(out, task.group_id, task.chunk))
                print(f"{problem}: recomputing it (kept as {kept.relative_to(out)})", file=stream)
        if problem is None or problem:
            todo.append(task)
    return todo, bad


def format_summary(ber: pd.DataFrame, conditions: list[Condition]) -> str:
    """A plain-text table of the BER of every condition."""
    labels = {c.condition_id: c.label() for c in conditions}
    header = (
        f"{'id':>4}  {'condition':36}  {'samples':>7}  {'errors':>6}  {'wrong':>6}"
        f"  {'undec.':>6}  {'failed':>6}  BER [95% CI]"
    )
    lines = [header, "-" * len(header)]
    columns = (schema.N_SAMPLES, schema.N_ERRORS, schema.N_WRONG, schema.N_UNDECIDED)
    for _, row in ber.iterrows():
        counts = [
            "-" if pd.isna(row.get(c)) else str(int(row[c])) for c in (*columns, schema.N_FAILED)
        ]
        lines.append(
            f"{row[schema.CONDITION_ID]:>4}  {labels[row[schema.CONDITION_ID]]:36}"
            f"  {counts[0]:>7}  {counts[1]:>6}  {counts[2]:>6}  {counts[3]:>6}  {counts[4]:>6}"
            f"  {row[schema.BER_REPORT]}"
        )
    return "\n".join(lines)


def run_campaign(
    spec: CampaignSpec,
    out: Path,
    executor: Executor,
    progress: ProgressCallback | None = None,
    stream: TextIO | None = None,
) -> CampaignResult:
    """Run (or resume) a campaign and write its tables.

    Before anything is simulated the output directory is locked for this run, and every
    stored result is verified: one made by another campaign (its fingerprint differs) stops
    the run, one that is unreadable or holds the wrong rows is simulated again.

    Parameters
    ----------
    spec : CampaignSpec
        Validated campaign.
    out : Path
        Output directory; created, or resumed if it holds this same campaign.
    executor : Executor
        Where chunks run.
    progress : ProgressCallback, optional
        Told the samples (or rare-event estimates) done and planned, before the first and
        after each finished task (:class:`rram_ber.progress.ProgressBar` draws a bar).
    stream : file, optional
        Terminal stream for messages (default standard error).

    Returns
    -------
    CampaignResult
        The tables and what was simulated.

    Raises
    ------
    ParameterError
        If ``out`` cannot be used (a file, not writable, locked by another run) or holds
        another campaign, if the campaign is too large, or a device data file is unreadable.
    """
    stream = stream or sys.stderr
    # Workers may run in another directory (a Dask worker): resolve relative data paths here.
    spec = dataclasses.replace(spec, source_dir=str(Path(spec.source_dir).resolve()))
    check_size(spec)
    preflight(spec)  # user files read by ngspice once: a mistake stops before any sample
    keys = fingerprint(spec)
    store.make_output_dir(out)
    with store.locked_output(out):
        store.remove_partial_files(out)
        existing = store.read_manifest(out)
        if existing is not None:
            stored_fingerprint = existing.get("fingerprint")
            stored_keys = (
                stored_fingerprint.get("keys") if isinstance(stored_fingerprint, dict) else None
            )
            if not isinstance(stored_keys, dict) or not stored_keys:
                raise _refuse(
                    out, "its campaign.json is unreadable or has no fingerprint (older rram-ber?)"
                )
            if not _same_campaign(stored_keys, keys, campaign_work(spec).may_top_up):
                raise _refuse(out, _mismatch("campaign.json", stored_keys, keys))
        conditions = spec.conditions()
        # Counts per condition, filled as chunks are verified and as they arrive: the tables
        # are made without reading the samples back.
        tallies: dict[int, ConditionTally] = {}
        tasks, todo, recomputed = _tasks(spec, conditions, out, keys, stream, tallies)
        record = manifest(spec, keys)
        if (
            existing is None
            or existing["fingerprint"]["keys"] != keys
            or existing.get("spec") != record["spec"]
        ):
            # New, topped up or with changed spec limits: campaign.json records the sample
            # count and the limits now asked for.
            store.write_manifest(out, record)
            # The user's model library and PCSA (their checksums are in the manifest).
            copy_user_files(spec.technology, out)
        # The condition files are written while the workers simulate (this process mostly
        # waits for them), not before the first chunk is sent.
        with ThreadPoolExecutor(max_workers=1) as writer:
            written = writer.submit(_write_conditions, spec, conditions, out)
            _execute(spec, out, executor, tasks, todo, keys, progress, stream, tallies)
            if campaign_work(spec) is CampaignWork.AUTO:
                more, more_todo, more_bad = _auto_stages(
                    spec, out, executor, conditions, keys, progress, stream, tallies
                )
                tasks, todo, recomputed = tasks + more, todo + more_todo, recomputed + more_bad
            written.result()
        chunks = [t for t in tasks if isinstance(t, ChunkTask)]
        if chunks:
            # The rows each condition must hold: what its planned chunks cover (an auto
            # campaign's top-up rounds included).
            expected: dict[int, int] = {}
            for task in chunks:
                for condition in task.conditions:
                    expected[condition.condition_id] = (
                        expected.get(condition.condition_id, 0) + task.stop - task.first
                    )
            store.verify_planned_chunks(
                out,
                [(t.group_id, t.chunk) for t in chunks],
                {cid: tally.n_samples for cid, tally in tallies.items()},
                expected,
            )
        # Tallies of the chunks verified and simulated (none for a campaign of estimates).
        ber, confusion = aggregate(spec, out, tallies)
    return CampaignResult(
        out,
        ber,
        confusion,
        simulated_chunks=len(todo),
        resumed_chunks=len(tasks) - len(todo),
        recomputed_chunks=recomputed,
    )


def _auto_stages(
    spec: CampaignSpec,
    out: Path,
    executor: Executor,
    conditions: list[Condition],
    keys: Mapping[str, str],
    progress: ProgressCallback | None,
    stream: TextIO,
    tallies: dict[int, ConditionTally],
) -> tuple[list[Task], list[Task], int]:
    """An auto campaign after its first Monte-Carlo round: top-up rounds, then estimates.

    Each stage is planned from the tallies of the stored rows only (never from timing or
    completion order), so a resumed run, or one with another worker count, plans the same
    tasks and finds the stored ones. Returns the tasks, those run, and the stored results
    that failed verification.
    """
    tasks: list[Task] = []
    todo: list[Task] = []
    bad = 0

    def stage(planned: list[Task], unit: str) -> None:
        nonlocal bad
        missing, unusable = _verify(out, planned, keys, stream, tallies, top_up=False)
        _execute(spec, out, executor, planned, missing, keys, progress, stream, tallies, unit)
        tasks.extend(planned)
        todo.extend(missing)
        bad += unusable

    planned = {c.group_id: spec.campaign.samples for c in conditions}
    while True:
        chunks, planned = top_up_tasks(spec, conditions, tallies, planned)
        if not chunks:
            break
        stage(list(chunks), "top-up sample")
    # The estimates: first one group per cell (its draws find the design points), then the
    # others, starting their search from those design points (planned from the stored
    # estimates, so a resumed run plans the same tasks).
    first = pioneers(switch_tasks(spec, conditions, tallies))
    stage(list[Task](first), "estimate")
    seeds = design_points(store.read_estimates(out), first)
    done = {(t.condition.condition_id, t.stored) for t in first}
    stage(
        [
            task
            for task in switch_tasks(spec, conditions, tallies, seeds)
            if (task.condition.condition_id, task.stored) not in done
        ],
        "estimate",
    )
    return tasks, todo, bad


def _write_conditions(spec: CampaignSpec, conditions: list[Condition], out: Path) -> None:
    spec_dict = spec.to_dict()
    store.write_conditions(
        out, {c.condition_id: condition_record(spec, c, spec_dict) for c in conditions}
    )


def _execute(
    spec: CampaignSpec,
    out: Path,
    executor: Executor,
    tasks: list[Task],
    todo: list[Task],
    keys: Mapping[str, str],
    progress: ProgressCallback | None,
    stream: TextIO,
    tallies: dict[int, ConditionTally],
    unit: str = "",
) -> None:
    """Run ``todo`` on ``executor``; store and count (``tallies``) each result as it arrives.

    ``unit`` names what the progress counts (default: samples, or estimates for a campaign of
    estimates); each of an auto campaign's stages counts its own."""
    unit = unit or ("estimate" if tasks and isinstance(tasks[0], RareTask) else "sample")
    total = sum(t.samples for t in tasks)
    done = total - sum(t.samples for t in todo)
    if progress is not None:
        progress(done, total, unit)
    for task, result in executor.run(spec, todo):
        if isinstance(result, RareOutcome) and isinstance(task, RareTask):
            # The shared estimates first: the task's own estimate marks it done.
            for shared in result.shared:
                store.write_estimate(out, shared, result.rows, keys)
            store.write_estimate(out, result.estimate, result.rows, keys)
        elif isinstance(result, dict) and isinstance(task, ChunkTask):
            rows = pd.concat(result.values(), ignore_index=True)
            store.write_chunk(out, task.group_id, task.chunk, rows, keys)
            tally_rows(rows, tallies)
        done += task.samples
        if progress is not None:
            progress(done, total, unit)
