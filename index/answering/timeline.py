"""Timelines: what the coverage says about a topic, one verbatim sentence per event, in date order.

A sentence is about the topic when it holds the topic's words (all of them, or all but one for
three or more, as topic summaries ask), counting its article's title; reporters' questions
and sentences too short to say anything are left out. Each sentence is dated by the first
day its own text names (``extract_dates``: "on December 21", "last Thursday", resolved
against the publication date), else by its article's publication date: a date is never
guessed from anything else.

Sentences dated the same day are one event. A report dated only by its publication, one day
after an event, is a late report of it (the Kremlin's readout of a US-evening call appears the
next day, Moscow time), so it joins that event. Each event shows its best sentence; the others
are kept as ``more``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from index.answering.cite import cite
from index.answering.dates import DAY_SLACK, extract_dates, parse_published, shifted
from index.answering.intent import understand
from index.answering.metadata import metadata_terms
from index.answering.turns import is_reporter, speaker_at
from index.models import Citation, Span
from index.storage.coverage import Coverage

#: Passages read per topic, best BM25 first: enough for every mention in a large coverage.
TOPIC_PASSAGES = 1500
#: Words of its own, besides the topic's, a sentence needs to say something about it.
OWN_WORDS = 3
#: Longest sentence quoted; longer ones are lists and transcripts, not statements.
MAX_QUOTE_CHARS = 600
#: Share of a topic term's weight counted when only the article's title holds it.
TITLE_SHARE = 0.5
#: Score bonus for a sentence whose own text states its date.
STATED_DATE_BONUS = 0.1
#: Weight of the (log) number of sources reporting an event when choosing which to show.
SOURCES_WEIGHT = 0.1
#: Events a timeline shows by default.
DEFAULT_EVENTS = 20


@dataclass(frozen=True, slots=True)
class Mention:
    """One sentence about the topic, dated: ``citation.quote == body[start:end]``."""

    day: date
    source: str  #: "text" when the sentence states the day, "published" otherwise
    citation: Citation
    score: float


@dataclass(frozen=True, slots=True)
class Event:
    """One story: the best sentence about it, and the other sources' sentences."""

    best: Mention
    more: tuple[Mention, ...]

    @property
    def day(self) -> date:
        """The day the event happened (or was first reported)."""
        return self.best.day


@dataclass(frozen=True, slots=True)
class Timeline:
    """A topic's events in date order, or a decline naming the words the coverage lacks."""

    topic: str
    answered: bool
    events: tuple[Event, ...]
    missing_terms: tuple[str, ...]
    days: tuple[date, ...] = ()  #: the day of every sentence found (for "how much per week")


def timeline(
    coverage: Coverage,
    topic: str,
    *,
    since: date | None = None,
    until: date | None = None,
    limit: int = DEFAULT_EVENTS,
) -> Timeline:
    """The ``limit`` most relevant events about ``topic`` between ``since`` and ``until``.

    Declined (``answered`` false) as topic summaries are: when half or more of the topic's
    words occur nowhere in the coverage (they are named in ``missing_terms``), or no sentence
    holds the ones that do.
    """
    content = understand(topic).terms.content
    known = [term for term, _ in content if term in coverage.bm25.vocab]
    missing = tuple(word for term, word in content if term not in coverage.bm25.vocab)
    if not known or 2 * len(known) < len(content) or (len(content) <= 2 and missing):
        return Timeline(topic, False, (), missing)
    first, last = since or date.min, until or date.max
    found = [m for m in _mentions(coverage, known) if first <= m.day <= last]
    events = _events(found)
    best = sorted(sorted(events, key=_weight, reverse=True)[:limit], key=_order)
    return Timeline(topic, bool(best), tuple(best), missing, tuple(sorted(m.day for m in found)))


def _weight(event: Event) -> float:
    """How much an event matters: its best sentence, and how many sources report it."""
    return event.best.score + SOURCES_WEIGHT * math.log(1 + len(event.more))


def _order(event: Event) -> tuple[date, tuple[str, int]]:
    return event.day, _key(event.best)


def _mentions(coverage: Coverage, terms: list[str]) -> list[Mention]:
    """Every dated sentence about the topic in the passages that best match it."""
    wanted = set(terms)
    need = len(wanted) - 1 if len(wanted) > 2 else len(wanted)
    weights = _idf(coverage, terms)
    titles = metadata_terms(coverage)
    found: list[Mention] = []
    for number, _ in coverage.ranked(terms, TOPIC_PASSAGES):
        article = int(coverage.passages[number][0])
        published = parse_published(coverage.metas[article].published)
        body = coverage.body(article)
        for span, terms in coverage.sentence_terms(number):
            own = set(terms)
            title = titles[article] & wanted
            if len(own & wanted) == 0 or len((own | title) & wanted) < need:
                continue
            if not _statement(body, span, own - wanted):
                continue
            covered = sum(w for t, w in weights.items() if t in own)
            covered += TITLE_SHARE * sum(w for t, w in weights.items() if t in title - own)
            dated = _day(body[span.start : span.end], published)
            if dated is None:
                continue  # an undated article's sentence naming no full date
            day, source = dated
            score = covered / sum(weights.values()) + (STATED_DATE_BONUS if source == "text" else 0)
            found.append(Mention(day, source, cite(coverage, article, span.start, span.end), score))
    return found


def _idf(coverage: Coverage, terms: list[str]) -> dict[str, float]:
    bm25 = coverage.bm25
    weights = {}
    for term in terms:
        index = bm25.vocab[term]
        df = int(bm25.indptr[index + 1] - bm25.indptr[index])
        weights[term] = math.log((bm25.n_docs + 1) / (df + 0.5))
    return weights


def _statement(body: str, span: Span, own_words: set[str]) -> bool:
    """Whether a sentence states something: not a question, a reporter's turn, a list or filler."""
    text = body[span.start : span.end]
    if len(text) > MAX_QUOTE_CHARS or text.rstrip("”’\"' ").endswith("?"):
        return False
    return len(own_words) >= OWN_WORDS and not is_reporter(speaker_at(body, span.start))


def _day(text: str, published: date | None) -> tuple[date, str] | None:
    """The first day the sentence names, else the publication date (None without one)."""
    for day, _, _ in extract_dates(text, published):
        return day, "text"
    return (published, "published") if published is not None else None


def _events(mentions: list[Mention]) -> list[Event]:
    """Mentions grouped into events: one per day, late reports joining the day before.

    A day whose mentions are all dated by publication, the day after another event, holds
    late reports of that event; a day with a sentence stating it is an event of its own.
    """
    by_day: dict[date, list[Mention]] = {}
    for mention in mentions:
        by_day.setdefault(mention.day, []).append(mention)
    groups: dict[date, list[Mention]] = {}
    for day in sorted(by_day):
        earlier = shifted(day, -DAY_SLACK)
        if earlier in groups and all(m.source == "published" for m in by_day[day]):
            groups[earlier] += by_day[day]
        else:
            groups[day] = by_day[day]
    return [_event(day, group) for day, group in groups.items()]


def _event(day: date, group: list[Mention]) -> Event:
    """The best mention of the day itself, and the best one of each other article.

    Of the day's own mentions, reports (published on the day or after) come before previews.
    """
    ranked = sorted(group, key=lambda m: (m.day != day, _preview(m), -m.score, _key(m)))
    best, seen = ranked[0], {ranked[0].citation.article_id}
    more = []
    for mention in sorted(ranked[1:], key=lambda m: -m.score):
        if mention.citation.article_id not in seen:
            seen.add(mention.citation.article_id)
            more.append(mention)
    return Event(best, tuple(more))


def _preview(mention: Mention) -> bool:
    return (mention.citation.published or "") < mention.day.isoformat()


def _key(mention: Mention) -> tuple[str, int]:
    return mention.citation.article_id, mention.citation.start


def weekly(days: tuple[date, ...]) -> list[tuple[date, int]]:
    """How many sentences fall in each week (weeks start on Monday), empty weeks included."""
    if not days:
        return []
    first = days[0] - timedelta(days=days[0].weekday())
    weeks = (days[-1] - first).days // 7 + 1
    counts = np.bincount([(day - first).days // 7 for day in days], minlength=weeks)
    return [(first + timedelta(weeks=i), int(n)) for i, n in enumerate(counts)]
