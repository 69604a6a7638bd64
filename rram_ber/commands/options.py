"""Command-line options several commands share."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_output_options(
    parser: argparse.ArgumentParser, plots_help: str | None = None, quiet: bool = True
) -> None:
    """Add ``--json`` (one JSON object on stdout), ``--quiet`` (no progress bar; unless
    ``quiet`` is False) and, when ``plots_help`` is given, ``--plots DIR`` with that help."""
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    if quiet:
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
    if plots_help is not None:
        parser.add_argument("--plots", type=Path, default=None, metavar="DIR", help=plots_help)
