"""The reach projection: edges, kinds, restrictions, jurisdictions, disputes, the cache."""
import sys
from pathlib import Path
import pickle

import pytest
from rdflib import Graph, URIRef

from graph.namespace import AIKG, ENT
from graph.projection import ACCESS, BUY, USE, build_projection, in_interval, load_projection
from graph.store import open_store

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib adds no test dir
from reach_fixtures import make_store  # noqa: E402

E = lambda name: str(ENT[name])  # noqa: E731


@pytest.fixture(scope="module")
def founding(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("proj") / "store")


@pytest.fixture(scope="module")
def proj(founding):
    with open_store(str(founding)) as store:
        return build_projection(store)


def test_edges_carry_kind_relation_and_fact(proj):
    g = proj.graph
    data = g.get_edge_data(E("azure-openai-service"), E("gpt-4o"), key=str(AIKG.providesAccessTo))
    assert data["kind"] == ACCESS
    assert data["fact"] == (E("azure-openai-service"), str(AIKG.providesAccessTo), E("gpt-4o"))
    # a platform reaches its parts; an organization offers its services; vendors sell chips
    assert g.get_edge_data(E("azure-china"), E("azure-openai-service"), key=str(AIKG.hasPart))["kind"] == ACCESS
    assert g.get_edge_data(E("microsoft"), E("azure-openai-service"), key=str(AIKG.offers))["kind"] == USE
    assert g.get_edge_data(E("nvidia"), E("h100"), key=str(AIKG.develops))["kind"] == BUY
    assert g.get_edge_data(E("tsmc"), E("h100"), key=str(AIKG.manufactures))["kind"] == BUY
    assert g.get_edge_data(E("xai"), E("oracle"), key=str(AIKG.customerOf))["kind"] == BUY


def test_models_are_not_bought_from_their_developer(proj):
    assert not proj.graph.has_edge(E("openai"), E("gpt-4o"))


def test_sources_come_from_statements(proj):
    key = (E("azure-openai-service"), str(AIKG.providesAccessTo), E("gpt-4o"))
    assert proj.sources(key) == [{"document": "OpenAI curbs API use in China (test report)",
                                  "quote": "Azure OpenAI offers the GPT-4o model."}]


def test_restrictions_indexed_with_kind_defaults(proj):
    (rid,) = proj.restricted[E("openai-api")]
    r = proj.restrictions[rid]
    assert r.applies_in == {E("china")} and r.imposed_by == [E("openai")]
    assert r.effective_from == "2024-07-09" and r.effective_until is None
    assert r.covers == {USE, ACCESS}
    assert r.sources and all(s["document"] for s in r.sources)
    assert proj.restrictions[proj.restricted[E("h100")][0]].covers == {BUY}
    assert proj.restrictions[proj.restricted[E("chatgpt")][0]].covers == {USE, BUY, ACCESS}


def test_jurisdiction_closure(proj):
    assert proj.closure({E("italy")}) == {E("italy"), E("european-union")}
    assert proj.closure({E("hong-kong")}) == {E("hong-kong")}  # not part of China unless the data says so
    assert proj.places["chinese"] == {E("china")}
    assert proj.places["hong kong"] == {E("hong-kong")}


def test_conflicting_sources_mark_a_fact_disputed(proj):
    key = (E("mirror-cloud"), str(AIKG.availableIn), E("hong-kong"))
    info = proj.facts[key]
    assert info["disputed"]
    assert {s.get("negated", False) for s in info["sources"]} == {True, False}


def test_interval_edges_are_inclusive():
    assert in_interval("2024-07-09", "2024-07-09", "2024-07-09")
    assert not in_interval("2024-07-10", None, "2024-07-09")
    assert in_interval("1900-01-01", None, None)


def test_cache_is_keyed_by_revision(founding, tmp_path):
    with open_store(str(founding)) as store:
        first = load_projection(store)
        cache = founding / "cache"
        (file,) = cache.glob("projection-*.pickle")
        assert pickle.loads(file.read_bytes()).revision == store.revision()
        again = load_projection(store)
        assert again.revision == first.revision and again.graph.number_of_edges() == first.graph.number_of_edges()


def test_cache_rebuilds_after_a_write(tmp_path):
    path = make_store(tmp_path / "store")
    with open_store(str(path)) as store:
        before = load_projection(store)
    with open_store(str(path), write=True) as store:
        extra = Graph()
        extra.add((ENT["chatgpt"], AIKG.providesAccessTo, ENT["h20"]))
        store.replace_graphs({URIRef("urn:x"): extra})
    with open_store(str(path)) as store:
        after = load_projection(store)
    assert after.revision != before.revision
    assert after.graph.has_edge(E("chatgpt"), E("h20"))


def test_empty_store_projects_to_an_empty_graph(empty_store_path):
    with open_store(str(empty_store_path)) as store:
        proj = build_projection(store)
    assert proj.graph.number_of_edges() == 0 and proj.restrictions == {}
