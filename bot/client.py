"""The bot: ``CoverageBot`` with its collaborators, the command tree, and the one error handler.

``CoverageBot`` gets its settings, the live coverage and the feedback store through its
constructor (``bot.create_bot`` builds them); ``setup_hook`` loads one extension per feature.
It asks for no privileged intent: mentions and DMs carry their text without the message
content intent (discord.py's ``Intents.message_content`` docs: content arrives without it
for messages that mention the client and for DMs), and everything else is a slash command.
Every message it sends allows no mentions, so a quote holding ``@everyone`` pings nobody.

Interactions get one answer within Discord's 3-second window: ``within_deadline`` waits a
moment for the work and acknowledges with "thinking…" only when it takes longer; ``respond``
then answers as the response or as a follow-up, and ``update`` edits a button's message.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import queue
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Literal, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import CoverageError
from bot.feedback import Feedback
from bot.settings import Settings
from index.answering.answer import answer as answer_question
from index.answering.workers import AnswerWorkers
from index.models import Answer
from index.storage.live import LiveCoverage
from index.storage.store import StoreError

log = logging.getLogger(__name__)

#: One extension per feature, loaded in this order.
EXTENSIONS = (
    "bot.cogs.ask",
    "bot.cogs.summary",
    "bot.cogs.articles",
    "bot.cogs.timeline",
    "bot.cogs.compare",
    "bot.cogs.help",
    "bot.cogs.admin",
    "bot.cogs.stats",
    "bot.cogs.feeds",
)
#: Said when something we did not foresee goes wrong; details go to the log only.
APOLOGY = "Sorry, something went wrong on my side while answering. Please try again in a moment."
#: Nothing the bot sends may ping anyone: the bot's default, and passed on every send as well.
NO_MENTIONS = discord.AllowedMentions.none()
#: Seconds to wait for an answer before acknowledging with "thinking…"; Discord allows 3.
DEFER_AFTER = 1.5
#: What a public "thinking…" message says for the moment before a private reply replaces it.
PRIVATE_REPLY = "Replied privately."
#: Passages from which ``COVERAGE_ANSWER_PROCESSES=auto`` answers on processes.
AUTO_PROCESSES_PASSAGES = 50_000
#: Most answering processes ``auto`` starts (each holds its own caches and numba's ~100 MiB).
AUTO_MAX_PROCESSES = 4
#: Seconds the bot's start waits for its answering processes to open the index.
ANSWERERS_START_SECONDS = 120.0
#: Set in ``Interaction.extras`` when "thinking…" was shown publicly.
_DEFERRED_PUBLICLY = "coverage-bot.deferred-publicly"

T = TypeVar("T")


def answer_processes(setting: int | Literal["auto"], passages: int, cores: int | None) -> int:
    """How many answering processes to start (``COVERAGE_ANSWER_PROCESSES``).

    ``auto``: one per core (at most ``AUTO_MAX_PROCESSES``) once the coverage holds
    ``AUTO_PROCESSES_PASSAGES`` passages, else none. One thread answers a question over a
    small coverage in a few milliseconds; at 100,000 passages it takes about 15-20 ms, and a
    burst of 200 questions then waits up to 4 s for one thread.
    """
    if setting != "auto":
        return setting
    if passages < AUTO_PROCESSES_PASSAGES:
        return 0
    return min(cores or 1, AUTO_MAX_PROCESSES)


async def within_deadline(
    interaction: discord.Interaction[Any],
    work: Awaitable[T],
    *,
    ephemeral: bool,
    updating: bool = False,
) -> T:
    """The result of ``work``; if it takes over ``DEFER_AFTER`` seconds, defer meanwhile.

    ``ephemeral`` is what the reply will most likely be; a deferral fixes it, and ``respond``
    handles a reply that turns out otherwise. ``updating``: a button whose answer edits its
    own message (``update``); the deferral then shows no "thinking…" message.
    """
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        if not done and not interaction.response.is_done():
            if updating:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=ephemeral, thinking=True)
                interaction.extras[_DEFERRED_PUBLICLY] = not ephemeral
    except BaseException:
        task.cancel()
        raise
    return await task


async def run_on(executor: Executor, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Await ``function(*args, **kwargs)`` run on ``executor``, off the event loop.

    Each kind of blocking work has its own executor, so that slow work of one kind (index
    work, a locked database, a feed server) never holds up another.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, functools.partial(function, *args, **kwargs))


async def respond(
    interaction: discord.Interaction[Any], *, ephemeral: bool = False, **message: Any
) -> None:
    """Answer the interaction: as its response, or after a deferral as a follow-up."""
    message["allowed_mentions"] = NO_MENTIONS
    if not interaction.response.is_done():
        await interaction.response.send_message(ephemeral=ephemeral, **message)
        return
    if ephemeral and interaction.extras.pop(_DEFERRED_PUBLICLY, False):
        # The first follow-up after a deferral completes the "thinking…" message and keeps
        # its visibility, public here (discord/discord-api-docs#2860). So complete it, remove
        # it, and the follow-up after that can be private.
        await interaction.edit_original_response(content=PRIVATE_REPLY)
        await interaction.delete_original_response()
    await interaction.followup.send(ephemeral=ephemeral, **message)


async def update(interaction: discord.Interaction[Any], **message: Any) -> None:
    """Edit the message whose button was clicked: as the response, or after a deferral."""
    message["allowed_mentions"] = NO_MENTIONS
    if interaction.response.is_done():
        await interaction.edit_original_response(**message)
    else:
        await interaction.response.edit_message(**message)


async def report_error(interaction: discord.Interaction[Any], error: Exception) -> None:
    """Tell the user, briefly and privately; log anything unforeseen with its traceback."""
    original = getattr(error, "original", error)  # unwrap CommandInvokeError and friends
    if isinstance(original, CoverageError):
        message = str(original)
    elif isinstance(original, app_commands.CheckFailure):
        message = "You can't use that command here."
    else:
        log.error("error in %s", _describe(interaction), exc_info=original)
        message = APOLOGY
    try:
        await respond(interaction, content=message, ephemeral=True)
    except discord.HTTPException as exc:
        log.warning("could not tell the user about an error in %s: %s", _describe(interaction), exc)


def _describe(interaction: discord.Interaction[Any]) -> str:
    """Where an interaction came from, for the log: never who (issue 15, no raw user id)."""
    command = interaction.command.qualified_name if interaction.command else "a component"
    return f"/{command} (guild {interaction.guild_id}, channel {interaction.channel_id})"


class CoverageTree(app_commands.CommandTree["CoverageBot"]):
    """The command tree, with the bot's single handler for app command errors."""

    async def on_error(
        self, interaction: discord.Interaction[CoverageBot], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)


class CoverageBot(commands.Bot):
    """Answers questions about the coverage; see ``bot.create_bot``."""

    user: discord.ClientUser

    def __init__(
        self, settings: Settings, live: LiveCoverage, feedback: Feedback, **options: Any
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            tree_cls=CoverageTree,
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            **options,
        )
        self.settings: Settings = settings
        self.live: LiveCoverage = live
        self.feedback: Feedback = feedback
        self.worker: ThreadPoolExecutor = ThreadPoolExecutor(1, thread_name_prefix="coverage-index")
        self.feedback_worker: ThreadPoolExecutor = ThreadPoolExecutor(
            1, thread_name_prefix="coverage-feedback"
        )
        #: Processes answering questions (``COVERAGE_ANSWER_PROCESSES``), once started.
        self.answerers: AnswerWorkers | None = None

    async def setup_hook(self) -> None:
        await self.start_answerers()
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.settings.sync_on_start:
            synced = await self.tree.sync()
            log.info("synced %d slash commands globally", len(synced))

    async def is_owner(self, user: discord.abc.User, /) -> bool:
        """``COVERAGE_OWNER_IDS`` and, besides them, the application's owner or team.

        Not discord.py's ``owner_ids``: once set, it stops asking who owns the application.
        """
        return user.id in self.settings.owner_ids or await super().is_owner(user)

    async def on_ready(self) -> None:
        coverage = self.live.current
        log.info(
            "ready as %s in %d servers, answering from %d articles",
            self.user,
            len(self.guilds),
            len(coverage),
        )

    async def on_command_error(
        self, ctx: commands.Context[Any], error: commands.CommandError
    ) -> None:
        """Owner commands: say briefly what was wrong; log the unforeseen."""
        if isinstance(error, commands.CommandNotFound):
            return  # "@bot why ..." is a question, answered by the ask cog
        if isinstance(error, commands.NotOwner):
            message = "Only the bot's owners can do that."
        elif isinstance(error, commands.UserInputError | commands.CheckFailure):
            message = str(error)
        else:
            log.error(
                "error in command %s", ctx.command, exc_info=getattr(error, "original", error)
            )
            message = APOLOGY
        try:
            await ctx.reply(message, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not reply about a command error: %s", exc)

    async def off_loop(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run index work (answers, summaries) on the bot's one worker thread.

        One thread, not asyncio's default pool: the work is CPU-bound Python, so more threads
        only fight over the GIL and starve the event loop. Measured with 200 simultaneous
        questions on 74k passages: the slowest answer 2.3 s -> 1.6 s, loop lag p99 34 -> 10 ms.
        """
        return await run_on(self.worker, function, *args, **kwargs)

    async def start_answerers(self) -> None:
        """Start the answering processes, if any are set, and wait while they open the index.

        The bot says it is ready once they can answer: a burst right after start must not
        find them still loading.
        """
        processes = answer_processes(
            self.settings.answer_processes, self.live.current.info.passages, os.cpu_count()
        )
        if not processes or self.answerers is not None:
            return
        self.answerers = AnswerWorkers(self.settings.index_dir, processes)
        try:
            await asyncio.to_thread(self.answerers.wait_ready, ANSWERERS_START_SECONDS)
        except queue.Empty:
            log.warning("the answering processes are still opening the index; going on")

    async def answer(self, question: str, **options: Any) -> Answer:
        """``index.answering.answer.answer`` for ``question``, off the event loop.

        On the answering processes when there are any and they have opened the index, else
        on the index thread. A process that died, or could not open the index, costs no
        answer: the question is answered here, from the coverage this process serves, and
        dead processes are replaced (questions are answered here while the new ones start).
        """
        if self.answerers is not None and self.answerers.ready():
            try:
                return await asyncio.wrap_future(self.answerers.submit(question, **options))
            except BrokenProcessPool:
                self.answerers.restart()
            except StoreError as exc:
                log.warning("an answering process could not open the index: %s", exc)
        return await self.off_loop(answer_question, self.live.current, question, **options)

    async def off_loop_feedback(self, function: Callable[..., T], /, *args: Any) -> T:
        """Run a feedback store call (record, question, vote) on the feedback thread.

        Never on the index worker: a database another process holds locked keeps a call
        waiting up to ``bot.feedback.BUSY_SECONDS``, and every answer would wait behind it.
        """
        return await run_on(self.feedback_worker, function, *args)

    async def close(self) -> None:
        await super().close()
        for worker in (self.worker, self.feedback_worker):
            worker.shutdown(wait=False, cancel_futures=True)
        if self.answerers is not None:
            self.answerers.close()
        self.feedback.close()


class ShardedCoverageBot(CoverageBot, commands.AutoShardedBot):
    """``CoverageBot`` over several gateway shards (``COVERAGE_SHARD_COUNT``)."""
