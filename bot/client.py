"""The bot: ``CoverageBot`` with its collaborators, the command tree, and the one error handler.

``CoverageBot`` gets its settings, the live coverage and the feedback store through its
constructor (``bot.create_bot`` builds them); ``setup_hook`` loads one extension per feature.
It asks for no privileged intent: mentions and DMs carry their text without the message
content intent, and everything else is a slash command. Every message it sends allows no
mentions, so a quote holding ``@everyone`` pings nobody.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import CoverageError
from bot.feedback import Feedback
from bot.settings import Settings
from index.live import LiveCoverage

log = logging.getLogger(__name__)

#: One extension per feature, loaded in this order.
EXTENSIONS = (
    "bot.cogs.ask",
    "bot.cogs.summary",
    "bot.cogs.articles",
    "bot.cogs.help",
    "bot.cogs.admin",
)
#: Said when something we did not foresee goes wrong; details go to the log only.
APOLOGY = "Sorry, something went wrong on my side while answering. Please try again in a moment."


async def report_error(interaction: discord.Interaction[Any], error: Exception) -> None:
    """Tell the user, briefly and privately; log anything unforeseen with its traceback."""
    original = getattr(error, "original", error)  # unwrap CommandInvokeError and friends
    if isinstance(original, app_commands.CommandOnCooldown):
        message = f"You're asking quickly — try again in {original.retry_after:.0f} s."
    elif isinstance(original, CoverageError):
        message = str(original)
    elif isinstance(original, app_commands.CheckFailure):
        message = "You can't use that command here."
    else:
        log.error("error in %s", _describe(interaction), exc_info=original)
        message = APOLOGY
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("could not tell the user about an error in %s: %s", _describe(interaction), exc)


def _describe(interaction: discord.Interaction[Any]) -> str:
    command = interaction.command.qualified_name if interaction.command else "a component"
    return f"/{command} (user {interaction.user.id}, channel {interaction.channel_id})"


class CoverageTree(app_commands.CommandTree["CoverageBot"]):
    """The command tree, with the bot's single handler for app command errors."""

    async def on_error(
        self, interaction: discord.Interaction[CoverageBot], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


class CoverageBot(commands.Bot):
    """Answers questions about the coverage; see ``bot.create_bot``."""

    user: discord.ClientUser

    def __init__(
        self, settings: Settings, live: LiveCoverage, feedback: Feedback, **options: Any
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            tree_cls=CoverageTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            owner_ids=set(settings.owner_ids) or None,
            **options,
        )
        self.settings: Settings = settings
        self.live: LiveCoverage = live
        self.feedback: Feedback = feedback

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.settings.sync_on_start:
            synced = await self.tree.sync()
            log.info("synced %d slash commands globally", len(synced))

    async def on_ready(self) -> None:
        coverage = self.live.current
        log.info(
            "ready as %s in %d servers, answering from %d articles",
            self.user,
            len(self.guilds),
            len(coverage),
        )

    async def on_command_error(
        self, ctx: commands.Context[Any], error: commands.CommandError
    ) -> None:
        """Owner commands: say briefly what was wrong; log the unforeseen."""
        if isinstance(error, commands.CommandNotFound):
            return  # "@bot why ..." is a question, answered by the ask cog
        if isinstance(error, commands.NotOwner):
            message = "Only the bot's owners can do that."
        elif isinstance(error, commands.UserInputError | commands.CheckFailure):
            message = str(error)
        else:
            log.error(
                "error in command %s", ctx.command, exc_info=getattr(error, "original", error)
            )
            message = APOLOGY
        try:
            await ctx.reply(message)
        except discord.HTTPException as exc:
            log.warning("could not reply about a command error: %s", exc)

    async def close(self) -> None:
        await super().close()
        self.feedback.close()


class ShardedCoverageBot(CoverageBot, commands.AutoShardedBot):
    """``CoverageBot`` over several gateway shards (``COVERAGE_SHARD_COUNT``)."""
