"""Which passages a question reads, at a cost that barely grows with the coverage.

Judging every passage that shares a word with the question reads every posting of its terms:
at a million passages a word like "Putin" is in a hundred thousand of them, and answering
cost grew with the coverage. Instead two small pools are judged (``pool``):

- the passages BM25 ranks best (``BM25_POOL``), through the index's top-k search;
- every passage holding a question term in the articles whose passages could judge best
  (``POOL_ARTICLES``), ranked by a bound built on ``reach``: the share of the question an
  article's body, title or byline holds, which no passage of it can exceed. That finds the
  passage holding the question's other words that BM25 passes over for short passages
  repeating one rare word.

Everything about a pool passage is then read by binary search in the sorted postings: which
question terms it holds, whether its article's lead or title holds them, its BM25 score.
What concerns every article (``shares``, ``reach``) is summed over *article* postings, far
shorter than passage postings and kept across questions (``article_postings``). Nothing is
computed per passage of the coverage, per question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from index.answering.metadata import metadata_terms
from index.storage.bm25 import postings
from index.storage.coverage import Carried, Coverage, per_coverage

#: Passages BM25 ranks best that are always judged.
BM25_POOL = 50
#: Articles, by ``reach``, whose passages holding a question term are judged beside them.
POOL_ARTICLES = 250
#: Article postings kept across questions (int32 entries, 4 bytes each) before starting afresh.
ARTICLE_POSTINGS_ENTRIES = 2_000_000

_NONE = np.zeros(0, dtype=np.int32)


@dataclass(slots=True)
class _ArticlePostings:
    """Each term's articles, computed on first use and kept for one loaded coverage."""

    terms: dict[int, NDArray[np.int32]] = field(default_factory=dict)
    entries: int = 0


@per_coverage
def _article_postings(coverage: Coverage) -> _ArticlePostings:
    return _ArticlePostings()


def article_postings(coverage: Coverage, term: int) -> NDArray[np.int32]:
    """Every article whose body holds term id ``term``, ascending.

    Kept across questions: the common words of a story ("Putin", "sanctions") recur, and
    theirs are the long postings.
    """
    kept = _article_postings(coverage)
    found = kept.terms.get(term)
    if found is None:
        found = _articles_holding(coverage, postings(coverage.bm25, term))
        if kept.entries + found.size > ARTICLE_POSTINGS_ENTRIES:
            kept.terms.clear()
            kept.entries = 0
        kept.terms[term] = found
        kept.entries += found.size
    return found


def _articles_holding(coverage: Coverage, docs: NDArray[np.int32]) -> NDArray[np.int32]:
    """The articles of ascending passages ``docs``, each once, ascending.

    Passages are stored article by article, so the articles of ascending passages come out
    sorted, and each new one starts where the owner changes.
    """
    owners = _owners(coverage)[docs]
    return owners[np.flatnonzero(np.diff(owners, prepend=-1))]


@per_coverage
def _owners(coverage: Coverage) -> NDArray[np.int32]:
    """Each passage's article, contiguous (per loaded index).

    Read through the passage table's first column, a long posting list cost twice as much
    (strided); cutting it at every article's first passage instead cost as much again at a
    million passages (32k articles, binary searches): 1.4-1.6 ms against 0.8 ms a term.
    """
    return np.ascontiguousarray(coverage.passages[:, 0], dtype=np.int32)


#: The titled articles of the index opened last, extended over the next one of its generation.
_TITLED: Carried[dict[str, NDArray[np.int32]]] = Carried()


@per_coverage
def titled_articles(coverage: Coverage) -> dict[str, NDArray[np.int32]]:
    """For each title, byline or outlet term, the articles whose metadata holds it, ascending.

    Over an index reopened after an addition (``Carried``), the last one built is extended
    with the new articles: building it whole took 0.2 s at 32k articles, in the bot and in
    each answering process, after every addition.
    """
    terms = metadata_terms(coverage)
    first, last = _TITLED.start(coverage)
    added: dict[str, list[int]] = {}
    for article in range(first, len(terms)):
        for term in terms[article]:
            added.setdefault(term, []).append(article)
    found = dict(last or {})
    for term, articles in added.items():
        new = np.array(articles, dtype=np.int32)
        found[term] = np.concatenate([found[term], new]) if term in found else new
    _TITLED.keep(coverage, found)
    return found


def shares(coverage: Coverage, weights: Mapping[str, float]) -> NDArray[np.float64]:
    """Each article's share of ``weights`` (term: weight) that its body holds."""
    share = np.zeros(len(coverage.metas))
    total = sum(weights.values()) or 1.0
    for term, weight in weights.items():
        share[article_postings(coverage, coverage.bm25.vocab[term])] += weight / total
    return share


def reach(
    coverage: Coverage, weights: Mapping[str, float], total: float, title: float
) -> NDArray[np.float64]:
    """The most of the question any passage of each article can hold (``passage_shares``).

    A term counts in full where the body holds it, at ``title`` where only the title or
    byline does; over ``total``, like a passage's share.
    """
    held = np.zeros(len(coverage.metas))
    for term, weight in weights.items():
        titled = np.zeros(len(coverage.metas))
        titled[titled_articles(coverage).get(term, _NONE)] = title * weight
        titled[article_postings(coverage, coverage.bm25.vocab[term])] = weight
        held += titled
    return held / total


def pool(
    coverage: Coverage, terms: Sequence[str], priority: NDArray[np.float64]
) -> NDArray[np.int32]:
    """The passages to judge for analysed query ``terms``, ascending (see the module).

    ``priority`` ranks the articles (the best any of their passages can judge); only
    articles above zero are read.
    """
    best = [number for number, _ in coverage.ranked(terms, BM25_POOL)]
    chosen = _leading(priority, POOL_ARTICLES)
    ids = {coverage.bm25.vocab[t] for t in terms if t in coverage.bm25.vocab}
    starts = coverage.passage_bounds(chosen)
    within = [_within(postings(coverage.bm25, term), *starts) for term in sorted(ids)]
    found = np.sort(np.concatenate([np.asarray(best, dtype=np.int32), *within]))
    # Sorted, then each value where it first appears: numpy's hashing ``unique`` took five
    # times as long on these few thousand passages.
    return found[np.flatnonzero(np.diff(found, prepend=-1))]


def _leading(priority: NDArray[np.float64], most: int) -> NDArray[np.int64]:
    """Up to ``most`` indices of the largest positive values, ties to the lower index."""
    positive = np.flatnonzero(priority > 0)
    if most <= 0:
        return positive[:0]
    if positive.size > most:
        cut = np.partition(priority[positive], positive.size - most)[positive.size - most]
        positive = positive[priority[positive] >= cut]
    order = np.lexsort((positive, -priority[positive]))
    return positive[order[:most]]


def _within(
    docs: NDArray[np.int32], starts: NDArray[np.int64], ends: NDArray[np.int64]
) -> NDArray[np.int32]:
    """The entries of sorted ``docs`` inside any of the ranges ``starts[i]:ends[i]``."""
    lo = np.searchsorted(docs, starts.astype(docs.dtype))
    hi = np.searchsorted(docs, ends.astype(docs.dtype))
    counts = hi - lo
    offsets = np.repeat(lo - np.cumsum(counts) + counts, counts)
    return docs[offsets + np.arange(int(counts.sum()))]


def contains(haystack: NDArray[np.int32], needles: NDArray[np.integer]) -> NDArray[np.bool_]:
    """Whether each of ``needles`` is in ascending ``haystack`` (binary search)."""
    if haystack.size == 0:
        return np.zeros(needles.shape[0], dtype=bool)
    # Needles of the haystack's type: others would make numpy copy the whole haystack.
    at = np.minimum(np.searchsorted(haystack, needles.astype(haystack.dtype)), haystack.size - 1)
    found: NDArray[np.bool_] = haystack[at] == needles
    return found


def passage_shares(
    coverage: Coverage, passages: NDArray[np.int32], weights: Mapping[str, float], title: float
) -> NDArray[np.float64]:
    """Each passage's weight of the question (``weights``: term to weight), from postings.

    A term the passage lacks counts at ``title`` when its article's title, byline or first
    passage holds it: the measure a quote is judged by, over the whole passage.
    """
    articles = coverage.passages[passages, 0]
    # Lead and title are per article: looked up once for each, then spread to its passages.
    distinct, spread = np.unique(articles, return_inverse=True)
    leads = coverage.passage_bounds(distinct)[0]
    held = np.zeros(passages.shape[0])
    for term, weight in weights.items():
        docs = postings(coverage.bm25, coverage.bm25.vocab[term])
        titled = titled_articles(coverage).get(term, _NONE)
        about = (contains(docs, leads) | contains(titled, distinct))[spread]
        held += np.where(contains(docs, passages), weight, title * weight * about)
    return held
