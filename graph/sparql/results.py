"""Query results as rdflib terms, whichever backend answered."""
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

__all__ = ["QueryResult", "to_rdflib", "to_oxigraph", "sparql_json", "sparql_csv", "sparql_tsv", "sparql_xml"]


def to_rdflib(term):
    """Convert a pyoxigraph term to its rdflib equal (None stays None)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term):
    """Convert an rdflib term to pyoxigraph."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


@dataclass
class QueryResult:
    """A SELECT (``variables`` and ``rows``), ASK (``boolean``) or graph (``graph``) result."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def dicts(self) -> list[dict]:
        """Rows as ``{variable: term}``, leaving unbound variables out."""
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]

    def __iter__(self):
        if self.kind == "graph":
            return iter(self.graph)
        return iter(self.rows)

    def __len__(self):
        return len(self.graph) if self.kind == "graph" else len(self.rows)


def _binding_json(term) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out


def sparql_json(result: QueryResult) -> dict:
    """The W3C SPARQL 1.1 Query Results JSON structure."""
    if result.kind == "ask":
        return {"head": {}, "boolean": result.boolean}
    return {"head": {"vars": result.variables},
            "results": {"bindings": [{v: _binding_json(t) for v, t in zip(result.variables, row) if t is not None}
                                     for row in result.rows]}}


def _csv_cell(term) -> str:
    return "" if term is None else str(term)


def _tsv_cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return term.n3().replace("\t", "\\t").replace("\n", "\\n")
    return term.n3()


def sparql_csv(result: QueryResult) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(result.variables)
    for row in result.rows:
        w.writerow([_csv_cell(t) for t in row])
    return buf.getvalue()


def sparql_tsv(result: QueryResult) -> str:
    lines = ["\t".join("?" + v for v in result.variables)]
    lines += ["\t".join(_tsv_cell(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def sparql_xml(result: QueryResult) -> str:
    from xml.sax.saxutils import escape, quoteattr

    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("</head>")
    if result.kind == "ask":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in result.rows:
            out.append("<result>")
            for v, t in zip(result.variables, row):
                if t is None:
                    continue
                if isinstance(t, URIRef):
                    cell = f"<uri>{escape(str(t))}</uri>"
                elif isinstance(t, BNode):
                    cell = f"<bnode>{escape(str(t))}</bnode>"
                elif t.language:
                    cell = f"<literal xml:lang={quoteattr(t.language)}>{escape(str(t))}</literal>"
                elif t.datatype is not None:
                    cell = f"<literal datatype={quoteattr(str(t.datatype))}>{escape(str(t))}</literal>"
                else:
                    cell = f"<literal>{escape(str(t))}</literal>"
                out.append(f"<binding name={quoteattr(v)}>{cell}</binding>")
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"
