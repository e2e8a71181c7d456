"""Building, saving and loading the index: one directory, no pickle, swapped in atomically.

Layout of ``INDEX_DIR``::

    CURRENT                  the live generation's name, then its delta's (if any) on a line
    gen-<fingerprint>-<ns>-<pid>/    the main segment: params.json, vocab.json,
                                     articles.jsonl and .npy arrays (postings, passages,
                                     bodies, and each passage's sentences and their terms)
    delta-<fingerprint>-<ns>-<pid>/  articles added since, in the same files (vocab.json
                                     holds only the terms new to the index)

A build writes a fresh generation directory, then points ``CURRENT`` at it with
``os.replace``; a crash or a full disk mid-build leaves the previous generation serving, and
the partial directory is removed. Adding articles writes a new delta the same way (the old
delta's articles and the new ones) and replaces ``CURRENT`` with the generation and that
delta: the main segment is never rewritten for an addition, so adding costs the same at any
size. Segments store term frequencies and passage lengths, not weights, and are scored
together (``bm25.combine``), so the scores are those of one index over every article. A delta
that outgrows ``MERGE_PASSAGES`` is merged into a new generation: by the addition, or beside
a large generation by a background process (``write_merged``, ``background``).

Arrays load memory-mapped and read-only. ``params.json`` holds every file's size and CRC-32,
checked at open, so a damaged file is found before it scores anything. The fingerprint
covers the seed files' bytes and every setting that changes the index, so a stale index is
noticed and rebuilt.

Writers (``build_index``, ``append_articles``) must hold the maintenance lock of
``index.storage.maintain``; readers take none. A segment is removed only when no process is
opening it (a shared ``flock`` while it opens); once open, its memory maps outlive removal.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from index import passages as passage_rules
from index.analyze import ANALYZER_VERSION, analyze
from index.atomic import fsync_tree, write_atomic
from index.ingest.files import PARSER_VERSION, body_key, list_folder, read_folder
from index.models import Article, Problem
from index.storage.bm25 import (
    BM25Params,
    Postings,
    combine,
    merge,
    postings_from_ids,
)
from index.storage.coverage import ArticleMeta, Bodies, Coverage, IndexInfo, Sentences
from index.storage.locking import maintenance_lock

log = logging.getLogger(__name__)

#: Bump when the on-disk layout changes; other versions are rebuilt, never misread.
FORMAT_VERSION = 7
#: File in the index directory naming the live generation and its delta.
CURRENT = "CURRENT"
#: A delta holding more passages than this (or than the main segment) is merged into a new
#: generation. Each addition rewrites the delta, so its size bounds what an addition costs.
MERGE_PASSAGES = 20_000
#: A delta outgrowing ``MERGE_PASSAGES`` beside a generation larger than this is merged by a
#: background process (``write_merged``, then ``Merged.publish``), not inside the addition:
#: a merge rewrites every array (0.3 s at 100k passages, 4-5 s at 1M), and the addition that
#: happens to cross the line would hold up every question waiting for a core meanwhile.
INLINE_MERGE_PASSAGES = 200_000
#: Prefix of a generation a background merge is writing, renamed ``gen-...`` when made live.
#: The merging process holds an exclusive ``flock`` on the folder until then; a folder
#: nobody holds is what a killed merge left, and the next write removes it.
MERGING = "merging-"
#: File in each generation with its format, sizes, checksums and facts; written last.
PARAMS = "params.json"
#: Times ``load`` follows ``CURRENT`` when a generation is replaced while being opened.
_OPEN_ATTEMPTS = 3
_ARRAYS = (
    "terms",
    "indptr",
    "doc_ids",
    "tf",
    "doc_len",
    "passages",
    "bodies",
    "body_offsets",
    "body_keys",
    "sentences",
    "sentence_ptr",
    "tokens",
    "token_ptr",
)
#: Stored ``files.body_key`` values: 40 hex digits.
_KEY = "S40"
#: Sentences analysed per task; batches of at least ``PARALLEL_SENTENCES`` use every core.
ANALYSIS_CHUNK = 10_000
PARALLEL_SENTENCES = 100_000


#: What reading a damaged index raises: missing or short files, bad JSON (a ValueError), and
#: valid JSON of the wrong shape (``[]`` for params.json: a KeyError, TypeError or AttributeError).
_DAMAGE = (OSError, ValueError, KeyError, TypeError, AttributeError)


class StoreError(Exception):
    """Base of the errors opening an index."""


class IndexMissingError(StoreError):
    """No index has been built in the directory yet."""


class IndexCorruptError(StoreError):
    """The index on disk cannot be used; the message says why."""


class IndexWriteError(StoreError):
    """A new index could not be written (disk full, read-only folder); nothing partial is left."""


@dataclass
class BuildReport:
    """What a build read and what it could not use."""

    info: IndexInfo
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)


def fingerprint(seeds_dir: Path, params: BM25Params) -> str:
    """Hash of every seed file's path and bytes plus everything that shapes the index."""
    return fingerprint_of(seed_digests(seeds_dir), params)


def seed_digests(seeds_dir: Path) -> dict[str, bytes]:
    """Each seed file's path (relative) and SHA-256; a file that cannot be read gets a marker.

    A file removed or unreadable between listing and reading is not an error here: reading
    the folder reports it, and the marker still changes the fingerprint.
    """
    digests = {}
    for path in list_folder(seeds_dir)[0]:
        try:
            digest = _file_digest(path)
        except OSError:
            digest = b"unreadable"
        digests[str(path.relative_to(seeds_dir))] = digest
    return digests


#: Digest of each seed file this process has read, with the size and modification time it
#: had: an addition fingerprints the folder before and after, and a running bot after every
#: change, so at a million passages re-reading every file cost about a second each time.
_DIGESTS: dict[Path, tuple[int, int, bytes]] = {}


def _file_digest(path: Path) -> bytes:
    """sha256 of ``path``'s bytes, read again only when its size or mtime changed."""
    stat = path.stat()
    known = _DIGESTS.get(path)
    if known is not None and known[:2] == (stat.st_size, stat.st_mtime_ns):
        return known[2]
    digest = hashlib.sha256(path.read_bytes()).digest()
    _DIGESTS[path] = (stat.st_size, stat.st_mtime_ns, digest)
    return digest


def fingerprint_of(digests: dict[str, bytes], params: BM25Params) -> str:
    """The fingerprint of a folder whose files have ``digests``, indexed with ``params``."""
    digest = hashlib.sha256()
    settings = {
        "format": FORMAT_VERSION,
        "parser": PARSER_VERSION,
        "analyzer": ANALYZER_VERSION,
        "passage": [
            passage_rules.SPLIT_VERSION,
            passage_rules.PASSAGE_SENTENCES,
            passage_rules.PASSAGE_CHARS,
        ],
        "bm25": asdict(params),
    }
    digest.update(json.dumps(settings, sort_keys=True).encode())
    for name in sorted(digests):
        digest.update(name.encode() + b"\0")
        digest.update(digests[name])
    return digest.hexdigest()[:16]


def check_writable(index_dir: Path) -> None:
    """Raise ``IndexWriteError`` now, before minutes of analysis, when nothing can be written."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=index_dir):
            pass
    except OSError as exc:
        raise IndexWriteError(_cannot_write(index_dir, exc)) from exc


def build_index(seeds_dir: Path, index_dir: Path, params: BM25Params) -> BuildReport:
    """Read every article under ``seeds_dir`` and write a new index generation."""
    started = time.perf_counter()
    check_writable(index_dir)
    print_fp = fingerprint(seeds_dir, params)
    ingest = read_folder(seeds_dir)
    for problem in ingest.problems:
        log.warning("skipped %s", problem)
    for duplicate in ingest.duplicates:
        log.warning("duplicate %s", duplicate)
    info = write_index(ingest.articles, index_dir, params, print_fp, started)
    return BuildReport(info, ingest.problems, ingest.duplicates)


@dataclass
class _Segment:
    """Everything a generation or a delta is written from.

    Article and passage numbers are global: a delta's continue from the generation's.
    """

    metas: list[dict[str, Any]]  #: article metadata, as articles.jsonl holds it
    bodies: NDArray[np.uint8]  #: every body as UTF-8, concatenated
    body_offsets: NDArray[np.int64]  #: article ``i`` of the segment: offsets[i]:offsets[i+1]
    body_keys: NDArray[np.bytes_]  #: each body's ``files.body_key``, to find duplicates
    rows: NDArray[np.int32]  #: passages: (global) article index, start, end
    doc_len: NDArray[np.int32]  #: terms per passage
    postings: Postings
    sentences: Sentences  #: each passage's sentences and their term ids
    terms: list[str]  #: the terms this segment adds to the vocabulary, in id order
    first_passage: int  #: global number of the segment's first passage

    def arrays(self) -> dict[str, NDArray[Any]]:
        """The ``.npy`` files of the segment, by name."""
        return {
            "terms": self.postings.terms,
            "indptr": self.postings.indptr,
            "doc_ids": self.postings.doc_ids,
            "tf": self.postings.tf,
            "doc_len": self.doc_len,
            "passages": self.rows,
            "bodies": self.bodies,
            "body_offsets": self.body_offsets,
            "body_keys": self.body_keys,
            "sentences": self.sentences.spans,
            "sentence_ptr": self.sentences.ptr,
            "tokens": self.sentences.tokens,
            "token_ptr": self.sentences.token_ptr,
        }


def write_index(
    articles: list[Article],
    index_dir: Path,
    params: BM25Params,
    print_fp: str,
    started: float,
) -> IndexInfo:
    """Index ``articles`` and atomically make the result the live generation."""
    segment = _new_segment(articles, 0, 0, {})
    return _write_generation(segment, index_dir, params, print_fp, started)


def append_articles(
    articles: list[Article],
    index_dir: Path,
    params: BM25Params,
    print_fp: str,
    merge_passages: int = MERGE_PASSAGES,
    inline_merge_passages: int = INLINE_MERGE_PASSAGES,
) -> IndexInfo:
    """Add ``articles`` to the live index without touching its main generation.

    Only the new articles are analysed; they join the delta (the articles added since the
    generation was written), which is written anew beside the generation. When the delta
    holds more than ``merge_passages`` passages, or more than the generation, the two are
    merged into a new generation instead, here while the generation holds at most
    ``inline_merge_passages``; beyond, the delta is written and ``merge_due`` tells the
    caller to merge in the background. Scores stay exactly those of a full rebuild.
    """
    started = time.perf_counter()
    generation, delta = _live(index_dir)
    try:
        main = _read_head(generation)
        old = _read_segment(delta, main.passages) if delta is not None else None
    except _DAMAGE as exc:
        raise IndexCorruptError(f"{type(exc).__name__}: {exc}") from exc
    vocab = main.vocab.copy()  # a copy: the generation's own may be an open index's
    base = len(vocab)
    vocab.update((term, base + i) for i, term in enumerate(old.terms if old else []))
    articles_before = main.articles + (len(old.metas) if old else 0)
    passages_before = main.passages + (len(old.rows) if old else 0)
    new = _new_segment(articles, articles_before, passages_before, vocab)
    grown = _join(old, new) if old is not None else new
    due = len(grown.rows) > min(merge_passages, main.passages)
    if due and main.passages <= inline_merge_passages:
        whole = _join(_read_segment(generation, 0), grown)
        return _write_generation(whole, index_dir, params, print_fp, started)
    return _write_delta(grown, generation, main, index_dir, params, print_fp, started)


def merge_due(index_dir: Path, merge_passages: int = MERGE_PASSAGES) -> bool:
    """Whether the live delta holds more than ``merge_passages`` passages (or than its
    generation): reads two small files."""
    generation, delta = _live(index_dir)
    if delta is None:
        return False
    main = json.loads((generation / PARAMS).read_text(encoding="utf-8"))["info"]["passages"]
    total = json.loads((delta / PARAMS).read_text(encoding="utf-8"))["info"]["passages"]
    return int(total) - int(main) > min(merge_passages, int(main))


@dataclass
class Merged:
    """A generation written from the live generation and delta, not live yet.

    ``stamp`` is what was live when the merge began (``live_stamp``); ``publish`` makes the
    merged generation live only if that is still so. ``folder_lock`` is the open folder,
    locked, which tells the merge is alive.
    """

    index_dir: Path
    stamp: tuple[str, ...]
    directory: Path
    fingerprint: str
    folder_lock: int

    def publish(self) -> bool:
        """Make the merged generation live, alone, unless the index changed since it began
        (then it is discarded). The caller holds the maintenance lock."""
        name = f"gen-{self.fingerprint}-{time.time_ns()}-{os.getpid()}"
        try:
            if live_stamp(self.index_dir) != self.stamp:
                shutil.rmtree(self.directory, ignore_errors=True)
                return False
            os.rename(self.directory, self.index_dir / name)
            write_atomic(self.index_dir / CURRENT, name.encode())
        except OSError as exc:
            # Renamed or not, a whole generation must not stay on a full disk.
            for written in (self.directory, self.index_dir / name):
                shutil.rmtree(written, ignore_errors=True)
            raise IndexWriteError(_cannot_write(self.index_dir, exc)) from exc
        finally:
            os.close(self.folder_lock)
        _remove_unused_segments(self.index_dir, keep={name})
        return True


def write_merged(index_dir: Path) -> Merged | None:
    """Write the live generation and its delta as one new generation, beside them and not
    live (None when there is no delta). Holds the maintenance lock only for moments, while
    it opens the segments and while it creates and locks its folder (a write's clean-up
    removes segments nobody is opening and merge folders nobody holds): readers and writers
    go on meanwhile, and ``Merged.publish`` checks nothing changed before making it live."""
    started = time.perf_counter()
    try:
        with contextlib.ExitStack() as reading:
            with maintenance_lock(index_dir):
                generation, delta = _live(index_dir)
                if delta is None:
                    return None
                reading.enter_context(_reading([generation, delta]))
            stamp = (generation.name, delta.name)
            main = _read_head(generation)
            whole = _join(_read_segment(generation, 0), _read_segment(delta, main.passages))
            raw = json.loads((delta / PARAMS).read_text(encoding="utf-8"))["info"]
    except _DAMAGE as exc:
        raise IndexCorruptError(f"{type(exc).__name__}: {exc}") from exc
    info = IndexInfo(**(raw | {"params": BM25Params(**raw["params"]), "bytes_on_disk": 0}))
    directory = index_dir / f"{MERGING}{time.time_ns()}-{os.getpid()}"
    try:
        with maintenance_lock(index_dir):
            folder_lock = _locked_folder(directory)
    except OSError as exc:
        shutil.rmtree(directory, ignore_errors=True)
        raise IndexWriteError(_cannot_write(index_dir, exc)) from exc
    try:
        _write_files(directory, whole, info, {}, started)
    except OSError as exc:
        os.close(folder_lock)
        shutil.rmtree(directory, ignore_errors=True)
        raise IndexWriteError(_cannot_write(index_dir, exc)) from exc
    return Merged(index_dir, stamp, directory, info.fingerprint, folder_lock)


def _locked_folder(directory: Path) -> int:
    """Create ``directory`` and hold its lock (``_held``); the open folder, to close."""
    directory.mkdir()
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    except OSError:
        os.close(descriptor)
        raise
    return descriptor


def merging(index_dir: Path) -> bool:
    """Whether a merge is being written now (by any process)."""
    return any(_held(folder) for folder in index_dir.glob(f"{MERGING}*"))


def stopped_merges(index_dir: Path) -> list[Path]:
    """The folders of merges that stopped before they were made live (killed, a full disk)."""
    return sorted(folder for folder in index_dir.glob(f"{MERGING}*") if not _held(folder))


def _held(folder: Path) -> bool:
    """Whether some process holds ``folder``'s lock (a merge alive)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def _new_segment(
    articles: list[Article], first_article: int, first_passage: int, vocab: dict[str, int]
) -> _Segment:
    """``articles`` split into passages and analysed; ``vocab`` (the index's) grows.

    Each sentence is analysed on its own and a passage's terms are its sentences' in order
    (the same terms as the passage's whole text: no word crosses a sentence's end), so the
    index keeps both without analysing anything twice.
    """
    rows: list[tuple[int, int, int]] = []
    spans: list[tuple[int, int]] = []
    per_passage: list[int] = []
    for i, article in enumerate(articles):
        for group in passage_rules.passage_sentences(article.body):
            rows.append((first_article + i, group[0].start, group[-1].end))
            spans.extend((span.start, span.end) for span in group)
            per_passage.append(len(group))
    owners = np.repeat(np.asarray([row[0] for row in rows], dtype=np.int64), per_passage)
    texts = [
        articles[owner - first_article].body[start:end]
        for owner, (start, end) in zip(owners.tolist(), spans, strict=True)
    ]
    known = len(vocab)
    tokens, per_sentence = _analyze_all(texts, vocab)
    sentence_ptr = _pointers(np.asarray(per_passage, dtype=np.int64))
    token_ptr = _pointers(per_sentence.astype(np.int64))
    doc_len = np.diff(token_ptr[sentence_ptr]).astype(np.int32)
    encoded = [a.body.encode("utf-8") for a in articles]
    return _Segment(
        metas=[{k: v for k, v in asdict(a).items() if k != "body"} for a in articles],
        bodies=np.frombuffer(b"".join(encoded), dtype=np.uint8),
        body_offsets=np.concatenate([[0], np.cumsum([len(b) for b in encoded])]).astype(np.int64),
        body_keys=np.asarray([body_key(a.body).encode() for a in articles], dtype=_KEY),
        rows=np.asarray(rows, dtype=np.int32).reshape(-1, 3),
        doc_len=doc_len,
        postings=postings_from_ids(tokens.astype(np.int64), doc_len, first_passage),
        sentences=Sentences(
            np.asarray(spans, dtype=np.int32).reshape(-1, 2), sentence_ptr, tokens, token_ptr
        ),
        terms=list(vocab)[known:],
        first_passage=first_passage,
    )


def _pointers(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """Where each of consecutive runs of ``counts`` items starts, and the end of the last."""
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def _join(first: _Segment, second: _Segment) -> _Segment:
    """One segment holding ``first``'s articles, then ``second``'s (which follow them)."""
    return _Segment(
        metas=first.metas + second.metas,
        bodies=np.concatenate([first.bodies, second.bodies]),
        body_offsets=np.concatenate(
            [first.body_offsets[:-1], second.body_offsets + first.body_offsets[-1]]
        ),
        body_keys=np.concatenate([first.body_keys, second.body_keys]),
        rows=np.concatenate([first.rows, second.rows]),
        doc_len=np.concatenate([first.doc_len, second.doc_len]),
        postings=merge(first.postings, second.postings),
        sentences=_join_sentences(first.sentences, second.sentences),
        terms=first.terms + second.terms,
        first_passage=first.first_passage,
    )


def _join_sentences(first: Sentences, second: Sentences) -> Sentences:
    """``first``'s sentences, then ``second``'s, numbered on from them."""
    return Sentences(
        np.concatenate([first.spans, second.spans]),
        np.concatenate([first.ptr[:-1], second.ptr + len(first.spans)]),
        np.concatenate([first.tokens, second.tokens]),
        np.concatenate([first.token_ptr[:-1], second.token_ptr + len(first.tokens)]),
    )


def _analyze_all(
    texts: list[str], vocab: dict[str, int]
) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    """Term ids of every text (concatenated) and the number per text; ``vocab`` grows.

    Large batches are analysed on every core: workers return compact per-chunk vocabularies
    and id arrays, merged here, rather than millions of strings.
    """
    chunks = [texts[i : i + ANALYSIS_CHUNK] for i in range(0, len(texts), ANALYSIS_CHUNK)]
    workers = os.cpu_count() or 1
    if len(texts) >= PARALLEL_SENTENCES and workers > 1:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_analyze_chunk, chunks))
    else:
        results = [_analyze_chunk(chunk) for chunk in chunks]
    tokens, lengths = [], []
    for terms, local_ids, counts in results:
        mapping = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for t in terms), np.int32, len(terms)
        )
        tokens.append(mapping[local_ids])
        lengths.append(counts)
    if not results:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    return np.concatenate(tokens).astype(np.int32), np.concatenate(lengths).astype(np.int32)


def _analyze_chunk(texts: list[str]) -> tuple[list[str], NDArray[np.int32], NDArray[np.int32]]:
    """One chunk's terms: its own vocabulary, the ids of every term, and terms per text."""
    local: dict[str, int] = {}
    ids: list[int] = []
    counts = np.zeros(len(texts), dtype=np.int32)
    for i, text in enumerate(texts):
        terms = analyze(text)
        ids.extend(local.setdefault(t, len(local)) for t in terms)
        counts[i] = len(terms)
    return list(local), np.asarray(ids, dtype=np.int32), counts


def _write_generation(
    segment: _Segment, index_dir: Path, params: BM25Params, print_fp: str, started: float
) -> IndexInfo:
    """Write ``segment`` (every article) as a new generation and make it live, alone."""
    name = f"gen-{print_fp}-{time.time_ns()}-{os.getpid()}"
    info = _info(segment, params, print_fp, len(segment.terms), len(segment.metas))
    return _publish(index_dir, name, segment, info, {}, [name], started)


def _write_delta(
    delta: _Segment,
    generation: Path,
    main: _Head,
    index_dir: Path,
    params: BM25Params,
    print_fp: str,
    started: float,
) -> IndexInfo:
    """Write ``delta`` beside ``generation`` and make the two live together."""
    name = f"delta-{print_fp}-{time.time_ns()}-{os.getpid()}"
    info = _info(
        delta,
        params,
        print_fp,
        vocabulary=len(main.vocab) + len(delta.terms),
        articles=main.articles + len(delta.metas),
        passages=main.passages + len(delta.rows),
        base_bytes=main.bytes_on_disk,
    )
    extra = {"base": generation.name}
    return _publish(index_dir, name, delta, info, extra, [generation.name, name], started)


def _info(
    segment: _Segment,
    params: BM25Params,
    print_fp: str,
    vocabulary: int,
    articles: int,
    passages: int | None = None,
    base_bytes: int = 0,
) -> IndexInfo:
    """Facts about the index once ``segment`` is live (``bytes_on_disk`` filled in later)."""
    return IndexInfo(
        fingerprint=print_fp,
        articles=articles,
        passages=len(segment.rows) if passages is None else passages,
        vocabulary=vocabulary,
        bytes_on_disk=base_bytes,
        build_seconds=0.0,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        params=params,
    )


def _publish(
    index_dir: Path,
    name: str,
    segment: _Segment,
    info: IndexInfo,
    extra: dict[str, Any],
    live: list[str],
    started: float,
) -> IndexInfo:
    """Write ``segment`` into ``index_dir/name``, point ``CURRENT`` at ``live``, tidy up."""
    directory = index_dir / name
    try:
        directory.mkdir(parents=True)
        info = _write_files(directory, segment, info, extra, started)
        write_atomic(index_dir / CURRENT, "\n".join(live).encode())
    except OSError as exc:
        # A full disk or a read-only folder: leave no partial segment to fill it further.
        shutil.rmtree(directory, ignore_errors=True)
        raise IndexWriteError(_cannot_write(index_dir, exc)) from exc
    _remove_unused_segments(index_dir, keep=set(live))
    return info


def _write_files(
    directory: Path, segment: _Segment, info: IndexInfo, extra: dict[str, Any], started: float
) -> IndexInfo:
    """Write one segment's files, their sizes and checksums last (in ``params.json``)."""
    for name, array in segment.arrays().items():
        np.save(directory / f"{name}.npy", array, allow_pickle=False)
    (directory / "vocab.json").write_text(json.dumps(segment.terms))
    with (directory / "articles.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(meta, ensure_ascii=False) + "\n" for meta in segment.metas)
    files = sorted(directory.iterdir())
    sizes = {p.name: p.stat().st_size for p in files}
    info = replace(
        info,
        bytes_on_disk=info.bytes_on_disk + sum(sizes.values()),
        build_seconds=round(time.perf_counter() - started, 3),
    )
    params_doc = {
        "format": FORMAT_VERSION,
        "analyzer": ANALYZER_VERSION,
        "files": sizes,
        "checksums": dict(zip(sizes, _checksums(directory, list(sizes)), strict=True)),
        "info": asdict(info),
        **extra,
    }
    (directory / PARAMS).write_text(json.dumps(params_doc, indent=2), encoding="utf-8")
    fsync_tree(directory)
    return info


def _cannot_write(index_dir: Path, exc: OSError) -> str:
    return f"cannot write the index in {index_dir}: {exc.strerror or exc}"


def _checksums(directory: Path, names: list[str]) -> list[int]:
    """``_checksum`` of each named file, on every core: zlib lets go of the GIL while it
    sums, and at a million passages the files hold half a gigabyte (0.8 s on one core)."""
    with ThreadPoolExecutor(min(len(names), os.cpu_count() or 1) or 1) as pool:
        return list(pool.map(_checksum, [directory / name for name in names]))


def _checksum(path: Path) -> int:
    """CRC-32 of a file, read in chunks rather than through a memory map.

    Reading through the map would make every page resident in the process; plain reads only
    warm the page cache, so checking at open keeps the memory a process holds small.
    """
    crc = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


@dataclass(frozen=True, slots=True)
class _Head:
    """What adding to a generation needs of it, without reading its arrays."""

    vocab: dict[str, int]  #: the generation's terms and their ids; never to be changed
    articles: int
    passages: int
    bytes_on_disk: int


def _read_head(generation: Path) -> _Head:
    info = json.loads((generation / PARAMS).read_text(encoding="utf-8"))["info"]
    known = _GENERATION.get(generation)  # the maintainer has just opened it, as a rule
    if known is not None:
        vocab = known[2]
    else:
        terms = json.loads((generation / "vocab.json").read_text(encoding="utf-8"))
        vocab = {term: i for i, term in enumerate(terms)}
    return _Head(
        vocab=vocab,
        articles=int(info["articles"]),
        passages=int(info["passages"]),
        bytes_on_disk=int(info["bytes_on_disk"]),
    )


def _read_segment(directory: Path, first_passage: int) -> _Segment:
    """A stored generation or delta, to extend it or merge it (arrays memory-mapped)."""
    arrays = {
        n: np.load(directory / f"{n}.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
        for n in _ARRAYS
    }
    with (directory / "articles.jsonl").open(encoding="utf-8") as handle:
        metas = [json.loads(line) for line in handle]
    return _Segment(
        metas=metas,
        bodies=arrays["bodies"],
        body_offsets=arrays["body_offsets"],
        body_keys=arrays["body_keys"],
        rows=arrays["passages"],
        doc_len=arrays["doc_len"],
        postings=_postings(arrays),
        sentences=_sentences(arrays),
        terms=json.loads((directory / "vocab.json").read_text(encoding="utf-8")),
        first_passage=first_passage,
    )


def _sentences(arrays: dict[str, NDArray[Any]]) -> Sentences:
    """A stored segment's sentences."""
    return Sentences(*(arrays[n] for n in ("sentences", "sentence_ptr", "tokens", "token_ptr")))


def _postings(arrays: dict[str, NDArray[Any]]) -> Postings:
    """A stored segment's postings."""
    return Postings(arrays["terms"], arrays["indptr"], arrays["doc_ids"], arrays["tf"])


def _live(index_dir: Path) -> tuple[Path, Path | None]:
    """The live generation and its delta, as ``CURRENT`` names them."""
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        raise IndexMissingError(str(index_dir))
    try:
        names = pointer.read_text(encoding="utf-8").split()
    except UnicodeDecodeError as exc:
        raise IndexCorruptError(f"{pointer}: {type(exc).__name__}: {exc}") from exc
    if not 1 <= len(names) <= 2:
        raise IndexCorruptError(f"{pointer} names {len(names)} segments")
    return index_dir / names[0], index_dir / names[1] if len(names) == 2 else None


def live_stamp(index_dir: Path) -> tuple[str, ...]:
    """The names of the live generation and delta: any change to the index changes them."""
    return tuple(path.name for path in _live(index_dir) if path is not None)


@contextlib.contextmanager
def _reading(segments: list[Path]) -> Iterator[None]:
    """Hold a shared lock on each of ``segments`` while a process opens them.

    Once open, the arrays are memory-mapped and survive the files' removal; only the moment of
    opening needs the files. A maintainer removes a segment only when it can take the lock
    exclusively, so it never pulls files from under a reader that is opening them.
    """
    with contextlib.ExitStack() as stack:
        for segment in segments:
            handle = stack.enter_context((segment / PARAMS).open("rb"))
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        yield


def _remove_unused_segments(index_dir: Path, keep: set[str]) -> None:
    """Remove every generation and delta not in ``keep`` that no process is opening now,
    and what killed merges left."""
    for folder in stopped_merges(index_dir):
        shutil.rmtree(folder, ignore_errors=True)
    for child in [*index_dir.glob("gen-*"), *index_dir.glob("delta-*")]:
        if child.name in keep:
            continue
        try:
            handle = (child / PARAMS).open("rb")
        except FileNotFoundError:
            shutil.rmtree(child, ignore_errors=True)  # a write that crashed before finishing
            continue
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # being opened; the next write removes it
            shutil.rmtree(child, ignore_errors=True)


def load(index_dir: Path) -> Coverage:
    """Open the live index read-only; raise ``IndexMissingError`` or ``IndexCorruptError``.

    Every file is checked against the size and checksum written with it, so a damaged file
    is found here rather than as wrong scores. A generation or delta replaced while this
    process was about to open it is skipped for the new live one.
    """
    for attempt in range(_OPEN_ATTEMPTS):
        live = _live(index_dir)
        segments = [path for path in live if path is not None]
        try:
            with _reading(segments):
                return _load_segments(segments)
        except FileNotFoundError as exc:
            if attempt + 1 < _OPEN_ATTEMPTS and _live(index_dir) != live:
                continue
            raise IndexCorruptError(f"{type(exc).__name__}: {exc}") from exc
        except _DAMAGE as exc:
            raise IndexCorruptError(f"{type(exc).__name__}: {exc}") from exc
    raise IndexCorruptError("the live index kept changing while it was being opened")


@dataclass(frozen=True, slots=True)
class _Opened:
    """One segment as opened: its ``params.json``, arrays, new terms and articles."""

    doc: dict[str, Any]
    arrays: dict[str, NDArray[Any]]
    terms: list[str]
    metas: list[ArticleMeta]


def _load_segments(segments: list[Path]) -> Coverage:
    """The coverage over a generation and its delta (if any), searched as one index."""
    main, vocab = _open_generation(segments[0])
    opened = [main, *(_open_segment(path) for path in segments[1:])]
    if len(opened) == 2 and opened[1].doc.get("base") != segments[0].name:
        raise ValueError(f"{segments[1].name} was not written beside {segments[0].name}")
    raw = opened[-1].doc["info"]
    info = IndexInfo(**(raw | {"params": BM25Params(**raw["params"])}))
    if len(opened) == 2:  # a copy: the generation's own vocabulary is shared and never changed
        vocab = vocab | {term: len(vocab) + i for i, term in enumerate(opened[1].terms)}
    metas = [meta for part in opened for meta in part.metas]
    passages, doc_len = (
        _concatenate([part.arrays[name] for part in opened]) for name in ("passages", "doc_len")
    )
    _check_union(len(vocab), len(metas), passages, opened, info)
    bm25 = combine(
        vocab,
        [_postings(part.arrays) for part in opened],
        doc_len,
        info.params,
    )
    bodies = [
        Bodies(*(part.arrays[n] for n in ("bodies", "body_offsets", "body_keys")))
        for part in opened
    ]
    sentences = [_sentences(part.arrays) for part in opened]
    return Coverage(metas, bodies, passages, sentences, bm25, info)


def _concatenate(parts: list[NDArray[Any]]) -> NDArray[Any]:
    """One array of ``parts``; a single part stays the memory map it is (no copy)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


#: The generation this process opened last, with each file's size and mtime then, and its
#: vocabulary. Generations never change once written, so opening the same one again (with
#: a new delta, after every addition) reuses it instead of checksumming and parsing it
#: again: most of a second at a million passages.
_GENERATION: dict[Path, tuple[tuple[tuple[int, int], ...], _Opened, dict[str, int]]] = {}


def _open_generation(directory: Path) -> tuple[_Opened, dict[str, int]]:
    """The generation in ``directory`` and its vocabulary, reused when opened before.

    A reused one is checked by its files' sizes and mtimes: a file written since (damage,
    restore from backup) is opened and checked whole again.
    """
    known = _GENERATION.get(directory)
    if known is not None and known[0] == _stamps(directory, known[1].doc):
        return known[1], known[2]
    opened = _open_segment(directory)
    vocab = {term: i for i, term in enumerate(opened.terms)}
    _GENERATION.clear()
    _GENERATION[directory] = (_stamps(directory, opened.doc), opened, vocab)
    return opened, vocab


def _stamps(directory: Path, doc: dict[str, Any]) -> tuple[tuple[int, int], ...]:
    stats = [(directory / name).stat() for name in sorted(doc["files"])]
    return tuple((stat.st_size, stat.st_mtime_ns) for stat in stats)


def _open_segment(directory: Path) -> _Opened:
    doc = json.loads((directory / PARAMS).read_text(encoding="utf-8"))
    if doc.get("format") != FORMAT_VERSION or doc.get("analyzer") != ANALYZER_VERSION:
        raise ValueError(f"built by format {doc.get('format')} / analyzer {doc.get('analyzer')}")
    for name, size in doc["files"].items():
        if (directory / name).stat().st_size != size:
            raise ValueError(f"{name} has the wrong size (truncated or overwritten)")
    for name, crc in zip(doc["files"], _checksums(directory, list(doc["files"])), strict=True):
        if crc != doc["checksums"][name]:
            raise ValueError(f"{name} does not match its checksum (damaged on disk)")
    # Plain ndarray views of the memory maps: the same pages, but indexing a row does not
    # build a new memmap object each time (that alone was a third of a question's time).
    arrays = {
        n: np.load(directory / f"{n}.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
        for n in _ARRAYS
    }
    terms = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
    with (directory / "articles.jsonl").open(encoding="utf-8") as handle:
        metas = [ArticleMeta(**json.loads(line)) for line in handle]
    _check_segment(arrays, len(metas))
    return _Opened(doc, arrays, terms, metas)


def _check_segment(arrays: dict[str, NDArray[Any]], n_articles: int) -> None:
    """Cheap consistency checks that catch truncation and mixed-up files without a full scan."""
    _require(
        {
            "term list": len(arrays["indptr"]) == len(arrays["terms"]) + 1,
            "postings length": int(arrays["indptr"][-1])
            == len(arrays["doc_ids"])
            == len(arrays["tf"]),
            "passage count": len(arrays["doc_len"]) == len(arrays["passages"]),
            "article count": n_articles
            == len(arrays["body_offsets"]) - 1
            == len(arrays["body_keys"]),
            "body bytes": int(arrays["body_offsets"][-1]) == len(arrays["bodies"]),
            "sentence list": len(arrays["sentence_ptr"]) == len(arrays["passages"]) + 1
            and int(arrays["sentence_ptr"][-1])
            == len(arrays["sentences"])
            == len(arrays["token_ptr"]) - 1,
            "sentence terms": int(arrays["token_ptr"][-1]) == len(arrays["tokens"]),
        }
    )


def _check_union(
    n_terms: int,
    n_articles: int,
    passages: NDArray[np.int32],
    opened: list[_Opened],
    info: IndexInfo,
) -> None:
    """The segments together hold what ``params.json`` says, and ids stay in range."""
    last_term = max(
        (int(p.arrays["terms"][-1]) for p in opened if len(p.arrays["terms"])), default=-1
    )
    _require(
        {
            "vocabulary size": n_terms == info.vocabulary > last_term,
            "passage count": len(passages) == info.passages,
            "article count": n_articles == info.articles,
        }
    )


def _require(checks: dict[str, bool]) -> None:
    broken = [name for name, ok in checks.items() if not ok]
    if broken:
        raise ValueError("inconsistent " + ", ".join(broken))
