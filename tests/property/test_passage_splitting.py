"""Passage splitting is linear, and splits exactly as the earlier quadratic version did (with
today's rule for what opens a sentence); a body written all in lowercase is split too; the
index stores each passage's sentences and terms as splitting and analysing give them."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import example, given, settings
from hypothesis import strategies as st

from index import passages
from index.analyze import analyze
from index.models import Article, Span
from index.passages import ABBREVIATIONS, SENTENCE_OPENERS, passage_spans, sentences
from index.storage.bm25 import BM25Params
from index.storage.store import append_articles, load, write_index


def _quadratic_is_boundary(body: str, mark: int, cut: int, end: int) -> bool:
    """The sentence-boundary rule before splitting was made linear: the oracle."""
    following = re.compile(r"\s+([\"'“‘(\[]*)(\S)").match(body, cut, end)
    if following is None:
        return False
    opener, first = following.group(1), following.group(2)
    opens = (first.isalpha() and not first.islower()) or first.isdigit() or opener
    if not (opens or (first.islower() and body.lower() == body)):
        return False
    if body[mark] != ".":
        return True
    token_match = re.compile(r"([\w.'’-]+)$").search(body, max(0, mark - 40), mark)
    token = token_match.group(1) if token_match else ""
    word = token.rsplit("-", 1)[-1].casefold()
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    if "." in word:
        next_word = re.match(r"[\w']+", body[following.start(2) : end])
        return bool(next_word and next_word.group().casefold() in SENTENCE_OPENERS)
    return True


#: Words that exercise every branch of the rule: abbreviations, initials, acronyms, openers,
#: quotes, hyphens and apostrophes, digits, other scripts, and tokens longer than the window.
_WORDS = [
    *"U.S. u.s. U.K. e.g. i.e. Mr. mr. Gen. F. J. A. The the He he it It But And said. "
    "Army Navy 3.5 2021. Jean-Luc Jean-Mr. O'Neill O’Brien. _x. ﬁ. ²³. Ünited Ω. 北京. "
    "end. end? end! end… end.” end.) (The “He ‘It [A] – - . .. ... ? ! \" ' ” ’".split(),
    "x" * 45 + ".",
    "a.b." * 12,
    "U.S.-led",
]
_TOKENS = st.one_of(
    st.sampled_from(_WORDS),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6),
)
_SPACES = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0"])
_texts = st.lists(st.tuples(_TOKENS, _SPACES), max_size=80).map(
    lambda pairs: "".join(token + space for token, space in pairs)
)


@given(_texts)
@example("U.S.\n. U.S. ")  # the old token rule's ``$`` also matched before a line break
def test_sentences_and_passages_are_as_before(text: str) -> None:
    now = (sentences(text), passage_spans(text))
    with mock.patch.object(passages, "_is_boundary", _quadratic_is_boundary):
        before = (sentences(text), passage_spans(text))
    assert now == before


def test_a_huge_paragraph_full_of_acronyms_is_split() -> None:
    """4 MB in one paragraph: the quadratic version took 20 s for 2 MB and minutes for this."""
    sentence = "U.S. Army and U.S. Navy. "  # "U.S. Navy" goes on; "Navy. U.S." is a new sentence
    body = (sentence * (4_000_000 // len(sentence))).strip()
    spans = passage_spans(body)
    assert len(spans) == -(-body.count("Navy.") // passages.PASSAGE_SENTENCES)
    assert spans[0] == passages.Span(0, 3 * len(sentence) - 1) and spans[-1].end == len(body)


_lower_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9)
_lower_sentences = st.lists(_lower_words, min_size=1, max_size=12).map(" ".join)


@given(st.lists(_lower_sentences, min_size=1, max_size=40))
def test_a_body_written_all_in_lowercase_is_split_into_its_sentences(said: list[str]) -> None:
    """A lowercased feed or transcript: every period before a word ends a sentence (but
    after an abbreviation or initial), so passages stay quotable."""
    body = ". ".join(said) + "."
    # a sentence ending in "mr" or "a" runs on into the next
    cuts = sum(s.split()[-1] not in ABBREVIATIONS and len(s.split()[-1]) > 1 for s in said[:-1])
    assert len(sentences(body)) == cuts + 1
    for span in passage_spans(body):
        inner = sentences(body, span)
        assert span.end - span.start <= passages.PASSAGE_CHARS or len(inner) == 1


def test_only_a_body_without_capitals_splits_before_lowercase() -> None:
    lowered = "talks ended. they will meet again."
    assert len(sentences(lowered)) == 2
    assert len(sentences("Talks ended. they will meet again.")) == 1  # a capital elsewhere
    assert len(sentences("他说了. 我们来了.")) == 2  # a script without case


class _LastSplit(str):
    """A body that, once nothing holds it any more, has another body split: what a second
    thread (a feed's addition beside a question being answered) may do at that moment."""

    def __del__(self) -> None:
        sentences("Written in capitals. then a lowercase word.")


def test_the_lowercase_rule_answers_for_the_body_split_even_when_another_is_split_meanwhile() -> (
    None
):
    """The answer was read back from the shared last-body entry after writing it, so a body
    split in between (on another thread) lent its answer to this one."""
    sentences(_LastSplit("first. then second."))  # the last-body entry holds it alone now
    body = "one. two. three."
    assert [body[s.start : s.end] for s in sentences(body)] == ["one.", "two.", "three."]


@settings(max_examples=40, deadline=None)
@given(st.lists(_texts, min_size=1, max_size=4), st.integers(0, 3))
def test_the_index_stores_each_passages_sentences_and_their_terms(
    bodies: list[str], added: int
) -> None:
    """What answering reads from the index is what splitting and analysing would give, in
    a generation and in a delta added beside it; a passage's terms are its sentences'."""
    articles = [
        Article(f"a{i}", f"Title {i}", None, None, None, None, body, f"a{i}.md")
        for i, body in enumerate(bodies)
    ]
    cut = max(1, len(articles) - added)
    with tempfile.TemporaryDirectory() as directory:
        write_index(articles[:cut], Path(directory), BM25Params(), "fp", 0.0)
        if articles[cut:]:
            append_articles(articles[cut:], Path(directory), BM25Params(), "fp2")
        coverage = load(Path(directory))
    names = list(coverage.bm25.vocab)
    for number, (article, start, end) in enumerate(coverage.passages.tolist()):
        body = bodies[article]
        stored = coverage.sentences(number)
        assert [span for span, _ in stored] == sentences(body, Span(start, end))
        for span, ids in stored:
            assert [names[i] for i in ids] == analyze(body[span.start : span.end])
        assert sum(len(ids) for _, ids in stored) == len(analyze(body[start:end]))
        assert coverage.bm25.doc_len[number] == len(analyze(body[start:end]))
