"""Exact top-k in numba: every posting of the query's terms, scored by a multiply.

A posting's weight is ``factor x impact``: the term's ``idf (k1 + 1)`` times the posting's
impact ``tf / (k1 norm + tf)``, which depends on the passage and the average passage length
only. A term's impacts are computed the first time a query holds it (``bm25.Impacts``) and
kept, so a query multiplies and adds per posting where it used to divide; an index opened
after an addition (another average length) starts with none, so no impact is ever stale.

The query's lists are added whole into a dense accumulator, term after term in query order,
so each passage's score is the float32 sum the exhaustive path (``bm25.scores``) computes,
bit for bit; passages are noted as first touched, then offered to a heap of the best k
(ties to the lower passage id) and the accumulator zeroed again. A query whose lists hold
many postings for the number of passages (``scan``) skips the noting: one pass over every
passage in order reads the accumulator back, which costs less than noting a third of them
and reading those back in a scattered order (the slowest questions at 1M passages: p99
−35 %, docs/benchmarks.md). Dynamic pruning (MaxScore,
term and document at a time, with block bounds) was measured against this and lost: on the
benchmark's questions a posting costs about 2 ns to add, less than what deciding to skip it
costs (docs/retrieval.md).

numba is optional (the ``fast`` extra): this module imports it, and ``bm25.top_k`` scores
with numpy, with the same results, where the import fails. Compiled code is cached on disk,
compiled by ``bm25.warm_up`` at setup and at ``index build``; where no cache can be written
the import fails too, rather than every process compiling for seconds.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

F = TypeVar("F", bound=Callable[..., Any])
Segment = tuple[NDArray[np.int32], NDArray[np.int64], NDArray[np.int32], NDArray[np.float32]]
SegmentImpacts = tuple[NDArray[np.float32], NDArray[np.bool_]]


def _compiled(function: F) -> F:
    """``function`` compiled on first call, with numba's on-disk cache; helpers (a leading
    underscore) are inlined, since a call passing arrays costs a reference count per array.

    Raises ImportError where no cache can be written (neither beside this module nor in the
    user's cache folder): every process would then compile for seconds before its first
    question, so ``bm25.top_k`` scores with numpy instead.
    """
    inline: Literal["never", "always"] = "always" if function.__name__[0] == "_" else "never"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", numba.NumbaWarning)
            return cast(F, numba.njit(cache=True, inline=inline)(function))
    except (RuntimeError, numba.NumbaWarning) as exc:
        raise ImportError(f"numba cannot cache compiled code: {exc}") from exc


@_compiled
def top_k(
    segments: tuple[Segment, ...],
    impacts: tuple[SegmentImpacts, ...],
    query: NDArray[np.int64],
    idf: NDArray[np.float64],
    norm: NDArray[np.float32],
    k1: np.float32,
    k: int,
    dense: NDArray[np.float32],
    scan: int,
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """The best ``k`` passages holding a query term, best first, and their scores above
    the baseline; ties to the lower passage.

    ``segments`` are the ``Postings``' (terms, indptr, doc_ids, tf) and ``impacts`` their
    ``bm25.Impacts``' (values, ready), filled here for the query's terms not yet ready.
    ``query`` holds the term ids in query order (repeats add again, as rank-bm25 counts
    them). Weights must be positive; ``dense`` is all zeros, one per passage, and left so.
    A segment whose query lists hold ``scan`` postings or more is read back by a pass over
    every passage.
    """
    docs = np.empty(k, np.int32)
    scores = np.empty(k, np.float32)
    size = 0
    for part in range(len(segments)):
        size = _segment(segments[part], impacts[part], query, idf, norm, k1, dense, docs,
                        scores, size, scan)  # fmt: skip
    return _sorted(docs[:size], scores[:size])


@_compiled
def _segment(
    segment: Segment,
    impacts: SegmentImpacts,
    query: NDArray[np.int64],
    idf: NDArray[np.float64],
    norm: NDArray[np.float32],
    k1: np.float32,
    dense: NDArray[np.float32],
    docs: NDArray[np.int32],
    scores: NDArray[np.float32],
    size: int,
    scan: int,
) -> int:
    """Offer one segment's passages to the heap (``docs``, ``scores``); its new size."""
    terms, indptr, doc_ids, tfs = segment
    values, ready = impacts
    lo = np.empty(query.shape[0], np.int64)
    hi = np.empty(query.shape[0], np.int64)
    total = 0
    for at in range(query.shape[0]):
        slot = np.searchsorted(terms, query[at])
        lo[at] = hi[at] = 0
        if slot < terms.shape[0] and terms[slot] == query[at]:
            lo[at], hi[at] = indptr[slot], indptr[slot + 1]
            if not ready[slot]:
                _fill(values, lo[at], hi[at], doc_ids, tfs, norm, k1)
                ready[slot] = True
            total += hi[at] - lo[at]
    if total >= scan:
        return _scanned(values, doc_ids, lo, hi, query, idf, k1, dense, docs, scores, size)
    touched = np.empty(total, np.int32)
    n = 0
    for at in range(query.shape[0]):
        factor = np.float32(idf[query[at]]) * (k1 + np.float32(1.0))
        for posting in range(lo[at], hi[at]):
            doc = doc_ids[posting]
            touched[n] = doc  # kept only when new: no branch to mispredict
            n += dense[doc] == 0.0
            dense[doc] += factor * values[posting]
    for doc in touched[:n]:
        if size < docs.shape[0] or dense[doc] >= scores[0]:
            size = _offer(docs, scores, size, doc, dense[doc])
        dense[doc] = 0.0
    return size


@_compiled
def _scanned(
    values: NDArray[np.float32],
    doc_ids: NDArray[np.int32],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    query: NDArray[np.int64],
    idf: NDArray[np.float64],
    k1: np.float32,
    dense: NDArray[np.float32],
    docs: NDArray[np.int32],
    scores: NDArray[np.float32],
    size: int,
) -> int:
    """``_segment`` for a query of many postings: sum them, then one pass over every passage.

    Only a score above the heap's worst (or equal to it: ``_offer`` breaks the tie) is
    offered, so the pass costs one well-predicted comparison per passage.
    """
    for at in range(query.shape[0]):
        factor = np.float32(idf[query[at]]) * (k1 + np.float32(1.0))
        for posting in range(lo[at], hi[at]):
            dense[doc_ids[posting]] += factor * values[posting]
    floor = scores[0] if size == docs.shape[0] else np.float32(0.0)
    for doc in range(dense.shape[0]):
        value = dense[doc]
        if value >= floor and value > 0.0:
            size = _offer(docs, scores, size, doc, value)
            if size == docs.shape[0]:
                floor = scores[0]
    dense[:] = 0.0
    return size


@_compiled
def _fill(
    values: NDArray[np.float32],
    lo: int,
    hi: int,
    doc_ids: NDArray[np.int32],
    tfs: NDArray[np.float32],
    norm: NDArray[np.float32],
    k1: np.float32,
) -> None:
    """One list's impacts, operation for operation as ``bm25._impacts``."""
    for at in range(lo, hi):
        tf = tfs[at]
        values[at] = tf / (norm[doc_ids[at]] * k1 + tf)


@_compiled
def _offer(
    docs: NDArray[np.int32], scores: NDArray[np.float32], size: int, doc: Any, score: Any
) -> int:
    """Put (doc, score) in the heap of the best ``len(docs)``, worst at the root; new size."""
    if size == docs.shape[0]:
        if not _better(score, doc, scores[0], docs[0]):
            return size
        docs[0], scores[0] = doc, score
        _sift_down(docs, scores, 0, size)
        return size
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
def _sift_down(docs: NDArray[np.int32], scores: NDArray[np.float32], at: int, size: int) -> None:
    """Restore the heap of ``size`` entries below ``at``, whose entry may rank too high."""
    while True:
        worst, left = at, 2 * at + 1
        for child in (left, left + 1):
            if child < size and _better(scores[worst], docs[worst], scores[child], docs[child]):
                worst = child
        if worst == at:
            return
        docs[at], docs[worst] = docs[worst], docs[at]
        scores[at], scores[worst] = scores[worst], scores[at]
        at = worst


@_compiled
def _sorted(
    docs: NDArray[np.int32], scores: NDArray[np.float32]
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """The heap's entries, best first: in place, the worst moved to the end each time."""
    for size in range(docs.shape[0] - 1, 0, -1):
        docs[0], docs[size] = docs[size], docs[0]
        scores[0], scores[size] = scores[size], scores[0]
        _sift_down(docs, scores, 0, size)
    return docs, scores


@_compiled
def _better(score: Any, doc: Any, other_score: Any, other_doc: Any) -> bool:
    """(score, doc) ranks above (other_score, other_doc): higher score, then lower id."""
    return bool(score > other_score or (score == other_score and doc < other_doc))
