"""Building, saving and loading the index: one directory, no pickle, swapped in atomically.

Layout of ``INDEX_DIR``::

    CURRENT                  name of the live generation (replaced atomically)
    gen-<fingerprint>-<ns>/  params.json, vocab.json, articles.jsonl and .npy arrays

A build writes a fresh generation directory, then points ``CURRENT`` at it with
``os.replace``; a crash mid-build leaves the previous generation serving and only an orphan
directory behind, which the next build removes. Arrays load memory-mapped and read-only.
The fingerprint covers the seed files' bytes and every setting that changes the index, so a
stale index is noticed and rebuilt; a corrupt one is reported and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from index import passages as passage_rules
from index.analyze import ANALYZER_VERSION, analyze
from index.bm25 import BM25Arrays, BM25Params, build_from_ids
from index.coverage import ArticleMeta, Coverage, IndexInfo
from index.files import PARSER_VERSION, read_folder
from index.models import Article, Problem

log = logging.getLogger(__name__)

#: Bump when the on-disk layout changes; other versions are rebuilt, never misread.
FORMAT_VERSION = 3
#: File in the index directory naming the live generation.
CURRENT = "CURRENT"
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


@dataclass
class BuildReport:
    """What a build read and what it could not use."""

    info: IndexInfo
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)


def fingerprint(seeds_dir: Path, params: BM25Params) -> str:
    """Hash of every seed file's path and bytes plus everything that shapes the index."""
    digest = hashlib.sha256()
    settings = {
        "format": FORMAT_VERSION,
        "parser": PARSER_VERSION,
        "analyzer": ANALYZER_VERSION,
        "passage": [passage_rules.PASSAGE_SENTENCES, passage_rules.PASSAGE_CHARS],
        "bm25": asdict(params),
    }
    digest.update(json.dumps(settings, sort_keys=True).encode())
    for path in _seed_files(seeds_dir):
        digest.update(str(path.relative_to(seeds_dir)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def _seed_files(seeds_dir: Path) -> list[Path]:
    if not seeds_dir.is_dir():
        return []
    return sorted(p for p in seeds_dir.rglob("*") if p.is_file() and not p.name.startswith("."))


def open_coverage(
    seeds_dir: Path, index_dir: Path, params: BM25Params
) -> tuple[Coverage, BuildReport | None]:
    """Load the index for ``seeds_dir``, building it when missing, stale or corrupt.

    Returns the coverage and, when a build happened, its report.
    """
    wanted = fingerprint(seeds_dir, params)
    try:
        coverage = load(index_dir)
    except IndexMissingError:
        log.info("no index in %s yet; building it", index_dir)
    except IndexCorruptError as exc:
        log.warning("the index in %s is corrupt (%s); rebuilding it", index_dir, exc)
    else:
        if coverage.info.fingerprint == wanted:
            return coverage, None
        log.info(
            "the index in %s is stale (articles or settings changed); rebuilding it", index_dir
        )
    report = build_index(seeds_dir, index_dir, params)
    return load(index_dir), report


def build_index(seeds_dir: Path, index_dir: Path, params: BM25Params) -> BuildReport:
    """Read every article under ``seeds_dir`` and write a new index generation."""
    started = time.perf_counter()
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


def index_added(
    seeds_dir: Path, index_dir: Path, params: BM25Params, added: list[Article], before: str
) -> IndexInfo:
    """Bring the index up to date after ``added`` were written into the seeds folder.

    Appends them when the live index matched the folder as it was (``before``, its
    fingerprint then) and their ids are new; otherwise rebuilds from the folder.
    """
    after = fingerprint(seeds_dir, params)
    try:
        live = load(index_dir)
    except StoreError:
        return build_index(seeds_dir, index_dir, params).info
    fresh_ids = {a.id for a in added}.isdisjoint(meta.id for meta in live.metas)
    if live.info.fingerprint == before and fresh_ids:
        return append_articles(added, index_dir, params, after)
    return build_index(seeds_dir, index_dir, params).info


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
    index_dir.mkdir(parents=True, exist_ok=True)
    generation = index_dir / f"gen-{print_fp}-{time.time_ns()}"
    generation.mkdir()
    for name, array in arrays.items():
        np.save(generation / f"{name}.npy", array, allow_pickle=False)
    (generation / "vocab.json").write_text(
        json.dumps(sorted(corpus.vocab, key=corpus.vocab.__getitem__))
    )
    with (generation / "articles.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(meta, ensure_ascii=False) + "\n" for meta in corpus.metas)
    sizes = {p.name: p.stat().st_size for p in sorted(generation.iterdir())}
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
    params_doc = {"format": FORMAT_VERSION, "analyzer": ANALYZER_VERSION, "files": sizes}
    params_doc |= {"info": asdict(info)}
    _write_atomic(generation / "params.json", json.dumps(params_doc, indent=2))
    _fsync_dir(generation)
    _write_atomic(index_dir / CURRENT, generation.name)
    _remove_other_generations(index_dir, keep=generation.name)
    return info


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


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _fsync_dir(path: Path) -> None:
    for child in path.iterdir():
        with child.open("rb") as handle:
            os.fsync(handle.fileno())


def _remove_other_generations(index_dir: Path, keep: str) -> None:
    # Readers that memory-mapped an old generation keep their mapping after the unlink.
    for child in index_dir.glob("gen-*"):
        if child.name != keep:
            shutil.rmtree(child, ignore_errors=True)


def load(index_dir: Path) -> Coverage:
    """Open the live generation read-only; raise ``IndexMissingError`` or ``IndexCorruptError``."""
    generation = _live_generation(index_dir)
    try:
        return _load_generation(generation)
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"{type(exc).__name__}: {exc}") from exc


def _load_generation(generation: Path) -> Coverage:
    doc = json.loads((generation / "params.json").read_text(encoding="utf-8"))
    if doc.get("format") != FORMAT_VERSION or doc.get("analyzer") != ANALYZER_VERSION:
        raise ValueError(f"built by format {doc.get('format')} / analyzer {doc.get('analyzer')}")
    for name, size in doc["files"].items():
        if (generation / name).stat().st_size != size:
            raise ValueError(f"{name} has the wrong size (truncated or overwritten)")
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
