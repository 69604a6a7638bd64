"""The safety scanner for user model libraries and sense-amplifier subcircuits."""

from pathlib import Path

import pytest

from rram_ber.cli import main
from rram_ber.models.user_files import (
    UserFileError,
    library_section,
    scan_user_file,
    subcircuit_ports,
)

GOOD = """* a user library
.lib tt
.model nch nmos level=54 vth0=0.4
.endl tt
.subckt inv a y vdd
m1 y a 0 0 nch w=1u l=0.13u
.ends inv
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_file_with_only_models_and_subcircuits_passes_with_its_checksum(tmp_path):
    scanned = scan_user_file(write(tmp_path, "ok.lib", GOOD))
    assert scanned.sha256 == __import__("hashlib").sha256(GOOD.encode()).hexdigest()
    assert ".model nch nmos level=54 vth0=0.4" in library_section(scanned, "tt")
    assert subcircuit_ports(scanned, "inv") == ("a", "y", "vdd")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (".control", "control-language block"),
        (".endc", "control-language block"),
        (".exec echo hi", ".exec"),
        ("shell rm -rf /tmp/x", "shell command"),
        ("source other.cir", "'source'"),
        (".include ../outside.lib", "outside the folder"),
        (".lib /etc/passwd tt", "outside the folder"),
        (".tran 1n 10n", "the command .tran"),
        (".option scale=1u", "an .option line"),
        (".OPTIONS temp=100", "an .options line"),
        ("SHELL touch /tmp/x", "shell command"),
    ],
)
def test_a_forbidden_line_is_refused_with_file_line_and_reason(tmp_path, line, reason):
    path = write(tmp_path / "lib", "bad.lib", GOOD + "* comment\n" + line + "\n")
    with pytest.raises(UserFileError) as caught:
        scan_user_file(path)
    assert caught.value.line == GOOD.count("\n") + 2
    assert reason in caught.value.reason
    assert str(path) in str(caught.value) and "line" in str(caught.value)


def test_an_include_inside_the_folder_is_inlined_and_scanned_too(tmp_path):
    write(tmp_path, "sub/models.lib", ".model pch pmos level=54\n")
    top = scan_user_file(write(tmp_path, "top.lib", '.include "sub/models.lib"\n'))
    assert ".model pch pmos level=54" in top.text and ".include" not in top.text
    assert top.included == ((tmp_path / "sub/models.lib").resolve(),)
    write(tmp_path, "sub/evil.lib", ".control\nshell touch x\n.endc\n")
    with pytest.raises(UserFileError, match=r"evil\.lib line 1"):
        scan_user_file(write(tmp_path, "top2.lib", ".include sub/evil.lib\n"))


SPEC = """
[campaign]
samples = 2
method = "monte-carlo"
[conditions]
vdd_v = 1.2
[device]
model = "fixed"
[technology]
{technology}
"""


@pytest.mark.parametrize(
    ("library", "pcsa", "expected"),
    [
        (".control\nquit\n.endc\n", None, "bad.lib line 1"),
        (None, ".subckt sa a b\nshell date\n.ends sa\n", "sa.sp line 2"),
        (None, ".subckt sa a b\n.include ../../x.sp\n.ends sa\n", "sa.sp line 2"),
    ],
)
def test_a_campaign_naming_a_refused_file_exits_2_before_running(
    tmp_path, capsys, library, pcsa, expected
):
    lines = []
    if library is not None:
        write(tmp_path, "bad.lib", library)
        lines += ['library = "bad.lib"', 'corners = { tt = "tt" }']
        lines += ['nmos_model = "n"', 'pmos_model = "p"']
    if pcsa is not None:
        write(tmp_path, "sa.sp", pcsa)
        lines += ['pcsa = "sa.sp"', 'pcsa_subckt = "sa"']
        lines += ['pcsa_ports = ["vdd", "sen", "out", "outb", "bl", "blb", "sl"]']
    spec = write(tmp_path, "spec.toml", SPEC.format(technology="\n".join(lines)))
    out = tmp_path / "out"
    assert main(["run", str(spec), "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert expected in error and "refused" in error and "Traceback" not in error
    assert not out.exists() or not any(out.iterdir())
