"""The seeds folder as the single source of truth: adding and removing articles in it.

Added articles are written as Markdown with YAML front matter, escaped so that reading the
file back gives the same article: a rebuild from the folder reproduces the index. Every write
is atomic (a temporary file, then ``os.replace``), so a crash leaves either the old folder or
the new one, never half a file.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import yaml

from index.files import escape_markdown, sidecar_path
from index.models import Article


def write_article(article: Article, seeds_dir: Path) -> Path:
    """Write ``article`` as ``<id>.md`` with front matter; return the new file's path."""
    seeds_dir.mkdir(parents=True, exist_ok=True)
    path = seeds_dir / f"{article.id}.md"
    counter = 2
    while path.exists():
        path = seeds_dir / f"{article.id}-{counter}.md"
        counter += 1
    fields = {
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
    _write_atomic(path, f"---\n{front}---\n\n{body}\n".encode())
    return path


def remove_article(seeds_dir: Path, source: str) -> Path:
    """Remove the article read from ``source`` ("path" or "path:line", relative to the folder).

    A file holding one article is deleted with its sidecar; a line of a JSON Lines file is
    cut from it. Returns the file that changed.
    """
    name, _, line = source.rpartition(":")
    if name and line.isdigit():
        path = seeds_dir / name
        _drop_line(path, int(line))
        return path
    path = seeds_dir / source
    path.unlink()
    sidecar_path(path).unlink(missing_ok=True)
    return path


def _drop_line(path: Path, number: int) -> None:
    compressed = path.name.endswith(".gz")
    raw = gzip.decompress(path.read_bytes()) if compressed else path.read_bytes()
    lines = raw.splitlines(keepends=True)
    if not 1 <= number <= len(lines):
        raise ValueError(f"{path} has no line {number}")
    kept = b"".join(lines[: number - 1] + lines[number:])
    _write_atomic(path, gzip.compress(kept) if compressed else kept)


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
