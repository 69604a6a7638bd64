"""``rram-ber conductance-sweep``: the programmed-conductance table from a SET-compliance sweep."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from rram_ber.commands.options import add_output_options
from rram_ber.commands.read import as_option
from rram_ber.core.units import spice_float
from rram_ber.core.validation import ParameterError, check_int, make_writable_dir

#: Largest population per compliance accepted on the command line.
MAX_DEVICES = 10_000


def _currents(text: str) -> list[float]:
    return [spice_float(part) for part in text.split(",") if part.strip()]


def register(subparsers: Any) -> None:
    """Add the ``conductance-sweep`` subcommand."""
    parser = subparsers.add_parser(
        "conductance-sweep",
        help="SET-compliance sweep on ngspice: median and spread of the programmed conductance",
        description=(
            "Program fresh VCM devices (device-to-device and cycle-to-cycle variability, real"
            " ngspice; the simulation of 'rram-ber program') at each SET compliance, read the"
            " conductance after SET and after RESET, and write the table that 'rram-ber bayes'"
            " reads (--conductance-table): per compliance the median, mean, standard deviation"
            " (with its standard error) and log-spread of the LRS conductance. The fitted"
            " spread-versus-median relation is printed and plotted."
        ),
    )
    parser.add_argument(
        "--compliances",
        type=_currents,
        default=None,
        help="comma-separated SET compliances [A], increasing, 40u..300u (default: 10 values"
        " 40u..300u)",
    )
    parser.add_argument(
        "--devices", type=int, default=100, help="devices per compliance (default: %(default)s)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="root seed of all random draws (default: %(default)s)"
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="CSV", help="the table to write (CSV)"
    )
    add_output_options(parser, "write conductance_stats.png")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber conductance-sweep``."""
    from rram_ber.characterization.conductance_stats import (
        DEFAULT_COMPLIANCES_A,
        check_compliances,
    )

    currents = as_option(
        "--compliances",
        lambda: check_compliances(
            DEFAULT_COMPLIANCES_A if args.compliances is None else args.compliances
        ),
    )
    n_devices = as_option("--devices", lambda: check_int("devices", args.devices, 3, MAX_DEVICES))
    seed = as_option("--seed", lambda: check_int("seed", args.seed, 0, None))
    make_writable_dir("--out", args.out.resolve().parent)
    if args.plots is not None:
        make_writable_dir("--plots", args.plots)

    from rram_ber.characterization.conductance_stats import compliance_sweep
    from rram_ber.characterization.conductance_table import (
        ConductanceRelation,
        read_table,
        write_table,
    )
    from rram_ber.characterization.session import NgspiceSession
    from rram_ber.progress import progress_bar

    start = time.process_time()
    bar = progress_bar(2 * n_devices * len(currents), "pulse", "conductance sweep", not args.quiet)
    with bar, NgspiceSession() as session:
        rows = compliance_sweep(session, currents, n_devices, seed, progress=bar.update)
    cpu_s = time.process_time() - start
    try:
        write_table(rows, args.out)
    except OSError as error:
        raise ParameterError(
            "--out", str(args.out), f"a writable file ({error.strerror})"
        ) from None
    table = read_table(args.out)
    relation = ConductanceRelation.fit(table)
    if args.plots is not None:
        from rram_ber.analysis.bayes.plots import plot_conductance_stats

        plot_conductance_stats(table, relation, args.plots / "conductance_stats.png")
    fit = {
        "spread_coefficients_us": [float(c) for c in relation.spread_coefficients_us],
        "spread_chi2_reduced": relation.spread_chi2_reduced,
        "g_min_s": relation.g_min_s,
        "g_max_s": relation.g_max_s,
    }
    if args.json:
        clean = [
            {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
            for row in table.to_dict(orient="records")
        ]
        print(json.dumps({"table": clean, "fit": fit, "cpu_s": cpu_s, "out": str(args.out)}))
        return 0
    print(
        f"{'I_C [uA]':>8}  {'n':>4}  {'G median [uS]':>13}  {'G std [uS]':>10}  "
        f"{'sigma ln G':>10}  {'G_HRS [uS]':>10}"
    )
    for row in table.itertuples():
        print(
            f"{row.compliance_a * 1e6:>8.1f}  {row.devices - row.failed:>4d}  "
            f"{row.g_median_s * 1e6:>13.2f}  {row.g_std_s * 1e6:>10.2f}  "
            f"{row.g_sigma_ln:>10.4f}  {row.g_hrs_median_s * 1e6:>10.2f}"
        )
    coefficients = ", ".join(f"{c:.4g}" for c in relation.spread_coefficients_us)
    print(
        f"spread fit: sigma_G [uS] = polyval([{coefficients}], G_med [uS]),"
        f" chi2/dof = {relation.spread_chi2_reduced:.2f}"
    )
    print(f"table: {args.out} ({cpu_s:.0f} s CPU)", file=sys.stderr)
    return 0
