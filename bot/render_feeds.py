"""Followed feeds as text: ``/feeds add|list|remove`` replies and ``coverage-bot feeds list``.

Pure functions, like ``bot.render``. A feed's name, URL and last error come from whoever
added it (and from the feed's server), so the replies escape them: names and errors render
as plain text and ping nobody, a URL is one ``<link>`` that nothing can break out of.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.render import CONTENT_LIMIT, bracketed_url, escaped, shorten
from index.ingest.feedstore import Feed

#: Characters of a feed's name, and of its schedule line, shown in a reply.
NAME_CHARS = 100
STATE_CHARS = 400
NO_FEEDS = "No feeds are followed yet. Add one with `/feeds add`."


def describe(feed: Feed) -> str:
    """A feed's schedule and state in one line, for people (plain text, not escaped)."""
    state = f"every {feed.every_minutes} min"
    if feed.last_polled is None:
        return f"{state}, not polled yet"
    state += f", last polled {iso(feed.last_polled)}"
    if feed.failures:
        state += f", {feed.failures} failed in a row ({feed.last_error})"
    return state


def iso(moment: float | None) -> str | None:
    """A Unix time as an ISO 8601 UTC timestamp to the second; None stays None."""
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")


def _named(feed: Feed) -> str:
    return f"**{escaped(feed.name, NAME_CHARS)}** ({bracketed_url(feed.url)})"


def followed_text(feed: Feed) -> str:
    """The reply to ``/feeds add``."""
    return (
        f"Following {_named(feed)} every {feed.every_minutes} minutes; "
        "its articles arrive within a minute or two."
    )


def stopped_text(feed: Feed) -> str:
    """The reply to ``/feeds remove``."""
    return f"Stopped following {_named(feed)}."


def feeds_text(feeds: Sequence[Feed]) -> str:
    """The reply to ``/feeds list``: each feed's name, link and state, within one message."""
    lines = [
        f"**{escaped(f.name, NAME_CHARS)}** {bracketed_url(f.url)}\n"
        f"{escaped(describe(f), STATE_CHARS)}"
        for f in feeds
    ]
    return shorten("\n".join(lines), CONTENT_LIMIT) if lines else NO_FEEDS
