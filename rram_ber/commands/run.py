"""``rram-ber run``: a PVT campaign from a TOML specification (``method = "auto"`` unless the
file names another: Monte-Carlo, then rare-event estimates where it leaves a BER unresolved)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Exit status of a run that stored its tables but has conditions whose reads all failed
#: (a simulation failure, as the command line's status 1).
EXIT_CONDITIONS_FAILED = 1


def register(subparsers: Any) -> None:
    """Add the ``run`` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="run (or resume) a campaign and write its BER tables",
        description=(
            "Run the campaign described by SPEC.toml, writing one Parquet file per chunk, "
            "ber.csv and confusion.csv to --out. Rerunning with the same --out resumes. "
            'Its [campaign] method is "auto" unless the file names another: Monte-Carlo '
            "samples first, then a rare-event estimate for each condition they leave "
            'unresolved; method = "monte-carlo" samples only.'
        ),
    )
    parser.add_argument("spec", type=Path, metavar="SPEC.toml", help="campaign specification")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--samples",
        type=int,
        default=None,
        help="override the Monte-Carlo count per condition (an auto campaign's first round; "
        "default: the campaign's)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="local worker processes (default: %(default)s; the demo uses every core)",
    )
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument(
        "--scheduler", default=None, help="use a running Dask scheduler, e.g. tcp://HOST:8786"
    )
    engine.add_argument(
        "--dask-local",
        type=int,
        default=None,
        metavar="N",
        help="start a Dask LocalCluster of N single-threaded workers",
    )
    parser.add_argument(
        "--allow-failures",
        action="store_true",
        help="exit 0 even when every read of a condition failed (default: exit status 1, "
        "with a summary naming those conditions and their most common failure reason)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    parser.add_argument(
        "--full-summary", action="store_true", help="print every condition's row, not a summary"
    )
    parser.set_defaults(handler=run)


def short_summary(ber: Any, table: Path, count: int = 3) -> str:
    """The best and worst conditions by BER (every read that failed, over all reads), and
    where the full table is.

    A campaign has up to thousands of conditions; printing all of them buries the answer.
    """
    from rram_ber.analysis.summaries import SETTING_COLUMNS, read_failures
    from rram_ber.characterization import schema

    rows = ber.merge(read_failures(ber), on=schema.CONDITION_ID)
    rows = rows.sort_values(["p_fail", schema.BER_CI_HIGH, schema.CONDITION_ID])
    settings = [c for c in SETTING_COLUMNS if c in rows.columns]

    def line(row: Any) -> str:
        where = ", ".join(
            f"{c}={row[c] * 1e9:g}n" if c == "t_sample_s" else f"{c}={row[c]}" for c in settings
        )
        return (
            f"  {int(row[schema.CONDITION_ID]):>4}  {where}: BER {row[schema.BER_REPORT]}, "
            f"read failures {int(row['n_fail'])}/{int(row['n'])}"
        )

    lines = [f"{len(rows)} conditions. Best (lowest BER):"]
    lines += [line(row) for _, row in rows.head(count).iterrows()]
    if len(rows) > count:
        lines.append("Worst:")
        lines += [
            line(row) for _, row in rows.tail(min(count, len(rows) - count)).iloc[::-1].iterrows()
        ]
    lines.append(f"Every condition: {table} (or rerun with --full-summary)")
    return "\n".join(lines)


@dataclass(frozen=True)
class FailedCondition:
    """A condition every read of which failed (its simulations, not its decisions)."""

    condition_id: int
    label: str
    n_samples: int
    reason: str  # the most common failure reason of its sample rows
    reason_count: int  # how many of its rows failed with that reason


def failed_conditions(ber: Any, out: Path, labels: Mapping[int, str]) -> list[FailedCondition]:
    """The conditions of ``ber.csv`` whose reads all failed, with their most common reason.

    A rare-event row has no sample rows of its own (``n_samples`` may be empty): only a
    condition with simulated samples, all ``failed``, is listed. The reasons are read from
    the stored chunks (only their ``condition_id``, ``status`` and ``reason`` columns), and
    only when such a condition exists.
    """
    import pandas as pd

    from rram_ber.characterization import schema

    counted = ber[[schema.CONDITION_ID, schema.N_SAMPLES, schema.N_FAILED]].dropna()
    counted = counted[
        (counted[schema.N_SAMPLES] > 0) & (counted[schema.N_FAILED] == counted[schema.N_SAMPLES])
    ]
    if counted.empty:
        return []
    ids = [int(c) for c in counted[schema.CONDITION_ID]]
    columns = [schema.CONDITION_ID, schema.STATUS, schema.FAILURE_REASON]
    frames = [
        pd.read_parquet(path, columns=columns, filters=[(schema.CONDITION_ID, "in", ids)])
        for path in sorted((out / "samples").glob("g*-k*.parquet"))
    ]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    rows = rows[rows[schema.STATUS] == schema.STATUS_FAILED]
    failed = []
    for condition_id, n_samples in zip(ids, counted[schema.N_SAMPLES], strict=True):
        reasons = rows.loc[rows[schema.CONDITION_ID] == condition_id, schema.FAILURE_REASON]
        counts = reasons.fillna("(no reason recorded)").value_counts()
        reason, count = (str(counts.index[0]), int(counts.iloc[0])) if len(counts) else ("", 0)
        failed.append(
            FailedCondition(condition_id, labels.get(condition_id, ""), int(n_samples),
                            reason or "(no reason recorded)", count)
        )  # fmt: skip
    return failed


class FailedConditionsError(RuntimeError):
    """A campaign finished, its tables written, but every read of some conditions failed.

    Attributes
    ----------
    result : CampaignResult
        The finished campaign (its tables and chunks are stored).
    failed : list of FailedCondition
        The conditions, with their most common failure reason.
    """

    def __init__(self, result: Any, failed: Sequence[FailedCondition]) -> None:
        super().__init__(failure_summary(failed, Path(result.out)))
        self.result = result
        self.failed = list(failed)


def failure_summary(failed: Sequence[FailedCondition], out: Path) -> str:
    """The message of a run that ends with conditions whose reads all failed."""
    lines = [
        f"every read of {len(failed)} condition(s) failed; the tables and every stored chunk "
        f"are kept in {out}:"
    ]
    for item in failed:
        reason = " ".join(item.reason.split())
        reason = reason if len(reason) <= 300 else reason[:297] + "..."
        lines.append(
            f"  {item.condition_id:>4}  {item.label}: {item.n_samples}/{item.n_samples} reads "
            f"failed; most common reason ({item.reason_count}/{item.n_samples}): {reason}"
        )
    lines.append(
        "(the reason of every read is in the sample rows' 'reason' column; rerun with "
        "--allow-failures to accept such conditions with exit status 0)"
    )
    return "\n".join(lines)


def make_executor(args: argparse.Namespace) -> Any:
    """The executor chosen by ``--workers`` / ``--scheduler`` / ``--dask-local``."""
    from rram_ber.characterization.executors import DaskExecutor, LocalExecutor

    if args.scheduler is not None or args.dask_local is not None:
        return DaskExecutor(scheduler=args.scheduler, local_workers=args.dask_local)
    return LocalExecutor(workers=args.workers)


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber run``."""
    from rram_ber.characterization.executors import LocalExecutor

    LocalExecutor(args.workers)  # validates --workers before anything starts
    # The workers start first (the executors module imports nothing heavy), so their start-up
    # overlaps the import of the campaign code and the reading of the spec below.
    with make_executor(args) as executor:
        from rram_ber.characterization.campaign import format_summary, run_campaign
        from rram_ber.characterization.spec import load_spec
        from rram_ber.progress import ProgressBar

        spec = load_spec(args.spec)
        if args.samples is not None:
            spec = spec.with_samples(args.samples)
        with ProgressBar("campaign", enabled=not args.quiet) as bar:
            result = run_campaign(spec, args.out, executor, progress=bar)
    if not args.quiet:
        if args.full_summary:
            print(format_summary(result.ber, spec.conditions()))
        else:
            print(short_summary(result.ber, args.out / "ber.csv"))
        print(
            f"wrote {args.out / 'ber.csv'} and {args.out / 'confusion.csv'}"
            f" ({result.simulated_chunks} chunks simulated, {result.resumed_chunks} resumed)",
            file=sys.stdout,
        )
    failed = failed_conditions(
        result.ber, args.out, {c.condition_id: c.label() for c in spec.conditions()}
    )
    if failed:
        summary = failure_summary(failed, args.out)
        if args.allow_failures:
            if not args.quiet:
                print(f"rram-ber run: {summary}", file=sys.stderr)
        else:
            print(f"rram-ber run: error: {summary}", file=sys.stderr)
            return EXIT_CONDITIONS_FAILED
    return 0
