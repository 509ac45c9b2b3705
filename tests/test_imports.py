"""The package's folders are its layers: imports only go down the layer order, and no module imports
another in a circle (imports inside functions count too)."""
import ast
import re
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "graph"

# The layer order, lowest first (README, "Layout"). A module may import its own layer and lower ones.
# Top-level modules (errors, settings, namespace, lexicon, model, dates) are the bottom layer; __main__
# only runs the command line, so it sits with it.
LAYERS = {"": 0, "sparql": 1, "store": 2, "names": 3, "facts": 4, "ingest": 5, "reach": 6, "views": 7,
          "server": 8, "cli": 9}

# Cycles still to break, each a sorted tuple of module names; the list may only shrink (it is empty: keep it so).
PENDING: set[tuple[str, ...]] = set()


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "__init__"


def _exists(name: str) -> bool:
    path = PACKAGE.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def import_graph() -> nx.DiGraph:
    """Module -> the package modules it imports, from every relative import anywhere in its source."""
    g = nx.DiGraph()
    for path in sorted(PACKAGE.rglob("*.py")):
        mod = _module(path)
        package = mod.split(".") if path.name == "__init__.py" and mod != "__init__" else mod.split(".")[:-1]
        g.add_node(mod)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = package[:len(package) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            for name in [target] + [f"{target}.{a.name}".lstrip(".") for a in node.names]:
                if name and name != mod and _exists(name):
                    g.add_edge(mod, name)
    return g


def layer(module: str) -> str:
    """The layer a module belongs to: its folder, or "" for the package's top level."""
    if module == "__main__":
        return "cli"
    first = module.split(".")[0]
    return first if (PACKAGE / first).is_dir() else ""


def test_the_graph_is_read():
    g = import_graph()
    assert {"store.embedded", "facts.factlog", "model", "cli", "cli.path", "reach.answers"} <= set(g)
    assert g.has_edge("facts.factlog", "store.embedded") and g.has_edge("cli.path", "reach.answers")
    assert g.has_edge("facts.bootstrap", "facts.factlog")  # "from . import factlog" names a module


def test_every_folder_has_a_rank():
    folders = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert folders == set(LAYERS) - {""}, "add the new folder to LAYERS (and to the README's layout)"


def test_imports_only_go_down():
    g = import_graph()
    upward = sorted(f"{a} ({layer(a) or 'top'}) imports {b} ({layer(b) or 'top'})"
                    for a, b in g.edges if LAYERS[layer(b)] > LAYERS[layer(a)])
    assert upward == [], "imports going up a layer:\n" + "\n".join(upward)


def test_no_import_cycles():
    cycles = {tuple(sorted(c)) for c in nx.simple_cycles(import_graph())}
    assert cycles - PENDING == set(), "import cycles: " + "; ".join(" -> ".join(c) for c in sorted(cycles - PENDING))


def test_pending_cycles_still_exist():
    """A cycle broken comes off PENDING, so the list only shrinks."""
    cycles = {tuple(sorted(c)) for c in nx.simple_cycles(import_graph())}
    assert PENDING <= cycles


def test_every_folder_is_installed():
    """setuptools installs the packages pyproject.toml lists, so a folder missing there is missing from the wheel."""
    listed = re.search(r"^packages = \[(.*?)\]", (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M | re.S)
    packages = set(re.findall(r'"([^"]+)"', listed.group(1)))
    folders = {"aikg." + ".".join(p.parent.relative_to(PACKAGE).parts) for p in PACKAGE.rglob("*/__init__.py")}
    assert folders <= packages
