"""Campaign throughput: per-core rate vs the naive loop, overhead vs raw ngspice, worker scaling.

Prints, from one run on this machine:

1. samples/s of the campaign engine on one core (in-process, one batched netlist per chunk)
   for several batch sizes, against the naive loop (a PySpice ``Circuit`` per sample), both
   as a PySpice user writes it and with ngspice's OpenMP limited to one thread (the ratios
   are against the latter, so they measure the engine, not the OpenMP setting);
2. the engine's time per chunk against ``ngspice -b`` running the very same batched netlist
   (the engine's Python work: sampling, netlist text, loading, copying vectors, measuring);
3. the speed-up of a campaign from 1 to 2 local worker processes.

Why the per-core gain over the naive loop is small for one condition: a 2T2R read with the PTM
BSIM4 cards spends ~75 % of its time in BSIM4 device evaluation (ngspice ``rusage``: matrix
load 12 ms of 16 ms per read) and the in-process naive loop adds only ~15-20 % of overhead, so
batching many samples into one netlist can remove at most that. The engine's larger gain comes
from measuring every sampling time of a condition on one simulation (line "4 sampling times").

All paths simulate the same 2T2R read (TT, 1.2 V, 27 C, log-normal devices, Pelgrom
mismatch) and the script checks that their decisions agree. Figures vary with machine load;
compare the ratios printed in one run.

Run: ``python benchmarks/campaign_throughput.py [--samples N]``.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import tempfile
import time
from pathlib import Path

from naive_pyspice import naive_pyspice_read  # benchmarks/ is on sys.path when run as a script

from characterization.campaign import run_campaign
from characterization.chunks import ChunkTask, simulate_group
from characterization.executors import LocalExecutor
from characterization.sampling import plan_samples
from characterization.session import NgspiceSession, ngspice_executable
from characterization.spec import parse_spec
from circuits.read import read_netlist

SPEC = {
    "campaign": {"seed": 1, "samples": 200, "batch_size": 25},
    "conditions": {"cell": "2t2r", "vdd_v": 1.2, "corner": "tt"},
    "device": {"model": "lognormal", "hrs_median_ohm": 20e3, "hrs_sigma_ln": 0.8},
}
BATCH_SIZES = (1, 5, 10, 25, 50, 100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200, help="samples per measurement")
    args = parser.parse_args()
    logging.getLogger("PySpice").setLevel(logging.CRITICAL)

    spec = parse_spec({**SPEC, "campaign": {**SPEC["campaign"], "samples": args.samples}})
    condition = spec.conditions()[0]
    read = spec.read_conditions(condition)
    plans = plan_samples(spec, condition, range(args.samples))

    # 1. The naive loop (as written by a PySpice user, then with one OpenMP thread), then the
    #    engine on one core at several batch sizes.
    n_naive = min(args.samples, 100)
    naive_rates: dict[str, float] = {}
    naive: list[int] = []
    for label in ("naive: PySpice Circuit per sample", "naive + set num_threads=1"):
        if "num_threads" in label:
            from PySpice.Spice.NgSpice.Shared import NgSpiceShared

            # Debian's ngspice is built with OpenMP; one thread avoids erratic slowdowns.
            NgSpiceShared.new_instance().exec_command("set num_threads=1")
        start = time.perf_counter()
        naive = [
            naive_pyspice_read(
                read, p.copy.deviations, p.columns["r_bl_ohm"], p.columns["r_blb_ohm"]
            )
            for p in plans[:n_naive]
        ]
        naive_rates[label] = n_naive / (time.perf_counter() - start)
    naive_rate = naive_rates["naive + set num_threads=1"]

    rates: dict[int, float] = {}
    with NgspiceSession() as session:
        for batch in BATCH_SIZES:
            start = time.perf_counter()
            decisions: list[int] = []
            for first in range(0, args.samples, batch):
                indices = range(first, min(first + batch, args.samples))
                chunk = plan_samples(spec, condition, indices)
                rows = simulate_group(session, spec, [condition], chunk)[condition.condition_id]
                decisions += list(rows["decision"])
            elapsed = time.perf_counter() - start
            rates[batch] = args.samples / elapsed
            if decisions[:n_naive] != naive:
                raise SystemExit(f"decisions differ from the naive loop at batch size {batch}")

        # 1b. A condition group: four sampling times measured on one simulation (a naive loop
        #     simulates each (condition, sample) separately).
        times = (0.25e-9, 0.5e-9, 1e-9, 2e-9)
        group_spec = parse_spec(
            {
                **SPEC,
                "campaign": {**SPEC["campaign"], "samples": args.samples},
                "conditions": {**SPEC["conditions"], "t_sample_s": list(times)},
            }
        )
        group = group_spec.conditions()
        batch = group_spec.campaign.batch_size
        start = time.perf_counter()
        for first in range(0, args.samples, batch):
            indices = range(first, min(first + batch, args.samples))
            simulate_group(session, group_spec, group, plan_samples(group_spec, group[0], indices))
        group_rate = len(times) * args.samples / (time.perf_counter() - start)

    # 2. One chunk: the engine (drawing, netlist, in-process run, measurement) against
    #    'ngspice -b' on the same batched netlist (process start and parse included). Same
    #    chunk, runs interleaved, fastest of 5 each: machine load affects both alike.
    batch = spec.campaign.batch_size
    netlist = read_netlist(read, [p.copy for p in plans[:batch]])
    control = ".control\nset num_threads=1\nrun\nquit 0\n.endc\n.end\n"
    deck = netlist.removesuffix(".end\n") + control
    engine, raw = [], []
    with tempfile.TemporaryDirectory() as workdir, NgspiceSession() as session:
        Path(workdir, "deck.cir").write_text(deck)
        for _ in range(5):
            start = time.perf_counter()
            simulate_group(session, spec, [condition], plan_samples(spec, condition, range(batch)))
            engine.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run(
                [ngspice_executable(), "-b", "deck.cir"],
                cwd=workdir,
                check=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            raw.append(time.perf_counter() - start)
    engine_chunk, raw_chunk = min(engine), min(raw)

    # 3. A whole campaign on 1 and on 2 worker processes (after the workers have started).
    scaling_spec = parse_spec(
        {
            **SPEC,
            "campaign": {**SPEC["campaign"], "samples": args.samples},
            "conditions": {**SPEC["conditions"], "vdd_v": [1.2, 1.0]},
        }
    )
    walls: dict[int, float] = {}
    for workers in (1, 2):
        with LocalExecutor(workers) as executor, tempfile.TemporaryDirectory() as out:
            # Start the worker processes (spawn + imports) before timing.
            list(executor.run(scaling_spec, [ChunkTask((condition,), 0, 0, 2)] * 4 * workers))
            start = time.perf_counter()
            run_campaign(scaling_spec, Path(out), executor, progress=False)
            walls[workers] = time.perf_counter() - start

    print(
        f"2T2R read campaign, TT 1.2 V 27 C, {args.samples} samples, log-normal devices + "
        f"Pelgrom mismatch; decisions identical to the naive loop at every batch size"
    )
    print(f"\n1. per core ({n_naive} samples for the naive loops)")
    print(f"   {'path':42s} {'samples/s':>10s} {'vs naive':>9s}")
    for label, rate in naive_rates.items():
        print(f"   {label:42s} {rate:10.1f} {rate / naive_rate:9.2f}")
    for size, rate in rates.items():
        label = f"engine, batch_size {size}"
        print(f"   {label:42s} {rate:10.1f} {rate / naive_rate:9.2f}")
    best = max(rates, key=lambda size: rates[size])
    print(f"   fastest batch size here: {best}")
    print(
        f"   engine, 4 sampling times per simulation: {group_rate:.1f} condition-samples/s "
        f"= {group_rate / naive_rate:.2f} x the naive loop, which simulates each of them"
    )
    overhead = engine_chunk / raw_chunk - 1
    print(
        f"\n2. one chunk of {batch} samples (fastest of 5): engine {engine_chunk * 1e3:.1f} ms, "
        f"'ngspice -b' on the same netlist {raw_chunk * 1e3:.1f} ms "
        f"-> engine overhead {overhead * 100:+.1f} % of raw ngspice time"
    )
    print(
        f"\n3. campaign of {2 * args.samples} samples: 1 worker {walls[1]:.1f} s, 2 workers "
        f"{walls[2]:.1f} s -> speed-up {walls[1] / walls[2]:.2f}x"
    )


if __name__ == "__main__":
    main()
