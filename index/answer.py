"""Questions into answers: the sentence or two of the coverage that answer, quoted exactly.

The path: check the question; answer questions about the coverage itself from metadata
(``index.metadata``); otherwise rank passages with BM25, cut them into one- and two-sentence
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
from dataclasses import dataclass, replace

from index.analyze import analyze, jaccard
from index.cite import cite
from index.coverage import Coverage
from index.metadata import all_metadata_terms, metadata_answer, metadata_terms
from index.models import Answer, Citation, Span, Suggestion, byline
from index.passages import needs_context, sentences
from index.question import QuestionTerms, answer_shape, key_terms, problem

#: Share of the question's weighted vocabulary the best quote must cover to answer at all.
MIN_COVERAGE = 0.35
#: Share a second or third quote must cover to be shown beside the first.
MIN_SUPPORT = 0.4
#: Passages read per question; quotes are chosen among their sentences.
CANDIDATE_PASSAGES = 40
#: Ranked passages those candidates are drawn from.
CANDIDATE_POOL = 400
#: Candidates per article before other articles get theirs, so a long transcript cannot crowd
#: out every other source.
PASSAGES_PER_ARTICLE = 3
#: Quotes up to this length carry no penalty; longer ones lose score gradually.
QUOTE_TARGET_CHARS = 300
#: A sentence this short after a quote completes it ("Of course, it didn't.").
SHORT_SENTENCE_CHARS = 40
#: Longest quote, context included (Discord embeds and readers both prefer short quotes).
MAX_QUOTE_CHARS = 600
#: Score bonus for a quote from an article not yet cited: a second source beats a second quote.
NEW_SOURCE_BONUS = 0.1
#: Bonus to a quote shaped like the answer the question asks for (a reason, a number, a date).
SHAPE_BONUS = 0.15
#: Framing words of a question about what someone said ("What did Macron say ...?").
SPEECH_QUESTION_WORDS = frozenset(analyze("say tell"))
#: Text that reports speech: a verb of saying, an attribution, or quotation marks.
SPEECH = re.compile(
    r"\b(said|says|say|saying|told|tells|tell|spoke|speaks|affirmed|noted|warned|argued|"
    r"added|stated|claimed|insisted|asked|replied|declared|announced|wrote|snarled|commented|"
    r"remarked|explained|suggested|acknowledged|admitted|promised|threatened|urged|vowed|"
    r"reiterated|emphasi[sz]ed|assured|according to)\b|[“”\"]",
    re.IGNORECASE,
)
#: Framing words that point at an article's author ("what does the author think").
AUTHOR_WORDS = frozenset(analyze("author writer"))
#: Bonus, when the question asks about "the author", to quotes from articles that name one.
AUTHORED_BONUS = 0.1
#: Penalty for a quote that is itself only a question: a question rarely answers one.
QUESTION_PENALTY = 0.1
#: Weight of the passage's BM25 score (relative to the best) beside vocabulary coverage.
BM25_WEIGHT = 0.15


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


@dataclass(frozen=True, slots=True)
class _Preferences:
    """What the question's wording says a good quote looks like."""

    shape: re.Pattern[str] | None  #: what an answer looks like ("why": a reason), if known
    wants_author: bool  #: asks about "the author": favour articles that name one
    articles: frozenset[int]  #: articles the question names by byline or title, if any
    wants_speech: bool  #: "what did X say/tell": only quotes that report speech can answer


class _Sentences:
    """Sentence spans and terms of candidate passages, computed once per question.

    Only passages (and their neighbours, for context) are split, never whole bodies: a
    briefing transcript can run to hundreds of sentences.
    """

    def __init__(self, coverage: Coverage) -> None:
        self.coverage = coverage
        self.bodies: dict[int, str] = {}
        self.spans: dict[int, list[Span]] = {}
        self.terms: dict[tuple[int, int], frozenset[str]] = {}

    def body(self, article: int) -> str:
        if article not in self.bodies:
            self.bodies[article] = self.coverage.body(article)
        return self.bodies[article]

    def of_passage(self, number: int) -> list[Span]:
        """The sentences of passage ``number``."""
        if number not in self.spans:
            article, start, end = (int(v) for v in self.coverage.passages[number])
            self.spans[number] = sentences(self.body(article), Span(start, end))
        return self.spans[number]

    def terms_at(self, article: int, span: Span) -> frozenset[str]:
        """Analysed terms of one sentence."""
        key = (article, span.start)
        if key not in self.terms:
            self.terms[key] = frozenset(analyze(self.body(article)[span.start : span.end]))
        return self.terms[key]

    def after(self, number: int, sentence: Span) -> Span | None:
        """The sentence after ``sentence``: one of passage ``number`` or the next one's first."""
        own = self.of_passage(number)
        if sentence in own:
            i = own.index(sentence)
            return own[i + 1] if i + 1 < len(own) else self.neighbour(number, +1)
        following = self.of_passage(number + 1)
        return following[1] if len(following) > 1 else self.neighbour(number + 1, +1)

    def neighbour(self, number: int, step: int) -> Span | None:
        """The sentence just before (step -1) or after (+1) passage ``number``, same paragraph."""
        other = number + step
        if not 0 <= other < len(self.coverage.passages):
            return None
        article = int(self.coverage.passages[number][0])
        if int(self.coverage.passages[other][0]) != article:
            return None
        span = self.of_passage(other)[-1 if step < 0 else 0]
        here = self.of_passage(number)[0 if step < 0 else -1]
        gap = self.body(article)[min(span.end, here.end) : max(span.start, here.start)]
        return None if "\n\n" in gap else span


def answer(coverage: Coverage, question: str, *, max_chars: int = 500, limit: int = 3) -> Answer:
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
    """
    refusal = problem(question, max_chars)
    if refusal is not None:
        return Answer(question, False, refusal, (), ())
    about_coverage = metadata_answer(coverage, question, limit)
    if about_coverage is not None:
        return about_coverage
    terms = key_terms(question)
    vocab, described = coverage.bm25.vocab, all_metadata_terms(coverage)
    missing = tuple(w for t, w in terms.content if t not in vocab and t not in described)
    # Words only an article's byline or title holds ("Galeotti", "Puck") pick the article.
    naming = {term for term, _ in terms.content if term in described and term not in vocab}
    weights = {t: w for t, w in _term_weights(coverage, terms).items() if t not in naming}
    query = [term for term, _ in terms.content] + list(terms.framing)
    prefs = _Preferences(
        shape=answer_shape(question),
        wants_author=bool(AUTHOR_WORDS & set(terms.framing)),
        articles=_articles_described(coverage, naming),
        wants_speech=bool(SPEECH_QUESTION_WORDS & set(terms.framing)),
    )
    ranked = _candidates(coverage, query, prefs)
    if any(t not in vocab and t not in described for t in terms.names):
        # A question about someone or something the coverage never names: nothing can answer it.
        return _decline(coverage, question, missing, ranked)
    split = _Sentences(coverage)
    chosen = [
        _with_context(split, w) for w in _choose(_windows(split, ranked, weights, prefs), limit)
    ]
    if not chosen or chosen[0].coverage < MIN_COVERAGE:
        return _decline(coverage, question, missing, ranked)
    citations = tuple(cite(coverage, w.article, w.start, w.end, w.score) for w in chosen)
    return Answer(question, True, render_text(citations), citations, missing)


def _candidates(
    coverage: Coverage, query: list[str], prefs: _Preferences
) -> list[tuple[int, float]]:
    """The best passages, at most a few per article.

    Only articles the question names by byline or title, or only authored articles when it
    asks about "the author", when there are such passages.
    """
    pool = coverage.ranked(query, CANDIDATE_POOL)
    if prefs.articles:
        named = [hit for hit in pool if int(coverage.passages[hit[0]][0]) in prefs.articles]
        pool = named or pool
    if prefs.wants_author:
        authored = [hit for hit in pool if coverage.metas[int(coverage.passages[hit[0]][0])].author]
        pool = authored or pool
    per_article: dict[int, int] = {}
    first: list[tuple[int, float]] = []
    rest: list[tuple[int, float]] = []
    for number, score in pool:
        article = int(coverage.passages[number][0])
        per_article[article] = per_article.get(article, 0) + 1
        (first if per_article[article] <= PASSAGES_PER_ARTICLE else rest).append((number, score))
    # Capped passages only wait: they fill the slots other articles leave free.
    return (first + rest)[:CANDIDATE_PASSAGES]


def _articles_described(coverage: Coverage, naming: set[str]) -> frozenset[int]:
    if not naming:
        return frozenset()
    described = metadata_terms(coverage)
    return frozenset(i for i, terms in enumerate(described) if naming & terms)


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
    split: _Sentences,
    ranked: Sequence[tuple[int, float]],
    weights: dict[str, float],
    prefs: _Preferences,
) -> list[_Window]:
    """Every one- and two-sentence window of the ranked passages, scored.

    Score: the share of the question's weighted vocabulary the window covers, plus a little
    of its passage's BM25 score, minus a length penalty; see ``_adjust`` for the rest.
    """
    if not ranked:
        return []
    coverage = split.coverage
    top = ranked[0][1] or 1.0
    total = sum(weights.values()) or 1.0
    windows = []
    for number, bm25_score in ranked:
        article = int(coverage.passages[number][0])
        own = split.of_passage(number)
        following = split.neighbour(number, +1)
        for i in range(len(own)):
            # Pairs may reach into the next passage of the paragraph: passages are cut every
            # few sentences, and an answer can straddle the cut.
            pairs = [(own[i], own[i + 1])] if i + 1 < len(own) else []
            if i + 1 == len(own) and following is not None:
                pairs.append((own[i], following))
            for first, last in [(own[i], own[i]), *pairs]:
                found = split.terms_at(article, first) | split.terms_at(article, last)
                covered = sum(w for t, w in weights.items() if t in found) / total
                lo, hi = first.start, last.end
                # Longer quotes lose a little always (ties go to the shorter) and more past target.
                penalty = (hi - lo) / 100_000 + max(0, hi - lo - QUOTE_TARGET_CHARS) / 1000
                score = covered + BM25_WEIGHT * bm25_score / top - penalty
                quote = split.body(article)[lo:hi]
                if prefs.wants_speech and not SPEECH.search(quote):
                    continue  # "what did X say" is not answered by a passage where nobody speaks
                score += _adjust(quote, coverage.metas[article].author, prefs)
                windows.append(_Window(article, number, lo, hi, covered, score, found, i, last))
    return windows


def _adjust(quote: str, author: str | None, prefs: _Preferences) -> float:
    """Score changes from the question's wording and the quote's form."""
    change = 0.0
    if prefs.shape is not None and prefs.shape.search(quote):
        change += SHAPE_BONUS
    if prefs.wants_author and author:
        change += AUTHORED_BONUS
    if quote.rstrip("”’\"' ").endswith("?"):
        change -= QUESTION_PENALTY
    return change


def _with_context(split: _Sentences, window: _Window) -> _Window:
    """Add the sentence before a quote that leans on it, and a short one that completes it."""
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
    return replace(window, start=lo, end=hi)


def _choose(windows: Sequence[_Window], limit: int) -> list[_Window]:
    """The best windows from different passages, no overlaps or near-duplicates."""
    chosen: list[_Window] = []
    pool = list(windows)
    while pool and len(chosen) < limit:
        cited = {w.article for w in chosen}
        best = max(
            pool,
            key=lambda w: w.score + (NEW_SOURCE_BONUS if chosen and w.article not in cited else 0),
        )
        pool.remove(best)
        if chosen and best.coverage < MIN_SUPPORT:
            break
        if any(_clashes(best, other) for other in chosen):
            continue
        chosen.append(best)
    return chosen


def _clashes(window: _Window, other: _Window) -> bool:
    if window.passage == other.passage:
        return True
    if window.article == other.article and window.start < other.end and other.start < window.end:
        return True
    return jaccard(window.terms, other.terms) >= 0.7


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
