"""Campaign throughput: per-core rate vs the naive loop, overhead vs raw ngspice, worker scaling.

Prints, from one run on this machine:

1. samples/s of the campaign engine on one core (in-process, one batched netlist per chunk)
   for several batch sizes, against the naive loop (a PySpice ``Circuit`` per sample), both
   as a PySpice user writes it and with ngspice's OpenMP limited to one thread (the ratios
   are against the latter, so they measure the engine, not the OpenMP setting);
2. the engine's time per chunk against ``ngspice -b`` running the very same batched netlist
   (the engine's Python work: sampling, netlist text, loading, copying vectors, measuring);
3. the serial overhead per campaign: whole campaigns (executor start included) on 1 and 2
   local worker processes at two sizes, fitted with Amdahl's law ``T = S + w N / n`` (``S``
   the serial seconds, ``w`` the seconds per sample and core, ``N`` samples, ``n`` workers);
4. the same campaign on a local pool of 2 workers and on a Dask ``LocalCluster`` of 2
   single-threaded workers (both started and warmed first), alternating ``--rounds`` times;
   the ratio of the medians, same tables.

Why the per-core gain over the naive loop is small for one condition: a 2T2R read with the PTM
BSIM4 cards spends ~75 % of its time in BSIM4 device evaluation (ngspice ``rusage``: matrix
load 12 ms of 16 ms per read) and the in-process naive loop adds only ~15-20 % of overhead, so
batching many samples into one netlist can remove at most that. The engine's larger gain comes
from measuring every sampling time of a condition on one simulation (line "4 sampling times").

All paths simulate the same isolated 2T2R read (PCSA and cell without the column, as the naive
loop builds it; TT, 1.2 V, 27 C, log-normal devices, Pelgrom mismatch) and the script checks
that their decisions agree. Figures vary with machine load;
compare the ratios printed in one run.

Run: ``python benchmarks/campaign_throughput.py [--samples N] [--no-dask] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from naive_pyspice import naive_pyspice_read  # benchmarks/ is on sys.path when run as a script

from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.chunks import simulate_group
from rram_ber.characterization.executors import DaskExecutor, Executor, LocalExecutor
from rram_ber.characterization.sampling import plan_samples
from rram_ber.characterization.session import NgspiceSession, ngspice_executable
from rram_ber.characterization.spec import CampaignSpec, parse_spec
from rram_ber.circuits.read import read_netlist

#: The isolated read (PCSA + 2T2R cell, no column): the circuit the naive loop builds, so both
#: paths simulate the same netlist content (the 64-row column read is the campaign default).
SPEC = {
    "campaign": {"seed": 1, "samples": 200, "batch_size": 25, "method": "monte-carlo"},
    "conditions": {"cell": "2t2r", "vdd_v": 1.2, "corner": "tt"},
    "device": {"model": "lognormal", "hrs_median_ohm": 20e3, "hrs_sigma_ln": 0.8},
    "array": {"isolated": True},
}
BATCH_SIZES = (1, 5, 10, 25, 50, 100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200, help="samples per measurement")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask comparison")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs, part 4")
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

    # 3. Whole campaigns (executor start, planning, condition files, simulation, tables) on
    #    1 and 2 local workers at two sizes; an Amdahl fit gives the serial part.
    def scaling(samples: int) -> CampaignSpec:
        return parse_spec(
            {
                **SPEC,
                "campaign": {**SPEC["campaign"], "samples": samples, "batch_size": 10},
                "conditions": {**SPEC["conditions"], "vdd_v": [1.2, 1.0]},
            }
        )

    def campaign_wall(spec: CampaignSpec, make: Callable[[], Executor]) -> tuple[float, str]:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            with make() as executor:  # type: ignore[attr-defined]
                result = run_campaign(spec, Path(out), executor)
            return time.perf_counter() - start, result.ber.to_csv(index=False)

    sizes = (max(10, args.samples // 10), args.samples)
    fit_rows, fit_walls = [], []
    walls: dict[tuple[int, int], float] = {}
    for size in sizes:
        tables = set()
        for workers in (1, 2):
            wall, table = campaign_wall(scaling(size), lambda w=workers: LocalExecutor(w))
            walls[(size, workers)] = wall
            tables.add(table)
            fit_rows.append([1.0, 2 * size / workers])  # 2 conditions of `size` samples
            fit_walls.append(wall)
        if len(tables) != 1:
            raise SystemExit(f"tables differ between 1 and 2 workers at {size} samples")
    (serial, per_sample), *_ = np.linalg.lstsq(np.array(fit_rows), np.array(fit_walls), rcond=None)

    # 4. Local pool against a Dask LocalCluster, 2 workers each, both open at once and warmed
    #    by a small campaign; the same campaign runs on each in turn, --rounds times, so a
    #    change of machine load hits both alike. Medians are compared.
    makers: dict[str, Callable[[], Any]] = {"local pool": lambda: LocalExecutor(2)}
    if not args.no_dask:
        makers["Dask LocalCluster"] = lambda: DaskExecutor(local_workers=2)
    engine_walls: dict[str, list[float]] = {label: [] for label in makers}
    tables = set()
    with contextlib.ExitStack() as stack:
        engines = {label: stack.enter_context(make()) for label, make in makers.items()}
        out = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for i, engine in enumerate(engines.values()):
            run_campaign(scaling(4), out / f"warm{i}", engine)
        for round_ in range(args.rounds):
            for i, (label, engine) in enumerate(engines.items()):
                start = time.perf_counter()
                result = run_campaign(scaling(args.samples), out / f"run{i}-{round_}", engine)
                engine_walls[label].append(time.perf_counter() - start)
                tables.add(result.ber.to_csv(index=False))
    if len(tables) != 1:
        raise SystemExit("the Dask and local-pool tables differ")

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
    print("\n3. whole campaigns, 2 conditions (executor start included), tables identical")
    print(
        f"   {'samples/condition':>18s} {'1 worker [s]':>13s} {'2 workers [s]':>14s} {'ratio':>6s}"
    )
    for size in sizes:
        one, two = walls[(size, 1)], walls[(size, 2)]
        print(f"   {size:18d} {one:13.2f} {two:14.2f} {one / two:6.2f}")
    print(
        f"   Amdahl fit T = S + w N / n: serial S = {serial:.2f} s per campaign, "
        f"w = {per_sample * 1e3:.1f} ms per sample and core"
    )
    if len(engine_walls) == 2:
        local_walls, dask_walls = engine_walls["local pool"], engine_walls["Dask LocalCluster"]
        local_wall, dask_wall = float(np.median(local_walls)), float(np.median(dask_walls))
        rounds = ", ".join(f"{d / w:.2f}" for w, d in zip(local_walls, dask_walls, strict=True))
        print(
            f"\n4. 2 workers, {2 * args.samples} samples, median of {args.rounds} alternating "
            f"rounds: local pool {local_wall:.2f} s, Dask LocalCluster {dask_wall:.2f} s -> "
            f"Dask / local = {dask_wall / local_wall:.2f} (rounds: {rounds}; same table)"
        )


if __name__ == "__main__":
    main()
