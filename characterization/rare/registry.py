"""The registry of rare-event estimators: one entry per ``method`` name.

A new estimator is a module of this package (``estimator(limit_state, dim, budget, seed,
options) -> RareEventResult``), its option record in :mod:`rram_ber.characterization.rare.options`,
an entry in :data:`ESTIMATORS` and its name in :data:`rram_ber.characterization.schema.METHODS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from rram_ber.characterization.rare.importance import importance_sampling
from rram_ber.characterization.rare.monte_carlo import monte_carlo
from rram_ber.characterization.rare.options import (
    CommonOptions,
    ImportanceOptions,
    MonteCarloOptions,
    ScaledSigmaOptions,
    SubsetOptions,
)
from rram_ber.characterization.rare.results import RareEventResult
from rram_ber.characterization.rare.scaled_sigma import scaled_sigma_sampling
from rram_ber.characterization.rare.subset import subset_simulation
from rram_ber.core.validation import ParameterError, check_choice


@dataclass(frozen=True, slots=True)
class Estimator:
    """One rare-event estimator.

    Attributes
    ----------
    run : callable
        ``run(limit_state, dim, budget, seed, options) -> RareEventResult``.
    options : type
        Its option record (a :class:`~characterization.rare.options.CommonOptions`).
    min_budget : int
        Smallest budget it accepts.
    campaign_min_samples : int
        Smallest ``campaign.samples`` of a campaign using it: the budget of one estimate on a
        SPICE read (up to ~20 variables), e.g. the failure-region search of importance sampling
        needs about 20 x dim + 1000 evaluations, scaled-sigma a few hundred samples at each of
        several scales.
    """

    run: Callable[..., RareEventResult]
    options: type[CommonOptions]
    min_budget: int
    campaign_min_samples: int


#: Smallest budget of subset simulation: 10 levels of at least 100 points (10 chains of 10),
#: ``100 (1 + 9 x 0.9)`` = 910 evaluations, rounded up.
SUBSET_MIN_BUDGET = 1000

#: The estimators by ``method`` name. The minimum budgets: the search of importance sampling
#: alone needs a few hundred evaluations; scaled-sigma needs enough samples at each scale.
#: Importance's campaign minimum (2000) is measured with ``benchmarks/rare_event.py
#: --coverage`` (100 seeds): two regions in 30-D at 1e-6 came out covered in 94 % of seeds
#: with 2 flagged (widened) results, against every result flagged at 1500 (the search needs
#: about 350 evaluations per region in 30-D). Four regions need 4000 for an informative
#: interval; below that the results say regions may be missing and widen the interval.
#: Subset simulation's campaign minimum (2000) is measured the same way: coverage 98, 96 and
#: 94 % on two regions in 30-D, the 1e-9 half-space in 100-D and the 4.9e-7 parabola in 50-D
#: (90-92 % at 1000); its intervals are then wide (an order of magnitude), not wrong.
ESTIMATORS: dict[str, Estimator] = {
    "monte-carlo": Estimator(monte_carlo, MonteCarloOptions, 10, 10),
    "importance": Estimator(importance_sampling, ImportanceOptions, 500, 2000),
    "scaled-sigma": Estimator(scaled_sigma_sampling, ScaledSigmaOptions, 500, 2000),
    "subset": Estimator(subset_simulation, SubsetOptions, SUBSET_MIN_BUDGET, 2000),
}

#: Smallest budget of each method.
MIN_BUDGET = {name: estimator.min_budget for name, estimator in ESTIMATORS.items()}


def make_options(method: str, options: Mapping[str, Any]) -> CommonOptions:
    """Validated option record of ``method`` from keyword options.

    Raises
    ------
    ParameterError
        For an unknown method, an option the method does not have, or a bad value.
    """
    check_choice("method", method, ESTIMATORS)
    option_type = ESTIMATORS[method].options
    known = [f.name for f in fields(option_type)]
    for name in options:
        if name not in known:
            raise ParameterError(
                "options", name, f"an option of method {method!r}: " + ", ".join(known)
            )
    values = dict(options)
    for name in ("explore_scales", "scales", "pilot_scales"):
        if values.get(name) is not None and not isinstance(values[name], str):
            try:
                values[name] = tuple(values[name])
            except TypeError:
                raise ParameterError(name, values[name], "a sequence of numbers") from None
    return option_type(**values)
