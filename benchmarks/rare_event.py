"""Limit-state evaluations needed for a +-20 % (95 %) failure probability at 1e-6, per method.

The limit state is a half-space ``a . u > beta`` in standard-normal space with
``p = Phi(-beta) = 1e-6`` and 20 variables, the size of the SPICE problem (9 transistors x
(dVT, dbeta) + 2 log-resistances). Its failure probability is known exactly, so the script
also checks that the intervals it reports hold the truth.

* **Monte-Carlo** (brute force): the count is computed, not run. The 95 % interval of a
  binomial proportion has half-width ``1.96 sqrt(p (1 - p) / n)``, so ``+-20 %`` needs
  ``n = (1.96 / 0.2)^2 (1 - p) / p``, about 9.6e7 at 1e-6.
* **Importance sampling**: run with ``target_relative_half_width=0.2`` (sequential stopping
  once the interval is +-20 %) over many seeds; the evaluations used, search included, are
  reported with the coverage of the stopped intervals. Fixed budgets are run too, to show the
  half-width and coverage without the stopping rule.
* **Scaled-sigma**: fixed budgets, growing until the median half-width reaches 20 % or
  ``--sss-max-budget``; its bias (a model extrapolation) is printed with it.

**Coverage** (``--coverage``): importance sampling on four problems it was not tuned on, each
with a known truth, over ``--seeds`` seeds at several budgets: two and four orthogonal
half-spaces in 30-D (union ``P = 1e-6``), a 1e-9 half-space in 100-D and a parabolic failure
set ``u_1 > beta + kappa sum_{i>1} u_i^2`` in 50-D, whose truth
``E[Phi(-(beta + kappa Q))]``, ``Q ~ chi^2_49``, is a one-dimensional integral. Printed per
problem and budget: coverage of the 95 % interval, how many results flag possibly missing
regions (their interval is then widened, so it covers but says little), median evaluations,
median relative half-width and median estimate / truth.

Measured (100 seeds each; "flagged" results widen their interval, so they cover but say
little; a result without any failure region falls back to plain Monte-Carlo, ``p = 0`` with
a Clopper-Pearson bound)::

    problem                 budget  coverage  flagged  median half-width
    two regions, 30-D         1500   100/100      100  (all widened)
                              2000    94/100        2  0.153
                              3000    97/100        0  0.109
                             10000    94/100        0  0.052
    four regions, 30-D   1500-3000   100/100      100  (all widened)
                              4000    96/100        3  0.104
                              6000    95/100        0  0.077
                             10000    95/100        0  0.055
    half-space, 100-D, 1e-9   2000   100/100        0  (no region: p = 0, bound)
                              3000    98/100       92  (mostly widened)
                              4000    93/100        0  0.112
                             10000    97/100        0  0.060
    parabola, 50-D, 3.92e-6   2000    98/100       57  (mostly widened)
                              4000    96/100       50  (half widened)
                              6000    97/100        5  0.093
                             10000    93/100        2  0.067

With ``target_relative_half_width=0.2`` (budget 4000) the two regions in 30-D stopped after a
median 1635 evaluations (90th percentile 1668, largest 1953), coverage 97/100, the estimate
within +-20 % of the truth in 94/100 seeds.

**Subset simulation** (``--coverage``, ``--method subset`` for it alone) on the problems
importance sampling finds hardest: two regions in 30-D, the 1e-9 half-space in 100-D and the
parabola with ``kappa = 0.02`` in 50-D (``P = 4.91e-7``), where the importance search finds
nothing (``p = 0``, bound 1.9e-4). Measured (100 seeds each; default options: ``p0 = 0.1``, the
budget spread over 12 levels, so a run at 1e-6 stops after 7 levels and uses about 58 % of it;
half-width = half the interval's width over the estimate, large because the log-normal
interval is skewed; ratio = estimate / truth)::

    problem                    budget  coverage  evaluations  half-width  ratio median / mean
    two regions, 30-D, 1e-6      1000    90/100          576        26.1       0.73 / 1.73
                                 2000    98/100         1152        13.6       0.74 / 1.20
                                 4000    99/100         2304         7.0       0.87 / 1.12
                                10000   100/100         5824         3.0       0.95 / 1.05
    half-space, 100-D, 1e-9      1000    92/100          819        66.2       0.55 / 2.10
                                 2000    96/100         1638        33.9       0.49 / 2.18
                                 4000    98/100         3276        16.8       0.87 / 1.27
                                10000    99/100         8281         6.6       0.86 / 1.03
    parabola, 50-D, 4.91e-7      1000    91/100          576        28.8       0.81 / 2.39
                                 2000    94/100         1152        15.2       0.70 / 1.48
                                 4000    99/100         2304         7.8       0.82 / 1.19
                                10000    99/100         5824         3.3       0.96 / 1.08

No run ended as a bound. Subset simulation finds every one of these failure sets and its
intervals hold the truth, but they are wide: at 2,000 evaluations they say the order of
magnitude (the estimator's spread over seeds is 90-420 %), and the +-20 % that importance
sampling reaches in 2,000 evaluations on two regions needs far more. Use it where the search
finds nothing or flags missing regions.

**Guided importance sampling** (``--coverage --method guided-importance``), the estimator
``method = "auto"`` campaigns switch to: subset simulation's levels find failures, HL-RF
design points are searched from them (two batches of scaled exploration look for regions the
last level lost), and importance sampling on those design points makes the estimate. At its
default budget (4000), 200 seeds each, with and without the campaigns' stopping rule
(``target_relative_half_width=0.2``; ratio = estimate / truth, q10-q90 over seeds)::

    problem                       stop   coverage  evaluations  ratio median (q10-q90)
    two regions, 30-D, 1e-6        no     185/200         4000  1.00 (0.92-1.09)
                                  0.2     187/200         2886  0.99 (0.89-1.13)
    four regions, 30-D, 1e-6       no     190/200         4000  0.99 (0.90-1.09)
                                  0.2     192/200         3652  0.99 (0.88-1.14)
    half-space, 100-D, 1e-9        no     189/200         4000  1.01 (0.87-1.15)
                                  0.2     191/200         4000  1.01 (0.87-1.15)
    parabola, 50-D, 3.92e-6        no     186/200         4000  0.99 (0.89-1.11)
                                  0.2     188/200         3452  0.99 (0.86-1.12)
    parabola, 50-D, 4.91e-7        no     190/200         4000  0.97 (0.67-1.26)
                                  0.2     190/200         4000  0.97 (0.67-1.26)

(Draws in rounds of 100, at least 200 before the stopping rule. With importance sampling's
rounds of 500 the two regions covered in 181/200 seeds, 564/600 over 600 seeds.)

At 2000 it is not enough: the subset levels to 1e-9 in 100-D (1640 evaluations) leave no
room for the search, and the 30-D regions' searches run out (every result flagged, estimates
0.25-0.5 of the truth with widened intervals).

Run: ``python benchmarks/rare_event.py [--dim 20] [--p 1e-6] [--seeds 50] [--spice]``, or
``python benchmarks/rare_event.py --coverage [--seeds 100]
[--method importance|subset|guided-importance|both] [--stop 0.2]``.
``--spice`` adds a real 2T2R read (ngspice) with importance sampling at a rare condition and
prints evaluations and wall time; it takes a few minutes.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

import numpy as np
from scipy.stats import norm

from rram_ber.characterization.rare import RareEventResult, estimate_failure_probability
from rram_ber.characterization.rare.guided import GUIDED
from rram_ber.characterization.rare.problems import (
    COVERAGE_PROBLEMS,
    BenchmarkProblem,
    HalfSpace,
)

#: The importance-sampling coverage problems (see ``COVERAGE_PROBLEMS``).
PROBLEMS = {
    name: COVERAGE_PROBLEMS[name]
    for name in (
        "two regions, 30-D, 1e-6",
        "four regions, 30-D, 1e-6",
        "half-space, 100-D, 1e-9",
        "parabola, 50-D (kappa 0.01)",
    )
}

#: The subset-simulation coverage problems; the parabola with kappa 0.02 (P = 4.91e-7) is the
#: one the importance search never finds (issue 14: p = 0 with the bound [0, 1.9e-4]).
SUBSET_PROBLEMS = {
    name: COVERAGE_PROBLEMS[name]
    for name in (
        "two regions, 30-D, 1e-6",
        "half-space, 100-D, 1e-9",
        "parabola, 50-D (kappa 0.02)",
    )
}


def subset_coverage_run(seeds: int, budgets: list[int]) -> None:
    """Coverage, evaluations and bounds of subset simulation on its three problems."""
    for name, make in SUBSET_PROBLEMS.items():
        limit_state = make()
        dim = limit_state.dim
        print(f"\nsubset, {name}: truth {limit_state.p:.4g}")
        for budget in budgets:
            start = time.perf_counter()
            results = [
                estimate_failure_probability(
                    limit_state, dim, method="subset", budget=budget, seed=seed, keep_samples=False
                )
                for seed in range(seeds)
            ]
            bounds = sum(r.upper_bound_only for r in results)
            estimates = [r for r in results if not r.upper_bound_only]
            ratio = [r.p / limit_state.p for r in estimates]
            within = sum(abs(x - 1.0) <= 0.2 for x in ratio)
            print(
                f"  budget {budget:6d}: coverage {sum(r.contains(limit_state.p) for r in results)}"
                f"/{seeds}, bounds {bounds} | evaluations median"
                f" {np.median([r.n_evaluations for r in results]):.0f}"
                f" | half-width median {np.median([r.relative_half_width for r in estimates]):.2f}"
                f" | estimate/truth median {np.median(ratio):.3f}, mean {np.mean(ratio):.3f},"
                f" within 20 % {within}/{len(estimates)}"
                f" | CoV median {np.median([_cov(r) for r in results]):.2f}"
                f" ({time.perf_counter() - start:.0f} s)",
                flush=True,
            )


def _cov(result: RareEventResult) -> float:
    """Subset simulation's coefficient of variation (one of its diagnostics)."""
    return float(np.asarray(result.diagnostics["coefficient_of_variation"]))


def coverage_run(
    seeds: int,
    budgets: list[int],
    method: str = "importance",
    problems: dict[str, Callable[[], BenchmarkProblem]] | None = None,
    stop: float | None = None,
) -> None:
    """Coverage and evaluations of ``method`` (importance sampling by default) on the
    problems, stopping at the relative half-width ``stop`` if given."""
    options = {} if stop is None else {"target_relative_half_width": stop}
    print(f"\n{method}" + ("" if stop is None else f", stopping at +-{100 * stop:.0f} %"))
    for name, make in (PROBLEMS if problems is None else problems).items():
        limit_state = make()
        dim = limit_state.dim
        print(f"\n{name}: truth {limit_state.p:.4g}")
        for budget in budgets:
            start = time.perf_counter()
            results = [
                estimate_failure_probability(
                    limit_state,
                    dim,
                    method=method,
                    budget=budget,
                    seed=seed,
                    keep_samples=False,
                    **options,
                )
                for seed in range(seeds)
            ]
            ratio = np.array([r.p / limit_state.p for r in results])
            flagged = sum(r.regions_may_be_missing for r in results)
            trusted = [r for r in results if not r.regions_may_be_missing]
            trusted_covered = sum(r.contains(limit_state.p) for r in trusted)
            print(
                f"  budget {budget:6d}: coverage {sum(r.contains(limit_state.p) for r in results)}"
                f"/{seeds}, flagged {flagged}, unflagged coverage {trusted_covered}/{len(trusted)}"
                f" | evaluations median {np.median([r.n_evaluations for r in results]):.0f}"
                f" | half-width median {np.median([r.relative_half_width for r in results]):.3f}"
                f" | estimate/truth median {np.median(ratio):.3f}"
                f" (q10-q90 {np.quantile(ratio, 0.1):.2f}-{np.quantile(ratio, 0.9):.2f})"
                f" ({time.perf_counter() - start:.0f} s)",
                flush=True,
            )


def monte_carlo_count(p: float, target: float, confidence: float = 0.95) -> float:
    """Plain Monte-Carlo samples for a relative half-width ``target`` (normal approximation)."""
    z = float(norm.isf(0.5 * (1.0 - confidence)))
    return (z / target) ** 2 * (1.0 - p) / p


def summarise(results: list[RareEventResult], p: float) -> str:
    evaluations = np.array([r.n_evaluations for r in results])
    half_widths = np.array([r.relative_half_width for r in results])
    covered = sum(r.contains(p) for r in results)
    log_ratio = np.log(np.array([r.p for r in results]) / p)
    parts = [
        f"evaluations median {np.median(evaluations):8.0f}",
        f"p90 {np.percentile(evaluations, 90):8.0f}",
        f"max {evaluations.max():8.0f}",
        f"| half-width median {np.median(half_widths):6.3f}",
        f"max {half_widths.max():6.3f}",
        f"| coverage {covered}/{len(results)}",
        f"| estimate/truth geometric mean {math.exp(log_ratio.mean()):.3f}",
    ]
    return "  ".join(parts)


def _first_beta(result: RareEventResult) -> float:
    """Distance of importance sampling's first design point, in sigmas (NaN if none)."""
    betas = np.asarray(result.diagnostics.get("betas", ()), dtype=float)
    return float(betas[0]) if betas.size else math.nan


def spice_run(target: float) -> None:
    """Importance sampling on a real 2T2R read at a rare condition: evaluations and time."""
    from rram_ber.characterization.limit_states import ReadLimitState, ReadVariation
    from rram_ber.characterization.session import NgspiceSession
    from rram_ber.circuits.read import ReadConditions
    from rram_ber.models.resistance import ResistanceStates

    print(
        "\nSPICE: 2T2R read, LRS 10 kohm / HRS 14 kohm, 1.2 V, 27 C, TT,"
        " Pelgrom mismatch (18 variables)"
    )
    with NgspiceSession() as session:
        state = ReadLimitState(
            session,
            ReadConditions(),
            ReadVariation(devices=ResistanceStates.log_normal(10e3, 0.0, 14e3, 0.0)),
            copies_per_netlist=100,
        )
        start = time.perf_counter()
        result = estimate_failure_probability(
            state,
            state.dim,
            budget=5_000,
            seed=1,
            batch_size=100,
            target_relative_half_width=target,
        )
        seconds = time.perf_counter() - start
    stages = result.samples.stage if result.samples is not None else np.empty(0)
    search = int(np.sum(stages != "estimate"))
    print(
        f"  p = {result.p:.3e}  95 % [{result.ci_low:.3e}, {result.ci_high:.3e}]"
        f"  (+-{100 * result.relative_half_width:.0f} %)  design point at"
        f" {_first_beta(result):.2f} sigma"
    )
    print(
        f"  {result.n_evaluations} simulations ({search} for the search) in {seconds:.0f} s"
        f" ({1e3 * seconds / result.n_evaluations:.0f} ms each);"
        f" Monte-Carlo would need {monte_carlo_count(result.p, target):.2e}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dim", type=int, default=20, help="number of standard-normal variables")
    parser.add_argument("--p", type=float, default=1e-6, help="true failure probability")
    parser.add_argument("--target", type=float, default=0.2, help="relative half-width wanted")
    parser.add_argument("--seeds", type=int, default=50, help="repetitions per method")
    parser.add_argument("--sss-max-budget", type=float, default=4e6, help="largest SSS budget")
    parser.add_argument("--spice", action="store_true", help="add a real ngspice run")
    parser.add_argument("--coverage", action="store_true", help="coverage on four problems instead")
    parser.add_argument(
        "--budgets", default="1500,2000,3000,5000", help="budgets of --coverage, comma-separated"
    )
    parser.add_argument(
        "--method",
        choices=("importance", "subset", GUIDED, "both"),
        default="both",
        help="estimator(s) of --coverage",
    )
    parser.add_argument(
        "--stop",
        type=float,
        default=None,
        help=f"{GUIDED} with --coverage: stop at this relative half-width (campaigns: 0.2)",
    )
    args = parser.parse_args()
    if args.coverage:
        budgets = [int(b) for b in args.budgets.split(",")]
        if args.method == GUIDED:
            coverage_run(args.seeds, budgets, GUIDED, COVERAGE_PROBLEMS, args.stop)
            return
        if args.method in ("importance", "both"):
            coverage_run(args.seeds, budgets)
        if args.method in ("subset", "both"):
            subset_coverage_run(args.seeds, budgets)
        return

    p, dim, target = args.p, args.dim, args.target
    limit_state = HalfSpace(dim, p)
    mc = monte_carlo_count(p, target)
    print(f"half-space, dim {dim}, p = {p:g}, target +-{100 * target:.0f} % at 95 %")
    print(f"Monte-Carlo (computed): {mc:.3g} evaluations")

    start = time.perf_counter()
    stopped = [
        estimate_failure_probability(
            limit_state,
            dim,
            budget=20_000,
            seed=seed,
            keep_samples=False,
            target_relative_half_width=target,
            round_size=100,  # check the stopping rule every 100 samples, for a finer count
        )
        for seed in range(args.seeds)
    ]
    print(f"\nimportance, stopping at +-{100 * target:.0f} % ({time.perf_counter() - start:.1f} s)")
    print("  " + summarise(stopped, p))
    needed = float(np.median([r.n_evaluations for r in stopped]))
    worst = float(max(r.n_evaluations for r in stopped))
    print(
        f"  median {needed:.0f} evaluations = 1/{mc / needed:.3g} of Monte-Carlo"
        f" (worst seed {worst:.0f} = 1/{mc / worst:.3g}); target <= 1e4:"
        f" {'met' if worst <= 1e4 else 'NOT met'}"
    )
    print("importance, fixed budgets")
    for budget in (1_000, 2_000, 5_000, 10_000):
        fixed = [
            estimate_failure_probability(
                limit_state, dim, budget=budget, seed=seed, keep_samples=False
            )
            for seed in range(args.seeds)
        ]
        print(f"  budget {budget:6d}: " + summarise(fixed, p))

    print("scaled-sigma, fixed budgets")
    budget = 10_000
    n_sss = max(10, args.seeds // 5)
    while budget <= args.sss_max_budget:
        start = time.perf_counter()
        sss = [
            estimate_failure_probability(
                limit_state,
                dim,
                method="scaled-sigma",
                budget=budget,
                seed=seed,
                keep_samples=False,
            )
            for seed in range(n_sss)
        ]
        median_half_width = float(np.median([r.relative_half_width for r in sss]))
        print(
            f"  budget {budget:8d}: "
            + summarise(sss, p)
            + f" ({time.perf_counter() - start:.0f} s)"
        )
        if median_half_width <= target:
            print(f"  scaled-sigma reaches +-{100 * target:.0f} % at about {budget} evaluations")
            break
        budget *= 4
    else:
        # The interval narrows as 1/sqrt(n) once it is a few tens of % wide.
        extrapolated = budget / 4 * (median_half_width / target) ** 2
        print(
            f"  scaled-sigma does not reach +-{100 * target:.0f} % within"
            f" {args.sss_max_budget:.0f} evaluations; extrapolating the last half-width as"
            f" 1/sqrt(n): about {extrapolated:.2g} (= 1/{mc / extrapolated:.3g} of Monte-Carlo)"
        )

    if args.spice:
        spice_run(target)


if __name__ == "__main__":
    main()
