"""Answers over the seed coverage: focused verbatim quotes, metadata answers, honest declines."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from bot.cli import main
from index.answering.answer import ANSWER_CONFIDENCE, CLOSEST_LEAD, answer
from index.answering.question import clean
from index.storage.coverage import Coverage

SHARED = Path(__file__).resolve().parents[3] / "shared"


def _body_of(coverage: Coverage, article_id: str) -> str:
    index = coverage.index_of(article_id)
    assert index is not None
    return coverage.body(index)


def test_quote_is_the_exact_body_slice_with_a_highlighting_link(seed_coverage: Coverage) -> None:
    result = answer(seed_coverage, "What tone did Washington's readout strike?")
    assert result.answered
    best = result.citations[0]
    assert "struck a minatory tone" in best.quote
    assert _body_of(seed_coverage, best.article_id)[best.start : best.end] == best.quote
    assert best.link is not None and best.url is not None
    assert best.link.startswith(best.url + "#:~:text=")
    directive = best.link.split("#:~:text=", 1)[1]
    for part in directive.split(","):
        assert unquote(part) in " ".join(best.quote.split())


def test_focused_quote_not_the_whole_paragraph(seed_coverage: Coverage) -> None:
    result = answer(seed_coverage, "What will Putin demand at some point?")
    assert result.citations[0].quote.startswith("At some point, Putin will demand real action")
    assert len(result.citations[0].quote) < 120


def test_a_sentence_that_leans_on_the_one_before_brings_it(seed_coverage: Coverage) -> None:
    quote = answer(seed_coverage, "Did Putin call the pope?").citations[0].quote
    assert quote.startswith("To wish his fellow presidents a happy new year")
    assert "the pope; Queen Elizabeth" in quote


def test_citations_come_from_different_passages_best_first(seed_coverage: Coverage) -> None:
    result = answer(seed_coverage, "What did Putin say about NATO?")
    assert 2 <= len(result.citations) <= 3
    spans = {(c.article_id, c.start, c.end) for c in result.citations}
    assert len(spans) == len(result.citations)
    assert {c.article_id for c in result.citations} == {
        "2021-12-08-what-good-could-the-putin-biden-conversation",
        "2021-12-31-putins-talk-therapy",
    }


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who wrote the article about Putin's talk therapy?", "Julia Ioffe"),
        ("Who wrote the Moscow Times piece?", "Mark Galeotti"),
        ("When was the Moscow Times opinion piece published?", "2021-12-08"),
        ("Where was Putin's Talk Therapy published?", "Puck"),
        ("Where did Mark Galeotti publish his article?", "The Moscow Times"),
        ("When did Julia Ioffe's article come out?", "2021-12-31"),
        ("What is the title of the Puck article?", "Putin’s Talk Therapy"),
        ("Who is Julia Ioffe?", "Julia Ioffe wrote “Putin’s Talk Therapy” (Puck, 2021-12-31)."),
    ],
)
def test_questions_about_the_coverage_are_answered_from_metadata(
    seed_coverage: Coverage, question: str, expected: str
) -> None:
    result = answer(seed_coverage, question)
    assert result.answered
    assert expected in result.answer
    assert len(result.citations) == 1


def test_how_many_articles_lists_the_coverage(seed_coverage: Coverage) -> None:
    result = answer(seed_coverage, "How many articles are there?")
    assert result.answered and result.answer.startswith("The coverage holds 2 articles")
    # A question of framing words only still names missing words as typed, not as stems.
    assert answer(seed_coverage, "What do the stories report?").missing_terms == ("stories",)


def test_who_is_someone_the_articles_discuss_is_answered_from_the_text(
    seed_coverage: Coverage,
) -> None:
    result = answer(seed_coverage, "Who was Mikhail Gorbachev?")
    assert result.answered and "Mikhail Gorbachev and Ronald Reagan" in result.citations[0].quote


def test_which_articles_mention_lists_them_with_a_quote_each(seed_coverage: Coverage) -> None:
    result = answer(seed_coverage, "Which articles mention Geneva?")
    assert result.answered and result.answer.startswith("2 articles mention Geneva")
    assert all("Geneva" in c.quote for c in result.citations)
    assert not answer(seed_coverage, "Which articles mention Macron?").answered


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What did Macron say about the talks?", ["Macron"]),
        ("What did Boris Johnson say about the sanctions?", ["Boris", "Johnson"]),
        ("What did Angela Merkel think about Nord Stream 2?", ["Angela", "Merkel"]),
    ],
)
def test_unanswerable_questions_are_declined_naming_missing_words(
    seed_coverage: Coverage, question: str, missing: list[str]
) -> None:
    result = answer(seed_coverage, question)
    assert not result.answered
    assert result.citations == ()
    assert list(result.missing_terms) == missing
    assert "doesn't say" in result.answer
    assert result.suggestions, "the closest articles are offered"


@pytest.mark.parametrize(
    ("question", "speaks"),
    [
        ("What did Putin tell Biden?", "Putin said Ukraine can’t join NATO."),
        ("What did Sullivan say about European allies?", "Sullivan noted"),
        ("What did Trump say about Putin?", "spoke of him as an equal"),
    ],
)
def test_what_someone_said_is_answered_with_reported_speech(
    seed_coverage: Coverage, question: str, speaks: str
) -> None:
    result = answer(seed_coverage, question)
    assert result.answered and speaks in result.citations[0].quote


@pytest.mark.parametrize(
    "question", ["What did the pope tell Putin?", "What did Xi Jinping say about Ukraine?"]
)
def test_someone_named_who_never_speaks_in_the_coverage_gets_a_decline(
    seed_coverage: Coverage, question: str
) -> None:
    """The pope and Xi are in a list of people Putin called; nothing they said is reported."""
    assert not answer(seed_coverage, question).answered


def test_an_off_topic_question_gets_a_clean_decline(seed_coverage: Coverage) -> None:
    """No word of it is one the coverage is about: no quotes, and no unrelated articles."""
    result = answer(seed_coverage, "What is the boiling point of water?")
    assert not result.answered and result.citations == () and result.suggestions == ()
    assert list(result.missing_terms) == ["boiling", "water"]
    assert "doesn't say" in result.answer


def test_shared_common_words_alone_do_not_make_an_answer(seed_coverage: Coverage) -> None:
    result = answer(seed_coverage, "Who is the best football player of all time?")
    assert not result.answered


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("", "Ask me a question"),
        ("   \n\t ", "Ask me a question"),
        ("x" * 501, "501 characters"),
        ("the of and is?", "couldn't find any words"),
        ("<@123456789> @everyone ```code``` **!!!**", "couldn't find any words"),
    ],
)
def test_bad_questions_get_a_short_clear_reply(
    seed_coverage: Coverage, question: str, fragment: str
) -> None:
    result = answer(seed_coverage, question, max_chars=500)
    assert not result.answered
    assert fragment in result.answer
    assert len(result.answer) < 200


def test_markup_and_mentions_are_not_part_of_the_question() -> None:
    assert (
        clean("<@!42> **What** did <#99> `Putin` say? @here https://x.y/z") == "What did Putin say?"
    )


def test_ask_json_contract(seed_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "What tone did Washington's readout strike?"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"question", "answered", "answer", "citations", "missing_terms"}
    assert 0.0 <= doc["confidence"] <= 1.0 and doc["confidence"] >= ANSWER_CONFIDENCE
    assert isinstance(doc["basis"], list) and all(isinstance(b, str) for b in doc["basis"])
    citation = doc["citations"][0]
    assert list(citation) == (
        "quote article_id title author outlet published url link start end score".split()
    )
    assert isinstance(citation["score"], float) and isinstance(citation["start"], int)


def test_ask_json_batch_keeps_order_and_survives_bad_lines(
    seed_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = [
        "Is foreign policy personal?",
        "",
        "y" * 900,
        "What did Macron say?",
        "Did Putin call the pope?",
    ]
    lines = ("\n".join(questions) + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))  # bytes beneath
    assert main(["ask", "--json", "-"]) == 0
    docs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["question"] for d in docs] == questions
    assert [d["answered"] for d in docs] == [True, False, False, False, True]


@pytest.mark.skipif(not (SHARED / "eval" / "score_qa.py").exists(), reason="needs ../shared/eval")
@pytest.mark.parametrize(
    "questions",
    [
        SHARED / "eval" / "dev_qa.jsonl",
        Path(__file__).resolve().parents[1] / "data" / "extra_qa.jsonl",
    ],
    ids=["dev_qa", "extra_qa"],
)
def test_the_shared_scorer_scores_every_question_from_ask_json_as_a_user_runs_it(
    seed_index_dir: Path, questions: Path
) -> None:
    """``score_qa.py --cmd "coverage-bot ask --json -"`` gets one answer per question.

    The figures themselves belong to ``benchmarks/bench_answers.py`` and docs/answering.md.
    """
    env = {
        "COVERAGE_SEEDS_DIR": str(seed_index_dir / "seeds"),
        "COVERAGE_INDEX_DIR": str(seed_index_dir / "index"),
    }
    command = f"{Path(sys.executable).parent / 'coverage-bot'} ask --json -"
    run = subprocess.run(
        [sys.executable, str(SHARED / "eval" / "score_qa.py"), str(questions), "--cmd", command],
        capture_output=True,
        text=True,
        cwd=seed_index_dir,
        env=env | {"PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    answerable = sum(
        json.loads(line).get("kind", "answer") in ("answer", "meta")
        for line in questions.read_text().splitlines()
        if line.strip()
    )
    summary = run.stdout.strip().splitlines()[-1]
    assert run.returncode == 0 and "expected" not in run.stdout, run.stdout
    assert summary.startswith("hit@1 ") and f"/{answerable} " in summary, run.stdout


@pytest.mark.parametrize(
    "question",
    [
        # The coverage never uses "dread" (Ioffe: "I immediately imagined the worst"): a common
        # English word it lacks must not sink the question.
        "Why did the author feel dread about the phone call?",
        # "say" about the coverage itself is no question about someone's words.
        "What does the coverage say about affability?",
        # Capitals in a Title Case question are not names.
        "What Did Putin Say About Trusting The United States?",
    ],
)
def test_common_words_and_capitals_do_not_sink_a_question(
    seed_coverage: Coverage, question: str
) -> None:
    result = answer(seed_coverage, question)
    assert result.citations, result.answer
    assert result.answered or result.answer.startswith(CLOSEST_LEAD)


def test_a_rare_word_the_coverage_never_uses_sinks_the_question(seed_coverage: Coverage) -> None:
    result = answer(seed_coverage, "What did Putin say about sourdough?")
    assert not result.answered and result.citations == ()
    assert result.missing_terms == ("sourdough",)


def test_every_answer_carries_its_confidence_and_basis(seed_coverage: Coverage) -> None:
    result = answer(seed_coverage, "What did Putin say about trusting the United States?")
    assert result.answered and result.confidence >= ANSWER_CONFIDENCE
    assert "all key terms" in result.basis
