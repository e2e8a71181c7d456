"""Pure functions from answers and articles to Discord embeds and text, within Discord's limits.

Quoted words are never changed. A quote is escaped as a whole first (Markdown with
``discord.utils.escape_markdown``, mentions with ``escape_mentions``), so a quote holding
``@everyone``, ``**`` or a ``[masked](link)`` renders as text and pings nobody; only then are
the words that match the question wrapped in bold. Escaping only ever puts a backslash before
punctuation, so words in the escaped text are the quote's words, and wrapping them cannot
split an escape. Anything too long is cut at a sentence end, else at a word, and the cut is
marked with an ellipsis; cuts are made in the plain text and rendered again, so a cut never
breaks an escape or a bold pair. Nothing here talks to Discord.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote

import discord

from bot import render_feeds
from index.analyze import analyze
from index.ingest.feedstore import Feed
from index.models import Answer, Article, Citation, Summary, byline, byline_parts
from index.storage.coverage import ArticleMeta

#: Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_LIMIT = 25
EMBED_TOTAL_LIMIT = 6000
FOOTER_LIMIT = 2048
#: Discord's limit on a button's label.
LABEL_LIMIT = 80
#: What an answer embed's description may use, so title, fields and footer fit in the total.
ANSWER_DESCRIPTION_BUDGET = 3000
#: Articles per page of ``/articles``.
ARTICLES_PER_PAGE = 8
COLOUR = discord.Colour.from_rgb(47, 110, 186)
FOOTER = "Quotes are verbatim from the coverage · links open the article at the quote"
ELLIPSIS = "…"

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)")
#: Discord's own pattern for links that escape_markdown leaves alone; no bold goes inside one.
_URL = re.compile(r"<[^: >]+:/[^ >]+>|(?:https?|steam)://[^\s<]+[^<.,:;\"'\]\s]")
#: A bracket with no backslash before it; inside link text it would end the link early.
_BARE_BRACKET = re.compile(r"(?<!\\)([\[\]])")
#: A link (kept whole) or a bracket with no backslash before it. ``escape_markdown`` escapes
#: only the first ``[`` of "[a](x) [b](y)": its pattern for a masked link is greedy.
_LINK_OR_BRACKET = re.compile(rf"({_URL.pattern})|(?<!\\)\[")
#: What would end a ``<url>`` link early, leaving the rest of the URL to be read as Markdown.
_LINK_BREAKING = re.compile(r"[\s<>]")


def escape(text: str) -> str:
    """Text that renders literally: no Markdown, no mentions."""
    lines = discord.utils.escape_mentions(text).split("\n")
    # Line by line from the first non-blank character: escape_markdown puts the backslash for
    # an indented list dash before the indentation (or the line break), where Discord shows it.
    escaped = "\n".join(
        line[: len(line) - len(rest)] + discord.utils.escape_markdown(rest)
        for line, rest in ((line, line.lstrip(" \t")) for line in lines)
    )
    return _LINK_OR_BRACKET.sub(lambda found: found.group(1) or "\\[", escaped)


def fit(text: str, limit: int, render: Callable[[str], str] = str) -> str:
    """``render(text)`` if that fits in ``limit``, else a cut prefix rendered, plus "…".

    The cut is the last sentence end that fits (when it keeps at least half of what fits),
    else the last word end, else a plain character cut for text without spaces.
    """
    whole = render(text)
    if len(whole) <= limit:
        return whole
    budget = limit - len(ELLIPSIS) - 1  # room for " …"
    low, high = 0, len(text)  # the longest prefix whose rendering fits, by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if len(render(text[:middle])) <= budget:
            low = middle
        else:
            high = middle - 1
    cut, sentence = _boundary(text, low)
    short = render(text[:cut].rstrip()) + (" " if sentence else "") + ELLIPSIS
    return short if len(short) <= limit else ELLIPSIS[:limit]


def _boundary(text: str, room: int) -> tuple[int, bool]:
    """Where to cut ``text`` within its first ``room`` characters, and whether at a sentence."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, room + 1) if m.end() <= room]
    if ends and ends[-1] >= room // 2:
        return ends[-1], True
    if room < len(text) and text[room].isspace():
        return room, False
    space = max(text.rfind(" ", 0, room), text.rfind("\n", 0, room))
    return (space, False) if space > 0 else (room, False)


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits, else cut at the last sentence end (else word) that fits, plus "…"."""
    return fit(text, limit)


def escaped(text: str, limit: int) -> str:
    """``escape(text)`` within ``limit`` characters, cut in the plain text."""
    return fit(text, limit, escape)


@functools.lru_cache(maxsize=8192)
def _term(word: str) -> str | None:
    """The analysed term of one word (None for stopwords), as the index would see it."""
    terms = analyze(word)
    return terms[0] if terms else None


def highlight(quote: str, terms: frozenset[str]) -> str:
    """The escaped quote with the words that match the question's terms in bold.

    Neighbouring bold words on one line share one bold span; nothing inside a link is bolded,
    since the asterisks would change where the link goes.
    """
    text = escape(quote)
    links = [m.span() for m in _URL.finditer(text)]
    spans: list[tuple[int, int]] = []
    for match in _WORD.finditer(text):
        if _term(match.group()) not in terms:
            continue
        if any(start <= match.start() < end for start, end in links):
            continue
        gap = text[spans[-1][1] : match.start()] if spans else None
        if gap is not None and gap.strip(" \t") == "":
            spans[-1] = (spans[-1][0], match.end())
        else:
            spans.append(match.span())
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces += [text[cursor:start], "**", text[start:end], "**"]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def block_quote(quote: str, terms: frozenset[str], limit: int) -> str:
    """The quote as a Markdown block quote within ``limit`` characters, cut at a sentence."""
    return fit(quote, limit, lambda text: _quoted(text, terms))


def _quoted(quote: str, terms: frozenset[str]) -> str:
    return "> " + highlight(quote, terms).replace("\n", "\n> ")


def _link_text(title: str, limit: int) -> str:
    """A title made safe as the text of a Markdown link (brackets escaped too)."""
    return fit(title, limit, lambda text: _BARE_BRACKET.sub(r"\\\1", escape(text)))


def source_line(citation: Citation) -> str:
    """``[Title](<link>) · author · outlet · date``, escaped."""
    target = citation.link or citation.url
    if target and len(target) <= 1024 and ">" not in target:
        head = f"[{_link_text(citation.title, 150)}](<{target}>)"
    else:
        head = f"**{escaped(citation.title, 150)}**"
    details = [escaped(v, 100) for v in byline_parts(citation)]
    return " · ".join([head, *details])


def quote_check(quote: str) -> str:
    """Four hex digits identifying a quote, so a button can tell when its text has changed."""
    return f"{zlib.crc32(quote.encode()) & 0xFFFF:04x}"


def answer_embed(answer: Answer, terms: frozenset[str]) -> discord.Embed:
    """The embed for an answered question: best quote, its source, up to two more quotes."""
    best, *others = answer.citations
    source = source_line(best)
    # An answer from bylines and titles states its fact first; the quote shows the article.
    fact = f"{escaped(answer.answer, 1000)}\n\n" if answer.from_metadata else ""
    budget = ANSWER_DESCRIPTION_BUDGET - len(fact) - len(source) - 2
    quote = block_quote(best.quote, terms, budget)
    embed = discord.Embed(
        title=escaped(answer.question, TITLE_LIMIT) or "Your question",
        description=f"{fact}{quote}\n\n{source}",
        colour=COLOUR,
    )
    for citation in others[:2]:
        line = source_line(citation)
        value = block_quote(citation.quote, terms, FIELD_VALUE_LIMIT - len(line) - 1)
        embed.add_field(
            name=escaped(f"Also: {citation.title}", 100), value=f"{value}\n{line}", inline=False
        )
    embed.set_footer(text=FOOTER)
    return embed


def answer_text(answer: Answer, terms: frozenset[str]) -> str:
    """The answer as plain message content, for channels where the bot may not embed links."""
    best = answer.citations[0]
    target = best.link or best.url
    link = f"\n<{target}>" if target and len(target) <= 1000 and ">" not in target else ""
    credit = " · ".join(escaped(v, 150) for v in (best.title, *byline_parts(best)) if v)
    tail = f"\n— {credit}{link}"
    fact = f"{escaped(answer.answer, 500)}\n" if answer.from_metadata else ""
    return fact + block_quote(best.quote, terms, CONTENT_LIMIT - len(fact) - len(tail)) + tail


def source_label(citation: Citation) -> str:
    """A link button's label for a source: its title (labels are plain text, not Markdown)."""
    return shorten(citation.title, LABEL_LIMIT) or "Open source"


def decline_text(answer: Answer) -> str:
    """What the bot says when the coverage does not answer, or the question cannot be asked."""
    if answer.citations:
        return closest_text(answer)
    if not answer.missing_terms and not answer.suggestions:
        return escaped(answer.answer, CONTENT_LIMIT)
    lines = ["**The coverage doesn't say.**"]
    if answer.missing_terms:
        words = ", ".join(f"**{escaped(w, 60)}**" for w in answer.missing_terms[:10])
        lines.append(f"No article in the coverage mentions {words}.")
    else:
        lines.append("No passage speaks to the whole question.")
    if answer.suggestions:
        lines.append("Closest articles:")
        for suggestion in answer.suggestions[:5]:
            url = suggestion.url
            if url and len(url) <= 1000 and ">" not in url:
                lines.append(f"• [{_link_text(suggestion.title, 150)}](<{url}>)")
            else:
                lines.append(f"• {escaped(suggestion.title, 150)}")
    # Each line is bounded, so this only trims whole lines if a future change adds more.
    while len("\n".join(lines)) > CONTENT_LIMIT:
        lines.pop()
    return "\n".join(lines)


def closest_text(answer: Answer) -> str:
    """Not an answer, but the closest passages, each quoted with its source, clearly labelled."""
    lines = ["**The coverage doesn't answer this directly.** Closest passages:"]
    room = (CONTENT_LIMIT - len(lines[0])) // max(1, len(answer.citations[:3])) - 4
    for citation in answer.citations[:3]:
        source = source_line(citation)
        lines.append(
            f"{block_quote(citation.quote, frozenset(), room - len(source) - 1)}\n{source}"
        )
    while len("\n".join(lines)) > CONTENT_LIMIT:
        lines.pop()
    return "\n".join(lines)


def summary_embed(heading: str, summary: Summary, sources: dict[str, ArticleMeta]) -> discord.Embed:
    """A summary as one embed: sentences grouped by article, each linked to its place.

    Whole sentences only, so no link or bold is cut in half; a first sentence too long for
    the embed on its own is cut in its plain text.
    """
    blocks: list[str] = []
    used = 0
    current: str | None = None
    for sentence in summary.sentences:
        meta = sources.get(sentence.article_id or "")
        header = ""
        if meta is not None and meta.id != current and len(sources) > 1:
            current = meta.id
            header = f"**{escaped(meta.title, 200)}** · {escape(byline(meta))}\n"
        link = f" [↗](<{sentence.link}>)" if sentence.link and len(sentence.link) <= 1024 else ""
        block = f"{header}• {escape(sentence.text)}{link}"
        if used + len(block) + 1 > ANSWER_DESCRIPTION_BUDGET:
            if not blocks:
                room = ANSWER_DESCRIPTION_BUDGET - len(header) - len(link) - 2
                blocks.append(f"{header}• {escaped(sentence.text, room)}{link}")
            else:
                blocks.append(ELLIPSIS)
            break
        blocks.append(block)
        used += len(block) + 1
    embed = discord.Embed(
        title=escaped(heading, TITLE_LIMIT), description="\n".join(blocks), colour=COLOUR
    )
    embed.set_footer(
        text="Every sentence is verbatim from the coverage · ↗ opens it in the article"
    )
    return embed


def paragraph_embed(meta: ArticleMeta, paragraph: str, start: int, end: int) -> discord.Embed:
    """The quote's paragraph with the quote in bold (``start``/``end`` within ``paragraph``).

    A paragraph too long for the embed keeps the quote and as much context either side as
    fits, cut at words and marked with an ellipsis; a quote too long on its own is cut.
    """
    before, quote, after = paragraph[:start], paragraph[start:end], paragraph[end:]
    context = _context_fitting(before, quote, after, DESCRIPTION_LIMIT)
    if context is None:
        description = "**" + escaped(quote, DESCRIPTION_LIMIT - 4) + "**"
    else:
        description = _in_context(before, quote, after, context)
    embed = discord.Embed(
        title=escaped(meta.title, TITLE_LIMIT),
        url=meta.url,
        description=description,
        colour=COLOUR,
    )
    embed.set_footer(text=shorten(byline(meta), FOOTER_LIMIT) or "From the coverage")
    return embed


#: Private-use characters marking the quote while the paragraph is escaped as a whole.
_OPEN, _CLOSE = "\ue000", "\ue001"


def _in_context(before: str, quote: str, after: str, context: int) -> str:
    """The quote in bold with up to ``context`` characters of its paragraph on each side."""
    head = before[max(0, len(before) - context) :]
    if len(head) < len(before):
        head = ELLIPSIS + head[head.find(" ") + 1 :] if " " in head else ELLIPSIS
    tail = after[:context]
    if len(tail) < len(after):
        tail = tail[: tail.rfind(" ")] + ELLIPSIS if " " in tail else ELLIPSIS
    # Escaping the whole paragraph at once keeps escapes that depend on line starts right.
    text = escape(head + _OPEN + quote + _CLOSE + tail)
    return text.replace(_OPEN, "**").replace(_CLOSE, "**")


def _context_fitting(before: str, quote: str, after: str, limit: int) -> int | None:
    """The most context per side that keeps the paragraph view within ``limit`` (None: none)."""
    if len(_in_context(before, quote, after, 0)) > limit:
        return None
    low, high = 0, max(len(before), len(after))
    while low < high:
        middle = (low + high + 1) // 2
        if len(_in_context(before, quote, after, middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def article_embed(meta: ArticleMeta, first_paragraph: str, passages: int) -> discord.Embed:
    """One article's card: metadata, first paragraph, link."""
    embed = discord.Embed(
        title=escaped(meta.title, TITLE_LIMIT),
        url=meta.url,
        description=escaped(first_paragraph, 1500),
        colour=COLOUR,
    )
    for name, value in (
        ("Author", meta.author),
        ("Outlet", meta.outlet),
        ("Published", meta.published),
    ):
        if value:
            embed.add_field(name=name, value=escaped(value, FIELD_VALUE_LIMIT))
    embed.set_footer(text=f"{meta.id} · {passages} passages")
    return embed


def articles_embed(metas: Sequence[ArticleMeta], page: int) -> discord.Embed:
    """Page ``page`` (from 0) of the coverage as a list."""
    pages = page_count(len(metas))
    first = page * ARTICLES_PER_PAGE
    lines = []
    for number, meta in enumerate(metas[first : first + ARTICLES_PER_PAGE], start=first + 1):
        head = linked_title(meta.title, meta.url, 120)
        lines.append(f"**{number}.** {head}\n{escaped(byline(meta), 300)}")
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


def linked_title(title: str, url: str | None, limit: int) -> str:
    """``[Title](<url>)`` escaped, or the title in bold when there is no usable link."""
    if url and len(url) <= 1000 and not _LINK_BREAKING.search(url):
        return f"[{_link_text(title, limit)}](<{url}>)"
    return f"**{escaped(title, limit)}**"


def bracketed_url(url: str) -> str:
    """``<url>``: one link, shown without a preview.

    Spaces, ``<`` and ``>`` are percent-encoded: any of them would end the link, and what
    follows (``>[x](https://evil.example)``) would render as Markdown of someone else's making.
    """
    return "<" + _LINK_BREAKING.sub(lambda found: quote(found.group()), url) + ">"


def added_text(articles: Sequence[Article], problems: Iterable[str]) -> str:
    """The reply to ``/add``: each article added, each problem (which quotes the URL typed).

    Titles come from the fetched page and problems from what the member typed: both escaped.
    """
    lines = [f"Added “{escaped(a.title, 300)}” ({escape(a.id)})." for a in articles]
    lines += [f"Not added: {escape(problem)}" for problem in problems]
    return shorten("\n".join(lines), CONTENT_LIMIT)


#: Characters of a feed's name, and of its state line, shown in a ``/feeds`` reply.
FEED_NAME_CHARS = 100
FEED_STATE_CHARS = 400
NO_FEEDS = "No feeds are followed yet. Add one with `/feeds add`."


def _feed_named(feed: Feed) -> str:
    """The feed's name, escaped and in bold, and its URL as one link nothing breaks out of."""
    return f"**{escaped(feed.name, FEED_NAME_CHARS)}** ({bracketed_url(feed.url)})"


def followed_text(feed: Feed) -> str:
    """The reply to ``/feeds add``."""
    return (
        f"Following {_feed_named(feed)} every {feed.every_minutes} minutes; "
        "its articles arrive within a minute or two."
    )


def stopped_text(feed: Feed) -> str:
    """The reply to ``/feeds remove``."""
    return f"Stopped following {_feed_named(feed)}."


def feeds_text(feeds: Sequence[Feed]) -> str:
    """The reply to ``/feeds list``: each feed's name, link and state, within one message."""
    lines = [
        f"**{escaped(f.name, FEED_NAME_CHARS)}** {bracketed_url(f.url)}\n"
        f"{escaped(render_feeds.describe(f), FEED_STATE_CHARS)}"
        for f in feeds
    ]
    return shorten("\n".join(lines), CONTENT_LIMIT) if lines else NO_FEEDS


def new_articles_text(articles: Sequence[Article]) -> str:
    """The announcement of a feed poll: "3 new articles in the coverage" and each title linked.

    Titles that do not fit in one message are counted in a last "… and N more" line.
    """
    count = len(articles)
    lines = [f"**{count} new article{'s' if count != 1 else ''} in the coverage**"]
    room = CONTENT_LIMIT - len(lines[0]) - len(f"\n{ELLIPSIS} and {count} more")
    for shown, article in enumerate(articles):
        line = "• " + linked_title(" ".join(article.title.split()), article.url, 150)
        if len(line) + 1 > room:
            lines.append(f"{ELLIPSIS} and {count - shown} more")
            break
        lines.append(line)
        room -= len(line) + 1
    return "\n".join(lines)


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
            "answers (mentioning me) to follow up: a short follow-up such as “and Xi Jinping?” "
            "borrows the words of the question it replies to."
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
        value="`/articles` lists the coverage, `/article` shows one article, `/timeline topic:` "
        "what happened about a topic, by date.",
        inline=False,
    )
    embed.add_field(
        name="Overviews",
        value=(
            "`/summary` sums up an article, a topic or the whole coverage in its own sentences; "
            "`/compare topic:` shows how each source tells the same story, side by side."
        ),
        inline=False,
    )
    embed.add_field(
        name="For the people who run the server",
        value=(
            "`/add url:` and `/feeds` grow the coverage (members with the add role); `/stats` "
            "shows what was asked and what the coverage could not answer (Manage Server)."
        ),
        inline=False,
    )
    embed.set_footer(text=FOOTER)
    return embed


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
