"""Who is asking: FROM as an entity, a jurisdiction, or a phrase naming a generic actor.

Resolution order:

1. a name or alias of an entity (so a ``CustomerSegment`` called "Chinese
   enterprise customers" wins over reading the phrase);
2. a phrase: a place or demonym, optional qualifiers and a head noun
   ("Chinese enterprise customers", "Hong Kong customers", "Italian users",
   "European businesses", also "customers in China");
3. "<Service or Organization> customers/users" ("AWS customers" = customers
   of Amazon Web Services, "paying subscribers of X"), also after a place
   ("Italian AWS customers": customers of AWS in Italy).

An actor's jurisdictions are where it is based plus everything those are
``partOf`` (Italy -> European Union); its owners come from ``subsidiaryOf``,
each with the chain that leads to it, so a restriction that reaches it
through ownership can say how.

A generic actor is taken to be inside a ``CustomerSegment`` that shares its
head noun and place ("Chinese infrastructure operators" and a segment of
infrastructure operators in China): restrictions aimed at that segment reach
it. That errs toward reporting a block rather than missing one.
"""
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import Ambiguous, InputError, NotFound
from ..model import load_model, model
from ..names.ids import slug
from ..names.resolve import normalise
from .projection import Projection, singular

__all__ = ["Actor", "resolve_actor", "head_nouns"]

# Head nouns of a phrase naming a generic actor: every head the lexicon's segment_heads and customer_heads give
# ingestion ("Italian residents" is a segment there, so it is an actor here), and these besides: singulars and
# people and bodies a ban on government or workplace use names.
_MORE_HEADS = frozenset({
    "organisations", "organizations", "manufacturers",
    "customer", "user", "developer", "company", "enterprise", "business", "chipmaker", "operator", "firm",
    "employees", "staff", "staffers", "officials", "servants", "agencies", "schools", "students",
    "employee", "staffer", "official", "agency", "school", "student", "subscriber",
})
_MORE_CUSTOMER_NOUNS = frozenset({"customer", "user", "client", "companies", "subscriber"})


@lru_cache(maxsize=4)
def _heads(folder: str) -> tuple[frozenset, frozenset]:
    m = load_model(folder)
    customer = {normalise(w) for w in m.words("customer_heads")}  # as a phrase's words are: "start ups"
    return _MORE_HEADS | {normalise(w) for w in m.words("segment_heads")} | customer, _MORE_CUSTOMER_NOUNS | customer


def head_nouns() -> tuple[frozenset, frozenset]:
    """(head nouns of a generic actor, those of "<organization or service> <head>" naming its customers)."""
    return _heads(model().folder)


_MAX_OWNER_DEPTH = 10


@dataclass(frozen=True)
class Actor:
    node: str                       # an entity IRI, or a ``urn:aikg:actor:`` IRI for a phrase
    label: str
    kind: str                       # "entity" | "jurisdiction" | "phrase" | "customers-of"
    places: frozenset = frozenset()  # where it is based (direct)
    jurisdictions: frozenset = frozenset()  # places and what contains them
    customer_of: frozenset = frozenset()
    owners: tuple = ()              # ((owner, (actor, ..., owner)), ...) nearest first
    segments: frozenset = frozenset()  # CustomerSegments it is taken to belong to
    head: str | None = None
    notes: tuple = field(default=(), compare=False)

    def identities(self) -> frozenset:
        return frozenset({self.node}) | self.segments


def _segments(proj: Projection, head: str, places: frozenset) -> frozenset:
    """Segments named with the same head noun, based where the actor is (or nowhere in particular)."""
    head = singular(head)
    out = set(proj.segments.get((head, None), ()))
    for j in places:
        out.update(proj.segments.get((head, j), ()))
    return frozenset(out)


def _owners(proj: Projection, node: str) -> tuple:
    out, seen = [], {node}
    frontier: list[tuple[str, tuple[str, ...]]] = [(node, (node,))]  # (owner, chain to it)
    for _ in range(_MAX_OWNER_DEPTH):
        nxt = []
        for n, chain in frontier:
            for owner in proj.owners.get(n, ()):
                if owner not in seen:
                    seen.add(owner)
                    out.append((owner, chain + (owner,)))
                    nxt.append((owner, chain + (owner,)))
        frontier = nxt
    return tuple(out)


def _entity_actor(proj: Projection, node: str) -> Actor:
    if proj.is_a(node, "Jurisdiction") or node in proj.parents:
        places = frozenset({node})
        return Actor(node, proj.label(node), "jurisdiction", places, proj.closure(places))
    places = proj.based_in.get(node, frozenset())
    customer_of = proj.customer_of(node)
    segments: frozenset = frozenset()
    if proj.is_a(node, "CustomerSegment"):  # "House staffers" are among the "congressional staffers" a ban names
        words = normalise(proj.label(node)).split()
        segments = _segments(proj, words[-1], proj.closure(places)) - {node} if words else frozenset()
    return Actor(node, proj.label(node), "entity", places, proj.closure(places), customer_of, _owners(proj, node),
                 segments)


def _phrase(proj: Projection, text: str, words: list[str]) -> Actor | None:
    heads, customer_nouns = head_nouns()
    if len(words) >= 3 and " ".join(words[-2:]) in heads:  # a head of two words ("start-ups") as one
        words = words[:-2] + [" ".join(words[-2:])]
    k = next((k for k, w in enumerate(words) if w in heads and k < len(words) - 2
              and words[k + 1] in ("in", "from", "at", "of")), None)
    if k is not None:  # "customers in China", "(paying) subscribers of X": what precedes the head qualifies it
        head, prefix, of = words[k], words[k + 2:], words[k + 1] == "of"
    elif len(words) >= 2 and words[-1] in heads:
        head, prefix, of = words[-1], words[:-1], False
    else:
        return None
    node = f"urn:aikg:actor:{slug(text)}"
    places: frozenset = frozenset()
    rest = prefix
    for i in range(len(prefix), 0, -1) if not of else ():
        found = proj.places.get(" ".join(prefix[:i]))
        if found:
            places, rest = frozenset(found), prefix[i:]
            break
    served = _served(proj, rest) if head in customer_nouns else None
    if places:  # "Chinese iPhone users": users of the iPhone who are in China
        return Actor(node, text, "phrase", places, proj.closure(places), head=head,
                     customer_of=frozenset({served}) if served else frozenset(),
                     segments=_segments(proj, head, proj.closure(places)))
    if served is not None:
        return Actor(node, text, "customers-of", customer_of=frozenset({served}), head=head)
    return None


def _served(proj: Projection, words: list[str]) -> str | None:
    """The service or organization the words start with ("azure openai": Azure OpenAI Service), or None."""
    for i in range(len(words), 0, -1):
        try:
            target = proj.lookup(" ".join(words[:i]), suggest=False)
        except NotFound:
            continue
        if proj.is_a(target, "Service", "Organization"):
            return target
    return None


def resolve_actor(proj: Projection, text: str) -> Actor:
    """The actor that FROM names; NotFound (with candidates) or Ambiguous otherwise."""
    text = " ".join(str(text).split())
    if not normalise(text):
        raise InputError("FROM is empty: name an entity, a jurisdiction or a group such as 'Chinese customers'")
    try:
        return _entity_actor(proj, proj.lookup(text, suggest=False))
    except Ambiguous:
        raise
    except NotFound:
        pass
    actor = _phrase(proj, text, normalise(text).split())
    if actor is not None:
        return actor
    proj.lookup(text)  # raises NotFound with close candidates
    raise NotFound(f"unknown name {text!r}")
