"""The [campaign] and [variability] tables of a campaign specification.

Kept apart from :mod:`rram_ber.characterization.spec` (which parses the whole file and expands it
into conditions) so that each module stays one job; ``rram_ber.characterization.spec`` re-exports
both.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from rram_ber.characterization.rare.registry import (
    AUTO,
    AUTO_RARE_METHOD,
    CAMPAIGN_METHODS,
    ESTIMATORS,
)
from rram_ber.characterization.simulator import DEFAULT_TIME_LIMIT_S
from rram_ber.core.validation import (
    ParameterError,
    check_choice,
    check_fields,
    check_int,
    check_range,
    ranged,
)
from rram_ber.models.cmos import PelgromCoefficients

MAX_SAMPLES = 100_000_000
MAX_BATCH = 2000

#: ``campaign.method`` of a campaign that names none: auto since issue 26 (a condition that
#: sampling resolves costs what it costs in a Monte-Carlo campaign, one it leaves unresolved
#: gets a rare-event estimate instead of a bare bound).
DEFAULT_METHOD = AUTO
#: ``campaign.method`` of a campaign that named none before issue 26. Every ``campaign.json``
#: records its method, so old records keep their meaning; an old output directory resumed from
#: a file that names no method is refused (another campaign), with a hint that names this one.
PREVIOUS_DEFAULT_METHOD = "monte-carlo"

#: Defaults of an auto campaign (issue 26): the precision that resolves a condition (95 %
#: interval half-width / estimate), the resolution floor (an upper bound at or below it resolves
#: a condition), and the budget of each rare-event estimate: 4000, the budget at which the
#: switched-to method's coverage was measured at 90-98 % on the benchmark problems
#: (``benchmarks/rare_event.py --coverage --method guided-importance``); an estimate stops
#: earlier once its interval reaches the target. Its smallest allowed value is the method's
#: campaign minimum (``rare.registry``).
AUTO_TARGET_RELATIVE_HALF_WIDTH = 0.2
AUTO_RESOLVE_BELOW = 1e-9
#: The auto campaign's ceiling: a BER whose 95 % interval lies at or above it is resolved as
#: it is. 10 %: well above what an error-aware binarized network tolerates (4e-2, Hirtzlin et
#: al., AICAS 2019; without error-aware training about 1e-4), and where the shipped Fashion
#: networks lose 5 points or more; no precision above it changes an answer.
AUTO_RESOLVE_ABOVE = 0.1
AUTO_RARE_SAMPLES = 4000
MIN_RARE_SAMPLES = ESTIMATORS[AUTO_RARE_METHOD].campaign_min_samples

#: [campaign] keys written into campaign.json only when set (an auto campaign sets them all),
#: so the fingerprint of a campaign that does not use them is what it was before they existed.
OPTIONAL_CAMPAIGN_KEYS = (
    "target_relative_half_width",
    "resolve_below",
    "resolve_above",
    "rare_samples",
    "max_samples",
    "budget",
)


@dataclass(frozen=True, slots=True)
class CampaignSettings:
    """The [campaign] table.

    Attributes
    ----------
    name : str
        Free text for reports (never written into a netlist).
    seed : int
        Root seed; sample ``i`` of condition group ``g`` draws from
        ``numpy.random.SeedSequence(seed, spawn_key=(g, i))`` (see :class:`Condition`).
    samples : int
        Monte-Carlo samples per condition (default 1000); for ``auto`` (the default method),
        the first Monte-Carlo round of each condition group; for ``importance``,
        ``scaled-sigma``, ``subset`` and ``guided-importance``, the simulation budget of each
        estimate (one per stored value +1 / -1).
    batch_size : int
        Samples simulated together in one netlist (one chunk); it fixes the chunk boundaries,
        so it is part of what makes a table reproducible. Default 10, chosen with
        ``benchmarks/campaign_throughput.py``: 5-25 per netlist were equally fast within the
        noise (1.1-1.2x a naive PySpice loop per core), 100 was slower, and a small chunk keeps
        the sample-by-sample rerun of a failed chunk cheap.
    method : str
        BER estimator: ``"auto"`` (the default since issue 26): Monte-Carlo with ``samples``
        per condition group first (its first round; more rounds up to ``max_samples``), then
        a guided importance-sampling estimate (``rare_samples`` each) per stored value of
        every condition the samples left unresolved (:mod:`rram_ber.characterization.auto`);
        or one method for every condition: ``"monte-carlo"`` (the default before issue 26: a
        campaign file written for it that names no method must now say
        ``method = "monte-carlo"``), ``"importance"``, ``"scaled-sigma"``, ``"subset"`` or
        ``"guided-importance"``.
    time_limit_s : float
        Wall-clock limit of one ngspice run [s] (0 < x <= 86400): a run still going after it
        is halted and its samples fail with the reason (see
        :mod:`rram_ber.characterization.session`).
    target_relative_half_width : float or None
        ``importance`` only: stop an estimate once its 95 % interval's half-width is at most
        this fraction of the estimate (0 < x <= 10), or at ``samples``, whichever comes
        first. None (the default): spend the whole budget. ``auto``: a condition is resolved
        when its interval is this precise (default 0.2).
    resolve_below : float or None
        Resolution floor (0 < x < 1): a BER whose upper bound is at most this is resolved
        (reports evaluate such a condition at its bound, see
        ``analysis.bnn.ber_table.resolve_ber``). ``auto`` default 1e-9; other methods: None
        (the reports' default).
    resolve_above : float or None
        ``auto`` only: the ceiling (``resolve_below`` < x <= 1): a condition whose 95 %
        interval's lower end is at least this is resolved as it is (stop reason
        ``above-ceiling``), whatever its precision; default 0.1 (:data:`AUTO_RESOLVE_ABOVE`).
        1 turns it off: then every condition is worked on until its target or floor.
    rare_samples : int or None
        ``auto`` only: the simulation budget of each rare-event estimate of a condition the
        Monte-Carlo samples left unresolved (default 4000; at least the switched-to method's
        campaign minimum, 2000). An estimate serves every switched sampling time of its
        condition group and stops early at ``target_relative_half_width``.
    max_samples : int or None
        ``auto`` only: the most Monte-Carlo samples a condition group may get. After the first
        ``samples``, a group whose unresolved conditions are projected to reach the target (or
        the floor) within this many gets more, in rounds (default: ``samples``, no top-up).
    budget : int or None
        ``auto`` only: the most SPICE reads of the campaign (each group's Monte-Carlo samples
        once, plus ``rare_samples`` per stored value of a switched condition); at least the
        first round, ``samples`` per condition group. Top-up rounds and estimates go first
        where the interval holds the ``[spec] ber_max`` limit, then where it is widest
        relative to the estimate. None (default): no limit.
    """

    name: str = "campaign"
    seed: int = 0
    samples: int = 1000
    batch_size: int = 10
    method: str = DEFAULT_METHOD
    time_limit_s: float = ranged(DEFAULT_TIME_LIMIT_S, 0.0, 86400.0, low_inclusive=False, unit="s")
    target_relative_half_width: float | None = ranged(None, 0.0, 10.0, low_inclusive=False)
    resolve_below: float | None = None
    resolve_above: float | None = None
    rare_samples: int | None = None
    max_samples: int | None = None
    budget: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or len(self.name) > 200:
            raise ParameterError("campaign.name", self.name, "a string of at most 200 characters")
        check_int("campaign.seed", self.seed, 0, 2**63 - 1)
        check_int("campaign.samples", self.samples, 1, MAX_SAMPLES)
        check_int("campaign.batch_size", self.batch_size, 1, MAX_BATCH)
        check_choice("campaign.method", self.method, CAMPAIGN_METHODS)
        check_fields(self)  # time_limit_s, target_relative_half_width
        self._check_auto_keys()

    def _check_auto_keys(self) -> None:
        """Validate ``resolve_below`` and ``rare_samples``; fill an auto campaign's defaults."""
        if self.resolve_below is not None:
            floor = check_range(
                "campaign.resolve_below",
                self.resolve_below,
                0.0,
                1.0,
                low_inclusive=False,
                high_inclusive=False,
            )
            object.__setattr__(self, "resolve_below", floor)
        if self.method != AUTO:
            for key in ("resolve_above", "rare_samples", "max_samples", "budget"):
                if getattr(self, key) is not None:
                    raise ParameterError(
                        f"campaign.{key}",
                        getattr(self, key),
                        f"no value with campaign.method = {self.method!r} (only {AUTO!r} plans "
                        "samples and rare-event estimates per condition)",
                    )
            return
        defaults = {
            "target_relative_half_width": AUTO_TARGET_RELATIVE_HALF_WIDTH,
            "resolve_below": AUTO_RESOLVE_BELOW,
            "resolve_above": AUTO_RESOLVE_ABOVE,
            "rare_samples": AUTO_RARE_SAMPLES,
        }
        for key, value in defaults.items():
            if getattr(self, key) is None:
                object.__setattr__(self, key, value)
        assert self.resolve_below is not None  # filled in above
        ceiling = check_range(
            "campaign.resolve_above",
            self.resolve_above,
            self.resolve_below,
            1.0,
            low_inclusive=False,
        )
        object.__setattr__(self, "resolve_above", ceiling)
        check_int("campaign.rare_samples", self.rare_samples, MIN_RARE_SAMPLES, MAX_SAMPLES)
        if self.max_samples is None:
            object.__setattr__(self, "max_samples", self.samples)
        check_int("campaign.max_samples", self.max_samples, self.samples, MAX_SAMPLES)
        if self.budget is not None:
            check_int("campaign.budget", self.budget, 1, 2**62)

    def check_first_round(self, groups: int) -> None:
        """Refuse an auto campaign whose ``budget`` cannot pay for its first Monte-Carlo
        round (``samples`` per condition group).

        Raises
        ------
        ParameterError
            Naming ``campaign.budget`` and the smallest budget allowed.
        """
        first_round = groups * self.samples
        if self.budget is not None and self.budget < first_round:
            raise ParameterError(
                "campaign.budget",
                self.budget,
                f"at least {first_round} (the first Monte-Carlo round: campaign.samples x "
                f"{groups} condition group(s))",
            )

    def with_samples(self, samples: int) -> CampaignSettings:
        """The same settings with another ``samples``; an auto campaign's top-up cap
        ``max_samples`` scales with it (at least ``samples``: one without top-up stays
        without), so a quick look with few samples stays quick."""
        most = self.max_samples
        if most is not None:
            most = max(samples, round(most * samples / self.samples))
        return dataclasses.replace(self, samples=samples, max_samples=most)


@dataclass(frozen=True, slots=True)
class VariabilitySettings:
    """The [variability] table.

    Attributes
    ----------
    mismatch : bool
        Draw Pelgrom mismatch for every transistor of every sample.
    device : bool
        Draw device-to-device variability (log-normal / empirical / VCM); off = medians.
    pelgrom : PelgromCoefficients
        Mismatch coefficients (keys ``a_vt_n_v_m`` ... of :class:`PelgromCoefficients`).
    """

    mismatch: bool = True
    device: bool = True
    pelgrom: PelgromCoefficients = field(default_factory=PelgromCoefficients)
