"""Standard against error-aware training: accuracy of trained models under weight errors.

Reads model files trained with several seeds (``python -m rram_ber.analysis.bnn.train --model NAME
--seed S --out DIR``), evaluates each on its test split at a list of uniform bit-error rates
(static errors, :func:`rram_ber.analysis.bnn.curves.accuracy_curve`) and prints a Markdown table:
one row per BER, per group (e.g. standard / error-aware) the mean over seeds of each model's mean
accuracy over ``--repeats`` chips with the Student-t 95 % interval over the seeds (the
training-seed spread; none for one seed), and per seed the model's mean with its Student-t
95 % interval over the chips (the error-draw spread).

Example (the table of ``analysis/bnn/weights/README.md``)::

    python -m rram_ber.analysis.bnn.error_aware_study \\
        --group standard s1/fashion-mlp-bnn.npz s2/fashion-mlp-bnn.npz s3/fashion-mlp-bnn.npz \\
        --group error-aware s1/fashion-mlp-bnn-ea.npz s2/fashion-mlp-bnn-ea.npz \\
        s3/fashion-mlp-bnn-ea.npz
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np

from rram_ber.analysis.bnn.curves import AccuracyEstimate, accuracy_curve, load_test_split
from rram_ber.analysis.bnn.model_io import load_model

#: The BERs of the issue's comparison.
STUDY_BERS = (0.0, 1e-3, 1e-2, 4e-2, 1e-1)


def study(
    groups: dict[str, list[str]], bers: Sequence[float], repeats: int, seed: int
) -> dict[str, list[list[AccuracyEstimate]]]:
    """Accuracy over the chips per (model, BER): ``{group: [model][ber] -> estimate}``."""
    results = {}
    for group, paths in groups.items():
        rows = []
        for path in paths:
            network = load_model(path)
            x, y = load_test_split(network)
            curve = accuracy_curve(network, x, y, bers, repeats, seed)
            rows.append([point.estimate for point in curve])
        results[group] = rows
    return results


def _percent(estimate: AccuracyEstimate) -> str:
    """``mean [low, high]`` in percent; the mean alone when there is no interval."""
    if np.isnan(estimate.ci_low):
        return f"{100 * estimate.mean:.2f}"
    low, high = 100 * max(estimate.ci_low, 0.0), 100 * min(estimate.ci_high, 1.0)
    return f"{100 * estimate.mean:.2f} [{low:.2f}, {high:.2f}]"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the comparison table."""
    parser = argparse.ArgumentParser(prog="python -m rram_ber.analysis.bnn.error_aware_study")
    parser.add_argument(
        "--group",
        nargs="+",
        action="append",
        required=True,
        metavar=("NAME", "MODEL"),
        help="a group name and its model files",
    )
    parser.add_argument("--repeats", type=int, default=10, help="chips per point (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="root seed of the error draws")
    args = parser.parse_args(argv)  # fmt: skip
    groups = {g[0]: g[1:] for g in args.group}
    results = study(groups, STUDY_BERS, args.repeats, args.seed)
    names = list(groups)
    print("| BER | " + " | ".join(f"{n} (mean of {len(groups[n])})" for n in names)
          + " | " + " | ".join(f"{n} per seed" for n in names) + " |")  # fmt: skip
    print("|---" * (1 + 2 * len(names)) + "|")
    for j, ber in enumerate(STUDY_BERS):
        # Over seeds: the per-seed means as the realisations of the training seed.
        means = [
            _percent(AccuracyEstimate(tuple(row[j].mean for row in results[n]))) + " %"
            for n in names
        ]
        seeds = ["; ".join(_percent(row[j]) for row in results[n]) for n in names]
        print(f"| {ber:g} | " + " | ".join(means) + " | " + " | ".join(seeds) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
