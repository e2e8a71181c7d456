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
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from index import passages as passage_rules
from index.analyze import ANALYZER_VERSION, analyze
from index.bm25 import BM25Arrays, BM25Params, build
from index.coverage import ArticleMeta, Coverage, IndexInfo
from index.files import PARSER_VERSION, read_folder
from index.models import Article, Problem

log = logging.getLogger(__name__)

#: Bump when the on-disk layout changes; other versions are rebuilt, never misread.
FORMAT_VERSION = 2
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


def write_index(
    articles: list[Article],
    index_dir: Path,
    params: BM25Params,
    print_fp: str,
    started: float,
) -> IndexInfo:
    """Index ``articles`` and atomically make the result the live generation."""
    spans = [passage_rules.passage_spans(article.body) for article in articles]
    rows = [(i, s.start, s.end) for i, article_spans in enumerate(spans) for s in article_spans]
    texts = (articles[i].body[start:end] for i, start, end in rows)
    bm25 = build([analyze(text) for text in texts], params)
    encoded = [article.body.encode("utf-8") for article in articles]
    arrays: dict[str, NDArray[Any]] = {
        "indptr": bm25.indptr,
        "doc_ids": bm25.doc_ids,
        "weights": bm25.weights,
        "baseline": bm25.baseline,
        "doc_len": bm25.doc_len,
        "passages": np.asarray(rows, dtype=np.int32).reshape(-1, 3),
        "bodies": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "body_offsets": np.concatenate([[0], np.cumsum([len(b) for b in encoded])]).astype(
            np.int64
        ),
    }
    index_dir.mkdir(parents=True, exist_ok=True)
    generation = index_dir / f"gen-{print_fp}-{time.time_ns()}"
    generation.mkdir()
    for name, array in arrays.items():
        np.save(generation / f"{name}.npy", array, allow_pickle=False)
    (generation / "vocab.json").write_text(
        json.dumps(sorted(bm25.vocab, key=bm25.vocab.__getitem__))
    )
    with (generation / "articles.jsonl").open("w", encoding="utf-8") as handle:
        for article in articles:
            meta = {k: v for k, v in asdict(article).items() if k != "body"}
            handle.write(json.dumps(meta, ensure_ascii=False) + "\n")
    sizes = {p.name: p.stat().st_size for p in sorted(generation.iterdir())}
    info = IndexInfo(
        fingerprint=print_fp,
        articles=len(articles),
        passages=len(rows),
        vocabulary=len(bm25.vocab),
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
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        raise IndexMissingError(str(index_dir))
    generation = index_dir / pointer.read_text(encoding="utf-8").strip()
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
    arrays = {
        n: np.load(generation / f"{n}.npy", mmap_mode="r", allow_pickle=False) for n in _ARRAYS
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
