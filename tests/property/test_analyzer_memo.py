"""The analyzer that remembers each word's term analyses exactly as the one before it did."""

from __future__ import annotations

import re
import unicodedata
from unittest import mock

from hypothesis import example, given
from hypothesis import strategies as st

from index import analyze as analyzer
from index.analyze import ACRONYMS, IRREGULAR_VERBS, STOPWORDS, analyze, analyze_words

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'", "`": "'"})


def _reference(text: str) -> list[tuple[str, str]]:
    """``analyze_words`` before it remembered words and skipped steps: the oracle."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = re.sub(r"\b(?:[A-Za-z]\.){2,}", lambda m: m.group().replace(".", "").upper(), text)
    text = re.sub(r"'s\b", "", text, flags=re.IGNORECASE)
    words = [
        w
        for w in re.findall(r"[^\W_]+", text)
        if w.casefold() not in STOPWORDS or (w.casefold() in ACRONYMS and w.isupper())
    ]
    folded = [w.casefold() for w in words]
    stems = analyzer._STEMMER.stemWords([IRREGULAR_VERBS.get(w, w) for w in folded])
    return list(zip(stems, words, strict=True))


#: News-like text: words that recur (so remembered terms are reused), stopwords, acronyms,
#: possessives, curly quotes, backticks, ligatures and full-width letters (NFKC changes them).
_piece = st.one_of(
    st.sampled_from(
        [
            "Putin's",
            "U.S.",
            "u.s.a.",
            "US",
            "us",
            "WHO",
            "who",
            "IT",
            "said",
            "Said",
            "spoke",
            "the",
            "The",
            "talks",
            "’s",
            "`s",
            "‘quoted’",
            "ﬁnance",
            "Ｐｕｔｉｎ",
            "O’Neill",
            "e.g.",
            "J.F.K.",
            "Kyiv.",
            "5.5",
            "ÉLYSÉE",
            "straße",
        ]
    ),
    st.text(min_size=1, max_size=12),
)
_text = st.lists(_piece, max_size=25).map(" ".join)


@given(text=_text)
@example(text="Putin’s talks with the U.S. about NATO")
@example(text="ﬁ ﬁ `s U.S.'s")
def test_analysis_is_the_references(text: str) -> None:
    assert analyze_words(text) == _reference(text)
    assert analyze(text) == [term for term, _ in _reference(text)]


@given(text=_text)
def test_a_full_memory_is_emptied_and_analysis_stays_the_same(text: str) -> None:
    with (
        mock.patch.object(analyzer, "TERMS_REMEMBERED", 3),
        mock.patch.dict(analyzer._TERMS, clear=True),
    ):
        assert analyze_words(text) == _reference(text)
        assert analyze_words(text) == _reference(text)  # now from memory, partly
        assert len(analyzer._TERMS) <= 3
