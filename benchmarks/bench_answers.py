"""Answer quality over the seeds and over the grown coverage, per category, with an ablation.

Builds (or reuses) two indexes in a cache folder: the project's seed articles alone, and the
seeds plus both shared corpora (2,312 articles, ~74k passages). Runs every dev question set
through ``index.answering.answer.answer`` in-process and scores it as ``../shared/eval/score_qa.py``
does: hit@1 and hit@3 over the citations shown (stated answers or closest passages),
declines, and answered-precision (of everything stated as an answer, the share whose first
quote is right; an unanswerable question stated as answered is wrong). Prints those per
category, a reliability table (confidence bins against the share of first quotes that are
right), and an ablation: each ranking feature of ``index.answering.answer.Weights`` switched off in
turn, with the change it makes. Results: ``benchmarks/results/answers.json``.

Run: ``.venv/bin/python benchmarks/bench_answers.py [--cache DIR] [--no-ablation]``
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from index.answering.answer import WEIGHTS, Weights, answer
from index.storage.bm25 import BM25Params
from index.storage.coverage import Coverage
from index.storage.maintain import Maintainer

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RESULTS = Path(__file__).parent / "results" / "answers.json"
#: Question sets and the coverage each is asked of.
SETS = (
    ("dev_qa", SHARED / "eval" / "dev_qa.jsonl", "seeds"),
    ("extra_qa", ROOT / "tests" / "data" / "extra_qa.jsonl", "seeds"),
    ("dev_grown_qa", SHARED / "eval" / "dev_grown_qa.jsonl", "grown"),
    ("fit_grown_qa", ROOT / "tests" / "data" / "fit_grown_qa.jsonl", "grown"),
    ("extra_grown_qa", ROOT / "tests" / "data" / "extra_grown_qa.jsonl", "grown"),
    ("blind_grown_qa", ROOT / "tests" / "data" / "blind_grown_qa.jsonl", "grown"),
    ("fresh_grown_qa", ROOT / "tests" / "data" / "fresh_grown_qa.jsonl", "grown"),
)
#: Sets the confidence model is never fitted on (``fit_confidence.py`` skips them): written by
#: a session that never ran the bot, scored first with the code they were written against, so
#: their figures stay what new questions can expect.
HELD_OUT = frozenset({"fresh_grown_qa"})
BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


def _scorer() -> ModuleType:
    """The shared scorer's module, for its exact text normalisation."""
    spec = importlib.util.spec_from_file_location("score_qa", SHARED / "eval" / "score_qa.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCORER = _scorer()


@dataclass
class Outcome:
    """One question's result."""

    id: str
    cat: str
    answerable: bool
    answered: bool
    hit1: bool
    hit3: bool
    confidence: float
    seconds: float


def coverages(cache: Path) -> dict[str, Coverage]:
    """The seed and grown coverages, built in ``cache`` when missing or stale."""
    grown = cache / "grown-seeds"
    if not grown.is_dir():
        grown.mkdir(parents=True)
        for path in [*(SHARED / "seeds").glob("*.txt"), *(SHARED / "corpora").glob("*.jsonl.gz")]:
            shutil.copy(path, grown / path.name)
    seeds = Maintainer(ROOT / "seeds", cache / "seed-index", BM25Params()).open().coverage
    everything = Maintainer(grown, cache / "grown-index", BM25Params()).open().coverage
    return {"seeds": seeds, "grown": everything}


def run(coverage: Coverage, items: list[dict[str, Any]], weights: Weights) -> list[Outcome]:
    """Ask every question and score the answer as score_qa.py does."""
    outcomes = []
    for item in items:
        started = time.perf_counter()
        result = answer(coverage, item["q"], weights=weights)
        seconds = time.perf_counter() - started
        answerable = item.get("kind", "answer") in ("answer", "meta")
        doc = {"answer": result.answer, "citations": [asdict(c) for c in result.citations]}
        hits = [_right(item, c, doc) for c in doc["citations"][:3]] if answerable else []
        outcomes.append(
            Outcome(
                item.get("id", item["q"]),
                item.get("cat", item.get("kind", "answer")),
                answerable,
                result.answered,
                bool(hits) and hits[0],
                any(hits),
                result.confidence,
                seconds,
            )
        )
    return outcomes


def _right(item: dict[str, Any], citation: dict[str, Any], doc: dict[str, Any]) -> bool:
    norm = SCORER.norm
    if item.get("kind") == "meta":
        text = norm(json.dumps(citation) + doc["answer"])
    else:
        text = norm(citation["quote"])
    good_src = item["src"] == "any" or SCORER.src_of(citation) == item["src"]
    short = len(citation["quote"]) <= 600
    return bool(good_src and short and any(norm(e) in text for e in item["ev"]))


def figures(outcomes: list[Outcome]) -> dict[str, Any]:
    """hit@1, hit@3, declines and answered-precision over a list of outcomes."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    stated = [o for o in outcomes if o.answered]
    right = [o for o in stated if o.answerable and o.hit1]
    return {
        "n": len(outcomes),
        "answerable": len(answerable),
        "hit@1": sum(o.hit1 for o in answerable),
        "hit@3": sum(o.hit3 for o in answerable),
        "answered": len(stated),
        "answered_right": len(right),
        "answered_precision": round(len(right) / len(stated), 3) if stated else None,
        "answerable_declined": sum(not o.answered for o in answerable),
        "unanswerable": len(unanswerable),
        "unanswerable_declined": sum(not o.answered for o in unanswerable),
        "p50_ms": round(1000 * statistics.median(o.seconds for o in outcomes), 2),
    }


def reliability(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Confidence bins against the share of first quotes that are right (stated or not)."""
    rows = []
    for lo, hi in itertools.pairwise(BINS):
        inside = [o for o in outcomes if lo <= o.confidence < hi]
        right = sum(o.answerable and o.hit1 for o in inside)
        rows.append(
            {
                "bin": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                "n": len(inside),
                "right": right,
                "share_right": round(right / len(inside), 3) if inside else None,
            }
        )
    return rows


def _line(name: str, f: dict[str, Any]) -> str:
    parts = [f"{name:<16}"]
    if f["answerable"]:
        n = f["answerable"]
        parts.append(f"hit@1 {f['hit@1']}/{n}  hit@3 {f['hit@3']}/{n}")
        parts.append(f"answered-right {f['answered_right']}/{n}")
    if f["unanswerable"]:
        parts.append(f"unanswerable declined {f['unanswerable_declined']}/{f['unanswerable']}")
    precision = f["answered_precision"]
    shown = "-" if precision is None else f"{precision:.0%}"
    parts.append(f"answered-precision {f['answered_right']}/{f['answered']} ({shown})")
    return "  ".join(parts)


def report(name: str, outcomes: list[Outcome]) -> dict[str, Any]:
    """Print and return one set's figures, per category, and its reliability table."""
    cats = sorted({o.cat for o in outcomes})
    result = {
        "all": figures(outcomes),
        "by_category": {c: figures([o for o in outcomes if o.cat == c]) for c in cats},
        "reliability": reliability(outcomes),
    }
    print(f"\n== {name}")
    print(_line("all", result["all"]) + f"  p50 {result['all']['p50_ms']} ms")
    if len(cats) > 1:
        for cat, f in result["by_category"].items():
            print("  " + _line(cat, f))
    print("  confidence  n   right")
    for row in result["reliability"]:
        print(f"  {row['bin']}   {row['n']:>3} {row['right']:>3}")
    return result


def ablation(cov: dict[str, Coverage], sets: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Each ranking feature switched off in turn: the figures it changes, per set."""
    table: dict[str, Any] = {}
    print(
        "\n== ablation (feature weight set to 0): change in hit@1, hit@3, answered-right, "
        "answered-precision"
    )
    for field in fields(Weights):
        off = replace(WEIGHTS, **{field.name: 0.0})
        row = {}
        for name, (items, where) in sets.items():
            row[name] = figures(run(cov[where], items, off))
        table[field.name] = row
        print(
            f"  {field.name:<10} "
            + "   ".join(f"{name}: " + _delta(row[name], BASE[name]) for name in row)
        )
    return table


BASE: dict[str, dict[str, Any]] = {}


def _delta(now: dict[str, Any], base: dict[str, Any]) -> str:
    parts = [f"{now[k] - base[k]:+d}" for k in ("hit@1", "hit@3", "answered_right")]
    p_now, p_base = now["answered_precision"] or 0.0, base["answered_precision"] or 0.0
    return "/".join(parts) + f"/{100 * (p_now - p_base):+.0f}pt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "coverage-bot-bench-answers"
    )
    parser.add_argument("--no-ablation", action="store_true")
    args = parser.parse_args()
    cov = coverages(args.cache)
    sets = {
        name: ([json.loads(line) for line in path.open() if line.strip()], where)
        for name, path, where in SETS
    }
    results: dict[str, Any] = {"weights": asdict(WEIGHTS), "sets": {}}
    for name, (items, where) in sets.items():
        outcomes = run(cov[where], items, WEIGHTS)
        results["sets"][name] = report(f"{name} ({where})", outcomes)
        results["sets"][name]["questions"] = [asdict(o) | {"seconds": None} for o in outcomes]
        BASE[name] = results["sets"][name]["all"]
    if not args.no_ablation:
        results["ablation"] = ablation(cov, sets)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
