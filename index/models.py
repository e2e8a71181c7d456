"""Plain data shared by every layer: articles, passages, citations, answers and summaries.

All offsets are half-open character offsets into ``Article.body`` (the cleaned text that
``coverage-bot article ID --json`` shows), so ``body[start:end]`` is always the quoted text.
Everything here is frozen: derive new values with ``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Article:
    """One piece of coverage, its metadata and its searchable body."""

    id: str
    title: str
    author: str | None
    outlet: str | None
    published: str | None  #: YYYY-MM-DD
    url: str | None
    body: str
    source: str  #: where it was read from: "path" or "path:line"


class Bylined(Protocol):
    """Anything with a byline: an article, its metadata, a citation."""

    @property
    def author(self) -> str | None: ...
    @property
    def outlet(self) -> str | None: ...
    @property
    def published(self) -> str | None: ...


def byline_parts(item: Bylined) -> list[str]:
    """Author, outlet and date, the ones that are known, in that order."""
    return [v for v in (item.author, item.outlet, item.published) if v]


def byline(item: Bylined, separator: str = " · ") -> str:
    """``author · outlet · date``, unknown parts left out, as every listing and source shows it."""
    return separator.join(byline_parts(item))


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence or passage: a slice of one article's body."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A ranked passage with its text (``body[start:end]``)."""

    article_id: str
    title: str
    url: str | None
    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class Citation:
    """A verbatim quote from an article, with the link that highlights it."""

    quote: str
    article_id: str
    title: str
    author: str | None
    outlet: str | None
    published: str | None
    url: str | None
    link: str | None  #: url plus a ``#:~:text=`` fragment, or None without a url
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An article worth a look when the coverage does not answer a question."""

    article_id: str
    title: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Answer:
    """What the coverage says about a question, or why it says nothing.

    Three outcomes: ``answered`` with quotes that answer; not answered but with the closest
    passages as ``citations`` (the evidence fell short, and ``answer`` says so); or a clean
    decline without citations.
    """

    question: str
    answered: bool
    answer: str  #: the plain text a person reads
    citations: tuple[Citation, ...]
    missing_terms: tuple[str, ...]
    suggestions: tuple[Suggestion, ...] = ()  #: the closest articles when not answered
    from_metadata: bool = False  #: answered from bylines and titles; ``answer`` states the fact
    confidence: float = 0.0  #: in [0, 1]: how likely the first quote answers the question
    basis: tuple[str, ...] = ()  #: the evidence behind that figure ("all key terms", ...)


@dataclass(frozen=True, slots=True)
class Problem:
    """An input that could not be used, reported with where it came from and why."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """One summary sentence: ``body[start:end]`` of its article (or of the summarised text)."""

    text: str
    article_id: str | None  #: None when summarising a text outside the index
    start: int
    end: int
    link: str | None


@dataclass(frozen=True, slots=True)
class Summary:
    """An extractive summary of an article, a topic, the coverage, or a text."""

    scope: str  #: "article", "topic", "coverage" or "text"
    sentences: tuple[SummarySentence, ...]
    answered: bool
