"""The distribution installs one import package, ``rram_ber``, and works beside users' folders.

The repository keeps its top-level folders (``models/``, ``circuits/``, ``characterization/``,
``analysis/``); they are mapped into ``rram_ber`` and must never be installed under their bare
names, which machine-learning projects use for folders of their own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAPPED = ("models", "circuits", "characterization", "analysis")
#: What a wheel build never needs from the checkout.
NOT_BUILT = (".git", ".venv", ".tox", "build", "dist", "*.egg-info", "__pycache__", "tests")


def test_the_wheel_installs_only_rram_ber(tmp_path):
    source = tmp_path / "source"
    # A copy, so the build leaves nothing in the checkout; the links into rram_ber stay links.
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*NOT_BUILT))
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    (wheel,) = (tmp_path / "dist").glob("rram_ber-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (top_level,) = [n for n in names if n.endswith(".dist-info/top_level.txt")]
        assert archive.read(top_level).decode().split() == ["rram_ber"]
    dist_info = wheel.name.split("-py3")[0] + ".dist-info"
    assert {n.split("/")[0] for n in names} == {"rram_ber", dist_info}
    # The mapped folders and their package data are inside the namespace.
    for expected in ("rram_ber/models/cmos.py", "rram_ber/models/cards/ptm130.lib",
                     "rram_ber/characterization/campaigns/default.toml",
                     "rram_ber/analysis/bnn/weights/fashion-mlp-bnn.npz",
                     "rram_ber/circuits/pcsa.py", "rram_ber/core/validation.py"):  # fmt: skip
        assert expected in names


def _users_folder(folder: Path) -> None:
    """A project of a user's with packages named like the repository's folders."""
    for name in MAPPED:
        package = folder / name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(f"OWNER = 'user'\nNAME = {name!r}\n")
    (folder / "models" / "resnet.py").write_text("LAYERS = 18\n")


@pytest.mark.ngspice
def test_a_read_runs_from_a_folder_with_its_own_models_package(tmp_path):
    _users_folder(tmp_path)
    # The user's script imports its own packages and runs a read through rram_ber.
    script = (
        "import json, sys\n"
        "import analysis, characterization, circuits, models\n"
        "from models.resnet import LAYERS\n"
        "from rram_ber.cli import main\n"
        "assert LAYERS == 18 and all(p.OWNER == 'user' for p in "
        "(models, circuits, characterization, analysis))\n"
        "status = main(['read', '--r-bl', '5e3', '--r-blb', '50e3', '--isolated', '--json'])\n"
        "import models as again\n"
        "assert again.OWNER == 'user'\n"
        "sys.exit(status)\n"
    )
    (tmp_path / "user_script.py").write_text(script)
    completed = subprocess.run(
        [sys.executable, "user_script.py"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["decision"] == 1 and result["resolved"] is True


def test_the_users_packages_and_rram_ber_load_side_by_side(tmp_path):
    _users_folder(tmp_path)
    code = (
        "import models, analysis\n"
        "import rram_ber.models.cmos, rram_ber.analysis.bnn\n"
        "assert models.OWNER == 'user' and analysis.OWNER == 'user'\n"
        "assert rram_ber.models.cmos.__name__ == 'rram_ber.models.cmos'\n"
        "assert 'nmos' in rram_ber.models.cmos.model_card_text().lower()\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
