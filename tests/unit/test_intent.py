"""Question understanding: kind, names, period, speaker, answer shape, sinking words."""

from __future__ import annotations

from datetime import date

import pytest

from index.answering.intent import sinks, understand

SPAN = (date(2021, 10, 1), date(2022, 6, 30))


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Why did Biden call Zelenskyy?", "why"),
        ("How many people left Azovstal?", "how many"),
        ("How long was the call?", "how long"),
        ("When did the talks begin?", "when"),
        ("Where did the presidents meet?", "where"),
        ("Who wrote the Puck piece?", "metadata"),
        ("Did Putin call the pope?", "yes/no"),
        ("What did Putin say about NATO?", "fact"),
    ],
)
def test_the_kind_of_question_comes_from_its_opening(question: str, kind: str) -> None:
    assert understand(question).kind == kind


@pytest.mark.parametrize(
    ("question", "speaker", "speech"),
    [
        ("What did Psaki say about the Twitter thread?", {"psaki"}, True),
        ("How did Jake Sullivan respond to the bluster?", {"jake", "sullivan"}, False),
        ("According to Zelenskyy, does every member have to agree?", {"zelenskyy"}, True),
        ("What does the coverage say about affability?", set(), False),
        ("What is the Kremlin's demand?", set(), False),
    ],
)
def test_the_speaker_asked_about(question: str, speaker: set[str], speech: bool) -> None:
    intent = understand(question)
    assert intent.speaker == speaker and intent.wants_speech is speech


def test_words_naming_the_date_are_matched_as_a_date_not_as_words() -> None:
    intent = understand("What did Biden and Macron talk about on Feb 9?", SPAN)
    assert intent.period is not None and intent.period.words == "Feb 9"
    assert intent.content == ["biden", "macron", "talk"]


def test_title_case_capitals_are_not_names() -> None:
    assert understand("What Did Putin Say About The Pope?").terms.names == frozenset()
    assert understand("What did Angela Merkel say?").terms.names == {"angela", "merkel"}


def test_the_answer_shape_follows_the_kind() -> None:
    shape = understand("Why did Biden call?").shape
    assert shape is not None and shape.search("because of the fire")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("People's deputies approved the document by 300 votes.", True),
        ("More than 100 million people are displaced.", True),
        ("The President signed Decree № 64/2022 on martial law.", False),
        ("In 2022 the President signed a decree.", False),
    ],
)
def test_how_many_is_answered_by_a_count_not_an_identifier_or_a_year(
    text: str, count: bool
) -> None:
    shape = understand("How many lawmakers backed the decree?").shape
    assert shape is not None and bool(shape.search(text)) is count


@pytest.mark.parametrize(
    ("word", "is_name", "sunk"),
    [("dread", False, False), ("sourdough", False, True), ("Merkel", True, True)],
)
def test_only_rare_words_and_names_sink_a_question(word: str, is_name: bool, sunk: bool) -> None:
    assert sinks(word, is_name) is sunk
