"""The graph page (``aikg export --format html``) is drawn from the reach projection, not from queries of its own."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from aikg.model import model
from aikg.namespace import AIKG, ENT, GRAPH
from aikg.reach.projection import Restriction, assemble, load_projection
from aikg.settings import packaged_ontology_dir
from aikg.store.embedded import EmbeddedStore
from aikg.views.viz import graph_page

DATA = Path(__file__).parent / "data" / "viz"
LAB, MODEL, BAN, FUND = (str(ENT[x]) for x in ("quill-lab", "quill-7", "quill-ban", "heron-fund"))


def page_data(html: str) -> dict:
    return json.loads(re.search(r"var AIKG = (\{.*?\});\n", html, re.S).group(1))


def hand_made():
    """A projection no store holds: a lab, its model, a fund that invested in the lab, and a ban on the model."""
    block = next(iri for iri, k in model().restriction_kinds.items() if k.name == "AccessBlock")
    ban = Restriction(BAN, "Quill-7 ban", restricts=[MODEL], effective_from="2025-02-01", kind=block)
    invested = (FUND, str(AIKG.investedIn), LAB)
    return assemble(
        "hand-made", [], types={LAB: frozenset({"Company", "Organization"}), MODEL: frozenset({"AIModel"})},
        classes={LAB: {"Company"}, MODEL: {"AIModel"}, FUND: {"Company"}, BAN: {"Restriction"}},
        links=[(MODEL, str(AIKG.developedBy), LAB), invested, (BAN, str(AIKG.restricts), MODEL)],
        labels={LAB: "Quill Lab", MODEL: "Quill-7", FUND: "Heron Fund", BAN: "Quill-7 ban"},
        restrictions={BAN: ban}, facts={invested: {"disputed": False, "valid": (("2024-05-01", None),)}},
        more_aliases={BAN: ["the Quill ban"]})


def test_the_page_draws_what_the_projection_holds_not_what_the_store_holds(empty_store_path):
    with EmbeddedStore(empty_store_path) as store:
        assert graph_page(store).nodes == 0  # the store holds no entity
        page = graph_page(store, projection=hand_made())
        data = page_data(page.html)
        nodes = {n["name"]: n for n in data["nodes"]}
        assert set(nodes) == {"Quill Lab", "Quill-7", "Heron Fund", "Quill-7 ban"} and page.edges == 3
        assert nodes["Quill-7 ban"]["shape"] == "box"  # the class from the projection's rdf:type bits
        ban = nodes["Quill-7 ban"]["title"]
        assert "kind: access block" in ban and "in force: from 2025-02-01" in ban and "the Quill ban" in ban
        assert "type: Company" in nodes["Heron Fund"]["title"]
        invested = next(e for e in data["edges"] if e["label"] == "invested in")
        assert "valid: from 2024-05-01" in invested["title"] and "sources: none recorded" in invested["title"]
        assert {(e["from"], e["label"], e["to"]) for e in data["edges"]} >= {(BAN, "restricts", MODEL)}
        # validity, restrictions in force and focus come from the projection too
        early = page_data(graph_page(store, projection=hand_made(), at="2024-01-01").html)
        assert [e["label"] for e in early["edges"]] == ["developed by"]  # invested later, banned later
        assert {n["name"] for n in early["nodes"]} == {"Quill Lab", "Quill-7", "Heron Fund"}
        assert graph_page(store, projection=hand_made(), focus=FUND, depth=1).nodes == 2


class Recording(EmbeddedStore):
    """The embedded store, noting every query sent to it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: list[str] = []

    def query(self, sparql, **kwargs):
        self.sent.append(sparql)
        return super().query(sparql, **kwargs)

    def select_values(self, sparql):
        self.sent.append(sparql)
        return super().select_values(sparql)


@pytest.fixture
def story_path(empty_store_path):
    graph = Graph().parse(DATA / "founding_story.ttl", format="turtle")
    with EmbeddedStore(empty_store_path, write=True) as store:
        store.replace_graph(GRAPH["doc/viz-story"], graph)
    return empty_store_path


def test_once_the_projection_is_built_the_page_only_asks_the_store_for_sources(story_path):
    with Recording(story_path) as store:
        load_projection(store)  # built once per revision, then read from the store folder's cache
        store.sent.clear()
        page = graph_page(store)
    assert page.nodes == 14 and page.edges == 24
    assert store.sent and all("?st a aikg:Statement ; rdf:subject ?s" in q for q in store.sent), store.sent


def test_a_fact_written_later_reaches_the_page_through_the_projection(story_path):
    with EmbeddedStore(story_path) as store:
        before = load_projection(store)
    extra = Graph().parse(format="turtle", data=f"""
        <{LAB}> a <{AIKG.Company}> ; <http://www.w3.org/2000/01/rdf-schema#label> "Quill Lab" .
        <{ENT.microsoft}> <{AIKG.hasInvestor}> <{LAB}> .""")  # stated through the inverse
    with EmbeddedStore(story_path, write=True) as store:
        store.replace_graph(GRAPH["doc/quill"], extra)
    with EmbeddedStore(story_path) as store:
        assert (LAB, str(AIKG.investedIn), str(ENT.microsoft)) in load_projection(store).links()
        now = page_data(graph_page(store).html)
        assert "Quill Lab" in {n["name"] for n in now["nodes"]}
        assert (LAB, "invested in", str(ENT.microsoft)) in {(e["from"], e["label"], e["to"]) for e in now["edges"]}
        stale = graph_page(store, projection=before)  # an older projection draws the older graph
        assert "Quill Lab" not in {n["name"] for n in page_data(stale.html)["nodes"]} and stale.nodes == 14


def test_negated_statements_are_no_sources_and_a_fact_all_of_them_deny_is_not_drawn(story_path):
    """As route search reads them: one document says it, another says the opposite: drawn, cited by the first;
    every statement about it says the opposite: not drawn."""
    ttl = f"""@prefix aikg: <{AIKG}> . @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix prov: <http://www.w3.org/ns/prov#> .
        <{LAB}> a aikg:Company ; rdfs:label "Quill Lab" ; aikg:basedIn <{ENT.china}> ; aikg:investedIn <{ENT.openai}> .
        <urn:test:st-yes> a aikg:Statement ; rdf:subject <{LAB}> ; rdf:predicate aikg:basedIn ;
            rdf:object <{ENT.china}> ; prov:wasDerivedFrom <urn:test:doc-yes> ;
            aikg:quote "Quill Lab works out of Shenzhen." .
        <urn:test:st-no> a aikg:Statement ; rdf:subject <{LAB}> ; rdf:predicate aikg:basedIn ;
            rdf:object <{ENT.china}> ; prov:wasDerivedFrom <urn:test:doc-no> ;
            aikg:quote "Quill Lab left China last year." ; aikg:negated true .
        <urn:test:st-never> a aikg:Statement ; rdf:subject <{LAB}> ; rdf:predicate aikg:investedIn ;
            rdf:object <{ENT.openai}> ; prov:wasDerivedFrom <urn:test:doc-no> ; aikg:negated true ;
            aikg:quote "Quill Lab never held OpenAI shares." .
        <urn:test:doc-yes> rdfs:label "Shenzhen notes" . <urn:test:doc-no> rdfs:label "Correction notes" ."""
    with EmbeddedStore(story_path, write=True) as store:
        store.replace_graph(GRAPH["doc/quill"], Graph().parse(data=ttl, format="turtle"))
    with EmbeddedStore(story_path) as store:
        edges = page_data(graph_page(store, focus="Quill Lab", depth=1).html)["edges"]
    assert [(e["label"], e["to"]) for e in edges] == [("based in", str(ENT.china))]
    assert "Quill Lab works out of Shenzhen." in edges[0]["title"] and "Correction notes" not in edges[0]["title"]


# no hop kind: a fact route search never steps along, which only the graph view shows
NEW_PROPERTY = """
aikg:licensedTo a owl:ObjectProperty ; rdfs:label "licensed to"@en ; rdfs:domain aikg:Product ;
    rdfs:range aikg:Organization ;
    skos:definition "An organization allowed to sell or run the product under its maker's licence."@en .
"""
SCRIPT = """
import sys
from rdflib import Graph
from aikg.facts.bootstrap import init_store
from aikg.namespace import GRAPH
from aikg.reach.projection import load_projection
from aikg.store.embedded import EmbeddedStore
from aikg.views.viz import graph_page

init_store(sys.argv[1], empty=True)
with EmbeddedStore(sys.argv[1], write=True) as store:
    store.replace_graph(GRAPH["doc/licence"], Graph().parse(data=sys.argv[2], format="turtle"))
with EmbeddedStore(sys.argv[1]) as store:
    print(sorted(p for _, p, _ in load_projection(store).links()))
    print(graph_page(store).html)
"""


def test_a_property_added_to_a_copy_of_the_ontology_is_drawn_with_no_code_change(tmp_path):
    folder = tmp_path / "ontology"
    shutil.copytree(packaged_ontology_dir(), folder, ignore=shutil.ignore_patterns("reference"))
    with open(folder / "aikg.ttl", "a", encoding="utf-8") as f:
        f.write(NEW_PROPERTY)
    facts = f"""<{MODEL}> a <{AIKG.AIModel}> ; <{AIKG}licensedTo> <{LAB}> .
                <{LAB}> a <{AIKG.Company}> ."""
    res = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "store"), facts], text=True,
                         capture_output=True, timeout=300, env={**os.environ, "AIKG_ONTOLOGY_DIR": str(folder)})
    assert res.returncode == 0, res.stderr
    links, html = res.stdout.split("\n", 1)
    assert links == repr([f"{AIKG}licensedTo"])
    edges = page_data(html)["edges"]
    assert [(e["from"], e["label"], e["to"]) for e in edges] == [(MODEL, "licensed to", LAB)]
