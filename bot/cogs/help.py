"""``/help``: what the bot does, how to ask, one example."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.client import CoverageBot, respond


class Help(commands.Cog):
    """Explains the bot."""

    def __init__(self, bot: CoverageBot) -> None:
        self.bot: CoverageBot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction[CoverageBot]) -> None:
        """What this bot does and how to ask it."""
        embed = render.help_embed(len(self.bot.live.current))
        await respond(interaction, embed=embed, ephemeral=True)


async def setup(bot: CoverageBot) -> None:
    await bot.add_cog(Help(bot))
