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

Measured on 2 idle cores, ``--corner tt --temp 27`` (16 conditions, 8 groups of 300 samples;
10 min 34 s for both)::

    way               reads  CPU s  wall s  <10 %  resolved  reads/resolved  CPU s/resolved
    MC + 2 IS points  18400    451     228      7         1           18400           450.5
    auto              17772    738     405      7         6            2962           123.1

Auto spends about as many SPICE reads and 1.6x the CPU (its reads go through the rare-event
limit state in netlists of ``batch_size`` copies), and resolves six of the seven conditions
below 10 % instead of one.

Run: ``python benchmarks/auto_campaign.py --out DIR [--workers 2] [--corner tt] [--temp 27]``.
"""

from __future__ import annotations

import argparse
import math
import resource
import time
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from rram_ber.characterization import schema, store
from rram_ber.characterization.auto import resolved_by
from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.campaign_settings import OPTIONAL_CAMPAIGN_KEYS
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.spec import parse_spec
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


def _spice_reads(out: Path, ber: pd.DataFrame) -> int:
    """SPICE reads of a finished campaign: each condition group's Monte-Carlo samples once,
    plus every rare-event evaluation (an estimate shared by a group's sampling times once)."""
    groups = [c for c in ("cell", "corner", "temp_c", "vdd_v") if c in ber.columns]
    monte_carlo = ber.groupby(groups)[schema.N_SAMPLES].max()
    if schema.N_EVALUATIONS in ber.columns:
        # auto: the Monte-Carlo rows' samples; switched rows' n_samples are estimate counts.
        mc_rows = ber[ber[schema.METHOD] == "monte-carlo"]
        monte_carlo = mc_rows.groupby(groups)[schema.N_SAMPLES].max()
    rare = ((out / "rare").exists() and store.read_estimates(out)) or []
    own = [
        e.result.n_evaluations
        for e in rare
        if not any(note.startswith("from the draws of") for note in e.result.notes)
    ]
    return int(monte_carlo.sum()) + int(sum(own))


def _measured(data: dict[str, Any], out: Path, workers: int) -> tuple[pd.DataFrame, float, float]:
    """Run a campaign; its table, wall seconds and CPU seconds."""
    start, cpu = time.monotonic(), _cpu_seconds()
    ber = _run(data, out, workers)
    return ber, time.monotonic() - start, _cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for both campaigns")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corner", default=None, help="restrict to one corner")
    parser.add_argument("--temp", type=float, default=None, help="restrict to one temperature")
    args = parser.parse_args()
    data = tomllib.loads(default_campaign_path().read_text(encoding="utf-8"))
    if args.corner is not None:
        data["conditions"]["corner"] = args.corner
    if args.temp is not None:
        data["conditions"]["temp_c"] = args.temp
    rows = []

    # Before: Monte-Carlo, then importance sampling at the two operating points.
    plain = {**data, "campaign": {**data["campaign"], "method": "monte-carlo"}}
    for key in OPTIONAL_CAMPAIGN_KEYS:  # auto only
        plain["campaign"].pop(key, None)
    mc, wall, cpu = _measured(plain, args.out / "monte-carlo", args.workers)
    points = {
        **plain,
        "campaign": {**plain["campaign"], "method": "importance", "samples": 2000},
        "conditions": {**OPERATING_POINTS, "t_sample_s": 1e-9},
    }
    rare, rare_wall, rare_cpu = _measured(points, args.out / "operating-points", args.workers)
    resolved = _resolved(mc)
    for i, r in mc[(mc["cell"] == "2t2r") & (mc["t_sample_s"] == 1e-9)].iterrows():
        match = rare[
            (rare["vdd_v"] == r["vdd_v"])
            & (rare["corner"] == r["corner"])
            & (rare["temp_c"] == r["temp_c"])
        ]
        if len(match):
            columns = [schema.BER, schema.BER_CI_LOW, schema.BER_CI_HIGH]
            mc.loc[i, columns] = match.iloc[0][columns].to_numpy()
            resolved[i] = bool(_resolved(match).iloc[0])
    reads = _spice_reads(args.out / "monte-carlo", mc) + _spice_reads(
        args.out / "operating-points", rare
    )
    rows.append(
        ("before (MC + 2 importance points)", mc, resolved, reads, wall + rare_wall, cpu + rare_cpu)
    )

    auto, wall, cpu = _measured(data, args.out / "auto", args.workers)
    rows.append(("auto", auto, _resolved(auto), _spice_reads(args.out / "auto", auto), wall, cpu))
    print(
        f"{'':36s} {'reads':>8s} {'CPU s':>8s} {'wall s':>8s} {'<10 %':>6s} {'resolved':>9s}"
        f" {'reads/resolved':>15s} {'CPU s/resolved':>15s}"
    )
    for name, ber, ok, n_reads, wall_s, cpu_s in rows:
        low = ber[schema.BER] < BELOW
        n_low, n_res = int(low.sum()), int((low & ok).sum())
        scale = 1.0 / n_res if n_res else math.inf
        print(
            f"{name:36s} {n_reads:8d} {cpu_s:8.0f} {wall_s:8.0f} {n_low:6d} {n_res:9d}"
            f" {n_reads * scale:15.0f} {cpu_s * scale:15.1f}"
        )


if __name__ == "__main__":
    main()
