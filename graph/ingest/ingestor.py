"""Ingestion: documents -> facts with provenance, one named graph per document.

Each document is read, its facts extracted, and everything it contributes (the
Document node, its facts, the Restriction nodes, the new entities it
introduces and one ``aikg:Statement`` per fact) is written as one named graph,
whole, in one store transaction together with the removal of the graph an
older version of the same file left. :meth:`Ingestor.ingest_files` puts up to
``BATCH`` documents in one transaction; if it fails, each is written in its
own, so a bad document costs only itself. A document whose content is already
stored is ``unchanged`` and nothing is written. A failure on one document is
reported in its result and the others go on.

The graph is written as N-Triples text built straight from the extraction,
and the JSON report is built from the same rows: no rdflib graph is built or
re-read for a new document (that was most of ingestion's time).
"""
import os
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from ..errors import AikgError, StoreError
from ..model import model
from ..names.ids import document_graph, document_iri, restriction_iri, statement_iri
from ..namespace import AIKG, GRAPH, PROV
from ..sparql.queries import bind, safe_iri
from ..store.base import Store
from .builtin import add_jurisdictions
from .extractor import EXTRACTOR_VERSION, Extraction, Extractor
from .gazetteer import Entity, Gazetteer
from .linker import Linker
from .reader import Document, ReadError, iter_paths, read_document

__all__ = ["DocumentResult", "Ingestor", "ingest", "document_facts", "document_ntriples", "EXTRACTOR", "sources"]

EXTRACTOR = f"aikg-rules/{EXTRACTOR_VERSION}"
BATCH = 16  # documents per store transaction in ingest_files (a failed batch is retried one by one)


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
        add_jurisdictions(self.gazetteer)  # after `known`: in an empty store they are new
        self.extractor = Extractor(Linker(self.gazetteer))
        self._written: dict[str, list] = {}  # content hash -> the facts reported, for documents of this run
        self._pending: dict[str, _Item] = {}  # content hash -> its write, extracted but not written yet
        # labels of the vocabulary (predicates, restriction kinds), read once
        self._vocab_labels = {str(row[0]): str(row[1]) for row in store.query(
            "SELECT ?x (SAMPLE(?l) AS ?label) WHERE { ?x rdfs:label ?l FILTER(STRSTARTS(STR(?x), STR(aikg:))) } "
            "GROUP BY ?x").rows}

    @cached_property
    def _doc_born(self) -> frozenset:
        """Entities named only by documents: each document that uses one restates its names (read once, when
        the first document is extracted)."""
        return _document_born(self.store)

    # -- one document ---------------------------------------------------------------

    def ingest_file(self, path: str | os.PathLike) -> DocumentResult:
        """Ingest one file, written before this returns."""
        item = self._prepare(path)
        list(self._flush([item]))
        return item.result

    def _prepare(self, path: str | os.PathLike) -> "_Item":
        """Read and extract one file; what it must write is left to :meth:`_flush`."""
        shown = str(path)
        try:
            doc = read_document(path)
        except ReadError as e:
            return _Item(path, DocumentResult(shown, "failed", error=str(e)))
        try:
            return self._extract(path, doc, shown)
        except AikgError as e:
            return _Item(path, DocumentResult(shown, "failed", id=str(document_iri(doc.content_hash)), error=str(e)))
        except Exception as e:  # noqa: BLE001 - one bad document must not stop the others
            return _Item(path, DocumentResult(shown, "failed", id=str(document_iri(doc.content_hash)),
                                              error=f"internal error: {type(e).__name__}: {e}"))

    def _extract(self, path, doc: Document, shown: str) -> "_Item":
        gname = document_graph(doc.content_hash)
        diri = document_iri(doc.content_hash)
        abspath = _abspath(doc.path)
        if doc.content_hash in self._written:
            result = DocumentResult(shown, "unchanged", str(diri), facts=self._written[doc.content_hash],
                                    title=doc.title)
            twin = self._pending.get(doc.content_hash)
            if twin is not None:  # not written yet: the twin's graph records this path too
                twin.graphs[gname] += f"<{diri}> <{AIKG.path}> {_lit(abspath)} .\n"
                return _Item(path, result, duplicate_of=doc.content_hash)
            if self.dry_run:
                return _Item(path, result)
            _, recorded, stale = self._lookup(abspath, diri, gname)
            return _Item(path, result, self._moved(abspath, diri, gname, recorded, stale))
        stored, recorded, stale = self._lookup(abspath, diri, gname)
        if stored:
            graph = self.store.graph(gname)
            facts = document_facts(self.store, graph, labels=self._label_of)
            result = DocumentResult(shown, "unchanged", str(diri), facts=facts, title=doc.title)
            moves = None if self.dry_run else self._moved(abspath, diri, gname, recorded, stale, graph)
            return _Item(path, result, moves)
        extraction = self.extractor.extract(doc.text, doc.published, doc.title)
        text, rows, labels = document_ntriples(doc, extraction, gname, diri, abspath=abspath,
                                               restate=self._doc_born)
        facts = _facts_json(rows, lambda iri: labels.get(iri) or self._vocab_labels.get(iri))
        self._written[doc.content_hash] = facts
        new = sorted({str(e.iri) for e in extraction.entities.values() if e.new and e.iri not in self.known})
        self.known.update(URIRef(i) for i in new)
        result = DocumentResult(shown, "added", str(diri), facts=facts, title=doc.title, new_entities=new)
        if self.dry_run:
            return _Item(path, result)
        item = _Item(path, result, {**{g: self._without_path(g, abspath) for g in stale}, gname: text},
                     doc.content_hash)
        self._pending[doc.content_hash] = item
        return item

    def _flush(self, items: list["_Item"]):
        """Write the items' graphs, then yield their results in order.

        Several documents go in one transaction; if it fails, each is written in its own, so that a
        bad document costs only itself: each document is stored whole or not at all, either way.
        """
        writes = [it for it in items if it.graphs is not None]
        done = False
        if len(writes) > 1:
            merged: dict = {}
            for it in writes:
                merged.update(it.graphs)
            try:
                self.store.replace_graphs(merged)
                done = True
            except Exception:  # noqa: BLE001 - retried one by one below, where the error is reported
                done = False
        failed: set[str] = set()
        for it in writes:
            self._pending.pop(it.content_hash, None)
            if done:
                continue
            try:
                self.store.replace_graphs(it.graphs)
            except Exception as e:  # noqa: BLE001 - one bad document must not stop the others
                error = str(e) if isinstance(e, AikgError) else f"internal error: {type(e).__name__}: {e}"
                it.result = DocumentResult(it.result.path, "failed", id=it.result.id, error=error)
                self._written.pop(it.content_hash, None)
                failed.add(it.content_hash)
        for it in items:
            if it.duplicate_of in failed:  # its twin was not stored after all: try it on its own
                it.result = self.ingest_file(it.path)
            yield it.result

    def _label_of(self, iri: str) -> str | None:
        """A node's label as the run knows it: the gazetteer's, else the vocabulary's (None: unknown here)."""
        ref = URIRef(iri)
        e = self.gazetteer.entities.get(ref)
        if e is not None:
            return e.label
        return self._vocab_labels.get(iri)

    # A document is its content; every path (or URL) that holds that content is recorded on it. A path
    # whose content changed leaves its old document, which is dropped only when no other path holds it.

    def _without_path(self, gname: URIRef, abspath: str):
        """The graph ``gname`` without ``abspath`` among its paths; None (drop it) when that was its last."""
        graph = self.store.graph(gname)
        graph.remove((None, AIKG.path, Literal(abspath)))
        return graph if any(graph.triples((None, AIKG.path, None))) else None

    def _moved(self, abspath: str, diri: URIRef, gname: URIRef, recorded: bool, stale: list,
               graph: Graph | None = None) -> dict | None:
        """The writes that record ``abspath`` as holding stored document ``gname`` (None: it already does).

        ``recorded`` and ``stale`` are what :meth:`_lookup` found; ``graph``, the stored graph if read already.
        """
        if recorded and not stale:
            return None
        graph = self.store.graph(gname) if graph is None else graph
        graph.add((diri, AIKG.path, Literal(abspath)))
        return {**{g: self._without_path(g, abspath) for g in stale}, gname: graph}

    def _lookup(self, abspath: str, diri: URIRef, gname: URIRef) -> tuple[bool, bool, list[URIRef]]:
        """(is this content stored already, does its graph record this path, the other graphs that record this
        path: older versions of the same file): one query."""
        q = bind("SELECT DISTINCT ?g ?why WHERE { { GRAPH ?g { ?d aikg:path ?p } BIND(\"path\" AS ?why) } UNION "
                 "{ GRAPH ?this { ?doc a aikg:Document } BIND(?this AS ?g) BIND(\"doc\" AS ?why) } }",
                 p=Literal(abspath), this=gname, doc=diri)
        rows = [(g, str(why)) for g, why in self.store.query(q).rows]
        holding = [g for g, why in rows if why == "path"]
        return (gname, "doc") in rows, gname in holding, [g for g in holding if g != gname]

    # -- many -------------------------------------------------------------------------

    def ingest_files(self, files, *, batch: int = BATCH):
        """Ingest files in order, yielding each result once its document is stored.

        Up to ``batch`` documents are written per store transaction (see :meth:`_flush`).
        """
        queue: list[_Item] = []
        writes = 0
        for path in files:
            item = self._prepare(path)
            queue.append(item)
            writes += item.graphs is not None
            if writes >= batch:
                yield from self._flush(queue)
                queue, writes = [], 0
        yield from self._flush(queue)


@dataclass
class _Item:
    """One document on its way: its result so far and what it still has to write."""

    path: str | os.PathLike
    result: DocumentResult
    graphs: dict | None = None  # graph name -> N-Triples text or None (drop); None: nothing to write
    content_hash: str | None = None
    duplicate_of: str | None = None  # the content hash of a write still pending with the same content


def ingest(store: Store, paths, *, dry_run: bool = False) -> tuple[list[DocumentResult], list[Path]]:
    """Ingest files and folders; returns the results and the files skipped for their extension."""
    files, skipped = iter_paths(paths)
    ingestor = Ingestor(store, dry_run=dry_run)
    return list(ingestor.ingest_files(files)), skipped


def _document_born(store: Store) -> frozenset:
    """The entities whose labels come only from document graphs (not the ontology or reference data)."""
    docs = f'"{GRAPH["doc/"]}"'
    rows = store.query(f"SELECT DISTINCT ?e WHERE {{ GRAPH ?g {{ ?e rdfs:label ?l }} "
                       f"FILTER(STRSTARTS(STR(?g), {docs})) "
                       f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?e rdfs:label ?k }} "
                       f"FILTER(!STRSTARTS(STR(?h), {docs})) }} }}").rows
    return frozenset(r[0] for r in rows)


def _abspath(path: str) -> str:
    return str(Path(path).resolve())


# -- N-Triples, written directly -----------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TO_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_XSD_STRING, _XSD_DATE, _XSD_DECIMAL, _XSD_BOOLEAN = str(XSD.string), str(XSD.date), str(XSD.decimal), \
    str(XSD.boolean)
_NEGATED = f"<{AIKG.negated}>"
_A, _LABEL, _ALT = f"<{RDF.type}>", f"<{RDFS.label}>", f"<{SKOS.altLabel}>"
_ST_TYPE, _ST_S, _ST_P, _ST_O = f"<{AIKG.Statement}>", f"<{RDF.subject}>", f"<{RDF.predicate}>", f"<{RDF.object}>"
_DERIVED, _CONF, _EXTR, _QUOTE = f"<{PROV.wasDerivedFrom}>", f"<{AIKG.confidence}>", f"<{AIKG.extractor}>", \
    f"<{AIKG.quote}>"


def _iri(value) -> str:
    text = str(value)
    if not safe_iri(text):
        raise StoreError(f"cannot write graph: invalid IRI {text!r}")
    return f"<{text}>"


def _escape(m: re.Match) -> str:
    c = m.group(0)
    return _ESCAPES.get(c) or f"\\u{ord(c):04X}"


def _lit(value: str, datatype: str | None = None) -> str:
    text = '"' + _TO_ESCAPE.sub(_escape, value) + '"'
    return text if datatype is None or datatype == _XSD_STRING else f"{text}^^<{datatype}>"


def document_ntriples(doc: Document, extraction: Extraction, gname: URIRef, diri: URIRef, *,
                      abspath: str | None = None, restate=frozenset()):
    """The named graph of one document as N-Triples text, plus the facts it asserts and the labels it uses.

    Returns ``(text, rows, labels)``: ``rows`` are ``(subject, predicate, object, quote, confidence)``
    of the asserted (not negated) statements, subject and predicate IRIs as strings, the object an IRI
    string or a ``(value, datatype)`` pair; ``labels`` maps the IRIs of the entities and restrictions
    the facts name to their labels. One statement has one quote: the first sentence that states it.
    Entities new here, and those in ``restate`` (named only by other documents), get their label and
    types in this graph too, so that their names outlive whichever document introduced them.
    """
    lines: dict[str, None] = {}  # an ordered set
    rows: list[tuple] = []
    labels: dict[str, str] = {}
    statements: set[str] = set()
    quotes: dict[str, str] = {}  # quote -> its literal (most quotes carry several statements)
    d = _iri(diri)
    tail = f" {_DERIVED} {d} .\n"
    extractor = f" {_EXTR} {_lit(EXTRACTOR)} .\n"
    title = doc.title or Path(doc.path).name

    lines[f"{d} {_A} <{AIKG.Document}> .\n"] = None
    lines[f"{d} <{AIKG.path}> {_lit(abspath or _abspath(doc.path))} .\n"] = None
    lines[f"{d} <{AIKG.contentHash}> {_lit(doc.content_hash)} .\n"] = None
    lines[f"{d} {_LABEL} {_lit(title)} .\n"] = None
    if doc.url:
        lines[f"{d} <{AIKG.url}> {_lit(doc.url, str(XSD.anyURI))} .\n"] = None
    if doc.published:
        lines[f"{d} <{AIKG.published}> {_lit(doc.published.isoformat(), _XSD_DATE)} .\n"] = None

    def assert_fact(s: URIRef, p: URIRef, o, quote: str, confidence: float, negated: bool = False,
                    valid_from: date | None = None) -> None:
        o_report: tuple[str, str] | str  # a literal's (text, datatype), or an IRI
        if isinstance(o, date):
            o_nt, o_report = _lit(o.isoformat(), _XSD_DATE), (o.isoformat(), _XSD_DATE)
            o_term = Literal(o.isoformat(), datatype=XSD.date)
        else:
            o_nt, o_report, o_term = _iri(o), str(o), o
        st_ref = str(statement_iri(gname, s, p, o_term))
        if st_ref in statements:
            return
        statements.add(st_ref)
        st, s_nt, p_nt = _iri(st_ref), _iri(s), _iri(p)
        conf = f"{confidence:.2f}"
        lines[f"{st} {_A} {_ST_TYPE} .\n{st} {_ST_S} {s_nt} .\n{st} {_ST_P} {p_nt} .\n{st} {_ST_O} {o_nt} .\n"
              f"{st}{tail}{st} {_CONF} \"{conf}\"^^<{_XSD_DECIMAL}> .\n{st}{extractor}"] = None
        if quote:
            q = quotes.get(quote)
            if q is None:
                q = quotes[quote] = _lit(quote)
            lines[f"{st} {_QUOTE} {q} .\n"] = None
        if negated:
            lines[f"{st} {_NEGATED} \"true\"^^<{_XSD_BOOLEAN}> .\n"] = None
        else:
            lines[f"{s_nt} {p_nt} {o_nt} .\n"] = None
            rows.append((str(s), str(p), o_report, quote or None, float(conf)))
        if valid_from:
            lines[f"{st} <{AIKG.validFrom}> {_lit(valid_from.isoformat(), _XSD_DATE)} .\n"] = None

    used: dict[URIRef, Entity] = {}
    for f in extraction.facts:
        assert_fact(f.subject.iri, _term(f.predicate), f.object.iri, f.quote, f.confidence, f.negated,
                    f.valid_from)
        used[f.subject.iri] = f.subject
        used[f.object.iri] = f.object
    for fr in extraction.restrictions:
        imposer = fr.imposer.iri if fr.imposer is not None else None
        places = sorted(fr.applies_in, key=lambda e: str(e.iri))
        where = ", ".join(p.label for p in places)
        for target in fr.restricts:
            r = restriction_iri(target.iri, *[p.iri for p in places], imposer, fr.effective_from, fr.kind)
            label = f"{_kind_label(fr.kind)} on {target.label}" + (f" in {where}" if where else "")
            r_nt = _iri(r)
            lines[f"{r_nt} {_A} <{AIKG.Restriction}> .\n"] = None
            lines[f"{r_nt} {_LABEL} {_lit(label)} .\n"] = None
            labels.setdefault(str(r), label)
            assert_fact(r, AIKG.kind, _term(fr.kind), fr.quote, fr.confidence)
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
                assert_fact(r, AIKG.effectiveFrom, fr.effective_from, fr.quote, fr.confidence)
            if fr.effective_until:
                assert_fact(r, AIKG.effectiveUntil, fr.effective_until, fr.quote, fr.confidence)
    for e in used.values():
        labels.setdefault(str(e.iri), e.label)
        if e.new or e.iri in restate:
            node = _iri(e.iri)
            for t in sorted(e.types):
                lines[f"{node} {_A} {_iri(_term(t))} .\n"] = None
            lines[f"{node} {_LABEL} {_lit(e.label)} .\n"] = None
        if e.new:
            for alias in e.aliases:
                lines[f"{node} {_ALT} {_lit(alias)} .\n"] = None
    return "".join(lines), rows, labels


_PREDICATES: dict[str, URIRef] = {}


def _kind_label(name: str) -> str:
    """A restriction kind's label from the ontology, capitalised: "Export control"."""
    label = {k.name: k.label for k in model().restriction_kinds.values()}.get(name, name)
    return label[:1].upper() + label[1:]


def _term(name: str) -> URIRef:
    """The ontology's class or property ``name`` (OntologyError if it has none), once per name."""
    p = _PREDICATES.get(name)
    if p is None:
        p = _PREDICATES[name] = URIRef(model().iri(name))
    return p




# -- the JSON report --------------------------------------------------------------------


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _facts_json(rows, label_of) -> list[dict]:
    """FACT objects of the JSON contract from ``(s, p, o, quote, confidence)`` rows, sorted."""
    def node(t):
        if isinstance(t, tuple):
            return {"value": t[0], "datatype": t[1]}
        return {"id": t, "label": label_of(t) or _local(t)}

    facts = [{"subject": node(s), "predicate": node(p), "object": node(o), "quote": q, "confidence": c}
             for s, p, o, q, c in rows]
    facts.sort(key=lambda f: (f["subject"]["label"], f["subject"]["id"], f["predicate"]["id"],
                              f["object"].get("label") or f["object"].get("value"),
                              f["object"].get("id") or f["object"].get("datatype"), f["quote"] or ""))
    return facts


def _store_labels(store: Store, iris) -> dict:
    labels: dict[str, str] = {}
    iris = list(iris)
    for chunk in range(0, len(iris), 200):
        part = iris[chunk:chunk + 200]
        values = " ".join(bind("?x", x=URIRef(i)) for i in part)
        rows = store.query(f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?l }}").rows
        for x, lab in rows:
            labels.setdefault(str(x), str(lab))
    return labels


def document_facts(store: Store, graph: Graph, *, labels=None) -> list[dict]:
    """The facts a stored document graph asserts, as the JSON contract's FACT objects (sorted).

    ``labels`` (IRI string -> label or None) names nodes first; then the graph's own labels, then the store's.
    """
    rows = []
    for st in graph.subjects(RDF.type, AIKG.Statement):
        if (st, AIKG.negated, Literal(True)) in graph:
            continue
        s, p, o = graph.value(st, RDF.subject), graph.value(st, RDF.predicate), graph.value(st, RDF.object)
        quote, conf = graph.value(st, AIKG.quote), graph.value(st, AIKG.confidence)
        obj = (str(o), str(o.datatype) if o.datatype else _XSD_STRING) if isinstance(o, Literal) else str(o)
        rows.append((str(s), str(p), obj, str(quote) if quote else None, float(conf) if conf is not None else None))
    found: dict[str, str] = {}
    iris = {t for r in rows for t in r[:3] if isinstance(t, str)}
    for iri in iris:
        known = labels(iri) if labels else None
        if known is None:
            for lab in graph.objects(URIRef(iri), RDFS.label):
                known = str(lab)
        if known is not None:
            found[iri] = known
    found.update(_store_labels(store, sorted(iris - set(found))))
    return _facts_json(rows, found.get)


_SOURCES = """
SELECT ?doc ?title ?path ?url ?published ?read (COUNT(DISTINCT ?st) AS ?n) (SAMPLE(?q) AS ?quote) WHERE {
  ?st a aikg:Statement ; prov:wasDerivedFrom ?doc .
  { ?st rdf:subject ?e } UNION { ?st rdf:object ?e }
  UNION { ?st rdf:subject ?r . ?r a aikg:Restriction . ?r ?rp ?e }
  ?doc a aikg:Document .
  FILTER NOT EXISTS { ?st aikg:negated true }
  OPTIONAL { ?st aikg:quote ?q }
  OPTIONAL { ?doc rdfs:label ?title } OPTIONAL { ?doc aikg:path ?path }
  OPTIONAL { ?doc aikg:url ?url } OPTIONAL { ?doc aikg:published ?published } OPTIONAL { ?doc aikg:retrieved ?read }
} GROUP BY ?doc ?title ?path ?url ?published ?read ORDER BY DESC(?n) ?doc"""


def sources(store: Store, name: str) -> dict:
    """The documents that state facts about NAME, with how many and a sample quote.

    Curated sources count as documents too (``retrieved``: the day a curator read them).
    """
    from ..facts.describe import node
    from ..names.resolve import label_of, resolve

    entity = resolve(store, name)
    docs = []
    for d, title, path, url, published, read, n, quote in store.query(bind(_SOURCES, e=entity)).rows:
        docs.append({"id": str(d), "title": str(title) if title else None, "path": str(path) if path else None,
                     "url": str(url) if url else None, "published": str(published) if published else None,
                     "retrieved": str(read) if read else None,
                     "facts": int(n), "quote": str(quote) if quote else None})
    return {"entity": node(entity, label_of(store, entity)), "documents": docs}
