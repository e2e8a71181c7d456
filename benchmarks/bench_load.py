"""A burst of questions against a 100k-passage index, through the bot's own async path.

1. 200 questions arrive at once and go through ``Ask.reply_to`` — the code the cogs use to
   answer off the event loop — while a probe measures how late the event loop wakes up
   (loop lag). Reported: each answer's time from arrival, and lag p50/p99/max; and the
   bot process's CPU time per question (additions included in a burst with them; not the
   answering processes' with ``--processes``), which another program on the machine hardly
   changes (the times from arrival it stretches), so runs on a shared machine compare.
2. 200 ``/ask`` interactions back to back through simcord (which runs one user action at a
   time), each checked to be acknowledged inside Discord's 3-second window.

Questions are answered as the bot's settings say (``COVERAGE_ANSWER_PROCESSES``, by default
``auto``: a process per core from 50,000 passages); ``--processes N`` sets N (0: the bot's one
index thread).

With ``--add N``, N new articles are added during the burst, one after another, the way
``/add`` does it (``Maintainer.add_articles`` off the event loop, then ``live.refresh``); the
last addition is made to merge the delta into a new generation (the costliest kind).
Reported: each addition's time, its refresh, and whether it merged; and the same burst
without additions just before and after, so that a loaded machine's own pace is told apart
from what the additions cost.

The corpus is grown from the shared corpora as in bench_retrieval.py. Writes
benchmarks/results/load.json (load-<passages>.json with ``--add``, with
``-<N>-processes`` before ``.json`` with ``--processes``). Run:
``.venv/bin/python benchmarks/bench_load.py [--passages N] [--add N] [--processes N]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import simcord

sys.path.insert(0, str(Path(__file__).parent))
from bench_retrieval import _variant, base_articles, grow, questions

from bot import create_bot
from bot.client import CoverageBot
from bot.settings import Settings
from index.models import Article
from index.storage.store import CURRENT

RESULTS = Path(__file__).parent / "results" / "load.json"
BURST = 200
PROBE_SECONDS = 0.005


async def adding(bot: CoverageBot, articles: list[Article]) -> list[dict[str, Any]]:
    """Add ``articles`` one at a time as ``/add`` does; the last one merges the delta (in the
    background from 200k passages: then the burst waits for it, and its time is reported)."""
    maintainer = bot.live.maintainer
    done = []
    for n, article in enumerate(articles):
        if n == len(articles) - 1:
            maintainer.merge_passages = 0
        started = time.perf_counter()
        report = await asyncio.to_thread(maintainer.add_articles, [article])
        added = time.perf_counter()
        await asyncio.to_thread(bot.live.refresh)
        segments = (maintainer.index_dir / CURRENT).read_text().split()
        done.append(
            {
                "added": len(report.added),
                "add_s": round(added - started, 3),
                "refresh_s": round(time.perf_counter() - added, 3),
                "merged": len(segments) == 1,
                "merging_in_background": maintainer.merging is not None
                and maintainer.merging.poll() is None,
            }
        )
    if articles and maintainer.merging is not None:
        started = time.perf_counter()
        await asyncio.to_thread(maintainer.merging.wait)
        done.append({"background_merge_done_s": round(time.perf_counter() - started, 3)})
    return done


async def burst(
    bot: CoverageBot, asked: list[str], new: list[Article] | None = None
) -> dict[str, Any]:
    """All questions at once through the cog's path, with a loop-lag probe running."""
    cog = bot.get_cog("Ask")
    assert cog is not None
    lags: list[float] = []
    stop = asyncio.Event()

    async def probe() -> None:
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(PROBE_SECONDS)
            lags.append(time.perf_counter() - before - PROBE_SECONDS)

    async def one(question: str, arrived: float) -> float:
        await cog.reply_to(question)  # type: ignore[attr-defined]
        return time.perf_counter() - arrived

    prober = asyncio.create_task(probe())
    arrived, cpu = time.perf_counter(), time.process_time()
    adder = asyncio.create_task(adding(bot, new or []))
    done = await asyncio.gather(*(one(q, arrived) for q in asked))
    cpu = time.process_time() - cpu
    stop.set()
    await prober
    additions = await adder
    lag_ms = sorted(x * 1000 for x in lags)
    return {
        "additions": additions,
        "questions": len(done),
        "answered_within_3s": sum(d <= 3.0 for d in done),
        "slowest_s": round(max(done), 3),
        "median_s": round(statistics.median(done), 3),
        "cpu_ms_per_question": round(1000 * cpu / len(done), 1),
        "loop_lag_ms": {
            "p50": round(statistics.median(lag_ms), 2),
            "p99": round(lag_ms[int(0.99 * (len(lag_ms) - 1))], 2),
            "max": round(lag_ms[-1], 2),
        },
    }


async def through_simcord(bot: CoverageBot, asked: list[str]) -> dict[str, Any]:
    """``/ask`` after ``/ask``, as members would, each acknowledged in time or not."""
    acknowledged = 0
    started = time.perf_counter()
    async with simcord.run(bot) as env:
        await bot.tree.sync()
        guild = env.create_guild()
        channel = guild.create_text_channel("general")
        members = [guild.add_member(env.create_user(f"user{i}")) for i in range(20)]
        for i, question in enumerate(asked):
            result = await members[i % len(members)].slash(channel, "ask", question=question[:500])
            acknowledged += result.acknowledged
        handled = len(env.errors)  # refusals the bot's handler answered (inspected, so not raised)
    return {
        "interactions": len(asked),
        "acknowledged": acknowledged,
        "handled_errors": handled,
        "wall_s": round(time.perf_counter() - started, 2),
    }


async def run(settings: Settings, asked: list[str], new: list[Article]) -> dict[str, Any]:
    bot = create_bot(settings)
    async with bot:
        await bot.start_answerers()  # what setup_hook does at login
        await bot.load_extension("bot.cogs.ask")
        result: dict[str, Any] = {
            "answer_processes": bot.answerers.processes if bot.answerers else 0
        }
        if new:  # the same burst without additions, before and after: the machine's own pace
            result["burst_before"] = await burst(bot, asked)
            result["burst"] = await burst(bot, asked, new)
            result["burst_after"] = await burst(bot, asked)
        else:
            result["burst"] = await burst(bot, asked)
    if not new:
        result["simcord"] = await through_simcord(create_bot(settings), asked)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--add", type=int, default=0, help="articles added during the burst")
    parser.add_argument(
        "--processes", type=int, default=None, help="answering processes (default: the bot's)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        articles = grow(base_articles(), args.passages)
        (work / "seeds").mkdir()
        with (work / "seeds" / "archive.jsonl").open("w", encoding="utf-8") as handle:
            for a in articles:
                record = {
                    "title": a.title,
                    "url": a.url,
                    "date": a.published,
                    "outlet": a.outlet,
                    "body": a.body,
                }
                handle.write(json.dumps(record) + "\n")
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            seeds_dir=work / "seeds",
            index_dir=work / "index",
            data_dir=work / "data",
            watch_seeds="off",
            cooldown_questions=100,
        )
        if args.processes is not None:
            settings.answer_processes = args.processes
        asked = questions(articles)[:BURST]
        new = [_variant(a, 10_000 + n) for n, a in enumerate(articles[: args.add])]
        started = time.perf_counter()
        create_bot(settings)  # builds the index, as the bot's start does
        built_s = round(time.perf_counter() - started, 1)
        result = asyncio.run(run(settings, asked, new))
        info = create_bot(settings).live.current.info
        report = {
            "passages": info.passages,
            "articles": info.articles,
            "build_s": built_s,
            **result,
        }
        name = f"load-{args.passages}" if args.add else "load"
        name += f"-{args.processes}-processes" if args.processes else ""
        out = RESULTS.with_name(f"{name}.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n")
        print(json.dumps(report, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
