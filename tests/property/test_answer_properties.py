"""Whatever is asked, every quote is an exact slice of its article and every link is its own."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from index.answering.answer import CLOSEST_LEAD, answer
from index.storage.coverage import Coverage
from tests.conftest import SEEDS

#: Words of the seed articles, so generated questions hit real passages as well as miss them.
_WORDS = sorted(
    set(re.findall(r"[A-Za-z’']{3,}", " ".join(p.read_text() for p in SEEDS.glob("*.txt"))))
)
_words = st.lists(
    st.one_of(st.sampled_from(_WORDS), st.text(min_size=1, max_size=12)), min_size=1, max_size=12
).map(" ".join)
#: Questions about the coverage itself, answered from bylines and titles when they name an article.
_ABOUT_COVERAGE = (
    "When was the article about {} published?",
    "Who wrote {}?",
    "Where was {} published?",
    "What is the title of {}?",
    "Which articles mention {}?",
    "Who is {}?",
)
_question = st.one_of(_words, st.builds(str.format, st.sampled_from(_ABOUT_COVERAGE), _words))


@given(question=_question)
@example(question="When was the article about bananas published?")  # names no article
def test_every_citation_is_verbatim_and_linked_to_its_article(
    seed_coverage: Coverage, question: str
) -> None:
    result = answer(seed_coverage, question)
    assert not result.answered or result.citations, "an answer always quotes"
    assert 0.0 <= result.confidence <= 1.0
    assert result.answered or not result.citations or result.answer.startswith(CLOSEST_LEAD)
    for citation in result.citations:
        index = seed_coverage.index_of(citation.article_id)
        assert index is not None
        meta = seed_coverage.metas[index]
        assert seed_coverage.body(index)[citation.start : citation.end] == citation.quote
        assert citation.url == meta.url and citation.title == meta.title
        assert citation.link is None or citation.link.startswith(f"{meta.url}#:~:text=")
        assert 0 < len(citation.quote) <= 600


@given(question=_question)
@example(question="Which articles mention studies?")  # reported "studi", a stem
def test_missing_terms_are_words_of_the_question(seed_coverage: Coverage, question: str) -> None:
    result = answer(seed_coverage, question)
    # The analyzer reports words after NFKC normalisation ("¹" -> "1") and joins "U.S." -> "US".
    folded = unicodedata.normalize("NFKC", question).casefold().replace(".", "")
    assert all(word.casefold() in folded for word in result.missing_terms)
