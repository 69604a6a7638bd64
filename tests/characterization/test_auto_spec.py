"""``method = "auto"``: its [campaign] keys, their defaults and refusals, its stop rule."""

from __future__ import annotations

import math
from typing import Any

import pytest

from rram_ber.characterization.auto import StopReason, resolved_by
from rram_ber.characterization.spec import parse_spec, spec_from_record
from rram_ber.cli import main
from rram_ber.core.validation import ParameterError


def test_auto_fills_its_defaults_and_writes_them_into_the_campaign_record():
    spec = parse_spec({"campaign": {"method": "auto"}})
    campaign = spec.campaign
    assert (campaign.target_relative_half_width, campaign.resolve_below) == (0.2, 1e-9)
    assert campaign.rare_samples == 4000
    assert campaign.resolve_above == 0.1
    record = spec.to_dict()["campaign"]
    # The key the one-BER function of the reports reads (analysis.bnn.ber_table).
    assert record["resolve_below"] == 1e-9
    assert spec_from_record(spec.to_dict()).campaign == campaign
    # Without top-up (max_samples = samples) a --samples override keeps it so.
    assert campaign.max_samples == campaign.samples
    assert spec.with_samples(500).campaign.max_samples == 500
    # With top-up, the cap scales with a --samples override.
    topped = parse_spec({"campaign": {"method": "auto", "samples": 200, "max_samples": 1000}})
    assert topped.with_samples(20).campaign.max_samples == 100
    assert topped.with_samples(2000).campaign.max_samples == 10000


def test_other_campaigns_record_none_of_the_new_keys():
    plain = {"method": "monte-carlo"}
    record = parse_spec({"campaign": {**plain, "samples": 10}}).to_dict()["campaign"]
    assert not {"resolve_below", "rare_samples", "target_relative_half_width"} & set(record)
    floor = parse_spec({"campaign": {**plain, "resolve_below": 1e-6}}).to_dict()["campaign"]
    assert floor["resolve_below"] == 1e-6


def test_a_campaign_naming_no_method_is_auto_and_records_it():
    """Issue 26: auto is the default. Its keys are accepted, filled and checked as when the
    method is named, and ``campaign.json`` names the method, so the record keeps meaning what
    ran whatever the default becomes."""
    unnamed = parse_spec({"campaign": {"samples": 200, "max_samples": 1000}})
    named = parse_spec({"campaign": {"method": "auto", "samples": 200, "max_samples": 1000}})
    assert unnamed.campaign == named.campaign and unnamed.campaign.method == "auto"
    assert unnamed.campaign.rare_samples == 4000 and unnamed.campaign.max_samples == 1000
    record = unnamed.to_dict()["campaign"]
    assert record["method"] == "auto" and record["rare_samples"] == 4000
    assert spec_from_record(unnamed.to_dict()).campaign == named.campaign


@pytest.mark.parametrize(
    ("campaign", "key", "allowed"),
    [
        ({"rare_samples": 10}, "campaign.rare_samples", "2000"),
        ({"samples": 100, "max_samples": 99}, "campaign.max_samples", "100"),
        ({"resolve_above": 1.5}, "campaign.resolve_above", "1e-09 < x <= 1"),
        ({"samples": 100, "budget": 199}, "campaign.budget", "at least 200 (the first"),
    ],
)
def test_a_campaign_naming_no_method_gets_the_auto_checks_naming_the_key(campaign, key, allowed):
    with pytest.raises(ParameterError) as caught:
        parse_spec({"campaign": campaign, "conditions": {"vdd_v": [1.2, 0.8]}})
    assert caught.value.field == key
    assert allowed in str(caught.value)


@pytest.mark.parametrize(
    ("campaign", "key", "allowed"),
    [
        ({"method": "auto", "rare_samples": 1999}, "campaign.rare_samples", "2000"),
        ({"method": "auto", "rare_samples": 2.5}, "campaign.rare_samples", "integer"),
        ({"method": "monte-carlo", "rare_samples": 3000}, "campaign.rare_samples", "'auto'"),
        ({"method": "subset", "max_samples": 3000}, "campaign.max_samples", "'auto'"),
        ({"method": "auto", "samples": 100, "max_samples": 99}, "campaign.max_samples", "100"),
        ({"method": "auto", "resolve_below": 0}, "campaign.resolve_below", "0 < x < 1"),
        ({"method": "auto", "resolve_below": 1.0}, "campaign.resolve_below", "0 < x < 1"),
        ({"method": "auto", "resolve_below": "tiny"}, "campaign.resolve_below", "0 < x < 1"),
        ({"method": "auto", "resolve_above": 1e-9}, "campaign.resolve_above", "1e-09 < x <= 1"),
        ({"method": "auto", "resolve_above": 1.5}, "campaign.resolve_above", "1e-09 < x <= 1"),
        ({"method": "monte-carlo", "resolve_above": 0.2}, "campaign.resolve_above", "'auto'"),
        (
            {"method": "auto", "target_relative_half_width": -0.1},
            "campaign.target_relative_half_width",
            "0 < x",
        ),
    ],
)
def test_bad_auto_keys_are_refused_naming_the_key(campaign, key, allowed):
    with pytest.raises(ParameterError) as caught:
        parse_spec({"campaign": campaign})
    assert caught.value.field == key
    assert allowed in str(caught.value)


def test_the_command_line_refuses_a_bad_auto_key_with_exit_status_2(tmp_path, capsys):
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(
        '[campaign]\nmethod = "auto"\nsamples = 4\nrare_samples = 10\n[conditions]\nvdd_v = 1.2\n'
    )
    out = tmp_path / "out"
    status = main(["run", str(spec_file), "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith("rram-ber run: error: campaign.rare_samples")
    assert not out.exists()


@pytest.mark.parametrize(
    ("ber", "low", "high", "expected"),
    [
        (0.1, 0.085, 0.115, StopReason.TARGET_REACHED),  # half-width 15 %
        (0.1, 0.07, 0.13, None),  # 30 %
        (0.0, 0.0, 5e-10, StopReason.BELOW_FLOOR),
        (0.0, 0.0, 0.012, None),  # a zero-error bound above the floor
        (math.nan, math.nan, math.nan, None),  # no resolved read
    ],
)
def test_a_condition_is_resolved_by_its_precision_or_by_its_bound(ber, low, high, expected):
    assert resolved_by(ber, low, high, target=0.2, floor=1e-9) is expected


@pytest.mark.parametrize(
    ("ber", "low", "high", "expected"),
    [
        (0.3, 0.15, 0.45, StopReason.ABOVE_CEILING),  # imprecise, but surely above 10 %
        (0.3, 0.1, 0.5, StopReason.ABOVE_CEILING),  # at the ceiling
        (0.12, 0.08, 0.16, None),  # it may lie below 10 %: worked on
        (0.3, 0.27, 0.33, StopReason.TARGET_REACHED),  # precise first
    ],
)
def test_a_condition_whose_interval_lies_above_the_ceiling_is_resolved(ber, low, high, expected):
    assert resolved_by(ber, low, high, target=0.2, floor=1e-9, ceiling=0.1) is expected
    # Without a ceiling only the precision resolves it.
    plain = StopReason.TARGET_REACHED if expected is StopReason.TARGET_REACHED else None
    assert resolved_by(ber, low, high, target=0.2, floor=1e-9) is plain


def test_a_top_up_round_aims_at_the_ceiling_when_that_comes_first():
    from rram_ber.characterization.auto import projected_samples
    from rram_ber.characterization.ber import ConditionTally

    # 15 failed reads in 100 (p = 0.15): the target needs (1.96 / 0.2)^2 x 0.85 / 0.15 = 544
    # reads, the lower end reaches 0.1 from 1.96^2 x 0.15 x 0.85 / 0.05^2 = 196.
    tally = ConditionTally(100, 0, {}, {1: (50, 8), -1: (50, 7)})
    need = projected_samples(tally, True, target=0.2, floor=1e-9, ceiling=0.1)
    assert need == pytest.approx(1.959964**2 * 0.15 * 0.85 / 0.05**2)
    assert projected_samples(tally, True, target=0.2, floor=1e-9) == pytest.approx(
        (1.959964 / 0.2) ** 2 * 0.85 / 0.15
    )


def test_a_top_up_round_is_planned_from_the_stored_counts_within_the_cap():
    from rram_ber.characterization.auto import top_up_tasks
    from rram_ber.characterization.ber import ConditionTally

    campaign = {
        "method": "auto",
        "samples": 20,
        "batch_size": 10,
        "max_samples": 200,
        "target_relative_half_width": 0.3,
        "resolve_above": 1.0,  # no ceiling: p = 0.4 is worked on to its target
    }
    spec = parse_spec({"campaign": campaign, "conditions": {"t_sample_s": [1e-9, 2e-9]}})
    conditions = spec.conditions()  # one group: two sampling times
    # 8 errors in 20 reads at 1 ns (p = 0.4: (1.96 / 0.3)^2 x 0.6 / 0.4 = 64 reads, x 1.2 =
    # 77, so 80 in whole chunks of 10); none at 2 ns (its floor needs ~4e9 reads: no top-up).
    tallies = {
        0: ConditionTally(20, 0, {}, {1: (10, 4), -1: (10, 4)}),
        1: ConditionTally(20, 0, {}, {1: (10, 0), -1: (10, 0)}),
    }
    tasks, ends = top_up_tasks(spec, conditions, tallies, {0: 20})
    assert [(t.chunk, t.first, t.stop) for t in tasks] == [
        (k, 10 * k, 10 * k + 10) for k in range(2, 8)
    ]
    assert all(t.conditions == tuple(conditions) for t in tasks)
    assert ends == {0: 80}
    # Planned already: nothing more. Resolved: nothing more. Beyond the cap: nothing.
    assert top_up_tasks(spec, conditions, tallies, {0: 80})[0] == []
    resolved = {**tallies, 0: ConditionTally(200, 0, {}, {1: (100, 40), -1: (100, 40)})}
    assert top_up_tasks(spec, conditions, resolved, {0: 200})[0] == []
    capped = parse_spec(
        {"campaign": {**campaign, "max_samples": 50}, "conditions": {"t_sample_s": [1e-9, 2e-9]}}
    )
    assert top_up_tasks(capped, conditions, tallies, {0: 20})[0] == []


LOGNORMAL = {"model": "lognormal", "hrs_sigma_ln": 0.5}


def test_the_budget_must_pay_for_the_first_round():
    with pytest.raises(ParameterError) as caught:
        parse_spec(
            {
                "campaign": {"method": "auto", "samples": 100, "budget": 199},
                "conditions": {"vdd_v": [1.2, 0.8], "t_sample_s": [1e-9, 2e-9]},
            }
        )
    assert caught.value.field == "campaign.budget"
    assert "at least 200" in str(caught.value)


def _two_supplies_on_a_budget() -> tuple[dict[str, Any], dict[str, Any], dict[int, Any]]:
    """An auto campaign at 1.2 and 0.8 V whose budget pays for the first round and the two
    estimates of one condition, and its tallies after 100 samples: one error at 1.2 V
    (interval [2.5e-4, 0.054]), none at 0.8 V ([0, 0.036], an infinitely wide relative
    interval)."""
    from rram_ber.characterization.ber import ConditionTally

    campaign = {
        "method": "auto",
        "samples": 100,
        "batch_size": 10,
        "rare_samples": 2000,
        "budget": 200 + 4000,
    }
    data = {"campaign": campaign, "conditions": {"vdd_v": [1.2, 0.8]}, "device": LOGNORMAL}
    tallies = {
        0: ConditionTally(100, 0, {}, {1: (50, 1), -1: (50, 0)}),
        1: ConditionTally(100, 0, {}, {1: (50, 0), -1: (50, 0)}),
    }
    return campaign, data, tallies


def test_the_budget_goes_to_the_widest_interval_first():
    from rram_ber.characterization.auto import switch_plan, switch_tasks, top_up_tasks
    from rram_ber.characterization.ber import ConditionTally

    campaign, data, tallies = _two_supplies_on_a_budget()
    spec = parse_spec(data)
    conditions = spec.conditions()
    # The budget pays for the two estimates of one condition, the one without errors.
    switched, left_out = switch_plan(spec, conditions, tallies)
    assert [c.condition_id for c in switched] == [1] and left_out == {0}
    assert [
        (t.condition.condition_id, t.stored) for t in switch_tasks(spec, conditions, tallies)
    ] == [
        (1, 1),
        (1, -1),
    ]
    assert (
        switch_plan(
            parse_spec({**data, "campaign": {**campaign, "budget": None}}), conditions, tallies
        )[1]
        == set()
    )
    # A top-up round stops at the budget, in whole chunks: 15 errors in 100 (p = 0.15) project
    # (1.96 / 0.2)^2 x 0.85 / 0.15 x 1.2 = 654 samples; 250 - 200 spent leaves 50.
    many = {**tallies, 0: ConditionTally(100, 0, {}, {1: (50, 8), -1: (50, 7)})}
    rounds = parse_spec({**data, "campaign": {**campaign, "budget": 250, "max_samples": 1000}})
    tasks, ends = top_up_tasks(rounds, conditions, many, {0: 100, 1: 100})
    assert [(t.group_id, t.first, t.stop) for t in tasks] == [
        (0, s, s + 10) for s in range(100, 150, 10)
    ]
    assert ends == {0: 150, 1: 100}


def test_the_budget_goes_first_to_a_condition_whose_interval_holds_the_spec_limit():
    from rram_ber.characterization.auto import switch_plan, top_up_tasks
    from rram_ber.characterization.ber import ConditionTally

    campaign, data, tallies = _two_supplies_on_a_budget()
    # The wider relative interval is 0.8 V's, but only 1.2 V's holds a limit of 0.04.
    conditions = parse_spec(data).conditions()
    assert switch_plan(parse_spec(data), conditions, tallies)[1] == {0}
    limited = parse_spec({**data, "spec": {"ber_max": 0.04}})
    switched, left_out = switch_plan(limited, conditions, tallies)
    assert [c.condition_id for c in switched] == [0] and left_out == {1}
    # The same order for top-up rounds: 6 and 8 errors in 100, both projected within the cap;
    # the budget (50 beyond the first round) goes to the wider relative interval (6 in 100),
    # or with a limit of 0.13 to the group whose interval holds it (8 in 100).
    many = {
        0: ConditionTally(100, 0, {}, {1: (50, 3), -1: (50, 3)}),
        1: ConditionTally(100, 0, {}, {1: (50, 4), -1: (50, 4)}),
    }
    rounds = {**campaign, "budget": 250, "max_samples": 10000}
    for limit, group in ((None, 0), (0.13, 1)):
        spec = parse_spec({**data, "campaign": rounds, "spec": {"ber_max": limit} if limit else {}})
        tasks, _ = top_up_tasks(spec, conditions, many, {0: 100, 1: 100})
        assert {t.group_id for t in tasks} == {group}


def test_the_progress_bar_starts_a_new_bar_for_each_stage():
    import io

    from rram_ber.progress import ProgressBar

    stream = io.StringIO()
    with ProgressBar("run", file=stream) as bar:
        for done, total, unit in [(0, 20, "sample"), (20, 20, "sample"), (0, 30, "top-up sample")]:
            bar(done, total, unit)
        bar(30, 30, "top-up sample")
        bar(0, 2, "estimate")
        bar(2, 2, "estimate")
    text = stream.getvalue()
    assert "20/20" in text and "30/30" in text and "2/2" in text


def test_ternary_and_xnor_conditions_switch_with_one_estimate_per_stored_value():
    from rram_ber.characterization.auto import StopReason, monte_carlo_stop, switch_tasks
    from rram_ber.characterization.ber import ConditionTally

    # Two condition groups of 100 samples, and three estimates of 2,000 reads (rare_samples).
    campaign = {
        "method": "auto",
        "samples": 100,
        "batch_size": 10,
        "rare_samples": 2000,
        "budget": 200 + 6000,
    }
    data = {
        "campaign": campaign,
        "conditions": {"cell": ["ternary", "xnor"]},
        "device": LOGNORMAL,
    }
    spec = parse_spec(data)
    conditions = spec.conditions()
    # Neither is resolved by one error in 100: both switch (formerly "mode-not-supported").
    tallies = {
        0: ConditionTally(100, 0, {}, {1: (34, 1), 0: (33, 0), -1: (33, 0)}),
        1: ConditionTally(100, 0, {}, {1: (50, 1), -1: (50, 0)}),
    }
    assert all(
        monte_carlo_stop(spec, c, tallies[c.condition_id]) is not StopReason.MODE_NOT_SUPPORTED
        for c in conditions
    )
    # The budget pays for the three ternary estimates (equal urgency, the lower id first),
    # and leaves nothing for the two of XNOR.
    tasks = switch_tasks(spec, conditions, tallies)
    assert [(t.condition.cell.value, t.stored) for t in tasks] == [
        ("ternary", 1),
        ("ternary", 0),
        ("ternary", -1),
    ]
    unlimited = parse_spec({**data, "campaign": {**campaign, "budget": None}})
    tasks = switch_tasks(unlimited, conditions, tallies)
    assert [(t.condition.cell.value, t.stored) for t in tasks][3:] == [("xnor", 1), ("xnor", -1)]


def test_each_estimate_stops_at_its_share_so_that_the_mean_reaches_the_target():
    from rram_ber.characterization.ber import estimate_target

    # Two estimates of equal p, each at +-25.5 %: their mean has 25.5 / sqrt(2) = 18 %.
    share = estimate_target(0.2, 2)
    assert share == pytest.approx(0.2 * math.sqrt(2) * 0.9)
    assert share / math.sqrt(2) < 0.2
    # p differing 2x: sqrt(1 + 4) / 3 of the share, still within the target.
    assert share * math.sqrt(5) / 3 <= 0.2
    assert estimate_target(0.2, 3) == pytest.approx(0.2 * math.sqrt(3) * 0.9)


def test_a_row_whose_estimates_stopped_early_says_so_not_budget_exhausted():
    from rram_ber.characterization.auto import _unresolved_estimates
    from rram_ber.characterization.rare import RareEstimate, RareEventResult

    def estimate(evaluations: int, failures: int = 40) -> RareEstimate:
        result = RareEventResult(
            method="guided-importance",
            p=1e-3 if failures else 0.0,
            ci_low=5e-4 if failures else 0.0,
            ci_high=1.5e-3,
            confidence=0.95,
            n_evaluations=evaluations,
            n_failures=failures,
            std_error=2.5e-4,
            effective_sample_size=float("nan"),
            effective_failures=float(failures),
            upper_bound_only=not failures,
        )
        return RareEstimate(0, 1, result)

    stopped = [estimate(600), estimate(700)]
    assert _unresolved_estimates(stopped, budget=4000) is StopReason.ESTIMATES_STOPPED
    spent = [estimate(600), estimate(4000)]
    assert _unresolved_estimates(spent, budget=4000) is StopReason.BUDGET_EXHAUSTED
    # A bound that ended early (the subset stage found no failure in its share) is no estimate
    # that stopped at its target.
    bound = [estimate(600), estimate(1100, failures=0)]
    assert _unresolved_estimates(bound, budget=4000) is StopReason.BUDGET_EXHAUSTED


def test_measured_devices_stop_at_the_datas_resolution_and_top_up_towards_it():
    from pathlib import Path

    from rram_ber.characterization.auto import data_resolution, monte_carlo_stop, top_up_tasks
    from rram_ber.characterization.ber import ConditionTally

    data = {
        "campaign": {"method": "auto", "samples": 50, "batch_size": 10, "max_samples": 200},
        "conditions": {"cell": "2t2r"},
        "device": {"model": "empirical", "csv": "measured.csv"},
    }
    folder = Path(__file__).resolve().parents[1] / "data" / "reference_tables"
    spec = parse_spec(data, source_dir=str(folder))
    assert data_resolution(spec) == 1 / 25  # 25 measured devices in each state
    assert data_resolution(parse_spec({"campaign": {"method": "auto"}})) is None  # log-normal
    [condition] = spec.conditions()
    # No failure in 100 reads: the upper bound, 0.036, is below 1/25 (far above the 1e-9 floor).
    hundred = ConditionTally(100, 0, {}, {1: (50, 0), -1: (50, 0)})
    assert monte_carlo_stop(spec, condition, hundred) is StopReason.BELOW_DATA_RESOLUTION
    # In 50 reads (bound 0.071) it is not resolved, and rare events do not cover measured
    # devices; the top-up round aims at the data's resolution, ln(0.025) / ln(1 - 1/25) = 90.4
    # samples (x 1.2, in whole chunks: 110), where the 1e-9 floor lies beyond the cap of 200.
    fifty = ConditionTally(50, 0, {}, {1: (25, 0), -1: (25, 0)})
    assert monte_carlo_stop(spec, condition, fifty) is StopReason.MODE_NOT_SUPPORTED
    tasks, ends = top_up_tasks(spec, [condition], {0: fifty}, {condition.group_id: 50})
    assert ends[condition.group_id] == 110 and len(tasks) == 6
    # One failure in 100 (bound 0.054): above the data's resolution, so no stop there.
    one = ConditionTally(100, 0, {}, {1: (50, 1), -1: (50, 0)})
    assert monte_carlo_stop(spec, condition, one) is StopReason.MODE_NOT_SUPPORTED


def test_the_schema_names_every_stop_reason():
    from rram_ber.characterization import schema

    assert [reason.value for reason in StopReason] == list(schema.STOP_REASONS)
