"""The facts route search and the graph view read, kept per named graph as the store is written.

Why: reading a million access edges back out of Oxigraph on disk takes
15-30 s, because it decodes every IRI of every row from RocksDB, while the
same rows come out of an in-memory Oxigraph store ten times faster. Every
write (:meth:`EmbeddedStore.replace_graphs`) parses its graphs into such an
in-memory scratch store first, so it extracts their *facts* there, and keeps
them as integer arrays over a term table, one file per write:

* ``triples``: (s, p, o) whose predicate the projection reads: the facts
  stated between entities (access facts and the others the graph view
  draws) and their inverses, restriction properties, ``rdf:type`` of the
  entity classes, labels, demonyms, effective dates; and ``urn:aikg:normalised``
  from a label to its :func:`normalise` key (computed once, at write time);
* ``statements``: one row per reified statement about such a fact (s, p,
  o, negated, validFrom, validUntil; -1 when absent), read from the one graph
  that holds the statement, as aikg writes them.

The files, under the store folder's ``cache/facts-v1/``, form a chain: each
is named ``<seq>.<before>.<after>.<kind>.npz`` (NumPy arrays, read without pickle) for the revision it was
written on and the one it produced. :func:`read` follows the chain from its
last start to the store's revision. Anything else (a SPARQL update through
the server, a crash between the store's commit and the file, a torn or
missing file) breaks the chain: the facts are then read from the store
itself, once, and written as a new base. Long chains fold into a base too.
A server store has no folder: its facts are read with the same queries.
"""
import inspect
import os
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from ..model import model
from ..names.resolve import _DOMAIN, normalise
from ..namespace import PREFIXES
from ..sparql.queries import aikg_terms, safe_iri
from ..store import safecache
from ..store.embedded import observe_writes

__all__ = ["Facts", "read", "extract", "record", "from_scratch", "PROJECTED_PREDICATES", "INVERSE_PREDICATES",
           "INVERSES", "DRAWN_PREDICATES", "DRAWN_INVERSES", "RESTRICTION_PREDICATES", "RESTRICTION_DATES", "CLASSES",
           "ENTITY_CLASSES", "TYPE", "LABEL", "ALT_LABEL", "NORMALISED", "LOG"]

_FOLD = 16  # files in a chain before a read folds them into one base

# All from the ontology (graph/model.py): the facts the projection reads are the ones a route steps along
# (aikg:hopKind) and those it reads by name; their inverses are turned round ("Microsoft offers X" states
# "X offeredBy Microsoft"); a restriction's properties are those whose domain is aikg:Restriction.
_MODEL = model()
_READ_BY_NAME = ("customerOf", "partOf", "subsidiaryOf", "basedIn", "availableIn")
PROJECTED_PREDICATES = tuple(dict.fromkeys(_READ_BY_NAME + tuple(fact for _, fact, _ in _MODEL.hops())))
INVERSES = {inverse: name for inverse, name in sorted(_MODEL.inverses().items()) if name in PROJECTED_PREDICATES}
INVERSE_PREDICATES = tuple(INVERSES)
RESTRICTION_PREDICATES = tuple(sorted(p.name for p in _MODEL.properties.values()
                                      if p.kind == "object" and p.canonical and "Restriction" in p.domain))
RESTRICTION_DATES = tuple(sorted(p.name for p in _MODEL.properties.values()
                                 if p.kind == "datatype" and p.stated and "Restriction" in p.domain))
# the classes of what a route passes: those in a read fact's domain or range, and their subclasses
CLASSES = _MODEL.subclasses(c for name in PROJECTED_PREDICATES
                            for c in _MODEL.properties[name].domain | _MODEL.properties[name].range)
# What the graph view draws: every fact stated between entities (not those naming the ontology's own individuals,
# such as a restriction's kind), and the classes of entities (not records about sources: documents, statements).
DRAWN_PREDICATES = tuple(dict.fromkeys(PROJECTED_PREDICATES + tuple(sorted(
    p.name for p in _MODEL.properties.values() if p.kind == "object" and p.stated
    and not p.range & _MODEL.enumerations))))
DRAWN_INVERSES = {inverse: name for inverse, name in sorted(_MODEL.inverses().items()) if name in DRAWN_PREDICATES}
ENTITY_CLASSES = tuple(sorted(set(CLASSES) | {c.name for c in _MODEL.classes.values() if c.name not in
                                              _MODEL.enumerations and PREFIXES["prov"] + "Entity" not in c.outside}))
TYPE = PREFIXES["rdf"] + "type"
LABEL, ALT_LABEL = PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "altLabel"
NORMALISED = "urn:aikg:normalised"


_ACCESS = aikg_terms(DRAWN_PREDICATES + tuple(DRAWN_INVERSES))
# IRI pairs, concatenated per (graph, predicate): a few long strings rather than a million rows
_Q_PAIRS = """SELECT {g}?p (GROUP_CONCAT(CONCAT(STR(?s), " ", STR(?o)); separator=" ") AS ?v) WHERE {{
  VALUES ?p {{ """ + _ACCESS + " " + aikg_terms(RESTRICTION_PREDICATES) + """ }}
  {open}?s ?p ?o{close} FILTER(isIRI(?s) && isIRI(?o)) }} GROUP BY {g}?p"""
_Q_TYPES = """SELECT {g}?p (GROUP_CONCAT(STR(?s); separator=" ") AS ?v) WHERE {{
  VALUES ?p {{ """ + aikg_terms(ENTITY_CLASSES) + """ }} {open}?s a ?p{close} FILTER(isIRI(?s)) }} GROUP BY {g}?p"""
# values that may hold any character: one row each
_Q_VALUES = """SELECT {g}?s ?p ?o WHERE {{
  VALUES ?p {{ rdfs:label skos:altLabel aikg:demonym """ + aikg_terms(RESTRICTION_DATES) + """ }}
  {open}?s ?p ?o{close} FILTER(isIRI(?s)) }}"""
# Statements: those without a date or negation concatenated (most of them); the others one row each, found
# first by their marks (Oxigraph would join every statement before looking at the marks, seconds at 1M).
_UNMARKED = "FILTER NOT EXISTS {{ ?st aikg:negated ?a }} FILTER NOT EXISTS {{ ?st aikg:validFrom ?b }} " \
            "FILTER NOT EXISTS {{ ?st aikg:validUntil ?c }}"
_Q_PLAIN = """SELECT {g}(GROUP_CONCAT(CONCAT(STR(?s), " ", STR(?p), " ", STR(?o)); separator=" ") AS ?v) WHERE {{
  {open}?st a aikg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o """ + _UNMARKED + """{close}
  FILTER(isIRI(?s) && isIRI(?o)) }}{group}"""
_Q_MARKS = """SELECT DISTINCT {g}?st (isBlank(?st) AS ?blank) WHERE {{
  {{ {open}?st aikg:negated ?m{close} }} UNION {{ {open}?st aikg:validFrom ?m{close} }}
  UNION {{ {open}?st aikg:validUntil ?m{close} }} }}"""
# MARKS is replaced by a VALUES block of the statements found (IRIs from the store, checked), or by the marks
# themselves when one is a blank node
_Q_MARKED = """SELECT DISTINCT {g}?st ?s ?p ?o ?neg ?vf ?vu WHERE {{ MARKS
  {open}?st a aikg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL {{ ?st aikg:negated ?neg }} OPTIONAL {{ ?st aikg:validFrom ?vf }}
  OPTIONAL {{ ?st aikg:validUntil ?vu }}{close} FILTER(isIRI(?s) && isIRI(?o)) }}"""
_MARKS = "aikg:negated|aikg:validFrom|aikg:validUntil"
_ACCESS_IRIS = frozenset(_MODEL.iri(n) for n in DRAWN_PREDICATES + tuple(DRAWN_INVERSES))
_NAME = re.compile(r"^(\d{8})\.(\w+)\.(\w+)\.(base|delta)\.npz$")
def _source(function) -> str:
    try:
        return inspect.getsource(function)
    except (OSError, TypeError):  # no source shipped: the name alone
        return function.__qualname__


# the log's folder is named after what defines its files: the queries, the predicates read, the file layout
_LAYOUT = ("terms", "terms_end", "names", "names_end", "present", "tri", "tri_n", "st", "st_n", "int32")
LOG = "facts-" + safecache.version(_Q_PAIRS, _Q_TYPES, _Q_VALUES, _Q_PLAIN, _Q_MARKS, _Q_MARKED, PROJECTED_PREDICATES,
                                   INVERSES, DRAWN_PREDICATES, DRAWN_INVERSES, ENTITY_CLASSES,
                                   RESTRICTION_PREDICATES, RESTRICTION_DATES, CLASSES, NORMALISED, _LAYOUT,
                                   _source(normalise), _DOMAIN.pattern)  # how names are keyed


@dataclass
class Facts:
    """Every graph's facts together: term ids into ``terms`` (``ids`` is the reverse)."""

    terms: list
    ids: dict
    triples: np.ndarray     # (n, 3) s, p, o
    statements: np.ndarray  # (m, 6) s, p, o, negated, validFrom, validUntil; -1 when absent

    def __post_init__(self):
        self._masks: dict = {}

    def id(self, term: str) -> int:
        return self.ids.get(term, -1)

    def rows(self, predicate: str):
        """A boolean mask of the triples with this predicate (computed once per predicate)."""
        i = self.id(predicate)
        if i not in self._masks:
            self._masks[i] = self.triples[:, 1] == i
        return self._masks[i]

    def values(self, predicate: str) -> tuple[list, list]:
        """(subjects, objects) of the triples with this predicate, as term ids."""
        m = self.rows(predicate)
        return self.triples[m, 0].tolist(), self.triples[m, 2].tolist()


def extract(select, *, per_graph: bool) -> dict:
    """{graph: (triples, statements)} as strings, read with ``select`` (SPARQL -> rows of strings or None).

    ``per_graph=False`` reads the union as one graph named "" (a server store's default graph may hold data
    outside any named graph).
    """
    g, open_, close, group = ("?g ", "GRAPH ?g { ", " }", " GROUP BY ?g") if per_graph else ("", "", "", "")

    def rows(query, marks=""):
        found = select(query.format(g=g, open=open_, close=close, group=group).replace("MARKS", marks))
        return found if per_graph else [("", *row) for row in found]

    out: defaultdict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for graph, p, text in rows(_Q_PAIRS):
        items = text.split(" ") if text else []
        out[graph][0].extend(zip(items[0::2], [p] * (len(items) // 2), items[1::2]))
    for graph, cls, text in rows(_Q_TYPES):
        out[graph][0].extend((e, TYPE, cls) for e in (text.split(" ") if text else []))
    for graph, s, p, o in rows(_Q_VALUES):
        out[graph][0].append((s, p, o))
    for graph, text in rows(_Q_PLAIN):
        items = text.split(" ") if text else []
        out[graph][1].extend((a, p, b, None, None, None) for a, p, b in zip(items[0::3], items[1::3], items[2::3])
                             if p in _ACCESS_IRIS)
    marks = rows(_Q_MARKS)
    if marks:
        if all(blank in ("false", "0") and safe_iri(st) and (safe_iri(graph) or not per_graph)
               for graph, st, blank in marks):
            cells = [f"(<{graph}> <{st}>)" if per_graph else f"(<{st}>)" for graph, st, _ in marks]
            found = f"VALUES ({g}?st) {{ {' '.join(cells)} }}"
        else:
            found = f"{{ {open_}?st {_MARKS} ?m{close} }}"
        for graph, _, *row in rows(_Q_MARKED, found):
            if row[1] in _ACCESS_IRIS:
                out[graph][1].append(tuple(row))
    for triples, _ in out.values():  # a label's key, computed here once rather than at every build
        names = {o for _, p, o in triples if p in (LABEL, ALT_LABEL)}
        triples.extend((name, NORMALISED, normalise(name)) for name in sorted(names))
    return dict(out)


def _encode(found: dict, graphs=()) -> dict:
    """A file's content: one term table, and per graph integer arrays (None: the graph holds no facts)."""
    ids: dict = {}
    term = lambda x: -1 if x is None else ids.setdefault(x, len(ids))  # noqa: E731
    out: dict[str, tuple | None] = {name: None for name in graphs}
    for name, (triples, statements) in found.items():
        t = np.fromiter((term(x) for row in triples for x in row), dtype=np.int32, count=3 * len(triples))
        s = np.fromiter((term(x) for row in statements for x in row), dtype=np.int32, count=6 * len(statements))
        out[name] = (t.reshape(-1, 3), s.reshape(-1, 6))
    return {"terms": list(ids), "graphs": out}


def from_scratch(scratch: ox.Store, names) -> dict:
    """The facts of the graphs ``names`` as a write's in-memory scratch store holds them (absent: none)."""
    def select(query):
        return [tuple(None if t is None else t.value for t in sol) for sol in scratch.query(query, prefixes=PREFIXES)]

    names = [str(n) for n in names]
    found = {g: v for g, v in extract(select, per_graph=True).items() if g in names}
    return _encode(found, names)


def _fold(segments: list) -> dict:
    """One file's content from a chain: each graph as the last file that wrote it has it."""
    if len(segments) == 1:
        return segments[0]
    live = {}
    for i, seg in enumerate(segments):
        for name, table in seg["graphs"].items():
            live[name] = (i, table)
    used = sorted({i for i, table in live.values() if table is not None})
    # one term table for all (dict.fromkeys and map run in C: about 1 µs a term, less than a Python loop)
    terms = list(dict.fromkeys(chain.from_iterable(segments[i]["terms"] for i in used)))
    index = dict(zip(terms, range(len(terms))))
    remaps = {}
    for i in used:  # the last slot maps -1 (absent) to itself
        old = segments[i]["terms"]
        remaps[i] = np.append(np.fromiter(map(index.__getitem__, old), dtype=np.int32, count=len(old)), np.int32(-1))
    out = {name: (remaps[i][table[0]], remaps[i][table[1]]) for name, (i, table) in live.items() if table is not None}
    return {"terms": terms, "graphs": out}


def _facts(segment: dict) -> Facts:
    tables = [t for t in segment["graphs"].values() if t is not None]
    terms = segment["terms"]
    triples = np.concatenate([t[0] for t in tables]).astype(np.int64) if tables else np.zeros((0, 3), np.int64)
    statements = np.concatenate([t[1] for t in tables]).astype(np.int64) if tables else np.zeros((0, 6), np.int64)
    return Facts(terms=terms, ids=dict(zip(terms, range(len(terms)))), triples=triples, statements=statements)


# -- the files ----------------------------------------------------------------

def _folder(path) -> Path:
    return Path(path) / "cache" / LOG


def _files(folder: Path) -> list:
    """(seq, before, after, kind, path) of the log's files, in order."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found = [(int(m[1]), m[2], m[3], m[4], folder / name) for name in names if (m := _NAME.match(name))]
    return sorted(found)


def _tag(revision: str) -> str:
    return revision or "none"


def _chain(files: list, revision: str) -> list | None:
    """The files from the last that starts a chain (a base, or a write on the empty store) to ``revision``."""
    starts = [i for i, f in enumerate(files) if f[3] == "base" or f[1] == "none"]
    if not starts:
        return None
    chain = files[starts[-1]:]
    for prev, nxt in zip(chain, chain[1:]):
        if nxt[1] != prev[2]:
            return None
    return chain if chain[-1][2] == _tag(revision) else None


def _write(folder: Path, seq: int, before: str, after: str, kind: str, segment: dict) -> None:
    names = list(segment["graphs"])
    tables = [segment["graphs"][n] for n in names]
    present = np.array([t is not None for t in tables], dtype=bool)
    empty3, empty6 = np.zeros((0, 3), np.int32), np.zeros((0, 6), np.int32)
    terms, terms_end = safecache.pack_strings(segment["terms"])
    graph_names, names_end = safecache.pack_strings(names)
    arrays = {"terms": terms, "terms_end": terms_end, "names": graph_names, "names_end": names_end,
              "present": present,
              "tri": np.concatenate([empty3] + [t[0].astype(np.int32) for t in tables if t is not None]),
              "tri_n": np.array([len(t[0]) for t in tables if t is not None], dtype=np.int64),
              "st": np.concatenate([empty6] + [t[1].astype(np.int32) for t in tables if t is not None]),
              "st_n": np.array([len(t[1]) for t in tables if t is not None], dtype=np.int64)}
    safecache.save(folder / f"{seq:08d}.{_tag(before)}.{_tag(after)}.{kind}.npz", arrays)


def _segment(a: dict) -> dict:
    """A file's arrays back as a segment; ValueError/KeyError when they do not fit together."""
    terms = safecache.unpack_strings(a["terms"], a["terms_end"])
    names = safecache.unpack_strings(a["names"], a["names_end"])
    present, tri, st = a["present"], a["tri"], a["st"]
    tri_n, st_n = a["tri_n"].tolist(), a["st_n"].tolist()
    if (len(present) != len(names) or len(tri_n) != len(st_n) or len(tri_n) != int(present.sum())
            or tri.ndim != 2 or tri.shape[1] != 3 or st.ndim != 2 or st.shape[1] != 6
            or sum(tri_n) != len(tri) or sum(st_n) != len(st) or tri.dtype.kind != "i" or st.dtype.kind != "i"):
        raise ValueError("facts file does not fit together")
    if (tri.size and (tri.min() < -1 or tri.max() >= len(terms))) or (st.size and (st.min() < -1
                                                                                   or st.max() >= len(terms))):
        raise ValueError("facts file names unknown terms")
    graphs: dict[str, tuple | None] = {}
    i = j = 0
    tables = iter(zip(tri_n, st_n))
    for name, has in zip(names, present.tolist()):
        if not has:
            graphs[name] = None
            continue
        n, m = next(tables)
        graphs[name] = (tri[i:i + n], st[j:j + m])
        i, j = i + n, j + m
    return {"terms": terms, "graphs": graphs}


def _drop_before(files: list, seq: int) -> None:
    for f in files:
        if f[0] < seq:
            try:
                os.unlink(f[4])
            except FileNotFoundError:
                pass  # another reader folded the same chain


def record(path, before: str, after: str, segment: dict) -> None:
    """After a write from revision ``before`` to ``after``: add its facts to the log, if the log is current.

    Never raises: the store's write is done, and a log that falls behind only costs the next read a rebuild.
    """
    try:
        folder = _folder(path)
        files = _files(folder)
        if before and (not files or files[-1][2] != _tag(before)):
            return  # the log is behind the store already: the next read rebuilds it
        _write(folder, files[-1][0] + 1 if files else 1, before, after, "delta", segment)
    except OSError:
        pass


class _Follower:
    """Keeps the log as the store is written: the written graphs' facts, read from the scratch store."""

    before_write = staticmethod(from_scratch)
    after_write = staticmethod(record)


observe_writes(_Follower)


def read(store, revision: str) -> Facts:
    """The store's facts at ``revision``: from the log when its chain reaches it, else from the store."""
    path = getattr(store, "path", None)
    if path is None:
        return _facts(_encode(extract(store.select_values, per_graph=False)))
    folder = _folder(path)
    for _ in range(2):  # a second look if another reader folded the chain while this one read it
        files = _files(folder)
        chain = _chain(files, revision)
        segments = _load(chain) if chain else None
        if segments is not None or not chain:
            break
    if segments is None or len(segments) > _FOLD:
        segment = _fold(segments) if segments else _encode(extract(store.select_values, per_graph=True))
        seq = (files[-1][0] + 1) if files else 1
        try:
            _write(folder, seq, "", revision, "base", segment)
            _drop_before(files, seq)
            for old in folder.parent.glob("facts-*"):  # logs of other formats (older ones were pickles)
                if old != folder and old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass  # a read-only folder: answer anyway
        return _facts(segment)
    return _facts(_fold(segments))


def _load(chain: list) -> list | None:
    """The chain's files, or None if one is missing, torn or not a facts file (nothing in it is executed)."""
    segments = []
    try:
        for f in chain:
            segments.append(_segment(safecache.load(f[4], f[4].parent)))
    except (OSError, ValueError, KeyError, TypeError):  # safecache.BadCache is a ValueError
        return None
    return segments
