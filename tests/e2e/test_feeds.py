"""``/feeds add|list|remove`` for members with the add role, and announcements after a poll."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

import pytest
import simcord

from bot.settings import Settings
from tests.e2e.conftest import World, spy_threads
from tests.feedserver import FeedServer, atom, page

if TYPE_CHECKING:
    from bot.cogs.feeds import Feeds

HTML = "text/html; charset=utf-8"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"allow_private_urls": True, "fetch_timeout": 2.0})


@pytest.fixture
def server() -> Iterator[FeedServer]:
    yield from FeedServer().run()


def editor(world: World) -> simcord.MemberActor:
    """A member with the add role (the setting now names it)."""
    editors = world.guild.create_role("Editors")
    member = world.guild.add_member(world.env.create_user("editor"), roles=[editors])
    world.bot.settings = world.bot.settings.model_copy(update={"add_role_id": editors.id})
    return member


def cog(world: World) -> Feeds:
    """The loaded cog (discord.py loads the extension as a module object of its own)."""
    feeds = world.bot.get_cog("Feeds")
    assert feeds is not None
    return cast("Feeds", feeds)


async def reply(member: simcord.MemberActor, world: World, command: str, **options: object) -> str:
    result = await member.slash(world.channel, command, **options)
    assert result.ephemeral and result.response is not None
    return result.response.content


def serve_harbour(server: FeedServer, titles: list[str]) -> str:
    entries = []
    for n, title in enumerate(titles, start=1):
        link = server.serve(
            f"/{n}.html", page(title, f"harbour tax {n}", "Sam Oak", "2026-09-01"), HTML
        )
        entries.append(
            {
                "title": title,
                "link": link,
                "id": f"urn:{n}",
                "date": "2026-09-01T00:00:00Z",
                "author": "Sam Oak",
            }
        )
    return server.serve("/atom.xml", atom(entries), "application/atom+xml")


async def test_feeds_add_list_and_remove_with_the_role(world: World) -> None:
    member = editor(world)
    added = await reply(
        member, world, "feeds add", url="https://news.example.com/rss", every=15, name="news"
    )
    assert added.startswith("Following **news** (<https://news.example.com/rss>) every 15 minutes")
    again = await reply(member, world, "feeds add", url="https://news.example.com/rss")
    assert again == "Not followed: https://news.example.com/rss is already followed as news"
    listed = await reply(member, world, "feeds list")
    assert listed == "**news** <https://news.example.com/rss>\nevery 15 min, not polled yet"
    choices = await member.autocomplete(world.channel, "feeds remove", "feed", "ne")
    assert [choice["value"] for choice in choices] == ["news"]
    removed = await reply(member, world, "feeds remove", feed="news")
    assert removed == "Stopped following **news** (<https://news.example.com/rss>)."
    assert "No feeds are followed yet" in await reply(member, world, "feeds list")
    unknown = await reply(member, world, "feeds remove", feed="news")
    assert unknown == "Nothing removed: no feed news is followed"
    assert world.env.errors  # the refusals, answered by the tree's handler


async def test_feeds_commands_need_the_role(world: World) -> None:
    editor(world)  # the role exists; alice does not have it
    for command, options in (
        ("feeds add", {"url": "https://news.example.com/rss"}),
        ("feeds list", {}),
        ("feeds remove", {"feed": "news"}),
    ):
        refused = await reply(world.alice, world, command, **options)
        assert refused.startswith("Only members with the <@&"), command
    assert await world.alice.autocomplete(world.channel, "feeds remove", "feed", "") == []
    assert cog(world).poller.store.feeds() == []
    assert world.env.errors


async def test_feeds_are_off_without_an_add_role(world: World) -> None:
    refused = await reply(world.alice, world, "feeds list")
    assert refused == "Following feeds from Discord is turned off on this bot."
    assert world.env.errors


async def test_a_poll_that_brings_articles_is_announced_once(
    world: World, server: FeedServer
) -> None:
    world.bot.settings = world.bot.settings.model_copy(
        update={"announce_channel": world.channel.id}
    )
    feeds = cog(world)
    assert feeds.ticker.is_running()
    url = serve_harbour(server, ["Harbour ~~tax~~ vote_2", "@everyone look [here]"])
    feeds.poller.store.add(url, name="harbour")
    before = len(world.bot.live.current)
    await feeds.poll_feeds()
    assert len(world.bot.live.current) == before + 2  # served at once, no rebuild wait
    message = world.channel.last_message
    assert message is not None and message.author.id == world.bot.user.id
    assert message.content == (
        "**2 new articles in the coverage**\n"
        f"• [Harbour \\~\\~tax\\~\\~ vote\\_2](<{server.url('/1.html')}>)\n"
        f"• [@\u200beveryone look \\[here\\]](<{server.url('/2.html')}>)"
    )
    sent = world.env.http_requests[-1].json
    assert isinstance(sent, dict) and sent["allowed_mentions"]["parse"] == []
    count = len(world.channel.history())
    await feeds.poll_feeds()  # nothing due, nothing new: no message
    assert len(world.channel.history()) == count


async def test_a_poll_without_an_announce_channel_says_nothing(
    world: World, server: FeedServer
) -> None:
    feeds = cog(world)
    feeds.poller.store.add(serve_harbour(server, ["Harbour tax vote"]), name="harbour")
    await feeds.poll_feeds()
    assert world.channel.history() == []
    assert len(world.bot.live.current) == 3


async def test_an_announce_channel_that_is_gone_is_logged_and_polling_goes_on(
    world: World, server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    world.bot.settings = world.bot.settings.model_copy(update={"announce_channel": 4242})
    feeds = cog(world)
    feeds.poller.store.add(serve_harbour(server, ["Harbour tax vote"]), name="harbour")
    await feeds.poll_feeds()
    assert len(world.bot.live.current) == 3
    assert any("could not announce new articles in 4242" in r.getMessage() for r in caplog.records)


async def test_the_commands_never_wait_behind_a_poll_round(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A round fetches feeds for as long as their servers take; Discord allows 3 seconds."""
    member = editor(world)
    feeds = cog(world)
    store = spy_threads(monkeypatch, feeds.poller.store, ("add", "feeds", "remove"))
    rounds = spy_threads(monkeypatch, feeds, ("_poll_round",))
    await reply(member, world, "feeds add", url="https://news.example.com/rss", name="news")
    await reply(member, world, "feeds list")
    await member.autocomplete(world.channel, "feeds remove", "feed", "ne")
    await reply(member, world, "feeds remove", feed="news")
    await feeds.poll_feeds()
    assert len(store) == 4 and all(name.startswith("coverage-feeds-store") for name in store)
    assert rounds and all(name.startswith("coverage-feeds-poll") for name in rounds)
