"""Errors whose message is safe to show a Discord user as it is."""

from __future__ import annotations

import math

from bot.render import escaped


class CoverageError(Exception):
    """A failure the user should hear about; ``str(error)`` is the whole, polite message."""


class NoSuchArticleError(CoverageError):
    """An article id from autocomplete, a button or the user's typing that the coverage lacks."""

    def __init__(self, article_id: str) -> None:
        super().__init__(
            f"There is no article “{escaped(article_id, 80)}” in the coverage (it may have been "
            "removed). Try `/articles` to see what there is."
        )


class SourceGoneError(CoverageError):
    """A button points at an answer, article or passage that a rebuild changed or removed."""

    def __init__(self) -> None:
        super().__init__("This source is gone: the coverage changed since this answer was given.")


class CooldownError(CoverageError):
    """The user asked more often than the cooldown allows."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"You're asking quickly — try again in {math.ceil(retry_after)} s.")
        self.retry_after: float = retry_after


class FeedbackUnavailableError(CoverageError):
    """The store of answers and votes cannot be used for a moment (locked, damaged, disk)."""

    def __init__(self) -> None:
        super().__init__(
            "I can't reach my record of answers right now; please try again in a moment."
        )
