"""Keeping the coverage current: the seeds watcher, owner commands, and ``/add``.

The watcher notices changes in the seeds folder (``COVERAGE_WATCH_SEEDS``: poll, watch or off)
and has the live coverage rebuild off the event loop and swap in; questions keep being
answered from the previous index meanwhile. Owners can force that (``@bot reindex``) and
register the slash commands (``@bot sync``). Members with the configured role may add an
article by URL with ``/add``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks
from watchfiles import awatch

from bot import render
from bot.client import NO_MENTIONS, CoverageBot, respond
from bot.errors import CoverageError

log = logging.getLogger(__name__)


def require_add_role(
    interaction: discord.Interaction[CoverageBot], feature: str, action: str
) -> None:
    """Refuse (``CoverageError``) unless the member has ``COVERAGE_ADD_ROLE_ID``'s role.

    The one role guards every change to the coverage from Discord: ``/add`` and ``/feeds``.
    """
    role_id = interaction.client.settings.add_role_id
    if role_id is None:
        raise CoverageError(f"{feature} from Discord is turned off on this bot.")
    if not has_add_role(interaction):
        raise CoverageError(f"Only members with the <@&{role_id}> role can {action}.")


def has_add_role(interaction: discord.Interaction[CoverageBot]) -> bool:
    """Whether the member has the role ``COVERAGE_ADD_ROLE_ID`` names (never, when unset)."""
    role_id = interaction.client.settings.add_role_id
    roles = getattr(interaction.user, "roles", [])
    return role_id is not None and any(role.id == role_id for role in roles)


class Admin(commands.Cog):
    """Reindexing, syncing and adding articles."""

    def __init__(self, bot: CoverageBot) -> None:
        self.bot: CoverageBot = bot
        self.poller: tasks.Loop[Callable[[], Coroutine[Any, Any, None]]] = tasks.loop(
            seconds=bot.settings.poll_seconds
        )(self.poll)
        self.watcher: asyncio.Task[None] | None = None
        self.stop_watching: asyncio.Event = asyncio.Event()

    async def cog_load(self) -> None:
        mode = self.bot.settings.watch_seeds
        if mode == "poll":
            self.poller.start()
        elif mode == "watch":
            self.watcher = asyncio.create_task(self.watch())

    async def cog_unload(self) -> None:
        self.poller.cancel()
        if self.watcher is not None:
            self.stop_watching.set()
            self.watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watcher

    async def refresh(self, force: bool = False) -> bool:
        """Rebuild off the event loop when the seeds changed; True when a new index is live."""
        try:
            return await asyncio.to_thread(self.bot.live.refresh, force)
        except Exception:
            log.exception("rebuilding the index failed; the previous index keeps serving")
            return False

    async def poll(self) -> None:
        # An exception would end the tasks loop for good: the bot would stop noticing changes.
        try:
            changed = await asyncio.to_thread(self.bot.live.changed)
        except Exception:
            log.exception("looking at the seeds folder failed; the next poll tries again")
            return
        if changed:
            await self.refresh()

    async def watch(self) -> None:
        # yield_on_timeout also wakes the loop every few seconds without events: refresh is a
        # cheap no-op then, and it catches a change made before the watch was in place.
        changes = awatch(
            self.bot.live.seeds_dir, stop_event=self.stop_watching, yield_on_timeout=True
        )
        async for _ in changes:
            await self.refresh()

    @commands.command(name="reindex")
    @commands.is_owner()
    async def reindex(self, ctx: commands.Context[CoverageBot]) -> None:
        """Rebuild the index from the seeds folder now (owners only)."""
        async with ctx.typing():
            rebuilt = await self.refresh(force=True)
        info = self.bot.live.current.info
        state = "Rebuilt" if rebuilt else "Rebuilding failed (see the log); still serving"
        await ctx.reply(
            f"{state}: {info.articles:,} articles, {info.passages:,} passages.",
            allowed_mentions=NO_MENTIONS,
        )

    @commands.command(name="sync")
    @commands.is_owner()
    async def sync(
        self, ctx: commands.Context[CoverageBot], scope: Literal["here", "global"] = "here"
    ) -> None:
        """Register the slash commands in this server (default) or globally (owners only)."""
        if scope == "global" or ctx.guild is None:
            synced = await self.bot.tree.sync()
            await ctx.reply(
                f"Synced {len(synced)} commands globally (they may take a while to appear).",
                allowed_mentions=NO_MENTIONS,
            )
            return
        self.bot.tree.copy_global_to(guild=ctx.guild)
        synced = await self.bot.tree.sync(guild=ctx.guild)
        await ctx.reply(
            f"Synced {len(synced)} commands to this server.", allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="add")
    @app_commands.describe(url="The address of a news article (http or https)")
    @app_commands.guild_only()
    async def add(
        self, interaction: discord.Interaction[CoverageBot], url: app_commands.Range[str, 8, 2000]
    ) -> None:
        """Add a news article to the coverage by its URL (members with the configured role)."""
        require_add_role(interaction, "Adding articles", "add articles")
        await interaction.response.defer(ephemeral=True, thinking=True)
        limits = self.bot.settings.fetch_limits()
        # urls_only: what a member types is never read as a path on the bot's host.
        report = await asyncio.to_thread(
            self.bot.live.maintainer.add, [url], limits, urls_only=True
        )
        if report.added:
            await self.refresh()
        text = render.added_text([a.article for a in report.added], map(str, report.problems))
        await respond(interaction, content=text, ephemeral=True)


async def setup(bot: CoverageBot) -> None:
    await bot.add_cog(Admin(bot))
