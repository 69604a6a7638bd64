"""The campaign's [spec] table: parsed and checked, kept out of the fingerprint, used by the
report (where the command line's limits take precedence)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from rram_ber.analysis.report import ReportOptions, build_report
from rram_ber.characterization.campaign import fingerprint, run_campaign
from rram_ber.characterization.executors import LocalExecutor
from rram_ber.characterization.spec import parse_spec, spec_from_record
from rram_ber.characterization.spec_limits import SpecLimits
from rram_ber.cli import main
from rram_ber.core.validation import ParameterError

CAMPAIGN = Path(__file__).resolve().parents[1] / "data" / "small_campaign"
SMALL = {
    "campaign": {"seed": 3, "samples": 4, "batch_size": 4, "method": "monte-carlo"},
    "conditions": {"cell": "2t2r", "vdd_v": 1.2, "t_sample_s": 1e-9},
    "device": {"model": "fixed", "lrs_ohm": 5e3, "hrs_ohm": 50e3},
}


def test_spec_table_is_parsed_with_spice_suffixes():
    spec = parse_spec(
        {**SMALL, "spec": {"ber_max": 1e-3, "delay_max_s": "1n", "energy_max_j": 5e-14}}
    )
    assert spec.limits == SpecLimits(ber_max=1e-3, delay_max_s=1e-9, energy_max_j=5e-14)
    assert parse_spec(SMALL).limits == SpecLimits()
    # The record written to campaign.json reads back to the same limits.
    assert spec_from_record(spec.to_dict()).limits == spec.limits
    assert "spec" not in parse_spec(SMALL).to_dict()  # a campaign without limits: as before


@pytest.mark.parametrize(
    ("table", "field", "allowed"),
    [
        ({"ber_max": 2.0}, "spec.ber_max", "0 < x <= 1"),
        ({"ber_max": "lots"}, "spec.ber_max", "a number (SPICE suffixes allowed)"),
        ({"delay_max_s": -1e-9}, "spec.delay_max_s", "0 < x"),
        ({"yield_min": 0.9}, "spec.yield_min", "a known key: 'ber_max', 'delay_max_s'"),
        ({"accuracy_drop_max": True}, "spec.accuracy_drop_max", "a number"),
    ],
)
def test_bad_limits_name_the_key_the_value_and_what_is_allowed(table, field, allowed):
    with pytest.raises(ParameterError) as raised:
        parse_spec({**SMALL, "spec": table})
    assert raised.value.field == field
    assert allowed in str(raised.value)


def test_bad_spec_table_in_a_campaign_file_exits_2(tmp_path, capsys):
    path = tmp_path / "c.toml"
    path.write_text('[conditions]\nvdd_v = 1.2\n[spec]\nber_max = "1e-3x"\n')
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "spec.ber_max" in err and "1e-3x" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_limits_are_not_part_of_the_fingerprint():
    plain = parse_spec(SMALL)
    limited = parse_spec({**SMALL, "spec": {"ber_max": 1e-3}})
    assert fingerprint(plain) == fingerprint(limited)


@pytest.mark.ngspice
def test_changing_a_limit_resumes_without_simulating_and_records_the_new_limit(tmp_path):
    with LocalExecutor(1) as executor:
        first = run_campaign(parse_spec({**SMALL, "spec": {"ber_max": 1e-3}}), tmp_path,
                             executor)  # fmt: skip
        again = run_campaign(parse_spec({**SMALL, "spec": {"ber_max": 1e-2}}), tmp_path,
                             executor)  # fmt: skip
    assert first.simulated_chunks == 1
    assert (again.simulated_chunks, again.resumed_chunks) == (0, 1)
    pd.testing.assert_frame_equal(first.ber, again.ber)
    record = json.loads((tmp_path / "campaign.json").read_text())
    assert record["spec"]["spec"] == {"ber_max": 1e-2}


@pytest.mark.slow
def test_report_checks_the_campaign_limits_and_the_command_line_replaces_them(tmp_path):
    out = tmp_path / "campaign"
    shutil.copytree(CAMPAIGN, out)
    record = json.loads((out / "campaign.json").read_text())
    # 200 ps is below the small campaign's p99.9 delays (about 264 ps), 1 s above every one.
    record["spec"]["spec"] = {"delay_max_s": 200e-12, "ber_max": 0.5}
    (out / "campaign.json").write_text(json.dumps(record))
    point = ["cell=2t2r,corner=tt,vdd_v=1,t_sample_s=2n"]

    def verdicts(name: str, limits: SpecLimits | None) -> pd.Series:
        options = ReportOptions(accuracy=False, operating_points=point, limits=limits)
        build_report(out, tmp_path / f"{name}.html", options)
        return pd.read_csv(tmp_path / f"{name}_files" / "headline.csv").iloc[0]

    from_campaign = verdicts("campaign", None)
    assert from_campaign["delay_verdict"] == "fail"
    assert from_campaign["ber_verdict"] != "no limit"
    overridden = verdicts("cli", SpecLimits(delay_max_s=1.0))
    assert overridden["delay_verdict"] == "pass"
    assert overridden["ber_verdict"] == from_campaign["ber_verdict"]  # kept from [spec]
    assert "Spec limits: BER at most 0.5" in (tmp_path / "campaign.html").read_text()
