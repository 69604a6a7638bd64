"""The train/test container every data loader returns (no loader here, so no import cycle).

:mod:`rram_ber.analysis.bnn.datasets` (Fashion-MNIST, digits) and :mod:`rram_ber.analysis.bnn.ecg`
(MIT-BIH, synthetic heartbeats) both build :class:`Dataset` objects;
:mod:`rram_ber.analysis.bnn.datasets` dispatches by name to both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt


class DatasetUnavailableError(RuntimeError):
    """A data set's files are not installed on this machine (the message says how to fix it)."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test splits as integer input codes.

    Parameters
    ----------
    name : str
        Data set name (one of :data:`DATASETS` or ``mitbih``).
    x_train, x_test : ndarray of uint8, shape (N, *sample_shape)
        Input codes ``0 <= x <= max_code``; images are (H, W, 1), signals (L, 1).
    y_train, y_test : ndarray of int64, shape (N,)
        Class indices.
    classes : tuple of str
        Class names, in index order.
    max_code : int
        Largest possible code (255 for 8-bit data, 16 for digits); training scales inputs by
        ``1 / max_code``.
    info : dict
        Provenance (source, split, generator parameters), JSON-serialisable.
    """

    name: str
    x_train: npt.NDArray[np.uint8]
    y_train: npt.NDArray[np.int64]
    x_test: npt.NDArray[np.uint8]
    y_test: npt.NDArray[np.int64]
    classes: tuple[str, ...]
    max_code: int
    info: dict[str, Any]

    @property
    def input_bits(self) -> int:
        """Number of bits of the input codes."""
        return max(1, math.ceil(math.log2(self.max_code + 1)))

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one input."""
        return tuple(int(s) for s in self.x_test.shape[1:])
