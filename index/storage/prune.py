"""Exact top-k without scoring every posting: block-max MaxScore, compiled with numba.

Every query term's postings are split into blocks of ``BLOCK`` postings, and each block
stores the largest term frequency and the shortest passage in it (``bm25.Blocks``, written
with the segment). BM25's term part ``tf (k1 + 1) / (k1 norm + tf)`` grows with tf and
shrinks with the passage length, so ``idf x part(max tf, norm(min length))`` bounds every
posting of the block under any idf and average length: the bounds stay valid when a delta
segment changes the statistics, and nothing is recomputed at load.

The search is MaxScore, document at a time, passages in ascending id across the main
segment and the delta. Lists are ordered by their upper bound; once the ``k`` best found
so far set a threshold, the lists whose bounds together cannot beat it are "non-essential":
only passages of the other lists are candidates, and a candidate is looked up in the
non-essential lists (inside one block, located by the blocks' last passages) only while
its score so far plus the remaining bounds, tightened to the block's own bound, can still
beat the threshold. Ties go to the lower id: passages come in ascending id, so a later
passage equal to the threshold loses, and only what cannot strictly beat it is skipped.

Scores are computed with the float32 arithmetic of ``bm25._weights``, each term added in
query order as the exhaustive path adds them, so both give bit-identical scores and
rankings; the bounds are float64 with a relative slack far above float32 rounding.

numba is optional (the ``fast`` extra): this module imports it, and ``bm25.top_k`` scores
exhaustively, with the same results, where the import fails. Compiled code is cached on
disk (``warm_up`` compiles it once, at build time); where the cache cannot be written it is
compiled in memory, once per process.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def _compiled(function: F) -> F:
    """``function`` compiled on first call, cached on disk where a cache can be written.

    numba caches beside this module or in the user's cache folder; where neither can be
    written (a read-only install) it compiles in memory instead, once per process.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", numba.NumbaWarning)
            return cast(F, numba.njit(cache=True)(function))
    except (RuntimeError, numba.NumbaWarning) as exc:
        log.info("numba cannot cache %s (%s); compiling in memory", function.__name__, exc)
        return cast(F, numba.njit(function))

#: Postings per block of the stored bounds: small enough that a block's bound is tight and
#: a lookup inside one is a few comparisons, large enough that bounds cost 1/8 of the tf.
BLOCK = 64
#: Relative slack on every bound, far above the float32 rounding of a score (about 1e-7 per
#: addition), so a bound is never below the score it bounds.
SLACK = 1e-4

@_compiled
def search(  # noqa: PLR0913 - one flat call: numba compiles plain arrays and scalars
    doc_ids: NDArray[np.int32],
    tfs: NDArray[np.float32],
    max_tf: NDArray[np.float32],
    min_len: NDArray[np.int32],
    lists: NDArray[np.int64],
    factor: NDArray[np.float32],
    occurrences: NDArray[np.int64],
    norm: NDArray[np.float32],
    k1: np.float32,
    b: float,
    avgdl: float,
    heap_docs: NDArray[np.int32],
    heap_scores: NDArray[np.float32],
    size: int,
) -> int:
    """Add one segment's passages to the heap of the best ``len(heap_docs)``; return its size.

    Segments are searched one after the other, in passage order (a delta's passages all
    follow the main segment's), with the heap carried over, so the threshold found in the
    main segment prunes the delta too. ``lists`` has a row per query term present in the
    segment: (lo, hi, first block, term), where term indexes ``factor`` (``idf (k1 + 1)``
    in float32); ``occurrences`` gives each query occurrence's term in query order (repeats
    add again, as rank-bm25 counts them). The heap holds the worst entry at its root.
    """
    k, n_lists, n_terms = heap_docs.shape[0], lists.shape[0], factor.shape[0]
    mult = np.zeros(n_terms, np.float64)
    for term in occurrences:
        mult[term] += 1.0
    weight = np.zeros(n_terms, np.float32)
    # Each list's bound: the best of its blocks' bounds, times the term's occurrences.
    bound = np.zeros(n_lists, np.float64)
    for row in range(n_lists):
        lo, hi, first, term = lists[row, 0], lists[row, 1], lists[row, 2], lists[row, 3]
        best = 0.0
        for block in range(first, first + (hi - lo + BLOCK - 1) // BLOCK):
            best = max(best, _part(max_tf[block], min_len[block], k1, b, avgdl))
        bound[row] = best * float(factor[term]) * mult[term] * (1.0 + SLACK)
    order = np.argsort(bound, kind="mergesort")
    below = np.cumsum(bound[order])  # below[i]: the bounds of order[0..i] together
    pos = lists[:, 0].copy()
    block_at = lists[:, 2].copy()
    threshold = float(heap_scores[0]) if size == k else -np.inf
    essential = 0  # order[essential:] are the lists whose passages are candidates
    while essential < n_lists and below[essential] <= threshold:
        essential += 1
    none = np.int64(1) << 40
    while True:
        doc = none
        for i in range(essential, n_lists):
            row = order[i]
            if pos[row] < lists[row, 1]:
                doc = min(doc, np.int64(doc_ids[pos[row]]))
        if doc == none:
            return size
        weight[:] = 0
        found = 0.0
        for i in range(essential, n_lists):
            row = order[i]
            at, term = pos[row], lists[row, 3]
            if at < lists[row, 1] and doc_ids[at] == doc:
                weight[term] = _weight(tfs[at], norm[doc], factor[term], k1)
                found += float(weight[term]) * mult[term]
                pos[row] = at + 1
        if not _complete(
            doc, found, essential, order, below, threshold, lists, doc_ids, tfs, max_tf,
            min_len, pos, block_at, weight, factor, mult, norm, k1, b, avgdl,
        ):  # fmt: skip
            continue
        score = np.float32(0.0)
        for term in occurrences:
            score += weight[term]
        if size < k:
            _push(heap_docs, heap_scores, size, np.int32(doc), score)
            size += 1
        elif score > heap_scores[0]:
            heap_docs[0], heap_scores[0] = np.int32(doc), score
            _sift_down(heap_docs, heap_scores, 0, size)
        if size == k:
            threshold = float(heap_scores[0])
            while essential < n_lists and below[essential] <= threshold:
                essential += 1


@_compiled
def _complete(
    doc: np.int64,
    found: float,
    essential: int,
    order: NDArray[np.int64],
    below: NDArray[np.float64],
    threshold: float,
    lists: NDArray[np.int64],
    doc_ids: NDArray[np.int32],
    tfs: NDArray[np.float32],
    max_tf: NDArray[np.float32],
    min_len: NDArray[np.int32],
    pos: NDArray[np.int64],
    block_at: NDArray[np.int64],
    weight: NDArray[np.float32],
    factor: NDArray[np.float32],
    mult: NDArray[np.float64],
    norm: NDArray[np.float32],
    k1: np.float32,
    b: float,
    avgdl: float,
) -> bool:
    """Add ``doc``'s weights from the non-essential lists; False once it cannot win."""
    for i in range(essential - 1, -1, -1):
        if (found + below[i]) * (1.0 + SLACK) <= threshold:
            return False
        row = order[i]
        lo, hi, first, term = lists[row, 0], lists[row, 1], lists[row, 2], lists[row, 3]
        if pos[row] >= hi:
            continue
        # The block that would hold ``doc``: the first whose last passage is not below it.
        block = block_at[row]
        while True:
            end = min(lo + (block - first + 1) * BLOCK, hi)
            if doc_ids[end - 1] >= doc:
                break
            if end == hi:
                pos[row] = hi
                break
            block += 1
        block_at[row] = block
        if pos[row] >= hi:
            continue
        rest = below[i - 1] if i > 0 else 0.0
        tight = _part(max_tf[block], min_len[block], k1, b, avgdl)
        tight *= float(factor[term]) * mult[term]
        if (found + tight + rest) * (1.0 + SLACK) <= threshold:
            return False
        at = _lower_bound(doc_ids, max(pos[row], lo + (block - first) * BLOCK), end, doc)
        pos[row] = at
        if at < hi and doc_ids[at] == doc:
            weight[term] = _weight(tfs[at], norm[doc], factor[term], k1)
            found += float(weight[term]) * mult[term]
    return True


@_compiled
def _part(tf: np.float32, length: np.int32, k1: np.float32, b: float, avgdl: float) -> float:
    """BM25's term part without idf, in float64: the bound for ``tf`` at ``length``."""
    kk = float(k1)
    norm = 1.0 - b + b * float(length) / avgdl
    return float(tf) / (kk * norm + float(tf))


@_compiled
def _weight(tf: np.float32, norm: np.float32, factor: np.float32, k1: np.float32) -> np.float32:
    """One posting's weight in float32, operation for operation as ``bm25._weights``."""
    return (tf * factor) / (norm * k1 + tf)  # type: ignore[no-any-return]


@_compiled
def _lower_bound(values: NDArray[np.int32], lo: int, hi: int, target: np.int64) -> int:
    """First position in ``values[lo:hi]`` (ascending) holding at least ``target``, or hi."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < target:
            lo = mid + 1
        else:
            hi = mid
    return lo


@_compiled
def _worse(docs: NDArray[np.int32], scores: NDArray[np.float32], i: int, j: int) -> bool:
    """Entry i ranks below entry j: lower score, or an equal score and a higher id."""
    return bool(scores[i] < scores[j] or (scores[i] == scores[j] and docs[i] > docs[j]))


@_compiled
def _push(
    docs: NDArray[np.int32], scores: NDArray[np.float32], size: int, doc: np.int32, score: Any
) -> None:
    """Add to the heap of ``size`` entries, the worst at the root."""
    docs[size], scores[size] = doc, score
    child = size
    while child > 0:
        parent = (child - 1) >> 1
        if not _worse(docs, scores, child, parent):
            break
        docs[child], docs[parent] = docs[parent], docs[child]
        scores[child], scores[parent] = scores[parent], scores[child]
        child = parent


@_compiled
def _sift_down(docs: NDArray[np.int32], scores: NDArray[np.float32], at: int, size: int) -> None:
    """Restore the heap after its root was replaced."""
    while True:
        worst, left = at, 2 * at + 1
        for child in (left, left + 1):
            if child < size and _worse(docs, scores, child, worst):
                worst = child
        if worst == at:
            return
        docs[at], docs[worst] = docs[worst], docs[at]
        scores[at], scores[worst] = scores[worst], scores[at]
        at = worst
