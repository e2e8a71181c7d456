"""Summary quality on BBC news summaries, side by side with Lead-N, LexRank and TextRank (sumy).

For each article every system picks sentences from the *same* sentence units (our splitter,
``index.passages.sentences``): Lead-N takes the first N; sumy gets those units through its
tokenizer interface, so it can only choose among them. Scored against the reference extractive
summaries (``summary_sents_doc_order``): ROUGE-1, ROUGE-2 and ROUGE-L F1 (rouge-score, Porter
stemming) and F1 of the chosen sentence units against the units holding reference sentences,
at N = 3 and at N = the reference's sentence count. Rows with an even position form the dev
half (weights were chosen there); odd rows are held out. Writes benchmarks/results/summary.json.

Run: ``.venv/bin/python benchmarks/bench_summary.py [--shared ../shared] [--limit N]``
(needs the ``bench`` extra: sumy, rouge-score).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rouge_score import rouge_scorer
from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from index.answering.summary import rank, select
from index.models import Span
from index.passages import sentences

RESULTS = Path(__file__).parent / "results" / "summary.json"
Picker = Callable[[str, str, list[Span], int], list[int]]


class _UnitTokenizer:
    """sumy's tokenizer interface, splitting with our sentence splitter (no NLTK data)."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return [paragraph[s.start : s.end] for s in sentences(paragraph)]

    def to_words(self, sentence: str) -> list[str]:
        return re.findall(r"[^\W_]+", sentence.lower())


def _sumy(summarizer_class: type) -> Picker:
    summarizer = summarizer_class(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    tokenizer = _UnitTokenizer()

    def pick(body: str, title: str, spans: list[Span], n: int) -> list[int]:
        document = PlaintextParser.from_string(body, tokenizer).document
        texts = [body[s.start : s.end] for s in spans]
        chosen = [str(sentence) for sentence in summarizer(document, n)]
        return sorted({texts.index(t) for t in chosen if t in texts})

    return pick


def _ours(body: str, title: str, spans: list[Span], n: int) -> list[int]:
    return [s.index for s in select(body, rank(body, spans), n)]


def _lead(body: str, title: str, spans: list[Span], n: int) -> list[int]:
    return list(range(min(n, len(spans))))


SYSTEMS: dict[str, Picker] = {
    "coverage-bot": _ours,
    "Lead-N": _lead,
    "LexRank (sumy)": _sumy(LexRankSummarizer),
    "TextRank (sumy)": _sumy(TextRankSummarizer),
}


def _reference_units(texts: list[str], references: list[str]) -> set[int]:
    """Our units holding a reference sentence (or held by one, where the splits differ)."""
    found = set()
    for reference in references:
        for i, text in enumerate(texts):
            if reference in text or text in reference:
                found.add(i)
    return found


def _f1(chosen: set[int], wanted: set[int]) -> float:
    hits = len(chosen & wanted)
    if not hits:
        return 0.0
    precision, recall = hits / len(chosen), hits / len(wanted)
    return 2 * precision * recall / (precision + recall)


def evaluate(rows: list[dict[str, object]]) -> dict[str, dict[str, dict[str, float]]]:
    """Mean scores per system and length ("3" and "ref")."""
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    totals: dict[str, dict[str, dict[str, list[float]]]] = {
        name: {
            length: {m: [] for m in ("rouge1", "rouge2", "rougeL", "sentence_f1")}
            for length in ("3", "ref")
        }
        for name in SYSTEMS
    }
    for row in rows:
        body, title = str(row["article"]), str(row["title"])
        references = [str(r) for r in row["summary_sents_doc_order"]]  # type: ignore[attr-defined]
        spans = sentences(body)
        texts = [body[s.start : s.end] for s in spans]
        wanted = _reference_units(texts, references)
        reference_text = " ".join(references)
        for length, n in (("3", 3), ("ref", len(references))):
            for name, pick in SYSTEMS.items():
                chosen = pick(body, title, spans, n)
                summary = " ".join(texts[i] for i in chosen)
                scores = scorer.score(reference_text, summary)
                bucket = totals[name][length]
                for metric in ("rouge1", "rouge2", "rougeL"):
                    bucket[metric].append(100 * scores[metric].fmeasure)
                bucket["sentence_f1"].append(100 * _f1(set(chosen), wanted))
    return {
        name: {
            length: {m: round(statistics.fmean(v), 2) for m, v in metrics.items()}
            for length, metrics in lengths.items()
        }
        for name, lengths in totals.items()
    }


def table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = [
        "| system | N | ROUGE-1 | ROUGE-2 | ROUGE-L | sentence F1 |",
        "|---|---|---|---|---|---|",
    ]
    for length, label in (("3", "3"), ("ref", "reference count")):
        for name, lengths in results.items():
            m = lengths[length]
            cells = " | ".join(f"{m[k]:.1f}" for k in ("rouge1", "rouge2", "rougeL", "sentence_f1"))
            lines.append(f"| {name} | {label} | {cells} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared"
    )
    parser.add_argument("--limit", type=int, default=0, help="rows per half (0: all)")
    args = parser.parse_args()
    rows = [
        json.loads(line) for line in (args.shared / "bench" / "bbc-summary" / "dev.jsonl").open()
    ]
    halves = {"dev (even rows, used for tuning)": rows[0::2], "held out (odd rows)": rows[1::2]}
    report: dict[str, object] = {"dataset": "BBC News Summary (shared/bench/bbc-summary/dev.jsonl)"}
    started = time.perf_counter()
    for label, half in halves.items():
        chosen = half[: args.limit] if args.limit else half
        results = evaluate(chosen)
        report[label] = {"articles": len(chosen), "results": results}
        print(f"\n{label}: {len(chosen)} articles\n{table(results)}", flush=True)
    report["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
