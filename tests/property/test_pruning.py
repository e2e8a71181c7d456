"""Pruned top-k (block-max MaxScore, ``index.storage.prune``) equals scoring every posting.

Same passages, same order, bit-identical scores, on random corpora large enough to span
several blocks per term, with and without delta segments, for every variant (BM25L and
negative okapi idfs take the exhaustive path), queries with repeated and unknown terms; and
both agree with rank-bm25. Without numba, ``top_k`` gives the same answers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from index.storage.bm25 import BLOCK, Blocks, BM25Params, build, top_k
from tests.property.test_bm25_parity import _oracle, _params, _segmented

pytest.importorskip("numba", reason="the pruned path needs the fast extra")

# Skewed frequencies: "aa" is in most passages, "zz" in few, so bounds differ and prune.
_WORDS = ["aa"] * 8 + ["bb"] * 4 + ["cc"] * 3 + ["dd", "dd", "ee", "ff", "gg", "zz"]
_token = st.sampled_from(_WORDS)
_corpus = st.lists(st.lists(_token, min_size=1, max_size=10), min_size=1, max_size=300)
_query = st.lists(st.one_of(st.sampled_from(sorted(set(_WORDS))), st.just("new")), max_size=7)
_cuts = st.lists(st.integers(min_value=0, max_value=300), max_size=2)


@given(corpus=_corpus, cuts=_cuts, query=_query, params=_params, k=st.integers(1, 40))
@example(corpus=[["aa"]] * 200, cuts=[150], query=["aa"], params=BM25Params(), k=5)  # all tied
def test_pruned_top_k_is_the_exhaustive_top_k(
    corpus: list[list[str]], cuts: list[int], query: list[str], params: BM25Params, k: int
) -> None:
    index = _segmented(corpus, cuts, params)
    assert top_k(index, query, k) == top_k(index, query, k, compiled=False)


@given(corpus=_corpus, query=_query, params=_params, k=st.integers(1, 40))
def test_pruned_top_k_is_rank_bm25s(
    corpus: list[list[str]], query: list[str], params: BM25Params, k: int
) -> None:
    """The passages returned are a top k of rank-bm25's scores, with its scores."""
    expected = np.asarray(_oracle(corpus, params).get_scores(query))  # type: ignore[attr-defined]
    hits = top_k(build(corpus, params), query, k)
    matching = {i for i, doc in enumerate(corpus) if set(doc) & set(query)}
    assert len(hits) == min(k, len(matching))
    for number, score in hits:
        assert np.isclose(score, expected[number], rtol=1e-4, atol=1e-5)
    if len(hits) == k:
        left_out = [expected[i] for i in matching - {n for n, _ in hits}]
        assert max(left_out, default=-np.inf) <= hits[-1][1] + 1e-4 * abs(hits[-1][1]) + 1e-5


def test_ties_go_to_the_lower_passage_in_either_segment() -> None:
    corpus = [["aa", "bb"]] * 150 + [["bb"]] + [["aa", "bb"]] * 150
    index = _segmented(corpus, [200], BM25Params())
    hits = top_k(index, ["aa", "bb"], 3)
    assert [n for n, _ in hits] == [0, 1, 2]
    assert hits == top_k(index, ["aa", "bb"], 3, compiled=False)


@given(corpus=_corpus)
def test_blocks_hold_each_blocks_largest_tf_and_shortest_passage(
    corpus: list[list[str]],
) -> None:
    segment = build(corpus, BM25Params()).segments[0]
    lengths = np.asarray([len(doc) for doc in corpus], dtype=np.int32)
    blocks = segment.blocks
    for slot in range(segment.terms.shape[0]):
        lo, hi = int(segment.indptr[slot]), int(segment.indptr[slot + 1])
        starts = range(lo, hi, BLOCK)
        first = int(blocks.indptr[slot])
        assert int(blocks.indptr[slot + 1]) - first == len(starts)
        for n, start in enumerate(starts):
            end = min(start + BLOCK, hi)
            assert blocks.max_tf[first + n] == segment.tf[start:end].max()
            assert blocks.min_len[first + n] == lengths[segment.doc_ids[start:end]].min()


def test_empty_postings_have_no_blocks() -> None:
    empty = Blocks.of(np.zeros(1, np.int64), np.empty(0, np.float32), np.empty(0, np.int32))
    assert empty.indptr.tolist() == [0] and empty.max_tf.size == empty.min_len.size == 0


def test_where_numba_cannot_cache_the_pruned_path_is_not_offered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No cache (a read-only install and home): compiling in every process would take
    seconds, so the import fails and ``top_k`` scores exhaustively."""
    import numba

    from index.storage import compiled

    def no_locator(*args: object, **kwargs: object) -> object:
        raise RuntimeError("cannot cache function: no locator available")

    monkeypatch.setattr(numba, "njit", no_locator)
    with pytest.raises(ImportError, match="cannot cache"):
        compiled._compiled(lambda: None)


def test_without_numba_top_k_gives_the_same_answers() -> None:
    """A process where numba cannot be imported scores exhaustively, to the same results."""
    corpus = [[_WORDS[(i * i + j) % len(_WORDS)] for j in range(i % 9 + 1)] for i in range(400)]
    queries = [["aa", "zz"], ["bb", "bb", "gg", "new"], ["dd", "ee", "ff", "aa", "cc"]]
    script = textwrap.dedent(
        f"""
        import json, sys
        sys.modules["numba"] = None  # what a missing install looks like to an import
        from index.storage import bm25
        from tests.property.test_bm25_parity import _segmented
        index = _segmented({corpus!r}, [300], bm25.BM25Params())
        assert bm25._kernel() is None
        print(json.dumps([bm25.top_k(index, q, 10) for q in {queries!r}]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    index = _segmented(corpus, [300], BM25Params())
    expected = [[list(hit) for hit in top_k(index, q, 10)] for q in queries]
    assert json.loads(done.stdout) == expected
