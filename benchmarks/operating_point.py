"""The read testbench's operating point: with and without the ``.nodeset`` of the latch outputs.

Every read transient starts from ngspice's DC operating point at t = 0 (precharge: both PCSA
outputs held at VDD). Without a starting guess, ngspice's direct Newton iteration fails on the
cross-coupled latch and it falls back to dynamic gmin stepping; ``circuits.read.read_netlist``
therefore writes ``.nodeset v(out_k)=VDD v(outb_k)=VDD`` for the built-in PCSA. This script
measures what that buys and checks that it changes no decision, on batched netlists (10 copies,
the default campaign's ``batch_size``) of the default campaign (64-row column, log-normal
devices, Pelgrom mismatch), 2T2R and ternary, at every supply of the campaign:

1. ngspice's own counts (``ngspice -b`` with ``rusage``): Newton iterations of the operating
   point and of the transient, time points, and ngspice's analysis time;
2. CPU time per read in the campaign's in-process session (the run and its measurement), the
   two netlists alternating ``--rounds`` times (medians, and their ratio);
3. the measurements of every copy at the group's four sampling times: decisions, resolved flags,
   and the largest relative change of the sense delay and the read energy.

Run: ``python benchmarks/operating_point.py [--chunks N] [--rounds N]``. Figures vary with
machine load; compare the ratios printed in one run.
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from rram_ber.api import load_campaign
from rram_ber.characterization.measure import ReadMeasurement
from rram_ber.characterization.read import run_read_netlist
from rram_ber.characterization.sampling import plan_samples
from rram_ber.characterization.session import NgspiceSession, ngspice_executable
from rram_ber.characterization.spec import CampaignSpec, Condition
from rram_ber.circuits.read import read_netlist

DEFAULT_CAMPAIGN = Path(__file__).resolve().parents[1] / "characterization/campaigns/default.toml"


def without_nodeset(netlist: str) -> str:
    """The netlist without its ``.nodeset`` line (what ngspice solved before)."""
    return "".join(line for line in netlist.splitlines(True) if not line.startswith(".nodeset"))


def ngspice_counts(netlist: str) -> dict[str, float]:
    """Iterations, time points and analysis time [s] of one ``ngspice -b`` run of ``netlist``."""
    control = ".control\nset num_threads=1\nrun\nrusage everything\n.endc\n.end\n"
    deck = netlist.removesuffix(".end\n") + control
    # ngspice -b exits with status 1 after a run ended by the control block's commands, so the
    # status says nothing here: the counts' presence is the check.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "read.cir")
        path.write_text(deck, encoding="ascii")
        output = subprocess.run(
            [ngspice_executable(), "-b", str(path)], capture_output=True, text=True, check=False
        ).stdout
    fields = {
        "total": r"Total iterations = (\d+)",
        "transient": r"Transient iterations = (\d+)",
        "points": r"Transient timepoints = (\d+)",
        "seconds": r"Total analysis time \(seconds\) = ([\d.]+)",
    }
    counts = {}
    for name, pattern in fields.items():
        found = re.search(pattern, output)
        if found is None:
            raise RuntimeError(f"ngspice printed no {name!r} count:\n{output[-2000:]}")
        counts[name] = float(found.group(1))
    return counts


def groups_of(spec: CampaignSpec) -> list[list[Condition]]:
    """The campaign's tt / 27 C condition groups (every cell and supply), each with its
    sampling times."""
    groups: dict[int, list[Condition]] = {}
    for condition in spec.conditions():
        settings = condition.settings()
        if settings["corner"] == "tt" and settings["temp_c"] == 27.0:
            groups.setdefault(condition.group_id, []).append(condition)
    return list(groups.values())


def measure(
    session: NgspiceSession, spec: CampaignSpec, group: list[Condition], netlist: str, copies: int
) -> tuple[float, list[list[ReadMeasurement]]]:
    """CPU seconds of one in-process run of ``netlist`` and its measurement (the campaign's
    own path, :func:`~rram_ber.characterization.read.run_read_netlist`), and the
    measurements per sampling time and copy."""
    reads = [spec.read_conditions(c) for c in group]
    start = time.process_time()
    measured = run_read_netlist(session, reads, netlist, copies, spec.resolve_fraction)
    return time.process_time() - start, measured


def relative(a: float, b: float) -> float:
    """|b / a - 1|, 0 where either is not a finite nonzero number."""
    if not (math.isfinite(a) and math.isfinite(b)) or a == 0:
        return 0.0
    return abs(b / a - 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=3, help="chunks of 10 reads per group [3]")
    parser.add_argument("--rounds", type=int, default=5, help="alternations per netlist [5]")
    args = parser.parse_args()
    logging.getLogger("PySpice").setLevel(logging.CRITICAL)
    spec = load_campaign(DEFAULT_CAMPAIGN)
    batch = spec.campaign.batch_size
    times: dict[str, list[float]] = {"nodeset": [], "gmin": []}
    iterations: dict[str, list[dict[str, float]]] = {"nodeset": [], "gmin": []}
    reads = changed = unresolved_changed = 0
    worst_delay = worst_energy = 0.0
    with NgspiceSession() as session:
        for group in groups_of(spec):
            for chunk in range(args.chunks):
                plans = plan_samples(spec, group[0], range(chunk * batch, (chunk + 1) * batch))
                copies = [p.copy for p in plans if p.copy is not None]
                built = read_netlist(spec.read_conditions(group[0]), copies)
                if ".nodeset" not in built:
                    raise SystemExit("read_netlist wrote no .nodeset: nothing to compare")
                netlists = {"nodeset": built, "gmin": without_nodeset(built)}
                per_run: dict[str, list[float]] = {"nodeset": [], "gmin": []}
                results = {}
                for round_ in range(args.rounds):
                    order = ("nodeset", "gmin") if round_ % 2 else ("gmin", "nodeset")
                    for name in order:
                        seconds, results[name] = measure(
                            session, spec, group, netlists[name], len(copies)
                        )
                        per_run[name].append(seconds / len(copies))
                for name in netlists:
                    times[name].append(statistics.median(per_run[name]))
                    iterations[name].append(ngspice_counts(netlists[name]))
                for at_time_new, at_time_old in zip(
                    results["nodeset"], results["gmin"], strict=True
                ):
                    for new, old in zip(at_time_new, at_time_old, strict=True):
                        reads += 1
                        changed += new.decision != old.decision
                        unresolved_changed += new.resolved != old.resolved
                        worst_delay = max(worst_delay, relative(old.delay_s, new.delay_s))
                        worst_energy = max(worst_energy, relative(old.energy_j, new.energy_j))
    print(f"{len(times['gmin'])} netlists of {batch} copies (default campaign, tt, 27 C)")
    print(f"{'':28s}{'gmin stepping':>16s}{'.nodeset':>12s}{'ratio':>9s}")
    for label, key in (
        ("operating-point iterations", None),
        ("transient iterations", "transient"),
        ("time points", "points"),
        ("ngspice analysis [ms/read]", "seconds"),
    ):
        values = []
        for name in ("gmin", "nodeset"):
            runs = iterations[name]
            if key is None:
                values.append(statistics.mean(r["total"] - r["transient"] for r in runs))
            elif key == "seconds":
                values.append(1e3 * statistics.median(r["seconds"] / batch for r in runs))
            else:
                values.append(statistics.mean(r[key] for r in runs))
        print(f"{label:28s}{values[0]:16.1f}{values[1]:12.1f}{values[1] / values[0]:9.3f}")
    old, new = statistics.median(times["gmin"]), statistics.median(times["nodeset"])
    print(f"{'in-process CPU [ms/read]':28s}{1e3 * old:16.1f}{1e3 * new:12.1f}{new / old:9.3f}")
    print(
        f"measurements: {reads} (copy x sampling time); decisions changed {changed}, resolved "
        f"flags changed {unresolved_changed}; largest relative change of the sense delay "
        f"{worst_delay:.1e}, of the read energy {worst_energy:.1e}"
    )


if __name__ == "__main__":
    main()
