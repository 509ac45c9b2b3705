"""Restriction frames after a document is read: when each one is in force.

A restriction the text gives no start for was in force when the article was
published, so it holds from the publication date at the latest, never before:
an undated restriction would otherwise block routes at every date, years
before anyone imposed it.
"""
from __future__ import annotations

from datetime import date

__all__ = ["anchor_dates"]


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
