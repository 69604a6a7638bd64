"""Campaigns with VCM devices programmed in SPICE (real ngspice)."""

import numpy as np
import pytest

from rram_ber.characterization import schema, store
from rram_ber.characterization.campaign import run_campaign
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.spec import parse_spec
from rram_ber.core.validation import ParameterError

pytestmark = pytest.mark.ngspice

SPEC = {
    "campaign": {"seed": 6, "samples": 6, "batch_size": 3, "method": "monte-carlo"},
    "conditions": {"cell": ["1t1r", "2t2r"], "compliance_a": [50e-6, 150e-6]},
    "device": {"model": "vcm", "vcm": {"pilot_devices": 12}},
}


@pytest.mark.slow
def test_a_small_1t1r_against_2t2r_comparison_runs(tmp_path):
    with LocalExecutor(2) as executor:
        result = run_campaign(parse_spec(SPEC), tmp_path, executor)
    ber = result.ber
    assert list(ber["cell"]) == ["1t1r", "1t1r", "2t2r", "2t2r"]
    assert list(ber["compliance_a"]) == [50e-6, 150e-6] * 2
    assert (ber[schema.N_FAILED] == 0).all()
    samples = store.read_samples(tmp_path)
    one = samples[samples[schema.CONDITION_ID] <= 1]
    two = samples[samples[schema.CONDITION_ID] >= 2]
    # LRS falls as the compliance rises (R_LRS x I_C roughly constant).
    lrs = [
        np.median(s.loc[s[schema.STORED_VALUE] == 1, "r_bl_ohm"])
        for _, s in one.groupby(schema.CONDITION_ID)
    ]
    assert lrs[0] > 2 * lrs[1]
    # The 1T1R reference sits between the LRS and HRS of its condition and is the same for
    # every sample of that condition.
    for _, rows in one.groupby(schema.CONDITION_ID):
        (reference,) = rows["r_blb_ohm"].unique()
        assert rows.loc[rows[schema.STORED_VALUE] == 1, "r_bl_ohm"].max() < reference
        assert rows.loc[rows[schema.STORED_VALUE] == -1, "r_bl_ohm"].min() > reference
    # 2T2R rows carry both devices' drawn parameters and states.
    assert {"bl_n_min", "blb_r_filament_m", "bl_n_disc", "blb_r_read_ohm", "v_wl_set_v"} <= set(
        two.columns
    )
    assert (two[schema.DECISION] == two[schema.EXPECTED]).mean() > 0.9


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"conditions": {"cell": "ternary"}, "device": {"model": "vcm"}}, "conditions.cell"),
        (
            {"conditions": {"compliance_a": 10e-6}, "device": {"model": "vcm"}},
            "conditions.compliance_a",
        ),
        ({"conditions": {"temp_c": 150}, "device": {"model": "vcm"}}, "conditions.temp_c"),
        (
            {"device": {"model": "vcm", "vcm": {"reset_amplitude_v": 9.0}}},
            "device.vcm.reset_amplitude_v",
        ),
        ({"device": {"model": "vcm", "vcm": {"colour": 1}}}, "device.vcm.colour"),
        ({"device": {"model": "vcm", "vcm": {"set_width_s": -1}}}, "device.vcm.set_width_s"),
        ({"device": {"model": "vcm", "vcm": {"reset_v_wl_v": 5}}}, "device.vcm.reset_v_wl_v"),
        ({"device": {"model": "vcm", "vcm": {"compliance_a": 5e-5}}}, "device.vcm.compliance_a"),
    ],
)
def test_vcm_settings_are_validated_before_anything_runs(data, key):
    with pytest.raises(ParameterError) as caught:
        parse_spec(data)
    assert caught.value.field == key
