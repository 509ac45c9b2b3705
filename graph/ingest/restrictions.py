"""Restriction frames after a document is read: when each one is in force.

A restriction the text gives no start for was in force when the article was
published, so it holds from the publication date at the latest, never before:
an undated restriction would otherwise block routes at every date, years
before anyone imposed it.
"""
from __future__ import annotations

import re
from datetime import date

from ..model import model
from ..names.ids import own_product_names
from .gazetteer import isa

__all__ = ["anchor_dates", "subject_place", "company_offering", "document_product", "adjective_place",
           "drop_placeless", "target_actors", "used_products"]


def anchor_dates(frames: list, published: date | None) -> None:
    """Give each undated frame the publication date as its start (in place).

    A frame already closed before publication ("lifted in May") keeps no start:
    its end is the date the text gives, and a start after it would be nonsense.
    """
    if published is None:
        return
    for fr in frames:
        if fr.effective_from is not None:
            continue
        if fr.effective_until is not None and fr.effective_until <= published:
            continue
        fr.effective_from = published


_OPENERS = {"", "the", "on", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", ","}


def subject_place(template: str, slots: list, t_start: int, jurisdiction) -> object | None:
    """The place a sentence opens with, when it acts ("Washington placed...", "Italy banned..."):
    the first slot before the trigger, preceded by nothing but a determiner, typed as a jurisdiction.
    ``jurisdiction(entity)`` tells whether an entity is one."""
    head = template[:t_start]
    first = head.find("⟦")
    if first < 0 or any(w.lower() not in _OPENERS for w in head[:first].split()):
        return None
    m = slots[int(head[first + 1:head.index("⟧", first)])]
    if m.kind != "entity" or m.entity is None or m.excluded or not jurisdiction(m.entity):
        return None
    return m.entity


_APP_CUES = re.compile(r"\b(?:apps?|applications?|chatbots?|assistant)\b", re.I)


def company_offering(company, quote: str, linker):
    """What a ban on a company bans ("Italy blocked DeepSeek"): its app, a product of the store named
    "<company> app" or "<company> chatbot"; without one, a new "<company> app" only when the sentence
    speaks of apps or chatbots (a ban on "Huawei" gear is not a ban on an app)."""
    for name in own_product_names(company.label):
        e = linker.gaz.lookup(name)
        if e is not None and isa(e.types, "Product"):
            return e
    if _APP_CUES.search(quote):
        return linker.implied_entity(f"{company.label} app", "Product")
    return None


def document_product(company, linker):
    """The one product of a company the document names ("OpenAI's generative AI" in a text about
    ChatGPT); None where it names none or several (which one would be a guess)."""
    maker = linker.gaz.maker
    made = [e for iri in linker.counts for e in [linker.gaz.entities.get(iri)]
            if e is not None and isa(e.types, "Product") and getattr(maker.get(iri), "iri", None) == company.iri]
    return made[0] if len(made) == 1 else None


def adjective_place(text: str, gaz) -> bool:
    """Whether a place named in a restriction's sentence is not where the rule applies:

    - "Chinese" in "the Chinese startup" or "Chinese-owned apps": where someone comes from. A demonym the
      gazetteer does not know as a name ("US" it does) is such an adjective;
    - a city or state ("Washington placed a requirement...", "Shenzhen-based Huawei"): it stands for its
      country's government or says where someone is; rules apply to countries, and the government's
      country is where a ban applies when the sentence names no other place.
    """
    text = text.strip()
    place = gaz.jurisdiction(text)
    if place is not None and place.iri in gaz.country:
        return True
    first = text.split("-")[0].split(" ")[0]
    known = first.lower() in gaz.demonyms or first in gaz.lexicon.get("demonyms", {})
    return known and gaz.lookup(first) is None and gaz.lookup(text) is None


def drop_placeless(frames: list) -> None:
    """No restriction without a place or a target actor (in place): it would block every route."""
    frames[:] = [fr for fr in frames if fr.applies_in or fr.applies_to]


def used_products(frames: list) -> None:
    """A new product of no narrower class that a rule blocks only the use of (an app pulled from a store,
    a suspended chatbot) is a service: people use it, they do not buy it as goods (in place)."""
    bought = {k.name for k in model().restriction_kinds.values() if "buy" in k.covers}
    for fr in frames:
        if fr.kind in bought:
            continue
        for e in fr.restricts:
            if e.new and e.types == frozenset({"Product"}):
                e.types = frozenset({"Service"})


# who a ban on government use covers: "in state administration", "on all government devices"
TARGET_HEADS = ("devices", "staffers", "staff", "employees", "servants", "administration", "agencies", "sector",
                 "schools", "computers", "departments", "officials", "workers", "phones", "systems")
_NOT_MODIFIERS = {"the", "a", "an", "all", "its", "their", "his", "her", "our", "of", "and", "or", "to", "from",
                  "in", "on", "for", "by", "using", "use", "with", "any", "some", "other", "such", "as"}
_TARGET = re.compile(r"\b(?:in|on|from|for|among|by|prohibiting|banning|barring|barred|banned)\s+"
                     r"(?:(?:the|all|its|their)\s+)?((?:[a-z][a-z-]*\s+){0,2}(?:" + "|".join(TARGET_HEADS) + r"))\b")


def target_actors(quote: str, linker) -> list:
    """Segments a restriction covers, named by a head noun after a preposition ("on government devices",
    "in the public sector"): the phrase becomes a customer segment, modifiers that are not words of
    the phrase (articles, prepositions) cut off."""
    found: list = []
    for m in _TARGET.finditer(quote):
        words = m.group(1).split()
        while len(words) > 1 and words[0] in _NOT_MODIFIERS:
            words = words[1:]
        if any(w in _NOT_MODIFIERS for w in words[:-1]) or len(words) < 2 and words[0] in ("systems", "sector"):
            continue
        e = linker.implied_entity(" ".join(words), "CustomerSegment")
        if all(e.iri != x.iri for x in found):
            found.append(e)
    return found[:3]
