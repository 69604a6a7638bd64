"""SPICE numbers wherever numbers are read: TOML lists of a campaign, and unit letters
(``1ns``, which ngspice reads as 1n) refused with the form to write instead."""

import pytest

from rram_ber.characterization.spec import parse_spec
from rram_ber.cli import main
from rram_ber.core.units import without_unit_letters
from rram_ber.core.validation import ParameterError


def test_suffixes_in_condition_lists_and_tables_are_read():
    spec = parse_spec(
        {
            "conditions": {"t_sample_s": ["0.5n", "1n", 2e-9], "vdd_v": "1.1"},
            "device": {"lrs_median_ohm": "5k"},
        }
    )
    assert sorted({c.t_sample_s for c in spec.conditions()}) == pytest.approx([0.5e-9, 1e-9, 2e-9])
    assert {c.vdd_v for c in spec.conditions()} == {1.1}
    assert spec.device.lrs_median_ohm == 5e3


@pytest.mark.parametrize("text", ["1ns", "2nS", "oops", "1 n s"])
def test_malformed_strings_in_a_spec_are_still_refused_by_name(text):
    with pytest.raises(ParameterError) as caught:
        parse_spec({"conditions": {"t_sample_s": ["1n", text]}})
    assert caught.value.field == "conditions.t_sample_s[1]"
    bare = without_unit_letters(text)
    assert (f"write {bare!r}" in str(caught.value)) == (bare is not None)


@pytest.mark.parametrize(
    ("text", "bare"),
    [("1ns", "1n"), ("5kohm", "5k"), ("1.5megohm", "1.5meg"), ("1e-9s", "1e-9"), ("2V", "2"),
     ("1n", None), ("ns", None), ("1 n s", None), ("abc", None)],
)  # fmt: skip
def test_unit_letters_are_found(text, bare):
    assert without_unit_letters(text) == bare


def test_an_option_with_unit_letters_is_refused_with_the_form_to_write(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["read", "--t-sample", "1ns"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "'1ns' is not a number" in err and "write '1n'" in err
