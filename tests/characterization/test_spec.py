"""Campaign specification: validation and expansion (no simulator)."""

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rram_ber.characterization.spec import (
    CONDITION_KEYS,
    CampaignCell,
    load_spec,
    parse_spec,
    spec_from_record,
)
from rram_ber.core.validation import ParameterError
from rram_ber.models.cmos import ProcessCorner

VALID = {
    "campaign": {"name": "t", "seed": 3, "samples": 10, "batch_size": 5},
    "conditions": {"vdd_v": [1.2, 0.8], "corner": ["tt", "ss", "ff"], "temp_c": 27},
    "device": {"model": "lognormal", "lrs_median_ohm": 5e3, "hrs_sigma_ln": 0.7},
}


def test_defaults_give_one_nominal_condition():
    spec = parse_spec({})
    (condition,) = spec.conditions()
    assert condition.cell is CampaignCell.TWO_T_TWO_R and condition.corner is ProcessCorner.TT
    assert (condition.vdd_v, condition.temp_c) == (1.2, 27.0)
    # Auto since issue 26: the first Monte-Carlo round of 1000 samples per group, no top-up,
    # then 4000-read estimates where it leaves a condition unresolved.
    assert spec.campaign.method == "auto"
    assert (spec.campaign.samples, spec.campaign.max_samples) == (1000, 1000)
    assert (spec.campaign.rare_samples, spec.campaign.budget) == (4000, None)


def test_expansion_is_the_product_in_a_fixed_order():
    spec = parse_spec(VALID)
    conditions = spec.conditions()
    assert len(conditions) == 6
    assert [c.condition_id for c in conditions] == list(range(6))
    # corner varies slower than vdd_v (CONDITION_KEYS order)
    assert [(c.corner.value, c.vdd_v) for c in conditions[:3]] == [
        ("tt", 1.2),
        ("tt", 0.8),
        ("ss", 1.2),
    ]
    assert len({(c.corner, c.vdd_v) for c in conditions}) == 6
    assert CONDITION_KEYS.index("corner") < CONDITION_KEYS.index("vdd_v")


def test_integers_are_accepted_where_floats_are_expected():
    spec = parse_spec({"conditions": {"vdd_v": 1, "temp_c": [0, 85]}})
    assert [c.temp_c for c in spec.conditions()] == [0.0, 85.0]


def test_read_conditions_carry_the_condition_values():
    spec = parse_spec(
        {**VALID, "timing": {"t_evaluate_s": 4e-9}, "conditions": {"t_sample_s": [1e-9, 3e-9]}}
    )
    read = spec.read_conditions(spec.conditions()[1])
    assert read.timing.t_sample_s == 3e-9 and read.timing.t_evaluate_s == 4e-9


def test_default_1t1r_reference_is_the_geometric_mean_of_the_medians():
    spec = parse_spec(
        {"device": {"model": "lognormal", "lrs_median_ohm": 4e3, "hrs_median_ohm": 100e3}}
    )
    assert spec.reference_resistance_ohm() == pytest.approx(20e3)
    assert parse_spec({"cell": {"reference_ohm": 12e3}}).reference_resistance_ohm() == 12e3


def test_empirical_1t1r_reference_is_the_geometric_mean_of_the_measured_medians():
    """Not of the [device] table's default medians (5 / 50 kOhm), which describe no measured
    device: the measured file's LRS median 4605.2 and HRS median 36991.5 ohm."""
    import csv
    import statistics

    folder = Path(__file__).resolve().parents[1] / "data" / "reference_tables"
    with (folder / "measured.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    lrs, hrs = (
        statistics.median(float(r["resistance_ohm"]) for r in rows if r["state"] == state)
        for state in ("LRS", "HRS")
    )
    spec = parse_spec(
        {"device": {"model": "empirical", "csv": "measured.csv"}}, source_dir=str(folder)
    )
    assert spec.reference_resistance_ohm() == pytest.approx(math.sqrt(lrs * hrs))
    assert spec.reference_resistance_ohm() == pytest.approx(13051.94, rel=1e-6)
    assert spec.reference_resistance_ohm() != pytest.approx(math.sqrt(5e3 * 50e3), rel=0.01)
    # The rare-event limit states take the medians of the same distributions.
    states = spec.device.states()
    assert spec.device.nominal_lrs_hrs_ohm() == (states.lrs.median_ohm, states.hrs.median_ohm)


@pytest.mark.parametrize(
    ("data", "key", "allowed"),
    [
        ({"campain": {}}, "campain", "'campaign'"),
        ({"campaign": {"sample": 10}}, "campaign.sample", "'samples'"),
        ({"campaign": {"samples": 0}}, "campaign.samples", "integer"),
        ({"campaign": {"samples": 2.5}}, "campaign.samples", "integer"),
        ({"campaign": {"method": "magic"}}, "campaign.method", "'importance'"),
        ({"conditions": {"vdd_v": [1.2, 4.0]}}, "conditions.vdd_v[1]", "1.5"),
        ({"conditions": {"vdd_v": "1.2V"}}, "conditions.vdd_v", "0 < x"),  # "1.2" is 1.2
        ({"conditions": {"corner": ["tt", "xx"]}}, "conditions.corner[1]", "'ss'"),
        ({"conditions": {"temp_c": [27, 27]}}, "conditions.temp_c", "repeated"),
        ({"conditions": {"vdd_v": []}}, "conditions.vdd_v", "non-empty"),
        ({"conditions": {"cell": "3t3r"}}, "conditions.cell", "'2t2r'"),
        ({"conditions": {"compliance_a": 5e-5}}, "conditions.compliance_a", "vcm"),
        ({"conditions": {"t_sample_s": 9e-9}}, "conditions.t_sample_s", "t_evaluate_s"),
        ({"device": {"model": "lognormal", "lrs_sigma_ln": -0.1}}, "device.lrs_sigma_ln", "0 <= x"),
        ({"device": {"model": "empirical"}}, "device.csv", "CSV"),
        ({"device": {"lrs_ohm": math.nan}}, "device.lrs_ohm", "1 <= x"),
        ({"variability": {"mismatch": "yes"}}, "variability.mismatch", "true or false"),
        ({"variability": {"a_vt_n_v_m": -1e-9}}, "variability.a_vt_n_v_m", "0 <= x"),
        ({"timing": {"t_sample_s": 1e-9}}, "timing.t_sample_s", "conditions.t_sample_s"),
        ({"timing": {"t_wl_s": 2e-9}}, "timing.t_sen_s", "t_wl_s"),
        ({"pcsa": {"w_latch_n_m": 1e-3}}, "pcsa.w_latch_n_m", "0.0001"),
        ({"cell": {"reference_ohm": 0}}, "cell.reference_ohm", "0 < x"),
    ],
)
def test_invalid_specs_name_the_key_the_value_and_the_allowed_values(data, key, allowed):
    with pytest.raises(ParameterError) as caught:
        parse_spec(data)
    assert caught.value.field == key
    assert allowed in str(caught.value)


def test_files_that_are_missing_or_not_toml_are_reported(tmp_path):
    with pytest.raises(ParameterError, match="readable campaign file"):
        load_spec(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[campaign\nseed = 1\n")
    with pytest.raises(ParameterError, match="valid TOML"):
        load_spec(bad)


def test_shipped_default_campaign_is_valid():
    from importlib import resources

    path = resources.files("rram_ber.characterization").joinpath("campaigns/default.toml")
    spec = load_spec(str(path))
    assert spec.conditions()


# --- hypothesis: random damage to a valid spec never escapes as anything but ParameterError ---

_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.one_of(st.floats(), st.text(max_size=3), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
_tables = ["campaign", "conditions", "device", "cell", "variability", "timing", "pcsa", "access"]
_known_keys = {
    "campaign": ["name", "seed", "samples", "batch_size", "method"],
    "conditions": list(CONDITION_KEYS),
    "device": ["model", "lrs_ohm", "hrs_ohm", "lrs_median_ohm", "lrs_sigma_ln", "csv", "vcm"],
    "cell": ["reference_ohm"],
    "variability": ["mismatch", "device", "a_vt_n_v_m", "a_beta_p_m"],
    "timing": ["t_wl_s", "t_sen_s", "t_evaluate_s", "t_step_s", "t_sample_s", "trtol"],
    "pcsa": ["w_precharge_m", "l_m", "c_out_f"],
    "access": ["w_m", "l_m"],
}


@st.composite
def damaged_specs(draw):
    data = {table: dict(values) for table, values in VALID.items()}
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["junk value", "unknown key", "unknown table", "table not a table"])
        )
        table = draw(st.sampled_from(_tables))
        if kind in ("junk value", "unknown key") and not isinstance(data.get(table, {}), dict):
            data[table] = {}
        if kind == "junk value":
            data.setdefault(table, {})[draw(st.sampled_from(_known_keys[table]))] = draw(_junk)
        elif kind == "unknown key":
            data.setdefault(table, {})["zz_" + draw(st.text("abc", min_size=1, max_size=4))] = draw(
                _junk
            )
        elif kind == "unknown table":
            data["zz_" + draw(st.text("abc", min_size=1, max_size=4))] = {}
        else:
            data[table] = draw(_junk)
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_specs())
def test_damaged_specs_fail_only_with_a_clear_parameter_error(data):
    try:
        spec = parse_spec(data)
    except ParameterError as error:
        message = str(error)
        assert error.field.split(".")[0].split("[")[0] in message
        assert "not allowed; expected" in message
        return
    # The damage happened to be valid: the spec must still expand.
    assert spec.conditions()


def test_conditions_differing_only_in_sampling_time_form_a_group():
    spec = parse_spec({"conditions": {"vdd_v": [1.2, 0.8], "t_sample_s": [0.5e-9, 1e-9, 2e-9]}})
    conditions = spec.conditions()
    assert [c.group_id for c in conditions] == [0, 0, 0, 1, 1, 1]
    assert [c.t_sample_s for c in conditions[:3]] == [0.5e-9, 1e-9, 2e-9]
    assert CONDITION_KEYS[-1] == "t_sample_s"


def test_every_shipped_campaign_is_valid():
    from importlib import resources

    folder = resources.files("rram_ber.characterization").joinpath("campaigns")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml"))
    assert {"default.toml", "ternary_window.toml", "xnor_pcsa.toml"} <= set(names)
    for name in names:
        assert load_spec(str(folder.joinpath(name))).conditions()


def test_every_shipped_campaign_names_its_method():
    """Their header comments quote figures of the method they ran: a file naming none would
    run another one whenever the default changes (it became auto in issue 26)."""
    import tomllib
    from importlib import resources

    folder = resources.files("rram_ber.characterization").joinpath("campaigns")
    methods = {
        p.name: tomllib.loads(p.read_text(encoding="utf-8"))["campaign"].get("method")
        for p in folder.iterdir()
        if p.name.endswith(".toml")
    }
    assert None not in methods.values(), methods
    # The studies measured before issue 26 ran Monte-Carlo, and still do.
    for name in ("ternary_window.toml", "xnor_pcsa.toml", "rows.toml", "temperature.toml"):
        assert methods[name] == "monte-carlo"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (
            {
                "campaign": {"method": "importance", "samples": 2000},
                "device": {"model": "empirical", "csv": "x.csv"},
            },
            "device.model",
        ),
        ({"campaign": {"method": "importance", "samples": 100}}, "campaign.samples"),
        ({"campaign": {"method": "scaled-sigma", "samples": 1500}}, "campaign.samples"),
    ],
)
def test_rare_event_methods_are_refused_where_they_do_not_apply(data, key):
    with pytest.raises(ParameterError) as caught:
        parse_spec(data)
    assert caught.value.field == key


@pytest.mark.parametrize("method", ["importance", "scaled-sigma", "subset"])
def test_rare_event_methods_accept_every_read_mode(method):
    spec = parse_spec(
        {
            "campaign": {"method": method, "samples": 2000},
            "conditions": {"cell": ["2t2r", "1t1r", "ternary", "xnor"]},
        }
    )
    assert [c.cell.value for c in spec.conditions()] == ["2t2r", "1t1r", "ternary", "xnor"]


def test_trtol_is_recorded_with_the_campaign():
    plain = parse_spec({"conditions": {"vdd_v": 1.2}})
    assert plain.timing.trtol == 1.0 and plain.to_dict()["timing"]["trtol"] == 1.0
    tight = parse_spec({"timing": {"t_step_s": 30e-12, "trtol": 2}})
    assert tight.timing.trtol == 2.0 and tight.to_dict()["timing"]["trtol"] == 2.0
    assert spec_from_record(tight.to_dict()).timing == tight.timing


def test_an_old_record_of_a_campaign_naming_no_method_reads_back_as_monte_carlo():
    """``campaign.json`` has always recorded the method (the committed small campaign's spec
    named none, and ran Monte-Carlo, the default then), so an old record keeps its meaning
    now that a campaign naming none is auto."""
    import json

    folder = Path(__file__).resolve().parents[1] / "data" / "small_campaign"
    record = json.loads((folder / "campaign.json").read_text())["spec"]
    assert record["campaign"]["method"] == "monte-carlo"
    old = spec_from_record(record)
    assert old.campaign.method == "monte-carlo" and old.campaign.samples == 24
    # None of an auto campaign's keys is filled in: they would change its fingerprint.
    written = old.to_dict()["campaign"]
    assert {k: written[k] for k in record["campaign"]} == record["campaign"]
    assert not {"max_samples", "rare_samples", "resolve_below", "resolve_above"} & set(written)


def test_device_bypass_is_recorded_only_when_on():
    """A bypass that is off is left out of the record, so a campaign without it keeps the
    fingerprint it had before the field existed."""
    off = parse_spec({"timing": {"bypass": False}})
    assert "bypass" not in off.to_dict()["timing"]
    on = parse_spec({"timing": {"bypass": True}})
    assert on.timing.bypass is True and on.to_dict()["timing"]["bypass"] is True
    assert spec_from_record(on.to_dict()).timing == on.timing
    with pytest.raises(ParameterError) as caught:
        parse_spec({"timing": {"bypass": "yes"}})
    assert caught.value.field == "timing.bypass"


def test_a_record_written_before_trtol_had_a_default_reads_back_without_it():
    record = parse_spec({"conditions": {"vdd_v": 1.2}}).to_dict()
    del record["timing"]["trtol"]
    old = spec_from_record(record)
    assert old.timing.trtol is None and old.to_dict() == record
