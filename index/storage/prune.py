"""Exact top-k without scoring every posting: MaxScore with stored block bounds, in numba.

Every term's postings are split into blocks of ``BLOCK`` postings, and each block stores
the largest term frequency and the shortest passage in it (``bm25.Blocks``, written with
the segment). BM25's term part ``tf (k1 + 1) / (k1 norm + tf)`` grows with tf and shrinks
with the passage length, so ``idf x part(max tf, norm(min length))`` bounds every posting
of the block under any idf and average length: the bounds stay valid when a delta segment
changes the statistics, and nothing is computed at load. A list's bound is its best block's.

The search is MaxScore, term at a time over a dense accumulator. Lists are added whole in
decreasing bound (rare terms first) while the bounds of the lists not yet added could lift
a passage none of them holds to the threshold, a lower bound on the k-th best score (the
exact scores of the k passages best so far). The other lists are then only searched for
the passages already seen, by galloping, each dropped once its partial score plus the
bounds still to come falls below the threshold; the survivors are scored exactly. Only
what cannot reach the threshold is dropped (a tie is kept: it may have the lower id), so
the result is the exhaustive one. Segments are searched in turn, the best k carried over.

Scores are computed with the float32 arithmetic of ``bm25._weights``, each term added in
query order as the exhaustive path adds them, so both give bit-identical scores and
rankings; the bounds are float64 with a relative slack far above float32 rounding.

numba is optional (the ``fast`` extra): this module imports it, and ``bm25.top_k`` scores
exhaustively, with the same results, where the import fails. Compiled code is cached on
disk, compiled once by ``bm25.warm_up`` at setup and at ``index build``; where no cache can
be written the import fails too, rather than every process compiling for seconds.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

from index.storage.bm25 import BLOCK

#: Relative slack on every bound and threshold, far above the float32 rounding of a score
#: (about 1e-7 per addition), so that nothing that could tie or win is ever skipped.
SLACK = 1e-4

F = TypeVar("F", bound=Callable[..., Any])


def _compiled(function: F) -> F:
    """``function`` compiled on first call, with numba's on-disk cache.

    Helpers are inlined into the search: a call passing arrays costs an atomic reference
    count per array, which made a call per candidate passage slower than scoring it.

    Raises ImportError where no cache can be written (neither beside this module nor in the
    user's cache folder): every process would then compile for seconds before its first
    question, so ``bm25.top_k`` scores exhaustively instead.
    """
    inline: Literal["never", "always"] = "always" if function.__name__[0] == "_" else "never"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", numba.NumbaWarning)
            return cast(F, numba.njit(cache=True, inline=inline)(function))
    except (RuntimeError, numba.NumbaWarning) as exc:
        raise ImportError(f"numba cannot cache compiled code: {exc}") from exc


@_compiled
def search(
    segment: tuple[NDArray[np.int32], NDArray[np.int64], NDArray[np.int32], NDArray[np.float32]],
    blocks: tuple[NDArray[np.int64], NDArray[np.float32], NDArray[np.int32]],
    query: NDArray[np.int64],
    idf: NDArray[np.float64],
    norm: NDArray[np.float32],
    k1: np.float32,
    b: float,
    avgdl: float,
    heap_docs: NDArray[np.int32],
    heap_scores: NDArray[np.float32],
    size: int,
    dense: NDArray[np.float32],
) -> int:
    """Add one segment's best passages to the heap of the best ``len(heap_docs)``; new size.

    ``segment`` is a ``Postings``' (terms, indptr, doc_ids, tf) and ``blocks`` its
    ``Blocks``' (indptr, max_tf, min_len); ``query`` the query's term ids in query order
    (repeats add again, as rank-bm25 counts them). The heap, carried from segment to
    segment, holds the worst entry at its root. ``dense`` is all zeros, one per passage,
    and is left so.
    """
    terms, indptr, doc_ids, tfs = segment
    block_indptr, max_tf, min_len = blocks
    lists, factor, occurrences = _lists(terms, indptr, block_indptr, query, idf, k1)
    k, n_lists, n_terms = heap_docs.shape[0], lists.shape[0], factor.shape[0]
    mult = np.zeros(n_terms, np.float64)
    for term in occurrences:
        mult[term] += 1.0
    bound = _bounds(lists, max_tf, min_len, factor, mult, k1, b, avgdl)
    order = np.argsort(-bound, kind="mergesort")  # the highest bounds (rarest terms) first
    rest = bound.sum()
    threshold = float(heap_scores[0]) if size == k else -np.inf
    seen = 0
    for row in lists[:, 1] - lists[:, 0]:
        seen += row
    touched = np.empty(seen, np.int32)
    n_touched = 0
    done = 0
    weight = np.zeros(n_terms, np.float32)
    scoring = (lists, doc_ids, tfs, factor, occurrences, norm, k1, weight)
    # Accumulate whole lists while a passage in none of them so far could still win.
    while done < n_lists and not _below(rest, threshold):
        row = order[done]
        n_touched = _accumulate(doc_ids, tfs, lists[row], factor, mult, norm, k1, dense,
                                touched, n_touched)  # fmt: skip
        rest -= bound[row]
        done += 1
        threshold = max(threshold, _floor(dense, touched[:n_touched], k, scoring))
    # The other lists can only add to passages already seen: look those up in them.
    candidates = np.sort(_keep(touched[:n_touched], dense, rest, threshold))
    for step in range(done, n_lists):
        row = order[step]
        _look_up(doc_ids, tfs, lists[row], candidates, factor, mult, norm, k1, dense)
        rest -= bound[row]
        candidates = _keep(candidates, dense, rest, threshold)
    for doc in _keep(candidates, dense, 0.0, threshold):
        size = _offer(heap_docs, heap_scores, size, doc, _exact(doc, scoring))
    for doc in touched[:n_touched]:
        dense[doc] = 0.0
    return size


@_compiled
def _lists(
    terms: NDArray[np.int32],
    indptr: NDArray[np.int64],
    block_indptr: NDArray[np.int64],
    query: NDArray[np.int64],
    idf: NDArray[np.float64],
    k1: np.float32,
) -> tuple[NDArray[np.int64], NDArray[np.float32], NDArray[np.int64]]:
    """The query's distinct terms and their postings here, and each occurrence's term.

    Returns a row per distinct term in the segment, (lo, hi, first block, term); each
    term's ``idf (k1 + 1)`` in float32, as ``bm25._weights`` computes it; and the term of
    each query occurrence, in query order.
    """
    distinct = np.unique(query)
    occurrences = np.searchsorted(distinct, query)
    factor = np.empty(distinct.shape[0], np.float32)
    lists = np.empty((distinct.shape[0], 4), np.int64)
    n = 0
    for term in range(distinct.shape[0]):
        factor[term] = np.float32(idf[distinct[term]]) * (k1 + np.float32(1.0))
        slot = np.searchsorted(terms, distinct[term])
        if slot < terms.shape[0] and terms[slot] == distinct[term]:
            lists[n, 0], lists[n, 1] = indptr[slot], indptr[slot + 1]
            lists[n, 2], lists[n, 3] = block_indptr[slot], term
            n += 1
    return lists[:n], factor, occurrences


@_compiled
def _bounds(
    lists: NDArray[np.int64],
    max_tf: NDArray[np.float32],
    min_len: NDArray[np.int32],
    factor: NDArray[np.float32],
    mult: NDArray[np.float64],
    k1: np.float32,
    b: float,
    avgdl: float,
) -> NDArray[np.float64]:
    """Each list's bound: the best of its blocks' bounds, times the term's occurrences."""
    bound = np.zeros(lists.shape[0], np.float64)
    for row in range(lists.shape[0]):
        lo, hi, first, term = lists[row, 0], lists[row, 1], lists[row, 2], lists[row, 3]
        best = 0.0
        for block in range(first, first + (hi - lo + BLOCK - 1) // BLOCK):
            best = max(best, _part(max_tf[block], min_len[block], k1, b, avgdl))
        bound[row] = best * float(factor[term]) * mult[term] * (1.0 + SLACK)
    return bound


@_compiled
def _below(bound: float, threshold: float) -> bool:
    """Nothing bounded by ``bound`` can reach ``threshold`` (an equal score is kept: in
    this order of lists, a tie with a lower passage id is still possible)."""
    return bound * (1.0 + SLACK) < threshold * (1.0 - SLACK)


@_compiled
def _accumulate(
    doc_ids: NDArray[np.int32],
    tfs: NDArray[np.float32],
    row: NDArray[np.int64],
    factor: NDArray[np.float32],
    mult: NDArray[np.float64],
    norm: NDArray[np.float32],
    k1: np.float32,
    dense: NDArray[np.float32],
    touched: NDArray[np.int32],
    n_touched: int,
) -> int:
    """Add a whole list's weights to ``dense``; passages seen first join ``touched``."""
    term = row[3]
    times = np.float32(mult[term])
    for at in range(row[0], row[1]):
        doc = doc_ids[at]
        if dense[doc] == 0.0:  # weights are positive: zero means not seen yet
            touched[n_touched] = doc
            n_touched += 1
        dense[doc] += _weight(tfs[at], norm[doc], factor[term], k1) * times
    return n_touched


@_compiled
def _look_up(
    doc_ids: NDArray[np.int32],
    tfs: NDArray[np.float32],
    row: NDArray[np.int64],
    candidates: NDArray[np.int32],
    factor: NDArray[np.float32],
    mult: NDArray[np.float64],
    norm: NDArray[np.float32],
    k1: np.float32,
    dense: NDArray[np.float32],
) -> None:
    """Add one list's weights to the (ascending) candidates, finding each by galloping."""
    lo, hi, term = row[0], row[1], row[3]
    times = np.float32(mult[term])
    for doc in candidates:
        step = 1
        while lo + step < hi and doc_ids[lo + step] < doc:
            step <<= 1
        lo = _lower_bound(doc_ids, lo, min(lo + step + 1, hi), doc)
        if lo == hi:
            return
        if doc_ids[lo] == doc:
            dense[doc] += _weight(tfs[lo], norm[doc], factor[term], k1) * times


@_compiled
def _keep(
    candidates: NDArray[np.int32], dense: NDArray[np.float32], rest: float, threshold: float
) -> NDArray[np.int32]:
    """The candidates that, with ``rest`` still to come, may reach ``threshold``."""
    kept = np.empty_like(candidates)
    n = 0
    for doc in candidates:
        if not _below(float(dense[doc]) + rest, threshold):
            kept[n] = doc
            n += 1
    return kept[:n]


@_compiled
def _floor(dense: NDArray[np.float32], docs: NDArray[np.int32], k: int, scoring: Any) -> float:
    """A lower bound on the ``k``-th best score: the exact scores of the ``k`` passages of
    ``docs`` best so far (by ``dense``) are ``k`` scores reached (-inf when fewer)."""
    if docs.shape[0] < k:
        return -np.inf
    best = np.empty(k, np.float32)  # a min-heap of values, ``top`` holding their passages
    top = np.empty(k, np.int32)
    for i in range(k):
        best[i], top[i] = -1.0, -1
    for doc in docs:
        value = dense[doc]
        if value > best[0]:
            best[0], top[0] = value, doc
            _sift(best, top, k)
    lowest = np.inf
    for doc in top:
        lowest = min(lowest, float(_exact(doc, scoring)))
    return lowest


@_compiled
def _exact(doc: np.int32, scoring: Any) -> np.float32:
    """``doc``'s score, computed as the exhaustive path does: float32, in query order."""
    lists, doc_ids, tfs, factor, occurrences, norm, k1, weight = scoring
    weight[:] = 0
    for row in range(lists.shape[0]):
        lo, hi, term = lists[row, 0], lists[row, 1], lists[row, 3]
        at = _lower_bound(doc_ids, lo, hi, doc)
        if at < hi and doc_ids[at] == doc:
            weight[term] = _weight(tfs[at], norm[doc], factor[term], k1)
    score = np.float32(0.0)
    for term in occurrences:
        score += weight[term]
    return score


@_compiled
def _sift(heap: NDArray[np.float32], docs: NDArray[np.int32], size: int) -> None:
    """Restore the min-heap of floats (and the passages beside them) after its root grew."""
    at = 0
    while True:
        low, left = at, 2 * at + 1
        if left < size and heap[left] < heap[low]:
            low = left
        if left + 1 < size and heap[left + 1] < heap[low]:
            low = left + 1
        if low == at:
            return
        heap[at], heap[low] = heap[low], heap[at]
        docs[at], docs[low] = docs[low], docs[at]
        at = low


@_compiled
def _offer(
    docs: NDArray[np.int32], scores: NDArray[np.float32], size: int, doc: np.int32, score: Any
) -> int:
    """Put (doc, score) in the heap of the best ``len(docs)``, worst at the root; new size."""
    if size == docs.shape[0]:
        if not _better(score, doc, scores[0], docs[0]):
            return size
        docs[0], scores[0] = doc, score
        at = 0
        while True:
            worst, left = at, 2 * at + 1
            for child in (left, left + 1):
                if child < size and _better(scores[worst], docs[worst], scores[child], docs[child]):
                    worst = child
            if worst == at:
                return size
            docs[at], docs[worst] = docs[worst], docs[at]
            scores[at], scores[worst] = scores[worst], scores[at]
            at = worst
    docs[size], scores[size] = doc, score
    child = size
    while child > 0:
        parent = (child - 1) >> 1
        if not _better(scores[parent], docs[parent], scores[child], docs[child]):
            break
        docs[child], docs[parent] = docs[parent], docs[child]
        scores[child], scores[parent] = scores[parent], scores[child]
        child = parent
    return size + 1


@_compiled
def _better(score: Any, doc: Any, other_score: Any, other_doc: Any) -> bool:
    """(score, doc) ranks above (other_score, other_doc): higher score, then lower id."""
    return bool(score > other_score or (score == other_score and doc < other_doc))


@_compiled
def _part(tf: np.float32, length: np.int32, k1: np.float32, b: float, avgdl: float) -> float:
    """BM25's term part without idf, in float64: the bound for ``tf`` at ``length``."""
    kk = float(k1)
    norm = 1.0 - b + b * float(length) / avgdl
    return float(tf) / (kk * norm + float(tf))


@_compiled
def _weight(tf: np.float32, norm: np.float32, factor: np.float32, k1: np.float32) -> np.float32:
    """One posting's weight in float32, operation for operation as ``bm25._weights``."""
    return (tf * factor) / (norm * k1 + tf)


@_compiled
def _lower_bound(values: NDArray[np.int32], lo: int, hi: int, target: Any) -> int:
    """First position in ``values[lo:hi]`` (ascending) holding at least ``target``, or hi."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo
