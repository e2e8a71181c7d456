"""/ask answered on answering processes (``COVERAGE_ANSWER_PROCESSES``), as members use it."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from typing import Any

import pytest

from bot.settings import Settings
from index.answering.answer import answer
from tests.e2e.conftest import World, public_answer
from tests.markdown import visible

#: Seconds new answering processes may take to start (imports, the index) on a loaded machine.
START_SECONDS = 120
QUESTION = "Why does the Biden administration keep talking to Putin?"
EVIDENCE = (
    "It is also to calm him enough so that he doesn’t do anything truly crazy on the world stage."
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with one answering process."""
    return settings.model_copy(update={"answer_processes": 1})


@pytest.fixture
def answered_here(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Questions the bot answered on its own index thread rather than on a process."""
    asked: list[str] = []
    original = world.bot.off_loop

    async def spy(function: Any, /, *args: Any, **kwargs: Any) -> Any:
        if function is answer:
            asked.append(args[1])
        return await original(function, *args, **kwargs)

    monkeypatch.setattr(world.bot, "off_loop", spy)
    return asked


def _kill_answerers() -> None:
    """SIGKILL every answering process, as the out-of-memory killer would, and reap it."""
    children = multiprocessing.active_children()
    assert children, "no answering process to kill"
    for child in children:
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()


async def test_answers_come_from_an_answering_process(
    world: World, answered_here: list[str]
) -> None:
    [embed] = (await public_answer(world, QUESTION)).embeds
    assert EVIDENCE in visible(embed.description or "", block_quote=True)
    assert answered_here == []


async def test_a_killed_answering_process_costs_no_answer(
    world: World, answered_here: list[str]
) -> None:
    await public_answer(world, QUESTION)
    _kill_answerers()
    [embed] = (await public_answer(world, QUESTION)).embeds
    assert EVIDENCE in visible(embed.description or "", block_quote=True)
    assert answered_here == [QUESTION]  # answered here while the processes were replaced
    assert world.bot.answerers is not None
    await asyncio.to_thread(world.bot.answerers.wait_ready, START_SECONDS)
    [embed] = (await public_answer(world, QUESTION)).embeds
    assert EVIDENCE in visible(embed.description or "", block_quote=True)
    assert answered_here == [QUESTION]  # and the new process answers the next one
