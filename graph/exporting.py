"""Exporting the store's graphs as RDF files or GraphML."""
import networkx as nx
from rdflib import Dataset, Graph, Literal, URIRef

from .errors import InputError
from .namespace import PREFIXES
from .store import Store

__all__ = ["export", "RDF_FORMATS", "to_dataset"]

RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld"}


def to_dataset(store: Store) -> Dataset:
    ds = Dataset()
    for k, v in PREFIXES.items():
        ds.bind(k, v)
    for s, p, o, g in store.dataset_quads():
        ds.graph(g).add((s, p, o))
    return ds


def _merged(store: Store) -> Graph:
    graph = Graph()
    for k, v in PREFIXES.items():
        graph.bind(k, v)
    for s, p, o, _g in store.dataset_quads():
        graph.add((s, p, o))
    return graph


def _graphml(graph: Graph) -> str:
    """Entities as nodes, IRI-valued facts as edges; literals become node attributes."""
    g = nx.MultiDiGraph()
    for s, p, o in sorted(graph):
        if not isinstance(s, URIRef):
            continue
        g.add_node(str(s))
        key = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if isinstance(o, Literal):
            g.nodes[str(s)][key] = str(o)
        elif isinstance(o, URIRef):
            g.add_edge(str(s), str(o), key=key, predicate=str(p))
    return "\n".join(nx.generate_graphml(g)) + "\n"


def export(store: Store, fmt: str) -> str:
    """The whole store (without its bookkeeping graph) in ``fmt``: ttl, nt, nq, trig, jsonld, graphml."""
    if fmt in ("nq", "trig"):
        return to_dataset(store).serialize(format=RDF_FORMATS[fmt])
    if fmt == "graphml":
        return _graphml(_merged(store))
    if fmt in RDF_FORMATS:
        return _merged(store).serialize(format=RDF_FORMATS[fmt])
    raise InputError(f"unknown export format {fmt!r}")
