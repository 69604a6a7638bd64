"""The Bayesian-transfer study: train, transfer onto device draws, evaluate as ensembles.

For each training seed a technology-aware Bayesian network and a deterministic network of the
same architecture are trained (:mod:`rram_ber.analysis.bayes.torch_vi`). Each is mapped to SET
compliances (:meth:`~rram_ber.analysis.bayes.devices.ConductanceMapping.to_compliances`), and for
each of ``draws`` transfer draws every weight gets ``devices_per_weight / 2`` programmed pairs
drawn from the conductance statistics; the transferred network is the ensemble whose pass ``k``
uses pair ``k`` of every weight. The two networks' transfers of one draw use the same standard
normals device by device (the same devices, programmed to each network's targets).
The software Bayesian network is evaluated the same way on samples of its Gaussian posterior
(as many members), the software deterministic network once on its mean weights.

Intervals: the value of a metric is the mean over all (seed, draw) runs; its 95 % interval is a
Student-t interval over the transfer draws, from the draws' variance pooled within seeds (the
training seeds are not resampled by it); ``seed_sd`` is the standard deviation of the per-seed
means, the spread from training.

Randomness: training seed ``s`` is ``seed + s``; draw ``d`` of training seed ``s`` draws from
``SeedSequence([seed, s, d])`` (the posterior samples of the software network from a separate
child), so adding draws or seeds never changes the runs already there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rram_ber.analysis.bayes import metrics
from rram_ber.analysis.bayes.devices import ConductanceMapping
from rram_ber.analysis.bayes.network import AnalogMlp, ensemble_probs, mean_samples
from rram_ber.analysis.bayes.tasks import Task
from rram_ber.core.validation import ParameterError, check_int

#: Architectures and optimiser settings per task: (hidden widths, epochs, batch size).
TASK_SETTINGS = {"moons": ((32, 32), 300, 50), "digits": ((64,), 60, 64)}
#: The four evaluated networks: (name, network kind, transferred?).
VARIANTS = (
    ("software", "bayes", False),
    ("transferred", "bayes", True),
    ("deterministic_software", "deterministic", False),
    ("deterministic_transferred", "deterministic", True),
)
METRICS = ("accuracy", "nll", "ece", "entropy_in", "entropy_ood")


@dataclass(frozen=True)
class StudySettings:
    """What a study runs.

    Attributes
    ----------
    devices_per_weight : int
        Devices programmed per weight, even, 2 ... 200 (half as many ensemble members).
    draws : int
        Transfer draws per training seed, 1 ... 100.
    seeds : int
        Training seeds, 1 ... 20.
    seed : int
        Root seed.
    epochs : int or None
        Training epochs (None: the task's default).
    hidden : tuple of int or None
        Hidden layer widths, 1 ... 1024 each (None: the task's default).
    """

    devices_per_weight: int = 20
    draws: int = 5
    seeds: int = 3
    seed: int = 1
    epochs: int | None = None
    hidden: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        check_int("devices_per_weight", self.devices_per_weight, 2, 200)
        if self.devices_per_weight % 2:
            raise ParameterError(
                "devices_per_weight", self.devices_per_weight, "an even number (pairs G+, G-)"
            )
        check_int("draws", self.draws, 1, 100)
        check_int("seeds", self.seeds, 1, 20)
        check_int("seed", self.seed, 0, None)
        if self.epochs is not None:
            check_int("epochs", self.epochs, 1, 10_000)
        if self.hidden is not None:
            if not self.hidden:
                raise ParameterError("hidden", self.hidden, "at least one hidden layer")
            for width in self.hidden:
                check_int("hidden", width, 1, 1024)

    @property
    def members(self) -> int:
        """Ensemble members: programmed pairs per weight."""
        return self.devices_per_weight // 2


@dataclass
class StudyResult:
    """Per-run metrics and the trained networks.

    Attributes
    ----------
    runs : pandas.DataFrame
        One row per (seed, draw, variant): ``seed``, ``draw``, ``variant``, the metrics of
        :data:`METRICS`, ``n_clipped``.
    networks : dict
        ``(seed, kind) -> AnalogMlp``.
    summary : dict
        ``variant_metric -> {"mean", "ci_low", "ci_high", "seed_sd", "runs"}``.
    """

    runs: pd.DataFrame
    networks: dict[tuple[int, str], AnalogMlp] = field(default_factory=dict)
    summary: dict[str, dict[str, float]] = field(default_factory=dict)


def software_samples(
    network: AnalogMlp, mapping: ConductanceMapping, rng: np.random.Generator, members: int
) -> list[np.ndarray]:
    """``members`` samples of the Gaussian posterior ``N(mu, sigma(mu)^2)`` of every layer."""
    return [
        w[None] + mapping.weight_sigma(w)[None] * rng.standard_normal((members, *w.shape))
        for w in network.weights
    ]


def transferred_samples(
    network: AnalogMlp, mapping: ConductanceMapping, rng: np.random.Generator, members: int
) -> tuple[list[np.ndarray], int]:
    """Weights of ``members`` programmed pairs per weight, and the clipped-weight count."""
    samples, clipped = [], 0
    for w in network.weights:
        transfer = mapping.to_compliances(w)
        clipped += transfer.n_clipped
        samples.append(mapping.transferred_weights(transfer, rng, members))
    return samples, clipped


def evaluate_draw(
    networks: dict[str, AnalogMlp],
    task: Task,
    mapping: ConductanceMapping,
    members: int,
    seed_sequence: np.random.SeedSequence,
) -> list[dict[str, Any]]:
    """Metrics of the four variants for one transfer draw (rows without seed and draw)."""
    posterior_seed, device_seed = seed_sequence.spawn(2)
    rows = []
    for variant, kind, transferred in VARIANTS:
        network = networks[kind]
        clipped = 0
        if transferred:
            # The same devices (standard normals) for both networks.
            rng = np.random.default_rng(device_seed)
            samples, clipped = transferred_samples(network, mapping, rng, members)
        elif kind == "bayes":
            samples = software_samples(
                network, mapping, np.random.default_rng(posterior_seed), members
            )
        else:
            samples = mean_samples(network)
        probs = ensemble_probs(task.x_test, samples, network.gains)
        probs_ood = ensemble_probs(task.x_ood, samples, network.gains)
        row = {"variant": variant, **metrics.summary(probs, task.y_test, probs_ood)}
        row["n_clipped"] = clipped
        rows.append(row)
    return rows


def summarise(runs: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Mean, 95 % t-interval over transfer draws (pooled within seeds) and seed spread."""
    from scipy import stats

    out: dict[str, dict[str, float]] = {}
    for variant, group in runs.groupby("variant", sort=False):
        n_seeds = group["seed"].nunique()
        n = len(group)
        for metric in METRICS:
            by_seed = group.groupby("seed")[metric]
            mean = float(group[metric].mean())
            dof = n - n_seeds
            within = float((by_seed.transform("mean") - group[metric]).pow(2).sum())
            if dof > 0:
                half = float(stats.t.ppf(0.975, dof)) * math.sqrt(within / dof / n)
            else:
                half = math.nan
            seed_sd = float(by_seed.mean().std(ddof=1)) if n_seeds > 1 else math.nan
            out[f"{variant}_{metric}"] = {
                "mean": mean,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "seed_sd": seed_sd,
                "runs": n,
            }
    return out


def run_study(task: Task, mapping: ConductanceMapping, settings: StudySettings) -> StudyResult:
    """Train, transfer and evaluate; see the module docstring.

    Training runs on one PyTorch thread (restored afterwards), so results do not depend on the
    machine's core count.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _run_study(task, mapping, settings)
    finally:
        torch.set_num_threads(threads)


def _run_study(task: Task, mapping: ConductanceMapping, settings: StudySettings) -> StudyResult:
    from rram_ber.analysis.bayes.torch_vi import TrainSettings, train_network

    hidden, epochs, batch = TASK_SETTINGS[task.name]
    train = TrainSettings(
        hidden=hidden if settings.hidden is None else settings.hidden,
        epochs=settings.epochs if settings.epochs is not None else epochs,
        batch_size=batch,
    )
    rows: list[dict[str, Any]] = []
    networks: dict[tuple[int, str], AnalogMlp] = {}
    for s in range(settings.seeds):
        trained = {
            kind: train_network(
                task.x_train,
                task.y_train,
                task.classes,
                mapping,
                kind,
                train,
                settings.seed + s,
            )
            for kind in ("bayes", "deterministic")
        }
        for kind, network in trained.items():
            networks[(s, kind)] = network
        for d in range(settings.draws):
            sequence = np.random.SeedSequence([settings.seed, s, d])
            for row in evaluate_draw(trained, task, mapping, settings.members, sequence):
                rows.append({"seed": s, "draw": d, **row})
    runs = pd.DataFrame(rows)
    return StudyResult(runs=runs, networks=networks, summary=summarise(runs))


def bayes_transfer(
    task: str = "moons",
    devices_per_weight: int = 20,
    spread_scale: float = 1.0,
    draws: int = 5,
    seeds: int = 3,
    seed: int = 1,
    epochs: int | None = None,
    conductance_table: str | Path | None = None,
    hidden: tuple[int, ...] | None = None,
) -> tuple[StudyResult, Task, ConductanceMapping]:
    """Read the conductance table, load the task and run the study (what ``rram-ber bayes`` runs).

    Parameters
    ----------
    task : str
        ``"moons"`` or ``"digits"``.
    devices_per_weight, draws, seeds, seed, epochs, hidden
        See :class:`StudySettings`.
    spread_scale : float
        Factor on the measured conductance spread, 0 ... 8 (training and transfer).
    conductance_table : path, optional
        A table written by ``rram-ber conductance-sweep`` (default: the shipped one).

    Returns
    -------
    (StudyResult, Task, ConductanceMapping)
    """
    from rram_ber.analysis.bayes.tasks import load_task
    from rram_ber.characterization.conductance_table import ConductanceRelation, read_table

    settings = StudySettings(devices_per_weight, draws, seeds, seed, epochs, hidden)
    relation = ConductanceRelation.fit(read_table(conductance_table))
    mapping = ConductanceMapping(relation, spread_scale)
    loaded = load_task(task)
    return run_study(loaded, mapping, settings), loaded, mapping


def programmed_compliances(
    network: AnalogMlp, mapping: ConductanceMapping, members: int
) -> np.ndarray:
    """Every device's compliance [A] for ``members`` pairs per weight, in programming order.

    Order: per layer, per pair ``k``, the ``G+`` devices of all weights then the ``G-`` devices
    (:func:`programmed_samples` reads conductances back in the same order).
    """
    parts = []
    for w in network.weights:
        transfer = mapping.to_compliances(w)
        for _ in range(members):
            parts += [transfer.compliance_plus_a.ravel(), transfer.compliance_minus_a.ravel()]
    return np.concatenate(parts)


def programmed_samples(
    network: AnalogMlp, mapping: ConductanceMapping, members: int, conductance_s: np.ndarray
) -> list[np.ndarray]:
    """Ensemble weights from measured conductances in :func:`programmed_compliances` order."""
    samples, start = [], 0
    for w in network.weights:
        layer = np.empty((members, *w.shape))
        for k in range(members):
            g_plus = conductance_s[start : start + w.size].reshape(w.shape)
            g_minus = conductance_s[start + w.size : start + 2 * w.size].reshape(w.shape)
            layer[k] = mapping.weights_from_conductances(g_plus, g_minus)
            start += 2 * w.size
        samples.append(layer)
    return samples
