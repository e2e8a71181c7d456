"""A followed feed's state as plain text, for ``coverage-bot feeds list`` and ``/feeds list``.

Pure functions, shared by the CLI and the feeds cog (which must not import the CLI). No
Markdown and no discord import here: the CLI runs without discord (``bot.render`` escapes
this text for Discord).
"""

from __future__ import annotations

from datetime import UTC, datetime

from index.ingest.feedstore import Feed


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
