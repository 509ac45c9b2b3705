"""Dates in text, resolved against a publication date."""
from datetime import date

from aikg.dates import find_dates, parse_date


def values(text, anchor):
    return [d.value for d in find_dates(text, anchor)]


def test_absolute_dates_in_headers():
    assert parse_date("3 March 2022 | The Wire") == date(2022, 3, 3)
    assert parse_date("March 3, 2022") == date(2022, 3, 3)
    assert parse_date("2022-03-03T08:00:00Z") == date(2022, 3, 3)
    assert parse_date("Tue, 01 Mar 2022 10:00:00 +0000") == date(2022, 3, 1)
    assert parse_date("soon") is None


def test_month_day_without_year_needs_an_anchor():
    assert values("The ban starts on October 2nd.", None) == [None]
    assert values("The ban starts on October 2nd.", date(2022, 9, 20)) == [date(2022, 10, 2)]


def test_last_year_and_next_year():
    assert values("On June 5 last year the agency acted.", date(2022, 3, 1)) == [date(2021, 6, 5)]
    assert values("It ends on 5 June next year.", date(2022, 3, 1)) == [date(2023, 6, 5)]


def test_weekdays_past_by_default_future_after_starting():
    wednesday = date(2022, 3, 2)
    assert values("The regulator said on Monday that it had acted.", wednesday) == [date(2022, 2, 28)]
    assert values("Sales stop starting Friday.", wednesday) == [date(2022, 3, 4)]
    assert values("The rule will apply from Monday.", wednesday) == [date(2022, 3, 7)]
    assert values("Officials spoke on Wednesday.", wednesday) == [wednesday]


def test_relative_months_and_days():
    anchor = date(2022, 3, 15)
    late = find_dates("The firm announced late last month that it would leave.", anchor)[0]
    assert late.value == date(2022, 2, 1) and late.precision == "month"
    assert values("It was confirmed yesterday.", anchor) == [date(2022, 3, 14)]


def test_without_anchor_relative_dates_stay_unresolved():
    found = find_dates("Starting Saturday, the app is blocked; it was announced last month.", None)
    assert [d.value for d in found] == [None, None]


def test_iso_and_years():
    assert values("Effective 2021-11-30 the licence is required.", None) == [date(2021, 11, 30)]
    y = find_dates("The company was founded in 2015.", None)[0]
    assert y.value == date(2015, 1, 1) and y.precision == "year"


# -- the cheap tests before each kind of date never hide one --------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from aikg import dates as _dates  # noqa: E402


def every_pattern(text, anchor):
    """find_dates without its shortcuts: every pattern over the text."""
    if not _dates._ANY_DATE.search(text):
        return []
    found, spans = [], []
    future = bool(_dates._FUTURE.search(text))
    for kind, rx in _dates._PATTERNS:
        for m in rx.finditer(text):
            if _dates._overlaps(spans, m.start(), m.end()):
                continue
            mention = _dates._resolve(kind, m, anchor, future)
            if mention is not None:
                spans.append((m.start(), m.end()))
                found.append(mention)
    return sorted(found, key=lambda d: d.start)


WORDS = ["on", "since", "starting", "from", "until", "in", "last", "next", "this", "year", "month", "late", "early",
         "March", "Sept.", "dec", "MAY", "Friday", "sunday", "today", "tomorrow", "2023", "2024-07-09", "9th", "21",
         "of", "the", "ban", "will", "effective", "as of", ",", "-", "mid"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=12), st.sampled_from([None, date(2024, 7, 1)]))
def test_find_dates_equals_every_pattern(words, anchor):
    text = " ".join(words)
    assert find_dates(text, anchor) == every_pattern(text, anchor)


def test_a_weekday_of_last_or_next_week():
    friday = date(2025, 2, 14)
    [d] = find_dates("The government on Tuesday last week announced a ban.", friday)
    assert d.value == date(2025, 2, 4)  # not the Tuesday of the publication's own week
    [d] = find_dates("The rule starts on Monday next week.", friday)
    assert d.value == date(2025, 2, 17)
