"""graph/model.py: the vocabulary read once from the ontology, and every table derived from it.

The tables are checked against an independent reading of ``aikg.ttl`` with rdflib; a copy of the ontology
with one more property shows that property reaching ingestion, the projection, route search and the HTML
pages with no code change; a broken ontology fails at load with a one-line error.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from aikg.errors import OntologyError
from aikg.facts import factlog
from aikg.facts.reference import STATED_PREDICATES
from aikg.ingest import gazetteer
from aikg.lexicon import load_lexicon
from aikg.model import NS, load_model, model
from aikg.names.resolve import normalise
from aikg.reach import projection
from aikg.reach.actors import resolve_actor
from aikg.reach.projection import build_projection
from aikg.store.embedded import open_store
from aikg.views import htmlpage, viz

from reach_fixtures import FOUNDING, make_store

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
AIKG = NS


def local(term) -> str:
    return str(term)[len(NS):]


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY / "aikg.ttl", format="turtle")


# -- the derived tables agree with the ontology --------------------------------------------------------------

def test_inverses_are_the_ontologys(onto):
    declared = {local(s): local(o) for s, o in onto.subject_objects(OWL.inverseOf)}
    assert len(declared) >= 11
    assert model().inverses() == declared
    assert factlog.DRAWN_INVERSES == {i: c for i, c in declared.items() if c in viz.RELATIONS}
    assert factlog.INVERSES == {i: c for i, c in declared.items() if c in factlog.PROJECTED_PREDICATES}
    for inverse, canonical in declared.items():
        assert model().properties[inverse].inverse == canonical and model().properties[canonical].inverse == inverse


def test_parents_and_fact_predicates_are_the_ontologys(onto):
    parents = {local(s): local(o) for s, o in onto.subject_objects(RDFS.subClassOf)
               if str(s).startswith(NS) and str(o).startswith(NS)}
    assert gazetteer.PARENTS == parents
    objects = {s for s in onto.subjects(RDF.type, OWL.ObjectProperty) if (s, OWL.inverseOf, None) not in onto}
    flagged = set(onto.subjects(URIRef(AIKG + "statedFact"), None))
    assert STATED_PREDICATES == objects | flagged
    assert flagged and all((p, RDF.type, OWL.DatatypeProperty) in onto for p in flagged)


def test_hop_relations_and_restriction_defaults_are_the_ontologys(onto):
    hop_kind = URIRef(AIKG + "hopKind")
    declared = {str(p): str(onto.value(onto.value(p, hop_kind), RDFS.label)) for p in onto.subjects(hop_kind, None)}
    assert dict(zip(projection.RELATIONS, projection.KINDS)) == declared
    covers = URIRef(AIKG + "coversByDefault")
    for kind in onto.subjects(RDF.type, URIRef(AIKG + "RestrictionKind")):
        labels = {str(onto.value(h, RDFS.label)) for h in onto.objects(kind, covers)}
        assert projection._COVERS_BY_KIND[str(kind)] == labels
    for relation, (fact, flipped) in zip(projection.RELATIONS, projection._FACT_OF):
        assert (URIRef(relation), OWL.inverseOf, URIRef(fact)) in onto if flipped else relation == fact


def test_class_legend_labels_are_the_ontologys(onto):
    for name, (label, _colour, _shape) in htmlpage.CLASS_STYLES.items():
        assert str(onto.value(URIRef(AIKG + name), RDFS.label)) == label


def test_the_model_is_immutable():
    m = model()
    with pytest.raises(TypeError):
        m.properties["offers"] = None
    with pytest.raises(AttributeError):
        m.properties["offers"].hop = "buy"


# -- an ontology the model cannot use fails at load --------------------------------------------------------

BROKEN = {
    "a hop kind that is no HopKind": "aikg:investedIn aikg:hopKind aikg:Ban .",
    "an inverse of an unknown property": 'aikg:sells a owl:ObjectProperty ; owl:inverseOf aikg:soldBy .',
    "a restriction kind that blocks nothing": 'aikg:Embargo a aikg:RestrictionKind, owl:NamedIndividual .',
    "a subclass of an undeclared class": "aikg:Dataset a owl:Class ; rdfs:subClassOf aikg:Artefact .",
    "a range that is not a class": "aikg:trainedOn a owl:ObjectProperty ; rdfs:range aikg:Corpus .",
    "a syntax error": "aikg:oops a .",
}


@pytest.mark.parametrize("what", sorted(BROKEN))
def test_an_unusable_ontology_fails_loudly(tmp_path, what):
    folder = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, folder, ignore=shutil.ignore_patterns("reference"))
    with open(folder / "aikg.ttl", "a", encoding="utf-8") as f:
        f.write("\n" + BROKEN[what] + "\n")
    with pytest.raises(OntologyError):
        load_model(str(folder))


def test_a_missing_ontology_fails_loudly(tmp_path):
    with pytest.raises(OntologyError, match="aikg.ttl"):
        load_model(str(tmp_path))


# -- path accepts what ingestion accepts -----------------------------------------------------------------

@pytest.fixture(scope="module")
def founding(tmp_path_factory):
    path = make_store(tmp_path_factory.mktemp("model") / "store", FOUNDING)
    with open_store(str(path)) as store:
        yield path, build_projection(store)


@pytest.mark.parametrize("head", sorted(set(load_lexicon()["segment_heads"]) | set(load_lexicon()["customer_heads"])))
def test_every_segment_head_of_ingestion_names_an_actor(founding, head):
    """The linker makes "<demonym> <head>" a CustomerSegment for these heads; path reads the same phrase."""
    a = resolve_actor(founding[1], f"Italian {head}")
    assert a.kind == "phrase" and a.head == normalise(head)
    assert a.places == {"https://w3id.org/aikg/id/italy"}


def test_path_from_italian_residents(founding):
    from click.testing import CliRunner

    from aikg.cli import main

    res = CliRunner().invoke(main, ["--store", str(founding[0]), "path", "Italian residents", "ChatGPT", "--json"])
    assert res.exit_code == 0, res.output
    answer = json.loads(res.output)
    assert answer["actor"]["kind"] == "phrase" and answer["routes"]


# -- a property added to a copy of the ontology flows everywhere, with no code change -------------------------

NEW_PROPERTIES = """
aikg:distributedBy a owl:ObjectProperty ;
    rdfs:label "distributed by"@en ;
    skos:definition "The organization that resells the product, bought from its maker."@en ;
    rdfs:domain aikg:Product ;
    rdfs:range aikg:Organization .

aikg:distributes a owl:ObjectProperty ;
    rdfs:label "distributes"@en ;
    skos:definition "Inverse of distributed by."@en ;
    owl:inverseOf aikg:distributedBy ;
    aikg:hopKind aikg:BuyHop .
"""

# The lexicon is data too: its rules say which sentences state the new property, one in each direction.
NEW_RULES = [
    {"relation": "distributedBy", "subject": "Product", "object": "Organization", "confidence": 0.8,
     "patterns": ["{S} {G}(?:is |are )?distributed by {O}"]},
    {"relation": "distributes", "subject": "Organization", "object": "Product", "confidence": 0.8,
     "patterns": ["{S} (?:also )?distributes {DET}{O}"]},
]

DOCUMENT = """Chip distributors

In Europe the H100 chips are distributed by Arrow Electronics, which sells them to Italian companies.

Arrow Electronics also distributes the B200 chip.
"""


def _aikg(folder: Path, store: Path, *args) -> str:
    """The CLI in a fresh interpreter, reading the ontology in ``folder`` (every table is derived at import)."""
    env = {**os.environ, "AIKG_ONTOLOGY_DIR": str(folder)}
    res = subprocess.run([sys.executable, "-m", "aikg", "--store", str(store), *args], env=env, text=True,
                         capture_output=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    root = tmp_path_factory.mktemp("extended")
    folder = root / "ontology"
    shutil.copytree(ONTOLOGY, folder)
    with open(folder / "aikg.ttl", "a", encoding="utf-8") as f:
        f.write(NEW_PROPERTIES)
    lexicon = yaml.safe_load((folder / "lexicon.yaml").read_text(encoding="utf-8"))
    lexicon["relations"].extend(NEW_RULES)
    (folder / "lexicon.yaml").write_text(yaml.safe_dump(lexicon, allow_unicode=True, sort_keys=False), "utf-8")
    (root / "news.txt").write_text(DOCUMENT, encoding="utf-8")
    store = root / "store"
    _aikg(folder, store, "init", "--empty")
    ingested = json.loads(_aikg(folder, store, "ingest", str(root / "news.txt"), "--json"))
    return folder, store, root, ingested


def test_the_packaged_model_does_not_know_the_new_property():
    assert "distributes" not in model().properties and AIKG + "distributes" not in projection.RELATIONS


def test_the_model_of_the_copy_knows_it(extended):
    m = load_model(str(extended[0]))
    assert m.inverses()["distributes"] == "distributedBy"
    assert ("distributes", "distributedBy", True) in m.hops()
    assert "distributedBy" in m.stated()


def test_ingestion_states_the_new_property(extended):
    facts = [(f["subject"]["label"], f["predicate"]["id"], f["object"]["label"])
             for f in extended[3]["documents"][0]["facts"]]
    assert ("H100", AIKG + "distributedBy", "Arrow Electronics") in facts
    assert ("Arrow Electronics", AIKG + "distributes", "B200") in facts


@pytest.mark.parametrize("product", ["H100", "B200"])  # stated in the canonical direction, and in the inverse one
def test_a_route_steps_along_the_new_property(extended, product):
    folder, store, _, _ = extended
    answer = json.loads(_aikg(folder, store, "path", "Italian companies", product, "--json"))
    steps = [[(s["from"]["label"], s["relation"]["id"], s["relation"]["label"], s["hop"], s["to"]["label"])
              for s in route["steps"]] for route in answer["routes"]]
    assert ("Arrow Electronics", AIKG + "distributes", "distributes", "buy", product) in steps[0]
    assert steps[0][0][:1] == ("Italian companies",) and steps[0][0][3] == "buy"


def test_the_html_pages_name_the_new_property(extended):
    folder, store, root, _ = extended
    _aikg(folder, store, "export", "--format", "html", "-o", str(root / "graph.html"))
    _aikg(folder, store, "path", "Italian companies", "H100", "--html", str(root / "path.html"))
    assert "distributed by" in (root / "graph.html").read_text(encoding="utf-8")
    assert "distributes" in (root / "path.html").read_text(encoding="utf-8")


def test_the_cli_refuses_an_unusable_ontology_in_one_line(tmp_path, extended):
    folder = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, folder, ignore=shutil.ignore_patterns("reference"))
    with open(folder / "aikg.ttl", "a", encoding="utf-8") as f:
        f.write("\n" + BROKEN["a hop kind that is no HopKind"] + "\n")
    env = {**os.environ, "AIKG_ONTOLOGY_DIR": str(folder)}
    res = subprocess.run([sys.executable, "-m", "aikg", "--store", str(extended[1]), "path", "Italian companies",
                          "H100"], env=env, text=True, capture_output=True, timeout=300)
    lines = (res.stdout + res.stderr).strip().splitlines()
    assert res.returncode == 1 and len(lines) == 1 and lines[0].startswith("Error: ") and "investedIn" in lines[0]
