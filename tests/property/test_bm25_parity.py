"""The numpy index scores exactly as rank-bm25 does, for every variant, on random corpora."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

from index.storage.bm25 import BM25Params, Variant, baseline_sum, build, scores, term_ids, top_k

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
