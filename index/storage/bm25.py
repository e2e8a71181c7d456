"""BM25 over passages as an inverted index of numpy arrays, scoring exactly as rank-bm25 does.

rank-bm25 defines the scores (``BM25Okapi``, ``BM25L``, ``BM25Plus``); this module computes the
same numbers without its O(N) Python loop. The index is CSC-shaped: for term ``t`` the slice
``indptr[t]:indptr[t + 1]`` of ``doc_ids`` and ``weights`` lists the passages containing ``t``
and each one's precomputed contribution. A query only touches those slices.

BM25Plus gives every passage a positive contribution for every query term, present or not
(``baseline``; rank-bm25's BM25L multiplies by the term frequency, so absent terms give 0).
Those constants are kept apart: ``weights`` hold the contribution above the baseline, so
passages sharing no word with the query score nothing and are never returned, and reported
scores add the baselines back to equal rank-bm25's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Variant = Literal["okapi", "l", "plus"]


@dataclass(frozen=True, slots=True)
class BM25Params:
    """A rank-bm25 variant and its parameters (names as in rank-bm25).

    The defaults, BM25Plus with k1=1.5, b=0.9 and rank-bm25's default delta of 1, scored best
    of the three variants over a grid on BEIR SciFact (nDCG@10 0.694, against Pyserini's
    0.679; docs/retrieval.md has the table and the reasons).
    """

    variant: Variant = "plus"
    k1: float = 1.5
    b: float = 0.9
    epsilon: float = 0.25  #: okapi: negative idfs become epsilon x the mean idf
    delta: float = 1.0  #: l and plus: the lower bound on a term's contribution


@dataclass(frozen=True, slots=True)
class BM25Arrays:
    """The inverted index: vocabulary, postings and per-passage lengths."""

    vocab: dict[str, int]
    indptr: NDArray[np.int64]  #: n_terms + 1 offsets into doc_ids / weights
    doc_ids: NDArray[np.int32]  #: passage ids, ascending within each term
    weights: NDArray[np.float32]  #: contribution of the term to the passage, above baseline
    baseline: NDArray[np.float32]  #: per-term contribution to passages without the term
    doc_len: NDArray[np.int32]  #: terms per passage

    @property
    def n_docs(self) -> int:
        return int(self.doc_len.shape[0])


def build(corpus: Sequence[Sequence[str]], params: BM25Params) -> BM25Arrays:
    """Index analysed passages (lists of terms) under ``params``."""
    vocab: dict[str, int] = {}
    flat = [vocab.setdefault(term, len(vocab)) for doc in corpus for term in doc]
    doc_len = np.fromiter((len(doc) for doc in corpus), dtype=np.int32, count=len(corpus))
    return build_from_ids(np.asarray(flat, dtype=np.int64), doc_len, vocab, params)


def build_from_ids(
    term_ids: NDArray[np.int64],
    doc_len: NDArray[np.int32],
    vocab: dict[str, int],
    params: BM25Params,
) -> BM25Arrays:
    """Index passages given as one flat array of term ids and each passage's length.

    Parameters
    ----------
    term_ids
        Every passage's term ids, concatenated in passage order.
    doc_len
        Number of terms in each passage; sums to ``len(term_ids)``.
    vocab
        Term -> id; ids are ``0 .. len(vocab) - 1``.
    """
    n_docs, n_terms = int(doc_len.shape[0]), len(vocab)
    doc_of_token = np.repeat(np.arange(n_docs, dtype=np.int64), doc_len)
    # One sort of (term, doc) keys yields the postings already grouped by term, docs ascending.
    pairs, tf = np.unique(term_ids * max(n_docs, 1) + doc_of_token, return_counts=True)
    terms = pairs // max(n_docs, 1)
    docs = (pairs % max(n_docs, 1)).astype(np.int32)
    df = np.bincount(terms, minlength=n_terms)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    avgdl = float(doc_len.sum()) / n_docs if n_docs and doc_len.sum() else 1.0
    idf = _idf(df, n_docs, params)
    norm = 1.0 - params.b + params.b * doc_len[docs] / avgdl
    full = _contribution(tf.astype(np.float64), norm, idf[terms], params)
    base = _contribution(np.zeros(n_terms), np.ones(n_terms), idf, params)
    return BM25Arrays(
        vocab=vocab,
        indptr=indptr,
        doc_ids=docs,
        weights=(full - base[terms]).astype(np.float32),
        baseline=base.astype(np.float32),
        doc_len=doc_len,
    )


def _idf(df: NDArray[np.int64], n_docs: int, params: BM25Params) -> NDArray[np.float64]:
    """Inverse document frequency exactly as rank-bm25's ``_calc_idf`` for the variant."""
    df_f = df.astype(np.float64)
    idf: NDArray[np.float64]
    if params.variant == "l":
        idf = np.log(n_docs + 1) - np.log(df_f + 0.5)
        return idf
    if params.variant == "plus":
        idf = np.log((n_docs + 1) / np.maximum(df_f, 1.0))
        return idf
    idf = np.log(n_docs - df_f + 0.5) - np.log(df_f + 0.5)
    if idf.size:
        # rank-bm25 floors negative idfs (terms in over half the passages) at eps x mean idf.
        idf = np.where(idf < 0, params.epsilon * idf.mean(), idf)
    return idf


def _contribution(
    tf: NDArray[np.float64],
    norm: NDArray[np.float64],
    idf: NDArray[np.float64],
    params: BM25Params,
) -> NDArray[np.float64]:
    """One term's score in one passage, as rank-bm25's ``get_scores`` adds it."""
    k1, delta = params.k1, params.delta
    if params.variant == "l":
        # rank-bm25 0.2.2 multiplies BM25L's term by the term frequency too; we follow the
        # definition we are checked against, which also gives absent terms nothing.
        ctd = tf / norm
        return idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
    if params.variant == "plus":
        return idf * (delta + tf * (k1 + 1) / (k1 * norm + tf))
    return idf * (tf * (k1 + 1) / (tf + k1 * norm))


def term_ids(index: BM25Arrays, terms: Sequence[str]) -> list[int]:
    """Vocabulary ids of ``terms``: unknown terms dropped, repeats kept (rank-bm25 counts them)."""
    return [index.vocab[t] for t in terms if t in index.vocab]


def scores(index: BM25Arrays, ids: Sequence[int]) -> tuple[NDArray[np.float32], NDArray[np.int32]]:
    """Dense rank-bm25 scores minus the query's baseline, and the passages that matched.

    Only the postings of the query's terms are read; passages outside ``matched`` have no
    query term and a score of zero here (rank-bm25 gives them the baseline, ``baseline_sum``).
    """
    dense = np.zeros(index.n_docs, dtype=np.float32)
    hit = np.zeros(index.n_docs, dtype=bool)
    for term in ids:
        lo, hi = index.indptr[term], index.indptr[term + 1]
        docs = index.doc_ids[lo:hi]
        dense[docs] += index.weights[lo:hi]  # docs are unique within one term's postings
        hit[docs] = True
    return dense, np.flatnonzero(hit).astype(np.int32)


def baseline_sum(index: BM25Arrays, ids: Sequence[int]) -> float:
    """What rank-bm25 adds to every passage for these query terms (zero for okapi)."""
    return float(index.baseline[list(ids)].sum()) if ids else 0.0


def top_k(index: BM25Arrays, terms: Sequence[str], k: int) -> list[tuple[int, float]]:
    """The ``k`` best passages containing at least one query term, best first.

    Scores equal rank-bm25's ``get_scores`` for the same variant; ties go to the lower
    passage id, so ranking is deterministic.
    """
    ids = term_ids(index, terms)
    if not ids or k <= 0:
        return []
    dense, matched = scores(index, ids)
    found = dense[matched]
    if matched.size > k:
        threshold = np.partition(found, matched.size - k)[matched.size - k]
        keep = found >= threshold  # keeps every tie at the cut, ordered below
        matched, found = matched[keep], found[keep]
    order = np.lexsort((matched, -found))[:k]
    offset = baseline_sum(index, ids)
    return [(int(matched[i]), float(found[i]) + offset) for i in order]
