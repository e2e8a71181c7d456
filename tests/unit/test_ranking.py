"""Ranking features over a small coverage built for them: dates, speakers, confidence.

Each test builds its own few articles, so the behaviour is shown on the texts that call
for it: two readouts of similar calls on different days, a briefing transcript with a
reporter's question that shares every word of the user's question.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.analyze import analyze
from index.answering.answer import (
    CLOSEST_LEAD,
    CONFIDENCE_MODEL,
    _analysed,
    _confidence,
    _Sentences,
    answer,
    signals,
)
from index.ingest.files import read_folder
from index.models import Article
from index.storage.bm25 import BM25Params
from index.storage.coverage import Coverage
from index.storage.store import append_articles, build_index, load, write_index

_FILLER = [
    {
        "title": f"Statement on farm policy {i}",
        "date": "2022-03-01",
        "body": f"The ministry published grain export figures for region {i}. Harvests grew.",
    }
    for i in range(6)
]
ARTICLES = [
    {
        "id": "call-feb-12",
        "title": "Telephone conversation with the President of France",
        "date": "2022-02-12",
        "url": "https://example.org/feb-12",
        "body": "Vladimir Putin and Emmanuel Macron held a telephone conversation. "
        "The presidents agreed to prepare a summit on European security guarantees.",
    },
    {
        "id": "call-jan-31",
        "title": "Telephone conversation with the President of France",
        "date": "2022-01-31",
        "url": "https://example.org/jan-31",
        "body": "Vladimir Putin and Emmanuel Macron held a telephone conversation. "
        "The presidents agreed to continue contacts on prisoner exchanges and grain.",
    },
    {
        "id": "briefing",
        "title": "Press Briefing by Press Secretary Jen Psaki",
        "date": "2022-03-10",
        "url": "https://example.org/briefing",
        "body": "MS. PSAKI: Good afternoon, everyone.\n\n"
        "Q Why did the White House post a Twitter thread about Russian biological weapons claims?\n\n"
        "MS. PSAKI: Russia has a history of inventing outright lies about weapons like this, "
        "and we wanted to call out the pattern before they used it as a pretext.",
    },
    *_FILLER,
]


@pytest.fixture(scope="module")
def coverage(tmp_path_factory: pytest.TempPathFactory) -> Coverage:
    root = tmp_path_factory.mktemp("ranking")
    (root / "seeds").mkdir()
    lines = [json.dumps(a) for a in ARTICLES]
    (root / "seeds" / "articles.jsonl").write_text("\n".join(lines) + "\n")
    build_index(root / "seeds", root / "index", BM25Params())
    return load(root / "index")


def _articles_of(records: list[dict[str, str]], seeds: Path) -> list[Article]:
    """``records`` as the articles the seeds folder reader makes of them."""
    seeds.mkdir()
    (seeds / "articles.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return read_folder(seeds).articles


def _first_url(coverage: Coverage, question: str) -> str | None:
    result = answer(coverage, question)
    assert result.citations, result.answer
    return result.citations[0].url


@pytest.mark.parametrize(
    ("question", "url"),
    [
        ("What did Putin and Macron agree on in their February 12 call?", "feb-12"),
        ("What did Putin and Macron agree on in their January 31 call?", "jan-31"),
        ("What did Putin and Macron agree on in late January?", "jan-31"),
    ],
)
def test_a_question_naming_a_date_prefers_the_article_of_that_date(
    coverage: Coverage, question: str, url: str
) -> None:
    assert (_first_url(coverage, question) or "").endswith(url)


def test_a_date_question_says_the_date_matched(coverage: Coverage) -> None:
    result = answer(coverage, "What did Putin and Macron agree on in their February 12 call?")
    assert "date matches" in result.basis


def test_a_reporters_question_is_never_the_quote(coverage: Coverage) -> None:
    result = answer(
        coverage, "Why did the White House post a Twitter thread about Russian weapons claims?"
    )
    assert result.citations
    assert all(not c.quote.startswith("Q ") for c in result.citations)
    assert result.citations[0].quote.startswith("MS. PSAKI: Russia has a history")


def test_what_someone_said_prefers_their_own_turn(coverage: Coverage) -> None:
    result = answer(coverage, "What did Psaki say about the Twitter thread?")
    assert result.citations and "outright lies" in result.citations[0].quote
    assert "speaker's own turn" in result.basis


def test_confidence_is_a_probability_and_closest_passages_are_labelled(
    coverage: Coverage,
) -> None:
    for question in (
        "What did Putin and Macron agree on in their February 12 call?",
        "What did Macron think of the grain harvest?",
    ):
        result = answer(coverage, question)
        assert 0.0 <= result.confidence <= 1.0
        if result.citations and not result.answered:
            assert result.answer.startswith(CLOSEST_LEAD)


def test_an_off_topic_question_is_declined_cleanly(coverage: Coverage) -> None:
    result = answer(coverage, "How do I fix a flat tire on my bike?")
    assert not result.answered and result.citations == ()


def _index(root: Path, articles: list[dict[str, str]]) -> Coverage:
    (root / "seeds").mkdir()
    (root / "seeds" / "articles.jsonl").write_text("".join(json.dumps(a) + "\n" for a in articles))
    build_index(root / "seeds", root / "index", BM25Params())
    return load(root / "index")


#: Forty short passages that repeat two of the question's words, and a decree whose long
#: second passage holds two others once (its lead holds the rest): BM25 prefers the forty.
CROWDED = (
    [
        {
            "title": f"Weather bulletin {i}",
            "date": "2022-03-01",
            "body": f"Emergency in the regions, emergency {i} for the regions.",
        }
        for i in range(40)
    ]
    + [
        {"title": f"Harvest {i}", "date": "2022-03-01", "body": f"Wheat report {i}. Yields grew."}
        for i in range(100)
    ]
    + [
        {
            "id": "decree",
            "title": "Decree of the President",
            "date": "2022-02-23",
            "url": "https://example.org/decree",
            "body": "The President signed a decree on the state of emergency. It takes effect tonight. "
            "It lasts thirty days.\n\n"
            "After a long discussion of the situation along the whole line of contact, the council "
            "extended the rule to the entire territory of the country, and only the Donetsk and "
            "Luhansk regions were left out, since a separate legal regime has been in force there.",
        },
    ]
)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Coverage:
    return _index(tmp_path_factory.mktemp("crowded"), CROWDED)


def test_the_passage_holding_the_questions_words_is_read_even_when_bm25_prefers_others(
    crowded: Coverage,
) -> None:
    result = answer(crowded, "Which regions were left out of the state of emergency?")
    assert result.citations and "only the Donetsk" in result.citations[0].quote


def test_analysis_kept_across_questions_changes_no_answer(coverage: Coverage) -> None:
    questions = [
        "What did Psaki say about the Twitter thread?",
        "What did Putin and Macron agree on in their January 31 call?",
        "Why did the White House post a Twitter thread about Russian weapons claims?",
    ]
    warm = [answer(coverage, q) for q in questions]
    fresh = []
    for question in questions:
        _analysed(coverage).clear()
        fresh.append(answer(coverage, question))
    assert warm == fresh


def test_analysis_carried_over_an_addition_changes_no_answer(tmp_path: Path) -> None:
    """An index reopened after an addition keeps what was read from the generation's passages
    (not the uncommon terms, which hang on the coverage's statistics); answers are those of a
    process that reads everything afresh."""
    questions = [
        "What did Psaki say about the Twitter thread?",
        "What did Putin and Macron agree on in their January 31 call?",
        "Why did the White House post a Twitter thread about Russian weapons claims?",
    ]
    articles = _articles_of(ARTICLES, tmp_path / "seeds")
    write_index(articles[:-2], tmp_path / "index", BM25Params(), "fp", 0.0)
    before = load(tmp_path / "index")
    for question in questions:
        answer(before, question)
    append_articles(articles[-2:], tmp_path / "index", BM25Params(), "fp2")
    after = load(tmp_path / "index")
    carried = [answer(after, q) for q in questions]
    assert _analysed(after).turns is _analysed(before).turns  # read once, over both
    assert _analysed(after).uncommon is not _analysed(before).uncommon
    fresh = []
    for question in questions:
        _analysed(after).clear()
        fresh.append(answer(after, question))
    assert carried == fresh


def test_a_question_stated_in_one_sentence_is_surer_than_its_words_gathered_from_two(
    coverage: Coverage,
) -> None:
    together = signals(coverage, "What did Putin and Macron agree on in their February 12 call?")
    assert together["one sentence"] < together["coverage"] + 1e-9
    spread = together | {"one sentence": together["one sentence"] / 2}
    assert _confidence(spread) < _confidence(together)


def test_a_quote_standing_alone_in_its_article_is_less_sure_than_one_its_article_supports(
    coverage: Coverage,
) -> None:
    found = signals(coverage, "What did Psaki say about the Twitter thread?")
    assert set(found) == set(CONFIDENCE_MODEL) - {"bias"}
    assert 0.0 <= found["lead in article"] <= 1.0
    alone = found | {"lead in article": 1.0}
    supported = found | {"lead in article": 0.0}
    assert _confidence(alone) < _confidence(supported)


def test_transcripts_asked_different_questions_at_the_same_offsets_keep_their_own(
    tmp_path: Path,
) -> None:
    """The question a turn answers was kept by its offsets alone: a second transcript with
    an answer at the same place was taken to answer the first one's question."""
    questions = ["Q Why the tariffs on steel?", "Q When is the Geneva talks?"]
    assert len(questions[0]) == len(questions[1])
    records = [
        {"title": f"Briefing {n}", "body": f"{q}\n\nMS. PSAKI: We will look at that."}
        for n, q in enumerate(questions)
    ]
    write_index(
        _articles_of(records, tmp_path / "seeds"), tmp_path / "index", BM25Params(), "fp", 0.0
    )
    coverage = load(tmp_path / "index")
    sentences = _Sentences(coverage)
    asked = []
    for number in range(len(coverage)):
        body = coverage.body(number)
        asked.append((body[: body.index("\n")], sentences.turn(number, body.index("We")).asked))
    assert all(terms == frozenset(analyze(question)) for question, terms in asked)


#: A readout whose first sentence only names the call (it holds the question's names) and
#: whose next paragraph says what came of it; a transcript whose matching sentence is
#: followed by a reporter's question.
SCENES = [
    {
        "id": "readout",
        "title": "Readout of the Call with Opposition Leader Tsikhanouskaya",
        "date": "2022-03-26",
        "body": "The President spoke with opposition leader Svyatlana Tsikhanouskaya of Belarus "
        "from Air Force One.\n\n"
        "He thanked her for attending his speech in Warsaw tonight.",
    },
    {
        "id": "video-call",
        "title": "Readout of a Video Call",
        "date": "2022-02-10",
        "body": "Jake Sullivan held a video call with Bjoern Seibert of the Commission.\n\n"
        "They discussed the build-up of forces near Ukraine and the costs of escalation.",
    },
    {
        "id": "interview",
        "title": "An Evening in Vilnius",
        "date": "2022-03-28",
        "body": "The opposition leader said the referendum in Grodno was rigged by the regime.\n\n"
        "And what happens to the exiles once the vote in Grodno is over?",
    },
    {
        "id": "transcript",
        "title": "Press Briefing on Belarus",
        "date": "2022-03-27",
        "body": "MS. PSAKI: The referendum in Minsk was a sham staged by Lukashenko.\n\n"
        "Q And the opposition in Vilnius?",
    },
    *_FILLER,
]


@pytest.fixture(scope="module")
def scenes(tmp_path_factory: pytest.TempPathFactory) -> Coverage:
    return _index(tmp_path_factory.mktemp("scenes"), SCENES)


def test_a_one_sentence_quote_that_sets_the_scene_brings_the_sentence_after_it(
    scenes: Coverage,
) -> None:
    result = answer(scenes, "Why was the President grateful to Tsikhanouskaya on Air Force One?")
    assert result.citations
    quote = result.citations[0].quote
    assert quote.startswith("The President spoke") and quote.endswith("in Warsaw tonight.")


def test_a_quote_never_runs_into_the_next_speakers_turn(scenes: Coverage) -> None:
    result = answer(scenes, "What did Psaki say about the referendum in Minsk?")
    assert result.citations
    assert result.citations[0].quote.endswith("staged by Lukashenko.")


def test_a_quote_never_takes_in_the_question_after_it(scenes: Coverage) -> None:
    result = answer(scenes, "What did the opposition leader say about the referendum in Grodno?")
    assert result.citations
    assert result.citations[0].quote.endswith("rigged by the regime.")


def test_no_two_citations_share_text(scenes: Coverage, coverage: Coverage) -> None:
    for where, question in (
        (scenes, "What did Sullivan and Seibert discuss about the build-up of forces?"),
        (scenes, "What did the President and Tsikhanouskaya talk about?"),
        (coverage, "What did Putin and Macron agree on in their January 31 call?"),
    ):
        citations = answer(where, question).citations
        for i, one in enumerate(citations):
            for other in citations[i + 1 :]:
                same = one.article_id == other.article_id
                assert not (same and one.start < other.end and other.start < one.end)


def test_a_quote_is_surer_for_a_count_or_date_than_for_a_reason(coverage: Coverage) -> None:
    """Shared words locate a number or a date well and a reason badly (fit_confidence.py)."""
    when = signals(coverage, "When did Putin and Macron agree to prepare a summit?")
    why = signals(coverage, "Why did Putin and Macron agree to prepare a summit?")
    assert when["asks a count or date"] == 1.0 and when["asks a reason or manner"] == 0.0
    assert why["asks a count or date"] == 0.0 and why["asks a reason or manner"] == 1.0
    plain = when | {"asks a count or date": 0.0}
    reason = plain | {"asks a reason or manner": 1.0}
    assert _confidence(reason) < _confidence(plain) < _confidence(when)
