"""The classification tasks of the Bayesian-transfer study, with out-of-distribution inputs.

* ``moons``: scikit-learn's two interleaving half circles (``make_moons``, noise 0.2), 500
  training and 1,000 test points, standardised by the training mean and deviation. Out of
  distribution: 1,000 points on an annulus of radius 3.5 ... 5 (standardised units) around the
  data, where no training point lies (the data sit within about 2.5).
* ``digits``: scikit-learn's 8 x 8 digits (the project's fixed 1,437 / 360 split,
  :func:`~rram_ber.analysis.bnn.datasets.load_digits`), pixels scaled to [0, 1]. Out of
  distribution: the test images with their 64 pixels shuffled (one random permutation per
  image), which keeps each image's intensity histogram and destroys its strokes.

Every array is drawn from the seeds below, so a task is the same in every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rram_ber.core.validation import check_choice

#: Task names accepted by :func:`load_task`.
TASKS = ("moons", "digits")
#: Root seed of the moons samples and of every out-of-distribution set.
TASK_SEED = 20261207
MOONS_NOISE = 0.2
MOONS_TRAIN = 500
MOONS_TEST = 1000
#: Radii of the out-of-distribution annulus around the standardised moons [-].
MOONS_OOD_RADII = (3.5, 5.0)


@dataclass(frozen=True, eq=False)
class Task:
    """Inputs (float, shape (n, features)) and labels of one task.

    Attributes
    ----------
    name : str
        One of :data:`TASKS`.
    x_train, y_train, x_test, y_test : numpy.ndarray
        Training and test inputs and class indices.
    x_ood : numpy.ndarray
        Out-of-distribution inputs (no label).
    classes : int
        Number of classes.
    """

    name: str
    x_train: NDArray[np.float64]
    y_train: NDArray[np.int64]
    x_test: NDArray[np.float64]
    y_test: NDArray[np.int64]
    x_ood: NDArray[np.float64]
    classes: int


def load_task(name: str) -> Task:
    """The task ``name`` (one of :data:`TASKS`), the same arrays at every call."""
    check_choice("task", name, TASKS)
    seeds = np.random.SeedSequence(TASK_SEED).spawn(3)
    if name == "moons":
        return _moons(seeds)
    return _digits(seeds[2])


def _moons(seeds: list[np.random.SeedSequence]) -> Task:
    from sklearn.datasets import make_moons

    train_seed = int(seeds[0].generate_state(1)[0])
    test_seed = int(seeds[1].generate_state(1)[0])
    x_train, y_train = make_moons(MOONS_TRAIN, noise=MOONS_NOISE, random_state=train_seed)
    x_test, y_test = make_moons(MOONS_TEST, noise=MOONS_NOISE, random_state=test_seed)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    rng = np.random.default_rng(seeds[2])
    radius = rng.uniform(*MOONS_OOD_RADII, MOONS_TEST)
    angle = rng.uniform(0.0, 2.0 * np.pi, MOONS_TEST)
    x_ood = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return Task(
        name="moons",
        x_train=(x_train - mean) / std,
        y_train=y_train.astype(np.int64),
        x_test=(x_test - mean) / std,
        y_test=y_test.astype(np.int64),
        x_ood=x_ood,
        classes=2,
    )


def _digits(seed: np.random.SeedSequence) -> Task:
    from rram_ber.analysis.bnn.datasets import load_dataset

    data = load_dataset("digits")
    scale = 1.0 / data.max_code
    x_train = data.x_train.reshape(len(data.x_train), -1).astype(float) * scale
    x_test = data.x_test.reshape(len(data.x_test), -1).astype(float) * scale
    rng = np.random.default_rng(seed)
    x_ood = np.stack([row[rng.permutation(row.size)] for row in x_test])
    return Task(
        name="digits",
        x_train=x_train,
        y_train=np.asarray(data.y_train, dtype=np.int64),
        x_test=x_test,
        y_test=np.asarray(data.y_test, dtype=np.int64),
        x_ood=x_ood,
        classes=len(data.classes),
    )
