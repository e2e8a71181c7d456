"""``/summary``: an article, a topic or the whole coverage, every sentence verbatim and linked."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.choices import title_choices
from bot.client import CoverageBot, respond, within_deadline
from bot.errors import CoverageError, NoSuchArticleError
from index.answering.summary import summarize_article, summarize_coverage, summarize_topic
from index.models import Summary

#: Sentences for each length choice.
LENGTHS = {"short": 3, "medium": 5, "long": 8}


class Summaries(commands.Cog):
    """Summarises articles, topics and the coverage."""

    def __init__(self, bot: CoverageBot) -> None:
        self.bot: CoverageBot = bot

    @app_commands.command(name="summary")
    @app_commands.describe(
        article="An article to summarise (start typing its title)",
        topic="Or a topic, e.g. Nord Stream; leave both empty for the whole coverage",
        length="How long: short (3 sentences), medium (5) or long (8)",
    )
    async def summary(
        self,
        interaction: discord.Interaction[CoverageBot],
        article: str | None = None,
        topic: app_commands.Range[str, 1, 200] | None = None,
        length: Literal["short", "medium", "long"] = "medium",
    ) -> None:
        """Summarise an article, a topic or the whole coverage in verbatim sentences."""
        if article and topic:
            raise CoverageError("Choose an article or a topic, not both.")
        coverage = self.bot.live.current
        n = LENGTHS[length]
        if article:
            index = coverage.index_of(article)
            if index is None:
                raise NoSuchArticleError(article)
            heading = f"Summary of “{coverage.metas[index].title}”"
            work = self.bot.off_loop(summarize_article, coverage, index, n)
        elif topic:
            heading = f"What the coverage says about {topic}"
            work = self.bot.off_loop(summarize_topic, coverage, topic, n)
        else:
            heading = f"What the coverage says ({len(coverage):,} articles)"
            work = self.bot.off_loop(summarize_coverage, coverage, n)
        # A summary of a large coverage can take a while: defer if it does (3-second window).
        result: Summary = await within_deadline(interaction, work, ephemeral=False)
        if not result.answered:
            about = render.escape(topic or "that")
            await respond(
                interaction,
                content=f"The coverage says nothing about {about}: no article uses all of those "
                "words. Try `/articles` to see what it covers.",
                ephemeral=True,
            )
            return
        sources = {
            meta.id: meta
            for meta in coverage.metas
            if meta.id in {s.article_id for s in result.sentences}
        }
        await respond(interaction, embed=render.summary_embed(heading, result, sources))

    @summary.autocomplete("article")
    async def article_titles(
        self, interaction: discord.Interaction[CoverageBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return title_choices(self.bot.live.current.metas, current)


async def setup(bot: CoverageBot) -> None:
    await bot.add_cog(Summaries(bot))
