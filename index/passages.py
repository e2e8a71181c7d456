"""Bodies into paragraphs, sentences and passages, each a span of offsets into the body.

Passages are the unit of retrieval: a few consecutive sentences of one paragraph, so a hit
is small enough to quote from and never straddles a paragraph break. Sentence splitting is
rule-based and conservative: abbreviations ("Mr.", "Gen."), initials ("John F. Kennedy") and
dotted acronyms ("U.S.") do not end a sentence unless a typical sentence opener follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from index.models import Span

#: Bump when the splitting rules change: indexes split by other rules are rebuilt.
SPLIT_VERSION = 2
#: Sentences per passage, at most.
PASSAGE_SENTENCES = 3
#: Characters per passage, at most (a single longer sentence stays whole).
PASSAGE_CHARS = 600

#: Words that end with a period but rarely end a sentence.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt capt cmdr adm st jr sr inc ltd co corp vs "
    "no nos vol pp fig jan feb mar apr jun jul aug sep sept oct nov dec mt ft rev hon amb "
    "pres dept univ approx est e.g i.e cf al".split()
)
#: After a dotted acronym such as "U.S.", these words show that a new sentence began.
SENTENCE_OPENERS = frozenset(
    "the a an he she it they we i you this that these those there but and so yet in on at "
    "for if when while as after before his her its their our my what why how who".split()
)

#: Openers that lean on the sentence before: a quote starting with one needs that sentence too.
DANGLING_OPENERS = frozenset(
    "he she it they them this that these those his her its their theirs such but and or yet so "
    "however nonetheless nevertheless still also likewise moreover furthermore thus therefore "
    "hence instead meanwhile besides otherwise then which whose".split()
)

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]*)*")
_TERMINATOR = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_NEXT_START = re.compile(r"\s+([\"'“‘(\[]*)(\S)")
#: Characters of the token before a period ("U.S.", "O'Neill", "Jean-Luc"), besides \w.
_TOKEN_PUNCTUATION = frozenset("_.'’-")
#: Longest token looked at before a period.
_TOKEN_CHARS = 40
_WORD = re.compile(r"[\w']+")


def paragraphs(body: str) -> list[Span]:
    """Spans of the body's paragraphs (separated by blank lines), whitespace trimmed."""
    return [_trim(body, m.start(), m.end()) for m in _PARAGRAPH.finditer(body) if m.group().strip()]


def sentences(body: str, span: Span | None = None) -> list[Span]:
    """Spans of the sentences in ``body`` (or in ``span`` of it), in order.

    Parameters
    ----------
    body
        The article body; offsets are always into it.
    span
        Restrict splitting to this part of the body (a paragraph or passage).
    """
    spans = [span] if span is not None else paragraphs(body)
    return [sentence for part in spans for sentence in _split(body, part.start, part.end)]


def _split(body: str, start: int, end: int) -> Iterator[Span]:
    cursor = start
    for match in _TERMINATOR.finditer(body, start, end):
        cut = match.end()
        if cut >= end or not _is_boundary(body, match.start(), cut, end):
            continue
        yield _trim(body, cursor, cut)
        cursor = cut
    if body[cursor:end].strip():
        yield _trim(body, cursor, end)


def _is_boundary(body: str, mark: int, cut: int, end: int) -> bool:
    following = _NEXT_START.match(body, cut, end)
    if following is None:
        return False
    opener, first = following.group(1), following.group(2)
    # A capital, or a letter of a script without case, opens a sentence; a lowercase letter
    # does only in a body written all in lowercase (else all of it was one sentence).
    opens = (first.isalpha() and not first.islower()) or first.isdigit() or bool(opener)
    if not (opens or (first.islower() and _lowercase_only(body))):
        return False
    if body[mark] != ".":
        return True
    word = _token_before(body, mark).rsplit("-", 1)[-1].casefold()
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False  # "Mr. Putin", "John F. Kennedy"
    if "." in word:  # dotted acronym such as "U.S." ends a sentence only before an opener
        # Matched in place: a slice to the paragraph's end per acronym made long paragraphs
        # quadratic (minutes for a 50 MB one).
        next_word = _WORD.match(body, following.start(2), end)
        return bool(next_word and next_word.group().casefold() in SENTENCE_OPENERS)
    return True


#: The body ``_lowercase_only`` looked at last, and its answer: it is asked about the same
#: body once per lowercase word after a period, and answers by reading all of it.
_LOWERCASE: list[tuple[str, bool]] = [("", True)]


def _lowercase_only(body: str) -> bool:
    """Whether ``body`` has no capital letter at all (a lowercased feed or transcript).

    The entry is read once and answered from: another thread may replace it meanwhile.
    """
    last = _LOWERCASE[0]
    if last[0] is not body:
        last = (body, body.lower() == body)
        _LOWERCASE[0] = last
    return last[1]


def _token_before(body: str, mark: int) -> str:
    """The word, abbreviation or acronym just before ``mark`` (its last 40 characters at most).

    Scanned backwards: a regex search tried every start position in the window in turn, and
    took most of the splitting time of a long paragraph.
    """
    floor = max(0, mark - _TOKEN_CHARS)
    # A line break right before the mark is skipped ("U.S.\n." reads "U.S."), as ``$`` did.
    end = mark - 1 if mark > floor and body[mark - 1] == "\n" else mark
    start = end
    while start > floor and (body[start - 1].isalnum() or body[start - 1] in _TOKEN_PUNCTUATION):
        start -= 1
    return body[start:end]


def _trim(body: str, start: int, end: int) -> Span:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return Span(start, end)


def passage_spans(body: str) -> list[Span]:
    """Group each paragraph's sentences into passages of a few sentences."""
    return [Span(group[0].start, group[-1].end) for group in passage_sentences(body)]


def passage_sentences(body: str) -> list[list[Span]]:
    """The sentences of each passage (``passage_spans``), in body order.

    The index stores them, so answering reads a passage's sentences instead of splitting it
    again for every question.
    """
    passages: list[list[Span]] = []
    for paragraph in paragraphs(body):
        group: list[Span] = []
        for sentence in sentences(body, paragraph):
            too_long = group and sentence.end - group[0].start > PASSAGE_CHARS
            if group and (len(group) == PASSAGE_SENTENCES or too_long):
                passages.append(group)
                group = []
            group.append(sentence)
        if group:
            passages.append(group)
    return passages


def needs_context(sentence: str) -> bool:
    """Whether a sentence opens with a word that refers back ("He", "But", "However")."""
    first = re.match(r"[\"'“‘(]*([A-Za-z]+)", sentence)
    return bool(first and first.group(1).casefold() in DANGLING_OPENERS)
