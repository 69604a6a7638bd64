"""Samples per second of the 2T2R PCSA read: rram-ber's batched in-process path vs a naive loop.

The naive loop is what a PySpice user writes first: build a ``PySpice`` ``Circuit`` for every
Monte-Carlo sample (PCSA + 2T2R cell with that sample's mismatch), call
``circuit.simulator().transient()``, read the outputs. rram-ber instead writes many copies of
the testbench into one netlist and runs it in its one ngspice session.

Both paths simulate the same circuit with the same time step and the same per-sample mismatch;
the script checks that their decisions agree, then prints samples/s for each and the ratio.
It also reports the resident-memory growth of the session over many runs.

Run: ``python benchmarks/read_throughput.py [--samples N]``. Figures vary with machine load;
compare the ratios printed in one run.
"""

from __future__ import annotations

import argparse
import logging
import time

import numpy as np
from naive_pyspice import naive_pyspice_read  # benchmarks/ is on sys.path when run as a script

from rram_ber.characterization.read import sample_read_mismatch, simulate_reads
from rram_ber.characterization.session import NgspiceSession
from rram_ber.circuits.cells import Cell2T2R
from rram_ber.circuits.elements import FixedResistor
from rram_ber.circuits.read import ReadConditions, ReadCopy

R_BL, R_BLB = 10e3, 11e3  # close resistances so mismatch decides some reads


def rss_mib() -> float:
    """Resident set size of this process [MiB]."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200, help="samples per path")
    parser.add_argument("--memory-runs", type=int, default=2000, help="runs for the memory check")
    args = parser.parse_args()
    logging.getLogger("PySpice").setLevel(logging.CRITICAL)

    conditions = ReadConditions()
    rng = np.random.default_rng(1)
    deviations = [sample_read_mismatch(rng, conditions) for _ in range(args.samples)]
    cell = Cell2T2R(FixedResistor(R_BL), FixedResistor(R_BLB))

    start = time.perf_counter()
    naive = [naive_pyspice_read(conditions, d, R_BL, R_BLB) for d in deviations]
    naive_rate = args.samples / (time.perf_counter() - start)

    rates: dict[int, float] = {}
    with NgspiceSession() as session:
        for batch in (1, 20, 50, 100, 200):
            start = time.perf_counter()
            batched: list[int] = []
            for first in range(0, args.samples, batch):
                copies = [ReadCopy(cell, d) for d in deviations[first : first + batch]]
                batched += [m.decision for m in simulate_reads(session, conditions, copies)]
            rates[batch] = args.samples / (time.perf_counter() - start)
            if batched != naive:
                raise SystemExit(f"decisions differ between paths at batch {batch}")

        small = [ReadCopy(cell, d) for d in deviations[:1]]
        for _ in range(50):
            simulate_reads(session, conditions, small)
        before = rss_mib()
        for _ in range(args.memory_runs):
            simulate_reads(session, conditions, small)
        growth = rss_mib() - before

    print(
        f"2T2R PCSA read, {args.samples} Monte-Carlo samples, TT 1.2 V 27 C, "
        f"t_step {conditions.timing.t_step_s * 1e12:g} ps; decisions identical on both paths "
        f"({naive.count(1)} x +1, {naive.count(-1)} x -1, {naive.count(0)} unresolved)"
    )
    print(f"{'path':38s} {'samples/s':>10s} {'vs naive':>9s}")
    print(f"{'naive: PySpice Circuit per sample':38s} {naive_rate:10.1f} {1.0:9.2f}")
    for batch, rate in rates.items():
        label = f"rram-ber in-process, {batch} per netlist"
        print(f"{label:38s} {rate:10.1f} {rate / naive_rate:9.2f}")
    print(f"session memory: RSS grew {growth:+.1f} MiB over {args.memory_runs} further runs")


if __name__ == "__main__":
    main()
