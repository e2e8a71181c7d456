"""Building, saving and loading the index: one directory, no pickle, swapped in atomically.

Layout of ``INDEX_DIR``::

    CURRENT                  name of the live generation (replaced atomically)
    gen-<fingerprint>-<ns>-<pid>/  params.json, vocab.json, articles.jsonl and .npy arrays

A build writes a fresh generation directory, then points ``CURRENT`` at it with
``os.replace``; a crash or a full disk mid-build leaves the previous generation serving, and
the partial directory is removed. Arrays load memory-mapped and read-only. ``params.json``
holds every file's size and CRC-32, checked at open, so a damaged file is found before it
scores anything. The fingerprint covers the seed files' bytes and every setting that changes
the index, so a stale index is noticed and rebuilt.

Writers (``build_index``, ``append_articles``) must hold the maintenance lock of
``index.storage.maintain``; readers take none. A generation is removed only when no process is
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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from index import passages as passage_rules
from index.analyze import ANALYZER_VERSION, analyze
from index.atomic import fsync_tree, write_atomic
from index.ingest.files import PARSER_VERSION, list_folder, read_folder
from index.models import Article, Problem
from index.storage.bm25 import BM25Arrays, BM25Params, build_from_ids
from index.storage.coverage import ArticleMeta, Coverage, IndexInfo

log = logging.getLogger(__name__)

#: Bump when the on-disk layout changes; other versions are rebuilt, never misread.
FORMAT_VERSION = 3
#: File in the index directory naming the live generation.
CURRENT = "CURRENT"
#: File in each generation with its format, sizes, checksums and facts; written last.
PARAMS = "params.json"
#: Times ``load`` follows ``CURRENT`` when a generation is replaced while being opened.
_OPEN_ATTEMPTS = 3
_ARRAYS = (
    "indptr",
    "doc_ids",
    "weights",
    "baseline",
    "doc_len",
    "passages",
    "bodies",
    "body_offsets",
)
#: Passages analysed per task; batches of at least ``PARALLEL_PASSAGES`` use every core.
ANALYSIS_CHUNK = 5_000
PARALLEL_PASSAGES = 50_000


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
            digest = hashlib.sha256(path.read_bytes()).digest()
        except OSError:
            digest = b"unreadable"
        digests[str(path.relative_to(seeds_dir))] = digest
    return digests


def fingerprint_of(digests: dict[str, bytes], params: BM25Params) -> str:
    """The fingerprint of a folder whose files have ``digests``, indexed with ``params``."""
    digest = hashlib.sha256()
    settings = {
        "format": FORMAT_VERSION,
        "parser": PARSER_VERSION,
        "analyzer": ANALYZER_VERSION,
        "passage": [passage_rules.PASSAGE_SENTENCES, passage_rules.PASSAGE_CHARS],
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
class _Corpus:
    """Everything a generation is written from: articles, passages and their term ids."""

    metas: list[dict[str, Any]]  #: article metadata, as articles.jsonl holds it
    bodies: list[bytes]  #: UTF-8 bodies
    rows: NDArray[np.int32]  #: passages: article index, start, end
    tokens: NDArray[np.int32]  #: every passage's term ids, concatenated
    doc_len: NDArray[np.int32]  #: terms per passage
    vocab: dict[str, int]


def write_index(
    articles: list[Article],
    index_dir: Path,
    params: BM25Params,
    print_fp: str,
    started: float,
) -> IndexInfo:
    """Index ``articles`` and atomically make the result the live generation."""
    corpus = _Corpus(
        [], [], np.empty((0, 3), np.int32), np.empty(0, np.int32), np.empty(0, np.int32), {}
    )
    return _write_generation(_extend(corpus, articles), index_dir, params, print_fp, started)


def append_articles(
    articles: list[Article], index_dir: Path, params: BM25Params, print_fp: str
) -> IndexInfo:
    """Add ``articles`` to the live index without re-reading or re-analysing the others.

    The stored term ids of every passage are reused, so only the new articles are analysed;
    the BM25 arrays are then recomputed whole, because adding passages changes every idf and
    the average passage length. Scores stay exactly those of a full rebuild.
    """
    started = time.perf_counter()
    generation = _live_generation(index_dir)
    try:
        corpus = _read_corpus(generation)
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"{type(exc).__name__}: {exc}") from exc
    return _write_generation(_extend(corpus, articles), index_dir, params, print_fp, started)


def _extend(corpus: _Corpus, articles: list[Article]) -> _Corpus:
    """``corpus`` with ``articles`` appended: split into passages and analysed."""
    first = len(corpus.metas)
    rows = [
        (first + i, span.start, span.end)
        for i, article in enumerate(articles)
        for span in passage_rules.passage_spans(article.body)
    ]
    texts = [articles[i - first].body[start:end] for i, start, end in rows]
    vocab = dict(corpus.vocab)
    tokens, doc_len = _analyze_all(texts, vocab)
    return _Corpus(
        metas=corpus.metas
        + [{k: v for k, v in asdict(a).items() if k != "body"} for a in articles],
        bodies=corpus.bodies + [a.body.encode("utf-8") for a in articles],
        rows=np.concatenate([corpus.rows, np.asarray(rows, dtype=np.int32).reshape(-1, 3)]),
        tokens=np.concatenate([corpus.tokens, tokens]),
        doc_len=np.concatenate([corpus.doc_len, doc_len]),
        vocab=vocab,
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
    if len(texts) >= PARALLEL_PASSAGES and workers > 1:
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
    corpus: _Corpus, index_dir: Path, params: BM25Params, print_fp: str, started: float
) -> IndexInfo:
    """Compute the BM25 arrays, write a new generation and make it live."""
    bm25 = build_from_ids(corpus.tokens.astype(np.int64), corpus.doc_len, corpus.vocab, params)
    arrays: dict[str, NDArray[Any]] = {
        "indptr": bm25.indptr,
        "doc_ids": bm25.doc_ids,
        "weights": bm25.weights,
        "baseline": bm25.baseline,
        "doc_len": bm25.doc_len,
        "tokens": corpus.tokens,
        "passages": corpus.rows,
        "bodies": np.frombuffer(b"".join(corpus.bodies), dtype=np.uint8),
        "body_offsets": np.concatenate([[0], np.cumsum([len(b) for b in corpus.bodies])]).astype(
            np.int64
        ),
    }
    generation = index_dir / f"gen-{print_fp}-{time.time_ns()}-{os.getpid()}"
    try:
        generation.mkdir(parents=True)
        info = _write_files(generation, arrays, corpus, params, print_fp, started)
        write_atomic(index_dir / CURRENT, generation.name.encode())
    except OSError as exc:
        # A full disk or a read-only folder: leave no partial generation to fill it further.
        shutil.rmtree(generation, ignore_errors=True)
        raise IndexWriteError(_cannot_write(index_dir, exc)) from exc
    _remove_unused_generations(index_dir, keep=generation.name)
    return info


def _write_files(
    generation: Path,
    arrays: dict[str, NDArray[Any]],
    corpus: _Corpus,
    params: BM25Params,
    print_fp: str,
    started: float,
) -> IndexInfo:
    """Write one generation's files, their sizes and checksums last (in ``params.json``)."""
    for name, array in arrays.items():
        np.save(generation / f"{name}.npy", array, allow_pickle=False)
    (generation / "vocab.json").write_text(
        json.dumps(sorted(corpus.vocab, key=corpus.vocab.__getitem__))
    )
    with (generation / "articles.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(meta, ensure_ascii=False) + "\n" for meta in corpus.metas)
    files = sorted(generation.iterdir())
    sizes = {p.name: p.stat().st_size for p in files}
    info = IndexInfo(
        fingerprint=print_fp,
        articles=len(corpus.metas),
        passages=len(corpus.rows),
        vocabulary=len(corpus.vocab),
        bytes_on_disk=sum(sizes.values()),
        build_seconds=round(time.perf_counter() - started, 3),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        params=params,
    )
    params_doc = {
        "format": FORMAT_VERSION,
        "analyzer": ANALYZER_VERSION,
        "files": sizes,
        "checksums": {p.name: _checksum(p) for p in files},
        "info": asdict(info),
    }
    (generation / PARAMS).write_text(json.dumps(params_doc, indent=2), encoding="utf-8")
    fsync_tree(generation)
    return info


def _cannot_write(index_dir: Path, exc: OSError) -> str:
    return f"cannot write the index in {index_dir}: {exc.strerror or exc}"


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


def _read_corpus(generation: Path) -> _Corpus:
    """The stored articles, passages and term ids of a generation (to extend it)."""
    arrays = {
        n: np.load(generation / f"{n}.npy", allow_pickle=False)
        for n in ("tokens", "doc_len", "passages", "bodies", "body_offsets")
    }
    offsets = arrays["body_offsets"]
    raw = arrays["bodies"].tobytes()
    with (generation / "articles.jsonl").open(encoding="utf-8") as handle:
        metas = [json.loads(line) for line in handle]
    terms = json.loads((generation / "vocab.json").read_text(encoding="utf-8"))
    return _Corpus(
        metas=metas,
        bodies=[raw[offsets[i] : offsets[i + 1]] for i in range(len(metas))],
        rows=arrays["passages"],
        tokens=arrays["tokens"],
        doc_len=arrays["doc_len"],
        vocab={term: i for i, term in enumerate(terms)},
    )


def _live_generation(index_dir: Path) -> Path:
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        raise IndexMissingError(str(index_dir))
    return index_dir / pointer.read_text(encoding="utf-8").strip()


@contextlib.contextmanager
def _reading(generation: Path) -> Iterator[None]:
    """Hold a shared lock on ``generation`` while a process opens it.

    Once open, the arrays are memory-mapped and survive the files' removal; only the moment of
    opening needs the files. A maintainer removes a generation only when it can take the lock
    exclusively, so it never pulls files from under a reader that is opening them.
    """
    with (generation / PARAMS).open("rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        yield


def _remove_unused_generations(index_dir: Path, keep: str) -> None:
    """Remove every generation but ``keep`` that no process is opening right now."""
    for child in index_dir.glob("gen-*"):
        if child.name == keep:
            continue
        try:
            handle = (child / PARAMS).open("rb")
        except FileNotFoundError:
            shutil.rmtree(child, ignore_errors=True)  # a build that crashed before finishing
            continue
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # being opened; the next build removes it
            shutil.rmtree(child, ignore_errors=True)


def load(index_dir: Path) -> Coverage:
    """Open the live generation read-only; raise ``IndexMissingError`` or ``IndexCorruptError``.

    Every file is checked against the size and checksum written with it, so a damaged file
    is found here rather than as wrong scores. A generation replaced while this process was
    about to open it is skipped for the new live one.
    """
    for attempt in range(_OPEN_ATTEMPTS):
        generation = _live_generation(index_dir)
        try:
            with _reading(generation):
                return _load_generation(generation)
        except FileNotFoundError as exc:
            if attempt + 1 < _OPEN_ATTEMPTS and _live_generation(index_dir) != generation:
                continue
            raise IndexCorruptError(f"{type(exc).__name__}: {exc}") from exc
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise IndexCorruptError(f"{type(exc).__name__}: {exc}") from exc
    raise IndexCorruptError("the live generation kept changing while it was being opened")


def _load_generation(generation: Path) -> Coverage:
    doc = json.loads((generation / PARAMS).read_text(encoding="utf-8"))
    if doc.get("format") != FORMAT_VERSION or doc.get("analyzer") != ANALYZER_VERSION:
        raise ValueError(f"built by format {doc.get('format')} / analyzer {doc.get('analyzer')}")
    for name, size in doc["files"].items():
        if (generation / name).stat().st_size != size:
            raise ValueError(f"{name} has the wrong size (truncated or overwritten)")
        if _checksum(generation / name) != doc["checksums"][name]:
            raise ValueError(f"{name} does not match its checksum (damaged on disk)")
    raw = doc["info"]
    info = IndexInfo(**(raw | {"params": BM25Params(**raw["params"])}))
    # Plain ndarray views of the memory maps: the same pages, but indexing a row does not
    # build a new memmap object each time (that alone was a third of a question's time).
    arrays = {
        n: np.load(generation / f"{n}.npy", mmap_mode="r", allow_pickle=False).view(np.ndarray)
        for n in _ARRAYS
    }
    terms = json.loads((generation / "vocab.json").read_text(encoding="utf-8"))
    with (generation / "articles.jsonl").open(encoding="utf-8") as handle:
        metas = [ArticleMeta(**json.loads(line)) for line in handle]
    _check_shapes(arrays, len(terms), len(metas), info)
    bm25 = BM25Arrays(
        vocab={term: i for i, term in enumerate(terms)},
        indptr=arrays["indptr"],
        doc_ids=arrays["doc_ids"],
        weights=arrays["weights"],
        baseline=arrays["baseline"],
        doc_len=arrays["doc_len"],
    )
    return Coverage(metas, arrays["bodies"], arrays["body_offsets"], arrays["passages"], bm25, info)


def _check_shapes(
    arrays: dict[str, NDArray[Any]], n_terms: int, n_articles: int, info: IndexInfo
) -> None:
    """Cheap consistency checks that catch truncation and mixed-up files without a full scan."""
    checks = {
        "vocabulary size": n_terms == info.vocabulary == len(arrays["indptr"]) - 1,
        "postings length": int(arrays["indptr"][-1])
        == len(arrays["doc_ids"])
        == len(arrays["weights"]),
        "passage count": len(arrays["doc_len"]) == len(arrays["passages"]) == info.passages,
        "article count": n_articles == info.articles == len(arrays["body_offsets"]) - 1,
        "body bytes": int(arrays["body_offsets"][-1]) == len(arrays["bodies"]),
        "baseline length": len(arrays["baseline"]) == n_terms,
    }
    broken = [name for name, ok in checks.items() if not ok]
    if broken:
        raise ValueError("inconsistent " + ", ".join(broken))
