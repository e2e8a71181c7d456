"""RSS and Atom feeds: fetched safely, parsed by feedparser, their entries made into articles.

feedparser can fetch URLs itself; it is never allowed to, since that would bypass the safe
fetcher's limits and private-address rule. The feed's bytes come from
``fetch.fetch_resource`` with ``If-None-Match`` / ``If-Modified-Since`` from the previous
answer, so an unchanged feed costs one 304 and nothing else. RSS 2.0, RSS 1.0 (RDF) and Atom
all parse into the same ``Entry`` values. A feed that is malformed but still yields entries
keeps them, with a warning; one that yields none is a ``FeedError``.

Each entry becomes an article from its page, fetched like any ``add URL`` and extracted by
trafilatura; the entry's title, author, date and link fill what the page lacks. When the page
cannot be fetched or holds no article text, the entry's own content stands in if it is a
full text (``MIN_WORDS`` or more); otherwise the entry is a ``Problem``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Literal

import feedparser

from index.ingest.fetch import FetchError, FetchLimits, fetch, fetch_resource, web_url
from index.ingest.files import article_from_parts, body_key, url_key
from index.ingest.html import MIN_WORDS, article_from_html
from index.models import Article, Problem

#: What a feed request accepts: the feed types first, anything else as a last resort.
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
#: Tags that end a paragraph in an entry's HTML content.
BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr section article header "
    "footer figure figcaption hr dd dt".split()
)
#: Tags whose text is never part of an article.
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
#: feedparser's complaints about a feed that parsed well all the same (a mislabelled type).
_HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


class FeedError(Exception):
    """A feed could not be fetched or read; the message is one clear line naming it."""


@dataclass(frozen=True, slots=True)
class Validators:
    """What the last answer said to send back, so an unchanged feed answers 304."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        """The conditional request headers (none before the first answer)."""
        headers = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {name: value for name, value in headers.items() if value}


@dataclass(frozen=True, slots=True)
class Entry:
    """One feed entry, as plain values."""

    identity: str  #: the entry's id, else its link, else a hash of its title and date
    link: str | None  #: a well-formed http(s) URL without credentials, or None
    title: str
    author: str
    published: str  #: YYYY-MM-DD, or "" when the feed gives no date
    content: str  #: the entry's HTML (full content, else summary), "" when it carries none

    @property
    def label(self) -> str:
        """How the entry is named in a report: its link, else its title or identity."""
        return self.link or self.title or self.identity

    def keys(self) -> tuple[str, ...]:
        """Everything by which this entry may have been seen before: id, link and full text.

        A short summary is no key: many entries share a teaser such as "Read more".
        """
        keys = [f"id:{self.identity}"]
        if self.link:
            keys.append(f"link:{url_key(self.link)}")
        text = " ".join(content_paragraphs(self.content))
        if len(text.split()) >= MIN_WORDS:
            keys.append(f"body:{body_key(text)}")
        return tuple(keys)


@dataclass(frozen=True, slots=True)
class FeedDocument:
    """What one request for a feed brought: nothing new (304), or its entries."""

    status: Literal["ok", "not-modified"]
    validators: Validators
    title: str
    entries: tuple[Entry, ...]
    warning: str | None = None  #: a malformed feed whose readable entries were kept


def fetch_feed(url: str, validators: Validators, limits: FetchLimits | None) -> FeedDocument:
    """Fetch and parse the feed at ``url``, conditionally; raise ``FeedError``."""
    try:
        resource = fetch_resource(url, limits, {"Accept": ACCEPT, **validators.headers()})
    except FetchError as exc:
        raise FeedError(str(exc)) from exc
    if resource.status == 304:
        return FeedDocument("not-modified", validators, "", ())
    fresh = Validators(resource.headers.get("etag"), resource.headers.get("last-modified"))
    title, entries, warning = parse_feed(resource.body, resource.url, resource.headers)
    return FeedDocument("ok", fresh, title, entries, warning)


def parse_feed(
    data: bytes, url: str, headers: Mapping[str, str]
) -> tuple[str, tuple[Entry, ...], str | None]:
    """The feed's title, its entries and a warning when it is malformed; ``FeedError`` when
    nothing in it can be read as an RSS or Atom feed."""
    # Without a Content-Type feedparser would read the bytes as ISO-8859-1; as XML, the
    # document's own declaration (UTF-8 by default) decides, as for a file.
    answered = {"content-type": "application/xml", "content-location": url, **headers}
    parsed = feedparser.parse(
        data,
        response_headers=answered,
        sanitize_html=True,
        resolve_relative_uris=True,
    )
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, _HARMLESS):
        problem = None
    entries = tuple(_entry(raw) for raw in parsed.get("entries", []))
    if not entries and (problem is not None or not parsed.get("version")):
        why = f" ({_first_line(problem)})" if problem is not None else ""
        raise FeedError(f"{url} is not a readable RSS or Atom feed{why}")
    warning = None
    if problem is not None:
        warning = f"{url} is malformed ({_first_line(problem)}); read {len(entries)} entries"
    return _plain(parsed.get("feed", {}).get("title")), entries, warning


def entry_article(entry: Entry, feed_title: str, limits: FetchLimits | None) -> Article | Problem:
    """The article an entry stands for: its page, else its own full content, else a problem."""
    defaults = {
        "title": entry.title,
        "author": entry.author,
        "outlet": feed_title,
        "published": entry.published,
        "url": entry.link or "",
    }
    defaults = {key: value for key, value in defaults.items() if value}
    if entry.link is None:
        why = "the entry has no link"
    else:
        try:
            page = fetch(entry.link, limits)
            found = article_from_html(page.html, page.url, entry.label, defaults)
        except FetchError as exc:
            found = Problem(entry.label, None, str(exc))
        if isinstance(found, Article):
            return found
        why = found.reason
    paragraphs = content_paragraphs(entry.content)
    if sum(len(paragraph.split()) for paragraph in paragraphs) >= MIN_WORDS:
        return article_from_parts(defaults, paragraphs, entry.label)
    return Problem(entry.label, None, f"{why}, and the feed carries no full text of it")


def content_paragraphs(html: str) -> list[str]:
    """The paragraphs of an entry's HTML: text between block tags, spacing normalised.

    Tags are dropped, character references decoded, scripts and styles skipped; text that
    holds no markup comes back as its own paragraphs.
    """
    reader = _Paragraphs()
    reader.feed(html)
    reader.close()
    return reader.paragraphs()


class _Paragraphs(HTMLParser):
    """Collects text, starting a new paragraph at every block tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]
        self.skipping: int = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.blocks.append([])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self.blocks.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.blocks.append([])

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.blocks[-1].append(data)

    def paragraphs(self) -> list[str]:
        texts = (" ".join("".join(block).split()) for block in self.blocks)
        return [text for text in texts if text]


def _entry(raw: Any) -> Entry:
    """An ``Entry`` from one of feedparser's entry dictionaries."""
    link = web_url(str(raw.get("link") or "")) or None
    title = _plain(raw.get("title"))
    published = _date(raw.get("published_parsed") or raw.get("updated_parsed"))
    contents = raw.get("content") or []
    content = "\n".join(str(part.get("value") or "") for part in contents)
    identity = str(raw.get("id") or "").strip() or link
    if not identity:
        identity = "hash:" + hashlib.sha1(f"{title}\n{published}".encode()).hexdigest()
    return Entry(
        identity=identity,
        link=link,
        title=title,
        author=_plain(raw.get("author")),
        published=published,
        content=content or str(raw.get("summary") or ""),
    )


def _plain(value: object) -> str:
    """Text that may hold markup (a title of type html) as plain text on one line."""
    return " ".join(content_paragraphs(str(value))) if value else ""


def _date(parsed: object) -> str:
    """feedparser's UTC ``struct_time`` as YYYY-MM-DD ("" when the feed gave no date)."""
    if isinstance(parsed, time.struct_time):
        return time.strftime("%Y-%m-%d", parsed)
    return ""


def _first_line(problem: object) -> str:
    text = str(problem).strip()
    return text.splitlines()[0] if text else type(problem).__name__
