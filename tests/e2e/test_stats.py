"""Questions on record: asked every way in a simulated Discord, read back by /stats and the CLI."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import discord
import pytest
import simcord
from pydantic import SecretStr

from bot import create_bot
from bot.client import CoverageBot
from bot.cogs.feeds import Feeds
from bot.feedback import Feedback
from bot.records import Asked
from bot.settings import Settings
from index.models import Answer
from tests.e2e.conftest import World, emoji_button, public_answer, spy_threads

QUESTION = "Why does the Biden administration keep talking to Putin?"
DECLINED = "What did Macron say about the talks?"
DECLINED_AGAIN = "what did macron say about the talks"  # the same gap, worded a little differently
DM_QUESTION = "Is foreign policy personal?"
FOLLOW_UP = "and Xi Jinping?"
#: Shaped like a bot token; it must never reach the database.
TOKEN = "MTQ1NjA3NDQ0Mzk4MDgwMDAwMA.GabcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
PNG = b"\x89PNG\r\n\x1a\n"
#: Where simcord's clock starts (``discord.utils.utcnow`` and snowflake times follow it).
SIMCORD_START = datetime(2026, 1, 1, tzinfo=UTC)
#: The command line, installed beside this Python.
COVERAGE_BOT = str(Path(sys.executable).with_name("coverage-bot"))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings with a token set, so the privacy scan can look for it."""
    return settings.model_copy(update={"discord_token": SecretStr(TOKEN)})


def moderator(world: World) -> simcord.MemberActor:
    """A member whose role has Manage Server."""
    role = world.guild.create_role("mods", permissions=discord.Permissions(manage_guild=True))
    return world.guild.add_member(world.env.create_user("carol"), roles=[role])


async def ask_every_way(world: World) -> simcord.MemberActor:
    """Slash (answered, declined), a mention (declined), a DM, a follow-up; bob votes 👎.

    Returns bob, who voted.
    """
    answer = await public_answer(world, QUESTION)
    declined = await world.alice.slash(world.channel, "ask", question=DECLINED)
    assert declined.ephemeral
    mention = world.bot.user.mention
    await world.alice.send(world.channel, f"{mention} {DECLINED_AGAIN}")
    await world.alice.send_dm(DM_QUESTION)
    await world.alice.send(world.channel, f"{mention} {FOLLOW_UP}", reply_to=answer.message)
    bob = world.guild.add_member(world.env.create_user("bob"))
    voted = await bob.click(answer.message, custom_id=emoji_button(answer, "👎"))
    assert voted.response is not None and "👎 1" in voted.response.content
    return bob


def _rows(settings: Settings) -> list[tuple[str, int]]:
    with sqlite3.connect(settings.data_dir / "feedback.sqlite3") as db:
        return db.execute("SELECT question, answered FROM questions ORDER BY id").fetchall()


async def test_questions_asked_every_way_show_up_in_stats_with_a_chart(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = spy_threads(monkeypatch, world.bot.feedback, ("record", "recorded"))
    await ask_every_way(world)
    result = await moderator(world).slash(world.channel, "stats")
    # Off the event loop, and never on the index worker, which answers would queue behind.
    assert len(threads) == 6 and all(name.startswith("coverage-feedback") for name in threads)
    assert result.ephemeral and result.response is not None
    [embed] = result.response.embeds
    assert embed.description is not None
    assert embed.description.startswith("5 asked, 3 answered, 2 declined (60% answered)")
    assert "1 👎" in embed.description
    fields = {field.name: field.value or "" for field in embed.fields}
    gaps = fields["Asked but not answered"].splitlines()
    assert gaps[0].startswith(f"• 2× {DECLINED_AGAIN}")
    assert "macron (2)" in fields["Words no article uses"]
    assert (
        QUESTION in fields["Most-downvoted answers"] and "👎 1" in fields["Most-downvoted answers"]
    )
    [chart] = result.response.attachments
    assert chart.filename == "chart.png" and (await chart.read()).startswith(PNG)
    assert embed.image.url == "attachment://chart.png"
    assert not world.env.errors


async def test_the_cli_reads_the_same_records(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    await ask_every_way(world)
    today = world.env.now().date()
    export = tmp_path / "questions.csv"
    command = [COVERAGE_BOT, "stats", "--json", "--days", "7"]
    command += ["--until", today.isoformat(), "--export", str(export)]
    environment = os.environ | {"COVERAGE_DATA_DIR": str(settings.data_dir)}
    done = subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, check=True
    )
    stats = json.loads(done.stdout)
    assert list(stats) == [
        "days", "questions", "answered", "declined", "answer_rate", "votes",
        "top_missing_terms", "unanswered", "top_articles", "by_day",
    ]  # fmt: skip
    assert (stats["days"], stats["questions"], stats["answered"], stats["declined"]) == (7, 5, 3, 2)
    assert stats["answer_rate"] == 0.6 and stats["votes"] == {"up": 0, "down": 1}
    assert stats["unanswered"] == [
        {"question": DECLINED_AGAIN, "count": 2, "last_asked": today.isoformat()}
    ]
    assert stats["top_missing_terms"][0] == ["macron", 2]
    assert stats["top_articles"][0][0] == "2021-12-31-putins-talk-therapy"
    assert len(stats["by_day"]) == 7
    assert stats["by_day"][-1] == {"date": today.isoformat(), "answered": 3, "declined": 2}
    assert "wrote 5 questions" in done.stderr
    lines = export.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("asked_utc,guild_id,channel_id,user_hash,question,answered")
    assert len(lines) == 6 and any(f"{QUESTION} {FOLLOW_UP}" in line for line in lines)


async def test_a_member_without_manage_server_is_refused_privately(world: World) -> None:
    assert "stats" not in world.alice.available_commands(world.channel)  # hidden by default
    # A server can still grant the command to anyone; the command checks again.
    [command] = [c for c in await world.bot.tree.fetch_commands() if c.name == "stats"]
    world.guild.set_command_permissions(command, {world.alice: True})
    result = await world.alice.slash(world.channel, "stats")
    assert result.ephemeral and result.response is not None
    assert "Only members with the Manage Server permission" in result.response.content
    assert not result.response.embeds and not result.response.attachments
    assert world.env.errors  # recorded, and answered by the tree's handler


async def test_no_raw_user_id_or_token_is_stored(world: World, settings: Settings) -> None:
    bob = await ask_every_way(world)
    await moderator(world).slash(world.channel, "stats")
    # A DM channel's id leads back to the person (the API names its recipient): not kept.
    identifying = (world.alice.id, bob.id, world.alice_user.dm_channel.id)
    _assert_nothing_identifying(settings.data_dir, identifying, with_wal=True)
    world.bot.feedback.close()  # the last connection: the log is folded into the database
    _assert_nothing_identifying(settings.data_dir, identifying, with_wal=False)
    salt = settings.data_dir / "user-hash.salt"
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600


def _assert_nothing_identifying(folder: Path, ids: tuple[int, ...], *, with_wal: bool) -> None:
    """The database files hold the questions, but none of ``ids`` and no token."""
    files = sorted(folder.glob("feedback.sqlite3*"))
    assert ("feedback.sqlite3-wal" in {f.name for f in files}) == with_wal
    stored = b"".join(f.read_bytes() for f in files)
    assert DECLINED.encode() in stored  # the scan does see what is stored
    for user in ids:
        assert str(user).encode() not in stored
        assert user.to_bytes(8, "big") not in stored  # how SQLite stores a large integer
    assert TOKEN.encode() not in stored and TOKEN.split(".")[0].encode() not in stored


class TestRecordingOff:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"record_questions": False})

    async def test_nothing_is_recorded_and_answers_keep_their_buttons(
        self, world: World, settings: Settings
    ) -> None:
        await ask_every_way(world)  # the 👎 still works: votes need only the answer
        assert _rows(settings) == []
        result = await moderator(world).slash(world.channel, "stats")
        assert result.response is not None
        assert (result.response.embeds[0].description or "").startswith("0 asked")


class TestOldRecords:
    """``COVERAGE_RECORD_DAYS=11``: a question 20 days old goes at start, one 10 days old a
    couple of days later, by the daily deletion."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"record_days": 11})

    @pytest.fixture
    def simcord_bot(self, settings: Settings) -> CoverageBot:
        store = Feedback.in_folder(settings.data_dir)
        for age, question in ((20, "twenty days ago"), (10, "ten days ago")):
            asked = Asked(1, 2, 3, SIMCORD_START - timedelta(days=age))
            store.record(Answer(question, False, "", (), ()), asked)
        store.close()
        return create_bot(settings)

    @pytest.fixture(autouse=True)
    def no_feed_polls(self, world: World) -> None:
        """Stop the feeds cog's 60-second ticker: simcord runs every tick of the two days
        advanced (2,880 poll rounds on a real thread), which under CPU load overran its
        settle timeout. Only the daily deletion matters here."""
        # Not isinstance: load_extension imports the cog module afresh, a different class.
        feeds = cast(Feeds, world.bot.get_cog("Feeds"))
        feeds.ticker.cancel()

    async def test_old_rows_are_deleted_at_start_and_daily(
        self, world: World, settings: Settings
    ) -> None:
        assert world.env.now() == SIMCORD_START
        assert _rows(settings) == [("ten days ago", 0)]
        await world.env.advance_time(timedelta(days=2).total_seconds())
        assert _rows(settings) == []
