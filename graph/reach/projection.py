"""The reach projection: the store's access edges as integer arrays, for route search, and its facts between
entities, for the graph view.

Only what route search and the graph view need is pulled, with a handful of SPARQL queries (so
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
* ``availableIn``, ``basedIn``, ``subsidiaryOf`` and the name index;
* for the graph view, every fact stated between entities (``links``: the
  access facts and the others, such as ``investedIn``) and each entity's
  classes as its ``rdf:type`` states them (``classes``).

A fact whose every statement is negated is dropped; one with both asserting
and negating statements is kept and marked disputed.

Why arrays: a million access edges as a NetworkX graph took tens of seconds
to build, ~15 s to unpickle and ~1 µs per edge to walk. Here nodes are
numbered in IRI order and edges sorted by (target, source, relation), so the
edges into ``v`` are one slice ``in_ptr[v]:in_ptr[v + 1]`` (and a NumPy view
of it, :meth:`Projection.arrays`).
:attr:`Projection.graph` still gives the NetworkX view.

Sources (document and quote) are not pulled: an answer shows a few dozen
facts, so they are read from the store for those facts when asked
(:meth:`Projection.sources`); the store read, not Python, is what a cold
build spends its time on (Oxigraph decodes every IRI of every row).

Building costs one pass over those rows, so :func:`load_projection` caches
it per ``store.revision()``: under the store folder's ``cache/`` as NumPy
arrays and tagged JSON (:mod:`aikg.store.safecache`: nothing read back can run
code, since store folders are copied and shared), named by a small JSON
manifest; or, for a server store, in memory.
"""
import gc
import json
import re
from array import array
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from operator import itemgetter
from pathlib import Path

import networkx as nx
import numpy as np

from ..errors import OntologyError, StoreError
from ..facts import factlog
from ..facts.factlog import (
    CLASSES,
    DRAWN_INVERSES,
    DRAWN_PREDICATES,
    ENTITY_CLASSES,
    INVERSE_PREDICATES,
    PROJECTED_PREDICATES,
    RESTRICTION_DATES,
    RESTRICTION_PREDICATES,
)
from ..model import model
from ..names.resolve import match, normalise
from ..namespace import AIKG
from ..sparql.queries import aikg_terms, safe_iri
from ..store import safecache
from ..store.base import Store
from ..store.embedded import EmbeddedStore
from .records import Node

__all__ = ["Projection", "Restriction", "build_projection", "load_projection", "assemble", "in_interval",
           "CACHE_VERSION", "USE", "BUY", "ACCESS", "HOP_NODES", "RELATIONS", "KINDS", "KIND_CODES", "SERVICE",
           "ORGANIZATION", "CUSTOMER_OF", "AVAILABLE_IN", "NOT_BUYABLE", "LINKS", "ENTITY_CLASSES", "day", "singular"]

_MODEL = model()
USE, BUY, ACCESS = "use", "buy", "access"  # the hop kinds route search treats each in its own way
HOP_NODES = dict(_MODEL.hop_kinds)  # label -> aikg:HopKind individual
if not {USE, BUY, ACCESS} <= set(HOP_NODES):
    raise OntologyError(f"the ontology in {_MODEL.folder} lacks one of the hop kinds use, buy and access")
_HOP_OF = {v: k for k, v in HOP_NODES.items()}
_COVERS_BY_KIND = {iri: k.covers for iri, k in _MODEL.restriction_kinds.items()}  # aikg:coversByDefault
_ALL_HOPS = frozenset(HOP_NODES)

_P = {name: _MODEL.iri(name) for name in DRAWN_PREDICATES + tuple(DRAWN_INVERSES)}
_CANONICAL = {_P[inverse]: _P[name] for inverse, name in DRAWN_INVERSES.items()}  # "offers" -> "offeredBy"
_INVERSE = {v: k for k, v in _CANONICAL.items()}
_RESTRICTION_PREDS = RESTRICTION_PREDICATES + RESTRICTION_DATES
# what is not bought from its developer or maker (a model or a service is used, an organization bought into)
NOT_BUYABLE = frozenset({"Service", "AIModel", "Organization", "Jurisdiction", "CustomerSegment"})

# Projected edges: an edge stores the index of its relation, a property with an aikg:hopKind. Edge u -> v
# comes from the fact (u, predicate, v), or (v, predicate, u) when ``flipped`` (the relation is an inverse).
_HOPS = _MODEL.hops()
RELATIONS = tuple(_MODEL.iri(name) for name, _, _ in _HOPS)
KINDS = tuple(_MODEL.properties[name].hop for name, _, _ in _HOPS)
_FACT_OF = tuple((_MODEL.iri(fact), flipped) for _, fact, flipped in _HOPS)
_EDGE_OF = {p: (i, flipped) for i, (p, flipped) in enumerate(_FACT_OF)}
KIND_CODES = {USE: 0, BUY: 1, ACCESS: 2}
_KIND_OF_RELATION = np.array([KIND_CODES[k] for k in KINDS], dtype=np.uint8)
_INT = np.dtype(f"i{array('i').itemsize}")  # array("i") is a C int
SERVICE, ORGANIZATION = 1, 2  # node flags
CUSTOMER_OF, AVAILABLE_IN = _P["customerOf"], _P["availableIn"]
# The facts the graph view draws (a link stores the index of its predicate here), in their stated direction
LINKS = tuple(_P[name] for name in DRAWN_PREDICATES)
if len(ENTITY_CLASSES) > 63:
    raise OntologyError(f"the ontology in {_MODEL.folder} has more than 63 entity classes; the projection keeps "
                        "an entity's classes as the bits of one 64-bit number")


# Rows come back numbered (?i), not with their IRIs: Oxigraph decodes every IRI it returns, a number is free.
_SOURCE_PARTS = """OPTIONAL { ?st prov:wasDerivedFrom ?src
             OPTIONAL { ?src dcterms:title ?title } OPTIONAL { ?src rdfs:label ?label } }
  OPTIONAL { ?st aikg:quote ?quote } OPTIONAL { ?st aikg:negated ?neg }
  BIND(COALESCE(?title, ?label, STR(?src)) AS ?doc) }"""
# ROWS is replaced by the VALUES rows (IRIs from the store, checked by safe_iri)
_Q_SOURCES = """SELECT DISTINCT ?i ?doc ?quote ?neg WHERE {
  VALUES (?i ?s ?p ?o) { ROWS }
  ?st a aikg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  """ + _SOURCE_PARTS
_Q_RESTRICTION_SOURCES = """SELECT DISTINCT ?i ?doc ?quote ?neg WHERE {
  VALUES (?i ?s) { ROWS }
  VALUES ?p { """ + aikg_terms(PROJECTED_PREDICATES + INVERSE_PREDICATES + _RESTRICTION_PREDS) + """ }
  ?st a aikg:Statement ; rdf:subject ?s ; rdf:predicate ?p .
  """ + _SOURCE_PARTS
# VALUES rows per sources query: Oxigraph's join slows down with long VALUES blocks (4,000 facts of the reference
# data: 2.1 s in one query, 0.33 s in blocks of 64 to 256)
_SOURCE_BATCH = 128
_ONTOLOGY_TERMS = (str(AIKG._NS), "https://w3id.org/aikg/ns")


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
    # every fact the graph view draws, as node ids and an index into LINKS, sorted by (subject, predicate, object)
    link_src: array = field(default_factory=lambda: array("i"))
    link_dst: array = field(default_factory=lambda: array("i"))
    link_rel: bytes = b""
    classes: array = field(default_factory=lambda: array("q"))  # node id -> bit i set if rdf:type ENTITY_CLASSES[i]
    more_aliases: dict = field(default_factory=dict)  # node -> aliases, for entities the name index leaves out
    store: Store | None = field(default=None, repr=False, compare=False)  # where sources are read; not cached

    def __post_init__(self):
        self._evidence: dict = {}   # fact key or restriction id -> sources, read on demand
        self._nodes: dict = {}      # node -> its record (Projection.node)
        self._records: dict = {}    # key -> a record made from this projection alone (Projection.record)
        self._aliases: dict | None = None  # node -> its aliases (Projection.aliases)
        self._graph = self._np = None

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

    def node(self, node: str) -> Node:
        """The node as a record, made once: an answer names the same nodes many times."""
        record = self._nodes.get(node)
        if record is None:
            record = self._nodes[node] = Node(node, self.label(node))
        return record

    def record(self, key, make):
        """``make()``, made once per ``key``: what an answer shows of a node or a fact (its context, its sources)
        depends on the projection alone, and answers show the same few many times."""
        record = self._records.get(key, self)
        if record is self:
            record = self._records[key] = make()
        return record

    def aliases(self, node: str) -> frozenset:
        """The other names of ``node`` (its ``skos:altLabel`` values), from the name index (inverted on first use)."""
        if self._aliases is None:
            found = defaultdict(set)
            for entries in self.names.values():
                for e, main, name in entries:
                    if not main:
                        found[e].add(name)
            self._aliases = {e: frozenset(v) for e, v in found.items()}
            self._aliases.update((e, frozenset(v)) for e, v in self.more_aliases.items())
        return self._aliases.get(node, frozenset())

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

    # -- every fact, for the graph view --------------------------------------
    def classes_of(self, node: str) -> frozenset:
        """The entity classes ``rdf:type`` gives ``node`` (local names; none inferred, unlike :attr:`types`)."""
        v = self.ids.get(node)
        bits = self.classes[v] if v is not None and v < len(self.classes) else 0
        return frozenset(c for i, c in enumerate(ENTITY_CLASSES) if bits >> i & 1) if bits else frozenset()

    def links(self, within=None) -> list:
        """The facts (subject, predicate IRI, object) stated between entities, in their stated direction, each
        once, without those every source denies; with ``within``, only those between these nodes."""
        src, dst, rel = self.link_src, self.link_dst, self.link_rel
        nodes = self.nodes
        if within is None:
            return [(nodes[u], LINKS[r], nodes[v]) for u, v, r in zip(src, dst, rel)]
        inside = self._mask(within)
        keep = np.flatnonzero(inside[np.frombuffer(src, dtype=_INT)] & inside[np.frombuffer(dst, dtype=_INT)])
        return [(nodes[src[i]], LINKS[rel[i]], nodes[dst[i]]) for i in keep.tolist()]

    def neighbourhood(self, node: str, depth: int, most: int) -> set | None:
        """The nodes within ``depth`` links of ``node`` in either direction (``node`` itself when the
        projection does not know it); None when there are more than ``most``."""
        start = self.ids.get(node)
        if start is None:
            return {node}
        src, dst = np.frombuffer(self.link_src, dtype=_INT), np.frombuffer(self.link_dst, dtype=_INT)
        seen = np.zeros(len(self.nodes), dtype=bool)
        seen[start] = True
        frontier, count = np.array([start]), 1
        for _ in range(depth):
            if not len(frontier):
                break
            here = np.zeros(len(self.nodes), dtype=bool)
            here[frontier] = True
            found = _unique(np.concatenate([dst[here[src]], src[here[dst]]]))
            frontier = found[~seen[found]]
            seen[frontier] = True
            count += len(frontier)
            if count > most:
                return None
        return {self.nodes[i] for i in np.flatnonzero(seen).tolist()}

    def _mask(self, within) -> np.ndarray:
        inside = np.zeros(len(self.nodes), dtype=bool)
        inside[[self.ids[x] for x in within if x in self.ids]] = True
        return inside

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
        keys = [k for k in dict.fromkeys(keys) if k not in self._evidence and all(map(safe_iri, k))]
        rids = [r for r in dict.fromkeys(restrictions) if ("restriction", r) not in self._evidence and safe_iri(r)]
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
            for at in range(0, len(forms), _SOURCE_BATCH):
                rows = " ".join(f"({i} <{s}> <{p}> <{o}>)"
                                for i, ((s, p, o), _) in enumerate(forms[at:at + _SOURCE_BATCH], at))
                for i, *source in _rows(self.store, _Q_SOURCES.replace("ROWS", rows)):
                    found[forms[int(i)][1]].append(_source(*source))
        for at in range(0, len(rids), _SOURCE_BATCH):
            rows = " ".join(f"({i} <{r}>)" for i, r in enumerate(rids[at:at + _SOURCE_BATCH], at))
            for i, *source in _rows(self.store, _Q_RESTRICTION_SOURCES.replace("ROWS", rows)):
                found[("restriction", rids[int(i)])].append(_source(*source))
        for key in keys + [("restriction", r) for r in rids]:
            unique = {tuple(sorted(s.items())): s for s in found.get(key, [])}.values()
            # asserting sources first, then those that say the opposite; each by document and quote
            self._evidence[key] = sorted(unique, key=lambda d: (bool(d.get("negated")), str(d.get("document")),
                                                                str(d.get("quote"))))


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


def singular(word: str) -> str:
    """Crude English singular, enough to compare head nouns: ``operators`` -> ``operator``."""
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


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


def _array(values, kind: str = "i") -> array:
    return array(kind, np.ascontiguousarray(values, dtype=_INT if kind == "i" else np.int64).tobytes())


def _index(n: int, keys) -> dict:
    """The edge arrays of ``n`` nodes; ``keys`` are the edges sorted, each packed in one int (see _pack)."""
    width = len(RELATIONS)
    rel, rest = keys % width, keys // width
    src, dst = rest % max(n, 1), rest // max(n, 1)
    in_ptr = np.searchsorted(dst, np.arange(n + 1))
    out_edges = np.argsort(src, kind="stable")
    out_ptr = np.searchsorted(src[out_edges], np.arange(n + 1))
    return {"src": _array(src), "dst": _array(dst), "rel": rel.astype(np.uint8).tobytes(), "in_ptr": _array(in_ptr),
            "out_edges": _array(out_edges), "out_ptr": _array(out_ptr)}


def _unique(values):
    """Sorted distinct values: ``np.unique`` (NumPy 2's hash-based path) took 10x longer on a million ints."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def _pack(n: int, src, dst, rel):
    """An edge as one int, (target, source, relation): sorting the ints sorts the edges."""
    return (dst * n + src) * len(RELATIONS) + rel


def _edge_ids(keys, n: int, ids: dict, edges) -> list:
    """The ids of those ``edges`` (source IRI, target IRI, relation) that are in ``keys``, in order."""
    out = []
    for u, v, r in edges:
        if u in ids and v in ids:
            key = _pack(n, ids[u], ids[v], r)
            e = int(np.searchsorted(keys, key))
            out.append(e if e < len(keys) and keys[e] == key else None)
        else:
            out.append(None)
    return out


def _finish(revision: str, nodes: list, keys, *, types: dict, dated: dict, disputed: frozenset,
            **parts) -> Projection:
    """A :class:`Projection` of ``nodes`` (in IRI order) and edge ``keys`` (sorted, see _pack)."""
    ids = dict(zip(nodes, range(len(nodes))))
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
    scoped = defaultdict(list)  # so a search reads only the restrictions that could reach its actor
    for rid, r in sorted(parts["restrictions"].items()):
        for scope in sorted(r.applies_in) or sorted(r.applies_to) or [None]:
            scoped[scope].append(rid)
    parts["scoped"] = dict(scoped)
    parts.setdefault("classes", array("q", bytes(8 * len(nodes))))
    return Projection(revision=revision, nodes=nodes, ids=ids, flags=flags, dated=dated, disputed=disputed,
                      types=types, **_index(len(nodes), keys), **parts)


def assemble(revision: str, edges, *, types: dict, dated: dict | None = None, disputed=(), links=(),
             classes: dict | None = None, **parts) -> Projection:
    """A :class:`Projection` from plain parts (tests build small ones by hand).

    ``edges`` are (source, target, relation index) IRIs; ``dated`` maps some
    of them to their validity intervals and ``disputed`` lists those whose
    sources disagree. ``links`` are facts (subject, predicate IRI of LINKS,
    object) and ``classes`` maps nodes to their ``rdf:type`` classes, for the
    graph view. Every other field of :class:`Projection` but the arrays is
    given by name (``labels``, ``restrictions``, ...).
    """
    edges, links, classes = list(edges), list(links), classes or {}
    universe = set(types) | set(classes) | {x for s, _, o in links for x in (s, o)}
    universe.update(map(itemgetter(0), edges))
    universe.update(map(itemgetter(1), edges))
    for a, targets in parts.get("customers", {}).items():
        universe.add(a)
        universe.update(targets)
    nodes = sorted(universe)
    ids = {x: i for i, x in enumerate(nodes)}
    column = lambda i, f=ids.__getitem__: np.array([f(e[i]) for e in edges], dtype=np.int64)  # noqa: E731
    keys = _unique(_pack(len(nodes), column(0), column(1), np.array([e[2] for e in edges], dtype=np.int64)))
    dated = dated or {}
    dated_ids = {e: valid for e, valid in zip(_edge_ids(keys, len(nodes), ids, dated), dated.values())
                 if e is not None}
    disputed_ids = frozenset(e for e in _edge_ids(keys, len(nodes), ids, disputed) if e is not None)
    parts["customers"] = {a: _array(np.sort(np.array([ids[t] for t in targets], dtype=np.int64)))
                          for a, targets in parts.get("customers", {}).items()}
    parts["classes"] = _array([sum(1 << ENTITY_CLASSES.index(c) for c in classes.get(x, ())) for x in nodes], "q")
    by_link = [[(ids[s], ids[o]) for s, p, o in links if p == link] for link in LINKS]
    parts.update(_links(len(nodes), [(np.array([a for a, _ in pairs], dtype=np.int64),
                                      np.array([b for _, b in pairs], dtype=np.int64)) for pairs in by_link]))
    return _finish(revision, nodes, keys, types=types, dated=dated_ids, disputed=disputed_ids, **parts)


def build_projection(store: Store) -> Projection:
    """Read the access edges, restrictions and jurisdictions of ``store`` into a :class:`Projection`."""
    _check_open(store)
    revision = store.revision()
    proj = _build(revision, factlog.read(store, revision))
    proj.store = store
    return proj


def _special_facts(f: factlog.Facts) -> dict:
    """Facts some statement negates or dates: {key: {"disputed", "denied", "valid"}}.

    Every statement about such a fact counts (an undated one makes it always valid), in either direction
    ("Microsoft offers X" is about "X offeredBy Microsoft").
    """
    st = f.statements
    marked = (st[:, 3] >= 0) | (st[:, 4] >= 0) | (st[:, 5] >= 0)
    if not marked.any():
        return {}
    pair = np.minimum(st[:, 0], st[:, 2]) * len(f.terms) + np.maximum(st[:, 0], st[:, 2])
    terms, rows, keys = f.terms, [], set()  # only statements on the pairs of nodes some mark is about
    for s, p, o, negated, vf, vu in st[np.isin(pair, pair[marked])].tolist():
        s, p, o = terms[s], terms[p], terms[o]
        if p in _CANONICAL:
            s, p, o = o, _CANONICAL[p], s
        rows.append(((s, p, o), negated >= 0 and terms[negated] in ("true", "1"),
                     None if vf < 0 else terms[vf][:10], None if vu < 0 else terms[vu][:10]))
        if negated >= 0 or vf >= 0 or vu >= 0:
            keys.add((s, p, o))
    pos, neg, valid, nodated = set(), set(), defaultdict(set), set()
    for key, negated, vf, vu in rows:
        if key not in keys:
            continue
        if negated:
            neg.add(key)
        elif vf is None and vu is None:
            pos.add(key)
            nodated.add(key)
        else:
            pos.add(key)
            valid[key].add((vf, vu))
    return {key: {"disputed": key in pos and key in neg, "denied": key in neg and key not in pos,
                  "valid": None if key in nodated or key not in valid else tuple(sorted(valid[key], key=str))}
            for key in pos | neg}


class _Columns:
    """The facts' triples by predicate, as arrays of term ids, and the fact predicates as pairs."""

    def __init__(self, f: factlog.Facts, facts: dict):
        self.f, self.terms, self.n = f, f.terms, max(len(f.terms), 1)
        self.s, self.o = f.triples[:, 0], f.triples[:, 2]
        self.rows, self.values = f.rows, f.values
        self.denied = defaultdict(list)  # predicate -> packed (s, o) that every source about them denies
        for (a, pred, b), info in facts.items():
            if info["denied"] and f.id(a) >= 0 and f.id(b) >= 0:
                self.denied[pred].append(f.id(a) * self.n + f.id(b))

    def pairs(self, name: str) -> tuple:
        """(subjects, objects) of one fact predicate with its inverse turned round, each pair once, without
        the denied ones."""
        iri = _P[name]
        m = self.rows(iri)
        a, b = self.s[m], self.o[m]
        if iri in _INVERSE:
            m = self.rows(_INVERSE[iri])
            a, b = np.concatenate([a, self.o[m]]), np.concatenate([b, self.s[m]])
        key = _unique(a * self.n + b)
        if self.denied.get(iri):  # asserted, yet every source about it says it does not hold
            key = key[~np.isin(key, self.denied[iri])]
        return key // self.n, key % self.n

    def grouped(self, pair: tuple) -> dict:
        out = defaultdict(set)
        for a, b in zip(*(x.tolist() for x in pair)):
            out[self.terms[a]].add(self.terms[b])
        return out


_BIT = {t: 1 << i for i, t in enumerate(CLASSES)}
# Too general to type a node by: a product no fact or rdf:type names more closely stays untyped.
_GENERAL = frozenset({"Product"})


def _role(classes: frozenset) -> str | None:
    return next(iter(classes)) if len(classes) == 1 and not classes & _GENERAL else None


# what a predicate says of its subject and object when the data gives no type: its domain and range
_ROLES = tuple((name, (_role(_MODEL.properties[name].domain), _role(_MODEL.properties[name].range)))
               for name in PROJECTED_PREDICATES)
# a class's ancestors a node of it is also typed with (Company -> Organization)
_SUPER = {c: [a for a in _MODEL.ancestors(c) if a in _BIT and a not in _GENERAL] for c in CLASSES}


def _type_bits(cols: _Columns, pair: dict):
    """Each term's classes as bits (``_BIT``), so a million nodes are typed by array operations."""
    mask = np.zeros(cols.n, dtype=np.int64)
    is_type = cols.rows(factlog.TYPE)
    for t in CLASSES:
        mask[cols.s[is_type & (cols.o == cols.f.id(_MODEL.iri(t)))]] |= _BIT[t]
    for name, roles in _ROLES:
        for side, t in zip(pair[name], roles):
            if t:
                mask[side] |= _BIT[t]
    for c, ancestors in _SUPER.items():
        for a in ancestors:
            mask[(mask & _BIT[c]) != 0] |= _BIT[a]
    return mask


def _edges(cols: _Columns, pair: dict, mask) -> tuple:
    """The projected edges as (source, target, relation) arrays of term ids; the vendors of buyable products;
    ``partOf`` between jurisdictions."""
    terms = cols.terms
    part_s, part_o = pair["partOf"]
    is_j = (mask & _BIT["Jurisdiction"]) != 0
    jur = is_j[part_s] | is_j[part_o]
    partof_j = defaultdict(set)
    for a, b in zip(part_s[jur].tolist(), part_o[jur].tolist()):
        partof_j[terms[a]].add(terms[b])
    not_buyable = sum(_BIT[t] for t in NOT_BUYABLE)
    src, dst, rel = [], [], []
    vendors: defaultdict[str, list[str]] = defaultdict(list)

    def add(u, v, r):
        src.append(u)
        dst.append(v)
        rel.append(np.full(len(u), r, dtype=np.int64))

    for r, (_name, fact, flipped) in enumerate(_HOPS):
        a, b = pair[fact]
        if fact == "partOf":  # partOf between jurisdictions nests places; it is no step
            a, b = a[~jur], b[~jur]
        u, v = (b, a) if flipped else (a, b)
        if KINDS[r] == BUY:  # bought from its maker or vendor: only what is sold (not a model or a service)
            keep = (mask[v] & not_buyable) == 0
            u, v = u[keep], v[keep]
            for x, y in sorted(zip(map(terms.__getitem__, v.tolist()), map(terms.__getitem__, u.tolist()))):
                if y not in vendors[x]:
                    vendors[x].append(y)
        add(u, v, r)
    return np.concatenate(src), np.concatenate(dst), np.concatenate(rel), dict(vendors), partof_j


def _customers(terms: list, pair: tuple, node_of) -> dict:
    """Per actor, the sorted node ids of what it is a customer of (the pairs are unique)."""
    cust_s, cust_o = pair
    by_actor = np.lexsort((node_of[cust_o], cust_s))
    actors, targets = cust_s[by_actor], node_of[cust_o][by_actor].astype(_INT)
    bounds = np.flatnonzero(np.diff(actors)).tolist()
    return {terms[actors[i]]: array("i", targets[i:j].tobytes())
            for i, j in zip([0, *(b + 1 for b in bounds)], [*(b + 1 for b in bounds), len(actors)]) if j > i}


def _names(cols: _Columns, typed) -> tuple:
    """resolve.name_index's shape, from labels and aliases under their normalised key (computed when the facts
    were written); and each entity's main label (the first by name)."""
    terms = cols.terms
    key_of = dict(zip(*cols.values(factlog.NORMALISED)))
    entries = set()
    for iri, main in ((factlog.LABEL, True), (factlog.ALT_LABEL, False)):
        for e, name in zip(*cols.values(iri)):
            if not terms[e].startswith(_ONTOLOGY_TERMS):
                entries.add((terms[e], not main, terms[name], terms[key_of[name]]))
    names = defaultdict(list)
    labels: dict[str, str] = {}
    for e, alias, name, key in sorted(entries):  # each entity's main labels first, in name order
        if e in typed:  # only what has a class is reached or starts: not a source's title
            names[key].append((e, not alias, name))
        if not alias:
            labels.setdefault(e, name)
    return dict(names), labels


def _build(revision: str, f: factlog.Facts) -> Projection:
    """The projection of ``f``; the bulk (edges, customers, types) stays in NumPy arrays of term ids."""
    terms = f.terms
    facts = _special_facts(f)
    cols = _Columns(f, facts)
    pair = {name: cols.pairs(name) for name in PROJECTED_PREDICATES}
    mask = _type_bits(cols, pair)
    shared = {v: frozenset(t for t in CLASSES if v & _BIT[t]) for v in np.unique(mask).tolist()}
    typed = np.flatnonzero(mask)
    types = dict(zip(map(terms.__getitem__, typed.tolist()), map(shared.__getitem__, mask[typed].tolist())))
    src, dst, rel, vendors, partof_j = _edges(cols, pair, mask)
    links = [pair[name] if name in pair else cols.pairs(name) for name in DRAWN_PREDICATES]
    classes = _class_bits(cols)

    universe = _unique(np.concatenate([typed, src, dst, *pair["customerOf"], *(x for ab in links for x in ab),
                                       np.flatnonzero(classes)]))
    order = sorted(universe.tolist(), key=terms.__getitem__)  # nodes in IRI order
    nodes = [terms[i] for i in order]
    n = len(nodes)
    node_of = np.full(cols.n, -1, dtype=np.int64)
    node_of[order] = np.arange(n)
    keys = _unique(_pack(n, node_of[src], node_of[dst], rel))
    ids = dict(zip(nodes, range(n)))
    dated, disputed_edges = {}, []
    for key, info in facts.items():
        if key[1] in _EDGE_OF:
            r, flipped = _EDGE_OF[key[1]]
            edge = (key[2], key[0], r) if flipped else (key[0], key[2], r)
            if info["valid"] is not None:
                dated[edge] = info["valid"]
            if info["disputed"]:
                disputed_edges.append(edge)
    dated = {e: valid for e, valid in zip(_edge_ids(keys, n, ids, dated), dated.values()) if e is not None}
    disputed = frozenset(e for e in _edge_ids(keys, n, ids, disputed_edges) if e is not None)

    names, labels = _names(cols, types)
    more_aliases = defaultdict(set)  # entities the name index leaves out (restrictions) still show their aliases
    for e, name in zip(*cols.values(factlog.ALT_LABEL)):
        if node_of[e] >= 0 and terms[e] not in types:
            more_aliases[terms[e]].add(terms[name])
    restrictions = _restrictions(cols, labels)
    restricted = defaultdict(list)
    for r in sorted(restrictions.values(), key=lambda r: r.id):
        for target in r.restricts:
            restricted[target].append(r.id)
    based_in = {k: frozenset(v) for k, v in cols.grouped(pair["basedIn"]).items()}
    parents = _parents(partof_j)
    places = defaultdict(set)
    jurisdictions = {x for x, t in types.items() if "Jurisdiction" in t} | set(partof_j)
    for key, found in names.items():
        for e, _, _ in found:
            if e in jurisdictions:
                places[key].add(e)
    for j, d in zip(*cols.values(str(AIKG.demonym))):
        places[normalise(terms[d])].add(terms[j])

    segments = defaultdict(list)  # indexed by where they are, so an actor finds its own without a scan
    for x in sorted(map(terms.__getitem__, np.flatnonzero(mask & _BIT["CustomerSegment"]).tolist())):
        words = normalise(labels.get(x, "")).split()
        if words:
            based = based_in.get(x)
            for j in sorted(_closure(parents, based)) if based else [None]:
                segments[(singular(words[-1]), j)].append(x)

    return _finish(
        revision, nodes, keys, types=types, dated=dated, disputed=disputed, segments=dict(segments), labels=labels,
        restrictions=restrictions, restricted=dict(restricted), parents=parents,
        places={k: frozenset(v) for k, v in places.items()}, based_in=based_in,
        owners={k: sorted(v - {k}) for k, v in cols.grouped(pair["subsidiaryOf"]).items() if v - {k}},
        available={k: frozenset(v) for k, v in cols.grouped(pair["availableIn"]).items()},
        customers=_customers(terms, pair["customerOf"], node_of),
        facts={k: {"disputed": v["disputed"], "valid": v["valid"]} for k, v in facts.items() if not v["denied"]},
        names=names, vendors=vendors, more_aliases={k: sorted(v) for k, v in more_aliases.items()},
        classes=_array(classes[order], "q"), **_links(n, [(node_of[a], node_of[b]) for a, b in links]))


def _class_bits(cols: _Columns):
    """Each term's entity classes by ``rdf:type`` as bits (bit i: ENTITY_CLASSES[i])."""
    bits = np.zeros(cols.n, dtype=np.int64)
    is_type = cols.rows(factlog.TYPE)
    for i, c in enumerate(ENTITY_CLASSES):
        bits[cols.s[is_type & (cols.o == cols.f.id(_MODEL.iri(c)))]] |= 1 << i
    return bits


def _links(n: int, pairs: list) -> dict:
    """The link arrays from (subjects, objects) node ids per predicate of LINKS, sorted, each link once."""
    width = len(LINKS)
    parts = [(a * width + r) * max(n, 1) + b for r, (a, b) in enumerate(pairs)]
    keys = _unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    rest, dst = keys // max(n, 1), keys % max(n, 1)
    return {"link_src": _array(rest // width), "link_dst": _array(dst),
            "link_rel": (rest % width).astype(np.uint8).tobytes()}


def _restrictions(cols: _Columns, labels: dict) -> dict:
    """Every subject of ``restricts``, with what the facts say of it."""
    terms = cols.terms
    sets: defaultdict[str, defaultdict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    ids = set(cols.values(str(AIKG.restricts))[0])
    for local in _RESTRICTION_PREDS:
        for r, v in zip(*cols.values(_MODEL.iri(local))):
            if r in ids:
                value = terms[v]
                sets[terms[r]][local].add(value[:10] if local in ("effectiveFrom", "effectiveUntil") else value)
    out: dict[str, Restriction] = {}
    for r in sorted(sets):
        item, props = Restriction(id=r, label=labels.get(r)), sets[r]
        item.restricts = sorted(props["restricts"])
        item.applies_in = frozenset(props["appliesIn"])
        item.applies_to = frozenset(props["appliesTo"])
        item.imposed_by = sorted(props["imposedBy"])
        # sources that disagree on a date: the widest reading, so no block is missed
        item.effective_from = min(props["effectiveFrom"]) if props["effectiveFrom"] else None
        item.effective_until = max(props["effectiveUntil"]) if props["effectiveUntil"] else None
        item.kind = sorted(props["kind"])[0] if props["kind"] else None
        covers = {_HOP_OF[h] for h in props["coversHop"] if h in _HOP_OF}
        item.covers = frozenset(covers) if covers else _COVERS_BY_KIND.get(item.kind, _ALL_HOPS)
        out[r] = item
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


_ARRAYS = {"src": "i", "dst": "i", "in_ptr": "i", "out_edges": "i", "out_ptr": "i", "rel": "b", "flags": "b",
           "link_src": "i", "link_dst": "i", "link_rel": "b", "classes": "q"}
_DTYPES = {"i": _INT, "b": np.dtype(np.uint8), "q": np.dtype(np.int64)}
_RECORDS = {"Restriction": Restriction}
# the cache's name is a hash of what defines its format: the fields cached and how
CACHE_VERSION = safecache.version([(f.name, str(f.type)) for f in fields(Projection)],
                                  [(f.name, str(f.type)) for f in fields(Restriction)], _ARRAYS, RELATIONS, KINDS,
                                  str(_INT), "tagged-json-1", "names-of-typed-entities-only", LINKS, ENTITY_CLASSES)
_MANIFEST = "projection.json"
_DATA = re.compile(r"^projection-[0-9a-f]{12}-[0-9a-f]{16}\.npz$")


def _cache_dir(store: Store) -> Path | None:
    path = getattr(store, "path", None)
    return Path(path) / "cache" if path is not None else None


def _save(folder: Path, proj: Projection) -> None:
    """The projection as one .npz (arrays, and the rest as tagged JSON bytes), then the manifest naming it."""
    state = {f.name: getattr(proj, f.name) for f in fields(Projection) if f.name != "store"}
    arrays = {}
    for name, kind in _ARRAYS.items():
        value = state.pop(name)
        arrays[name] = np.frombuffer(value, dtype=_DTYPES[kind]).copy()
    state.pop("ids")  # the inverse of nodes
    text = json.dumps(safecache.encode(state, _RECORDS), ensure_ascii=False, separators=(",", ":"))
    arrays["state"] = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    name = f"projection-{CACHE_VERSION}-{safecache.version(proj.revision)[:12]}{len(proj.nodes) % 10_000:04d}.npz"
    safecache.save(folder / name, arrays)
    manifest = {"format": CACHE_VERSION, "revision": proj.revision, "data": name}
    safecache.write_bytes(folder / _MANIFEST, json.dumps(manifest).encode())
    for old in folder.iterdir():  # older caches, and the pickles earlier versions of aikg wrote
        if old.is_file() and old.name != name and (old.suffix in (".pickle", ".npz")) and old.name.startswith(
                "projection"):
            old.unlink(missing_ok=True)


def _load(folder: Path, revision: str) -> Projection | None:
    """The cached projection if the manifest names a current one inside ``folder``; None otherwise."""
    try:
        manifest = json.loads((folder / _MANIFEST).read_text("utf-8"))
        if not (isinstance(manifest, dict) and manifest.get("format") == CACHE_VERSION
                and manifest.get("revision") == revision and isinstance(manifest.get("data"), str)
                and _DATA.match(manifest["data"])):
            return None
        with _no_gc():
            arrays = safecache.load(folder / manifest["data"], folder)
            state = safecache.decode(bytes(arrays.pop("state")).decode("utf-8", "surrogatepass"), _RECORDS)
        if not isinstance(state, dict) or set(state) | set(_ARRAYS) | {"ids", "store"} != {
                f.name for f in fields(Projection)} or state.get("revision") != revision:
            return None
        for name, kind in _ARRAYS.items():
            a = arrays[name]
            if a.dtype != _DTYPES[kind] or a.ndim != 1:
                return None
            state[name] = a.tobytes() if kind == "b" else array(kind, a.tobytes())
        if not isinstance(state["nodes"], list):
            return None
        state["ids"] = dict(zip(state["nodes"], range(len(state["nodes"]))))
        return Projection(**state)
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):  # BadCache is a ValueError
        return None


def load_projection(store: Store) -> Projection:
    """The projection for the store's current revision, from the cache when it is current."""
    revision = store.revision()
    folder = _cache_dir(store)
    if folder is None:
        cached = _MEMORY.get(store.location)
        if cached is not None and cached.revision == revision:
            cached.store = store
            return cached
        proj = build_projection(store)
        _MEMORY[store.location] = proj
        return proj
    cached = _load(folder, revision)
    if cached is not None:
        cached.store = store
        return cached
    proj = build_projection(store)
    try:
        _save(folder, proj)
    except OSError:
        pass  # a read-only store folder still answers, just without a cache
    return proj
