"""The one path for every change to the coverage: open, rebuild, add and remove.

The CLI, the bot's ``/add``, the seeds watcher and feeds all change the seeds folder and the
index through a ``Maintainer``. It holds a lock across processes (a file lock in the index
folder) for the whole change, from the files written into the seeds folder to the index
generation built from them, so two processes never interleave: a watcher's rebuild cannot
delete a generation a CLI ``add`` is appending to, and two builds cannot race for
``CURRENT``. Readers take no lock; ``store.load`` copes with a generation replaced under it.

When the index cannot be written (a full disk, a read-only folder) and an older index
exists, that index keeps serving with one warning; see ``docs/operations.md``.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from filelock import Timeout

from index.ingest.fetch import FetchLimits
from index.ingest.files import Seen
from index.ingest.seeds import OutsideSeedsError, remove_article
from index.models import Article, Problem
from index.storage.add import Added, add_articles, collect
from index.storage.background import start_merge
from index.storage.bm25 import BM25Params
from index.storage.coverage import ArticleMeta, Carried, Coverage, IndexInfo
from index.storage.locking import maintenance_lock
from index.storage.store import (
    INLINE_MERGE_PASSAGES,
    MERGE_PASSAGES,
    BuildReport,
    IndexCorruptError,
    IndexMissingError,
    StoreError,
    append_articles,
    build_index,
    fingerprint,
    fingerprint_of,
    load,
    merge_due,
    merging,
    seed_digests,
)

log = logging.getLogger(__name__)


class IndexUnavailableError(StoreError):
    """No usable index exists and none can be built; the message says what to fix."""


class RemoveError(Exception):
    """An article could not be removed, or was removed but not yet from the index."""


class ArticleNotFoundError(LookupError):
    """``remove`` was given an id the coverage does not have."""


@dataclass(frozen=True, slots=True)
class Opened:
    """The index ``open`` found or built, and why it is stale when it could not be rebuilt."""

    coverage: Coverage
    report: BuildReport | None = None  #: the build's report, when this call built it
    stale: str | None = None  #: why a stale index is served, or None when it is current


@dataclass(frozen=True, slots=True)
class AddReport:
    """What ``add`` did: one outcome per article or problem, and the index afterwards."""

    outcomes: list[Added | Problem]
    info: IndexInfo | None  #: None when nothing was added

    @property
    def added(self) -> list[Added]:
        return [o for o in self.outcomes if isinstance(o, Added)]

    @property
    def problems(self) -> list[Problem]:
        return [o for o in self.outcomes if isinstance(o, Problem)]


@dataclass(frozen=True, slots=True)
class Removed:
    """An article taken out of the coverage, the seeds file that changed, the index after."""

    meta: ArticleMeta
    changed: Path
    info: IndexInfo
    #: Another copy of the same text in the seeds folder, which the index skipped as a
    #: duplicate and now holds in the removed one's place (its metadata), if any.
    copy: ArticleMeta | None = None


class Maintainer:
    """Changes one seeds folder and its index, one process at a time."""

    def __init__(
        self,
        seeds_dir: Path,
        index_dir: Path,
        params: BM25Params,
        merge_passages: int = MERGE_PASSAGES,
        inline_merge_passages: int = INLINE_MERGE_PASSAGES,
    ) -> None:
        """``merge_passages``: a delta larger than this is merged into a new generation,
        within the addition while the generation holds at most ``inline_merge_passages``,
        else by a background process (``background``)."""
        self.seeds_dir: Path = seeds_dir
        self.index_dir: Path = index_dir
        self.params: BM25Params = params
        self.merge_passages: int = merge_passages
        self.inline_merge_passages: int = inline_merge_passages
        #: The background merge this maintainer started last, if any (``background``).
        self.merging: subprocess.Popen[bytes] | None = None

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """Hold the maintenance lock; wait (saying so) while another process holds it."""
        return maintenance_lock(self.index_dir)

    def open(self) -> Opened:
        """The index for the seeds folder, built first when missing, stale or corrupt.

        When a stale index cannot be rebuilt (disk full, read-only folder) it is served with
        one warning; with no index at all that raises ``IndexUnavailableError``.
        """
        self._warn_if_no_seeds()
        wanted = fingerprint(self.seeds_dir, self.params)
        existing = self._load_quietly()
        if existing is not None and existing.info.fingerprint == wanted:
            return Opened(existing)
        try:
            with self.locked():
                # Another process may have built it while this one waited for the lock.
                with contextlib.suppress(StoreError):
                    current = load(self.index_dir)
                    if current.info.fingerprint == fingerprint(self.seeds_dir, self.params):
                        return Opened(current)
                report = build_index(self.seeds_dir, self.index_dir, self.params)
        except (OSError, StoreError, Timeout) as exc:
            if existing is None:
                raise IndexUnavailableError(_unavailable(self.index_dir, exc)) from exc
            log.warning("%s; serving the existing index, which does not match the seeds", exc)
            return Opened(existing, stale=str(exc))
        return Opened(load(self.index_dir), report)

    def rebuild(self) -> BuildReport:
        """Rebuild the index from the seeds folder now."""
        self._warn_if_no_seeds()
        with self.locked():
            return build_index(self.seeds_dir, self.index_dir, self.params)

    def add(
        self, sources: Sequence[str], limits: FetchLimits | None = None, *, urls_only: bool = False
    ) -> AddReport:
        """Write the articles of ``sources`` into the seeds folder and index them.

        ``urls_only`` refuses anything but http(s) URLs: what a Discord user types is never
        read as a local path.
        """
        found = collect(sources, limits, urls_only=urls_only)  # fetching holds no lock
        report = self.add_articles([a for a in found if isinstance(a, Article)])
        problems: list[Added | Problem] = [p for p in found if isinstance(p, Problem)]
        return AddReport(problems + report.outcomes, report.info)

    def add_articles(self, articles: Sequence[Article]) -> AddReport:
        """Write articles built elsewhere into the seeds folder and index them.

        Feeds build their articles (fetching each entry's page) before calling this, so the
        lock is held only while writing. Nothing to add takes no lock and reads nothing: a feed
        poll that brought nothing new must not fingerprint the coverage.
        """
        if not articles:
            return AddReport([], None)
        return self._adding(lambda seen: add_articles(articles, self.seeds_dir, seen))

    def _adding(self, write: Callable[[Seen | None], list[Added | Problem]]) -> AddReport:
        """Run ``write`` (which adds files to the seeds folder) under the lock, then index.

        ``write`` checks for duplicates against the live index when it matches the folder
        (the same articles, without reading and cleaning every file again: at 74k passages
        that reading took 10 s of an ``add``), else against the folder itself.
        """
        with self.locked():
            before = seed_digests(self.seeds_dir)
            live = self._load_quietly()
            if live is None or live.info.fingerprint != fingerprint_of(before, self.params):
                live = None
            seen = None if live is None else _seen(live)
            outcomes = write(seen)
            added = [o for o in outcomes if isinstance(o, Added)]
            info = self._index_added(added, before, live) if added else None
        return AddReport(outcomes, info)

    def remove(self, article_id: str) -> Removed:
        """Remove one article's own file (or line) from the seeds folder and rebuild.

        The index is brought up to date first, so the file and line it names are those of the
        article now. Raises ``ArticleNotFoundError`` for an unknown id, ``OutsideSeedsError``
        for an article not read from the seeds folder (nothing outside it is touched), and
        ``RemoveError`` when the file cannot be changed or the index not rebuilt after it.
        """
        with self.locked():
            coverage = self._load_quietly()
            if coverage is None or coverage.info.fingerprint != fingerprint(
                self.seeds_dir, self.params
            ):
                build_index(self.seeds_dir, self.index_dir, self.params)
                coverage = load(self.index_dir)
            number = coverage.index_of(article_id)
            if number is None:
                raise ArticleNotFoundError(article_id)
            meta, key = coverage.metas[number], coverage.body_key(number)
            try:
                changed = remove_article(self.seeds_dir, meta.source)
            except (OSError, ValueError) as exc:
                if isinstance(exc, OutsideSeedsError):
                    raise
                raise RemoveError(
                    f"{meta.id} could not be removed from {meta.source}: {exc}"
                ) from exc
            try:
                info = build_index(self.seeds_dir, self.index_dir, self.params).info
            except StoreError as exc:
                raise RemoveError(
                    f"{meta.id} was removed from {changed}, but the index could not be rebuilt "
                    f"({exc}); the next command that needs it rebuilds it"
                ) from exc
            after = load(self.index_dir)
        copies = (m for n, m in enumerate(after.metas) if after.body_key(n) == key)
        return Removed(meta, changed, info, next(copies, None))

    def _index_added(
        self, added: list[Added], before: dict[str, bytes], live: Coverage | None
    ) -> IndexInfo:
        """Append ``added`` to ``live``, the index of the folder as it was ``before``.

        Only when the folder now holds exactly that plus the new files: anything else that
        changed meanwhile (a file dropped in by hand) must not be labelled as indexed, so
        then the index is rebuilt.
        """
        after = seed_digests(self.seeds_dir)
        new = {str(a.path.relative_to(self.seeds_dir)) for a in added}
        unchanged = {k: v for k, v in after.items() if k not in new} == before
        if live is not None and unchanged and new <= after.keys():
            articles = [a.article for a in added]
            info = append_articles(
                articles,
                self.index_dir,
                self.params,
                fingerprint_of(after, self.params),
                self.merge_passages,
                self.inline_merge_passages,
            )
            if self._merge_wanted():
                self.merging = start_merge(self.index_dir)
            return info
        return build_index(self.seeds_dir, self.index_dir, self.params).info

    def _merge_wanted(self) -> bool:
        """Whether the delta is due to be merged and no merge is on its way (this process's,
        still starting, or any process's, writing)."""
        starting = self.merging is not None and self.merging.poll() is None
        due = merge_due(self.index_dir, self.merge_passages)
        return due and not starting and not merging(self.index_dir)

    def _warn_if_no_seeds(self) -> None:
        """A mistyped seeds folder must not pass for an empty coverage without a word."""
        if not self.seeds_dir.is_dir():
            log.warning(
                "the seeds folder %s does not exist: the coverage is empty until articles are "
                "added there",
                self.seeds_dir,
            )

    def _load_quietly(self) -> Coverage | None:
        """The live index, or None (logged) when missing or corrupt."""
        try:
            return load(self.index_dir)
        except IndexMissingError:
            log.info("no index in %s yet; building it", self.index_dir)
        except IndexCorruptError as exc:
            log.warning("the index in %s is corrupt (%s); rebuilding it", self.index_dir, exc)
        return None


#: The duplicate finder of the index opened last, extended over the next one of its generation.
_SEEN: Carried[Seen] = Carried()


def _seen(coverage: Coverage) -> Seen:
    """The coverage's articles by body and URL, from the body keys stored with the index.

    Duplicates are found by key, URL and id alone, so no body is read (reading and normalising
    every body took 1.3 s of an addition at 100k passages and grew with the coverage). The
    last one built is extended over an index reopened after an addition (``Carried``):
    building it whole took 0.4 s of every addition at 32k articles.
    """
    first, last = _SEEN.start(coverage)
    seen = Seen() if last is None else last.copy()
    for number in range(first, len(coverage.metas)):
        meta = coverage.metas[number]
        known = Article(
            meta.id, meta.title, meta.author, meta.outlet, meta.published, meta.url, "", meta.source
        )
        seen.add(known, coverage.body_key(number))
    _SEEN.keep(coverage, seen.copy())  # the caller adds the new articles to its own
    return seen


def _unavailable(index_dir: Path, exc: BaseException) -> str:
    return (
        f"no usable index in {index_dir} and none can be built ({exc}); make the folder "
        "writable (or free space on its disk), or point COVERAGE_INDEX_DIR elsewhere"
    )
