"""Sources side by side: how each outlet tells the same story, in its own verbatim words.

A coverage often holds several accounts of one event: the White House and Kremlin readouts
of the same call, and a columnist reading both. ``compare`` groups the passages that match a
topic by outlet (a *side*), quotes each side's best sentences, and lists the salient words
only one side uses ("Only the Kremlin mentions “indivisible security”").

When the topic names a date ("the December 30 2021 call"), every side quotes its account of
that event: only articles published on that day or just after it, or later passages that
name the date, are read (an earlier article can only announce the event), and a sentence that
names another day and not this one is never quoted, so a side cannot answer with another
date's call. Sources are matched loosely against outlet names and the hosts of their
articles' links ("whitehouse", "kremlin", "Moscow Times").

docs/compare.md explains how sides are chosen and aligned, with examples.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlsplit

from index.analyze import analyze
from index.answering.cite import cite
from index.answering.dates import DAY_SLACK, MONTHS, WEEKDAYS, extract_dates, question_period
from index.answering.question import clean, key_terms, problem
from index.answering.summary import summarize_article
from index.models import Span
from index.passages import needs_context, sentences
from index.storage.coverage import ArticleMeta, Coverage, per_coverage

#: Sides shown when the sources are not named: the outlets that say most about the topic.
MAX_SIDES = 4
#: Quotes per side, best first.
QUOTES_PER_SIDE = 3
#: Share of the topic's weighted vocabulary a side's best quote must cover to count.
MIN_COVERAGE = 0.35
#: Share a second or third quote of a side must cover to be shown.
MIN_SUPPORT = 0.4
#: Passages read per outlet, and per article within it, before quotes are chosen.
PASSAGES_PER_OUTLET = 30
PASSAGES_PER_ARTICLE = 3
#: Ranked passages the outlets' candidates are drawn from (enough for every outlet's share).
CANDIDATE_POOL = 20_000
#: Longest quote, context sentence included; quotes up to the target carry no length penalty.
MAX_QUOTE_CHARS = 500
QUOTE_TARGET_CHARS = 400
#: Weight of a passage's BM25 score (relative to its outlet's best) beside vocabulary coverage.
BM25_WEIGHT = 0.15
#: Days after a named date on which an article still reports that day's event (time zones,
#: next-day readouts and commentary).
DAYS_AFTER_EVENT = 2
#: Weight of how much of the topic the article's title covers.
TITLE_WEIGHT = 0.3
#: Penalty for a quote that is itself a question (a reporter's, in a briefing transcript).
QUESTION_PENALTY = 0.3
#: An article of at most this many passages that tells the event is a side's account: its
#: central sentences (``ACCOUNT_SENTENCES`` read) are the side's further quotes.
ACCOUNT_PASSAGES = 12
ACCOUNT_SENTENCES = 5
#: Most days after which "yesterday" or "on Thursday" can still point back at the event.
RELATIVE_DAYS = 7
#: Bonus for an article published on the event's day; a day later it is a third less, etc.
EVENT_BONUS = 0.15
#: Bonus for a quote that names the event's day.
DATE_BONUS = 0.05
#: Shorter terms ("Jr", "R") are never listed in ``only_in``; nor are numbers and calendar words.
MIN_WORD_CHARS = 3
#: Words listed per side in ``only_in``.
ONLY_IN_WORDS = 4
#: Two quotes sharing this share of their terms say the same thing; the second is skipped.
DUPLICATE_SIMILARITY = 0.7
#: What a side is called when its articles name no outlet, no link and no author.
UNKNOWN_SOURCE = "Unknown source"

#: Calendar words: what day an account names is alignment's business, not a difference.
DATE_WORDS = frozenset(analyze(" ".join([*MONTHS, *WEEKDAYS, "today yesterday tomorrow"])))
_FILLER = frozenset({"the", "of", "a", "an", "and"})
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class Event:
    """The days a topic names: one day ("December 30 2021") or a period ("early January")."""

    first: date
    last: date
    words: str  #: the topic's words that named them


@dataclass(frozen=True, slots=True)
class Quote:
    """One verbatim quote of a side: ``body[start:end]`` of the article ``article_id``."""

    quote: str
    article_id: str
    title: str
    published: str | None
    url: str | None
    link: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Side:
    """One outlet's account: its best quotes on the topic and how many articles it has on it."""

    outlet: str
    articles: int
    quotes: tuple[Quote, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """The sides a topic has in the coverage, or why it has none.

    ``candidates`` are every outlet that covers the topic, best first (the sides shown come
    from them unless the sources were named); ``note`` is what a person reads besides the
    quotes: a refusal, a decline, or that only one source covers the topic.
    """

    topic: str
    answered: bool
    sides: tuple[Side, ...]
    only_in: dict[str, tuple[str, ...]]
    missing_terms: tuple[str, ...]
    note: str
    event: Event | None
    candidates: tuple[str, ...]


class SourceError(ValueError):
    """A source name that matches no outlet, or several; the message says which and why."""


@dataclass(frozen=True, slots=True)
class _Window:
    """A candidate quote of one outlet, scored."""

    article: int
    passage: int
    start: int
    end: int
    coverage: float
    score: float
    terms: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Topic:
    """The topic analysed once: weighted content terms, the query, and the event date."""

    weights: dict[str, float]
    query: list[str]
    event: Event | None
    missing: tuple[str, ...]
    names: frozenset[str]  #: content terms written as names ("Macron")


def compare(
    coverage: Coverage,
    topic: str,
    sources: Sequence[str] = (),
    *,
    max_chars: int = 500,
    max_sides: int = MAX_SIDES,
) -> Comparison:
    """Compare how the coverage's outlets tell ``topic``, each in its own quotes.

    Parameters
    ----------
    coverage
        The loaded index.
    topic
        As the user typed it; a date in it ("December 30 2021") aligns every side on that day.
    sources
        Outlet names as ``resolve_sources`` returns them; empty for the outlets that say most
        about the topic (up to ``max_sides``). A named outlet with nothing on the topic is
        still a side, with no quotes.
    max_chars
        Longer topics get a polite refusal instead of a comparison.
    """
    refusal = problem(topic, max_chars)
    if refusal is not None:
        return _declined(topic, refusal, (), None)
    parsed = _analyse(coverage, topic)
    if not parsed.weights:
        return _declined(topic, "Name what to compare besides a date.", (), parsed.event)
    if any(term not in coverage.bm25.vocab for term in parsed.names):
        # Someone or something the coverage never names: no side can speak to it.
        return _declined(topic, _not_covered(parsed.missing), parsed.missing, parsed.event)
    by_outlet = _windows_by_outlet(coverage, parsed)
    chosen = {outlet: _choose(coverage, windows, parsed) for outlet, windows in by_outlet.items()}
    covering = sorted(
        (outlet for outlet, picks in chosen.items() if picks),
        key=lambda outlet: (-chosen[outlet][0].score, outlet),
    )
    shown = list(sources) or covering[:max_sides]
    sides = tuple(
        _side(coverage, outlet, chosen.get(outlet, []), by_outlet.get(outlet, []))
        for outlet in shown
    )
    if not any(side.quotes for side in sides):
        said = _not_covered(parsed.missing) if not sources else _named_silent(shown, covering)
        return _declined(topic, said, parsed.missing, parsed.event, tuple(covering))
    only_in = _only_in(coverage, sides, chosen, parsed)
    return Comparison(
        topic=topic,
        answered=True,
        sides=sides,
        only_in=only_in,
        missing_terms=parsed.missing,
        note=_note(sides, covering, parsed.event),
        event=parsed.event,
        candidates=tuple(covering),
    )


def _declined(
    topic: str,
    note: str,
    missing: tuple[str, ...],
    event: Event | None,
    candidates: tuple[str, ...] = (),
) -> Comparison:
    return Comparison(topic, False, (), {}, missing, note, event, candidates)


def _not_covered(missing: tuple[str, ...]) -> str:
    if missing:
        words = ", ".join(f"“{word}”" for word in missing)
        return f"The coverage doesn't say: no article mentions {words}."
    return "The coverage doesn't say: no source speaks to the whole topic."


def _named_silent(shown: Sequence[str], covering: Sequence[str]) -> str:
    if len(shown) == 1:
        said = f"{shown[0]} says nothing about this topic."
    else:
        said = "None of " + ", ".join(shown) + " says anything about this topic."
    if covering:
        said += " Sources that do: " + ", ".join(covering[:MAX_SIDES]) + "."
    return said


def _note(sides: Sequence[Side], covering: Sequence[str], event: Event | None) -> str:
    """What a person reads besides the quotes: a topic only one source covers, silent sides,
    and, without a date, sides whose best quotes come from days apart (other events, maybe)."""
    speaking = [side.outlet for side in sides if side.quotes]
    silent = [side.outlet for side in sides if not side.quotes]
    said = []
    if len(covering) == 1 and len(speaking) == 1:
        said.append(f"Only {speaking[0]} covers this topic.")
    if silent:
        said.append(
            ", ".join(silent) + (" says" if len(silent) == 1 else " say") + " nothing about it."
        )
    days = sorted({side.quotes[0].published or "" for side in sides if side.quotes} - {""})
    if event is None and len(days) > 1 and _apart(days[0], days[-1]):
        said.append(
            f"The sides' first quotes come from {days[0]} to {days[-1]}: name a day in the "
            "topic to compare accounts of one event."
        )
    return " ".join(said)


def _apart(first: str, last: str) -> bool:
    """Whether two publication dates are too far apart to report one event."""
    try:
        gap = date.fromisoformat(last) - date.fromisoformat(first)
    except ValueError:
        return False
    return gap.days > DAYS_AFTER_EVENT


# Topics and dates


def topic_event(coverage: Coverage, topic: str) -> Event | None:
    """The day or period ``topic`` names ("December 30 2021", "Dec. 7", "in early January").

    Read by the shared ``question_period``, which resolves a missing year from the coverage's
    dates and widens a single day by ``DAY_SLACK`` either side for answers; a comparison wants
    the day itself, so a named day is narrowed back to it.
    """
    period = question_period(clean(topic), _span(coverage))
    if period is None:
        return None
    first, last = period.first, period.last
    if (last - first).days == 2 * DAY_SLACK and any(c.isdigit() for c in period.words):
        first = last = first + timedelta(days=DAY_SLACK)
    return Event(first, last, period.words)


@per_coverage
def _span(coverage: Coverage) -> tuple[date, date] | None:
    """The first and last publication dates of the coverage (per loaded index)."""
    days = [day for day in (_published(meta) for meta in coverage.metas) if day is not None]
    return (min(days), max(days)) if days else None


def _analyse(coverage: Coverage, topic: str) -> _Topic:
    """Weights of the topic's content words (inverse document frequency) and its query terms."""
    event = topic_event(coverage, topic)
    # The date's words are alignment's business: they are not topic words.
    terms = key_terms(clean(topic).replace(event.words, " ") if event else topic)
    weights = {term: _idf(coverage, term) for term, _ in terms.content}
    missing = tuple(word for term, word in terms.content if term not in coverage.bm25.vocab)
    # Without the date's words: alignment, not BM25, decides which passages tell the event.
    query = [term for term, _ in terms.content] + list(terms.framing)
    return _Topic(weights, query, event, missing, terms.names)


def _mentions(text: str, published: date | None, event: Event) -> tuple[bool, bool]:
    """Whether ``text`` names one of the event's days, and whether it names another day.

    Days are read by the shared ``extract_dates``: "today" and "on Thursday" count, resolved
    against the article's publication date.
    """
    days = [day for day, _, _ in extract_dates(text, published)]
    return (
        any(event.first <= day <= event.last for day in days),
        any(not event.first <= day <= event.last for day in days),
    )


def _published(meta: ArticleMeta) -> date | None:
    try:
        return date.fromisoformat(meta.published) if meta.published else None
    except ValueError:
        return None


def _days_after(meta: ArticleMeta, event: Event) -> int | None:
    """Days from the event to the article's publication: negative before it, 0 during it, the
    days since its last day after it; None for an undated article."""
    published = _published(meta)
    if published is None:
        return None
    if published < event.first:
        return (published - event.first).days
    return max(0, (published - event.last).days)


# Outlets


def side_name(meta: ArticleMeta) -> str:
    """The outlet an article speaks for: its outlet, else its link's site, else its author."""
    if meta.outlet:
        return meta.outlet
    host = _host(meta.url)
    return host or meta.author or UNKNOWN_SOURCE


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def outlets(coverage: Coverage) -> dict[str, int]:
    """Every outlet in the coverage with its number of articles, by name."""
    return dict(_outlets(coverage))  # a copy: the caller's to change


@per_coverage
def _outlets(coverage: Coverage) -> dict[str, int]:
    """``outlets``, counted once per loaded index (autocomplete asks at every keystroke)."""
    counts: dict[str, int] = {}
    for name in _sides(coverage):
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))


@per_coverage
def _sides(coverage: Coverage) -> tuple[str, ...]:
    """Each article's outlet, by name (per loaded index)."""
    return tuple(side_name(meta) for meta in coverage.metas)


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.casefold()


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", _fold(text))


@per_coverage
def _haystacks(coverage: Coverage) -> dict[str, str]:
    """Per outlet, its name and the hosts of its links, folded to letters and digits.

    Once per loaded index: every article's link is read.
    """
    hosts: dict[str, set[str]] = {}
    for meta in coverage.metas:
        hosts.setdefault(side_name(meta), set()).add(_key(_host(meta.url) or ""))
    return {name: " ".join([_key(name), *sorted(found)]) for name, found in hosts.items()}


def match_source(coverage: Coverage, typed: str) -> list[str]:
    """The outlets a loosely typed source name may mean, best first.

    An outlet named exactly (letters and digits compared, case ignored) is the only match.
    Otherwise an outlet matches when the name run together ("whitehouse", "moscowtimes") or
    each of its words ("the Kremlin" -> "kremlin") appears in the outlet's name or in the host
    of one of its links (so "kremlin" finds an outlet whose articles are on kremlin.ru).
    """
    wanted = _key(typed)
    if not wanted:
        return []
    haystacks = _haystacks(coverage)
    exact = [name for name in haystacks if _key(name) == wanted]
    if exact:
        return exact
    words = [w for w in re.findall(r"[0-9a-z]+", _fold(typed)) if w not in _FILLER]
    return [
        name
        for name, haystack in haystacks.items()
        if wanted in haystack or (words and all(word in haystack for word in words))
    ]


def resolve_sources(coverage: Coverage, typed: Iterable[str]) -> list[str]:
    """The outlets named by ``typed`` (loosely), in order, without repeats.

    Raises
    ------
    SourceError
        For a name that matches no outlet or several, with the candidates in the message.
    """
    resolved: list[str] = []
    for name in (t.strip() for t in typed):
        if not name:
            continue
        found = match_source(coverage, name)
        if not found:
            known = ", ".join(outlets(coverage)) or "none"
            raise SourceError(f"no outlet matches “{name}”; the coverage's outlets: {known}")
        if len(found) > 1:
            raise SourceError(f"“{name}” matches several outlets: {', '.join(found)}; be precise")
        if found[0] not in resolved:
            resolved.append(found[0])
    return resolved


# Candidate quotes


def _windows_by_outlet(coverage: Coverage, topic: _Topic) -> dict[str, list[_Window]]:
    """Every outlet's scored candidate quotes, from its best passages on the topic."""
    passages: dict[str, list[tuple[int, float]]] = {}
    per_article: dict[int, int] = {}
    sides = _sides(coverage)
    bodies = _Bodies(coverage)
    for number, score in coverage.ranked(topic.query, CANDIDATE_POOL):
        article = int(coverage.passages[number][0])
        picked = passages.setdefault(sides[article], [])
        full = len(picked) >= PASSAGES_PER_OUTLET
        if full or per_article.get(article, 0) >= PASSAGES_PER_ARTICLE:
            continue
        if topic.event is not None and not _aligned(bodies, number, topic.event):
            continue
        per_article[article] = per_article.get(article, 0) + 1
        picked.append((number, score))
    return {
        outlet: _windows(bodies, ranked, topic) for outlet, ranked in passages.items() if ranked
    }


class _Bodies:
    """Article bodies decoded once per comparison (many passages share an article)."""

    def __init__(self, coverage: Coverage) -> None:
        self.coverage: Coverage = coverage
        self._bodies: dict[int, str] = {}

    def __getitem__(self, article: int) -> str:
        if article not in self._bodies:
            self._bodies[article] = self.coverage.body(article)
        return self._bodies[article]


def _aligned(bodies: _Bodies, number: int, event: Event) -> bool:
    """Whether a passage may tell the event: published on its day or just after, or naming it.

    An article published before the day can only announce the event, never report it.
    """
    article, start, end = (int(v) for v in bodies.coverage.passages[number])
    meta = bodies.coverage.metas[article]
    after = _days_after(meta, event)
    if after is not None and after < 0:
        return False
    if after is not None and after <= DAYS_AFTER_EVENT:
        return True
    text = bodies[article][start:end]
    if (after is None or after > RELATIVE_DAYS) and not _names_month(text, event):
        return False  # a quick no: only a month's name could point back at the event from here
    return _mentions(text, _published(meta), event)[0]


def _names_month(text: str, event: Event) -> bool:
    """Whether ``text`` may name a month of the event (case ignored; "Dec" in "decided" too)."""
    folded = text.casefold()
    months = {event.first.month, event.last.month}
    return any(name in folded for name, number in MONTHS.items() if number in months)


def _windows(bodies: _Bodies, ranked: Sequence[tuple[int, float]], topic: _Topic) -> list[_Window]:
    """One- and two-sentence quotes of the ranked passages, scored like answers.

    Score: the share of the topic's weighted vocabulary covered, a little of the passage's
    BM25 score (relative to the outlet's best) and of its title's coverage (a readout titled
    after the call is that call's account), the event's bonuses, a penalty for a question,
    a small length penalty.
    """
    coverage = bodies.coverage
    top = ranked[0][1] or 1.0
    windows = []
    for number, bm25_score in ranked:
        article = int(coverage.passages[number][0])
        meta, body = coverage.metas[article], bodies[article]
        closeness, published = _closeness(meta, topic.event), _published(meta)
        base = BM25_WEIGHT * bm25_score / top
        base += TITLE_WEIGHT * _covered(frozenset(analyze(meta.title)), topic.weights)
        spans = [span for span, _ in coverage.sentences(number)]
        for i in range(len(spans)):
            for last in spans[i : i + 2]:
                lo, hi = _with_context(body, spans, i, last.end)
                bonus = _event_bonus(body[lo:hi], published, topic.event, closeness)
                if bonus is None:
                    continue
                window = _window(body, article, number, Span(lo, hi), topic.weights)
                score = window.score + base + bonus
                windows.append(replace(window, score=score))
    return windows


def _window(
    body: str, article: int, passage: int, span: Span, weights: dict[str, float]
) -> _Window:
    """A quote scored on its own: vocabulary covered, less penalties for length and questions."""
    quote = body[span.start : span.end]
    terms = frozenset(analyze(quote))
    covered = _covered(terms, weights)
    length = span.end - span.start
    penalty = length / 100_000 + max(0, length - QUOTE_TARGET_CHARS) / 1000
    if quote.rstrip("”’\"' ").endswith("?"):
        penalty += QUESTION_PENALTY
    return _Window(article, passage, span.start, span.end, covered, covered - penalty, terms)


def _covered(terms: frozenset[str], weights: dict[str, float]) -> float:
    """The share of the topic's weighted vocabulary among ``terms``."""
    total = sum(weights.values()) or 1.0
    return sum(weight for term, weight in weights.items() if term in terms) / total


def _closeness(meta: ArticleMeta, event: Event | None) -> float:
    """Bonus for an article published on the event's day (most) or in the days just after."""
    after = None if event is None else _days_after(meta, event)
    if after is None or not 0 <= after <= DAYS_AFTER_EVENT:
        return 0.0
    return EVENT_BONUS * (1 - after / (DAYS_AFTER_EVENT + 1))


def _event_bonus(
    quote: str, published: date | None, event: Event | None, closeness: float
) -> float | None:
    """A quote's bonus for the event, or None when it names another day and not the event's."""
    if event is None:
        return 0.0
    same, other = _mentions(quote, published, event)
    if other and not same:
        return None  # another day's event, however well it matches
    return closeness + (DATE_BONUS if same else 0.0)


def _with_context(body: str, spans: Sequence[Span], i: int, end: int) -> tuple[int, int]:
    """A quote's bounds, with the sentence before when it leans on it ("He said ...")."""
    start = spans[i].start
    if i > 0 and needs_context(body[start:end]) and end - spans[i - 1].start <= MAX_QUOTE_CHARS:
        start = spans[i - 1].start
    return start, end


def _choose(coverage: Coverage, windows: Sequence[_Window], topic: _Topic) -> list[_Window]:
    """A side's best quotes: from different passages, no overlaps, no near-duplicates.

    With an event, a best quote from a short article (a readout, a statement) brings that
    article's central sentences: the side's account of the event, in its own order.
    """
    chosen: list[_Window] = []
    for window in sorted(windows, key=lambda w: (-w.score, w.article, w.start)):
        if len(chosen) == QUOTES_PER_SIDE:
            break
        needed = MIN_SUPPORT if chosen else MIN_COVERAGE
        if window.coverage < needed or window.end - window.start > MAX_QUOTE_CHARS:
            continue
        if not any(_clashes(window, other) for other in chosen):
            chosen.append(window)
        if len(chosen) == 1 and topic.event is not None and _is_account(coverage, window):
            return _account(coverage, window, topic)
    return chosen


def _is_account(coverage: Coverage, window: _Window) -> bool:
    return len(coverage.passage_range(window.article)) <= ACCOUNT_PASSAGES


def _account(coverage: Coverage, first: _Window, topic: _Topic) -> list[_Window]:
    """``first`` and the central sentences of its article that name no other day."""
    body, published = coverage.body(first.article), _published(coverage.metas[first.article])
    spans = sentences(body)
    chosen = [first]
    summary = summarize_article(coverage, first.article, ACCOUNT_SENTENCES)
    for sentence in summary.sentences:
        i = spans.index(Span(sentence.start, sentence.end))
        lo, hi = _with_context(body, spans, i, sentence.end)
        if (
            hi - lo > MAX_QUOTE_CHARS
            or _event_bonus(body[lo:hi], published, topic.event, 0.0) is None
        ):
            continue
        window = _window(
            body,
            first.article,
            _passage_at(coverage, first.article, lo),
            Span(lo, hi),
            topic.weights,
        )
        if not any(_overlaps(window, other) for other in chosen):
            chosen.append(window)
        if len(chosen) == QUOTES_PER_SIDE:
            break
    return chosen


def _passage_at(coverage: Coverage, article: int, offset: int) -> int:
    """The passage of ``article`` that holds the character at ``offset``."""
    numbers = coverage.passage_range(article)
    return next((n for n in numbers if offset < int(coverage.passages[n][2])), numbers[-1])


def _clashes(window: _Window, other: _Window) -> bool:
    return window.passage == other.passage or _overlaps(window, other)


def _overlaps(window: _Window, other: _Window) -> bool:
    """Whether two quotes share text, or say nearly the same thing."""
    if window.article == other.article and window.start < other.end and other.start < window.end:
        return True
    union = window.terms | other.terms
    return bool(union) and len(window.terms & other.terms) / len(union) >= DUPLICATE_SIMILARITY


def _side(
    coverage: Coverage, outlet: str, chosen: Sequence[_Window], windows: Sequence[_Window]
) -> Side:
    """An outlet's side: its quotes, and how many of its articles speak to the topic."""
    quotes = tuple(_quote(coverage, w) for w in chosen)
    articles = len({w.article for w in windows if w.coverage >= MIN_COVERAGE})
    return Side(outlet, articles, quotes)


def _quote(coverage: Coverage, window: _Window) -> Quote:
    citation = cite(coverage, window.article, window.start, window.end)
    return Quote(
        quote=citation.quote,
        article_id=citation.article_id,
        title=citation.title,
        published=citation.published,
        url=citation.url,
        link=citation.link,
        start=citation.start,
        end=citation.end,
    )


# What only one side says


def _only_in(
    coverage: Coverage,
    sides: Sequence[Side],
    chosen: dict[str, list[_Window]],
    topic: _Topic,
) -> dict[str, tuple[str, ...]]:
    """Per side, the salient words of its quotes that no other side's quotes use.

    Salience is inverse document frequency: "greetings" says more than "said". The topic's
    own words and numbers are left out; neighbouring words come as one phrase, verbatim
    ("New Year greetings").
    """
    speaking = [side for side in sides if side.quotes]
    if len(speaking) < 2:
        return {}
    used = {
        side.outlet: frozenset().union(*(w.terms for w in chosen[side.outlet])) for side in speaking
    }
    result: dict[str, tuple[str, ...]] = {}
    for side in speaking:
        others = frozenset().union(*(t for o, t in used.items() if o != side.outlet))
        own = {t for t in used[side.outlet] - others if _salient(t, topic)}
        phrases = _phrases(coverage, [q.quote for q in side.quotes], own)
        if phrases:
            result[side.outlet] = phrases
    return result


def _salient(term: str, topic: _Topic) -> bool:
    """Whether a term may be listed: not the topic's own, not a number, an initial or a day."""
    return (
        term not in topic.weights
        and len(term) >= MIN_WORD_CHARS
        and term not in DATE_WORDS
        and not any(c.isdigit() for c in term)
    )


def _phrases(coverage: Coverage, quotes: Sequence[str], own: set[str]) -> tuple[str, ...]:
    """Runs of neighbouring words whose terms are in ``own``, most salient first."""
    found: dict[str, float] = {}
    covered: set[str] = set()
    for quote in quotes:
        for run in _runs(quote, own):
            terms = {term for _, term in run}
            if terms <= covered:
                continue  # the same words again, perhaps in another form
            covered |= terms
            phrase = quote[run[0][0].start() : run[-1][0].end()]
            found.setdefault(phrase, max(_idf(coverage, term) for term in terms))
    return tuple(sorted(found, key=lambda phrase: -found[phrase])[:ONLY_IN_WORDS])


def _runs(quote: str, own: set[str]) -> Iterator[list[tuple[re.Match[str], str]]]:
    """Maximal runs of adjacent words of ``quote`` whose terms are in ``own``."""
    run: list[tuple[re.Match[str], str]] = []
    for match in _WORD.finditer(quote):
        term = _term_of(match.group())
        if run and (term not in own or not _adjacent(quote, run[-1][0], match)):
            yield run
            run = []
        if term is not None and term in own:
            run.append((match, term))
    if run:
        yield run


def _adjacent(quote: str, before: re.Match[str], after: re.Match[str]) -> bool:
    """Whether two words stand next to each other (only a space or a hyphen between)."""
    return quote[before.end() : after.start()] in {" ", "-", "\u2011"}


def _term_of(word: str) -> str | None:
    terms = analyze(word)
    return terms[0] if terms else None


def _idf(coverage: Coverage, term: str) -> float:
    """Inverse document frequency over passages; a term the coverage lacks weighs the most."""
    index = coverage.bm25.vocab.get(term)
    bm25 = coverage.bm25
    found = 0 if index is None else int(bm25.indptr[index + 1] - bm25.indptr[index])
    return math.log((bm25.n_docs + 1) / (found + 0.5))


def only_in_lines(comparison: Comparison) -> list[str]:
    """The "Only X mentions …" sentences, one per side that has words of its own."""
    return [
        f"Only {outlet} mentions " + _listing([f"“{word}”" for word in words]) + "."
        for outlet, words in comparison.only_in.items()
    ]


def _listing(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def render_text(comparison: Comparison) -> str:
    """The comparison as plain text: each side's quotes with their sources, then the differences."""
    blocks = [comparison.note] if comparison.note else []
    for side in comparison.sides:
        lines = [f"{side.outlet} ({side.articles} article{'s' if side.articles != 1 else ''})"]
        for quote in side.quotes:
            source = ", ".join(v for v in (quote.title, quote.published) if v)
            link = f" {quote.link}" if quote.link else ""
            lines.append(f"  “{quote.quote}”\n  — {source}{link}")
        blocks.append("\n".join(lines))
    blocks.extend(only_in_lines(comparison))
    return "\n\n".join(blocks)
