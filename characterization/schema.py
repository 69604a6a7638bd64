"""Column names and value conventions of the tables a campaign writes.

This is the contract between ``characterization`` (which writes) and ``analysis`` (which
reads); ``analysis`` may import this module, nothing here imports the simulator.

Files in a campaign output directory ``OUT/``
-------------------------------------------
``OUT/samples/g<group>-k<chunk>.parquet``
    One row per Monte-Carlo sample and condition of a chunk of one condition group (see the
    sample-row columns below).
``OUT/rare/c<condition>-plus.json`` / ``-minus`` / ``-zero``, with a ``.parquet`` of rows
    A rare-event estimate of one stored value (importance / scaled-sigma / subset campaigns,
    and the switched conditions of auto ones) and every simulated read.
``OUT/conditions/<condition>.json``
    The resolved settings of each condition (written before its samples).
``OUT/ber.csv``
    One row per condition: its settings (the campaign's sweep keys, e.g. ``cell``, ``vdd_v``,
    ``temp_c``, ``corner``, ``t_sample_s``) then the ``BER_*`` columns.
``OUT/confusion.csv``
    Long table of read outcomes per condition and expected value, ``CONFUSION_*`` columns
    (``stored`` holds the expected value): one row per value a read can deliver (``read`` +1,
    -1, and for ternary cells 0; ``outcome`` correct or wrong), then one row of undecided
    reads and one of failed simulations (``read`` empty). ``total`` is every read of the
    expected value, so the ``p`` of its rows sum to 1 and ``1 - p(correct)`` is its BER. A
    condition of an auto campaign resolved by rare-event estimates has the rows of its
    estimates instead (``ber.estimated_confusion_rows``): no ``count``, ``total``, undecided
    or failed row; ``1 - p(correct)`` is the estimated error rate of the value.

Conventions
-----------
* Weights are +1 / -1 (binary) or +1 / 0 / -1 (ternary). For a 2T2R cell, +1 is (LRS on BL,
  HRS on BLB); for 1T1R, +1 is the device in LRS.
* Every row has ``stored`` (the weight), ``activation`` (the XNOR input, 0 when there is
  none) and ``expected`` (the value a perfect read returns: the weight, or ``w * x`` for the
  XNOR-PCSA). Statistics are keyed by ``expected``.
* Every read has one outcome, defined once in :mod:`rram_ber.characterization.outcome`:
  correct, wrong, undecided at the sampling time, or failed simulation. ``n_samples`` =
  ``n_correct`` + ``n_wrong`` + ``n_undecided`` + ``n_failed`` (``n_correct`` is not written);
  ``n_decided`` = ``n_correct`` + ``n_wrong``.
* ``n_errors`` = ``n_wrong + n_undecided + n_failed`` (every read that did not deliver the
  expected value) and ``ber`` = ``n_errors / n_samples``: the BER is over all reads, as the
  rare-event estimates count it, and ``undecided_share`` / ``failed_share`` (of
  ``n_samples``) say how much of it is not a wrong value.
* ``ber_ci_low`` / ``ber_ci_high``: exact Clopper-Pearson 95 % interval (importance or
  scaled-sigma estimates give their own interval; ``method`` says which).
* ``ber_report``: text for people. When no error was observed it is ``"< <upper bound>"``,
  never a bare 0.
* ``method = "auto"`` campaigns add ``n_evaluations`` and ``stop_reason``: a condition is
  ``target-reached`` (95 % interval half-width at most ``target_relative_half_width`` of the
  estimate), ``below-floor`` (upper bound at most ``resolve_below``), ``above-ceiling``
  (lower bound at least ``resolve_above``: too high for any network), ``budget-exhausted``
  (its rare-event estimates spent ``rare_samples`` each without either or ended with a bound
  above the floor, or the campaign
  ``budget`` left none for them and the Monte-Carlo row stays), ``estimates-stopped`` (the
  estimates it comes from stopped at their share of the target before their budget, the row
  did not reach it: one stored value dominates, or the row re-reads a group estimate made for
  a later sampling time), ``below-data-resolution`` (measured devices: upper bound at most
  ``1 / min(N_LRS, N_HRS)``, the rarest measured device, above the floor) or
  ``mode-not-supported`` (not resolved by Monte-Carlo, and the devices have no rare-event
  limit state: measured devices; every read mode has one). ``method`` says which estimator
  the row's BER comes from (``guided-importance``: the Monte-Carlo samples did not resolve it).
* ``p_error_plus`` = P(not read +1 | expected +1) and ``p_error_minus`` =
  P(not read -1 | expected -1), over all reads of that value as ``ber``: the asymmetric 2 x 2
  error model of a binary condition (NaN for ternary conditions, whose model is in
  ``confusion.csv``; in a rare-event row, the estimates of stored +1 and -1, NaN for XNOR
  conditions, whose estimates are per stored weight, not per expected output).
* Tables written before the outcome definition have ``n_resolved`` / ``n_unresolved`` and a
  ``ber`` over resolved reads; :func:`rram_ber.characterization.ber.upgrade_ber_table` reads
  them into these columns.
"""

from __future__ import annotations

# --- ber.csv -------------------------------------------------------------------------------
CONDITION_ID = "condition_id"
METHOD = "method"
N_SAMPLES = "n_samples"  # reads simulated (or attempted: failed simulations included)
N_DECIDED = "n_decided"  # reads that delivered a valid value (correct or wrong)
N_UNDECIDED = "n_undecided"  # reads that delivered no valid value at the sampling time
N_FAILED = "n_failed"  # reads whose simulation failed
N_WRONG = "n_wrong"  # reads that delivered a valid value other than the expected one
N_ERRORS = "n_errors"  # n_wrong + n_undecided + n_failed: the numerator of ber
BER = "ber"  # n_errors / n_samples
BER_CI_LOW = "ber_ci_low"
BER_CI_HIGH = "ber_ci_high"
BER_REPORT = "ber_report"
UNDECIDED_SHARE = "undecided_share"  # n_undecided / n_samples
FAILED_SHARE = "failed_share"  # n_failed / n_samples
P_ERROR_PLUS = "p_error_plus"
P_ERROR_MINUS = "p_error_minus"

BER_COLUMNS = (
    METHOD,
    N_SAMPLES,
    N_DECIDED,
    N_UNDECIDED,
    N_FAILED,
    N_WRONG,
    N_ERRORS,
    BER,
    BER_CI_LOW,
    BER_CI_HIGH,
    BER_REPORT,
    UNDECIDED_SHARE,
    FAILED_SHARE,
    P_ERROR_PLUS,
    P_ERROR_MINUS,
)

# Former names of the columns above, in tables written before the outcome definition
# (``n_resolved`` counted resolved reads, ``n_unresolved`` unresolved ones, ``n_errors`` wrong
# resolved reads and ``ber`` was n_errors / n_resolved); ``upgrade_ber_table`` in ``ber.py``
# reads such tables. The Python names stay as aliases for code not yet moved to the new ones.
LEGACY_N_RESOLVED = "n_resolved"
LEGACY_N_UNRESOLVED = "n_unresolved"
N_RESOLVED = N_DECIDED
N_UNRESOLVED = N_UNDECIDED

# Written by ``method = "auto"`` campaigns only, after the BER columns (other campaigns'
# tables are unchanged): the SPICE reads behind the row (the group's Monte-Carlo samples, plus
# a switched condition's rare-event evaluations) and why the campaign stopped on the condition,
# one of STOP_REASONS (``rram_ber.characterization.auto.StopReason``).
N_EVALUATIONS = "n_evaluations"
STOP_REASON = "stop_reason"
AUTO_COLUMNS = (N_EVALUATIONS, STOP_REASON)
STOP_REASONS = (
    "target-reached",
    "below-floor",
    "above-ceiling",
    "budget-exhausted",
    "estimates-stopped",
    "below-data-resolution",
    "mode-not-supported",
)

# The values of the ``method`` column are the estimators' names, the keys of
# ``rram_ber.characterization.rare.registry.ESTIMATORS`` (``METHODS`` there).

# --- confusion.csv -------------------------------------------------------------------------
STORED = "stored"
READ = "read"
COUNT = "count"
TOTAL = "total"
OUTCOME = "outcome"  # a ReadOutcome value: correct, wrong, undecided, failed
PROBABILITY = "p"
CI_LOW = "ci_low"
CI_HIGH = "ci_high"

CONFUSION_COLUMNS = (
    CONDITION_ID, STORED, READ, OUTCOME, COUNT, TOTAL, PROBABILITY, CI_LOW, CI_HIGH,
)  # fmt: skip

# --- sample rows (Parquet) -----------------------------------------------------------------
SAMPLE_INDEX = "sample"
SEED_SPAWN_KEY = "spawn_key"  # "GROUP/SAMPLE": SeedSequence(seed, spawn_key=(GROUP, SAMPLE))
STATUS = "status"  # "ok" or "failed"
FAILURE_REASON = "reason"
STORED_VALUE = "stored"
ACTIVATION = "activation"
EXPECTED = "expected"
DECISION = "decision"
LATCHED = "latched"  # the outputs were separated at the sampling time (before decoding)
RESOLVED = "resolved"  # the read delivered a valid value (outcome correct or wrong)
ERROR = "error"  # the read delivered a wrong value (outcome wrong)
DELAY_S = "delay_s"
ENERGY_J = "energy_j"

STATUS_OK = "ok"
STATUS_FAILED = "failed"

#: Prefixes of the per-sample drawn variables: one column per transistor and quantity.
DVT_PREFIX = "dvt_"  # threshold-magnitude shift [V], e.g. dvt_nl1
DBETA_PREFIX = "dbeta_"  # relative current-factor deviation [-], e.g. dbeta_nl1
