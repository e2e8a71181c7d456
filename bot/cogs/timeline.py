"""``/timeline``: what the coverage says about a topic, one verbatim sentence per event, by date.

Long timelines are paged with persistent buttons, as ``/articles`` is: the buttons carry the
page, who asked, the period and the topic in their custom id, so they work after a restart
(the timeline is computed again from the live coverage). "Other sources" shows, privately,
every source of the events on the page. A timeline spanning more than a month comes with a
chart of how much the coverage says about the topic per week.
"""

from __future__ import annotations

import io
import re
from datetime import date
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import timeline_render
from bot.client import NO_MENTIONS, CoverageBot, respond, within_deadline
from bot.periods import parse_day
from bot.render import escaped
from bot.views import Guarded
from index.answering.timeline import Timeline, timeline

if TYPE_CHECKING:
    Interaction = discord.Interaction[CoverageBot]

#: Longest topic: it travels in the buttons' custom ids, which Discord caps at 100 characters.
TOPIC_CHARS = 40
#: Most events a Discord timeline holds (pages of ``EVENTS_PER_PAGE``).
MOST_EVENTS = 40


def _compact(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day else ""


def _expand(text: str) -> date | None:
    return date(int(text[:4]), int(text[4:6]), int(text[6:])) if text else None


def decline_text(result: Timeline, period: bool) -> str:
    """What the bot says when the coverage has no timeline for the topic (in the ``period``)."""
    if result.missing_terms:
        words = ", ".join(f"**{escaped(w, 60)}**" for w in result.missing_terms[:10])
        return f"**The coverage doesn't say.** No article in the coverage mentions {words}."
    where = " in that period. Try a wider one, or" if period else ". Try"
    return (
        f"**The coverage doesn't say.** No sentence is about {escaped(result.topic, 100)}"
        f"{where} `/articles` to see what the coverage holds."
    )


def timeline_view(
    owner_id: int, page: int, result: Timeline, since: date | None, until: date | None
) -> discord.ui.View | None:
    """◀ ▶ and "Other sources" under a page; None when there is one page and one source each."""
    pages = timeline_render.page_count(len(result.events))
    more = any(event.more for event in result.events)
    if pages == 1 and not more:
        return None
    state = (owner_id, result.topic, since, until)
    view = discord.ui.View(timeout=None)
    if pages > 1:
        view.add_item(TimelineButton("prev", max(0, page - 1), *state, disabled=page == 0))
        view.add_item(
            TimelineButton("next", min(pages - 1, page + 1), *state, disabled=page >= pages - 1)
        )
    if more:
        view.add_item(TimelineButton("more", page, *state))
    return view


class TimelineButton(
    Guarded,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=(
        r"cb1:tl:(?P<way>prev|next|more):(?P<page>\d{1,3}):(?P<owner>\d{1,20})"
        r":(?P<since>\d{8})?:(?P<until>\d{8})?:(?P<topic>.{1,40})"
    ),
):
    """Turns a ``/timeline`` to a page (only for who asked), or lists a page's other sources."""

    def __init__(
        self,
        way: str,
        page: int,
        owner_id: int,
        topic: str,
        since: date | None,
        until: date | None,
        *,
        disabled: bool = False,
    ) -> None:
        label = {"prev": "◀", "next": "▶", "more": "Other sources"}[way]
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb1:tl:{way}:{page}:{owner_id}:{_compact(since)}:{_compact(until)}"
                f":{topic}",
                disabled=disabled,
            )
        )
        self.way: str = way
        self.page: int = page
        self.owner_id: int = owner_id
        self.topic: str = topic
        self.since: date | None = since
        self.until: date | None = until

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> TimelineButton:
        since, until = _expand(match["since"] or ""), _expand(match["until"] or "")
        return cls(
            match["way"], int(match["page"]), int(match["owner"]), match["topic"], since, until
        )

    async def run(self, interaction: Interaction) -> None:
        if self.way != "more" and interaction.user.id != self.owner_id:
            await respond(interaction, content="Run `/timeline` to page yourself.", ephemeral=True)
            return
        bot = interaction.client
        work = bot.off_loop(
            timeline,
            bot.live.current,
            self.topic,
            since=self.since,
            until=self.until,
            limit=MOST_EVENTS,
        )
        result = await within_deadline(interaction, work, ephemeral=self.way == "more")
        pages = timeline_render.page_count(len(result.events))  # the coverage may have changed
        page = min(self.page, pages - 1)
        if self.way == "more":
            events = timeline_render.page_events(result, page)
            embed = timeline_render.sources_embed(self.topic, events)
            await respond(interaction, embed=embed, ephemeral=True)
            return
        view = timeline_view(self.owner_id, page, result, self.since, self.until)
        await interaction.response.edit_message(
            embed=timeline_render.timeline_embed(result, page),
            view=view,
            allowed_mentions=NO_MENTIONS,
        )


class Timelines(commands.Cog):
    """Answers "what happened, and when" about a topic."""

    def __init__(self, bot: CoverageBot) -> None:
        self.bot: CoverageBot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(TimelineButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(TimelineButton)

    @app_commands.command(name="timeline")
    @app_commands.describe(
        topic="What the timeline is about, e.g. Nord Stream 2",
        since="Only events on or after this day, e.g. 2022-01-01",
        until="Only events on or before this day, e.g. 2022-03-31",
    )
    async def timeline(
        self,
        interaction: discord.Interaction[CoverageBot],
        topic: app_commands.Range[str, 1, TOPIC_CHARS],
        since: str | None = None,
        until: str | None = None,
    ) -> None:
        """What the coverage says about a topic, one verbatim quote per event, by date."""
        first, last = parse_day(since, "since"), parse_day(until, "until")
        topic = " ".join(topic.split())
        work = self.bot.off_loop(
            timeline, self.bot.live.current, topic, since=first, until=last, limit=MOST_EVENTS
        )
        result = await within_deadline(interaction, work, ephemeral=False)
        if not result.answered:
            await respond(
                interaction,
                content=decline_text(result, first is not None or last is not None),
                ephemeral=True,
            )
            return
        message: dict[str, Any] = {"embed": timeline_render.timeline_embed(result, 0)}
        view = timeline_view(interaction.user.id, 0, result, first, last)
        if view is not None:
            message["view"] = view
        if timeline_render.needs_chart(result):
            png = await self.bot.off_loop(timeline_render.chart_png, topic, result.days)
            message["file"] = discord.File(io.BytesIO(png), filename=timeline_render.CHART_NAME)
            message["embed"].set_image(url=f"attachment://{timeline_render.CHART_NAME}")
        await respond(interaction, **message)


async def setup(bot: CoverageBot) -> None:
    await bot.add_cog(Timelines(bot))
