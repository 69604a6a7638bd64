"""Training recipes of the shipped networks: architecture and hyper-parameters, no trainer.

A :class:`Recipe` is data: the trainer (:mod:`rram_ber.analysis.bnn.train`, PyTorch) builds and
trains it, and every model file records the recipe it was trained with (so a test can check that the
shipped file is what the current recipe produces).

Recipe (BinaryNet: Courbariaux, Hubara et al., arXiv 1602.02830; larq's ``ste_sign`` and
``weight_clip``): latent real weights quantized in the forward pass (sign for binary; the fixed
threshold 0.05 of Laborieux et al. / Quantized_VGG for ternary), latent weights clipped to
[-1, 1] after every step, straight-through estimator ``1{|x| <= 1}`` for sign activations;
block order linear -> pool -> batch norm -> sign (hidden), ReLU (real feature layers of
"classifier-only" networks, Penkovsky et al., DATE 2020) or nothing (last layer: logits);
first-layer input codes / max_code; softmax cross-entropy; Adam with the learning rate
multiplied by ``lr_decay`` after every epoch, or on a cosine schedule (:class:`LrSchedule`);
optionally random shifts and left-right mirroring of training images (the standard
Fashion-MNIST / CIFAR augmentation; the validation and test images are never augmented). The
epoch with the best validation accuracy (a seeded hold-out of the training split, never the
test split) is exported.

Error-aware training (Hirtzlin et al., AICAS 2019): ``train_ber > 0`` draws weight errors at
that rate in every training forward pass (binary: sign flips; ternary: 0 <-> +-1 as in the
seed papers' code, :meth:`rram_ber.analysis.bnn.errors.TransitionMatrix.ternary_from_ber`).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from rram_ber.analysis.bnn.layers import LayerType
from rram_ber.analysis.bnn.quantizers import DEFAULT_TERNARY_THRESHOLD, WeightKind
from rram_ber.core.validation import ParameterError


class LrSchedule(enum.StrEnum):
    """Learning-rate schedule over the epochs.

    ``exponential``: multiplied by ``lr_decay`` after every epoch. ``cosine``: half a cosine
    from ``learning_rate`` to 0 over the recipe's epochs, stepped once per epoch (SGDR,
    Loshchilov & Hutter, ICLR 2017, without restarts).
    """

    EXPONENTIAL = "exponential"
    COSINE = "cosine"


class Activation(enum.StrEnum):
    """Output stage of a block: sign (+-1), relu (real features) or logits (last layer)."""

    SIGN = "sign"
    RELU = "relu"
    LOGITS = "logits"


@dataclass(frozen=True)
class LayerSpec:
    """One block of a recipe.

    Parameters
    ----------
    type : LayerType
        dense, conv1d or conv2d.
    n_out : int
        Output channels.
    weights : WeightKind
        binary, ternary or real.
    activation : Activation
        sign, relu or logits (last layer only).
    kernel : int or tuple of int
        Conv kernel (ignored for dense).
    pool : int
        Max-pool window after the conv (1 = none).
    padding : int
        Zero padding of the conv on each side.
    """

    type: LayerType
    n_out: int
    weights: WeightKind
    activation: Activation = Activation.SIGN
    kernel: int | tuple[int, int] = 1
    pool: int = 1
    padding: int = 0

    @property
    def kernel_1d(self) -> int:
        """Conv1D kernel length."""
        if not isinstance(self.kernel, int):
            raise ParameterError("kernel", self.kernel, "an int for conv1d")
        return self.kernel

    @property
    def kernel_2d(self) -> tuple[int, int]:
        """Conv2D kernel (kh, kw)."""
        if isinstance(self.kernel, int):
            raise ParameterError("kernel", self.kernel, "(kh, kw) for conv2d")
        return self.kernel


@dataclass(frozen=True)
class Recipe:
    """Everything that defines a shipped model's training."""

    name: str
    dataset: str
    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]
    description: str
    epochs: int
    learning_rate: float = 1e-3
    lr_decay: float = 0.7
    batch_size: int = 100
    ternary_threshold: float = DEFAULT_TERNARY_THRESHOLD
    #: Fraction of the training split held out for model selection.
    validation_fraction: float = 0.1
    #: Bit-error rate drawn in every training forward pass (0: standard training).
    train_ber: float = 0.0
    #: Latent-weight initialisation: ``default`` (PyTorch's layer default, uniform
    #: +-1/sqrt(fan_in)) or ``glorot`` (uniform +-sqrt(6 / (fan_in + n_out)), BinaryNet's code).
    #: Ternary layers need ``glorot`` when fan_in is large: PyTorch's default then puts every
    #: latent weight inside the ternary threshold (+-0.036 < 0.05 for fan_in 784), so all
    #: weights start at 0.
    weight_init: str = "default"
    #: Learning-rate schedule (``lr_decay`` is used by ``exponential`` only).
    lr_schedule: LrSchedule = LrSchedule.EXPONENTIAL
    #: Training-time augmentation of images (conv2d inputs only): a random shift of up to
    #: this many pixels in each direction, the emptied border filled with code 0 (random crop
    #: of the zero-padded image, as in the CIFAR/Fashion-MNIST BNN recipes), 0 = none.
    augment_shift: int = 0
    #: Training-time augmentation: mirror each image left-right with probability 1/2.
    augment_flip: bool = False


def _mlp(hidden: Sequence[int], n_classes: int, kind: WeightKind) -> tuple[LayerSpec, ...]:
    blocks = [LayerSpec(LayerType.DENSE, n, kind) for n in hidden]
    return (*blocks, LayerSpec(LayerType.DENSE, n_classes, kind, Activation.LOGITS))


def _fashion_cnn(kind: WeightKind) -> tuple[LayerSpec, ...]:
    """Three padded 3x3 conv blocks (VGG-like, padding 1 as in the seed papers' VGG), 64-128-256
    channels: the 32-64-128 version underfitted (training loss 0.27, 88.82 % binary)."""
    return (
        *(
            LayerSpec(LayerType.CONV2D, n, kind, kernel=(3, 3), pool=2, padding=1)
            for n in (64, 128, 256)
        ),
        LayerSpec(LayerType.DENSE, 512, kind),
        LayerSpec(LayerType.DENSE, 10, kind, Activation.LOGITS),
    )


def _digits_cnn(kind: WeightKind) -> tuple[LayerSpec, ...]:
    return (
        LayerSpec(LayerType.CONV2D, 32, kind, kernel=(3, 3), pool=2),
        LayerSpec(LayerType.DENSE, 128, kind),
        LayerSpec(LayerType.DENSE, 10, kind, Activation.LOGITS),
    )


def _ecg_cnn(features: WeightKind, n_classes: int = 4) -> tuple[LayerSpec, ...]:
    """Beat classifier; ``features`` real = "classifier-only" binarization (Penkovsky 2020)."""
    activation = Activation.SIGN if features is not WeightKind.REAL else Activation.RELU
    return (
        LayerSpec(LayerType.CONV1D, 16, features, activation, kernel=7, pool=2),
        LayerSpec(LayerType.CONV1D, 32, features, activation, kernel=5, pool=2),
        LayerSpec(LayerType.DENSE, 64, WeightKind.BINARY),
        LayerSpec(LayerType.DENSE, n_classes, WeightKind.BINARY, Activation.LOGITS),
    )


_B, _T, _R = WeightKind.BINARY, WeightKind.TERNARY, WeightKind.REAL
_FASHION_MLP = "784-512-512-10 MLP"
_FASHION_CNN = (
    "conv3x3-64-pad1-pool2, conv3x3-128-pad1-pool2, conv3x3-256-pad1-pool2, dense 512, dense 10"
)
#: The shipped models. Names: data set, architecture, kind (bnn = binary weights, tnn = ternary
#: weights; activations are binary in both); ``-ea``: error-aware training.
RECIPES = {
    r.name: r
    for r in (
        Recipe("fashion-mlp-bnn", "fashion-mnist", (784,), _mlp((512, 512), 10, _B),
               f"{_FASHION_MLP}, binary weights and activations", epochs=15, lr_decay=0.8),
        Recipe("fashion-mlp-bnn-ea", "fashion-mnist", (784,), _mlp((512, 512), 10, _B),
               f"{_FASHION_MLP}, binary; error-aware training (sign flips at 4e-2)", epochs=15,
               lr_decay=0.8, train_ber=4e-2),
        Recipe("fashion-mlp-tnn", "fashion-mnist", (784,), _mlp((512, 512), 10, _T),
               f"{_FASHION_MLP}, ternary weights, binary activations", epochs=15, lr_decay=0.8,
               weight_init="glorot"),
        Recipe("fashion-cnn-bnn", "fashion-mnist", (28, 28, 1),
               _fashion_cnn(_B), f"{_FASHION_CNN}; binary",
               epochs=15, lr_decay=0.8),
        Recipe("fashion-cnn-bnn-ea", "fashion-mnist", (28, 28, 1),
               _fashion_cnn(_B),
               f"{_FASHION_CNN}; binary; error-aware training (sign flips at 4e-2)",
               epochs=15, lr_decay=0.8, train_ber=4e-2),
        Recipe("fashion-cnn-tnn", "fashion-mnist", (28, 28, 1), _fashion_cnn(_T),
               f"{_FASHION_CNN}; ternary weights", epochs=15, lr_decay=0.8,
               weight_init="glorot"),
        Recipe("digits-mlp-bnn", "digits", (64,), _mlp((128, 128), 10, _B),
               "64-128-128-10 MLP, binary weights and activations", epochs=60, lr_decay=0.96),
        Recipe("digits-mlp-tnn", "digits", (64,), _mlp((128, 128), 10, _T),
               "64-128-128-10 MLP, ternary weights, binary activations", epochs=30,
               lr_decay=0.93),
        Recipe("digits-cnn-bnn", "digits", (8, 8, 1), _digits_cnn(_B),
               "conv3x3-32-pool2, dense 128, dense 10; binary", epochs=30, lr_decay=0.93),
        Recipe("digits-cnn-tnn", "digits", (8, 8, 1), _digits_cnn(_T),
               "conv3x3-32-pool2, dense 128, dense 10; ternary weights", epochs=30,
               lr_decay=0.93),
        Recipe("ecg-synthetic-cnn-bnn", "ecg-synthetic", (117, 1), _ecg_cnn(_B),
               "SYNTHETIC heartbeats (not MIT-BIH); whole network binarized: conv7-16-pool2, "
               "conv5-32-pool2, dense 64, dense 4", epochs=8, weight_init="glorot"),
        Recipe("ecg-synthetic-cnn-bnn-classifier", "ecg-synthetic", (117, 1), _ecg_cnn(_R),
               "SYNTHETIC heartbeats (not MIT-BIH); classifier only binarized: real "
               "conv7-16-pool2 and conv5-32-pool2 with ReLU, binary dense 64, dense 4",
               epochs=8),
    )
}  # fmt: skip

#: The same ECG networks for real MIT-BIH beats (5 AAMI classes, inter-patient DS1/DS2 split).
#: Not shipped: no package carries the records and this project's machines cannot download
#: them. Train where the records are: ``--mitbih-dir DIR`` (or no directory, with a network,
#: to read them from PhysioNet through wfdb).
MITBIH_RECIPES = {
    r.name: r
    for r in (
        Recipe("mitbih-cnn-bnn", "mitbih", (117, 1), _ecg_cnn(_B, 5),
               "MIT-BIH beats; whole network binarized", epochs=8),
        Recipe("mitbih-cnn-bnn-classifier", "mitbih", (117, 1), _ecg_cnn(_R, 5),
               "MIT-BIH beats; classifier only binarized", epochs=8),
    )
}  # fmt: skip
