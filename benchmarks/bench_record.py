"""What putting a question on record adds to an answer (``bot.records``, via ``bot.feedback``).

Three costs, each per question, on a database already holding ``--rows`` questions (90 days
at about 330 a day) and in the same process:

1. An answered question: ``Feedback.record(answer)`` (what the bot did before, for the
   buttons) against ``Feedback.record(answer, asked)`` (the answer and its record in one
   transaction). The difference is what recording adds.
2. A declined question: ``Feedback.record(decline, asked)``, all of it added (a decline was
   not stored before).
3. The hop to the feedback thread and back from the event loop, as the cog makes it
   (``CoverageBot.off_loop_feedback``): a decline pays it only when recorded.

The answers are real ones, from the seed articles. Writes benchmarks/results/record.json.
Run: ``.venv/bin/python benchmarks/bench_record.py [--rows N] [--questions N]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.feedback import Feedback
from bot.records import Asked
from index.answering.answer import answer
from index.models import Answer
from index.storage.bm25 import BM25Params
from index.storage.store import build_index, load

RESULTS = Path(__file__).parent / "results" / "record.json"
SEEDS = Path(__file__).parents[1] / "seeds"
ANSWERED = "Why does the Biden administration keep talking to Putin?"
DECLINED = "What did Macron say about the talks?"


def microseconds(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median": round(statistics.median(ordered) * 1e6, 1),
        "p99": round(ordered[int(0.99 * (len(ordered) - 1))] * 1e6, 1),
    }


def interleaved(calls: dict[str, Callable[[int], object]], times: int) -> dict[str, list[float]]:
    """Seconds per call of each ``call(i)``, taking turns, so a busy moment hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for i in range(times):
        for name, call in calls.items():
            started = time.perf_counter()
            call(i)
            samples[name].append(time.perf_counter() - started)
    return samples


def asked(i: int) -> Asked:
    """The i-th asker: a different person in one of a few channels, a minute apart."""
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
    return Asked(1456074443980800000 + i, 1456074443980800001, 1456074443980800002 + i % 5, at)


def fill(store: Feedback, rows: int, answered: Answer, declined: Answer) -> None:
    for i in range(rows):
        store.record(answered if i % 3 else declined, asked(i))


async def hops(executor: ThreadPoolExecutor, times: int) -> list[float]:
    """Seconds for an empty call on the feedback thread, awaited from the event loop."""
    loop = asyncio.get_running_loop()
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        await loop.run_in_executor(executor, lambda: None)
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000, help="questions already on record")
    parser.add_argument("--questions", type=int, default=2_000, help="questions timed per case")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-record-"))
    try:
        build_index(SEEDS, work / "index", BM25Params())
        coverage = load(work / "index")
        answered, declined = answer(coverage, ANSWERED), answer(coverage, DECLINED)
        assert answered.answered and not declined.answered
        store = Feedback.in_folder(work / "data")
        fill(store, args.rows, answered, declined)
        n, offset = args.questions, args.rows
        samples = interleaved(
            {
                "without": lambda i: store.record(answered),
                "with": lambda i: store.record(answered, asked(offset + 2 * i)),
                "decline": lambda i: store.record(declined, asked(offset + 2 * i + 1)),
            },
            n,
        )
        without, with_record, decline = samples["without"], samples["with"], samples["decline"]
        with ThreadPoolExecutor(1, thread_name_prefix="coverage-feedback") as executor:
            hop = asyncio.run(hops(executor, n))
        report: dict[str, Any] = {
            "rows_on_record": args.rows,
            "questions_timed": n,
            "answered_without_record_us": microseconds(without),
            "answered_with_record_us": microseconds(with_record),
            "added_to_an_answer_us": round(
                (statistics.median(with_record) - statistics.median(without)) * 1e6, 1
            ),
            "declined_recorded_us": microseconds(decline),
            "feedback_thread_hop_us": microseconds(hop),
            "database_bytes": sum(f.stat().st_size for f in (work / "data").iterdir()),
        }
        store.close()
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        print(json.dumps(report, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
