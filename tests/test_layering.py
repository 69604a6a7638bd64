"""The packages import one way: models -> circuits -> characterization -> analysis.

``analysis`` may read characterization's result tables (schema, store, ber) but must never load
the simulator, so reports and the evaluator run where ngspice is not installed.
"""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import analysis

ROOT = Path(__file__).resolve().parents[1]

#: package -> packages it must not import
FORBIDDEN = {
    "models": ("circuits", "characterization", "analysis", "rram_ber.commands", "rram_ber.cli"),
    "circuits": ("characterization", "analysis", "rram_ber.commands", "rram_ber.cli"),
    "characterization": ("analysis", "rram_ber.commands", "rram_ber.cli"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_lower_layers_never_import_higher_ones():
    offences = []
    for package, forbidden in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in _imports(path):
                if any(name == f or name.startswith(f + ".") for f in forbidden):
                    offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offences == []


def test_no_analysis_module_loads_the_simulator():
    modules = sorted(m.name for m in pkgutil.walk_packages(analysis.__path__, "analysis."))
    assert "analysis.report" in modules and "analysis.bnn.curves" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "import rram_ber.commands.report, rram_ber.commands.evaluate\n"
        "bad = [m for m in sys.modules if m.startswith('PySpice') or m in "
        "('characterization.session', 'characterization.worker', 'characterization.read')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
