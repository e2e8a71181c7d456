"""Extractive summaries: the sentences that carry an article, a topic, or the whole coverage.

Every summary sentence is a verbatim sentence of an article (``body[start:end]``), cited with
a link that highlights it. Sentences are scored by TextRank centrality (how much of the rest
of the text they share, over analysed terms); near-duplicates are skipped, and a sentence that
leans on the one before it ("He said ...") only comes with it. The choices were measured on
half of the BBC summary set (docs/summaries.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from index.analyze import analyze, jaccard
from index.answering.intent import understand
from index.answering.links import text_fragment_link
from index.answering.metadata import metadata_terms
from index.answering.turns import is_reporter, speaker_at
from index.models import Span, Summary, SummarySentence
from index.passages import needs_context, sentences
from index.storage.coverage import Coverage, per_coverage

#: Share of terms in common (Jaccard) above which two sentences say the same thing.
DUPLICATE_SIMILARITY = 0.6
#: A dangling sentence brings the one before it when that one scores at least this share.
PAIR_RATIO = 0.85
#: Passages the topic summary reads.
TOPIC_PASSAGES = 40
#: Words of its own, besides the topic's, a topic summary sentence needs (no filler).
SUMMARY_WORDS = 4
#: An article is about the topic when it names it in at least 1/TOPIC_SHARE as many
#: sentences as the article naming it most (or in its title).
TOPIC_SHARE = 3
#: Widespread terms that describe what the coverage as a whole is about.
COMMON_TERMS = 30
#: Sentences of one text that are ranked, from its start. Ranking compares every pair: the
#: longest article of the grown coverage (2,123 sentences) took 5 s, 50,000 took 19 GB.
MAX_RANKED = 1000

_NON_SPACE = re.compile(r"\S")


@dataclass(frozen=True, slots=True)
class Scored:
    """A sentence of one text, its place and its score."""

    index: int
    span: Span
    score: float


def rank(text: str, spans: Sequence[Span]) -> list[Scored]:
    """Score every sentence of ``text`` (given as ``spans``) for how well it carries the text.

    The score is TextRank centrality: PageRank over a graph whose edges are the terms two
    sentences share. Title closeness, position and length were measured as extra features
    and did not help on the BBC dev half (docs/summaries.md). Only the first ``MAX_RANKED``
    sentences are scored, so a transcript costs at most that much.
    """
    spans = spans[:MAX_RANKED]
    if not spans:
        return []
    bags = [set(analyze(text[s.start : s.end])) for s in spans]
    centrality = _pagerank(_overlap_similarity(bags))
    return [Scored(i, span, float(centrality[i])) for i, span in enumerate(spans)]


def _overlap_similarity(sets: Sequence[set[str]]) -> NDArray[np.float64]:
    """TextRank's sentence similarity: shared terms over the sum of the log lengths.

    Unlike cosine, it grows with sentence length, and so favours sentences that carry more
    (measured: +2.6 ROUGE-1 at three sentences over tf-idf cosine on the BBC dev half).
    """
    logs = [math.log(len(s)) if len(s) > 1 else 0.0 for s in sets]
    n = len(sets)
    similarity = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            denominator = logs[i] + logs[j]
            if denominator > 0:
                similarity[i, j] = similarity[j, i] = len(sets[i] & sets[j]) / denominator
    return similarity


def _pagerank(
    similarity: NDArray[np.float64], damping: float = 0.85, rounds: int = 30
) -> NDArray[np.float64]:
    """TextRank centrality scaled to [0, 1]."""
    n = similarity.shape[0]
    out = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(similarity, out, out=np.full_like(similarity, 1.0 / n), where=out > 0)
    rank_vector = np.full(n, 1.0 / n)
    for _ in range(rounds):
        rank_vector = (1 - damping) / n + damping * transition.T @ rank_vector
    top = float(rank_vector.max())
    scaled: NDArray[np.float64] = rank_vector / top if top > 0 else rank_vector
    return scaled


def select(text: str, ranked: Sequence[Scored], n: int) -> list[Scored]:
    """The ``n`` best sentences in text order: no near-duplicates, none left dangling.

    A sentence opening with "He", "But", "This" ... needs the sentence before it. It comes
    with that sentence when the two are nearly as central (and there is room for both), or
    once that sentence is chosen on its own merit; otherwise it is passed over.
    """
    by_index = {s.index: s for s in ranked}
    bags = {s.index: set(analyze(text[s.span.start : s.span.end])) for s in ranked}
    chosen: dict[int, Scored] = {}
    waiting: dict[int, Scored] = {}
    for candidate in sorted(ranked, key=lambda s: (-s.score, s.index)):
        if len(chosen) >= n:
            break
        if candidate.index in chosen or _repeats(bags, candidate.index, chosen):
            continue
        before = by_index.get(candidate.index - 1)
        dangling = _leans_back(text, candidate.span)
        if dangling and (before is None or before.index not in chosen):
            if before is not None and _worth_pairing(
                before, candidate, len(chosen), n, bags, chosen
            ):
                chosen[before.index] = before
                chosen[candidate.index] = candidate
                continue
            waiting[candidate.index] = candidate
            continue
        chosen[candidate.index] = candidate
        follower = waiting.pop(candidate.index + 1, None)
        if follower is not None and len(chosen) < n:
            chosen[follower.index] = follower
    return sorted(chosen.values(), key=lambda s: s.index)


def _leans_back(text: str, span: Span) -> bool:
    """Whether the sentence at ``span`` needs the one before it ("He said ...").

    The opening sentence of a text has nothing before it to lean on, so it stands alone
    whatever its first word: otherwise "It rained all day." could never be summarised.
    """
    opening = _NON_SPACE.search(text)
    after_opening = opening is not None and opening.start() < span.start
    return after_opening and needs_context(text[span.start : span.end])


def _worth_pairing(
    before: Scored,
    candidate: Scored,
    taken: int,
    n: int,
    bags: dict[int, set[str]],
    chosen: dict[int, Scored],
) -> bool:
    """Bring the sentence before along: nearly as central, room for two, not a repeat."""
    central = before.score >= PAIR_RATIO * candidate.score
    return central and taken + 2 <= n and not _repeats(bags, before.index, chosen)


def _repeats(bags: dict[int, set[str]], index: int, chosen: dict[int, Scored]) -> bool:
    return any(jaccard(bags[index], bags[other]) >= DUPLICATE_SIMILARITY for other in chosen)


def summarize_text(text: str, n: int) -> Summary:
    """A summary of any text (not in the index): its ``n`` most central sentences."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chosen = select(text, rank(text, sentences(text)), n)
    picked = tuple(
        SummarySentence(text[s.span.start : s.span.end], None, s.span.start, s.span.end, None)
        for s in chosen
    )
    return Summary("text", picked, bool(picked))


def summarize_article(coverage: Coverage, article: int, n: int) -> Summary:
    """The sentences that carry one article, in article order."""
    body = coverage.body(article)
    chosen = select(body, rank(body, sentences(body)), n)
    return Summary(
        "article", tuple(_cite(coverage, article, body, s.span) for s in chosen), bool(chosen)
    )


def summarize_topic(coverage: Coverage, topic: str, n: int) -> Summary:
    """The sentences of the coverage most about ``topic``, diverse, grouped by article.

    Declined (``answered`` false) when half or more of the topic's words occur nowhere in the
    coverage, or no sentence holds the ones that do (all but one, for three or more): a topic
    the coverage does not discuss gets no summary. "Nord Stream pipeline" is still Nord Stream.
    """
    terms = understand(topic).content
    known = [term for term in terms if term in coverage.bm25.vocab]
    if not known or 2 * len(known) < len(terms) or (len(terms) <= 2 and len(known) < len(terms)):
        return Summary("topic", (), False)
    ranked = coverage.ranked(known, TOPIC_PASSAGES)
    wanted = set(known)
    candidates: list[tuple[float, int, Span]] = []
    bodies: dict[int, str] = {}
    for number, score in ranked:
        article = int(coverage.passages[number][0])
        body = bodies.setdefault(article, coverage.body(article))
        for span, terms in coverage.sentence_terms(number):
            found = wanted & set(terms)
            whole = len(found) == len(wanted) or (len(wanted) > 2 and len(found) >= len(wanted) - 1)
            if whole and _informative(body, span, wanted):
                candidates.append((score * len(found) / len(wanted), article, span))
    candidates = _from_articles_about(coverage, candidates, wanted)
    picked = _diverse(candidates, bodies, n)
    if not picked:
        return Summary("topic", (), False)
    order = {article: i for i, (_, article, _) in enumerate(picked)}  # best article first
    picked.sort(key=lambda c: (order[c[1]], c[2].start))
    return Summary(
        "topic", tuple(_cite(coverage, a, bodies[a], span) for _, a, span in picked), True
    )


def _informative(body: str, span: Span, topic: set[str]) -> bool:
    """Whether a sentence can stand in a summary: a statement, not a question or filler.

    A reporter's question ("Quickly back to Nord Stream 2."), any sentence ending in "?",
    and a sentence with fewer than ``SUMMARY_WORDS`` words of its own besides the topic's
    say nothing about the topic.
    """
    text = body[span.start : span.end]
    if text.rstrip("”’\"' ").endswith("?") or is_reporter(speaker_at(body, span.start)):
        return False
    return len(set(analyze(text)) - topic) >= SUMMARY_WORDS


def _from_articles_about(
    coverage: Coverage, candidates: list[tuple[float, int, Span]], topic: set[str]
) -> list[tuple[float, int, Span]]:
    """Candidates from articles about the topic: named in the title, or in about as many
    sentences as the article that names it most.

    A briefing that names Nord Stream once, beside readouts about it, is not about it.
    """
    counts: dict[int, int] = {}
    for _, article, _ in candidates:
        counts[article] = counts.get(article, 0) + 1
    titles = metadata_terms(coverage)
    most = max(counts.values(), default=0)
    return [c for c in candidates if counts[c[1]] * TOPIC_SHARE >= most or topic <= titles[c[1]]]


def _diverse(
    candidates: list[tuple[float, int, Span]], bodies: dict[int, str], n: int
) -> list[tuple[float, int, Span]]:
    """Maximal marginal relevance: relevant sentences, each unlike those already chosen."""
    pool = sorted(candidates, key=lambda c: -c[0])
    bags = {(a, s.start): set(analyze(bodies[a][s.start : s.end])) for _, a, s in pool}
    top = pool[0][0] if pool else 1.0
    chosen: list[tuple[float, int, Span]] = []
    while pool and len(chosen) < n:

        def marginal(c: tuple[float, int, Span]) -> float:
            mine = bags[(c[1], c[2].start)]
            overlap = max((jaccard(mine, bags[(o[1], o[2].start)]) for o in chosen), default=0.0)
            return 0.7 * c[0] / top - 0.3 * overlap

        best = max(pool, key=marginal)
        pool.remove(best)
        if _leans_back(bodies[best[1]], best[2]):
            continue
        chosen.append(best)
    return chosen


def summarize_coverage(coverage: Coverage, n: int) -> Summary:
    """What the coverage says as a whole: the best sentence of each of its most central articles.

    Central articles are those whose passages best match the coverage's most widespread
    vocabulary (the terms in the most passages); each contributes its best sentence, so ``n``
    sentences speak for ``n`` articles, grouped by article.
    """
    if len(coverage) == 0:
        return Summary("coverage", (), False)
    articles = _central_articles(coverage, n)
    per_article = max(1, -(-n // len(articles)))
    picks: list[tuple[int, Span]] = []
    for article in articles:
        body = coverage.body(article)
        ranked = rank(body, sentences(body))
        picks += [(article, s.span) for s in select(body, ranked, per_article)]
    chosen = picks[:n]
    return Summary(
        "coverage",
        tuple(_cite(coverage, article, coverage.body(article), span) for article, span in chosen),
        bool(chosen),
    )


def _central_articles(coverage: Coverage, n: int) -> list[int]:
    """Up to ``n`` articles whose passages best match the coverage's widespread terms."""
    if len(coverage) <= n:
        return list(range(len(coverage)))
    found: dict[int, None] = {}
    for number, _ in coverage.ranked(_widespread(coverage), 50 * n):
        found.setdefault(int(coverage.passages[number][0]), None)
        if len(found) == n:
            break
    return list(found)


@per_coverage
def _widespread(coverage: Coverage) -> tuple[str, ...]:
    """The ``COMMON_TERMS`` terms in the most passages (once per loaded index: a vocabulary
    sort, 0.4 s at 1M passages)."""
    df = np.diff(np.asarray(coverage.bm25.indptr))
    ordered = sorted(coverage.bm25.vocab, key=lambda t: -df[coverage.bm25.vocab[t]])
    return tuple(ordered[:COMMON_TERMS])


def _cite(coverage: Coverage, article: int, body: str, span: Span) -> SummarySentence:
    meta = coverage.metas[article]
    quote = body[span.start : span.end]
    return SummarySentence(
        quote, meta.id, span.start, span.end, text_fragment_link(meta.url, quote)
    )
