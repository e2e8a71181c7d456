"""Browsing the coverage: ``/articles`` (paginated) and ``/article`` (autocomplete over titles)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.choices import title_choices
from bot.client import CoverageBot, respond
from bot.errors import NoSuchArticleError
from bot.views import PageButton, articles_view
from index.passages import paragraphs


class Articles(commands.Cog):
    """Lists the coverage and shows single articles."""

    def __init__(self, bot: CoverageBot) -> None:
        self.bot: CoverageBot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PageButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PageButton)

    @app_commands.command(name="articles")
    async def articles(self, interaction: discord.Interaction[CoverageBot]) -> None:
        """List the articles in the coverage, with their authors, outlets, dates and links."""
        metas = self.bot.live.current.metas
        pages = render.page_count(len(metas))
        embed = render.articles_embed(metas, 0)
        if pages == 1:
            await respond(interaction, embed=embed)
            return
        await respond(interaction, embed=embed, view=articles_view(interaction.user.id, 0, pages))

    @app_commands.command(name="article")
    @app_commands.describe(article="Start typing a title; pick one of the suggestions")
    async def article(self, interaction: discord.Interaction[CoverageBot], article: str) -> None:
        """Show one article: its author, outlet, date, first paragraph and link."""
        coverage = self.bot.live.current
        index = coverage.index_of(article)
        if index is None:
            raise NoSuchArticleError(article)
        meta = coverage.metas[index]
        body = coverage.body(index)
        first = paragraphs(body)[0] if body else None
        opening = body[first.start : first.end] if first else ""
        embed = render.article_embed(meta, opening, len(coverage.passage_range(index)))
        view = discord.ui.View()
        if meta.url:
            view.add_item(discord.ui.Button(label="Read the article", url=meta.url))
        await respond(interaction, embed=embed, view=view)

    @article.autocomplete("article")
    async def article_titles(
        self, interaction: discord.Interaction[CoverageBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """Titles containing what was typed (newest first), answered from memory."""
        return title_choices(self.bot.live.current.metas, current)


async def setup(bot: CoverageBot) -> None:
    await bot.add_cog(Articles(bot))
