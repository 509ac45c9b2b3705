"""Answers as frozen records: nodes, sources, restrictions, steps (hops), routes, answers and diffs.

:mod:`aikg.reach.answers` builds them; the CLI, the HTML views and the front door format them.
``to_json()`` gives the ``aikg path --json`` object of SPEC.md, key for key and in the same order;
``from_json()`` reads such an object back (a saved answer can be drawn), tolerating the keys a
hand-written or older answer leaves out.

>>> step = Step(Node("urn:a", "A"), Node("urn:p", "uses"), Node("urn:b", "B"), hop="use", confirmed=True)
>>> Step.from_json(step.to_json()) == step
True
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Node", "Source", "Because", "Restriction", "Step", "Platform", "Context", "Route", "ActorInfo",
           "Withdrawal", "Answer", "Change", "Diff"]


def _nodes(values) -> tuple[Node, ...]:
    return tuple(Node.from_json(v) for v in values or ())


def _json(items) -> list:
    return [x.to_json() for x in items]


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    label: str

    def to_json(self) -> dict:
        return {"id": self.id, "label": self.label}

    @classmethod
    def from_json(cls, value) -> Node:
        """A NODE object, or a bare id or label."""
        if isinstance(value, dict):
            nid = str(value.get("id") or value.get("label") or "")
            return cls(nid, str(value.get("label") or _local(nid) or nid))
        return cls(str(value or ""), str(value or ""))


@dataclass(frozen=True, slots=True)
class Source:
    """A document (by its title) and a quote stating a fact, or saying the opposite (``negated``)."""
    document: str | None
    quote: str | None = None
    negated: bool = False

    def to_json(self) -> dict:
        out: dict = {"document": self.document, "quote": self.quote}
        if self.negated:
            out["negated"] = True
        return out

    @classmethod
    def from_json(cls, value: dict) -> Source:
        return cls(value.get("document"), value.get("quote"), bool(value.get("negated")))


@dataclass(frozen=True, slots=True)
class Because:
    """Why a restriction applies to the actor: a jurisdiction, the actor named, or an ownership chain."""
    jurisdiction: Node | None = None
    actor: Node | None = None
    ownership_chain: tuple[Node, ...] | None = None

    def to_json(self) -> dict:
        out: dict = {}
        if self.jurisdiction is not None:
            out["jurisdiction"] = self.jurisdiction.to_json()
        if self.actor is not None:
            out["actor"] = self.actor.to_json()
        if self.ownership_chain is not None:
            out["ownership_chain"] = _json(self.ownership_chain)
        return out

    @classmethod
    def from_json(cls, value: dict | None) -> Because:
        value = value or {}
        return cls(Node.from_json(value["jurisdiction"]) if value.get("jurisdiction") else None,
                   Node.from_json(value["actor"]) if value.get("actor") else None,
                   _nodes(value["ownership_chain"]) if "ownership_chain" in value else None)


@dataclass(frozen=True, slots=True)
class Restriction:
    id: str
    label: str
    imposed_by: Node | None = None
    applies_in: tuple[Node, ...] = ()
    effective_from: str | None = None
    effective_until: str | None = None
    sources: tuple[Source, ...] = ()
    kind: Node | None = None
    covers: tuple[str, ...] = ()
    restricts: tuple[Node, ...] = ()
    applies_to: tuple[Node, ...] = ()       # in JSON only when it names someone
    imposed_by_all: tuple[Node, ...] = ()   # in JSON only when more than one imposed it
    applies_because: Because = Because()

    def to_json(self) -> dict:
        out = {"id": self.id, "label": self.label,
               "imposed_by": self.imposed_by.to_json() if self.imposed_by else None,
               "applies_in": _json(self.applies_in),
               "effective_from": self.effective_from, "effective_until": self.effective_until,
               "sources": _json(self.sources),
               "kind": self.kind.to_json() if self.kind else None,
               "covers": list(self.covers),
               "restricts": _json(self.restricts)}
        if self.applies_to:
            out["applies_to"] = _json(self.applies_to)
        if self.imposed_by_all:
            out["imposed_by_all"] = _json(self.imposed_by_all)
        out["applies_because"] = self.applies_because.to_json()
        return out

    @classmethod
    def from_json(cls, value: dict) -> Restriction:
        restricts = value.get("restricts") or []
        return cls(str(value.get("id") or ""), str(value.get("label") or ""),
                   Node.from_json(value["imposed_by"]) if value.get("imposed_by") else None,
                   _nodes(value.get("applies_in")), value.get("effective_from"), value.get("effective_until"),
                   tuple(Source.from_json(s) for s in value.get("sources") or ()),
                   Node.from_json(value["kind"]) if value.get("kind") else None,
                   tuple(value.get("covers") or ()),
                   _nodes(restricts if isinstance(restricts, list) else [restricts]),
                   _nodes(value.get("applies_to")), _nodes(value.get("imposed_by_all")),
                   Because.from_json(value.get("applies_because")))


@dataclass(frozen=True, slots=True)
class Step:
    """One hop of a route: ``src`` —``relation``→ ``dst``, the kind of hop and what the sources say of it.

    ``confirmed`` is None when an answer read back from JSON does not say.
    """
    src: Node
    relation: Node
    dst: Node
    sources: tuple[Source, ...] = ()
    hop: str | None = None
    confirmed: bool | None = None
    disputed: bool = False
    blocked: bool = False

    def to_json(self) -> dict:
        out = {"from": self.src.to_json(), "relation": self.relation.to_json(), "to": self.dst.to_json(),
               "sources": _json(self.sources), "hop": self.hop, "confirmed": self.confirmed,
               "disputed": self.disputed}
        if self.blocked:
            out["blocked"] = True
        return out

    @classmethod
    def from_json(cls, value: dict) -> Step:
        return cls(Node.from_json(value.get("from")), Node.from_json(value.get("relation") or ""),
                   Node.from_json(value.get("to")), tuple(Source.from_json(s) for s in value.get("sources") or ()),
                   value.get("hop") or value.get("kind"),
                   None if value.get("confirmed") is None else bool(value["confirmed"]),
                   bool(value.get("disputed")), bool(value.get("blocked")))


@dataclass(frozen=True, slots=True)
class Platform:
    """A platform a service is part of, with who operates it ("part of Azure China, operated by 21Vianet")."""
    node: Node
    operated_by: tuple[Node, ...] = ()

    def to_json(self) -> dict:
        return {**self.node.to_json(), "operated_by": _json(self.operated_by)}

    @classmethod
    def from_json(cls, value) -> Platform:
        return cls(Node.from_json(value), _nodes(value.get("operated_by") if isinstance(value, dict) else ()))


@dataclass(frozen=True, slots=True)
class Context:
    """Who offers and operates a service on a route, and the platforms it is part of."""
    node: Node
    offered_by: tuple[Node, ...] = ()
    operated_by: tuple[Node, ...] = ()
    part_of: tuple[Platform, ...] = ()

    def to_json(self) -> dict:
        return {"node": self.node.to_json(), "offered_by": _json(self.offered_by),
                "operated_by": _json(self.operated_by), "part_of": _json(self.part_of)}

    @classmethod
    def from_json(cls, value: dict) -> Context:
        return cls(Node.from_json(value.get("node")), _nodes(value.get("offered_by")),
                   _nodes(value.get("operated_by")), tuple(Platform.from_json(p) for p in value.get("part_of") or ()))


@dataclass(frozen=True, slots=True)
class Route:
    steps: tuple[Step, ...]
    confirmed: bool = False
    disputed: bool = False
    context: tuple[Context, ...] = ()
    blocked_by: tuple[Restriction, ...] = ()  # in JSON only for a blocked route

    def to_json(self) -> dict:
        out = {"steps": _json(self.steps), "confirmed": self.confirmed, "disputed": self.disputed,
               "context": _json(self.context)}
        if self.blocked_by:
            out["blocked_by"] = _json(self.blocked_by)
        return out

    @classmethod
    def from_json(cls, value: dict) -> Route:
        return cls(tuple(Step.from_json(s) for s in value.get("steps") or ()), bool(value.get("confirmed")),
                   bool(value.get("disputed")), tuple(Context.from_json(c) for c in value.get("context") or ()),
                   tuple(Restriction.from_json(r) for r in value.get("blocked_by") or ()))

    def key(self) -> tuple:
        """The route as (from, relation, to) ids: the same route on another date has the same key."""
        return tuple((s.src.id, s.relation.id, s.dst.id) for s in self.steps)


@dataclass(frozen=True, slots=True)
class ActorInfo:
    """Who is asking: the kind of actor, where it is, whose customer it is, who owns it."""
    kind: str
    jurisdictions: tuple[Node, ...] = ()
    customer_of: tuple[Node, ...] = ()
    owners: tuple[tuple[Node, ...], ...] = ()

    def to_json(self) -> dict:
        return {"kind": self.kind, "jurisdictions": _json(self.jurisdictions),
                "customer_of": _json(self.customer_of), "owners": [_json(chain) for chain in self.owners]}

    @classmethod
    def from_json(cls, value: dict) -> ActorInfo:
        return cls(str(value.get("kind") or ""), _nodes(value.get("jurisdictions")), _nodes(value.get("customer_of")),
                   tuple(_nodes(chain) for chain in value.get("owners") or ()))


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A part no longer confirmed available in a place: every platform that offered it there is gone."""
    node: Node
    place: Node
    through: tuple[Node, ...]

    def to_json(self) -> dict:
        return {"node": self.node.to_json(), "in": self.place.to_json(), "through": _json(self.through)}

    @classmethod
    def from_json(cls, value: dict) -> Withdrawal:
        return cls(Node.from_json(value.get("node")), Node.from_json(value.get("in")), _nodes(value.get("through")))


@dataclass(frozen=True, slots=True)
class Answer:
    """Can ``origin`` reach ``target`` on ``at``: the verdict, open and blocked routes, and why.

    ``without``, ``removed`` and ``withdrawn`` belong to a what-if; the JSON has them only then.
    """
    origin: Node
    target: Node
    at: str | None
    verdict: str
    routes: tuple[Route, ...] = ()
    blocked_routes: tuple[Route, ...] = ()
    actor: ActorInfo | None = None
    notes: tuple[str, ...] = ()
    more_routes: int = 0
    without: tuple[Node, ...] = ()
    removed: tuple[Node, ...] = ()
    withdrawn: tuple[Withdrawal, ...] = ()

    def to_json(self) -> dict:
        out: dict = {"from": self.origin.to_json(), "to": self.target.to_json(), "at": self.at,
                     "verdict": self.verdict, "routes": _json(self.routes),
                     "blocked_routes": _json(self.blocked_routes)}
        if self.actor is not None:
            out["actor"] = self.actor.to_json()
        out["notes"] = list(self.notes)
        out["more_routes"] = self.more_routes
        if self.without:
            out["without"] = _json(self.without)
            out["removed"] = _json(self.removed)
            out["withdrawn"] = _json(self.withdrawn)
        return out

    @classmethod
    def from_json(cls, value: dict) -> Answer:
        return cls(Node.from_json(value["from"]), Node.from_json(value["to"]), value.get("at"),
                   str(value.get("verdict") or ""), tuple(Route.from_json(r) for r in value.get("routes") or ()),
                   tuple(Route.from_json(r) for r in value.get("blocked_routes") or ()),
                   ActorInfo.from_json(value["actor"]) if value.get("actor") else None,
                   tuple(str(n) for n in value.get("notes") or ()), int(value.get("more_routes") or 0),
                   _nodes(value.get("without")), _nodes(value.get("removed")),
                   tuple(Withdrawal.from_json(w) for w in value.get("withdrawn") or ()))


@dataclass(frozen=True, slots=True)
class Change:
    """A route that opened or closed between two dates, and why; ``before`` (what blocked a route that
    opened) and ``blocked_by`` (what blocks one that closed) are in JSON only when known."""
    route: Route
    why: tuple[str, ...]
    before: tuple[Restriction, ...] | None = None
    blocked_by: tuple[Restriction, ...] | None = None

    def to_json(self) -> dict:
        out = {**self.route.to_json(), "why": list(self.why)}
        if self.before is not None:
            out["before"] = _json(self.before)
        if self.blocked_by is not None:
            out["blocked_by"] = _json(self.blocked_by)
        return out


@dataclass(frozen=True, slots=True)
class Diff:
    """The routes that opened or closed between two dates (``between``), with both verdicts."""
    origin: Node
    target: Node
    between: tuple[str, str]
    verdicts: tuple[str, str]
    opened: tuple[Change, ...]
    closed: tuple[Change, ...]
    unchanged_open: int
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        d1, d2 = self.between
        return {"from": self.origin.to_json(), "to": self.target.to_json(), "between": [d1, d2],
                "verdicts": {d1: self.verdicts[0], d2: self.verdicts[1]}, "opened": _json(self.opened),
                "closed": _json(self.closed), "unchanged_open": self.unchanged_open, "notes": list(self.notes)}
