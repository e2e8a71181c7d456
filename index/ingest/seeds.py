"""The seeds folder as the single source of truth: adding and removing articles in it.

Added articles are written as Markdown with YAML front matter, escaped so that reading the
file back gives the same article: a rebuild from the folder reproduces the index. Writes are
atomic and names are claimed atomically (``index.atomic``), so a crash leaves the old folder
or the new one, and two processes adding namesakes at once both keep their article. Removal
touches nothing outside the folder: an article read from anywhere else is refused.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

import yaml

from index.atomic import claim_new, write_atomic
from index.ingest.files import escape_markdown, sidecar_path
from index.models import Article


class OutsideSeedsError(ValueError):
    """An article's source lies outside the seeds folder; it is never touched."""


def write_article(article: Article, seeds_dir: Path) -> Path:
    """Write ``article`` as ``<id>.md`` (``<id>-2.md`` … when taken); return the new file."""
    seeds_dir.mkdir(parents=True, exist_ok=True)
    fields = {
        "id": article.id,  # kept on rebuilds, so the id ``add`` reports stays the article's
        "title": article.title,
        "author": article.author,
        "outlet": article.outlet,
        "date": article.published,
        "url": article.url,
    }
    front = yaml.safe_dump(
        {k: v for k, v in fields.items() if v}, allow_unicode=True, sort_keys=False
    )
    body = "\n\n".join(escape_markdown(p) for p in article.body.split("\n\n"))
    return claim_new(_names(seeds_dir, article.id), f"---\n{front}---\n\n{body}\n".encode())


def _names(seeds_dir: Path, article_id: str) -> Iterator[Path]:
    yield seeds_dir / f"{article_id}.md"
    counter = 2
    while True:
        yield seeds_dir / f"{article_id}-{counter}.md"
        counter += 1


def remove_article(seeds_dir: Path, source: str) -> Path:
    """Remove the article read from ``source`` ("path" or "path:line", relative to the folder).

    A file holding one article is deleted with its sidecar; a line of a JSON Lines file is
    cut from it. Returns the file that changed. Raises ``OutsideSeedsError`` when the source
    is not a file inside the folder.
    """
    name, _, line = source.rpartition(":")
    if name and line.isdigit():
        path = inside(seeds_dir, name)
        _drop_line(path, int(line))
        return path
    path = inside(seeds_dir, source)
    path.unlink()
    sidecar_path(path).unlink(missing_ok=True)
    return path


def inside(seeds_dir: Path, relative: str) -> Path:
    """``seeds_dir / relative`` when it names a real file within the folder, else raise."""
    path = seeds_dir / relative
    root = seeds_dir.resolve()
    if path.is_symlink() or not path.resolve().is_relative_to(root) or path.resolve() == root:
        raise OutsideSeedsError(f"{relative} is not a file in the seeds folder {seeds_dir}")
    return path


def _drop_line(path: Path, number: int) -> None:
    compressed = path.name.endswith(".gz")
    raw = _decompressed(path) if compressed else path.read_bytes()
    lines = raw.splitlines(keepends=True)
    if not 1 <= number <= len(lines):
        raise ValueError(f"{path} has no line {number}")
    kept = b"".join(lines[: number - 1] + lines[number:])
    write_atomic(path, gzip.compress(kept) if compressed else kept)


def _decompressed(path: Path) -> bytes:
    """The whole of a ``.gz`` file; damaged data is a ``ValueError`` naming it.

    Rewriting a damaged export would drop every line after the damage, so nothing is cut.
    """
    try:
        return gzip.decompress(path.read_bytes())
    except (EOFError, zlib.error) as exc:
        raise ValueError(f"its compressed data is damaged ({exc}); restore {path.name}") from exc
