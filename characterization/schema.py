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
    Long table of read-out probabilities P(read | stored) per condition, ``CONFUSION_*``
    columns (``stored`` holds the expected value). For binary cells stored is +1/-1 and read
    is +1, -1 or 0 (0 = unresolved); for ternary cells stored and read are +1, 0, -1.

Conventions
-----------
* Weights are +1 / -1 (binary) or +1 / 0 / -1 (ternary). For a 2T2R cell, +1 is (LRS on BL,
  HRS on BLB); for 1T1R, +1 is the device in LRS.
* Every row has ``stored`` (the weight), ``activation`` (the XNOR input, 0 when there is
  none) and ``expected`` (the value a perfect read returns: the weight, or ``w * x`` for the
  XNOR-PCSA). Statistics are keyed by ``expected``.
* ``ber`` = ``n_errors / n_resolved``: an *error* is a resolved read that differs from the
  expected value. Unresolved reads and failed simulations are counted apart, never as errors.
  For ternary cells an unresolved read decodes as 0, so every non-failed read is resolved.
* ``ber_ci_low`` / ``ber_ci_high``: exact Clopper-Pearson 95 % interval (importance or
  scaled-sigma estimates give their own interval; ``method`` says which).
* ``ber_report``: text for people. When no error was observed it is ``"< <upper bound>"``,
  never a bare 0.
* ``method = "auto"`` campaigns add ``n_evaluations`` and ``stop_reason``: a condition is
  ``target-reached`` (95 % interval half-width at most ``target_relative_half_width`` of the
  estimate), ``below-floor`` (upper bound at most ``resolve_below``), ``budget-exhausted``
  (its rare-event estimates spent ``rare_samples`` each without either, or the campaign
  ``budget`` left none for them and the Monte-Carlo row stays) or
  ``mode-not-supported`` (not resolved by Monte-Carlo, and the devices have no rare-event
  limit state: measured devices; every read mode has one). ``method`` says which estimator
  the row's BER comes from (``subset``: the Monte-Carlo samples did not resolve it).
* ``p_error_plus`` = P(read -1 | expected +1, resolved) and ``p_error_minus`` =
  P(read +1 | expected -1, resolved): the asymmetric 2 x 2 error model of a binary condition
  (NaN for ternary conditions, whose 3 x 3 model is in ``confusion.csv``; in a rare-event row,
  the estimates of stored +1 and -1, NaN for XNOR conditions, whose estimates are per stored
  weight, not per expected output).
"""

from __future__ import annotations

# --- ber.csv -------------------------------------------------------------------------------
CONDITION_ID = "condition_id"
METHOD = "method"
N_SAMPLES = "n_samples"
N_RESOLVED = "n_resolved"
N_UNRESOLVED = "n_unresolved"
N_FAILED = "n_failed"
N_ERRORS = "n_errors"
BER = "ber"
BER_CI_LOW = "ber_ci_low"
BER_CI_HIGH = "ber_ci_high"
BER_REPORT = "ber_report"
P_ERROR_PLUS = "p_error_plus"
P_ERROR_MINUS = "p_error_minus"

BER_COLUMNS = (
    METHOD,
    N_SAMPLES,
    N_RESOLVED,
    N_UNRESOLVED,
    N_FAILED,
    N_ERRORS,
    BER,
    BER_CI_LOW,
    BER_CI_HIGH,
    BER_REPORT,
    P_ERROR_PLUS,
    P_ERROR_MINUS,
)

# Written by ``method = "auto"`` campaigns only, after the BER columns (other campaigns'
# tables are unchanged): the SPICE reads behind the row (the group's Monte-Carlo samples, plus
# a switched condition's rare-event evaluations) and why the campaign stopped on the condition,
# one of STOP_REASONS (``rram_ber.characterization.auto.StopReason``).
N_EVALUATIONS = "n_evaluations"
STOP_REASON = "stop_reason"
AUTO_COLUMNS = (N_EVALUATIONS, STOP_REASON)
STOP_REASONS = ("target-reached", "below-floor", "budget-exhausted", "mode-not-supported")

# The values of the ``method`` column are the estimators' names, the keys of
# ``rram_ber.characterization.rare.registry.ESTIMATORS`` (``METHODS`` there).

# --- confusion.csv -------------------------------------------------------------------------
STORED = "stored"
READ = "read"
COUNT = "count"
TOTAL = "total"
PROBABILITY = "p"
CI_LOW = "ci_low"
CI_HIGH = "ci_high"

CONFUSION_COLUMNS = (CONDITION_ID, STORED, READ, COUNT, TOTAL, PROBABILITY, CI_LOW, CI_HIGH)

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
RESOLVED = "resolved"
ERROR = "error"
DELAY_S = "delay_s"
ENERGY_J = "energy_j"

STATUS_OK = "ok"
STATUS_FAILED = "failed"

#: Prefixes of the per-sample drawn variables: one column per transistor and quantity.
DVT_PREFIX = "dvt_"  # threshold-magnitude shift [V], e.g. dvt_nl1
DBETA_PREFIX = "dbeta_"  # relative current-factor deviation [-], e.g. dbeta_nl1
