"""The standard-vs-error-aware table: means with their intervals over seeds and over chips."""

from __future__ import annotations

import re

import pytest

from rram_ber.analysis.bnn.error_aware_study import STUDY_BERS, main
from rram_ber.analysis.bnn.model_io import weights_directory

#: ``mean [low, high]`` in percent.
INTERVAL = re.compile(r"(\d+\.\d+) \[(\d+\.\d+), (\d+\.\d+)\]")


def test_table_carries_intervals(capsys: pytest.CaptureFixture[str]) -> None:
    weights = weights_directory()
    two = [str(weights / "digits-mlp-bnn.npz"), str(weights / "digits-cnn-bnn.npz")]
    main(["--group", "two", *two, "--group", "one", str(weights / "digits-mlp-tnn.npz"),
          "--repeats", "4"])  # fmt: skip
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| 0")]
    assert len(rows) == len(STUDY_BERS)
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        # Columns: BER, group means (two: interval over 2 seeds; one: no interval), per seed.
        group_two, group_one, per_seed_two, per_seed_one = cells[1:]
        assert INTERVAL.search(group_two), row
        assert not INTERVAL.search(group_one), row
        assert len(INTERVAL.findall(per_seed_two)) == 2, row
        assert len(INTERVAL.findall(per_seed_one)) == 1, row
        for mean, low, high in INTERVAL.findall(row):
            assert float(low) <= float(mean) <= float(high), row
