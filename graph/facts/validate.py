"""SHACL validation of the store with ``ontology/shapes.ttl``.

The data graph is every named graph but the ontology, merged; the ontology
is given as pySHACL's ``ont_graph`` so ``sh:class`` follows its subclasses.
No inference: RDFS would derive types from domains and ranges and make the
type checks vacuous.

pySHACL checks the core constraints. The SPARQL parts of the shapes
(``sh:sparql`` constraints and SHACL-AF ``sh:SPARQLTarget``) are run once each
on an in-memory Oxigraph copy instead, with ``$this`` left free: pySHACL runs
them through rdflib once per focus node, which took minutes on a graph of
15k triples, against milliseconds here. The shapes file stays standard SHACL,
and a test checks that both ways give the same report.
"""
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH

from ..errors import InputError
from ..namespace import AIKG, META_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from ..sparql.results import to_rdflib
from ..store.base import Store
from ..store.rdfio import parse_file
from .reference import load_ontology, ontology_dir

__all__ = ["validate", "validate_graph", "load_shapes", "data_graph"]


def load_shapes(folder: Path | None = None) -> Graph:
    path = (folder or ontology_dir()) / "shapes.ttl"
    if not path.exists():
        raise InputError(f"SHACL shapes missing: {path}")
    return parse_file(path)


def data_graph(store: Store) -> Graph:
    """Every graph of the store except the ontology and the bookkeeping graph, merged."""
    return store.query(f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
        FILTER(?g != <{ONTOLOGY_GRAPH}> && ?g != <{META_GRAPH}>) }}""", prefixes=False).graph


def validate(store: Store, *, shapes: Graph | None = None, inference: str = "none") -> dict:
    """Validate the store; returns ``{"conforms", "triples", "violations": [...]}``.

    Each violation is ``{"focus", "label", "path", "value", "message", "severity", "shape"}``,
    with names rather than bare IRIs where the graph has them.
    """
    ontology = store.graph(ONTOLOGY_GRAPH)
    if not len(ontology):  # a store made before the ontology graph existed
        ontology = load_ontology()
    # The store answers the SPARQL parts itself (its ontology and bookkeeping graphs
    # hold no entity IRIs or facts), and the data graph is ours to extend in place.
    return _validate(data_graph(store), ontology, shapes, inference,
                     select=lambda text: store.query(text, prefixes=False).dicts(), inplace=True)


def validate_graph(data: Graph, *, ontology: Graph | None = None, shapes: Graph | None = None,
                   inference: str = "none", sparql_in_pyshacl: bool = False) -> dict:
    """Validate an rdflib graph (the data without the ontology) against the shapes.

    ``sparql_in_pyshacl`` leaves the SPARQL parts to pySHACL too (slow; for comparison).
    """
    ontology = ontology if ontology is not None else load_ontology()
    select = None if sparql_in_pyshacl else _oxigraph_select(data, ontology)
    return _validate(data, ontology, shapes, inference, select=select, inplace=False)


def _validate(data: Graph, ontology: Graph, shapes: Graph | None, inference: str, *, select, inplace: bool) -> dict:
    shapes = shapes if shapes is not None else load_shapes()
    triples = len(data)
    names = _Names(data, ontology, shapes)
    violations = []
    if select is not None:
        shapes = _copy(shapes)
        _expand_sparql_targets(shapes, select)  # first: a SPARQL constraint may use these targets
        violations += [names.violation(*v) for v in _run_sparql_constraints(shapes, select)]
    conforms, results, _text = shacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference=inference, advanced=True,
        allow_warnings=True, abort_on_first=False, inplace=inplace)
    for r in results.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(m) for m in results.objects(r, SH.resultMessage))
        violations.append(names.violation(
            results.value(r, SH.focusNode), results.value(r, SH.resultPath), results.value(r, SH.value),
            messages[0] if messages else "constraint violated", results.value(r, SH.resultSeverity),
            results.value(r, SH.sourceShape)))
    violations.sort(key=lambda v: (v["severity"], v["label"], v["path"] or "", v["message"], v["value"] or ""))
    return {"conforms": bool(conforms) and not violations, "triples": triples, "violations": violations}


def _copy(graph: Graph) -> Graph:
    out = Graph()
    for t in graph:
        out.add(t)
    return out


def _oxigraph_select(*graphs: Graph):
    """A SELECT runner over an in-memory Oxigraph copy of the graphs."""
    engine = ox.Store()
    for g in graphs:
        engine.load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)

    def select(text: str) -> list[dict]:
        res = engine.query(text, use_default_graph_as_union=True)
        names = [v.value for v in res.variables]
        return [{n: to_rdflib(sol[n]) for n in names if sol[n] is not None} for sol in res]

    return select


def _prologue(shapes: Graph, node) -> str:
    """PREFIX lines from the ``sh:declare`` of the node's ``sh:prefixes``."""
    lines = []
    for decl_owner in shapes.objects(node, SH.prefixes):
        for decl in shapes.objects(decl_owner, SH.declare):
            prefix, ns = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(sorted(set(lines))) + "\n"


def _select(select, shapes: Graph, node) -> list[dict]:
    return select(_prologue(shapes, node) + str(shapes.value(node, SH.select)))


def _targets(select, shapes: Graph, shape) -> set:
    """The focus nodes of ``shape`` from its core targets (node, class, subjects-of, objects-of)."""
    found = set(shapes.objects(shape, SH.targetNode))
    queries = [f"SELECT DISTINCT ?t WHERE {{ ?t <{RDF.type}>/<{RDFS.subClassOf}>* <{c}> }}"
               for c in shapes.objects(shape, SH.targetClass)]
    queries += [f"SELECT DISTINCT ?t WHERE {{ ?t <{p}> ?x }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    queries += [f"SELECT DISTINCT ?t WHERE {{ ?x <{p}> ?t }}" for p in shapes.objects(shape, SH.targetObjectsOf)]
    for q in queries:
        found |= {row["t"] for row in select(q)}
    return found


def _run_sparql_constraints(shapes: Graph, select) -> list[tuple]:
    """Evaluate every ``sh:sparql`` of a node shape once, then remove it from ``shapes``."""
    out = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        if shapes.value(shape, SH.path) is not None:
            raise InputError(f"SPARQL constraints on property shapes are not supported ({shape})")
        targets = _targets(select, shapes, shape)
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        severity = shapes.value(shape, SH.severity) or SH.Violation
        for row in _select(select, shapes, constraint):
            if row.get("this") in targets:
                out.append((row["this"], row.get("path"), row.get("value"),
                            _fill(str(message or "constraint violated"), row), severity, shape))
        _remove(shapes, shape, SH.sparql, constraint)
    return out


def _expand_sparql_targets(shapes: Graph, select) -> None:
    """Replace each SHACL-AF ``sh:SPARQLTarget`` by the ``sh:targetNode``s it selects."""
    for shape, target in list(shapes.subject_objects(SH.target)):
        if shapes.value(target, SH.select) is None:
            continue
        for row in _select(select, shapes, target):
            if "this" in row:
                shapes.add((shape, SH.targetNode, row["this"]))
        _remove(shapes, shape, SH.target, target)


def _remove(shapes: Graph, shape, predicate, node) -> None:
    shapes.remove((shape, predicate, node))
    if isinstance(node, BNode):
        shapes.remove((node, None, None))


def _fill(message: str, row: dict) -> str:
    for var, term in row.items():
        message = message.replace(f"{{?{var}}}", str(term)).replace(f"{{${var}}}", str(term))
    return message


class _Names:
    """Readable names for terms in a report: labels, prefixed names, statement summaries."""

    def __init__(self, data: Graph, ontology: Graph, shapes: Graph):
        self.data = data
        self.ontology = ontology
        self.shapes = shapes
        self.prefixes = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
        self.prefixes.append(("shape", "https://w3id.org/aikg/shapes#"))

    def label(self, term) -> str | None:
        for g in (self.data, self.ontology):
            lab = g.value(term, RDFS.label)
            if lab is not None:
                return str(lab)
        return None

    def term(self, term) -> str:
        if isinstance(term, Literal):
            if term.datatype is None:
                return repr(str(term))
            return f'"{term}"^^{self.term(term.datatype)}'
        if isinstance(term, BNode):
            return "[blank node]"
        lab = self.label(term) if isinstance(term, URIRef) and not str(term).startswith(str(AIKG._NS)) else None
        if lab is not None:
            return lab
        text = str(term)
        for prefix, ns in self.prefixes:
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns):]}"
        return text

    def shape(self, shape) -> str | None:
        """The named shape a result came from (a property shape's node shape)."""
        seen = set()
        while isinstance(shape, BNode) and shape not in seen:
            seen.add(shape)
            shape = next(self.shapes.subjects(SH.property, shape), None)
        return self.term(shape) if isinstance(shape, URIRef) else None

    def violation(self, focus, path, value, message, severity, shape) -> dict:
        return {
            "focus": str(focus),
            "label": self.describe(focus),
            "path": self.term(path) if path is not None else None,
            "value": self.term(value) if value is not None else None,
            "message": str(message),
            "severity": str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            "shape": self.shape(shape),
        }

    def describe(self, focus) -> str:
        if focus is None:
            return "?"
        if (focus, RDF.type, AIKG.Statement) in self.data:
            s, p, o = (self.data.value(focus, x) for x in (RDF.subject, RDF.predicate, RDF.object))
            parts = [self.term(t) if t is not None else "?" for t in (s, p, o)]
            return "statement: " + " ".join(parts)
        lab = self.label(focus)
        return lab if lab is not None else self.term(focus)
