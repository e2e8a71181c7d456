"""Autocomplete choices over article titles, shared by ``/article`` and ``/summary``."""

from __future__ import annotations

from collections.abc import Sequence

from discord import app_commands

from bot.render import shorten
from index.storage.coverage import ArticleMeta

#: Discord shows at most 25 autocomplete choices, each name at most 100 characters.
MAX_CHOICES = 25
CHOICE_NAME_LIMIT = 100


def title_choices(metas: Sequence[ArticleMeta], typed: str) -> list[app_commands.Choice[str]]:
    """Up to 25 articles whose title, outlet or author contains ``typed``, newest first."""
    wanted = typed.casefold().strip()
    found = [
        meta
        for meta in metas
        if not wanted
        or wanted in f"{meta.title} {meta.outlet or ''} {meta.author or ''}".casefold()
    ]
    found.sort(key=lambda meta: meta.published or "", reverse=True)
    return [
        app_commands.Choice(name=_choice_name(meta), value=meta.id) for meta in found[:MAX_CHOICES]
    ]


def _choice_name(meta: ArticleMeta) -> str:
    suffix = f" ({meta.published})" if meta.published else ""
    return shorten(meta.title, CHOICE_NAME_LIMIT - len(suffix)) + suffix
