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


PACKAGES = ("models", "circuits", "characterization", "analysis", "rram_ber")
#: Largest module, in lines: beyond it a module mixes jobs and should be split along a seam.
MAX_MODULE_LINES = 700


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_graph() -> dict[str, set[str]]:
    """Project module -> project modules it imports (at module level or inside functions)."""
    paths = {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # "from package import module" depends on the module, not on the package's
                # __init__ (which may itself import the package's modules to export them).
                modules = {f"{node.module}.{alias.name}" for alias in node.names}
                modules &= paths.keys()
                targets.update(modules or {node.module})
        graph[name] = {t for t in targets if t in paths and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle():
    graph = _import_graph()
    assert "characterization.spec" in graph and "characterization.rare.importance" in graph
    # A cycle means two modules each need the other: one of them is in the wrong place.
    assert _cycles(graph) == []


def test_the_import_graph_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_campaign_types_load_without_the_simulator():
    code = (
        "import sys\n"
        "import characterization.spec, characterization.readout, characterization.devices\n"
        "import characterization.schema, characterization.measure\n"
        "bad = [m for m in sys.modules if m.startswith('PySpice') or m in "
        "('characterization.session', 'characterization.worker')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_no_module_is_longer_than_the_limit():
    long = []
    for folder in (*PACKAGES, "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_MODULE_LINES:
                long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert long == []
