"""Ingestion: documents -> facts with provenance, one named graph per document.

Each document is read, its facts extracted, and everything it contributes (the
Document node, its facts, the Restriction nodes, the new entities it
introduces and one ``aikg:Statement`` per fact) is written as one named graph
in ONE store transaction, together with the removal of the graph an older
version of the same file left. A document whose content is already stored is
``unchanged`` and nothing is written. A failure on one document is reported
in its result and the others go on.
"""
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from .errors import AikgError
from .extractor import EXTRACTOR_VERSION, Extraction, Extractor
from .ids import document_graph, document_iri, restriction_iri, statement_iri
from .linker import Entity, Gazetteer, Linker
from .namespace import AIKG
from .reader import Document, ReadError, iter_paths, read_document
from .reference import provenance
from .sparql import bind
from .store import Store

__all__ = ["DocumentResult", "Ingestor", "ingest", "document_facts", "EXTRACTOR", "sources"]

EXTRACTOR = f"aikg-rules/{EXTRACTOR_VERSION}"
_KIND_LABELS = {"AccessBlock": "Access block", "Ban": "Ban", "ExportControl": "Export control",
                "Suspension": "Suspension"}


@dataclass
class DocumentResult:
    path: str
    status: str  # added, unchanged, failed
    id: str | None = None
    error: str | None = None
    facts: list = field(default_factory=list)
    title: str | None = None
    new_entities: list = field(default_factory=list)

    def as_json(self) -> dict:
        return {"path": self.path, "id": self.id, "status": self.status, "error": self.error, "facts": self.facts}


class Ingestor:
    """Holds the gazetteer for a run so that later documents link to entities earlier ones introduced."""

    def __init__(self, store: Store, *, dry_run: bool = False):
        self.store = store
        self.dry_run = dry_run
        self.gazetteer = Gazetteer.from_store(store)
        self.known = set(self.gazetteer.entities)
        self.extractor = Extractor(Linker(self.gazetteer))
        self._written: dict[str, Graph | None] = {}  # content hashes seen in this run (graphs kept for dry runs)

    # -- one document ---------------------------------------------------------------

    def ingest_file(self, path: str | os.PathLike) -> DocumentResult:
        shown = str(path)
        try:
            doc = read_document(path)
        except ReadError as e:
            return DocumentResult(shown, "failed", error=str(e))
        try:
            return self._ingest(doc, shown)
        except AikgError as e:
            return DocumentResult(shown, "failed", id=str(document_iri(doc.content_hash)), error=str(e))
        except Exception as e:  # noqa: BLE001 - one bad document must not stop the others
            return DocumentResult(shown, "failed", id=str(document_iri(doc.content_hash)),
                                  error=f"internal error: {type(e).__name__}: {e}")

    def _ingest(self, doc: Document, shown: str) -> DocumentResult:
        gname = document_graph(doc.content_hash)
        diri = document_iri(doc.content_hash)
        if doc.content_hash in self._written or self._stored(diri, gname):
            graph = self._written.get(doc.content_hash) or self.store.graph(gname)
            return DocumentResult(shown, "unchanged", str(diri), facts=document_facts(self.store, graph),
                                  title=doc.title)
        extraction = self.extractor.extract(doc.text, doc.published)
        graph = build_graph(doc, extraction, gname, diri)
        stale = self._stale_graphs(doc.path, gname)
        if not self.dry_run:
            self.store.replace_graphs({**{g: None for g in stale}, gname: graph})
        self._written[doc.content_hash] = graph if self.dry_run else None
        new = sorted({str(e.iri) for e in extraction.entities.values() if e.new and e.iri not in self.known})
        self.known.update(URIRef(i) for i in new)
        return DocumentResult(shown, "added", str(diri), facts=document_facts(self.store, graph), title=doc.title,
                              new_entities=new)

    def _stored(self, diri: URIRef, gname: URIRef) -> bool:
        q = bind("ASK { GRAPH ?g { ?d a aikg:Document } }", g=gname, d=diri)
        return bool(self.store.query(q).boolean)

    def _stale_graphs(self, path: str, keep: URIRef) -> list[URIRef]:
        """Graphs of older versions of the same file."""
        q = bind("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?d a aikg:Document ; aikg:path ?p } }",
                 p=Literal(_abspath(path)))
        return [row[0] for row in self.store.query(q).rows if row[0] != keep]

    # -- many -------------------------------------------------------------------------

    def ingest_files(self, files):
        for path in files:
            yield self.ingest_file(path)


def ingest(store: Store, paths, *, dry_run: bool = False) -> tuple[list[DocumentResult], list[Path]]:
    """Ingest files and folders; returns the results and the files skipped for their extension."""
    files, skipped = iter_paths(paths)
    ingestor = Ingestor(store, dry_run=dry_run)
    return list(ingestor.ingest_files(files)), skipped


def _abspath(path: str) -> str:
    return str(Path(path).resolve())


def _entity_triples(g: Graph, e: Entity) -> None:
    for t in sorted(e.types):
        g.add((e.iri, RDF.type, AIKG[t]))
    g.add((e.iri, RDFS.label, Literal(e.label)))
    for alias in e.aliases:
        g.add((e.iri, SKOS.altLabel, Literal(alias)))


def build_graph(doc: Document, extraction: Extraction, gname: URIRef, diri: URIRef) -> Graph:
    """The named graph of one document."""
    g = Graph()
    g.add((diri, RDF.type, AIKG.Document))
    g.add((diri, AIKG.path, Literal(_abspath(doc.path))))
    g.add((diri, AIKG.contentHash, Literal(doc.content_hash)))
    g.add((diri, RDFS.label, Literal(doc.title or Path(doc.path).name)))
    if doc.url:
        g.add((diri, AIKG.url, Literal(doc.url, datatype=XSD.anyURI)))
    if doc.published:
        g.add((diri, AIKG.published, Literal(doc.published.isoformat(), datatype=XSD.date)))

    def assert_fact(s, p, o, quote, confidence, negated=False, valid_from: date | None = None):
        for t in provenance(gname, s, p, o, diri, confidence=confidence, extractor=EXTRACTOR, quote=quote):
            g.add(t)
        st = statement_iri(gname, s, p, o)
        if negated:
            g.add((st, AIKG.negated, Literal(True)))
        else:
            g.add((s, p, o))
        if valid_from:
            g.add((st, AIKG.validFrom, Literal(valid_from.isoformat(), datatype=XSD.date)))

    used: dict[URIRef, Entity] = {}
    for f in extraction.facts:
        obj = f.object
        assert_fact(f.subject.iri, AIKG[f.predicate], obj.iri, f.quote, f.confidence, f.negated, f.valid_from)
        used[f.subject.iri] = f.subject
        used[obj.iri] = obj
    for fr in extraction.restrictions:
        imposer = fr.imposer.iri if fr.imposer is not None else None
        for target in fr.restricts:
            places = sorted(fr.applies_in, key=lambda e: str(e.iri))
            r = restriction_iri(target.iri, *[p.iri for p in places], imposer, fr.effective_from, fr.kind)
            g.add((r, RDF.type, AIKG.Restriction))
            where = ", ".join(p.label for p in places)
            g.add((r, RDFS.label, Literal(f"{_KIND_LABELS[fr.kind]} on {target.label}" + (f" in {where}" if where else ""))))
            assert_fact(r, AIKG.kind, AIKG[fr.kind], fr.quote, fr.confidence)
            assert_fact(r, AIKG.restricts, target.iri, fr.quote, fr.confidence)
            used[target.iri] = target
            for p in places:
                assert_fact(r, AIKG.appliesIn, p.iri, fr.quote, fr.confidence)
                used[p.iri] = p
            for a in fr.applies_to:
                assert_fact(r, AIKG.appliesTo, a.iri, fr.quote, fr.confidence)
                used[a.iri] = a
            if fr.imposer is not None:
                assert_fact(r, AIKG.imposedBy, imposer, fr.quote, fr.confidence)
                used[imposer] = fr.imposer
            if fr.effective_from:
                assert_fact(r, AIKG.effectiveFrom, Literal(fr.effective_from.isoformat(), datatype=XSD.date),
                            fr.quote, fr.confidence)
            if fr.effective_until:
                assert_fact(r, AIKG.effectiveUntil, Literal(fr.effective_until.isoformat(), datatype=XSD.date),
                            fr.quote, fr.confidence)
    for e in used.values():
        if e.new:
            _entity_triples(g, e)
    return g


_STATEMENTS = """
SELECT ?s ?p ?o ?quote ?conf WHERE {
  ?st a aikg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL { ?st aikg:quote ?quote } OPTIONAL { ?st aikg:confidence ?conf }
  FILTER NOT EXISTS { ?st aikg:negated true }
}"""


def _labels(store: Store, graph: Graph, iris) -> dict:
    labels = {}
    for iri in iris:
        for lab in graph.objects(iri, RDFS.label):
            labels[iri] = str(lab)
    missing = [i for i in iris if i not in labels]
    for chunk in range(0, len(missing), 200):
        part = missing[chunk:chunk + 200]
        values = " ".join(bind("?x", x=i) for i in part)
        rows = store.query(f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?l }}").rows
        for x, lab in rows:
            labels.setdefault(x, str(lab))
    return labels


def document_facts(store: Store, graph: Graph) -> list[dict]:
    """The facts a document graph asserts, as the JSON contract's FACT objects (sorted)."""
    rows = []
    for st in graph.subjects(RDF.type, AIKG.Statement):
        if (st, AIKG.negated, Literal(True)) in graph:
            continue
        s, p, o = graph.value(st, RDF.subject), graph.value(st, RDF.predicate), graph.value(st, RDF.object)
        quote, conf = graph.value(st, AIKG.quote), graph.value(st, AIKG.confidence)
        rows.append((s, p, o, quote, conf))
    iris = sorted({t for r in rows for t in r[:3] if isinstance(t, URIRef)})
    labels = _labels(store, graph, iris)

    def node(t):
        if isinstance(t, Literal):
            return {"value": str(t), "datatype": str(t.datatype) if t.datatype else str(XSD.string)}
        return {"id": str(t), "label": labels.get(t, str(t).rsplit("/", 1)[-1].rsplit("#", 1)[-1])}

    facts = [{"subject": node(s), "predicate": node(p), "object": node(o), "quote": str(q) if q else None,
              "confidence": float(c) if c is not None else None} for s, p, o, q, c in rows]
    facts.sort(key=lambda f: (f["subject"]["label"], f["subject"]["id"], f["predicate"]["id"],
                              f["object"].get("label") or f["object"].get("value")))
    return facts


_SOURCES = """
SELECT ?doc ?title ?path ?url ?published (COUNT(DISTINCT ?st) AS ?n) (SAMPLE(?q) AS ?quote) WHERE {
  ?st a aikg:Statement ; prov:wasDerivedFrom ?doc .
  { ?st rdf:subject ?e } UNION { ?st rdf:object ?e }
  UNION { ?st rdf:subject ?r . ?r a aikg:Restriction . ?r ?rp ?e }
  ?doc a aikg:Document .
  FILTER NOT EXISTS { ?st aikg:negated true }
  OPTIONAL { ?st aikg:quote ?q }
  OPTIONAL { ?doc rdfs:label ?title } OPTIONAL { ?doc aikg:path ?path }
  OPTIONAL { ?doc aikg:url ?url } OPTIONAL { ?doc aikg:published ?published }
} GROUP BY ?doc ?title ?path ?url ?published ORDER BY DESC(?n) ?doc"""


def sources(store: Store, name: str) -> dict:
    """The documents that state facts about NAME, with how many and a sample quote."""
    from .describe import node
    from .resolve import label_of, resolve

    entity = resolve(store, name)
    docs = []
    for d, title, path, url, published, n, quote in store.query(bind(_SOURCES, e=entity)).rows:
        docs.append({"id": str(d), "title": str(title) if title else None, "path": str(path) if path else None,
                     "url": str(url) if url else None, "published": str(published) if published else None,
                     "facts": int(n), "quote": str(quote) if quote else None})
    return {"entity": node(entity, label_of(store, entity)), "documents": docs}
