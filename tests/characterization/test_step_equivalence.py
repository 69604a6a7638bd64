"""The default maximum time step against a 2 ps reference, on near-balanced Monte-Carlo reads.

Same campaign, same seed, two values of ``timing.t_step_s``: every (condition, sample) pair is
the same read, so decisions, sense delays (interpolated between simulator points) and read
energies can be compared sample by sample. The cells are near-balanced (LRS 5 kOhm, HRS
7 kOhm, sigma of ln R 0.3), the reads whose decision a coarser step is most likely to flip, at
1.2 V and near threshold (0.6 V), for the binary and the ternary 2T2R read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from characterization import schema, store
from characterization.campaign import run_campaign
from characterization.executors import LocalExecutor
from characterization.spec import CampaignSpec, parse_spec
from circuits.read import ReadTiming

SAMPLES = 40
REFERENCE_STEP_S = 2e-12


def _spec(step_s: float) -> CampaignSpec:
    return parse_spec(
        {
            "campaign": {"seed": 5, "samples": SAMPLES, "batch_size": 10},
            "conditions": {
                "cell": ["2t2r", "ternary"],
                "vdd_v": [1.2, 0.6],
                "t_sample_s": [0.25e-9, 0.5e-9, 1e-9, 2e-9],
            },
            "device": {
                "model": "lognormal",
                "lrs_median_ohm": 5e3,
                "lrs_sigma_ln": 0.3,
                "hrs_median_ohm": 7e3,
                "hrs_sigma_ln": 0.3,
            },
            "timing": {"t_step_s": step_s},
        }
    )


def _samples(step_s: float, out: Path, executor: LocalExecutor) -> pd.DataFrame:
    run_campaign(_spec(step_s), out, executor, progress=False)
    return store.read_samples(out)


def _relative_errors(test: pd.Series, reference: pd.Series) -> np.ndarray:
    a, b = test.to_numpy(float), reference.to_numpy(float)
    both = np.isfinite(a) & np.isfinite(b) & (b != 0)
    return np.abs(a[both] / b[both] - 1.0)


@pytest.mark.slow
def test_default_step_keeps_decisions_delays_and_energies_of_the_2ps_reference(tmp_path):
    with LocalExecutor(2) as executor:
        reference = _samples(REFERENCE_STEP_S, tmp_path / "reference", executor)
        default = _samples(ReadTiming().t_step_s, tmp_path / "default", executor)
    assert len(default) == len(reference) == 16 * SAMPLES
    keys = [schema.CONDITION_ID, schema.SAMPLE_INDEX]
    assert default[keys].equals(reference[keys])

    changed = int((default[schema.DECISION] != reference[schema.DECISION]).sum())
    # 21 of 4,800 condition-samples changed at the 10 ps step in the study of the throughput
    # issue; allow the same rate with margin for the smaller sample.
    assert changed <= max(3, 0.01 * len(default))

    # Every condition's error count stays within the reference's sampling noise.
    errors = default.groupby(schema.CONDITION_ID)[schema.ERROR].sum()
    reference_errors = reference.groupby(schema.CONDITION_ID)[schema.ERROR].sum()
    assert (errors - reference_errors).abs().max() <= 2

    delay = _relative_errors(default[schema.DELAY_S], reference[schema.DELAY_S])
    energy = _relative_errors(default[schema.ENERGY_J], reference[schema.ENERGY_J])
    assert delay.size > len(default) // 2
    assert np.median(delay) <= 0.01
    assert np.median(energy) <= 0.01
