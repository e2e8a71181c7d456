"""Web pages into articles: trafilatura finds the main text and the metadata.

trafilatura drops navigation, ads and comments and reads title, author, date, site name and
the canonical URL from the page's markup. That URL is the page's word, so it is kept only when
it is a well-formed http(s) URL, and never with credentials; otherwise the fetched URL stands
in. The text has one paragraph per line; the body is cleaned like every other article's, so
quotes and passages behave the same.
"""

from __future__ import annotations

from collections.abc import Mapping

import trafilatura

from index.ingest.fetch import web_url
from index.ingest.files import article_from_parts
from index.models import Article, Problem

#: Fewer words than this is a page without article text (an index page, a paywall, an error).
MIN_WORDS = 40


def article_from_html(
    html: str, url: str | None, label: str, defaults: Mapping[str, str] | None = None
) -> Article | Problem:
    """The article in an HTML page, or a ``Problem`` saying why there is none.

    ``defaults`` (title, author, outlet, published, url) fill what the page does not say,
    as a feed entry's metadata does for the page it links to.
    """
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    text = getattr(document, "text", None) or ""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    title = getattr(document, "title", None) or ""
    if lines and title and lines[0] == title:
        lines = lines[1:]  # trafilatura repeats the headline as the first line
    if sum(len(line.split()) for line in lines) < MIN_WORDS:
        return Problem(label, None, "no article text found on the page")
    meta = {
        "title": title,
        "author": getattr(document, "author", None) or "",
        "outlet": getattr(document, "sitename", None) or "",
        "published": getattr(document, "date", None) or "",
        "url": _link(getattr(document, "url", None), url),
    }
    found = {k: v for k, v in meta.items() if v}
    return article_from_parts({**(defaults or {}), **found}, lines, label)


def _link(canonical: str | None, fetched: str | None) -> str:
    """The article's link: the page's canonical URL if usable, else where it was fetched from."""
    for candidate in (canonical, fetched):
        link = web_url(candidate) if candidate else None
        if link:
            return link
    return ""
