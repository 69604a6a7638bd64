"""A conductance table with known relations, for the tests that need no simulator."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from rram_ber.characterization.conductance_table import COLUMNS, ConductanceRelation

#: (compliance [uA], median [uS], std [uS]) of a made-up, smooth device.
POINTS = (
    (40, 80.0, 7.0),
    (60, 160.0, 9.0),
    (100, 290.0, 11.0),
    (200, 480.0, 9.0),
    (300, 570.0, 6.5),
)


def synthetic_table(devices: int = 100) -> pd.DataFrame:
    rows = []
    for current, median, std in POINTS:
        rows.append(
            {
                "compliance_a": current * 1e-6,
                "compliance_observed_median_a": current * 1e-6,
                "devices": devices,
                "failed": 0,
                "g_median_s": median * 1e-6,
                "g_mean_s": median * 1e-6,
                "g_std_s": std * 1e-6,
                "g_std_se_s": std * 1e-6 / math.sqrt(2 * (devices - 1)),
                "g_sigma_ln": std / median,
                "g_hrs_median_s": 1e-5,
                "g_hrs_std_s": 5e-6,
                "seed": 1,
                "technology": "ptm130",
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


@pytest.fixture
def relation() -> ConductanceRelation:
    return ConductanceRelation.fit(synthetic_table())
