"""``rram-ber read``: one PCSA read of a 2T2R or 1T1R cell with fixed resistances."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from rram_ber.circuits.array import DEFAULT_ROWS, ColumnParameters
from rram_ber.circuits.cells import Cell, Cell1T1R, Cell2T2R, CellKind
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.read import VDD_MAX_V, ReadConditions, ReadCopy, ReadTiming
from rram_ber.core.units import spice_float
from rram_ber.core.validation import ParameterError
from rram_ber.models.cmos import ProcessCorner
from rram_ber.models.device_temperature import DeviceState, ResistorTemperature
from rram_ber.models.resistance import reference_1t1r_ohm
from rram_ber.models.technology import TECHNOLOGIES, get_technology

T = TypeVar("T")

DEFAULT_R_LRS_OHM = 5e3
DEFAULT_R_HRS_OHM = 50e3
#: Default 1T1R reference: geometric mean of the default LRS and HRS [ohm].
DEFAULT_R_REF_OHM = reference_1t1r_ohm(DEFAULT_R_LRS_OHM, DEFAULT_R_HRS_OHM)


def as_option(option: str, build: Callable[[], T]) -> T:
    """Call ``build`` and report any :class:`ParameterError` under the option's name."""
    try:
        return build()
    except ParameterError as error:
        raise error.renamed(option) from None


def add_read_options(parser: argparse.ArgumentParser) -> None:
    """Options describing one read (shared by ``read`` and ``netlist read``)."""
    parser.add_argument(
        "--cell",
        default="2t2r",
        help="cell kind: 2t2r (differential) or 1t1r (with reference) (default: %(default)s)",
    )
    parser.add_argument(
        "--r-bl",
        type=spice_float,
        default=DEFAULT_R_LRS_OHM,
        help="resistance on BL [ohm], e.g. 5k (default: %(default)g)",
    )
    parser.add_argument(
        "--r-blb",
        type=spice_float,
        default=None,
        help=f"2t2r: resistance on BLB [ohm] (default {DEFAULT_R_HRS_OHM:g})",
    )
    parser.add_argument(
        "--r-ref",
        type=spice_float,
        default=None,
        help=f"1t1r: reference resistance on BLB [ohm] (default {DEFAULT_R_REF_OHM:.0f})",
    )
    parser.add_argument(
        "--technology",
        default="ptm130",
        help="transistor technology: " + ", ".join(TECHNOLOGIES) + " (default: %(default)s)",
    )
    parser.add_argument(
        "--vdd",
        type=spice_float,
        default=None,
        help=f"supply [V] (default: the technology's, 1.2 for ptm130; ptm130: <= {VDD_MAX_V:g})",
    )
    parser.add_argument(
        "--corner", default="tt", help="process corner: tt, ff, ss, fs, sf (default: %(default)s)"
    )
    parser.add_argument(
        "--temp", type=float, default=27.0, help="temperature [C], -55..150 (default: %(default)g)"
    )
    parser.add_argument(
        "--t-sample",
        type=spice_float,
        default=ReadTiming().t_sample_s,
        help="sampling time after the sense-enable edge [s], e.g. 2n (default: %(default)g)",
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=DEFAULT_ROWS,
        help=f"rows of the column the cell is read in, 1..4096 (default {DEFAULT_ROWS})",
    )
    parser.add_argument(
        "--mux",
        type=int,
        default=1,
        help="columns sharing the PCSA through a column multiplexer, 1..64 "
        "(default: %(default)s, no multiplexer)",
    )
    parser.add_argument(
        "--no-device-temperature",
        action="store_true",
        help="keep the given resistances at every temperature (default: they are values at "
        "27 C; a device below the default 1T1R reference is LRS, +0.1 %%/K, else HRS, "
        "activation energy 0.15 eV)",
    )
    parser.add_argument(
        "--isolated",
        action="store_true",
        help="idealised test fixture: the cell alone (no column, ideal WL/SEN pulses, "
        "analogue decision); --rows and --mux do not apply",
    )


def _device(resistance_ohm: float, args: argparse.Namespace) -> FixedResistor:
    """A device given at 27 C, at the read temperature (see ``--no-device-temperature``)."""
    given = FixedResistor(resistance_ohm)
    if args.no_device_temperature:
        return given
    state = DeviceState.LRS if resistance_ohm < DEFAULT_R_REF_OHM else DeviceState.HRS
    return FixedResistor(ResistorTemperature().resistance_ohm(resistance_ohm, state, args.temp))


def read_setup_from_args(args: argparse.Namespace) -> tuple[ReadConditions, ReadCopy]:
    """Validated read conditions and cell from parsed options.

    Raises
    ------
    ParameterError
        Naming the command-line option, the value and the allowed values.
    """
    kind = as_option("--cell", lambda: CellKind.parse(args.cell))
    as_option("--temp", lambda: ReadConditions(temp_c=args.temp))
    cell: Cell
    bl = as_option("--r-bl", lambda: _device(args.r_bl, args))
    if kind is CellKind.TWO_T_TWO_R:
        if args.r_ref is not None:
            raise ParameterError("--r-ref", args.r_ref, "no value with --cell 2t2r (use --r-blb)")
        r_blb = DEFAULT_R_HRS_OHM if args.r_blb is None else args.r_blb
        cell = Cell2T2R(bl, as_option("--r-blb", lambda: _device(r_blb, args)))
    else:
        if args.r_blb is not None:
            raise ParameterError("--r-blb", args.r_blb, "no value with --cell 1t1r (use --r-ref)")
        r_ref = DEFAULT_R_REF_OHM if args.r_ref is None else args.r_ref
        cell = Cell1T1R(bl, as_option("--r-ref", lambda: FixedResistor(r_ref)))
    corner = as_option("--corner", lambda: ProcessCorner.parse(args.corner))
    timing = as_option("--t-sample", lambda: ReadTiming(t_sample_s=args.t_sample))
    technology = get_technology(args.technology, "--technology")
    vdd = technology.vdd_default_v if args.vdd is None else args.vdd
    # Checked one by one so the error names the option that is wrong.
    as_option("--vdd", lambda: ReadConditions.for_technology(technology, vdd_v=vdd))
    as_option("--temp", lambda: ReadConditions(temp_c=args.temp))
    column = None
    if not args.isolated:
        as_option("--rows", lambda: ColumnParameters(rows=args.rows))
        column = as_option("--mux", lambda: ColumnParameters(rows=args.rows, mux_ways=args.mux))
    conditions = ReadConditions.for_technology(
        technology, vdd_v=vdd, temp_c=args.temp, corner=corner, timing=timing, column=column
    )
    return conditions, ReadCopy(cell)


def register(subparsers: Any) -> None:
    """Add the ``read`` subcommand."""
    parser = subparsers.add_parser(
        "read",
        help="simulate one PCSA read and print decision, sense delay and read energy",
        description="Simulate one PCSA read of a cell with fixed resistances (real ngspice).",
    )
    add_read_options(parser)
    parser.add_argument(
        "--backend",
        choices=("shared", "subprocess"),
        default="shared",
        help="in-process libngspice (default) or an 'ngspice -b' subprocess",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def _decision_text(decision: int, resolved: bool, isolated: bool) -> str:
    if isolated:
        return f"{decision:+d}" if resolved else "0 (unresolved)"
    if not resolved:
        return "undecided (logic levels)"
    return "0 (both outputs high)" if decision == 0 else f"{decision:+d}"


@dataclass(frozen=True)
class ReadResult:
    """One simulated read (what ``rram-ber read`` prints; :func:`rram_ber.api.read`).

    Attributes
    ----------
    cell, technology, corner : str
        Cell kind, transistor technology and process corner.
    r_bl_ohm, r_blb_ohm : float
        Nominal resistances on BL and BLB (the 1T1R reference) [ohm].
    vdd_v, temp_c, t_sample_s : float
        Supply [V], temperature [C], sampling time after the sense-enable edge [s].
    rows, mux : int or None
        The column the cell is read in (None: the isolated test fixture).
    decision : int
        +1 / -1, or 0 (isolated fixture: unresolved; column: both outputs high).
    resolved : bool
        Whether the outputs were separated at the sampling time.
    delay_s : float
        Sense delay [s]; NaN when the read never resolved.
    energy_j : float
        Read energy [J].
    v_out_v, v_outb_v : float
        The outputs at the sampling time [V].
    """

    cell: str
    technology: str
    r_bl_ohm: float
    r_blb_ohm: float
    vdd_v: float
    corner: str
    temp_c: float
    t_sample_s: float
    rows: int | None
    mux: int | None
    decision: int
    resolved: bool
    delay_s: float
    energy_j: float
    v_out_v: float
    v_outb_v: float

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` object (a delay that never came is null)."""
        record = dataclasses.asdict(self)
        record["delay_s"] = None if math.isnan(self.delay_s) else self.delay_s
        return record


def simulate_read(args: argparse.Namespace) -> ReadResult:
    """The read the options describe, simulated once (``--backend``: in-process or not).

    Raises
    ------
    ParameterError
        Bad input, naming the option.
    """
    conditions, copy = read_setup_from_args(args)
    from rram_ber.characterization.read import simulate_reads
    from rram_ber.characterization.session import NgspiceSession, NgspiceSubprocess

    simulator = NgspiceSession() if args.backend == "shared" else NgspiceSubprocess()
    with simulator:
        measurement = simulate_reads(simulator, conditions, [copy])[0]
    r_bl, r_blb = (e.nominal_resistance_ohm() for e in copy.cell.branch_elements())
    column = conditions.column
    return ReadResult(
        cell=copy.cell.kind.value,
        technology=conditions.technology.name,
        r_bl_ohm=r_bl,
        r_blb_ohm=r_blb,
        vdd_v=conditions.vdd_v,
        corner=conditions.corner.value,
        temp_c=conditions.temp_c,
        t_sample_s=conditions.timing.t_sample_s,
        rows=None if column is None else column.rows,
        mux=None if column is None else column.mux_ways,
        decision=measurement.decision,
        resolved=measurement.resolved,
        delay_s=measurement.delay_s,
        energy_j=measurement.energy_j,
        v_out_v=measurement.v_out_v,
        v_outb_v=measurement.v_outb_v,
    )


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber read``."""
    result = simulate_read(args)
    if args.json:
        print(json.dumps(result.as_json()))
        return 0
    rows = [
        ("cell", result.cell),
        ("R on BL", f"{result.r_bl_ohm:.6g} ohm"),
        (
            "R on BLB" + (" (reference)" if result.cell == CellKind.ONE_T_ONE_R.value else ""),
            f"{result.r_blb_ohm:.6g} ohm",
        ),
        ("technology", result.technology),
        ("VDD", f"{result.vdd_v:g} V"),
        ("corner", result.corner),
        ("temperature", f"{result.temp_c:g} C"),
        (
            "array",
            "isolated cell (test fixture)"
            if result.rows is None
            else f"{result.rows} rows, mux {result.mux}",
        ),
        ("sampled", f"{result.t_sample_s * 1e9:g} ns after SEN"),
        ("decision", _decision_text(result.decision, result.resolved, result.rows is None)),
        ("outputs at sampling", f"OUT {result.v_out_v:.3f} V, OUTB {result.v_outb_v:.3f} V"),
        (
            "sense delay",
            "never resolved" if math.isnan(result.delay_s) else f"{result.delay_s * 1e12:.1f} ps",
        ),
        ("read energy", f"{result.energy_j * 1e15:.2f} fJ"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0
