"""Asking: ``/ask``, an @mention in a channel, a DM, or a reply to one of the bot's answers.

The index answers in milliseconds, off the event loop, so the bot computes the answer first
and responds once: publicly with an answer, privately when the coverage doesn't say (a
deferral covers the rare slow answer, see ``bot.client.within_deadline``). One per-user
cooldown covers every way of asking.

A reply to one of the bot's answers that mentions the bot is a follow-up. When it is short
(fewer than ``FOLLOW_UP_TERMS`` content words, like "and Xi Jinping?") it is asked together
with the question it replies to, read from the feedback store through the answer's buttons,
so "and Xi Jinping?" under "Did Putin call the pope?" asks "Did Putin call the pope? and Xi
Jinping?". A longer follow-up stands on its own.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.client import APOLOGY, NO_MENTIONS, CoverageBot, respond, within_deadline
from bot.errors import CooldownError, FeedbackUnavailableError
from bot.periods import parse_day
from bot.records import Asked
from bot.settings import Settings
from bot.views import MoreButton, ShowButton, VoteButton, answer_key, answer_view, terms_of
from index.answering.dates import Period, between
from index.answering.question import key_terms
from index.models import Answer

log = logging.getLogger(__name__)

#: A follow-up with fewer content words than this is asked with the earlier question.
FOLLOW_UP_TERMS = 3
_DYNAMIC_ITEMS = (MoreButton, VoteButton, ShowButton)


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer and the key its buttons carry (empty when nothing was stored)."""

    answer: Answer
    key: str


def _by_user(user_id: int) -> int:
    return user_id


class Cooldown:
    """``COVERAGE_COOLDOWN_QUESTIONS`` questions per ``COVERAGE_COOLDOWN_SECONDS`` per user.

    Times come from Discord's snowflakes (when the message or interaction was created), as
    discord.py's own cooldowns do, so a slow event loop does not change the rule.
    """

    def __init__(self, settings: Settings) -> None:
        self._buckets: commands.CooldownMapping[int] | None = (
            commands.CooldownMapping.from_cooldown(
                settings.cooldown_questions, settings.cooldown_seconds, _by_user
            )
            if settings.cooldown_seconds > 0
            else None
        )

    def check(self, user_id: int, when: datetime) -> None:
        """Count one question; raise ``CooldownError`` when the user is over the limit."""
        if self._buckets is None:
            return
        retry_after = self._buckets.update_rate_limit(user_id, when.timestamp())
        if retry_after:
            raise CooldownError(retry_after)


class Ask(commands.Cog):
    """Answers questions with verbatim quotes from the coverage."""

    def __init__(self, bot: CoverageBot) -> None:
        self.bot: CoverageBot = bot
        self.cooldown: Cooldown = Cooldown(bot.settings)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*_DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*_DYNAMIC_ITEMS)

    async def reply_to(
        self, question: str, asked: Asked | None = None, period: Period | None = None
    ) -> Reply:
        """Answer ``question`` (from ``period`` only, if given) off the event loop; store what
        was answered, and what was asked.

        ``asked`` puts the question on record (``bot.records``) unless
        ``COVERAGE_RECORD_QUESTIONS`` is off.
        """
        settings = self.bot.settings
        result = await self.bot.answer(
            question, max_chars=settings.max_question_chars, period=period
        )
        key = await self._record(result, asked if settings.record_questions else None)
        return Reply(result, key)

    async def _record(self, result: Answer, asked: Asked | None) -> str:
        """The key the answer's buttons carry; empty for a decline or without feedback.

        The store has logged why it is unavailable; the answer goes out without the buttons
        that need it, and the question goes unrecorded.
        """
        if not result.answered and asked is None:
            return ""  # nothing to store
        try:
            return await self.bot.off_loop_feedback(self.bot.feedback.record, result, asked)
        except FeedbackUnavailableError:
            return ""

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="What you want to know, e.g. Why does Biden keep talking to Putin?",
        since="Only from articles published on or after this day, e.g. 2022-01-01",
        until="Only from articles published on or before this day, e.g. 2022-03-31",
    )
    async def ask(
        self,
        interaction: discord.Interaction[CoverageBot],
        question: app_commands.Range[str, 1, 4000],
        since: str | None = None,
        until: str | None = None,
    ) -> None:
        """Ask the coverage a question; get verbatim quotes with links to the sources."""
        period = between(parse_day(since, "since"), parse_day(until, "until"))
        self.cooldown.check(interaction.user.id, interaction.created_at)
        asked = Asked(
            interaction.user.id,
            interaction.guild_id,
            interaction.channel_id,
            interaction.created_at,
        )
        reply = await within_deadline(
            interaction, self.reply_to(question, asked, period), ephemeral=False
        )
        if reply.answer.answered:
            await respond(
                interaction,
                embed=render.answer_embed(reply.answer, terms_of(question)),
                view=answer_view(reply.answer, reply.key),
            )
        else:
            await respond(interaction, content=render.decline_text(reply.answer), ephemeral=True)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not self._addressed(message):
            return
        if (await self.bot.get_context(message)).valid:
            return  # an owner command such as "@bot sync", not a question
        try:
            self.cooldown.check(message.author.id, message.created_at)
            question = await self._question_in(message)
            guild_id = message.guild.id if message.guild else None
            asked = Asked(message.author.id, guild_id, message.channel.id, message.created_at)
            reply = await self.reply_to(question, asked)
            await self._deliver(message, question, reply)
        except CooldownError as limited:
            await self._send(message.channel, message, content=str(limited))
        except Exception:
            log.exception(
                "error answering message %s in channel %s", message.id, message.channel.id
            )
            await self._send(message.channel, message, content=APOLOGY)

    def _addressed(self, message: discord.Message) -> bool:
        if message.guild is None:
            return True  # a DM is always addressed to the bot
        listening = self.bot.settings.listen_channels
        where = getattr(message.channel, "parent_id", None) or message.channel.id
        if listening and message.channel.id not in listening and where not in listening:
            return False  # threads count as their parent channel
        return self.bot.user in message.mentions

    async def _question_in(self, message: discord.Message) -> str:
        """The text without the mention; a short follow-up is asked with the earlier question."""
        mention = re.compile(rf"<@!?{self.bot.user.id}>")
        question = " ".join(mention.sub(" ", message.content).split())
        if len(key_terms(question).content) >= FOLLOW_UP_TERMS:
            return question
        earlier = await self._earlier_question(message)
        combined = f"{earlier} {question}"
        if earlier is None or len(combined) > self.bot.settings.max_question_chars:
            return question
        return combined

    async def _earlier_question(self, message: discord.Message) -> str | None:
        """The question of the bot's answer this message replies to, if it replies to one."""
        reference = message.reference
        if reference is None or reference.message_id is None:
            return None
        replied = reference.resolved
        if not isinstance(replied, discord.Message):
            try:
                replied = await message.channel.fetch_message(reference.message_id)
            except discord.HTTPException:
                return None
        if replied.author.id != self.bot.user.id:
            return None
        key = answer_key(replied)
        if key is None:
            return None
        try:
            return await self.bot.off_loop_feedback(self.bot.feedback.question, key)
        except FeedbackUnavailableError:
            return None  # the follow-up is asked on its own

    async def _deliver(self, message: discord.Message, question: str, reply: Reply) -> None:
        """Reply with the answer (in a new thread if so configured and allowed)."""
        channel = message.channel
        if (
            self.bot.settings.answer_in_thread
            and reply.answer.answered
            and isinstance(channel, discord.TextChannel)
            and _can(channel, "create_public_threads")
        ):
            try:
                thread = await message.create_thread(name=render.shorten(question, 100) or "Answer")
            except discord.HTTPException as exc:
                log.warning("could not open a thread in channel %s: %s", channel.id, exc)
            else:
                await self._send_answer(thread, None, question, reply)
                return
        await self._send_answer(channel, message, question, reply)

    async def _send_answer(
        self,
        channel: discord.abc.Messageable,
        message: discord.Message | None,
        question: str,
        reply: Reply,
    ) -> None:
        """The answer embed, or plain text where the bot may not embed; the decline as text."""
        if not reply.answer.answered:
            await self._send(channel, message, content=render.decline_text(reply.answer))
        elif _can(channel, "embed_links"):
            embed = render.answer_embed(reply.answer, terms_of(question))
            view = answer_view(reply.answer, reply.key)
            await self._send(channel, message, embed=embed, view=view)
        else:
            text = render.answer_text(reply.answer, terms_of(question))
            await self._send(channel, message, content=text)

    async def _send(
        self, channel: discord.abc.Messageable, message: discord.Message | None, **kwargs: Any
    ) -> None:
        """Send into ``channel``, replying to ``message`` when given and allowed.

        Where the bot may not send, or Discord refuses, it logs and stays quiet: the person
        asking cannot be told in a channel the bot cannot write to.
        """
        where = getattr(channel, "id", None)
        if not _can(channel, "send_messages"):
            log.warning("cannot send messages in channel %s; question left unanswered", where)
            return
        if message is not None and _can(channel, "read_message_history"):
            # Replying needs Read Message History; without it the answer is sent plainly.
            kwargs["reference"] = message.to_reference(fail_if_not_exists=False)
            kwargs["mention_author"] = False
        try:
            await channel.send(allowed_mentions=NO_MENTIONS, **kwargs)
        except discord.HTTPException as exc:
            log.warning("could not answer in channel %s: %s", where, exc)


def _can(channel: object, permission: str) -> bool:
    """Whether the bot holds ``permission`` in ``channel`` (always true in DMs)."""
    guild = getattr(channel, "guild", None)
    if guild is None or not hasattr(channel, "permissions_for"):
        return True
    allowed = channel.permissions_for(guild.me)
    if permission == "send_messages" and isinstance(channel, discord.Thread):
        permission = "send_messages_in_threads"
    return bool(getattr(allowed, permission))


async def setup(bot: CoverageBot) -> None:
    await bot.add_cog(Ask(bot))
