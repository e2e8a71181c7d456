"""Retrieval at newsroom scale, side by side: our index, rank-bm25's own scoring, and bm25s.

Corpora of about 10k, 100k and 1M passages are grown from the shared corpora (2,310 real
White House, Kremlin and President of Ukraine articles, ~74k passages): beyond the real
articles, each copy of an article gets a new id and title, and 15% of its words (4+ letters)
carry a copy-specific suffix, so the vocabulary keeps growing as a real archive's does and no
two copies rank the same. Questions: the 25 dev questions plus 200 built from random
sentences of the real articles (5-8 of their words, in order, framed as a question).

Every system gets the same analysed terms and BM25Plus (k1=1.5, b=0.9, delta=1). Each
measurement runs in a fresh subprocess so memory figures are its own: build time (analysis
included), peak memory of the build process (max RSS, corpus text included), bytes on disk,
resident memory added by loading, cold load time, retrieval latency p50/p99 (top 10) and,
for ours, full ``ask`` latency (retrieval plus quote selection), the time to add one
article, to open the index again after it (what another process does to pick it up) and
retrieval with that delta beside the main segment, and the time to merge a delta into a new
generation. rank-bm25 has no index to save or load, and its Python scoring loop is only run
up to 100k passages. Top-10 passages and scores are checked against rank-bm25 wherever it
runs. ``--baseline PATH`` also runs our workers from another checkout (e.g. the main
branch) in the same run, so a change is compared side by side on the same loaded machine.
Results: benchmarks/results/retrieval.json.

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
from dataclasses import replace
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
    made = []
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
    from index.storage.store import load

    articles = grow(base_articles(), min(size, 20_000))
    asked = questions(articles)
    before = _rss_mib()
    started = time.perf_counter()
    coverage = load(Path(directory))
    load_s = time.perf_counter() - started
    resident = _rss_mib() - before
    passages = coverage.info.passages
    for question in asked[:20]:  # warm caches
        coverage.ranked(analyze(question), 10)
    retrieval = []
    top10 = {}
    for question in asked:
        t = time.perf_counter()
        hits = coverage.ranked(analyze(question), 10)
        retrieval.append(time.perf_counter() - t)
        top10[question] = hits
    asks = []
    for question in asked:
        t = time.perf_counter()
        answer(coverage, question)
        asks.append(time.perf_counter() - t)
    resident_after = _rss_mib() - before
    return {
        **_questions_report(load_s, resident, resident_after, passages, retrieval, asks, top10),
        **_adding(articles, directory, asked),
    }


def _questions_report(
    load_s: float,
    resident: float,
    resident_after: float,
    passages: int,
    retrieval: list[float],
    asks: list[float],
    top10: dict[str, list[tuple[int, float]]],
) -> dict[str, Any]:
    return {
        "cold_load_s": round(load_s, 3),
        "resident_mib": round(resident, 1),
        "resident_bytes_per_passage": round(resident * 1024 * 1024 / passages, 1),
        "resident_after_questions_mib": round(resident_after, 1),
        "resident_after_questions_bytes_per_passage": round(
            resident_after * 1024 * 1024 / passages, 1
        ),
        "retrieval": _percentiles(retrieval),
        "ask": _percentiles(asks),
        "top10": {q: [[n, round(s, 4)] for n, s in hits] for q, hits in top10.items()},
    }


def _adding(articles: list[Article], directory: str, asked: list[str]) -> dict[str, Any]:
    """Add one article (a delta), open the index again, ask again, then force a merge."""
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
    for question in asked:
        t = time.perf_counter()
        coverage.ranked(analyze(question), 10)
        retrieval.append(time.perf_counter() - t)
    t = time.perf_counter()
    append_articles(new[1:], Path(directory), PARAMS, "bench-merged", merge_passages=0)
    return {
        "add_one_article_s": round(add_s, 3),
        "load_after_add_s": round(reload_s, 3),
        "retrieval_with_delta": _percentiles(retrieval),
        "merge_s": round(time.perf_counter() - t, 3),
    }


def _tokens(size: int) -> tuple[list[list[str]], float]:
    articles = grow(base_articles(), size)
    started = time.perf_counter()
    corpus = [analyze(a.body[s.start : s.end]) for a in articles for s in passage_spans(a.body)]
    return corpus, time.perf_counter() - started


def work_rank_bm25(size: int, directory: str) -> dict[str, Any]:
    from rank_bm25 import BM25Plus

    corpus, tokenize_s = _tokens(size)
    asked = questions(grow(base_articles(), min(size, 20_000)))
    started = time.perf_counter()
    model = BM25Plus(corpus, k1=PARAMS.k1, b=PARAMS.b, delta=PARAMS.delta)
    build_s = time.perf_counter() - started + tokenize_s
    peak = _peak_mib()
    ids = list(range(len(corpus)))
    latencies, top10 = [], {}
    for question in asked:
        terms = analyze(question)
        t = time.perf_counter()
        scores = model.get_scores(terms)
        best = np.lexsort((np.arange(len(scores)), -scores))[:10]
        model.get_top_n(terms, ids, n=10)  # what a rank-bm25 user calls: included in the time
        latencies.append(time.perf_counter() - t)
        top10[question] = [[int(i), round(float(scores[i]), 4)] for i in best]
    return {
        "build_s": round(build_s, 2),
        "build_peak_mib": round(peak, 1),
        "retrieval": _percentiles(latencies),
        "top10": top10,
    }


def work_bm25s(size: int, directory: str) -> dict[str, Any]:
    import bm25s

    corpus, tokenize_s = _tokens(size)
    asked = questions(grow(base_articles(), min(size, 20_000)))
    started = time.perf_counter()
    model = bm25s.BM25(method="bm25+", k1=PARAMS.k1, b=PARAMS.b, delta=PARAMS.delta)
    model.index(corpus, show_progress=False)
    build_s = time.perf_counter() - started + tokenize_s
    peak = _peak_mib()
    model.save(directory, show_progress=False)
    disk = sum(p.stat().st_size for p in Path(directory).rglob("*") if p.is_file())
    del model, corpus
    before = _rss_mib()
    t = time.perf_counter()
    loaded = bm25s.BM25.load(directory, mmap=True)
    load_s = time.perf_counter() - t
    resident = _rss_mib() - before
    latencies = []
    for question in asked:
        terms = [t for t in analyze(question) if t in loaded.vocab_dict] or ["__none__"]
        t0 = time.perf_counter()
        if terms != ["__none__"]:
            loaded.retrieve([terms], k=10, show_progress=False, n_threads=1)
        latencies.append(time.perf_counter() - t0)
    return {
        "build_s": round(build_s, 2),
        "build_peak_mib": round(peak, 1),
        "disk_bytes": disk,
        "cold_load_s": round(load_s, 3),
        "resident_mib": round(resident, 1),
        "retrieval": _percentiles(latencies),
    }


WORKERS = {
    "ours_build": work_ours_build,
    "ours_query": work_ours_query,
    "rank_bm25": work_rank_bm25,
    "bm25s": work_bm25s,
}


def _in_subprocess(
    worker: str, size: int, directory: Path, checkout: Path = ROOT
) -> dict[str, Any]:
    """Run ``worker`` in a fresh process, from ``checkout``'s code and benchmark script."""
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
    environment = os.environ | {"PYTHONPATH": str(checkout)}  # before the editable install
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=checkout, env=environment
    )
    if done.returncode != 0:
        raise RuntimeError(f"{worker} at {size}: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _parity(ours: dict[str, Any], oracle: dict[str, Any]) -> dict[str, Any]:
    """Share of questions whose top 10 (ids and scores) equal rank-bm25's."""
    same = 0
    for question, expected in oracle["top10"].items():
        got = ours["top10"].get(question, [])
        # Ours lists only passages holding a query term; rank-bm25 pads with the rest.
        prefix = expected[: len(got)]
        same_ids = [g[0] for g in got] == [e[0] for e in prefix]
        if same_ids and np.allclose(
            [g[1] for g in got], [e[1] for e in prefix], rtol=1e-4, atol=1e-4
        ):
            same += 1
    return {"questions": len(oracle["top10"]), "identical_top10": same}


def _ours(size: int, directory: Path, checkout: Path = ROOT) -> dict[str, Any]:
    built = _in_subprocess("ours_build", size, directory, checkout)
    return built | _in_subprocess("ours_query", size, directory, checkout)


def _measure(size: int, work: Path, baseline: Path | None, only_ours: bool) -> dict[str, Any]:
    """One size's row: ours (and the baseline checkout's), then the other systems."""
    row: dict[str, Any] = {"ours": _ours(size, work / "ours")}
    if baseline is not None:
        row["baseline"] = _ours(size, work / "baseline", baseline.resolve())
        row["baseline"]["checkout"] = str(baseline)
        del row["baseline"]["top10"]
    if not only_ours:
        row["bm25s"] = _in_subprocess("bm25s", size, work / "bm25s")
        row["speedup_vs_bm25s_p50"] = round(
            row["bm25s"]["retrieval"]["p50_ms"] / row["ours"]["retrieval"]["p50_ms"], 2
        )
    if size <= RANK_BM25_LIMIT and not only_ours:
        row["rank_bm25"] = _in_subprocess("rank_bm25", size, work / "rank")
        row["parity_vs_rank_bm25"] = _parity(row["ours"], row["rank_bm25"])
        row["speedup_vs_rank_bm25_p50"] = round(
            row["rank_bm25"]["retrieval"]["p50_ms"] / row["ours"]["retrieval"]["p50_ms"], 1
        )
        del row["rank_bm25"]["top10"]
    del row["ours"]["top10"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--worker", choices=sorted(WORKERS))
    parser.add_argument("--size", type=int)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--baseline", type=Path, help="another checkout to run ours from too")
    parser.add_argument("--only-ours", action="store_true", help="skip bm25s and rank-bm25")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.size, str(args.dir))))
        return
    report: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores",
        "params": "BM25Plus k1=1.5 b=0.9 delta=1",
        "sizes": {},
    }
    if RESULTS.exists():
        report = json.loads(RESULTS.read_text()) | {
            "sizes": json.loads(RESULTS.read_text()).get("sizes", {})
        }
    for size in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"bench-{size}-"))
        try:
            row = _measure(size, work, args.baseline, args.only_ours)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        report["sizes"][str(size)] = report["sizes"].get(str(size), {}) | row
        print(json.dumps({size: row}, indent=1), flush=True)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
