"""Days typed into slash-command options (``since:``, ``until:``), read strictly."""

from __future__ import annotations

from datetime import date

from bot.errors import CoverageError
from bot.render import escaped


def parse_day(text: str | None, option: str) -> date | None:
    """A ``YYYY-MM-DD`` option as a date (None when empty); a clear message when it is not one."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CoverageError(
            f"`{option}:` takes a date like 2022-02-12, not “{escaped(text, 40)}”."
        ) from None
