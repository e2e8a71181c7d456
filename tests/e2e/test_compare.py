"""/compare in a simulated Discord: autocompleted sources, one embed, swap buttons, refusals."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot import create_bot
from bot.errors import FeedbackUnavailableError
from bot.settings import Settings
from tests.e2e.conftest import World
from tests.readouts import KREMLIN, WHITE_HOUSE, write_readouts

DEC30 = "December 30 2021 call between Biden and Putin"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The seed coverage plus the readouts of tests/readouts.py."""
    write_readouts(settings.seeds_dir)
    return settings


def _labels(components: list[dict[str, Any]]) -> list[str]:
    return [item.get("label", "") for row in components for item in row["components"]]


async def test_compare_two_autocompleted_sources_in_one_embed(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "compare", "source_a", "white")
    assert [c["value"] for c in choices] == [WHITE_HOUSE]
    assert choices[0]["name"] == f"{WHITE_HOUSE} (3 articles)"
    result = await world.alice.slash(
        world.channel, "compare", topic=DEC30, source_a=choices[0]["value"], source_b="kremlin"
    )
    assert result.response is not None and not result.ephemeral
    [embed] = result.response.embeds
    assert embed.title == f"How the sources tell it: {DEC30}"
    names = [field.name for field in embed.fields]
    assert names == [f"{WHITE_HOUSE} · 1 article", f"{KREMLIN} · 1 article", "Only in one account"]
    white_house, kremlin, only_in = (field.value or "" for field in embed.fields)
    assert white_house.startswith("> ") and "[↗](<https://www.whitehouse.gov/" in white_house
    assert "December 7" not in kremlin and "New Year greetings" in kremlin
    assert f"Only {KREMLIN} mentions “" in only_in
    assert _labels(result.response.components) == [f"Swap {WHITE_HOUSE}", f"Swap {KREMLIN}"]


async def test_a_swap_button_brings_the_next_source_for_the_asker_even_after_a_restart(
    world: World,
) -> None:
    first = await world.alice.slash(
        world.channel,
        "compare",
        topic="Putin Biden call",
        source_a="whitehouse",
        source_b="kremlin",
    )
    assert first.response is not None
    swapped = await world.alice.click(first.response.message, label=f"Swap {KREMLIN}")
    assert swapped.response is not None and not swapped.ephemeral
    fields = [field.name or "" for field in swapped.response.embeds[0].fields]
    assert fields[0].startswith(WHITE_HOUSE) and not fields[1].startswith(KREMLIN)
    replaced = fields[1].split(" · ")[0]
    assert _labels(swapped.response.components) == [f"Swap {WHITE_HOUSE}", f"Swap {replaced}"]
    bob = world.guild.add_member(world.env.create_user("bob"))
    refused = await bob.click(swapped.response.message, label=f"Swap {WHITE_HOUSE}")
    assert refused.ephemeral and refused.response is not None
    assert refused.response.content == "Run `/compare` to compare sources yourself."
    await world.env.restart_bot(create_bot(world.settings))
    again = await world.alice.click(swapped.response.message, label=f"Swap {replaced}")
    assert again.response is not None
    names = [field.name or "" for field in again.response.embeds[0].fields]
    assert names[0].startswith(WHITE_HOUSE) and not names[1].startswith(replaced)


async def test_single_source_declined_and_unknown_sources(world: World) -> None:
    single = await world.alice.slash(world.channel, "compare", topic="Olympic torch relay")
    assert single.response is not None and not single.ephemeral
    assert single.response.embeds[0].description == "Only The Moscow Times covers this topic."
    declined = await world.alice.slash(world.channel, "compare", topic="football world cup")
    assert declined.ephemeral and declined.response is not None
    assert "no article mentions “football”" in declined.response.content
    unknown = await world.alice.slash(world.channel, "compare", topic=DEC30, source_a="Fox News")
    assert unknown.ephemeral and unknown.response is not None
    assert unknown.response.content.startswith("No outlet matches “Fox News”")
    assert world.env.errors  # recorded, and answered by our handler


async def test_without_the_feedback_store_the_comparison_goes_out_without_buttons(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(answer: object) -> str:
        raise FeedbackUnavailableError()

    monkeypatch.setattr(world.bot.feedback, "record", unavailable)
    result = await world.alice.slash(world.channel, "compare", topic=DEC30)
    assert result.response is not None and not result.ephemeral
    assert result.response.embeds and not result.response.components


async def test_a_swap_for_a_forgotten_comparison_says_the_source_is_gone(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await world.alice.slash(world.channel, "compare", topic=DEC30, source_a="whitehouse")
    assert first.response is not None
    monkeypatch.setattr(world.bot.feedback, "question", lambda key: None)  # e.g. a new database
    gone = await world.alice.click(first.response.message, label=f"Swap {WHITE_HOUSE}")
    assert gone.ephemeral and gone.response is not None
    assert gone.response.content.startswith("This source is gone")


async def test_a_slow_swap_is_deferred_and_then_edits_the_comparison(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two comparisons of 2 s (simulated) each: past Discord's 3 seconds without a deferral."""
    first = await world.alice.slash(
        world.channel, "compare", topic=DEC30, source_a="whitehouse", source_b="kremlin"
    )
    assert first.response is not None
    off_loop = world.bot.off_loop

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(2)
        return await off_loop(*args, **kwargs)

    monkeypatch.setattr(world.bot, "off_loop", slow)
    swapped = await world.alice.click(first.response.message, label=f"Swap {KREMLIN}")
    assert swapped.acknowledged and not world.env.errors
    callbacks = [r.json for r in world.env.http_requests if r.path.endswith("/callback")]
    assert callbacks[-1] == {"type": 6}  # a deferred update: no "thinking…" message
    assert swapped.response is not None and not swapped.ephemeral
    names = [field.name or "" for field in swapped.response.embeds[0].fields]
    assert names[0].startswith(WHITE_HOUSE) and not names[1].startswith(KREMLIN)
