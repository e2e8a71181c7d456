"""Generated article files parse to clean bodies; sentences and passages tile each paragraph."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from index.analyze import ACRONYMS, analyze
from index.ingest.files import parse_json_line, parse_text
from index.models import Article
from index.passages import paragraphs, passage_spans, sentences

_word = st.text(alphabet=st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=9)
_sentence = st.tuples(
    st.lists(_word, min_size=8, max_size=14).map(" ".join),  # prose, as the header rules expect
    st.sampled_from([".", "?", "!", ".”", " (U.S.).", " Mr. Smith said."]),
).map(lambda parts: parts[0][:1].upper() + parts[0][1:] + parts[1])
_paragraph = st.lists(_sentence, min_size=1, max_size=6).map(" ".join)
_body = st.lists(_paragraph, min_size=1, max_size=5)


@given(paragraphs_=_body, title=st.lists(_word, min_size=1, max_size=6).map(" ".join))
def test_header_files_parse_to_their_paragraphs(paragraphs_: list[str], title: str) -> None:
    text = (
        f"# {title}\n\nBy [Jane Roe](#)\n\nDecember 08, 2021\n\n" + "\n\n".join(paragraphs_) + "\n"
    )
    article = parse_text(text, "generated.md")
    assert isinstance(article, Article)
    assert article.author == "Jane Roe" and article.published == "2021-12-08"
    assert article.body == "\n\n".join(" ".join(p.split()) for p in paragraphs_)


@given(paragraphs_=_body, title=st.lists(_word, min_size=1, max_size=6).map(" ".join))
def test_json_lines_parse_to_their_paragraphs(paragraphs_: list[str], title: str) -> None:
    line = json.dumps(
        {
            "title": title,
            "url": "https://x.example/a",
            "date": "2022-01-02",
            "body": "\n\n".join(paragraphs_),
        }
    )
    article = parse_json_line(line, "export.jsonl:7")
    assert isinstance(article, Article) and article.body == "\n\n".join(paragraphs_)


@given(paragraphs_=_body)
def test_sentences_and_passages_tile_each_paragraph(paragraphs_: list[str]) -> None:
    body = "\n\n".join(paragraphs_)
    for unit in (sentences(body), passage_spans(body)):
        previous_end = 0
        for span in unit:
            assert 0 <= previous_end <= span.start < span.end <= len(body)
            text = body[span.start : span.end]
            assert text == text.strip() and "\n\n" not in text  # trimmed; never across paragraphs
            previous_end = span.end
        covered = "".join(body[s.start : s.end] for s in unit)
        assert "".join(covered.split()) == "".join(body.split())  # every character, once
    assert len(paragraphs(body)) == len(paragraphs_)


@given(
    words=st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz'", min_size=1, max_size=10), max_size=30
    )
)
@example(words=["a'it"])  # "A'IT" holds the acronym "IT": apostrophes split words
def test_the_analyzer_ignores_case_except_for_the_acronyms_it_keeps(words: list[str]) -> None:
    text = " ".join(w for w in words if not ACRONYMS & set(w.split("'")))
    assert analyze(text) == analyze(text)  # deterministic
    assert analyze(text.upper()) == analyze(text) == analyze(text.title())
    assert analyze("the US and us") == ["us"] and analyze("WHO said it") == ["who", "say"]
