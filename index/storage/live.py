"""The coverage a long-running process serves, swapped for a new one when the seeds change.

Readers take ``live.current`` once per request and keep that ``Coverage`` to the end, so a
swap never disturbs a question in flight: the old generation's memory-mapped files stay
readable after the new one replaces them. ``refresh`` notices changes by a cheap signature of
the seeds folder (paths, sizes, modification times) and goes through the maintenance path,
which reuses an index another process already built and rebuilds otherwise. A failed
rebuild leaves the previous coverage serving.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from index.ingest.files import list_folder
from index.storage.coverage import Coverage
from index.storage.maintain import Maintainer
from index.storage.store import StoreError, live_stamp, load

log = logging.getLogger(__name__)

Signature = tuple[tuple[str, int, int], ...]
#: After a rebuild failed, how long the same folder waits before it is tried again.
RETRY_SECONDS = 300


def signature(seeds_dir: Path) -> Signature:
    """Path, size and modification time of every file in the folder: cheap to take often."""
    stats = []
    for path in list_folder(seeds_dir)[0]:
        try:
            stat = path.stat()
        except OSError:  # removed since it was listed: the next look sees the change
            continue
        stats.append((str(path.relative_to(seeds_dir)), stat.st_size, stat.st_mtime_ns))
    return tuple(stats)


class LiveCoverage:
    """Holds the current ``Coverage`` and replaces it when the seeds folder changes."""

    def __init__(
        self, maintainer: Maintainer, prepare: Callable[[Coverage], object] | None = None
    ) -> None:
        """Open the index, building it first when missing, stale or corrupt.

        ``prepare`` is run on every coverage before it is served (the first one included),
        on the refreshing thread: what readers derive from a coverage once
        (``index.answering.answer.prepare``) is then ready for the first question.
        """
        self.maintainer: Maintainer = maintainer
        self.seeds_dir: Path = maintainer.seeds_dir
        self._prepare: Callable[[Coverage], object] = prepare or (lambda coverage: None)
        self._signature: Signature = signature(self.seeds_dir)
        self._coverage: Coverage = maintainer.open().coverage
        self._stamp: tuple[str, ...] | None = self._live_stamp()
        self._prepare(self._coverage)
        self._lock: threading.Lock = threading.Lock()
        #: The folder state whose rebuild failed (a full disk, a read-only index folder) and
        #: when: a poll every few seconds must not redo minutes of analysis each time.
        self._failed: tuple[Signature, int] | None = None

    @staticmethod
    def _retry_slot() -> int:
        return int(time.monotonic() // RETRY_SECONDS)

    @property
    def current(self) -> Coverage:
        """The coverage to answer from; take it once per request."""
        return self._coverage

    def changed(self) -> bool:
        """Whether the seeds folder looks different from the last build, or another process
        rewrote the index of the same articles (a background merge); cheap."""
        return signature(self.seeds_dir) != self._signature or self._live_stamp() != self._stamp

    def _live_stamp(self) -> tuple[str, ...] | None:
        try:
            return live_stamp(self.maintainer.index_dir)
        except StoreError:
            return None

    def refresh(self, force: bool = False) -> bool:
        """Swap in the index for the seeds folder as it is now; True when a new one is live.

        ``force`` rebuilds even when nothing changed. Safe to call from several threads: one
        refresh runs, the others wait and find nothing left to do. Blocking: call it off the
        event loop.
        """
        with self._lock:
            seen, stamp = signature(self.seeds_dir), self._live_stamp()
            if not force and seen == self._signature:
                return stamp != self._stamp and self._follow(stamp)
            if not force and self._failed == (seen, self._retry_slot()):
                return False  # this folder could not be indexed a moment ago: wait before retrying
            if force:
                self.maintainer.rebuild()
                coverage = load(self.maintainer.index_dir)
            else:
                opened = self.maintainer.open()
                if opened.stale is not None:
                    self._failed = (seen, self._retry_slot())
                    return False  # still serving the old index; retried after RETRY_SECONDS
                coverage = opened.coverage
            self._signature, self._stamp = seen, stamp
            if coverage.info.fingerprint == self._coverage.info.fingerprint and not force:
                return False  # touched, not changed
            self._serve(coverage)
            return True

    def _follow(self, stamp: tuple[str, ...] | None) -> bool:
        """Open the index another process rewrote from the same articles (a merge), so the
        segments it replaced are let go: their deleted files keep their disk space while
        mapped. True when it is served."""
        try:
            coverage = load(self.maintainer.index_dir)
        except StoreError as exc:
            log.warning("could not open the index after it changed (%s); serving the last", exc)
            return False
        self._stamp = stamp
        if coverage.info.fingerprint != self._coverage.info.fingerprint:
            return False  # other articles: the seeds change that made it is refreshed apart
        self._serve(coverage)
        return True

    def _serve(self, coverage: Coverage) -> None:
        self._prepare(coverage)
        self._coverage = coverage
        log.info(
            "now serving %d articles, %d passages (fingerprint %s)",
            coverage.info.articles,
            coverage.info.passages,
            coverage.info.fingerprint,
        )
