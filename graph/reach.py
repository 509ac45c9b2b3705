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
the target over open edges, which tests each node as an entry when it first
reaches it and stops at the first that completes a confirmed route (so a
popular model's fifty thousand suppliers are not all read). The explanation
then enumerates routes backward from the target, shortest first: the k best
open routes (confirmed, undisputed, through the actor's own suppliers, then
short) and the blocked routes no longer than the k-th open one (all of them,
within the bounds, when fewer than k are open), each with the restrictions
that block it. A blocked route is listed once, at its shortest: longer
routes through the same block add nothing. Both searches are bounded (depth
and work) and say so in ``notes`` when a bound cut them short; a route the
verdict rests on is always listed.

Restrictions are checked only at the nodes a search reaches (a node without
one costs one dict lookup), and a level's candidate routes are ranked from
set lookups before any route is spelled out.

What-if (``without``): the named nodes are removed, with what depends on
them: services all of whose operators (or, lacking operators, offerers) are
removed, and parts all of whose platforms are removed. A part stays, but
loses its availability in a place when every platform that offered it there
is gone: without 21Vianet, Azure China goes, and Azure OpenAI Service is no
longer confirmed in China even though it stays on global Azure.
"""
from dataclasses import dataclass, field

import numpy as np

from .actors import Actor, resolve_actor
from .errors import InputError
from .namespace import AIKG
from .projection import (AVAILABLE_IN, BUY, CUSTOMER_OF, HOP_NODES, KIND_CODES, KINDS, ORGANIZATION, RELATIONS,
                         SERVICE, USE, Projection, day)

__all__ = ["answer", "verdict", "diff", "removed_nodes", "withdrawn_availability", "Search", "MAX_DEPTH",
           "MAX_WORK"]

MAX_DEPTH = 8
MAX_WORK = 50_000   # edge visits per search: the bound that keeps any query well under a second
MAX_BLOCKED = 10
_OFFERS, _OPERATES, _HAS_PART = str(AIKG.offers), str(AIKG.operates), str(AIKG.hasPart)
_RELATION_LABELS = {HOP_NODES[USE]: "uses", HOP_NODES[BUY]: "buys from", str(AIKG.develops): "develops",
                    str(AIKG.manufactures): "manufactures", str(AIKG.offers): "offers",
                    str(AIKG.operates): "operates", str(AIKG.hasPart): "has part",
                    str(AIKG.providesAccessTo): "provides access to", CUSTOMER_OF: "customer of"}
_BUYABLE_NOT = frozenset({"Service", "AIModel", "Organization", "Jurisdiction", "CustomerSegment"})
_BLOCKED, _DISPUTED = 1, 2  # flags of a partial route (suffix) in the route listing
_WIDE = 256  # a node with this many edges in has them ranked with NumPy masks, not one by one


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
    """One question (actor, target, date, removed nodes) over one projection.

    Nodes are IRIs in what it returns and node ids (see :class:`Projection`)
    inside the loops; a route under construction is a tuple of edge ids from
    its first node toward the target.
    """

    def __init__(self, proj: Projection, actor: Actor, target: str, at: str, *, removed=frozenset(),
                 withdrawn=frozenset(), max_depth: int = MAX_DEPTH, max_work: int = MAX_WORK):
        self.proj, self.actor, self.target, self.at = proj, actor, target, at
        self.removed = frozenset(removed)
        self.withdrawn = frozenset(withdrawn)   # (product, jurisdiction) availability the what-if takes away
        self.max_depth, self.max_work = max_depth, max_work
        self.notes: list[str] = []
        self._blocks: dict = {}
        self._kinds: dict = {}
        self._offered = [(j, proj.offered_in[j]) for j in sorted(actor.jurisdictions) if j in proj.offered_in]
        self._work = 0
        self._customer_mask = self._offered_mask = self._blocked_masks = None
        self._t = proj.ids.get(target)
        self._asserted = proj.customer_of(actor.node)  # customerOf facts (a "customers of X" phrase has none)
        self._gone = frozenset(proj.ids[n] for n in self.removed if n in proj.ids)

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
        """[(restriction id, reason)] blocking a ``kind`` hop into ``node`` for this actor on this date."""
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

    def blocked_kinds(self, node: str) -> frozenset:
        """The hop kinds blocked into ``node`` (mostly none: one dict lookup)."""
        if node not in self.proj.restricted:
            return frozenset()
        kinds = self._kinds.get(node)
        if kinds is None:
            kinds = self._kinds[node] = frozenset(k for k in set(KINDS) if self.blocks(node, k))
        return kinds

    # -- entries ----------------------------------------------------------------
    def _available(self, product: str) -> list:
        keys = self.proj.availability(product, sorted(self.actor.jurisdictions), self.at)
        return [k for k in keys if (k[0], k[2]) not in self.withdrawn] if self.withdrawn else keys

    def _buy_confirm(self, product: str) -> list:
        return [k for k in self._available(product) if not self.proj.fact_disputed(k)]

    def _avail_confirm(self, node: str) -> tuple[list, bool]:
        keys = self._available(node)
        good = [k for k in keys if not self.proj.fact_disputed(k)]
        return (good or keys), bool(keys) and not good

    def good(self, x: str) -> bool:
        """``x`` is confirmed available to the actor on the date (undisputed): a set lookup per place."""
        proj = self.proj
        for j, there in self._offered:
            if x in there:
                key = (x, AVAILABLE_IN, j)
                info = proj.facts.get(key)
                if (info is None or not info["disputed"] and proj.fact_valid(key, self.at)) and (
                        x, j) not in self.withdrawn:
                    return True
        return False

    def entries(self, v: str, first: int | None) -> list[Hop]:
        """Entry hops from the actor into ``v``; ``first`` is the id of the route's next edge (None at the target)."""
        a, proj = self.actor, self.proj
        types = proj.types.get(v, frozenset())
        kind = USE if "Service" in types else BUY
        if v in a.customer_of:
            key = (a.node, CUSTOMER_OF, v) if v in self._asserted else None
            if key is None or a.node not in self.removed and proj.fact_valid(key, self.at):
                disputed = key is not None and proj.fact_disputed(key)
                return [Hop(a.node, v, CUSTOMER_OF, kind, key, confirmed=not disputed, disputed=disputed,
                            blocks=self.blocks(v, kind))]
        if "Service" in types:
            keys, disputed = self._avail_confirm(v)
            return [Hop(a.node, v, HOP_NODES[USE], USE, confirm=keys, confirmed=bool(keys) and not disputed,
                        disputed=disputed, blocks=self.blocks(v, USE))]
        if first is not None and KINDS[proj.rel[first]] == BUY and "Organization" in types:
            keys = self._buy_confirm(proj.nodes[proj.dst[first]])
            return [Hop(a.node, v, HOP_NODES[BUY], BUY, confirm=keys, confirmed=bool(keys),
                        blocks=self.blocks(v, BUY))]
        if v == self.target and first is None and not types & _BUYABLE_NOT and not proj.vendors.get(v):
            keys = self._buy_confirm(v)
            return [Hop(a.node, v, HOP_NODES[BUY], BUY, confirm=keys, confirmed=bool(keys),
                        blocks=self.blocks(v, BUY))]
        return []

    def _entry_class(self, u: int, first: int | None) -> int:
        """0 when ``u`` cannot be an entry; else 1 + (not confirmed) * 2 + (not a supplier of the actor).

        Set lookups only: it sorts a level's candidates before any route is spelled out.
        """
        proj = self.proj
        x, flags = proj.nodes[u], proj.flags[u]
        if x in self.actor.customer_of:
            return 1
        if flags & SERVICE:
            return 2 if self.good(x) else 4
        if first is None:
            return 4 if x == self.target else 0
        if flags & ORGANIZATION and KINDS[proj.rel[first]] == BUY:
            return 2 if self.good(proj.nodes[proj.dst[first]]) else 4
        return 0

    def edge_hop(self, e: int, entry: Hop) -> Hop:
        proj = self.proj
        kind, disputed = KINDS[proj.rel[e]], e in proj.disputed
        v = proj.nodes[proj.dst[e]]
        confirmed = not disputed
        if kind == BUY and confirmed:  # a sale is confirmed by the customer relation or availability
            confirmed = entry.relation == CUSTOMER_OF or entry.confirmed or bool(self._buy_confirm(v))
        return Hop(proj.nodes[proj.src[e]], v, RELATIONS[proj.rel[e]], kind, proj.edge_fact(e), confirmed=confirmed,
                   disputed=disputed, blocks=self.blocks(v, kind))

    def _complete(self, entry: Hop, suffix) -> list[Hop]:
        return [entry] + [self.edge_hop(e, entry) for e in suffix]

    def _usable(self, e: int) -> bool:
        """Edge ``e`` exists in the what-if and is valid on the date."""
        proj = self.proj
        return proj.src[e] not in self._gone and (e not in proj.dated or proj.edge_valid(e, self.at))

    # -- the verdict ------------------------------------------------------------
    def best(self, *, open_only: bool = True, confirmed_only: bool = False, customer_only: bool = False,
             max_work: int | None = None):
        """Backward BFS from the target; the shortest route meeting the conditions, or None.

        With ``confirmed_only`` only clean (undisputed) edges are followed and
        the search stops at the first confirmed entry; with ``customer_only``
        only entries through the actor's own ``customerOf`` count.
        """
        if self.target in self.removed or self._t is None and self.target not in self.proj.types:
            return None
        want = dict(open_only=open_only, confirmed_only=confirmed_only, customer_only=customer_only)
        route = self._accept(self.target, (), **want)
        if route is not None or self._t is None:
            return route
        proj, customers = self.proj, self.actor.customer_of
        src, dst, rel, in_ptr, nodes, flags = proj.src, proj.dst, proj.rel, proj.in_ptr, proj.nodes, proj.flags
        gone, dated, disputed = self._gone, proj.dated, proj.disputed
        good = self.good
        limit = max_work or self.max_work
        parent = {self._t: None}   # node id -> edge id toward the target
        frontier, work, depth = [self._t], 0, 0
        while frontier:
            last = depth + 1 >= self.max_depth  # nodes found now would need too many hops
            nxt = []
            for v in frontier:
                lo, hi = in_ptr[v], in_ptr[v + 1]
                blocked = self.blocked_kinds(nodes[v]) if open_only and lo < hi else ()
                for e in range(lo, hi):
                    u = src[e]
                    if u in parent or u in gone or e in dated and not proj.edge_valid(e, self.at):
                        continue
                    if blocked and KINDS[rel[e]] in blocked or confirmed_only and e in disputed:
                        continue
                    if last:
                        self._limit(f"search limit reached: routes longer than {self.max_depth} hops were not explored")
                        return None
                    parent[u] = e
                    x = nodes[u]
                    if customer_only:
                        candidate = x in customers
                    elif confirmed_only:  # a confirmed entry is a supplier or something available where the actor is
                        candidate = x in customers or (flags[u] & SERVICE and good(x)) or (
                            flags[u] & ORGANIZATION and KINDS[rel[e]] == BUY and good(nodes[dst[e]]))
                    else:
                        candidate = x in customers or flags[u] & SERVICE or (
                            flags[u] & ORGANIZATION and KINDS[rel[e]] == BUY)
                    if candidate:
                        route = self._accept(x, self._suffix(parent, u), **want)
                        if route is not None:
                            return route
                    nxt.append(u)
                work += hi - lo
                if work > limit:
                    if max_work is None:
                        self._limit(f"search limit reached: stopped after {self.max_work} edges")
                    return None
            frontier, depth = nxt, depth + 1
        return None

    def _accept(self, x: str, suffix: tuple, *, open_only, confirmed_only, customer_only):
        """A route from an entry into ``x`` along ``suffix`` that meets the conditions, or None."""
        for hop in self.entries(x, suffix[0] if suffix else None):
            if open_only and hop.blocks or customer_only and hop.relation != CUSTOMER_OF:
                continue
            route = self._complete(hop, suffix)
            if open_only and any(h.blocks for h in route):
                continue
            if not confirmed_only or all(h.confirmed and not h.disputed for h in route):
                return route
        return None

    def _suffix(self, parent: dict, u: int) -> tuple:
        out, dst = [], self.proj.dst
        e = parent[u]
        while e is not None:
            out.append(e)
            e = parent[dst[e]]
        return tuple(out)

    def _limit(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

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
        """Open routes (up to ``4 k`` kept, best first) and blocked routes (up to ``max_blocked``).

        Level by level (routes of 1, 2, ... hops): each level's entries are
        ranked from set lookups, then only the best are spelled out as routes;
        the search stops after the level where ``k`` open routes are found.
        """
        if self.target in self.removed or self._t is None and self.target not in self.proj.types:
            return [], []
        out, in_ptr = _Listing(self, k, max_blocked), self.proj.in_ptr
        self._work = 0
        level, depth = [(self._t, (), 0)], 0
        for item in level:
            out.add(*item)
        out.close()
        while len(out.opened) < k and self._t is not None:
            parents = [item for item in level if not item[2] & _BLOCKED]  # a route through a block: at its shortest
            if depth + 1 >= self.max_depth:
                if any(any(map(self._usable, range(in_ptr[v], in_ptr[v + 1]))) for v, _, _ in parents):
                    self._limit(f"search limit reached: routes longer than {self.max_depth} hops were not explored")
                break
            nxt, wide, stop = [], [], False
            for item in parents:
                lo, hi = in_ptr[item[0]], in_ptr[item[0] + 1]
                if hi - lo >= _WIDE:
                    out.add_wide(*item)
                    wide.append(item)
                else:
                    for step in self._extend(*item):
                        out.add(*step)
                        if not step[2] & _BLOCKED:
                            nxt.append(step)
                self._work += hi - lo
                if self._work > self.max_work:
                    self._limit(f"search limit reached: stopped listing routes after {self.max_work} edges")
                    stop = True
                    break
            out.close()
            if stop or len(out.opened) >= k or not nxt and not wide:
                break
            level = nxt + [step for item in wide for step in self._open_steps(*item)]  # wide ones only when needed
            depth += 1
        if out.more_blocked:
            self._limit(f"more blocked routes exist; the first {max_blocked} are shown")
        return out.opened, out.blocked

    def _extend(self, v: int, suffix: tuple, flag: int):
        """The partial routes one edge longer: (predecessor, suffix, flags) for each usable edge into ``v``."""
        proj = self.proj
        src, rel, disputed, dated, gone = proj.src, proj.rel, proj.disputed, proj.dated, self._gone
        on_path = {v}.union(proj.dst[e] for e in suffix)
        blocked = self.blocked_kinds(proj.nodes[v])
        for e in range(proj.in_ptr[v], proj.in_ptr[v + 1]):
            u = src[e]
            if u in on_path or u in gone or e in dated and not proj.edge_valid(e, self.at):
                continue
            yield u, (e,) + suffix, flag | (_BLOCKED if blocked and KINDS[rel[e]] in blocked else 0) | (
                _DISPUTED if e in disputed else 0)

    def wide(self, v: int, suffix: tuple) -> dict:
        """The edges into ``v`` as NumPy masks: ``usable`` (valid, removed by no what-if, no node twice) and
        ``through`` (the hop into ``v`` is blocked), with ``pred``, ``kind`` and the ``disputed`` edge ids."""
        proj, a = self.proj, self.proj.arrays()
        lo, hi = proj.in_ptr[v], proj.in_ptr[v + 1]
        pred, kind = a["src"][lo:hi], a["kind"][lo:hi]
        usable = ~np.isin(pred, list(self._gone | {v} | {proj.dst[e] for e in suffix}))
        for e in _between(a["dated"], lo, hi).tolist():
            usable[e - lo] = usable[e - lo] and proj.edge_valid(e, self.at)
        through = np.isin(kind, [KIND_CODES[k] for k in self.blocked_kinds(proj.nodes[v])])
        return {"lo": lo, "pred": pred, "kind": kind, "usable": usable, "through": through,
                "disputed": set(_between(a["disputed"], lo, hi).tolist())}

    def _open_steps(self, v: int, suffix: tuple, flag: int):
        """:meth:`_extend` for a node with many edges in, the blocked ones left out."""
        w = self.wide(v, suffix)
        for i in np.flatnonzero(w["usable"] & ~w["through"]).tolist():
            e = w["lo"] + i
            yield self.proj.src[e], (e,) + suffix, flag | (_DISPUTED if e in w["disputed"] else 0)

    def blocked_masks(self) -> dict:
        """kind -> node id -> a restriction in force blocks that kind of hop into the node for this actor.

        NumPy booleans, for wide levels. Only the restrictions scoped to the
        actor's places (and its owners'), itself, its segments, its owners
        or no one in particular are read, a column at a time; one reached
        through a place applies unless it also names whom it applies to.
        """
        if self._blocked_masks is None:
            proj, a = self.proj, self.actor
            places = set(a.jurisdictions)
            for owner, _ in a.owners:
                places |= proj.closure(proj.based_in.get(owner, ()))
            whos = (a.identities() | {owner for owner, _ in a.owners}) - places
            at = day(self.at, 0)
            masks = {kind: np.zeros(len(proj.nodes), dtype=bool) for kind in KIND_CODES}
            for scope in [None, *sorted(places), *sorted(whos)]:
                rows = proj.scope_rows(scope)
                live = (rows["start"] <= at) & (at <= rows["end"])
                for i in np.flatnonzero(live & (rows["check"] > 0) if scope is None or scope in places else live):
                    live[i] = self.applies(proj.restrictions[proj.scoped[scope][rows["rid"][i]]]) is not None
                for kind, code in KIND_CODES.items():
                    masks[kind][rows["node"][live & ((rows["covers"] >> code) & 1 > 0)]] = True
            self._blocked_masks = masks
        return self._blocked_masks

    def customer_mask(self):
        """node id -> the actor is a customer of it (NumPy booleans, for wide levels)."""
        if self._customer_mask is None:
            mask = np.zeros(len(self.proj.nodes), dtype=bool)
            mask[[self.proj.ids[x] for x in self.actor.customer_of if x in self.proj.ids]] = True
            self._customer_mask = mask
        return self._customer_mask

    def offered_mask(self):
        """node id -> available in one of the actor's places (before dates and disputes are checked)."""
        if self._offered_mask is None:
            mask = np.zeros(len(self.proj.nodes), dtype=bool)
            for j, _ in self._offered:
                mask[self.proj.offered_ids(j)] = True
            self._offered_mask = mask
        return self._offered_mask


class _Listing:
    """The routes found so far: blocked ones as they come, open ones ranked per level before being spelled out."""

    def __init__(self, search: Search, k: int, max_blocked: int):
        self.s, self.cap, self.max_blocked = search, max(k, 1) * 4, max_blocked
        self.opened, self.blocked, self.more_blocked = [], [], False
        self.ranked = [[] for _ in range(8)]  # (not confirmed, disputed, not the actor's supplier) -> candidates

    def add(self, u: int | None, suffix: tuple, flag: int) -> None:
        """The routes entering node ``u`` (None: the target, which has no edges) and then taking ``suffix``."""
        s = self.s
        first = suffix[0] if suffix else None
        x = s.target if u is None else s.proj.nodes[u]
        c = 4 if u is None else s._entry_class(u, first)
        if not c:
            return
        if flag & _BLOCKED or x in s.proj.restricted:  # maybe blocked: spell it out now
            if flag & _BLOCKED and len(self.blocked) >= self.max_blocked:
                self.more_blocked = True
                return
            for hop in s.entries(x, first):
                if hop.blocks or flag & _BLOCKED:
                    if len(self.blocked) < self.max_blocked:
                        self.blocked.append(s._complete(hop, suffix))
                    else:
                        self.more_blocked = True
                elif len(self.opened) < self.cap:
                    self.opened.append(s._complete(hop, suffix))
            return
        bucket = self.ranked[c - 1 + (4 if flag & _DISPUTED else 0)]
        if len(bucket) < self.cap:
            bucket.append((x, first, suffix))

    def add_wide(self, v: int, suffix: tuple, flag: int) -> None:
        """:meth:`add` for the routes through each of ``v``'s many predecessors.

        NumPy masks over the predecessors pick the few worth spelling out:
        blocked ones (as many as are listed, and one more to know there are
        more), then open ones by rank, each in edge order.
        """
        s = self.s
        proj = s.proj
        w = s.wide(v, suffix)
        lo, pred, through, disputed = w["lo"], w["pred"], w["through"], w["disputed"]
        flags = proj.arrays()["flags"][pred]
        service, vendor = (flags & SERVICE) > 0, ((flags & ORGANIZATION) > 0) & (w["kind"] == KIND_CODES[BUY])
        customer = s.customer_mask()[pred]
        entry = w["usable"] & (customer | service | vendor)
        masks = s.blocked_masks()
        blocked = entry & np.where(service, masks[USE][pred], masks[BUY][pred])  # the entry hop itself

        def add(indices):
            for i in indices.tolist():
                e = lo + i
                self.add(proj.src[e], (e,) + suffix, flag | (_BLOCKED if through[i] else 0) | (
                    _DISPUTED if e in disputed else 0))

        add(np.flatnonzero(entry & through)[:max(0, self.max_blocked - len(self.blocked)) + 1])
        add(np.flatnonzero(blocked & ~through)[:max(0, self.max_blocked - len(self.blocked)) + 1])
        free = entry & ~through & ~blocked
        add(np.flatnonzero(free & customer)[:self.cap + len(disputed)])
        free &= ~customer
        likely = free & (service & s.offered_mask()[pred] | vendor & s.good(proj.nodes[v]))
        for i in np.flatnonzero(likely).tolist():  # confirmed, unless dates or disputes say otherwise
            if len(self.ranked[1]) >= self.cap:
                break
            add(np.array([i]))
        add(np.flatnonzero(free & ~likely)[:self.cap + len(disputed)])

    def close(self) -> None:
        """Spell out the level's best open routes."""
        for bucket in self.ranked:
            for x, first, suffix in bucket:
                if len(self.opened) >= self.cap:
                    break
                self.opened.extend(self.s._complete(hop, suffix) for hop in self.s.entries(x, first) if not hop.blocks)
        self.ranked = [[] for _ in range(8)]


def _between(ids, lo: int, hi: int):
    """The sorted edge ids in ``ids`` from ``lo`` up to ``hi``."""
    return ids[np.searchsorted(ids, lo):np.searchsorted(ids, hi)]


def _rank(route: list[Hop]) -> tuple:
    """Confirmed before unconfirmed, undisputed before disputed, the actor's own suppliers first, then short."""
    confirmed = all(h.confirmed for h in route)
    disputed = any(h.disputed for h in route)
    return (not confirmed, disputed, route[0].relation != CUSTOMER_OF, len(route),
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
           "sources": proj.restriction_sources(rid),
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
        if "Service" not in proj.types.get(n, ()) or n not in proj.ids:
            continue
        info = {"offered_by": [proj.node(u) for u, _ in proj.in_edges(n, _OFFERS)],
                "operated_by": [proj.node(u) for u, _ in proj.in_edges(n, _OPERATES)],
                "part_of": [proj.node(u) for u, _ in proj.in_edges(n, _HAS_PART)]}
        for platform in info["part_of"]:  # "part of Azure China, operated by 21Vianet"
            platform["operated_by"] = [proj.node(u) for u, _ in proj.in_edges(platform["id"], _OPERATES)]
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
    todo = list(removed)
    while todo:  # only what a removed node offers, operates or has as a part can go with it
        x = todo.pop()
        for n in sorted({s for rel in (_OFFERS, _OPERATES, _HAS_PART) for s, _ in proj.out_edges_of(x, rel)}):
            if n in removed or "Service" not in proj.types.get(n, ()):
                continue
            deps = [u for u, _ in proj.in_edges(n, _OPERATES)] or [u for u, _ in proj.in_edges(n, _OFFERS)]
            platforms = [u for u, _ in proj.in_edges(n, _HAS_PART)]
            if deps and all(u in removed for u in deps) or platforms and all(u in removed for u in platforms):
                removed.add(n)
                todo.append(n)
    return frozenset(removed)


def withdrawn_availability(proj: Projection, removed) -> dict:
    """{(part, jurisdiction): [platforms]}: where a kept part was available only through removed platforms.

    A platform counts for a place when it is available there or in a
    jurisdiction containing it; a part whose availability goes passes the
    loss on to its own parts.
    """
    out = {}
    todo = sorted(removed)
    while todo:
        platform = todo.pop()
        for part, _ in proj.out_edges_of(platform, _HAS_PART):
            if part in removed:
                continue
            platforms = [u for u, _ in proj.in_edges(part, _HAS_PART)]
            for j in sorted(proj.available.get(part, ())):
                if (part, j) in out:
                    continue
                around = proj.closure({j})
                there = [q for q in platforms if around & proj.available.get(q, frozenset())]
                if there and all(q in removed or (q, j) in out for q in there):
                    out[(part, j)] = there
                    todo.append(part)
    return out


def _prepare(proj: Projection, source: str, target: str, without=()):
    actor = resolve_actor(proj, source)
    to = proj.lookup(target)
    if to == actor.node:
        raise InputError(f"FROM and TO are the same ({proj.label(to)}): ask how one reaches something else")
    gone = [proj.lookup(n) for n in without]
    if to in gone:
        raise InputError(f"--without removes the target {proj.label(to)} itself")
    removed = removed_nodes(proj, gone)
    return actor, to, removed, gone, withdrawn_availability(proj, removed)


def verdict(proj: Projection, source: str, target: str, at: str, *, without=(), max_depth: int = MAX_DEPTH) -> str:
    """Only the verdict (the fast path)."""
    actor, to, removed, _, withdrawn = _prepare(proj, source, target, without)
    return Search(proj, actor, to, at, removed=removed, withdrawn=withdrawn, max_depth=max_depth).verdict()[0]


def answer(proj: Projection, source: str, target: str, at: str, *, k: int = 3, without=(),
           max_depth: int = MAX_DEPTH, max_blocked: int = MAX_BLOCKED, max_work: int = MAX_WORK) -> dict:
    """The full answer, in the shape of ``aikg path --json`` (SPEC.md) plus explanatory keys.

    Sources are read from the projection's store for the routes shown.
    """
    actor, to, removed, gone, withdrawn = _prepare(proj, source, target, without)
    return _answer(proj, actor, to, at, removed, gone, withdrawn, k=k, max_depth=max_depth, max_blocked=max_blocked,
                   max_work=max_work)


def _distinct(routes: list) -> list:
    """The first of the routes through the same nodes: two relations between the same pair
    (Azure OpenAI Service is part of Azure China, which also gives access to it) make one way, not two."""
    seen, kept = set(), []
    for r in routes:
        nodes = (r[0].src,) + tuple(h.dst for h in r)
        if nodes not in seen:
            seen.add(nodes)
            kept.append(r)
    return kept


def _answer(proj, actor, to, at, removed, gone, withdrawn, *, k, max_depth, max_blocked, max_work) -> dict:
    search = Search(proj, actor, to, at, removed=removed, withdrawn=withdrawn, max_depth=max_depth,
                    max_work=max_work)
    verdict_, best = search.verdict()
    opened, blocked = search.routes(k=k, max_blocked=max_blocked)
    if actor.customer_of and not any(r[0].relation == CUSTOMER_OF for r in opened):
        own = search.best(customer_only=True, max_work=2000)  # through a supplier the actor really uses
        if own is not None:
            opened.append(own)
    if best is not None and verdict_ != "blocked" and _key(best) not in {_key(r) for r in opened}:
        opened.append(best)
    if best is not None and verdict_ == "blocked" and _key(best) not in {_key(r) for r in blocked}:
        blocked.append(best)
    opened = _distinct(sorted(opened, key=_rank))[:k]
    blocked = _distinct(sorted(blocked, key=lambda r: (len(r), [(h.src, h.relation, h.dst) for h in r])))
    hops = [h for r in opened + blocked for h in r]  # one store read for every source the answer cites
    proj.fetch_sources([key for h in hops for key in ([h.fact] if h.fact else []) + h.confirm],
                       [rid for h in hops for rid, _ in h.blocks])
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
        out["withdrawn"] = [{"node": proj.node(part), "in": proj.node(j), "through": [proj.node(p) for p in there]}
                            for (part, j), there in sorted(withdrawn.items())]
    if not proj.edge_count and not proj.customers:
        out["notes"].append("the store holds no access edges (customerOf, providesAccessTo, developedBy, ...)")
    return out


def diff(proj: Projection, source: str, target: str, d1: str, d2: str, *, without=(), k: int = 50,
         max_depth: int = MAX_DEPTH) -> dict:
    """Routes that opened or closed between ``d1`` and ``d2``, and why."""
    if d2 < d1:
        d1, d2 = d2, d1
    actor, to, removed, gone, withdrawn = _prepare(proj, source, target, without)
    a1, a2 = (_answer(proj, actor, to, d, removed, gone, withdrawn, k=k, max_depth=max_depth, max_blocked=k,
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
