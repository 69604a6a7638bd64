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
from dataclasses import dataclass, field
from typing import Any

from rram_ber.commands.options import add_output_options
from rram_ber.core.validation import (
    MissingParameterError,
    ParameterError,
    check_int,
    check_range,
    parse_enum,
)


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
    add_output_options(parser)
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


@dataclass(frozen=True)
class Evaluation:
    """One accuracy estimate of ``rram-ber evaluate`` (and :func:`rram_ber.api.evaluate_accuracy`
    with a uniform ``ber``).

    Attributes
    ----------
    model : str
        The network's name.
    accuracy_mean, accuracy_ci_low, accuracy_ci_high, accuracy_std : float
        Mean accuracy over the repeats, its Student-t 95 % interval and standard deviation
        (NaN with one repeat).
    clean_accuracy : float
        The same network on the same inputs without errors.
    accuracy_at_ber_0 : float or None
        For an unresolved condition (a worst case at its bound): the accuracy at BER 0, the
        other end of its range (the clean accuracy); else None.
    repeats, seed : int
        Error realisations (chips) and their root seed.
    ber : float
        The BER evaluated at: given, or the condition's resolved BER.
    ber_resolution : str
        ``given`` for a uniform BER, else the condition's resolution.
    condition_id : int, str or None
        The ``--ber-table`` condition (an int where the table's id is one).
    mode : str
        ``static`` or ``dynamic``.
    n_inputs : int
        Test inputs evaluated.
    layers : list of dict
        How each layer was read (kind, shape, weight bits).
    data : str
        What the inputs are (the data set, or the ``--data`` file).
    shipped_clean_accuracy : float or None
        The shipped model's recorded clean accuracy on its whole test split.
    network : Network
        The network evaluated.
    """

    model: str
    accuracy_mean: float
    accuracy_ci_low: float
    accuracy_ci_high: float
    accuracy_std: float
    clean_accuracy: float
    accuracy_at_ber_0: float | None
    repeats: int
    seed: int
    ber: float
    ber_resolution: str
    condition_id: int | str | None
    condition_text: str | None
    mode: str
    n_inputs: int
    layers: list[dict[str, Any]]
    data: str
    shipped_clean_accuracy: float | None
    network: Any = field(repr=False, compare=False, default=None)

    @property
    def accuracy_drop(self) -> float:
        """Clean accuracy minus the accuracy under errors."""
        return self.clean_accuracy - self.accuracy_mean

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` object (NaN written as null)."""
        record = {name: getattr(self, name) for name in _JSON_KEYS}
        for key in ("accuracy_ci_low", "accuracy_ci_high", "accuracy_std", "ber"):
            record[key] = _none_if_nan(record[key])
        return record


#: Keys of ``evaluate --json``, in order.
_JSON_KEYS = (
    "model", "accuracy_mean", "accuracy_ci_low", "accuracy_ci_high", "accuracy_std",
    "clean_accuracy", "accuracy_drop", "accuracy_at_ber_0", "repeats", "ber", "ber_resolution",
    "condition_id", "mode", "seed", "n_inputs", "layers",
)  # fmt: skip


def _condition_id(text: str) -> int | str:
    """A ``ber.csv`` condition id as a number where it is one (a campaign's always are)."""
    return int(text) if text.strip().lstrip("-").isdigit() else text


def evaluate(args: argparse.Namespace) -> Evaluation:
    """The evaluation the options ask for (what ``rram-ber evaluate`` prints).

    Raises
    ------
    ParameterError
        Bad input, naming the option.
    rram_ber.analysis.bnn.datasets.DatasetUnavailableError
        If the model's test data is not installed.
    """
    from rram_ber.analysis.bnn.ber_table import read_ber_table, select_condition
    from rram_ber.analysis.bnn.curves import evaluate_with_errors, load_test_split
    from rram_ber.analysis.bnn.errors import ErrorMode, ErrorModel
    from rram_ber.analysis.bnn.layer_table import layer_readings, require_flippable
    from rram_ber.analysis.bnn.model_io import load_model
    from rram_ber.analysis.bnn.user_data import load_user_data

    if args.model is None:
        raise MissingParameterError("--model", "a shipped model name (see --list) or a file")
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
        raise MissingParameterError("--data", f"test data (x, y) for {args.model}")
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
        raise MissingParameterError("--ber", "a bit-error rate 0..1, or --ber-table DIR/ber.csv")
    if args.data is not None:
        x, y = load_user_data(args.data, network, args.limit)
    else:
        x, y = load_test_split(network, args.limit)
    from rram_ber.progress import progress_bar

    # Error-free weights are evaluated once; otherwise one pass per realisation.
    with progress_bar(repeats, "repeat", "evaluate", not args.quiet) as bar:
        estimate = evaluate_with_errors(
            network, x, y, error_model, repeats, seed, progress=bar.update
        )
    clean = network.accuracy(x, y)
    # An unresolved condition's BER lies anywhere in [0, bound]: the accuracy at the bound is
    # the worst case, the error-free network's the other end of the range.
    worst_case = condition is not None and condition.resolved.worst_case
    shipped = network.metadata.get("clean_test_accuracy")
    return Evaluation(
        model=network.name,
        accuracy_mean=estimate.mean,
        accuracy_ci_low=estimate.ci_low,
        accuracy_ci_high=estimate.ci_high,
        accuracy_std=estimate.std,
        clean_accuracy=clean,
        accuracy_at_ber_0=clean if worst_case else None,
        repeats=estimate.repeats,
        seed=seed,
        ber=ber,
        ber_resolution="given" if condition is None else condition.resolved.resolution.value,
        condition_id=None if condition is None else _condition_id(condition.condition_id),
        condition_text=None
        if condition is None
        else f"condition {condition.condition_id} of {args.ber_table}, BER "
        + condition.resolved.describe(),
        mode=mode.value,
        n_inputs=int(y.size),
        layers=[r.as_dict() for r in layer_readings(network)],
        data=str(network.metadata.get("dataset", args.data)),
        shipped_clean_accuracy=(
            float(shipped)
            if shipped is not None and args.limit is None and args.data is None
            else None
        ),
        network=network,
    )


def run(args: argparse.Namespace) -> int:
    """Handler of ``rram-ber evaluate``."""
    if args.list:
        return _list_models()
    from rram_ber.analysis.bnn.datasets import DatasetUnavailableError
    from rram_ber.analysis.bnn.layer_table import format_layer_table

    try:
        result = evaluate(args)
    except DatasetUnavailableError as error:
        print(f"rram-ber evaluate: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result.as_json()))
        return 0
    interval = (
        "undefined with one repeat"
        if math.isnan(result.accuracy_ci_low)
        else f"{100 * result.accuracy_ci_low:.2f} .. {100 * result.accuracy_ci_high:.2f} %"
    )
    when = "per chip" if result.mode == "static" else "per read"
    source = result.condition_text or f"uniform BER {result.ber:g}"
    rows = [
        ("model", f"{result.model} ({result.data}, {result.n_inputs} test inputs)"),
        ("errors", f"{result.mode} ({when}), {source}"),
        ("repeats", f"{result.repeats} (seed {result.seed})"),
        ("accuracy", f"{100 * result.accuracy_mean:.2f} % (95 % CI {interval})"),
    ]
    if result.accuracy_at_ber_0 is not None:
        rows.append(
            ("at BER 0", f"{100 * result.accuracy_at_ber_0:.2f} % (the other end of the BER's "
             "range)")
        )  # fmt: skip
    else:
        rows.append(("clean accuracy", f"{100 * result.clean_accuracy:.2f} % (no errors)"))
    if result.shipped_clean_accuracy is not None:
        rows.append(("shipped accuracy", f"{100 * result.shipped_clean_accuracy:.2f} % (recorded)"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"\nlayers as read (bit errors only on binary and ternary weights):\n"
          f"{format_layer_table(result.network)}")  # fmt: skip
    return 0
