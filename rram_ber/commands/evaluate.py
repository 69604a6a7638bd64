"""``rram-ber evaluate``: accuracy of a BNN/TNN (shipped or the user's own) under bit errors.

Uses only the NumPy evaluator (:mod:`rram_ber.analysis.bnn`); never loads the simulator.

``--model`` takes a shipped name or a file (``.npz`` of the project's format, ``.onnx`` ONNX or
QONNX graph); ``--data PATH.npz`` (arrays ``x``, ``y``) replaces the model's own test split.

A condition of ``--ber-table`` is evaluated at its one resolved BER
(:func:`rram_ber.analysis.bnn.ber_table.resolve_ber`), the same as in the report's accuracy
section and :func:`rram_ber.api.evaluate_accuracy`: where no error was seen, at the upper
bound of its interval, labelled a worst case when that bound is above the resolution floor.

Exit status: 0 success; 2 bad input (unknown model, BER outside [0, 1], ambiguous or unknown
``--condition``, a table that does not fit the model, ...); 1 if the model's test data is not
installed (the message says how to install it).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from rram_ber.core.validation import ParameterError, check_int, check_range, parse_enum


def register(subparsers: Any) -> None:
    """Add the ``evaluate`` subcommand."""
    parser = subparsers.add_parser(
        "evaluate",
        help="accuracy of a binarized/ternary network under bit errors",
        description=(
            "Evaluate a BNN/TNN (shipped, or a .npz/.onnx file) on its test set (or --data) "
            "with weight errors drawn from a "
            "bit-error rate (--ber) or from a condition of a campaign's ber.csv (--ber-table), "
            "repeated --repeats times; prints the mean accuracy and its 95 % confidence "
            "interval (Student t over the repeats)."
        ),
    )
    parser.add_argument("--list", action="store_true", help="list the shipped models and exit")
    parser.add_argument(
        "--model", help="shipped model name (see --list), or a .npz / .onnx (QONNX) model file"
    )
    parser.add_argument(
        "--data",
        metavar="PATH.npz",
        help="test data: arrays x (inputs as the model declares) and y (labels); "
        "required for models without a shipped data set",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--ber",
        type=float,
        help="bit-error rate 0..1 on every binary/ternary layer (binary: sign flips; "
        "ternary: 0<->+-1 only, average rate P)",
    )
    source.add_argument(
        "--ber-table",
        metavar="DIR/ber.csv",
        help="a campaign's ber.csv (confusion.csv beside); a condition is evaluated at its "
        "resolved BER, as in the report: where no error was seen, at the interval's upper "
        "bound (a worst case when above the resolution floor, 1e-9 by default)",
    )
    parser.add_argument("--condition", help="condition_id to use from --ber-table")
    parser.add_argument("--repeats", type=int, default=20, help="error realisations (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    parser.add_argument(
        "--mode",
        default="static",
        help="static: errors drawn once per chip (default); dynamic: redrawn at every read",
    )
    parser.add_argument("--limit", type=int, default=None, help="use only the first N test inputs")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=run)


def _list_models() -> int:
    from rram_ber.analysis.bnn.model_io import read_meta, shipped_models

    rows = [("model", "data set", "weights", "weight bits", "clean accuracy")]
    for name, path in shipped_models().items():
        meta = read_meta(path)
        info = meta.get("metadata", {})
        bits = {"binary": 1, "ternary": 2, "real": 32}
        weight_bits = sum(bits[layer["weight_kind"]] * layer["n_out"] * layer["fan_in"]
                          for layer in meta["layers"])  # fmt: skip
        accuracy = info.get("clean_test_accuracy")
        rows.append(
            (
                name,
                str(info.get("dataset", "?")),
                "+".join(info.get("weight_kinds", [])),
                str(weight_bits),
                "?" if accuracy is None else f"{100 * accuracy:.2f} %",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def _none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else value


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber evaluate``."""
    if args.list:
        return _list_models()
    from rram_ber.analysis.bnn.ber_table import read_ber_table, select_condition
    from rram_ber.analysis.bnn.curves import evaluate_with_errors, load_test_split
    from rram_ber.analysis.bnn.datasets import DatasetUnavailableError
    from rram_ber.analysis.bnn.errors import ErrorMode, ErrorModel
    from rram_ber.analysis.bnn.layer_table import (
        format_layer_table,
        layer_readings,
        require_flippable,
    )
    from rram_ber.analysis.bnn.model_io import load_model
    from rram_ber.analysis.bnn.user_data import load_user_data

    if args.model is None:
        raise ParameterError("--model", None, "a shipped model name (see --list) or a file")
    repeats = check_int("--repeats", args.repeats, 1)
    seed = check_int("--seed", args.seed, 0)
    mode = parse_enum(ErrorMode, args.mode, "--mode")
    if args.limit is not None:
        check_int("--limit", args.limit, 1)
    if args.condition is not None and args.ber_table is None:
        raise ParameterError("--condition", args.condition, "only together with --ber-table")
    network = load_model(args.model)
    if args.ber_table is not None or (args.ber is not None and args.ber > 0):
        given = ("--ber", args.ber) if args.ber is not None else ("--ber-table", args.ber_table)
        require_flippable(network, *given)
    if args.data is None and network.metadata.get("dataset") is None:
        raise ParameterError("--data", None, f"test data (x, y) for {args.model}")
    condition = None
    if args.ber is not None:
        ber = check_range("--ber", args.ber, 0.0, 1.0)
        try:
            error_model = ErrorModel.uniform(network, ber, mode)
        except ParameterError as error:
            raise error.renamed("--ber") from None
    elif args.ber_table is not None:
        # Conditions without any read have no error model; they are not offered.
        # Each condition's matrix is at its resolved BER (resolve_ber), as in the report.
        condition = select_condition(
            read_ber_table(args.ber_table, skip_unmeasured=True), args.condition
        )
        ber = condition.resolved.ber
        try:
            error_model = ErrorModel.same_matrix(network, condition.matrix, mode)
        except ParameterError as error:
            raise error.renamed("--ber-table") from None
    else:
        raise ParameterError("--ber", None, "a bit-error rate 0..1, or --ber-table DIR/ber.csv")
    try:
        if args.data is not None:
            x, y = load_user_data(args.data, network, args.limit)
        else:
            x, y = load_test_split(network, args.limit)
    except DatasetUnavailableError as error:
        print(f"rram-ber evaluate: {error}", file=sys.stderr)
        return 1
    from rram_ber.progress import progress_bar

    # Error-free weights are evaluated once; otherwise one pass per realisation.
    with progress_bar(repeats, "repeat", "evaluate", not args.quiet) as bar:
        estimate = evaluate_with_errors(
            network, x, y, error_model, repeats, seed, progress=bar.update
        )
    # An unresolved condition's BER lies anywhere in [0, bound]: the accuracy at the bound is
    # the worst case, the error-free network's the other end of the range.
    best_case = (
        network.accuracy(x, y) if condition is not None and condition.resolved.worst_case else None
    )
    if args.json:
        print(
            json.dumps(
                {
                    "model": network.name,
                    "accuracy_mean": estimate.mean,
                    "accuracy_ci_low": _none_if_nan(estimate.ci_low),
                    "accuracy_ci_high": _none_if_nan(estimate.ci_high),
                    "accuracy_std": _none_if_nan(estimate.std),
                    "accuracy_at_ber_0": best_case,
                    "repeats": estimate.repeats,
                    "ber": _none_if_nan(ber),
                    "ber_resolution": (
                        "given" if condition is None else condition.resolved.resolution.value
                    ),
                    "condition_id": None if condition is None else condition.condition_id,
                    "mode": mode.value,
                    "seed": seed,
                    "n_inputs": int(y.size),
                    "layers": [r.as_dict() for r in layer_readings(network)],
                }
            )
        )
        return 0
    clean = network.metadata.get("clean_test_accuracy")
    interval = (
        "undefined with one repeat"
        if math.isnan(estimate.ci_low)
        else f"{100 * estimate.ci_low:.2f} .. {100 * estimate.ci_high:.2f} %"
    )
    when = "per chip" if mode is ErrorMode.STATIC else "per read"
    source = (
        f"uniform BER {ber:g}"
        if condition is None
        else f"condition {condition.condition_id} of {args.ber_table}, BER "
        + condition.resolved.describe()
    )
    rows = [
        (
            "model",
            f"{network.name} ({network.metadata.get('dataset', args.data)}, {y.size} test inputs)",
        ),
        ("errors", f"{mode.value} ({when}), {source}"),
        ("repeats", f"{repeats} (seed {seed})"),
        ("accuracy", f"{100 * estimate.mean:.2f} % (95 % CI {interval})"),
    ]
    if best_case is not None:
        rows.append(("at BER 0", f"{100 * best_case:.2f} % (the other end of the BER's range)"))
    if clean is not None and args.limit is None and args.data is None:
        rows.append(("clean accuracy", f"{100 * clean:.2f} %"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"\nlayers as read (bit errors only on binary and ternary weights):\n"
          f"{format_layer_table(network)}")  # fmt: skip
    return 0
