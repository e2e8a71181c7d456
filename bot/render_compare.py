"""Pure functions from a comparison to its Discord embed, within Discord's limits.

One embed: the note (a single source, a silent side) as its description, one field per side
(the outlet as the field's name, its quotes as block quotes, each with a ↗ link that opens
the article at the quote), and the "Only X mentions …" line in a last field under them.
Quotes are escaped and cut like answers' (``bot.render``); the sides share what the 6,000
characters of an embed leave after the title, the note and the differences.
"""

from __future__ import annotations

from dataclasses import replace

import discord

from bot.render import (
    COLOUR,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    TITLE_LIMIT,
    block_quote,
    escaped,
    shorten,
)
from index.answering.compare import Comparison, Quote, Side, only_in_lines

#: The longest a side's field name, the note and the differences may be.
SIDE_NAME_CHARS = 100
NOTE_CHARS = 300
ONLY_IN_CHARS = 600
ONLY_IN_NAME = "Only in one account"
FOOTER = "Quotes are verbatim from the coverage · ↗ opens the article at the quote"
#: Shortest cut quote worth showing after a side's first.
MIN_QUOTE_CHARS = 120
#: What a named source with nothing on the topic shows in its field.
SILENT = "*Nothing on this topic.*"


def compare_title(topic: str) -> str:
    """The embed's title: the topic as asked."""
    return escaped(f"How the sources tell it: {topic}", TITLE_LIMIT)


def compare_embed(comparison: Comparison, terms: frozenset[str]) -> discord.Embed:
    """The comparison as one embed; ``terms`` are shown in bold in the quotes.

    The "Only … mentions" line lists only words of the quotes the fields show, so a reader
    can find each of them above it.
    """
    embed = discord.Embed(
        title=compare_title(comparison.topic),
        description=escaped(comparison.note, NOTE_CHARS) or None,
        colour=COLOUR,
    )
    embed.set_footer(text=FOOTER)
    sides = comparison.sides
    names = [side_name(side) for side in sides]
    fixed = len(embed) + ONLY_IN_CHARS + len(ONLY_IN_NAME) + sum(len(n) for n in names)
    share = min(FIELD_VALUE_LIMIT, (EMBED_TOTAL_LIMIT - fixed) // max(1, len(sides)))
    shown: dict[str, str] = {}
    for name, side in zip(names, sides, strict=True):
        quotes = shown_quotes(side, terms, share)
        shown[side.outlet] = " ".join(quote.quote for quote, _ in quotes)
        embed.add_field(name=name, value="\n".join(b for _, b in quotes) or SILENT, inline=False)
    only_in = {
        outlet: kept
        for outlet, words in comparison.only_in.items()
        if (kept := tuple(word for word in words if word in shown.get(outlet, "")))
    }
    differences = escaped(
        " ".join(only_in_lines(replace(comparison, only_in=only_in))), ONLY_IN_CHARS
    )
    if differences:
        embed.add_field(name=ONLY_IN_NAME, value=differences, inline=False)
    return embed


def side_name(side: Side) -> str:
    """A side's field name: the outlet and how many of its articles speak to the topic."""
    count = f" · {side.articles} article{'s' if side.articles != 1 else ''}" if side.quotes else ""
    return escaped(side.outlet, SIDE_NAME_CHARS - len(count)) + count


def shown_quotes(side: Side, terms: frozenset[str], limit: int) -> list[tuple[Quote, str]]:
    """A side's quotes that fit in ``limit`` characters, best first, each rendered with its ↗ link.

    Quotes come whole while they fit; the next one is cut to the room left if that is at
    least ``MIN_QUOTE_CHARS`` and its link still fits, and the rest are left out (a field holds
    1,024 characters, and a link that highlights a quote can take 300). The first quote is
    always shown, cut if it must be.
    """
    shown: list[tuple[Quote, str]] = []
    used = -1  # no newline before the first block
    for quote in side.quotes:
        room = limit - used - 1
        arrow = _arrow(quote, room // 2 if not shown else room - MIN_QUOTE_CHARS)
        if shown and (room - len(arrow) < MIN_QUOTE_CHARS or (quote.url and not arrow)):
            break
        block = block_quote(quote.quote, terms, room - len(arrow)) + arrow
        shown.append((quote, block))
        used += len(block) + 1
    return shown


def _arrow(quote: Quote, limit: int) -> str:
    """`` [↗](<link>)`` to the quote (else to the article) when it fits in ``limit``."""
    for target in (quote.link, quote.url):
        if target and ">" not in target and len(target) + 8 <= limit:
            return f" [↗](<{target}>)"
    return ""


def swap_label(outlet: str) -> str:
    """A swap button's label (plain text, at most 80 characters)."""
    return shorten(f"Swap {outlet}", 80)
