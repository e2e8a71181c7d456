"""/summary in a simulated Discord: an article chosen by autocomplete, a topic, the coverage."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import World


def _bullets(description: str) -> list[str]:
    return [line for line in description.splitlines() if line.startswith("• ")]


@pytest.mark.parametrize(("length", "most"), [("short", 3), ("medium", 5), ("long", 8)])
async def test_article_summary_by_autocomplete_at_each_length(
    world: World, length: str, most: int
) -> None:
    [choice] = await world.alice.autocomplete(world.channel, "summary", "article", "talk therapy")
    assert choice["value"] == "2021-12-31-putins-talk-therapy"
    result = await world.alice.slash(
        world.channel, "summary", article=choice["value"], length=length
    )
    assert result.response is not None and not result.ephemeral
    [embed] = result.response.embeds
    assert embed.title == "Summary of “Putin’s Talk Therapy”"
    bullets = _bullets(embed.description or "")
    assert 0 < len(bullets) <= most
    body = world.bot.live.current.body(world.bot.live.current.index_of(choice["value"]) or 0)
    for bullet in bullets:
        text = re.sub(r"\\(.)", r"\1", bullet[2:].rsplit(" [↗](<", 1)[0])
        assert text in body  # verbatim
        assert "[↗](<https://puck.news/putins-talk-therapy/#:~:text=" in bullet


async def test_topic_and_coverage_summaries(world: World) -> None:
    topic = await world.alice.slash(world.channel, "summary", topic="NATO", length="short")
    assert topic.response is not None and topic.response.embeds
    assert (topic.response.embeds[0].title or "").endswith("about NATO")
    whole = await world.alice.slash(world.channel, "summary")
    assert whole.response is not None
    description = whole.response.embeds[0].description or ""
    assert (
        "Putin’s Talk Therapy" in description and "What Good Could" in description
    )  # both articles


async def test_a_topic_the_coverage_does_not_discuss_gets_a_private_reply(world: World) -> None:
    result = await world.alice.slash(world.channel, "summary", topic="football world cup")
    assert result.ephemeral and result.response is not None
    assert "says nothing about football world cup" in result.response.content


async def test_article_and_topic_together_are_refused_politely(world: World) -> None:
    result = await world.alice.slash(
        world.channel, "summary", article="2021-12-31-putins-talk-therapy", topic="NATO"
    )
    assert result.ephemeral and result.response is not None
    assert result.response.content == "Choose an article or a topic, not both."
    assert world.env.errors  # recorded, and answered by our handler
