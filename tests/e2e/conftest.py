"""A real CoverageBot over a copy of the seed index, running against simcord's simulated Discord."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import simcord

from bot import create_bot
from bot.client import CoverageBot
from bot.settings import Settings


@dataclass
class World:
    """The running bot and the Discord around it: one guild, one channel, one member."""

    env: simcord.Env
    bot: CoverageBot
    settings: Settings
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    alice: simcord.MemberActor
    alice_user: simcord.UserHandle


@pytest.fixture
def settings(seed_index_dir: Path, tmp_path: Path) -> Settings:
    """Settings over a private copy of the seeds and index; no developer .env is read."""
    shutil.copytree(seed_index_dir / "seeds", tmp_path / "seeds")
    shutil.copytree(seed_index_dir / "index", tmp_path / "index")
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        seeds_dir=tmp_path / "seeds",
        index_dir=tmp_path / "index",
        data_dir=tmp_path / "data",
        watch_seeds="off",
        cooldown_questions=50,
        cooldown_seconds=60,
    )


@pytest.fixture
def simcord_bot(settings: Settings) -> CoverageBot:
    """The bot under test, for simcord's ``simcord_env`` fixture."""
    return create_bot(settings)


@pytest.fixture
async def world(simcord_env: simcord.Env, simcord_bot: CoverageBot, settings: Settings) -> World:
    """The bot synced and ready, with a guild, a channel and a member to act as."""
    await simcord_bot.tree.sync()
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    user = simcord_env.create_user("alice")
    alice = guild.add_member(user)
    return World(simcord_env, simcord_bot, settings, guild, channel, alice, user)


async def public_answer(world: World, question: str) -> simcord.ResponseMessage:
    """Ask as alice; the bot's public answer."""
    result = await world.alice.slash(world.channel, "ask", question=question)
    assert result.response is not None and not result.ephemeral
    return result.response


def emoji_button(message: simcord.ResponseMessage, emoji: str) -> str:
    """The custom id of the button showing ``emoji`` (the votes have no label to click by)."""
    for row in message.components:
        for component in row["components"]:
            if (component.get("emoji") or {}).get("name") == emoji:
                return str(component["custom_id"])
    raise AssertionError(f"no {emoji} button")


def spy_threads(
    monkeypatch: pytest.MonkeyPatch, target: object, names: tuple[str, ...]
) -> list[str]:
    """Threads that ran each call of ``target``'s methods ``names``, in order."""
    threads: list[str] = []
    for name in names:
        original: Callable[..., Any] = getattr(target, name)

        def spy(*args: Any, _original: Callable[..., Any] = original) -> Any:
            threads.append(threading.current_thread().name)
            return _original(*args)

        monkeypatch.setattr(target, name, spy)
    return threads
