"""``rram-ber bayes``: a Bayesian network transferred onto programmed RRAM conductances.

Trains a technology-aware Bayesian MLP and a deterministic one (PyTorch, the ``train`` extra),
transfers both onto device draws from the conductance table (``rram-ber conductance-sweep``;
default: the shipped table) and evaluates them as ensembles; see
:mod:`rram_ber.analysis.bayes.study`. Never loads the simulator.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from rram_ber.commands.options import add_output_options
from rram_ber.commands.read import as_option
from rram_ber.core.validation import ParameterError, check_choice, make_writable_dir

#: The headline keys (variant_metric) printed first, and in the text table.
HEADLINE = (
    "software_accuracy",
    "transferred_accuracy",
    "deterministic_software_accuracy",
    "deterministic_transferred_accuracy",
    "software_ece",
    "transferred_ece",
    "deterministic_software_ece",
    "deterministic_transferred_ece",
)


def register(subparsers: Any) -> None:
    """Add the ``bayes`` subcommand."""
    parser = subparsers.add_parser(
        "bayes",
        help="Bayesian network transferred onto RRAM conductances (ex-situ transfer)",
        description=(
            "Train a Bayesian MLP whose weight spreads are those of programmed RRAM pairs"
            " (G+ - G-, spread from the measured spread-versus-median relation) and a"
            " deterministic MLP, map both to SET compliances, draw the programmed devices"
            " (--devices-per-weight per weight, i.e. half as many ensemble members) and evaluate"
            " the transferred ensembles against the software ones: accuracy, NLL, expected"
            " calibration error, predictive entropy on test and out-of-distribution inputs."
            " Values are means over --seeds training seeds x --draws transfer draws, with 95 %"
            " intervals over transfer draws."
        ),
    )
    parser.add_argument("--task", default="moons", help="moons or digits (default: moons)")
    parser.add_argument(
        "--devices-per-weight",
        type=int,
        default=20,
        help="devices programmed per weight, even, 2..200 (default: %(default)s)",
    )
    parser.add_argument(
        "--spread-scale",
        type=float,
        default=1.0,
        help="factor on the measured conductance spread, 0..8, in training and transfer"
        " (default: %(default)g)",
    )
    parser.add_argument(
        "--draws", type=int, default=5, help="transfer draws per seed, 1..100 (default: 5)"
    )
    parser.add_argument(
        "--seeds", type=int, default=3, help="training seeds, 1..20 (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=1, help="root seed (default: %(default)s)")
    parser.add_argument(
        "--epochs", type=int, default=None, help="training epochs (default: the task's own)"
    )
    parser.add_argument(
        "--hidden",
        type=_widths,
        default=None,
        help="hidden layer widths, comma-separated, e.g. 8 or 32,32 (default: the task's own)",
    )
    parser.add_argument(
        "--spice-transfer",
        action="store_true",
        help="also program every device of seed 0's two networks in ngspice, one by one at"
        " its compliance, and evaluate those ensembles (use a small network: --hidden 8)",
    )
    parser.add_argument(
        "--conductance-table",
        type=Path,
        default=None,
        metavar="CSV",
        help="table of 'rram-ber conductance-sweep' (default: the shipped one)",
    )
    add_output_options(
        parser,
        "write conductance_stats.png, runs.csv and (moons) decision_maps.png into DIR",
        quiet=False,
    )
    parser.set_defaults(handler=run)


def _widths(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber bayes``."""
    from rram_ber.analysis.bayes.study import bayes_transfer

    as_option("--task", lambda: check_choice("task", args.task, ("moons", "digits")))
    if args.plots is not None:
        make_writable_dir("--plots", args.plots)
    if args.spice_transfer and args.spread_scale != 1.0:
        raise ParameterError(
            "--spread-scale",
            args.spread_scale,
            "1 with --spice-transfer (programmed devices have the measured spread)",
        )
    options = {
        "devices_per_weight": "--devices-per-weight",
        "spread_scale": "--spread-scale",
        "draws": "--draws",
        "seeds": "--seeds",
        "seed": "--seed",
        "epochs": "--epochs",
        "conductance_table": "--conductance-table",
        "hidden": "--hidden",
    }
    try:
        result, task, mapping = bayes_transfer(
            task=args.task,
            devices_per_weight=args.devices_per_weight,
            spread_scale=args.spread_scale,
            draws=args.draws,
            seeds=args.seeds,
            seed=args.seed,
            epochs=args.epochs,
            conductance_table=args.conductance_table,
            hidden=args.hidden,
        )
    except ParameterError as error:
        raise error.renamed(options.get(error.field, error.field)) from None
    n_clipped = int(result.runs["n_clipped"].max())
    if args.plots is not None:
        _write_plots(args, result, task, mapping)
    spice = _spice_transfer(args, result, task, mapping) if args.spice_transfer else None
    if args.json:
        payload: dict[str, Any] = {
            key: {k: _finite(v) for k, v in result.summary[key].items()} for key in HEADLINE
        }
        payload["metrics"] = {
            key: {k: _finite(v) for k, v in value.items()} for key, value in result.summary.items()
        }
        payload["n_clipped"] = n_clipped
        payload["settings"] = {
            "task": args.task,
            "devices_per_weight": args.devices_per_weight,
            "ensemble_members": args.devices_per_weight // 2,
            "spread_scale": args.spread_scale,
            "draws": args.draws,
            "seeds": args.seeds,
            "seed": args.seed,
            "weights": result.networks[(0, "bayes")].n_weights,
            "g_min_s": mapping.relation.g_min_s,
            "g_max_s": mapping.relation.g_max_s,
        }
        if spice is not None:
            payload["spice_transfer"] = spice
        print(json.dumps(payload))
        return 0
    metrics = ("accuracy", "nll", "ece", "entropy_in", "entropy_ood")
    print(
        f"{args.task}: {args.seeds} seeds x {args.draws} transfer draws,"
        f" {args.devices_per_weight} devices per weight, spread x{args.spread_scale:g};"
        f" clipped weights: {n_clipped}"
    )
    print(f"{'network':<26}" + "".join(f"{m:>24}" for m in metrics))
    for variant in (
        "software",
        "transferred",
        "deterministic_software",
        "deterministic_transferred",
    ):
        cells = []
        for metric in metrics:
            entry = result.summary[f"{variant}_{metric}"]
            cells.append(f"{entry['mean']:.4f} [{entry['ci_low']:.4f}, {entry['ci_high']:.4f}]")
        print(f"{variant:<26}" + "".join(f"{c:>24}" for c in cells))
    if spice is not None:
        print(
            f"SPICE-programmed transfer of seed 0 ({spice['devices']} devices,"
            f" {spice['failed']} failed, {spice['cpu_s']:.0f} s CPU; (G - G_med) / sigma_G:"
            f" mean {spice['device_z_mean']:.3f}, sd {spice['device_z_sd']:.3f}):"
        )
        for variant in ("transferred", "deterministic_transferred"):
            values = spice[variant]
            drawn = spice["drawn_" + variant]
            print(
                f"  {variant:<26}"
                + "  ".join(f"{m} {values[m]:.4f} (drawn {drawn[m]:.4f})" for m in metrics)
            )
    return 0


def _spice_transfer(
    args: argparse.Namespace, result: Any, task: Any, mapping: Any
) -> dict[str, Any]:
    """Program seed 0's devices in ngspice and evaluate the two transferred ensembles.

    Both networks' devices come from the same seed (the same fresh devices, d2d, in order);
    a device whose simulation fails is counted and given its median conductance. The
    programmed conductances are also compared with the table's relations device by device:
    ``device_z_mean`` and ``device_z_sd`` are the mean and standard deviation of
    ``(G - G_med(I_C)) / sigma_G(G_med)`` (0 and 1 if the devices follow the table).
    """
    import time

    import numpy as np

    from rram_ber.analysis.bayes import metrics
    from rram_ber.analysis.bayes.network import ensemble_probs
    from rram_ber.analysis.bayes.study import programmed_compliances, programmed_samples
    from rram_ber.characterization.conductance_stats import program_conductances
    from rram_ber.characterization.session import NgspiceSession

    members = args.devices_per_weight // 2
    out: dict[str, Any] = {"devices": 0, "failed": 0}
    residuals = []
    start = time.process_time()
    runs = result.runs[result.runs["seed"] == 0]
    with NgspiceSession() as session:
        for variant, kind in (
            ("transferred", "bayes"),
            ("deterministic_transferred", "deterministic"),
        ):
            network = result.networks[(0, kind)]
            currents = programmed_compliances(network, mapping, members)
            g = program_conductances(session, currents, args.seed)
            failed = ~np.isfinite(g)
            median = mapping.relation.median_s(currents)
            residuals.append(
                (g[~failed] - median[~failed]) / mapping.relation.sigma_s(median[~failed])
            )
            g[failed] = median[failed]
            out["devices"] += int(g.size)
            out["failed"] += int(failed.sum())
            samples = programmed_samples(network, mapping, members, g)
            probs = ensemble_probs(task.x_test, samples, network.gains)
            probs_ood = ensemble_probs(task.x_ood, samples, network.gains)
            out[variant] = metrics.summary(probs, task.y_test, probs_ood)
            drawn = runs[runs["variant"] == variant]
            out["drawn_" + variant] = {m: float(drawn[m].mean()) for m in out[variant]}
    z = np.concatenate(residuals)
    out["device_z_mean"] = float(z.mean())
    out["device_z_sd"] = float(z.std(ddof=1))
    out["cpu_s"] = time.process_time() - start
    return out


def _write_plots(args: argparse.Namespace, result: Any, task: Any, mapping: Any) -> None:
    """The conductance statistics, the per-run table and (moons) the decision maps of seed 0.

    The maps' device draw is draw 0 of seed 0 (the same standard normals for both transfers).
    """
    import numpy as np

    from rram_ber.analysis.bayes.plots import plot_conductance_stats, plot_decision_maps
    from rram_ber.analysis.bayes.study import software_samples, transferred_samples
    from rram_ber.characterization.conductance_table import read_table

    folder: Path = args.plots
    try:
        result.runs.to_csv(folder / "runs.csv", index=False)
        table = read_table(args.conductance_table)
        plot_conductance_stats(table, mapping.relation, folder / "conductance_stats.png")
        if task.name != "moons":
            return
        bayes, det = result.networks[(0, "bayes")], result.networks[(0, "deterministic")]
        members = args.devices_per_weight // 2
        posterior_seed, device_seed = np.random.SeedSequence([args.seed, 0, 0]).spawn(2)
        panels = [
            (
                "Bayesian, software posterior",
                software_samples(bayes, mapping, np.random.default_rng(posterior_seed), members),
                bayes.gains,
            ),
            (
                "Bayesian, transferred",
                transferred_samples(bayes, mapping, np.random.default_rng(device_seed), members)[0],
                bayes.gains,
            ),
            ("deterministic, software", [w[None] for w in det.weights], det.gains),
            (
                "deterministic, transferred",
                transferred_samples(det, mapping, np.random.default_rng(device_seed), members)[0],
                det.gains,
            ),
        ]
        plot_decision_maps(
            panels,
            task.x_train,
            task.y_train,
            folder / "decision_maps.png",
            f"two moons, {members} programmed pairs per weight,"
            f" spread x{mapping.spread_scale:g} (seed 0, draw 0)",
        )
    except OSError as error:
        raise ParameterError(
            "--plots", str(folder), f"a writable directory ({error.strerror})"
        ) from None
