"""The reach projection: edges, kinds, restrictions, jurisdictions, disputes, the cache."""
import json

import pytest
from rdflib import Graph, URIRef

from aikg.errors import StoreError
from aikg.namespace import AIKG, ENT
from aikg.reach.projection import (
    ACCESS,
    BUY,
    CACHE_VERSION,
    RELATIONS,
    USE,
    build_projection,
    in_interval,
    load_projection,
)
from aikg.store.embedded import open_store

from reach_fixtures import PREFIXES, make_store

E = lambda name: str(ENT[name])  # noqa: E731


@pytest.fixture(scope="module")
def proj(founding):
    with open_store(str(founding)) as store:  # open while the tests run: sources are read on demand
        yield build_projection(store)


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
    sources = proj.restriction_sources(rid)
    assert sources and all(s["document"] for s in sources)
    assert proj.restrictions[proj.restricted[E("h100")][0]].covers == {BUY}
    assert proj.restrictions[proj.restricted[E("chatgpt")][0]].covers == {USE, BUY, ACCESS}


def test_jurisdiction_closure(proj):
    assert proj.closure({E("italy")}) == {E("italy"), E("european-union")}
    assert proj.closure({E("hong-kong")}) == {E("hong-kong")}  # not part of China unless the data says so
    assert proj.places["chinese"] == {E("china")}
    assert proj.places["hong kong"] == {E("hong-kong")}


def test_conflicting_sources_mark_a_fact_disputed(proj):
    key = (E("mirror-cloud"), str(AIKG.availableIn), E("hong-kong"))
    assert proj.facts[key]["disputed"] and proj.fact_disputed(key)
    sources = proj.sources(key)
    assert [s.get("negated", False) for s in sources] == [False, True]  # asserting first


def test_interval_edges_are_inclusive():
    assert in_interval("2024-07-09", "2024-07-09", "2024-07-09")
    assert not in_interval("2024-07-10", None, "2024-07-09")
    assert in_interval("1900-01-01", None, None)


def test_cache_is_keyed_by_revision(founding, tmp_path):
    with open_store(str(founding)) as store:
        first = load_projection(store)
        cache = founding / "cache"
        manifest = json.loads((cache / "projection.json").read_text())
        assert manifest["revision"] == store.revision() and (cache / manifest["data"]).is_file()
        again = load_projection(store)
        assert again.revision == first.revision and again.graph.number_of_edges() == first.graph.number_of_edges()


def test_caches_of_older_versions_are_removed(tmp_path):
    path = make_store(tmp_path / "store")
    (path / "cache").mkdir(exist_ok=True)
    (path / "cache" / "projection-v2.pickle").write_bytes(b"old")
    with open_store(str(path)) as store:
        load_projection(store)
    assert not list((path / "cache").glob("*.pickle"))
    (data,) = (path / "cache").glob("projection-*.npz")
    assert data.name.startswith(f"projection-{CACHE_VERSION}-")


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


DATED = PREFIXES + """
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
ent:land a aikg:Jurisdiction ; rdfs:label "Land" ; aikg:demonym "Landish" .
ent:m a aikg:AIModel ; rdfs:label "M" .
ent:org a aikg:Company ; rdfs:label "Org" ; aikg:offers ent:late .
ent:late a aikg:Service ; rdfs:label "Late" ; aikg:providesAccessTo ent:m ; aikg:availableIn ent:land .
ent:both a aikg:Service ; rdfs:label "Both" ; aikg:providesAccessTo ent:m .
ent:gone a aikg:Service ; rdfs:label "Gone" ; aikg:providesAccessTo ent:m .
ent:doc a aikg:Document ; rdfs:label "A report" .
[ a aikg:Statement ; rdf:subject ent:late ; rdf:predicate aikg:providesAccessTo ; rdf:object ent:m ;
  aikg:validFrom "2024-01-01"^^xsd:date ; prov:wasDerivedFrom ent:doc ; aikg:quote "Late serves M from 2024." ] .
[ a aikg:Statement ; rdf:subject ent:org ; rdf:predicate aikg:offers ; rdf:object ent:late ;
  aikg:validUntil "2025-06-30"^^xsd:date ; prov:wasDerivedFrom ent:doc ] .
[ a aikg:Statement ; rdf:subject ent:both ; rdf:predicate aikg:providesAccessTo ; rdf:object ent:m ;
  aikg:validFrom "2024-01-01"^^xsd:date ; prov:wasDerivedFrom ent:doc ] .
[ a aikg:Statement ; rdf:subject ent:both ; rdf:predicate aikg:providesAccessTo ; rdf:object ent:m ;
  prov:wasDerivedFrom ent:doc ] .
[ a aikg:Statement ; rdf:subject ent:gone ; rdf:predicate aikg:providesAccessTo ; rdf:object ent:m ;
  aikg:negated true ; prov:wasDerivedFrom ent:doc ] .
"""


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    path = make_store(tmp_path_factory.mktemp("dated") / "store", DATED, (), ())
    with open_store(str(path)) as store:
        yield build_projection(store)


def test_statement_dates_become_edge_validity(dated):
    p = str(AIKG.providesAccessTo)
    assert dated.facts[(E("late"), p, E("m"))]["valid"] == (("2024-01-01", None),)
    # written with the inverse predicate, read as the canonical fact
    assert dated.facts[(E("late"), str(AIKG.offeredBy), E("org"))]["valid"] == ((None, "2025-06-30"),)
    assert dated.facts[(E("both"), p, E("m"))]["valid"] is None  # an undated source: always
    (late,) = [e for u, e in dated.in_edges(E("m")) if u == E("late")]
    assert not dated.edge_valid(late, "2023-12-31") and dated.edge_valid(late, "2024-01-01")
    assert dated.graph.edges[E("late"), E("m"), p]["valid"] == (("2024-01-01", None),)


def test_a_fact_every_source_negates_is_dropped(dated):
    assert E("gone") not in {u for u, _ in dated.in_edges(E("m"))}
    assert not dated.graph.has_edge(E("gone"), E("m"))


def test_arrays_and_graph_view_agree(proj):
    g = proj.graph
    assert proj.edge_count == g.number_of_edges() - sum(len(t) for t in proj.customers.values())
    for e in range(proj.edge_count):
        u, v = proj.nodes[proj.src[e]], proj.nodes[proj.dst[e]]
        assert proj.in_ptr[proj.dst[e]] <= e < proj.in_ptr[proj.dst[e] + 1]
        assert g.has_edge(u, v, RELATIONS[proj.rel[e]])
        assert (v, e) in proj.out_edges_of(u)
    assert proj.nodes == sorted(proj.nodes)


def test_sources_are_read_on_demand_and_need_the_store(founding):
    key = (E("azure-openai-service"), str(AIKG.providesAccessTo), E("gpt-4o"))
    with open_store(str(founding)) as store:
        proj = load_projection(store)
        assert proj.sources(key)[0]["quote"] == "Azure OpenAI offers the GPT-4o model."
        from aikg.reach.projection import _load
        copy = _load(founding / "cache", proj.revision)  # the cache keeps neither the store nor what was read
    assert copy.store is None and copy._evidence == {}
    with pytest.raises(StoreError):
        copy.sources(key)
    with pytest.raises(StoreError):  # a closed store says so
        proj.sources((E("chatgpt"), str(AIKG.providesAccessTo), E("gpt-4o")))
