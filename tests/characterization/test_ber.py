"""BER statistics (no simulator)."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from rram_ber.characterization import schema
from rram_ber.characterization.ber import ber_report, ber_row, clopper_pearson, confusion_table


def test_clopper_pearson_known_values():
    # k = 0: upper bound 1 - (alpha/2)^(1/n)
    low, high = clopper_pearson(0, 1000)
    assert low == 0.0 and high == pytest.approx(1 - 0.025 ** (1 / 1000))
    low, high = clopper_pearson(1000, 1000)
    assert high == 1.0 and low == pytest.approx(0.025 ** (1 / 1000))
    # Textbook value: 5 of 20 -> [0.0866, 0.4910]
    low, high = clopper_pearson(5, 20)
    assert (low, high) == pytest.approx((0.0866, 0.4910), abs=5e-4)
    assert clopper_pearson(0, 0) == (0.0, 1.0)


def test_clopper_pearson_covers_the_truth_at_least_95_percent():
    n, p = 200, 0.03
    k = np.arange(n + 1)
    covered = np.array([lo <= p <= hi for lo, hi in (clopper_pearson(int(i), n) for i in k)])
    assert binom.pmf(k, n, p)[covered].sum() >= 0.95


def test_zero_errors_are_reported_as_an_upper_bound():
    assert ber_report(0, 1000, 0.0, 0.00368).startswith("< 0.0037")
    assert ber_report(3, 1000, 0.0006, 0.0087) == "0.003 [0.0006, 0.0087]"


def _rows(stored, decision, status="ok"):
    resolved = [d != 0 for d in decision]
    return pd.DataFrame(
        {
            schema.CONDITION_ID: 0,
            schema.STORED_VALUE: stored,
            schema.EXPECTED: stored,
            schema.DECISION: decision,
            schema.RESOLVED: resolved,
            schema.ERROR: [
                r and d != s for r, d, s in zip(resolved, decision, stored, strict=True)
            ],
            schema.STATUS: status,
        }
    )


def test_ber_counts_wrong_undecided_and_failed_reads_over_all_reads():
    frame = _rows([1, 1, -1, -1, 1, -1], [1, -1, -1, 0, 1, 1])
    frame.loc[5, schema.STATUS] = schema.STATUS_FAILED
    row = ber_row(frame, binary=True)
    assert row[schema.N_FAILED] == 1 and row[schema.N_UNDECIDED] == 1
    assert (row[schema.N_DECIDED], row[schema.N_WRONG], row[schema.N_ERRORS]) == (4, 1, 3)
    assert row[schema.BER] == pytest.approx(0.5)
    assert row[schema.BER_CI_LOW] < 0.5 < row[schema.BER_CI_HIGH]
    assert row[schema.P_ERROR_PLUS] == pytest.approx(1 / 3)
    assert row[schema.P_ERROR_MINUS] == pytest.approx(2 / 3)  # one undecided, one failed


def test_confusion_rows_sum_to_one_per_stored_value():
    frame = _rows([1, 1, 1, -1, -1], [1, 0, -1, -1, -1])
    table = confusion_table(frame)
    sums = table.groupby(schema.STORED)[schema.PROBABILITY].sum()
    assert np.allclose(sums, 1.0)
    plus = table[table[schema.STORED] == 1].set_index(schema.OUTCOME)[schema.COUNT]
    # Rows without a value: the undecided read (decision 0 of a binary read).
    assert (plus["correct"], plus["wrong"].sum(), plus["undecided"], plus["failed"]) == (1, 1, 1, 0)
