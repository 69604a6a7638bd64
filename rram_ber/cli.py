"""The ``rram-ber`` command line.

Each subcommand lives in its own module under :mod:`rram_ber.commands` and registers itself
with :func:`register`. Heavy imports (PySpice, the simulator layer) happen inside the commands,
so ``rram-ber evaluate`` never loads the simulator.

Exit status: 0 success, 1 simulation failure (ngspice failed or is missing, every read of a
condition failed (`run` without `--allow-failures`; the tables are kept), worker processes
kept dying, a planned chunk is missing, a file could not be written), 2 bad input (with a
message naming the option, the value and what is allowed; nothing is simulated), 130
interrupted. Every expected failure is a one-paragraph message, never a
traceback.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shlex
import sys
from collections.abc import Sequence
from typing import Any

from rram_ber import __version__
from rram_ber.commands import (
    bayes,
    conductance_sweep,
    crossbar,
    demo,
    evaluate,
    netlist,
    program,
    read,
    report,
    run,
    segment,
)
from rram_ber.core.validation import ParameterError

EXIT_OK = 0
EXIT_SIMULATION_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

_COMMAND_MODULES = (
    read,
    netlist,
    run,
    report,
    demo,
    evaluate,
    program,
    crossbar,
    segment,
    conductance_sweep,
    bayes,
)
#: Commands whose interrupted work is stored and resumed by running them again.
_RESUMABLE = ("run", "demo")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="rram-ber",
        description="SPICE-level bit-error-rate characterisation of RRAM in-memory computing.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _COMMAND_MODULES:
        module.register(subparsers)
    _read_negative_numbers(parser)
    return parser


#: A negative number as the options take it, SPICE suffix included (``-5k``, ``-1.5e-3``,
#: ``-2n``): argparse's own pattern knows only plain numbers, so ``--r-bl -5k`` failed with
#: "expected one argument" instead of naming the value and the allowed range.
_NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?[a-zA-Z]*$")


def _read_negative_numbers(parser: argparse.ArgumentParser) -> None:
    """Let every (sub)parser take ``-5k`` as a value: no option of rram-ber looks like a
    number, so a word that does is always a value (argparse keeps that rule only for plain
    numbers, through this attribute)."""
    parser._negative_number_matcher = _NEGATIVE_NUMBER
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _read_negative_numbers(child)


def _command_parser(parser: argparse.ArgumentParser, words: Sequence[str]) -> Any:
    """The (sub)parser of the command ``words`` name (``netlist read``: that of ``read``)."""
    current = parser
    for word in words:
        children = [
            action.choices
            for action in current._actions
            if isinstance(action, argparse._SubParsersAction)
        ]
        if children and word in children[0]:
            current = children[0][word]
    return current


def _refuse_unknown(
    parser: argparse.ArgumentParser, words: Sequence[str], extra: Sequence[str]
) -> None:
    """Exit 2 for words no option takes, with the command's own usage and, for a misspelt
    option, the options it may mean (argparse printed the top-level usage and no hint)."""
    command = _command_parser(parser, words)
    known = [o for action in command._actions for o in action.option_strings]
    hints = []
    for word in extra:
        if word.startswith("-"):
            close = difflib.get_close_matches(word.split("=")[0], known, n=2, cutoff=0.8)
            if close:
                hints.append(f"{word.split('=')[0]}: did you mean {' or '.join(close)}?")
    message = f"unrecognized arguments: {' '.join(extra)}"
    command.error(message + ("; " + "; ".join(hints) if hints else ""))


def _one_line(error: OSError) -> str:
    """An operating-system error as one line: what failed, on which file."""
    if error.strerror and error.filename:
        return f"{error.strerror}: {error.filename}"
    return " ".join(str(error).split()) or type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    args, extra = parser.parse_known_args(words)
    if extra:
        _refuse_unknown(parser, words, extra)
    try:
        status = args.handler(args)
    except ParameterError as error:
        print(f"rram-ber {args.command}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        message = f"rram-ber {args.command}: interrupted"
        if args.command in _RESUMABLE:
            message += (
                "; the finished chunks are stored. Resume with the same command:\n  rram-ber "
                + shlex.join(words)
            )
        print(message, file=sys.stderr)
        return EXIT_INTERRUPTED
    except (UnicodeDecodeError, RecursionError) as error:
        # A file that is not text, or TOML nested too deep to parse (reading a spec turns the
        # other ways it can be malformed into ParameterError).
        where = getattr(args, "spec", None) or "an input file"
        what = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else "nested too deeply"
        print(f"rram-ber {args.command}: error: {where} cannot be read: {what}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        # The disk is full, a folder vanished, a file cannot be written, ngspice is missing:
        # the environment failed, not the input. What was stored is kept.
        print(f"rram-ber {args.command}: {_one_line(error)}", file=sys.stderr)
        return EXIT_SIMULATION_FAILED
    except Exception as error:
        # Imported here: the simulator layer is only loaded by commands that simulate.
        from rram_ber.characterization.executors import WorkerLostError
        from rram_ber.characterization.session import SimulationError
        from rram_ber.characterization.store import StoreError

        if isinstance(error, SimulationError | WorkerLostError | StoreError):
            print(f"rram-ber {args.command}: {error}", file=sys.stderr)
            return EXIT_SIMULATION_FAILED
        raise
    return EXIT_OK if status is None else int(status)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
