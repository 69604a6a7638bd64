import math

import pytest

from rram_ber.core.validation import (
    ParameterError,
    check_choice,
    check_int,
    check_positive,
    check_range,
    parse_enum,
)
from rram_ber.models.cmos import ProcessCorner


def test_error_names_field_value_and_allowed_range():
    with pytest.raises(ParameterError) as caught:
        check_range("vdd_v", 5.0, 0.0, 3.3, low_inclusive=False, unit="V")
    message = str(caught.value)
    assert "vdd_v" in message and "5.0" in message and "3.3" in message
    assert caught.value.field == "vdd_v"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, True, "1.0", None])
def test_non_numbers_and_non_finite_values_are_rejected(bad):
    with pytest.raises(ParameterError):
        check_range("x", bad, 0.0, 10.0)


def test_bounds_inclusive_and_exclusive():
    assert check_range("x", 0.0, 0.0, 1.0) == 0.0
    with pytest.raises(ParameterError):
        check_range("x", 0.0, 0.0, 1.0, low_inclusive=False)
    with pytest.raises(ParameterError):
        check_positive("x", 0.0)
    assert check_positive("x", 1e-30) == 1e-30


def test_int_and_choice_checks():
    assert check_int("n", 3, 1, 5) == 3
    for bad in (0, 6, 2.0, True):
        with pytest.raises(ParameterError):
            check_int("n", bad, 1, 5)
    assert check_choice("c", "a", ["a", "b"]) == "a"
    with pytest.raises(ParameterError, match="'a', 'b'"):
        check_choice("c", "z", ["a", "b"])


def test_enum_parsing_is_case_insensitive_and_lists_members():
    assert parse_enum(ProcessCorner, "FF", "corner") is ProcessCorner.FF
    with pytest.raises(ParameterError, match="'tt', 'ff', 'ss', 'fs', 'sf'"):
        parse_enum(ProcessCorner, "xx", "corner")


def test_renamed_error_keeps_value_and_range():
    error = ParameterError("vdd_v", 9.0, "0 < x <= 3.3").renamed("--vdd")
    assert error.field == "--vdd" and error.value == 9.0 and "3.3" in str(error)


def test_a_missing_parameter_says_it_is_required_and_survives_pickling():
    import pickle

    from rram_ber.core.validation import MissingParameterError, ParameterError

    error = MissingParameterError("--data", "test data (x, y)")
    assert isinstance(error, ParameterError) and error.value is None
    assert str(error) == "--data is required (none was given); expected test data (x, y)"
    assert str(error.renamed("data")).startswith("data is required")
    assert str(pickle.loads(pickle.dumps(error))) == str(error)
    # An explicit None (a null in a JSON record) is still a value that is not allowed.
    assert str(ParameterError("campaign.name", None, "a string")).startswith(
        "campaign.name = None is not allowed"
    )
