"""Reading a campaign's ber.csv / confusion.csv into transition matrices."""

import json
import math

import numpy as np
import pytest

from rram_ber.analysis.bnn.ber_table import (
    DEFAULT_RESOLVE_BELOW,
    Resolution,
    ResolvedBer,
    campaign_floor,
    read_ber_table,
    resolution_floor,
    resolve_ber,
    select_condition,
)
from rram_ber.characterization import schema
from rram_ber.core.validation import ParameterError
from tests.support import BER_SETTINGS as SETTINGS
from tests.support import binary_row, ternary_confusion, write_ber_table


def test_binary_condition_gives_asymmetric_matrix(tmp_path):
    path = write_ber_table(tmp_path, [binary_row("c0", 0.015, 0.02, 0.01)])
    (condition,) = read_ber_table(path)
    assert condition.condition_id == "c0"
    assert condition.settings == {"cell": "2t2r", "vdd_v": "1.2", "temp_c": "27", "corner": "tt"}
    # Levels (-1, +1): row -1 -> P(read +1) = p_error_minus; row +1 -> P(read -1) = p_plus.
    assert np.allclose(condition.matrix.probabilities, [[0.99, 0.01], [0.02, 0.98]])
    assert condition.ber == pytest.approx(0.015)


def test_nan_sides_fall_back_to_symmetric_ber(tmp_path):
    path = write_ber_table(
        tmp_path, [binary_row("a", 0.03, "nan", ""), binary_row("b", 0.03, 0.05, "NaN")]
    )
    a, b = read_ber_table(path)
    assert np.allclose(a.matrix.probabilities, [[0.97, 0.03], [0.03, 0.97]])
    assert np.allclose(b.matrix.probabilities, [[0.97, 0.03], [0.05, 0.95]])


def test_ternary_condition_reads_its_confusion_matrix(tmp_path):
    matrix = [[0.9, 0.1, 0.0], [0.03, 0.94, 0.03], [0.0, 0.2, 0.8]]
    ternary_row = ["t1", "2t2r", 0.6, 27, "tt", "monte-carlo", 3000, 3000, 0, 0, 300,
                   0.1, 0.09, 0.11, "0.1", "nan", "nan"]  # fmt: skip
    binary_confusion = [["b1", "+1", "-1", 2, 100, 0.02, 0, 0.07]]  # binary rows are ignored
    path = write_ber_table(
        tmp_path,
        [binary_row("b1", 0.02, 0.02, 0.02), ternary_row],
        ternary_confusion("t1", matrix) + binary_confusion,
    )
    binary, ternary = read_ber_table(path)
    assert binary.matrix.levels == (-1, 1)
    assert ternary.matrix.levels == (-1, 0, 1)
    assert np.allclose(ternary.matrix.probabilities, matrix)


def test_condition_selection(tmp_path):
    path = write_ber_table(tmp_path, [binary_row("lowv", 0.1, 0.1, 0.1, 0.6),
                                      binary_row("nominal", 1e-4, 1e-4, 1e-4)])  # fmt: skip
    conditions = read_ber_table(path)
    assert select_condition(conditions, "nominal").ber == pytest.approx(1e-4)
    with pytest.raises(ParameterError, match=r"--condition .*lowv, nominal"):
        select_condition(conditions, None)
    with pytest.raises(ParameterError, match=r"--condition = 'x'.*lowv, nominal"):
        select_condition(conditions, "x")
    (only,) = read_ber_table(write_ber_table(tmp_path, [binary_row("only", 0.2, 0.2, 0.2)]))
    assert select_condition([only], None).condition_id == "only"


def test_bad_tables_are_refused_with_the_column_named(tmp_path):
    with pytest.raises(ParameterError, match="ber table"):
        read_ber_table(tmp_path / "missing.csv")
    (tmp_path / "ber.csv").write_text("vdd_v,ber\n1.2,0.1\n")
    with pytest.raises(ParameterError, match="condition_id"):
        read_ber_table(tmp_path / "ber.csv")
    path = write_ber_table(tmp_path, [binary_row("c", 0.1, 1.7, 0.1)])
    with pytest.raises(ParameterError, match="condition 'c' p_error_plus"):
        read_ber_table(path)
    row = binary_row("c", 0.1, "nan", "nan")
    row[schema.BER_COLUMNS.index(schema.BER) + 1 + len(SETTINGS)] = "nan"
    path = write_ber_table(tmp_path, [row])
    with pytest.raises(ParameterError, match="condition 'c' ber"):
        read_ber_table(path)


def rare_row(cid, method, ber, low, high, plus, minus):
    """A ber.csv row of a rare-event estimate, shaped as the campaign writes it (the mean of
    the two stored values' estimates; the split of its failures, n_decided / n_undecided /
    n_wrong and the shares, NaN)."""
    report = f"< {high:.2g} ({method})" if ber == 0 else f"{ber:.3g} [{low:.2g}, {high:.2g}]"
    return [cid, "2t2r", 1.2, 27, "tt", method, 4000, "nan", "nan", 0, "nan",
            0 if ber == 0 else 7, ber, low, high, report, "nan", "nan", plus, minus]  # fmt: skip


def test_one_resolved_ber_per_condition_with_rare_event_rows(tmp_path):
    rows = [
        binary_row("mc", 0.02, 0.03, 0.01),  # errors seen: the estimate, its 2 x 2 model
        rare_row("is", "importance", 2e-6, 1e-6, 4e-6, 3e-6, 1e-6),
        rare_row("deep", "subset", 0.0, 0.0, 1.5e-10, 0.0, 0.0),  # "< 1.5e-10 (subset)"
        rare_row("shallow", "subset", 0.0, 0.0, 0.012, 0.0, 0.0),  # "< 0.012 (subset)"
        binary_row("none", 0.0, 0.0, 0.0),  # a Monte-Carlo zero with its interval
    ]
    rows[-1][schema.BER_COLUMNS.index(schema.BER_CI_HIGH) + 1 + len(SETTINGS)] = 3e-4
    table = {c.condition_id: c for c in read_ber_table(write_ber_table(tmp_path, rows))}
    resolution = {cid: c.resolved.resolution for cid, c in table.items()}
    assert resolution == {
        "mc": Resolution.ESTIMATED,
        "is": Resolution.ESTIMATED,
        "deep": Resolution.BOUND_BELOW_FLOOR,
        "shallow": Resolution.UNRESOLVED_BOUND,
        "none": Resolution.UNRESOLVED_BOUND,
    }
    assert [table[c].resolved.ber for c in ("mc", "is", "deep", "shallow", "none")] == [
        0.02, 2e-6, 1.5e-10, 0.012, 3e-4,
    ]  # fmt: skip
    # The estimate keeps the per-stored-value model (p_error_plus, p_error_minus); a bound
    # is symmetric at the bound.
    assert np.allclose(table["mc"].matrix.probabilities, [[0.99, 0.01], [0.03, 0.97]])
    assert np.allclose(table["is"].matrix.probabilities, [[1 - 1e-6, 1e-6], [3e-6, 1 - 3e-6]])
    assert np.allclose(table["shallow"].matrix.probabilities, [[0.988, 0.012], [0.012, 0.988]])
    assert table["shallow"].resolved.worst_case and not table["deep"].resolved.worst_case
    assert "worst case" in table["shallow"].resolved.describe()
    # A floor above the bound resolves it: the floor is the campaign's choice.
    (shallow,) = [
        c for c in read_ber_table(tmp_path / "ber.csv", resolve_below=0.05)
        if c.condition_id == "shallow"
    ]  # fmt: skip
    assert shallow.resolved.resolution is Resolution.BOUND_BELOW_FLOOR


def test_ternary_condition_without_errors_is_evaluated_at_its_bound(tmp_path):
    row = ["t", "ternary", 1.0, 27, "tt", "monte-carlo", 300, 300, 0, 0, 0, 0,
           0.0, 0.0, 0.012, "< 0.012", 0.0, 0.0, "nan", "nan"]  # fmt: skip
    identity = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    (condition,) = read_ber_table(
        write_ber_table(tmp_path, [row], ternary_confusion("t", identity))
    )
    assert condition.resolved.resolution is Resolution.UNRESOLVED_BOUND
    assert np.allclose(np.diag(condition.matrix.probabilities), 0.988)
    assert np.allclose(condition.matrix.probabilities[0, 1:], 0.006)


def test_resolution_floor_comes_from_the_campaign(tmp_path):
    path = write_ber_table(tmp_path, [rare_row("s", "subset", 0.0, 0.0, 2e-8, 0.0, 0.0)])
    (default,) = read_ber_table(path)
    assert default.resolved.resolution is Resolution.UNRESOLVED_BOUND  # above 1e-9
    spec = {"campaign": {"name": "x", "resolve_below": 1e-7}}
    (tmp_path / "campaign.json").write_text(json.dumps({"spec": spec}))
    assert campaign_floor(tmp_path) == 1e-7
    (resolved,) = read_ber_table(path)
    assert resolved.resolved.resolution is Resolution.BOUND_BELOW_FLOOR
    assert resolution_floor({"campaign": {}}) == DEFAULT_RESOLVE_BELOW == 1e-9
    with pytest.raises(ParameterError, match=r"campaign\.resolve_below"):
        resolution_floor({"campaign": {"resolve_below": 2}})
    with pytest.raises(ParameterError, match="resolve_below"):
        resolve_ber(0.0, 0.01, 0.0)


def test_resolve_ber_cases():
    assert resolve_ber(0.003, 0.018) == ResolvedBer(0.003, Resolution.ESTIMATED, 1e-9)
    assert resolve_ber(0.0, 0.012).resolution is Resolution.UNRESOLVED_BOUND
    assert resolve_ber(0.0, 1e-9).resolution is Resolution.BOUND_BELOW_FLOOR  # at the floor
    assert resolve_ber(0.0, math.nan) == ResolvedBer(0.0, Resolution.ESTIMATED, 1e-9)
    # No resolved read: Clopper-Pearson's [0, 1] is no bound worth evaluating at.
    assert resolve_ber(math.nan, 1.0).resolution is Resolution.UNMEASURED
    with pytest.raises(ParameterError, match="ber_ci_high"):
        resolve_ber(0.0, 1.5)
