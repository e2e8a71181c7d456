"""The loaded coverage: article metadata, bodies, passages and the BM25 arrays, queryable.

A ``Coverage`` is what every reader shares (CLI, cogs, answers, summaries). Its arrays may be
memory-mapped and read-only; bodies are decoded on demand, so opening a large index is cheap.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

import numpy as np
from numpy.typing import NDArray

from index.analyze import analyze
from index.models import Article, SearchHit, Span
from index.storage.bm25 import BM25Index, BM25Params, top_k

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """An article without its body: what listings and citations need."""

    id: str
    title: str
    author: str | None
    outlet: str | None
    published: str | None
    url: str | None
    source: str


@dataclass(frozen=True, slots=True)
class IndexInfo:
    """Facts about a built index, as ``index info`` prints them."""

    fingerprint: str
    articles: int
    passages: int
    vocabulary: int
    bytes_on_disk: int
    build_seconds: float
    built_at: str  #: ISO timestamp, UTC
    params: BM25Params


@dataclass(frozen=True, slots=True)
class Bodies:
    """One segment's article bodies as UTF-8 bytes: article ``i`` is
    ``data[offsets[i]:offsets[i + 1]]`` (``i`` counted within the segment), and each body's
    ``files.body_key`` (ASCII), so additions find duplicates without reading every body."""

    data: NDArray[np.uint8]
    offsets: NDArray[np.int64]
    keys: NDArray[np.bytes_]

    def __len__(self) -> int:
        return int(self.offsets.shape[0]) - 1


@dataclass(frozen=True, slots=True)
class Sentences:
    """One segment's sentences and their terms, as the build split and analysed them.

    Passage ``p`` (counted within the segment) holds sentences ``ptr[p]:ptr[p + 1]``;
    sentence ``s`` spans ``spans[s]`` (start, end: offsets into its article's body) and its
    term ids are ``tokens[token_ptr[s]:token_ptr[s + 1]]``. Answering reads these instead of
    splitting and analysing candidate passages again for every question.
    """

    spans: NDArray[np.int32]
    ptr: NDArray[np.int64]
    tokens: NDArray[np.int32]
    token_ptr: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.ptr.shape[0]) - 1

    def of(self, passage: int) -> list[tuple[Span, NDArray[np.int32]]]:
        """Passage ``passage``'s sentences (counted within the segment), with term ids."""
        first, last = int(self.ptr[passage]), int(self.ptr[passage + 1])
        bounds = self.token_ptr[first : last + 1].tolist()
        return [
            (Span(start, end), self.tokens[bounds[i] : bounds[i + 1]])
            for i, (start, end) in enumerate(self.spans[first:last].tolist())
        ]


class Coverage:
    """Articles, passages and the index over them; answers ``search`` in milliseconds."""

    def __init__(
        self,
        metas: Sequence[ArticleMeta],
        bodies: Sequence[Bodies],
        passages: NDArray[np.int32],
        sentences: Sequence[Sentences],
        bm25: BM25Index,
        info: IndexInfo,
    ) -> None:
        """
        Parameters
        ----------
        metas
            Article metadata in index order, every segment's.
        bodies
            Each segment's bodies, in order: the main generation's, then the delta's.
        passages
            One row per passage: article index, start, end (character offsets into the body).
        sentences
            Each segment's sentences, in the order of ``bodies``.
        """
        self.metas: Sequence[ArticleMeta] = metas
        self.bodies: tuple[Bodies, ...] = tuple(bodies)
        self.passages: NDArray[np.int32] = passages
        self._sentence_parts: tuple[Sentences, ...] = tuple(sentences)
        #: Each segment's first passage number: where its sentences are looked up.
        self._segment_starts: list[int] = np.cumsum([0, *map(len, sentences)]).tolist()
        self.bm25: BM25Index = bm25
        self.info: IndexInfo = info
        self._ids: dict[str, int] = {meta.id: i for i, meta in enumerate(metas)}
        self._first_passage: NDArray[np.int64] = np.searchsorted(
            passages[:, 0], np.arange(len(metas) + 1)
        ).astype(np.int64)

    def __len__(self) -> int:
        return len(self.metas)

    def index_of(self, article_id: str) -> int | None:
        """Position of an article by id, or None when there is no such article."""
        return self._ids.get(article_id)

    def body(self, index: int) -> str:
        """The cleaned body of the article at ``index``."""
        part, index = self._segment_of(index)
        lo, hi = part.offsets[index], part.offsets[index + 1]
        return bytes(part.data[lo:hi]).decode("utf-8")

    def article(self, index: int) -> Article:
        """The full article at ``index``."""
        meta = self.metas[index]
        return Article(
            id=meta.id,
            title=meta.title,
            author=meta.author,
            outlet=meta.outlet,
            published=meta.published,
            url=meta.url,
            body=self.body(index),
            source=meta.source,
        )

    def body_key(self, index: int) -> str:
        """``files.body_key`` of the article at ``index``'s body, as stored with the index."""
        part, index = self._segment_of(index)
        return bytes(part.keys[index]).decode("ascii")

    def _segment_of(self, index: int) -> tuple[Bodies, int]:
        """The segment holding article ``index``, and its position there."""
        for part in self.bodies:
            if 0 <= index < len(part):
                return part, index
            index -= len(part)
        raise IndexError("article index out of range")

    def sentences(self, number: int) -> list[tuple[Span, NDArray[np.int32]]]:
        """The sentences of passage ``number``, each with its term ids (``bm25.vocab``'s)."""
        part = bisect.bisect_right(self._segment_starts, number) - 1
        return self._sentence_parts[part].of(number - self._segment_starts[part])

    def sentence_terms(self, number: int) -> list[tuple[Span, list[str]]]:
        """The sentences of passage ``number``, each with its analysed terms, as stored."""
        names = self.term_names
        return [(span, [names[i] for i in ids.tolist()]) for span, ids in self.sentences(number)]

    @functools.cached_property
    def term_names(self) -> list[str]:
        """Each term id's term."""
        return list(self.bm25.vocab)

    def passage_range(self, index: int) -> range:
        """Passage numbers of the article at ``index``, in body order."""
        return range(int(self._first_passage[index]), int(self._first_passage[index + 1]))

    def passage_bounds(
        self, articles: NDArray[np.integer[Any]]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """``passage_range`` of many articles at once: their first passages, and past-the-last."""
        return self._first_passage[articles], self._first_passage[articles + 1]

    def search(self, query: str, k: int = 5) -> list[SearchHit]:
        """The ``k`` passages that best match ``query`` by BM25, best first."""
        return [self._hit(number, score) for number, score in self.ranked(analyze(query), k)]

    def ranked(self, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
        """Passage numbers and scores for analysed terms, best first."""
        return top_k(self.bm25, terms, k)

    def _hit(self, number: int, score: float) -> SearchHit:
        article, start, end = (int(v) for v in self.passages[number])
        meta = self.metas[article]
        text = self.body(article)[start:end]
        return SearchHit(meta.id, meta.title, meta.url, text, start, end, score)


class Carried(Generic[T]):
    """Something derived from a coverage's articles in order, kept to be extended over the
    next coverage of the same generation rather than derived again from the first article.

    ``store`` reuses a generation it opened (the same arrays), and an addition only grows
    the delta at its end, so two coverages whose generation bodies are the same array object
    number their common articles and passages alike. The array is held here, so identity
    cannot be mistaken for another array's. One value is kept: the last coverage's.
    """

    def __init__(self) -> None:
        self._last: tuple[NDArray[np.uint8], int, T] | None = None

    def start(self, coverage: Coverage) -> tuple[int, T | None]:
        """How many of ``coverage``'s first articles the kept value covers, and the value
        (0 and None when it covers none: another generation, or fewer articles)."""
        last = self._last
        if last is None or not coverage.bodies or coverage.bodies[0].data is not last[0]:
            return 0, None
        return (last[1], last[2]) if last[1] <= len(coverage.metas) else (0, None)

    def keep(self, coverage: Coverage, value: T) -> None:
        """``value`` covers every article of ``coverage``; the next coverage extends it."""
        self._last = (
            (coverage.bodies[0].data, len(coverage.metas), value) if coverage.bodies else None
        )


def per_coverage(derive: Callable[[Coverage], T]) -> Callable[[Coverage], T]:
    """Cache what ``derive`` computes from a coverage for as long as that coverage lives.

    Keys are weak: once a process swaps to a new index and no reader holds the old one, the
    old coverage (and its memory maps) is freed with everything derived from it. An
    ``lru_cache`` keyed on coverages would keep the old ones alive.
    """
    cache: WeakKeyDictionary[Coverage, T] = WeakKeyDictionary()

    @functools.wraps(derive)
    def cached(coverage: Coverage) -> T:
        try:
            return cache[coverage]
        except KeyError:
            value = cache[coverage] = derive(coverage)
            return value

    return cached
