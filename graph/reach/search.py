"""Route search over the projection: the verdict and the routes behind an answer (:mod:`aikg.reach.answers`).

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
"""
from dataclasses import dataclass, field

import numpy as np

from ..namespace import AIKG
from .actors import Actor
from .projection import (
    AVAILABLE_IN,
    BUY,
    CUSTOMER_OF,
    HOP_NODES,
    KIND_CODES,
    KINDS,
    NOT_BUYABLE,
    ORGANIZATION,
    RELATIONS,
    SERVICE,
    USE,
    Projection,
    day,
)

__all__ = ["Hop", "Search", "rank", "MAX_DEPTH", "MAX_WORK", "MAX_BLOCKED", "OFFERS", "OPERATES", "HAS_PART"]

MAX_DEPTH = 8
MAX_WORK = 50_000   # edge visits per search: the bound that keeps any query well under a second
MAX_BLOCKED = 10
OFFERS, OPERATES, HAS_PART = str(AIKG.offers), str(AIKG.operates), str(AIKG.hasPart)
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
        self._customer_mask = self._offered_mask = None
        self._blocked_masks: dict | None = None  # hop kind -> blocked nodes, made on first use
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
            elif not a.jurisdictions and a.identities() & r.applies_to:
                pass  # a group the rule names, whose place is unknown: taken to be where the rule applies
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
        if v == self.target and first is None and not types & NOT_BUYABLE and not proj.vendors.get(v):
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
        parent: dict[int, int | None] = {self._t: None}   # node id -> edge id toward the target
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
        self.opened: list[list[Hop]] = []
        self.blocked: list[list[Hop]] = []
        self.more_blocked = False
        # (not confirmed, disputed, not the actor's supplier) -> candidates
        self.ranked: list[list] = [[] for _ in range(8)]

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


def rank(route: list[Hop]) -> tuple:
    """Confirmed before unconfirmed, undisputed before disputed, the actor's own suppliers first, then short."""
    confirmed = all(h.confirmed for h in route)
    disputed = any(h.disputed for h in route)
    return (not confirmed, disputed, route[0].relation != CUSTOMER_OF, len(route),
            [(h.src, h.relation, h.dst) for h in route])
