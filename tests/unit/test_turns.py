"""Transcript turns: who speaks where, and which reporter's question a turn answers."""

from __future__ import annotations

from index.answering.turns import answered_question, is_reporter, speaker_at, turn_at

WHITE_HOUSE = (
    "Q Thank you. Why the thread?\n\nMS. PSAKI: Well, it is a pattern. More on that.\n\n"
    "And a second paragraph of the same answer.\n\nQ And Russia?"
)
KREMLIN = (
    "Opening remarks here. Vladimir Putin: Good afternoon. "
    "Emmanuel Macron (retranslated): Thank you. The point is: calm. "
    "Question(retranslated): Good afternoon, Messrs Presidents. And the talks?"
)


def test_white_house_labels_open_paragraphs_and_last_until_the_next() -> None:
    answer = WHITE_HOUSE.index("Well")
    second = WHITE_HOUSE.index("And a second")
    assert speaker_at(WHITE_HOUSE, 0) == "Q"
    assert speaker_at(WHITE_HOUSE, answer) == speaker_at(WHITE_HOUSE, second) == "MS. PSAKI"
    assert speaker_at(WHITE_HOUSE, WHITE_HOUSE.index("And Russia")) == "Q"


def test_kremlin_labels_follow_the_end_of_a_sentence() -> None:
    assert speaker_at(KREMLIN, 3) is None
    assert speaker_at(KREMLIN, KREMLIN.index("Good")) == "Vladimir Putin"
    assert speaker_at(KREMLIN, KREMLIN.index("calm")) == "Emmanuel Macron (retranslated)"
    assert speaker_at(KREMLIN, KREMLIN.index("Messrs")) == "Question(retranslated)"


def test_an_answer_turn_knows_the_question_it_answers() -> None:
    span = answered_question(WHITE_HOUSE, turn_at(WHITE_HOUSE, WHITE_HOUSE.index("And a second")))
    assert span is not None and WHITE_HOUSE[span[0] : span[1]].startswith("Q Thank you.")
    assert answered_question(WHITE_HOUSE, turn_at(WHITE_HOUSE, 3)) is None


def test_reporters_are_recognised_by_their_labels() -> None:
    assert is_reporter("Q") and is_reporter("Question") and not is_reporter("MS. PSAKI")
    assert is_reporter("Question (retranslated)") and is_reporter("Question(retranslated)")
    assert not is_reporter("Emmanuel Macron (retranslated)") and not is_reporter(None)
