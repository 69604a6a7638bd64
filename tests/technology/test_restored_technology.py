"""Every campaign ``run`` accepts is read back from its ``campaign.json`` (report, API): user
library, user PCSA, SKY130, VCM devices; one technology record restored from the record."""

import json
import subprocess
import sys

import pytest

from rram_ber.characterization.spec import parse_spec, spec_from_record
from rram_ber.circuits.user_pcsa import builtin_pcsa_subcircuit
from rram_ber.core.validation import ParameterError
from rram_ber.models.cmos import ProcessCorner, model_card_text
from rram_ber.models.technology import sky130_installed

LIBRARY = {
    "library": "my130.lib",
    "corners": {"tt": "tt", "ss": "ss"},
    "nmos_model": "ptm130n",
    "pmos_model": "ptm130p",
}
PCSA = {
    "pcsa": "sa.sp",
    "pcsa_subckt": "sa",
    "pcsa_ports": ["vdd", "sen", "out", "outb", "bl", "blb", "sl"],
}


def _user_files(folder):
    card = model_card_text()
    (folder / "my130.lib").write_text(f".lib tt\n{card}\n.endl tt\n.lib ss\n{card}\n.endl ss\n")
    (folder / "sa.sp").write_text(builtin_pcsa_subcircuit("sa"))


def _spec(technology, conditions=None, device=None):
    data = {
        "campaign": {"seed": 3, "samples": 2, "batch_size": 2},
        "conditions": conditions or {"cell": "2t2r", "corner": ["tt", "ss"], "vdd_v": 1.0},
        "technology": technology,
    }
    if device is not None:
        data["device"] = device
    return data


CASES = {
    "user library": ({**LIBRARY}, None, None),
    "user PCSA": ({**PCSA}, None, None),
    "user library and PCSA": ({**LIBRARY, **PCSA}, None, None),
    "user library on a named base": ({"name": "ptm130", **LIBRARY}, None, None),
    "sky130": ({"name": "sky130"}, {"cell": "2t2r", "corner": "tt", "vdd_v": 1.8}, None),
    "vcm devices": ({}, {"cell": ["1t1r", "2t2r"]}, {"model": "vcm"}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_recorded_campaign_is_read_back_with_its_technology(tmp_path, case):
    technology, conditions, device = CASES[case]
    if case == "sky130" and not sky130_installed():
        pytest.skip("SKY130 models not installed")
    _user_files(tmp_path)
    ran = parse_spec(_spec(technology, conditions, device), str(tmp_path))
    record = json.loads(json.dumps(ran.to_dict()))  # as campaign.json holds it
    restored = spec_from_record(record)
    assert restored.to_dict() == record
    want, got = ran.technology.technology, restored.technology.technology
    for attribute in ("name", "nmos_model", "pmos_model", "style", "mismatch", "vdd_max_v",
                      "sizes", "corner_sections"):  # fmt: skip
        assert getattr(got, attribute) == getattr(want, attribute), attribute
    if "library" in technology:
        assert got.name == "user:my130.lib" and not got.corner_shifts
        assert got.library is not None and got.library.sha256 == want.library.sha256
        # A record of results, not a library: simulating from it refuses, never uses PTM cards.
        with pytest.raises(ParameterError, match=r"\.lib tt"):
            got.model_text(ProcessCorner.TT)


@pytest.mark.slow
@pytest.mark.ngspice
def test_a_user_library_and_pcsa_campaign_runs_and_reports(tmp_path):
    """What was refused: ``rram-ber report`` and ``api.write_report`` on a user-library run."""
    from rram_ber.api import write_report

    _user_files(tmp_path)
    lines = ["[campaign]", "seed = 3", "samples = 2", "batch_size = 2",
             'method = "monte-carlo"', "[conditions]",
             'cell = "2t2r"', 'corner = "tt"', "vdd_v = 1.0", "[technology]",
             *(f"{k} = {json.dumps(v)}" for k, v in {**LIBRARY, **PCSA}.items()
               if k != "corners"), 'corners = { tt = "tt" }']  # fmt: skip
    (tmp_path / "user.toml").write_text("\n".join(lines) + "\n")
    command = [sys.executable, "-m", "rram_ber.cli"]
    out = tmp_path / "out"
    run = subprocess.run([*command, "run", "user.toml", "--out", "out", "--quiet"],
                         cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = subprocess.run(
        [*command, "report", "out", "-o", "report.html", "--no-accuracy", "--quiet"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "report.html").is_file()
    written = write_report(out, tmp_path / "api.html", accuracy=False)
    assert written.html.is_file()
