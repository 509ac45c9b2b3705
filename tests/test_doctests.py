"""The examples in the package's docstrings run, imported as ``aikg.*``.

pytest's ``--doctest-modules`` only walks ``testpaths`` (tests/); pointing it at graph/ would
import a second copy of every module under the folder's name, ``graph.*``. So this file finds
the modules through the installed package and runs their examples with the standard library.
"""
import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import aikg


def _modules_with_examples():
    """Names of the package's modules whose source holds an example, found without importing them."""
    names = []
    for info in pkgutil.walk_packages(aikg.__path__, "aikg."):
        if info.name.endswith(".__main__"):
            continue  # importing it runs the CLI
        origin = importlib.util.find_spec(info.name).origin
        if origin and ">>>" in Path(origin).read_text(encoding="utf-8"):
            names.append(info.name)
    return sorted(names)


MODULES = _modules_with_examples()


def test_the_package_has_examples():
    """Guards the walk above: an empty list would make the test below pass by running nothing."""
    assert {"aikg.sparql.queries", "aikg.cli"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    assert module.__name__ == name and Path(module.__file__).is_relative_to(Path(aikg.__file__).parent)
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    assert tests, f"{name} has '>>>' in its source but no docstring example doctest can find"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)  # pytest's default flags
    report = []
    for test in tests:
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
