"""The rules that hold whatever is asked: deadlines, cooldowns, errors, permissions, browsing,
owner commands, sharding, and a coverage that changes under the running bot."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
import simcord

from bot import create_bot
from bot.client import APOLOGY, PRIVATE_REPLY, ShardedCoverageBot
from bot.settings import Settings
from index.ingest.files import slugify
from index.ingest.seeds import write_article
from index.models import Article
from tests.e2e.conftest import World, public_answer

QUESTION = "Is foreign policy personal?"


def _article(n: int) -> Article:
    body = f"Delegation {n} met in Vienna to discuss grain corridor number {n}. Talks went on."
    title = f"Grain corridor talks, round {n}"
    return Article(
        slugify(title, "2022-05-01"),  # as `add` names it (the id is written into the file)
        title,
        "Jane Roe",
        "Wire",
        "2022-05-01",
        None,
        body,
        "",
    )


async def test_every_interaction_is_acknowledged_within_the_deadline(world: World) -> None:
    """The index answers at once, so each reply is the interaction's single response."""
    results = [
        await world.alice.slash(world.channel, "ask", question=QUESTION),
        await world.alice.slash(world.channel, "ask", question="What did Macron say?"),
        await world.alice.slash(world.channel, "articles"),
        await world.alice.slash(world.channel, "help"),
    ]
    assert all(r.acknowledged and r.response is not None for r in results)
    assert _callback_types(world.env) == [4, 4, 4, 4]  # answered, none deferred
    assert not world.env.errors


def _callback_types(env: simcord.Env) -> list[int]:
    return [r.json["type"] for r in env.http_requests if r.path.endswith("/callback") and r.json]


@pytest.fixture
def slow_answers(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers that take 4 s of simulated time: longer than Discord's 3-second window."""
    ask = type(world.bot.get_cog("Ask"))
    reply_to = ask.reply_to

    async def slow(self: Any, question: str, *rest: Any) -> Any:
        await asyncio.sleep(4)
        return await reply_to(self, question, *rest)

    monkeypatch.setattr(ask, "reply_to", slow)


@pytest.mark.usefixtures("slow_answers")
async def test_a_slow_answer_is_deferred_and_arrives_as_the_follow_up(world: World) -> None:
    result = await world.alice.slash(world.channel, "ask", question=QUESTION)
    assert _callback_types(world.env) == [5]  # "thinking…" within the window
    # After a defer, simcord shows the first follow-up that landed as the response.
    assert result.response is not None and not result.ephemeral
    assert "deeply **personal**" in (result.response.embeds[0].description or "")
    assert not world.env.errors


@pytest.mark.usefixtures("slow_answers")
async def test_a_slow_refusal_stays_private(world: World) -> None:
    bob = world.guild.add_member(world.env.create_user("bob"))
    result = await world.alice.slash(world.channel, "ask", question="What did Macron say?")
    assert _callback_types(world.env) == [5]
    [refusal] = result.followups
    assert refusal.ephemeral and "The coverage doesn't say" in refusal.content
    # The public "thinking…" message was completed and removed: others see nothing.
    assert result.response is None
    assert not [m for m in world.channel.history(viewer=bob) if m.author.id == world.bot.user.id]
    edits = [r.json for r in world.env.http_requests if r.method == "PATCH"]
    assert edits and edits[0] is not None and edits[0]["content"] == PRIVATE_REPLY


@pytest.mark.usefixtures("slow_answers")
async def test_without_deferring_a_slow_answer_would_miss_the_window(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: simcord enforces the 3 seconds, so the tests above mean something."""
    monkeypatch.setattr(sys.modules["bot.client"], "DEFER_AFTER", 10)
    result = await world.alice.slash(world.channel, "ask", question=QUESTION)
    assert not result.acknowledged
    assert any("10062" in str(error) for error in world.env.errors)  # Unknown Interaction


@pytest.mark.usefixtures("slow_answers")
async def test_a_500_on_the_answer_follow_up_is_logged_and_the_bot_keeps_serving(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.env.inject_error("POST", "/webhooks/*", status=500, times=1)
    result = await world.alice.slash(world.channel, "ask", question=QUESTION)
    [apology] = result.followups
    assert apology.ephemeral and apology.content == APOLOGY
    [logged] = [r for r in caplog.records if "error in /ask" in r.getMessage()]
    assert logged.exc_info and "500" in str(logged.exc_info[1])
    assert f"guild {world.guild.id}, channel {world.channel.id}" in logged.getMessage()
    # Issue 15: no raw user id is kept, in the log either.
    assert str(world.alice.id) not in caplog.text
    assert world.env.errors  # Discord's 500, handled
    served = await world.alice.slash(world.channel, "ask", question=QUESTION)
    assert served.response is not None and served.response.embeds


@pytest.fixture
def answering_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """For each retrieval, whether an event loop was running in its thread."""
    seen: list[bool] = []
    for module in (sys.modules["bot.client"], sys.modules["bot.views"]):
        original = module.answer_question

        def recording(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            try:
                asyncio.get_running_loop()
                seen.append(True)
            except RuntimeError:
                seen.append(False)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, "answer_question", recording)
    yield seen


async def test_retrieval_runs_off_the_event_loop(
    world: World, answering_threads: list[bool]
) -> None:
    answer = await public_answer(world, QUESTION)
    await world.alice.click(answer.message, label="More from the coverage")
    await world.alice.send(world.channel, f"{world.bot.user.mention} {QUESTION}")
    assert answering_threads == [False, False, False]
    assert threading.main_thread().is_alive()


class TestCooldown:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"cooldown_questions": 2, "cooldown_seconds": 60})

    async def test_slash_questions_are_rate_limited_per_user(self, world: World) -> None:
        for _ in range(2):
            assert not (await world.alice.slash(world.channel, "ask", question=QUESTION)).ephemeral
        limited = await world.alice.slash(world.channel, "ask", question=QUESTION)
        assert limited.ephemeral and limited.response is not None
        assert limited.response.content == "You're asking quickly — try again in 60 s."
        bob = world.guild.add_member(world.env.create_user("bob"))
        assert not (await bob.slash(world.channel, "ask", question=QUESTION)).ephemeral
        await world.env.advance_time(61)
        assert not (await world.alice.slash(world.channel, "ask", question=QUESTION)).ephemeral
        assert world.env.errors  # the cooldown errors, answered by our handler

    async def test_mentions_and_slash_share_one_budget(self, world: World) -> None:
        mention = world.bot.user.mention
        await world.alice.slash(world.channel, "ask", question=QUESTION)
        await world.alice.send(world.channel, f"{mention} {QUESTION}")
        answered = world.channel.last_message
        assert answered is not None and answered.embeds
        await world.env.advance_time(20)
        asked = await world.alice.send(world.channel, f"{mention} {QUESTION}")
        limited = world.channel.last_message
        assert limited is not None and limited.author.id == world.bot.user.id
        assert limited.content == "You're asking quickly — try again in 40 s."
        assert limited.reference is not None and limited.reference.message_id == asked.id
        await world.env.advance_time(41)
        await world.alice.send(world.channel, f"{mention} {QUESTION}")
        assert world.channel.last_message is not None and world.channel.last_message.embeds


async def test_discord_errors_on_responses_are_logged_and_the_bot_keeps_serving(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.env.inject_error("POST", "/interactions/*/*/callback", status=500, times=1)
    first = await world.alice.slash(world.channel, "ask", question=QUESTION)
    assert first.ephemeral and first.response is not None  # the answer failed: an apology
    assert first.response.content == APOLOGY
    world.env.inject_error("POST", "/interactions/*/*/callback", status=500, times=2)
    second = await world.alice.slash(world.channel, "ask", question=QUESTION)
    assert not second.acknowledged  # even the apology failed: only the log knows
    assert any("could not tell the user" in r.getMessage() for r in caplog.records)
    assert world.env.errors  # inspected: Discord's 500s, handled
    served = await world.alice.slash(world.channel, "ask", question=QUESTION)
    assert served.acknowledged and served.response is not None and served.response.embeds


async def test_an_unforeseen_error_gets_a_short_private_apology(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(sys.modules["bot.client"], "answer_question", broken)
    result = await world.alice.slash(world.channel, "ask", question=QUESTION)
    assert result.ephemeral and result.response is not None
    assert result.response.content == APOLOGY
    assert "index exploded" not in result.response.content
    assert any(r.exc_info and "index exploded" in str(r.exc_info[1]) for r in caplog.records)
    assert world.env.errors  # recorded, and answered by our handler


async def test_without_embed_permission_the_answer_is_plain_text(world: World) -> None:
    no_embeds = world.guild.create_text_channel(
        "no-embeds", overwrites={world.bot.user: discord.PermissionOverwrite(embed_links=False)}
    )
    await world.alice.send(no_embeds, f"{world.bot.user.mention} {QUESTION}")
    reply = no_embeds.last_message
    assert reply is not None and reply.author.id == world.bot.user.id
    assert not reply.embeds and "deeply **personal**" in reply.content


async def test_without_send_permission_nothing_crashes_and_the_log_says_so(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    read_only = world.guild.create_text_channel(
        "read-only", overwrites={world.bot.user: discord.PermissionOverwrite(send_messages=False)}
    )
    await world.alice.send(read_only, f"{world.bot.user.mention} {QUESTION}")
    last = read_only.last_message
    assert last is not None and last.author.id != world.bot.user.id
    assert any(
        f"cannot send messages in channel {read_only.id}" in r.getMessage() for r in caplog.records
    )
    assert not world.env.errors


async def test_without_read_history_the_answer_is_sent_without_a_reply(world: World) -> None:
    no_history = world.guild.create_text_channel(
        "no-history",
        overwrites={world.bot.user: discord.PermissionOverwrite(read_message_history=False)},
    )
    await world.alice.send(no_history, f"{world.bot.user.mention} {QUESTION}")
    reply = no_history.last_message
    assert reply is not None and reply.author.id == world.bot.user.id and reply.embeds
    assert reply.reference is None


async def test_a_refused_send_is_logged_and_the_bot_keeps_serving(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.env.inject_error("POST", "/channels/*/messages", status=500, times=1)
    await world.alice.send(world.channel, f"{world.bot.user.mention} {QUESTION}")
    assert any("could not answer in channel" in r.getMessage() for r in caplog.records)
    assert world.channel.last_message is not None
    assert world.channel.last_message.author.id != world.bot.user.id
    await world.alice.send(world.channel, f"{world.bot.user.mention} {QUESTION}")
    assert world.channel.last_message is not None and world.channel.last_message.embeds


class TestListenChannels:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"listen_channels": [1]})

    async def test_mentions_elsewhere_are_ignored(self, world: World) -> None:
        await world.alice.send(world.channel, f"{world.bot.user.mention} {QUESTION}")
        last = world.channel.last_message
        assert last is not None and last.author.id != world.bot.user.id


class TestThreads:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"answer_in_thread": True})

    async def test_answers_go_into_a_thread(self, world: World) -> None:
        await world.alice.send(world.channel, f"{world.bot.user.mention} {QUESTION}")
        [thread] = world.channel.threads
        assert thread.last_message is not None and thread.last_message.embeds


class TestBrowsing:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        for n in range(12):
            write_article(_article(n), settings.seeds_dir)
        return settings

    async def test_articles_pages_for_the_asker_only_even_after_a_restart(
        self, world: World
    ) -> None:
        first = await world.alice.slash(world.channel, "articles")
        assert first.response is not None
        assert "14 articles" in (first.response.embeds[0].title or "")
        assert "Page 1 of 2" in (first.response.embeds[0].footer.text or "")
        turned = await world.alice.click(first.response.message, label="▶")
        assert turned.response is not None
        assert "Page 2 of 2" in (turned.response.embeds[0].footer.text or "")
        bob = world.guild.add_member(world.env.create_user("bob"))
        refused = await bob.click(turned.response.message, label="◀")
        assert refused.ephemeral and refused.response is not None
        assert refused.response.content == "Run `/articles` to page yourself."
        await world.env.restart_bot(create_bot(world.settings))
        back = await world.alice.click(turned.response.message, label="◀")
        assert back.response is not None
        assert "Page 1 of 2" in (back.response.embeds[0].footer.text or "")

    async def test_article_autocomplete_offers_titles_and_validates(self, world: World) -> None:
        choices = await world.alice.autocomplete(world.channel, "article", "article", "grain")
        assert 0 < len(choices) <= 25
        assert all(
            len(c["name"]) <= 100 and c["value"].startswith("2022-05-01-grain") for c in choices
        )
        everything = await world.alice.autocomplete(world.channel, "article", "article", "")
        assert len(everything) == 14
        card = await world.alice.slash(world.channel, "article", article=choices[0]["value"])
        assert card.response is not None and card.response.embeds[0].title.startswith(
            "Grain corridor"
        )
        unknown = await world.alice.slash(world.channel, "article", article="made-up-title")
        assert unknown.ephemeral and unknown.response is not None
        assert "no article" in unknown.response.content.lower()
        assert world.env.errors  # recorded, and answered by our handler


class TestLimits:
    """An article built to overflow every field: long, full of Markdown, mentions, no breaks."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        sentence = "The *grain* corridor_talks went on @everyone <@123456789012345678> ~~and~~ on. "
        body = "\n\n".join(
            [sentence * 40, "grain_corridor*" * 400, "Grain corridor: " + "x" * 5000]
        )
        title = "Grain corridor " + "*talks* " * 60
        write_article(
            Article("big", title, "A" * 300, "B" * 300, "2022-05-02", None, body, ""),
            settings.seeds_dir,
        )
        return settings

    async def test_every_message_fits_discords_limits(self, world: World) -> None:
        result = await world.alice.slash(world.channel, "ask", question="grain corridor")
        assert result.response is not None and not result.ephemeral
        [embed] = result.response.embeds
        assert len(embed.fields) == 2  # quotes of 5,016 and 6,000 characters, cut to fit
        assert all((f.value or "").split("\n")[0].endswith("…") for f in embed.fields)
        long_question = "Grain corridor " + "talks *went* on _and_ on? " * 18
        titled = await world.alice.slash(world.channel, "ask", question=long_question)
        assert titled.response is not None
        assert (titled.response.embeds[0].title or "").endswith("…")
        for label in ("Show in article", "More from the coverage"):
            clicked = await world.alice.click(result.response.message, label=label)
            assert clicked.response is not None
        no_embeds = world.guild.create_text_channel(
            "no-embeds", overwrites={world.bot.user: discord.PermissionOverwrite(embed_links=False)}
        )
        await world.alice.send(no_embeds, f"{world.bot.user.mention} grain corridor")
        assert no_embeds.last_message is not None and no_embeds.last_message.content
        [choice] = await world.alice.autocomplete(world.channel, "article", "article", "grain")
        card = await world.alice.slash(world.channel, "article", article=choice["value"])
        assert card.response is not None and card.response.embeds
        listing = await world.alice.slash(world.channel, "articles")
        assert listing.response is not None and listing.response.embeds
        # simcord rejects what Discord would (400: an embed or content over a limit).
        assert not world.env.errors
        assert sum(1 for r in world.env.http_requests if r.method == "POST") >= 8


async def test_help_explains_with_an_example(world: World) -> None:
    result = await world.alice.slash(world.channel, "help")
    assert result.ephemeral and result.response is not None
    text = " ".join(f.value or "" for f in result.response.embeds[0].fields)
    assert "/ask question:" in text
    for command in world.bot.tree.get_commands():  # every other slash command is explained
        assert command.name == "help" or f"`/{command.name}" in text, command.name


async def test_owner_commands_are_for_owners_only(world: World) -> None:
    mention = world.bot.user.mention
    await world.alice.send(world.channel, f"{mention} sync")
    assert world.channel.last_message is not None
    assert world.channel.last_message.content == "Only the bot's owners can do that."
    assert world.env.errors  # NotOwner, answered above
    world.bot.owner_id, world.bot.owner_ids = None, {world.alice.id}  # as COVERAGE_OWNER_IDS would
    await world.alice.send(world.channel, f"{mention} sync")
    assert "Synced" in (world.channel.last_message.content or "")
    await world.alice.send(world.channel, f"{mention} reindex")
    assert "Rebuilt: 2 articles" in (world.channel.last_message.content or "")


async def test_new_articles_in_the_seeds_folder_are_picked_up_by_reindex(world: World) -> None:
    write_article(_article(1), world.settings.seeds_dir)
    world.bot.owner_id, world.bot.owner_ids = None, {world.alice.id}
    await world.alice.send(world.channel, f"{world.bot.user.mention} reindex")
    result = await world.alice.slash(world.channel, "ask", question="Where did delegation 1 meet?")
    assert result.response is not None and "Vienna" in (result.response.embeds[0].description or "")


class TestPolling:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"watch_seeds": "poll", "poll_seconds": 5})

    async def test_the_running_bot_notices_new_articles(self, world: World) -> None:
        assert len(world.bot.live.current) == 2
        write_article(_article(7), world.settings.seeds_dir)
        await world.env.advance_time(6)
        assert len(world.bot.live.current) == 3


class TestAdd:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"add_role_id": 4242})

    async def test_add_needs_the_role(self, world: World) -> None:
        refused = await world.alice.slash(world.channel, "add", url="https://example.com/news")
        assert refused.ephemeral and refused.response is not None
        assert "Only members with" in refused.response.content
        assert world.env.errors  # recorded, and answered by our handler

    async def test_a_500_on_the_follow_up_is_logged_and_the_bot_keeps_serving(
        self, world: World, caplog: pytest.LogCaptureFixture
    ) -> None:
        editors = world.guild.create_role("Editors")
        editor = world.guild.add_member(world.env.create_user("editor"), roles=[editors])
        world.bot.settings = world.bot.settings.model_copy(update={"add_role_id": editors.id})
        world.env.inject_error("POST", "/webhooks/*", status=500, times=1)
        result = await editor.slash(world.channel, "add", url="ftp://example.com/not-http")
        # After a defer, simcord shows the first follow-up that landed as the response.
        assert result.acknowledged and result.ephemeral and result.response is not None
        assert result.response.content == APOLOGY
        assert any("error in /add" in r.getMessage() for r in caplog.records)
        assert world.env.errors
        again = await editor.slash(world.channel, "add", url="ftp://example.com/not-http")
        assert again.response is not None and "only http and https URLs" in again.response.content

    async def test_a_local_path_is_never_read_and_its_existence_never_shown(
        self, world: World
    ) -> None:
        editors = world.guild.create_role("Editors")
        editor = world.guild.add_member(world.env.create_user("editor"), roles=[editors])
        world.bot.settings = world.bot.settings.model_copy(update={"add_role_id": editors.id})
        seeds = world.bot.live.seeds_dir
        before = sorted(p.name for p in seeds.iterdir())
        page = Path(__file__).resolve().parents[1] / "fixtures" / "pages" / "article.html"
        replies = []
        for typed in (str(page), str(page.with_name("missing.html")), "file:///etc/hostname"):
            result = await editor.slash(world.channel, "add", url=typed)
            assert result.ephemeral and result.response is not None
            replies.append(result.response.content.replace(typed, "<typed>"))
        assert len(set(replies)) == 1 and "only http and https URLs" in replies[0]
        assert sorted(p.name for p in seeds.iterdir()) == before


class TestSharding:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"shard_count": 2})

    @pytest.mark.simcord(shard_count=2)
    async def test_a_sharded_bot_answers_in_every_shard(
        self, simcord_env: simcord.Env, simcord_bot: object
    ) -> None:
        assert isinstance(simcord_bot, ShardedCoverageBot)
        await simcord_bot.tree.sync()
        for shard in (0, 1):
            guild = simcord_env.create_guild(shard_id=shard)
            channel = guild.create_text_channel("general")
            member = guild.add_member(simcord_env.create_user(f"user{shard}"))
            result = await member.slash(channel, "ask", question=QUESTION)
            assert result.response is not None and result.response.embeds


def test_create_bot_reads_settings_and_never_connects(settings: Settings) -> None:
    bot = create_bot(settings)
    assert not bot.is_ready() and bot.live.current.info.articles == 2
    assert bot.allowed_mentions is not None and bot.allowed_mentions.to_dict() == {"parse": []}
    assert not bot.intents.message_content and not bot.intents.members


def test_create_bot_without_settings_reads_the_environment(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env here
    for name, value in {
        "COVERAGE_SEEDS_DIR": settings.seeds_dir,
        "COVERAGE_INDEX_DIR": settings.index_dir,
        "COVERAGE_DATA_DIR": tmp_path / "elsewhere",
        "COVERAGE_WATCH_SEEDS": "off",
        "COVERAGE_SHARD_COUNT": "3",
    }.items():
        monkeypatch.setenv(name, str(value))
    bot = create_bot()
    assert isinstance(bot, ShardedCoverageBot) and bot.shard_count == 3
    assert bot.settings.data_dir == tmp_path / "elsewhere" and not bot.is_ready()
    assert (tmp_path / "elsewhere" / "feedback.sqlite3").exists()
