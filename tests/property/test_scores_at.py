"""Scores read for a few passages by binary search are those of scoring every posting."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from index.storage.bm25 import BM25Params, scores, scores_at, term_ids
from tests.property.test_bm25_parity import _corpus, _cuts, _params, _query, _segmented


@given(corpus=_corpus, cuts=_cuts, query=_query, params=_params, data=st.data())
def test_scores_at_equal_the_dense_scores_bit_for_bit(
    corpus: list[list[str]],
    cuts: list[int],
    query: list[str],
    params: BM25Params,
    data: st.DataObject,
) -> None:
    index = _segmented(corpus, cuts, params)
    chosen = data.draw(st.sets(st.integers(0, len(corpus) - 1)))
    passages = np.asarray(sorted(chosen), dtype=np.int32)
    ids = term_ids(index, query)
    dense, _ = scores(index, ids)
    assert scores_at(index, ids, passages).tolist() == dense[passages].tolist()
