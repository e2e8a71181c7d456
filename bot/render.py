"""Pure functions from answers and articles to Discord embeds and text, within Discord's limits.

Quoted words are never changed: quotes are escaped (Markdown and mentions, so a quote holding
``@everyone`` or ``**`` renders as text and pings nobody) and only wrapped in bold where they
match the question. Anything too long is cut at a sentence end, else at a word, and the cut
is marked with an ellipsis. Nothing here talks to Discord.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from index.analyze import analyze
from index.coverage import ArticleMeta
from index.models import Answer, Citation

#: Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_LIMIT = 25
EMBED_TOTAL_LIMIT = 6000
FOOTER_LIMIT = 2048
#: What an answer embed's description may use, so title, fields and footer fit in the total.
ANSWER_DESCRIPTION_BUDGET = 3000
#: Articles per page of ``/articles``.
ARTICLES_PER_PAGE = 8
COLOUR = discord.Colour.from_rgb(47, 110, 186)
FOOTER = "Quotes are verbatim from the coverage · links open the article at the quote"
ELLIPSIS = "…"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)")


def escape(text: str) -> str:
    """Text that renders literally: no Markdown, no mentions."""
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits, else cut at the last sentence end (else word) that fits, plus "…"."""
    if len(text) <= limit:
        return text
    room = text[: max(0, limit - len(ELLIPSIS) - 1)]
    return _cut(room) + ELLIPSIS


def _cut(room: str) -> str:
    """The longest prefix of ``room`` that ends a sentence (or failing that, a word)."""
    ends = [m.end() for m in _SENTENCE_END.finditer(room + " ")]
    if ends and ends[-1] >= len(room) // 2:
        return room[: ends[-1]] + " "
    space = room.rfind(" ")
    return room[:space] if space > 0 else room


def highlight(quote: str, terms: frozenset[str]) -> str:
    """The escaped quote with the words that match the question's terms in bold."""
    text = discord.utils.escape_mentions(quote)
    pieces: list[str] = []
    cursor = 0
    for match in _WORD.finditer(text):
        pieces.append(discord.utils.escape_markdown(text[cursor : match.start()]))
        word = match.group()
        stems = analyze(word)
        pieces.append(f"**{word}**" if stems and stems[0] in terms else word)
        cursor = match.end()
    pieces.append(discord.utils.escape_markdown(text[cursor:]))
    return re.sub(r"\*\*(\s+)\*\*", r"\1", "".join(pieces))  # join neighbouring bold words


def block_quote(quote: str, terms: frozenset[str], limit: int) -> str:
    """The quote as a Markdown block quote within ``limit`` characters, cut at a sentence."""
    rendered = _quoted(quote, terms)
    plain = quote
    while len(rendered) > limit and plain:
        plain = _cut(plain[:-1]).rstrip()
        rendered = _quoted(plain, terms) + " " + ELLIPSIS
    return rendered if len(rendered) <= limit else rendered[:limit]


def _quoted(quote: str, terms: frozenset[str]) -> str:
    return "> " + highlight(quote, terms).replace("\n", "\n> ")


def source_line(citation: Citation) -> str:
    """``[Title](<link>) · author · outlet · date``, escaped."""
    title = escape(shorten(citation.title, 150))
    target = citation.link or citation.url
    head = f"[{title}](<{target}>)" if target and len(target) <= 1024 else f"**{title}**"
    details = [escape(v) for v in (citation.author, citation.outlet, citation.published) if v]
    return " · ".join([head, *details])


def answer_embed(answer: Answer, terms: frozenset[str]) -> discord.Embed:
    """The embed for an answered question: best quote, its source, up to two more quotes."""
    best, *others = answer.citations
    source = source_line(best)
    quote = block_quote(best.quote, terms, ANSWER_DESCRIPTION_BUDGET - len(source) - 2)
    embed = discord.Embed(
        title=shorten(escape(answer.question) or "Your question", TITLE_LIMIT),
        description=f"{quote}\n\n{source}",
        colour=COLOUR,
    )
    for citation in others[:2]:
        line = source_line(citation)
        name = shorten(f"Also: {citation.title}", 100)
        value = block_quote(citation.quote, terms, FIELD_VALUE_LIMIT - len(line) - 1)
        embed.add_field(
            name=escape(name)[:FIELD_NAME_LIMIT], value=f"{value}\n{line}", inline=False
        )
    embed.set_footer(text=FOOTER)
    return embed


def answer_text(answer: Answer, terms: frozenset[str]) -> str:
    """The answer as plain message content, for channels where the bot may not embed links."""
    best = answer.citations[0]
    link = f"\n<{best.link or best.url}>" if (best.link or best.url) else ""
    byline = " · ".join(
        escape(v) for v in (best.title, best.author, best.outlet, best.published) if v
    )
    tail = f"\n— {byline}{link}"
    return block_quote(best.quote, terms, CONTENT_LIMIT - len(tail)) + tail


def decline_text(answer: Answer) -> str:
    """What the bot says when the coverage does not answer, or the question cannot be asked."""
    if not answer.missing_terms and not answer.suggestions:
        return shorten(escape(answer.answer), CONTENT_LIMIT)
    lines = ["**The coverage doesn't say.**"]
    if answer.missing_terms:
        words = ", ".join(f"**{escape(w)}**" for w in answer.missing_terms[:10])
        lines.append(f"No article in the coverage mentions {words}.")
    else:
        lines.append("No passage speaks to the whole question.")
    if answer.suggestions:
        lines.append("Closest articles:")
        for suggestion in answer.suggestions:
            title = escape(shorten(suggestion.title, 150))
            lines.append(f"• [{title}](<{suggestion.url}>)" if suggestion.url else f"• {title}")
    return shorten("\n".join(lines), CONTENT_LIMIT)


def paragraph_embed(meta: ArticleMeta, paragraph: str, start: int, end: int) -> discord.Embed:
    """The quote's paragraph with the quote in bold (``start``/``end`` within ``paragraph``)."""
    before, quote, after = paragraph[:start], paragraph[start:end], paragraph[end:]
    budget = DESCRIPTION_LIMIT - 10
    quote_md = escape(quote)
    room = max(0, budget - len(quote_md) - 4) // 2
    head = escape(before[-room:]) if len(before) > room else escape(before)
    tail = escape(after[:room]) if len(after) > room else escape(after)
    head = (ELLIPSIS + head) if len(before) > room else head
    tail = (tail + ELLIPSIS) if len(after) > room else tail
    embed = discord.Embed(
        title=shorten(escape(meta.title), TITLE_LIMIT),
        url=meta.url,
        description=f"{head}**{quote_md}**{tail}"[:DESCRIPTION_LIMIT],
        colour=COLOUR,
    )
    embed.set_footer(text=shorten(_byline(meta), FOOTER_LIMIT) or "From the coverage")
    return embed


def article_embed(meta: ArticleMeta, first_paragraph: str, passages: int) -> discord.Embed:
    """One article's card: metadata, first paragraph, link."""
    embed = discord.Embed(
        title=shorten(escape(meta.title), TITLE_LIMIT),
        url=meta.url,
        description=shorten(escape(first_paragraph), 1500),
        colour=COLOUR,
    )
    for name, value in (
        ("Author", meta.author),
        ("Outlet", meta.outlet),
        ("Published", meta.published),
    ):
        if value:
            embed.add_field(name=name, value=shorten(escape(value), FIELD_VALUE_LIMIT))
    embed.set_footer(text=f"{meta.id} · {passages} passages")
    return embed


def articles_embed(metas: Sequence[ArticleMeta], page: int) -> discord.Embed:
    """Page ``page`` (from 0) of the coverage as a list."""
    pages = page_count(len(metas))
    first = page * ARTICLES_PER_PAGE
    lines = []
    for number, meta in enumerate(metas[first : first + ARTICLES_PER_PAGE], start=first + 1):
        title = escape(shorten(meta.title, 120))
        head = f"[{title}](<{meta.url}>)" if meta.url else f"**{title}**"
        lines.append(shorten(f"**{number}.** {head}\n{escape(_byline(meta))}", 480))
    embed = discord.Embed(
        title=f"The coverage: {len(metas):,} article{'s' if len(metas) != 1 else ''}",
        description="\n\n".join(lines) or "No articles yet.",
        colour=COLOUR,
    )
    embed.set_footer(text=f"Page {page + 1} of {pages} · /article shows one article")
    return embed


def page_count(items: int) -> int:
    """Pages ``/articles`` needs for ``items`` articles (at least one)."""
    return max(1, -(-items // ARTICLES_PER_PAGE))


def help_embed(articles: int) -> discord.Embed:
    """What the bot does and how to ask."""
    embed = discord.Embed(
        title="coverage-bot",
        description=(
            f"I answer questions about {articles:,} articles of news coverage with **verbatim "
            "quotes** and links that open each article at the quote. There is no AI writing "
            "here: if the coverage doesn't say, I tell you so."
        ),
        colour=COLOUR,
    )
    embed.add_field(
        name="Ask",
        value=(
            "`/ask question:` — or mention me with your question, or DM me. Reply to one of my "
            "answers (mentioning me) to follow up."
        ),
        inline=False,
    )
    embed.add_field(
        name="Example",
        value="`/ask question: Why does the Biden administration keep talking to Putin?`",
        inline=False,
    )
    embed.add_field(
        name="Browse",
        value="`/articles` lists the coverage, `/article` shows one article.",
        inline=False,
    )
    embed.set_footer(text=FOOTER)
    return embed


def _byline(meta: ArticleMeta) -> str:
    return " · ".join(v for v in (meta.author, meta.outlet, meta.published) if v)


def embed_fits(embed: discord.Embed) -> bool:
    """Whether ``embed`` respects every Discord limit (used by tests and as a last guard)."""
    fields_ok = all(
        len(f.name or "") <= FIELD_NAME_LIMIT and len(f.value or "") <= FIELD_VALUE_LIMIT
        for f in embed.fields
    )
    return (
        len(embed.title or "") <= TITLE_LIMIT
        and len(embed.description or "") <= DESCRIPTION_LIMIT
        and len(embed.fields) <= FIELDS_LIMIT
        and fields_ok
        and len(embed.footer.text or "") <= FOOTER_LIMIT
        and len(embed) <= EMBED_TOTAL_LIMIT
    )
