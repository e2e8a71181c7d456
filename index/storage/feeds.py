"""Polling the followed feeds: due feeds in, new articles through the one maintenance path.

Only one process polls at a time: a file lock beside the feed database. The bot tries it
without waiting (another process is polling: this one skips the round, and picks the new
articles up from the seeds folder); the CLI waits for it. Pages are fetched before the
maintenance lock is taken, so questions and other changes never wait on a slow server.

A feed's state is written only after its new articles are in the seeds folder: a crash in
between means the entries are seen again next time, and the seeds folder's own duplicate
check (same URL or body) keeps them from being added twice.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from filelock import FileLock, Timeout

from index.ingest.feeds import Entry, FeedError, entry_article, fetch_feed
from index.ingest.feedstore import Feed, FeedStore
from index.ingest.fetch import FetchLimits
from index.ingest.files import body_key, url_key
from index.models import Article, Problem
from index.storage.add import Added
from index.storage.maintain import Maintainer
from index.storage.store import StoreError

log = logging.getLogger(__name__)

#: A feed's stored error when its articles could not be written into the index.
INDEX_UNWRITABLE = "the index could not be written; see the bot's log"
#: Seconds the CLI waits for a bot process's poll to finish.
POLL_WAIT_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class FeedReport:
    """What polling one feed did; ``problems`` says why entries were skipped or failed."""

    url: str
    name: str
    status: Literal["ok", "not-modified", "failed"]
    new: int = 0
    skipped: int = 0
    failed: int = 0
    error: str | None = None
    added: tuple[Article, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    def to_json(self) -> dict[str, object]:
        """The ``feeds poll --json`` object for this feed."""
        return {
            "url": self.url,
            "name": self.name,
            "status": self.status,
            "new": self.new,
            "skipped": self.skipped,
            "failed": self.failed,
            "error": self.error,
        }


class FeedPoller:
    """Polls the feeds of ``store`` into the coverage ``maintainer`` looks after."""

    def __init__(self, store: FeedStore, maintainer: Maintainer, limits: FetchLimits) -> None:
        self.store: FeedStore = store
        self.maintainer: Maintainer = maintainer
        self.limits: FetchLimits = limits
        self.lock_path: Path = store.path.with_name(store.path.name + ".lock")

    def poll(self, now: float | None = None, *, wait: bool = True) -> list[FeedReport] | None:
        """Poll every feed due at ``now`` (default: the clock) once, in turn.

        Returns one report per feed polled, or None when another process is polling and
        ``wait`` is false (or it did not finish within ``POLL_WAIT_SECONDS``).
        """
        lock = FileLock(self.lock_path)
        try:
            lock.acquire(timeout=POLL_WAIT_SECONDS if wait else 0)
        except Timeout:
            log.info("another process is polling the feeds; skipping this round")
            return None
        try:
            moment = time.time() if now is None else now
            return [self._poll_feed(feed, moment) for feed in self.store.due(moment)]
        finally:
            lock.release()

    def _poll_feed(self, feed: Feed, now: float) -> FeedReport:
        try:
            document = fetch_feed(feed.url, feed.validators, self.limits)
        except FeedError as exc:
            return self._failed(feed, now, str(exc))
        if document.status == "not-modified":
            self.store.polled(feed, now, feed.validators)
            return FeedReport(feed.url, feed.name, "not-modified")
        if document.warning:
            log.warning("%s", document.warning)
        batch = _Batch()
        for entry in document.entries:
            self._take(feed, entry, document.title, batch)
        try:
            outcomes = self.maintainer.add_articles([article for article, _ in batch.articles])
        except (OSError, StoreError) as exc:
            # The details name the index folder on the host; the stored error is shown in
            # Discord (``/feeds list``), so it only points to the log.
            log.error("%s: the new articles could not be added: %s", feed.url, exc)
            return self._failed(feed, now, f"{feed.url}: {INDEX_UNWRITABLE}")
        for outcome, (_, keys) in zip(outcomes.outcomes, batch.articles, strict=True):
            batch.done.extend(keys)
            if isinstance(outcome, Added):
                batch.added.append(outcome.article)
            else:
                batch.skip(outcome)
        self.store.polled(feed, now, document.validators, batch.done)
        return FeedReport(
            feed.url,
            feed.name,
            "ok",
            new=len(batch.added),
            skipped=batch.skipped,
            failed=batch.failed,
            error=document.warning,
            added=tuple(batch.added),
            problems=tuple(batch.problems),
        )

    def _take(self, feed: Feed, entry: Entry, feed_title: str, batch: _Batch) -> None:
        """Build the article of one entry into ``batch`` unless it was seen or fails."""
        keys = entry.keys()
        if keys[0] in batch.identities:
            batch.skip(Problem(entry.label, None, "the same entry appears twice in the feed"))
            return
        batch.identities.add(keys[0])
        if self.store.seen(feed, keys):
            return
        built = entry_article(entry, feed_title, self.limits)
        if isinstance(built, Problem):
            batch.failed += 1
            given_up = self.store.failed_entry(feed, keys)
            reason = built.reason + ("; given up" if given_up else "; tried again next time")
            batch.problems.append(Problem(built.path, built.line, reason))
            return
        article_keys = (*keys, f"body:{body_key(built.body)}")
        if built.url:
            article_keys += (f"link:{url_key(built.url)}",)
        if self.store.seen(feed, article_keys[len(keys) :]):
            batch.skip(Problem(entry.label, None, "already taken from this feed (same page)"))
            batch.done.extend(keys)
            return
        batch.articles.append((built, article_keys))

    def _failed(self, feed: Feed, now: float, error: str) -> FeedReport:
        self.store.failed(feed, now, error)
        return FeedReport(feed.url, feed.name, "failed", error=error)


@dataclass
class _Batch:
    """What one feed's entries came to, while they are being taken."""

    identities: set[str] = field(default_factory=set)
    articles: list[tuple[Article, tuple[str, ...]]] = field(default_factory=list)
    added: list[Article] = field(default_factory=list)
    done: list[str] = field(default_factory=list)  #: keys to remember as seen
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0
    failed: int = 0

    def skip(self, problem: Problem) -> None:
        self.skipped += 1
        self.problems.append(problem)
