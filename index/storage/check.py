"""``index check``: does the index match the seeds folder, and is anything left over?"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from index.ingest.files import SIDECAR_SUFFIX, read_folder, sidecar_path
from index.storage.bm25 import BM25Params
from index.storage.store import CURRENT, StoreError, fingerprint, load, stopped_merges


@dataclass
class CheckReport:
    """What ``check`` found; ``ok`` when the index is current and nothing is orphaned."""

    wanted: str  #: fingerprint of the seeds folder and settings now
    live: str | None  #: fingerprint of the index on disk, None when it cannot be opened
    articles: int
    passages: int
    index_error: str | None = None
    problems: list[str] = field(default_factory=list)  #: files or lines that cannot be read
    orphans: list[str] = field(default_factory=list)  #: leftovers nobody uses

    @property
    def ok(self) -> bool:
        return self.live == self.wanted and not self.problems and not self.orphans


def check(seeds_dir: Path, index_dir: Path, params: BM25Params) -> CheckReport:
    """Compare the live index with the seeds folder and list orphaned files."""
    report = CheckReport(wanted=fingerprint(seeds_dir, params), live=None, articles=0, passages=0)
    try:
        coverage = load(index_dir)
    except StoreError as exc:
        report.index_error = f"{type(exc).__name__}: {exc}"
    else:
        report.live = coverage.info.fingerprint
        report.articles, report.passages = coverage.info.articles, coverage.info.passages
    report.problems = [str(p) for p in read_folder(seeds_dir).problems]
    report.orphans = _orphans(seeds_dir, index_dir)
    return report


def _orphans(seeds_dir: Path, index_dir: Path) -> list[str]:
    found = []
    if seeds_dir.is_dir():
        for path in sorted(seeds_dir.rglob("*")):
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                found.append(f"{path}: unfinished write")
            elif path.name.endswith(SIDECAR_SUFFIX) and not _has_article(path):
                found.append(f"{path}: sidecar without an article file")
    pointer = index_dir / CURRENT
    live = set(pointer.read_text().split()) if pointer.is_file() else set()
    if index_dir.is_dir():
        for path in sorted(index_dir.iterdir()):
            if path.name.startswith(("gen-", "delta-")) and path.name not in live:
                found.append(f"{path}: index segment not in use")
            elif path.name.endswith(".tmp"):
                found.append(f"{path}: unfinished write")
        found += [
            f"{path}: a merge that stopped before it finished" for path in stopped_merges(index_dir)
        ]
    return found


def _has_article(sidecar: Path) -> bool:
    stem = sidecar.name[: -len(SIDECAR_SUFFIX)]
    return any(sidecar_path(p) == sidecar for p in sidecar.parent.glob(f"{stem}.*") if p != sidecar)
