"""SPICE reads and CPU time per resolved condition: ``auto`` against Monte-Carlo plus importance.

Runs, in one process and on the same local worker pool size, the default campaign
(``characterization/campaigns/default.toml``) two ways and prints them side by side:

1. **before**: the campaign as a ``monte-carlo`` campaign of its ``samples``, plus the separate
   importance-sampling campaign the demo used to run at two hand-picked operating points (the
   2T2R read at TT, 27 C, 1.2 and 0.9 V, 1 ns; 2,000 reads per stored value);
2. **auto**: the campaign as it ships (``method = "auto"``).

Per way: SPICE reads (Monte-Carlo samples once per condition group, since the sampling times of
a group share their transient, plus every rare-event evaluation), CPU seconds (this process and
its finished workers), conditions with a BER below 10 %, and how many of those are *resolved*
(95 % relative half-width at most 0.2, or upper bound at most 1e-9: the rule of
``characterization.auto.resolved_by``); for the "before" way the two operating points count as
resolved where their importance estimate is. Then reads and CPU per resolved condition.

``--corner tt --temp 27`` restricts both ways to a slice of the campaign (a quick run).

Run: ``python benchmarks/auto_campaign.py --out DIR [--workers 2] [--corner tt] [--temp 27]``.
"""

from __future__ import annotations

import argparse
import math
import resource
import time
from pathlib import Path
from typing import Any

import pandas as pd

from rram_ber.characterization import schema
from rram_ber.characterization.auto import resolved_by
from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.spec import load_spec, parse_spec
from rram_ber.commands.demo import default_campaign_path

#: The operating points the demo estimated by importance sampling before auto campaigns.
OPERATING_POINTS = {"cell": "2t2r", "corner": "tt", "temp_c": 27, "vdd_v": [1.2, 0.9]}
TARGET, FLOOR, BELOW = 0.2, 1e-9, 0.1


def _cpu_seconds() -> float:
    """CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run(data: dict[str, Any], out: Path, workers: int) -> pd.DataFrame:
    with LocalExecutor(workers) as executor:
        return run_campaign(parse_spec(data), out, executor).ber


def _resolved(ber: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [
            resolved_by(r[schema.BER], r[schema.BER_CI_LOW], r[schema.BER_CI_HIGH], TARGET, FLOOR)
            is not None
            for _, r in ber.iterrows()
        ],
        index=ber.index,
    )


def _reads(ber: pd.DataFrame, samples: int) -> int:
    """SPICE reads behind a table: each group's samples once, plus rare-event evaluations."""
    groups = ber.drop(columns=[c for c in ber.columns if c != "t_sample_s"]).index
    del groups
    keys = [c for c in ("cell", "corner", "temp_c", "vdd_v") if c in ber.columns]
    return int(ber.groupby(keys).ngroups * samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for both campaigns")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corner", default=None, help="restrict to one corner")
    parser.add_argument("--temp", type=float, default=None, help="restrict to one temperature")
    args = parser.parse_args()
    data = load_spec(default_campaign_path()).to_dict()
    data.pop("spec", None)  # report limits: not a simulation input
    if args.corner is not None:
        data["conditions"]["corner"] = args.corner
    if args.temp is not None:
        data["conditions"]["temp_c"] = args.temp
    samples = int(data["campaign"]["samples"])
    rows = []

    # Before: Monte-Carlo, then importance sampling at the two operating points.
    plain = {**data, "campaign": {**data["campaign"], "method": "monte-carlo"}}
    for key in ("target_relative_half_width", "resolve_below", "rare_samples", "max_samples"):
        plain["campaign"].pop(key, None)
    start, cpu = time.monotonic(), _cpu_seconds()
    mc = _run(plain, args.out / "monte-carlo", args.workers)
    points = {
        **plain,
        "campaign": {**plain["campaign"], "method": "importance", "samples": 2000},
        "conditions": {**OPERATING_POINTS, "t_sample_s": 1e-9},
    }
    rare = _run(points, args.out / "operating-points", args.workers)
    mc_resolved = _resolved(mc)
    point_keys = set(map(tuple, rare[["corner", "temp_c", "vdd_v", "t_sample_s"]].values))
    for i, r in mc[mc["cell"] == "2t2r"].iterrows():
        key = (r["corner"], r["temp_c"], r["vdd_v"], r["t_sample_s"])
        if key in point_keys:
            match = rare[
                (rare["vdd_v"] == r["vdd_v"]) & (rare["corner"] == r["corner"])
            ].iloc[0]
            mc.loc[i, [schema.BER, schema.BER_CI_LOW, schema.BER_CI_HIGH]] = match[
                [schema.BER, schema.BER_CI_LOW, schema.BER_CI_HIGH]
            ].to_numpy()
            mc_resolved[i] = _resolved(rare[rare.index == match.name]).iloc[0]
    reads = _reads(mc, samples) + int(rare[schema.N_SAMPLES].sum())
    rows.append(("before (MC + 2 importance points)", mc, mc_resolved, reads, start, cpu))

    start, cpu = time.monotonic(), _cpu_seconds()
    auto = _run(data, args.out / "auto", args.workers)
    reads = _reads(auto, samples) + int(
        auto.loc[auto[schema.METHOD] != "monte-carlo"]
        .drop_duplicates(subset=[c for c in ("cell", "corner", "temp_c", "vdd_v")])[
            schema.N_EVALUATIONS
        ]
        .sum()
        - samples * auto.loc[auto[schema.METHOD] != "monte-carlo"]
        .drop_duplicates(subset=["cell", "corner", "temp_c", "vdd_v"])
        .shape[0]
    )
    rows.append(("auto", auto, _resolved(auto), reads, start, cpu))
    print(f"{'':36s} {'reads':>8s} {'CPU s':>8s} {'wall s':>8s} {'<10 %':>6s} {'resolved':>9s}"
          f" {'reads/resolved':>15s} {'CPU s/resolved':>15s}")
    for name, ber, resolved, n_reads, began, cpu_before in rows:
        wall = time.monotonic() - began
        cpu_s = _cpu_seconds() - cpu_before
        low = ber[schema.BER] < BELOW
        n_low, n_res = int(low.sum()), int((low & resolved).sum())
        per = (lambda x: f"{x / n_res:15.0f}") if n_res else (lambda x: f"{math.inf:15}")
        print(f"{name:36s} {n_reads:8d} {cpu_s:8.0f} {wall:8.0f} {n_low:6d} {n_res:9d}"
              f" {per(n_reads)} {per(cpu_s)}")


if __name__ == "__main__":
    main()
