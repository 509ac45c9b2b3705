"""Shared fixtures: a reference store built once per session, copied per test."""
import shutil

import pytest
from click.testing import CliRunner

from aikg.facts.bootstrap import init_store
from aikg.store.embedded import EmbeddedStore


@pytest.fixture(scope="session")
def reference_store_path(tmp_path_factory):
    """A store folder holding the ontology and the reference data (read-only: copy before writing)."""
    path = tmp_path_factory.mktemp("ref") / "store"
    init_store(str(path))
    return path


@pytest.fixture
def store_path(reference_store_path, tmp_path):
    """A private copy of the reference store, safe to write."""
    path = tmp_path / "store"
    shutil.copytree(reference_store_path, path, ignore=shutil.ignore_patterns("aikg.lock"))
    return path


@pytest.fixture
def empty_store_path(tmp_path):
    """A store with the ontology only."""
    path = tmp_path / "empty"
    init_store(str(path), empty=True)
    return path


@pytest.fixture
def store(store_path):
    s = EmbeddedStore(store_path, write=True)
    yield s
    s.close()


@pytest.fixture
def cli(store_path):
    """Run ``aikg --store <private copy> ARGS``; returns the click Result."""
    from aikg.cli import main

    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(main, ["--store", str(store_path), *map(str, args)], input=input, catch_exceptions=False)

    run.store_path = store_path
    return run


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory):
    """The linker's gazetteer over tests/data/ingest/mini.ttl (invented and real entities)."""
    from pathlib import Path

    from rdflib import Graph, URIRef

    from aikg.ingest.gazetteer import Gazetteer

    path = tmp_path_factory.mktemp("gazetteer") / "store"
    init_store(str(path), empty=True)
    with EmbeddedStore(path, write=True) as store:
        mini = Graph().parse(Path(__file__).parent / "data" / "ingest" / "mini.ttl")
        store.replace_graphs({URIRef("urn:test:mini"): mini})
        yield Gazetteer.from_store(store)


@pytest.fixture(scope="module")
def founding(tmp_path_factory):
    """A store holding the founding story and the chip story (tests/reach_fixtures.py)."""
    from reach_fixtures import make_store

    return make_store(tmp_path_factory.mktemp("founding") / "store")
