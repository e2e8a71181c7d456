"""``/compare``: how the coverage's sources tell one topic, side by side, each in its own words.

Sources are optional and autocompleted from the coverage's outlets; typed ones are matched
loosely ("whitehouse", "kremlin"). The comparison is computed off the event loop, then sent
once: publicly as one embed with a swap button per side, privately when the coverage has
nothing on the topic or a source matches no outlet. The topic is recorded in the feedback
store so the swap buttons, which carry only its key, still work after a restart.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import render, render_compare
from bot.client import CoverageBot, respond, within_deadline
from bot.errors import CoverageError, FeedbackUnavailableError
from bot.views import SwapButton, compare_view, terms_of
from index.answering.compare import (
    Comparison,
    SourceError,
    compare,
    outlets,
    render_text,
    resolve_sources,
)
from index.models import Answer

#: Discord shows at most 25 autocomplete choices, each name and value at most 100 characters.
MAX_CHOICES = 25
CHOICE_LIMIT = 100


class Compare(commands.Cog):
    """Compares how sources tell a topic."""

    def __init__(self, bot: CoverageBot) -> None:
        self.bot: CoverageBot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(SwapButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(SwapButton)

    @app_commands.command(name="compare")
    @app_commands.describe(
        topic="What to compare, e.g. the December 30 2021 call between Biden and Putin",
        source_a="A source to compare (start typing an outlet); empty for the ones that say most",
        source_b="A second source to compare it with",
    )
    async def compare(
        self,
        interaction: discord.Interaction[CoverageBot],
        topic: app_commands.Range[str, 1, 200],
        source_a: str | None = None,
        source_b: str | None = None,
    ) -> None:
        """Compare how the sources tell one story, side by side, in verbatim quotes."""
        coverage = self.bot.live.current
        try:
            sources = resolve_sources(coverage, [s for s in (source_a, source_b) if s])
        except SourceError as exc:
            said = str(exc)
            raise CoverageError(render.escaped(said[:1].upper() + said[1:] + ".", 1900)) from exc
        work = self.bot.off_loop(
            compare, coverage, topic, sources, max_chars=self.bot.settings.max_question_chars
        )
        result: Comparison = await within_deadline(interaction, work, ephemeral=False)
        if not result.answered:
            await respond(interaction, content=render.escaped(result.note, 2000), ephemeral=True)
            return
        embed = render_compare.compare_embed(result, terms_of(topic))
        key = await self._record(result)
        if not key:
            await respond(interaction, embed=embed)
            return
        names = list(outlets(coverage))
        shown = [names.index(side.outlet) for side in result.sides]
        outlets_shown = [side.outlet for side in result.sides]
        view = compare_view(key, shown, interaction.user.id, outlets_shown)
        await respond(interaction, embed=embed, view=view)

    async def _record(self, result: Comparison) -> str:
        """The key the swap buttons carry; empty (no buttons) when feedback is unavailable."""
        record = Answer(result.topic, True, render_text(result), (), result.missing_terms)
        try:
            return await self.bot.off_loop_feedback(self.bot.feedback.record, record)
        except FeedbackUnavailableError:
            return ""

    @compare.autocomplete("source_a")
    @compare.autocomplete("source_b")
    async def outlet_names(
        self, interaction: discord.Interaction[CoverageBot], current: str
    ) -> list[app_commands.Choice[str]]:
        """Outlets whose name contains what was typed, with their article counts."""
        return outlet_choices(outlets(self.bot.live.current), current)


def outlet_choices(counts: dict[str, int], typed: str) -> list[app_commands.Choice[str]]:
    """Up to 25 outlets containing ``typed`` (case ignored), the biggest first."""
    wanted = typed.casefold().strip()
    found = sorted(
        (name for name in counts if wanted in name.casefold()), key=lambda n: (-counts[n], n)
    )
    return [
        app_commands.Choice(
            name=render.shorten(f"{name} ({counts[name]:,} articles)", CHOICE_LIMIT),
            value=name[:CHOICE_LIMIT],
        )
        for name in found[:MAX_CHOICES]
    ]


async def setup(bot: CoverageBot) -> None:
    await bot.add_cog(Compare(bot))
