"""``rram-ber segment`` and the API functions, on small settings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rram_ber import api
from rram_ber.analysis.segmentation.data import DATA_LABEL, synthetic_cells
from rram_ber.cli import main
from rram_ber.core.validation import ParameterError
from tests import support

pytest.importorskip("torch")

SMALL = [
    "--epochs",
    "2",
    "--chips",
    "2",
    "--sigma-levels",
    "0.05,0.5",
    "--tile-sizes",
    "16",
    "--wires",
    "2",
    "--prune",
    "0.5",
    "--fine-tune-epochs",
    "1",
    "--tile",
    "16",
]


def test_bad_options_exit_2(capsys):
    assert main(["segment", "--tile", "15", "--cell", "1r"]) == 2
    assert "--tile" in capsys.readouterr().err
    assert main(["segment", "--prune", "0.5,2"]) == 2
    assert "--prune" in capsys.readouterr().err


@pytest.mark.ngspice
@pytest.mark.slow
def test_segment_json_on_synthetic_data(tmp_path):
    model = tmp_path / "net.npz"
    # Its own process: the command opens its own ngspice (the tile energy), and the
    # in-process one of the other simulator tests may be open.
    completed = support.cli("segment", "--json", "--save-model", str(model), *SMALL)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["data"] == DATA_LABEL and model.exists()
    variability = result["variability"]
    assert [row["sigma_ln"] for row in variability] == [0.05, 0.5]
    for row in variability:
        assert row["chips"] == 2
        assert row["dice_ci_low"] <= row["dice_mean"] <= row["dice_ci_high"]
    pruning = result["pruning"]
    assert pruning[1]["macs_per_image"] < pruning[0]["macs_per_image"]
    assert 0.0 < pruning[1]["energy_saved"] < 1.0
    assert len(result["tile_size"]) == 1 and len(result["wire"]) == 2


def test_api_segmentation_study_on_user_data(tmp_path):
    images, masks = synthetic_cells(40, 9)
    data = tmp_path / "mine.npz"
    np.savez(data, images=images, masks=masks)
    options = dict(zip(SMALL[0::2], SMALL[1::2], strict=True))
    kwargs = {key.lstrip("-").replace("-", "_"): value for key, value in options.items()}
    kwargs.update({"epochs": 1, "chips": 1, "cell": "1r", "data": str(data)})
    result = api.segmentation_study(**kwargs)
    assert result["data"] == "user data mine.npz"
    assert set(result["pruning"]["pruned_fraction"]) == {0.0, 0.5}
    with pytest.raises(ParameterError, match="no_such"):
        api.segmentation_study(no_such=1)
    with pytest.raises(ParameterError, match="options"):
        api.segmentation_study(chips="many")
