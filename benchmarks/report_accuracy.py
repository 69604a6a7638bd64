"""Wall and CPU time of the report's accuracy study in one process and on a worker pool.

:func:`rram_ber.analysis.accuracy.accuracy_study` is most of ``rram-ber report``'s time: a
curve of each shipped network at 8 uniform BERs and one evaluation per distinct condition
matrix, each ``repeats`` chips on the whole test set. Every evaluation draws from its own
seed, so they run on a process pool (``workers``) without changing a number. This script runs
the study on a finished campaign with 1 worker (everything in this process) and with
``--workers`` (default 2), in one run, prints wall and CPU time side by side with their
ratios, and checks that the tables (points, curves, notes) are identical.

CPU time is this process's plus that of its finished children (the pool's workers are joined
when it shuts down). The conditions are the ones the report evaluates (binary conditions at
the longest sampling time, ternary ones at their best operating windows, the headline
operating points); ``--all-conditions`` evaluates every measured condition.

Measured on 2 cores (load average about 1 before the run), the finished campaign of
``rram-ber demo`` (192 conditions; the report evaluates 31, 24 binary and 7 ternary: 47
evaluations of the Fashion-MNIST MLPs, 10 chips on 10,000 images each)::

    workers   wall s    CPU s
          1     57.3    108.2
          2     39.8     76.7
    ratio 1 / 2: wall 1.44x, CPU 1.41x; tables identical (31 points, 2 curves)

Repeated runs gave 1.28x to 1.44x. The workers run one BLAS thread each: with OpenBLAS's
default (a thread per core, which spends CPU waiting) 2 workers were slower than 1 process
(57.7 s against 53.8 s); the CPU saved is mostly that waiting. The committed small campaign
(7 conditions, 20 evaluations): 24.2 s against 18.0 s (1.34x).

Run: ``python benchmarks/report_accuracy.py [CAMPAIGN_DIR] [--workers N] [--repeats R]
[--test-limit N] [--all-conditions]`` (default: the small campaign committed under
``tests/data``). Figures vary with the machine's load; compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from rram_ber.analysis.accuracy import AccuracyStudy, accuracy_study
from rram_ber.analysis.bnn.ber_table import resolution_floor
from rram_ber.analysis.campaign_data import load_campaign
from rram_ber.analysis.headline import default_points
from rram_ber.analysis.report import accuracy_conditions
from rram_ber.analysis.summaries import operating_windows

SMALL_CAMPAIGN = Path(__file__).resolve().parents[1] / "tests" / "data" / "small_campaign"


def report_conditions(out: Path) -> list[int]:
    """The conditions ``rram-ber report`` evaluates (without ``--operating-point``)."""
    ber = load_campaign(out).ber.copy()
    if "t_sample_s" not in ber.columns:
        ber["t_sample_s"] = np.nan
    return accuracy_conditions(ber, operating_windows(ber), default_points(ber))


def cpu_seconds() -> float:
    """CPU time of this process and of its finished (waited-for) children [s]."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed_study(out: Path, workers: int, args: argparse.Namespace, conditions: list[int] | None,
                floor: float) -> tuple[AccuracyStudy, float, float]:  # fmt: skip
    """The study on ``workers`` processes, its wall and CPU seconds."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    study = accuracy_study(
        out / "ber.csv", conditions, args.repeats, 0, args.test_limit,
        resolve_below=floor, workers=workers,
    )  # fmt: skip
    return study, time.perf_counter() - wall, cpu_seconds() - cpu


def identical(one: AccuracyStudy, other: AccuracyStudy) -> bool:
    """Whether two studies have the same points (as CSV text), curves and notes."""
    if one.points.to_csv(index=False) != other.points.to_csv(index=False):
        return False
    if one.notes != other.notes or len(one.curves) != len(other.curves):
        return False
    return all(
        a.keys() == b.keys() and all(np.array_equal(a[key], b[key]) for key in a)
        for a, b in zip(one.curves, other.curves, strict=True)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("campaign", nargs="?", type=Path, default=SMALL_CAMPAIGN)
    parser.add_argument("--workers", type=int, default=2, help="pool size compared with 1")
    parser.add_argument("--repeats", type=int, default=10, help="chips per estimate (report: 10)")
    parser.add_argument("--test-limit", type=int, default=None, help="first N test inputs only")
    parser.add_argument("--all-conditions", action="store_true", help="not only the report's")
    args = parser.parse_args()

    out = args.campaign
    conditions = None if args.all_conditions else report_conditions(out)
    floor = resolution_floor(load_campaign(out).spec)
    print("NOTE: absolute times vary with the machine's load; compare the ratios of one run.")
    print(f"usable CPUs {len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.1f}, "
          f"OPENBLAS_NUM_THREADS {os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")  # fmt: skip
    which = "all" if conditions is None else f"{len(conditions)} (the report's)"
    print(f"campaign {out.name}: {which} conditions, {args.repeats} chips per estimate, "
          f"test limit {args.test_limit}")  # fmt: skip

    one, one_wall, one_cpu = timed_study(out, 1, args, conditions, floor)
    many, many_wall, many_cpu = timed_study(out, args.workers, args, conditions, floor)
    if not identical(one, many):
        raise SystemExit(f"the tables of 1 and {args.workers} workers differ")

    print(f"\n{'workers':>7} {'wall s':>8} {'CPU s':>8}")
    print(f"{1:>7} {one_wall:8.1f} {one_cpu:8.1f}")
    print(f"{args.workers:>7} {many_wall:8.1f} {many_cpu:8.1f}")
    print(f"ratio 1 / {args.workers}: wall {one_wall / many_wall:.2f}x, "
          f"CPU {one_cpu / many_cpu:.2f}x; tables identical "
          f"({len(one.points)} points, {len(one.curves)} curves)")  # fmt: skip


if __name__ == "__main__":
    main()
