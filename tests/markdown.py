"""Reading the bot's Markdown back the way Discord does, for assertions in tests.

Only what the renderer produces matters here: backslash escapes, ``**`` bold markers, ``> ``
block-quote prefixes, and the zero-width space ``escape_mentions`` puts after ``@``.
"""

from __future__ import annotations

import re


def split_bold(text: str) -> tuple[str, int]:
    """``text`` without its bold markers (escapes kept), and how many markers there were.

    A backslash escapes the character after it, so ``\\**`` is an escaped backslash
    followed by a marker, and ``\\***`` an escaped star followed by one.
    """
    kept: list[str] = []
    markers = 0
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            kept.append(text[i : i + 2])
            i += 2
        elif text.startswith("**", i):
            markers += 1
            i += 2
        else:
            kept.append(text[i])
            i += 1
    return "".join(kept), markers


def unescaped(text: str, characters: str) -> list[int]:
    """Positions of ``characters`` in ``text`` that no backslash escapes."""
    found = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in characters:
            found.append(i)
        i += 1
    return found


def visible(markdown: str, *, block_quote: bool = False) -> str:
    """What a reader sees of rendered text: no bold or escapes (nor ``> `` prefixes if quoted)."""
    text = re.sub(r"^> ", "", markdown, flags=re.MULTILINE) if block_quote else markdown
    text, _ = split_bold(text)
    return re.sub(r"\\(.)", r"\1", text).replace("\u200b", "")


#: A mention Discord would ping or render as one (``escape_mentions`` breaks each up).
_MENTION = re.compile(r"@(?:everyone|here)|<@[!&]?\d+>|<#\d+>")


def planted_markup(text: str, link: re.Pattern[str]) -> list[str]:
    """Masked links and mentions in ``text`` that no escape defuses, as Discord reads it.

    ``link`` is Discord's pattern for links (``bot.render._URL``): a ``<url>`` or bare URL is
    one link, read before any Markdown, so a bracket inside one starts nothing.
    """
    links = [match.span() for match in link.finditer(text)]
    brackets = [
        text[i:] for i in unescaped(text, "[") if not any(start <= i < end for start, end in links)
    ]
    mentions = [
        found.group()
        for found in _MENTION.finditer(text)
        if not any(start <= found.start() < end for start, end in links)
    ]
    return [b for b in brackets if re.match(r"\[[^\]]*\]\(", b)] + mentions
