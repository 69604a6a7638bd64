"""The registry of rare-event estimators: one entry per ``method`` name, with what it can do.

A new estimator is a module of this package holding ``estimator(limit_state, dim, budget, seed,
options) -> RareEventResult`` (results built with ``_Evaluator.result``, its own findings in
``diagnostics``) and its option record (a :class:`~rram_ber.characterization.rare.options.
CommonOptions`), and one entry in :data:`ESTIMATORS` declaring its capabilities. Everything
else asks the entry: the campaign's ``method`` choices and the ``method`` column of
``ber.csv`` are its keys, the spec checks read its minimum budget and whether it stops at a
precision, the campaign plans the work its entry names, and its results are stored and read
back by the one record of :class:`~rram_ber.characterization.rare.results.RareEstimate`.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from rram_ber.characterization.rare.guided import GUIDED, GuidedOptions, guided_importance
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


class CampaignWork(enum.Enum):
    """What a campaign with a method runs: the kind of task it plans.

    ``SAMPLE_CHUNKS``: chunks of plain Monte-Carlo samples per condition group, every read
    mode and device option; each sample draws from its own seed, so a finished campaign may be
    topped up with more samples. ``ESTIMATES``: one estimate of the method on the SPICE read's
    limit state per condition and stored value (binary reads of devices that are functions of
    standard normals, see ``characterization.devices.RARE_EVENT_MODELS``).
    """

    SAMPLE_CHUNKS = "sample"
    ESTIMATES = "estimate"
    #: ``method = "auto"``: the Monte-Carlo chunks first, then one estimate of
    #: :data:`AUTO_RARE_METHOD` per stored value of each condition they left unresolved
    #: (planned by :mod:`rram_ber.characterization.auto` from the stored rows).
    AUTO = "auto"

    @property
    def may_top_up(self) -> bool:
        """Whether rerunning with another ``campaign.samples`` extends the stored results."""
        return self is CampaignWork.SAMPLE_CHUNKS


@dataclass(frozen=True, slots=True)
class Estimator:
    """One rare-event estimator and its capabilities.

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
    needs_margin : bool
        It ranks points by a graded margin: the limit state must be a
        :class:`~characterization.rare.options.MarginLimitState` (the SPICE read limit states
        are).
    campaign_work : CampaignWork
        What a campaign with this method runs.
    """

    run: Callable[..., RareEventResult]
    options: type[CommonOptions]
    min_budget: int
    campaign_min_samples: int
    needs_margin: bool = False
    campaign_work: CampaignWork = CampaignWork.ESTIMATES

    @property
    def precision_target(self) -> bool:
        """Whether it stops at a precision (its options have ``target_relative_half_width``,
        which ``campaign.target_relative_half_width`` sets)."""
        return "target_relative_half_width" in {f.name for f in fields(self.options)}

    @property
    def sequence_options(self) -> tuple[str, ...]:
        """Its options that take a sequence of values (typed as tuples in the option record;
        any sequence given is turned into one)."""
        hints = typing.get_type_hints(self.options)
        return tuple(f.name for f in fields(self.options) if _is_tuple(hints[f.name]))


def _is_tuple(hint: Any) -> bool:
    """Whether a type hint is a tuple, or an optional one."""
    origin = typing.get_origin(hint)
    if origin is tuple:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_tuple(arg) for arg in typing.get_args(hint))
    return False


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
    "monte-carlo": Estimator(
        monte_carlo, MonteCarloOptions, 10, 10, campaign_work=CampaignWork.SAMPLE_CHUNKS
    ),
    "importance": Estimator(importance_sampling, ImportanceOptions, 500, 2000),
    "scaled-sigma": Estimator(scaled_sigma_sampling, ScaledSigmaOptions, 500, 2000),
    "subset": Estimator(
        subset_simulation, SubsetOptions, SUBSET_MIN_BUDGET, 2000, needs_margin=True
    ),
    GUIDED: Estimator(guided_importance, GuidedOptions, SUBSET_MIN_BUDGET, 2000),
}

#: The methods, in the registry's order: the estimators' names, the ``ber.csv`` values.
METHODS = tuple(ESTIMATORS)

#: The campaign method that chooses per condition: Monte-Carlo rounds, then a rare-event
#: estimate where sampling did not resolve the BER (:mod:`rram_ber.characterization.auto`).
AUTO = "auto"

#: ``campaign.method`` choices: every estimator, and ``auto``.
CAMPAIGN_METHODS = (*METHODS, AUTO)

#: What an auto campaign switches an unresolved condition to: importance sampling guided by
#: subset simulation (:mod:`~rram_ber.characterization.rare.guided`), which needs no known
#: failure region (importance sampling alone returns p = 0 with a bound on a curved failure set
#: it did not find) and estimates with importance sampling's precision once it has one.
AUTO_RARE_METHOD = GUIDED


def campaign_work_of(method: str) -> CampaignWork:
    """What a campaign with ``campaign.method = method`` runs."""
    return CampaignWork.AUTO if method == AUTO else ESTIMATORS[method].campaign_work


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
    for name in ESTIMATORS[method].sequence_options:
        if values.get(name) is not None and not isinstance(values[name], str):
            try:
                values[name] = tuple(values[name])
            except TypeError:
                raise ParameterError(name, values[name], "a sequence of numbers") from None
    return option_type(**values)
