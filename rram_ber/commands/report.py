"""``rram-ber report``: the HTML/Markdown BER report of a finished campaign."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rram_ber.core.units import spice_float
from rram_ber.core.validation import make_writable_dir

DESCRIPTION = (
    "Write the BER report of a finished campaign: an HTML page that opens with the operating "
    "points against the spec limits (BER with its undecided and failed shares, sense delay, "
    "read energy, network "
    "accuracy and its drop, pass/fail), then the figures and, folded, the full tables; a "
    "Markdown summary beside it and every table as CSV (and figures as PNG and SVG) in "
    "<stem>_files/. Needs no simulator."
)


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``report`` and ``demo``."""
    parser.add_argument(
        "--ber-target",
        type=spice_float,
        default=1e-2,
        help="read-failure target of the shmoo plot (default: %(default)g)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=10,
        help="error draws (chips) per accuracy estimate (default: %(default)s)",
    )
    parser.add_argument(
        "--test-limit",
        type=int,
        default=None,
        metavar="N",
        help="evaluate accuracies on N test inputs only (default: the whole test set)",
    )
    parser.add_argument(
        "--no-accuracy", action="store_true", help="skip the network-accuracy section"
    )
    parser.add_argument(
        "--operating-point",
        action="append",
        default=[],
        metavar="KEY=VALUE,...",
        help="operating point of the headline, e.g. "
        "'corner=tt,temp_c=27,vdd_v=1.2,t_sample_s=1n' (keys: cell, corner, temp_c [C], "
        "vdd_v [V], t_sample_s [s]); repeatable (default: the best and the nominal condition "
        "of each cell)",
    )
    limits = parser.add_argument_group(
        "spec limits (pass/fail in the headline; default: the campaign's [spec] table, "
        "each option given here replaces its limit)"
    )
    limits.add_argument(
        "--ber-max", type=spice_float, default=None, help="largest acceptable BER, e.g. 1e-3"
    )
    limits.add_argument(
        "--delay-max",
        type=spice_float,
        default=None,
        metavar="SECONDS",
        help="largest acceptable 99.9th-percentile sense delay [s], e.g. 500p",
    )
    limits.add_argument(
        "--energy-max",
        type=spice_float,
        default=None,
        metavar="JOULES",
        help="largest acceptable mean read energy [J], e.g. 20f",
    )
    limits.add_argument(
        "--accuracy-drop-max",
        type=spice_float,
        default=None,
        metavar="FRACTION",
        help="largest acceptable accuracy loss against clean weights, e.g. 0.01 (one point)",
    )
    parser.add_argument(
        "--pdf", action="store_true", help="also write every figure as PDF (PNG and SVG always)"
    )
    parser.add_argument(
        "--model",
        action="append",
        default=None,
        help="your network for the accuracy section: shipped name, .npz or .onnx; give it "
        "twice for one binary and one ternary network. Each is evaluated on the conditions "
        "of its weight kind; those of a kind you give no network of are skipped, with a note "
        "(default: the preferred shipped network of each weight kind)",
    )
    parser.add_argument(
        "--data",
        default=None,
        help="test data .npz (x, y) for --model (default: each model's shipped data set)",
    )


def register(subparsers: Any) -> None:
    """Add the ``report`` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="write the BER report (HTML, Markdown, CSV) of a campaign output directory",
        description=DESCRIPTION,
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="campaign output directory")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("report.html"),
        help="HTML file to write (default: %(default)s)",
    )
    add_report_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    parser.set_defaults(handler=run)


def limits_from_args(args: argparse.Namespace) -> Any:
    """The :class:`~characterization.spec_limits.SpecLimits` of the command line."""
    from rram_ber.characterization.spec_limits import SpecLimits
    from rram_ber.core.validation import ParameterError

    options = {
        "ber_max": "--ber-max",
        "delay_max_s": "--delay-max",
        "energy_max_j": "--energy-max",
        "accuracy_drop_max": "--accuracy-drop-max",
    }
    values = {name: getattr(args, option[2:].replace("-", "_")) for name, option in options.items()}
    try:
        return SpecLimits(**values)
    except ParameterError as error:
        name = error.field.removeprefix("spec.")
        raise error.renamed(options.get(name, error.field)) from None


def _print_layers(model: str) -> None:
    """How the user's network was read (refused if it has no layer to flip)."""
    from rram_ber.analysis.bnn.layer_table import format_layer_table, require_flippable
    from rram_ber.analysis.bnn.model_io import load_model

    network = load_model(model)
    require_flippable(network, "--model", model)
    print(f"{network.name}: layers as read (bit errors only on binary and ternary weights):\n"
          f"{format_layer_table(network)}")  # fmt: skip


def write_report(
    out: Path, html_path: Path, args: argparse.Namespace, rare_estimates: Path | None = None
) -> Path:
    """Build the report and return the HTML path (``rare_estimates``: a rare-event campaign's
    output whose BERs are shown next to the sweep)."""
    import pandas as pd

    from rram_ber.analysis.report import ReportOptions, build_report

    options = ReportOptions(
        ber_target=args.ber_target,
        accuracy=not args.no_accuracy,
        repeats=args.repeats,
        test_limit=args.test_limit,
        operating_points=args.operating_point,
        limits=limits_from_args(args),
        pdf=args.pdf,
        model=args.model,
        model_data=args.data,
        rare_estimates=(
            pd.read_csv(rare_estimates / "ber.csv") if rare_estimates is not None else None
        ),
    )
    if html_path.suffix.lower() not in (".html", ".htm"):
        from rram_ber.core.validation import ParameterError

        raise ParameterError("--output", str(html_path), "a file name ending in .html")
    make_writable_dir("--output", html_path.parent)
    quiet = getattr(args, "quiet", False)

    def progress(message: str) -> None:
        if not quiet:
            print(f"report: {message} ...", file=sys.stderr, flush=True)

    report = build_report(out, html_path, options, progress)
    print(f"wrote {report.html}, {report.markdown} and {report.files}/")
    return report.html


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber report``."""
    if args.model is not None and not args.no_accuracy:
        for model in args.model:
            _print_layers(model)
    write_report(args.dir, args.output, args)
    return 0
