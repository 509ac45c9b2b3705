"""Exporting the store's graphs as RDF files, CSV or GraphML.

RDF is written by pyoxigraph, which keeps every literal's lexical form
(``"1"^^xsd:decimal`` stays ``"1"``; rdflib's Turtle writer would print
``1.0``). JSON-LD is compacted with aikg's prefixes as its ``@context`` and
keeps each named graph. GraphML holds the whole dataset: one node per IRI,
blank node or literal, one edge per quad, so it converts back without loss.
"""
import csv
import io

import networkx as nx
import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, XSD

from ..errors import InputError
from ..namespace import PREFIXES
from ..sparql.results import to_oxigraph
from ..store.base import Store

__all__ = ["export", "FORMATS", "RDF_FORMATS", "to_dataset", "graphml_quads", "turtle"]

RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld"}
FORMATS = (*RDF_FORMATS, "csv", "graphml")
_OX = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
       "trig": ox.RdfFormat.TRIG}
CSV_COLUMNS = ("graph", "subject", "predicate", "object", "object_kind", "datatype", "language")


def to_dataset(store: Store) -> Dataset:
    ds = Dataset()
    for k, v in PREFIXES.items():
        ds.bind(k, v)
    for s, p, o, g in store.dataset_quads():
        ds.graph(g).add((s, p, o))
    return ds


def _oxigraph(store: Store, fmt: str) -> str:
    quads = store.dataset_quads()
    if _OX[fmt].supports_datasets:
        items = [ox.Quad(*map(to_oxigraph, (s, p, o, g))) for s, p, o, g in quads]
    else:  # one graph: the merge, each triple once
        seen, items = set(), []
        for s, p, o, _g in quads:
            if (s, p, o) not in seen:
                seen.add((s, p, o))
                items.append(ox.Triple(*map(to_oxigraph, (s, p, o))))
    prefixes = PREFIXES if fmt in ("ttl", "trig") else None
    return ox.serialize(items, format=_OX[fmt], prefixes=prefixes).decode("utf-8")


def turtle(triples) -> str:
    """rdflib triples as Turtle with aikg's prefixes, each literal in its own lexical form."""
    items = [ox.Triple(*map(to_oxigraph, t)) for t in sorted(triples)]
    return ox.serialize(items, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode("utf-8")


def _jsonld(store: Store) -> str:
    context = dict(PREFIXES)
    return to_dataset(store).serialize(format="json-ld", context=context, auto_compact=True)


def _kind(term) -> str:
    return "iri" if isinstance(term, URIRef) else "bnode" if isinstance(term, BNode) else "literal"


def _csv(store: Store) -> str:
    """One row per quad; literals keep their lexical form, datatype and language in their own columns."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for s, p, o, g in store.dataset_quads():
        literal = isinstance(o, Literal)
        datatype = str(o.datatype or XSD.string) if literal and not o.language else ""
        w.writerow([g, _term_text(s), p, _term_text(o), _kind(o), datatype, o.language or "" if literal else ""])
    return buf.getvalue()


def _term_text(term) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _graphml(store: Store) -> str:
    """Nodes ``n0...`` (IRIs, blank nodes, literals), edges ``e0...`` (one per quad), all attributes strings.

    Node attributes: ``kind`` (iri, bnode, literal), ``iri``, ``label`` (its
    rdfs:label), ``type`` (its classes as CURIEs, space-separated), and for
    literals ``value``, ``datatype``, ``language``. Edge attributes:
    ``predicate`` (IRI), ``label`` (CURIE), ``graph`` (IRI of the named graph).
    """
    quads = store.dataset_quads()
    g = nx.MultiDiGraph()
    ids: dict = {}

    def node(term) -> str:
        if term in ids:
            return ids[term]
        ids[term] = nid = f"n{len(ids)}"
        attrs = {"kind": _kind(term)}
        if isinstance(term, URIRef):
            attrs["iri"] = str(term)
        elif not isinstance(term, BNode):  # a blank node is its node id alone
            attrs["value"] = str(term)
            attrs["datatype"] = "" if term.language else str(term.datatype or XSD.string)
            attrs["language"] = term.language or ""
        g.add_node(nid, **attrs)
        return nid

    types: dict = {}
    for i, (s, p, o, name) in enumerate(quads):
        source, target = node(s), node(o)
        g.add_edge(source, target, key=f"e{i}", predicate=str(p), label=_curie(str(p)), graph=str(name))
        if p == RDF.type:
            types.setdefault(source, set()).add(_curie(str(o)))
        elif str(p) == PREFIXES["rdfs"] + "label" and isinstance(o, Literal) and "label" not in g.nodes[source]:
            g.nodes[source]["label"] = str(o)
    for nid, classes in types.items():
        g.nodes[nid]["type"] = " ".join(sorted(classes))
    return "\n".join(nx.generate_graphml(g)) + "\n"


def graphml_quads(source) -> list:
    """The quads a GraphML export holds, read back with networkx (pyoxigraph terms, lexical forms kept)."""
    g = nx.read_graphml(source, force_multigraph=True)

    def term(nid):
        a = g.nodes[nid]
        if a["kind"] == "iri":
            return ox.NamedNode(a["iri"])
        if a["kind"] == "bnode":
            return ox.BlankNode(nid)
        if a.get("language"):
            return ox.Literal(a["value"], language=a["language"])
        return ox.Literal(a["value"], datatype=ox.NamedNode(a["datatype"]))

    return [ox.Quad(term(s), ox.NamedNode(d["predicate"]), term(o), ox.NamedNode(d["graph"]))
            for s, o, d in g.edges(data=True)]


def export(store: Store, fmt: str) -> str:
    """The whole store (without its bookkeeping graph) in ``fmt``: ttl, nt, nq, trig, jsonld, csv, graphml."""
    if fmt in _OX:
        return _oxigraph(store, fmt)
    if fmt == "jsonld":
        return _jsonld(store)
    if fmt == "csv":
        return _csv(store)
    if fmt == "graphml":
        return _graphml(store)
    raise InputError(f"unknown export format {fmt!r}")
