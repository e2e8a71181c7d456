"""Dates and timelines over the grown coverage (seeds + both shared corpora).

1. Date extraction: ``index.answering.dates.extract_dates`` against dateparser's
   ``search_dates`` on ``benchmarks/dates_gold.jsonl``: 60 sentences drawn at random (seed 12)
   from the grown coverage among those holding a month, weekday, day word or number, each
   labelled by hand with the calendar days it names (stored as article id and offsets, not
   text). Precision and recall over the days found, and time per sentence.
2. The issue's "done means": ``timeline "Putin Biden call"`` lists the 2021-12-07,
   2021-12-30 and 2022-02-12 calls in order, each once; ``timeline "Nord Stream 2"`` is
   chronological and every date is stated in its quote or is its article's publication date.

Results: ``benchmarks/results/timeline.json``. Needs the bench extra (dateparser).
Run: ``.venv/bin/python benchmarks/bench_timeline.py [--cache DIR]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bench_answers import coverages
from dateparser.search import search_dates

from index.answering.dates import extract_dates
from index.answering.timeline import timeline
from index.storage.coverage import Coverage

HERE = Path(__file__).parent
GOLD = HERE / "dates_gold.jsonl"
RESULTS = HERE / "results" / "timeline.json"
CALLS = ("2021-12-07", "2021-12-30", "2022-02-12")

Extractor = Callable[[str, date], list[str]]


def own(text: str, published: date) -> list[str]:
    return [day.isoformat() for day, _, _ in extract_dates(text, published)]


def dateparser_with(settings: dict[str, Any]) -> Extractor:
    """dateparser's search, relative to the publication date, with extra ``settings``."""

    def extract(text: str, published: date) -> list[str]:
        base = datetime(published.year, published.month, published.day)
        found = search_dates(
            text,
            languages=["en"],
            settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", **settings},
        )
        return [when.date().isoformat() for _, when in found or []]

    return extract


def score(coverage: Coverage, extract: Extractor) -> dict[str, float]:
    """Precision and recall of the days an extractor finds, over the gold sentences."""
    found = right = wanted = 0
    seconds = 0.0
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        index = coverage.index_of(row["article_id"])
        assert index is not None, f"{GOLD}: {row['article_id']} is not in the coverage"
        published = date.fromisoformat(coverage.metas[index].published or "")
        text = coverage.body(index)[row["start"] : row["end"]]
        started = time.perf_counter()
        days = Counter(extract(text, published))
        seconds += time.perf_counter() - started
        gold = Counter(row["days"])
        found, wanted = found + sum(days.values()), wanted + sum(gold.values())
        right += sum((days & gold).values())
    return {
        "precision": round(right / found, 3) if found else 0.0,
        "recall": round(right / wanted, 3),
        "found": found,
        "right": right,
        "gold": wanted,
        "ms_per_sentence": round(1000 * seconds / len(rows), 2),
    }


def done_means(coverage: Coverage) -> dict[str, Any]:
    """The issue's two timeline checks, with what they list."""
    calls = timeline(coverage, "Putin Biden call")
    days = [event.day.isoformat() for event in calls.events]
    positions = [days.index(day) for day in CALLS if day in days]
    nord = timeline(coverage, "Nord Stream 2")
    provenance = []
    for event in nord.events:
        for mention in (event.best, *event.more):
            citation = mention.citation
            published = date.fromisoformat(citation.published or "")
            stated = mention.day.isoformat() in own(citation.quote, published)
            provenance.append(stated or mention.day == published)
    nord_days = [event.day for event in nord.events]
    return {
        "putin_biden_call": {
            "events": [
                {"date": day, "quote": event.best.citation.quote, "more": len(event.more)}
                for day, event in zip(days, calls.events, strict=True)
            ],
            "calls_listed_once_in_order": len(positions) == len(CALLS)
            and positions == sorted(positions)
            and all(days.count(day) == 1 for day in CALLS),
        },
        "nord_stream_2": {
            "events": len(nord.events),
            "chronological": nord_days == sorted(nord_days),
            "every_date_stated_or_published": all(provenance),
            "quotes_checked": len(provenance),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "coverage-bot-bench-answers"
    )
    args = parser.parse_args()
    coverage = coverages(args.cache)["grown"]
    extractors: dict[str, Extractor] = {
        "own (index.answering.dates)": own,
        "dateparser search_dates": dateparser_with({}),
        "dateparser search_dates, REQUIRE_PARTS day+month": dateparser_with(
            {"REQUIRE_PARTS": ["day", "month"]}
        ),
    }
    results = {
        "dates": {name: score(coverage, extract) for name, extract in extractors.items()},
        "done_means": done_means(coverage),
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, figures in results["dates"].items():
        print(f"{name:<52} {figures}")
    print(json.dumps(results["done_means"], indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
