"""The Discord side of coverage-bot: turns answers and articles into messages and back."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import CoverageBot
    from bot.settings import Settings


def create_bot(settings: Settings | None = None) -> CoverageBot:
    """Build the bot with its settings, live coverage and feedback store; never connects.

    The index is opened (built first when missing or stale) here, before the event loop
    serves anyone.
    """
    from bot.client import CoverageBot, ShardedCoverageBot
    from bot.feedback import Feedback
    from bot.settings import Settings
    from index.answering.answer import prepare
    from index.storage.live import LiveCoverage

    settings = settings or Settings()
    live = LiveCoverage(settings.maintainer(), prepare)
    feedback = Feedback.in_folder(settings.data_dir)
    if settings.shard_count is None:
        return CoverageBot(settings, live, feedback)
    return ShardedCoverageBot(
        settings, live, feedback, shard_count=settings.shard_count, shard_ids=settings.shard_ids
    )
