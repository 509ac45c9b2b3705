"""Reach: can an actor get to a model, chip or service on a date, and by which route?

A route is an *entry hop* from the actor, then edges of the projection
(:mod:`aikg.reach.projection`) to the target:

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

The verdict and the routes come from :mod:`aikg.reach.search` (verdict first,
then the routes an answer shows, both bounded); this module turns them into
answers (SPEC.md's JSON), the what-if and the diff between two dates.

What-if (``without``): the named nodes are removed, with what depends on
them: services all of whose operators (or, lacking operators, offerers) are
removed, and parts all of whose platforms are removed. A part stays, but
loses its availability in a place when every platform that offered it there
is gone: without 21Vianet, Azure China goes, and Azure OpenAI Service is no
longer confirmed in China even though it stays on global Azure.
"""
from ..errors import InputError
from ..model import model
from ..names.ids import own_product_names
from .actors import Actor, resolve_actor
from .projection import BUY, CUSTOMER_OF, HOP_NODES, USE, Projection
from .records import (
    ActorInfo,
    Answer,
    Because,
    Change,
    Context,
    Diff,
    Node,
    Platform,
    Restriction,
    Route,
    Source,
    Step,
    Withdrawal,
)
from .search import HAS_PART, MAX_BLOCKED, MAX_DEPTH, MAX_WORK, OFFERS, OPERATES, Hop, Search, rank

__all__ = ["answer", "verdict", "diff", "removed_nodes", "withdrawn_availability", "MAX_DEPTH", "MAX_WORK"]

# a step is shown by its property's label in the ontology; entering by use or purchase has no property
_RELATION_NODES = {iri: Node(iri, label) for iri, label in {
    HOP_NODES[USE]: "uses", HOP_NODES[BUY]: "buys from", **{p.iri: p.label for p in model().properties.values()}
}.items() if label}


# -- answers as records ----------------------------------------------------------

def _node_of(proj: Projection, n: str) -> Node:
    return proj.node(n)


def _nodes(proj: Projection, nodes) -> tuple[Node, ...]:
    return tuple([proj.node(n) for n in nodes])


def _sources(found) -> tuple[Source, ...]:
    return tuple(Source.from_json(s) for s in found)


def _hop_sources(proj: Projection, hop: Hop) -> tuple[Source, ...]:
    """The sources of the hop's fact and of the facts confirming it, each once."""
    keys = ((hop.fact,) if hop.fact else ()) + tuple(hop.confirm)
    return proj.record(("sources",) + keys,
                       lambda: tuple(dict.fromkeys(Source.from_json(s) for key in keys for s in proj.sources(key))))


def _restriction(proj: Projection, rid: str, reason: dict) -> Restriction:
    r = proj.restrictions[rid]
    return Restriction(
        id=r.id, label=r.label or proj.label(r.id),
        imposed_by=_node_of(proj, r.imposed_by[0]) if r.imposed_by else None,
        applies_in=_nodes(proj, sorted(r.applies_in, key=proj.label)),
        effective_from=r.effective_from, effective_until=r.effective_until,
        sources=proj.record(("restriction sources", rid), lambda: _sources(proj.restriction_sources(rid))),
        kind=_node_of(proj, r.kind) if r.kind else None,
        covers=tuple(sorted(r.covers)),
        restricts=_nodes(proj, r.restricts),
        applies_to=_nodes(proj, sorted(r.applies_to, key=proj.label)),
        imposed_by_all=_nodes(proj, r.imposed_by) if len(r.imposed_by) > 1 else (),
        applies_because=Because(
            jurisdiction=_node_of(proj, reason["jurisdiction"]) if "jurisdiction" in reason else None,
            actor=_node_of(proj, reason["actor"]) if "actor" in reason else None,
            ownership_chain=_nodes(proj, reason["ownership"]) if "ownership" in reason else None))


def _node(proj: Projection, actor: Actor, n: str) -> Node:
    return Node(n, actor.label) if n == actor.node else _node_of(proj, n)


def _relation(proj: Projection, rel: str) -> Node:
    node = _RELATION_NODES.get(rel)
    return node if node is not None else Node(rel, proj.label(rel))


def _context(proj: Projection, route: list[Hop]) -> tuple[Context, ...]:
    """Who offers and operates each service on the route, and the platforms it is part of."""
    found = [proj.record(("context", h.dst), lambda n=h.dst: _service_context(proj, n)) for h in route]
    return tuple([c for c in found if c is not None])


def _service_context(proj: Projection, n: str) -> Context | None:
    """Who offers and operates ``n`` and the platforms it is part of, if it is a service and any are known."""
    if "Service" not in proj.types.get(n, ()) or n not in proj.ids:
        return None
    info = Context(_node_of(proj, n),
                   offered_by=_nodes(proj, (u for u, _ in proj.in_edges(n, OFFERS))),
                   operated_by=_nodes(proj, (u for u, _ in proj.in_edges(n, OPERATES))),
                   part_of=tuple(Platform(_node_of(proj, u),  # "part of Azure China, operated by 21Vianet"
                                          _nodes(proj, (o for o, _ in proj.in_edges(u, OPERATES))))
                                 for u, _ in proj.in_edges(n, HAS_PART)))
    return info if info.offered_by or info.operated_by or info.part_of else None


def route_record(proj: Projection, actor: Actor, route: list[Hop]) -> Route:
    # list comprehensions and positional fields: an answer builds a few dozen records, and each costs
    steps = tuple([Step(_node(proj, actor, h.src), _relation(proj, h.relation), _node(proj, actor, h.dst),
                        _hop_sources(proj, h), h.kind, h.confirmed, h.disputed, bool(h.blocks))
                   for h in route])
    blocks, seen = [], set()
    for h in route:
        for rid, reason in h.blocks:
            if rid not in seen:
                seen.add(rid)
                blocks.append(_restriction(proj, rid, reason))
    return Route(steps, all(h.confirmed for h in route), any(h.disputed for h in route), _context(proj, route),
                 tuple(blocks))


def _key(route: list[Hop]) -> tuple:
    return tuple([(h.src, h.relation, h.dst) for h in route])


def removed_nodes(proj: Projection, nodes) -> frozenset:
    """``nodes`` and what cannot exist without them (see the module docstring)."""
    removed = set(nodes)
    todo = list(removed)
    while todo:  # only what a removed node offers, operates or has as a part can go with it
        x = todo.pop()
        for n in sorted({s for rel in (OFFERS, OPERATES, HAS_PART) for s, _ in proj.out_edges_of(x, rel)}):
            if n in removed or "Service" not in proj.types.get(n, ()):
                continue
            deps = [u for u, _ in proj.in_edges(n, OPERATES)] or [u for u, _ in proj.in_edges(n, OFFERS)]
            platforms = [u for u, _ in proj.in_edges(n, HAS_PART)]
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
        for part, _ in proj.out_edges_of(platform, HAS_PART):
            if part in removed:
                continue
            platforms = [u for u, _ in proj.in_edges(part, HAS_PART)]
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
    to = _product_named(proj, proj.lookup(target))
    if to == actor.node:
        raise InputError(f"FROM and TO are the same ({proj.label(to)}): ask how one reaches something else")
    gone = [proj.lookup(n) for n in without]
    if to in gone:
        raise InputError(f"--without removes the target {proj.label(to)} itself")
    removed = removed_nodes(proj, gone)
    return actor, to, removed, gone, withdrawn_availability(proj, removed)


def _product_named(proj: Projection, node: str) -> str:
    """A company asked for as a TO stands for the one product it offers under its own name ("DeepSeek":
    the DeepSeek app); any other node is itself."""
    if proj.is_a(node, "Product", "Service", "AIModel", "Chip") or not proj.is_a(node, "Company", "Organization"):
        return node
    label = proj.label(node).lower()
    own = {proj.label(n).lower(): n for n, _ in proj.out_edges_of(node, OFFERS)
           if proj.label(n).lower().startswith(label + " ")}
    for name in own_product_names(label):  # as a ban on the company bans its app
        if name in own:
            return own[name]
    return own.popitem()[1] if len(own) == 1 else node


def verdict(proj: Projection, source: str, target: str, at: str, *, without=(), max_depth: int = MAX_DEPTH) -> str:
    """Only the verdict (the fast path)."""
    actor, to, removed, _, withdrawn = _prepare(proj, source, target, without)
    return Search(proj, actor, to, at, removed=removed, withdrawn=withdrawn, max_depth=max_depth).verdict()[0]


def answer(proj: Projection, source: str, target: str, at: str, *, k: int = 3, without=(),
           max_depth: int = MAX_DEPTH, max_blocked: int = MAX_BLOCKED, max_work: int = MAX_WORK) -> Answer:
    """The full answer; its ``to_json()`` is ``aikg path --json`` (SPEC.md) plus explanatory keys.

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


def _answer(proj, actor, to, at, removed, gone, withdrawn, *, k, max_depth, max_blocked, max_work) -> Answer:
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
    opened = _distinct(sorted(opened, key=rank))
    more = max(0, len(opened) - k)  # open routes found but not shown (the search may know of more still)
    opened = opened[:k]
    blocked = _distinct(sorted(blocked, key=lambda r: (len(r), [(h.src, h.relation, h.dst) for h in r])))
    hops = [h for r in opened + blocked for h in r]  # one store read for every source the answer cites
    proj.fetch_sources([key for h in hops for key in ([h.fact] if h.fact else []) + h.confirm],
                       [rid for h in hops for rid, _ in h.blocks])
    notes = list(search.notes)
    if not proj.edge_count and not proj.customers:
        notes.append("the store holds no access edges (customerOf, providesAccessTo, developedBy, ...)")
    return Answer(
        origin=Node(actor.node, actor.label),
        target=_node_of(proj, to),
        at=at,
        verdict=verdict_,
        routes=tuple([route_record(proj, actor, r) for r in opened]),
        blocked_routes=tuple([route_record(proj, actor, r) for r in blocked]),
        actor=ActorInfo(actor.kind, _nodes(proj, sorted(actor.jurisdictions, key=proj.label)),
                        _nodes(proj, sorted(actor.customer_of)),
                        tuple([_nodes(proj, chain) for _, chain in actor.owners])),
        notes=tuple(notes),
        more_routes=more,
        without=_nodes(proj, gone),
        removed=_nodes(proj, sorted(removed - set(gone), key=proj.label)) if gone else (),
        withdrawn=tuple(Withdrawal(_node_of(proj, part), _node_of(proj, j), _nodes(proj, there))
                        for (part, j), there in sorted(withdrawn.items())) if gone else (),
    )


def diff(proj: Projection, source: str, target: str, d1: str, d2: str, *, without=(), k: int = 50,
         max_depth: int = MAX_DEPTH) -> Diff:
    """Routes that opened or closed between ``d1`` and ``d2``, and why."""
    if d2 < d1:
        d1, d2 = d2, d1
    actor, to, removed, gone, withdrawn = _prepare(proj, source, target, without)
    a1, a2 = (_answer(proj, actor, to, d, removed, gone, withdrawn, k=k, max_depth=max_depth, max_blocked=k,
                      max_work=MAX_WORK) for d in (d1, d2))
    open1, open2 = ({r.key(): r for r in a.routes} for a in (a1, a2))
    blocked1, blocked2 = ({r.key(): r for r in a.blocked_routes} for a in (a1, a2))
    opened, closed = [], []
    for key, route in open2.items():
        if key not in open1:
            if key in blocked1:
                why = tuple(f"{b.label} no longer blocks it (in force until {b.effective_until})"
                            if b.effective_until else f"{b.label} no longer applies"
                            for b in blocked1[key].blocked_by)
                opened.append(Change(route, why, before=blocked1[key].blocked_by))
            else:
                opened.append(Change(route, (f"a hop of this route was not valid on {d1}",)))
    for key, route in open1.items():
        if key not in open2:
            if key in blocked2:
                why = tuple(f"blocked by {b.label} from {b.effective_from}" if b.effective_from
                            else f"blocked by {b.label}" for b in blocked2[key].blocked_by)
                closed.append(Change(route, why, blocked_by=blocked2[key].blocked_by))
            else:
                closed.append(Change(route, (f"a hop of this route is no longer valid on {d2}",)))
    return Diff(a1.origin, a1.target, (d1, d2), (a1.verdict, a2.verdict), tuple(opened), tuple(closed),
                len(set(open1) & set(open2)), tuple(sorted(set(a1.notes) | set(a2.notes))))
