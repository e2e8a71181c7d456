"""Dates named in text, resolved to calendar days: "February 12", "Dec. 7, 2021", "on Thursday".

Readouts and briefings say "today", "on Thursday" or "February 12" without a year; a reader
resolves those against the day the text was published, and so does ``extract_dates``.
Questions name days and periods ("the February 12 call", "in early January", "late-December");
``question_period`` resolves those against the span of dates the coverage holds. Answers use
both (``index.answering.answer``: a question naming a date prefers articles published about it and
passages mentioning it), and so does the timeline (``index.answering.timeline``). Plain regular
expressions: measured against dateparser's search on the coverage (docs/timeline.md), they find
the same days with far fewer false dates ("may", "second", bare numbers).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name.casefold(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
WEEKDAYS = {calendar.day_name[i].casefold(): i for i in range(7)}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
#: "February 12", "Feb. 12, 2022", "12 February 2022".
_DAY_MONTH = re.compile(
    rf"\b(?:{_MONTH}\s+{_DAY}\b{_YEAR}|{_DAY.replace('day>', 'day2>')}\s+"
    rf"{_MONTH.replace('month>', 'month2>')}\b{_YEAR.replace('year>', 'year2>')})",
    re.IGNORECASE,
)
#: "on Thursday", "last Monday", "yesterday", "today".
_RELATIVE = re.compile(
    r"\b(?:(?P<last>last|this|on|next)\s+)?(?P<weekday>"
    + "|".join(WEEKDAYS)
    + r")\b|\b(?P<word>yesterday|today|tonight|tomorrow)\b",
    re.IGNORECASE,
)
#: "early January", "late-December", "mid-February", "in April", "in January 2022" (a
#: preposition or part of the month is required: "may" and "march" are also verbs).
_PERIOD = re.compile(
    rf"\b(?:(?P<part>early|mid|late)[\s-]+|(?:in|during|since|until|by|of)\s+(?:the\s+)?)"
    rf"{_MONTH}\b(?!\s+[0-3]?\d\b){_YEAR}",
    re.IGNORECASE,
)
#: Words that put a clause in the future: "will speak on Thursday" is the coming Thursday.
_FUTURE = re.compile(
    r"\b(?:will|shall|going to|scheduled|plans? to|expected to|is to|are to)\b", re.IGNORECASE
)
#: What may stand between a weekday and the date it names: "Tuesday, December 7".
_APPOSITION = re.compile(r"[\s,]*")
#: How far a year-less day may fall on the unexpected side of publication (after it in a past
#: clause, before it in a future one) and keep the publication's year.
YEAR_SLACK_DAYS = 31
#: Days either side of a named day that still count as "about" it (readouts appear a day late).
DAY_SLACK = 1


def parse_published(text: str | None) -> date | None:
    """An article's ``published`` field (YYYY-MM-DD) as a date; None when absent or malformed."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def extract_dates(text: str, published: date | None) -> list[tuple[date, int, int]]:
    """Calendar days the text names, with the character span of each mention, in text order.

    A day without a year takes the publication's year, unless that puts it more than a month
    after publication (then the year before) or, in a clause about the future ("talks will
    begin on January 9"), more than a month before it (then the year after);
    weekdays and "yesterday" are resolved against ``published`` and skipped without it.
    """
    found: list[tuple[date, int, int]] = []
    explicit: set[int] = set()
    for match in _DAY_MONTH.finditer(text):
        explicit.add(match.start())
        day = _day_of(match, published, _in_future(text, match.start()))
        if day is not None:
            found.append((day, match.start(), match.end()))
    if published is not None:
        for match in _RELATIVE.finditer(text):
            after = _APPOSITION.match(text, match.end())
            if after is not None and after.end() in explicit:
                continue  # "Tuesday, December 7": the weekday only names the explicit date
            day = _relative_day(match, published, _in_future(text, match.start()))
            if day is not None:
                found.append((day, match.start(), match.end()))
    return sorted(found, key=lambda item: item[1])


def _in_future(text: str, position: int) -> bool:
    """Whether the sentence holding ``position`` speaks of the future before it ("will ...")."""
    start = max(text.rfind(mark, 0, position) for mark in ".!?\n")
    return bool(_FUTURE.search(text, start + 1, position))


def _day_of(match: re.Match[str], published: date | None, future: bool) -> date | None:
    month = MONTHS[(match.group("month") or match.group("month2")).casefold().rstrip(".")]
    day = int(match.group("day") or match.group("day2"))
    year_text = match.group("year") or match.group("year2")
    if year_text:
        return _safe_date(int(year_text), month, day)
    if published is None:
        return None
    candidate = _safe_date(published.year, month, day)
    if candidate is None:
        return None
    # Days a little past publication are often mentioned ("will discuss the December 7 call");
    # in a clause about the future, only a day months back means the next year's.
    # Differences, not shifted dates: those could fall off the calendar (year 1 or 9999).
    if future and (published - candidate).days > YEAR_SLACK_DAYS:
        return _safe_date(published.year + 1, month, day)
    if not future and (candidate - published).days > YEAR_SLACK_DAYS:
        return _safe_date(published.year - 1, month, day)
    return candidate


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _relative_day(match: re.Match[str], published: date, future: bool) -> date | None:
    """The day a relative mention names: a weekday is the last one on or before publication,
    unless the clause speaks of the future ("will meet on Thursday") or says "next"."""
    word = (match.group("word") or "").casefold()
    if word:
        return shifted(published, {"yesterday": -1, "tomorrow": 1}.get(word, 0))
    weekday = WEEKDAYS[match.group("weekday").casefold()]
    ahead = (weekday - published.weekday()) % 7
    qualifier = (match.group("last") or "").casefold()
    if qualifier == "next":
        return shifted(published, ahead or 7)
    if future and qualifier != "last":
        return shifted(published, ahead)
    return shifted(published, -((published.weekday() - weekday) % 7))


def shifted(day: date, days: int) -> date | None:
    """``day`` moved by ``days``, or None past the calendar's ends (an export's zero time,
    0001-01-01, stands for an unknown date)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


@dataclass(frozen=True, slots=True)
class Period:
    """Days a question names, as a closed range, and the words that named them."""

    first: date
    last: date
    words: str  #: "Feb 9", "early-January": matched by the date, not by the passage's words


def between(first: date | None, last: date | None) -> Period | None:
    """The period from ``first`` to ``last`` (``--since``/``--until``; an open end reaches the
    end of time), or None when neither is given."""
    if first is None and last is None:
        return None
    return Period(first or date.min, last or date.max, "")


def question_period(text: str, span: tuple[date, date] | None) -> Period | None:
    """The days a question names ("on Feb 9", "in early January"), or None.

    Years come from ``span`` (the coverage's first and last publication dates): of the years
    a day or month could fall in, the latest inside the span; without a span, none is resolved.
    An exact day widens by ``DAY_SLACK`` either side.
    """
    if span is None:
        return None
    for match in _DAY_MONTH.finditer(text):
        month = MONTHS[(match.group("month") or match.group("month2")).casefold().rstrip(".")]
        day = int(match.group("day") or match.group("day2"))
        for year in _years(match.group("year") or match.group("year2"), span):
            found = _safe_date(year, month, day)
            if found is not None and (span[0] - found).days <= DAY_SLACK and found <= span[1]:
                first = shifted(found, -DAY_SLACK) or date.min
                return Period(first, shifted(found, DAY_SLACK) or date.max, match.group())
    for match in _PERIOD.finditer(text):
        month = MONTHS[match.group("month").casefold().rstrip(".")]
        for year in _years(match.group("year"), span):
            first, last = _month_part(year, month, (match.group("part") or "").casefold())
            if first <= span[1] and last >= span[0]:
                return Period(first, last, match.group())
    return None


def _years(written: str | None, span: tuple[date, date]) -> list[int]:
    if written:
        return [int(written)]
    return list(range(span[1].year, span[0].year - 1, -1))


def _month_part(year: int, month: int, part: str) -> tuple[date, date]:
    """The days of "early" (1-10), "mid" (11-20), "late" (21-end) or all of a month."""
    last_day = calendar.monthrange(year, month)[1]
    first, last = {"early": (1, 10), "mid": (11, 20), "late": (21, last_day)}.get(
        part, (1, last_day)
    )
    return date(year, month, first), date(year, month, last)
