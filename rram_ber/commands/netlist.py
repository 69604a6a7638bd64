"""``rram-ber netlist``: write a testbench as a standalone ``.cir`` deck for ``ngspice -b``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rram_ber.circuits.read import standalone_read_netlist
from rram_ber.commands import crossbar
from rram_ber.commands.program import add_program_options, conditions_from_args
from rram_ber.commands.read import add_read_options, read_setup_from_args
from rram_ber.core.units import spice_float
from rram_ber.core.validation import ParameterError, check_range


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
    program_parser = kinds.add_parser(
        "program",
        help="one SET or RESET pulse on a VCM device through its 1T1R access transistor",
        description="A SET pulse (word line at the compliance's voltage, from a compliance "
        "lookup in ngspice unless --v-wl is given) on a fresh nominal device, or the RESET "
        "pulse on that device after its SET (simulated first); no variability. The deck prints "
        "the final state N_disc, the plateau current and the pulse energy.",
    )
    program_parser.add_argument("--operation", default="set", help="set (default) or reset")
    program_parser.add_argument(
        "--v-wl",
        type=spice_float,
        default=None,
        help="SET word-line voltage [V] (default: from the --compliance, looked up in ngspice)",
    )
    add_program_options(program_parser)
    program_parser.add_argument(
        "-o", "--output", type=Path, default=None, help="output file (default: standard output)"
    )
    program_parser.set_defaults(handler=run_program)


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


def run_program(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber netlist program``."""
    import numpy as np

    from rram_ber.characterization.programming import apply_pulse, compliance_word_line_voltage
    from rram_ber.characterization.session import NgspiceSession
    from rram_ber.circuits.elements import VcmElement
    from rram_ber.circuits.programming import (
        V_PROGRAM_MAX_V,
        Operation,
        ProgrammingCopy,
        standalone_programming_netlist,
    )

    operation = Operation.parse(args.operation, "--operation")
    # One nominal device, no variability, a full RESET: what the description says.
    args.no_d2d = args.no_c2c = True
    args.weak_reset_pulses = 0
    conditions = conditions_from_args(args)
    v_wl = None if args.v_wl is None else check_range("--v-wl", args.v_wl, 0.0, V_PROGRAM_MAX_V)
    device = conditions.device
    if v_wl is None or operation is Operation.RESET:
        with NgspiceSession() as session:
            if v_wl is None:
                v_wl = compliance_word_line_voltage(session, conditions)
            if operation is Operation.RESET:
                # The device a RESET meets: SET at the compliance (no variability: no draws).
                rng = np.random.default_rng(0)
                (outcome,) = apply_pulse(session, [device], Operation.SET, conditions, rng, v_wl)
                device = outcome.device
    if operation is Operation.SET:
        pulse = conditions.set_pulse
    else:
        pulse, v_wl = conditions.reset.pulse, conditions.reset.v_wl_v
    copy = ProgrammingCopy(VcmElement(device, conditions.bench.orientation), v_wl)
    deck = standalone_programming_netlist(conditions.bench, operation, pulse, copy)
    write_text(args.output, deck)
    if args.output is not None:
        print(f"wrote {args.output} (run it with: ngspice -b {args.output})", file=sys.stderr)
    return 0
