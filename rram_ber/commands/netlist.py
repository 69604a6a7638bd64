"""``rram-ber netlist``: write a testbench as a standalone ``.cir`` deck for ``ngspice -b``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rram_ber.circuits.read import standalone_read_netlist
from rram_ber.commands import crossbar
from rram_ber.commands.read import add_read_options, read_setup_from_args
from rram_ber.core.validation import ParameterError


def register(subparsers: Any) -> None:
    """Add the ``netlist`` subcommand and its testbench kinds."""
    parser = subparsers.add_parser(
        "netlist",
        help="write a testbench as a standalone .cir file that runs with 'ngspice -b'",
        description="Write a testbench netlist; the models it needs are inlined.",
    )
    kinds = parser.add_subparsers(dest="testbench", required=True, metavar="TESTBENCH")
    read_parser = kinds.add_parser("read", help="PCSA read of a 2T2R or 1T1R cell")
    add_read_options(read_parser)
    read_parser.add_argument(
        "-o", "--output", type=Path, default=None, help="output file (default: standard output)"
    )
    read_parser.set_defaults(handler=run_read)
    crossbar.add_netlist_kind(kinds)


def write_text(path: Path | None, text: str) -> None:
    """Write ``text`` to ``path``, or to standard output when ``path`` is None."""
    if path is None:
        sys.stdout.write(text)
    else:
        try:
            path.write_text(text, encoding="ascii")
        except OSError as error:
            raise ParameterError(
                "--output", str(path), f"a file that can be written ({error.strerror})"
            ) from None


def run_read(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber netlist read``."""
    conditions, copy = read_setup_from_args(args)
    write_text(args.output, standalone_read_netlist(conditions, [copy]))
    if args.output is not None:
        print(f"wrote {args.output} (run it with: ngspice -b {args.output})", file=sys.stderr)
    return 0
