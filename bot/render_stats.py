"""``Stats`` as a Discord embed (``/stats``) and as terminal text (``coverage-bot stats``).

Pure functions, within Discord's limits like ``bot.render``: questions are what members
typed, so they are escaped (no Markdown, no pings) and cut; a list keeps whole lines only.
"""

from __future__ import annotations

from collections.abc import Iterable

import discord

from bot.render import COLOUR, FIELD_VALUE_LIMIT, escaped
from bot.stats import Stats

#: Lines each list of the embed shows at most; ``coverage-bot stats`` shows the full lists.
SHOWN = 5
#: Characters of a question shown in a list line.
QUESTION_CHARS = 150
NOTHING = "Nothing yet."


def stats_embed(stats: Stats, where: str, chart: str | None) -> discord.Embed:
    """The figures, the top gaps, the most-downvoted answers; ``chart`` the image file's name.

    ``where`` says whose questions these are ("this server").
    """
    embed = discord.Embed(
        title=f"Questions in the last {_days(stats.days)}",
        description=_figures(stats),
        colour=COLOUR,
    )
    gaps = (
        f"• {gap.count}× {escaped(gap.question, QUESTION_CHARS)} (last {gap.last_asked})"
        for gap in stats.unanswered[:SHOWN]
    )
    embed.add_field(name="Asked but not answered", value=_joined(gaps), inline=False)
    missing = (f"{escaped(term, 60)} ({n})" for term, n in stats.top_missing_terms)
    embed.add_field(name="Words no article uses", value=_joined(missing, ", "), inline=False)
    downvoted = (
        f"• 👎 {v.downs} · 👍 {v.ups} — {escaped(v.question, QUESTION_CHARS)}"
        for v in stats.downvoted[:SHOWN]
    )
    embed.add_field(name="Most-downvoted answers", value=_joined(downvoted), inline=False)
    cited = (f"• {escaped(article, 80)} ({n})" for article, n in stats.top_articles[:SHOWN])
    embed.add_field(name="Most-cited articles", value=_joined(cited), inline=False)
    if chart is not None:
        embed.set_image(url=f"attachment://{chart}")
    embed.set_footer(text=f"{where} · dates in UTC · coverage-bot stats --help for the rest")
    return embed


def stats_text(stats: Stats) -> str:
    """The stats for a terminal: the figures, then each ranked list in full."""
    sections = [
        f"Questions in the last {_days(stats.days)}: {_figures(stats)}",
        _section(
            "Asked but not answered",
            (f"{g.count:>4}× {g.question} (last {g.last_asked})" for g in stats.unanswered),
        ),
        _section("Words no article uses", (f"{n:>4}  {t}" for t, n in stats.top_missing_terms)),
        _section(
            "Most-downvoted answers",
            (f"{v.downs:>4} down, {v.ups} up: {v.question}" for v in stats.downvoted),
        ),
        _section("Most-cited articles", (f"{n:>4}  {a}" for a, n in stats.top_articles)),
    ]
    return "\n\n".join(sections)


def _figures(stats: Stats) -> str:
    return (
        f"{stats.questions} asked, {stats.answered} answered, {stats.declined} declined "
        f"({stats.answer_rate:.0%} answered); votes: {stats.ups} 👍, {stats.downs} 👎"
    )


def _days(days: int) -> str:
    return "day" if days == 1 else f"{days} days"


def _joined(items: Iterable[str], separator: str = "\n") -> str:
    """Whole items, as many as fit in a field; "Nothing yet." when there are none.

    Items are rendered already: cutting the joined text could split an escape.
    """
    kept: list[str] = []
    used = -len(separator)
    for item in items:
        used += len(separator) + len(item)
        if used > FIELD_VALUE_LIMIT:
            break
        kept.append(item)
    return separator.join(kept) or NOTHING


def _section(heading: str, lines: Iterable[str]) -> str:
    listed = list(lines)
    return "\n".join([f"{heading}:", *listed]) if listed else f"{heading}: none"
