"""HTML views of the graph and of path answers: self-contained, offline, deterministic pages.

``aikg export --format html`` draws the store (or a neighbourhood of it,
filtered by class and date, pruned beyond a node limit) with :func:`graph_page`;
``aikg path --html`` draws an answer with :func:`render_path`. Both read the
store through the reach projection (:mod:`aikg.reach.projection`: entities,
labels, classes, facts with their validity, restrictions, and sources on demand),
never with queries of their own. The page itself
is assembled by :mod:`aikg.views.htmlpage` and laid out by :mod:`aikg.views.layout`:
positions are computed here and physics is off in the browser, since with
pyvis's defaults 2,000 nodes take about 146 s to settle (FINDINGS).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..dates import iso_day
from ..errors import InputError, NotFound
from ..model import model
from ..names.resolve import normalise, resolve
from ..reach.projection import ENTITY_CLASSES, LINKS, Projection, load_projection
from ..reach.records import Answer, Node, Restriction, Route, Source, Step
from ..reach.search import HAS_PART
from ..store.base import Store
from .htmlpage import (
    CLASS_STYLES,
    class_legend,
    edge_legend,
    edge_record,
    emphasis_icon,
    node_record,
    render_page,
    style,
    wrap,
)
from .layout import spring_layout

__all__ = ["Page", "graph_page", "render_graph", "path_page", "path_html", "render_path", "DEFAULT_LIMIT"]

DEFAULT_LIMIT = 2000

_MODEL = model()
# Drawn relations: the facts the projection keeps between entities (LINKS, from the ontology), by local name
_NAME_OF = {p.iri: p.name for p in _MODEL.properties.values()}
RELATIONS = tuple(_NAME_OF[iri] for iri in LINKS)
RESTRICTION_LINKS = frozenset(name for name in RELATIONS if "Restriction" in _MODEL.properties[name].domain)
_SYMMETRIC = frozenset(name for name in RELATIONS if _MODEL.properties[name].symmetric)
_PLACE_LINKS = ("basedIn", "availableIn", "partOf")  # shown in a node's tooltip, by their labels
# a restriction's tooltip: what it restricts first, then the rest by name
_RESTRICTION_ORDER = sorted(RESTRICTION_LINKS, key=lambda name: (name != "restricts", name))

_MAX_LIST = 8
_MAX_SOURCES = 5
_MAX_QUOTE = 300


@dataclass(frozen=True)
class Page:
    """A rendered page: the HTML, what it shows, and notes for the user (e.g. that it was pruned)."""

    html: str
    nodes: int
    edges: int
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- the graph as the projection holds it

@dataclass
class _Node:
    id: str
    label: str | None = None
    types: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)
    restriction: dict = field(default_factory=dict)  # kind, from, until

    @property
    def cls(self) -> str:
        return next((c for c in CLASS_STYLES if c in self.types), "Other")

    @property
    def name(self) -> str:
        return self.label or self.id.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@dataclass
class _Edge:
    source: str
    relation: str
    target: str
    facts: list[tuple] = field(default_factory=list)  # (s, p, o) keys of the projection: two for a symmetric pair


def _local(iri) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


_FOCUSED_LOAD_MAX = 20_000  # beyond this many nodes around a focus, every node is looked at (as cheap)


def _load(proj: Projection, within: set[str] | None = None) -> tuple[dict[str, _Node], list[_Edge]]:
    """Every entity and every drawable fact as the projection holds them; with ``within``, only those entities
    and the facts between them (a neighbourhood)."""
    nodes: dict[str, _Node] = {}
    for e in proj.nodes if within is None else sorted(x for x in within if x in proj.ids):
        node = nodes[e] = _Node(e, proj.labels.get(e), set(proj.classes_of(e)), set(proj.aliases(e)))
        r = proj.restrictions.get(e)
        if r is not None and "Restriction" in node.types:
            known = _MODEL.restriction_kinds.get(r.kind or "")
            kind = known.label if known else r.kind and _local(r.kind)
            node.restriction = {k: v for k, v in (("kind", kind), ("from", r.effective_from),
                                                  ("until", r.effective_until)) if v}
    edges: dict[tuple, _Edge] = {}
    for fact in proj.links(within):
        key = _edge_key(fact[0], _NAME_OF[fact[1]], fact[2])
        edges.setdefault(key, _Edge(*key)).facts.append(fact)
    return nodes, sorted(edges.values(), key=lambda e: (e.source, e.relation, e.target))


def _edge_key(s: str, p: str, o: str) -> tuple[str, str, str]:
    if p in _SYMMETRIC and o < s:  # one edge per pair
        s, o = o, s
    return s, p, o


def _in_force(start: str | None, end: str | None, at: str) -> bool:
    return (start is None or start <= at) and (end is None or at <= end)


def _edge_valid(proj: Projection, edge: _Edge, at: str) -> bool:
    return any(proj.fact_valid(fact, at) for fact in edge.facts)


def _wanted_types(types) -> set[str] | None:
    """Requested class names (local name or label, any case) -> local names of those classes."""
    if types is None:
        return None
    names = [t for t in (types.split(",") if isinstance(types, str) else types) if t.strip()]
    if not names:
        return None
    known: dict[str, str] = {}
    for c in map(_MODEL.classes.__getitem__, ENTITY_CLASSES):
        known[normalise(c.name).replace(" ", "")] = c.name
        known[normalise(c.label).replace(" ", "")] = c.name
    wanted = set()
    for name in names:
        key = normalise(name).replace(" ", "")
        if key not in known:
            choices = ", ".join(sorted(set(known.values())))
            raise InputError(f"unknown class {name.strip()!r} for --types; choose from {choices}")
        wanted.add(known[key])
    return wanted


# each class and the classes above it, from the ontology: a --types filter keeps subclasses too
_ANCESTORS = {c: {c, *_MODEL.ancestors(c)} for c in _MODEL.classes}


# --------------------------------------------------------------------------- choosing what to show

def _adjacency(node_ids, edges: list[_Edge]) -> dict[str, set[str]]:
    adj: dict[str, set[str]] = {n: set() for n in node_ids}
    for e in edges:
        if e.source != e.target:
            adj[e.source].add(e.target)
            adj[e.target].add(e.source)
    return adj


def _ball(adj: dict[str, set[str]], centre: str, depth: int | None) -> list[str]:
    """Nodes by distance from ``centre``; within a distance, most connected first."""
    seen = {centre}
    order = [centre]
    level = [centre]
    d = 0
    while level and (depth is None or d < depth):
        nxt = sorted({m for n in level for m in adj[n]} - seen, key=lambda m: (-len(adj[m]), m))
        seen.update(nxt)
        order.extend(nxt)
        level = nxt
        d += 1
    return order


def _prune(adj: dict[str, set[str]], limit: int, centre: str | None) -> tuple[list[str], str]:
    """At most ``limit`` nodes: the ball around ``centre`` (default: the most connected node), then the next."""
    kept: list[str] = []
    taken: set[str] = set()
    by_degree = sorted(adj, key=lambda n: (-len(adj[n]), n))
    centre = centre or by_degree[0]
    start = centre
    while len(kept) < limit:
        for n in _ball(adj, start, None):
            if n not in taken:
                taken.add(n)
                kept.append(n)
                if len(kept) == limit:
                    break
        start = next((n for n in by_degree if n not in taken), None)
        if start is None:
            break
    return kept, centre


# --------------------------------------------------------------------------- text for tooltips

def _listing(items) -> str:
    items = sorted(items)
    more = f" and {len(items) - _MAX_LIST} more" if len(items) > _MAX_LIST else ""
    return ", ".join(items[:_MAX_LIST]) + more


def _clip(text: str, size: int = _MAX_QUOTE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _sources_text(sources: list[tuple]) -> list[str]:
    """Tooltip lines for (document, quote) pairs."""
    lines = []
    for document, quote in sources[:_MAX_SOURCES]:
        doc = _clip(str(document or "unknown source"), 160)
        lines.append(f"• {doc}" + (f'\n   "{_clip(str(quote))}"' if quote else ""))
    if len(sources) > _MAX_SOURCES:
        lines.append(f"… and {len(sources) - _MAX_SOURCES} more sources")
    return ["sources:"] + lines if lines else ["sources: none recorded"]


def _span(start: str | None, end: str | None) -> str | None:
    if not start and not end:
        return None
    return f"from {start or 'an unknown date'}" + (f" until {end}" if end else "")


# --------------------------------------------------------------------------- aikg export --format html

def graph_page(store: Store, *, focus: str | None = None, depth: int = 2, types=None, at=None,
               limit: int = DEFAULT_LIMIT, projection: Projection | None = None) -> Page:
    """The graph (or the neighbourhood of ``focus`` within ``depth`` hops) as a page, drawn from the
    store's projection (``projection``, else :func:`load_projection`); the sources of the facts drawn are
    read from ``store``.

    ``types`` keeps only entities of these classes (names or labels, subclasses
    included; the focus always stays); ``at`` keeps only facts valid on that day
    and restrictions in force then. Beyond ``limit`` nodes the page keeps the
    most connected part around the focus and says so in ``notes``.
    """
    if limit < 1:
        raise InputError("the node limit must be at least 1")
    if depth is not None and depth < 0:
        raise InputError("--depth must be 0 or more")
    day = (None if at is None else iso_day(at))
    wanted = _wanted_types(types)
    proj = projection if projection is not None else load_projection(store)
    proj.store = store  # the sources of the facts drawn are read from it
    centre = _focus(proj, store, focus) if focus else None
    # around a focus only the ball one hop wider than shown is looked at: every fact of a node shown (its tooltip
    # lists them all) has its other end in it, and filters only ever shrink the ball
    within = (proj.neighbourhood(centre, depth + 1, _FOCUSED_LOAD_MAX)
              if centre is not None and depth is not None else None)
    nodes, all_edges = _load(proj, within)
    if centre is not None and centre not in nodes:
        nodes[centre] = _Node(centre)

    up = _ANCESTORS
    keep = set()
    for nid, node in nodes.items():
        if nid == centre:  # the focus stays whatever the filters say
            keep.add(nid)
            continue
        if day and node.restriction and not _in_force(node.restriction.get("from"), node.restriction.get("until"), day):
            continue
        if wanted is not None:
            classes = set().union(*(up.get(t, {t}) for t in node.types)) if node.types else set()
            if not classes & wanted:
                continue
        keep.add(nid)
    edges = [e for e in all_edges if e.source in keep and e.target in keep and (not day or _edge_valid(proj, e, day))]
    adj = _adjacency(sorted(keep), edges)

    notes = []
    total = len(adj)
    if centre is not None:
        shown = _ball(adj, centre, depth)
    else:
        shown = sorted(adj)
    if len(shown) > limit:
        before = len(shown)
        within = set(shown)
        shown, hub = _prune({n: adj[n] & within for n in shown}, limit, centre)
        notes.append(f"showing {limit:,} of {before:,} nodes: the most connected part around "
                     f"{nodes[hub].name}; narrow the view with --focus, --depth, --types or --at")
    shown_set = set(shown)
    edges = [e for e in edges if e.source in shown_set and e.target in shown_set]

    positions = spring_layout(sorted(shown_set), [(e.source, e.target) for e in edges])
    degree = {n: len(adj[n] & shown_set) for n in shown_set}
    out_links: dict[str, dict[str, set[str]]] = {}
    for e in all_edges:  # tooltips describe the entity fully, even what the view leaves out
        out_links.setdefault(e.source, {}).setdefault(e.relation, set()).add(nodes[e.target].name)
    records = []
    for nid in sorted(shown_set):
        node = nodes[nid]
        rec = node_record(nid, node.name, node.cls, _node_title(node, out_links.get(nid, {})),
                           degree=degree[nid], emphasis=nid == centre)
        rec["x"], rec["y"] = positions[nid]
        records.append(rec)
    edge_records = []
    proj.fetch_sources([fact for e in edges for fact in e.facts])  # one query for every edge drawn
    for e in edges:
        rel = _MODEL.properties[e.relation].label
        style = "restriction" if e.relation in RESTRICTION_LINKS else "fact"
        edge_records.append(edge_record(e.source, e.target, rel, _edge_title(proj, e, rel, nodes), style))

    title = f"Neighbourhood of {nodes[centre].name}" if centre else "aikg graph"
    bits = [f"{len(records):,} nodes, {len(edge_records):,} edges"]
    if centre:
        bits.append(f"within {depth} hop{'s' if depth != 1 else ''}")
    if wanted:
        bits.append("classes: " + ", ".join(sorted(wanted)))
    if day:
        bits.append(f"facts valid on {day}")
    if total == 0:
        notes.append("nothing to show: the store holds no entities matching these options")
    legend_edges = edge_legend(("fact", "restriction"), edge_records)
    if centre:
        legend_edges_nodes = [{"icon": emphasis_icon(), "label": "focus (thick border)"}]
    else:
        legend_edges_nodes = []
    html = render_page(title=title, subtitle=" · ".join(bits), nodes=records, edges=edge_records,
                   big=len(edge_records) > 1500 or len(records) > 1000,
                   legend_nodes=class_legend(nodes[n].cls for n in shown_set) + legend_edges_nodes,
                   legend_edges=legend_edges, notes=notes)
    return Page(html, len(records), len(edge_records), tuple(notes))


def _focus(proj: Projection, store: Store, name: str) -> str:
    """The entity named ``name``: from the projection's name index (no store read), else from every label in the
    store (a restriction, or a name with its spaces left out, which the index does not hold)."""
    try:
        return proj.lookup(name, suggest=False)
    except NotFound:
        return str(resolve(store, name))


def render_graph(store: Store, *, focus: str | None = None, depth: int = 2, types=None, at=None,
                 limit: int = DEFAULT_LIMIT) -> str:
    """The HTML of :func:`graph_page`."""
    return graph_page(store, focus=focus, depth=depth, types=types, at=at, limit=limit).html


def _node_title(node: _Node, links: dict[str, set[str]]) -> str:
    label, _colour, _shape = style(node.cls)
    lines = [node.name, f"type: {label if node.cls != 'Other' else 'untyped'}"]
    if node.aliases:
        lines.append("aliases: " + _listing(node.aliases))
    if node.cls == "Restriction":
        r = node.restriction
        if r.get("kind"):
            lines.append(f"kind: {r['kind']}")
        for rel in _RESTRICTION_ORDER:
            if links.get(rel):
                lines.append(f"{_MODEL.properties[rel].label}: {_listing(links[rel])}")
        lines.append("in force: " + (_span(r.get("from"), r.get("until")) or "dates unknown"))
    for rel in _PLACE_LINKS:
        if links.get(rel):
            lines.append(f"{_MODEL.properties[rel].label}: {_listing(links[rel])}")
    lines.append(node.id)
    return "\n".join(lines)


def _edge_title(proj: Projection, edge: _Edge, relation: str, nodes: dict[str, _Node]) -> str:
    lines = [f"{nodes[edge.source].name} → {relation} → {nodes[edge.target].name}", f"relation: {relation}"]
    valid = [span for fact in edge.facts for span in (proj.facts.get(fact) or {}).get("valid") or ()]
    spans = sorted({s for s in (_span(a, b) for a, b in valid) if s})
    if spans:
        lines.append("valid: " + "; ".join(spans))
    sources = {(str(d.get("document") or ""), d.get("quote")) for fact in edge.facts for d in proj.sources(fact)
               if not d.get("negated")}  # what says the opposite is not a source of the fact drawn
    lines += _sources_text(sorted(sources, key=lambda d: (d[0], d[1] or "")))
    return "\n".join(lines)


# --------------------------------------------------------------------------- aikg path --html

def _source_pairs(sources) -> list[tuple]:
    return [(s.document, s.quote) for s in sources]


def _details(proj: Projection | None, nid: str) -> tuple[_Node, dict[str, set[str]]]:
    """A route node's classes, aliases and the places it is based in, available in and part of, as the
    projection holds them."""
    node = _Node(nid)
    links: dict[str, set[str]] = {}
    if proj is None:
        return node, links
    node.types = set(proj.types.get(nid, ()))
    node.aliases = set(proj.aliases(nid))
    if proj.is_a(nid, "Jurisdiction"):  # the projection keeps every enclosing place; a tooltip names the nearest
        around = proj.parents.get(nid, frozenset())
        part_of = [p for p in around if not any(p in proj.parents.get(q, ()) for q in around)]
    else:  # a service's platforms
        part_of = [u for u, _ in proj.in_edges(nid, HAS_PART)]
    for what, places in (("basedIn", proj.based_in.get(nid, ())), ("availableIn", proj.available.get(nid, ())),
                         ("partOf", part_of)):
        if places:
            links[what] = {proj.label(x) for x in places}
    return node, links


@dataclass
class _PathEdge:
    """One drawn step, shared by every route that takes it."""
    label: str
    status: str
    hop: str | None
    routes: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    state: set[str] = field(default_factory=set)


@dataclass
class _PathDrawing:
    """What a path page shows: the nodes in the order met, their columns (hop counts), the steps, the
    restrictions and which node each one blocks on which routes."""
    actor: Node
    target: Node
    names: dict[str, str]
    order: list[str]
    level: dict[str, int]
    edges: dict[tuple, _PathEdge] = field(default_factory=dict)
    restrictions: dict[str, Restriction] = field(default_factory=dict)
    blocks: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (blocked node, restriction) -> routes


def _as_answer(answer: Answer | dict) -> Answer:
    """An answer record, or an ``aikg path --json`` object read into one."""
    if isinstance(answer, Answer):
        return answer
    if not isinstance(answer, dict) or "from" not in answer or "to" not in answer:
        raise InputError("a path answer needs 'from' and 'to'")
    return Answer.from_json(answer)


def _shown_routes(ans: Answer) -> list[tuple[str, str, Route]]:
    """(status, name, route) of every route drawn: open ones first."""
    return ([("open", f"open route {i}", r) for i, r in enumerate(ans.routes, 1)]
            + [("blocked", f"blocked route {i}", r) for i, r in enumerate(ans.blocked_routes, 1)])


def _blocked_node(restriction: Restriction, route: Route) -> str | None:
    """The node on the route that the restriction blocks.

    The reach engine marks blocked steps and lists what a restriction
    ``restricts``; without either, the first hop's end (where entry is refused).
    """
    restricted = {n.id for n in restriction.restricts}
    ends = [s.dst.id for s in route.steps]
    flagged = [s.dst.id for s in route.steps if s.blocked]
    for candidates in ([e for e in flagged if e in restricted], [e for e in ends if e in restricted], flagged):
        if candidates:
            return candidates[0]
    return ends[0] if ends else None


def _add_step(drawing: _PathDrawing, status: str, route_name: str, pos: int, step: Step) -> None:
    """A step's two ends (in longest-path columns: routes run left to right) and its edge."""
    for node, lvl in ((step.src, pos), (step.dst, pos + 1)):
        drawing.names.setdefault(node.id, node.label)
        if node.id not in drawing.level:
            drawing.order.append(node.id)
        drawing.level[node.id] = max(drawing.level.get(node.id, 0), lvl)
    edge = drawing.edges.setdefault((step.src.id, step.relation.id, step.dst.id),
                                    _PathEdge(step.relation.label, status, step.hop))
    if status == "open":
        edge.status = "open" if step.confirmed is not False else "open_unconfirmed"
    if step.confirmed is not None:
        edge.state.add("confirmed" if step.confirmed else "not confirmed")
    if step.disputed:
        edge.state.add("sources disagree")
    if step.blocked:
        edge.state.add("blocked")
    edge.routes.append(route_name)
    for src in step.sources:
        if src not in edge.sources:
            edge.sources.append(src)


def _add_blocks(drawing: _PathDrawing, route_name: str, route: Route) -> None:
    """The restrictions blocking a route, each tied to the node it blocks."""
    for r in route.blocked_by:
        rid = r.id or r.label or f"restriction {len(drawing.restrictions) + 1}"
        drawing.restrictions.setdefault(rid, r)
        where = _blocked_node(r, route)
        if where is not None:
            drawing.blocks.setdefault((where, rid), []).append(route_name)


def _drawing(ans: Answer) -> _PathDrawing:
    drawing = _PathDrawing(ans.origin, ans.target, names={ans.origin.id: ans.origin.label,
                                                           ans.target.id: ans.target.label},
                           order=[ans.origin.id], level={ans.origin.id: 0})
    for status, name, route in _shown_routes(ans):
        for pos, step in enumerate(route.steps):
            _add_step(drawing, status, name, pos, step)
        if status == "blocked":
            _add_blocks(drawing, name, route)
    target = ans.target.id
    if target not in drawing.level:
        drawing.order.append(target)
    drawing.level[target] = max([v for k, v in drawing.level.items() if k != target] + [0]) + 1
    return drawing


def _service_notes(ans: Answer) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Tooltip lines for each service on a route (who offers and operates it, its platforms), and the
    line under its label: "(Microsoft, operated by 21Vianet)"."""
    context: dict[str, list[str]] = {}
    owners: dict[str, str] = {}
    for _status, _name, route in _shown_routes(ans):
        for c in route.context:
            bits = context.setdefault(c.node.id, [])
            offered = [x.label for x in c.offered_by]
            operators = [x.label for x in c.operated_by]
            for text, who in (("offered by", c.offered_by), ("operated by", c.operated_by)):
                names = ", ".join(x.label for x in who)
                if names and f"{text} {names}" not in bits:
                    bits.append(f"{text} {names}")
            for platform in c.part_of:
                ops = [x.label for x in platform.operated_by]
                operators += ops
                bit = f"part of {platform.node.label}" + (f", operated by {', '.join(ops)}" if ops else "")
                if bit not in bits:
                    bits.append(bit)
            others = sorted(set(operators) - set(offered))
            if offered or others:
                owners[c.node.id] = "(" + ", ".join(sorted(set(offered))) + (", " if offered and others else "") \
                    + ("operated by " + ", ".join(others) if others else "") + ")"
    return context, owners


def _positions(drawing: _PathDrawing) -> dict[str, tuple[int, int]]:
    """Columns by hop count, restrictions right under the node they block, each column centred."""
    column: dict[int, list[str]] = {}
    for nid in drawing.order:
        column.setdefault(drawing.level[nid], []).append(nid)
        for (where, rid) in sorted(drawing.blocks):
            if where == nid and rid not in column[drawing.level[nid]]:
                column[drawing.level[nid]].append(rid)
    blocking = {rid for _where, rid in drawing.blocks}
    for rid in sorted(drawing.restrictions):  # blocking nothing on the page: still shown, beside the target
        if rid not in blocking:
            column.setdefault(drawing.level[drawing.target.id] + 1, []).append(rid)
    positions = {}
    for col, items in column.items():
        ys, y = [], 0
        for row, nid in enumerate(items):
            y += 0 if row == 0 else 140 if nid in drawing.restrictions else 170
            ys.append(y)
        for nid, y in zip(items, ys):
            positions[nid] = (col * 320, int(y - ys[-1] / 2))
    return positions


def _path_node_records(drawing: _PathDrawing, ans: Answer, positions: dict,
                       proj: Projection | None) -> tuple[list[dict], list[str]]:
    """The records of the route's nodes, and their classes (for the legend)."""
    context, owners = _service_notes(ans)
    records, classes = [], []
    for nid in drawing.order:
        node, links = _details(proj, nid)
        node.label = drawing.names[nid]
        role = "actor" if nid == drawing.actor.id else "target" if nid == drawing.target.id else None
        title = _node_title(node, links)
        if role:
            title = f"{role}\n" + title
        if context.get(nid):
            title += "\n" + "\n".join(context[nid])
        classes.append(node.cls if node.types else "Other")
        rec = node_record(nid, node.name, classes[-1], title, degree=4, emphasis=role is not None)
        if owners.get(nid):
            rec["label"] += "\n" + wrap(owners[nid], 34)
        rec["x"], rec["y"] = positions[nid]
        records.append(rec)
    return records, classes


def _restriction_record(rid: str, r: Restriction, position: tuple[int, int]) -> dict:
    name = r.label or "restriction"
    by = r.imposed_by.label if r.imposed_by else None
    span = _span(r.effective_from, r.effective_until)
    lines = [name, "type: Restriction"]
    if r.kind:
        lines.append(f"kind: {r.kind.label}")
    if by:
        lines.append(f"imposed by: {by}")
    if r.applies_in:
        lines.append("applies in: " + _listing([n.label for n in r.applies_in]))
    lines.append("in force: " + (span or "dates unknown"))
    lines += _sources_text(_source_pairs(r.sources))
    lines.append(rid)
    rec = node_record(rid, name, "Restriction", "\n".join(lines))
    rec["label"] = "\n".join(filter(None, [wrap(name, 26), by and wrap(f"by {by}", 26), span]))
    rec["x"], rec["y"] = position
    return rec


def _path_edge_records(drawing: _PathDrawing) -> list[dict]:
    records = []
    names = drawing.names
    for (a, _rel, b), e in sorted(drawing.edges.items()):
        lines = [f"{names[a]} → {e.label} → {names[b]}", f"relation: {e.label}"]
        if e.hop:
            lines.append(f"hop: {e.hop}" + (f" ({', '.join(sorted(e.state))})" if e.state else ""))
        lines.append("on: " + ", ".join(e.routes))
        lines += _sources_text(_source_pairs(e.sources))
        records.append(edge_record(a, b, e.label, "\n".join(lines), e.status))
    for (where, rid), route_names in sorted(drawing.blocks.items()):
        r = drawing.restrictions[rid]
        span = _span(r.effective_from, r.effective_until)
        lines = [f"{names[where]} is blocked by {r.label or 'a restriction'}"]
        if span:
            lines.append(f"in force {span}")
        lines.append("blocks: " + ", ".join(route_names))
        rec = edge_record(where, rid, "blocked by", "\n".join(lines), "blocked_by")
        rec["font"] = {"align": "horizontal", "color": "#CC3311"}
        rec["smooth"] = False
        records.append(rec)
    return records


def path_page(answer: Answer | dict, *, projection: Projection | None = None, store: Store | None = None) -> Page:
    """A path answer (or its ``aikg path --json`` object) as a page.

    Open routes are solid blue, blocked routes red dashed, each ending at the
    restriction that blocks it; the actor and the target have thick borders.
    With the ``projection`` the answer came from (or a ``store`` to load it from), nodes get their class
    colours and fuller tooltips.
    """
    ans = _as_answer(answer)
    drawing = _drawing(ans)
    positions = _positions(drawing)
    proj = projection if projection is not None or store is None else load_projection(store)
    node_records, classes = _path_node_records(drawing, ans, positions, proj)
    classes += ["Restriction"] * len(drawing.restrictions)
    node_records += [_restriction_record(rid, drawing.restrictions[rid], positions[rid])
                     for rid in sorted(drawing.restrictions)]
    edge_records = _path_edge_records(drawing)
    n_open, n_blocked = len(ans.routes), len(ans.blocked_routes)
    subtitle = (f"at {ans.at}: " if ans.at else "") + (f"{n_open} open route{'s' if n_open != 1 else ''}, "
                                                     f"{n_blocked} blocked route{'s' if n_blocked != 1 else ''}")
    notes = ans.notes + (() if n_open or n_blocked else ("no route found between these two",))
    legend_edges = edge_legend(("open", "open_unconfirmed", "blocked", "blocked_by"), edge_records)
    legend_nodes = [{"icon": emphasis_icon(), "label": "actor and target (thick border)"}] + class_legend(classes)
    html = render_page(title=f"Can {ans.origin.label} reach {ans.target.label}?", subtitle=subtitle,
                       nodes=node_records, edges=edge_records, big=False, legend_nodes=legend_nodes,
                       legend_edges=legend_edges, notes=notes, verdict=ans.verdict or None)
    return Page(html, len(node_records), len(edge_records), tuple(notes))


def path_html(answer: Answer | dict, *, projection: Projection | None = None, store: Store | None = None) -> str:
    """The HTML of :func:`path_page`."""
    return path_page(answer, projection=projection, store=store).html


def render_path(answer: Answer | dict, path, *, projection: Projection | None = None,
                store: Store | None = None) -> Page:
    """Write the page for a path answer to ``path``."""
    page = path_page(answer, projection=projection, store=store)
    try:
        Path(path).write_text(page.html, encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write {path}: {e.strerror or e}") from e
    return page
