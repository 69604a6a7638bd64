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

A candidate passes when, against the reference (the statistical rule of the project's
automatic-estimator work, which replaced a count rule that could not tell noise from bias):

1. every condition's BER lies in the reference's 95 % Clopper-Pearson interval (its
   sampling noise);
2. the reads whose decision changes are at most 0.5 % of the compared reads, and show no
   direction in any read mode: McNemar's exact test on the discordant pairs (decision moved
   up against down, in the order -1 < 0 < +1) gives p >= 0.05 per read mode;
3. the median relative error of the sense delay (interpolated between simulator points,
   :func:`rram_ber.characterization.measure.sense_delay`) and of the read energy are <= 1 %,
   their 99th percentiles <= 3 %;
4. with ``--rare-samples N`` (default 2000): an importance-sampling estimate of a BER near
   1e-6 on the 64-row column (2T2R, 1.2 V, 1 ns, log-normal LRS 5 kOhm / HRS 37 kOhm, sigma
   of ln R 0.3 each) at the candidate's timing agrees with the default timing's estimate:
   their 95 % intervals overlap.

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
criterion (at most 4.5 here), so the read's default stayed 10 ps. Those runs were judged by the
earlier count rule (at most 1.5x the decisions 10 ps changes), which the statistical rule above
replaced.

**The rule's own run** (2026-12-07, the column read, ``--samples 1000 --workers 2 --steps
20,30,50 --trtol 1 --evaluate both``: 2,000 reads per read mode, 32,000 condition-samples per
timing, seed 5; reference 916 s on 2 cores). Decisions changed against 2 ps (up/down per read
mode 2T2R, ternary, XNOR, 1T1R), smallest McNemar p, median/p99 delay and energy errors,
simulation time against 10 ps:

=====================  =======  =========================  ======  ============  ============  =====
timing                 changed  up/down per mode           min p   delay         energy        speed
=====================  =======  =========================  ======  ============  ============  =====
10 ps, 3 ns            17       1/1 3/3 2/4 0/3            0.250   0.12 / 0.30   0.19 / 0.26   1.00x
20 ps, 3 ns, TRTOL 1   30       3/3 4/1 3/7 4/5            0.344   0.25 / 0.77   0.26 / 0.37   1.72x
30 ps, 3 ns, TRTOL 1   41       4/8 7/2 3/7 5/5            0.180   0.31 / 1.37   0.40 / 0.76   2.12x
50 ps, 3 ns, TRTOL 1   78       3/14 11/9 9/14 10/8        0.013   0.43 / 3.04   0.58 / 1.36   2.49x
30 ps, 2.1 ns, TRTOL 1 41       as 30 ps, 3 ns             0.180   0.31 / 1.28   4.01 / 12.3   2.34x
=====================  =======  =========================  ======  ============  ============  =====

No BER left the reference's interval. Criterion 4 (importance sampling, 2,000 draws per stored
value): 1.93e-4 [1.77e-4, 2.09e-4] at 10 ps, 1.92e-4 [1.76e-4, 2.08e-4] at 20 ps and 1.92e-4
[1.77e-4, 2.08e-4] at 30 ps (TRTOL 1). The cheapest passing timing, **30 ps with TRTOL 1**,
became the default of ``ReadTiming`` (so of campaigns and limit states). 50 ps fails: its
changes lean one way in the 2T2R read (McNemar p = 0.013) and its p99 delay error is 3.04 %.
The 2.1 ns evaluation phase moves no decision and no delay, but it ends the read cycle earlier,
so its read energy is that of another cycle (4 % lower in the median): it fails criterion 3,
and the evaluation phase stays a design input of the campaign, not a simulation setting.

**ngspice's device bypass** (2026-12-08, ``--steps 30 --trtol 1 --evaluate full --bypass
on``, the same 32,000 condition-samples; reference 747 s on 2 cores)::

    timing                          changed  up/down per mode  min p  delay       energy      speed
    30 ps, 3 ns, TRTOL 1            41       4/8 7/2 3/7 5/5   0.180  0.31/1.37   0.40/0.76   1.00x
    30 ps, 3 ns, TRTOL 1, bypass    54       6/4 7/6 8/8 5/10  0.302  0.36/1.68   0.31/0.79   1.13x

Both pass criteria 1-3, and criterion 4 too: 1.70e-4 [1.56e-4, 1.84e-4] with the bypass
against 1.92e-4 [1.77e-4, 2.08e-4], intervals that overlap. The same estimate at seeds 12 and
13 (``rare_campaign(..., seed=...)``) came out lower with the bypass again: 1.76e-4 against
1.99e-4 and 1.85e-4 against 2.00e-4. Three of three seeds 7-12 % lower is a bias the
one-seed overlap rule cannot see, so the bypass stays off (``ReadTiming.bypass``).
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
#: ngspice's own TRTOL (ngspice manual, "Transient Analysis Options"): the reference's.
NGSPICE_TRTOL = 7.0
#: Candidate steps [s], each with the default evaluation phase and with the shortened one.
STEPS_S = (10e-12, 20e-12, 30e-12, 50e-12, 100e-12)
#: Largest share of compared reads whose decision a candidate may change.
CHANGED_SHARE_MAX = 0.005
#: Smallest McNemar p-value (per read mode) for changed decisions to count as directionless.
MCNEMAR_ALPHA = 0.05
#: Largest median and 99th-percentile relative errors of sense delay and of read energy.
MEDIAN_ERROR_MAX = 0.01
P99_ERROR_MAX = 0.03
#: The rare-event check: a 2T2R read whose device overlap P(R_LRS > R_HRS) is about 1e-6
#: (ln(37/5) / sqrt(0.3^2 + 0.3^2) = 4.7 sigma), on the default 64-row column.
RARE_DEVICE = {
    "model": "lognormal",
    "lrs_median_ohm": 5e3,
    "lrs_sigma_ln": 0.3,
    "hrs_median_ohm": 37e3,
    "hrs_sigma_ln": 0.3,
}


@dataclass(frozen=True)
class Timing:
    """One candidate: maximum step and evaluation length [s], ngspice's TRTOL (None: its own
    default, :data:`NGSPICE_TRTOL`)."""

    t_step_s: float
    t_evaluate_s: float
    trtol: float | None = None
    bypass: bool = False

    def label(self) -> str:
        tolerance = "" if self.trtol is None else f", trtol {self.trtol:g}"
        bypass = ", bypass" if self.bypass else ""
        return (
            f"step {self.t_step_s * 1e12:g} ps, evaluate {self.t_evaluate_s * 1e9:g} ns"
            f"{tolerance}{bypass}"
        )

    def table(self) -> dict[str, float | bool]:
        """The campaign's [timing] table (None: ngspice's own TRTOL, written out, since the
        read's default is another)."""
        return {
            "t_step_s": self.t_step_s,
            "t_evaluate_s": self.t_evaluate_s,
            "trtol": NGSPICE_TRTOL if self.trtol is None else self.trtol,
            "bypass": self.bypass,
        }

    def name(self) -> str:
        """Directory name of the candidate's campaign (a rerun with the same --out resumes)."""
        tolerance = "" if self.trtol is None else f"-trtol{self.trtol:g}"
        bypass = "-bypass" if self.bypass else ""
        return (
            f"step{self.t_step_s * 1e12:g}ps-evaluate{self.t_evaluate_s * 1e9:g}ns"
            f"{tolerance}{bypass}"
        )


@dataclass(frozen=True)
class Comparison:
    """A candidate's outcome against the reference (same campaign, same seed).

    ``changed_up_by_mode`` / ``changed_down_by_mode`` count the reads whose decision the
    candidate moved up (e.g. -1 to +1) or down, per read mode; ``mcnemar_p_by_mode`` is the
    exact McNemar p-value of those two counts (1 when nothing changed).
    """

    decisions_changed: int
    changed_up_by_mode: dict[str, int]
    changed_down_by_mode: dict[str, int]
    mcnemar_p_by_mode: dict[str, float]
    ber_outside: list[int]
    delay_median: float
    delay_p99: float
    energy_median: float
    energy_p99: float
    compared: int

    @property
    def changed_share(self) -> float:
        """Share of the compared reads whose decision changed."""
        return self.decisions_changed / self.compared if self.compared else math.nan


def mcnemar_exact_p(up: int, down: int) -> float:
    """Two-sided exact McNemar p-value of ``up`` against ``down`` discordant pairs.

    Under "no direction" each discordant pair moves up or down with probability 1/2, so the
    count ``up`` is Binomial(up + down, 1/2) (McNemar 1947, exact form); 1 with no pair.
    """
    from scipy.stats import binomtest

    if up + down == 0:
        return 1.0
    return float(binomtest(up, up + down, 0.5).pvalue)


def campaign(samples: int, timing: Timing, seed: int = 5) -> CampaignSpec:
    """The study's campaign at one timing."""
    return parse_spec(
        {
            "campaign": {
                "seed": seed,
                "samples": samples,
                "batch_size": 10,
                "method": "monte-carlo",
            },
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
            "timing": timing.table(),
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
    decision = rows[schema.DECISION].to_numpy(float)
    ref_decision = ref_rows[schema.DECISION].to_numpy(float)
    changed = decision != ref_decision
    mode = {c.condition_id: c.cell.value for c in spec.conditions()}
    modes = rows[schema.CONDITION_ID].map(mode).to_numpy()
    up = {m: int(((decision > ref_decision) & (modes == m)).sum()) for m in READ_MODES}
    down = {m: int(((decision < ref_decision) & (modes == m)).sum()) for m in READ_MODES}
    ref_ber = ref_ber.set_index(schema.CONDITION_ID)
    ber = ber.set_index(schema.CONDITION_ID)
    outside = [int(cid) for cid in ref_ber.index if not _ber_within(ref_ber.loc[cid], ber.loc[cid])]
    delay = _relative_errors(rows[schema.DELAY_S], ref_rows[schema.DELAY_S])
    energy = _relative_errors(rows[schema.ENERGY_J], ref_rows[schema.ENERGY_J])

    def quantile(values: np.ndarray, q: float) -> float:
        return float(np.quantile(values, q)) if values.size else math.nan

    return Comparison(
        decisions_changed=int(changed.sum()),
        changed_up_by_mode=up,
        changed_down_by_mode=down,
        mcnemar_p_by_mode={m: mcnemar_exact_p(up[m], down[m]) for m in READ_MODES},
        ber_outside=outside,
        delay_median=quantile(delay, 0.5),
        delay_p99=quantile(delay, 0.99),
        energy_median=quantile(energy, 0.5),
        energy_p99=quantile(energy, 0.99),
        compared=len(rows),
    )


def failures(result: Comparison) -> list[str]:
    """The criteria 1-3 of the module docstring that ``result`` fails (empty: it passes)."""
    failed = []
    if result.ber_outside:
        failed.append(f"{len(result.ber_outside)} BER(s) outside the reference interval")
    if result.changed_share > CHANGED_SHARE_MAX:
        failed.append(f"{result.changed_share:.2%} decisions changed > {CHANGED_SHARE_MAX:.1%}")
    directed = [m for m, p in result.mcnemar_p_by_mode.items() if p < MCNEMAR_ALPHA]
    if directed:
        failed.append(f"changes have a direction in {', '.join(directed)} (McNemar)")
    for name, median, p99 in (
        ("delay", result.delay_median, result.delay_p99),
        ("energy", result.energy_median, result.energy_p99),
    ):
        if not median <= MEDIAN_ERROR_MAX:
            failed.append(f"median {name} error {median:.2%} > {MEDIAN_ERROR_MAX:.0%}")
        if not p99 <= P99_ERROR_MAX:
            failed.append(f"p99 {name} error {p99:.2%} > {P99_ERROR_MAX:.0%}")
    return failed


def rare_campaign(samples: int, timing: Timing, seed: int = 11) -> CampaignSpec:
    """Criterion 4: importance sampling of a BER near 1e-6 at one timing."""
    return parse_spec(
        {
            "campaign": {
                "seed": seed,
                "samples": samples,
                "batch_size": 50,
                "method": "importance",
            },
            "conditions": {"cell": "2t2r", "vdd_v": 1.2, "t_sample_s": 1e-9},
            "device": dict(RARE_DEVICE),
            "timing": timing.table(),
        }
    )


def rare_interval(
    samples: int, timing: Timing, out: Path, executor: LocalExecutor
) -> tuple[float, float, float]:
    """Criterion 4's BER at ``timing``: (estimate, low, high) of its 95 % interval."""
    ber = run_campaign(rare_campaign(samples, timing), out, executor).ber
    (row,) = ber.to_dict("records")
    return float(row[schema.BER]), float(row[schema.BER_CI_LOW]), float(row[schema.BER_CI_HIGH])


def overlap(a: tuple[float, float, float], b: tuple[float, float, float]) -> bool:
    """Whether two (estimate, low, high) intervals overlap."""
    return a[1] <= b[2] and b[1] <= a[2]


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
    bypasses: Sequence[bool] = (False,),
) -> list[Timing]:
    """Each step with the default evaluation phase (``full``), the shortened one, or both,
    with each TRTOL (None: ngspice's default) and each device-bypass setting."""
    full = ReadTiming().t_evaluate_s
    short = min(full, max(SAMPLING_TIMES_S) + evaluate_margin_s)
    lengths = {"full": [full], "short": [short], "both": [full, short]}[evaluate]
    return [
        Timing(step, length, trtol, bypass)
        for bypass in bypasses
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
        "--bypass",
        choices=("off", "on", "both"),
        default="off",
        help="ngspice's device bypass in the candidates (ReadTiming.bypass) [off]",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="keep the campaigns here; a rerun with the same directory resumes them "
        "(default: a temporary directory)",
    )
    parser.add_argument(
        "--rare-samples",
        type=int,
        default=2000,
        help="criterion 4: importance-sampling evaluations per stored value (0: skip) [2000]",
    )
    args = parser.parse_args()
    if args.samples < 10:
        raise SystemExit("--samples: at least 10")
    steps = [float(s) * 1e-12 for s in args.steps.split(",")]
    read = ReadTiming()
    default = Timing(read.t_step_s, read.t_evaluate_s, read.trtol, read.bypass)
    trtols = [None if t == "default" else float(t) for t in args.trtol.split(",")]
    bypasses = {"off": [False], "on": [True], "both": [False, True]}[args.bypass]
    timings = candidates(steps, args.evaluate, args.evaluate_margin * 1e-9, trtols, bypasses)
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
    rare: dict[Timing, tuple[float, float, float]] = {}
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
            if args.rare_samples:
                # Criterion 4 only where 1-3 pass (and for the default, the comparison).
                for timing in [default, *(t for t in timings if not failures(results[t][0]))]:
                    if timing in rare:
                        continue
                    rare[timing] = rare_interval(
                        args.rare_samples, timing, work / f"rare-{timing.name()}", executor
                    )
                    low, high = rare[timing][1:]
                    print(
                        f"  rare, {timing.label()}: BER {rare[timing][0]:.3g} "
                        f"[{low:.3g}, {high:.3g}]",
                        flush=True,
                    )
    finally:
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)

    compared = results[default][0].compared
    print(
        f"\n{compared} condition-samples per timing; a candidate may change at most "
        f"{CHANGED_SHARE_MAX:.1%} of them ({CHANGED_SHARE_MAX * compared:g}), with McNemar "
        f"p >= {MCNEMAR_ALPHA} per read mode"
    )
    header = (
        f"{'timing':46s} {'time':>6s} {'speed':>6s} {'changed':>8s} {'up/down per mode':>28s} "
        f"{'min p':>6s} {'BER out':>7s} {'delay med/p99':>14s} {'energy med/p99':>15s}  verdict"
    )
    print(header)
    print("-" * len(header))
    default_s = results[default][1]
    verdicts: dict[Timing, list[str]] = {}
    for timing, (result, seconds) in results.items():
        failed = failures(result)
        if timing in rare and timing != default and not overlap(rare[timing], rare[default]):
            failed.append("rare-event estimate disagrees with the default timing's")
        if args.rare_samples and not failed and timing not in rare:
            failed.append("no rare-event estimate")
        verdicts[timing] = failed
        per_mode = " ".join(
            f"{result.changed_up_by_mode[m]}/{result.changed_down_by_mode[m]}" for m in READ_MODES
        )
        print(
            f"{timing.label():46s} {seconds:5.0f}s {default_s / seconds:5.2f}x "
            f"{result.decisions_changed:8d} {per_mode:>28s} "
            f"{min(result.mcnemar_p_by_mode.values()):6.3f} {len(result.ber_outside):7d} "
            f"{result.delay_median:6.2%}/{result.delay_p99:6.2%} "
            f"{result.energy_median:6.2%}/{result.energy_p99:6.2%}  "
            f"{'pass' if not failed else 'fail: ' + '; '.join(failed)}"
        )
    print(f"(up/down per mode: {' '.join(READ_MODES)}; speed against the default timing)")
    passing = [t for t, failed in verdicts.items() if not failed]
    if not passing:
        print("\nno candidate passes")
        sys.exit(1)
    fastest = min(passing, key=lambda t: results[t][1])
    print(f"\nfastest passing candidate here: {fastest.label()} (times vary with machine load)")


if __name__ == "__main__":
    main()
