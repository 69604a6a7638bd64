"""The [campaign] and [variability] tables of a campaign specification.

Kept apart from :mod:`rram_ber.characterization.spec` (which parses the whole file and expands it
into conditions) so that each module stays one job; ``rram_ber.characterization.spec`` re-exports
both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rram_ber.characterization.rare.registry import METHODS
from rram_ber.characterization.simulator import DEFAULT_TIME_LIMIT_S
from rram_ber.core.validation import ParameterError, check_choice, check_fields, check_int, ranged
from rram_ber.models.cmos import PelgromCoefficients

MAX_SAMPLES = 100_000_000
MAX_BATCH = 2000


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
        Monte-Carlo samples per condition; for ``importance``, ``scaled-sigma`` and
        ``subset``, the simulation budget of each estimate (one per stored value +1 / -1).
    batch_size : int
        Samples simulated together in one netlist (one chunk); it fixes the chunk boundaries,
        so it is part of what makes a table reproducible. Default 10, chosen with
        ``benchmarks/campaign_throughput.py``: 5-25 per netlist were equally fast within the
        noise (1.1-1.2x a naive PySpice loop per core), 100 was slower, and a small chunk keeps
        the sample-by-sample rerun of a failed chunk cheap.
    method : str
        BER estimator: ``"monte-carlo"``, ``"importance"``, ``"scaled-sigma"`` or ``"subset"``.
    time_limit_s : float
        Wall-clock limit of one ngspice run [s] (0 < x <= 86400): a run still going after it
        is halted and its samples fail with the reason (see
        :mod:`rram_ber.characterization.session`).
    target_relative_half_width : float or None
        ``importance`` only: stop an estimate once its 95 % interval's half-width is at most
        this fraction of the estimate (0 < x <= 10), or at ``samples``, whichever comes
        first. None (the default): spend the whole budget.
    """

    name: str = "campaign"
    seed: int = 0
    samples: int = 1000
    batch_size: int = 10
    method: str = "monte-carlo"
    time_limit_s: float = ranged(DEFAULT_TIME_LIMIT_S, 0.0, 86400.0, low_inclusive=False, unit="s")
    target_relative_half_width: float | None = ranged(None, 0.0, 10.0, low_inclusive=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or len(self.name) > 200:
            raise ParameterError("campaign.name", self.name, "a string of at most 200 characters")
        check_int("campaign.seed", self.seed, 0, 2**63 - 1)
        check_int("campaign.samples", self.samples, 1, MAX_SAMPLES)
        check_int("campaign.batch_size", self.batch_size, 1, MAX_BATCH)
        check_choice("campaign.method", self.method, METHODS)
        check_fields(self)  # time_limit_s, target_relative_half_width


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
