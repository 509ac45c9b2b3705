"""Every write changes the revision, on the embedded store and on a server: cached projections never go stale."""
import inspect

import pytest
from rdflib import Graph, URIRef

from aikg.namespace import AIKG, ENT, GRAPH
from aikg.reach.projection import load_projection
from aikg.store.base import Store
from aikg.store.embedded import EmbeddedStore, open_store
from aikg.store.remote import RemoteStore

from test_remote import SERVERS, _clear, oxigraph_url, virtuoso_url  # noqa: F401  (the server fixtures)

G = GRAPH["revision-test"]
LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
TTL = f"""<{ENT['cloud']}> a <{AIKG.Service}> ; <{LABEL}> "Cloud" .
<{ENT['model']}> a <{AIKG.AIModel}> ; <{LABEL}> "Model" .
<{ENT['other']}> a <{AIKG.AIModel}> ; <{LABEL}> "Other" .
<{ENT['cloud']}> <{AIKG.providesAccessTo}> <{ENT['model']}> .
"""
SECOND = f"<{ENT['cloud']}> <{AIKG.providesAccessTo}> <{ENT['other']}> ."


def access_edges(store) -> int:
    return load_projection(store).graph.number_of_edges()


def one_edge() -> Graph:
    return Graph().parse(data=TTL, format="turtle")


def two_edges() -> Graph:
    return Graph().parse(data=TTL + SECOND, format="turtle")


# each write path: (name, how to call it on an open store); each adds the second access fact
WRITES = {
    "update": lambda s: s.update(f"INSERT DATA {{ GRAPH <{G}> {{ {SECOND} }} }}"),
    "apply_update": lambda s: s.apply_update(f"INSERT DATA {{ GRAPH <{G}> {{ {SECOND} }} }}"),
    "replace_graphs": lambda s: s.replace_graphs({G: two_edges()}),
    "replace_graph": lambda s: s.replace_graph(G, two_edges()),
    "load_graph": lambda s: s.load_graph(G, (TTL + SECOND).encode(), __import__("pyoxigraph").RdfFormat.TURTLE),
}
DROPS = {"drop_graph": lambda s: s.drop_graph(G), "update_drop": lambda s: s.update(f"DROP GRAPH <{G}>")}


@pytest.fixture(params=["embedded", *SERVERS])
def location(request, tmp_path):
    if request.param == "embedded":
        EmbeddedStore(tmp_path / "s", write=True, create=True).close()
        return str(tmp_path / "s")
    url = request.getfixturevalue(f"{request.param}_url")
    _clear(request.param, url)
    return url


def prepared(location) -> None:
    with open_store(location, write=True) as s:
        s.replace_graphs({G: one_edge()})
        assert access_edges(s) == 1  # the projection is now cached for this revision


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_changes_the_revision_and_the_projection_follows(location, write):
    prepared(location)
    with open_store(location, write=True) as s:
        if write == "load_graph" and not isinstance(s, EmbeddedStore):
            pytest.skip("load_graph is the embedded store's own")  # not a write path a server store has
        before = s.revision()
        WRITES[write](s)
        assert s.revision() != before
        assert access_edges(s) == 2


@pytest.mark.parametrize("drop", sorted(DROPS))
def test_dropping_changes_the_revision(location, drop):
    prepared(location)
    with open_store(location, write=True) as s:
        before = s.revision()
        DROPS[drop](s)
        assert s.revision() != before and access_edges(s) == 0


def public(cls) -> set:
    return {n for n, v in inspect.getmembers(cls) if not n.startswith("_") and callable(v)}


READS = {"query", "select_values", "revision", "graph_names", "graph", "dataset_quads", "count", "close",
         "engine_query", "visible_graphs"}


@pytest.mark.parametrize("cls", [Store, EmbeddedStore, RemoteStore])
def test_no_public_write_path_skips_the_revision(cls):
    """A new public method must be listed here as a read or get a test above as a write."""
    assert public(cls) - READS <= set(WRITES) | set(DROPS), public(cls) - READS - set(WRITES) - set(DROPS)
    assert cls.update is Store.update  # no backend replaces the bumping update with a raw one
