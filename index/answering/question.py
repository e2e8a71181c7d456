"""Questions in: cleaned of chat markup, checked, and reduced to the words that carry them.

A question typed in Discord may hold mentions, custom emoji, code blocks or Markdown; none of
that is part of what is asked. ``clean`` removes it, ``problem`` says politely what is wrong
with a question that cannot be searched, and ``key_terms`` keeps the words worth matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.analyze import analyze, analyze_words

#: Words that frame a question rather than say what it is about; they never decide an answer.
FRAMING_WORDS = frozenset(
    analyze(
        "say says said tell told think thinks thought describe described mention mentions "
        "mentioned article articles piece pieces story stories coverage report reports reported "
        "according author writer explain explains happen happened mean means"
    )
)

_MARKUP = [
    re.compile(r"```.*?```", re.DOTALL),  # code blocks
    re.compile(r"<a?:\w+:\d+>"),  # custom emoji
    re.compile(r"<(?:@[!&]?|#)\d+>"),  # user, role and channel mentions
    re.compile(r"<t:\d+(?::\w)?>"),  # timestamps
    re.compile(r"@(?:everyone|here)\b"),
    re.compile(r"https?://\S+"),
    re.compile(r"</?[a-zA-Z][^>]*>"),  # HTML tags
]
#: "how many", "how long": the second word asks for a kind of answer, it is not a topic.
_HOW_WORDS = re.compile(r"\bhow\s+(many|much|long|often|far|old)\b", re.IGNORECASE)
_NUMBER = (
    r"\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|dozens?"
)
_UNIT = r"seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?"
_MONTH = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
)
#: Question openings and the shape of the text that answers them.
ANSWER_SHAPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (
        re.compile(r"^\W*(why|for what reason|what for|how come)\b", re.IGNORECASE),
        re.compile(
            r"\b(because|so that|in order to|as a way to|the point|the reason|reasons?|aims? to|"
            r"in an effort to|intended to|meant to|designed to|purpose|goal|due to|since)\b",
            re.IGNORECASE,
        ),
    ),
    (
        re.compile(r"^\W*how\s+(many|much)\b", re.IGNORECASE),
        # A count, not an identifier ("Decree № 64/2022") or a year.
        re.compile(rf"(?<![№#/\d])\b(?!(?:19|20)\d\d\b)({_NUMBER})\b(?!/)", re.IGNORECASE),
    ),
    (
        re.compile(r"^\W*how\s+long\b", re.IGNORECASE),
        re.compile(rf"\b({_NUMBER})[- ]({_UNIT})\b|\b({_UNIT})\b", re.IGNORECASE),
    ),
    (
        re.compile(r"^\W*(when|what (day|date|time|year|month)|on what date)\b", re.IGNORECASE),
        re.compile(rf"\b({_MONTH})\b|\b(19|20)\d\d\b|\b(yesterday|today|tomorrow)\b"),
    ),
    (
        re.compile(r"^\W*where\b", re.IGNORECASE),
        re.compile(r"\b(in|at|near|from|to)\s+(the\s+)?[A-Z][a-z]+"),
    ),
)
_MARKDOWN = re.compile(r"(\*{1,3}|_{1,3}|~~|\|\||`+|^\s*>+\s?|^\s*#{1,6}\s)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class QuestionTerms:
    """The analysed question: content terms with their surface words, and framing terms."""

    content: tuple[tuple[str, str], ...]  #: (term, word) pairs, unique by term, in order
    framing: tuple[str, ...]
    names: frozenset[str]  #: content terms written as names (capitalised, not first word)


def clean(question: str) -> str:
    """The question without mentions, emoji, links, code blocks or Markdown markers."""
    text = question
    for pattern in _MARKUP:
        text = pattern.sub(" ", text)
    text = _MARKDOWN.sub(" ", text)
    return " ".join(text.split())


def problem(question: str, max_chars: int) -> str | None:
    """A short, polite explanation when ``question`` cannot be answered as asked, else None."""
    if not question.strip():
        return "Ask me a question about the coverage, for example: “What did Putin say about NATO?”"
    if len(question) > max_chars:
        return (
            f"That question is {len(question):,} characters long; please keep it under "
            f"{max_chars:,} characters and ask one thing at a time."
        )
    if not analyze(clean(question)):
        return (
            "I couldn't find any words to look up in that question. "
            "Try naming a person, place or event, e.g. “What did Biden say about sanctions?”"
        )
    return None


def key_terms(question: str) -> QuestionTerms:
    """Split the cleaned question's terms into content terms and framing terms."""
    content: dict[str, str] = {}
    framing: list[tuple[str, str]] = []
    names: set[str] = set()
    for position, (term, word) in enumerate(analyze_words(_HOW_WORDS.sub("how", clean(question)))):
        if term in FRAMING_WORDS:
            framing.append((term, word))
            continue
        content.setdefault(term, word)
        if word[0].isupper() and (position > 0 or not _opens(question, word)):
            names.add(term)
    if not content:  # a question made only of framing words still has something to match
        content = dict(reversed(framing))  # the first word each term came from
        framing = []
    return QuestionTerms(tuple(content.items()), tuple(t for t, _ in framing), frozenset(names))


def answer_shape(question: str) -> re.Pattern[str] | None:
    """What text answering this kind of question looks like ("why": a reason), if known."""
    text = clean(question)
    return next((shape for opening, shape in ANSWER_SHAPES if opening.match(text)), None)


def _opens(question: str, word: str) -> bool:
    """Whether ``word`` is the question's first word (capitalised for grammar, not as a name)."""
    first = re.match(r"\W*([^\W_]+)", clean(question))
    return bool(first and first.group(1) == word)
