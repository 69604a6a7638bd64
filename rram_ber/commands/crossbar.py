"""``rram-ber crossbar``: Monte-Carlo crossbar tiles in SPICE against the fast tile model;
``rram-ber netlist crossbar``: one programmed tile as a standalone deck."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rram_ber.circuits.crossbar import (
    DEFAULT_C_WIRE_F,
    DEFAULT_R_WIRE_OHM,
    DEFAULT_READ_V,
    MAX_TILE_SIDE,
    CrossbarParameters,
)
from rram_ber.commands.options import add_output_options
from rram_ber.commands.read import as_option
from rram_ber.core.reporting import ProgressCallback
from rram_ber.core.units import spice_float
from rram_ber.core.validation import ParameterError, check_int, check_range, make_writable_dir
from rram_ber.models.technology import TECHNOLOGIES, get_technology

#: Tile sizes of the default study (square tiles). 64 x 64 1T1R tiles cost minutes of CPU each
#: in ngspice here, so the default stops at 32.
DEFAULT_SIZES = "8,16,32"


def add_tile_options(parser: argparse.ArgumentParser) -> None:
    """Options describing a tile (shared by ``crossbar`` and ``netlist crossbar``)."""
    parser.add_argument("--cell", default="1t1r", help="1t1r (default) or 1r")
    parser.add_argument(
        "--v-read",
        type=spice_float,
        default=DEFAULT_READ_V,
        help="full-scale row voltage [V] (default: %(default)s)",
    )
    parser.add_argument(
        "--r-wire",
        type=spice_float,
        default=DEFAULT_R_WIRE_OHM,
        help="wire resistance per cell pitch [ohm] (default: %(default)g)",
    )
    parser.add_argument(
        "--c-wire",
        type=spice_float,
        default=DEFAULT_C_WIRE_F,
        help="wire capacitance per cell pitch [F] (default: %(default)g)",
    )
    parser.add_argument(
        "--lrs", type=spice_float, default=5e3, help="highest level [ohm] (default: %(default)s)"
    )
    parser.add_argument(
        "--hrs", type=spice_float, default=50e3, help="lowest level [ohm] (default: %(default)s)"
    )
    parser.add_argument("--levels", type=int, default=8, help="conductance levels (default 8)")
    parser.add_argument(
        "--sigma-ln",
        type=float,
        default=0.1,
        help="programming spread, sigma of ln R around each level (default: %(default)g)",
    )
    parser.add_argument(
        "--technology",
        default="ptm130",
        help="access transistors: " + ", ".join(TECHNOLOGIES) + " (default ptm130)",
    )
    parser.add_argument("--corner", default="tt", help="process corner (default tt)")
    parser.add_argument("--seed", type=int, default=1, help="root seed (default: %(default)s)")


def tile_from_args(args: argparse.Namespace, rows: int, cols: int) -> CrossbarParameters:
    """Validated tile parameters; errors carry the option's name."""
    technology = as_option("--technology", lambda: get_technology(args.technology))
    build = {
        "--rows": lambda: check_int("rows", rows, 1, MAX_TILE_SIDE),
        "--cols": lambda: check_int("cols", cols, 1, MAX_TILE_SIDE),
        "--sigma-ln": lambda: check_range("sigma_ln", args.sigma_ln, 0.0, 2.0),
        "--seed": lambda: check_int("seed", args.seed, 0),
    }
    for option, check in build.items():
        as_option(option, check)
    names = {
        "cell": "--cell",
        "v_read_v": "--v-read",
        "r_wire_ohm": "--r-wire",
        "c_wire_f": "--c-wire",
        "lrs_ohm": "--lrs",
        "hrs_ohm": "--hrs",
        "levels": "--levels",
        "corner": "--corner",
    }
    try:
        return CrossbarParameters(
            rows=rows,
            cols=cols,
            cell=args.cell,
            v_read_v=args.v_read,
            r_wire_ohm=args.r_wire,
            c_wire_f=args.c_wire,
            lrs_ohm=args.lrs,
            hrs_ohm=args.hrs,
            levels=args.levels,
            technology=technology,
            corner=args.corner,
        )
    except ParameterError as error:
        raise error.renamed(names.get(error.field, error.field)) from None


def add_netlist_kind(kinds: Any) -> None:
    """Add ``netlist crossbar`` to the ``netlist`` command's testbench kinds."""
    parser = kinds.add_parser(
        "crossbar",
        help="a programmed crossbar tile read at virtual ground",
        description=(
            "Write one tile, programmed with random levels and devices and read with random"
            " inputs drawn from --seed; the deck prints each column's current."
        ),
    )
    parser.add_argument("--rows", type=int, default=16, help="rows (default 16)")
    parser.add_argument("--cols", type=int, default=16, help="columns (default 16)")
    add_tile_options(parser)
    parser.add_argument(
        "-o", "--output", type=Path, default=None, help="output file (default: standard output)"
    )
    parser.set_defaults(handler=run_netlist)


def run_netlist(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber netlist crossbar``."""
    from rram_ber.characterization.crossbar import draw_tile
    from rram_ber.circuits.crossbar import standalone_crossbar_netlist

    params = tile_from_args(args, args.rows, args.cols)
    draw = draw_tile(params, args.sigma_ln, np.random.default_rng(args.seed))
    text = standalone_crossbar_netlist(params, draw.resistances_ohm, draw.inputs)
    # Written here rather than through the netlist command's helper: that command imports
    # this module to register the tile, and the import graph stays free of cycles.
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.write_text(text, encoding="ascii")
        except OSError as error:
            raise ParameterError(
                "--output", str(args.output), f"a file that can be written ({error.strerror})"
            ) from None
        print(f"wrote {args.output} (run it with: ngspice -b {args.output})", file=sys.stderr)
    return 0


@dataclass(frozen=True)
class CrossbarStudy:
    """What ``rram-ber crossbar`` measured.

    Attributes
    ----------
    comparisons : list of SizeComparison
        SPICE and fast-model column errors per tile size.
    table : pandas.DataFrame
        One row per size (:func:`rram_ber.analysis.crossbar.compare.comparison_table`).
    cell_table : pandas.DataFrame
        The isolated-cell sweep of the first size's cell (the fast model's SPICE input).
    """

    comparisons: list[Any]
    table: pd.DataFrame
    cell_table: pd.DataFrame


def crossbar_study(
    tiles: Sequence[CrossbarParameters],
    sigma_ln: float = 0.1,
    spice_tiles: int = 20,
    fast_tiles: int = 400,
    seed: int = 1,
    progress: ProgressCallback | None = None,
) -> CrossbarStudy:
    """SPICE tiles of each size, and the fast model checked against them.

    The characterisation runs in one in-process ngspice; its measurements reach the analysis
    as arrays (:class:`~rram_ber.analysis.crossbar.compare.MeasuredTiles`).
    """
    from rram_ber.analysis.crossbar.compare import (
        MeasuredTiles,
        compare_size,
        comparison_table,
    )
    from rram_ber.analysis.crossbar.model import SeriesTable
    from rram_ber.characterization.crossbar import tile_study
    from rram_ber.characterization.session import NgspiceSession

    with NgspiceSession() as session:
        studies = tile_study(session, tiles, sigma_ln, spice_tiles, seed, progress)
    comparisons = []
    for k, study in enumerate(studies):
        arrays = study.arrays()
        measured = MeasuredTiles(
            params=study.params,
            sigma_ln=sigma_ln,
            series=SeriesTable.from_frame(study.cell_table),
            levels=arrays["levels"].astype(np.int64),
            resistances_ohm=arrays["resistances_ohm"].astype(float),
            inputs=arrays["inputs"].astype(float),
            currents_a=arrays["currents_a"].astype(float),
            energy_j=arrays["energy_j"].astype(float),
        )
        # The fast model draws its own tiles, from a stream apart from the SPICE tiles'.
        fast_seed = np.random.SeedSequence([seed, 1, k])
        comparisons.append(compare_size(measured, fast_tiles, fast_seed))
    return CrossbarStudy(comparisons, comparison_table(comparisons), studies[0].cell_table)


def register(subparsers: Any) -> None:
    """Add the ``crossbar`` subcommand."""
    parser = subparsers.add_parser(
        "crossbar",
        help="Monte-Carlo crossbar tiles in SPICE against the fast tile model",
        description=(
            "Simulate programmed crossbar tiles (analog multiply-accumulate at virtual ground)"
            " in ngspice, measure the column error against the intended product and the read"
            " energy, and check the fast NumPy tile model against them on the same and on"
            " independent tiles (two-sample KS test per tile size)."
        ),
    )
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help="square tile sizes (default: %(default)s)"
    )
    parser.add_argument("--tiles", type=int, default=20, help="SPICE tiles per size (default 20)")
    parser.add_argument(
        "--fast-tiles", type=int, default=400, help="fast-model tiles per size (default 400)"
    )
    add_tile_options(parser)
    add_output_options(
        parser, "write tile_error_cdf.png, tile_error_position.png and crossbar.csv into DIR"
    )
    parser.set_defaults(handler=run)


def parse_sizes(text: str) -> list[int]:
    """``"8,16,32"`` as validated tile sides."""
    try:
        sizes = [int(word) for word in str(text).split(",") if word.strip()]
    except ValueError:
        raise ParameterError("--sizes", text, "comma-separated integers") from None
    if not sizes:
        raise ParameterError("--sizes", text, "at least one size")
    for size in sizes:
        if not 2 <= size <= MAX_TILE_SIDE:
            raise ParameterError("--sizes", text, f"sizes in 2 ... {MAX_TILE_SIDE}")
    return sizes


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber crossbar``."""
    from rram_ber.progress import ProgressBar

    sizes = parse_sizes(args.sizes)
    tiles = [tile_from_args(args, n, n) for n in sizes]
    as_option("--tiles", lambda: check_int("tiles", args.tiles, 2, 10_000))
    as_option("--fast-tiles", lambda: check_int("fast_tiles", args.fast_tiles, 2, 100_000))
    if args.plots is not None:
        make_writable_dir("--plots", args.plots)
    with ProgressBar("crossbar", enabled=not (args.quiet or args.json)) as bar:
        study = crossbar_study(
            tiles, args.sigma_ln, args.tiles, args.fast_tiles, args.seed, progress=bar
        )
    table = study.table
    if args.plots is not None:
        from rram_ber.analysis.crossbar.compare import error_distribution_figure, position_figure

        error_distribution_figure(study.comparisons).savefig(args.plots / "tile_error_cdf.png")
        position_figure(study.comparisons).savefig(args.plots / "tile_error_position.png")
        table.to_csv(args.plots / "crossbar.csv", index=False)
    if args.json:
        print(
            json.dumps(
                {
                    "sigma_ln": args.sigma_ln,
                    "seed": args.seed,
                    "cell_table": study.cell_table.to_dict(orient="records"),
                    "sizes": table.to_dict(orient="records"),
                }
            )
        )
        return 0
    shown = table[
        [
            "rows",
            "spice_tiles",
            "spice_error_mean",
            "spice_error_std",
            "fast_error_mean",
            "fast_error_std",
            "ks_statistic",
            "ks_pvalue",
            "paired_residual_rms",
            "energy_per_mac_j",
        ]
    ]
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    return 0
