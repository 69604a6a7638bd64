"""``rram-ber run``: a Monte-Carlo PVT campaign from a TOML specification."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``run`` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="run (or resume) a Monte-Carlo campaign and write its BER tables",
        description=(
            "Run the campaign described by SPEC.toml, writing one Parquet file per chunk, "
            "ber.csv and confusion.csv to --out. Rerunning with the same --out resumes."
        ),
    )
    parser.add_argument("spec", type=Path, metavar="SPEC.toml", help="campaign specification")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--samples",
        type=int,
        default=None,
        help="override the Monte-Carlo count per condition (default: the campaign's)",
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
    return 0
