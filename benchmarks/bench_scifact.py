"""Choose the BM25 variant and parameters by retrieval quality on BEIR SciFact (test split).

Scores nDCG@10 for every rank-bm25 variant over a small grid of k1 and b, using the project's
own analyzer and numpy index (whose scores equal rank-bm25's; see the parity property test),
and checks one setting against rank-bm25 itself in the same run. Writes
``benchmarks/results/scifact.json``. Reference: Pyserini BM25 flat (k1=0.9, b=0.4) 0.6789.

Run: ``.venv/bin/python benchmarks/bench_scifact.py [--shared ../shared]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import time
from collections import defaultdict
from pathlib import Path

from index.analyze import analyze
from index.storage.bm25 import BM25Params, Variant, build, top_k

RESULTS = Path(__file__).parent / "results" / "scifact.json"
GRID_K1 = (0.9, 1.2, 1.5, 2.0)
GRID_B = (0.4, 0.75, 0.9)
VARIANTS: tuple[Variant, ...] = ("okapi", "l", "plus")


def load(
    shared: Path,
) -> tuple[list[str], list[list[str]], dict[str, str], dict[str, dict[str, int]]]:
    root = shared / "bench" / "scifact"
    doc_ids, docs = [], []
    with gzip.open(root / "corpus.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            doc_ids.append(record["_id"])
            docs.append(analyze(f"{record['title']} {record['text']}"))
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (root / "qrels" / "test.tsv").read_text().splitlines()[1:]:
        query_id, corpus_id, score = line.split("\t")
        qrels[query_id][corpus_id] = int(score)
    queries = {}
    for line in (root / "queries.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["_id"] in qrels:
            queries[record["_id"]] = record["text"]
    return doc_ids, docs, queries, qrels


def ndcg_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def evaluate(
    doc_ids: list[str],
    docs: list[list[str]],
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
    params: BM25Params,
) -> float:
    index = build(docs, params)
    total = 0.0
    for query_id, text in queries.items():
        ranked = [doc_ids[i] for i, _ in top_k(index, analyze(text), 10)]
        total += ndcg_at_10(ranked, qrels[query_id])
    return total / len(queries)


def rank_bm25_check(
    doc_ids: list[str],
    docs: list[list[str]],
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
) -> float:
    """nDCG@10 of rank-bm25's own BM25Okapi(k1=0.9, b=0.4) on the same analysed input."""
    import numpy as np
    from rank_bm25 import BM25Okapi

    oracle = BM25Okapi(docs, k1=0.9, b=0.4)
    total = 0.0
    for query_id, text in queries.items():
        full = oracle.get_scores(analyze(text))
        order = np.lexsort((np.arange(len(full)), -full))[:10]
        total += ndcg_at_10([doc_ids[i] for i in order], qrels[query_id])
    return total / len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).parents[1] / ".." / "shared")
    args = parser.parse_args()
    started = time.perf_counter()
    doc_ids, docs, queries, qrels = load(args.shared)
    rows = []
    for variant in VARIANTS:
        for k1 in GRID_K1:
            for b in GRID_B:
                params = BM25Params(
                    variant=variant, k1=k1, b=b, delta=1.0 if variant == "plus" else 0.5
                )
                score = evaluate(doc_ids, docs, queries, qrels, params)
                rows.append(
                    {
                        "variant": variant,
                        "k1": k1,
                        "b": b,
                        "delta": params.delta,
                        "ndcg@10": round(score, 4),
                    }
                )
                print(f"{variant:6} k1={k1:<4} b={b:<5} nDCG@10 {score:.4f}", flush=True)
    oracle = rank_bm25_check(doc_ids, docs, queries, qrels)
    print(f"rank-bm25 BM25Okapi k1=0.9 b=0.4 (oracle, same run): nDCG@10 {oracle:.4f}")
    best = max(rows, key=lambda r: r["ndcg@10"])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "dataset": "BEIR SciFact test (300 queries, 5,183 docs)",
                "pyserini_reference": 0.6789,
                "rank_bm25_okapi_0.9_0.4": round(oracle, 4),
                "grid": rows,
                "best": best,
                "seconds": round(time.perf_counter() - started, 1),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"best: {best}; written to {RESULTS}")


if __name__ == "__main__":
    main()
