"""``rram-ber program``: program VCM devices (SET at a compliance, then RESET) and read them."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Any

from rram_ber.commands.options import add_output_options
from rram_ber.commands.read import as_option
from rram_ber.core.units import spice_float
from rram_ber.core.validation import ParameterError, check_int, check_range, make_writable_dir
from rram_ber.models.technology import TECHNOLOGIES, get_technology

#: Kelvin at 0 C.
ZERO_CELSIUS_K = 273.15

#: Largest population accepted on the command line.
MAX_DEVICES = 100_000
#: Devices drawn in the I-V butterfly plot.
IV_PLOT_DEVICES = 5
#: The option that sets each field of the programming settings (VcmSettings).
VCM_OPTIONS = {
    "set_amplitude_v": "--set-voltage",
    "set_width_s": "--set-width",
    "reset_amplitude_v": "--reset-voltage",
    "reset_width_s": "--reset-width",
    "reset_v_wl_v": "--reset-wl",
    "orientation": "--orientation",
}


def register(subparsers: Any) -> None:
    """Add the ``program`` subcommand."""
    parser = subparsers.add_parser(
        "program",
        help="program VCM RRAM devices (SET at a compliance, then RESET) and report LRS/HRS",
        description=(
            "Draw devices with device-to-device variability, SET each through its 1T1R access"
            " transistor at the compliance current, read it, RESET it, read it again (cycle-to-"
            "cycle variability at every pulse; real ngspice). Resistances are |V/I| at a 0.1 V"
            " read in the read polarity of the device orientation."
        ),
    )
    add_program_options(parser)
    parser.add_argument(
        "--devices", type=int, default=200, help="number of devices (default: %(default)s)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="root seed of all random draws (default: %(default)s)"
    )
    parser.add_argument(
        "--weak-reset-pulses",
        type=int,
        default=0,
        metavar="N",
        help="after SET, apply N weak-RESET pulses (the RESET pulse, 10 ns edges) instead of"
        " one full RESET and report R against pulse count (median and spread) (default: 0, a "
        "full RESET)",
    )
    parser.add_argument(
        "--no-d2d", action="store_true", help="no device-to-device variability (nominal devices)"
    )
    parser.add_argument("--no-c2c", action="store_true", help="no cycle-to-cycle variability")
    add_output_options(parser, "write iv_butterfly.png and resistance_cdf.png into DIR")
    parser.set_defaults(handler=run)


def add_program_options(parser: argparse.ArgumentParser) -> None:
    """The pulse, device and access-transistor options of ``program`` and ``netlist program``."""
    parser.add_argument(
        "--compliance",
        type=spice_float,
        default=50e-6,
        help="SET compliance current [A], 40u..300u (default: %(default)g)",
    )
    parser.add_argument(
        "--set-voltage",
        type=spice_float,
        default=1.8,
        help="SET pulse on the driven line [V] (default: %(default)g)",
    )
    parser.add_argument(
        "--set-width",
        type=spice_float,
        default=1e-6,
        help="SET plateau (after a 1 us ramp) [s], e.g. 1u (default: %(default)g)",
    )
    parser.add_argument(
        "--reset-voltage",
        type=spice_float,
        default=None,
        help="RESET pulse on the driven line [V] (default 2.5; 1.0 with --weak-reset-pulses)",
    )
    parser.add_argument(
        "--reset-width",
        type=spice_float,
        default=None,
        help="RESET plateau [s] (default 1e-6; 100e-9 with --weak-reset-pulses)",
    )
    parser.add_argument(
        "--reset-wl",
        type=spice_float,
        default=3.3,
        help="word-line voltage during RESET [V] (default: %(default)g)",
    )
    parser.add_argument(
        "--t-ambient",
        type=float,
        default=27.0,
        help="ambient temperature of the devices [C], -23.15..126.85 (the model's validity "
        "box, 250..400 K) (default: %(default)g, as a campaign's temp_c)",
    )
    parser.add_argument(
        "--orientation",
        default="oe_on_bl",
        help="device electrode on the bit line: oe_on_bl (default) or ae_on_bl",
    )
    parser.add_argument(
        "--technology",
        default="ptm130",
        help="access-transistor technology: " + ", ".join(TECHNOLOGIES) + " (default ptm130)",
    )


def conditions_from_args(args: argparse.Namespace) -> Any:
    """Validated :class:`~characterization.programming.ProgramConditions` from the options.

    Raises
    ------
    ParameterError
        Naming the option, the value and the allowed range.
    """
    from rram_ber.characterization.devices import VcmSettings
    from rram_ber.characterization.programming import ProgramConditions
    from rram_ber.characterization.weak_reset import weak_reset_pulse
    from rram_ber.circuits.cells import AccessSizing
    from rram_ber.circuits.programming import ProgrammingBench, ResetPulse
    from rram_ber.models.variability import C2cVariability, D2dVariability
    from rram_ber.models.vcm import VcmParameters

    # Weak-RESET trains default to their own short, low pulse; a full RESET otherwise.
    reset_base = (weak_reset_pulse() if args.weak_reset_pulses else ResetPulse()).pulse
    # The pulse settings are the campaign's [device.vcm] record; its errors name its fields,
    # reported here under the option that set them.
    try:
        vcm = VcmSettings(
            set_amplitude_v=args.set_voltage,
            set_width_s=args.set_width,
            reset_amplitude_v=(
                reset_base.amplitude_v if args.reset_voltage is None else args.reset_voltage
            ),
            reset_edge_s=reset_base.edge_s,
            reset_width_s=reset_base.width_s if args.reset_width is None else args.reset_width,
            reset_v_wl_v=args.reset_wl,
            orientation=args.orientation,
        )
    except ParameterError as error:
        raise error.renamed(VCM_OPTIONS.get(error.field, error.field)) from None
    # Temperatures are in C on every command; the model works in K.
    t_ambient_c = check_range("--t-ambient", args.t_ambient, -23.15, 126.85, unit="C")
    t_ambient_k = round(t_ambient_c + ZERO_CELSIUS_K, 9)
    device = as_option("--t-ambient", lambda: VcmParameters(t_ambient_k=t_ambient_k))
    technology = get_technology(args.technology, "--technology")
    bench = ProgrammingBench(
        access=AccessSizing.for_technology(technology),
        orientation=vcm.orientation,
        technology=technology,
    )
    as_option("--compliance", lambda: ProgramConditions(compliance_a=args.compliance))
    return as_option(
        "--set-voltage",
        lambda: ProgramConditions(
            compliance_a=args.compliance,
            set_pulse=vcm.set_pulse(),
            reset=vcm.reset_pulse(),
            bench=bench,
            device=device,
            d2d=None if args.no_d2d else D2dVariability(),
            c2c=None if args.no_c2c else C2cVariability(),
        ),
    )


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber program``."""
    conditions = conditions_from_args(args)
    n_devices = as_option("--devices", lambda: check_int("devices", args.devices, 1, MAX_DEVICES))
    seed = as_option("--seed", lambda: check_int("seed", args.seed, 0, None))
    if args.plots is not None:
        make_writable_dir("--plots", args.plots)
    if args.weak_reset_pulses:
        from rram_ber.characterization.weak_reset import MAX_PULSES

        as_option(
            "--weak-reset-pulses",
            lambda: check_int("weak_reset_pulses", args.weak_reset_pulses, 0, MAX_PULSES),
        )
        return run_weak_reset(args, conditions, n_devices, seed)

    import numpy as np

    from rram_ber.characterization.iv_sweeps import simulate_iv_sweeps
    from rram_ber.characterization.programming import log_normal_summary, program_population
    from rram_ber.characterization.session import NgspiceSession
    from rram_ber.progress import progress_bar

    rng = np.random.default_rng(np.random.SeedSequence(seed))
    start = time.monotonic()
    # One step per device and pulse: SET at the compliance, then RESET (each followed by a
    # read of the device model).
    bar = progress_bar(
        2 * n_devices,
        "pulse",
        f"program (SET at {conditions.compliance_a * 1e6:g} uA, RESET)",
        not args.quiet,
    )
    with bar, NgspiceSession() as session:
        result = program_population(session, n_devices, conditions, rng, progress=bar.update)
        curves = None
        if args.plots is not None:
            bar.set_description("program: I-V sweeps for the plots")
            curves = simulate_iv_sweeps(session, result.drawn[:IV_PLOT_DEVICES])
    if not args.quiet:
        print(f"program: done in {time.monotonic() - start:.1f} s", file=sys.stderr)
    lrs_median, lrs_sigma = log_normal_summary(result.r_lrs_ohm)
    hrs_median, hrs_sigma = log_normal_summary(result.r_hrs_ohm)
    observed = result.compliance_observed_a[~result.failed]
    observed_median = float(np.median(observed)) if observed.size else math.nan
    set_energy = result.set_energy_j[~result.failed]
    reset_energy = result.reset_energy_j[~result.failed]
    set_energy_median = float(np.median(set_energy)) if set_energy.size else math.nan
    reset_energy_median = float(np.median(reset_energy)) if reset_energy.size else math.nan

    if args.plots is not None and curves is not None:
        from rram_ber.analysis.device_plots import plot_iv_butterfly, plot_resistance_cdfs

        try:
            plot_iv_butterfly(
                curves.v,
                list(curves.current_a),
                args.plots / "iv_butterfly.png",
                labels=[f"device {k}" for k in range(len(curves.current_a))],
            )
            plot_resistance_cdfs(
                result.r_lrs_ohm,
                result.r_hrs_ohm,
                args.plots / "resistance_cdf.png",
                title=f"LRS (I_C = {conditions.compliance_a * 1e6:g} uA) and HRS, n = {n_devices}",
            )
        except OSError as error:
            # The folder was checked before simulating; it can still vanish or fill up.
            raise ParameterError(
                "--plots", str(args.plots), f"a writable directory ({error.strerror})"
            ) from None

    def finite(value: float) -> float | None:
        return None if math.isnan(value) else value

    if args.json:
        print(
            json.dumps(
                {
                    "lrs_median_ohm": finite(lrs_median),
                    "lrs_sigma_ln": finite(lrs_sigma),
                    "hrs_median_ohm": finite(hrs_median),
                    "hrs_sigma_ln": finite(hrs_sigma),
                    "devices": n_devices,
                    "failed": int(result.failed.sum()),
                    "compliance_a": conditions.compliance_a,
                    "compliance_observed_median_a": finite(observed_median),
                    "v_wl_set_v": result.v_wl_set_v,
                    "set_energy_median_j": finite(set_energy_median),
                    "reset_energy_median_j": finite(reset_energy_median),
                }
            )
        )
        return 0
    rows = [
        ("devices", f"{n_devices} ({int(result.failed.sum())} failed)"),
        ("orientation", conditions.bench.orientation.value),
        ("compliance requested", f"{conditions.compliance_a * 1e6:.1f} uA"),
        ("SET word line", f"{result.v_wl_set_v:.3f} V"),
        ("compliance observed", f"{observed_median * 1e6:.1f} uA (median)"),
        ("LRS median", f"{lrs_median:.4g} ohm"),
        ("LRS sigma(ln R)", f"{lrs_sigma:.3f}"),
        ("HRS median", f"{hrs_median:.4g} ohm"),
        ("HRS sigma(ln R)", f"{hrs_sigma:.3f}"),
        ("SET energy", f"{set_energy_median * 1e12:.3g} pJ (median, driven line)"),
        ("RESET energy", f"{reset_energy_median * 1e12:.3g} pJ (median, driven line)"),
        ("read", f"|V/I| at {conditions.v_read_v:g} V, read polarity"),
    ]
    if args.plots is not None:
        rows.append(("plots", str(args.plots)))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


def run_weak_reset(args: argparse.Namespace, conditions: Any, n_devices: int, seed: int) -> int:
    """``--weak-reset-pulses N``: SET, then N weak-RESET pulses, R read after each."""
    import numpy as np

    from rram_ber.characterization.session import NgspiceSession
    from rram_ber.characterization.weak_reset import WeakResetTrain, weak_reset_trains

    train = WeakResetTrain(conditions.reset, args.weak_reset_pulses)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    with NgspiceSession() as session:
        result = weak_reset_trains(session, n_devices, conditions, train, rng)
    median, sigma = result.median_ohm(), result.sigma_ln()
    if args.plots is not None:
        from rram_ber.analysis.device_plots import plot_weak_reset

        args.plots.mkdir(parents=True, exist_ok=True)
        pulse = conditions.reset.pulse
        plot_weak_reset(
            result.r_ohm[~result.failed],
            args.plots / "weak_reset.png",
            title=f"weak RESET {pulse.amplitude_v:g} V, {pulse.width_s * 1e9:g} ns,"
            f" n = {int((~result.failed).sum())}",
        )

    def finite(values: Any) -> list[float | None]:
        return [None if math.isnan(v) else float(v) for v in values]

    if args.json:
        print(
            json.dumps(
                {
                    "weak_reset_median_ohm": finite(median),
                    "weak_reset_sigma_ln": finite(sigma),
                    "devices": n_devices,
                    "failed": int(result.failed.sum()),
                    "reset_voltage_v": conditions.reset.pulse.amplitude_v,
                    "reset_width_s": conditions.reset.pulse.width_s,
                    "v_wl_set_v": result.v_wl_set_v,
                }
            )
        )
        return 0
    pulse = conditions.reset.pulse
    print(
        f"weak RESET: {pulse.amplitude_v:g} V, {pulse.width_s:g} s plateau,"
        f" word line {conditions.reset.v_wl_v:g} V; {n_devices} devices"
        f" ({int(result.failed.sum())} failed); R = |V/I| at {conditions.v_read_v:g} V"
    )
    print(f"{'pulses':>6}  {'median R [ohm]':>14}  {'sigma(ln R)':>11}")
    for k in range(median.size):
        print(f"{k:>6}  {median[k]:>14.5g}  {sigma[k]:>11.3f}")
    return 0
