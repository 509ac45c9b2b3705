"""Removing ingested documents: each document's named graph goes, and with it every fact only it stated."""
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from ..errors import NotFound
from ..namespace import AIKG, GRAPH
from ..sparql.queries import safe_iri
from ..store.base import Store

__all__ = ["forget"]

_DOCS = """SELECT DISTINCT ?g ?doc ?path ?url ?label WHERE {
  GRAPH ?g { ?doc a aikg:Document OPTIONAL { ?doc aikg:path ?path } OPTIONAL { ?doc aikg:url ?url }
             OPTIONAL { ?doc rdfs:label ?label } }
  FILTER(STRSTARTS(STR(?g), STR(<%s>)))
}""" % (GRAPH["doc/"],)


def _as_path(ref) -> str | None:
    text = str(ref).strip()
    return str(Path(text).expanduser().resolve()) if text and "://" not in text else None


def _documents(rows, refs) -> dict:
    """``{ref: [(graph, document, label, the path it matched or None)]}`` for each ref: a document id (as
    ``sources --json`` and ``ingest --json`` print it), its graph's IRI, the file's path or the document's URL.
    NotFound names the refs that match no ingested document (curated reference sources are not documents one
    can forget)."""
    out = {}
    for ref in refs:
        text, path = str(ref).strip(), _as_path(ref)
        out[ref] = [(g, doc, label or p or u or doc, None if text in (g, doc, u) else p) for g, doc, p, u, label in rows
                    if text in (g, doc, u) or (path is not None and p == path)]
    missing = [ref for ref, hits in out.items() if not hits]
    if missing:
        raise NotFound("no ingested document is " + ", ".join(repr(m) for m in missing)
                       + " (give its path, URL or the id 'aikg sources NAME --json' prints)")
    return out


def forget(store: Store, refs) -> list:
    """Forget the documents named by ``refs`` in one write (all or none); returns (graph, id, label, kept).

    A document named by one of its paths while other paths still hold the same content only loses that
    path: ``kept`` lists the paths it keeps (empty: the document and its facts are gone).
    """
    rows = store.select_values(_DOCS)
    found = _documents(rows, refs)  # every ref names a document, or nothing is written
    paths: dict = {}
    for g, _, p, _, _ in rows:
        if p:
            paths.setdefault(g, set()).add(p)
    whole = set()
    detached: dict[str, set[str]] = {}
    labels: dict[tuple[str, str], str] = {}
    for hits in found.values():
        for g, doc, label, path in hits:
            labels.setdefault((g, doc), label)
            if path is None:
                whole.add(g)
            else:
                detached.setdefault(g, set()).add(path)
    writes: dict[URIRef, Graph | str | bytes | None] = {}  # what replace_graphs takes
    kept = {}
    for g, gone in detached.items():
        left = paths.get(g, set()) - gone
        if g in whole or not left:
            whole.add(g)
            continue
        graph = store.graph(URIRef(g))
        for p in gone:
            graph.remove((None, AIKG.path, Literal(p)))
        writes[URIRef(g)], kept[g] = graph, sorted(left)
    writes.update({URIRef(g): None for g in whole if safe_iri(g)})
    if writes:
        store.replace_graphs(writes)
    return [(g, doc, label, kept.get(g, [])) for (g, doc), label in sorted(labels.items())]
