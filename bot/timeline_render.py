"""Pure functions from a timeline to a Discord embed, a list of other sources, and a chart.

Every event is one line: its date in bold, its quote (escaped and cut to fit, as answers
are), a ↗ link that opens the article at the quote, and its outlet. Pages hold
``EVENTS_PER_PAGE`` events. The chart counts the sentences about the topic per week, drawn
with matplotlib's ``Figure`` (its Agg canvas: no pyplot, no display) into PNG bytes.
Nothing here talks to Discord.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta

import discord
import numpy as np
from matplotlib.figure import Figure

from bot.render import COLOUR, DESCRIPTION_LIMIT, ELLIPSIS, TITLE_LIMIT, escape, escaped, fit
from index.answering.timeline import Event, Mention, Timeline, weekly

#: Events per page of ``/timeline``.
EVENTS_PER_PAGE = 8
#: Characters of one event's quote on a page.
QUOTE_CHARS = 300
#: A timeline spanning more days than this gets a chart.
CHART_AFTER_DAYS = 31
#: Longest span charted, in days (ten years: 520 weekly bars).
CHART_MOST_DAYS = 3653
#: The chart's file name (embeds show it with ``attachment://``).
CHART_NAME = "timeline.png"
FOOTER = "Quotes are verbatim · ↗ opens the article at the quote · bold: the event's date"


def page_count(events: int) -> int:
    """Pages a timeline of ``events`` events needs (at least one)."""
    return max(1, -(-events // EVENTS_PER_PAGE))


def mention_line(mention: Mention) -> str:
    """``**2021-12-07** “quote” [↗](<link>) · outlet`` on one line, within ``QUOTE_CHARS`` of
    quote (line breaks inside a quote show as spaces: one event, one line)."""
    citation = mention.citation
    target = citation.link or citation.url
    link = f" [↗](<{target}>)" if target and len(target) <= 1024 and ">" not in target else ""
    outlet = " ".join((citation.outlet or "").split())
    outlet = f" · {escaped(outlet, 80)}" if outlet else ""
    quote = fit(" ".join(citation.quote.split()), QUOTE_CHARS, escape)
    return f"**{mention.day.isoformat()}** “{quote}”{link}{outlet}"


def _event_block(event: Event) -> str:
    others = len(event.more)
    also = f"\n-# and {others} other source{'s' if others != 1 else ''}" if others else ""
    return mention_line(event.best) + also


def page_events(result: Timeline, page: int) -> tuple[Event, ...]:
    """The events on page ``page`` (from 0)."""
    return result.events[page * EVENTS_PER_PAGE : (page + 1) * EVENTS_PER_PAGE]


def timeline_embed(result: Timeline, page: int) -> discord.Embed:
    """Page ``page`` (from 0) of a timeline; events that would overflow the page are cut."""
    pages = page_count(len(result.events))
    page = min(max(page, 0), pages - 1)
    shown = page_events(result, page)
    description = _fitting([_event_block(event) for event in shown], DESCRIPTION_LIMIT - 100)
    embed = discord.Embed(
        title=escaped(f"Timeline: {result.topic}", TITLE_LIMIT),
        description=description,
        colour=COLOUR,
    )
    span = f"{result.events[0].day} to {result.events[-1].day}" if result.events else ""
    embed.set_footer(text=f"Page {page + 1} of {pages} · {len(result.events)} events {span}")
    return embed


def sources_embed(topic: str, events: Sequence[Event]) -> discord.Embed:
    """Every source of the given events, one line each (each event's best first)."""
    lines = [mention_line(m) for event in events for m in (event.best, *event.more)]
    return discord.Embed(
        title=escaped(f"Sources: {topic}", TITLE_LIMIT),
        description=_fitting(lines, DESCRIPTION_LIMIT - 100) or "No sources.",
        colour=COLOUR,
    )


def _fitting(blocks: Sequence[str], limit: int) -> str:
    """The blocks joined by blank lines, as many as fit in ``limit``, then "…"."""
    kept: list[str] = []
    used = 0
    for block in blocks:
        if used + len(block) + 2 > limit - len(ELLIPSIS) - 2:
            kept.append(ELLIPSIS)
            break
        kept.append(block)
        used += len(block) + 2
    return "\n\n".join(kept)


def needs_chart(result: Timeline) -> bool:
    """Whether the timeline spans more than a month, so a chart reads faster than the list.

    Not past ``CHART_MOST_DAYS``: weekly bars across centuries (an export's zero date,
    0001-01-01) say nothing, take seconds to draw and reach dates matplotlib refuses.
    """
    if not result.events:
        return False
    span = result.events[-1].day - result.events[0].day
    return timedelta(days=CHART_AFTER_DAYS) < span <= timedelta(days=CHART_MOST_DAYS)


def chart_png(topic: str, days: Sequence[date]) -> bytes:
    """A bar chart of how many sentences about ``topic`` fall in each week, as PNG bytes."""
    weeks = weekly(tuple(sorted(days)))
    figure = Figure(figsize=(6, 2.4), dpi=100)
    axes = figure.add_subplot()
    starts = np.array([start for start, _ in weeks], dtype="datetime64[D]")
    axes.bar(starts, [n for _, n in weeks], width=6, align="edge", color="#2f6eba")
    axes.set_title(f"Sentences about {topic} per week", fontsize=10)
    axes.set_ylabel("sentences", fontsize=8)
    axes.tick_params(labelsize=7)
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
