"""/ask, @mentions, DMs and follow-ups, as a member uses them in a simulated Discord."""

from __future__ import annotations

import re

import pytest
import simcord

from bot import create_bot
from bot.settings import Settings
from index.seeds import write_article
from tests.e2e.conftest import World

QUESTION = "Why does the Biden administration keep talking to Putin?"
EVIDENCE = (
    "It is also to calm him enough so that he doesn’t do anything truly crazy on the world stage."
)


def _plain(markdown: str) -> str:
    """Rendered text of an escaped, bolded block quote (what a reader sees)."""
    text = re.sub(r"^> ?", "", markdown, flags=re.MULTILINE).replace("**", "")
    return re.sub(r"\\(.)", r"\1", text).replace("\u200b", "")


def _button(message: simcord.ResponseMessage, emoji: str) -> str:
    for row in message.components:
        for component in row["components"]:
            if (component.get("emoji") or {}).get("name") == emoji:
                return str(component["custom_id"])
    raise AssertionError(f"no {emoji} button")


async def test_ask_answers_publicly_with_a_verbatim_quote_and_its_source(world: World) -> None:
    result = await world.alice.slash(world.channel, "ask", question=QUESTION)
    assert result.acknowledged and not result.deferred and not result.ephemeral
    assert result.response is not None
    [embed] = result.response.embeds
    assert embed.title == QUESTION
    quote_block, source = (embed.description or "").rsplit("\n\n", 1)
    assert EVIDENCE in _plain(quote_block)
    assert "**Putin**" in quote_block and "**keep talking**" in quote_block
    assert source.startswith(
        "[Putin’s Talk Therapy](<https://puck.news/putins-talk-therapy/#:~:text="
    )
    assert "Julia Ioffe · Puck · 2021-12-31" in source
    assert len(embed.fields) == 2 and all((f.name or "").startswith("Also:") for f in embed.fields)
    assert "verbatim" in (embed.footer.text or "")
    [actions, sources] = result.response.components
    labels = [c.get("label") for c in actions["components"]]
    assert labels == ["More from the coverage", "Show in article", None, None]  # then 👍 👎
    links = {c["label"]: c["url"] for c in sources["components"]}
    assert links.keys() == {
        "Putin’s Talk Therapy",
        "What Good Could the Putin/Biden Conversation Really Do?",
    }
    assert links["Putin’s Talk Therapy"].startswith(
        "https://puck.news/putins-talk-therapy/#:~:text="
    )


async def test_when_the_coverage_does_not_say_the_reply_is_private_and_says_why(
    world: World,
) -> None:
    result = await world.alice.slash(
        world.channel, "ask", question="What did Macron say about the talks?"
    )
    assert result.ephemeral and result.response is not None
    content = result.response.content
    assert "The coverage doesn't say" in content and "**Macron**" in content
    assert "Putin’s Talk Therapy" in content  # the closest articles
    assert not result.response.components


@pytest.mark.parametrize("question", ["the of and?", "<@123456789012345678> @everyone", "x" * 600])
async def test_bad_questions_get_a_short_private_reply(world: World, question: str) -> None:
    result = await world.alice.slash(world.channel, "ask", question=question)
    assert result.ephemeral and result.response is not None
    assert len(result.response.content) < 300 and "Traceback" not in result.response.content


async def test_buttons_more_votes_and_show_in_article(world: World) -> None:
    answer = (await world.alice.slash(world.channel, "ask", question=QUESTION)).response
    assert answer is not None
    shown = await world.alice.click(answer.message, label="Show in article")
    assert shown.ephemeral and shown.response is not None
    assert EVIDENCE.replace("’", "’") in _plain(shown.response.embeds[0].description or "")
    assert "**" in (shown.response.embeds[0].description or "")
    more = await world.alice.click(answer.message, label="More from the coverage")
    assert more.ephemeral and more.response is not None
    up = _button(answer, "👍")
    first = await world.alice.click(answer.message, custom_id=up)
    again = await world.alice.click(answer.message, custom_id=up)
    bob = world.guild.add_member(world.env.create_user("bob"))
    down = await bob.click(answer.message, custom_id=_button(answer, "👎"))
    assert first.response is not None and "👍 1 · 👎 0" in first.response.content
    assert again.response is not None and "👍 1 · 👎 0" in again.response.content  # one vote each
    assert down.response is not None and "👍 1 · 👎 1" in down.response.content


async def test_buttons_keep_working_after_a_restart(world: World, settings: Settings) -> None:
    answer = (await world.alice.slash(world.channel, "ask", question=QUESTION)).response
    assert answer is not None
    await world.env.restart_bot(create_bot(settings))
    shown = await world.alice.click(answer.message, label="Show in article")
    voted = await world.alice.click(answer.message, custom_id=_button(answer, "👍"))
    assert shown.response is not None and shown.response.embeds
    assert voted.response is not None and "👍 1" in voted.response.content


async def test_a_removed_source_says_so(world: World, settings: Settings) -> None:
    answer = (await world.alice.slash(world.channel, "ask", question=QUESTION)).response
    assert answer is not None
    (settings.seeds_dir / "ioffe-putins-talk-therapy.txt").unlink()
    world.bot.live.refresh()
    shown = await world.alice.click(answer.message, label="Show in article")
    assert shown.ephemeral and shown.response is not None
    assert "This source is gone" in shown.response.content


async def test_a_mention_is_answered_in_a_reply_and_a_reply_follows_up(world: World) -> None:
    mention = world.bot.user.mention
    asked = await world.alice.send(world.channel, f"{mention} Did Putin call the pope?")
    answer = world.channel.last_message
    assert answer is not None and answer.reference is not None
    assert answer.reference.message_id == asked.id
    assert "the pope; Queen Elizabeth" in _plain(answer.embeds[0].description or "")
    await world.alice.send(world.channel, f"{mention} and Xi Jinping?", reply_to=answer)
    follow_up = world.channel.last_message
    assert follow_up is not None and follow_up.id != answer.id
    assert "Xi Jinping" in _plain(follow_up.embeds[0].description or "")
    assert "Did Putin call the pope?" in (follow_up.embeds[0].title or "")


async def test_messages_without_a_mention_are_left_alone(world: World) -> None:
    await world.alice.send(world.channel, "Did Putin call the pope?")
    last = world.channel.last_message
    assert last is not None and last.author.id != world.bot.user.id


async def test_direct_messages_are_answered(world: World) -> None:
    await world.alice.send_dm("Is foreign policy personal?")
    reply = world.alice_user.dm_channel.last_message
    assert reply is not None and reply.author.id == world.bot.user.id
    assert "deeply personal" in _plain(reply.embeds[0].description or "")


async def test_quoted_mentions_and_markdown_ping_nobody_and_render_as_text(
    world: World, settings: Settings
) -> None:
    from index.models import Article

    body = (
        "Organisers told @everyone at the summit that <@123456789012345678> had **won** the "
        "__negotiation__ prize for diplomacy."
    )
    write_article(
        Article("x", "Prize for diplomacy", None, "Wire", "2022-01-01", None, body, ""),
        settings.seeds_dir,
    )
    world.bot.live.refresh()
    result = await world.alice.slash(
        world.channel, "ask", question="Who won the negotiation prize for diplomacy?"
    )
    assert result.response is not None and not result.ephemeral
    description = result.response.embeds[0].description or ""
    assert "@\u200beveryone" in description and "<@\u200b123456789012345678" in description
    assert "\\*\\*won\\*\\*" in description or "\\*\\***won**\\*\\*" in description
    assert _plain(description.split("\n\n")[0]).startswith("Organisers told @everyone")
    sent = [entry.json for entry in world.env.http_requests if entry.path.endswith("/callback")]
    assert sent and all(body and body["data"]["allowed_mentions"] == {"parse": []} for body in sent)
