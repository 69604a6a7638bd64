"""Choose the read's maximum time step and evaluation length against a 2 ps reference.

One command, one verdict::

    python benchmarks/step_study.py [--samples 1000] [--workers 2] [--out DIR]

The same Monte-Carlo campaign (same seed, so every ``(condition, sample)`` pair is the same
read) is run with the reference timing (``t_step_s`` = 2 ps, the default evaluation phase)
and with each candidate (``t_step_s``, ``t_evaluate_s``). The read modes are every cell the
campaign knows (binary 2T2R, ternary, XNOR, 1T1R) on near-balanced devices (LRS 5 kOhm,
HRS 7 kOhm, sigma of ln R 0.3: the reads a coarse step is most likely to flip), at 1.2 V and
near threshold (0.6 V), four sampling times measured on each simulation. ``--samples`` reads
per (read mode, supply), so a read mode has ``2 x --samples`` simulated reads.

A candidate passes when, against the reference,

1. it changes at most 1.5 x as many decisions as the default timing (10 ps, 3 ns
   evaluation) does;
2. every condition's BER lies in the reference's 95 % Clopper-Pearson interval (its
   sampling noise);
3. the median relative error of the sense delay (interpolated between simulator points,
   :func:`rram_ber.characterization.measure.sense_delay`) and of the read energy are <= 1 %.

The shortened evaluation phase ends at the last sampling time plus ``--evaluate-margin``:
the energy counts the charge from the SEN edge to the end of the restore precharge
(:func:`rram_ber.characterization.measure.measure_read`), so the restore phase stays and only the
idle tail of the evaluation goes. The script prints each candidate's figures and the largest step
(then the shortest interval) that passes. Simulation time per candidate is printed too; it
varies with machine load (and counts only what a resumed run simulated), the decision counts
do not.

Measured on the 2T2R/ternary/XNOR/1T1R read of this version (1,000 reads per read mode and
supply, 32,000 condition-samples per timing, seed 5): decisions changed against 2 ps, per mode
2T2R/ternary/XNOR/1T1R, median (p99) delay error, median energy error:

* 10 ps, 3 ns evaluation (the default): 105 (19/32/26/28), 0.54 % (4.6 %), 0.30 %;
* 20 ps, 2.1 ns: 166 (30/51/38/47), 0.59 % (6.9 %), 0.42 %;
* 30 ps, 2.1 ns: 197 (41/52/47/57), 0.73 % (8.9 %), 0.50 %.

Every condition's BER stayed inside the reference's 95 % interval at every timing. 20 and
30 ps fail only the decision criterion (<= 157.5), so the 10 ps default stays.

On the 64-row column read (the default read since then; 300 reads per read mode and supply,
9,600 condition-samples per timing, seed 5, 3 ns evaluation), with ngspice's TRTOL as a
candidate too (``--trtol default,1``): decisions changed (2T2R/ternary/XNOR/1T1R), median
(p99) delay error, median energy error, simulation time against 10 ps (TRTOL candidates from
the run of the 10 ps one, plain steps from a second run on the same loaded machine):

* 10 ps: 3 (0/1/1/1), 0.12 % (0.3 %), 0.19 %;
* 20 ps: 14 (1/4/4/5), 0.39 % (1.1 %), 0.35 %, 0.65x the time;
* 20 ps, TRTOL 1: 8 (1/1/3/3), 0.25 % (0.8 %), 0.26 %, 0.64x;
* 30 ps: 20, 0.65 %, 0.61 %, 0.52x; 30 ps, TRTOL 1: 16, 0.31 %, 0.46 %, 0.54x;
* 50 ps: 27, 0.87 %, 1.07 %, 0.41x; 50 ps, TRTOL 1: 30, 0.43 %, 0.74 %, 0.45x.

No BER left the reference's interval at any timing; every candidate fails the decision
criterion (at most 4.5 here), so the read's default stays 10 ps. A TRTOL of 1 at 20 ps halves
the changed decisions and delay error of plain 20 ps for no measurable cost.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rram_ber.characterization import schema, store
from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.spec import CampaignSpec, parse_spec
from rram_ber.circuits.read import ReadTiming

REFERENCE_STEP_S = 2e-12
READ_MODES = ("2t2r", "ternary", "xnor", "1t1r")
SUPPLIES_V = (1.2, 0.6)
SAMPLING_TIMES_S = (0.25e-9, 0.5e-9, 1e-9, 2e-9)
#: Candidate steps [s], each with the default evaluation phase and with the shortened one.
STEPS_S = (10e-12, 20e-12, 30e-12, 50e-12, 100e-12)
#: Decisions a candidate may change, relative to what the default timing changes.
DECISION_FACTOR = 1.5
#: Largest median relative error of sense delay and of read energy.
MEDIAN_ERROR_MAX = 0.01


@dataclass(frozen=True)
class Timing:
    """One candidate: maximum step and evaluation length [s], ngspice's TRTOL (None: 7)."""

    t_step_s: float
    t_evaluate_s: float
    trtol: float | None = None

    def label(self) -> str:
        tolerance = "" if self.trtol is None else f", trtol {self.trtol:g}"
        return (
            f"step {self.t_step_s * 1e12:g} ps, evaluate {self.t_evaluate_s * 1e9:g} ns{tolerance}"
        )

    def name(self) -> str:
        """Directory name of the candidate's campaign (a rerun with the same --out resumes)."""
        tolerance = "" if self.trtol is None else f"-trtol{self.trtol:g}"
        return f"step{self.t_step_s * 1e12:g}ps-evaluate{self.t_evaluate_s * 1e9:g}ns{tolerance}"


@dataclass(frozen=True)
class Comparison:
    """A candidate's outcome against the reference (same campaign, same seed)."""

    decisions_changed: int
    changed_by_mode: dict[str, int]
    ber_outside: list[int]
    delay_median: float
    delay_p99: float
    energy_median: float
    compared: int


def campaign(samples: int, timing: Timing, seed: int = 5) -> CampaignSpec:
    """The study's campaign at one timing."""
    return parse_spec(
        {
            "campaign": {"seed": seed, "samples": samples, "batch_size": 10},
            "conditions": {
                "cell": list(READ_MODES),
                "vdd_v": list(SUPPLIES_V),
                "t_sample_s": list(SAMPLING_TIMES_S),
            },
            "device": {
                "model": "lognormal",
                "lrs_median_ohm": 5e3,
                "lrs_sigma_ln": 0.3,
                "hrs_median_ohm": 7e3,
                "hrs_sigma_ln": 0.3,
            },
            "timing": {
                "t_step_s": timing.t_step_s,
                "t_evaluate_s": timing.t_evaluate_s,
                **({} if timing.trtol is None else {"trtol": timing.trtol}),
            },
        }
    )


def _relative_errors(test: pd.Series, reference: pd.Series) -> np.ndarray:
    a, b = test.to_numpy(float), reference.to_numpy(float)
    both = np.isfinite(a) & np.isfinite(b) & (b != 0)
    return np.abs(a[both] / b[both] - 1.0)


def _ber_within(reference: pd.Series, test: pd.Series) -> bool:
    """Whether the test BER lies in the reference's 95 % interval (both undefined: equal)."""
    value, expected = float(test[schema.BER]), float(reference[schema.BER])
    if math.isnan(value) or math.isnan(expected):  # no resolved read
        return math.isnan(value) and math.isnan(expected)
    return float(reference[schema.BER_CI_LOW]) <= value <= float(reference[schema.BER_CI_HIGH])


def compare(
    spec: CampaignSpec,
    reference: tuple[pd.DataFrame, pd.DataFrame],
    test: tuple[pd.DataFrame, pd.DataFrame],
) -> Comparison:
    """Compare sample rows and BER tables (``(samples, ber)`` each) of two timings."""
    (ref_rows, ref_ber), (rows, ber) = reference, test
    keys = [schema.CONDITION_ID, schema.SAMPLE_INDEX]
    ref_rows = ref_rows.sort_values(keys, ignore_index=True)
    rows = rows.sort_values(keys, ignore_index=True)
    if not rows[keys].equals(ref_rows[keys]):
        raise ValueError("the two campaigns do not hold the same (condition, sample) pairs")
    changed = rows[schema.DECISION].to_numpy() != ref_rows[schema.DECISION].to_numpy()
    mode = {c.condition_id: c.cell.value for c in spec.conditions()}
    modes = rows[schema.CONDITION_ID].map(mode)
    by_mode = {m: int(changed[(modes == m).to_numpy()].sum()) for m in READ_MODES}
    ref_ber = ref_ber.set_index(schema.CONDITION_ID)
    ber = ber.set_index(schema.CONDITION_ID)
    outside = [int(cid) for cid in ref_ber.index if not _ber_within(ref_ber.loc[cid], ber.loc[cid])]
    delay = _relative_errors(rows[schema.DELAY_S], ref_rows[schema.DELAY_S])
    energy = _relative_errors(rows[schema.ENERGY_J], ref_rows[schema.ENERGY_J])
    return Comparison(
        decisions_changed=int(changed.sum()),
        changed_by_mode=by_mode,
        ber_outside=outside,
        delay_median=float(np.median(delay)) if delay.size else math.nan,
        delay_p99=float(np.quantile(delay, 0.99)) if delay.size else math.nan,
        energy_median=float(np.median(energy)) if energy.size else math.nan,
        compared=len(rows),
    )


def passes(result: Comparison, default_changed: int) -> bool:
    """The issue's criteria (see the module docstring)."""
    return (
        result.decisions_changed <= DECISION_FACTOR * default_changed
        and not result.ber_outside
        and result.delay_median <= MEDIAN_ERROR_MAX
        and result.energy_median <= MEDIAN_ERROR_MAX
    )


def run(
    samples: int, timing: Timing, out: Path, executor: LocalExecutor
) -> tuple[tuple[pd.DataFrame, pd.DataFrame], float]:
    """Run the study campaign at one timing: ``((samples, ber), seconds)``."""
    start = time.perf_counter()
    result = run_campaign(campaign(samples, timing), out, executor)
    return (store.read_samples(out), result.ber), time.perf_counter() - start


def candidates(
    steps: Sequence[float],
    evaluate: str,
    evaluate_margin_s: float,
    trtols: Sequence[float | None] = (None,),
) -> list[Timing]:
    """Each step with the default evaluation phase (``full``), the shortened one, or both,
    and with each TRTOL (None: ngspice's default)."""
    full = ReadTiming().t_evaluate_s
    short = min(full, max(SAMPLING_TIMES_S) + evaluate_margin_s)
    lengths = {"full": [full], "short": [short], "both": [full, short]}[evaluate]
    return [
        Timing(step, length, trtol)
        for trtol in trtols
        for length in dict.fromkeys(lengths)
        for step in steps
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--samples", type=int, default=1000, help="reads per (read mode, supply) [1000]"
    )
    parser.add_argument("--workers", type=int, default=2, help="local worker processes [2]")
    parser.add_argument(
        "--steps", default=",".join(f"{s * 1e12:g}" for s in STEPS_S), help="candidates [ps]"
    )
    parser.add_argument(
        "--evaluate",
        choices=("both", "full", "short"),
        default="both",
        help="evaluation phase of the candidates: the default, the shortened one, or both",
    )
    parser.add_argument(
        "--evaluate-margin",
        type=float,
        default=0.1,
        help="shortened evaluation: last sampling time + this [ns] (default 0.1)",
    )
    parser.add_argument(
        "--trtol",
        default="default",
        help="TRTOL values of the candidates, comma-separated; 'default' = ngspice's 7 "
        "(e.g. default,2,1)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="keep the campaigns here; a rerun with the same directory resumes them "
        "(default: a temporary directory)",
    )
    args = parser.parse_args()
    if args.samples < 10:
        raise SystemExit("--samples: at least 10")
    steps = [float(s) * 1e-12 for s in args.steps.split(",")]
    default = Timing(ReadTiming().t_step_s, ReadTiming().t_evaluate_s)
    trtols = [None if t == "default" else float(t) for t in args.trtol.split(",")]
    timings = candidates(steps, args.evaluate, args.evaluate_margin * 1e-9, trtols)
    if default not in timings:
        timings.insert(0, default)
    work = args.out or Path(tempfile.mkdtemp(prefix="step-study-"))
    reference_timing = Timing(REFERENCE_STEP_S, default.t_evaluate_s)
    spec = campaign(args.samples, reference_timing)
    print(
        f"step study: {len(READ_MODES)} read modes x {len(SUPPLIES_V)} supplies x "
        f"{args.samples} reads (= {len(SUPPLIES_V) * args.samples} per read mode), "
        f"{len(SAMPLING_TIMES_S)} sampling times each, against {reference_timing.label()}",
        flush=True,
    )
    results: dict[Timing, tuple[Comparison, float]] = {}
    try:
        with LocalExecutor(args.workers) as executor:
            reference, reference_s = run(args.samples, reference_timing, work / "ref", executor)
            print(f"reference: {reference_s:.0f} s", flush=True)
            for timing in timings:
                # Named by timing: a rerun with the same --out resumes every campaign.
                rows, seconds = run(args.samples, timing, work / timing.name(), executor)
                results[timing] = (compare(spec, reference, rows), seconds)
                result = results[timing][0]
                print(
                    f"  {timing.label()}: {seconds:.0f} s, {result.decisions_changed} decisions "
                    f"changed, {len(result.ber_outside)} BERs outside",
                    flush=True,
                )
    finally:
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)

    default_changed = results[default][0].decisions_changed
    compared = results[default][0].compared
    print(
        f"\n{compared} condition-samples per timing; default ({default.label()}) changes "
        f"{default_changed}; a candidate may change <= {DECISION_FACTOR * default_changed:g}"
    )
    header = (
        f"{'timing':46s} {'time':>6s} {'speed':>6s} {'changed':>8s} {'per mode':>16s} "
        f"{'BER out':>7s} {'delay med':>9s} {'p99':>7s} {'energy med':>10s}  verdict"
    )
    print(header)
    print("-" * len(header))
    default_s = results[default][1]
    for timing, (result, seconds) in results.items():
        per_mode = "/".join(str(result.changed_by_mode[m]) for m in READ_MODES)
        print(
            f"{timing.label():46s} {seconds:5.0f}s {default_s / seconds:5.2f}x "
            f"{result.decisions_changed:8d} {per_mode:>16s} {len(result.ber_outside):7d} "
            f"{result.delay_median * 100:8.2f}% {result.delay_p99 * 100:6.1f}% "
            f"{result.energy_median * 100:9.2f}%  "
            f"{'pass' if passes(result, default_changed) else 'fail'}"
        )
    print(f"(per mode: {'/'.join(READ_MODES)}; speed against the default timing)")
    passing = [t for t, (r, _) in results.items() if passes(r, default_changed)]
    if not passing:
        print("\nno candidate passes")
        sys.exit(1)
    fastest = min(passing, key=lambda t: results[t][1])
    print(f"\nfastest passing candidate here: {fastest.label()} (times vary with machine load)")


if __name__ == "__main__":
    main()
