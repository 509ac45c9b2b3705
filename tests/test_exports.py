"""Exports that other tools read whole (issue 14): lexical forms, JSON-LD graphs and context, CSV, GraphML."""
import csv
import io
import json
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from lxml import etree

from aikg.cli import main
from aikg.namespace import META_GRAPH
from aikg.store.embedded import EmbeddedStore
from aikg.views.exporting import CSV_COLUMNS, graphml_quads

XSD_FILE = Path(__file__).parent / "data" / "graphml" / "graphml-check.xsd"
G1, G2 = "https://w3id.org/aikg/graph/export-one", "https://w3id.org/aikg/graph/export-two"
ONE = """<https://w3id.org/aikg/id/lab> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/aikg/ns#Company> .
<https://w3id.org/aikg/id/lab> <http://www.w3.org/2000/01/rdf-schema#label> "Test Lab" .
<https://w3id.org/aikg/id/lab> <http://www.w3.org/2004/02/skos/core#altLabel> "Laboratoire d'essai"@fr .
<https://w3id.org/aikg/id/model> <https://w3id.org/aikg/ns#developedBy> <https://w3id.org/aikg/id/lab> .
<https://w3id.org/aikg/id/model> <https://w3id.org/aikg/ns#developedBy> <https://w3id.org/aikg/id/other> .
<https://w3id.org/aikg/id/s1> <https://w3id.org/aikg/ns#confidence> "1"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<https://w3id.org/aikg/id/s1> <https://w3id.org/aikg/ns#quote> "a \\"quoted\\"\\nline" .
"""  # noqa: E501 - N-Triples: one triple a line
TWO = """<https://w3id.org/aikg/id/lab> <http://www.w3.org/2000/01/rdf-schema#label> "Test Lab" .
<https://w3id.org/aikg/id/s2> <https://w3id.org/aikg/ns#confidence> "0.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<https://w3id.org/aikg/id/r> <https://w3id.org/aikg/ns#effectiveFrom> "2024-07-09"^^<http://www.w3.org/2001/XMLSchema#date> .
"""  # noqa: E501 - N-Triples: one triple a line


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    from aikg.facts.bootstrap import init_store

    path = tmp_path_factory.mktemp("exports") / "store"
    init_store(str(path), empty=True)
    with EmbeddedStore(path, write=True) as s:
        s.replace_graphs({G1: ONE, G2: TWO})
    return path


def export(store_path, fmt, tmp_path) -> Path:
    out = tmp_path / f"out.{fmt}"
    res = CliRunner().invoke(main, ["--store", str(store_path), "export", "--format", fmt, "-o", str(out)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


def store_quads(store_path) -> set:
    """The store's quads as pyoxigraph terms (exact lexical forms), the bookkeeping graph left out."""
    with EmbeddedStore(store_path) as s:
        res = s.engine_query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        quads = {ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in res}
    return {q for q in quads if q.graph_name.value != str(META_GRAPH)}


def _without_bnodes(quads) -> tuple[set, int]:
    named = {q for q in quads if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}
    return named, len(quads) - len(named)


@pytest.mark.parametrize("fmt, rdf_format", [("nq", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG),
                                             ("jsonld", ox.RdfFormat.JSON_LD)])
def test_dataset_exports_are_the_store_exactly(store_path, tmp_path, fmt, rdf_format):
    """Every quad with its exact lexical form ("1"^^xsd:decimal stays "1"), every named graph."""
    got = set(ox.parse(path=str(export(store_path, fmt, tmp_path)), format=rdf_format))
    assert _without_bnodes(got) == _without_bnodes(store_quads(store_path))
    assert {q.graph_name.value for q in got} >= {G1, G2}


@pytest.mark.parametrize("fmt, rdf_format", [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES)])
def test_graph_exports_are_the_merge_exactly(store_path, tmp_path, fmt, rdf_format):
    got = {ox.Triple(q.subject, q.predicate, q.object)
           for q in ox.parse(path=str(export(store_path, fmt, tmp_path)), format=rdf_format)}
    merged = {ox.Triple(q.subject, q.predicate, q.object) for q in store_quads(store_path)}
    assert _without_bnodes(got) == _without_bnodes(merged)


def test_jsonld_has_a_context_and_named_graphs(store_path, tmp_path):
    doc = json.loads(export(store_path, "jsonld", tmp_path).read_text())
    assert doc["@context"]["aikg"] == "https://w3id.org/aikg/ns#"
    graphs = {g["@id"] for g in doc["@graph"]}
    assert {"aikggraph:export-one", "aikggraph:export-two"} <= graphs or {G1, G2} <= graphs, graphs


def test_csv_export_one_row_per_quad(store_path, tmp_path):
    rows = list(csv.DictReader(io.StringIO(export(store_path, "csv", tmp_path).read_text(), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(store_quads(store_path))
    fr = [r for r in rows if r["language"] == "fr"]
    assert fr == [{"graph": G1, "subject": "https://w3id.org/aikg/id/lab",
                   "predicate": "http://www.w3.org/2004/02/skos/core#altLabel", "object": "Laboratoire d'essai",
                   "object_kind": "literal", "datatype": "", "language": "fr"}]
    one = [r for r in rows if r["subject"].endswith("/s1") and r["predicate"].endswith("confidence")]
    assert one[0]["object"] == "1" and one[0]["datatype"].endswith("#decimal")
    quote = [r for r in rows if r["predicate"].endswith("#quote")]
    assert quote[0]["object"] == 'a "quoted"\nline'


def test_graphml_is_valid_and_round_trips_through_networkx(store_path, tmp_path):
    out = export(store_path, "graphml", tmp_path)
    schema = etree.XMLSchema(etree.parse(str(XSD_FILE)))
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    edge_ids = doc.xpath("//g:edge/@id", namespaces=ns)
    assert len(edge_ids) == len(set(edge_ids)) == len(store_quads(store_path))
    assert all(k.get("attr.type") == "string" for k in doc.xpath("//g:key", namespaces=ns))
    # networkx reads every node, edge and attribute back: the quads, lexical forms and languages included
    back = graphml_quads(out)
    assert len(back) == len(store_quads(store_path))
    assert _without_bnodes(set(back)) == _without_bnodes(store_quads(store_path))
    g = nx.read_graphml(out, force_multigraph=True)
    lab = next(n for n, a in g.nodes(data=True) if a.get("iri") == "https://w3id.org/aikg/id/lab")
    assert g.nodes[lab]["type"] == "aikg:Company" and g.nodes[lab]["label"] == "Test Lab"
    assert {d["graph"] for _s, _o, d in g.out_edges(lab, data=True)} == {G1, G2}


def test_graphml_schema_catches_repeated_edge_ids(tmp_path):
    """The check itself works: the old export's shared edge ids are refused."""
    bad = tmp_path / "bad.graphml"
    bad.write_text('<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">'
                   '<node id="a"/><node id="b"/><edge id="x" source="a" target="b"/>'
                   '<edge id="x" source="b" target="a"/></graph></graphml>')
    schema = etree.XMLSchema(etree.parse(str(XSD_FILE)))
    assert not schema.validate(etree.parse(str(bad)))


def test_sparql_construct_turtle_keeps_lexical_forms(store_path):
    res = CliRunner().invoke(main, ["--store", str(store_path), "sparql", "--format", "turtle",
                                    "CONSTRUCT WHERE { ?s aikg:confidence ?c }"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    got = {q.object for q in ox.parse(res.output.encode(), format=ox.RdfFormat.TURTLE)}
    stored = {q.object for q in store_quads(store_path) if q.predicate.value.endswith("#confidence")}
    assert got == stored and ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")) in got
