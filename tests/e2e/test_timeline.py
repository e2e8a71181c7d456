"""/timeline and /ask since:/until: in a simulated Discord, over a small generated story."""

from __future__ import annotations

import json
import shutil

import pytest

from bot import create_bot
from bot.settings import Settings
from tests.e2e.conftest import World
from tests.timeline_coverage import CALL, FREEZE, HALT, write_coverage


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The story (and ten inspections, for a second page) instead of the seeds."""
    shutil.rmtree(settings.seeds_dir)
    write_coverage(settings.seeds_dir, extra=10)
    return settings


async def test_a_long_timeline_is_paged_with_dates_in_bold_and_a_chart(world: World) -> None:
    result = await world.alice.slash(world.channel, "timeline", topic="pipeline")
    assert result.response is not None and not result.ephemeral
    [embed] = result.response.embeds
    assert embed.title == "Timeline: pipeline"
    assert "Page 1 of 2" in (embed.footer.text or "")
    description = embed.description or ""
    lines = [line for line in description.split("\n\n") if line.startswith("**")]
    assert len(lines) == 8
    assert [line[2:12] for line in lines[:3]] == [d.isoformat() for d in (CALL, HALT, FREEZE)]
    assert all("[↗](<https://" in line for line in lines)
    [chart] = result.response.attachments
    assert chart.filename == "timeline.png"
    assert (await chart.read()).startswith(b"\x89PNG")

    turned = await world.alice.click(result.response.message, label="▶")
    assert turned.response is not None
    assert "Page 2 of 2" in (turned.response.embeds[0].footer.text or "")
    bob = world.guild.add_member(world.env.create_user("bob"))
    refused = await bob.click(turned.response.message, label="◀")
    assert refused.ephemeral and refused.response is not None
    assert refused.response.content == "Run `/timeline` to page yourself."
    await world.env.restart_bot(create_bot(world.settings))
    back = await world.alice.click(turned.response.message, label="◀")
    assert back.response is not None
    assert "Page 1 of 2" in (back.response.embeds[0].footer.text or "")


async def test_other_sources_of_an_event_are_shown_privately(world: World) -> None:
    result = await world.alice.slash(world.channel, "timeline", topic="pipeline")
    assert result.response is not None
    sources = await world.alice.click(result.response.message, label="Other sources")
    assert sources.ephemeral and sources.response is not None
    description = sources.response.embeds[0].description or ""
    assert "whitehouse.gov" in description and "kremlin.ru" in description


async def test_a_timeline_within_a_month_has_no_chart_and_no_pager(world: World) -> None:
    result = await world.alice.slash(
        world.channel, "timeline", topic="pipeline", since="2022-01-01", until="2022-02-28"
    )
    assert result.response is not None and not result.ephemeral
    description = result.response.embeds[0].description or ""
    assert description.startswith(f"**{CALL.isoformat()}**")
    assert f"**{HALT.isoformat()}**" in description and FREEZE.isoformat() not in description
    assert result.response.attachments == []
    labels = [c.get("label") for row in result.response.components for c in row["components"]]
    assert labels == ["Other sources"]  # the Kremlin's account of the call; no pages to turn


async def test_a_topic_the_coverage_does_not_discuss_is_declined_privately(world: World) -> None:
    result = await world.alice.slash(world.channel, "timeline", topic="sourdough baking")
    assert result.ephemeral and result.response is not None
    assert "doesn't say" in result.response.content and "**sourdough**" in result.response.content


async def test_a_period_without_the_topic_is_declined_privately(world: World) -> None:
    result = await world.alice.slash(
        world.channel, "timeline", topic="pipeline", until="2021-12-31"
    )
    assert result.ephemeral and result.response is not None
    assert result.response.content == (
        "**The coverage doesn't say.** No sentence is about pipeline in that period. "
        "Try a wider one, or `/articles` to see what the coverage holds."
    )


async def test_a_date_that_is_not_one_is_explained(world: World) -> None:
    result = await world.alice.slash(world.channel, "timeline", topic="pipeline", since="March")
    assert result.ephemeral and result.response is not None
    assert result.response.content == "`since:` takes a date like 2022-02-12, not “March”."
    assert world.env.errors  # recorded, and answered by our handler


async def test_ask_since_until_answers_from_that_period(world: World) -> None:
    result = await world.alice.slash(
        world.channel, "ask", question="What happened to the pipeline?", since="2022-03-01"
    )
    assert result.response is not None
    [embed] = result.response.embeds
    assert "2022-01" not in (embed.description or "") and "2022-02" not in (embed.description or "")
    assert "2022-03-17" in (embed.description or "")


async def test_an_article_dated_at_the_calendars_start_still_gets_a_timeline(
    world: World,
) -> None:
    """Go's zero time (0001-01-01) in an export: a weekly chart across 2,000 years cannot be
    drawn (matplotlib refuses the dates), so such a span is listed without one."""
    body = "The pipeline was first planned, officials said, long before anyone recalls."
    record = {"title": "Undated export", "date": "0001-01-01T00:00:00Z", "body": body}
    (world.settings.seeds_dir / "export.jsonl").write_text(json.dumps(record) + "\n")
    world.bot.live.refresh()
    result = await world.alice.slash(world.channel, "timeline", topic="pipeline")
    assert result.response is not None and not result.ephemeral
    [embed] = result.response.embeds
    assert "**0001-01-01**" in (embed.description or "")
    assert not result.response.attachments
