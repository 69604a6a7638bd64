"""Streaming aggregation: tables from chunk-by-chunk tallies equal tables from all rows at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rram_ber.characterization import schema, store
from rram_ber.characterization.ber import (
    ConditionTally,
    tally_ber_table,
    tally_confusion_table,
    tally_rows,
)

CAMPAIGN = Path(__file__).parent.parent / "data" / "small_campaign"


def _tables(tallies: dict[int, ConditionTally], ids: list[int]) -> tuple[str, str]:
    settings = {cid: {} for cid in ids}
    ber = tally_ber_table(tallies, settings, ids[::2])
    return ber.to_csv(index=False), tally_confusion_table(tallies).to_csv(index=False)


def test_tallies_fed_in_any_split_give_the_same_tables():
    samples = store.read_samples(CAMPAIGN)
    ids = sorted(int(i) for i in samples[schema.CONDITION_ID].unique())
    whole: dict[int, ConditionTally] = {}
    tally_rows(samples, whole)
    expected = _tables(whole, ids)
    rng = np.random.default_rng(3)
    shuffled = samples.iloc[rng.permutation(len(samples))]
    for pieces in (2, 7, len(samples) // 3):
        split: dict[int, ConditionTally] = {}
        for part in np.array_split(np.arange(len(shuffled)), pieces):
            tally_rows(shuffled.iloc[part], split)
        assert _tables(split, ids) == expected


def test_tally_counts_failed_undecided_and_wrong_reads_and_all_enter_the_ber():
    rows = pd.DataFrame(
        {
            schema.CONDITION_ID: [0] * 6,
            schema.STATUS: ["ok", "ok", "ok", "ok", "failed", "ok"],
            schema.EXPECTED: [1, 1, -1, -1, 1, 1],
            schema.DECISION: [1, -1, 0, -1, 0, 1],
            schema.RESOLVED: [True, True, False, True, False, True],
            schema.ERROR: [False, True, False, False, False, False],
        }
    )
    tallies: dict[int, ConditionTally] = {}
    tally_rows(rows, tallies)
    row = tallies[0].ber_row(binary=True)
    assert (row[schema.N_SAMPLES], row[schema.N_FAILED]) == (6, 1)
    assert (row[schema.N_DECIDED], row[schema.N_UNDECIDED], row[schema.N_WRONG]) == (4, 1, 1)
    assert row[schema.N_ERRORS] == 3  # wrong + undecided + failed
    assert row[schema.BER] == 3 / 6
    assert (row[schema.UNDECIDED_SHARE], row[schema.FAILED_SHARE]) == (1 / 6, 1 / 6)
    assert row[schema.P_ERROR_PLUS] == 2 / 4  # one wrong, one failed among four reads of +1
    assert row[schema.P_ERROR_MINUS] == 1 / 2  # one undecided among two reads of -1
    confusion = tally_confusion_table(tallies, binary_conditions=[0])
    minus = confusion[confusion[schema.STORED] == -1].set_index(schema.OUTCOME)[schema.COUNT]
    assert (minus["correct"], minus["wrong"], minus["undecided"], minus["failed"]) == (1, 0, 1, 0)
    assert set(confusion[schema.READ].dropna()) == {1, -1}  # a binary read has no value 0
    assert np.allclose(confusion.groupby(schema.STORED)[schema.PROBABILITY].sum(), 1.0)
