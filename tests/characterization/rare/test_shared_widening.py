"""An estimate re-read for another sampling time carries the widening of an estimate whose
search may have missed a region (issue 26): its upper end then bounds what a missed region
holds, as the own estimate's does."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rram_ber.characterization.limit_states import also_failure_column
from rram_ber.characterization.rare.importance import missed_region_bound
from rram_ber.characterization.rare.intervals import clopper_pearson
from rram_ber.characterization.rare.options import ImportanceOptions
from rram_ber.characterization.rare.results import EvaluatedSamples, RareEventResult
from rram_ber.characterization.rare_task import RareTask, shared_estimates
from rram_ber.characterization.spec import parse_spec

DEFENSIVE = ImportanceOptions().defensive_fraction


def test_the_missed_region_bound_counts_only_the_failures_no_region_explains():
    rng = np.random.default_rng(0)
    u = rng.standard_normal((2000, 3))
    # Failures of a known region (u_0 >= 2, design point (2, 0, 0)) and of an unknown one
    # (u_1 >= 2.5).
    known, unknown = u[:, 0] >= 2.0, u[:, 1] >= 2.5
    region = [np.array([2.0, 0.0, 0.0])]
    bound = missed_region_bound(u, known | unknown, region, DEFENSIVE, 0.95)
    unexplained = int(np.sum(unknown & (u[:, 0] < 1.5)))
    assert unexplained > 0
    assert bound >= clopper_pearson(unexplained, 2000, 0.95)[1] / DEFENSIVE
    assert bound < clopper_pearson(int(np.sum(known | unknown)), 2000, 0.95)[1] / DEFENSIVE
    # Without a known region every failure is unexplained.
    everything = clopper_pearson(int(np.sum(known)), 2000, 0.95)[1] / DEFENSIVE
    assert missed_region_bound(u, known, [], DEFENSIVE, 0.95) == pytest.approx(min(1, everything))
    # Every failure explained: only the zero-count bound remains.
    assert missed_region_bound(u, known, region, DEFENSIVE, 0.95) == pytest.approx(
        clopper_pearson(0, 2000, 0.95)[1] / DEFENSIVE
    )


@pytest.mark.parametrize("missing", [False, True])
def test_a_shared_estimate_is_widened_when_the_own_search_may_have_missed_a_region(missing):
    spec = parse_spec(
        {
            "campaign": {"method": "auto", "samples": 100},
            "conditions": {"t_sample_s": [1e-9, 2e-9]},
        }
    )
    early, late = sorted(spec.conditions(), key=lambda c: c.t_sample_s)
    rng = np.random.default_rng(1)
    n = 1000
    u = rng.standard_normal((n, 2))
    # Plain draws (weight 1) re-read for the early time, which also fails beyond u_1 >= 2: a
    # direction the own estimate's design point (3, 0) does not explain.
    late_failed = u[:, 0] >= 3.0
    early_failed = late_failed | (u[:, 1] >= 2.0)
    stage = np.array(["estimate"] * n)
    result = RareEventResult(
        method="guided-importance",
        p=float(late_failed.mean()),
        ci_low=0.0,
        ci_high=0.01,
        confidence=0.95,
        n_evaluations=n,
        n_failures=int(late_failed.sum()),
        std_error=0.001,
        effective_sample_size=float(n),
        effective_failures=float(late_failed.sum()),
        regions_may_be_missing=missing,
        diagnostics={"design_points": [[3.0, 0.0]], "estimate_from": "importance"},
        samples=EvaluatedSamples(
            u=u, failed=late_failed, stage=stage, weight=np.ones(n), scale=np.full(n, np.nan)
        ),
    )
    rows = pd.DataFrame(
        {"stage": stage, "weight": np.ones(n), also_failure_column(0): early_failed}
    )
    task = RareTask(late, 1, "guided-importance", 4000, also=(early,))
    (shared,) = shared_estimates(task, result, rows)
    plain = float(early_failed.mean())
    assert shared.condition_id == early.condition_id
    assert shared.result.p == pytest.approx(plain)
    z_high = plain + 1.96 * np.sqrt(plain * (1 - plain) / n)
    if missing:
        unexplained = int(np.sum(early_failed & (u[:, 0] < 2.25)))
        widening = clopper_pearson(unexplained, n, 0.95)[1] / DEFENSIVE
        assert shared.result.ci_high >= min(1.0, plain + widening) - 1e-12
        assert any("regions may be missing" in note for note in shared.result.notes)
    else:
        assert shared.result.ci_high == pytest.approx(z_high, rel=0.01)
