"""Synthetic data, the SE-FCN in NumPy against PyTorch, pruning, and the analog chip."""

from __future__ import annotations

import numpy as np
import pytest

from rram_ber.analysis.segmentation.analog import (
    input_scales,
    program_chip,
    quantised_matrices,
    tiles_and_reads,
)
from rram_ber.analysis.segmentation.data import (
    CellImageSettings,
    dice_iou,
    load_npz,
    synthetic_cells,
)
from rram_ber.analysis.segmentation.network import forward, macs_per_image, prune_channels
from rram_ber.circuits.crossbar import CrossbarParameters
from rram_ber.core.validation import ParameterError

torch = pytest.importorskip("torch")
train = pytest.importorskip("rram_ber.analysis.segmentation.train")


@pytest.fixture(scope="module")
def net():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    return train.export(train.SeFcn())


def test_synthetic_set_is_seeded_and_prefix_stable():
    images, masks = synthetic_cells(6, 4)
    again, _ = synthetic_cells(3, 4)
    assert np.array_equal(images[:3], again)
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert set(np.unique(masks)) <= {0.0, 1.0} and 0.02 < masks.mean() < 0.6
    # Cells are brighter than the background on average.
    assert images[masks > 0].mean() > images[masks == 0].mean() + 0.1
    with pytest.raises(ParameterError, match="size_px"):
        CellImageSettings(size_px=30)


def test_user_npz_is_checked(tmp_path):
    good = tmp_path / "good.npz"
    np.savez(good, images=np.zeros((2, 8, 8)), masks=np.ones((2, 8, 8)))
    assert load_npz(good)[0].shape == (2, 8, 8)
    bad = tmp_path / "bad.npz"
    np.savez(bad, images=np.zeros((2, 8, 8)), masks=np.full((2, 8, 8), 0.5))
    with pytest.raises(ParameterError, match="masks"):
        load_npz(bad)
    with pytest.raises(ParameterError, match="data"):
        load_npz(tmp_path / "missing.npz")


def test_dice_and_iou():
    truth = np.array([1, 1, 0, 0], bool)
    assert dice_iou(truth, truth) == (1.0, 1.0)
    assert dice_iou(np.array([1, 0, 1, 0], bool), truth) == pytest.approx((0.5, 1 / 3))


def test_numpy_forward_is_the_torch_module(net):
    images, _ = synthetic_cells(3, 1)
    module = train.SeFcn.from_net(net)
    with torch.no_grad():
        expected = module(torch.from_numpy(images)[:, None]).numpy()
    assert forward(net, images) == pytest.approx(expected, abs=1e-5)


def test_pruning_removes_channels_and_computations(net):
    images, _ = synthetic_cells(2, 1)
    assert forward(prune_channels(net, 0.0), images) == pytest.approx(forward(net, images))
    pruned = prune_channels(net, 0.5)
    assert pruned.channels == (4, 8, 16)
    assert macs_per_image(pruned, 32, 32) < 0.5 * macs_per_image(net, 32, 32)
    module = train.SeFcn.from_net(pruned)
    with torch.no_grad():
        expected = module(torch.from_numpy(images)[:, None]).numpy()
    assert forward(pruned, images) == pytest.approx(expected, abs=1e-5)


def test_an_ideal_chip_computes_the_quantised_network(net):
    images, _ = synthetic_cells(4, 2)
    scales = input_scales(net, images)
    # No spread, a milliohm of wire, a near-ideal sense: the chip is the quantised network
    # (up to the inputs clipped at the 99.9th percentile).
    params = CrossbarParameters(rows=16, cols=16, cell="1r", r_wire_ohm=1e-3, levels=16)
    chip = program_chip(net, scales, params, None, 0.0, None)
    quantised = quantised_matrices(net, scales, 16)

    def clipped(name, x, w):
        return np.minimum(x, scales[name]) @ quantised[name]

    assert forward(net, images, chip.matmul) == pytest.approx(
        forward(net, images, clipped), abs=2e-3
    )
    tiles, reads = tiles_and_reads(net, params, 32, 32)
    assert tiles == sum(len(layer.blocks) for layer in chip.layers.values())
    assert reads > tiles and chip.read_energy_j(net, images) > 0.0


def test_device_spread_lowers_dice_of_a_trained_network():
    torch.set_num_threads(1)
    images, masks = synthetic_cells(256, 5)
    trained, losses = train.train_network(images, masks, train.TrainSettings(epochs=6, seed=2))
    assert losses[-1] < losses[0]
    test_images, test_masks = synthetic_cells(32, 6)
    clean = dice_iou(forward(trained, test_images) > 0, test_masks > 0.5)[0]
    assert clean > 0.6
    scales = input_scales(trained, images[:64])
    params = CrossbarParameters(rows=32, cols=32, cell="1r")
    dice = {}
    for sigma in (0.02, 1.0):
        chip = program_chip(trained, scales, params, None, sigma, np.random.default_rng(3))
        dice[sigma] = dice_iou(forward(trained, test_images, chip.matmul) > 0, test_masks > 0.5)[0]
    assert dice[0.02] > clean - 0.05
    assert dice[1.0] < dice[0.02]


def test_verifying_the_cell_cancels_a_known_series_resistance(net):
    from rram_ber.analysis.crossbar.model import SeriesTable

    images, _ = synthetic_cells(2, 3)
    scales = input_scales(net, images)
    one_r = CrossbarParameters(rows=16, cols=16, cell="1r", r_wire_ohm=1e-3)
    one_t = CrossbarParameters(rows=16, cols=16, cell="1t1r", r_wire_ohm=1e-3)
    series = SeriesTable(np.array([0.0, 1.0]), np.full((one_t.levels, 2), 540.0))
    reference = forward(net, images, program_chip(net, scales, one_r, None, 0.0, None).matmul)
    verified = program_chip(net, scales, one_t, series, 0.0, None, verify_cell=True)
    device_only = program_chip(net, scales, one_t, series, 0.0, None)
    assert forward(net, images, verified.matmul) == pytest.approx(reference, abs=1e-4)
    assert np.max(np.abs(forward(net, images, device_only.matmul) - reference)) > 1e-3
