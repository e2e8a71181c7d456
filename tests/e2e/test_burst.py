"""A burst of questions: every one is answered (timing is measured in benchmarks/, never here)."""

from __future__ import annotations

import asyncio
import json

from tests.conftest import SHARED
from tests.e2e.conftest import World

QUESTIONS = [
    "Is foreign policy personal?",
    "Did Putin call the pope?",
    "What did Macron say about the talks?",
    "Why does the Biden administration keep talking to Putin?",
    "What will Putin demand at some point?",
    "the of and",
]
if (SHARED / "eval" / "dev_qa.jsonl").exists():
    QUESTIONS += [json.loads(line)["q"] for line in (SHARED / "eval" / "dev_qa.jsonl").open()]


async def test_concurrent_questions_through_the_cogs_path_all_get_answers(world: World) -> None:
    cog = world.bot.get_cog("Ask")
    replies = await asyncio.gather(*(cog.reply_to(q) for q in QUESTIONS * 2))  # type: ignore[union-attr]
    assert len(replies) == 2 * len(QUESTIONS)
    assert all(reply.answer.answer for reply in replies)
    assert sum(reply.answer.answered for reply in replies) >= len(QUESTIONS)


async def test_back_to_back_slash_questions_are_all_acknowledged(world: World) -> None:
    members = [world.guild.add_member(world.env.create_user(f"user{i}")) for i in range(5)]
    results = [
        await members[i % 5].slash(world.channel, "ask", question=q)
        for i, q in enumerate(QUESTIONS)
    ]
    assert all(result.acknowledged for result in results)
    assert all(result.response is not None for result in results)
