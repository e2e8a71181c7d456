"""The compiled top-k (``index.storage.compiled``, over cached impacts) equals numpy's.

Same passages, same order, bit-identical scores, on random corpora with and without delta
segments, for every variant (BM25L and negative okapi idfs take the numpy path), queries with
repeated and unknown terms, before and after a query has filled the impacts; both agree with
rank-bm25; impacts filled under one index's statistics are never used by an index grown
from the same segments. Without numba, ``top_k`` gives the same answers.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from index.storage import bm25
from index.storage.bm25 import BM25Params, build, combine, top_k
from tests.property.test_bm25_parity import _oracle, _params, _segmented

pytest.importorskip("numba", reason="the compiled path needs the fast extra")

# Skewed frequencies: "aa" is in most passages, "zz" in few.
_WORDS = ["aa"] * 8 + ["bb"] * 4 + ["cc"] * 3 + ["dd", "dd", "ee", "ff", "gg", "zz"]
_token = st.sampled_from(_WORDS)
_corpus = st.lists(st.lists(_token, min_size=1, max_size=10), min_size=1, max_size=300)
_query = st.lists(st.one_of(st.sampled_from(sorted(set(_WORDS))), st.just("new")), max_size=7)
_cuts = st.lists(st.integers(min_value=0, max_value=300), max_size=2)


@given(
    corpus=_corpus,
    cuts=_cuts,
    query=_query,
    params=_params,
    k=st.integers(1, 40),
    scan_share=st.sampled_from([0.0, 0.25, math.inf]),
)
@example(corpus=[["aa"]] * 200, cuts=[150], query=["aa"], params=BM25Params(), k=5, scan_share=0)
@example(corpus=[["aa"]] * 200, cuts=[150], query=["aa"], params=BM25Params(), k=5,
         scan_share=math.inf)  # fmt: skip
def test_compiled_top_k_is_numpys(
    corpus: list[list[str]],
    cuts: list[int],
    query: list[str],
    params: BM25Params,
    k: int,
    scan_share: float,
) -> None:
    """Bit-identical, the first time (impacts computed) and again (impacts reused), whether
    passages are noted as touched or read back by a pass over all (``SCAN_SHARE``): every
    query of a small corpus would take the pass, so both are forced in turn."""
    index = _segmented(corpus, cuts, params)
    expected = top_k(index, query, k, compiled=False)
    with patch.object(bm25, "SCAN_SHARE", scan_share):
        assert top_k(index, query, k) == expected
        assert top_k(index, query, k) == expected


@given(corpus=_corpus, query=_query, params=_params, k=st.integers(1, 40))
def test_compiled_top_k_is_rank_bm25s(
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


@given(
    corpus=_corpus,
    cut=st.integers(min_value=1, max_value=300),
    query=_query,
    params=_params,
    k=st.integers(1, 40),
)
def test_impacts_of_an_index_before_an_addition_are_not_used_after_it(
    corpus: list[list[str]], cut: int, query: list[str], params: BM25Params, k: int
) -> None:
    """An addition changes the average passage length, hence every impact: the grown index
    (the same main segment object, a delta beside it) ranks as one built over everything,
    though the index before the addition filled its impacts first."""
    at = cut % len(corpus) or 1
    grown = _segmented(corpus, [at], params)
    before = combine(grown.vocab, grown.segments[:1], grown.doc_len[:at], params)
    top_k(before, query, k)
    assert top_k(grown, query, k) == top_k(build(corpus, params), query, k)


@pytest.mark.parametrize("scan_share", [0.0, math.inf])
def test_ties_go_to_the_lower_passage_in_either_segment(
    monkeypatch: pytest.MonkeyPatch, scan_share: float
) -> None:
    monkeypatch.setattr(bm25, "SCAN_SHARE", scan_share)
    corpus = [["aa", "bb"]] * 150 + [["bb"]] + [["aa", "bb"]] * 150
    index = _segmented(corpus, [200], BM25Params())
    hits = top_k(index, ["aa", "bb"], 3)
    assert [n for n, _ in hits] == [0, 1, 2]
    assert hits == top_k(index, ["aa", "bb"], 3, compiled=False)


def test_where_numba_cannot_cache_the_compiled_path_is_not_offered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No cache (a read-only install and home): compiling in every process would take
    seconds, so the import fails and ``top_k`` runs in numpy."""
    import numba

    from index.storage import compiled

    def no_locator(*args: object, **kwargs: object) -> object:
        raise RuntimeError("cannot cache function: no locator available")

    monkeypatch.setattr(numba, "njit", no_locator)
    with pytest.raises(ImportError, match="cannot cache"):
        compiled._compiled(lambda: None)


def test_without_numba_top_k_gives_the_same_answers() -> None:
    """A process where numba cannot be imported scores in numpy, to the same results."""
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


def test_warm_up_compiles_for_a_generation_alone_and_with_its_delta() -> None:
    """A process serving an index with a delta must not compile at its first question."""
    script = textwrap.dedent(
        """
        from index.storage import bm25, compiled
        assert bm25.warm_up()
        print(sorted(len(signature[0]) for signature in compiled.top_k.signatures))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["[1,", "2]"]
