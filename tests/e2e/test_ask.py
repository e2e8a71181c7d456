"""/ask, @mentions, DMs and follow-ups, as a member uses them in a simulated Discord."""

from __future__ import annotations

import sqlite3

import discord
import pytest
import simcord

from bot import create_bot
from bot.settings import Settings
from index.ingest.seeds import write_article
from index.models import Article
from tests.e2e.conftest import World, emoji_button, public_answer
from tests.markdown import visible

QUESTION = "Why does the Biden administration keep talking to Putin?"
EVERYONE_QUESTION = "Is foreign policy personal?"
EVIDENCE = (
    "It is also to calm him enough so that he doesn’t do anything truly crazy on the world stage."
)


async def test_ask_answers_publicly_with_a_verbatim_quote_and_its_source(world: World) -> None:
    result = await world.alice.slash(world.channel, "ask", question=QUESTION)
    assert result.acknowledged and not result.deferred and not result.ephemeral
    assert result.response is not None
    [embed] = result.response.embeds
    assert embed.title == QUESTION
    quote_block, source = (embed.description or "").rsplit("\n\n", 1)
    assert EVIDENCE in visible(quote_block, block_quote=True)
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


async def test_more_from_the_coverage_shows_the_next_quotes_privately(world: World) -> None:
    answer = await public_answer(world, QUESTION)
    more = await world.alice.click(answer.message, label="More from the coverage")
    assert more.ephemeral and more.response is not None
    [embed] = more.response.embeds
    assert embed.title == QUESTION
    shown = [answer.embeds[0].description or ""] + [f.value or "" for f in answer.embeds[0].fields]
    fourth = visible((embed.description or "").split("\n\n")[0], block_quote=True)
    assert fourth.startswith("Russian forces still haven’t retreated from the border")
    assert all(fourth[:60] not in visible(text, block_quote=True) for text in shown)


async def test_votes_are_stored_once_per_user_with_the_question_and_answer(
    world: World, settings: Settings
) -> None:
    answer = await public_answer(world, QUESTION)
    up, down = emoji_button(answer, "👍"), emoji_button(answer, "👎")
    first = await world.alice.click(answer.message, custom_id=up)
    again = await world.alice.click(answer.message, custom_id=up)
    bob = world.guild.add_member(world.env.create_user("bob"))
    bobs = await bob.click(answer.message, custom_id=down)
    changed = await world.alice.click(answer.message, custom_id=down)
    replies = [r.response.content for r in (first, again, bobs, changed) if r.response]
    assert [r[r.index("(") :] for r in replies] == [
        "(👍 1 · 👎 0)",
        "(👍 1 · 👎 0)",  # the same vote twice counts once
        "(👍 1 · 👎 1)",
        "(👍 0 · 👎 2)",  # voting again changes the vote
    ]
    assert all(r.ephemeral for r in (first, again, bobs, changed))
    with sqlite3.connect(settings.data_dir / "feedback.sqlite3") as db:
        rows = db.execute(
            "SELECT a.question, a.answer, v.user_hash, v.vote FROM votes v "
            "JOIN answers a ON a.id = v.answer_id"
        ).fetchall()
    assert [(q, vote) for q, _, _, vote in rows] == [(QUESTION, -1), (QUESTION, -1)]
    users = {user for _, _, user, _ in rows}  # kept by salted hash, one vote per person
    assert len(users) == 2 and not users & {str(world.alice.id), str(bob.id)}
    assert EVIDENCE in rows[0][1]  # the answer given, as JSON


async def test_show_in_article_gives_the_paragraph_with_the_quote_in_bold(world: World) -> None:
    answer = await public_answer(world, QUESTION)
    shown = await world.alice.click(answer.message, label="Show in article")
    assert shown.ephemeral and shown.response is not None
    [embed] = shown.response.embeds
    before, quote, after = (embed.description or "").split("**")
    assert before.startswith("Even before they’ve begun") and after.startswith(" The source paused")
    assert quote.startswith("The point isn’t to simply humor him") and EVIDENCE in quote
    assert embed.title == "Putin’s Talk Therapy" and "Julia Ioffe" in (embed.footer.text or "")


async def test_buttons_keep_working_after_a_restart(world: World, settings: Settings) -> None:
    answer = await public_answer(world, QUESTION)
    await world.env.restart_bot(create_bot(settings))
    shown = await world.alice.click(answer.message, label="Show in article")
    voted = await world.alice.click(answer.message, custom_id=emoji_button(answer, "👍"))
    more = await world.alice.click(answer.message, label="More from the coverage")
    assert shown.response is not None and EVIDENCE in visible(
        shown.response.embeds[0].description or ""
    )
    assert voted.response is not None and "👍 1" in voted.response.content
    assert more.response is not None and more.response.embeds
    assert not world.env.errors


async def test_a_changed_source_says_so(world: World, settings: Settings) -> None:
    answer = await public_answer(world, QUESTION)
    seed = settings.seeds_dir / "ioffe-putins-talk-therapy.txt"
    seed.write_text(seed.read_text().replace("The point isn’t", "The point is not"))
    world.bot.live.refresh()
    shown = await world.alice.click(answer.message, label="Show in article")
    assert shown.ephemeral and shown.response is not None
    assert "This source is gone" in shown.response.content


async def test_a_removed_source_says_so(world: World, settings: Settings) -> None:
    answer = await public_answer(world, QUESTION)
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
    assert "the pope; Queen Elizabeth" in visible(
        answer.embeds[0].description or "", block_quote=True
    )
    await world.alice.send(world.channel, f"{mention} and Xi Jinping?", reply_to=answer)
    follow_up = world.channel.last_message
    assert follow_up is not None and follow_up.id != answer.id
    assert "Xi Jinping" in visible(follow_up.embeds[0].description or "", block_quote=True)
    assert follow_up.embeds[0].title == "Did Putin call the pope? and Xi Jinping?"
    # A follow-up with enough words of its own stands alone.
    await world.alice.send(world.channel, f"{mention} Is foreign policy personal?", reply_to=answer)
    alone = world.channel.last_message
    assert alone is not None and alone.embeds[0].title == "Is foreign policy personal?"


async def test_a_reply_to_someone_else_is_an_ordinary_question(world: World) -> None:
    mention = world.bot.user.mention
    other = await world.alice.send(world.channel, "Did Putin call the pope?")
    await world.alice.send(world.channel, f"{mention} and Xi Jinping?", reply_to=other)
    reply = world.channel.last_message
    assert reply is not None and reply.author.id == world.bot.user.id
    assert reply.embeds[0].title == "and Xi Jinping?"  # asked alone


async def test_messages_without_a_mention_are_left_alone(world: World) -> None:
    await world.alice.send(world.channel, "Did Putin call the pope?")
    last = world.channel.last_message
    assert last is not None and last.author.id != world.bot.user.id


async def test_direct_messages_are_answered(world: World) -> None:
    await world.alice.send_dm("Is foreign policy personal?")
    reply = world.alice_user.dm_channel.last_message
    assert reply is not None and reply.author.id == world.bot.user.id
    assert "deeply personal" in visible(reply.embeds[0].description or "", block_quote=True)


async def test_quoted_mentions_and_markdown_ping_nobody_and_render_as_text(
    world: World, settings: Settings
) -> None:
    body = (
        "Organisers told @everyone at the summit that <@123456789012345678> had **won** the "
        "__negotiation__ prize for [diplomacy](https://evil.example)."
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
    assert "\\*\\*won\\*\\*" in description  # the stars show as stars
    assert "\\_\\_**negotiation**\\_\\_" in description  # key words bold inside them
    assert "\\[**diplomacy**](https://evil.example)" in description  # no masked link
    assert visible(description.split("\n\n")[0], block_quote=True) == body
    assert not result.response.message.mention_everyone
    assert not result.response.message.mentions and not result.response.message.role_mentions


async def test_a_mention_holding_everyone_pings_nobody(world: World) -> None:
    await world.alice.send(world.channel, f"{world.bot.user.mention} @everyone {EVERYONE_QUESTION}")
    reply = world.channel.last_message
    assert reply is not None and reply.author.id == world.bot.user.id
    assert reply.embeds[0].title == f"@\u200beveryone {EVERYONE_QUESTION}"
    assert not reply.mention_everyone and not reply.mentions


async def test_everything_the_bot_sends_allows_no_mentions(world: World) -> None:
    """Every message the bot creates or edits carries AllowedMentions.none() itself."""
    # The bot's default is none() (test_create_bot_reads_settings_and_never_connects); with
    # a permissive default here, only what each send passes can keep the pings off.
    world.bot.allowed_mentions = discord.AllowedMentions.all()
    mention = world.bot.user.mention
    answer = await public_answer(world, QUESTION)
    for label in ("Show in article", "More from the coverage"):
        await world.alice.click(answer.message, label=label)
    await world.alice.click(answer.message, custom_id=emoji_button(answer, "👍"))
    await world.alice.slash(world.channel, "ask", question="What did Macron say?")
    await world.alice.slash(world.channel, "help")
    await world.alice.slash(world.channel, "summary", topic="NATO")
    await world.alice.slash(world.channel, "summary", topic="football")
    await world.alice.slash(world.channel, "articles")
    await world.alice.slash(world.channel, "article", article="2021-12-31-putins-talk-therapy")
    await world.alice.slash(world.channel, "article", article="no-such-article")
    await world.alice.send(world.channel, f"{mention} {QUESTION}")
    await world.alice.send(
        world.channel, f"{mention} and Xi Jinping?", reply_to=world.channel.last_message
    )
    await world.alice.send_dm(QUESTION)
    await world.alice.send(world.channel, f"{mention} sync")  # not an owner: refused
    assert world.env.errors  # the unknown article and NotOwner, both answered
    sent = [_message_body(r) for r in world.env.http_requests]
    sent = [body for body in sent if body is not None]
    assert len(sent) >= 15
    for body in sent:
        allowed = body.get("allowed_mentions")
        assert allowed is not None and allowed["parse"] == [], body
        assert (
            not allowed.get("users")
            and not allowed.get("roles")
            and not allowed.get("replied_user")
        )


def _message_body(request: simcord.HttpLogEntry) -> dict[str, object] | None:
    """The message a request creates or edits, if it is one."""
    body = request.json
    if not isinstance(body, dict):
        return None
    if request.path.endswith("/callback"):
        data = body.get("data")
        return data if body.get("type") in (4, 7) and isinstance(data, dict) else None
    if request.method in ("POST", "PATCH") and (
        request.path.endswith("/messages")
        or "/messages/" in request.path
        or request.path.startswith("/webhooks/")
    ):
        return body
    return None


async def test_a_question_about_the_coverage_states_the_fact_first(world: World) -> None:
    result = await world.alice.slash(
        world.channel, "ask", question="Who wrote Putin's Talk Therapy?"
    )
    assert result.response is not None and not result.ephemeral
    description = result.response.embeds[0].description or ""
    assert description.startswith("“Putin’s Talk Therapy” was written by Julia Ioffe.")
    assert "> When I first heard" in description  # the article's opening, quoted
