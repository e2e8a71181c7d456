"""Questions about the coverage itself: answered only with something to show, no index kept."""

from __future__ import annotations

import gc
import json
import weakref
from pathlib import Path

import pytest

from bot.cli import main
from index.answering.answer import answer
from index.answering.metadata import metadata_answer
from index.storage.coverage import Coverage
from index.storage.store import load

NO_SUCH_ARTICLE = "When was the article about bananas published?"


def test_a_metadata_question_naming_no_article_is_not_answered_from_metadata(
    seed_coverage: Coverage,
) -> None:
    assert metadata_answer(seed_coverage, NO_SUCH_ARTICLE, 3) is None
    result = answer(seed_coverage, NO_SUCH_ARTICLE)
    assert not result.answered and "bananas" in result.missing_terms


def test_ask_json_never_says_answered_without_citations(
    seed_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--json", NO_SUCH_ARTICLE]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["answered"] is False and doc["citations"] == [] and "bananas" in doc["answer"]


def test_a_dropped_coverage_is_freed_after_answering_metadata_questions(
    seed_index_dir: Path,
) -> None:
    coverage = load(seed_index_dir / "index")
    assert answer(coverage, "Who wrote the Puck piece?").answered  # titles and bylines
    answer(coverage, "What did Galeotti say about Biden?")  # every metadata term
    gone = weakref.ref(coverage)
    del coverage
    gc.collect()
    assert gone() is None


def test_which_articles_mention_names_the_missing_words_as_typed(seed_coverage: Coverage) -> None:
    result = answer(seed_coverage, "Which articles mention Bananas and Geneva?")
    assert not result.answered and result.missing_terms == ("Bananas",)


@pytest.mark.parametrize(
    "question", ["Who wrote the article?", "When was it published?", "Where was it published?"]
)
def test_a_metadata_question_naming_no_article_is_not_answered_with_arbitrary_ones(
    seed_coverage: Coverage, question: str
) -> None:
    """Of several articles none is "the article": answering with the first ones is a guess."""
    assert metadata_answer(seed_coverage, question, 3) is None
    assert not answer(seed_coverage, question).answered
