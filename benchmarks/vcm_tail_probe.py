"""How far the widened VCM truncation moves the worst read: a deterministic probe.

Run from the repository root::

    python benchmarks/vcm_tail_probe.py [--scales 1 1.5 2] [--u 0 2 4 6 8]
    python benchmarks/vcm_tail_probe.py --subset-budget 1000 --scales 2 --cells 2t2r

For the 2T2R cell at 40 uA and the 1T1R cell at 75 uA of
``characterization/campaigns/vcm_truncation.toml``, the device that holds the HRS gets its
d2d N_min variable and the N_min step of its RESET pulse at ``u`` standard deviations (every
other variable, transistor mismatch included, at 0: the median read), for each truncation
scale. Printed per point: the HRS device's N_min, its state N after the RESET pulse and its
read resistance, the other side's resistance (the LRS device, or the 1T1R reference), the
sense delay and the margin ``ln(t_sample / delay)`` that
subset simulation ranks reads by (a read fails at margin <= 0). One programmed-then-read
evaluation per point (0.12-0.15 CPU-seconds each on an idle core).

``--subset-budget N`` runs, in place of the probe, one subset-simulation estimate of that
read's failure probability per scale with ``N`` evaluations (at least 1000, below the
campaign minimum of 2000: a cut of the study for a busy machine) and prints p, its 95 %
interval and the last level's margin threshold.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
STUDY = HERE.parent / "characterization" / "campaigns" / "vcm_truncation.toml"
#: (cell, compliance [A]) probed, as in the study file.
POINTS = (("2t2r", 40e-6), ("1t1r", 75e-6))


def main(argv: list[str] | None = None) -> int:
    """Probe the read margin against the N_min tail for each truncation scale."""
    from rram_ber.characterization.rare_task import RareTask, _variation
    from rram_ber.characterization.session import NgspiceSession
    from rram_ber.characterization.spec import parse_spec
    from rram_ber.characterization.vcm_cells import conditions_for, reference_ohm
    from rram_ber.characterization.vcm_limit_state import VcmReadLimitState

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 1.5, 2.0])
    parser.add_argument("--u", type=float, nargs="+", default=[0.0, 2.0, 4.0, 6.0, 8.0])
    parser.add_argument("--cells", nargs="+", default=[c for c, _ in POINTS])
    parser.add_argument("--subset-budget", type=int, default=None)
    args = parser.parse_args(argv)
    base = tomllib.loads(STUDY.read_text(encoding="utf-8"))
    print("cell compliance scale u | hrs_n_min margin delay_ns value")
    with NgspiceSession() as session:
        for cell, compliance in (p for p in POINTS if p[0] in args.cells):
            for scale in args.scales:
                conditions = {**base["conditions"], "cell": cell, "compliance_a": compliance}
                vcm = {**base["device"]["vcm"], "truncation_scale": scale}
                data = {**base, "conditions": conditions, "device": {**base["device"], "vcm": vcm}}
                spec = parse_spec(data, source_dir=str(STUDY.parent))
                (condition,) = spec.conditions()
                # The stored value whose read has an HRS device: -1 for 1T1R, +1 (BLB) for 2T2R.
                stored = -1 if cell == "1t1r" else 1
                task = RareTask(condition, stored)
                reference = reference_ohm(session, spec, condition, {}) if cell == "1t1r" else None
                state = VcmReadLimitState(
                    session,
                    spec.read_conditions(condition),
                    _variation(spec, task, reference_ohm=reference),
                    conditions_for(spec, condition),
                )
                if args.subset_budget is not None:
                    _estimate(state, spec, task, args.subset_budget, f"{cell} s={scale:g}")
                    continue
                names = list(state.variable_names)
                side = "bl" if cell == "1t1r" else "blb"
                columns = [
                    names.index(f"u_d2d_{side}_n_min"),
                    names.index(f"u_c2c_reset_{side}_n_min"),
                ]
                u = np.zeros((len(args.u), len(names)))
                for row, value in enumerate(args.u):
                    u[row, columns] = value
                margins = state.margin(u)
                table = state.table()
                other = "r_bl_ohm" if cell == "2t2r" else "r_blb_ohm"  # LRS, or the reference
                if cell == "1t1r":
                    # The +1 read (LRS device against the same reference), everything at its
                    # median: the reference placement moves it the other way.
                    plus = VcmReadLimitState(
                        session,
                        spec.read_conditions(condition),
                        _variation(spec, RareTask(condition, 1), reference_ohm=reference),
                        conditions_for(spec, condition),
                    )
                    plus_margin = plus.margin(np.zeros((1, plus.dim)))[0]
                    plus_table = plus.table()
                    print(
                        f"1t1r {compliance * 1e6:g}uA s={scale:g} stored +1, median draws |"
                        f" R_LRS {plus_table['r_bl_ohm'][0] / 1e3:.2f} kOhm reference"
                        f" {reference / 1e3:.2f} kOhm delay {plus_table['delay_s'][0] * 1e9:.3f} ns"
                        f" margin {plus_margin:.3f}",
                        flush=True,
                    )
                n_disc = table.get(f"{side}_n_disc", table.get(f"{side}_n_init"))
                for row, value in enumerate(args.u):
                    print(
                        f"{cell} {compliance * 1e6:g}uA s={scale:g} u={value:g} |"
                        f" N_min {table[f'{side}_n_min'][row]:.4f}"
                        f" N after RESET {float(n_disc[row]) if n_disc is not None else 'n/a'}"
                        f" R_HRS {table[f'r_{side}_ohm'][row] / 1e3:.1f} kOhm"
                        f" other {table[other][row] / 1e3:.2f} kOhm"
                        f" delay {table['delay_s'][row] * 1e9:.3f} ns margin {margins[row]:.3f}",
                        flush=True,
                    )
    return 0


def _estimate(state: object, spec: object, task: object, budget: int, label: str) -> None:
    """One subset-simulation estimate of the read's failure probability, printed."""
    import time

    from rram_ber.characterization.rare import estimate_failure_probability
    from rram_ber.characterization.rare_task import rare_seed

    start = time.process_time()
    result = estimate_failure_probability(
        state,  # type: ignore[arg-type]
        state.dim,  # type: ignore[attr-defined]
        method="subset",
        budget=budget,
        seed=rare_seed(spec, task),  # type: ignore[arg-type]
        batch_size=50,
    )
    print(
        f"{label}: p {result.p:.3g} [{result.ci_low:.3g}, {result.ci_high:.3g}],"
        f" {result.n_evaluations} evaluations, {result.n_failures} failures,"
        f" thresholds {[round(t, 3) for t in result.thresholds]},"
        f" {time.process_time() - start:.0f} CPU-s in this process",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
