"""Buttons under answers and lists. Stateful buttons keep their state in their custom id.

Answer buttons are ``DynamicItem``s with short, versioned custom ids (``cb1:...``), so they
work after a restart: "More from the coverage" and the votes carry the answer's key in the
feedback store; "Show in article" carries the article id and the quote's offsets, and says
"this source is gone" when a rebuild removed or changed them. Source links are link buttons.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from bot import render
from bot.client import report_error
from bot.errors import NoSuchArticleError, SourceGoneError
from index.answer import answer as answer_question
from index.passages import paragraphs
from index.question import key_terms

if TYPE_CHECKING:
    from bot.client import CoverageBot
    from index.models import Answer

    Interaction = discord.Interaction[CoverageBot]

#: Citations "More from the coverage" shows beyond the three of the answer.
MORE_CITATIONS = 3
#: Longest URL a link button takes.
LINK_BUTTON_LIMIT = 512


def terms_of(question: str) -> frozenset[str]:
    """The question's content terms, which answers show in bold."""
    return frozenset(term for term, _ in key_terms(question).content)


def answer_view(answer: Answer, key: str) -> discord.ui.View:
    """Buttons under an answer: more, show in article, votes, and a link to the source."""
    view = discord.ui.View(timeout=None)
    best = answer.citations[0]
    view.add_item(MoreButton(key))
    view.add_item(ShowButton(best.article_id, best.start, best.end))
    view.add_item(VoteButton(key, "up"))
    view.add_item(VoteButton(key, "down"))
    link = best.link if best.link and len(best.link) <= LINK_BUTTON_LIMIT else best.url
    if link and len(link) <= LINK_BUTTON_LIMIT:
        view.add_item(discord.ui.Button(label="Open source", url=link))
    return view


class _Guarded:
    """Routes a button's errors to the bot's one error handler (mixed into each button)."""

    async def callback(self, interaction: discord.Interaction[Any]) -> Any:
        try:
            await self.run(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def run(self, interaction: Interaction) -> None:
        raise NotImplementedError  # every button defines what it does


class MoreButton(
    _Guarded,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cb1:more:(?P<key>[0-9a-z]{1,12})",
):
    """Shows the next citations for the answer's question, privately."""

    def __init__(self, key: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="More from the coverage",
                emoji="📰",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb1:more:{key}",
            )
        )
        self.key: str = key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> MoreButton:
        return cls(match["key"])

    async def run(self, interaction: Interaction) -> None:
        bot = interaction.client
        question = await asyncio.to_thread(bot.feedback.question, self.key)
        if question is None:
            raise SourceGoneError()
        limit = 3 + MORE_CITATIONS
        coverage = bot.live.current
        result = await asyncio.to_thread(
            answer_question,
            coverage,
            question,
            max_chars=bot.settings.max_question_chars,
            limit=limit,
        )
        extra = result.citations[3:]
        if not extra:
            await interaction.response.send_message(
                "That's everything the coverage has on this question.", ephemeral=True
            )
            return
        more = replace(result, citations=extra)
        embed = render.answer_embed(more, terms_of(question))
        await interaction.response.send_message(embed=embed, ephemeral=True)


class VoteButton(
    _Guarded,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cb1:vote:(?P<key>[0-9a-z]{1,12}):(?P<way>up|down)",
):
    """👍 or 👎 on an answer; one vote per user per answer."""

    def __init__(self, key: str, way: str) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="👍" if way == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb1:vote:{key}:{way}",
            )
        )
        self.key: str = key
        self.way: str = way

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> VoteButton:
        return cls(match["key"], match["way"])

    async def run(self, interaction: Interaction) -> None:
        value = 1 if self.way == "up" else -1
        tally = await asyncio.to_thread(
            interaction.client.feedback.vote, self.key, interaction.user.id, value
        )
        if tally is None:
            raise SourceGoneError()
        thanks = (
            "Thanks — glad it helped." if value > 0 else "Thanks — noted; that helps us improve."
        )
        await interaction.response.send_message(
            f"{thanks} (👍 {tally[0]} · 👎 {tally[1]})", ephemeral=True
        )


class ShowButton(
    _Guarded,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cb1:show:(?P<article>[a-z0-9-]{1,80}):(?P<start>\d{1,9}):(?P<end>\d{1,9})",
):
    """The quote's paragraph, with the quote in bold, privately."""

    def __init__(self, article_id: str, start: int, end: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Show in article",
                emoji="📄",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb1:show:{article_id}:{start}:{end}",
            )
        )
        self.article_id: str = article_id
        self.start: int = start
        self.end: int = end

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ShowButton:
        return cls(match["article"], int(match["start"]), int(match["end"]))

    async def run(self, interaction: Interaction) -> None:
        coverage = interaction.client.live.current
        index = coverage.index_of(self.article_id)
        if index is None:
            raise NoSuchArticleError(self.article_id)
        body = coverage.body(index)
        span = next(
            (p for p in paragraphs(body) if p.start <= self.start and self.end <= p.end), None
        )
        if span is None or self.end <= self.start:
            raise SourceGoneError()
        paragraph = body[span.start : span.end]
        embed = render.paragraph_embed(
            coverage.metas[index], paragraph, self.start - span.start, self.end - span.start
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


class ArticlesPager(discord.ui.View):
    """◀ ▶ through ``/articles``; only the person who asked can turn the pages."""

    def __init__(self, owner_id: int, pages: int) -> None:
        super().__init__(timeout=300)
        self.owner_id: int = owner_id
        self.page: int = 0
        self.pages: int = pages
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def interaction_check(self, interaction: Interaction) -> bool:  # type: ignore[override]
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "Run `/articles` to page yourself.", ephemeral=True
            )
            return False
        return True

    async def _turn(self, interaction: Interaction, step: int) -> None:
        self.page = min(max(0, self.page + step), self.pages - 1)
        self._sync_buttons()
        embed = render.articles_embed(interaction.client.live.current.metas, self.page)
        await interaction.response.edit_message(embed=embed, view=self)

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, +1)

    async def on_error(  # type: ignore[override]
        self, interaction: Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await report_error(interaction, error)
