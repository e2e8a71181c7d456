"""Answers go out whatever happens to the feedback database: damaged at start, or locked."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot import create_bot
from bot.client import CoverageBot
from bot.settings import FEEDS_FILE, Settings
from tests.e2e.conftest import World, emoji_button, public_answer, spy_threads
from tests.markdown import visible
from tests.sqlite_lock import locked

QUESTION = "Why does the Biden administration keep talking to Putin?"
EVIDENCE = (
    "It is also to calm him enough so that he doesn’t do anything truly crazy on the world stage."
)
GARBAGE = b"this is not a database " * 200


def _labels(message: Any) -> list[str | None]:
    """The labels (emoji for the votes) of the buttons in the first row."""
    return [
        c.get("label") or (c.get("emoji") or {}).get("name")
        for c in message.components[0]["components"]
    ]


class TestDamagedAtStart:
    @pytest.fixture
    def simcord_bot(self, settings: Settings) -> CoverageBot:
        settings.data_dir.mkdir(parents=True)
        (settings.data_dir / "feedback.sqlite3").write_bytes(GARBAGE)
        return create_bot(settings)

    async def test_the_bot_starts_moves_the_file_aside_and_keeps_feedback(
        self, world: World, settings: Settings
    ) -> None:
        [aside] = settings.data_dir.glob("feedback.broken-*.sqlite3")
        assert aside.read_bytes() == GARBAGE
        answer = await public_answer(world, QUESTION)
        assert _labels(answer) == ["More from the coverage", "Show in article", "👍", "👎"]
        voted = await world.alice.click(answer.message, custom_id=emoji_button(answer, "👍"))
        assert voted.response is not None and "(👍 1 · 👎 0)" in voted.response.content


async def test_a_lock_held_by_another_process_holds_up_no_answer(
    world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    earlier = await public_answer(world, QUESTION)
    threads = spy_threads(monkeypatch, world.bot.feedback, ("record", "question", "vote"))
    mention = world.bot.user.mention
    with locked(settings.data_dir / "feedback.sqlite3"), caplog.at_level(logging.WARNING):
        answer = await public_answer(world, QUESTION)
        await world.alice.send(
            world.channel, f"{mention} and Xi Jinping?", reply_to=earlier.message
        )
        follow_up = world.channel.last_message
        voted = await world.alice.click(earlier.message, custom_id=emoji_button(earlier, "👍"))
    # The answer, without the buttons that need it on record; the links are still there.
    assert EVIDENCE in visible(answer.embeds[0].description or "", block_quote=True)
    assert _labels(answer) == ["Show in article"] and len(answer.components) == 2
    # A follow-up whose earlier question cannot be read is asked on its own.
    assert follow_up is not None and follow_up.embeds[0].title == "and Xi Jinping?"
    assert voted.ephemeral and voted.response is not None
    assert "can't reach my record of answers" in voted.response.content
    assert "database is locked" in caplog.text
    # Feedback work ran on its own thread: the one index worker never waited on the lock.
    assert threads and all(name.startswith("coverage-feedback") for name in threads)
    assert not world.env.errors


class TestDamagedFeedsAtStart:
    """The feeds list is the operators' own data: never moved aside, but never fatal either."""

    @pytest.fixture
    def simcord_bot(self, settings: Settings) -> CoverageBot:
        settings.data_dir.mkdir(parents=True)
        (settings.data_dir / FEEDS_FILE).write_bytes(GARBAGE)
        return create_bot(settings)

    async def test_the_bot_starts_answers_and_says_the_feeds_are_unreachable(
        self, world: World, settings: Settings
    ) -> None:
        assert await public_answer(world, QUESTION)
        role = world.guild.create_role("Editors")
        editor = world.guild.add_member(world.env.create_user("editor"), roles=[role])
        world.bot.settings = world.bot.settings.model_copy(update={"add_role_id": role.id})
        listed = await editor.slash(world.channel, "feeds list")
        assert listed.ephemeral and listed.response is not None
        assert "can't reach my list of feeds" in listed.response.content
        assert world.env.errors  # recorded, and answered by the bot's error handler
        assert (settings.data_dir / FEEDS_FILE).read_bytes() == GARBAGE
