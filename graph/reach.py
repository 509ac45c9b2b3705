"""Reach: can an actor get to a model, chip or service on a date, and by which route?

A route is an *entry hop* from the actor, then edges of the projection
(:mod:`graph.projection`) to the target:

* entry: into a service the actor is ``customerOf`` (confirmed), into any
  service on the open market (confirmed when the service is ``availableIn``
  one of the actor's jurisdictions or one containing it), or "buys from" the
  developer/manufacturer of a chip, machine or other product (confirmed when
  the product is available there or the actor is a customer of the vendor);
  a product with no known vendor can still be bought directly;
* an access edge (``providesAccessTo``, a platform's part) is confirmed by
  the edge itself; a customer of an organization may use what it offers.

A hop into node N is blocked when a Restriction on N covers the hop's kind,
is in force on the date (``effectiveFrom`` and ``effectiveUntil`` both
inclusive, a missing one open) and applies to the actor: by jurisdiction
(its own or one containing it), by ``appliesTo`` (itself or a segment it is
in), or through an owner (``subsidiaryOf``, reported with the chain). A hop
into an organization as a vendor is a *buy* hop, so a restriction on the
organization covers buying from it.

Verdict, from every route within ``max_depth`` hops: ``reachable`` (a route
open and confirmed at every hop, with no disputed hop), ``unconfirmed``
(open routes, none confirmed), ``blocked`` (routes, all blocked),
``no_route``. The verdict comes from a backward breadth-first search from
the target over open edges that stops at the first confirmed entry; the
explanation then enumerates routes backward from the target, shortest
first: the k best open routes (confirmed, undisputed, through the actor's
own suppliers, then short) and the blocked routes no longer than the k-th
open one (all of them, within the bounds, when fewer than k are open), each
with the restrictions that block it. A blocked route is listed once, at its
shortest: longer routes through the same block add nothing. Both searches
are bounded (depth and work) and say so in ``notes`` when a bound cut them
short; a route the verdict rests on is always listed.

What-if (``without``): the named nodes are removed, with what depends on
them: services all of whose operators (or, lacking operators, offerers) are
removed, and parts all of whose platforms are removed.
"""
from collections import deque
from dataclasses import dataclass, field

from .actors import Actor, resolve_actor
from .errors import InputError
from .namespace import AIKG
from .projection import BUY, HOP_NODES, USE, Projection

__all__ = ["answer", "verdict", "diff", "removed_nodes", "Search", "MAX_DEPTH", "MAX_WORK"]

MAX_DEPTH = 8
MAX_WORK = 50_000   # edge visits per search: the bound that keeps any query well under a second
MAX_BLOCKED = 10
_CUSTOMER_OF = str(AIKG.customerOf)
_OFFERS, _OPERATES, _HAS_PART = str(AIKG.offers), str(AIKG.operates), str(AIKG.hasPart)
_RELATION_LABELS = {HOP_NODES[USE]: "uses", HOP_NODES[BUY]: "buys from", str(AIKG.develops): "develops",
                    str(AIKG.manufactures): "manufactures", str(AIKG.offers): "offers",
                    str(AIKG.operates): "operates", str(AIKG.hasPart): "has part",
                    str(AIKG.providesAccessTo): "provides access to", _CUSTOMER_OF: "customer of"}
_BUYABLE_NOT = frozenset({"Service", "AIModel", "Organization", "Jurisdiction", "CustomerSegment"})


@dataclass
class Hop:
    src: str
    dst: str
    relation: str
    kind: str
    fact: tuple | None = None
    confirm: list = field(default_factory=list)   # fact keys that confirm an entry
    confirmed: bool = False
    disputed: bool = False
    blocks: list = field(default_factory=list)    # [(restriction id, reason)]


class Search:
    """One question (actor, target, date, removed nodes) over one projection."""

    def __init__(self, proj: Projection, actor: Actor, target: str, at: str, *, removed=frozenset(),
                 max_depth: int = MAX_DEPTH, max_work: int = MAX_WORK):
        self.proj, self.actor, self.target, self.at = proj, actor, target, at
        self.g = proj.graph
        self.removed = frozenset(removed)
        self.max_depth, self.max_work = max_depth, max_work
        self.notes: list[str] = []
        self._blocks: dict = {}

    # -- restrictions ---------------------------------------------------------
    def applies(self, r) -> dict | None:
        """Why restriction ``r`` reaches the actor, or None."""
        a, proj, reason = self.actor, self.proj, {}
        if r.applies_in:
            hit = sorted(a.jurisdictions & r.applies_in)
            if hit:
                reason["jurisdiction"] = hit[0]
            else:
                for owner, chain in a.owners:
                    hit = sorted(proj.closure(proj.based_in.get(owner, ())) & r.applies_in)
                    if hit:
                        reason.update(jurisdiction=hit[0], ownership=chain)
                        break
                else:
                    return None
        if r.applies_to:
            hit = sorted(a.identities() & r.applies_to)
            if hit:
                reason["actor"] = hit[0]
            else:
                for owner, chain in a.owners:
                    if owner in r.applies_to:
                        reason.update(actor=owner, ownership=chain)
                        break
                else:
                    return None
        return reason

    def blocks(self, node: str, kind: str) -> list:
        key = (node, kind)
        found = self._blocks.get(key)
        if found is None:
            found = []
            for rid in self.proj.restricted.get(node, ()):
                r = self.proj.restrictions[rid]
                if kind in r.covers and r.in_force(self.at):
                    reason = self.applies(r)
                    if reason is not None:
                        found.append((rid, reason))
            self._blocks[key] = found
        return found

    # -- edges and entries ------------------------------------------------------
    def _valid(self, u, data) -> bool:
        if u in self.removed:
            return False
        valid = data["valid"]
        return valid is None or any((a is None or a <= self.at) and (b is None or self.at <= b) for a, b in valid)

    def preds(self, v):
        """Usable edges into ``v`` (not the customerOf entry edges of other actors)."""
        for u, keys in self.g._pred[v].items():  # the raw adjacency dict: views cost 3x here
            for rel, data in keys.items():
                if rel != _CUSTOMER_OF and self._valid(u, data):
                    yield u, rel, data

    def _buy_confirm(self, vendor: str, product: str) -> list:
        keys = self.proj.availability(product, self.actor.jurisdictions, self.at)
        return [k for k in keys if not self.proj.facts.get(k, {}).get("disputed")]

    def _avail_confirm(self, node: str) -> tuple[list, bool]:
        keys = self.proj.availability(node, self.actor.jurisdictions, self.at)
        good = [k for k in keys if not self.proj.facts.get(k, {}).get("disputed")]
        return (good or keys), bool(keys) and not good

    def entries(self, v: str, first: tuple | None) -> list[Hop]:
        """Entry hops from the actor into ``v``; ``first`` is the suffix's first edge (rel, data, next)."""
        a, proj, out = self.actor, self.proj, []
        types = proj.types.get(v, frozenset())
        kind = USE if "Service" in types else BUY
        if v in a.customer_of:
            fact = (a.node, _CUSTOMER_OF, v)
            data = self.g.get_edge_data(a.node, v, key=_CUSTOMER_OF) if a.node in self.g else None
            if data is None or self._valid(a.node, data):
                disputed = bool(data and data["disputed"])
                out.append(Hop(a.node, v, _CUSTOMER_OF, kind, fact if data else None, confirmed=not disputed,
                               disputed=disputed, blocks=self.blocks(v, kind)))
                return out
        if "Service" in types:
            keys, disputed = self._avail_confirm(v)
            out.append(Hop(a.node, v, HOP_NODES[USE], USE, confirm=keys, confirmed=bool(keys) and not disputed,
                           disputed=disputed, blocks=self.blocks(v, USE)))
        elif first is not None and first[1]["kind"] == BUY and "Organization" in types:
            keys = self._buy_confirm(v, first[2])
            out.append(Hop(a.node, v, HOP_NODES[BUY], BUY, confirm=keys, confirmed=bool(keys),
                           blocks=self.blocks(v, BUY)))
        elif v == self.target and first is None and not types & _BUYABLE_NOT and not proj.vendors.get(v):
            keys = self._buy_confirm(v, v)
            out.append(Hop(a.node, v, HOP_NODES[BUY], BUY, confirm=keys, confirmed=bool(keys),
                           blocks=self.blocks(v, BUY)))
        return out

    def edge_hop(self, u: str, v: str, rel: str, data: dict, entry: Hop) -> Hop:
        kind = data["kind"]
        confirmed = not data["disputed"]
        if kind == BUY and confirmed:  # a sale is confirmed by the customer relation or availability
            confirmed = entry.relation == _CUSTOMER_OF or entry.confirmed or bool(self._buy_confirm(u, v))
        return Hop(u, v, rel, kind, data["fact"], confirmed=confirmed, disputed=data["disputed"],
                   blocks=self.blocks(v, kind))

    # -- the verdict ------------------------------------------------------------
    def best(self, *, open_only: bool = True, confirmed_only: bool = False, customer_only: bool = False,
             max_work: int | None = None):
        """Backward BFS from the target; the shortest route meeting the conditions, or None.

        With ``confirmed_only`` only clean (undisputed) edges are followed and
        the search stops at the first confirmed entry; with ``customer_only``
        only entries through the actor's own ``customerOf`` count.
        """
        start = self.target
        if start in self.removed or start not in self.g and not self._entry_only_target():
            return None
        # state: node -> (next node, rel, data, next state) toward the target
        parent = {start: None}
        frontier, work, depth = [start], 0, 0
        fallback = None
        while frontier and depth < self.max_depth:
            nxt = []
            for v in frontier:
                suffix = self._suffix(parent, v)
                for hop in self.entries(v, suffix[0] if suffix else None):
                    if open_only and hop.blocks or customer_only and hop.relation != _CUSTOMER_OF:
                        continue
                    route = self._complete(hop, suffix)
                    ok = route is not None and (not open_only or not any(h.blocks for h in route))
                    if not ok:
                        continue
                    if not confirmed_only or all(h.confirmed and not h.disputed for h in route):
                        return route
                    fallback = fallback or route
                if v not in self.g:
                    continue
                for u, rel, data in self.preds(v):
                    work += 1
                    if u in parent:
                        continue
                    if confirmed_only and data["disputed"]:
                        continue
                    if open_only and self.blocks(v, data["kind"]):
                        continue
                    parent[u] = (v, rel, data)
                    nxt.append(u)
                if work > (max_work or self.max_work):
                    if max_work is None:
                        self._limit(f"search limit reached: stopped after {self.max_work} edges")
                    return None if confirmed_only else fallback
            frontier, depth = nxt, depth + 1
        if frontier and depth >= self.max_depth:
            self._limit(f"search limit reached: routes longer than {self.max_depth} hops were not explored")
        return None

    def _entry_only_target(self) -> bool:
        return "Service" in self.proj.types.get(self.target, ()) or (
            not self.proj.types.get(self.target, frozenset()) & _BUYABLE_NOT and self.target in self.proj.types)

    def _limit(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def _suffix(self, parent, v) -> list:
        out = []
        while parent[v] is not None:
            nxt, rel, data = parent[v]
            out.append((rel, data, nxt))
            v = nxt
        return out

    def _complete(self, entry: Hop, suffix: list) -> list[Hop]:
        route, u = [entry], entry.dst
        for rel, data, v in suffix:
            route.append(self.edge_hop(u, v, rel, data, entry))
            u = v
        return route

    def verdict(self) -> tuple[str, list | None]:
        route = self.best(confirmed_only=True)
        if route is not None:
            return "reachable", route
        route = self.best(open_only=True)
        if route is not None:
            return "unconfirmed", route
        route = self.best(open_only=False)
        return ("blocked", route) if route is not None else ("no_route", None)

    # -- the explanation ----------------------------------------------------------
    def routes(self, *, k: int, max_blocked: int) -> tuple[list, list]:
        """Open routes (up to ``k`` kept, best first) and blocked routes (up to ``max_blocked``)."""
        if self.target in self.removed:
            return [], []
        opened, blocked, work = [], [], 0
        queue = deque([(self.target, ())])   # (head node, suffix edges as (rel, data, next))
        more_blocked, enough_at = False, None
        while queue:
            v, suffix = queue.popleft()
            if enough_at is not None and len(suffix) > enough_at:
                break  # k open routes found and their level listed: longer routes cannot rank above them
            if enough_at is None and len(opened) >= k:
                enough_at = len(suffix)
            first = suffix[0] if suffix else None
            suffix_blocked = any(self.blocks(nxt, data["kind"]) for _, data, nxt in suffix)
            for hop in self.entries(v, first):
                if hop.blocks or suffix_blocked:
                    if len(blocked) < max_blocked:
                        blocked.append(self._complete(hop, list(suffix)))
                    else:
                        more_blocked = True
                elif len(opened) < max(k, 1) * 4:
                    opened.append(self._complete(hop, list(suffix)))
            if enough_at is not None:
                continue
            if suffix_blocked or len(suffix) + 1 >= self.max_depth or v not in self.g:
                if not suffix_blocked and len(suffix) + 1 >= self.max_depth and any(True for _ in self.preds(v)):
                    self._limit(f"search limit reached: routes longer than {self.max_depth} hops were not explored")
                continue
            if len(opened) >= max(k, 1) * 4 and (len(blocked) >= max_blocked):
                break
            on_path = {v} | {nxt for _, _, nxt in suffix}
            for u, rel, data in self.preds(v):
                work += 1
                if u not in on_path:
                    queue.append((u, ((rel, data, v),) + suffix))
            if work > self.max_work:
                self._limit(f"search limit reached: stopped listing routes after {self.max_work} edges")
                break
        if more_blocked:
            self._limit(f"more blocked routes exist; the first {max_blocked} are shown")
        return opened, blocked


def _rank(route: list[Hop]) -> tuple:
    """Confirmed before unconfirmed, undisputed before disputed, the actor's own suppliers first, then short."""
    confirmed = all(h.confirmed for h in route)
    disputed = any(h.disputed for h in route)
    return (not confirmed, disputed, route[0].relation != _CUSTOMER_OF, len(route),
            [(h.src, h.relation, h.dst) for h in route])


# -- answers as data ------------------------------------------------------------

def _hop_sources(proj: Projection, hop: Hop) -> list:
    out = []
    for key in ([hop.fact] if hop.fact else []) + hop.confirm:
        for s in proj.sources(key):
            if s not in out:
                out.append(s)
    return out


def _restriction_json(proj: Projection, rid: str, reason: dict) -> dict:
    r = proj.restrictions[rid]
    out = {"id": r.id, "label": r.label or proj.label(r.id),
           "imposed_by": proj.node(r.imposed_by[0]) if r.imposed_by else None,
           "applies_in": [proj.node(j) for j in sorted(r.applies_in, key=proj.label)],
           "effective_from": r.effective_from, "effective_until": r.effective_until,
           "sources": list(r.sources),
           "kind": proj.node(r.kind) if r.kind else None,
           "covers": sorted(r.covers),
           "restricts": [proj.node(n) for n in r.restricts]}
    if r.applies_to:
        out["applies_to"] = [proj.node(n) for n in sorted(r.applies_to, key=proj.label)]
    if len(r.imposed_by) > 1:
        out["imposed_by_all"] = [proj.node(n) for n in r.imposed_by]
    why = {}
    if "jurisdiction" in reason:
        why["jurisdiction"] = proj.node(reason["jurisdiction"])
    if "actor" in reason:
        why["actor"] = proj.node(reason["actor"])
    if "ownership" in reason:
        why["ownership_chain"] = [proj.node(n) for n in reason["ownership"]]
    out["applies_because"] = why
    return out


def _node(proj: Projection, actor: Actor, n: str) -> dict:
    return {"id": n, "label": actor.label} if n == actor.node else proj.node(n)


def _relation(proj: Projection, rel: str) -> dict:
    return {"id": rel, "label": _RELATION_LABELS.get(rel) or proj.label(rel)}


def _context(proj: Projection, route: list[Hop]) -> list:
    """Who offers and operates each service on the route, and the platforms it is part of."""
    out = []
    for n in [h.dst for h in route]:
        if "Service" not in proj.types.get(n, ()) or n not in proj.graph:
            continue
        info = {"offered_by": [], "operated_by": [], "part_of": []}
        for u, keys in proj.graph.pred[n].items():
            for rel in keys:
                name = {_OFFERS: "offered_by", _OPERATES: "operated_by", _HAS_PART: "part_of"}.get(rel)
                if name:
                    info[name].append(proj.node(u))
        for platform in info["part_of"]:  # "part of Azure China, operated by 21Vianet"
            platform["operated_by"] = [proj.node(u) for u, keys in proj.graph.pred[platform["id"]].items()
                                       if _OPERATES in keys]
        if any(info.values()):
            out.append({"node": proj.node(n), **info})
    return out


def route_json(proj: Projection, actor: Actor, route: list[Hop]) -> dict:
    steps = []
    for h in route:
        step = {"from": _node(proj, actor, h.src), "relation": _relation(proj, h.relation),
                "to": _node(proj, actor, h.dst), "sources": _hop_sources(proj, h), "hop": h.kind,
                "confirmed": h.confirmed, "disputed": h.disputed}
        if h.blocks:
            step["blocked"] = True
        steps.append(step)
    out = {"steps": steps, "confirmed": all(h.confirmed for h in route), "disputed": any(h.disputed for h in route),
           "context": _context(proj, route)}
    blocks, seen = [], set()
    for h in route:
        for rid, reason in h.blocks:
            if rid not in seen:
                seen.add(rid)
                blocks.append(_restriction_json(proj, rid, reason))
    if blocks:
        out["blocked_by"] = blocks
    return out


def _key(route: list[Hop]) -> tuple:
    return tuple((h.src, h.relation, h.dst) for h in route)


def removed_nodes(proj: Projection, nodes) -> frozenset:
    """``nodes`` and what cannot exist without them (see the module docstring)."""
    removed = set(nodes)
    if not removed:
        return frozenset()
    g = proj.graph
    changed = True
    while changed:
        changed = False
        for n in g.nodes:
            if n in removed or "Service" not in proj.types.get(n, ()):
                continue
            by = {_OFFERS: [], _OPERATES: [], _HAS_PART: []}
            for u, keys in g.pred[n].items():
                for rel in keys:
                    if rel in by:
                        by[rel].append(u)
            deps = by[_OPERATES] or by[_OFFERS]
            gone = (deps and all(u in removed for u in deps)) or (
                by[_HAS_PART] and all(u in removed for u in by[_HAS_PART]))
            if gone:
                removed.add(n)
                changed = True
    return frozenset(removed)


def _prepare(proj: Projection, source: str, target: str, without=()):
    actor = resolve_actor(proj, source)
    to = proj.lookup(target)
    if to == actor.node:
        raise InputError(f"FROM and TO are the same ({proj.label(to)}): ask how one reaches something else")
    gone = [proj.lookup(n) for n in without]
    if to in gone:
        raise InputError(f"--without removes the target {proj.label(to)} itself")
    return actor, to, removed_nodes(proj, gone), gone


def verdict(proj: Projection, source: str, target: str, at: str, *, without=(), max_depth: int = MAX_DEPTH) -> str:
    """Only the verdict (the fast path)."""
    actor, to, removed, _ = _prepare(proj, source, target, without)
    return Search(proj, actor, to, at, removed=removed, max_depth=max_depth).verdict()[0]


def answer(proj: Projection, source: str, target: str, at: str, *, k: int = 3, without=(),
           max_depth: int = MAX_DEPTH, max_blocked: int = MAX_BLOCKED, max_work: int = MAX_WORK) -> dict:
    """The full answer, in the shape of ``aikg path --json`` (SPEC.md) plus explanatory keys."""
    actor, to, removed, gone = _prepare(proj, source, target, without)
    return _answer(proj, actor, to, at, removed, gone, k=k, max_depth=max_depth, max_blocked=max_blocked,
                   max_work=max_work)


def _answer(proj, actor, to, at, removed, gone, *, k, max_depth, max_blocked, max_work) -> dict:
    search = Search(proj, actor, to, at, removed=removed, max_depth=max_depth, max_work=max_work)
    verdict_, best = search.verdict()
    opened, blocked = search.routes(k=k, max_blocked=max_blocked)
    if actor.customer_of and not any(r[0].relation == _CUSTOMER_OF for r in opened):
        own = search.best(customer_only=True, max_work=2000)  # through a supplier the actor really uses
        if own is not None:
            opened.append(own)
    if best is not None and verdict_ != "blocked" and _key(best) not in {_key(r) for r in opened}:
        opened.append(best)
    if best is not None and verdict_ == "blocked" and _key(best) not in {_key(r) for r in blocked}:
        blocked.append(best)
    opened = sorted(opened, key=_rank)[:k]
    blocked = sorted(blocked, key=lambda r: (len(r), [(h.src, h.relation, h.dst) for h in r]))
    out = {
        "from": {"id": actor.node, "label": actor.label},
        "to": proj.node(to),
        "at": at,
        "verdict": verdict_,
        "routes": [route_json(proj, actor, r) for r in opened],
        "blocked_routes": [route_json(proj, actor, r) for r in blocked],
        "actor": {"kind": actor.kind, "jurisdictions": [proj.node(j) for j in sorted(actor.jurisdictions,
                                                                                     key=proj.label)],
                  "customer_of": [proj.node(n) for n in sorted(actor.customer_of)],
                  "owners": [[proj.node(n) for n in chain] for _, chain in actor.owners]},
        "notes": list(search.notes),
    }
    if gone:
        out["without"] = [proj.node(n) for n in gone]
        out["removed"] = [proj.node(n) for n in sorted(removed - set(gone), key=proj.label)]
    if not proj.graph.number_of_nodes():  # nodes come only with edges; counting edges would walk them all
        out["notes"].append("the store holds no access edges (customerOf, providesAccessTo, developedBy, ...)")
    return out


def diff(proj: Projection, source: str, target: str, d1: str, d2: str, *, without=(), k: int = 50,
         max_depth: int = MAX_DEPTH) -> dict:
    """Routes that opened or closed between ``d1`` and ``d2``, and why."""
    if d2 < d1:
        d1, d2 = d2, d1
    actor, to, removed, gone = _prepare(proj, source, target, without)
    a1, a2 = (_answer(proj, actor, to, d, removed, gone, k=k, max_depth=max_depth, max_blocked=k,
                      max_work=MAX_WORK) for d in (d1, d2))

    def keyed(ans, which):
        return {tuple((s["from"]["id"], s["relation"]["id"], s["to"]["id"]) for s in r["steps"]): r
                for r in ans[which]}

    open1, open2 = keyed(a1, "routes"), keyed(a2, "routes")
    blocked1, blocked2 = keyed(a1, "blocked_routes"), keyed(a2, "blocked_routes")
    opened, closed = [], []
    for key, route in open2.items():
        if key not in open1:
            if key in blocked1:
                why = [f"{b['label']} no longer blocks it (in force until {b['effective_until']})"
                       if b.get("effective_until") else f"{b['label']} no longer applies"
                       for b in blocked1[key]["blocked_by"]]
                opened.append({**route, "why": why, "before": blocked1[key]["blocked_by"]})
            else:
                opened.append({**route, "why": [f"a hop of this route was not valid on {d1}"]})
    for key, route in open1.items():
        if key not in open2:
            if key in blocked2:
                why = [f"blocked by {b['label']} from {b['effective_from']}" if b.get("effective_from")
                       else f"blocked by {b['label']}" for b in blocked2[key]["blocked_by"]]
                closed.append({**route, "why": why, "blocked_by": blocked2[key]["blocked_by"]})
            else:
                closed.append({**route, "why": [f"a hop of this route is no longer valid on {d2}"]})
    return {"from": a1["from"], "to": a1["to"], "between": [d1, d2],
            "verdicts": {d1: a1["verdict"], d2: a2["verdict"]}, "opened": opened, "closed": closed,
            "unchanged_open": len(set(open1) & set(open2)), "notes": sorted(set(a1["notes"]) | set(a2["notes"]))}
