"""Weak-RESET study: SPICE pulse trains and the in-situ learning imperfection table.

Run from the repository root::

    python benchmarks/weak_reset_study.py spice --out DIR [--devices 120] [--pulses 200]
        [--pulse 0.8:100e-9 ...] [--compliance 50e-6]
    python benchmarks/weak_reset_study.py insitu --out DIR [--dataset digits] [--seeds 3]

``spice`` simulates weak-RESET trains with real ngspice for a few pulse amplitudes and
widths (d2d and c2c variability on), prints median resistance and spread against pulse
count, fits the behavioural model of :mod:`rram_ber.models.weak_reset` to each train and compares
the fit with the published parameters; it writes ``spice_trains.npz`` and ``spice_fits.json``.

``insitu`` trains the differential-synapse BNN of :mod:`rram_ber.analysis.bnn.insitu` with each
imperfection on or off (published device parameters, or ``--spice-fit FILE`` for the
SPICE-derived ones) and the software BNN of the same recipe, over several seeds, and prints the
Markdown table of the README (``insitu_<dataset>.md`` and ``.json`` in DIR).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

# One BLAS thread: on a busy 2-core machine threaded BLAS made the small GEMMs of training
# 5x slower (6 ms against 29 ms for a 100 x 784 x 256 product). Set before NumPy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from dataclasses import asdict
from pathlib import Path

import numpy as np

#: (amplitude [V], plateau [s]) of the weak-RESET pulses simulated by ``spice``.
PULSES = ((1.0, 100e-9), (0.9, 100e-9), (1.0, 20e-9))


def _law_summary(params: object) -> dict[str, float]:
    from rram_ber.models.weak_reset import WeakResetParameters

    assert isinstance(params, WeakResetParameters)
    return {
        "m1_mean_per_pulse": params.m1.centre(),
        "t_star_median_pulses": params.t_star.scale,
        "t_star_sigma_ln": params.t_star.shape,
        "m2_mean_per_pulse": params.m2.centre(),
        "r0_mean_ohm": params.r0_ohm.centre(),
        "r0_std_ohm": params.r0_ohm.scale,
        "pink_std": params.pink_std,
    }


def run_spice(args: argparse.Namespace) -> int:
    """SPICE pulse trains for each pulse of :data:`PULSES`, with fits."""
    from rram_ber.characterization.programming import ProgramConditions
    from rram_ber.characterization.session import NgspiceSession
    from rram_ber.characterization.weak_reset import (
        WeakResetTrain,
        weak_reset_pulse,
        weak_reset_trains,
    )
    from rram_ber.models.weak_reset import PUBLISHED, fit_weak_reset

    args.out.mkdir(parents=True, exist_ok=True)
    trains: dict[str, np.ndarray] = {}
    fits: dict[str, object] = {"published": _law_summary(PUBLISHED)}
    conditions = ProgramConditions(compliance_a=args.compliance)
    suffix = "" if args.compliance == 50e-6 else f"_{args.compliance * 1e6:g}uA"
    with NgspiceSession() as session:
        for amplitude, width in args.pulse or PULSES:
            key = f"{amplitude:g}V_{width * 1e9:g}ns{suffix}"
            rng = np.random.default_rng(np.random.SeedSequence(args.seed))
            train = WeakResetTrain(weak_reset_pulse(amplitude, width), args.pulses)
            start = time.perf_counter()
            result = weak_reset_trains(session, args.devices, conditions, train, rng)
            elapsed = time.perf_counter() - start
            trains[key] = result.r_ohm
            median, sigma = result.median_ohm(), result.sigma_ln()
            monotonic = bool(np.all(np.diff(median) > 0))
            fit = fit_weak_reset(result.r_ohm[~result.failed], source=f"SPICE {key}")
            fits[key] = {
                **_law_summary(fit),
                "failed": int(result.failed.sum()),
                "median_monotonic": monotonic,
                "seconds": elapsed,
                "parameters": asdict(fit),
            }
            marks = sorted({m for m in (0, 1, 10, 50, args.pulses) if m <= args.pulses})
            print(
                f"{key}: {elapsed:.0f} s, failed {int(result.failed.sum())},"
                f" monotonic median {monotonic}; median kOhm at"
                f" {marks}: {[round(float(median[m]) / 1e3, 2) for m in marks]},"
                f" sigma ln R: {[round(float(sigma[m]), 3) for m in marks]}",
                flush=True,
            )
            # Written after every train: a long run keeps what it has finished.
            np.savez_compressed(args.out / "spice_trains.npz", **trains)
            (args.out / "spice_fits.json").write_text(json.dumps(fits, indent=1))
    return 0


def run_insitu(args: argparse.Namespace) -> int:
    """The imperfection table for one data set."""
    from rram_ber.analysis.bnn.insitu import imperfection_table, table_markdown
    from rram_ber.models.weak_reset import PUBLISHED, WeakResetParameters

    params = PUBLISHED
    if args.spice_fit is not None:
        raw = json.loads(args.spice_fit.read_text())[args.spice_key]["parameters"]
        params = WeakResetParameters.from_dict(raw)
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rows = imperfection_table(
        args.dataset, seeds=range(args.seeds), epochs=args.epochs, parameters=params
    )
    text = table_markdown(rows, args.dataset, params.source)
    print(text)
    print(f"{time.perf_counter() - start:.0f} s", file=sys.stderr)
    name = f"insitu_{args.dataset}" + ("" if args.spice_fit is None else f"_{args.spice_key}")
    (args.out / f"{name}.md").write_text(text)
    (args.out / f"{name}.json").write_text(json.dumps(rows, indent=1))
    return 0


def _pulse(text: str) -> tuple[float, float]:
    """``"0.8:100e-9"`` -> (0.8, 1e-7): a pulse amplitude [V] and plateau [s]."""
    try:
        amplitude, width = (float(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected AMPLITUDE_V:WIDTH_S") from None
    return amplitude, width


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one part of the study."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="part", required=True)
    spice = sub.add_parser("spice", help="SPICE weak-RESET pulse trains and fits")
    spice.add_argument("--out", type=Path, required=True)
    spice.add_argument("--devices", type=int, default=100)
    spice.add_argument("--pulses", type=int, default=120)
    spice.add_argument("--seed", type=int, default=1)
    spice.add_argument(
        "--pulse",
        type=_pulse,
        action="append",
        help="AMPLITUDE_V:WIDTH_S, repeatable (default: the pulses of PULSES)",
    )
    spice.add_argument("--compliance", type=float, default=50e-6, help="SET compliance [A]")
    spice.set_defaults(handler=run_spice)
    insitu = sub.add_parser("insitu", help="in-situ learning imperfection table")
    insitu.add_argument("--out", type=Path, required=True)
    insitu.add_argument("--dataset", default="digits", choices=("digits", "fashion-mnist"))
    insitu.add_argument("--seeds", type=int, default=3)
    insitu.add_argument("--epochs", type=int, default=None, help="default: the data set's")
    insitu.add_argument("--spice-fit", type=Path, default=None, help="spice_fits.json")
    insitu.add_argument("--spice-key", default="1V_100ns")
    insitu.set_defaults(handler=run_insitu)
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
