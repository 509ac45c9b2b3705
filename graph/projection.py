"""The reach projection: the store's access edges as integer arrays, for route search.

Only what route search needs is pulled, with a handful of SPARQL queries (so
a remote SPARQL server works as well as the embedded store):

* **edges**, each with a ``relation`` shown to users and the ``kind`` of hop
  it is (``use``/``buy``/``access``), the asserted fact it comes from, its
  validity (from the statements' ``validFrom``/``validUntil``; none = always)
  and whether it is ``disputed`` (one source asserts it, another negates it):

  ==============================  =================  =======
  asserted fact                   projected edge     kind
  ==============================  =================  =======
  S providesAccessTo X            S -> X             access
  S partOf P (services)           P -hasPart-> S     access
  S offeredBy / operatedBy O      O -offers-> S      use (only after A customerOf O)
  P developedBy / manufacturedBy  O -develops-> P    buy (chips, equipment, other
                                                     products; never models or services)
  A customerOf S/O                entry of A         use (buy into an org)
  ==============================  =================  =======

  ``customerOf`` facts are kept per actor (``customers``): they are ways in
  for that actor only, never edges another actor's route may take.
* **restrictions**, indexed by the node they restrict and by the place or
  actor they apply to (so a search reads only those that could reach its
  actor), with ``covers`` defaulted by kind when the data gives no
  ``coversHop``: an export control covers *buy* only, an access block or
  suspension *use* and *access*, a ban (or an unknown kind) every hop;
* **jurisdictions** with their ``partOf`` closure (a restriction on the EU
  reaches Italy; Hong Kong is inside China only if the data says so);
* ``availableIn``, ``basedIn``, ``subsidiaryOf`` and the name index.

A fact whose every statement is negated is dropped; one with both asserting
and negating statements is kept and marked disputed.

Why arrays: a million access edges as a NetworkX graph took tens of seconds
to build, ~15 s to unpickle and ~1 µs per edge to walk. Here nodes are
numbered in IRI order and edges sorted by (target, source, relation), so the
edges into ``v`` are one slice ``in_ptr[v]:in_ptr[v + 1]`` (and a NumPy view
of it, :meth:`Projection.arrays`); the arrays pickle as bytes.
:attr:`Projection.graph` still gives the NetworkX view.

Sources (document and quote) are not pulled: an answer shows a few dozen
facts, so they are read from the store for those facts when asked
(:meth:`Projection.sources`); the store read, not Python, is what a cold
build spends its time on (Oxigraph decodes every IRI of every row).

Building costs one pass over those rows, so :func:`load_projection` caches
it per ``store.revision()``: pickled under the store folder's ``cache/``
(written atomically; the folder is the user's own data, trusted like the
store itself) or, for a server store, in memory.
"""
import gc
import os
import pickle
import re
import sys
import tempfile
from array import array
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import networkx as nx
import numpy as np

from .errors import QueryError, StoreError
from .namespace import AIKG
from .resolve import match, normalise
from .store import EmbeddedStore, Store

__all__ = ["Projection", "Restriction", "build_projection", "load_projection", "assemble", "in_interval",
           "CACHE_VERSION", "USE", "BUY", "ACCESS", "HOP_NODES", "RELATIONS", "KINDS", "KIND_CODES", "SERVICE",
           "ORGANIZATION", "CUSTOMER_OF", "AVAILABLE_IN", "day", "singular"]

CACHE_VERSION = 3  # bump when Projection changes shape
USE, BUY, ACCESS = "use", "buy", "access"
HOP_NODES = {USE: str(AIKG.UseHop), BUY: str(AIKG.BuyHop), ACCESS: str(AIKG.AccessHop)}
_HOP_OF = {v: k for k, v in HOP_NODES.items()}
_COVERS_BY_KIND = {str(AIKG.ExportControl): frozenset({BUY}), str(AIKG.AccessBlock): frozenset({USE, ACCESS}),
                   str(AIKG.Suspension): frozenset({USE, ACCESS}), str(AIKG.Ban): frozenset({USE, BUY, ACCESS})}
_ALL_HOPS = frozenset({USE, BUY, ACCESS})

_P = {name: str(getattr(AIKG, name)) for name in (
    "customerOf", "providesAccessTo", "partOf", "offeredBy", "operatedBy", "developedBy", "manufacturedBy",
    "subsidiaryOf", "basedIn", "availableIn", "develops", "offers", "operates", "hasPart", "manufactures",
    "accessibleVia", "hasCustomer", "hasSubsidiary")}
# inverse -> canonical, so "Microsoft offers X" counts as "X offeredBy Microsoft"
_CANONICAL = {_P["develops"]: _P["developedBy"], _P["offers"]: _P["offeredBy"], _P["operates"]: _P["operatedBy"],
              _P["hasPart"]: _P["partOf"], _P["manufactures"]: _P["manufacturedBy"],
              _P["accessibleVia"]: _P["providesAccessTo"], _P["hasCustomer"]: _P["customerOf"],
              _P["hasSubsidiary"]: _P["subsidiaryOf"]}
_INVERSE = {v: k for k, v in _CANONICAL.items()}
_FACT_PREDS = ("customerOf", "providesAccessTo", "partOf", "offeredBy", "operatedBy", "developedBy",
               "manufacturedBy", "subsidiaryOf", "basedIn", "availableIn")
_INV_PREDS = ("develops", "offers", "operates", "hasPart", "manufactures", "accessibleVia", "hasCustomer",
              "hasSubsidiary")
_RESTRICTION_PREDS = ("restricts", "appliesIn", "appliesTo", "imposedBy", "effectiveFrom", "effectiveUntil", "kind",
                      "coversHop")
_TYPES = ("Organization", "Company", "Regulator", "CustomerSegment", "Jurisdiction", "Product", "AIModel", "Service",
          "Chip", "Equipment")
_BUYABLE_NOT = frozenset({"Service", "AIModel", "Organization", "Jurisdiction", "CustomerSegment"})

# Projected edges: an edge stores the index of its relation. Edge u -> v comes from
# the fact (u, predicate, v), or (v, predicate, u) when ``flipped``.
RELATIONS = (_P["providesAccessTo"], _P["hasPart"], _P["offers"], _P["operates"], _P["develops"],
             _P["manufactures"])
KINDS = (ACCESS, ACCESS, USE, USE, BUY, BUY)
_FACT_OF = ((_P["providesAccessTo"], False), (_P["partOf"], True), (_P["offeredBy"], True),
            (_P["operatedBy"], True), (_P["developedBy"], True), (_P["manufacturedBy"], True))
_EDGE_OF = {p: (i, flipped) for i, (p, flipped) in enumerate(_FACT_OF)}
KIND_CODES = {USE: 0, BUY: 1, ACCESS: 2}
_KIND_OF_RELATION = np.array([KIND_CODES[k] for k in KINDS], dtype=np.uint8)
_INT = np.dtype(f"i{array('i').itemsize}")  # array("i") is a C int
SERVICE, ORGANIZATION = 1, 2  # node flags
CUSTOMER_OF, AVAILABLE_IN = _P["customerOf"], _P["availableIn"]


def _values(names) -> str:
    return " ".join(f"aikg:{n}" for n in names)


# one query per predicate: a constant predicate is not decoded row by row
_Q_PAIRS = "SELECT ?s ?o WHERE {{ ?s aikg:{p} ?o FILTER(isIRI(?s) && isIRI(?o)) }}"
_Q_TYPED = "SELECT ?e WHERE {{ ?e a aikg:{t} FILTER(isIRI(?e)) }}"
# one row per restriction: "code value" pairs joined by a record separator (IRIs cannot hold it, labels do not)
_SEP = "\x1e"
_Q_RESTRICTIONS = f"""SELECT ?r (GROUP_CONCAT(CONCAT(?c, " ", STR(?o)); separator="{_SEP}") AS ?props) WHERE {{
  {{ SELECT DISTINCT ?r WHERE {{ ?r aikg:restricts ?x }} }}
  VALUES (?p ?c) {{ (rdfs:label "label") {" ".join(f'(aikg:{n} "{n}")' for n in _RESTRICTION_PREDS)} }}
  ?r ?p ?o }} GROUP BY ?r"""
_Q_DEMONYMS = "SELECT DISTINCT ?j ?d WHERE { ?j aikg:demonym ?d }"
# Only statements that negate a fact or date it change the search; the others are read when an answer cites
# them. First the facts they are about (one query per property: Oxigraph then starts from the rare property),
# then every statement of those facts.
_Q_MARKED = """SELECT DISTINCT ?s ?p ?o WHERE {{
  ?x aikg:{mark} ?m ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o FILTER(isIRI(?o)) }}"""
_Q_SPECIAL = """SELECT DISTINCT ?st ?i ?neg ?vf ?vu WHERE {
  VALUES (?i ?s ?p ?o) { ROWS }
  ?st a aikg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL { ?st aikg:negated ?neg } OPTIONAL { ?st aikg:validFrom ?vf } OPTIONAL { ?st aikg:validUntil ?vu } }"""
# Rows come back numbered (?i), not with their IRIs: Oxigraph decodes every IRI it returns, a number is free.
_SOURCE_PARTS = """OPTIONAL { ?st prov:wasDerivedFrom ?src
             OPTIONAL { ?src dcterms:title ?title } OPTIONAL { ?src rdfs:label ?label } }
  OPTIONAL { ?st aikg:quote ?quote } OPTIONAL { ?st aikg:negated ?neg }
  BIND(COALESCE(?title, ?label, STR(?src)) AS ?doc) }"""
# ROWS is replaced by the VALUES rows (IRIs from the store, checked by _safe_iri)
_Q_SOURCES = """SELECT DISTINCT ?i ?doc ?quote ?neg WHERE {
  VALUES (?i ?s ?p ?o) { ROWS }
  ?st a aikg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  """ + _SOURCE_PARTS
_Q_RESTRICTION_SOURCES = """SELECT DISTINCT ?i ?doc ?quote ?neg WHERE {
  VALUES (?i ?s) { ROWS } VALUES ?p { """ + _values(_FACT_PREDS + _INV_PREDS + _RESTRICTION_PREDS) + """ }
  ?st a aikg:Statement ; rdf:subject ?s ; rdf:predicate ?p .
  """ + _SOURCE_PARTS
# resolve.name_index's names; the ontology's own terms are dropped in Python (cheaper than NOT EXISTS)
_LABELS = """SELECT ?e ?name ?main WHERE {
  { ?e rdfs:label ?name BIND(true AS ?main) } UNION { ?e skos:altLabel ?name BIND(false AS ?main) }
  FILTER(isIRI(?e)) }"""
_ONTOLOGY_TERMS = (str(AIKG._NS), "https://w3id.org/aikg/ns")
_BAD_IRI = re.compile(r'[<>"{}|^`\\\s]')


def in_interval(at: str, start: str | None, end: str | None) -> bool:
    """Inclusive at both ends; a missing end is open. Dates are ISO strings.

    >>> in_interval("2024-07-09", "2024-07-09", None), in_interval("2024-07-08", "2024-07-09", None)
    (True, False)
    """
    return (start is None or start <= at) and (end is None or at <= end)


def day(date: str | None, default: int) -> int:
    """An ISO date as the number YYYYMMDD (``default`` when missing or not a date): dates compared as numbers.

    >>> day("2024-07-09", 0), day(None, 0)
    (20240709, 0)
    """
    digits = (date or "").replace("-", "")
    return int(digits) if digits.isdigit() else default


def _valid_at(valid, at: str) -> bool:
    return valid is None or any(in_interval(at, a, b) for a, b in valid)


@dataclass
class Restriction:
    id: str
    label: str | None = None
    restricts: list = field(default_factory=list)
    applies_in: frozenset = frozenset()
    applies_to: frozenset = frozenset()
    imposed_by: list = field(default_factory=list)
    effective_from: str | None = None
    effective_until: str | None = None
    kind: str | None = None
    covers: frozenset = _ALL_HOPS
    sources: list = field(default_factory=list)  # filled from the store when an answer shows it

    def in_force(self, at: str) -> bool:
        return in_interval(at, self.effective_from, self.effective_until)


@dataclass
class Projection:
    """Everything route search reads, built from one store state (``revision``)."""

    revision: str
    nodes: list             # node id -> IRI, in IRI order (equal routes come out in that order)
    ids: dict               # IRI -> node id
    src: array              # edge id -> source node; edges sorted by (target, source, relation)
    dst: array              # edge id -> target node
    rel: bytes              # edge id -> index into RELATIONS (and KINDS)
    in_ptr: array           # the edges into v are in_ptr[v] .. in_ptr[v + 1] - 1
    out_edges: array        # edge ids by source: those out of u are out_edges[out_ptr[u]:out_ptr[u + 1]]
    out_ptr: array
    flags: bytes            # node id -> SERVICE | ORGANIZATION
    dated: dict             # edge id -> ((from, until), ...), only for edges whose sources give dates
    disputed: frozenset     # edge ids whose sources disagree
    labels: dict            # node -> main label
    types: dict             # node -> frozenset of aikg class local names
    restrictions: dict      # id -> Restriction
    restricted: dict        # node -> [restriction id]
    scoped: dict            # jurisdiction it applies in, else actor it applies to, else None -> [restriction id]
    parents: dict           # jurisdiction -> frozenset of enclosing jurisdictions (closure, itself excluded)
    places: dict            # normalised place name or demonym -> frozenset of jurisdictions
    based_in: dict          # node -> frozenset of jurisdictions
    owners: dict            # organization -> [owner]  (subsidiaryOf)
    available: dict         # product -> frozenset of jurisdictions (availableIn)
    offered_in: dict        # jurisdiction -> frozenset of products available there
    customers: dict         # actor -> node ids (array) of the organizations and services it is customerOf
    facts: dict             # fact key -> {"disputed", "valid"}: only facts whose sources disagree or give dates
    names: dict             # resolve.name_index shape
    vendors: dict = field(default_factory=dict)   # buyable product -> [vendor]
    # (singular head noun of a CustomerSegment's label, a jurisdiction in the closure of where it is based,
    # or None when based nowhere) -> [segment]
    segments: dict = field(default_factory=dict)
    store: Store | None = field(default=None, repr=False, compare=False)  # where sources are read; not pickled

    def __post_init__(self):
        self._evidence: dict = {}   # fact key or restriction id -> sources, read on demand
        self._graph = self._np = None

    def __getstate__(self):  # the store handle and what is rebuilt on demand stay out of the cache
        return {k: v for k, v in self.__dict__.items() if k not in ("store", "_evidence", "_graph", "_np")}

    def __setstate__(self, state):
        self.__dict__.update(state, store=None)
        self.__post_init__()

    def arrays(self) -> dict:
        """NumPy views of the edges and per-node masks, for ranking many edges at once (built on first use)."""
        if self._np is None:
            self._np = {"src": np.frombuffer(self.src, dtype=_INT), "flags": np.frombuffer(self.flags, dtype=np.uint8),
                        "kind": _KIND_OF_RELATION[np.frombuffer(self.rel, dtype=np.uint8)],
                        "dated": np.array(sorted(self.dated), dtype=np.int64),
                        "disputed": np.array(sorted(self.disputed), dtype=np.int64), "offered": {}, "scopes": {}}
        return self._np

    def scope_rows(self, scope) -> dict:
        """The restrictions ``scoped`` under ``scope`` as NumPy columns, a row per node restricted: ``node``,
        ``start`` and ``end`` (YYYYMMDD; open ends 0 and 99999999), ``covers`` (bit ``1 << KIND_CODES[kind]``),
        ``check`` (it also names whom it applies to) and ``rid`` (index into ``scoped[scope]``)."""
        cache = self.arrays()["scopes"]
        if scope not in cache:
            rows = []
            for i, rid in enumerate(self.scoped.get(scope, ())):
                r = self.restrictions[rid]
                bits = sum(1 << KIND_CODES[k] for k in r.covers)
                rows += [(self.ids[n], day(r.effective_from, 0), day(r.effective_until, 99_999_999), bits,
                          bool(r.applies_to), i) for n in r.restricts if n in self.ids]
            table = np.array(rows, dtype=np.int64).reshape(-1, 6)
            cache[scope] = dict(zip(("node", "start", "end", "covers", "check", "rid"), table.T))
        return cache[scope]

    def offered_ids(self, j: str):
        """The node ids of the products available in ``j`` (NumPy, cached)."""
        cache = self.arrays()["offered"]
        if j not in cache:
            found = sorted(self.ids[x] for x in self.offered_in.get(j, ()) if x in self.ids)
            cache[j] = np.array(found, dtype=np.int64)
        return cache[j]

    # -- names --------------------------------------------------------------
    def label(self, node: str) -> str:
        return self.labels.get(node) or node.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def node(self, node: str) -> dict:
        return {"id": node, "label": self.label(node)}

    def lookup(self, name: str, *, suggest: bool = True) -> str:
        """The one entity named ``name`` (label or alias); NotFound/Ambiguous with close candidates."""
        if name.startswith(("http://", "https://", "urn:")):
            return name
        return str(match(self.names, name, self.label, suggest=suggest))

    # -- edges ----------------------------------------------------------------
    @property
    def edge_count(self) -> int:
        return len(self.src)

    def edge_fact(self, e: int) -> tuple:
        """The asserted fact (s, p, o) edge ``e`` comes from."""
        p, flipped = _FACT_OF[self.rel[e]]
        u, v = self.nodes[self.src[e]], self.nodes[self.dst[e]]
        return (v, p, u) if flipped else (u, p, v)

    def edge_valid(self, e: int, at: str) -> bool:
        return _valid_at(self.dated.get(e), at)

    def in_edges(self, node: str, relation: str | None = None) -> list:
        """(source IRI, edge id) of the edges into ``node``, optionally of one relation."""
        v = self.ids.get(node)
        if v is None:
            return []
        r = None if relation is None else RELATIONS.index(relation)
        return [(self.nodes[self.src[e]], e) for e in range(self.in_ptr[v], self.in_ptr[v + 1])
                if r is None or self.rel[e] == r]

    def out_edges_of(self, node: str, relation: str | None = None) -> list:
        """(target IRI, edge id) of the edges out of ``node``, optionally of one relation."""
        u = self.ids.get(node)
        if u is None:
            return []
        r = None if relation is None else RELATIONS.index(relation)
        edges = self.out_edges[self.out_ptr[u]:self.out_ptr[u + 1]]
        return [(self.nodes[self.dst[e]], e) for e in edges if r is None or self.rel[e] == r]

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The projection as a NetworkX graph (built on first use; search does not need it).

        Edges are keyed by relation and carry ``kind``, ``fact``, ``valid`` and
        ``disputed``; ``customerOf`` entries are edges too.
        """
        if self._graph is None:
            g = nx.MultiDiGraph()
            g.add_nodes_from((n, {"label": self.labels.get(n)}) for n in self.nodes)
            g.add_edges_from((self.nodes[self.src[e]], self.nodes[self.dst[e]], RELATIONS[self.rel[e]],
                              {"kind": KINDS[self.rel[e]], "fact": self.edge_fact(e), "valid": self.dated.get(e),
                               "disputed": e in self.disputed}) for e in range(self.edge_count))
            for a in self.customers:
                for t in self.customer_of(a):
                    key = (a, CUSTOMER_OF, t)
                    info = self.facts.get(key) or {}
                    g.add_edge(a, t, CUSTOMER_OF, kind=USE if self.is_a(t, "Service") else BUY, fact=key,
                               valid=info.get("valid"), disputed=bool(info.get("disputed")))
            self._graph = g
        return self._graph

    # -- facts --------------------------------------------------------------
    def customer_of(self, actor: str) -> frozenset:
        """What ``actor`` is ``customerOf`` (organizations and services)."""
        return frozenset(self.nodes[i] for i in self.customers.get(actor, ()))

    def is_a(self, node: str, *classes: str) -> bool:
        return bool(self.types.get(node, frozenset()).intersection(classes))

    def closure(self, places) -> frozenset:
        """The jurisdictions and every one that contains them (``partOf``, transitively)."""
        return _closure(self.parents, places)

    def fact_valid(self, key, at: str) -> bool:
        info = self.facts.get(key)
        return _valid_at(info["valid"] if info else None, at)

    def fact_disputed(self, key) -> bool:
        info = self.facts.get(key)
        return bool(info and info["disputed"])

    def availability(self, product: str, places, at: str) -> list:
        """Fact keys saying ``product`` is available in one of ``places`` at ``at``."""
        where = self.available.get(product)
        if not where:
            return []
        return [key for j in places if j in where and self.fact_valid(key := (product, AVAILABLE_IN, j), at)]

    # -- sources (read from the store on demand) ------------------------------
    def sources(self, key) -> list:
        """Documents and quotes asserting (or negating, ``"negated": True``) the fact ``key``."""
        self.fetch_sources([key])
        return list(self._evidence.get(key, []))

    def restriction_sources(self, rid: str) -> list:
        """Sources of every statement about restriction ``rid``."""
        r = self.restrictions.get(rid)
        if r is not None and r.sources:
            return list(r.sources)
        self.fetch_sources((), [rid])
        return list(self._evidence.get(("restriction", rid), []))

    def fetch_sources(self, keys, restrictions=()) -> None:
        """Read the sources of these facts and restrictions in one query each, unless already read."""
        keys = [k for k in dict.fromkeys(keys) if k not in self._evidence and all(map(_safe_iri, k))]
        rids = [r for r in dict.fromkeys(restrictions) if ("restriction", r) not in self._evidence and _safe_iri(r)]
        if not keys and not rids:
            return
        if self.store is None:
            raise StoreError("this projection is not attached to a store, so it cannot cite sources")
        found = defaultdict(list)
        if keys:
            forms = []
            for s, p, o in keys:
                forms.append(((s, p, o), (s, p, o)))
                if p in _INVERSE:  # "Microsoft offers X" is a source for "X offeredBy Microsoft"
                    forms.append(((o, _INVERSE[p], s), (s, p, o)))
            rows = " ".join(f"({i} <{s}> <{p}> <{o}>)" for i, ((s, p, o), _) in enumerate(forms))
            for i, *source in _rows(self.store, _Q_SOURCES.replace("ROWS", rows)):
                found[forms[int(i)][1]].append(_source(*source))
        if rids:
            rows = " ".join(f"({i} <{r}>)" for i, r in enumerate(rids))
            for i, *source in _rows(self.store, _Q_RESTRICTION_SOURCES.replace("ROWS", rows)):
                found[("restriction", rids[int(i)])].append(_source(*source))
        for key in keys + [("restriction", r) for r in rids]:
            unique = {tuple(sorted(s.items())): s for s in found.get(key, [])}.values()
            # asserting sources first, then those that say the opposite; each by document and quote
            self._evidence[key] = sorted(unique, key=lambda d: (bool(d.get("negated")), str(d.get("document")),
                                                                str(d.get("quote"))))


def _safe_iri(x) -> bool:
    return isinstance(x, str) and bool(x) and not _BAD_IRI.search(x)


def _source(document, quote, negated) -> dict:
    out = {"document": document, "quote": quote}
    if negated in ("true", "1"):
        out["negated"] = True
    return out


def _check_open(store: Store) -> None:
    if isinstance(store, EmbeddedStore) and getattr(store, "_ox", None) is None:  # no public "closed" yet
        raise StoreError(f"the store at {store.location} is closed")


def _rows(store: Store, sparql: str) -> list[tuple]:
    """SELECT rows as plain strings (None when unbound): a million rdflib terms would cost seconds."""
    _check_open(store)
    return store.select_values(sparql)


def _pairs(store: Store, sparql: str) -> list[tuple]:
    """Rows of two always-bound columns: the bulk of a build, so on the embedded store the loop over
    Oxigraph's solutions is as plain as it gets."""
    _check_open(store)
    if not isinstance(store, EmbeddedStore):
        return [(a, b) for a, b in store.select_values(sparql)]
    try:  # Oxigraph evaluates lazily: errors may come while the rows are read
        return [(sol[0].value, sol[1].value) for sol in store.engine_query(sparql)]
    except (SyntaxError, OSError, ValueError, RuntimeError) as e:
        raise QueryError(f"projection query failed: {e}") from e


def singular(word: str) -> str:
    """Crude English singular, enough to compare head nouns: ``operators`` -> ``operator``."""
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _date(term) -> str | None:
    return None if term is None else str(term)[:10]


def _special_facts(store: Store) -> dict:
    """Facts some statement negates or dates: {key: {"disputed", "denied", "valid"}}."""
    preds = {_P[n] for n in _FACT_PREDS + _INV_PREDS}
    marked = sorted({row for mark in ("negated", "validFrom", "validUntil")
                     for row in _rows(store, _Q_MARKED.format(mark=mark))
                     if row[1] in preds and all(map(_safe_iri, row))})
    pos, neg, valid, nodated = set(), set(), defaultdict(set), set()
    rows = " ".join(f"({i} <{s}> <{p}> <{o}>)" for i, (s, p, o) in enumerate(marked))
    for _, i, negated, vf, vu in _rows(store, _Q_SPECIAL.replace("ROWS", rows)) if marked else ():
        s, p, o = marked[int(i)]
        if p in _CANONICAL:
            s, p, o = o, _CANONICAL[p], s
        key = (s, p, o)
        if negated in ("true", "1"):
            neg.add(key)
            continue
        pos.add(key)
        if vf is None and vu is None:
            nodated.add(key)
        else:
            valid[key].add((_date(vf), _date(vu)))
    return {key: {"disputed": key in pos and key in neg, "denied": key in neg and key not in pos,
                  "valid": None if key in nodated or key not in valid else tuple(sorted(valid[key], key=str))}
            for key in pos | neg}


def _closure(parents: dict, places) -> frozenset:
    out = set(places)
    for j in places:
        out |= parents.get(j, frozenset())
    return frozenset(out)


def _parents(partof: dict) -> dict:
    out = {}
    for j in partof:
        seen, stack = set(), list(partof[j])
        while stack:
            p = stack.pop()
            if p not in seen and p != j:
                seen.add(p)
                stack.extend(partof.get(p, ()))
        out[j] = frozenset(seen)
    return out


def _array(values) -> array:
    return array("i", np.ascontiguousarray(values, dtype=_INT).tobytes())


def _index(n: int, keys) -> dict:
    """The edge arrays of ``n`` nodes; ``keys`` are the edges sorted, each packed in one int (see assemble)."""
    width = len(RELATIONS)
    rel, rest = keys % width, keys // width
    src, dst = rest % max(n, 1), rest // max(n, 1)
    in_ptr = np.searchsorted(dst, np.arange(n + 1))
    out_edges = np.argsort(src, kind="stable")
    out_ptr = np.searchsorted(src[out_edges], np.arange(n + 1))
    return {"src": _array(src), "dst": _array(dst), "rel": rel.astype(np.uint8).tobytes(), "in_ptr": _array(in_ptr),
            "out_edges": _array(out_edges), "out_ptr": _array(out_ptr)}


def assemble(revision: str, edges, *, types: dict, dated: dict | None = None, disputed=(), **parts) -> Projection:
    """A :class:`Projection` from plain parts.

    ``edges`` are (source, target, relation index) IRIs; ``dated`` maps some
    of them to their validity intervals and ``disputed`` lists those whose
    sources disagree. Every other field of :class:`Projection` but the
    arrays is given by name (``labels``, ``restrictions``, ...).
    """
    edges = list(edges)
    universe = set(types)
    universe.update(map(itemgetter(0), edges))  # map and itemgetter: the loops run in C
    universe.update(map(itemgetter(1), edges))
    for a, targets in parts.get("customers", {}).items():
        universe.add(a)
        universe.update(targets)
    nodes = sorted(universe)
    ids = {x: i for i, x in enumerate(nodes)}
    n, width = len(nodes), len(RELATIONS)

    def column(i, to_int=ids.__getitem__):
        return np.fromiter(map(to_int, map(itemgetter(i), edges)), dtype=np.int64, count=len(edges))

    # an edge packed as (target, source, relation) in one int: sorting the ints sorts the edges
    keys = np.unique((column(1) * n + column(0)) * width + column(2, int))
    arrays = _index(n, keys)

    def edge_id(u, v, r):
        if u not in ids or v not in ids:
            return None
        key = (ids[v] * n + ids[u]) * width + r
        e = int(np.searchsorted(keys, key))
        return e if e < len(keys) and keys[e] == key else None

    dated_ids = {e: valid for edge, valid in (dated or {}).items() if (e := edge_id(*edge)) is not None}
    disputed_ids = frozenset(e for edge in disputed if (e := edge_id(*edge)) is not None)
    flags = bytes((SERVICE if "Service" in types.get(x, ()) else 0)
                  | (ORGANIZATION if "Organization" in types.get(x, ()) else 0) for x in nodes)
    offered_in = defaultdict(set)
    for product, where in parts.setdefault("available", {}).items():
        for j in where:
            offered_in[j].add(product)
    parts["offered_in"] = {j: frozenset(v) for j, v in offered_in.items()}
    for name in ("labels", "restrictions", "restricted", "parents", "places", "based_in", "owners", "customers",
                 "facts", "names"):
        parts.setdefault(name, {})
    # node ids in arrays: half a million customer links pickle as bytes, not as strings
    parts["customers"] = {a: _array(np.sort(np.fromiter(map(ids.__getitem__, targets), dtype=np.int64)))
                          for a, targets in parts["customers"].items()}
    scoped = defaultdict(list)  # so a search reads only the restrictions that could reach its actor
    for rid, r in sorted(parts["restrictions"].items()):
        for scope in sorted(r.applies_in) or sorted(r.applies_to) or [None]:
            scoped[scope].append(rid)
    parts["scoped"] = dict(scoped)
    return Projection(revision=revision, nodes=nodes, ids=ids, flags=flags, dated=dated_ids, disputed=disputed_ids,
                      types=types, **arrays, **parts)


def build_projection(store: Store) -> Projection:
    """Read the access edges, restrictions and jurisdictions of ``store`` into a :class:`Projection`."""
    revision = store.revision()
    names, labels = defaultdict(list), {}
    for e, name, main in _rows(store, _LABELS):
        if e.startswith(_ONTOLOGY_TERMS):
            continue
        e, main = sys.intern(e), main in ("true", "1")
        names[normalise(name)].append((e, main, name))
        if main:
            labels.setdefault(e, name)
    names = dict(names)
    types = defaultdict(set)
    for t in _TYPES:
        for e, in _rows(store, _Q_TYPED.format(t=t)):
            types[sys.intern(e)].add(t)
    facts = _special_facts(store)

    pairs = {}  # canonical predicate -> set of (s, o)
    for name in _FACT_PREDS:
        pairs[_P[name]] = set(_pairs(store, _Q_PAIRS.format(p=name)))
    for name in _INV_PREDS:
        found = _pairs(store, _Q_PAIRS.format(p=name))
        if found:
            pairs[_CANONICAL[_P[name]]].update((o, s) for s, o in found)
    for (s, p, o), info in facts.items():
        if info["denied"] and p in pairs:
            pairs[p].discard((s, o))  # asserted, yet every source about it says it does not hold
    # domains say what a node is when the data gives no type
    for p, roles in ((_P["providesAccessTo"], ("Service", None)), (_P["offeredBy"], ("Service", "Organization")),
                     (_P["operatedBy"], ("Service", "Organization")), (_P["developedBy"], (None, "Organization")),
                     (_P["manufacturedBy"], (None, "Organization")),
                     (_P["subsidiaryOf"], ("Organization", "Organization")), (_P["basedIn"], (None, "Jurisdiction")),
                     (_P["availableIn"], (None, "Jurisdiction"))):
        for side, t in enumerate(roles):
            if t:
                for x in {row[side] for row in pairs[p]}:
                    types[x].add(t)
    shared = {}  # one frozenset object per distinct set of types: smaller pickle
    for k, v in types.items():
        if v & {"Company", "Regulator"}:
            v.add("Organization")
        types[k] = shared.setdefault(frozenset(v), frozenset(v))
    types = dict(types)
    is_j = lambda n: "Jurisdiction" in types.get(n, ())  # noqa: E731

    edges, vendors, partof_j = [], defaultdict(list), defaultdict(set)
    edges.extend((s, o, 0) for s, o in pairs[_P["providesAccessTo"]])
    for s, o in pairs[_P["partOf"]]:
        if is_j(s) or is_j(o):
            partof_j[s].add(o)
        else:
            edges.append((o, s, 1))
    edges.extend((o, s, 2) for s, o in pairs[_P["offeredBy"]])
    edges.extend((o, s, 3) for s, o in pairs[_P["operatedBy"]])
    for p, r in ((_P["developedBy"], 4), (_P["manufacturedBy"], 5)):
        for s, o in sorted(pairs[p]):
            if not types.get(s, frozenset()) & _BUYABLE_NOT:
                edges.append((o, s, r))
                if o not in vendors[s]:
                    vendors[s].append(o)
    dated, disputed = {}, []
    for key, info in facts.items():
        if key[1] in _EDGE_OF:
            r, flipped = _EDGE_OF[key[1]]
            edge = (key[2], key[0], r) if flipped else (key[0], key[2], r)
            if info["valid"] is not None:
                dated[edge] = info["valid"]
            if info["disputed"]:
                disputed.append(edge)
    customers = defaultdict(set)
    for s, o in pairs[_P["customerOf"]]:
        customers[s].add(o)
    owners = defaultdict(list)
    for s, o in sorted(pairs[_P["subsidiaryOf"]]):
        if s != o:
            owners[s].append(o)
    based_in, available = defaultdict(set), defaultdict(set)
    for s, o in pairs[_P["basedIn"]]:
        based_in[s].add(sys.intern(o))  # one object per place: the cache pickles it once
    for s, o in pairs[_P["availableIn"]]:
        available[s].add(sys.intern(o))

    restrictions = _restrictions(store)
    restricted = defaultdict(list)
    for r in sorted(restrictions.values(), key=lambda r: r.id):
        for target in r.restricts:
            restricted[target].append(r.id)

    parents = _parents(partof_j)
    places = defaultdict(set)
    jurisdictions = {n for n, t in types.items() if "Jurisdiction" in t} | set(partof_j)
    for key, entries in names.items():
        for e, _, _ in entries:
            if e in jurisdictions:
                places[key].add(e)
    for j, d in _rows(store, _Q_DEMONYMS):
        places[normalise(str(d))].add(sys.intern(j))

    segments = defaultdict(list)  # indexed by where they are, so an actor finds its own without a scan
    for n, t in sorted(types.items()):
        if "CustomerSegment" in t:
            words = normalise(labels.get(n, "")).split()
            if words:
                based = based_in.get(n)
                for j in sorted(_closure(parents, based)) if based else [None]:
                    segments[(singular(words[-1]), j)].append(n)

    proj = assemble(
        revision, edges, types=types, dated=dated, disputed=disputed, segments=dict(segments), labels=labels,
        restrictions=restrictions, restricted=dict(restricted), parents=parents,
        places={k: frozenset(v) for k, v in places.items()}, based_in={k: frozenset(v) for k, v in based_in.items()},
        owners=dict(owners), available={k: frozenset(v) for k, v in available.items()},
        customers=customers,
        facts={k: {"disputed": v["disputed"], "valid": v["valid"]} for k, v in facts.items() if not v["denied"]},
        names=names, vendors=dict(vendors))
    proj.store = store
    return proj


def _restrictions(store: Store) -> dict:
    out: dict[str, Restriction] = {}
    sets = defaultdict(lambda: defaultdict(set))
    for r, props in _rows(store, _Q_RESTRICTIONS):
        r = sys.intern(r)
        out[r] = Restriction(id=r)
        for prop in props.split(_SEP):
            local, _, o = prop.partition(" ")
            sets[r][local].add(o[:10] if local in ("effectiveFrom", "effectiveUntil") else o)
    for r, item in out.items():
        s = sets[r]
        item.label = min(s["label"]) if s["label"] else None
        item.restricts = sorted(s["restricts"])
        item.applies_in = frozenset(s["appliesIn"])
        item.applies_to = frozenset(s["appliesTo"])
        item.imposed_by = sorted(s["imposedBy"])
        # sources that disagree on a date: the widest reading, so no block is missed
        item.effective_from = min(s["effectiveFrom"]) if s["effectiveFrom"] else None
        item.effective_until = max(s["effectiveUntil"]) if s["effectiveUntil"] else None
        item.kind = sorted(s["kind"])[0] if s["kind"] else None
        covers = {_HOP_OF[h] for h in s["coversHop"] if h in _HOP_OF}
        item.covers = frozenset(covers) if covers else _COVERS_BY_KIND.get(item.kind, _ALL_HOPS)
    return out


# -- cache ------------------------------------------------------------------

_MEMORY: dict = {}


@contextmanager
def _no_gc():
    """Unpickling a million objects sets off the cycle collector again and again (2-3x the time) for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cache_file(store: Store) -> Path | None:
    path = getattr(store, "path", None)
    return Path(path) / "cache" / f"projection-v{CACHE_VERSION}.pickle" if path is not None else None


def load_projection(store: Store) -> Projection:
    """The projection for the store's current revision, from the cache when it is current."""
    revision = store.revision()
    file = _cache_file(store)
    if file is None:
        cached = _MEMORY.get(store.location)
        if cached is not None and cached.revision == revision:
            cached.store = store
            return cached
        proj = build_projection(store)
        _MEMORY[store.location] = proj
        return proj
    try:
        with open(file, "rb") as fh, _no_gc():
            cached = pickle.load(fh)
        if isinstance(cached, Projection) and cached.revision == revision:
            cached.store = store
            return cached
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        pass  # missing, stale format or torn: rebuild
    proj = build_projection(store)
    try:
        file.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".projection-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh, _no_gc():
                pickle.dump(proj, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, file)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only store folder still answers, just without a cache
    return proj
