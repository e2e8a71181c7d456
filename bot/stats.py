"""The questions on record, summed up: what was asked, answered, declined, and what is missing.

Pure functions from ``bot.records.Recorded`` rows to a ``Stats`` value, shared by ``/stats``
and ``coverage-bot stats``. Declined questions are grouped by their analysed terms
(``index.analyze.analyze``), so "Did Macron call?" and "did macron call" are one gap, asked
twice; the gaps most asked are the articles most worth adding.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.records import Recorded
from index.analyze import analyze

#: Entries kept in each ranked list (missing terms, gaps, articles, downvoted answers).
TOP = 10
#: Days covered when none are asked for.
DEFAULT_DAYS = 30


@dataclass(frozen=True, slots=True)
class Gap:
    """A question the coverage declined, with how often it (or a near twin) was asked."""

    question: str  #: the latest wording
    count: int
    last_asked: date


@dataclass(frozen=True, slots=True)
class Voted:
    """An answered question and the votes its answers got (near twins together)."""

    question: str
    ups: int
    downs: int


@dataclass(frozen=True, slots=True)
class Day:
    """One day's questions."""

    date: date
    answered: int
    declined: int


@dataclass(frozen=True, slots=True)
class Stats:
    """The questions of the last ``days`` days (today included)."""

    days: int
    answered: int
    declined: int
    ups: int
    downs: int
    top_missing_terms: tuple[tuple[str, int], ...]
    unanswered: tuple[Gap, ...]
    top_articles: tuple[tuple[str, int], ...]
    by_day: tuple[Day, ...]  #: every day of the window, oldest first
    downvoted: tuple[Voted, ...]  #: most 👎 first

    @property
    def questions(self) -> int:
        return self.answered + self.declined

    @property
    def answer_rate(self) -> float:
        """Answered / asked, 0 when nothing was asked."""
        return round(self.answered / self.questions, 4) if self.questions else 0.0


def window(days: int, last_day: date) -> tuple[datetime, datetime]:
    """The window of ``days`` days ending with ``last_day``: from midnight UTC to midnight."""
    end = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC)
    return end - timedelta(days=days), end


def summarize(rows: Sequence[Recorded], days: int, last_day: date) -> Stats:
    """``rows`` (asked within the ``window``, oldest first) summed up."""
    declined = [row for row in rows if not row.answered]
    answered = [row for row in rows if row.answered]
    return Stats(
        days=days,
        answered=len(answered),
        declined=len(declined),
        ups=sum(row.ups for row in rows),
        downs=sum(row.downs for row in rows),
        top_missing_terms=_top(term.casefold() for row in declined for term in row.missing_terms),
        unanswered=_gaps(declined),
        top_articles=_top(article for row in answered for article in row.article_ids),
        by_day=_by_day(rows, days, last_day),
        downvoted=_downvoted(answered),
    )


def stats_json(stats: Stats) -> dict[str, Any]:
    """The ``coverage-bot stats --json`` object."""
    return {
        "days": stats.days,
        "questions": stats.questions,
        "answered": stats.answered,
        "declined": stats.declined,
        "answer_rate": stats.answer_rate,
        "votes": {"up": stats.ups, "down": stats.downs},
        "top_missing_terms": [list(pair) for pair in stats.top_missing_terms],
        "unanswered": [
            {"question": g.question, "count": g.count, "last_asked": g.last_asked.isoformat()}
            for g in stats.unanswered
        ],
        "top_articles": [list(pair) for pair in stats.top_articles],
        "by_day": [
            {"date": d.date.isoformat(), "answered": d.answered, "declined": d.declined}
            for d in stats.by_day
        ],
    }


def same_question(question: str) -> tuple[str, ...]:
    """What near-identical questions share: their analysed terms (else the folded text)."""
    terms = sorted(set(analyze(question)))
    return tuple(terms) if terms else (" ".join(question.casefold().split()),)


def _top(items: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """The ``TOP`` commonest items with their counts; ties in order of first appearance."""
    return tuple(Counter(items).most_common(TOP))


def _gaps(declined: Sequence[Recorded]) -> tuple[Gap, ...]:
    groups: dict[tuple[str, ...], list[Recorded]] = {}
    for row in declined:
        groups.setdefault(same_question(row.question), []).append(row)
    gaps = [Gap(rows[-1].question, len(rows), rows[-1].asked.date()) for rows in groups.values()]
    gaps.sort(key=lambda gap: (-gap.count, -gap.last_asked.toordinal()))
    return tuple(gaps[:TOP])


def _downvoted(answered: Sequence[Recorded]) -> tuple[Voted, ...]:
    groups: dict[tuple[str, ...], Voted] = {}
    for row in answered:
        key = same_question(row.question)
        earlier = groups.get(key, Voted("", 0, 0))
        groups[key] = Voted(row.question, earlier.ups + row.ups, earlier.downs + row.downs)
    voted = sorted(
        (v for v in groups.values() if v.downs), key=lambda v: (-v.downs, v.ups - v.downs)
    )
    return tuple(voted[:TOP])


def _by_day(rows: Sequence[Recorded], days: int, last_day: date) -> tuple[Day, ...]:
    answered = Counter(row.asked.date() for row in rows if row.answered)
    declined = Counter(row.asked.date() for row in rows if not row.answered)
    first = last_day - timedelta(days=days - 1)
    dates = (first + timedelta(days=n) for n in range(days))
    return tuple(Day(day, answered[day], declined[day]) for day in dates)
