"""Parsing and serializing RDF safely: clear errors, no network, no entity bombs."""
import re
from pathlib import Path

from rdflib import Graph

from ..errors import InputError

__all__ = ["parse_file", "parse_data", "parse_quads", "guess_format", "FORMATS"]

FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".jsonld": "json-ld",
           ".json": "json-ld", ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".n3": "n3"}
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def guess_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown RDF file extension {path.suffix!r}")
    return fmt


def parse_data(data: bytes, fmt: str, *, name: str = "<data>") -> Graph:
    """Parse bytes into a Graph; RDF/XML with DOCTYPE/ENTITY and remote JSON-LD contexts are refused."""
    if fmt == "xml" and _DOCTYPE.search(data):
        raise InputError(f"{name}: RDF/XML with DOCTYPE or ENTITY declarations is refused")
    graph = Graph()
    try:
        if fmt == "json-ld":
            _refuse_remote_context(data, name)
        graph.parse(data=data, format=fmt)
    except InputError:
        raise
    except Exception as e:  # rdflib raises many parser-specific types
        raise InputError(f"{name}: {_one_line(e)}") from e
    return graph


def parse_file(path: Path, fmt: str | None = None) -> Graph:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"{path}: {e.strerror or e}") from e
    return parse_data(data, fmt or guess_format(Path(path)), name=str(path))


def parse_quads(path: Path) -> list[tuple]:
    """A TriG file as [(graph name, [triples as rdflib terms])]; the default graph's name is None.

    Parsed by Oxigraph: about a hundred times faster than rdflib's TriG parser, which made ``aikg init`` slow.
    """
    import pyoxigraph as ox

    from ..sparql.results import to_rdflib

    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"{path}: {e.strerror or e}") from e
    graphs: dict = {}
    try:
        for q in ox.parse(input=data, format=ox.RdfFormat.TRIG):
            name = None if isinstance(q.graph_name, ox.DefaultGraph) else to_rdflib(q.graph_name)
            graphs.setdefault(name, []).append((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    except (SyntaxError, ValueError) as e:
        raise InputError(f"{path}: {_one_line(e)}") from e
    return list(graphs.items())


def _refuse_remote_context(data: bytes, name: str) -> None:
    import json

    def walk(node):
        if isinstance(node, dict):
            if "@import" in node:  # JSON-LD 1.1: a context that imports another one, by URL
                raise InputError(f"{name}: JSON-LD @import {node['@import']!r} is refused (no network access)")
            ctx = node.get("@context")
            for c in ctx if isinstance(ctx, list) else [ctx]:
                if isinstance(c, str):
                    raise InputError(f"{name}: remote JSON-LD @context {c!r} is refused (no network access)")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    try:
        walk(json.loads(data))
    except ValueError as e:
        raise InputError(f"{name}: invalid JSON: {e}") from e


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split()) or type(e).__name__
