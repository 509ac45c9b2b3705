"""The reach projection: the store's access edges as a NetworkX ``MultiDiGraph``.

Only what route search needs is pulled, with a handful of SPARQL queries (so
a remote SPARQL server works as well as the embedded store):

* **edges**, each carrying ``kind`` (``use``/``buy``/``access``), the
  ``relation`` shown to users, the asserted ``fact`` it comes from, its
  validity (from the statements' ``validFrom``/``validUntil``; ``None`` =
  always) and ``disputed`` (one source asserts it, another negates it):

  ==============================  =================  =======
  asserted fact                   projected edge     kind
  ==============================  =================  =======
  A customerOf S/O                A -customerOf-> S  use (buy into an org)
  S providesAccessTo X            S -> X             access
  S partOf P (services)           P -hasPart-> S     access
  S offeredBy / operatedBy O      O -offers-> S      use (only after A customerOf O)
  P developedBy / manufacturedBy  O -develops-> P    buy (chips, equipment, other
                                                     products; never models or services)
  ==============================  =================  =======

* **restrictions**, indexed by the node they restrict, with ``covers``
  defaulted by kind when the data gives no ``coversHop``: an export control
  covers *buy* only, an access block or suspension *use* and *access*, a
  ban (or an unknown kind) every hop;
* **jurisdictions** with their ``partOf`` closure (a restriction on the EU
  reaches Italy; Hong Kong is inside China only if the data says so);
* ``availableIn``, ``basedIn``, ``subsidiaryOf`` and the name index.

A fact whose every statement is negated is dropped; one with both asserting
and negating statements is kept and marked disputed.

Building costs one pass over those rows, so :func:`load_projection` caches
it per ``store.revision()``: pickled under the store folder's ``cache/``
(written atomically; the folder is the user's own data, trusted like the
store itself) or, for a server store, in memory.
"""
import os
import pickle
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from .errors import Ambiguous, NotFound, QueryError
from .namespace import AIKG, PREFIXES
from .resolve import candidates, normalise
from .store import EmbeddedStore, Store

__all__ = ["Projection", "Restriction", "build_projection", "load_projection", "in_interval", "CACHE_VERSION",
           "USE", "BUY", "ACCESS", "HOP_NODES", "singular"]

CACHE_VERSION = 2  # bump when Projection changes shape
USE, BUY, ACCESS = "use", "buy", "access"
HOP_NODES = {USE: str(AIKG.UseHop), BUY: str(AIKG.BuyHop), ACCESS: str(AIKG.AccessHop)}
_HOP_OF = {v: k for k, v in HOP_NODES.items()}
_COVERS_BY_KIND = {str(AIKG.ExportControl): frozenset({BUY}), str(AIKG.AccessBlock): frozenset({USE, ACCESS}),
                   str(AIKG.Suspension): frozenset({USE, ACCESS}), str(AIKG.Ban): frozenset({USE, BUY, ACCESS})}
_ALL_HOPS = frozenset({USE, BUY, ACCESS})

_P = {name: str(getattr(AIKG, name)) for name in (
    "customerOf", "providesAccessTo", "partOf", "offeredBy", "operatedBy", "developedBy", "manufacturedBy",
    "subsidiaryOf", "basedIn", "availableIn", "develops", "offers", "operates", "hasPart", "manufactures",
    "accessibleVia", "hasCustomer", "hasSubsidiary", "restricts", "appliesIn", "appliesTo", "imposedBy",
    "effectiveFrom", "effectiveUntil", "kind", "coversHop")}
# inverse -> canonical, so "Microsoft offers X" counts as "X offeredBy Microsoft"
_CANONICAL = {_P["develops"]: _P["developedBy"], _P["offers"]: _P["offeredBy"], _P["operates"]: _P["operatedBy"],
              _P["hasPart"]: _P["partOf"], _P["manufactures"]: _P["manufacturedBy"],
              _P["accessibleVia"]: _P["providesAccessTo"], _P["hasCustomer"]: _P["customerOf"],
              _P["hasSubsidiary"]: _P["subsidiaryOf"]}
_FACT_PREDS = ("customerOf", "providesAccessTo", "partOf", "offeredBy", "operatedBy", "developedBy",
               "manufacturedBy", "subsidiaryOf", "basedIn", "availableIn")
_INV_PREDS = ("develops", "offers", "operates", "hasPart", "manufactures", "accessibleVia", "hasCustomer",
              "hasSubsidiary")
_RESTRICTION_PREDS = ("restricts", "appliesIn", "appliesTo", "imposedBy", "effectiveFrom", "effectiveUntil", "kind",
                      "coversHop")
_TYPES = ("Organization", "Company", "Regulator", "CustomerSegment", "Jurisdiction", "Product", "AIModel", "Service",
          "Chip", "Equipment")


def _values(names) -> str:
    return " ".join(f"aikg:{n}" for n in names)


_Q_EDGES = f"""SELECT ?s ?p ?o WHERE {{
  VALUES ?p {{ {_values(_FACT_PREDS + _INV_PREDS)} }} ?s ?p ?o FILTER(isIRI(?s) && isIRI(?o)) }}"""
_Q_STATEMENTS = f"""SELECT DISTINCT ?s ?p ?o ?src ?title ?label ?quote ?neg ?vf ?vu WHERE {{
  VALUES ?p {{ {_values(_FACT_PREDS + _INV_PREDS + _RESTRICTION_PREDS)} }}
  ?st a aikg:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL {{ ?st prov:wasDerivedFrom ?src
             OPTIONAL {{ ?src dcterms:title ?title }} OPTIONAL {{ ?src rdfs:label ?label }} }}
  OPTIONAL {{ ?st aikg:quote ?quote }} OPTIONAL {{ ?st aikg:negated ?neg }}
  OPTIONAL {{ ?st aikg:validFrom ?vf }} OPTIONAL {{ ?st aikg:validUntil ?vu }} }}"""
_Q_TYPES = f"""SELECT DISTINCT ?e ?t WHERE {{ VALUES ?t {{ {_values(_TYPES)} }} ?e a ?t FILTER(isIRI(?e)) }}"""
_Q_RESTRICTIONS = f"""SELECT DISTINCT ?r ?p ?o ?ol WHERE {{
  ?r aikg:restricts ?x . VALUES ?p {{ rdfs:label {_values(_RESTRICTION_PREDS)} }} ?r ?p ?o
  OPTIONAL {{ ?o rdfs:label ?ol }} }}"""
_Q_DEMONYMS = "SELECT DISTINCT ?j ?d WHERE { ?j aikg:demonym ?d }"


def in_interval(at: str, start: str | None, end: str | None) -> bool:
    """Inclusive at both ends; a missing end is open. Dates are ISO strings.

    >>> in_interval("2024-07-09", "2024-07-09", None), in_interval("2024-07-08", "2024-07-09", None)
    (True, False)
    """
    return (start is None or start <= at) and (end is None or at <= end)


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
    sources: list = field(default_factory=list)

    def in_force(self, at: str) -> bool:
        return in_interval(at, self.effective_from, self.effective_until)


@dataclass
class Projection:
    """Everything route search reads, built from one store state (``revision``)."""

    revision: str
    graph: nx.MultiDiGraph
    labels: dict            # node -> main label
    types: dict             # node -> frozenset of aikg class local names
    restrictions: dict      # id -> Restriction
    restricted: dict        # node -> [restriction id]
    parents: dict           # jurisdiction -> frozenset of enclosing jurisdictions (closure, itself excluded)
    places: dict            # normalised place name or demonym -> frozenset of jurisdictions
    based_in: dict          # node -> frozenset of jurisdictions
    owners: dict            # organization -> [owner]  (subsidiaryOf)
    available: dict         # product -> {jurisdiction: fact key}
    facts: dict             # (s, p, o) -> {"sources": [...], "disputed": bool, "valid": tuple | None}
    names: dict             # resolve.name_index shape
    vendors: dict = field(default_factory=dict)  # buyable product -> [vendor]
    segments: dict = field(default_factory=dict)  # singular head noun of a CustomerSegment's label -> [segment]

    # -- names --------------------------------------------------------------
    def label(self, node: str) -> str:
        return self.labels.get(node) or node.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def node(self, node: str) -> dict:
        return {"id": node, "label": self.label(node)}

    def lookup(self, name: str, *, suggest: bool = True) -> str:
        """The one entity named ``name`` (label or alias); NotFound/Ambiguous with close candidates."""
        if name.startswith(("http://", "https://", "urn:")):
            return name
        entries = self.names.get(normalise(name), [])
        entities = {str(e) for e, _, _ in entries}
        if len(entities) > 1:  # a main label beats an alias
            mains = {str(e) for e, main, _ in entries if main}
            entities = mains if len(mains) == 1 else entities
        if len(entities) == 1:
            return next(iter(entities))
        if entities:
            labels = sorted({self.label(e) for e in entities})
            raise Ambiguous(f"{name!r} is ambiguous: it names {', '.join(labels)}", labels)
        close = candidates(self.names, name) if suggest else []
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise NotFound(f"unknown name {name!r}{hint}", close)

    # -- facts --------------------------------------------------------------
    def is_a(self, node: str, *classes: str) -> bool:
        return bool(self.types.get(node, frozenset()).intersection(classes))

    def closure(self, places) -> frozenset:
        """The jurisdictions and every one that contains them (``partOf``, transitively)."""
        out = set(places)
        for j in places:
            out |= self.parents.get(j, frozenset())
        return frozenset(out)

    def sources(self, key) -> list:
        info = self.facts.get(key)
        return list(info["sources"]) if info else []

    def fact_valid(self, key, at: str) -> bool:
        info = self.facts.get(key)
        valid = info["valid"] if info else None
        return valid is None or any(in_interval(at, a, b) for a, b in valid)

    def availability(self, product: str, places, at: str) -> list:
        """Fact keys saying ``product`` is available in one of ``places`` at ``at``."""
        where = self.available.get(product)
        if not where:
            return []
        return [where[j] for j in places if j in where and self.fact_valid(where[j], at)]


# resolve.name_index's names; the ontology's own terms are dropped in Python (cheaper than NOT EXISTS)
_LABELS = """SELECT ?e ?name ?main WHERE {
  { ?e rdfs:label ?name BIND(true AS ?main) } UNION { ?e skos:altLabel ?name BIND(false AS ?main) }
  FILTER(isIRI(?e)) }"""
_ONTOLOGY_TERMS = (str(AIKG._NS), "https://w3id.org/aikg/ns")


def _rows(store: Store, sparql: str) -> list[tuple]:
    """SELECT rows as plain strings (None when unbound).

    Converting a million rows to rdflib terms costs seconds, so on the embedded
    store the Oxigraph solutions are read directly.
    """
    if isinstance(store, EmbeddedStore) and getattr(store, "_ox", None) is not None:
        try:
            res = store._ox.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
        except (SyntaxError, OSError, ValueError, RuntimeError) as e:
            raise QueryError(f"projection query failed: {e}") from e
        names = [v.value for v in res.variables]
        return [tuple(None if (t := sol[v]) is None else t.value for v in names) for sol in res]
    return [tuple(None if t is None else str(t) for t in row) for row in store.query(sparql).rows]


def singular(word: str) -> str:
    """Crude English singular, enough to compare head nouns: ``operators`` -> ``operator``."""
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _s(term) -> str:
    return sys.intern(str(term))


def _date(term) -> str | None:
    return None if term is None else str(term)[:10]


def _facts(store: Store) -> dict:
    pos, neg, valid, nodated = defaultdict(list), defaultdict(list), defaultdict(list), set()
    for s, p, o, src, title, label, quote, negated, vf, vu in _rows(store, _Q_STATEMENTS):
        s, p, o = _s(s), _s(p), _s(o)
        if p in _CANONICAL:
            s, p, o = o, _CANONICAL[p], s
        key = (s, p, o)
        source = {"document": str(title or label or src) if src is not None else None,
                  "quote": str(quote) if quote is not None else None}
        if negated in ("true", "1"):
            source["negated"] = True
            if source not in neg[key]:
                neg[key].append(source)
            continue
        if source not in pos[key]:
            pos[key].append(source)
        if vf is None and vu is None:
            nodated.add(key)
        else:
            valid[key].append((_date(vf), _date(vu)))
    facts = {}
    for key in set(pos) | set(neg):
        facts[key] = {"sources": pos.get(key, []) + neg.get(key, []), "disputed": bool(pos.get(key) and neg.get(key)),
                      "denied": bool(neg.get(key)) and not pos.get(key),
                      "valid": None if key in nodated or key not in valid else tuple(sorted(set(valid[key]),
                                                                                        key=str))}
    return facts


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


def build_projection(store: Store) -> Projection:
    """Read the access edges, restrictions and jurisdictions of ``store`` into a :class:`Projection`."""
    revision = store.revision()
    names, labels = defaultdict(list), {}
    for e, name, main in _rows(store, _LABELS):
        if e.startswith(_ONTOLOGY_TERMS):
            continue
        e, main = _s(e), main == "true"
        names[normalise(name)].append((e, main, name))
        if main:
            labels.setdefault(e, name)
    names = dict(names)
    types = defaultdict(set)
    for e, t in _rows(store, _Q_TYPES):
        types[_s(e)].add(str(t).rsplit("#", 1)[-1])
    facts = _facts(store)

    triples = []
    for s, p, o in _rows(store, _Q_EDGES):
        s, p, o = _s(s), _s(p), _s(o)
        if p in _CANONICAL:
            s, p, o = o, _CANONICAL[p], s
        info = facts.get((s, p, o))
        if info is not None and info["denied"]:
            continue  # asserted, yet every source about it says it does not hold
        triples.append((s, p, o))
    triples = sorted(set(triples))  # stable order: routes of equal length come out the same every time
    # domains say what a node is when the data gives no type
    for s, p, o in triples:
        if p in (_P["providesAccessTo"], _P["offeredBy"], _P["operatedBy"]):
            types[s].add("Service")
        if p in (_P["offeredBy"], _P["operatedBy"], _P["developedBy"], _P["manufacturedBy"], _P["subsidiaryOf"]):
            types[o].add("Organization")
            if p == _P["subsidiaryOf"]:
                types[s].add("Organization")
        if p == _P["basedIn"] or p == _P["availableIn"]:
            types[o].add("Jurisdiction")
    for t in types.values():
        if t & {"Company", "Regulator"}:
            t.add("Organization")
    types = {k: frozenset(v) for k, v in types.items()}
    is_j = lambda n: "Jurisdiction" in types.get(n, ())  # noqa: E731

    g = nx.MultiDiGraph()
    partof_j, based_in, owners = defaultdict(set), defaultdict(set), defaultdict(list)
    available, vendors = defaultdict(dict), defaultdict(list)

    def edge(u, v, relation, kind, key):
        info = facts.get(key)
        g.add_edge(u, v, key=relation, kind=kind, fact=key,
                   valid=info["valid"] if info else None, disputed=bool(info and info["disputed"]))

    for s, p, o in triples:
        key = (s, p, o)
        if p == _P["customerOf"]:
            edge(s, o, p, USE if "Service" in types.get(o, ()) else BUY, key)
        elif p == _P["providesAccessTo"]:
            edge(s, o, p, ACCESS, key)
        elif p == _P["partOf"]:
            if is_j(s) or is_j(o):
                partof_j[s].add(o)
            else:
                edge(o, s, _P["hasPart"], ACCESS, key)
        elif p == _P["offeredBy"]:
            edge(o, s, _P["offers"], USE, key)
        elif p == _P["operatedBy"]:
            edge(o, s, _P["operates"], USE, key)
        elif p in (_P["developedBy"], _P["manufacturedBy"]):
            t = types.get(s, frozenset())
            if not t & {"Service", "AIModel", "Organization", "Jurisdiction", "CustomerSegment"}:
                relation = _P["develops"] if p == _P["developedBy"] else _P["manufactures"]
                edge(o, s, relation, BUY, key)
                if o not in vendors[s]:
                    vendors[s].append(o)
        elif p == _P["subsidiaryOf"]:
            if s != o and o not in owners[s]:
                owners[s].append(o)
        elif p == _P["basedIn"]:
            based_in[s].add(o)
        elif p == _P["availableIn"]:
            available[s][o] = key
    for n in g.nodes:
        g.nodes[n]["label"] = labels.get(n)

    restrictions = _restrictions(store, facts)
    restricted = defaultdict(list)
    for r in restrictions.values():
        for target in r.restricts:
            restricted[target].append(r.id)

    parents = _parents(partof_j)
    places = defaultdict(set)
    jurisdictions = {n for n, t in types.items() if "Jurisdiction" in t} | set(partof_j)
    for key, entries in names.items():
        for e, _, _ in entries:
            if _s(e) in jurisdictions:
                places[key].add(_s(e))
    for j, d in _rows(store, _Q_DEMONYMS):
        places[normalise(str(d))].add(_s(j))

    segments = defaultdict(list)
    for n, t in types.items():
        if "CustomerSegment" in t:
            words = normalise(labels.get(n, "")).split()
            if words:
                segments[singular(words[-1])].append(n)

    return Projection(
        revision=revision, segments=dict(segments), graph=g, labels=labels, types=types, restrictions=restrictions,
        restricted=dict(restricted), parents=parents, places={k: frozenset(v) for k, v in places.items()},
        based_in={k: frozenset(v) for k, v in based_in.items()}, owners=dict(owners),
        available=dict(available), facts=facts, names=names,
        vendors=dict(vendors))


def _restrictions(store: Store, facts: dict) -> dict:
    out: dict[str, Restriction] = {}
    sets = defaultdict(lambda: defaultdict(set))
    for r, p, o, ol in _rows(store, _Q_RESTRICTIONS):
        r, p = _s(r), str(p)
        item = out.setdefault(r, Restriction(id=r))
        local = p.rsplit("#", 1)[-1]
        if local == "label":
            item.label = item.label or str(o)
        elif local in ("effectiveFrom", "effectiveUntil"):
            sets[r][local].add(str(o)[:10])
        else:
            sets[r][local].add(_s(o))
    for r, item in out.items():
        s = sets[r]
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
    # restriction sources: every statement whose subject is the restriction
    by_subject = defaultdict(list)
    for (subj, _, _), info in facts.items():
        if subj in out:
            for src in info["sources"]:
                if src not in by_subject[subj]:
                    by_subject[subj].append(src)
    for r, item in out.items():
        item.sources = sorted(by_subject.get(r, []), key=lambda d: (str(d.get("document")), str(d.get("quote"))))
    return out


# -- cache ------------------------------------------------------------------

_MEMORY: dict = {}


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
            return cached
        proj = build_projection(store)
        _MEMORY[store.location] = proj
        return proj
    try:
        with open(file, "rb") as fh:
            cached = pickle.load(fh)
        if isinstance(cached, Projection) and cached.revision == revision:
            return cached
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        pass  # missing, stale format or torn: rebuild
    proj = build_projection(store)
    try:
        file.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".projection-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(proj, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, file)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only store folder still answers, just without a cache
    return proj
