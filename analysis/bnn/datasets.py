"""Data sets the shipped models are trained and evaluated on, all available offline.

* **Fashion-MNIST** (Xiao, Rasul, Vollgraf 2017, arXiv 1708.07747; MIT licence, Zalando SE):
  60,000 train / 10,000 test 28 x 28 grey images, 10 classes, read from the Debian package
  ``dataset-fashion-mnist`` (IDX files under ``/usr/share/datasets/fashion-mnist``). Inputs are
  the raw 8-bit pixel codes.
* **scikit-learn digits** (UCI optdigits): 1,797 images of 8 x 8 intensities 0..16 (5-bit
  codes), 10 classes, shipped inside scikit-learn. Split here into 1,437 train / 360 test by a
  fixed seeded permutation (:data:`DIGITS_SPLIT_SEED`).
* **ecg-synthetic**: see :mod:`rram_ber.analysis.bnn.ecg` (a generator, not recordings).

Every loader returns a :class:`Dataset` of integer input codes, so a network's first layer
computes exact integer dot products (see :mod:`rram_ber.analysis.bnn.layers`).
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import math
from pathlib import Path

import numpy as np
import numpy.typing as npt

from rram_ber.analysis.bnn.ecg import synthetic_dataset
from rram_ber.analysis.bnn.splits import Dataset as Dataset
from rram_ber.analysis.bnn.splits import DatasetUnavailableError as DatasetUnavailableError
from rram_ber.core.validation import ParameterError

#: Install location of the Debian package ``dataset-fashion-mnist``.
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

FASHION_MNIST_CLASSES = (
    "t-shirt/top",
    "trouser",
    "pullover",
    "dress",
    "coat",
    "sandal",
    "shirt",
    "sneaker",
    "bag",
    "ankle boot",
)

#: Root seed of the fixed train/test permutation of scikit-learn's digits.
DIGITS_SPLIT_SEED = 20240601
DIGITS_TEST_SIZE = 360

#: Names accepted by :func:`load_dataset`.
DATASETS = ("fashion-mnist", "digits", "ecg-synthetic")


def read_idx(path: Path) -> npt.NDArray[np.uint8]:
    """Read a gzip-compressed IDX file of unsigned bytes (the MNIST format).

    Header: two zero bytes, type code 0x08 (unsigned byte), number of dimensions, then each
    dimension as a big-endian 32-bit integer (LeCun et al., MNIST database page).
    """
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DatasetUnavailableError(f"{path} is not an unsigned-byte IDX file")
    ndim = data[3]
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">i4", count=ndim, offset=4))
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != math.prod(dims):
        raise DatasetUnavailableError(f"{path} is truncated: {array.size} bytes for {dims}")
    return array.reshape(dims)


def load_fashion_mnist(directory: Path | None = None) -> Dataset:
    """Fashion-MNIST from the Debian package's IDX files; images (N, 28, 28, 1) uint8.

    Parameters
    ----------
    directory : Path, optional
        Where the four IDX ``.gz`` files are (default :data:`FASHION_MNIST_DIR`).

    Raises
    ------
    DatasetUnavailableError
        If the files are missing, with the command that installs them.
    """
    names = {
        "x_train": "train-images-idx3-ubyte.gz",
        "y_train": "train-labels-idx1-ubyte.gz",
        "x_test": "t10k-images-idx3-ubyte.gz",
        "y_test": "t10k-labels-idx1-ubyte.gz",
    }
    directory = FASHION_MNIST_DIR if directory is None else directory
    missing = [name for name in names.values() if not (directory / name).is_file()]
    if missing:
        raise DatasetUnavailableError(
            f"Fashion-MNIST is not installed ({', '.join(missing)} missing in {directory}); "
            "install the Debian package: sudo apt-get install dataset-fashion-mnist"
        )
    parts = {key: read_idx(directory / name) for key, name in names.items()}
    return Dataset(
        name="fashion-mnist",
        x_train=parts["x_train"][..., None],
        y_train=parts["y_train"].astype(np.int64),
        x_test=parts["x_test"][..., None],
        y_test=parts["y_test"].astype(np.int64),
        classes=FASHION_MNIST_CLASSES,
        max_code=255,
        info={"source": "Debian package dataset-fashion-mnist", "split": "official 60k/10k"},
    )


def load_digits() -> Dataset:
    """scikit-learn's 8 x 8 digits, fixed seeded split; images (N, 8, 8, 1) uint8 in 0..16.

    Reads the CSV file scikit-learn ships (``sklearn/datasets/data/digits.csv.gz``: 64 pixel
    columns then the label, what ``sklearn.datasets.load_digits`` parses) without importing
    scikit-learn, whose import takes seconds.
    """
    spec = importlib.util.find_spec("sklearn")
    path = None if spec is None or spec.origin is None else Path(spec.origin).parent
    csv_path = None if path is None else path / "datasets" / "data" / "digits.csv.gz"
    if csv_path is None or not csv_path.is_file():
        raise DatasetUnavailableError(
            "the digits data set comes with scikit-learn: pip install scikit-learn"
        )
    table = np.loadtxt(csv_path, delimiter=",", dtype=np.float64)
    images = table[:, :64].reshape(-1, 8, 8, 1).astype(np.uint8)
    labels = table[:, 64].astype(np.int64)
    order = np.random.default_rng(np.random.SeedSequence(DIGITS_SPLIT_SEED)).permutation(
        labels.size
    )
    test, train = order[:DIGITS_TEST_SIZE], order[DIGITS_TEST_SIZE:]
    return Dataset(
        name="digits",
        x_train=images[train],
        y_train=labels[train],
        x_test=images[test],
        y_test=labels[test],
        classes=tuple(str(d) for d in range(10)),
        max_code=16,
        info={
            "source": "scikit-learn load_digits (UCI optdigits)",
            "split": f"permutation seed {DIGITS_SPLIT_SEED}, first {DIGITS_TEST_SIZE} = test",
        },
    )


def load_dataset(name: str) -> Dataset:
    """Load a data set by name (one of :data:`DATASETS`); cached, arrays read-only.

    The result is kept for the process (evaluating several models or error models on one test
    set should not decompress or regenerate it each time); its arrays are read-only so no
    caller can change what the next one gets.

    Raises
    ------
    ParameterError
        For an unknown name.
    DatasetUnavailableError
        If its files are not installed.
    """
    if name not in DATASETS:
        raise ParameterError("dataset", name, "one of " + ", ".join(repr(d) for d in DATASETS))
    return _load_cached(name, FASHION_MNIST_DIR)


@functools.lru_cache(maxsize=len(DATASETS))
def _load_cached(name: str, fashion_directory: Path) -> Dataset:
    if name == "fashion-mnist":
        dataset = load_fashion_mnist(fashion_directory)
    elif name == "digits":
        dataset = load_digits()
    else:
        dataset = synthetic_dataset()
    for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
        array.flags.writeable = False
    return dataset
