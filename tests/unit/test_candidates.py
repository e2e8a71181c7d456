"""Candidate passages come from a fixed-size pool, judged from postings by binary search.

The pool (``index.answering.candidates``) must find what judging every passage found: the
passage holding the question's words where BM25 prefers short passages repeating one, and
the same shares of the question for passages and articles.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.analyze import analyze
from index.answering import answer as answering
from index.answering import candidates, metadata
from index.answering.answer import answer
from index.storage.bm25 import BM25Params, postings, scores, term_ids
from index.storage.coverage import Carried, Coverage
from index.storage.store import append_articles, load, write_index
from tests.unit.test_ranking import CROWDED, _articles_of, _index

QUESTION = "Which regions were left out of the state of emergency?"
#: Two long articles whose every paragraph says "emergency": more passages hold it than
#: there are articles, which the article postings read differently.
LONG = [
    {
        "title": f"Daily report {i}",
        "date": "2022-03-01",
        "body": "\n\n".join(f"The emergency went on in district {n}." for n in range(12)),
    }
    for i in range(2)
]


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Coverage:
    return _index(tmp_path_factory.mktemp("crowded"), CROWDED)


@pytest.fixture(scope="module")
def long(tmp_path_factory: pytest.TempPathFactory) -> Coverage:
    return _index(tmp_path_factory.mktemp("long"), LONG + CROWDED[:3])


def _titled(coverage: Coverage, title: str) -> int:
    return next(i for i, meta in enumerate(coverage.metas) if meta.title == title)


def _decree_passages(coverage: Coverage) -> range:
    return coverage.passage_range(_titled(coverage, "Decree of the President"))


def test_a_small_coverage_judges_every_passage_that_shares_a_word(crowded: Coverage) -> None:
    terms = analyze(QUESTION)
    priority = np.ones(len(crowded.metas))
    _, matched = scores(crowded.bm25, term_ids(crowded.bm25, terms))
    assert candidates.pool(crowded, terms, priority).tolist() == matched.tolist()


def test_the_passage_bm25_passes_over_is_read_through_its_article(
    crowded: Coverage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candidates, "BM25_POOL", 5)
    monkeypatch.setattr(candidates, "POOL_ARTICLES", 3)
    answering = _decree_passages(crowded)[1]
    assert answering not in [n for n, _ in crowded.ranked(analyze(QUESTION), 5)]
    result = answer(crowded, QUESTION)
    assert result.citations and "only the Donetsk" in result.citations[0].quote


def test_a_passage_counts_its_leads_terms_at_the_title_weight(crowded: Coverage) -> None:
    weights = dict.fromkeys(analyze(QUESTION), 1.0)
    lead, second = _decree_passages(crowded)
    bulletin = crowded.passage_range(_titled(crowded, "Weather bulletin 0")).start
    harvest = crowded.passage_range(_titled(crowded, "Harvest 0")).start
    passages = np.asarray(sorted([bulletin, harvest, lead, second]), dtype=np.int32)
    shares = candidates.passage_shares(crowded, passages, weights, 0.75)
    held = dict(zip(passages.tolist(), shares.tolist(), strict=True))
    # The lead holds state and emergency; the second passage regions and left, and the
    # other two through its lead. A bulletin holds emergency and regions, a harvest nothing.
    assert held == {bulletin: 2.0, harvest: 0.0, lead: 2.0, second: 2.0 + 0.75 * 2}


@pytest.mark.parametrize("kept", [candidates.ARTICLE_POSTINGS_ENTRIES, 1])
def test_article_postings_are_the_articles_holding_the_term(
    long: Coverage, monkeypatch: pytest.MonkeyPatch, kept: int
) -> None:
    monkeypatch.setattr(candidates, "ARTICLE_POSTINGS_ENTRIES", kept)
    for term, number in long.bm25.vocab.items():
        expected = np.unique(long.passages[postings(long.bm25, number), 0])
        assert candidates.article_postings(long, number).tolist() == expected.tolist(), term
    emergency = long.bm25.vocab["emergenc"]
    assert postings(long.bm25, emergency).size > len(long.metas)  # the long lists' way too


def test_an_articles_share_is_the_weight_its_body_holds(crowded: Coverage) -> None:
    weights = {"region": 1.0, "leav": 2.0, "emergenc": 1.0}
    shares = candidates.shares(crowded, weights)
    for article in range(len(crowded.metas)):
        body = set(analyze(crowded.body(article)))
        assert shares[article] == pytest.approx(sum(w for t, w in weights.items() if t in body) / 4)


def test_an_articles_reach_counts_title_only_terms_at_the_title_weight(
    crowded: Coverage,
) -> None:
    weights = {"decre": 1.0, "leav": 1.0}
    reach = candidates.reach(crowded, weights, 4.0, 0.5)
    # The body says decree and left (1 + 1); a bulletin's title says neither.
    assert reach[_titled(crowded, "Decree of the President")] == pytest.approx(0.5)
    assert reach[_titled(crowded, "Weather bulletin 0")] == 0.0


def test_questions_leave_no_state_that_changes_answers(crowded: Coverage) -> None:
    first = answer(crowded, QUESTION)
    answer(crowded, "What did the weather bulletin say about emergency 7?")
    assert answer(crowded, QUESTION) == first


def test_titled_articles_extended_over_an_addition_are_those_built_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = _articles_of(CROWDED + LONG[:1], tmp_path / "seeds")
    write_index(articles[:-2], tmp_path / "index", BM25Params(), "fp", 0.0)
    before = candidates.titled_articles(load(tmp_path / "index"))
    append_articles(articles[-2:], tmp_path / "index", BM25Params(), "fp2")
    after = load(tmp_path / "index")
    extended = candidates.titled_articles(after)
    daily = analyze("Daily")[0]  # only the added article's title holds it
    assert extended[daily].tolist() == [n for n, a in enumerate(articles) if "Daily" in a.title]
    assert daily not in before
    monkeypatch.setattr(candidates, "_TITLED", Carried())  # nothing to extend: built whole
    whole = candidates.titled_articles.__wrapped__(after)  # type: ignore[attr-defined]
    assert extended.keys() == whole.keys()
    assert all(extended[t].tolist() == whole[t].tolist() for t in whole)


def test_article_descriptions_and_days_extended_over_an_addition_are_those_built_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = _articles_of(CROWDED + LONG[:1], tmp_path / "seeds")
    write_index(articles[:-2], tmp_path / "index", BM25Params(), "fp", 0.0)
    before = load(tmp_path / "index")
    kept = (metadata._described(before), answering.published_days(before))
    append_articles(articles[-2:], tmp_path / "index", BM25Params(), "fp2")
    after = load(tmp_path / "index")
    extended = (metadata._described(after), answering.published_days(after))
    monkeypatch.setattr(metadata, "_DESCRIBED", Carried())  # nothing to extend: built whole
    monkeypatch.setattr(answering, "_DAYS", Carried())
    whole = (
        metadata._described.__wrapped__(after),  # type: ignore[attr-defined]
        answering.published_days.__wrapped__(after),  # type: ignore[attr-defined]
    )
    assert extended[0] == whole[0] and len(kept[0][0]) == len(articles) - 2
    assert extended[1].tolist() == whole[1].tolist() and len(kept[1]) == len(articles) - 2
