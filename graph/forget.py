"""Removing ingested documents: each document's named graph goes, and with it every fact only it stated."""
from pathlib import Path

from rdflib import URIRef

from .errors import NotFound
from .namespace import GRAPH
from .sparql import safe_iri
from .store import Store

__all__ = ["find_documents", "forget"]

_DOCS = """SELECT DISTINCT ?g ?doc ?path ?url ?label WHERE {
  GRAPH ?g { ?doc a aikg:Document OPTIONAL { ?doc aikg:path ?path } OPTIONAL { ?doc aikg:url ?url }
             OPTIONAL { ?doc rdfs:label ?label } }
  FILTER(STRSTARTS(STR(?g), STR(<%s>)))
}""" % (GRAPH["doc/"],)


def find_documents(store: Store, refs) -> dict:
    """``{ref: [(graph, document, label)]}`` for each ref: a document id (as ``sources --json`` and ``ingest
    --json`` print it), its graph's IRI, the file's path or the document's URL. NotFound names the refs that
    match no ingested document (curated reference sources are not documents one can forget)."""
    rows = store.select_values(_DOCS)
    found, missing = {}, []
    for ref in refs:
        text = str(ref).strip()
        path = str(Path(text).expanduser().resolve()) if text and "://" not in text else None
        hits = sorted({(g, doc, label or p or u or doc) for g, doc, p, u, label in rows
                       if text in (g, doc, u) or (path is not None and p == path)})
        if hits:
            found[ref] = hits
        else:
            missing.append(ref)
    if missing:
        raise NotFound("no ingested document is " + ", ".join(repr(m) for m in missing)
                       + " (give its path, URL or the id 'aikg sources NAME --json' prints)")
    return found


def forget(store: Store, refs) -> list:
    """Drop the documents named by ``refs`` in one write (all or none); returns their (graph, id, label)."""
    found = find_documents(store, refs)
    hits = sorted({hit for ref_hits in found.values() for hit in ref_hits})
    graphs = {URIRef(g): None for g, _, _ in hits if safe_iri(g)}
    if graphs:
        store.replace_graphs(graphs)
    return hits
