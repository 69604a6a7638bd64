"""Run a campaign: conditions -> chunks -> executor -> atomic Parquet chunks -> BER tables.

:func:`run_campaign` is resumable: chunks already stored in the output directory are not
simulated again, and since every sample's random draws depend only on the seed and its indices
(see :mod:`characterization.sampling`), an interrupted and resumed campaign ends with the same
table as an uninterrupted one.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from characterization import schema, store
from characterization.ber import ber_table, confusion_table, rare_ber_row
from characterization.executors import Executor
from characterization.spec import CampaignSpec, Condition
from characterization.worker import ChunkTask, RareOutcome, RareTask, Task, chunk_tasks
from rram_ber import __version__


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
    """

    out: Path
    ber: pd.DataFrame
    confusion: pd.DataFrame
    simulated_chunks: int
    resumed_chunks: int


def manifest(spec: CampaignSpec) -> dict[str, Any]:
    """Contents of ``campaign.json``: the campaign and the versions that ran it."""
    from characterization.session import ngspice_version

    return {
        "spec": json.loads(json.dumps(spec.to_dict())),
        "versions": {
            "rram_ber": __version__,
            "ngspice": ngspice_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "python": sys.version.split()[0],
        },
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def condition_record(spec: CampaignSpec, condition: Condition) -> dict[str, Any]:
    """Everything that defines one condition, as plain data (``conditions/cNNNN.json``)."""
    read = spec.read_conditions(condition)
    return {
        "condition_id": condition.condition_id,
        "label": condition.label(),
        **condition.settings(),
        "seed": spec.campaign.seed,
        "samples": spec.campaign.samples,
        "batch_size": spec.campaign.batch_size,
        "device": spec.to_dict()["device"],
        "variability": spec.to_dict()["variability"],
        "reference_ohm": spec.reference_resistance_ohm(),
        "read": json.loads(json.dumps(dataclasses.asdict(read), default=str)),
    }


def _is_binary(condition: Condition) -> bool:
    return not condition.cell.mode.ternary


def aggregate(spec: CampaignSpec, out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recompute ``ber.csv`` and ``confusion.csv`` from the stored results and write them."""
    conditions = spec.conditions()
    settings = {c.condition_id: c.settings() for c in conditions}
    if spec.campaign.method == "monte-carlo":
        samples = store.read_samples(out)
        binary = [c.condition_id for c in conditions if _is_binary(c)]
        ber = ber_table(samples, settings, binary)
        confusion = confusion_table(samples)
    else:
        estimates = {(e["condition_id"], e["stored"]): e for e in store.read_estimates(out)}
        ber = pd.DataFrame(
            [
                {
                    schema.CONDITION_ID: cid,
                    **values,
                    **rare_ber_row(estimates[(cid, 1)], estimates[(cid, -1)]),
                }
                for cid, values in sorted(settings.items())
            ]
        )
        confusion = pd.DataFrame(columns=list(schema.CONFUSION_COLUMNS))
    store.write_text(out / "ber.csv", ber.to_csv(index=False))
    store.write_text(out / "confusion.csv", confusion.to_csv(index=False))
    return ber, confusion


def _tasks(
    spec: CampaignSpec, conditions: list[Condition], out: Path
) -> tuple[list[Task], list[Task]]:
    """All tasks of the campaign and those still to run (the others are stored)."""
    tasks: list[Task]
    if spec.campaign.method == "monte-carlo":
        done = store.finished_chunks(out)
        chunks = chunk_tasks(spec, conditions)
        tasks = list(chunks)
        todo: list[Task] = [t for t in chunks if (t.group_id, t.chunk) not in done]
    else:
        tasks = [RareTask(c, stored) for c in conditions for stored in (1, -1)]
        todo = [
            t
            for t in tasks
            if isinstance(t, RareTask)
            and not store.estimate_paths(out, t.condition.condition_id, t.stored)[0].exists()
        ]
    return tasks, todo


def format_summary(ber: pd.DataFrame, conditions: list[Condition]) -> str:
    """A plain-text table of the BER of every condition."""
    labels = {c.condition_id: c.label() for c in conditions}
    header = (
        f"{'id':>4}  {'condition':36}  {'samples':>7}  {'errors':>6}  {'unres.':>6}"
        f"  {'failed':>6}  BER [95% CI]"
    )
    lines = [header, "-" * len(header)]
    for _, row in ber.iterrows():
        counts = [
            "-" if pd.isna(row[c]) else str(int(row[c]))
            for c in (schema.N_SAMPLES, schema.N_ERRORS, schema.N_UNRESOLVED, schema.N_FAILED)
        ]
        lines.append(
            f"{row[schema.CONDITION_ID]:>4}  {labels[row[schema.CONDITION_ID]]:36}"
            f"  {counts[0]:>7}  {counts[1]:>6}  {counts[2]:>6}  {counts[3]:>6}"
            f"  {row[schema.BER_REPORT]}"
        )
    return "\n".join(lines)


def run_campaign(
    spec: CampaignSpec,
    out: Path,
    executor: Executor,
    progress: bool = True,
    stream: TextIO | None = None,
) -> CampaignResult:
    """Run (or resume) a campaign and write its tables.

    Parameters
    ----------
    spec : CampaignSpec
        Validated campaign.
    out : Path
        Output directory; created, or resumed if it holds this same campaign.
    executor : Executor
        Where chunks run.
    progress : bool
        Show a progress bar with ETA on ``stream``.
    stream : file, optional
        Terminal stream for the progress bar (default standard error).

    Returns
    -------
    CampaignResult
        The tables and what was simulated.

    Raises
    ------
    ParameterError
        If ``out`` holds another campaign.
    """
    store.prepare_output(out, manifest(spec))
    store.remove_partial_files(out)
    conditions = spec.conditions()
    for condition in conditions:
        store.write_condition(out, condition.condition_id, condition_record(spec, condition))
    tasks, todo = _tasks(spec, conditions, out)
    resumed = len(tasks) - len(todo)

    from tqdm import tqdm

    rare = spec.campaign.method != "monte-carlo"
    total = sum(t.samples for t in tasks)
    bar = tqdm(
        total=total,
        initial=total - sum(t.samples for t in todo),
        unit="estimate" if rare else "sample",
        desc="campaign",
        disable=not progress,
        file=stream or sys.stderr,
        dynamic_ncols=True,
    )
    with bar:
        for task, result in executor.run(spec, todo):
            if isinstance(result, RareOutcome) and isinstance(task, RareTask):
                store.write_estimate(
                    out,
                    task.condition.condition_id,
                    task.stored,
                    result.estimate.to_dict(),
                    result.rows,
                )
            elif isinstance(result, dict) and isinstance(task, ChunkTask):
                rows = pd.concat(result.values(), ignore_index=True)
                store.write_chunk(out, task.group_id, task.chunk, rows)
            bar.update(task.samples)
    ber, confusion = aggregate(spec, out)
    return CampaignResult(out, ber, confusion, simulated_chunks=len(todo), resumed_chunks=resumed)
