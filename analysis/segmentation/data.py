"""Segmentation data: a synthetic cell-image generator, and the user's own images and masks.

No medical segmentation set can be fetched where this project runs, so the networks of
:mod:`rram_ber.analysis.segmentation` are trained and evaluated on **synthetic** images,
labelled as such in every output (``DATA_LABEL``). The generator draws, per image:

* a textured background: white Gaussian noise low-pass filtered by a Gaussian kernel
  (``texture_sigma_px``), scaled to ``background_contrast``, plus a smooth illumination ramp;
* ``n_cells`` cell-like blobs (uniform in ``cells``): ellipses with random centre, semi-axes
  (``radius_px``), orientation and a boundary perturbed by a few low-order Fourier modes, filled
  with a brightness ``cell_contrast`` above the background that falls off towards the rim
  (a nucleus-like bright centre), plus their own fine texture;
* additive pixel noise (``noise_std``), then clipping to [0, 1].

The mask is 1 inside the blobs. The set stands in for fluorescence-microscopy nucleus
segmentation in shape only: it makes no claim about any medical task.

Your own data: a ``.npz`` file with ``images`` (N, H, W) in [0, 1] and ``masks`` (N, H, W) of
0/1 (:func:`load_npz`); H and W must be multiples of 4 (the network downsamples twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter

from rram_ber.core.validation import ParameterError, check_int, check_range

FloatArray = NDArray[np.float32]

#: Label written next to every figure of the synthetic set.
DATA_LABEL = "synthetic cell images (generated, not medical data)"


@dataclass(frozen=True, slots=True)
class CellImageSettings:
    """Settings of the synthetic generator (pixels and intensities in [0, 1])."""

    size_px: int = 32
    cells: tuple[int, int] = (2, 5)
    radius_px: tuple[float, float] = (2.5, 6.0)
    cell_contrast: float = 0.35
    background_contrast: float = 0.25
    texture_sigma_px: float = 1.5
    noise_std: float = 0.08

    def __post_init__(self) -> None:
        check_int("size_px", self.size_px, 8, 512)
        if self.size_px % 4:
            raise ParameterError("size_px", self.size_px, "a multiple of 4")
        check_int("cells[0]", self.cells[0], 0, 100)
        check_int("cells[1]", self.cells[1], self.cells[0], 100)
        check_range("radius_px[0]", self.radius_px[0], 1.0, self.size_px / 2)
        check_range("radius_px[1]", self.radius_px[1], self.radius_px[0], self.size_px / 2)
        check_range("cell_contrast", self.cell_contrast, 0.0, 1.0)
        check_range("background_contrast", self.background_contrast, 0.0, 1.0)
        check_range("texture_sigma_px", self.texture_sigma_px, 0.0, 20.0)
        check_range("noise_std", self.noise_std, 0.0, 1.0)


def _textured(rng: np.random.Generator, size: int, sigma: float) -> NDArray[np.float64]:
    field = (
        gaussian_filter(rng.standard_normal((size, size)), sigma)
        if sigma > 0
        else (rng.standard_normal((size, size)))
    )
    return field / (field.std() + 1e-12)


def synthetic_cells(
    count: int, seed: int, settings: CellImageSettings | None = None
) -> tuple[FloatArray, FloatArray]:
    """``count`` synthetic images and masks, ``(images, masks)`` of shape (count, H, W).

    Image ``k`` is drawn from ``SeedSequence(seed).spawn(count)[k]``: the same seed gives the
    same set, and the first images do not depend on ``count``.
    """
    check_int("count", count, 1, 1_000_000)
    check_int("seed", seed, 0)
    s = settings or CellImageSettings()
    n = s.size_px
    yy, xx = np.mgrid[0:n, 0:n].astype(float)
    images = np.empty((count, n, n), np.float32)
    masks = np.empty((count, n, n), np.float32)
    for k, child in enumerate(np.random.SeedSequence(seed).spawn(count)):
        rng = np.random.default_rng(child)
        gx, gy = rng.uniform(-0.1, 0.1, 2)
        image = 0.3 + gx * (xx / n - 0.5) + gy * (yy / n - 0.5)
        image = image + s.background_contrast * 0.25 * _textured(rng, n, s.texture_sigma_px)
        mask = np.zeros((n, n), bool)
        fine = _textured(rng, n, 0.7)
        for _ in range(int(rng.integers(s.cells[0], s.cells[1] + 1))):
            cy, cx = rng.uniform(0, n, 2)
            a, b = rng.uniform(*s.radius_px, 2)
            theta = rng.uniform(0, np.pi)
            dy, dx = yy - cy, xx - cx
            u = (dx * np.cos(theta) + dy * np.sin(theta)) / a
            v = (-dx * np.sin(theta) + dy * np.cos(theta)) / b
            angle = np.arctan2(v, u)
            wobble = 1.0 + sum(
                rng.uniform(-0.12, 0.12) * np.cos(m * angle + rng.uniform(0, 2 * np.pi))
                for m in (2, 3, 4)
            )
            radius = np.sqrt(u**2 + v**2) / wobble
            inside = radius <= 1.0
            profile = np.clip(1.0 - 0.5 * radius**2, 0.0, 1.0)
            brightness = s.cell_contrast * rng.uniform(0.7, 1.3)
            image = np.where(inside, image + brightness * profile + 0.04 * fine, image)
            mask |= inside
        image = image + s.noise_std * rng.standard_normal((n, n))
        images[k] = np.clip(image, 0.0, 1.0)
        masks[k] = mask
    return images, masks


def load_npz(path: str | Path) -> tuple[FloatArray, FloatArray]:
    """Images and masks from a user's ``.npz`` (keys ``images`` and ``masks``, see module).

    Raises
    ------
    ParameterError
        Naming the file or key and what is expected.
    """
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            if "images" not in data or "masks" not in data:
                raise ParameterError("data", str(path), "an .npz with arrays 'images' and 'masks'")
            images = np.asarray(data["images"], dtype=np.float32)
            masks = np.asarray(data["masks"], dtype=np.float32)
    except (OSError, ValueError) as error:
        if isinstance(error, ParameterError):
            raise
        raise ParameterError("data", str(path), f"a readable .npz file ({error})") from None
    if images.ndim != 3 or images.shape != masks.shape:
        raise ParameterError("images", images.shape, "(N, H, W) arrays, masks of the same shape")
    if images.shape[1] % 4 or images.shape[2] % 4:
        raise ParameterError("images", images.shape, "H and W multiples of 4")
    if not np.all(np.isfinite(images)) or images.min() < 0.0 or images.max() > 1.0:
        raise ParameterError("images", "values", "finite values in [0, 1]")
    if not np.all(np.isin(masks, (0.0, 1.0))):
        raise ParameterError("masks", "values", "0 or 1")
    return images, masks


def dice_iou(predicted: NDArray[np.bool_], truth: NDArray[np.bool_]) -> tuple[float, float]:
    """Dice ``2|P & T| / (|P| + |T|)`` and IoU ``|P & T| / |P | T|`` over all pixels given
    (1 for both when both are empty)."""
    p, t = np.asarray(predicted, bool), np.asarray(truth, bool)
    intersection = float(np.logical_and(p, t).sum())
    total = float(p.sum() + t.sum())
    union = float(np.logical_or(p, t).sum())
    if total == 0:
        return 1.0, 1.0
    return 2.0 * intersection / total, intersection / union
