"""BM25 over passages as an inverted index of numpy arrays, scoring exactly as rank-bm25 does.

rank-bm25 defines the scores (``BM25Okapi``, ``BM25L``, ``BM25Plus``); this module computes the
same numbers without its O(N) Python loop. Each segment of the index is CSC-shaped: for each
term, the passages containing it and how often (``Postings``). A query touches only its
terms' postings and weighs them then, with the idf and average passage length of all
segments together, so a delta segment added beside the main one changes no stored number and
scores stay those of one index over everything.

BM25Plus gives every passage a positive contribution for every query term, present or not
(``baseline``; rank-bm25's BM25L multiplies by the term frequency, so absent terms give 0).
Those constants are kept apart: weights are the contribution above the baseline, so
passages sharing no word with the query score nothing and are never returned, and reported
scores add the baselines back to equal rank-bm25's.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)
Variant = Literal["okapi", "l", "plus"]
#: A query whose lists in a segment hold this share of the passages' count in postings or
#: more is read back by one pass over every passage (``compiled._scanned``); measured best
#: among 1/2, 1/4, 1/8 and 1/16 at 100k and 1M passages.
SCAN_SHARE = 0.25


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
class Postings:
    """One segment's inverted index: for each of its terms, the passages holding it, how often.

    A segment is the main generation or the delta written beside it. Term ids and passage ids
    are global (those of the index over every segment), so segments are searched side by side
    without translation. ``terms`` lists, ascending, the term ids that occur in the segment;
    the postings of ``terms[i]`` are ``indptr[i]:indptr[i + 1]`` of ``doc_ids`` and ``tf``.
    """

    terms: NDArray[np.int32]
    indptr: NDArray[np.int64]
    doc_ids: NDArray[np.int32]  #: passage ids, ascending within each term
    tf: NDArray[np.float32]  #: occurrences of the term in the passage

    def __post_init__(self) -> None:
        # Read-only like the memory maps a loaded index holds: one compiled search serves
        # both, and nothing can change a segment in place.
        _read_only(self.terms, self.indptr, self.doc_ids, self.tf)

    def slot(self, term: int) -> int | None:
        """Where ``term``'s postings are in this segment, or None when it does not occur."""
        # A key of the array's own type: a Python int would copy the whole array to int64.
        at = int(np.searchsorted(self.terms, self.terms.dtype.type(term)))
        return at if at < self.terms.shape[0] and int(self.terms[at]) == term else None

    def df(self, n_terms: int) -> NDArray[np.int64]:
        """Document frequency of every term id below ``n_terms`` in this segment."""
        counts = np.zeros(n_terms, dtype=np.int64)
        counts[self.terms] = np.diff(self.indptr)
        return counts


@dataclass(frozen=True, slots=True)
class Impacts:
    """One segment's impacts under one index's statistics, computed per term on first use.

    A posting's impact is the part of its weight that depends on the passage,
    ``tf / (k1 norm + tf)`` (``_impacts``); its weight is the term's ``idf (k1 + 1)`` times
    it. The compiled search (``compiled``) fills a term's impacts the first time a query
    holds it, so later queries multiply where they would divide. Impacts depend on the
    average passage length of every segment, so they belong to the index, not the segment:
    an index opened after an addition starts without any, and none is ever stale. Memory is
    committed only for the terms asked about, 4 bytes a posting.
    """

    values: NDArray[np.float32]  #: per posting; meaningful where its term is ``ready``
    ready: NDArray[np.bool_]  #: per term slot of the segment: its impacts are filled

    @staticmethod
    def empty(segment: Postings) -> Impacts:
        """Nothing computed yet, and no memory committed: pages are touched when filled."""
        return Impacts(
            np.empty(segment.tf.shape[0], np.float32), np.zeros(segment.terms.shape[0], np.bool_)
        )


@dataclass(frozen=True, slots=True)
class BM25Index:
    """Segments searched as one index, with the statistics of their union.

    Weights are not stored: each passage's term frequencies and length are, and a query
    weighs only its own terms' postings with the idf and average length of every segment
    together. A small delta segment can so be added beside a large main one and score
    exactly as one index over both would, without touching the main one.
    """

    vocab: dict[str, int]
    segments: tuple[Postings, ...]
    doc_len: NDArray[np.int32]  #: terms per passage, every segment in order
    params: BM25Params
    indptr: NDArray[np.int64]  #: diff is each term's document frequency over every segment
    idf: NDArray[np.float64]
    baseline: NDArray[np.float32]  #: per-term contribution to passages without the term
    norm: NDArray[np.float32]  #: per passage: 1 - b + b * length / average length
    #: Per segment, its impacts under these statistics, filled by the compiled search.
    impacts: tuple[Impacts, ...]
    #: Zeros, one per passage: the compiled search's accumulator, zero again after each call.
    #: Calls hold the GIL (numba's default), so threads never share it or fill an impact.
    scratch: NDArray[np.float32]

    @property
    def n_docs(self) -> int:
        return int(self.doc_len.shape[0])


def combine(
    vocab: dict[str, int],
    segments: Sequence[Postings],
    doc_len: NDArray[np.int32],
    params: BM25Params,
) -> BM25Index:
    """Search ``segments`` as one index: statistics over all of them, O(terms + passages)."""
    n_docs, n_terms = int(doc_len.shape[0]), len(vocab)
    df = np.zeros(n_terms, dtype=np.int64)
    for segment in segments:
        df += segment.df(n_terms)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    total = int(doc_len.sum(dtype=np.int64))
    avgdl = total / n_docs if n_docs and total else 1.0
    idf = _idf(df, n_docs, params)
    base = _contribution(np.zeros(n_terms), np.ones(n_terms), idf, params)
    norm = (1.0 - params.b + params.b * doc_len / avgdl).astype(np.float32)
    _read_only(norm)
    return BM25Index(
        vocab=vocab,
        segments=tuple(segments),
        doc_len=doc_len,
        params=params,
        indptr=indptr,
        idf=idf,
        baseline=base.astype(np.float32),
        norm=norm,
        impacts=tuple(Impacts.empty(segment) for segment in segments),
        scratch=np.zeros(n_docs, np.float32),
    )


def build(corpus: Sequence[Sequence[str]], params: BM25Params) -> BM25Index:
    """Index analysed passages (lists of terms) under ``params``, as one segment."""
    vocab: dict[str, int] = {}
    flat = [vocab.setdefault(term, len(vocab)) for doc in corpus for term in doc]
    doc_len = np.fromiter((len(doc) for doc in corpus), dtype=np.int32, count=len(corpus))
    postings = postings_from_ids(np.asarray(flat, dtype=np.int64), doc_len, 0)
    return combine(vocab, [postings], doc_len, params)


def postings_from_ids(
    term_ids: NDArray[np.int64], doc_len: NDArray[np.int32], first_doc: int
) -> Postings:
    """The postings of passages given as one flat array of term ids and each one's length.

    Parameters
    ----------
    term_ids
        Every passage's (global) term ids, concatenated in passage order.
    doc_len
        Number of terms in each passage; sums to ``len(term_ids)``.
    first_doc
        Global id of the first passage (a delta's passages follow the main segment's).
    """
    n_docs = max(int(doc_len.shape[0]), 1)
    doc_of_token = np.repeat(np.arange(doc_len.shape[0], dtype=np.int64), doc_len)
    # One sort of (term, doc) keys yields the postings already grouped by term, docs ascending.
    pairs, tf = np.unique(term_ids * n_docs + doc_of_token, return_counts=True)
    term_of = pairs // n_docs  # sorted, so each term's run starts where the value changes
    starts = np.flatnonzero(np.diff(term_of, prepend=-1))
    indptr = np.append(starts, pairs.shape[0]).astype(np.int64)
    return Postings(
        terms=term_of[starts].astype(np.int32),
        indptr=indptr,
        doc_ids=(pairs % n_docs + first_doc).astype(np.int32),
        tf=tf.astype(np.float32),
    )


def merge(first: Postings, second: Postings) -> Postings:
    """One segment holding both: ``second``'s passages all come after ``first``'s.

    Each term's postings are ``first``'s then ``second``'s, so passage ids stay ascending;
    placing them is arithmetic on offsets, with no sort.
    """
    terms = np.union1d(first.terms, second.terms).astype(np.int32)
    counts = [_counts_over(part, terms) for part in (first, second)]
    indptr = np.zeros(terms.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts[0] + counts[1], out=indptr[1:])
    doc_ids = np.empty(int(indptr[-1]), dtype=np.int32)
    tf = np.empty(int(indptr[-1]), dtype=np.float32)
    for part, before in ((first, indptr[:-1]), (second, indptr[:-1] + counts[0])):
        at = _positions(part, terms, before)
        doc_ids[at], tf[at] = part.doc_ids, part.tf
    return Postings(terms, indptr, doc_ids, tf)


def _read_only(*arrays: NDArray[Any]) -> None:
    for array in arrays:
        array.flags.writeable = False


def _counts_over(part: Postings, terms: NDArray[np.int32]) -> NDArray[np.int64]:
    """``part``'s document frequency for each of ``terms`` (a superset of its own)."""
    counts = np.zeros(terms.shape[0], dtype=np.int64)
    counts[np.searchsorted(terms, part.terms)] = np.diff(part.indptr)
    return counts


def _positions(
    part: Postings, terms: NDArray[np.int32], starts: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Where each of ``part``'s postings goes, given where its terms' runs start."""
    lengths = np.diff(part.indptr)
    run_start = np.repeat(starts[np.searchsorted(terms, part.terms)] - part.indptr[:-1], lengths)
    return run_start + np.arange(part.doc_ids.shape[0], dtype=np.int64)


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


def term_ids(index: BM25Index, terms: Sequence[str]) -> list[int]:
    """Vocabulary ids of ``terms``: unknown terms dropped, repeats kept (rank-bm25 counts them)."""
    return [index.vocab[t] for t in terms if t in index.vocab]


def postings(index: BM25Index, term: int) -> NDArray[np.int32]:
    """Every passage holding ``term``, ascending, across segments."""
    parts = []
    for segment in index.segments:
        slot = segment.slot(term)
        if slot is not None:
            parts.append(segment.doc_ids[segment.indptr[slot] : segment.indptr[slot + 1]])
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)


def scores(index: BM25Index, ids: Sequence[int]) -> tuple[NDArray[np.float32], NDArray[np.int32]]:
    """Dense rank-bm25 scores minus the query's baseline, and the passages that matched.

    Only the postings of the query's terms are read and weighed; passages outside ``matched``
    have no query term and a score of zero here (rank-bm25 gives them the baseline,
    ``baseline_sum``).
    """
    dense = np.zeros(index.n_docs, dtype=np.float32)
    hit = np.zeros(index.n_docs, dtype=bool)
    for idf, docs, tf in _term_postings(index, ids):
        # docs are unique within one term's postings, so += adds once per passage
        dense[docs] += _weights(tf, index.norm[docs], idf, index.params)
        hit[docs] = True
    return dense, np.flatnonzero(hit).astype(np.int32)


def _term_postings(
    index: BM25Index, ids: Sequence[int]
) -> Iterator[tuple[np.float32, NDArray[np.int32], NDArray[np.float32]]]:
    """For each query term (repeats again) and segment holding it: its float32 idf, and the
    passages holding it with their term frequencies, in the order the scores add them."""
    for term in ids:
        idf = np.float32(index.idf[term])
        for segment in index.segments:
            slot = segment.slot(term)
            if slot is not None:
                lo, hi = segment.indptr[slot], segment.indptr[slot + 1]
                yield idf, segment.doc_ids[lo:hi], segment.tf[lo:hi]


def scores_at(
    index: BM25Index, ids: Sequence[int], passages: NDArray[np.int32]
) -> NDArray[np.float32]:
    """``scores`` of the ascending ``passages`` only, found by binary search in the postings.

    The same float32 sums in the same order as ``scores``, so the numbers are identical; the
    cost grows with ``passages``, not with the postings.
    """
    found = np.zeros(passages.shape[0], dtype=np.float32)
    for idf, docs, tf in _term_postings(index, ids):
        at = np.minimum(np.searchsorted(docs, passages), docs.shape[0] - 1)
        held = np.flatnonzero(docs[at] == passages)
        found[held] += _weights(tf[at[held]], index.norm[passages[held]], idf, index.params)
    return found


def _weights(
    tf: NDArray[np.float32], norm: NDArray[np.float32], idf: np.float32, params: BM25Params
) -> NDArray[np.float32]:
    """A term's contribution to each passage holding it, above the baseline, in float32.

    ``norm`` is consumed: the caller passes a fresh gather it does not keep.

    Equal to ``_contribution`` minus the baseline: for BM25Plus the ``delta`` part is the
    baseline itself; okapi and rank-bm25's BM25L have none. For okapi and BM25Plus, the
    term's ``idf (k1 + 1)`` times the postings' ``_impacts``: the compiled search multiplies
    the same float32 numbers.
    """
    k1 = np.float32(params.k1)
    if params.variant == "l":
        ctd = tf / norm
        delta = np.float32(params.delta)
        weights: NDArray[np.float32] = idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
        return weights
    weights = _impacts(tf, norm, k1)
    weights *= idf * (k1 + 1)
    return weights


def _impacts(
    tf: NDArray[np.float32], norm: NDArray[np.float32], k1: np.float32
) -> NDArray[np.float32]:
    """``tf / (k1 norm + tf)`` in float32, in ``norm``'s memory; ``compiled._fill`` computes
    the same operations in the same order."""
    norm *= k1  # in place: ``norm`` is the caller's fresh gather, and a query's hot loop
    norm += tf
    np.divide(tf, norm, out=norm)
    return norm


def baseline_sum(index: BM25Index, ids: Sequence[int] | NDArray[np.int64]) -> float:
    """What rank-bm25 adds to every passage for these query terms (zero for okapi)."""
    return float(index.baseline[np.asarray(ids, dtype=np.int64)].sum()) if len(ids) else 0.0


def top_k(
    index: BM25Index, terms: Sequence[str], k: int, *, compiled: bool = True
) -> list[tuple[int, float]]:
    """The ``k`` best passages containing at least one query term, best first.

    Scores equal rank-bm25's ``get_scores`` for the same variant; ties go to the lower
    passage id, so ranking is deterministic. With ``compiled`` (and numba installed),
    BM25Plus, and okapi while every query term's idf is positive, the search runs in
    ``index.storage.compiled`` over cached impacts; the results are bit-identical to
    ``scores``'.
    """
    ids = term_ids(index, terms)
    if not ids or k <= 0:
        return []
    query = np.asarray(ids, dtype=np.int64)
    search = _kernel() if compiled else None
    if search is not None and _positive(index, ids):
        matched, found = search(
            tuple((s.terms, s.indptr, s.doc_ids, s.tf) for s in index.segments),
            tuple((i.values, i.ready) for i in index.impacts),
            query, index.idf, index.norm, np.float32(index.params.k1), k, index.scratch,
            int(min(SCAN_SHARE * index.n_docs, 2**62)),
        )  # fmt: skip
    else:
        found, matched = _exhaustive(index, ids, k)
    offset = baseline_sum(index, query)
    # tolist: Python numbers at once, each score exactly as float(found[i]) gives it
    hits = zip(matched.tolist(), found.tolist(), strict=True)
    return [(doc, score + offset) for doc, score in hits]


def _positive(index: BM25Index, ids: Sequence[int]) -> bool:
    """Whether every weight is positive, as the compiled search needs (a zero sum there
    means a passage not seen yet): always for BM25Plus, for okapi while every idf is; it
    does not weigh rank-bm25's BM25L."""
    variant = index.params.variant
    return variant == "plus" or (variant == "okapi" and bool(index.idf[ids].min() > 0))


def _exhaustive(
    index: BM25Index, ids: Sequence[int], k: int
) -> tuple[NDArray[np.float32], NDArray[np.int32]]:
    """The best ``k`` matching passages' scores above the baseline, and the passages, best
    first, by numpy's ``scores``."""
    dense, matched = scores(index, ids)
    found = dense[matched]
    if matched.size > k:
        threshold = np.partition(found, matched.size - k)[matched.size - k]
        keep = found >= threshold  # keeps every tie at the cut, ordered below
        matched, found = matched[keep], found[keep]
    order = np.lexsort((matched, -found))[:k]
    return found[order], matched[order]


@functools.cache
def _kernel() -> Callable[..., tuple[NDArray[np.int32], NDArray[np.float32]]] | None:
    """``compiled.top_k``, or None where numba is missing or cannot cache (imported on first
    use)."""
    try:
        from index.storage.compiled import top_k as search
    except ImportError as exc:
        log.info("retrieval runs in numpy: %s", exc)
        return None
    return search


def warm_up() -> bool:
    """Compile the search now (into numba's cache), so no question waits for it: for an
    index of one segment and for a generation with its delta beside it.

    Returns whether the compiled search is available. Called at build time; a process whose
    cache could not be written compiles on its first question instead.
    """
    lengths = np.ones(1, np.int32)
    pair = [postings_from_ids(np.asarray([n], np.int64), lengths, n) for n in range(2)]
    vocab, doc_len = {"a": 0, "b": 1}, np.ones(2, np.int32)
    indexes = [
        combine(vocab, pair[:1], doc_len, BM25Params()),
        combine(vocab, pair, doc_len, BM25Params()),
    ]
    return _kernel() is not None and all(top_k(index, ["a", "b"], 2) for index in indexes)
