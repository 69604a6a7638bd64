"""``rram-ber report``: the HTML/Markdown BER report of a finished campaign."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rram_ber.validation import make_writable_dir


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``report`` and ``demo``."""
    parser.add_argument(
        "--ber-target", type=float, default=1e-2, help="read-failure target of the shmoo plot"
    )
    parser.add_argument(
        "--repeats", type=int, default=10, help="error draws (chips) per accuracy estimate"
    )
    parser.add_argument(
        "--test-limit", type=int, default=None, help="evaluate accuracies on N test inputs only"
    )
    parser.add_argument(
        "--no-accuracy", action="store_true", help="skip the network-accuracy section"
    )


def register(subparsers: Any) -> None:
    """Add the ``report`` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="write the BER report (HTML, Markdown, CSV) of a campaign output directory",
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="campaign output directory")
    parser.add_argument(
        "-o", "--output", type=Path, default=Path("report.html"), help="HTML file to write"
    )
    add_report_options(parser)
    parser.set_defaults(handler=run)


def write_report(
    out: Path, html_path: Path, args: argparse.Namespace, operating_points: Path | None = None
) -> Path:
    """Build the report and return the HTML path (``operating_points``: a rare-event
    campaign's output whose BERs are shown next to the sweep)."""
    import pandas as pd

    from analysis.report import build_report

    make_writable_dir("--output", html_path.parent)
    report = build_report(
        out,
        html_path,
        ber_target=args.ber_target,
        accuracy=not args.no_accuracy,
        repeats=args.repeats,
        test_limit=args.test_limit,
        operating_points=(
            pd.read_csv(operating_points / "ber.csv") if operating_points is not None else None
        ),
    )
    print(f"wrote {report.html}, {report.markdown} and {report.files}/")
    return report.html


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber report``."""
    write_report(args.dir, args.output, args)
    return 0
