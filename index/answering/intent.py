"""What a question asks, understood once: its kind, names, dates, speaker and answer shape.

Answers (``answer``) and topic summaries (``summary``) read the same ``Intent``,
so a rule about questions lives here and nowhere else: which words carry the question and
which only frame it, which are names, what period it names ("the February 12 call", "in early
January", resolved against the coverage's own dates), whose words it asks for ("what did
Psaki say ..."), and what an answer looks like ("why": a reason).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from wordfreq import zipf_frequency

from index.analyze import analyze
from index.answering.dates import Period, question_period
from index.answering.metadata import classify
from index.answering.question import FRAMING_WORDS, QuestionTerms, answer_shape, clean, key_terms

#: Zipf frequency (log10 per billion words) below which a word is rare in English: a rare word
#: the coverage never uses ("sourdough", "Olenivka") means the question is about something
#: else; a common one ("dread", 3.6) is only a word the coverage happens not to use.
RARE_ZIPF = 3.0
#: A capitalised word the coverage never uses is taken for a name (and sinks the question)
#: unless it is this common in English ("Who Won The Super Bowl" is not about a "Won").
NAME_ZIPF = 4.5
#: Share of a question's words written capitalised above which it is Title Case, and
#: capitals say nothing about names.
TITLE_CASE_SHARE = 0.7

#: Openings and the kind of question they start.
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("why", r"^\W*(why|for what reason|what for|how come)\b"),
        ("how many", r"^\W*how\s+(many|much)\b"),
        ("how long", r"^\W*how\s+long\b"),
        ("when", r"^\W*(when|what (day|date|time|year|month)|on what date)\b"),
        ("where", r"^\W*where\b"),
        ("who", r"^\W*(who|whom|whose)\b"),
        ("how", r"^\W*how\b"),
        ("yes/no", r"^\W*(is|are|was|were|do|does|did|has|have|had|can|could|will|would)\b"),
    )
)
#: "What did Psaki say", "How did Jake Sullivan respond", "Who does Zelenskyy think":
#: the subject of the auxiliary is the speaker asked about.
_SUBJECT = re.compile(
    r"\b(?:did|does|do|has|have|had|would|will)\s+(?P<who>(?:[\w.'’-]+\s+){1,4}?)"
    r"(?P<verb>say|says|tell|tells|think|thinks|respond|react|reply|answer|describe|call|"
    r"claim|warn|mean|want|thank|complain|request|invite|announce|propose|argue|insist|"
    r"suggest|promise|threaten|urge|admit|explain|recall|condemn|blame|ask|offer|stress)\b",
    re.IGNORECASE,
)
_ACCORDING = re.compile(r"\b(?i:according to)\s+(?P<who>(?:[A-Z][\w.'’-]*\s*){1,3})")
#: Verbs after which the question is about words spoken ("what did X say/tell").
_SPEECH_VERBS = frozenset({"say", "says", "tell", "tells"})
#: Subjects that are the coverage itself, not a speaker ("what does the article say").
_NOT_SPEAKERS = frozenset(analyze("it they he she you we coverage article piece story report"))


@dataclass(frozen=True, slots=True)
class Intent:
    """A question, understood."""

    text: str  #: the cleaned question
    kind: str  #: "metadata", "why", "how many", "how long", "when", "where", "who", ...
    terms: QuestionTerms  #: content and framing terms, and the names among them
    period: Period | None  #: the days the question names, if any
    speaker: frozenset[str]  #: analysed terms of whoever the question asks about, if anyone
    wants_speech: bool  #: "what did X say/tell": only reported speech can answer
    shape: re.Pattern[str] | None  #: what text answering it looks like, if known

    @property
    def content(self) -> list[str]:
        """The content terms, in question order."""
        return [term for term, _ in self.terms.content]


def understand(question: str, span: tuple[date, date] | None = None) -> Intent:
    """Read ``question``; ``span`` is the coverage's first and last publication dates."""
    text = clean(question)
    terms = key_terms(question)
    names = frozenset() if _title_case(text) else terms.names
    period = question_period(text, span)
    if period is not None:  # "Feb 9" is matched by dates, not by words
        dated = set(analyze(period.words))
        kept = tuple(pair for pair in terms.content if pair[0] not in dated) or terms.content
        terms = QuestionTerms(kept, terms.framing, names & {t for t, _ in kept})
    else:
        terms = QuestionTerms(terms.content, terms.framing, names)
    speaker, verb = _speaker(text)
    return Intent(
        text=text,
        kind=_kind(text),
        terms=terms,
        period=period,
        speaker=speaker,
        wants_speech=bool(speaker) and verb in _SPEECH_VERBS,
        shape=answer_shape(text),
    )


def _kind(text: str) -> str:
    if classify(text) is not None:
        return "metadata"
    return next((kind for kind, opening in _KINDS if opening.match(text)), "fact")


def _speaker(text: str) -> tuple[frozenset[str], str]:
    """Terms naming whoever the question asks about, and the verb it asks with."""
    match = _SUBJECT.search(text)
    if match is not None:
        who = frozenset(analyze(match.group("who"))) - FRAMING_WORDS - _NOT_SPEAKERS
        if who:
            return who, match.group("verb").casefold()
    according = _ACCORDING.search(text)
    if according is not None:
        return frozenset(analyze(according.group("who"))) - FRAMING_WORDS, "say"
    return frozenset(), ""


def _title_case(text: str) -> bool:
    words = re.findall(r"[A-Za-z][\w'’-]*", text)[1:]
    capitalised = sum(word[0].isupper() for word in words)
    return len(words) >= 3 and capitalised >= TITLE_CASE_SHARE * len(words)


@lru_cache(maxsize=4096)
def zipf(word: str) -> float:
    """How common ``word`` is in English, on wordfreq's Zipf scale (0 for unknown words).

    wordfreq's small list (words of Zipf 3 and up, 4 MiB in memory against the large list's
    33 MiB, per process): below ``RARE_ZIPF`` a word is rare whichever list says so, and a
    question's rarest words count as the most topical either way.
    """
    return float(zipf_frequency(word.casefold(), "en", wordlist="small"))


def sinks(word: str, is_name: bool) -> bool:
    """Whether a word the coverage never uses means the coverage cannot answer the question.

    A name ("Merkel") or a rare word ("sourdough") does; a common word ("dread") does not:
    the coverage may say the same thing in other words.
    """
    return zipf(word) < (NAME_ZIPF if is_name else RARE_ZIPF)
