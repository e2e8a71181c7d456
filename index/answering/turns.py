"""Who is speaking at a point of a transcript: "Q", "MS. PSAKI:", "Vladimir Putin: ...".

Press briefings and interviews are turns, each opened by a label: White House transcripts put
"Q" or "MS. PSAKI:" at the start of a paragraph, Kremlin transcripts write "Vladimir Putin:"
inline after the previous turn's last sentence. A reporter's question is never an answer, and
"what did Psaki say" is best answered from Psaki's own turns; ``speaker_at`` tells both.
"""

from __future__ import annotations

import re

#: A label: all capitals ("MS. PSAKI"), or each word capitalised with an optional
#: "(retranslated)" ("Emmanuel Macron (retranslated)", "Question(retranslated)").
_NAME = re.compile(
    r"[A-Z][A-Z.'’ -]{1,40}[A-Z.]|(?:[A-Z][\w'’-]+ (?:of |de |von |the )?){0,5}"
    r"[A-Z][\w'’-]+(?: ?\([^)]{1,30}\))?"
)
#: A label's note on how it was transcribed: "(retranslated)".
_NOTE = re.compile(r"\s*\([^)]*\)")
#: What a label follows: the start of a paragraph, or the end of a sentence and a space.
_BEFORE_LABEL = ("\n", ". ", "? ", "! ", "… ", '" ', "” ")
#: Longest label looked for before a colon, in characters.
_LABEL_CHARS = 80
#: Longest reporter's question read as context for the answer after it, in characters.
QUESTION_CHARS = 1_500
#: Labels of whoever asks the questions.
REPORTER_LABELS = frozenset({"q", "question", "reporter", "journalist", "remark"})


def speaker_at(body: str, position: int) -> str | None:
    """The label of the turn ``position`` falls in ("MS. PSAKI", "Q"), or None."""
    turn = turn_at(body, position)
    return None if turn is None else turn[0]


def answered_question(body: str, turn: tuple[str, int] | None) -> tuple[int, int] | None:
    """The reporter's question that ``turn`` (a label and its start) answers, as a span.

    Briefing answers rarely repeat the question's words ("I'm not going to respond to
    bluster"): the question before them says what they are about.
    """
    if turn is None or is_reporter(turn[0]) or turn[1] == 0:
        return None
    before = turn_at(body, turn[1] - 1)
    if before is None or not is_reporter(before[0]):
        return None
    return max(before[1], turn[1] - QUESTION_CHARS), turn[1]


def turn_at(body: str, position: int) -> tuple[str, int] | None:
    """The label of the turn ``position`` falls in ("MS. PSAKI", "Q") and where it starts.

    A label starting at ``position`` counts: it opens the turn. Reads backwards from
    ``position`` with ``str.rfind`` only as far as the nearest label, so a long transcript
    costs the length of one turn, and an article that is no transcript a few colons.
    """
    limit = position + 1
    question = body.rfind("\nQ ", 0, position + 2)
    question = 0 if question < 0 and body.startswith("Q ") else question
    colon = body.rfind(": ", max(0, question), limit + _LABEL_CHARS)
    while colon >= 0:
        start = _label_start(body, colon)
        if start is not None and start <= position and _NAME.fullmatch(body, start, colon):
            return body[start:colon], start
        colon = body.rfind(": ", max(0, question), colon)
    return ("Q", question + 1 if question > 0 else 0) if question >= 0 else None


def _label_start(body: str, colon: int) -> int | None:
    """Where a label ending at ``colon`` would start: after the last sentence end or newline."""
    lo, hi = max(0, colon - _LABEL_CHARS), colon
    while True:
        ends = [body.rfind(mark, lo, hi) for mark in _BEFORE_LABEL]
        end = max(ends)
        if end < 0:
            return 0 if lo == 0 else None
        mark = _BEFORE_LABEL[ends.index(end)]
        if not (mark == ". " and end > 0 and body[end - 1].isupper()):
            return end + len(mark)
        hi = end  # "MS. PSAKI": the period of a title, not the end of a sentence


def opens_turn(body: str, position: int) -> bool:
    """Whether a turn label starts at ``position`` (cheap: reads only the next few words)."""
    if body.startswith("Q ", position):
        return True
    colon = body.find(": ", position, position + _LABEL_CHARS)
    return colon > position and _NAME.fullmatch(body, position, colon) is not None


def is_reporter(label: str | None) -> bool:
    """Whether a turn label marks a reporter's question."""
    return label is not None and _NOTE.sub("", label).strip(" .").casefold() in REPORTER_LABELS
