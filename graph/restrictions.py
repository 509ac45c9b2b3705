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
