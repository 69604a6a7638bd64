"""The [technology] table and --technology: validation before anything runs."""

from pathlib import Path

import pytest

from rram_ber.characterization.spec import parse_spec
from rram_ber.cli import main
from rram_ber.core.validation import ParameterError
from rram_ber.models.cmos import model_card_text
from rram_ber.models.technology import sky130_installed


def spec(technology: dict, tmp_path: Path, **conditions) -> object:
    data = {"conditions": {"vdd_v": 1.2, **conditions}, "technology": technology}
    return parse_spec(data, source_dir=str(tmp_path))


@pytest.mark.parametrize(
    ("technology", "conditions", "key"),
    [
        ({"name": "tsmc65"}, {}, "technology.name"),
        ({"colour": "red"}, {}, "technology.colour"),
        ({"library": "x.lib"}, {}, "technology.corners"),
        ({"pcsa": "sa.sp", "pcsa_subckt": "sa"}, {}, "technology.pcsa_ports"),
        ({"name": "ptm130"}, {"vdd_v": 1.8}, "conditions.vdd_v"),
    ],
)
def test_a_bad_technology_table_names_the_key(tmp_path, technology, conditions, key):
    with pytest.raises(ParameterError) as caught:
        spec(technology, tmp_path, **conditions)
    assert caught.value.field == key


def test_a_corner_without_a_library_section_is_refused(tmp_path):
    (tmp_path / "mine.lib").write_text(f".lib tt\n{model_card_text()}\n.endl tt\n")
    table = {
        "library": "mine.lib",
        "corners": {"tt": "tt"},
        "nmos_model": "ptm130n",
        "pmos_model": "ptm130p",
    }
    assert spec(table, tmp_path).technology.technology.library is not None
    with pytest.raises(ParameterError, match=r"technology\.corners"):
        spec(table, tmp_path, corner=["tt", "ss"])
    with pytest.raises(ParameterError, match="section"):
        spec({**table, "corners": {"tt": "typical"}}, tmp_path)


@pytest.mark.skipif(not sky130_installed(), reason="SKY130 models not installed")
def test_sky130_defaults_follow_the_technology(tmp_path):
    parsed = parse_spec({"conditions": {}, "technology": {"name": "sky130"}})
    assert parsed.sweeps["vdd_v"] == (1.8,)
    assert parsed.pcsa.l_m == pytest.approx(0.15e-6)
    assert parsed.variability.pelgrom.a_vt_n_v_m == pytest.approx(3.356e-9)
    with pytest.raises(ParameterError, match=r"1\.95"):
        spec({"name": "sky130"}, tmp_path, vdd_v=2.5)


@pytest.mark.parametrize(
    "args",
    [
        ["read", "--technology", "tsmc65"],
        ["netlist", "read", "--technology", "tsmc65"],
        ["program", "--technology", "tsmc65"],
        ["read", "--technology", "ptm130", "--vdd", "1.8"],
    ],
)
def test_a_bad_technology_option_exits_2_without_traceback(capsys, args):
    assert main(args) == 2
    error = capsys.readouterr().err
    assert ("--technology" in error or "--vdd" in error) and "Traceback" not in error
