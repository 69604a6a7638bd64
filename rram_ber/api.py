"""The Python API: one module for notebooks and scripts.

Everything the command line does, as functions that take and return Python objects::

    from rram_ber import api

    spec = api.load_campaign("campaign.toml")         # or a dict, as read from TOML
    result = api.run_campaign(spec, "out")            # str or Path; resumes like `rram-ber run`
    ber = api.ber_table(result)                       # pandas.DataFrame (ber.csv)
    accuracy = api.evaluate_accuracy(result, repeats=5, test_limit=500)
    report = api.write_report(result, "out/report.html", limits=api.SpecLimits(ber_max=1e-2))
    rows = api.load_samples(result)                   # the sample rows (one per read)
    one = api.read(r_bl=5e3, r_blb=50e3, vdd=1.2)     # one read: decision, delay_s, energy_j
    mine = api.evaluate_accuracy(model="net.onnx", data="test.npz", ber=1e-3)

With ``workers=1`` (the default of :func:`run_campaign`, :func:`evaluate_accuracy` and
:func:`write_report`) the campaign and the accuracy evaluations run in this process, so a
script needs no ``if __name__ == "__main__":`` guard and code typed into a notebook or piped
to ``python -`` works; with more workers they run on worker processes (then the guard is
needed, as for any use of :mod:`multiprocessing` with the ``spawn`` start method).

Errors in the input raise :class:`~rram_ber.core.validation.ParameterError` with the same message
the command line prints.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from rram_ber.characterization.executors import InProcessExecutor
from rram_ber.characterization.spec_limits import SpecLimits
from rram_ber.commands.run import FailedConditionsError
from rram_ber.core.validation import MissingParameterError, ParameterError, check_int

if TYPE_CHECKING:
    from rram_ber.analysis.report import Report
    from rram_ber.characterization.campaign import CampaignResult
    from rram_ber.characterization.spec import CampaignSpec
    from rram_ber.commands.read import ReadResult

__all__ = [
    "FailedConditionsError",
    "InProcessExecutor",
    "ParameterError",
    "SpecLimits",
    "bayes_transfer",
    "ber_table",
    "crossbar_study",
    "evaluate_accuracy",
    "load_campaign",
    "load_samples",
    "read",
    "run_campaign",
    "segmentation_study",
    "write_report",
]


def load_campaign(source: str | Path | Mapping[str, Any]) -> CampaignSpec:
    """A validated campaign from a TOML file or from a dict of its tables.

    Parameters
    ----------
    source : path or mapping
        A campaign file (as ``rram-ber run`` takes), or the same tables as a dict, e.g.
        ``{"campaign": {"samples": 100}, "conditions": {"vdd_v": [1.2, 0.9]}}`` (relative
        file names in it are read from the current directory). A campaign that names no
        ``method`` is ``"auto"``: ``samples`` Monte-Carlo samples per condition group, then a
        rare-event estimate for each condition they leave unresolved; add
        ``"method": "monte-carlo"`` to the ``campaign`` table for samples only.

    Raises
    ------
    ParameterError
        For a missing or invalid file, or an invalid campaign (naming the key).
    """
    from rram_ber.characterization.spec import load_spec, parse_spec

    if isinstance(source, Mapping):
        if "conditions" not in source:
            raise ParameterError(
                "spec", sorted(source), "a campaign with a 'conditions' table (e.g. vdd_v)"
            )
        return parse_spec(source, source_dir=str(Path.cwd()))
    return load_spec(source)


def run_campaign(
    spec: CampaignSpec | str | Path | Mapping[str, Any],
    out: str | Path,
    workers: int = 1,
    samples: int | None = None,
    progress: bool = True,
    allow_failures: bool = False,
) -> CampaignResult:
    """Run (or resume) a campaign and return its tables.

    Parameters
    ----------
    spec : CampaignSpec, path or mapping
        The campaign (anything :func:`load_campaign` takes is loaded first).
    out : str or Path
        Output directory; created, or resumed if it holds the same campaign.
    workers : int
        1 (default): in this process; more: that many worker processes.
    samples : int, optional
        Override the Monte-Carlo count per condition (a quick look; an auto campaign's first
        round).
    progress : bool
        Show a progress bar on standard error.
    allow_failures : bool
        Return even when every read of a condition failed (as ``rram-ber run
        --allow-failures``); by default such a campaign raises.

    Returns
    -------
    characterization.campaign.CampaignResult
        ``out``, ``ber`` and ``confusion`` (DataFrames) and the chunk counts.

    Raises
    ------
    rram_ber.commands.run.FailedConditionsError
        Without ``allow_failures``, if every read of some condition failed: the message names
        them and their most common failure reason; the tables and chunks are stored, and the
        finished result is the error's ``result``.
    """
    from rram_ber.characterization.campaign import run_campaign as run
    from rram_ber.characterization.executors import LocalExecutor
    from rram_ber.characterization.spec import CampaignSpec
    from rram_ber.commands.run import failed_conditions
    from rram_ber.progress import ProgressBar

    campaign = spec if isinstance(spec, CampaignSpec) else load_campaign(spec)
    if samples is not None:
        campaign = campaign.with_samples(samples)
    check_int("workers", workers, 1, 256)
    executor = InProcessExecutor() if workers == 1 else LocalExecutor(workers)
    with executor, ProgressBar("campaign", enabled=progress, file=sys.stderr) as bar:
        result = run(campaign, Path(out), executor, progress=bar, stream=sys.stderr)
    failed = failed_conditions(
        result.ber, result.out, {c.condition_id: c.label() for c in campaign.conditions()}
    )
    if failed and not allow_failures:
        raise FailedConditionsError(result, failed)
    return result


def _campaign_dir(campaign: Any) -> Path | None:
    """The output directory behind a result, a directory or a ``ber.csv`` path (else None)."""
    if hasattr(campaign, "out") and hasattr(campaign, "ber"):
        return Path(campaign.out)
    if isinstance(campaign, str | Path):
        path = Path(campaign)
        return path.parent if path.name == "ber.csv" else path
    return None


def ber_table(campaign: CampaignResult | str | Path) -> pd.DataFrame:
    """The ``ber.csv`` table of a campaign (columns in the README) as a DataFrame.

    Parameters
    ----------
    campaign : CampaignResult, or path
        What :func:`run_campaign` returned, a campaign output directory or its ``ber.csv``.
    """
    if hasattr(campaign, "ber") and isinstance(campaign.ber, pd.DataFrame):
        return campaign.ber.copy()
    folder = _campaign_dir(campaign)
    if folder is None or not (folder / "ber.csv").is_file():
        raise ParameterError(
            "campaign", str(campaign), "a campaign result, output directory or ber.csv"
        )
    from rram_ber.characterization.ber import upgrade_ber_table

    # A table written before the read-outcome definition is read into today's columns.
    return upgrade_ber_table(pd.read_csv(folder / "ber.csv"))


def evaluate_accuracy(
    campaign: CampaignResult | str | Path | pd.DataFrame | None = None,
    conditions: Sequence[int] | None = None,
    repeats: int = 10,
    seed: int = 0,
    test_limit: int | None = None,
    confusion: pd.DataFrame | None = None,
    *,
    model: str | Path | Sequence[str | Path] | None = None,
    data: str | Path | None = None,
    ber: float | None = None,
    mode: str = "static",
    workers: int = 1,
) -> pd.DataFrame:
    """Accuracy of a network with each condition's measured error model, or at a uniform BER.

    Two uses, as the command line has them:

    * ``campaign`` given: each condition of the campaign evaluated with its own error model
      (as the report's accuracy section and ``rram-ber evaluate --ber-table``), with the
      shipped networks or ``model``;
    * ``ber`` given (no campaign): ``model`` at that uniform bit-error rate on every binary
      and ternary layer, as ``rram-ber evaluate --model M --ber P [--data D]``.

    Parameters
    ----------
    campaign : CampaignResult, path or DataFrame, optional
        What :func:`run_campaign` returned, an output directory, a ``ber.csv`` path, or a BER
        table as a DataFrame (ternary conditions then need ``confusion`` too).
    conditions : sequence of int, optional
        Condition ids to evaluate (default: every measured one).
    repeats : int
        Error realisations (chips) per estimate.
    seed : int
        Root seed of the error draws.
    test_limit : int, optional
        Evaluate on the first ``test_limit`` test inputs only.
    confusion : DataFrame, optional
        The ``confusion.csv`` table belonging to a DataFrame ``campaign``.
    model : str, path or sequence of them, optional
        Your network: a shipped name, a ``.npz`` or an ``.onnx`` file. With a campaign: one
        network, or one binary and one ternary network, each evaluated on the conditions of
        its weight kind (the others are skipped with a note); default the shipped networks.
        With ``ber``: required, one network.
    data : str or path, optional
        Test data ``.npz`` (``x``, ``y``) for ``model`` (default: its shipped data set).
    ber : float, optional
        A uniform bit-error rate 0..1 (instead of a campaign).
    mode : str
        With ``ber``: ``"static"`` errors (drawn once per chip, default) or ``"dynamic"``.
    workers : int
        With a campaign: processes evaluating in parallel (1, the default: in this process,
        no ``__main__`` guard needed); any number gives the same numbers.

    Returns
    -------
    pandas.DataFrame
        ``condition_id``, ``model``, ``ber`` and ``ber_resolution`` (the condition's one
        resolved BER, :func:`rram_ber.analysis.bnn.ber_table.resolve_ber`: ``estimated``,
        ``bound-below-floor`` or ``unresolved-bound``, where no error was seen and the
        accuracy at the bound is a worst case; ``given`` for a uniform ``ber``, then
        ``condition_id`` is None), ``accuracy_mean`` and its 95 % interval (clipped to
        [0, 1]), ``repeats``, ``clean_accuracy`` and ``accuracy_drop``; the same numbers as
        the report and ``rram-ber evaluate``. Notes on what could not be evaluated are in
        ``frame.attrs["notes"]``.

    Raises
    ------
    ParameterError
        For bad input (naming the argument), e.g. ``ber`` together with a campaign, or a
        model without test data.
    """
    from rram_ber.analysis.accuracy import accuracy_study
    from rram_ber.analysis.bnn.ber_table import campaign_floor

    if ber is not None:
        if campaign is not None:
            raise ParameterError("ber", ber, "no value together with a campaign (give one)")
        return _uniform_accuracy(model, data, ber, repeats, seed, test_limit, mode)
    if campaign is None:
        raise MissingParameterError("campaign", "a campaign result, directory or table, or ber")
    if isinstance(campaign, pd.DataFrame) or (
        hasattr(campaign, "ber") and not isinstance(campaign, str | Path)
    ):
        table = campaign if isinstance(campaign, pd.DataFrame) else campaign.ber
        # A result's resolution floor is its campaign's; a bare table gets the default.
        floor = None
        if not isinstance(campaign, pd.DataFrame):
            confusion = campaign.confusion if confusion is None else confusion
            floor = campaign_floor(Path(campaign.out))
        with tempfile.TemporaryDirectory() as folder:
            table.to_csv(Path(folder) / "ber.csv", index=False)
            if confusion is not None:
                confusion.to_csv(Path(folder) / "confusion.csv", index=False)
            study = accuracy_study(
                Path(folder) / "ber.csv", conditions, repeats, seed, test_limit,
                model=model, data=data, resolve_below=floor, workers=workers,
            )  # fmt: skip
    else:
        folder_path = _campaign_dir(campaign)
        if folder_path is None:
            raise ParameterError("campaign", campaign, "a campaign result, directory or table")
        study = accuracy_study(
            folder_path / "ber.csv", conditions, repeats, seed, test_limit,
            model=model, data=data, workers=workers,
        )  # fmt: skip
    points = study.points.copy()
    points.attrs["notes"] = list(study.notes)
    return points


def _uniform_accuracy(
    model: Any, data: Any, ber: float, repeats: int, seed: int, limit: int | None, mode: str
) -> pd.DataFrame:
    """``rram-ber evaluate --model M --ber P`` as a one-row frame of evaluate_accuracy."""
    from rram_ber.commands.evaluate import evaluate

    if model is None:
        raise MissingParameterError("model", "a network (shipped name, .npz or .onnx) with ber")
    if not isinstance(model, str | Path):
        raise ParameterError("model", model, "one network (shipped name, .npz or .onnx) with ber")
    options = {"model": str(model), "ber": ber, "repeats": repeats, "seed": seed, "mode": mode,
               "limit": limit, "data": None if data is None else str(data)}  # fmt: skip
    args = _command_options("evaluate", options)
    args.quiet = True
    try:
        result = evaluate(args)
    except ParameterError as error:
        raise error.renamed(error.field.removeprefix("--").replace("-", "_")) from None
    row = {
        "condition_id": None,
        "model": result.model,
        "ber": result.ber,
        "ber_resolution": result.ber_resolution,
        "accuracy_mean": result.accuracy_mean,
        "accuracy_ci_low": max(result.accuracy_ci_low, 0.0),
        "accuracy_ci_high": min(result.accuracy_ci_high, 1.0),
        "repeats": result.repeats,
        "clean_accuracy": result.clean_accuracy,
        "accuracy_drop": result.accuracy_drop,
    }
    frame = pd.DataFrame([row])
    frame.attrs["notes"] = []
    return frame


def load_samples(campaign: CampaignResult | str | Path) -> pd.DataFrame:
    """The sample rows of a finished campaign: one row per simulated read.

    The rows ``ber.csv`` counts (the campaign's planned chunks, each verified against its
    checksum), sorted by condition and sample; columns in the README (``condition_id``,
    ``sample``, ``status`` and ``reason``, ``decision``, ``delay_s``, ``energy_j``, every
    drawn variable, ...). The report reads the same rows.

    Parameters
    ----------
    campaign : CampaignResult or path
        What :func:`run_campaign` returned, or a campaign output directory.

    Raises
    ------
    ParameterError
        If the directory does not hold a finished campaign, or a chunk is damaged.
    """
    from rram_ber.analysis.campaign_data import load_campaign as load

    folder = _campaign_dir(campaign)
    if folder is None:
        raise ParameterError("campaign", campaign, "a campaign result or output directory")
    return load(folder).samples


def read(**options: Any) -> ReadResult:
    """One read of a cell with fixed resistances, as ``rram-ber read`` simulates it.

    ``options`` are that command's options with underscores: ``cell`` (``"2t2r"``,
    ``"1t1r"``), ``r_bl``, ``r_blb``, ``r_ref`` [ohm], ``technology``, ``vdd`` [V],
    ``corner``, ``temp`` [C], ``t_sample`` [s], ``rows``, ``mux``, ``isolated=True``,
    ``no_device_temperature=True``, ``backend`` (``"shared"``: ngspice in this process,
    the default; ``"subprocess"``: ``ngspice -b``). Numbers may be given as SPICE text
    (``r_bl="5k"``). E.g. ``api.read(r_bl=5e3, r_blb=50e3, vdd=1.2, corner="ss", temp=85)``.

    Returns
    -------
    rram_ber.commands.read.ReadResult
        ``decision``, ``resolved``, ``delay_s`` [s] (NaN if never resolved), ``energy_j``
        [J], the outputs at sampling and the read's settings (``technology`` included).

    Raises
    ------
    ParameterError
        For an unknown option or a value out of range (naming the option).
    """
    from rram_ber.commands.read import simulate_read

    return simulate_read(_command_options("read", options))


def write_report(
    campaign: CampaignResult | str | Path,
    html_path: str | Path = "report.html",
    **options: Any,
) -> Report:
    """Write the HTML/Markdown/CSV report of a finished campaign.

    Parameters
    ----------
    campaign : CampaignResult or path
        What :func:`run_campaign` returned, or a campaign output directory.
    html_path : str or Path
        The HTML file (``.html``); the Markdown file and ``<stem>_files/`` go beside it.
    **options
        Fields of :class:`rram_ber.analysis.report.ReportOptions`: ``operating_points`` (list
        of ``"corner=tt,vdd_v=1.2,..."``), ``limits`` (:class:`SpecLimits`), ``accuracy``
        (False: no accuracy section), ``repeats``, ``seed``, ``test_limit``, ``ber_target``,
        ``pdf``, ``rare_estimates``, ``workers`` (processes evaluating the accuracies; 1, the
        default here: in this process, no ``__main__`` guard needed), and

        model : str, path or list of them
            Your network for the accuracy section (as ``rram-ber report --model``): a
            shipped name, ``.npz`` or ``.onnx``, or ``[binary, ternary]`` networks. Each is
            evaluated on the conditions of its weight kind; those of a kind without a
            network of yours are skipped, with a note in the report saying why. Default:
            the shipped networks.
        model_data : str or path
            Test data ``.npz`` (``x``, ``y``) for ``model`` (as ``--data``).

    Returns
    -------
    analysis.report.Report
        The paths written.

    Raises
    ------
    ParameterError
        For an unknown option or an option out of range.
    """
    from dataclasses import fields

    from rram_ber.analysis.report import ReportOptions, build_report

    folder = _campaign_dir(campaign)
    if folder is None:
        raise ParameterError("campaign", campaign, "a campaign result or output directory")
    known = [f.name for f in fields(ReportOptions)]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ParameterError("write_report options", unknown, "options among " + ", ".join(known))
    # In this process unless asked: the API needs no __main__ guard (module docstring).
    return build_report(folder, Path(html_path), ReportOptions(**{"workers": 1, **options}))


def _command_options(command: str, options: Mapping[str, Any]) -> Any:
    """``rram-ber COMMAND`` parsed with ``options`` (option names with underscores; a list
    becomes a comma-separated value), so the API converts and checks as the command does."""
    import argparse
    import contextlib
    import io

    from rram_ber.cli import build_parser

    parser = build_parser()
    defaults = parser.parse_args([command])
    words = [command]
    for key, value in options.items():
        if key in ("command", "handler", "json", "quiet", "plots") or not hasattr(defaults, key):
            raise ParameterError(key, value, f"an option of 'rram-ber {command}'")
        option = "--" + key.replace("_", "-")
        if isinstance(value, bool):  # a flag: given or not
            words += [option] if value else []
            continue
        if value is None:
            continue
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        words.append(f"{option}={value}")  # "=" keeps a negative value a value
    try:
        with contextlib.redirect_stderr(io.StringIO()) as messages:
            args: argparse.Namespace = parser.parse_args(words)
    except SystemExit:
        detail = messages.getvalue().strip().splitlines()[-1:] or ["invalid value"]
        raise ParameterError("options", dict(options), detail[0]) from None
    return args


def crossbar_study(**options: Any) -> Any:
    """SPICE crossbar tiles against the fast tile model, as ``rram-ber crossbar`` does.

    ``options`` are that command's options with underscores (``sizes=[8, 16]``, ``tiles=20``,
    ``fast_tiles=400``, ``cell="1t1r"``, ``sigma_ln=0.1``, ``r_wire=0.46``, ``seed=1``...).
    Returns a :class:`rram_ber.commands.crossbar.CrossbarStudy` (``table``: one row per size,
    ``comparisons``: the error arrays, ``cell_table``: the isolated-cell sweep).
    """
    from rram_ber.commands.crossbar import crossbar_study as study
    from rram_ber.commands.crossbar import parse_sizes, tile_from_args

    args = _command_options("crossbar", options)
    tiles = [tile_from_args(args, n, n) for n in parse_sizes(args.sizes)]
    return study(tiles, args.sigma_ln, args.tiles, args.fast_tiles, args.seed)


def segmentation_study(**options: Any) -> dict[str, Any]:
    """The SE-FCN on analog crossbar tiles, as ``rram-ber segment`` does.

    ``options`` are that command's options with underscores (``chips=10``,
    ``sigma_levels=[0.05, 0.1, 0.2]``, ``tile=32``, ``cell="1t1r"``, ``data="mine.npz"``...).
    Returns ``data`` (what the images are), ``clean`` (Dice/IoU of the floating-point and the
    quantised network) and DataFrames ``variability``, ``tile_size``, ``wire`` and ``pruning``.
    """
    from rram_ber.commands.segment import segment_study

    for key in ("data", "model", "save_model"):
        if options.get(key) is not None:
            options = {**options, key: Path(options[key])}
    return segment_study(_command_options("segment", options))


def bayes_transfer(
    task: str = "moons",
    devices_per_weight: int = 20,
    spread_scale: float = 1.0,
    draws: int = 5,
    seeds: int = 3,
    seed: int = 1,
    epochs: int | None = None,
    conductance_table: str | Path | None = None,
) -> dict[str, dict[str, float]]:
    """A Bayesian network transferred onto programmed RRAM conductances (``rram-ber bayes``).

    Trains a technology-aware Bayesian MLP and a deterministic one on ``task`` (``"moons"`` or
    ``"digits"``; PyTorch, the ``train`` extra), transfers both onto device draws from the
    conductance table (default: the shipped one, measured by ``rram-ber conductance-sweep``)
    and evaluates them as ensembles (:mod:`rram_ber.analysis.bayes.study`).

    Returns
    -------
    dict
        ``"<variant>_<metric>" -> {"mean", "ci_low", "ci_high", "seed_sd", "runs"}`` for the
        variants ``software``, ``transferred``, ``deterministic_software``,
        ``deterministic_transferred`` and the metrics ``accuracy``, ``nll``, ``ece``,
        ``entropy_in``, ``entropy_ood``; intervals are 95 % over transfer draws.
    """
    from rram_ber.analysis.bayes.study import bayes_transfer as run

    result, _, _ = run(
        task, devices_per_weight, spread_scale, draws, seeds, seed, epochs, conductance_table
    )
    return result.summary
