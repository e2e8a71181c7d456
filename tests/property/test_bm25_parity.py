"""The numpy index scores exactly as rank-bm25 does, for every variant, on random corpora.

Also when the corpus is split into a main segment and deltas searched beside it: scores are
those of rank-bm25 over the union, and merging the segments changes nothing.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from index.storage.bm25 import (
    BM25Index,
    BM25Params,
    Postings,
    Variant,
    baseline_sum,
    build,
    combine,
    merge,
    postings,
    postings_from_ids,
    scores,
    term_ids,
    top_k,
)

_ORACLES = {"okapi": BM25Okapi, "l": BM25L, "plus": BM25Plus}
_token = st.sampled_from("ab cd ef gh ij kl mn op qr st".split())
_corpus = st.lists(st.lists(_token, min_size=1, max_size=12), min_size=1, max_size=25)
_query = st.lists(st.one_of(_token, st.just("unknown")), min_size=1, max_size=6)
_params = st.builds(
    BM25Params,
    variant=st.sampled_from(["okapi", "l", "plus"]),
    k1=st.sampled_from([0.9, 1.2, 1.5, 2.0]),
    b=st.sampled_from([0.0, 0.4, 0.75, 1.0]),
    epsilon=st.sampled_from([0.1, 0.25]),
    delta=st.sampled_from([0.5, 1.0]),
)


def _oracle(corpus: list[list[str]], params: BM25Params) -> object:
    variant: Variant = params.variant
    extra = {"epsilon": params.epsilon} if variant == "okapi" else {"delta": params.delta}
    return _ORACLES[variant](corpus, k1=params.k1, b=params.b, **extra)


@given(corpus=_corpus, query=_query, params=_params)
def test_scores_equal_rank_bm25_for_every_passage(
    corpus: list[list[str]], query: list[str], params: BM25Params
) -> None:
    index = build(corpus, params)
    expected = np.asarray(_oracle(corpus, params).get_scores(query))  # type: ignore[attr-defined]
    ids = term_ids(index, query)
    dense, _ = scores(index, ids)
    assert np.allclose(dense + baseline_sum(index, ids), expected, rtol=1e-4, atol=1e-5)


@given(corpus=_corpus, query=_query, params=_params, k=st.integers(min_value=1, max_value=30))
@example(  # scores 0.00088 and 0.00085: distinct, though equal to four decimals
    corpus=[["ab"], ["ab", "ij"], ["ab"] * 4 + ["cd"], ["ab", "cd", "ef", "gh"],
            ["ab"] * 5 + ["cd", "ef", "gh"], ["ab", "cd", "ef", "kl"]],
    query=["ab"],
    params=BM25Params(variant="okapi", k1=0.9, b=0.0, epsilon=0.1, delta=0.5),
    k=2,
)  # fmt: skip
def test_top_k_returns_only_matching_passages_best_first(
    corpus: list[list[str]], query: list[str], params: BM25Params, k: int
) -> None:
    index = build(corpus, params)
    expected = np.asarray(_oracle(corpus, params).get_scores(query))  # type: ignore[attr-defined]
    hits = top_k(index, query, k)
    matching = [i for i, doc in enumerate(corpus) if set(doc) & set(query)]
    assert {i for i, _ in hits} <= set(matching)
    assert len(hits) == min(k, len(matching))
    for number, score in hits:
        assert np.isclose(score, expected[number], rtol=1e-4, atol=1e-5)
    # Best first by the index's own scores, ties to the lower passage id. Compared unrounded:
    # rounding made distinct small scores look tied.
    dense, _ = scores(index, term_ids(index, query))
    order = [(-dense[number], number) for number, _ in hits]
    assert order == sorted(order)


def test_an_all_unknown_query_finds_nothing() -> None:
    index = build([["a", "b"], ["c"]], BM25Params())
    assert top_k(index, ["zzz", "yyy"], 5) == []


def _segmented(corpus: list[list[str]], cuts: list[int], params: BM25Params) -> BM25Index:
    """The corpus indexed as a main segment and one delta per further cut, side by side."""
    vocab: dict[str, int] = {}
    bounds = sorted({0, len(corpus), *(c % (len(corpus) + 1) for c in cuts)})
    segments = [_segment(corpus, lo, hi, vocab) for lo, hi in itertools.pairwise(bounds)]
    doc_len = np.asarray([len(doc) for doc in corpus], dtype=np.int32)
    return combine(vocab, segments, doc_len, params)


def _segment(corpus: list[list[str]], lo: int, hi: int, vocab: dict[str, int]) -> Postings:
    ids = [vocab.setdefault(t, len(vocab)) for doc in corpus[lo:hi] for t in doc]
    lengths = np.asarray([len(doc) for doc in corpus[lo:hi]], dtype=np.int32)
    return postings_from_ids(np.asarray(ids, dtype=np.int64), lengths, lo)


_cuts = st.lists(st.integers(min_value=0, max_value=25), max_size=3)


@given(corpus=_corpus, cuts=_cuts, query=_query, params=_params)
def test_main_and_delta_segments_score_as_rank_bm25_over_the_union(
    corpus: list[list[str]], cuts: list[int], query: list[str], params: BM25Params
) -> None:
    index = _segmented(corpus, cuts, params)
    expected = np.asarray(_oracle(corpus, params).get_scores(query))  # type: ignore[attr-defined]
    ids = term_ids(index, query)
    dense, matched = scores(index, ids)
    assert np.allclose(dense + baseline_sum(index, ids), expected, rtol=1e-4, atol=1e-5)
    assert set(matched.tolist()) == {i for i, doc in enumerate(corpus) if set(doc) & set(query)}


@given(corpus=_corpus, cuts=_cuts, query=_query, params=_params, k=st.integers(1, 30))
def test_segments_rank_exactly_as_one_index(
    corpus: list[list[str]], cuts: list[int], query: list[str], params: BM25Params, k: int
) -> None:
    """Same passages, same order, same float32 scores: per-posting weights do not depend on
    which segment holds the posting."""
    assert top_k(_segmented(corpus, cuts, params), query, k) == top_k(
        build(corpus, params), query, k
    )


@given(corpus=_corpus, cuts=_cuts)
def test_merging_segments_gives_the_postings_of_one_build(
    corpus: list[list[str]], cuts: list[int]
) -> None:
    split = _segmented(corpus, cuts, BM25Params())
    merged = split.segments[0]
    for segment in split.segments[1:]:
        merged = merge(merged, segment)
    whole = build(corpus, BM25Params()).segments[0]
    for name in ("terms", "indptr", "doc_ids", "tf"):
        assert np.array_equal(getattr(merged, name), getattr(whole, name)), name
    for term in range(len(split.vocab)):
        assert np.array_equal(postings(split, term), postings(build(corpus, BM25Params()), term))
