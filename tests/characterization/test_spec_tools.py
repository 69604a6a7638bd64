"""The toolkit every campaign table is parsed with: unknown keys, records, swept values."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from rram_ber.characterization.spec import parse_spec
from rram_ber.characterization.spec_tools import element, record_from_table, swept
from rram_ber.core.validation import ParameterError, check_fields, check_int, ranged


@dataclass(frozen=True)
class _Record:
    width_m: float = ranged(1e-6, 0.0, 10.0, low_inclusive=False, unit="m")
    limit: float | None = ranged(None, 0.0, 1.0, high_inclusive=False)
    copies: int = 1

    def __post_init__(self) -> None:
        check_int("copies", self.copies, 1, 10)
        check_fields(self)


def test_a_record_table_takes_its_fields_and_makes_toml_integers_floats_only_where_float():
    record = record_from_table("box", _Record, {"width_m": 1, "copies": 3})
    assert record == _Record(width_m=1.0, copies=3)
    assert type(record.width_m) is float and type(record.copies) is int
    assert record.limit is None  # an optional range: None is allowed
    with pytest.raises(ParameterError, match=r"copies = 2\.5 is not allowed"):
        record_from_table("box", _Record, {"copies": 2.5})


@pytest.mark.parametrize(
    ("values", "field", "allowed"),
    [
        ({"widht_m": 1e-6}, "box.widht_m", "a known key: 'width_m', 'limit', 'copies'"),
        ({"width_m": 0}, "box.width_m", "0 < x <= 10 m"),
        ({"limit": 1}, "box.limit", "0 <= x < 1"),
        ({"copies": 11}, "box.copies", "an integer 1 <= x <= 10"),
    ],
)
def test_a_record_table_names_the_key_as_table_dot_key(values, field, allowed):
    with pytest.raises(ParameterError) as caught:
        record_from_table("box", _Record, values)
    assert caught.value.field == field
    assert allowed in str(caught.value)


def test_swept_values_are_named_by_index_only_in_a_list():
    def check(name, value):
        return check_int(name, value, 1, 9)

    assert swept("t.n", 3, check) == (3,)
    assert swept("t.n", [3, 4], check) == (3, 4)
    with pytest.raises(ParameterError) as caught:
        swept("t.n", [3, 40], check)
    assert caught.value.field == "t.n[1]"
    with pytest.raises(ParameterError, match=r"t\.n = 40 "):
        swept("t.n", 40, check)
    with pytest.raises(ParameterError, match="without repeated values"):
        swept("t.n", [3, 3], check)
    with pytest.raises(ParameterError, match="expected some numbers"):
        swept("t.n", [], check, "some numbers")
    assert (element("t.n", 0, 1), element("t.n", 1, 2)) == ("t.n", "t.n[1]")


@pytest.mark.parametrize(
    "table",
    ["campaign", "conditions", "device", "device.vcm", "cell", "variability", "decode",
     "timing", "pcsa", "access", "xnor", "array", "technology", "spec"],
)  # fmt: skip
def test_every_table_refuses_an_unknown_key_the_same_way(table):
    data: dict = {}
    inner = data
    for name in table.split("."):
        inner = inner.setdefault(name, {})
    inner["zz_unknown"] = 1
    with pytest.raises(ParameterError) as caught:
        parse_spec(data, read_files=False)
    assert caught.value.field == f"{table}.zz_unknown"
    assert str(caught.value).startswith(f"{table}.zz_unknown = 1 is not allowed; expected a known")
