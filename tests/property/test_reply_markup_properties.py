"""Replies quoting what members typed or pages said: no masked link, no mention gets through.

``/feeds add|list|remove`` show a feed's name, URL and last error; ``/add`` the fetched page
title and problems naming the URL typed. Before escaping, a feed URL such as
``https://example.com/a>[x](https://evil.example)`` planted a masked link in ``/feeds list``.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot import render
from index.ingest.feeds import Validators
from index.ingest.feedstore import Feed
from index.models import Article
from tests.markdown import planted_markup

EVIL_URL = "https://example.com/a>[x](https://evil.example)"
_MARKUP = st.sampled_from(["[x](https://evil.example)", "@everyone", "<@123456789012345678>"])
#: Text salted with what would plant markup, and arbitrary text besides.
_TEXT = st.lists(st.one_of(_MARKUP, st.text(max_size=30)), max_size=6).map("".join)
_URLS = st.one_of(
    st.just(EVIL_URL), _TEXT.map("https://example.com/{}".format), _TEXT.map("http://h/{}".format)
)


@st.composite
def _feed(draw: st.DrawFn) -> Feed:
    failures = draw(st.integers(0, 5))
    return Feed(
        url=draw(_URLS),
        name=draw(_TEXT),
        every_minutes=30,
        validators=Validators(),
        next_poll=0.0,
        failures=failures,
        last_error=draw(_TEXT) if failures else None,
        last_polled=draw(st.none() | st.just(1_700_000_000.0)),
    )


def _assert_clean(text: str) -> None:
    assert planted_markup(text, render._URL) == []
    assert len(text) <= render.CONTENT_LIMIT


@given(st.lists(_feed(), max_size=5))
def test_feed_replies_plant_no_link_or_mention(feeds: list[Feed]) -> None:
    _assert_clean(render.feeds_text(feeds))
    for feed in feeds:
        _assert_clean(render.followed_text(feed))
        _assert_clean(render.stopped_text(feed))


@given(titles=st.lists(_TEXT, max_size=4), urls=st.lists(_URLS, max_size=4))
@example(titles=["[x](https://evil.example) @everyone"], urls=[EVIL_URL])
def test_add_replies_plant_no_link_or_mention(titles: list[str], urls: list[str]) -> None:
    articles = [Article("id", t, None, None, None, None, "body", "web") for t in titles]
    problems = [f"{url} is not an http or https URL" for url in urls]
    _assert_clean(render.added_text(articles, problems))


def test_the_masked_link_of_a_feed_url_stays_inside_its_link() -> None:
    feed = Feed(EVIL_URL, "x", 30, Validators(), 0.0, 0, None, None)
    assert "<https://example.com/a%3E[x](https://evil.example)>" in render.feeds_text([feed])
