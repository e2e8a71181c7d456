"""Following feeds from Discord: ``/feeds add|list|remove`` and the polling schedule.

The commands are for members with the add role (``COVERAGE_ADD_ROLE_ID``, as ``/add``) and
answer privately. Every ``CHECK_SECONDS`` the bot polls the feeds that are due, on its own
thread (network waits never block the event loop, nor the index worker answering
questions, nor the commands' store calls, which have a thread of their own). With several
bot processes only the one holding the poll lock polls; the others skip the round and pick
the new articles up from the seeds folder. A round that brought articles is announced in
``COVERAGE_ANNOUNCE_CHANNEL`` when it is set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import render
from bot.client import NO_MENTIONS, CoverageBot, respond, run_on, within_deadline
from bot.cogs.admin import has_add_role, require_add_role
from bot.errors import CoverageError
from index.ingest.feedstore import (
    DEFAULT_EVERY,
    MAX_EVERY,
    MIN_EVERY,
    FeedDatabaseError,
    FeedStoreError,
)
from index.models import Article
from index.storage.feeds import FeedPoller, FeedReport

log = logging.getLogger(__name__)

#: Seconds between looks at which feeds are due (each feed keeps its own interval).
CHECK_SECONDS = 60.0
#: Autocomplete offers at most this many feed names, each this long at most (Discord's limits).
MAX_CHOICES = 25
MAX_CHOICE_CHARS = 100

T = TypeVar("T")


class Feeds(commands.Cog):
    """Feeds followed into the coverage."""

    feeds = app_commands.Group(
        name="feeds", description="Follow RSS and Atom feeds into the coverage", guild_only=True
    )

    def __init__(self, bot: CoverageBot) -> None:
        self.bot: CoverageBot = bot
        self.poller: FeedPoller = bot.settings.feed_poller()
        # Rounds fetch from feed servers for as long as they take; the commands' short store
        # calls (and autocomplete) have Discord's 3 seconds, so they never queue behind one.
        self.poll_worker: ThreadPoolExecutor = ThreadPoolExecutor(
            1, thread_name_prefix="coverage-feeds-poll"
        )
        self.store_worker: ThreadPoolExecutor = ThreadPoolExecutor(
            1, thread_name_prefix="coverage-feeds-store"
        )
        self.ticker: tasks.Loop[Callable[[], Coroutine[Any, Any, None]]] = tasks.loop(
            seconds=CHECK_SECONDS
        )(self.poll_feeds)

    async def cog_load(self) -> None:
        self.ticker.before_loop(self.bot.wait_until_ready)
        self.ticker.start()

    async def cog_unload(self) -> None:
        self.ticker.cancel()
        for worker in (self.poll_worker, self.store_worker):
            worker.shutdown(wait=False, cancel_futures=True)

    async def store_call(
        self, interaction: discord.Interaction[CoverageBot], function: Callable[..., T], *args: Any
    ) -> T:
        """A call to the feed store for a command, within Discord's deadline.

        A database that cannot be used is logged and told to the member without its path.
        """
        try:
            return await within_deadline(
                interaction, run_on(self.store_worker, function, *args), ephemeral=True
            )
        except FeedDatabaseError as exc:
            log.error("%s", exc)
            raise CoverageError(
                "I can't reach my list of feeds right now; please try again in a moment."
            ) from exc

    async def poll_feeds(self) -> None:
        """One round: poll the feeds that are due, serve what they brought, announce it."""
        try:
            reports = await run_on(self.poll_worker, self._poll_round)
        except Exception:
            log.exception("polling the feeds failed; the next round tries again")
            return
        added = [article for report in reports for article in report.added]
        if added:
            await self.announce(added)

    def _poll_round(self) -> list[FeedReport]:
        """Poll (unless another process is polling) and swap in the grown coverage."""
        reports = self.poller.poll(wait=False) or []
        for report in reports:
            if report.status == "failed":
                log.warning("feed %s failed: %s", report.name, report.error)
            for problem in report.problems:
                log.info("feed %s: %s", report.name, problem)
        if any(report.added for report in reports):
            self.bot.live.refresh()
        return reports

    async def announce(self, articles: list[Article]) -> None:
        """Tell ``COVERAGE_ANNOUNCE_CHANNEL`` about new articles, when it is set."""
        channel_id = self.bot.settings.announce_channel
        if channel_id is None:
            return
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                raise TypeError(f"channel {channel_id} cannot take messages")
            text = render.new_articles_text(articles)
            await channel.send(text, allowed_mentions=NO_MENTIONS)
        except (discord.HTTPException, TypeError) as exc:
            log.warning("could not announce new articles in %s: %s", channel_id, exc)

    @feeds.command(name="add")
    @app_commands.describe(
        url="The feed's address (RSS or Atom, http or https)",
        every=f"Minutes between polls ({MIN_EVERY} to {MAX_EVERY}, default {DEFAULT_EVERY})",
        name="A short name for it (default: its site's host)",
    )
    async def add(
        self,
        interaction: discord.Interaction[CoverageBot],
        url: app_commands.Range[str, 8, 2000],
        every: app_commands.Range[int, MIN_EVERY, MAX_EVERY] = DEFAULT_EVERY,
        name: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        """Follow a news feed: its new articles join the coverage (members with the role)."""
        require_add_role(interaction, "Following feeds", "follow feeds")
        try:
            feed = await self.store_call(interaction, self.poller.store.add, url, every, name)
        except FeedStoreError as exc:
            raise CoverageError(f"Not followed: {render.escaped(str(exc), 1500)}") from exc
        await respond(interaction, content=render.followed_text(feed), ephemeral=True)

    @feeds.command(name="list")
    async def list_feeds(self, interaction: discord.Interaction[CoverageBot]) -> None:
        """The feeds followed, with their schedules (members with the role)."""
        require_add_role(interaction, "Following feeds", "see the feeds")
        feeds = await self.store_call(interaction, self.poller.store.feeds)
        await respond(interaction, content=render.feeds_text(feeds), ephemeral=True)

    @feeds.command(name="remove")
    @app_commands.describe(feed="The feed's name or URL (start typing for suggestions)")
    async def remove(
        self, interaction: discord.Interaction[CoverageBot], feed: app_commands.Range[str, 1, 2000]
    ) -> None:
        """Stop following a feed; its articles stay in the coverage (members with the role)."""
        require_add_role(interaction, "Following feeds", "stop following feeds")
        try:
            removed = await self.store_call(interaction, self.poller.store.remove, feed)
        except FeedStoreError as exc:
            raise CoverageError(f"Nothing removed: {render.escaped(str(exc), 1500)}") from exc
        await respond(interaction, content=render.stopped_text(removed), ephemeral=True)

    @remove.autocomplete("feed")
    async def feed_names(
        self, interaction: discord.Interaction[CoverageBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """Names of followed feeds containing what was typed."""
        if not has_add_role(interaction):
            return []
        feeds = await run_on(self.store_worker, self.poller.store.feeds)
        typed = current.casefold()
        return [
            app_commands.Choice(name=f.name, value=f.name)
            for f in feeds
            if len(f.name) <= MAX_CHOICE_CHARS and typed in f.name.casefold()
        ][:MAX_CHOICES]


async def setup(bot: CoverageBot) -> None:
    await bot.add_cog(Feeds(bot))
