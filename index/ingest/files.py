"""Article files in, ``Article`` values out.

Reads the formats the coverage arrives in: plain text with a loose header (title, photo
credit, author, date), Markdown-ish text (``# title``, bold dek, ``By [Name](#)`` byline,
category headings, ``Original url:`` trailer), Markdown or text with YAML front matter, and
JSON Lines exports (optionally gzip-compressed), one article per line. A sidecar
``NAME.meta.yaml`` beside any file adds or corrects metadata without touching the article.

Nothing here raises on bad input: every file or line that cannot be used becomes a
``Problem`` naming its path, line and reason, and everything else is still read.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from index.ingest.fetch import web_url
from index.models import Article, Problem

#: Bump when parsing changes what articles a file yields: indexes built before are then stale.
PARSER_VERSION = 7
#: File endings read as one article each (header or front matter, then the body).
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
#: File endings read as one article per line.
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
#: Ending of the metadata sidecar that may sit beside any article file.
SIDECAR_SUFFIX = ".meta.yaml"
#: Longest title part of an article id.
MAX_SLUG_CHARS = 48
#: Metadata keys accepted in front matter and sidecars.
META_KEYS = frozenset({"id", "title", "author", "outlet", "date", "published", "url"})
#: What an id given in front matter or a sidecar may look like (it travels in custom ids).
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_HEADING = re.compile(r"^#{1,6}\s+")
_URL = re.compile(r"https?://\S+")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")
_BYLINE = re.compile(r"^by\s+(.+)$", re.IGNORECASE)
_PHOTO_CREDIT = re.compile(r"^(photo|photograph|image|illustration|credit)s?\b.{0,120}$", re.I)
_RELATED = re.compile(r"^(related( article)?s?|read more|see also|read also)\b", re.IGNORECASE)
_ORIGINAL_URL = re.compile(r"^(original url|source url|url)\s*:\s*(\S*)$", re.IGNORECASE)
_NAME = re.compile(r"^[A-Z][\w'’.-]*(\s+[A-Z][\w'’.-]*){1,3}$")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])")
_MARKUP_CHARS = re.compile(r"[\\`*_\[\]<>]")
_OUTSIDE = "a symbolic link out of the seeds folder; not followed"
_SPECIAL = "not a regular file; not read"
_LOOP = "a symbolic link that loops back on itself; not followed"
_HIDDEN = 0xF0000  # a private-use plane: escaped characters wait there during inline rules
_HIDDEN_CHARS = re.compile("[\U000f0000-\U000f00ff]")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%B %d %Y", "%Y-%m-%d")


@dataclass
class Ingest:
    """The articles read from a set of files, and what could not be used."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)


def list_folder(folder: Path) -> tuple[list[Path], list[Problem]]:
    """Every visible file under ``folder`` (sidecars included) in a stable order, and problems.

    Symbolic links are never followed out of the folder: a link to a file outside it is
    reported and skipped, so nothing placed in the folder can make the index read the host's
    files. Hidden files and folders (temporary writes, ``.git``) are left alone.
    """
    if not folder.is_dir():
        return [], []
    root = folder.resolve()
    files: list[Path] = []
    problems: list[Problem] = []
    for current, folders, names in os.walk(folder):
        base = Path(current)
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in folders:
            if reason := _not_followed(base / name, root):
                problems.append(Problem(_label(base / name, folder), None, reason))
        for name in names:
            path = base / name
            if name.startswith("."):
                continue
            if reason := _not_followed(path, root) or _not_regular(path):
                problems.append(Problem(_label(path, folder), None, reason))
                continue
            files.append(path)
    return sorted(files), problems


def _not_regular(path: Path) -> str | None:
    """Why ``path`` is not read: a FIFO, socket or device would block or never end.

    A dangling link is listed still, so reading it reports that the file is missing.
    """
    return _SPECIAL if path.exists() and not path.is_file() else None


def _not_followed(path: Path, root: Path) -> str | None:
    """Why the symbolic link ``path`` is not followed (out of ``root``, or a loop), if it is not.

    A loop raises ``RuntimeError`` from ``resolve`` on Python 3.11 (``OSError`` later).
    """
    if not path.is_symlink():
        return None
    try:
        inside = path.resolve().is_relative_to(root)
    except (RuntimeError, OSError):
        return _LOOP
    return None if inside else _OUTSIDE


def discover(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The article files under ``folder`` (sidecars excluded), and what was not followed."""
    files, problems = list_folder(folder)
    return [p for p in files if not p.name.endswith(SIDECAR_SUFFIX)], problems


def read_folder(folder: Path) -> Ingest:
    """Read every article file under ``folder``; see ``read_files``."""
    files, problems = discover(folder)
    ingest = read_files(files, root=folder)
    ingest.problems[:0] = problems
    return ingest


def read_files(paths: Iterable[Path], root: Path | None = None) -> Ingest:
    """Read articles from ``paths``, dropping duplicates (same URL or same body) with a warning.

    Of two copies of an article, the one with sidecar metadata is kept (it holds what someone
    added by hand), else the one whose path (then line) sorts first, whatever order the paths
    come in. Ids are given in reading order.

    Parameters
    ----------
    paths
        Article files; unknown formats are reported, not skipped silently.
    root
        Paths are reported relative to it when given, so reports stay short.
    """
    ingest = Ingest()
    read: list[_Read] = []
    for path in paths:
        label = _label(path, root)
        sidecar, sidecar_problems = read_sidecar(path, label)
        ingest.problems += sidecar_problems
        for position, item in enumerate(_read_file(path, label, sidecar)):
            if isinstance(item, Problem):
                ingest.problems.append(item)
            else:
                read.append(_Read(item, (not sidecar, path, position)))
    kept_copy = _kept_copies(read)
    unique = [copy.article for copy in read if copy.article not in kept_copy]
    final = dict(zip(unique, _assign_ids(unique), strict=True))
    ingest.articles = list(final.values())
    ingest.duplicates = [
        _duplicate(copy, kept, final[kept.article].id)
        for copy in read
        if (kept := kept_copy.get(copy.article)) is not None
    ]
    return ingest


def _assign_ids(articles: list[Article]) -> list[Article]:
    """Unique ids: an id written in the file (``add`` writes one) is kept; others yield to it.

    Ids given explicitly are reserved first, so adding a namesake never renames an article
    already in the coverage: the id ``add`` reported stays the article's id after rebuilds.
    """
    explicit = [a.id != slugify(a.title, a.published) for a in articles]
    used: set[str] = set()
    reserved = {a.id: a for a, given in zip(articles, explicit, strict=True) if given}
    used.update(reserved)
    result = []
    for article, given in zip(articles, explicit, strict=True):
        if given and reserved.get(article.id) is article:
            result.append(article)
            continue
        result.append(replace(article, id=unique_id(article, used)))
        used.add(result[-1].id)
    return result


@dataclass(frozen=True, slots=True)
class _Read:
    """An article as read, and its rank among copies: sidecar first, then path and position."""

    article: Article
    preference: tuple[bool, Path, int]


def _kept_copies(read: list[_Read]) -> dict[Article, _Read]:
    """For each article that duplicates another, the copy that is kept instead."""
    seen = Seen()
    copies = {copy.article: copy for copy in read}
    kept: dict[Article, _Read] = {}
    for copy in sorted(read, key=lambda r: r.preference):
        original = seen.original(copy.article)
        if original is None:
            seen.add(copy.article)
        else:
            kept[copy.article] = copies[original]
    return kept


class Seen:
    """Articles met so far, by body and by URL, to find the same article twice."""

    def __init__(self, articles: Iterable[Article] = ()) -> None:
        self.bodies: dict[str, Article] = {}
        self.urls: dict[str, Article] = {}
        self.ids: set[str] = set()
        for article in articles:
            self.add(article)

    def add(self, article: Article, key: str | None = None) -> None:
        """Remember ``article``; ``key`` is its ``body_key`` when already known (the index
        stores them), which spares normalising the body: 13 s for a 1M-passage coverage."""
        self.ids.add(article.id)
        self.bodies.setdefault(key or body_key(article.body), article)
        if article.url:
            self.urls.setdefault(url_key(article.url), article)

    def copy(self) -> Seen:
        """Another ``Seen`` remembering the same articles, to add to apart from this one."""
        other = Seen()
        other.bodies, other.urls, other.ids = dict(self.bodies), dict(self.urls), set(self.ids)
        return other

    def original(self, article: Article) -> Article | None:
        """An earlier article with the same body or URL, if any."""
        same_body = self.bodies.get(body_key(article.body))
        return same_body or (self.urls.get(url_key(article.url)) if article.url else None)

    def first(self, article: Article) -> str | None:
        """The id of an earlier article with the same body or URL, if any."""
        original = self.original(article)
        return original.id if original is not None else None


def _duplicate(skipped: _Read, kept: _Read, kept_id: str) -> Problem:
    """The warning for a skipped copy: which copy was kept instead, and why."""
    why = (
        "it has sidecar metadata"
        if kept.preference[0] < skipped.preference[0]
        else "it comes first"
    )
    reason = f"skipped, a duplicate of {kept_id}: kept {kept.article.source} ({why})"
    path, _, line = skipped.article.source.rpartition(":")
    if path and line.isdigit():
        return Problem(path, int(line), reason)
    return Problem(skipped.article.source, None, reason)


def _label(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return str(path)


def _read_file(path: Path, label: str, sidecar: Mapping[str, str]) -> Iterator[Article | Problem]:
    name = path.name.lower()
    try:
        if name.endswith(JSONL_SUFFIXES):
            yield from _read_jsonl(path, label, sidecar)
        elif name.endswith(TEXT_SUFFIXES):
            yield _read_text(path, label, sidecar)
        else:
            yield Problem(label, None, "unknown format (expected .txt, .md, .jsonl or .jsonl.gz)")
    except OSError as exc:
        yield Problem(label, None, f"cannot read file: {exc.strerror or exc}")
    except EOFError:
        yield Problem(label, None, "cannot read file: compressed data ends early")
    except UnicodeDecodeError as exc:
        yield Problem(label, None, f"not UTF-8 text (byte {exc.start})")
    except ValueError as exc:
        yield Problem(label, None, str(exc))


def sidecar_path(path: Path) -> Path:
    """Where the metadata sidecar for ``path`` lives: ``NAME.meta.yaml`` beside it."""
    name = path.name
    for suffix in (*JSONL_SUFFIXES, *TEXT_SUFFIXES):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return path.with_name(name + SIDECAR_SUFFIX)


def read_sidecar(path: Path, label: str) -> tuple[dict[str, str], list[Problem]]:
    """Read the optional metadata sidecar of ``path``; problems never stop the article."""
    meta_path = sidecar_path(path)
    if not meta_path.is_file():
        return {}, []
    meta_label = label[: -len(path.name)] + meta_path.name
    try:
        loaded = _load_yaml(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return {}, [Problem(meta_label, None, f"sidecar ignored: {_first_line(exc)}")]
    return _clean_meta(loaded, meta_label)


def _load_yaml(text: str) -> object:
    """``yaml.safe_load``, with deep nesting (which overflows its recursive parser) an error."""
    try:
        return yaml.safe_load(text)
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None


def _clean_meta(loaded: object, label: str) -> tuple[dict[str, str], list[Problem]]:
    if loaded is None:
        return {}, []
    if not isinstance(loaded, Mapping):
        return {}, [Problem(label, None, "metadata ignored: expected key: value pairs")]
    meta: dict[str, str] = {}
    problems = []
    for key, value in loaded.items():
        if key not in META_KEYS:
            problems.append(Problem(label, None, f"unknown metadata key {key!r} ignored"))
        elif isinstance(value, (list, dict, set)):  # never written out: aliases nest them
            problems.append(Problem(label, None, f"metadata {key!r} ignored: not one value"))
        elif value is not None:
            meta["published" if key == "date" else str(key)] = str(value).strip()
    return meta, problems


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- plain text and Markdown -------------------------------------------------------------


def _read_text(path: Path, label: str, sidecar: Mapping[str, str]) -> Article | Problem:
    text = path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return parse_text(text, label, sidecar)


def parse_text(
    text: str, label: str, sidecar: Mapping[str, str] | None = None
) -> Article | Problem:
    """Parse one article file's text: front matter or a loose header, then the body."""
    text = text.lstrip("\ufeff")
    meta: dict[str, str] = {}
    front, rest = _split_front_matter(text)
    if front is not None:
        try:
            loaded = _load_yaml(front)
        except yaml.YAMLError as exc:
            return Problem(label, None, f"front matter is not valid YAML: {_first_line(exc)}")
        meta, _ = _clean_meta(loaded, label)
        body, trailer_url = clean_body(rest.split("\n"), loose=False)
    else:
        meta, body_lines = _parse_header(text.split("\n"))
        body, trailer_url = clean_body(body_lines)
    if trailer_url and "url" not in meta:
        meta["url"] = trailer_url
    meta.update(sidecar or {})
    return _article(meta, body, label)


def _split_front_matter(text: str) -> tuple[str | None, str]:
    stripped = text.lstrip("\n")
    if not stripped.startswith("---\n"):
        return None, text
    end = stripped.find("\n---", 4)
    if end < 0:
        return None, text
    after = stripped.find("\n", end + 4)
    return stripped[4:end], "" if after < 0 else stripped[after + 1 :]


def _parse_header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Take title, byline, date and credits off the top; return them and the body lines.

    A bold standfirst (dek) in the header is kept as the body's first paragraph. The header
    ends at the first line that reads like prose (long, or a full sentence).
    """
    meta: dict[str, str] = {}
    dek: list[str] = []
    for index, raw in enumerate(lines):
        stripped = raw.strip()
        if not stripped:
            continue
        if _is_bold_line(stripped) and "title" in meta:
            dek += [stripped, ""]
        elif _starts_body(stripped, meta):
            return meta, dek + lines[index:]
        else:
            _classify_header_line(stripped, _inline(stripped), meta)
    return meta, dek


def _starts_body(stripped: str, meta: Mapping[str, str]) -> bool:
    if _HEADING.match(stripped):
        return False
    if "title" not in meta:
        return len(_inline(stripped)) > 200  # no header at all: the text starts at once
    return _is_prose(stripped)


def _is_prose(line: str) -> bool:
    plain = _inline(line)
    return len(plain) > 120 or (len(plain.split()) >= 8 and bool(_SENTENCE_END.search(plain)))


def _classify_header_line(raw: str, line: str, meta: dict[str, str]) -> None:
    heading = _HEADING.match(raw)
    if heading and raw.startswith("# ") and "title" not in meta:
        meta["title"] = line[heading.end() :].strip() if line.startswith("#") else line
        return
    if heading or _PHOTO_CREDIT.match(line) or _is_bold_line(raw):
        return  # category heading, photo credit or dek: not metadata
    byline = _BYLINE.match(line)
    published = parse_date(line)
    if byline and "author" not in meta:
        meta["author"] = byline.group(1).strip()
    elif published and "published" not in meta:
        meta["published"] = published
    elif "title" not in meta:
        meta["title"] = line
    elif "author" not in meta and _NAME.match(line):
        meta["author"] = line


def _is_bold_line(raw: str) -> bool:
    return raw.startswith("**") and raw.rstrip().endswith("**")


def clean_body(lines: list[str], loose: bool = True) -> tuple[str, str | None]:
    """Turn Markdown-ish body lines into clean paragraphs joined by blank lines.

    Always drops headings and images, reduces links to their text and removes emphasis
    markers (backslash escapes keep a character literal). For ``loose`` text as it arrives
    from outlets, also drops related-article lines, photo credits and the ``Original url:``
    trailer (returning its URL), and joins paragraphs that a blank line broke mid-sentence.
    Front-matter files are not loose: they say exactly what they mean.
    """
    paragraphs: list[str] = []
    trailer_url: str | None = None
    expecting_url = False
    for block in _blocks(lines):
        raw = " ".join(line.strip() for line in block)
        if not loose:
            text = (
                ""
                if _HEADING.match(raw) or raw.startswith("![")
                else _normalise_space(_inline(raw))
            )
            paragraphs += [text] if text else []
            continue
        original = _ORIGINAL_URL.match(raw)
        if original:
            trailer_url = _url_in(original.group(2)) or trailer_url
            expecting_url = trailer_url is None
            continue
        if expecting_url and _url_in(raw) and len(raw.split()) == 1:
            trailer_url, expecting_url = _url_in(raw), False
            continue
        if _is_boilerplate(raw):
            continue
        text = _normalise_space(_inline(raw))
        if not text:
            continue
        if paragraphs and _continues(paragraphs[-1], text):
            paragraphs[-1] = f"{paragraphs[-1]} {text}"
        else:
            paragraphs.append(text)
    return "\n\n".join(paragraphs), trailer_url


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _is_boilerplate(raw: str) -> bool:
    plain = _inline(raw).strip()
    return bool(
        _HEADING.match(raw)
        or _RELATED.match(plain)
        or (_PHOTO_CREDIT.match(plain) and len(plain.split()) <= 12)
        or raw.startswith("![")
    )


def _continues(previous: str, text: str) -> bool:
    """A paragraph continues the previous one when a blank line broke a sentence."""
    return not _SENTENCE_END.search(previous) and (text[0].islower() or text[0] in ",;”’)")


def _inline(text: str) -> str:
    # Backslash-escaped characters are literal: hide them from the rules, restore them after.
    text = _ESCAPED.sub(lambda m: chr(_HIDDEN + ord(m.group(1))), text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    previous = None
    while previous != text:  # nested emphasis such as ***x***
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return _HIDDEN_CHARS.sub(lambda m: chr(ord(m.group()) - _HIDDEN), text)


def escape_markdown(paragraph: str) -> str:
    """Escape what ``clean_body`` reads as markup, so a paragraph reads back unchanged."""
    escaped = _MARKUP_CHARS.sub(r"\\\g<0>", paragraph)
    return "\\" + escaped if escaped.startswith(("#", "!")) else escaped


#: Invisible characters that change how text around them is shown, never what it says:
#: bidirectional embeddings, overrides and isolates (a right-to-left override makes a quote
#: read backwards in Discord, or hide what follows), zero-width spaces and byte-order marks.
_INVISIBLE = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x2060, 0xFEFF])


def _normalise_space(text: str) -> str:
    """One space between words, and none of the ``_INVISIBLE`` characters."""
    return " ".join(text.translate(_INVISIBLE).split())


def _url_in(text: str) -> str | None:
    found = _URL.search(_AUTOLINK.sub(r"\1", text))
    return found.group(0).rstrip(">).,") if found else None


# --- JSON Lines ----------------------------------------------------------------------------


def _read_jsonl(path: Path, label: str, sidecar: Mapping[str, str]) -> Iterator[Article | Problem]:
    """One article or problem per line; damaged compressed data ends the file with a problem.

    Lines are decoded one by one, so a bad byte costs its own line only, and numbered as
    ``bytes.splitlines`` does (what ``remove`` cuts by). Lines read before damaged
    compressed data are kept: a corrupt export loses only what cannot be read.
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    number = 0
    try:
        with opener(path, "rb") as handle:
            for chunk in handle:
                for raw in chunk.splitlines():
                    number += 1
                    yield from _json_line(raw, label, number, sidecar)
    except (zlib.error, EOFError, gzip.BadGzipFile) as exc:
        reason = "ends early" if isinstance(exc, EOFError) else "is damaged"
        yield Problem(label, None, f"compressed data {reason} after line {number}; {_kept(number)}")


def _json_line(
    raw: bytes, label: str, number: int, sidecar: Mapping[str, str]
) -> Iterator[Article | Problem]:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield Problem(label, number, f"not UTF-8 text (byte {exc.start + 1} of the line)")
        return
    if line.strip():
        yield parse_json_line(line, f"{label}:{number}", sidecar)


def _kept(lines: int) -> str:
    return "the lines before it were read" if lines else "nothing could be read from it"


def parse_json_line(
    line: str, label: str, defaults: Mapping[str, str] | None = None
) -> Article | Problem:
    """Parse one JSON Lines record (title, url, date or published_time, body, ...)."""
    path, _, number = label.rpartition(":")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Problem(path, int(number), f"not valid JSON ({exc.msg} at column {exc.colno})")
    except RecursionError:  # the decoder recurses per nesting level
        return Problem(path, int(number), "not valid JSON (nested too deeply)")
    except ValueError:  # an integer over Python's 4,300-digit limit for reading one
        return Problem(path, int(number), "not valid JSON (a number too long to read)")
    if not isinstance(record, dict):
        return Problem(path, int(number), "expected a JSON object")
    body_text = record.get("body")
    if not isinstance(body_text, str) or not body_text.strip():
        return Problem(path, int(number), "no body text")
    meta = dict(defaults or {})
    meta.update(_record_meta(record))
    body, _ = clean_body(body_text.replace("\r\n", "\n").split("\n"))
    return _article(meta, body, label)


def _record_meta(record: Mapping[str, Any]) -> dict[str, str]:
    picks = {
        "title": record.get("title"),
        "author": record.get("author"),
        "outlet": record.get("outlet") or record.get("source"),
        "published": record.get("published") or record.get("date") or record.get("published_time"),
        "url": record.get("url"),
    }
    return {
        key: str(value).strip()
        for key, value in picks.items()
        if value and not isinstance(value, (list, dict))  # not one value: no text for it
    }


def article_from_parts(
    meta: Mapping[str, str], paragraphs: list[str], label: str
) -> Article | Problem:
    """An article from metadata and paragraphs found elsewhere (a web page), cleaned alike."""
    lines = [line for paragraph in paragraphs for line in (paragraph, "")]
    body, _ = clean_body(lines)
    return _article(meta, body, label)


# --- shared --------------------------------------------------------------------------------


def _article(meta: Mapping[str, str], body: str, label: str) -> Article | Problem:
    if not body.strip():
        path, _, number = label.rpartition(":")
        if path and number.isdigit():
            return Problem(path, int(number), "no article text found")
        return Problem(label, None, "no article text found")
    published = parse_date(meta.get("published", "")) if meta.get("published") else None
    title = _normalise_space(_inline(meta.get("title", ""))) or _title_from(body)
    given = meta.get("id", "")
    return Article(
        id=given if _ID.fullmatch(given) else slugify(title, published),
        title=title,
        author=_normalise_space(meta.get("author", "")) or None,  # shown beside every quote
        outlet=_normalise_space(meta.get("outlet", "")) or None,
        published=published,
        url=web_url(meta["url"]) if meta.get("url") else None,  # Discord links http(s) only
        body=body,
        source=label,
    )


def _title_from(body: str) -> str:
    words = body.split()
    return " ".join(words[:10]) + ("…" if len(words) > 10 else "")


def parse_date(text: str) -> str | None:
    """Read a date in the formats the coverage uses and return it as YYYY-MM-DD."""
    text = text.strip()
    iso = re.match(r"^(\d{4}-\d{2}-\d{2})([ T].*)?$", text)
    if iso:
        try:
            return date.fromisoformat(iso.group(1)).isoformat()
        except ValueError:
            return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def slugify(title: str, published: str | None, max_words: int = 8) -> str:
    """A readable id from the date and the first title words, e.g. ``2021-12-31-putins-talk``."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded.replace("'", ""))[:max_words]
    slug = "-".join(words) or "article"
    if len(slug) > MAX_SLUG_CHARS:  # ids travel inside Discord custom ids (100 characters)
        slug = slug[: MAX_SLUG_CHARS + 1].rsplit("-", 1)[0]
    return f"{published}-{slug}" if published else slug


def unique_id(article: Article, used: set[str]) -> str:
    """Keep the plain slug for the first article; later namesakes get a content-derived suffix."""
    if article.id not in used:
        return article.id
    digest = hashlib.sha1((article.url or article.body).encode()).hexdigest()
    candidate = f"{article.id}-{digest[:6]}"
    while candidate in used:
        digest = hashlib.sha1(digest.encode()).hexdigest()
        candidate = f"{article.id}-{digest[:6]}"
    return candidate


def body_key(body: str) -> str:
    """Identity of a body for duplicate detection: case and spacing do not matter."""
    return hashlib.sha1(" ".join(body.casefold().split()).encode()).hexdigest()


def url_key(url: str) -> str:
    """Identity of a URL for duplicate detection: scheme, www. and trailing slash aside."""
    return re.sub(r"^https?://(www\.)?", "", url.strip()).rstrip("/").casefold()
