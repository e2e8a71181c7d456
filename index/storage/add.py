"""Growing the coverage: files, web pages and URLs in, new article files in the seeds folder.

Each source yields articles or one clear problem, and the batch goes on: a URL that times out
or is not HTML, a page with no article text, a duplicate of an article already in the
coverage, a file in an unknown format or one that cannot be read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from index.ingest.fetch import FetchError, FetchLimits, fetch, without_credentials
from index.ingest.files import Seen, read_files, read_folder, unique_id
from index.ingest.html import article_from_html
from index.ingest.seeds import write_article
from index.models import Article, Problem

#: The only URLs fetched.
URL_SCHEMES = ("http://", "https://")
#: File endings read as web pages.
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass(frozen=True, slots=True)
class Added:
    """One article written into the seeds folder."""

    source: str
    article: Article
    path: Path


def _is_url(source: str) -> bool:
    """Whether ``source`` is an http(s) URL; schemes are case-insensitive (``HTTPS://``)."""
    return source[:8].casefold().startswith(URL_SCHEMES)


def add_sources(
    sources: Sequence[str],
    seeds_dir: Path,
    limits: FetchLimits | None = None,
    *,
    urls_only: bool = False,
    seen: Seen | None = None,
) -> list[Added | Problem]:
    """Add every article found in ``sources`` (paths or http(s) URLs) to ``seeds_dir``.

    Returns the problems, then one outcome per article found. See ``collect`` and
    ``add_articles``; callers hold the maintenance lock (``index.storage.maintain``), which
    fetches first and takes the lock only to write.
    """
    found = collect(sources, limits, urls_only=urls_only)
    problems: list[Added | Problem] = [p for p in found if isinstance(p, Problem)]
    articles = [a for a in found if isinstance(a, Article)]
    return problems + add_articles(articles, seeds_dir, seen)


def collect(
    sources: Sequence[str], limits: FetchLimits | None = None, *, urls_only: bool = False
) -> list[Article | Problem]:
    """The articles in ``sources`` (paths or http(s) URLs), or one problem per bad source.

    Fetches and reads only: nothing is written, so no lock is needed while a slow server
    answers. With ``urls_only`` a source that is not an http(s) URL is refused without
    looking at the file system. Credentials in a URL are never kept or shown.
    """
    found: list[Article | Problem] = []
    for source in map(without_credentials, sources):
        if urls_only and not _is_url(source):
            found.append(Problem(source, None, "only http and https URLs can be added"))
        else:
            found.extend(_articles_in(source, limits))
    return found


def add_articles(
    articles: Sequence[Article], seeds_dir: Path, seen: Seen | None = None
) -> list[Added | Problem]:
    """Add articles built elsewhere (feed entries) to ``seeds_dir``, as ``add_sources`` does.

    One outcome per article, in order: duplicates of articles already in the folder (same URL
    or same body), or earlier in the batch, are problems; each added article's ``source`` is
    its new file in the folder, never the original. ``seen`` is what the folder holds when
    the caller knows it already (reading every file again is the slow part of adding one
    article to a large coverage). Callers hold the maintenance lock.
    """
    seen = seen or Seen(read_folder(seeds_dir).articles)
    return [_write_new(article, article.source, seeds_dir, seen) for article in articles]


def _write_new(item: Article, source: str, seeds_dir: Path, seen: Seen) -> Added | Problem:
    """Write ``item`` into the folder unless an article with its URL or body is there.

    Its id is made unique against every article in the coverage and written into the file.
    """
    first = seen.first(item)
    if first is not None:
        return Problem(item.source, None, f"already in the coverage as {first}")
    named = replace(item, id=unique_id(item, seen.ids))
    path = write_article(named, seeds_dir)
    written = replace(named, source=str(path.relative_to(seeds_dir)))
    seen.add(written)
    return Added(source, written, path)


def _articles_in(source: str, limits: FetchLimits | None) -> Iterator[Article | Problem]:
    if _is_url(source):
        try:
            page = fetch(source, limits)
        except FetchError as exc:
            yield Problem(source, None, str(exc))
            return
        yield article_from_html(page.html, page.url, source)
        return
    if re.match(r"^[a-z][a-z0-9+.-]*://", source, re.IGNORECASE):
        yield Problem(source, None, "only http and https URLs can be added")
        return
    path = Path(source)
    if not path.is_file():
        yield Problem(source, None, "no such file" if not path.exists() else "not a file")
        return
    if path.name.lower().endswith(HTML_SUFFIXES):
        try:
            html = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            yield Problem(source, None, f"cannot read file: {exc.strerror or exc}")
            return
        yield article_from_html(html, None, source)
        return
    ingest = read_files([path])
    yield from ingest.problems
    yield from ingest.duplicates
    yield from ingest.articles
