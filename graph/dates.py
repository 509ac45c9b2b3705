"""Absolute and relative dates in text, resolved against a publication date.

"starting July 9th", "on Sunday", "May 21 last year", "late last month": each
becomes a :class:`DateMention` whose ``value`` is the resolved day (or first
day of the month / year, see ``precision``). Without an anchor, dates that
need one keep ``value=None``: unresolved rather than guessed.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = ["DateMention", "parse_date", "find_dates", "iso_day", "MONTHS", "WEEKDAYS"]

MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
_MONTH_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
               "oct": 10, "nov": 11, "dec": 12}
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                        "sunday"])}

_MON = r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December|" \
       r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_SHIFT = r"(?:\s+(?P<shift>last|this|next)\s+year)"
_CUE = r"(?:(?P<cue>on|starting|from|since|until|till|through|by|before|after|effective|beginning|as of|in)\s+)?"

_PATTERNS = [
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("dmy", re.compile(_CUE + r"\b" + _DAY + r"\s+(?:of\s+)?" + _MON + r"(?:,?\s+" + _YEAR + r"\b|" + _SHIFT + r")?",
                       re.I)),
    ("mdy", re.compile(_CUE + r"\b" + _MON + r"\s+" + _DAY + r"\b(?:,?\s+" + _YEAR + r"\b|" + _SHIFT + r")?", re.I)),
    ("my", re.compile(_CUE + r"\b" + _MON + r"(?:\s+" + _YEAR + r"\b|" + _SHIFT + r")", re.I)),
    ("weekday", re.compile(r"(?:(?P<cue>on|starting|from|since|until|by|before|after|effective|beginning|last|"
                           r"next|this|as of)\s+)?\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
                           r"Sunday)\b(?:\s+(?:of\s+)?(?P<week>last|next)\s+week\b)?", re.I)),
    ("rel_day", re.compile(r"\b(?P<cue>starting\s+|from\s+|since\s+)?(?P<rel>today|yesterday|tomorrow)\b", re.I)),
    ("rel_month", re.compile(r"\b(?P<part>early|earlier|mid|late|later|at the end of|at the start of)?[\s-]*"
                             r"(?P<which>last|this|next)\s+(?P<unit>month|year)\b", re.I)),
    ("year", re.compile(r"\b(?P<cue>in|since|from|until|by)\s+" + _YEAR + r"\b", re.I)),
]

_ANY_DATE = re.compile(r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|"
                       r"today|yesterday|tomorrow|last|this|next)", re.I)
_DIGIT = re.compile(r"\d")
_MONTH_WORD = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.I)
_FUTURE = re.compile(r"\b(will|would|shall|is due|are due|due to|plans? to|planned|to take effect|set to|"
                     r"going to|upcoming)\b", re.I)
_FORWARD_CUES = {"starting", "from", "beginning", "effective", "until", "till", "through", "by", "as of", "next"}


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    value: date | None
    precision: str = "day"  # day, month or year
    cue: str | None = None


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or _MONTH_ABBR[key[:4] if key.startswith("sept") else key[:3]]


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_date(text: str | None) -> date | None:
    """An absolute date in a header or attribute: ISO (with time), "24 July 2023", "July 24, 2023"."""
    if not text:
        return None
    text = str(text).strip()
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.match(r"^(\d{4})/(\d{1,2})/(\d{1,2})\b", text)
    if m:
        return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for kind in ("dmy", "mdy"):
        m = _PATTERNS[1 if kind == "dmy" else 2][1].search(text)
        if m and m.group("year"):
            return _safe(int(m.group("year")), _month(m.group("mon")), int(m.group("day")))
    try:
        return datetime.strptime(text[:31], "%a, %d %b %Y %H:%M:%S %z").date()  # RFC 2822 (RSS)
    except ValueError:
        return None


def iso_day(value, what: str = "--at") -> str:
    """A date given by a user, as ``YYYY-MM-DD``; an InputError naming ``what`` otherwise.

    >>> iso_day(" 2024-08-01 ")
    '2024-08-01'
    """
    from .errors import InputError

    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InputError(f"{what} expects a date as YYYY-MM-DD, got {text!r}") from None


def _overlaps(spans, s, e) -> bool:
    return any(s < e2 and s2 < e for s2, e2 in spans)


def find_dates(text: str, anchor: date | None = None) -> list[DateMention]:
    """Every date expression in ``text`` with its value resolved against ``anchor``."""
    if not _ANY_DATE.search(text):
        return []
    found: list[DateMention] = []
    spans: list[tuple[int, int]] = []
    future = bool(_FUTURE.search(text))
    # what each kind of date needs (cheap tests first: most sentences hold no date at all)
    low = text.lower()
    digit = _DIGIT.search(text) is not None
    month = _MONTH_WORD.search(text) is not None
    possible = {"iso": digit and "-" in text, "dmy": digit and month, "mdy": digit and month, "my": month,
                "weekday": "day" in low, "rel_day": "day" in low or "tomorrow" in low,
                "rel_month": "month" in low or "year" in low, "year": digit}
    for kind, rx in _PATTERNS:
        if not possible[kind]:
            continue
        for m in rx.finditer(text):
            if _overlaps(spans, m.start(), m.end()):
                continue
            mention = _resolve(kind, m, anchor, future)
            if mention is None:
                continue
            spans.append((m.start(), m.end()))
            found.append(mention)
    return sorted(found, key=lambda d: d.start)


def _group(m, name):
    try:
        return m.group(name)
    except IndexError:
        return None


def _resolve(kind, m, anchor, future) -> DateMention | None:
    cue = (_group(m, "cue") or "").strip().lower() or None
    value, precision = None, "day"
    if kind == "iso":
        value = _safe(int(m.group("year")), int(m.group("m")), int(m.group("day")))
    elif kind in ("dmy", "mdy"):
        day, mon = int(m.group("day")), _month(m.group("mon"))
        if not 1 <= day <= 31:
            return None
        if m.group("year"):
            value = _safe(int(m.group("year")), mon, day)
        elif anchor is not None:
            shift = {"last": -1, "next": 1}.get((m.group("shift") or "").lower(), 0)
            value = _safe(anchor.year + shift, mon, day)
    elif kind == "my":
        precision = "month"
        mon = _month(m.group("mon"))
        if m.group("year"):
            value = date(int(m.group("year")), mon, 1)
        elif anchor is not None:
            shift = {"last": -1, "next": 1}.get((m.group("shift") or "").lower(), 0)
            value = date(anchor.year + shift, mon, 1)
    elif kind == "weekday":
        if anchor is not None:
            target = WEEKDAYS[m.group("wd").lower()]
            back = (anchor.weekday() - target) % 7
            ahead = (target - anchor.weekday()) % 7 or 7
            week = (_group(m, "week") or "").lower()
            if week:  # "on Tuesday last week": that day of the week before the publication's
                value = anchor - timedelta(days=anchor.weekday() - target) + timedelta(days=7 if week == "next" else -7)
            elif cue == "last":
                value = anchor - timedelta(days=back or 7)
            elif cue in _FORWARD_CUES or (future and cue not in ("since", "after")):
                value = anchor + timedelta(days=ahead)
            else:  # news reports past events: the latest such day, the publication day included
                value = anchor - timedelta(days=back)
    elif kind == "rel_day":
        if anchor is not None:
            value = anchor + timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[m.group("rel").lower()])
    elif kind == "rel_month":
        which, unit = m.group("which").lower(), m.group("unit").lower()
        shift = {"last": -1, "this": 0, "next": 1}[which]
        precision = unit
        if anchor is not None:
            if unit == "month":
                total = anchor.year * 12 + anchor.month - 1 + shift
                value = date(total // 12, total % 12 + 1, 1)
            else:
                value = date(anchor.year + shift, 1, 1)
    elif kind == "year":
        precision = "year"
        value = date(int(m.group("year")), 1, 1)
    return DateMention(m.start(), m.end(), m.group(0), value, precision, cue)
