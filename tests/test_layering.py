"""The import layers of ``rram_ber``, listed bottom to top; a module imports only its own layer
and those below it.

``analysis`` may read characterization's result tables (schema, store, ber) but must never load
the simulator, so reports and the evaluator run where ngspice is not installed. Every import of
the project is namespaced (``rram_ber.models``, never ``models``): the repository's top-level
folders are mapped into ``rram_ber`` (``rram_ber/models`` is a link to ``models/``), and a bare
name would load a second copy of a module, or a user's own package of that name.
"""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import rram_ber.analysis

ROOT = Path(__file__).resolve().parents[1]

#: The layers, bottom to top: (layer name, module prefixes). ``rram_ber`` is the package's
#: ``__init__`` only (the version, which every layer may record); it is no prefix.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("core", ("rram_ber", "rram_ber.core")),
    ("models", ("rram_ber.models",)),
    ("circuits", ("rram_ber.circuits",)),
    ("characterization", ("rram_ber.characterization",)),
    ("analysis", ("rram_ber.analysis",)),
    (
        "interface",
        ("rram_ber.api", "rram_ber.cli", "rram_ber.commands", "rram_ber.progress"),
    ),
)
#: Folders of the repository whose modules belong to the namespace, and where they are mapped.
FOLDERS = {
    "rram_ber": "rram_ber",
    "models": "rram_ber.models",
    "circuits": "rram_ber.circuits",
    "characterization": "rram_ber.characterization",
    "analysis": "rram_ber.analysis",
}
#: Top-level names that must never be imported bare (the folders mapped into ``rram_ber``).
BARE = ("models", "circuits", "characterization", "analysis")
#: Largest module, in lines: beyond it a module mixes jobs and should be split along a seam.
MAX_MODULE_LINES = 700


def _module_paths() -> dict[str, Path]:
    """Every project module, by its ``rram_ber`` name (links into the namespace not followed)."""
    paths: dict[str, Path] = {}
    for folder, namespace in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            paths[".".join([namespace, *parts])] = path
    return paths


def _layer(module: str) -> int:
    """Index of the layer of ``module`` (the longest matching prefix decides)."""
    best, best_length = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            below = prefix != "rram_ber" and module.startswith(prefix + ".")
            if (module == prefix or below) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    assert best >= 0, f"{module} is in no layer"
    return best


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_every_module_is_in_a_layer():
    modules = _module_paths()
    assert "rram_ber.core.validation" in modules and "rram_ber.commands.run" in modules
    assert "rram_ber.models.cmos" in modules and "rram_ber.analysis.bnn.layers" in modules
    for module in modules:
        _layer(module)


def test_no_module_imports_a_higher_layer():
    offences = []
    for module, path in _module_paths().items():
        for name in _imports(path):
            if name.split(".")[0] == "rram_ber" and _layer(name) > _layer(module):
                offences.append(f"{path.relative_to(ROOT)} ({module}) imports {name}")
    assert offences == []


def test_the_layer_check_sees_an_upward_import():
    assert _layer("rram_ber.characterization.campaign") > _layer("rram_ber.models.vcm")
    assert _layer("rram_ber.progress") > _layer("rram_ber.characterization.campaign")
    assert _layer("rram_ber.core.validation") < _layer("rram_ber.models.vcm")
    with pytest.raises(AssertionError, match="in no layer"):
        _layer("rram_ber.unlisted")


def test_no_import_is_bare():
    offences = []
    for folder in (*FOLDERS, "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for name in _imports(path):
                if name.split(".")[0] in BARE:
                    offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offences == []


def test_no_analysis_module_loads_the_simulator():
    modules = sorted(
        m.name for m in pkgutil.walk_packages(rram_ber.analysis.__path__, "rram_ber.analysis.")
    )
    assert "rram_ber.analysis.report" in modules and "rram_ber.analysis.bnn.curves" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "import rram_ber.commands.report, rram_ber.commands.evaluate\n"
        "bad = [m for m in sys.modules if m.startswith('PySpice') or m in "
        "('rram_ber.characterization.session', 'rram_ber.characterization.worker', "
        "'rram_ber.characterization.read')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _import_graph() -> dict[str, set[str]]:
    """Project module -> project modules it imports (at module level or inside functions)."""
    paths = _module_paths()
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
    assert (
        "rram_ber.characterization.spec" in graph
        and "rram_ber.characterization.rare.importance" in graph
    )
    # A cycle means two modules each need the other: one of them is in the wrong place.
    assert _cycles(graph) == []


def test_the_import_graph_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_campaign_types_load_without_the_simulator():
    code = (
        "import sys\n"
        "import rram_ber.characterization.spec, rram_ber.characterization.readout\n"
        "import rram_ber.characterization.devices, rram_ber.characterization.schema\n"
        "import rram_ber.characterization.measure\n"
        "bad = [m for m in sys.modules if m.startswith('PySpice') or m in "
        "('rram_ber.characterization.session', 'rram_ber.characterization.worker')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_no_module_is_longer_than_the_limit():
    long = []
    for folder in (*FOLDERS, "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_MODULE_LINES:
                long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert long == []
