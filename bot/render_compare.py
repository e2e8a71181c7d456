"""Pure functions from a comparison to its Discord embed, within Discord's limits.

One embed: the note (a single source, a silent side) as its description, one field per side
(the outlet as the field's name, its quotes as block quotes, each with a ↗ link that opens
the article at the quote), and the "Only X mentions …" line in a last field under them.
Quotes are escaped and cut like answers' (``bot.render``); the sides share what the 6,000
characters of an embed leave after the title, the note and the differences.
"""

from __future__ import annotations

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
#: What a named source with nothing on the topic shows in its field.
SILENT = "*Nothing on this topic.*"


def compare_title(topic: str) -> str:
    """The embed's title: the topic as asked."""
    return escaped(f"How the sources tell it: {topic}", TITLE_LIMIT)


def compare_embed(comparison: Comparison, terms: frozenset[str]) -> discord.Embed:
    """The comparison as one embed; ``terms`` are shown in bold in the quotes."""
    embed = discord.Embed(
        title=compare_title(comparison.topic),
        description=escaped(comparison.note, NOTE_CHARS) or None,
        colour=COLOUR,
    )
    embed.set_footer(text=FOOTER)
    differences = escaped(" ".join(only_in_lines(comparison)), ONLY_IN_CHARS)
    sides = comparison.sides
    names = [side_name(side) for side in sides]
    fixed = len(embed) + len(differences) + len(ONLY_IN_NAME) + sum(len(n) for n in names)
    share = min(FIELD_VALUE_LIMIT, (EMBED_TOTAL_LIMIT - fixed) // max(1, len(sides)))
    for name, side in zip(names, sides, strict=True):
        embed.add_field(name=name, value=side_value(side, terms, share), inline=False)
    if differences:
        embed.add_field(name=ONLY_IN_NAME, value=differences, inline=False)
    return embed


def side_name(side: Side) -> str:
    """A side's field name: the outlet and how many of its articles speak to the topic."""
    count = f" · {side.articles} article{'s' if side.articles != 1 else ''}" if side.quotes else ""
    return escaped(side.outlet, SIDE_NAME_CHARS - len(count)) + count


def side_value(side: Side, terms: frozenset[str], limit: int) -> str:
    """A side's quotes, each with its ↗ link, within ``limit`` characters."""
    if not side.quotes:
        return SILENT
    share = (limit - (len(side.quotes) - 1)) // len(side.quotes)
    blocks = []
    for quote in side.quotes:
        link = _arrow(quote, share // 2)
        blocks.append(block_quote(quote.quote, terms, share - len(link)) + link)
    return "\n".join(blocks)


def _arrow(quote: Quote, limit: int) -> str:
    """`` [↗](<link>)`` to the quote (else to the article) when it fits in ``limit``."""
    for target in (quote.link, quote.url):
        if target and ">" not in target and len(target) + 8 <= limit:
            return f" [↗](<{target}>)"
    return ""


def swap_label(outlet: str) -> str:
    """A swap button's label (plain text, at most 80 characters)."""
    return shorten(f"Swap {outlet}", 80)
