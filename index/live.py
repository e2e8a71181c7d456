"""The coverage a long-running process serves, swapped for a new one when the seeds change.

Readers take ``live.current`` once per request and keep that ``Coverage`` to the end, so a
swap never disturbs a question in flight: the old generation's memory-mapped files stay
readable after the new one replaces them. ``refresh`` notices changes by a cheap signature of
the seeds folder (paths, sizes, modification times), confirms them with the content
fingerprint, rebuilds, and swaps. Rebuilds are serialised; a failed rebuild leaves the
previous coverage serving.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from index.bm25 import BM25Params
from index.coverage import Coverage
from index.store import BuildReport, build_index, fingerprint, load, open_coverage

log = logging.getLogger(__name__)

Signature = tuple[tuple[str, int, int], ...]


def signature(seeds_dir: Path) -> Signature:
    """Path, size and modification time of every file in the folder: cheap to take often."""
    if not seeds_dir.is_dir():
        return ()
    stats = []
    for path in sorted(seeds_dir.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            stats.append((str(path.relative_to(seeds_dir)), stat.st_size, stat.st_mtime_ns))
    return tuple(stats)


class LiveCoverage:
    """Holds the current ``Coverage`` and replaces it when the seeds folder changes."""

    def __init__(self, seeds_dir: Path, index_dir: Path, params: BM25Params) -> None:
        """Open the index for ``seeds_dir``, building it first when missing, stale or corrupt."""
        self.seeds_dir: Path = seeds_dir
        self.index_dir: Path = index_dir
        self.params: BM25Params = params
        self._signature: Signature = signature(seeds_dir)
        self._coverage: Coverage = open_coverage(seeds_dir, index_dir, params)[0]
        self._lock: threading.Lock = threading.Lock()

    @property
    def current(self) -> Coverage:
        """The coverage to answer from; take it once per request."""
        return self._coverage

    def changed(self) -> bool:
        """Whether the seeds folder looks different from the last build (cheap)."""
        return signature(self.seeds_dir) != self._signature

    def refresh(self, force: bool = False) -> BuildReport | None:
        """Rebuild and swap when the seeds changed (always when ``force``); None if nothing to do.

        Safe to call from several threads: one rebuild runs, the others wait and find nothing
        left to do. Blocking: call it off the event loop.
        """
        with self._lock:
            seen = signature(self.seeds_dir)
            if not force and seen == self._signature:
                return None
            if (
                not force
                and fingerprint(self.seeds_dir, self.params) == self._coverage.info.fingerprint
            ):
                self._signature = seen  # touched, not changed
                return None
            report = build_index(self.seeds_dir, self.index_dir, self.params)
            self._coverage = load(self.index_dir)
            self._signature = seen
            log.info(
                "now serving %d articles, %d passages (fingerprint %s)",
                report.info.articles,
                report.info.passages,
                report.info.fingerprint,
            )
            return report
