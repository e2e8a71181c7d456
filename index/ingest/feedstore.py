"""The feeds a coverage follows and the entries already taken from them, kept in SQLite.

The database lives in the bot's data folder, never in the seeds folder: the articles a feed
brings are written there like any ``add``, so a rebuild reproduces the index, while what is
followed and what was seen is the bot's own state. Each operation opens its own short
connection, so the CLI and several bot processes can share the file (SQLite serialises
writers; a busy database is waited for).

Polling is polite: every feed has its own interval (``DEFAULT_EVERY`` minutes, at least
``MIN_EVERY``), and each failure in a row doubles the wait, up to ``MAX_BACKOFF_MINUTES``.
An entry is remembered by every key it was seen under (id, link, body), so it is never added
twice, across restarts; an entry that keeps failing is given up after ``MAX_ENTRY_ATTEMPTS``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from index.ingest.feeds import Validators
from index.ingest.fetch import web_url

#: Minutes between polls of a feed unless told otherwise.
DEFAULT_EVERY = 30
#: The shortest interval allowed, in minutes: feeds are someone else's servers.
MIN_EVERY = 5
#: The longest interval allowed, in minutes (a week).
MAX_EVERY = 7 * 24 * 60
#: The longest wait after failures in a row, in minutes (a day).
MAX_BACKOFF_MINUTES = 24 * 60
#: Polls in which an entry may fail before it is given up.
MAX_ENTRY_ATTEMPTS = 3
#: Seconds an operation waits for another process's write.
BUSY_SECONDS = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    every_minutes INTEGER NOT NULL,
    etag TEXT,
    last_modified TEXT,
    next_poll REAL NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_polled REAL
);
CREATE TABLE IF NOT EXISTS seen (
    feed_url TEXT NOT NULL REFERENCES feeds(url) ON DELETE CASCADE,
    key TEXT NOT NULL,
    PRIMARY KEY (feed_url, key)
);
CREATE TABLE IF NOT EXISTS attempts (
    feed_url TEXT NOT NULL REFERENCES feeds(url) ON DELETE CASCADE,
    key TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (feed_url, key)
);
"""


class FeedStoreError(ValueError):
    """A feed cannot be added or found; the message is one clear line for the user."""


class FeedDatabaseError(FeedStoreError):
    """The database cannot be used (damaged, locked too long, read-only, disk full)."""


@dataclass(frozen=True, slots=True)
class Feed:
    """A followed feed and where its polling stands."""

    url: str
    name: str
    every_minutes: int
    validators: Validators
    next_poll: float  #: Unix time at which it is due
    failures: int  #: failed polls in a row
    last_error: str | None
    last_polled: float | None


class FeedStore:
    """The followed feeds and their seen entries, in the SQLite file at ``path``."""

    def __init__(self, path: Path) -> None:
        """Remember ``path``; the file is opened (and its tables made) on first use.

        Opening nothing here keeps a damaged file from stopping whoever holds the store (the
        bot starts and answers); each use then reports ``FeedDatabaseError``.
        """
        self.path: Path = path
        self._schema_ready: bool = False

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One transaction on a fresh connection, committed on success, always closed."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=BUSY_SECONDS)
        except (OSError, sqlite3.Error) as exc:
            raise FeedDatabaseError(f"cannot use the feeds database {self.path}: {exc}") from exc
        try:
            db.execute("PRAGMA foreign_keys = ON")
            if not self._schema_ready:
                db.executescript(_SCHEMA)
                self._schema_ready = True
            with db:
                yield db
        except sqlite3.Error as exc:  # damaged, locked too long, read-only, disk full
            raise FeedDatabaseError(f"cannot use the feeds database {self.path}: {exc}") from exc
        finally:
            db.close()

    def add(self, url: str, every_minutes: int = DEFAULT_EVERY, name: str | None = None) -> Feed:
        """Follow the feed at ``url``; it is due at once. Raise ``FeedStoreError``."""
        clean = web_url(url.strip())
        if clean is None:
            raise FeedStoreError(f"{url} is not an http or https URL")
        if not MIN_EVERY <= every_minutes <= MAX_EVERY:
            raise FeedStoreError(
                f"a feed is polled every {MIN_EVERY} to {MAX_EVERY} minutes, not {every_minutes}"
            )
        with self._connect() as db:
            existing = self._find(db, clean)
            if existing is not None:
                raise FeedStoreError(f"{clean} is already followed as {existing.name}")
            chosen = (name or "").strip() or _free_name(db, _host(clean))
            if name and self._find(db, chosen) is not None:
                raise FeedStoreError(f"the name {chosen} is taken by another feed")
            db.execute(
                "INSERT INTO feeds (url, name, every_minutes) VALUES (?, ?, ?)",
                (clean, chosen, every_minutes),
            )
            feed = self._find(db, clean)
        assert feed is not None  # inserted just above, in the same transaction
        return feed

    def feeds(self) -> list[Feed]:
        """Every followed feed, by name."""
        with self._connect() as db:
            return [_feed(row) for row in db.execute(f"{_SELECT} ORDER BY name")]

    def find(self, url_or_name: str) -> Feed | None:
        """The feed with this URL or name, or None."""
        with self._connect() as db:
            return self._find(db, url_or_name.strip())

    def remove(self, url_or_name: str) -> Feed:
        """Stop following a feed and forget its entries; ``FeedStoreError`` when unknown."""
        with self._connect() as db:
            feed = self._find(db, url_or_name.strip())
            if feed is None:
                raise FeedStoreError(f"no feed {url_or_name} is followed")
            db.execute("DELETE FROM feeds WHERE url = ?", (feed.url,))
        return feed

    def due(self, now: float) -> list[Feed]:
        """The feeds whose time has come at ``now``, most overdue first."""
        with self._connect() as db:
            rows = db.execute(f"{_SELECT} WHERE next_poll <= ? ORDER BY next_poll, name", (now,))
            return [_feed(row) for row in rows]

    def seen(self, feed: Feed, keys: Iterable[str]) -> bool:
        """Whether any of ``keys`` was taken from ``feed`` before, or given up on."""
        wanted = list(keys)
        marks = ",".join("?" * len(wanted))
        with self._connect() as db:
            row = db.execute(
                f"SELECT 1 FROM seen WHERE feed_url = ? AND key IN ({marks}) LIMIT 1",
                (feed.url, *wanted),
            ).fetchone()
        return row is not None

    def failed_entry(self, feed: Feed, keys: tuple[str, ...]) -> bool:
        """Count a failed attempt at an entry; True when it is now given up (seen)."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO attempts (feed_url, key, count) VALUES (?, ?, 1) "
                "ON CONFLICT (feed_url, key) DO UPDATE SET count = count + 1",
                (feed.url, keys[0]),
            )
            (count,) = db.execute(
                "SELECT count FROM attempts WHERE feed_url = ? AND key = ?", (feed.url, keys[0])
            ).fetchone()
            if count >= MAX_ENTRY_ATTEMPTS:
                _mark(db, feed, keys)
        return bool(count >= MAX_ENTRY_ATTEMPTS)

    def polled(
        self, feed: Feed, now: float, validators: Validators, seen: Iterable[str] = ()
    ) -> None:
        """Record a successful poll: the entries taken, what to send next time, when."""
        with self._connect() as db:
            _mark(db, feed, seen)
            db.execute(
                "UPDATE feeds SET etag = ?, last_modified = ?, next_poll = ?, failures = 0, "
                "last_error = NULL, last_polled = ? WHERE url = ?",
                (
                    validators.etag,
                    validators.last_modified,
                    now + feed.every_minutes * 60,
                    now,
                    feed.url,
                ),
            )

    def failed(self, feed: Feed, now: float, error: str) -> None:
        """Record a failed poll: the next one waits twice as long as the last, up to a day."""
        failures = feed.failures + 1
        wait = min(feed.every_minutes * 2 ** min(failures, 16), MAX_BACKOFF_MINUTES)
        with self._connect() as db:
            db.execute(
                "UPDATE feeds SET next_poll = ?, failures = ?, last_error = ?, last_polled = ? "
                "WHERE url = ?",
                (now + wait * 60, failures, error, now, feed.url),
            )

    def _find(self, db: sqlite3.Connection, url_or_name: str) -> Feed | None:
        url = web_url(url_or_name) or url_or_name
        row = db.execute(f"{_SELECT} WHERE url = ? OR name = ?", (url, url_or_name)).fetchone()
        return _feed(row) if row else None


_SELECT = (
    "SELECT url, name, every_minutes, etag, last_modified, next_poll, failures, last_error, "
    "last_polled FROM feeds"
)


def _feed(row: tuple[object, ...]) -> Feed:
    url, name, every, etag, modified, next_poll, failures, error, polled = row
    return Feed(
        url=str(url),
        name=str(name),
        every_minutes=int(str(every)),
        validators=Validators(_text(etag), _text(modified)),
        next_poll=float(str(next_poll)),
        failures=int(str(failures)),
        last_error=_text(error),
        last_polled=None if polled is None else float(str(polled)),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _mark(db: sqlite3.Connection, feed: Feed, keys: Iterable[str]) -> None:
    db.executemany(
        "INSERT OR IGNORE INTO seen (feed_url, key) VALUES (?, ?)",
        ((feed.url, key) for key in keys),
    )


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "feed").removeprefix("www.")


def _free_name(db: sqlite3.Connection, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever no feed is named yet."""
    taken = {str(row[0]) for row in db.execute("SELECT name FROM feeds")}
    candidate, counter = base, 2
    while candidate in taken:
        candidate, counter = f"{base}-{counter}", counter + 1
    return candidate
