"""Questions about the coverage itself: who wrote an article, when or where it appeared,
and which articles mention something. These are answered from metadata and postings, not
from passage ranking: "Who wrote the Puck piece?" shares no words with the piece's text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from enum import Enum
from functools import lru_cache

import numpy as np

from index.analyze import analyze, analyze_words
from index.answering.cite import cite
from index.answering.question import FRAMING_WORDS, clean
from index.models import Answer, Citation, byline
from index.passages import sentences
from index.storage.bm25 import postings
from index.storage.coverage import ArticleMeta, Carried, Coverage, per_coverage


class Kind(Enum):
    """What a question about the coverage asks for."""

    AUTHOR = "author"
    DATE = "date"
    OUTLET = "outlet"
    TITLE = "title"
    MENTIONS = "mentions"
    LISTING = "listing"
    PERSON = "person"


_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        Kind.MENTIONS,
        re.compile(
            r"^(?:which|what|how many|do any|does any|are there)\s+(?:of the\s+)?"
            r"(?:articles?|pieces?|stories|sources|reports?)\s+(?:that\s+)?"
            r"(?:mention|discuss|cover|talk about|refer to|name|say anything about)\w*"
            r"\s+(?P<rest>.+)$",
            re.IGNORECASE,
        ),
    ),
    (
        Kind.AUTHOR,
        re.compile(
            r"^(?:who\s+(?:wrote|writes|authored|penned|is the (?:author|writer) of)"
            r"|what is the name of the (?:author|writer) of|by whom was)\s+(?P<rest>.*)$",
            re.IGNORECASE,
        ),
    ),
    (
        Kind.DATE,
        re.compile(
            r"^(?:when|on what date|what date)\s+(?:was|were|did)\s+(?P<rest>.*?)\s*"
            r"(?:(?:first\s+)?(?:published|written|released|come out|appear(?:ed)?|posted|run))"
            r"\s*\??$",
            re.IGNORECASE,
        ),
    ),
    (
        Kind.OUTLET,
        re.compile(
            r"^(?:where|in which (?:outlet|publication|newspaper|magazine))\s+(?:was|were|did)\s+"
            r"(?P<rest>.*?)\s*(?:publish(?:ed)?|appear(?:ed)?|run|printed)\b.*$"
            r"|^(?:who|which outlet|what outlet|which publication|what publication)\s+"
            r"(?:published|ran|printed)\s+(?P<rest2>.*)$",
            re.IGNORECASE,
        ),
    ),
    (
        Kind.TITLE,
        re.compile(
            r"^what\s+(?:is|was)\s+(?:the\s+)?(?:title|headline|name)\s+of\s+(?P<rest>.+)$",
            re.IGNORECASE,
        ),
    ),
    (
        Kind.LISTING,
        re.compile(
            r"^(?:how many|which|what)\s+(?:articles?|pieces?|stories)\s+"
            r"(?:are there|are in|is there|does the coverage|do you)(?P<rest>.*)$"
            r"|^(?:list|show)(?: me)?\s+(?:all\s+)?the\s+(?:articles|coverage)(?P<rest2>.*)$",
            re.IGNORECASE,
        ),
    ),
    (
        Kind.PERSON,
        re.compile(r"^who\s+(?:is|was)\s+(?P<rest>[^,;]+)$", re.IGNORECASE),
    ),
)

#: Words that describe a question about an article rather than name the article.
#: Articles whose analysed metadata is kept across loaded indexes (a few hundred bytes each).
DESCRIBED_ARTICLES = 1 << 17
_META_WORDS = frozenset(analyze("publish published written write wrote opinion op-ed essay column"))


def classify(question: str) -> tuple[Kind, str] | None:
    """The kind of metadata question and the words naming its subject, or None."""
    text = clean(question).strip().rstrip("?").strip()
    for kind, pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            rest = next(
                g for g in (match.groupdict().get(k) for k in ("rest", "rest2")) if g is not None
            )
            return kind, rest.strip()
    return None


def metadata_answer(coverage: Coverage, question: str, limit: int) -> Answer | None:
    """Answer a question about the coverage itself, or None when it is not one."""
    classified = classify(question)
    if classified is None or len(coverage) == 0:
        return None
    kind, rest = classified
    if kind is Kind.MENTIONS:
        return _mentions(coverage, question, rest, limit)
    if kind is Kind.LISTING:
        return _listing(coverage, question, limit)
    if kind is Kind.PERSON:
        return _person(coverage, question, rest, limit)
    articles = _articles_named(coverage, rest)[:limit]
    if not articles:
        return None  # names no article: a normal answer, or a decline, says so
    citations = tuple(_lead_citation(coverage, i) for i in articles)
    lines = [_fact(kind, coverage.metas[i]) for i in articles]
    return Answer(question, True, "\n".join(lines), citations, (), from_metadata=True)


def _fact(kind: Kind, meta: ArticleMeta) -> str:
    title = f"“{meta.title}”"
    if kind is Kind.AUTHOR:
        return (
            f"{title} was written by {meta.author}."
            if meta.author
            else f"{title} does not name its author."
        )
    if kind is Kind.DATE:
        when = _long_date(meta.published)
        return (
            f"{title} was published on {when}." if when else f"{title} carries no publication date."
        )
    if kind is Kind.TITLE:
        credit = byline(meta, ", ")
        return f"The article is titled {title}" + (f" ({credit})." if credit else ".")
    if meta.outlet:
        return f"{title} was published by {meta.outlet}" + (f" ({meta.url})." if meta.url else ".")
    return f"{title} does not say where it was published" + (
        f"; its link is {meta.url}." if meta.url else "."
    )


def _listing(coverage: Coverage, question: str, limit: int) -> Answer:
    """How many articles the coverage holds, and the newest of them."""
    order = sorted(
        range(len(coverage)), key=lambda i: coverage.metas[i].published or "", reverse=True
    )
    shown = "; ".join(f"“{coverage.metas[i].title}”" for i in order[:10])
    more = f" and {len(coverage) - 10} more" if len(coverage) > 10 else ""
    count = "one article" if len(coverage) == 1 else f"{len(coverage):,} articles"
    text = f"The coverage holds {count}: {shown}{more}."
    citations = tuple(_lead_citation(coverage, i) for i in order[:limit])
    return Answer(question, True, text, citations, (), from_metadata=True)


def _person(coverage: Coverage, question: str, rest: str, limit: int) -> Answer | None:
    """Who an author is, from the coverage: the articles they wrote (None for anyone else)."""
    wanted = set(analyze(rest))
    written = [
        i
        for i, meta in enumerate(coverage.metas)
        if meta.author and wanted and wanted <= set(analyze(meta.author))
    ]
    if not written:
        return None  # someone the articles talk about: answered from the text, if at all
    name = coverage.metas[written[0]].author
    titles = "; ".join(_titled(coverage.metas[i]) for i in written[:5])
    text = (
        f"{name} wrote {titles}"
        if len(written) == 1
        else f"{name} wrote {len(written)} articles: {titles}"
    )
    text += "." if len(written) <= 5 else f" and {len(written) - 5} more."
    citations = tuple(_lead_citation(coverage, i) for i in written[:limit])
    return Answer(question, True, text, citations, (), from_metadata=True)


def _titled(meta: ArticleMeta) -> str:
    where = ", ".join(v for v in (meta.outlet, meta.published) if v)
    return f"“{meta.title}”" + (f" ({where})" if where else "")


def _long_date(published: str | None) -> str | None:
    if not published:
        return None
    day = date.fromisoformat(published)
    return f"{day:%B} {day.day}, {day.year} ({published})"


def _articles_named(coverage: Coverage, rest: str) -> list[int]:
    """Articles whose title, author or outlet best match ``rest``; passage search as fallback."""
    wanted = {t for t in analyze(rest) if t not in FRAMING_WORDS and t not in _META_WORDS}
    if not wanted:  # "the article": only a coverage of one article says which that is
        return [0] if len(coverage) == 1 else []
    overlaps = [len(wanted & terms) for terms in metadata_terms(coverage)]
    best = max(overlaps)
    if best > 0:
        return [i for i, overlap in enumerate(overlaps) if overlap == best]
    ranked = coverage.ranked(sorted(wanted), 1)
    return [int(coverage.passages[ranked[0][0]][0])] if ranked else []


def metadata_terms(coverage: Coverage) -> tuple[frozenset[str], ...]:
    """Analysed title, author and outlet of every article (cached per loaded index)."""
    return _described(coverage)[0]


def all_metadata_terms(coverage: Coverage) -> frozenset[str]:
    """Every term of any article's title, author or outlet."""
    return _described(coverage)[1]


_Described = tuple[tuple[frozenset[str], ...], frozenset[str]]
#: What the index opened last described, extended over the next one of its generation.
_DESCRIBED: Carried[_Described] = Carried()


@per_coverage
def _described(coverage: Coverage) -> _Described:
    """Each article's terms and their union; over an index reopened after an addition
    (``Carried``), the last one's extended with the new articles: a pass over every article
    took 30 ms at 31,000 articles, in the bot and in each answering process, per addition."""
    first, last = _DESCRIBED.start(coverage)
    added = tuple(_described_by(m.title, m.author, m.outlet) for m in coverage.metas[first:])
    per_article, every = last or ((), frozenset())
    found = (per_article + added, every.union(*added))
    _DESCRIBED.keep(coverage, found)
    return found


@lru_cache(maxsize=DESCRIBED_ARTICLES)
def _described_by(title: str, author: str | None, outlet: str | None) -> frozenset[str]:
    """Analysed title, author and outlet of one article.

    Kept across loaded indexes: each addition to the coverage opens a new one, and analysing
    every article's title again took 2 s per addition at 31,000 articles.
    """
    return frozenset(analyze(" ".join(v for v in (title, author, outlet) if v)))


def _lead_citation(coverage: Coverage, index: int) -> Citation:
    lead = sentences(coverage.body(index))[0]
    return cite(coverage, index, lead.start, lead.end)


def _mentions(coverage: Coverage, question: str, topic: str, limit: int) -> Answer:
    typed: dict[str, str] = {}  # each term and the first word it came from
    for term, word in analyze_words(topic):
        if term not in FRAMING_WORDS:
            typed.setdefault(term, word)
    terms = sorted(typed)
    articles = _articles_with_all(coverage, terms)
    if not terms or not articles:
        # Missing words as the user typed them ("bananas"), not as stems, like other declines.
        missing = tuple(typed[t] for t in terms if t not in coverage.bm25.vocab)
        return Answer(question, False, f"No article in the coverage mentions {topic}.", (), missing)
    titles = "; ".join(f"“{coverage.metas[i].title}”" for i in articles[:10])
    more = f" and {len(articles) - 10} more" if len(articles) > 10 else ""
    count = "One article mentions" if len(articles) == 1 else f"{len(articles)} articles mention"
    text = f"{count} {topic}: {titles}{more}."
    citations = tuple(_first_mention(coverage, i, set(terms)) for i in articles[:limit])
    return Answer(question, True, text, citations, (), from_metadata=True)


def _articles_with_all(coverage: Coverage, terms: Sequence[str]) -> list[int]:
    """Articles containing every term, in index order, read from the postings."""
    found: set[int] | None = None
    for term in terms:
        index = coverage.bm25.vocab.get(term)
        if index is None:
            return []
        passages = postings(coverage.bm25, index)
        articles = set(np.unique(coverage.passages[passages, 0]).tolist())
        found = articles if found is None else found & articles
    return sorted(found or ())


def _first_mention(coverage: Coverage, index: int, terms: set[str]) -> Citation:
    """The article's first sentence with the most of ``terms``."""
    body = coverage.body(index)
    spans = sentences(body)
    best = max(spans, key=lambda s: (len(terms & set(analyze(body[s.start : s.end]))), -s.start))
    return cite(coverage, index, best.start, best.end)
