"""The analyzer: one pure function from text to index terms, shared by passages and questions.

Steps: Unicode NFKC normalisation, curly quotes and apostrophes made straight, possessive
``'s`` dropped, dotted acronyms joined ("U.S." -> "US"), one regex split into words, English
stopwords removed, common irregular verb forms mapped to their base ("said" -> "say"),
Snowball (Porter2) stemming via PyStemmer. The few stopwords that are also
acronyms ("US", "WHO", "IT") are kept when written in capitals, so the country survives while
the pronoun "us" does not. The name and version are stored with the index: changing anything
here must bump ``ANALYZER_VERSION`` so that existing indexes are rebuilt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set as AbstractSet

import Stemmer

#: Stored with every index; an index built by another analyzer is stale.
ANALYZER_VERSION = "en-porter2-v2"

#: Stopwords that are also acronyms: kept when written in capitals.
ACRONYMS = frozenset({"us", "who", "it"})
#: English stopwords (the NLTK list, plus contraction remnants left by the split).
STOPWORDS = frozenset(
    """
    a about above after again against ain all am an and any are aren as at be because been
    before being below between both but by can couldn could d did didn do does doesn doing
    don down during each few for from further had hadn has hasn have haven having he her here
    hers herself him himself his how i if in into is isn it its itself just ll m ma me mightn
    more most mustn my myself needn no nor not now o of off on once only or other our ours
    ourselves out over own re s same shan she should shouldn so some such t than that the
    their theirs them themselves then there these they this those through to too under until
    up ve very was wasn we were weren what when where which while who whom why will with won
    wouldn y you your yours yourself yourselves would also us
    """.split()
)

#: Irregular verb forms the stemmer cannot relate to their base ("said" vs "say").
IRREGULAR_VERBS = {
    form: base
    for base, forms in {
        "say": "said says",
        "tell": "told",
        "meet": "met",
        "speak": "spoke spoken",
        "write": "wrote written",
        "think": "thought",
        "take": "took taken",
        "give": "gave given",
        "begin": "began begun",
        "fight": "fought",
        "hold": "held",
        "send": "sent",
        "bring": "brought",
        "buy": "bought",
        "seek": "sought",
        "choose": "chose chosen",
        "know": "knew known",
        "grow": "grew grown",
        "go": "went gone",
        "run": "ran",
        "lead": "led",
        "make": "made",
        "feel": "felt",
        "keep": "kept",
        "strike": "struck",
        "stand": "stood",
        "understand": "understood",
        "spend": "spent",
        "lose": "lost",
        "pay": "paid",
        "rise": "rose risen",
        "fall": "fell fallen",
        "break": "broke broken",
        "hear": "heard",
        "sell": "sold",
        "build": "built",
        "become": "became",
        "come": "came",
        "see": "saw seen",
        "leave": "left",
        "sit": "sat",
        "win": "won",
        "mean": "meant",
        "draw": "drew drawn",
        "throw": "threw thrown",
        "drive": "drove driven",
        "flee": "fled",
        "freeze": "froze frozen",
        "hide": "hid hidden",
        "shoot": "shot",
        "steal": "stole stolen",
        "swear": "swore sworn",
        "tear": "tore torn",
        "wear": "wore worn",
        "forbid": "forbade",
    }.items()
    for form in forms.split()
}

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'", "`": "'"})
_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_POSSESSIVE = re.compile(r"'s\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")
_STEMMER = Stemmer.Stemmer("english")
#: Words whose term is remembered (``_TERMS``) before the memory is emptied and refilled.
TERMS_REMEMBERED = 200_000
#: Each word met so far (as written) and its term, or None for a stopword.
_TERMS: dict[str, str | None] = {}


def analyze(text: str) -> list[str]:
    """Turn text into index terms; repeats are kept, because BM25 counts them.

    >>> analyze("Putin's talks with the U.S. about NATO")
    ['putin', 'talk', 'us', 'nato']
    """
    return [term for term, _ in analyze_words(text)]


def analyze_words(text: str) -> list[tuple[str, str]]:
    """Like ``analyze``, but each term comes with the word it was made from.

    Answers name the question's words that the coverage lacks; those are the words as
    the user typed them (normalised), not their stems.

    Analysing the sentences of the passages a question reads is much of a first answer's
    time, so each word's term is remembered (most words recur), and steps that cannot
    change the text are skipped (ASCII is already NFKC; no period, no acronym; no
    apostrophe, no possessive).
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.translate(_QUOTES)
    if "." in text:
        text = _ACRONYM.sub(_joined_acronym, text)
    if "'" in text:
        text = _POSSESSIVE.sub("", text)
    pairs = []
    for word in _WORD.findall(text):
        try:
            term = _TERMS[word]
        except KeyError:
            term = _term(word)
        if term is not None:
            pairs.append((term, word))
    return pairs


def _joined_acronym(match: re.Match[str]) -> str:
    return match.group().replace(".", "").upper()


def _term(word: str) -> str | None:
    """The term of one word, None for a stopword; remembered in ``_TERMS``."""
    folded = word.casefold()
    keep = folded not in STOPWORDS or (folded in ACRONYMS and word.isupper())
    term: str | None = _STEMMER.stemWord(IRREGULAR_VERBS.get(folded, folded)) if keep else None
    if len(_TERMS) >= TERMS_REMEMBERED:
        _TERMS.clear()
    _TERMS[word] = term
    return term


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """Share of terms two texts have in common (0 when both are empty): how alike they read."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0
