"""Retrieval at newsroom scale, side by side: ours, rank-bm25, bm25s (numpy and numba), tantivy.

Corpora of about 10k, 100k and 1M passages are grown from the shared corpora (2,310 real
White House, Kremlin and President of Ukraine articles, ~74k passages): beyond the real
articles, each copy of an article gets a new id and title, and 15% of its words (4+ letters)
carry a copy-specific suffix, so the vocabulary keeps growing as a real archive's does and no
two copies rank the same. Questions: the 25 dev questions plus 200 built from random
sentences of the real articles (5-8 of their words, in order, framed as a question).

Every system gets the same analysed terms: the corpus is analysed once per size (on every
core, as our build does) into a file of terms joined by spaces, which each peer indexes.
rank-bm25 and bm25s (``method="bm25+"``) score BM25Plus with k1=1.5, b=0.9, delta=1 and
idf = log((N + 1) / df), as ours does; tantivy scores with its own BM25 (k1=1.2, b=0.75,
Lucene's idf, no delta, lengths quantised to a byte) and is a speed reference only. Each
system runs in a fresh subprocess, one after another, with one thread (BLAS/OpenMP and numba
pools set to 1, bm25s ``n_threads=1``, tantivy's single-threaded searcher) and one query per
call, top 10: the first call is timed on its own (numba compiles then), then a warm-up pass
over every question, then ``PASSES`` timed passes, reported pooled and per pass. Reported per
system: build time (analysis included), peak memory of the build process, bytes on disk, cold
load time, resident memory added by loading and after the questions, latency p50/p99, and
ours/peer latency ratios. The systems with compiled searches (ours, bm25s-numba) compile or
load them on a two-passage index first, as the bot does at start: numba and LLVM cost about
100 MiB per process whatever the index, reported apart (``kernels_mib``) so that the resident
figures per passage are the index's. For ours also: full ``ask`` latency, the time to add
one article, to open the index again after it and retrieval with that delta, and to merge. Top-10
passages and scores are checked against rank-bm25 wherever it runs (up to 100k passages: its
scoring loop is O(N) Python) and top-10 scores against bm25s-numba's. A floors table (issues
14 and 16) is printed and stored. ``--baseline PATH`` also runs our workers from another
checkout (e.g. the main branch) in the same run, so a change is compared side by side on the
same loaded machine. Results: benchmarks/results/retrieval.json.

Run: ``.venv/bin/python benchmarks/bench_retrieval.py [--sizes 10000 100000 1000000]
[--baseline ../main] [--only-ours]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.analyze import analyze
from index.ingest.files import read_files
from index.models import Article
from index.passages import passage_spans, sentences
from index.storage.bm25 import BM25Params

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RESULTS = Path(__file__).parent / "results" / "retrieval.json"
PARAMS = BM25Params()  # BM25Plus, k1=1.5, b=0.9, delta=1
RANK_BM25_LIMIT = 100_000
QUESTIONS = 200
PASSES = 2  # timed passes over every question, after an untimed warm-up pass
TERMS_FILE = "terms.txt"  # the analysed corpus the peers index: a passage a line
ANALYSIS_CHUNK = 5_000
#: One thread in every worker: BLAS and OpenMP pools, numba's parallel loops.
ONE_THREAD = dict.fromkeys(
    ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"), "1"
)
#: Peers in the order they run; rank-bm25 only up to ``RANK_BM25_LIMIT`` passages.
PEERS = ("bm25s", "bm25s_numba", "tantivy", "rank_bm25")
FLOOR_SIZES = ("100000", "1000000")
_WORD = re.compile(r"\b[A-Za-z]{4,}\b")
_SUFFIXES = [a + b for a in "bcdfghklmnprstvz" for b in "aeiou"]


def base_articles() -> list[Article]:
    return read_files(sorted((SHARED / "corpora").glob("*.jsonl.gz"))).articles


def grow(articles: list[Article], passages: int) -> list[Article]:
    """Articles holding about ``passages`` passages: the real ones, then varied copies."""
    counts = [len(passage_spans(a.body)) for a in articles]
    out: list[Article] = []
    total, copy = 0, 0
    while total < passages:
        for article, count in zip(articles, counts, strict=True):
            if total >= passages:
                break
            out.append(article if copy == 0 else _variant(article, copy))
            total += count
        copy += 1
    return out


def _variant(article: Article, copy: int) -> Article:
    rng = random.Random(f"{article.id}/{copy}")
    suffix = _SUFFIXES[copy % len(_SUFFIXES)] + str(copy // len(_SUFFIXES) or "")

    def vary(match: re.Match[str]) -> str:
        return match.group() + suffix if rng.random() < 0.15 else match.group()

    return replace(
        article,
        id=f"{article.id}-c{copy}",
        title=f"{article.title} ({copy})",
        url=f"{article.url}?copy={copy}" if article.url else None,  # a copy is another article
        body=_WORD.sub(vary, article.body),
    )


def questions(articles: list[Article]) -> list[str]:
    rng = random.Random(7)
    dev = [json.loads(line)["q"] for line in (SHARED / "eval" / "dev_qa.jsonl").open()]
    made: list[str] = []
    while len(made) < QUESTIONS:
        article = rng.choice(articles)
        spans = sentences(article.body)
        if not spans:
            continue
        span = rng.choice(spans)
        words = _WORD.findall(article.body[span.start : span.end])
        if len(words) < 6:
            continue
        start = rng.randrange(0, len(words) - 5)
        made.append(f"What about {' '.join(words[start : start + rng.randint(5, 8)])}?")
    return dev + made


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "p50_ms": round(statistics.median(ms), 3),
        "p99_ms": round(ms[int(0.99 * (len(ms) - 1))], 3),
    }


def _timed(
    search: Callable[[list[str]], list[tuple[int, float]]], queries: list[list[str]]
) -> tuple[dict[str, Any], list[list[tuple[int, float]]]]:
    """Latency of ``search``, one query per call, and its hits for each query.

    The first call is reported on its own (a JIT compiles there), then one untimed warm-up
    pass over every query, then ``PASSES`` timed passes, pooled and per pass. Beside wall
    time, the process's CPU time per call: on a shared machine a call descheduled for a
    time slice (about 4 ms) shows in wall time only, so the CPU figures tell the system's
    own tail from the machine's.
    """
    t = time.perf_counter()
    search(queries[0])
    first_s = time.perf_counter() - t
    for terms in queries:
        search(terms)
    passes: list[list[float]] = []
    cpu: list[float] = []
    hits: list[list[tuple[int, float]]] = []
    for _ in range(PASSES):
        latencies, hits = [], []
        for terms in queries:
            t, c = time.perf_counter(), time.process_time()
            hits.append(search(terms))
            cpu.append(time.process_time() - c)
            latencies.append(time.perf_counter() - t)
        passes.append(latencies)
    pooled = _percentiles([s for latencies in passes for s in latencies])
    return {
        **pooled,
        "passes": [_percentiles(latencies) for latencies in passes],
        "cpu": _percentiles(cpu),
        "first_call_ms": round(first_s * 1000, 3),
    }, hits


def _top10(asked: list[str], hits: list[list[tuple[int, float]]]) -> dict[str, Any]:
    return {
        q: [[int(n), round(float(s), 4)] for n, s in h] for q, h in zip(asked, hits, strict=True)
    }


def _asked(size: int) -> tuple[list[Article], list[str], list[list[str]]]:
    """The articles questions are drawn from, the questions, and their analysed terms."""
    articles = grow(base_articles(), min(size, 20_000))
    asked = questions(articles)
    return articles, asked, [analyze(q) for q in asked]


def _disk(directory: str) -> int:
    return sum(p.stat().st_size for p in Path(directory).rglob("*") if p.is_file())


# --- workers: each runs in its own process ---------------------------------------------------


def work_ours_build(size: int, directory: str) -> dict[str, Any]:
    from index.storage.store import write_index

    articles = grow(base_articles(), size)
    started = time.perf_counter()
    info = write_index(articles, Path(directory), PARAMS, "bench", started)
    return {
        "build_s": round(time.perf_counter() - started, 2),
        "build_peak_mib": round(_peak_mib(), 1),
        "disk_bytes": info.bytes_on_disk,
        "passages": info.passages,
        "articles": info.articles,
    }


def work_ours_query(size: int, directory: str) -> dict[str, Any]:
    from index.answering.answer import answer
    from index.storage.bm25 import warm_up
    from index.storage.store import load

    articles, asked, queries = _asked(size)
    kernels = _rss_mib()
    warm_up()  # what the bot's start does: the compiled search, loaded from numba's cache
    before = _rss_mib()
    kernels = before - kernels
    started = time.perf_counter()
    coverage = load(Path(directory))
    load_s = time.perf_counter() - started
    resident = _rss_mib() - before
    retrieval, hits = _timed(lambda terms: coverage.ranked(terms, 10), queries)
    resident_retrieval = _rss_mib() - before  # tells the index's share from answering's
    asks = []
    for question in asked:
        t = time.perf_counter()
        answer(coverage, question)
        asks.append(time.perf_counter() - t)
    passages = coverage.info.passages
    resident_after = _rss_mib() - before
    return {
        "cold_load_s": round(load_s, 3),
        "kernels_mib": round(kernels, 1),
        **_resident(resident, resident_after, passages),
        "resident_after_retrieval_mib": round(resident_retrieval, 1),
        "retrieval": retrieval,
        "ask": _percentiles(asks),
        "top10": _top10(asked, hits),
        **_adding(articles, directory, queries),
    }


def _resident(resident: float, resident_after: float, passages: int) -> dict[str, Any]:
    return {
        "resident_mib": round(resident, 1),
        "resident_bytes_per_passage": round(resident * 1024 * 1024 / passages, 1),
        "resident_after_questions_mib": round(resident_after, 1),
        "resident_after_questions_bytes_per_passage": round(
            resident_after * 1024 * 1024 / passages, 1
        ),
    }


def _adding(articles: list[Article], directory: str, queries: list[list[str]]) -> dict[str, Any]:
    """Add one article (a delta), open the index again, ask again, then add one more and
    merge (as the background merge process does at this size)."""
    from index.storage.background import merge_live
    from index.storage.store import append_articles, load

    new = [
        replace(a, id=f"bench-added-{n}", title=f"Added {n}", body=a.body + " Added.")
        for n, a in enumerate(articles[5:7])
    ]
    t = time.perf_counter()
    append_articles(new[:1], Path(directory), PARAMS, "bench-added")
    add_s = time.perf_counter() - t
    t = time.perf_counter()
    coverage = load(Path(directory))
    reload_s = time.perf_counter() - t
    retrieval = []
    for terms in queries:
        t = time.perf_counter()
        coverage.ranked(terms, 10)
        retrieval.append(time.perf_counter() - t)
    t = time.perf_counter()
    append_articles(new[1:], Path(directory), PARAMS, "bench-merged", merge_passages=0)
    merge_live(Path(directory))
    return {
        "add_one_article_s": round(add_s, 3),
        "load_after_add_s": round(reload_s, 3),
        "retrieval_with_delta": _percentiles(retrieval),
        "merge_s": round(time.perf_counter() - t, 3),
    }


def work_prepare(size: int, directory: str) -> dict[str, Any]:
    """Analyse the corpus once for every peer, on every core as our build does."""
    articles = grow(base_articles(), size)
    texts = [a.body[s.start : s.end] for a in articles for s in passage_spans(a.body)]
    chunks = [texts[i : i + ANALYSIS_CHUNK] for i in range(0, len(texts), ANALYSIS_CHUNK)]
    started = time.perf_counter()
    with (
        ProcessPoolExecutor(os.cpu_count() or 1) as pool,
        (Path(directory).parent / TERMS_FILE).open("w", encoding="utf-8") as out,
    ):
        for lines in pool.map(_analysed_lines, chunks):
            out.write(lines)
    return {"analysis_s": round(time.perf_counter() - started, 2), "passages": len(texts)}


def _analysed_lines(texts: list[str]) -> str:
    """A passage a line, its terms joined by spaces (terms never hold whitespace)."""
    return "".join(" ".join(analyze(text)) + "\n" for text in texts)


def _corpus(directory: str) -> list[list[str]]:
    """The analysed corpus ``work_prepare`` wrote, each distinct term one string object."""
    with (Path(directory).parent / TERMS_FILE).open(encoding="utf-8") as lines:
        return [list(map(sys.intern, line.split())) for line in lines]


def work_rank_bm25(size: int, directory: str) -> dict[str, Any]:
    from rank_bm25 import BM25Plus

    corpus = _corpus(directory)
    _, asked, queries = _asked(size)
    started = time.perf_counter()
    model = BM25Plus(corpus, k1=PARAMS.k1, b=PARAMS.b, delta=PARAMS.delta)
    index_s = time.perf_counter() - started
    peak = _peak_mib()

    def search(terms: list[str]) -> list[tuple[int, float]]:
        # What get_top_n does (score every passage, sort), with ties in passage order.
        scores = model.get_scores(terms)
        best = np.lexsort((np.arange(len(scores)), -scores))[:10]
        return [(int(i), float(scores[i])) for i in best]

    retrieval, hits = _timed(search, queries)
    return {
        "index_s": round(index_s, 2),
        "build_peak_mib": round(peak, 1),
        "retrieval": retrieval,
        "top10": _top10(asked, hits),
    }


def _bm25s(size: int, directory: str, backend: str) -> dict[str, Any]:
    import bm25s

    corpus = _corpus(directory)
    _, asked, queries = _asked(size)
    started = time.perf_counter()
    model = bm25s.BM25(
        method="bm25+", k1=PARAMS.k1, b=PARAMS.b, delta=PARAMS.delta, backend=backend
    )
    model.index(corpus, show_progress=False)
    index_s = time.perf_counter() - started
    peak = _peak_mib()
    model.save(directory, show_progress=False)
    del model, corpus
    kernels = _rss_mib()
    _warm_bm25s(backend)
    before = _rss_mib()
    kernels = before - kernels
    t = time.perf_counter()
    loaded = bm25s.BM25.load(directory, mmap=True, backend=backend, show_progress=False)
    load_s = time.perf_counter() - t
    resident = _rss_mib() - before

    def search(terms: list[str]) -> list[tuple[int, float]]:
        known = [term for term in terms if term in loaded.vocab_dict]
        if not known:  # bm25s refuses a query without a known term
            return []
        docs, scores = loaded.retrieve([known], k=10, show_progress=False, n_threads=1)
        return list(zip(docs[0].tolist(), scores[0].tolist(), strict=True))

    retrieval, hits = _timed(search, queries)
    passages = int(loaded.scores["num_docs"])
    return {
        "index_s": round(index_s, 2),
        "build_peak_mib": round(peak, 1),
        "disk_bytes": _disk(directory),
        "cold_load_s": round(load_s, 3),
        "kernels_mib": round(kernels, 1),
        **_resident(resident, _rss_mib() - before, passages),
        "retrieval": retrieval,
        "top10": _top10(asked, hits),
    }


def _warm_bm25s(backend: str) -> None:
    """Compile bm25s's search on a two-passage index, as ours is warmed before its figures."""
    import bm25s

    tiny = bm25s.BM25(method="bm25+", backend=backend)
    tiny.index([["a"], ["b"]], show_progress=False)
    tiny.retrieve([["a"]], k=1, show_progress=False, n_threads=1)


def work_bm25s(size: int, directory: str) -> dict[str, Any]:
    return _bm25s(size, directory, "numpy")


def work_bm25s_numba(size: int, directory: str) -> dict[str, Any]:
    return _bm25s(size, directory, "numba")


def work_tantivy(size: int, directory: str) -> dict[str, Any]:
    """tantivy, fed the analysed terms through its whitespace tokenizer; its own BM25."""
    import tantivy

    _, _, queries = _asked(size)
    Path(directory).mkdir(parents=True, exist_ok=True)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    started = time.perf_counter()
    index = tantivy.Index(builder.build(), path=directory)
    writer = index.writer(heap_size=1_000_000_000, num_threads=1)
    with (Path(directory).parent / TERMS_FILE).open(encoding="utf-8") as lines:
        for line in lines:
            writer.add_document(tantivy.Document(body=line.rstrip("\n")))
    writer.commit()
    writer.wait_merging_threads()
    index_s = time.perf_counter() - started
    peak = _peak_mib()
    del writer, index
    before = _rss_mib()
    t = time.perf_counter()
    index = tantivy.Index.open(directory)
    searcher = index.searcher()
    load_s = time.perf_counter() - t
    resident = _rss_mib() - before
    schema = index.schema

    def search(terms: list[str]) -> list[tuple[int, float]]:
        clauses = [
            (tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", t, "freq"))
            for t in terms
        ]
        # count=False: counting every match would rule out block-max WAND.
        found = searcher.search(tantivy.Query.boolean_query(clauses), 10, count=False)
        return [(address.doc, score) for score, address in found.hits]

    retrieval, _ = _timed(search, queries)
    return {
        "index_s": round(index_s, 2),
        "build_peak_mib": round(peak, 1),
        "disk_bytes": _disk(directory),
        "segments": searcher.num_segments,
        "cold_load_s": round(load_s, 3),
        **_resident(resident, _rss_mib() - before, searcher.num_docs),
        "retrieval": retrieval,
    }


WORKERS: dict[str, Callable[[int, str], dict[str, Any]]] = {
    "ours_build": work_ours_build,
    "ours_query": work_ours_query,
    "prepare": work_prepare,
    "rank_bm25": work_rank_bm25,
    "bm25s": work_bm25s,
    "bm25s_numba": work_bm25s_numba,
    "tantivy": work_tantivy,
}


def _in_subprocess(
    worker: str, size: int, directory: Path, checkout: Path = ROOT
) -> dict[str, Any]:
    """Run ``worker`` in a fresh single-threaded process, from ``checkout``'s code and script.

    Workers run one at a time: this waits for the process to end.
    """
    command = [
        sys.executable,
        str(checkout / "benchmarks" / Path(__file__).name),
        "--worker",
        worker,
        "--size",
        str(size),
        "--dir",
        str(directory),
    ]
    # PYTHONPATH: the checkout's code before the editable install.
    environment = os.environ | ONE_THREAD | {"PYTHONPATH": str(checkout)}
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=checkout, env=environment
    )
    if done.returncode != 0:
        raise RuntimeError(f"{worker} at {size}: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _parity(ours: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """How many questions' top 10 equal the other system's: passages and scores, or scores.

    Ours lists only passages holding a query term; BM25Plus gives every other passage a
    score too, so the other's list is cut to the length of ours. Tied passages may come in
    another order from bm25s, hence the count of equal score lists beside equal lists.
    """
    same, same_scores = 0, 0
    for question, expected in other["top10"].items():
        got = ours["top10"].get(question, [])
        prefix = expected[: len(got)]
        scores_equal = len(prefix) == len(got) and np.allclose(
            [g[1] for g in got], [e[1] for e in prefix], rtol=1e-4, atol=1e-4
        )
        same_scores += bool(scores_equal)
        same += bool(scores_equal and [g[0] for g in got] == [e[0] for e in prefix])
    return {
        "questions": len(other["top10"]),
        "identical_top10": same,
        "identical_top10_scores": same_scores,
    }


def _ours(size: int, directory: Path, checkout: Path = ROOT) -> dict[str, Any]:
    built = _in_subprocess("ours_build", size, directory, checkout)
    return built | _in_subprocess("ours_query", size, directory, checkout)


def _peers(size: int, work: Path, ours: dict[str, Any]) -> dict[str, Any]:
    """Every peer on the corpus analysed once, then parity and ours/peer latency ratios."""
    prepared = _in_subprocess("prepare", size, work / "prepare")
    peers = {
        name: _in_subprocess(name, size, work / name)
        for name in PEERS
        if name != "rank_bm25" or size <= RANK_BM25_LIMIT
    }
    (work / TERMS_FILE).unlink()
    parity = {
        name: _parity(ours, peers[name]) for name in ("rank_bm25", "bm25s_numba") if name in peers
    }
    for result in peers.values():
        result["build_s"] = round(prepared["analysis_s"] + result["index_s"], 2)
        result.pop("top10", None)
    ratios = {
        name: _ratios(ours["retrieval"], result["retrieval"]) for name, result in peers.items()
    }
    return {"analysis": prepared, **peers, "parity": parity, "ours_over_peer": ratios}


def _ratios(ours: dict[str, Any], peer: dict[str, Any]) -> dict[str, float]:
    """Our latency over the peer's, wall and CPU; above 1 the peer is faster."""
    wall = {p: ours[f"{p}_ms"] / max(peer[f"{p}_ms"], 1e-6) for p in ("p50", "p99")}
    cpu = {
        f"cpu_{p}": ours["cpu"][f"{p}_ms"] / max(peer["cpu"][f"{p}_ms"], 1e-6)
        for p in ("p50", "p99")
    }
    return {key: float(f"{value:.3g}") for key, value in (wall | cpu).items()}  # rank-bm25: 0.00x


def _measure(size: int, work: Path, baseline: Path | None, only_ours: bool) -> dict[str, Any]:
    """One size's row: ours (and the baseline checkout's), then the other systems."""
    load_before = os.getloadavg()[0]
    row: dict[str, Any] = {"ours": _ours(size, work / "ours")}
    if baseline is not None:
        row["baseline"] = _ours(size, work / "baseline", baseline.resolve())
        row["baseline"]["checkout"] = str(baseline)
        row["baseline"].pop("top10", None)
    if not only_ours:
        row |= _peers(size, work, row["ours"])
    del row["ours"]["top10"]
    row["measured"] = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    return row


def floors(sizes: dict[str, Any]) -> list[dict[str, Any]]:
    """Issues 14 and 16's floors against the figures at hand (each size's latest run)."""
    table: list[dict[str, Any]] = []

    def check(floor: str, figure: str, met: bool) -> None:
        table.append({"floor": floor, "figure": figure, "pass": bool(met)})

    for size in FLOOR_SIZES:
        if size not in sizes:
            continue
        row, at = sizes[size], f"{int(size):,}:"
        ours = row["ours"]
        for peer, label in (("bm25s_numba", "bm25s-numba"), ("tantivy", "tantivy")):
            for p in ("p50", "p99") if peer in row else ():
                mine, theirs = ours["retrieval"][f"{p}_ms"], row[peer]["retrieval"][f"{p}_ms"]
                check(f"{at} retrieval {p} ≤ {label}'s", f"{mine} vs {theirs} ms", mine <= theirs)
        for peer, what, key in (
            ("rank_bm25", "top 10 identical to rank-bm25's", "identical_top10"),
            ("bm25s_numba", "top-10 scores equal bm25s-numba's", "identical_top10_scores"),
        ):
            if peer in row.get("parity", {}):
                same, asked = row["parity"][peer][key], row["parity"][peer]["questions"]
                check(f"{at} {what}", f"{same} / {asked}", same == asked)
        check(f"{at} cold load ≤ 1 s", f"{ours['cold_load_s']} s", ours["cold_load_s"] <= 1)
        per_passage = ours["resident_after_questions_bytes_per_passage"]
        check(
            f"{at} resident after 225 questions ≤ 1 KiB/passage",
            f"{per_passage} B",
            per_passage <= 1024,
        )
    if all(size in sizes for size in FLOOR_SIZES):
        small, large = (sizes[size]["ours"]["ask"]["p50_ms"] for size in FLOOR_SIZES)
        ratio = round(large / small, 2)
        check("ask p50 at 1M ≤ 1.5 × at 100k", f"{large} / {small} ms = {ratio}", ratio <= 1.5)
    if "1000000" in sizes:
        added = sizes["1000000"]["ours"]["add_one_article_s"]
        check("1,000,000: adding one article ≤ 0.5 s", f"{added} s", added <= 0.5)
    return table


def _print_floors(table: list[dict[str, Any]]) -> None:
    width = max((len(row["floor"]) for row in table), default=5)
    for row in table:
        verdict = "pass" if row["pass"] else "FAIL"
        print(f"{row['floor']:<{width}}  {row['figure']:<28}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--worker", choices=sorted(WORKERS))
    parser.add_argument("--size", type=int)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--baseline", type=Path, help="another checkout to run ours from too")
    parser.add_argument(
        "--only-ours", action="store_true", help="skip every peer (bm25s, tantivy, rank-bm25)"
    )
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.size, str(args.dir))))
        return
    report: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores",
        "params": "BM25Plus k1=1.5 b=0.9 delta=1",
        "sizes": {},
    }
    if RESULTS.exists():  # other sizes (and, with --only-ours, the peers) stay as measured
        report |= json.loads(RESULTS.read_text())
    for size in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"bench-{size}-"))
        try:
            row = _measure(size, work, args.baseline, args.only_ours)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        report["sizes"][str(size)] = report["sizes"].get(str(size), {}) | row
        report["floors"] = floors(report["sizes"])
        print(json.dumps({size: row}, indent=1), flush=True)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    _print_floors(report["floors"])
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
