"""ontology/shapes.ttl: every shape with a conforming and a violating case, and `aikg validate`."""
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH

from aikg.cli import main
from aikg.facts.reference import REFERENCE_GRAPH, STATED_PREDICATES, provenance
from aikg.facts.validate import load_shapes, validate_graph
from aikg.namespace import GRAPH
from aikg.store.embedded import EmbeddedStore

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
SHAPES = "https://w3id.org/aikg/shapes#"

PREFIXES = """
@prefix aikg: <https://w3id.org/aikg/ns#> .
@prefix ent: <https://w3id.org/aikg/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix doc: <https://w3id.org/aikg/doc/> .
"""

# A small world that conforms; each case adds to it.
BASE = PREFIXES + """
ent:cn a aikg:Jurisdiction ; rdfs:label "Mainland" .
ent:hk a aikg:Jurisdiction ; rdfs:label "Harbour City" .
ent:union a aikg:Jurisdiction ; rdfs:label "The Union" .
ent:member a aikg:Jurisdiction ; rdfs:label "Member State" ; aikg:partOf ent:union .
ent:lab a aikg:Company ; rdfs:label "Lab One" ; aikg:basedIn ent:hk .
ent:cloud a aikg:Company ; rdfs:label "Cloud Co" .
ent:fab a aikg:Company ; rdfs:label "Fab Co" .
ent:agency a aikg:Regulator ; rdfs:label "Net Agency" ; aikg:basedIn ent:cn .
ent:model a aikg:AIModel ; rdfs:label "Model One" ; aikg:developedBy ent:lab .
ent:chip a aikg:Chip ; rdfs:label "Chip One" .
ent:api a aikg:Service ; rdfs:label "Model One API" ; aikg:offeredBy ent:lab ; aikg:providesAccessTo ent:model .
ent:platform a aikg:Service ; rdfs:label "Cloud Platform" ; aikg:offeredBy ent:cloud .
ent:segment a aikg:CustomerSegment ; rdfs:label "Mainland businesses" ; aikg:basedIn ent:cn .
ent:block a aikg:Restriction ; rdfs:label "API block" ; aikg:restricts ent:api ; aikg:appliesIn ent:cn ;
    aikg:imposedBy ent:lab ; aikg:kind aikg:AccessBlock ; aikg:effectiveFrom "2024-07-09"^^xsd:date .
"""

SOURCE = URIRef("https://example.org/source")


def world(extra: str = "", *, sourced: bool = True) -> Graph:
    """BASE plus ``extra``; every fact gets a Statement citing SOURCE (when ``sourced``)."""
    g = Graph().parse(data=BASE, format="turtle")
    if extra:
        g.parse(data=PREFIXES + extra, format="turtle")
    if sourced:
        for s, p, o in list(g):
            if p in STATED_PREDICATES:
                for t in provenance(REFERENCE_GRAPH, s, p, o, SOURCE, confidence=1.0, extractor="test"):
                    g.add(t)
    return g


def shapes_hit(g: Graph) -> set[str]:
    report = validate_graph(g)
    assert report["conforms"] == (not report["violations"])
    return {v["shape"] for v in report["violations"]}


# shape -> (conforming addition, [violating additions]); each violating case must trip that shape only.
CASES = {
    "DevelopedBy": ("ent:chip aikg:developedBy ent:fab .",
                    ["ent:chip aikg:developedBy ent:cn .", "ent:lab aikg:developedBy ent:cloud ."]),
    "OfferedBy": ("ent:platform aikg:offeredBy ent:fab .",
                  ["ent:platform aikg:offeredBy ent:model .", "ent:model aikg:offeredBy ent:lab ."]),
    "OperatedBy": ("ent:platform aikg:operatedBy ent:fab .",
                   ["ent:platform aikg:operatedBy ent:hk .", "ent:chip aikg:operatedBy ent:fab ."]),
    "ProvidesAccessTo": ("ent:platform aikg:providesAccessTo ent:model, ent:chip, ent:api .",
                         ["ent:platform aikg:providesAccessTo ent:lab .",
                          "ent:model aikg:providesAccessTo ent:chip ."]),
    "PartOf": ("ent:api aikg:partOf ent:platform . ent:hk aikg:partOf ent:union .",
               ["ent:hk aikg:partOf ent:platform .", "ent:lab aikg:partOf ent:cloud .",
                "ent:api aikg:partOf ent:cn ."]),
    "SubsidiaryOf": ("ent:fab aikg:subsidiaryOf ent:cloud .",
                     ["ent:fab aikg:subsidiaryOf ent:cn .", "ent:api aikg:subsidiaryOf ent:cloud ."]),
    "InvestedIn": ("ent:cloud aikg:investedIn ent:lab .",
                   ["ent:cloud aikg:investedIn ent:model .", "ent:segment aikg:investedIn ent:lab ."]),
    "PartnerOf": ("ent:cloud aikg:partnerOf ent:lab .",
                  ["ent:cloud aikg:partnerOf ent:api .", "ent:cn aikg:partnerOf ent:lab ."]),
    "CustomerOf": ("ent:segment aikg:customerOf ent:platform . ent:lab aikg:customerOf ent:cloud .",
                   ["ent:segment aikg:customerOf ent:cn .", "ent:model aikg:customerOf ent:platform ."]),
    "BasedIn": ("ent:cloud aikg:basedIn ent:member .",
                ["ent:cloud aikg:basedIn ent:lab .", "ent:api aikg:basedIn ent:hk ."]),
    "AvailableIn": ("ent:api aikg:availableIn ent:hk . ent:chip aikg:availableIn ent:member .",
                    ["ent:api aikg:availableIn ent:lab .", "ent:lab aikg:availableIn ent:hk ."]),
    "ApprovedBy": ("ent:model aikg:approvedBy ent:agency .",
                   ["ent:model aikg:approvedBy ent:cloud .", "ent:lab aikg:approvedBy ent:agency ."]),
    "ManufacturedBy": ("ent:chip aikg:manufacturedBy ent:fab .",
                       ["ent:chip aikg:manufacturedBy ent:hk .", "ent:cloud aikg:manufacturedBy ent:fab ."]),
    "UsesChip": ("ent:model aikg:usesChip ent:chip . ent:cloud aikg:usesChip ent:chip .",
                 ["ent:model aikg:usesChip ent:api .", "ent:hk aikg:usesChip ent:chip ."]),
    "RestrictionProperty": ("ent:block aikg:appliesTo ent:segment .",
                            ["ent:lab aikg:appliesIn ent:cn .", "ent:api aikg:restricts ent:model .",
                             'ent:lab aikg:effectiveFrom "2024-01-01"^^xsd:date .']),
    "Restriction": (
        """ent:ban a aikg:Restriction ; rdfs:label "Chip ban" ; aikg:restricts ent:chip ; aikg:appliesIn ent:cn ;
           aikg:appliesTo ent:lab, ent:segment ; aikg:coversHop aikg:BuyHop ; aikg:kind aikg:ExportControl ;
           aikg:effectiveFrom "2023-01-01"^^xsd:date ; aikg:effectiveUntil "2023-01-01"^^xsd:date .""",
        ['ent:ban a aikg:Restriction ; rdfs:label "No target" ; aikg:appliesIn ent:cn .',
         'ent:ban a aikg:Restriction ; rdfs:label "Nowhere" ; aikg:restricts ent:chip .',
         "ent:block aikg:kind aikg:Ban .",
         "ent:block aikg:kind aikg:UseHop .",
         "ent:block aikg:restricts ent:lab .",
         "ent:block aikg:appliesIn ent:api .",
         "ent:block aikg:appliesTo ent:cn .",
         "ent:block aikg:imposedBy ent:hk .",
         "ent:block aikg:coversHop aikg:Ban .",
         'ent:block aikg:effectiveUntil "2024-07-08"^^xsd:date .',
         'ent:block aikg:effectiveFrom "2024-08-01"^^xsd:date .']),
    "Dates": (
        """doc:d a aikg:Document ; aikg:published "2024-07-10"^^xsd:date .
           ent:st a aikg:Statement ; rdf:subject ent:lab ; rdf:predicate aikg:basedIn ; rdf:object ent:hk ;
             prov:wasDerivedFrom doc:d ; aikg:confidence 0.9 ; aikg:validFrom "2020-01-01"^^xsd:date ;
             aikg:validUntil "2030-01-01"^^xsd:date .""",
        ["""ent:ban a aikg:Restriction ; rdfs:label "Chip ban" ; aikg:restricts ent:chip ; aikg:appliesIn ent:cn ;
              aikg:effectiveUntil "2025-01-01" .""",
         """ent:ban a aikg:Restriction ; rdfs:label "Chip ban" ; aikg:restricts ent:chip ; aikg:appliesIn ent:cn ;
              aikg:effectiveFrom "2025-01-01T00:00:00"^^xsd:dateTime .""",
         'doc:d a aikg:Document ; aikg:published "10 July 2024" .',
         """ent:st a aikg:Statement ; rdf:subject ent:lab ; rdf:predicate aikg:basedIn ; rdf:object ent:hk ;
             prov:wasDerivedFrom doc:d ; aikg:confidence 0.9 ; aikg:validFrom "2020" .""",
         """ent:st a aikg:Statement ; rdf:subject ent:lab ; rdf:predicate aikg:basedIn ; rdf:object ent:hk ;
             prov:wasDerivedFrom doc:d ; aikg:confidence 0.9 ; aikg:validUntil 2030 ."""]),
    "Label": ('ent:fab aikg:basedIn ent:tw . ent:tw a aikg:Jurisdiction ; rdfs:label "Island" .',
              ['ent:fab aikg:basedIn ent:tw . ent:tw a aikg:Jurisdiction .',
               'ent:fab rdfs:label "Fab Company" .',
               "ent:fab rdfs:label ent:cloud ."]),
    "Provenance": (None, None),  # sourcing is switched off, not added: see the tests below
    "Statement": (
        """ent:st a aikg:Statement ; rdf:subject ent:lab ; rdf:predicate aikg:partnerOf ; rdf:object ent:cloud ;
             prov:wasDerivedFrom doc:d1, doc:d2 ; aikg:confidence 0.0 .""",
        ["""ent:st a aikg:Statement ; rdf:subject ent:lab ; rdf:predicate aikg:partnerOf ; rdf:object ent:cloud ;
             aikg:confidence 0.5 .""",
         """ent:st a aikg:Statement ; rdf:subject ent:lab ; rdf:predicate aikg:partnerOf ; rdf:object ent:cloud ;
             prov:wasDerivedFrom doc:d ; aikg:confidence 1.5 .""",
         """ent:st a aikg:Statement ; rdf:subject ent:lab ; rdf:predicate aikg:partnerOf ; rdf:object ent:cloud ;
             prov:wasDerivedFrom doc:d ; aikg:confidence "0.5"^^xsd:double .""",
         """ent:st a aikg:Statement ; rdf:subject ent:lab ; rdf:predicate aikg:partnerOf ; rdf:object ent:cloud ;
             prov:wasDerivedFrom doc:d .""",
         """ent:st a aikg:Statement ; rdf:subject ent:lab ; rdf:predicate aikg:partnerOf ; rdf:object ent:cloud ;
             prov:wasDerivedFrom doc:d ; aikg:confidence 0.5, 0.6 .""",
         """ent:st a aikg:Statement ; rdf:subject ent:lab, ent:fab ; rdf:predicate aikg:partnerOf ;
             rdf:object ent:cloud ; prov:wasDerivedFrom doc:d ; aikg:confidence 0.5 .""",
         """ent:st a aikg:Statement ; rdf:subject ent:lab ; rdf:object ent:cloud ; prov:wasDerivedFrom doc:d ;
             aikg:confidence 0.5 .""",
         """ent:st a aikg:Statement ; rdf:subject ent:lab ; rdf:predicate aikg:partnerOf ;
             prov:wasDerivedFrom "a web page" ; aikg:confidence 0.5 ."""]),
}


def named_shapes() -> list[str]:
    g = load_shapes()
    return sorted(str(s)[len(SHAPES):] for s in g.subjects(RDF.type, SH.NodeShape) if str(s).startswith(SHAPES))


def test_every_shape_has_cases():
    assert sorted(CASES) == named_shapes()


def test_every_shape_has_a_message():
    g = load_shapes()
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.objects(None, SH.property))
    assert len(shapes) > 40
    missing = [str(s) for s in shapes if g.value(s, SH.message) is None]
    assert not missing, f"shapes without sh:message: {missing}"
    for c in g.objects(None, SH.sparql):
        assert g.value(c, SH.message) is not None


def test_provenance_shape_covers_the_fact_predicates():
    g = load_shapes()
    shape = URIRef(SHAPES + "Provenance")
    assert set(g.objects(shape, SH.targetSubjectsOf)) == set(STATED_PREDICATES)
    query = str(g.value(g.value(shape, SH.sparql), SH.select))
    listed = re.search(r"IN \(([^)]*)\)", query).group(1)
    assert {"aikg:" + str(p).rsplit("#", 1)[-1] for p in STATED_PREDICATES} == {t.strip() for t in listed.split(",")}


def test_base_world_conforms():
    report = validate_graph(world())
    assert report["conforms"], report["violations"]
    assert report["triples"] > 100


@pytest.mark.parametrize("shape", [s for s in CASES if CASES[s][0]])
def test_conforming_case(shape):
    g = world(CASES[shape][0])
    assert shapes_hit(g) == set()


@pytest.mark.parametrize("shape,case", [(s, i) for s in CASES if CASES[s][1] for i in range(len(CASES[s][1]))])
def test_violating_case(shape, case):
    assert shapes_hit(world(CASES[shape][1][case])) == {f"shape:{shape}"}


def test_provenance_conforms_when_every_fact_is_sourced():
    assert shapes_hit(world("ent:cloud aikg:partnerOf ent:lab .")) == set()


def test_provenance_violation_names_the_fact():
    g = world()
    g.parse(data=PREFIXES + "ent:cloud aikg:partnerOf ent:lab .", format="turtle")  # added after sourcing
    report = validate_graph(g)
    assert [(v["label"], v["path"], v["value"], v["shape"]) for v in report["violations"]] == [
        ("Cloud Co", "aikg:partnerOf", "Lab One", "shape:Provenance")]
    assert "prov:wasDerivedFrom" in report["violations"][0]["message"]


def test_provenance_needs_the_matching_statement_with_a_source():
    g = world()
    # a Statement for another object, and one for the right fact without a source
    g.parse(data=PREFIXES + """
        ent:cloud aikg:partnerOf ent:lab .
        ent:s1 a aikg:Statement ; rdf:subject ent:cloud ; rdf:predicate aikg:partnerOf ; rdf:object ent:fab ;
            prov:wasDerivedFrom doc:d ; aikg:confidence 1.0 .
        ent:s2 a aikg:Statement ; rdf:subject ent:cloud ; rdf:predicate aikg:partnerOf ; rdf:object ent:lab ;
            aikg:confidence 1.0 .""", format="turtle")
    report = validate_graph(g)
    assert sorted((v["label"], v["shape"]) for v in report["violations"]) == [
        ("Cloud Co", "shape:Provenance"), ("statement: Cloud Co aikg:partnerOf Lab One", "shape:Statement")]


def test_unsourced_world_reports_every_fact():
    g = world(sourced=False)
    n_facts = sum(1 for _s, p, _o in g if p in STATED_PREDICATES)
    report = validate_graph(g)
    assert {v["shape"] for v in report["violations"]} == {"shape:Provenance"}
    assert len(report["violations"]) == n_facts


def test_sparql_parts_agree_with_plain_pyshacl():
    """The Oxigraph shortcut for SPARQL constraints and targets gives pySHACL's own report."""
    bad = world("""ent:cloud aikg:partnerOf ent:lab . ent:fab aikg:basedIn ent:tw . ent:tw a aikg:Jurisdiction .
                   ent:lab rdfs:label "Lab Two" . ent:chip aikg:developedBy ent:cn .""")
    bad.parse(data=PREFIXES + "ent:model aikg:usesChip ent:chip .", format="turtle")
    fast, slow = validate_graph(bad), validate_graph(bad, sparql_in_pyshacl=True)
    assert fast == slow
    assert {v["shape"] for v in fast["violations"]} == {
        "shape:Provenance", "shape:Label", "shape:DevelopedBy"}


def test_report_is_readable():
    report = validate_graph(world('ent:block aikg:effectiveUntil "2024-01-01"^^xsd:date .'))
    assert report["violations"] == [{
        "focus": "https://w3id.org/aikg/id/block", "label": "API block", "path": "aikg:effectiveFrom",
        "value": '"2024-07-09"^^xsd:date', "message": "a restriction has one start date, not after its end date",
        "severity": "Violation", "shape": "shape:Restriction"}]
    report = validate_graph(world('ent:block aikg:imposedBy ent:lab, ent:hk .'))
    assert [(v["label"], v["path"], v["value"], v["message"]) for v in report["violations"]] == [
        ("API block", "aikg:imposedBy", "Harbour City", "imposed by must point to an organization")]


# --- aikg validate -----------------------------------------------------------------------


def _write(store_path: Path, graph: Graph | None) -> None:
    with EmbeddedStore(store_path, write=True) as s:
        s.replace_graphs({GRAPH["doc/shapes-test"]: graph})


def _validate(store_path: Path, *args):
    return CliRunner().invoke(main, ["--store", str(store_path), "validate", *args], catch_exceptions=False)


def test_cli_validate_passes_and_fails(empty_store_path):
    _write(empty_store_path, world())
    ok = _validate(empty_store_path)
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("conforms:") and "no violations" in ok.output

    _write(empty_store_path, world("ent:chip aikg:developedBy ent:cn . doc:d aikg:published \"July\" ."))
    bad = _validate(empty_store_path)
    assert bad.exit_code == 1
    lines = bad.output.splitlines()
    assert lines[0] == "does not conform: 2 violations in %d triples" % (
        len(world("ent:chip aikg:developedBy ent:cn . doc:d aikg:published \"July\" .")))
    assert "  Violation: Chip One <https://w3id.org/aikg/id/chip> aikg:developedBy = Mainland: " \
           "developed by must point to an organization" in lines
    assert any("published must be an xsd:date" in line for line in lines)
    assert "Traceback" not in bad.output

    as_json = _validate(empty_store_path, "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.output)
    assert report["conforms"] is False and len(report["violations"]) == 2


def test_cli_validate_json_on_conforming_store(empty_store_path):
    _write(empty_store_path, world())
    res = _validate(empty_store_path, "--json")
    assert res.exit_code == 0
    assert json.loads(res.output) == {"conforms": True, "triples": len(world()), "violations": []}


def test_cli_validate_passes_on_reference_graph(cli):
    res = cli("validate")
    assert res.exit_code == 0, res.output
