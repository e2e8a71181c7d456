"""Properties of feed parsing, entry content and the announcement of new articles."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from hypothesis import given
from hypothesis import strategies as st

from bot.render import CONTENT_LIMIT, new_articles_text
from index.ingest.feeds import content_paragraphs, parse_feed
from index.models import Article
from tests.feedserver import atom, rss1, rss2

#: Text a feed can carry in XML: letters, digits, punctuation, symbols and spaces. Not
#: U+0080-U+00FF: feedparser repairs what looks like UTF-8 read as Latin-1 ("Â¡" -> "¡").
TEXT = st.text(
    st.characters(categories=("L", "N", "P", "S", "Zs")).filter(
        lambda c: not 0x80 <= ord(c) <= 0xFF
    ),
    max_size=40,
)
TITLES = st.lists(TEXT.filter(lambda t: t.strip()), min_size=1, max_size=6)


@given(st.lists(st.text(max_size=60), max_size=6))
def test_paragraph_tags_give_back_the_paragraphs(paragraphs: list[str]) -> None:
    html = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    expected = [" ".join(text.split()) for text in paragraphs if text.split()]
    assert content_paragraphs(html) == expected


@given(st.text(max_size=200))
def test_content_paragraphs_are_trimmed_and_never_empty(html: str) -> None:
    for paragraph in content_paragraphs(html):
        assert paragraph and paragraph == " ".join(paragraph.split())


def _rss2(titles: list[str]) -> str:
    return rss2(
        [
            {
                "title": t,
                "link": f"https://example.com/{n}",
                "guid": f"g{n}",
                "date": "Mon, 02 Nov 2026 10:00:00 GMT",
            }
            for n, t in enumerate(titles)
        ]
    )


def _rss1(titles: list[str]) -> str:
    return rss1(
        [
            {
                "title": t,
                "link": f"https://example.com/{n}",
                "date": "2026-11-02T10:00:00Z",
                "author": "A",
            }
            for n, t in enumerate(titles)
        ]
    )


def _atom(titles: list[str]) -> str:
    return atom(
        [
            {
                "title": t,
                "link": f"https://example.com/{n}",
                "id": f"urn:{n}",
                "date": "2026-11-02T10:00:00Z",
                "author": "A",
            }
            for n, t in enumerate(titles)
        ]
    )


@given(TITLES, st.sampled_from([_rss2, _rss1, _atom]))
def test_every_entry_of_every_format_is_read_in_order(
    titles: list[str], render: Callable[[list[str]], str]
) -> None:
    _, entries, warning = parse_feed(render(titles).encode(), "https://example.com/feed", {})
    assert warning is None
    assert [e.link for e in entries] == [f"https://example.com/{n}" for n in range(len(titles))]
    assert [e.title for e in entries] == [" ".join(t.split()) for t in titles]
    assert all(e.published == "2026-11-02" for e in entries)
    assert len({e.identity for e in entries}) == len(titles)


def _article(title: str, url: str | None) -> Article:
    return Article("id", title, None, None, None, url, "body", "feed")


@given(
    st.lists(
        st.builds(
            _article,
            st.text(min_size=1, max_size=300),
            st.sampled_from([None, "https://example.com/a>b", "https://example.com/x"]),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_an_announcement_fits_one_message_and_counts_every_article(
    articles: list[Article],
) -> None:
    text = new_articles_text(articles)
    assert len(text) <= CONTENT_LIMIT
    head, *lines = text.split("\n")
    plural = "s" if len(articles) != 1 else ""
    assert head == f"**{len(articles)} new article{plural} in the coverage**"
    listed = [line for line in lines if line.startswith("• ")]
    more = re.fullmatch(r"… and (\d+) more", lines[-1]) if lines else None
    assert len(listed) + (int(more[1]) if more else 0) == len(articles)
    assert "@everyone" not in text and "@here" not in text
