"""``rram-ber demo``: the main job, from the default campaign to the BER report.

Runs ``characterization/campaigns/default.toml`` (an ``auto`` campaign: Monte-Carlo where it
resolves a BER, guided importance sampling where it does not) on local worker processes (one
per core), then writes the report with the accuracy impact on the shipped networks into
``--out``. An interrupted demo resumes where it stopped when run again with the same ``--out``.
"""

from __future__ import annotations

import argparse
import os
import time
from importlib import resources
from pathlib import Path
from typing import Any

from rram_ber.commands.report import add_report_options, write_report
from rram_ber.commands.run import short_summary


def default_campaign_path() -> Path:
    """The shipped default campaign file."""
    return Path(
        str(resources.files("rram_ber.characterization").joinpath("campaigns/default.toml"))
    )


def register(subparsers: Any) -> None:
    """Add the ``demo`` subcommand."""
    parser = subparsers.add_parser(
        "demo",
        help="run the default campaign and write its BER report (the main job)",
        description=__doc__,
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="local worker processes (default: every core, %(default)s here)",
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=None,
        help="override the first Monte-Carlo round per condition (quick look; default: the "
        "campaign's)",
    )
    add_report_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber demo``."""
    from rram_ber.characterization.executors import LocalExecutor

    start = time.monotonic()
    # The pool starts first, so that its workers' start-up (and their ngspice) overlaps the
    # import of the campaign code.
    with LocalExecutor(args.workers) as executor:
        from rram_ber.characterization.campaign import run_campaign
        from rram_ber.characterization.spec import load_spec
        from rram_ber.progress import ProgressBar

        spec = load_spec(default_campaign_path())
        if args.samples is not None:
            spec = spec.with_samples(args.samples)
        campaign_dir = args.out / "campaign"
        print(
            f"default campaign: {len(spec.conditions())} conditions x {spec.campaign.samples} "
            f"samples on {args.workers} worker(s) -> {campaign_dir}"
        )
        with ProgressBar("campaign") as bar:
            result = run_campaign(spec, campaign_dir, executor, progress=bar)
    print(short_summary(result.ber, campaign_dir / "ber.csv"))
    print("evaluating the shipped networks on the measured error rates and writing the report")
    html = write_report(campaign_dir, args.out / "report.html", args)
    print(f"demo finished in {time.monotonic() - start:.0f} s; open {html}")
    return 0
