"""Questions into answers: the sentence or two of the coverage that answer, quoted exactly.

The path: check the question; answer questions about the coverage itself from metadata
(``metadata``); otherwise rank passages with BM25, cut them into one- and two-sentence
windows, and score each window by how much of the question's weighted vocabulary it covers.
Weights are inverse document frequencies, and a word the coverage never uses gets the highest
weight of all, so a question about someone the coverage never names cannot be answered by a
passage that merely shares its common words. Below ``MIN_COVERAGE`` the answer is an honest
"the coverage doesn't say", naming the missing words and the closest articles.

docs/answering.md records each decision and the measurement behind it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from index.analyze import analyze, jaccard
from index.answering.candidates import passage_shares, pool, reach, shares, titled_articles
from index.answering.cite import cite
from index.answering.dates import Period, extract_dates
from index.answering.intent import Intent, sinks, understand, zipf
from index.answering.metadata import all_metadata_terms, metadata_answer, metadata_terms
from index.answering.question import QuestionTerms, problem
from index.answering.turns import answered_question, is_reporter, opens_turn, turn_at
from index.models import Answer, Citation, Span, Suggestion, byline
from index.passages import needs_context
from index.storage.bm25 import scores_at, term_ids
from index.storage.coverage import Carried, Coverage, per_coverage

#: Share of the question's weighted vocabulary the best quote must cover to be shown at all.
MIN_COVERAGE = 0.35
#: Confidence at or above which the best quote is stated as the answer; below it the closest
#: passages are shown as such. The lowest threshold at which the model, fitted without each
#: grown-coverage question set in turn, stated answers to that set's questions with at least
#: 80% precision (``benchmarks/fit_confidence.py``: 34 of 42 over four sets, 147 questions).
ANSWER_CONFIDENCE = 0.56
#: A question must use at least one word ten times (log10: 1) more often than English does,
#: measured over passages (``_topicality``); below, it is about something else.
MIN_TOPICALITY = 1.0
#: English frequency given to a word wordfreq does not know ("Zelenskyy", "Azovstal").
UNKNOWN_WORD_FREQUENCY = 1e-9
#: The question's rarest terms (by idf): an answer names them, or its article does.
KEY_TERMS = 2
#: Words of its own (not the question's, not its title's) a quote needs to be an answer.
NOVEL_TERMS = 2
#: Passage share above which a word is an everyday word of the coverage ("said", "today").
GENERIC_SHARE = 0.05
#: How the closest passages are introduced when none of them is an answer.
CLOSEST_LEAD = "The coverage doesn't answer this directly. Closest passages:\n\n"
#: Share a second or third quote must cover to be shown beside the first.
MIN_SUPPORT = 0.4
#: Passages read per question; quotes are chosen among their sentences.
CANDIDATE_PASSAGES = 20
#: Ranked passages those candidates are drawn from.
CANDIDATE_POOL = 400
#: Candidates per article before other articles get theirs, so a long transcript cannot crowd
#: out every other source.
PASSAGES_PER_ARTICLE = 3
#: Quotes up to this length carry no penalty; longer ones lose score gradually.
QUOTE_TARGET_CHARS = 300
#: A sentence this short after a quote completes it ("Of course, it didn't.").
SHORT_SENTENCE_CHARS = 40
#: A one-sentence quote takes the article's next sentence when both fit in this many
#: characters: the sentence holding the question's words often only names the event ("Biden
#: spoke with Tsikhanouskaya from Air Force One."), and the next says what came of it ("He
#: thanked her for ..."). Longer pairs are left alone: the first sentence then says enough.
FOLLOWED_QUOTE_CHARS = 400
#: Longest quote, context included (Discord embeds and readers both prefer short quotes).
MAX_QUOTE_CHARS = 600
#: Score bonus for a quote from an article not yet cited: a second source beats a second quote.
NEW_SOURCE_BONUS = 0.25
#: Text that reports speech: a verb of saying, an attribution, or quotation marks.
SPEECH = re.compile(
    r"\b(said|says|say|saying|told|tells|tell|spoke|speaks|affirmed|noted|warned|argued|"
    r"added|stated|claimed|insisted|asked|replied|declared|announced|wrote|snarled|commented|"
    r"remarked|explained|suggested|acknowledged|admitted|promised|threatened|urged|vowed|"
    r"reiterated|emphasi[sz]ed|assured|stressed|underlined|pointed out|according to)\b|[“”\"]",
    re.IGNORECASE,
)
#: Framing words that point at an article's author ("what does the author think").
AUTHOR_WORDS = frozenset(analyze("author writer"))
#: Bonus, when the question asks about "the author", to quotes from articles that name one.
AUTHORED_BONUS = 0.1
#: Penalty for a quote that is itself only a question: a question rarely answers one.
QUESTION_PENALTY = 0.1


@dataclass(frozen=True, slots=True)
class Weights:
    """The ranking features beside vocabulary coverage, each with its weight.

    One place to read them, and to switch one off (``benchmarks/bench_answers.py`` measures
    each feature by setting its weight to 0).
    """

    bm25: float = 0.05  #: the passage's BM25 score, relative to the best
    context: float = 0.3  #: choosing candidates: share of the question their article covers
    dates: float = 1.0  #: published in, or mentioning a day of, the period the question names
    title: float = 0.75  #: share of a term's weight counted when only the title or lead holds it
    speakers: float = 0.4  #: the asked speaker's own turn, or speech attributed to them
    asked: float = 0.5  #: share of a term's weight counted when the reporter's question holds it
    proximity: float = 0.1  #: the question's words in one sentence rather than spread over two
    novelty: float = 0.3  #: penalty for a quote that only restates the question and its title
    shape: float = 0.15  #: shaped like the answer asked for: a reason for "why", a number ...


WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class _Window:
    """A candidate quote: consecutive sentences of one article, scored."""

    article: int
    passage: int
    start: int
    end: int
    coverage: float
    score: float
    terms: frozenset[str]
    first: int  #: position of the first sentence within the passage
    last: Span  #: the last sentence (possibly the next passage's first)
    basis: tuple[str, ...] = ()  #: the features that fired for this window
    key: float = 1.0  #: share of the question's rarest terms in the window, title or lead
    single: float = 0.0  #: share of the question's weighted vocabulary in its best sentence


@dataclass(frozen=True, slots=True)
class _Evidence:
    """Per-article evidence for one question, over every article of the coverage."""

    context: NDArray[np.float64]  #: share of the question's weighted vocabulary each covers
    dated: NDArray[np.bool_]  #: published within the period the question names


@dataclass(frozen=True, slots=True)
class _Preferences:
    """What the question's wording says a good quote looks like."""

    intent: Intent
    wants_author: bool  #: asks about "the author": favour articles that name one
    articles: frozenset[int]  #: articles the question names by byline or title, if any
    weights: Weights
    term_weights: dict[str, float]  #: idf of each content term the coverage uses
    total: float  #: the idf of every content term, used or not: what full coverage weighs
    keys: frozenset[str]  #: the question's rarest terms
    evidence: _Evidence


@dataclass(frozen=True, slots=True)
class _Turn:
    """The transcript turn a sentence belongs to (all empty outside transcripts)."""

    label: str | None  #: "MS. PSAKI", "Q", "Vladimir Putin"
    reporter: bool  #: a reporter's question: never an answer
    voice: frozenset[str]  #: the label's terms: every sentence of the turn is the speaker's
    asked: frozenset[str]  #: terms of the reporter's question this turn answers


_NO_VOICE: frozenset[str] = frozenset()
_NO_TURN = _Turn(None, False, _NO_VOICE, _NO_VOICE)


@lru_cache(maxsize=1024)
def _label_terms(label: str) -> frozenset[str]:
    """Analysed terms of a turn label; the same few speakers recur across transcripts."""
    return frozenset(analyze(label))


#: Entries the analysis kept across questions may reach before it is dropped and started afresh.
ANALYSED_ENTRIES = 400_000


@dataclass(slots=True)
class _Analysed:
    """What reading passages found that does not depend on the question, kept across questions.

    Questions about the same story read the same passages, leads and turns. Everything here
    is a pure function of the loaded index, so keeping it changes no answer. (Sentences and
    their terms are not kept: the index stores them, and reading them is cheap.)
    """

    #: a tuple, not a set: it is only walked, and a set costs several times the memory
    uncommon: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    turns: dict[tuple[int, int], _Turn] = field(default_factory=dict)
    abouts: dict[int, frozenset[str]] = field(default_factory=dict)
    questions: dict[tuple[int, int, int], frozenset[str]] = field(default_factory=dict)

    def bounded(self) -> _Analysed:
        """Itself, emptied first when it has grown past ``ANALYSED_ENTRIES``."""
        if sum(len(part) for part in self._parts()) > ANALYSED_ENTRIES:
            self.clear()
        return self

    def clear(self) -> None:
        """Forget everything (it is all recomputed on demand)."""
        for part in self._parts():
            part.clear()

    def _parts(self) -> tuple[dict[Any, Any], ...]:
        return tuple(getattr(self, part.name) for part in fields(self))


def prepare(coverage: Coverage) -> None:
    """Compute and load now what every question needs from a loaded coverage.

    A process swapping in a coverage calls this before serving it. Otherwise the first
    question pays for it while members wait: reading every article's metadata (per coverage,
    about 0.2 s over 2,300 articles, more at newsroom scale), and once per process, loading the
    compiled search for this index's arrays and the word-frequency list (about 0.8 s).
    """
    metadata_terms(coverage)
    titled_articles(coverage)
    coverage_span(coverage)
    _generic(coverage)
    _authored(coverage)
    _mean_length(coverage)
    if coverage.bm25.vocab:
        coverage.ranked([next(iter(coverage.bm25.vocab))], 1)
    zipf("coverage")


@per_coverage
def _generic(coverage: Coverage) -> frozenset[int]:
    """Ids of the everyday words of the coverage: in ``GENERIC_SHARE`` of passages or more."""
    bm25 = coverage.bm25
    return frozenset(np.flatnonzero(np.diff(bm25.indptr) >= GENERIC_SHARE * bm25.n_docs).tolist())


#: The analysis of the index opened last, carried over to the next one of its generation.
_ANALYSED: Carried[_Analysed] = Carried()


@per_coverage
def _analysed(coverage: Coverage) -> _Analysed:
    """The analysis kept across questions for one loaded index, carried over from the index
    opened before it when both share a generation.

    An index reopened after an addition is the same generation with a delta grown at its end
    (``Carried``), so every passage keeps its number and text, and what was read from them
    holds. Only a sentence's uncommon terms depend on the coverage's statistics, which the
    addition changed: those start afresh, in a dictionary of the new coverage's own, since
    questions in flight on the old one still fill theirs. Workers and the bot reload after
    every addition; without this each one read its passages again from nothing.
    """
    _, last = _ANALYSED.start(coverage)
    analysed = _Analysed() if last is None else replace(last, uncommon={})
    _ANALYSED.keep(coverage, analysed)
    return analysed


class _Sentences:
    """Sentence spans and terms of candidate passages, for one question.

    Only passages (and their neighbours, for context) are read, never whole bodies: a
    briefing transcript can run to hundreds of sentences. What does not depend on the
    question and costs more than reading is kept across questions (``_Analysed``).
    """

    def __init__(self, coverage: Coverage) -> None:
        self.coverage = coverage
        self.bodies: dict[int, str] = {}
        self.names = coverage.term_names
        self.spans: dict[int, list[Span]] = {}
        self.ids: dict[tuple[int, int], NDArray[np.int32]] = {}
        self.terms: dict[tuple[int, int], frozenset[str]] = {}
        shared = _analysed(coverage).bounded()
        self.uncommon = shared.uncommon
        self.turns = shared.turns
        self.abouts = shared.abouts
        self.questions = shared.questions
        self.novels: dict[tuple[int, int], frozenset[str]] = {}
        self.held: dict[tuple[int, int, frozenset[str]], float] = {}

    def body(self, article: int) -> str:
        if article not in self.bodies:
            self.bodies[article] = self.coverage.body(article)
        return self.bodies[article]

    def of_passage(self, number: int) -> list[Span]:
        """The sentences of passage ``number``, as the index stores them."""
        if number not in self.spans:
            article = int(self.coverage.passages[number][0])
            stored = self.coverage.sentences(number)
            self.spans[number] = [span for span, _ in stored]
            self.ids.update(((article, span.start), ids) for span, ids in stored)
        return self.spans[number]

    def terms_at(self, article: int, span: Span) -> frozenset[str]:
        """Analysed terms of one sentence (of a passage read by ``of_passage``)."""
        key = (article, span.start)
        if key not in self.terms:
            self.terms[key] = frozenset(map(self.names.__getitem__, self.ids[key].tolist()))
        return self.terms[key]

    def first_of(self, number: int) -> Span | None:
        """The first sentence of passage ``number``."""
        own = self.of_passage(number)
        return own[0] if own else None

    def about(self, article: int) -> frozenset[str]:
        """What every passage of an article is about: its title, byline and first passage."""
        if article not in self.abouts:
            lead = self.of_passage(self.coverage.passage_range(article).start)
            terms = metadata_terms(self.coverage)[article]
            self.abouts[article] = terms.union(*(self.terms_at(article, s) for s in lead))
        return self.abouts[article]

    def opens_turn(self, article: int, sentence: Span) -> bool:
        """Whether a sentence starts with a turn label ("Q ", "MS. PSAKI: ", "Vladimir Putin: ")."""
        return opens_turn(self.body(article), sentence.start)

    def weight_held(
        self, article: int, sentence: Span, voice: frozenset[str], question: dict[str, float]
    ) -> float:
        """The question's weight a sentence holds, its speaker's label counting.

        Every window of a sentence asks it again (alone, then in pairs before and after it),
        so it is summed once per question.
        """
        key = (article, sentence.start, voice)
        if key not in self.held:
            terms = self.terms_at(article, sentence)
            self.held[key] = sum(w for t, w in question.items() if t in terms or t in voice)
        return self.held[key]

    def novel(self, article: int, sentence: Span, question: dict[str, float]) -> frozenset[str]:
        """A sentence's uncommon terms that neither the question nor the title holds."""
        key = (article, sentence.start)
        if key not in self.novels:
            self.novels[key] = frozenset(
                t for t in self.uncommon_at(article, sentence) if t not in question
            )
        return self.novels[key]

    def uncommon_at(self, article: int, sentence: Span) -> tuple[str, ...]:
        """A sentence's terms that are not everyday words of the coverage, nor its title's."""
        key = (article, sentence.start)
        if key not in self.uncommon:
            title = metadata_terms(self.coverage)[article]
            ids = set(self.ids[key].tolist()) - _generic(self.coverage)
            self.uncommon[key] = tuple({self.names[i] for i in ids} - title)
        return self.uncommon[key]

    def turn(self, article: int, position: int) -> _Turn:
        """Who speaks at ``position`` of a transcript, and the question they answer."""
        key = (article, position)
        if key not in self.turns:
            body = self.body(article)
            found = turn_at(body, position)
            if found is None:
                self.turns[key] = _NO_TURN
            else:
                span = answered_question(body, found)
                asked: frozenset[str] = frozenset()
                if span is not None:
                    at = (article, *span)  # offsets alone are another transcript's too
                    if at not in self.questions:
                        self.questions[at] = frozenset(analyze(body[span[0] : span[1]]))
                    asked = self.questions[at]
                label = found[0]
                self.turns[key] = _Turn(label, is_reporter(label), _label_terms(label), asked)
        return self.turns[key]

    def after(self, number: int, sentence: Span) -> Span | None:
        """The sentence after ``sentence``: one of passage ``number`` or the next one's first."""
        own = self.of_passage(number)
        if sentence in own:
            i = own.index(sentence)
            return own[i + 1] if i + 1 < len(own) else self.neighbour(number, +1)
        following = self.of_passage(number + 1)
        return following[1] if len(following) > 1 else self.neighbour(number + 1, +1)

    def following(self, number: int, sentence: Span) -> Span | None:
        """The article's sentence after ``sentence`` (of passage ``number``), paragraphs apart
        or not; None at the end of the article, where another transcript turn starts, or
        where it asks a question (a reporter's, even one no label marks)."""
        passages = self.coverage.passages
        article = int(passages[number][0])
        own = self.of_passage(number)
        i = own.index(sentence)
        found: Span | None = None
        if i + 1 < len(own):
            found = own[i + 1]
        elif number + 1 < len(passages) and int(passages[number + 1][0]) == article:
            found = self.first_of(number + 1)
        if found is None or self.opens_turn(article, found):
            return None
        return None if _asks(self.body(article)[found.start : found.end]) else found

    def neighbour(self, number: int, step: int) -> Span | None:
        """The sentence just before (step -1) or after (+1) passage ``number``, same paragraph."""
        other = number + step
        if not 0 <= other < len(self.coverage.passages):
            return None
        article = int(self.coverage.passages[number][0])
        if int(self.coverage.passages[other][0]) != article:
            return None
        span = self.of_passage(other)[-1] if step < 0 else self.first_of(other)
        if span is None:
            return None
        here = self.of_passage(number)[0 if step < 0 else -1]
        gap = self.body(article)[min(span.end, here.end) : max(span.start, here.start)]
        return None if "\n\n" in gap else span


def answer(
    coverage: Coverage,
    question: str,
    *,
    max_chars: int = 500,
    limit: int = 3,
    weights: Weights = WEIGHTS,
    period: Period | None = None,
) -> Answer:
    """Answer ``question`` from the coverage with up to ``limit`` verbatim citations.

    Parameters
    ----------
    coverage
        The loaded index.
    question
        As the user typed it; markup and mentions are ignored.
    max_chars
        Longer questions get a polite refusal instead of an answer.
    limit
        Most citations to return, best first, from different passages.
    weights
        The ranking features' weights (the benchmark switches them off one at a time).
    period
        Only articles published within it may answer (``ask --since/--until``); it is also
        the period the question is taken to name when it names none itself.
    """
    refusal = problem(question, max_chars)
    if refusal is not None:
        return Answer(question, False, refusal, (), ())
    about_coverage = metadata_answer(coverage, question, limit)
    if about_coverage is not None:
        return replace(about_coverage, confidence=0.9, basis=("from metadata",))
    found = _assess(coverage, question, limit, weights, period)
    if isinstance(found, Answer):
        return found
    chosen, windows, prefs, missing = found
    citations = tuple(cite(coverage, w.article, w.start, w.end, w.score) for w in chosen)
    confidence = _confidence(_signals(chosen[0], windows, len(coverage), prefs.intent))
    if confidence >= ANSWER_CONFIDENCE:
        text = render_text(citations)
    else:
        text = CLOSEST_LEAD + render_text(citations)
    return replace(
        Answer(question, confidence >= ANSWER_CONFIDENCE, text, citations, missing),
        confidence=confidence,
        basis=chosen[0].basis,
    )


def signals(coverage: Coverage, question: str, weights: Weights = WEIGHTS) -> dict[str, float]:
    """The evidence the confidence model weighs for ``question``'s best quote (empty if none).

    ``benchmarks/fit_confidence.py`` fits ``CONFIDENCE_MODEL`` on these, question by question.
    """
    if problem(question, 10**9) is not None or metadata_answer(coverage, question, 1):
        return {}
    found = _assess(coverage, question, 3, weights, None)
    if isinstance(found, Answer):
        return {}
    chosen, windows, prefs, _ = found
    return _signals(chosen[0], windows, len(coverage), prefs.intent)


_Found = tuple[list[_Window], list[_Window], _Preferences, tuple[str, ...]]


def _assess(
    coverage: Coverage, question: str, limit: int, weights: Weights, period: Period | None
) -> Answer | _Found:
    """The chosen quotes and every scored window, or the decline when there is nothing to quote.

    ``period``, when given, is the only period answers may come from (see ``answer``).
    """
    intent = understand(question, coverage_span(coverage))
    if period is not None and intent.period is None:
        intent = replace(intent, period=period)
    terms = intent.terms
    vocab, described = coverage.bm25.vocab, all_metadata_terms(coverage)
    unknown = [(t, w) for t, w in terms.content if t not in vocab and t not in described]
    missing = tuple(word for _, word in unknown)
    prefs = _prefer(coverage, intent, weights)
    ranked = _published_within(coverage, _candidates(coverage, prefs), period)
    if any(sinks(word, term in terms.names) for term, word in unknown):
        # A name or rare word the coverage never uses: it is about something else.
        return _decline(coverage, question, missing, ranked)
    if _topicality(coverage, terms) < MIN_TOPICALITY:
        # Every word of it is one the coverage uses no more than English does at large.
        return _decline(coverage, question, missing, ())
    split = _Sentences(coverage)
    windows = _windows(split, ranked, prefs)
    chosen = _distinct([_with_context(split, w) for w in _choose(windows, limit)])
    if not chosen or chosen[0].coverage < MIN_COVERAGE:
        return _decline(coverage, question, missing, ranked)
    return chosen, windows, prefs, missing


def _prefer(coverage: Coverage, intent: Intent, weights: Weights) -> _Preferences:
    """What the question's wording and the coverage's statistics say a good quote looks like."""
    terms = intent.terms
    described = all_metadata_terms(coverage)
    vocab = coverage.bm25.vocab
    # Words only an article's byline or title holds ("Galeotti", "Puck") pick the article.
    naming = {term for term, _ in terms.content if term in described and term not in vocab}
    idf = _term_weights(coverage, terms)
    term_weights = {t: w for t, w in idf.items() if t not in naming and t in vocab}
    ranked_terms = sorted(term_weights, key=term_weights.__getitem__, reverse=True)
    return _Preferences(
        intent=intent,
        wants_author=bool(AUTHOR_WORDS & set(terms.framing)),
        articles=_articles_described(coverage, naming),
        weights=weights,
        term_weights=term_weights,
        total=sum(idf.values()) or 1.0,
        keys=frozenset(ranked_terms[:KEY_TERMS]),
        evidence=_evidence(coverage, term_weights, intent.period),
    )


#: Kinds of question whose answer is a count, a length of time or a date: a quote holding
#: the question's words and a number or date is right more often than for other questions.
CONCRETE_KINDS = frozenset({"how many", "how long", "when"})
#: Kinds whose answer is a reason, a manner or a yes or no: shared words seldom show that a
#: quote gives one.
OPEN_KINDS = frozenset({"why", "how", "yes/no"})


def _signals(
    best: _Window, windows: Sequence[_Window], articles: int, intent: Intent
) -> dict[str, float]:
    """The evidence about the best window that the confidence model weighs.

    - ``coverage``: the share of the question's weighted vocabulary the quote holds, with its
      article's title and lead as context (section 4 of docs/answering.md);
    - ``one sentence``: the share its best single sentence holds on its own (a transcript
      turn's label counting): an answer states the question's matter in one sentence, a
      chance match gathers its words from two;
    - ``lead in article``: how far it outscores the best quote elsewhere in its own article.
      An article about the question speaks to it in more than one place (the readout's lead
      restates the call, the next sentence answers); a quote that stands alone in its
      article matched the question's words by chance more often (dev sets: 0.38 on average
      for wrong first quotes, 0.19 for right ones);
    - ``articles``: how many articles the coverage holds (log; with thousands, some passage
      shares most words of any question by chance);
    - ``asks a count or date`` and ``asks a reason or manner``: what kind of answer the
      question wants (``CONCRETE_KINDS``, ``OPEN_KINDS``). Over the grown dev sets, first
      quotes were right for 16 of 20 questions asking "how many" or "when", 41 of 83 other
      questions, and 5 of 21 asking "why", "how" or yes or no: words shared with a question
      locate a number well and a reason badly.
    """
    rest = (w.score for w in windows if w.article == best.article and not _overlaps(w, best))
    return {
        "coverage": best.coverage,
        "one sentence": best.single,
        "lead in article": min(1.0, max(0.0, best.score - max(rest, default=0.0))),
        "articles": math.log10(max(1, articles)),
        "asks a count or date": float(intent.kind in CONCRETE_KINDS),
        "asks a reason or manner": float(intent.kind in OPEN_KINDS),
    }


def _confidence(signals: dict[str, float]) -> float:
    """How likely the best window answers the question, in [0, 1]: a logistic model.

    Fitted on the dev question sets by ``benchmarks/fit_confidence.py``;
    ``benchmarks/bench_answers.py`` prints its reliability table.
    """
    z = CONFIDENCE_MODEL["bias"] + sum(CONFIDENCE_MODEL[k] * v for k, v in signals.items())
    return round(1 / (1 + math.exp(-z)), 3)


#: The confidence model's coefficients: a logistic regression on the dev sets
#: (``benchmarks/fit_confidence.py``), rounded.
CONFIDENCE_MODEL = {
    "bias": 0.14,
    "coverage": 2.35,
    "one sentence": 1.74,
    "lead in article": -1.03,
    "articles": -0.69,
    "asks a count or date": 0.76,
    "asks a reason or manner": -0.65,
}


def _topicality(coverage: Coverage, terms: QuestionTerms) -> float:
    """How much more the coverage uses the question's most topical word than English does.

    log10 of the share of passages holding the word over its expected share were passages
    ordinary English (wordfreq); a word English does not know counts as very topical. Every
    question about the coverage names something the coverage is about ("Putin", "sanctions",
    "Azovstal"); "What's the capital of Australia?" names nothing it uses more than usual.
    """
    bm25 = coverage.bm25
    if bm25.n_docs == 0:
        return 0.0
    length = _mean_length(coverage)
    best = -math.inf
    for term, word in terms.content:
        index = bm25.vocab.get(term)
        if index is None:
            continue
        share = int(bm25.indptr[index + 1] - bm25.indptr[index]) / bm25.n_docs
        english = 10 ** (zipf(word) - 9) if zipf(word) > 0 else UNKNOWN_WORD_FREQUENCY
        best = max(best, math.log10(share / (length * english)))
    return best


@per_coverage
def _mean_length(coverage: Coverage) -> float:
    """Average analysed terms per passage (per loaded index: a pass over every passage)."""
    return float(coverage.bm25.doc_len.mean()) or 1.0


#: The publication days of the index opened last, extended over the next one of its generation.
_DAYS: Carried[NDArray[np.int64]] = Carried()


@per_coverage
def published_days(coverage: Coverage) -> NDArray[np.int64]:
    """Each article's publication date as a day ordinal (0 when unknown), per loaded index;
    over an index reopened after an addition, the last one's extended (``Carried``)."""
    first, last = _DAYS.start(coverage)
    added = np.fromiter(
        (_ordinal(meta.published) for meta in coverage.metas[first:]),
        np.int64,
        len(coverage.metas) - first,
    )
    days = added if last is None else np.concatenate([last[:first], added])
    _DAYS.keep(coverage, days)
    return days


def _ordinal(published: str | None) -> int:
    try:
        return date.fromisoformat(published).toordinal() if published else 0
    except ValueError:
        return 0


@per_coverage
def coverage_span(coverage: Coverage) -> tuple[date, date] | None:
    """The first and last publication dates of the coverage, if any article has one."""
    days = published_days(coverage)
    known = days[days > 0]
    if known.size == 0:
        return None
    return date.fromordinal(int(known.min())), date.fromordinal(int(known.max()))


def _evidence(coverage: Coverage, weights: dict[str, float], period: Period | None) -> _Evidence:
    """Article-level evidence: vocabulary coverage from article postings, and the date match."""
    days = published_days(coverage)
    if period is None:
        dated = np.zeros(len(coverage.metas), dtype=bool)
    else:
        dated = (days >= period.first.toordinal()) & (days <= period.last.toordinal())
    return _Evidence(shares(coverage, weights), dated)


def _candidates(coverage: Coverage, prefs: _Preferences) -> list[tuple[int, float]]:
    """The best passages, judged with their articles, at most a few per article.

    Passages are ranked by their own share of the question's weighted vocabulary (title and
    lead counting as context, as for quotes), BM25, and their article's evidence (how much
    of the question the article covers, whether it is from the named period): the sentence
    that answers a readout question sits in the passage that holds the question's other
    words, not necessarily in the one BM25 ranks first. Only a pool is judged (``pool``):
    BM25's best, and the passages of the articles whose passages could judge best.
    Only articles the question names by byline or title, or only authored articles when it
    asks about "the author", when there are such passages.
    """
    query = [t for t in prefs.intent.content if t in prefs.term_weights]
    query += list(prefs.intent.terms.framing)
    ids = term_ids(coverage.bm25, query)
    if not ids:
        return []
    judged = pool(coverage, query, _priority(coverage, prefs))
    found = scores_at(coverage.bm25, ids, judged).astype(np.float64)
    top = float(found.max()) or 1.0
    articles = coverage.passages[judged, 0]
    weights, evidence = prefs.weights, prefs.evidence
    held = passage_shares(coverage, judged, prefs.term_weights, weights.title) / prefs.total
    combined = held + weights.bm25 * found / top
    combined = combined + weights.context * evidence.context[articles]
    combined = combined + weights.dates * evidence.dated[articles]
    if combined.size > CANDIDATE_POOL:
        keep = np.argpartition(-combined, CANDIDATE_POOL)[:CANDIDATE_POOL]
        judged, found, combined, articles = (
            judged[keep],
            found[keep],
            combined[keep],
            articles[keep],
        )
    order = np.lexsort((judged, -combined))
    offset = float(coverage.bm25.baseline[ids].sum())
    # Plain lists: indexing numpy arrays one element at a time in a loop costs more here.
    ranked = list(zip(judged[order].tolist(), (found[order] + offset).tolist(), strict=True))
    owners = articles[order].tolist()
    if prefs.articles:
        ranked, owners = _only(ranked, owners, [a in prefs.articles for a in owners])
    if prefs.wants_author:
        ranked, owners = _only(ranked, owners, _authored(coverage)[owners].tolist())
    per_article: dict[int, int] = {}
    first: list[tuple[int, float]] = []
    rest: list[tuple[int, float]] = []
    for hit, article in zip(ranked, owners, strict=True):
        per_article[article] = per_article.get(article, 0) + 1
        (first if per_article[article] <= PASSAGES_PER_ARTICLE else rest).append(hit)
        if len(first) == CANDIDATE_PASSAGES:
            break
    # Capped passages only wait: they fill the slots other articles leave free.
    return (first + rest)[:CANDIDATE_PASSAGES]


def _only(
    ranked: list[tuple[int, float]], owners: list[int], wanted: list[bool]
) -> tuple[list[tuple[int, float]], list[int]]:
    """The ranked passages (and their articles) that are ``wanted``; all when none is."""
    if not any(wanted):
        return ranked, owners
    kept = [i for i, ok in enumerate(wanted) if ok]
    return [ranked[i] for i in kept], [owners[i] for i in kept]


#: More than any judgement adds: lifts a preferred article above every other.
_PREFERRED = 10.0


def _priority(coverage: Coverage, prefs: _Preferences) -> NDArray[np.float64]:
    """Each article's bound on how well its passages judge, short of BM25: the best are read.

    Articles the question names, or authored ones when it asks about "the author", come
    first: candidates are drawn from them alone when they have any.
    """
    weights, evidence = prefs.weights, prefs.evidence
    bound = reach(coverage, prefs.term_weights, prefs.total, weights.title)
    bound += weights.context * evidence.context + weights.dates * evidence.dated
    if prefs.wants_author:
        bound += _PREFERRED * _authored(coverage)
    if prefs.articles:
        bound[sorted(prefs.articles)] += 2 * _PREFERRED
    return bound


@per_coverage
def _authored(coverage: Coverage) -> NDArray[np.bool_]:
    """Whether each article names its author (per loaded index)."""
    return np.fromiter((bool(m.author) for m in coverage.metas), bool, len(coverage.metas))


def _published_within(
    coverage: Coverage, ranked: list[tuple[int, float]], period: Period | None
) -> list[tuple[int, float]]:
    """The ranked passages whose articles were published within ``period`` (all without one).

    Candidates already favour the period (it is the intent's when the question names none),
    so filtering them keeps the best passages of the period.
    """
    if period is None:
        return ranked
    days = published_days(coverage)
    first, last = period.first.toordinal(), period.last.toordinal()
    return [hit for hit in ranked if first <= days[coverage.passages[hit[0]][0]] <= last]


def _articles_described(coverage: Coverage, naming: set[str]) -> frozenset[int]:
    titled = titled_articles(coverage)
    return frozenset(int(article) for term in naming for article in titled.get(term, ()))


def _term_weights(coverage: Coverage, terms: QuestionTerms) -> dict[str, float]:
    """Inverse document frequency of each content term; unknown terms weigh the most."""
    n = coverage.bm25.n_docs
    weights = {}
    for term, _ in terms.content:
        index = coverage.bm25.vocab.get(term)
        df = (
            0
            if index is None
            else int(coverage.bm25.indptr[index + 1] - coverage.bm25.indptr[index])
        )
        weights[term] = math.log((n + 1) / (df + 0.5))
    return weights


def _windows(
    split: _Sentences, ranked: Sequence[tuple[int, float]], prefs: _Preferences
) -> list[_Window]:
    """Every one- and two-sentence window of the ranked passages, scored.

    Score: the share of the question's weighted vocabulary the window covers, plus the named
    features of ``Weights``, minus a length penalty; see ``_features`` for the rest.
    """
    if not ranked:
        return []
    coverage = split.coverage
    top = max(score for _, score in ranked) or 1.0
    windows = []
    for number, bm25_score in ranked:
        article = int(coverage.passages[number][0])
        own = split.of_passage(number)
        following = split.neighbour(number, +1)
        turn = _NO_TURN
        for i in range(len(own)):
            # Pairs may reach into the next passage of the paragraph: passages are cut every
            # few sentences, and an answer can straddle the cut.
            pairs = [(own[i], own[i + 1])] if i + 1 < len(own) else []
            if i + 1 == len(own) and following is not None:
                pairs.append((own[i], following))
            if prefs.weights.speakers and (i == 0 or split.opens_turn(article, own[i])):
                turn = split.turn(article, own[i].start)
            if turn.reporter:
                continue  # a reporter's question is never the answer
            for first, last in [(own[i], own[i]), *pairs]:
                window = _window(split, number, i, first, last, turn, bm25_score / top, prefs)
                if window is not None:
                    windows.append(window)
    return windows


def _window(
    split: _Sentences,
    number: int,
    i: int,
    first: Span,
    last: Span,
    turn: _Turn,
    relevance: float,
    prefs: _Preferences,
) -> _Window | None:
    """One window (sentences ``first`` to ``last`` of passage ``number``), scored, or None."""
    article = int(split.coverage.passages[number][0])
    weights, total, tuning = prefs.term_weights, prefs.total, prefs.weights
    found = split.terms_at(article, first)
    if first != last:
        found = found | split.terms_at(article, last)
    if turn.voice:
        # The speaker of a transcript turn is named once, in its label, yet every sentence
        # of the turn is theirs.
        found = found | turn.voice
    about = split.about(article)
    asked = turn.asked if tuning.asked else _NO_VOICE
    covered = 0.0
    for term, weight in weights.items():
        if term in found:
            covered += weight
        elif term in about:
            covered += tuning.title * weight
        elif term in asked:
            covered += tuning.asked * weight
    covered /= total
    keys = prefs.keys
    held = sum(1 for k in keys if k in found or k in about or k in asked)
    key = held / len(keys) if keys else 1.0
    lo, hi = first.start, last.end
    scored = _features(split, article, lo, hi, found, turn, prefs)
    if scored is None:
        return None
    bonus, basis = scored
    ends = (first,) if first == last else (first, last)
    if tuning.novelty and _restates(split, article, ends, prefs):
        bonus -= tuning.novelty
        basis = (*basis, "restates the question")
    alone = max([split.weight_held(article, s, _NO_VOICE, weights) for s in ends]) / total
    # The speaker's label belongs to every sentence of the turn.
    if turn.voice:
        single = max([split.weight_held(article, s, turn.voice, weights) for s in ends]) / total
    else:
        single = alone
    if first != last:  # the question's words in one sentence beat the same words in two
        bonus += tuning.proximity * (alone / covered - 1 if covered else 0.0)
    if key >= 1.0:
        basis = ("all key terms", *basis)
    # Longer quotes lose a little always (ties go to the shorter) and more past target.
    penalty = (hi - lo) / 100_000 + max(0, hi - lo - QUOTE_TARGET_CHARS) / 1000
    score = covered + tuning.bm25 * relevance - penalty + bonus
    return _Window(article, number, lo, hi, covered, score, found, i, last, basis, key, single)


def _restates(split: _Sentences, article: int, parts: Sequence[Span], prefs: _Preferences) -> bool:
    """Whether a window says nothing beyond the question and its article's title.

    "President Biden spoke today with President Macron of France." shares every word of
    "What did Biden and Macron talk about?" and answers nothing: an answer brings at least
    ``NOVEL_TERMS`` words of its own that are not everyday words of the coverage.
    """
    novel = split.novel(article, parts[0], prefs.term_weights)
    if len(novel) >= NOVEL_TERMS or len(parts) == 1:
        return len(novel) < NOVEL_TERMS  # most windows are settled by their first sentence
    return len(novel | split.novel(article, parts[-1], prefs.term_weights)) < NOVEL_TERMS


def _features(
    split: _Sentences,
    article: int,
    lo: int,
    hi: int,
    found: frozenset[str],
    turn: _Turn,
    prefs: _Preferences,
) -> tuple[float, tuple[str, ...]] | None:
    """The window's feature bonus and the evidence behind it; None when it cannot answer.

    "What did X say" needs speech: X's own turn, a verb of saying, or quotation marks.
    """
    quote = split.body(article)[lo:hi]
    intent, weights, evidence = prefs.intent, prefs.weights, prefs.evidence
    basis: list[str] = []
    bonus = 0.0
    own_turn = bool(intent.speaker & turn.voice)
    # Readouts name their speaker once, at the top ("Vladimir Putin had a telephone
    # conversation ..."), then report speech as "The President of Russia noted ...".
    named = intent.speaker & (found | split.about(article)) if intent.speaker else _NO_VOICE
    # The quote is searched for speech once, and only when an answer turns on it.
    speaks = (bool(named) or (intent.wants_speech and not own_turn)) and bool(SPEECH.search(quote))
    attributed = bool(named) and speaks
    if intent.wants_speech and not (own_turn or speaks):
        return None  # "what did X say" is not answered by a passage where nobody speaks
    if own_turn or attributed:
        bonus += weights.speakers
        basis.append("speaker's own turn" if own_turn else "speech attributed")
    if (
        intent.period is not None
        and weights.dates
        and _dated(split, article, quote, intent, evidence)
    ):
        bonus += weights.dates
        basis.append("date matches")
    if intent.shape is not None and intent.shape.search(quote):
        bonus += weights.shape
        basis.append("answer shape")
    if prefs.wants_author and split.coverage.metas[article].author:
        bonus += AUTHORED_BONUS
    if _asks(quote):
        bonus -= QUESTION_PENALTY
    return bonus, tuple(basis)


def _asks(text: str) -> bool:
    """Whether ``text`` ends in a question mark (closing quotation marks aside)."""
    return text.rstrip("”’\"' ").endswith("?")


def _dated(
    split: _Sentences, article: int, quote: str, intent: Intent, evidence: _Evidence
) -> bool:
    """Whether the article is from the named period, or the quote names a day within it."""
    if evidence.dated[article]:
        return True
    assert intent.period is not None
    day = published_days(split.coverage)[article]
    published = date.fromordinal(int(day)) if day else None
    period = intent.period
    return any(period.first <= day <= period.last for day, _, _ in extract_dates(quote, published))


def _with_context(split: _Sentences, window: _Window) -> _Window:
    """Add the sentence before a quote that leans on it, and the one after that completes it:
    a short one, or the next sentence of a one-sentence quote (``FOLLOWED_QUOTE_CHARS``)."""
    body = split.body(window.article)
    own = split.of_passage(window.passage)
    before = own[window.first - 1] if window.first > 0 else split.neighbour(window.passage, -1)
    after = split.after(window.passage, window.last)
    lo, hi = window.start, window.end
    if before is not None and needs_context(body[lo:hi]) and hi - before.start <= MAX_QUOTE_CHARS:
        lo = before.start
    short = after is not None and after.end - after.start <= SHORT_SENTENCE_CHARS
    if after is not None and short and after.end - lo <= MAX_QUOTE_CHARS:
        hi = after.end
    elif window.start == window.last.start:
        following = split.following(window.passage, window.last)
        if following is not None and following.end - lo <= FOLLOWED_QUOTE_CHARS:
            hi = following.end
    return replace(window, start=lo, end=hi)


def _choose(windows: Sequence[_Window], limit: int) -> list[_Window]:
    """The best windows, no overlaps or near-duplicates.

    Two quotes may come from one passage: a readout's passage can hold both the sentence that
    shares the question's words and, beside it, the one that answers. Quotes after the first
    must cover ``MIN_SUPPORT`` of the question themselves; one that does not is passed over,
    never the end of the list (a new source's bonus can rank it above ones that do).
    """
    chosen: list[_Window] = []
    pool = list(windows)
    while pool and len(chosen) < limit:
        cited = {w.article for w in chosen}
        best = max(
            pool,
            key=lambda w: w.score + (NEW_SOURCE_BONUS if chosen and w.article not in cited else 0),
        )
        pool.remove(best)
        if not chosen:
            pool = [w for w in pool if w.coverage >= MIN_SUPPORT]
        if any(_clashes(best, other) for other in chosen):
            continue
        chosen.append(best)
    return chosen


def _distinct(chosen: list[_Window]) -> list[_Window]:
    """The chosen quotes less any that context made overlap one before it: a quote grown by
    the sentence before it can take in another quote's sentence, or become that quote."""
    kept: list[_Window] = []
    for window in chosen:
        if not any(_overlaps(window, other) for other in kept):
            kept.append(window)
    return kept


def _clashes(window: _Window, other: _Window) -> bool:
    return _overlaps(window, other) or jaccard(window.terms, other.terms) >= 0.7


def _overlaps(window: _Window, other: _Window) -> bool:
    """Whether two windows share text (same article, intersecting spans)."""
    return window.article == other.article and window.start < other.end and other.start < window.end


def _decline(
    coverage: Coverage, question: str, missing: tuple[str, ...], ranked: Sequence[tuple[int, float]]
) -> Answer:
    suggestions = _suggestions(coverage, ranked)
    if missing:
        words = ", ".join(f"“{word}”" for word in missing)
        said = f"The coverage doesn't say: no article mentions {words}."
    else:
        said = "The coverage doesn't answer that: no passage speaks to the whole question."
    if suggestions:
        said += " Closest articles: " + "; ".join(f"“{s.title}”" for s in suggestions) + "."
    return Answer(question, False, said, (), missing, suggestions)


def _suggestions(
    coverage: Coverage, ranked: Sequence[tuple[int, float]], most: int = 3
) -> tuple[Suggestion, ...]:
    seen: dict[int, None] = {}
    for number, _ in ranked:
        seen.setdefault(int(coverage.passages[number][0]), None)
        if len(seen) == most:
            break
    metas = (coverage.metas[i] for i in seen)
    return tuple(Suggestion(meta.id, meta.title, meta.url) for meta in metas)


def render_text(citations: Sequence[Citation]) -> str:
    """The plain text a person reads: the quotes, each with its source and link."""
    blocks = []
    for i, citation in enumerate(citations):
        credit = byline(citation, ", ")
        source = f"{citation.title} ({credit})" if credit else citation.title
        link = f" {citation.link}" if citation.link else ""
        lead = "" if i == 0 else ("Also: " if i == 1 else "And: ")
        blocks.append(f"{lead}“{citation.quote}”\n— {source}{link}")
    return "\n\n".join(blocks)
