"""``/stats`` for the people who run the server, and the daily deletion of old records.

``/stats`` shows members with Manage Server what was asked in their server, what the
coverage could not answer, and which answers were voted down, with a chart of the days. It
is hidden from other members by default (``default_permissions``), and checked again here,
because a server can grant the command to anyone in its integration settings. A server sees
its own questions only; DMs belong to no server, so they are counted in a bot serving a
single server and otherwise only by ``coverage-bot stats``.

Records older than ``COVERAGE_RECORD_DAYS`` are deleted when the cog loads and every day.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, date, time, timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.chart import FILE_NAME, daily_chart
from bot.client import CoverageBot, respond, within_deadline
from bot.errors import CoverageError, FeedbackUnavailableError
from bot.records import Recorded, Scope
from bot.render_stats import stats_embed
from bot.stats import DEFAULT_DAYS, Stats, summarize, window

log = logging.getLogger(__name__)

#: When the daily deletion of old records runs.
PRUNE_AT = time(hour=4, tzinfo=UTC)


class NotAllowedError(CoverageError):
    """A member without Manage Server asked for the stats."""

    def __init__(self) -> None:
        super().__init__("Only members with the Manage Server permission can see the stats.")


@dataclass(frozen=True, slots=True)
class Report:
    """The stats and their chart (PNG)."""

    stats: Stats
    chart: bytes


def report(rows: list[Recorded], days: int, last_day: date) -> Report:
    """Sum up and draw; CPU work for a worker thread, never the event loop."""
    stats = summarize(rows, days, last_day)
    return Report(stats, daily_chart(stats.by_day))


class StatsCog(commands.Cog, name="Stats"):
    """What members asked, and what the coverage lacks."""

    def __init__(self, bot: CoverageBot) -> None:
        self.bot: CoverageBot = bot
        self.pruner: tasks.Loop[Callable[[], Coroutine[Any, Any, None]]] = tasks.loop(
            time=PRUNE_AT
        )(self.prune)

    async def cog_load(self) -> None:
        await self.prune()
        self.pruner.start()

    async def cog_unload(self) -> None:
        self.pruner.cancel()

    async def prune(self) -> None:
        """Delete records older than ``COVERAGE_RECORD_DAYS``, off the event loop."""
        before = discord.utils.utcnow() - timedelta(days=self.bot.settings.record_days)
        try:
            deleted = await self.bot.off_loop_feedback(self.bot.feedback.prune, before)
        except FeedbackUnavailableError:
            return  # logged by the store; the next day tries again
        if deleted:
            log.info("deleted %d records from before %s", deleted, before.date())

    @app_commands.command(name="stats")
    @app_commands.describe(days="How many days back, today included (default 30)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def stats(
        self,
        interaction: discord.Interaction[CoverageBot],
        days: app_commands.Range[int, 1, 3650] = DEFAULT_DAYS,
    ) -> None:
        """What members asked, what the coverage could not answer (Manage Server only)."""
        if not interaction.permissions.manage_guild:
            raise NotAllowedError()
        assert interaction.guild_id is not None  # guild_only
        # DMs belong to no server: shown only where they cannot be another server's (a
        # sharded process sees only its shards' servers, so it cannot tell).
        alone = len(self.bot.guilds) == 1 and self.bot.shard_count in (None, 1)
        scope = Scope(interaction.guild_id, dms=alone)
        work = self._report(scope, days)
        result = await within_deadline(interaction, work, ephemeral=True)
        where = "This server and DMs" if scope.dms else "This server"
        await respond(
            interaction,
            embed=stats_embed(result.stats, where, FILE_NAME),
            file=discord.File(io.BytesIO(result.chart), filename=FILE_NAME),
            ephemeral=True,
        )

    async def _report(self, scope: Scope, days: int) -> Report:
        today = discord.utils.utcnow().date()
        since, until = window(days, today)
        rows = await self.bot.off_loop_feedback(self.bot.feedback.recorded, since, until, scope)
        # A chart takes a few hundred milliseconds: neither the event loop nor the index
        # worker (answers would queue behind it) nor the feedback thread (records would).
        return await asyncio.to_thread(report, rows, days, today)


async def setup(bot: CoverageBot) -> None:
    await bot.add_cog(StatsCog(bot))
