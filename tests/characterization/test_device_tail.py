"""Measured devices below their data's resolution: an explicit log-normal tail fitted to the
data (issue 26, item 2), named wherever an estimate rests on it."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from rram_ber.characterization import schema
from rram_ber.characterization.auto import data_resolution, supported
from rram_ber.characterization.devices import DeviceSettings, DeviceTail
from rram_ber.characterization.spec import CampaignSpec, parse_spec, spec_from_record
from rram_ber.cli import main
from rram_ber.core.validation import ParameterError

#: Log-normal populations the measured file is drawn from: overlap P(R_LRS > R_HRS) =
#: Phi(-ln 8 / sqrt(0.3^2 + 0.5^2)) = 1.8e-4, far below 1/40, the resolution of 40 devices.
LRS, HRS = (5e3, 0.3), (40e3, 0.5)


def _measured(folder: Path, devices: int = 40, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    lines = ["state,resistance_ohm"]
    for state, (median, sigma) in (("LRS", LRS), ("HRS", HRS)):
        for value in median * np.exp(sigma * rng.standard_normal(devices)):
            lines.append(f"{state},{value:.6g}")
    path = folder / "measured.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _spec(folder: Path, **device: object) -> CampaignSpec:
    return parse_spec(
        {
            "campaign": {"method": "auto", "samples": 100, "batch_size": 50},
            "conditions": {"cell": "2t2r", "vdd_v": 1.2, "t_sample_s": [1e-9, 2e-9]},
            "device": {"model": "empirical", "csv": "measured.csv", **device},
            "array": {"isolated": True},
        },
        source_dir=str(folder),
    )


def test_the_tail_is_the_maximum_likelihood_log_normal_of_each_state(tmp_path):
    _measured(tmp_path)
    spec = _spec(tmp_path, tail="lognormal")
    device = spec.device
    assert device.tail is DeviceTail.LOGNORMAL
    measured, fitted = device.states(), device.tail_states()
    for data, model in ((measured.lrs, fitted.lrs), (measured.hrs, fitted.hrs)):
        logs = np.log(data.values_ohm)
        assert model.median_ohm == pytest.approx(math.exp(logs.mean()))
        assert model.sigma_ln == pytest.approx(logs.std(ddof=1))
    # The estimators read the fitted devices; the Monte-Carlo samples still the data.
    assert device.rare_states() == fitted
    assert device.rare_events
    assert all(supported(spec, c) for c in spec.conditions())
    # No data floor: the estimates go below 1/40 on the tail model.
    assert data_resolution(spec) is None
    assert data_resolution(_spec(tmp_path)) == 1 / 40
    fit = device.tail_fit()
    assert (fit["lrs_devices"], fit["hrs_devices"]) == (40, 40)
    assert 0.0 < float(fit["lrs_shapiro_p"]) <= 1.0


def test_the_tail_key_is_recorded_only_when_set_and_read_back(tmp_path):
    _measured(tmp_path)
    plain, tailed = _spec(tmp_path), _spec(tmp_path, tail="lognormal")
    # A campaign without a tail keeps the record (and fingerprint) it had before the key.
    assert "tail" not in plain.to_dict()["device"]
    assert tailed.to_dict()["device"]["tail"] == "lognormal"
    assert spec_from_record(tailed.to_dict()).device.tail is DeviceTail.LOGNORMAL


@pytest.mark.parametrize(
    ("device", "allowed"),
    [
        ({"model": "lognormal", "tail": "lognormal"}, "'none' with device.model = 'lognormal'"),
        ({"model": "fixed", "tail": "lognormal"}, "'none' with device.model = 'fixed'"),
        ({"model": "empirical", "csv": "x.csv", "tail": "weibull"}, "'none', 'lognormal'"),
    ],
)
def test_a_tail_is_refused_where_it_means_nothing(device, allowed):
    with pytest.raises(ParameterError, match="tail") as caught:
        DeviceSettings(**device)
    assert allowed in str(caught.value)


def test_a_tail_is_refused_for_too_few_measured_devices(tmp_path):
    _measured(tmp_path, devices=6)
    with pytest.raises(ParameterError, match="at least 10 measured LRS devices") as caught:
        _spec(tmp_path, tail="lognormal")
    assert caught.value.field == "device.tail"


def test_the_command_line_refuses_a_misspelt_tail_with_exit_status_2(tmp_path, capsys):
    _measured(tmp_path)
    (tmp_path / "c.toml").write_text(
        '[campaign]\nmethod = "auto"\nsamples = 100\n[conditions]\nvdd_v = 1.2\n'
        '[device]\nmodel = "empirical"\ncsv = "measured.csv"\ntail = "log-normal"\n'
    )
    status = main(["run", str(tmp_path / "c.toml"), "--out", str(tmp_path / "out"), "--quiet"])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("rram-ber run: error: device.tail")
    assert "'log-normal'" in err and "'lognormal'" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.ngspice
@pytest.mark.slow  # two campaigns of about 1,000 isolated reads each: about 2 minutes
def test_an_auto_campaign_of_measured_devices_estimates_below_their_resolution_on_the_tail(
    tmp_path,
):
    from rram_ber.characterization.campaign import run_campaign
    from rram_ber.characterization.executors import LocalExecutor

    _measured(tmp_path)
    spec = _spec(tmp_path, tail="lognormal")
    with LocalExecutor(2) as executor:
        result = run_campaign(spec, tmp_path / "out", executor)
    fitted = spec.device.tail_states()
    row = result.ber.set_index("t_sample_s").loc[2e-9]
    assert row[schema.METHOD] == "guided-importance"
    assert row[schema.BER_CI_HIGH] < 1 / 40  # below the data's resolution
    assert "lognormal tail fitted to 40 LRS and 40 HRS measured values" in row[schema.BER_REPORT]
    # At least the fitted populations' overlap P(R_LRS > R_HRS) (the sense amplifier's offset
    # adds reads near balance to it).
    overlap = 0.5 * math.erfc(
        math.log(fitted.hrs.median_ohm / fitted.lrs.median_ohm)
        / math.hypot(fitted.lrs.sigma_ln, fitted.hrs.sigma_ln)
        / math.sqrt(2)
    )
    assert row[schema.BER_CI_HIGH] >= overlap
    # The estimate is that of log-normal devices with the fitted values: the same seeds draw
    # the same devices through the same transform.
    lognormal = dataclasses.replace(
        spec,
        device=DeviceSettings(
            model="lognormal",
            lrs_median_ohm=fitted.lrs.median_ohm,
            lrs_sigma_ln=fitted.lrs.sigma_ln,
            hrs_median_ohm=fitted.hrs.median_ohm,
            hrs_sigma_ln=fitted.hrs.sigma_ln,
        ),
    )
    with LocalExecutor(2) as executor:
        reference = run_campaign(lognormal, tmp_path / "lognormal", executor)
    same = reference.ber.set_index("t_sample_s").loc[2e-9]
    assert same[schema.METHOD] == "guided-importance"
    for column in (schema.BER, schema.BER_CI_LOW, schema.BER_CI_HIGH, schema.N_SAMPLES):
        assert row[column] == pytest.approx(same[column], rel=1e-9)
