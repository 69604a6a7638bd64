"""campaign.target_relative_half_width: validated, only with importance, left out when unset."""

from __future__ import annotations

import pytest

from rram_ber.characterization.campaign import fingerprint
from rram_ber.characterization.spec import parse_spec
from rram_ber.core.validation import ParameterError
from tests.support import lognormal_device

BASE = {
    "campaign": {"seed": 4, "samples": 2000, "batch_size": 50, "method": "importance"},
    "conditions": {"cell": "2t2r", "vdd_v": 1.0},
    "device": lognormal_device(hrs_median_ohm=40e3),
}


def _with(**campaign):
    return {**BASE, "campaign": {**BASE["campaign"], **campaign}}


def test_the_target_is_kept_and_changes_the_fingerprint():
    spec = parse_spec(_with(target_relative_half_width=0.2))
    assert spec.campaign.target_relative_half_width == 0.2
    assert spec.to_dict()["campaign"]["target_relative_half_width"] == 0.2
    assert fingerprint(spec) != fingerprint(parse_spec(BASE))


def test_without_a_target_the_campaign_record_has_no_such_key():
    assert "target_relative_half_width" not in parse_spec(BASE).to_dict()["campaign"]


@pytest.mark.parametrize("value", [0, -0.1, 11, "tight"])
def test_a_bad_target_is_refused_naming_the_field(value):
    with pytest.raises(ParameterError, match="target_relative_half_width"):
        parse_spec(_with(target_relative_half_width=value))


@pytest.mark.parametrize("method", ["monte-carlo", "scaled-sigma"])
def test_a_target_with_another_method_is_refused(method):
    with pytest.raises(ParameterError, match="only importance"):
        parse_spec(_with(target_relative_half_width=0.2, method=method))
