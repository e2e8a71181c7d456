"""Who is speaking at a point of a transcript: "Q", "MS. PSAKI:", "Vladimir Putin: ...".

Press briefings and interviews are turns, each opened by a label: White House transcripts put
"Q" or "MS. PSAKI:" at the start of a paragraph, Kremlin transcripts write "Vladimir Putin:"
inline after the previous turn's last sentence. A reporter's question is never an answer, and
"what did Psaki say" is best answered from Psaki's own turns; ``speaker_at`` tells both.
"""

from __future__ import annotations

import re

#: A turn label: "Q" opening a paragraph, or a name (all capitals, or each word capitalised,
#: optionally "(retranslated)") followed by a colon, opening a paragraph or following the end
#: of a sentence.
_LABEL = re.compile(
    r"(?:^|\n)(?P<q>Q)\s"
    r"|(?:^|\n|(?<=[.?!…\"”] ))"
    r"(?P<name>[A-Z][A-Z.'’ -]{1,40}[A-Z.]|(?:[A-Z][\w'’-]+ (?:of |de |von |the )?){0,5}"
    r"[A-Z][\w'’-]+(?: \([^)]{1,30}\))?):(?= )"
)
#: Labels of whoever asks the questions.
REPORTER_LABELS = frozenset({"q", "question", "reporter", "journalist", "remark"})
#: How far back to look for the label of the turn a position belongs to, in characters.
LOOK_BACK = 20_000
_CHUNK = 2_500


def speaker_at(body: str, position: int) -> str | None:
    """The label of the turn ``position`` falls in ("MS. PSAKI", "Q"), or None outside turns.

    A label starting at ``position`` counts: it opens the turn.

    Reads backwards in chunks, so a long transcript costs only the distance to the label.
    """
    end = position + 1  # a label starting at ``position`` opens its turn
    while end > 0 and position - end < LOOK_BACK:
        start = max(0, end - _CHUNK)
        # Read a little past the chunk so a label cut by its edge is still seen whole.
        found = [m for m in _LABEL.finditer(body, start, end + 80) if m.start() < end]
        if found:
            return found[-1].group("q") or found[-1].group("name")
        end = start
    return None


def is_reporter(label: str | None) -> bool:
    """Whether a turn label marks a reporter's question."""
    return label is not None and label.strip(" .").casefold() in REPORTER_LABELS
