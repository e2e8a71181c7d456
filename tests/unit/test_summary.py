"""Summaries of the seed coverage: verbatim, in order, standing alone, declined when off-topic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from index.answering.summary import (
    MAX_RANKED,
    rank,
    summarize_article,
    summarize_coverage,
    summarize_text,
    summarize_topic,
)
from index.passages import needs_context, sentences
from index.storage.coverage import Coverage


@pytest.mark.parametrize("article", [0, 1])
@pytest.mark.parametrize("n", [3, 5, 8])
def test_article_summaries_are_verbatim_ordered_and_stand_alone(
    seed_coverage: Coverage, article: int, n: int
) -> None:
    body = seed_coverage.body(article)
    result = summarize_article(seed_coverage, article, n)
    assert result.scope == "article" and result.answered and 0 < len(result.sentences) <= n
    starts = [s.start for s in result.sentences]
    assert starts == sorted(starts)
    spans = sentences(body)
    chosen = {s.start for s in result.sentences}
    for sentence in result.sentences:
        assert body[sentence.start : sentence.end] == sentence.text
        assert sentence.link and sentence.link.startswith(seed_coverage.metas[article].url or "")
        if needs_context(sentence.text):  # only with the sentence it leans on
            before = max(s for s in spans if s.end <= sentence.start)
            assert before.start in chosen
    words = [set(s.text.lower().split()) for s in result.sentences]
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            assert len(a & b) / len(a | b) < 0.6  # no near-duplicates


def test_topic_summary_is_about_the_topic_grouped_by_article(seed_coverage: Coverage) -> None:
    result = summarize_topic(seed_coverage, "NATO", 5)
    assert result.answered and result.scope == "topic"
    assert all("NATO" in s.text for s in result.sentences)
    articles = [s.article_id for s in result.sentences]
    assert len(set(articles)) == 2
    assert articles == sorted(articles, key=articles.index)  # grouped: each article's run together


@pytest.mark.parametrize(
    "topic", ["football world cup", "Macron", "the of and", "Putin and Macron"]
)
def test_topics_the_coverage_does_not_discuss_are_declined(
    seed_coverage: Coverage, topic: str
) -> None:
    result = summarize_topic(seed_coverage, topic, 5)
    assert not result.answered and result.sentences == ()


def test_a_topic_with_one_unknown_word_among_three_is_still_summarised(
    seed_coverage: Coverage,
) -> None:
    result = summarize_topic(seed_coverage, "Nord Stream pipeline", 3)
    assert result.answered and "Nord Stream 2" in result.sentences[0].text


def test_coverage_summary_hears_every_article(seed_coverage: Coverage) -> None:
    result = summarize_coverage(seed_coverage, 4)
    assert result.answered and len(result.sentences) == 4
    assert {s.article_id for s in result.sentences} == {m.id for m in seed_coverage.metas}


def test_cli_summary_json_contract_and_errors(
    seed_index_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(seed_index_dir)
    monkeypatch.setenv("COVERAGE_SEEDS_DIR", str(seed_index_dir / "seeds"))
    monkeypatch.setenv("COVERAGE_INDEX_DIR", str(seed_index_dir / "index"))
    assert (
        main(
            ["summary", "--article", "2021-12-31-putins-talk-therapy", "--sentences", "3", "--json"]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"scope", "sentences", "answered"} and doc["scope"] == "article"
    assert list(doc["sentences"][0]) == ["text", "article_id", "start", "end", "link"]
    assert main(["summary", "--topic", "football", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "scope": "topic",
        "sentences": [],
        "answered": False,
    }
    assert main(["summary", "--article", "no-such-id"]) == 1
    assert "no such article" in capsys.readouterr().err
    text_file = tmp_path / "notes.txt"
    text_file.write_bytes(
        b"Alpha beta gamma. Delta epsilon.\r\n\r\nZeta eta theta iota. Kappa lambda mu.\r\n"
    )
    assert main(["summary", "--text-file", str(text_file), "--sentences", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    normalised = text_file.read_bytes().decode().replace("\r\n", "\n")
    assert doc["scope"] == "text" and all(
        normalised[s["start"] : s["end"]] == s["text"] for s in doc["sentences"]
    )
    assert main(["summary", "--text-file", str(tmp_path / "missing.txt")]) == 1


@pytest.mark.parametrize(
    "text",
    ["It rained all day in Geneva.", "But the talks went on. They ended at dawn.", "He left."],
)
def test_the_opening_sentence_of_a_text_never_waits_for_one_before_it(text: str) -> None:
    result = summarize_text(text, 3)
    assert result.answered and result.sentences[0].start == 0


def test_a_text_of_thousands_of_sentences_is_ranked_on_its_lead_only() -> None:
    """Ranking compares every pair of sentences: 50,000 of them took 19 GB and hours; one
    long transcript held the index worker, and so every answer, for seconds."""
    text = " ".join(
        f"Ferry number {i} sank near the harbour of town {i % 97}." for i in range(3000)
    )
    spans = sentences(text)
    assert len(spans) == 3000
    ranked = rank(text, spans)
    assert [s.index for s in ranked] == list(range(MAX_RANKED))
    assert summarize_text(text, 3).sentences
