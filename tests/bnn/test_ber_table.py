"""Reading a campaign's ber.csv / confusion.csv into transition matrices."""

import numpy as np
import pytest

from rram_ber.analysis.bnn.ber_table import read_ber_table, select_condition
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
