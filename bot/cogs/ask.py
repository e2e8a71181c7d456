"""Asking: ``/ask``, an @mention in a channel, a DM, or a reply to one of the bot's answers.

The index answers in milliseconds, off the event loop, so the bot computes the answer first
and responds once: publicly with an answer, privately when the coverage doesn't say.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.client import APOLOGY, CoverageBot
from bot.views import MoreButton, ShowButton, VoteButton, answer_view, terms_of
from index.answer import answer as answer_question
from index.models import Answer
from index.question import key_terms

log = logging.getLogger(__name__)

#: A follow-up with fewer content words than this borrows the earlier question's.
FOLLOW_UP_TERMS = 3
_DYNAMIC_ITEMS = (MoreButton, VoteButton, ShowButton)


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer and the key its buttons carry (empty when nothing was stored)."""

    answer: Answer
    key: str


def _cooldown(interaction: discord.Interaction[CoverageBot]) -> app_commands.Cooldown | None:
    settings = interaction.client.settings
    if settings.cooldown_seconds == 0:
        return None
    return app_commands.Cooldown(settings.cooldown_questions, settings.cooldown_seconds)


class Ask(commands.Cog):
    """Answers questions with verbatim quotes from the coverage."""

    def __init__(self, bot: CoverageBot) -> None:
        self.bot: CoverageBot = bot
        self.mention_cooldowns: commands.CooldownMapping[discord.Message] = (
            commands.CooldownMapping.from_cooldown(
                bot.settings.cooldown_questions,
                bot.settings.cooldown_seconds,
                commands.BucketType.user,
            )
        )

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*_DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*_DYNAMIC_ITEMS)

    async def reply_to(self, question: str) -> Reply:
        """Answer ``question`` off the event loop and store what was answered."""
        coverage = self.bot.live.current
        settings = self.bot.settings
        result = await asyncio.to_thread(
            answer_question, coverage, question, max_chars=settings.max_question_chars
        )
        key = await asyncio.to_thread(self.bot.feedback.record, result) if result.answered else ""
        return Reply(result, key)

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="What you want to know, e.g. Why does Biden keep talking to Putin?"
    )
    @app_commands.checks.dynamic_cooldown(_cooldown)
    async def ask(
        self,
        interaction: discord.Interaction[CoverageBot],
        question: app_commands.Range[str, 1, 4000],
    ) -> None:
        """Ask the coverage a question; get verbatim quotes with links to the sources."""
        reply = await self.reply_to(question)
        if reply.answer.answered:
            await interaction.response.send_message(
                embed=render.answer_embed(reply.answer, terms_of(question)),
                view=answer_view(reply.answer, reply.key),
            )
        else:
            await interaction.response.send_message(
                render.decline_text(reply.answer), ephemeral=True
            )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not self._addressed(message):
            return
        if (await self.bot.get_context(message)).valid:
            return  # an owner command such as "@bot sync", not a question
        retry_after = self.mention_cooldowns.update_rate_limit(message)
        if retry_after:
            await self._send(
                message, content=f"You're asking quickly — try again in {retry_after:.0f} s."
            )
            return
        try:
            question = await self._question_in(message)
            reply = await self.reply_to(question)
            await self._deliver(message, question, reply)
        except Exception:
            log.exception(
                "error answering message %s in channel %s", message.id, message.channel.id
            )
            await self._send(message, content=APOLOGY)

    def _addressed(self, message: discord.Message) -> bool:
        if message.guild is None:
            return True  # a DM is always addressed to the bot
        listening = self.bot.settings.listen_channels
        if listening and message.channel.id not in listening:
            return False
        return self.bot.user in message.mentions

    async def _question_in(self, message: discord.Message) -> str:
        """The text without the mention; a short follow-up borrows the earlier question."""
        mention = re.compile(rf"<@!?{self.bot.user.id}>")
        question = " ".join(mention.sub(" ", message.content).split())
        earlier = await self._earlier_question(message)
        if earlier and len(key_terms(question).content) < FOLLOW_UP_TERMS:
            return f"{earlier} {question}"
        return question

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
        if replied.author.id != self.bot.user.id or not replied.embeds:
            return None
        return replied.embeds[0].title or None

    async def _deliver(self, message: discord.Message, question: str, reply: Reply) -> None:
        """Reply with the answer embed (in a new thread if so configured)."""
        channel = message.channel
        threads = self.bot.settings.answer_in_thread and reply.answer.answered
        if (
            threads
            and isinstance(channel, discord.TextChannel)
            and _can(channel, "create_public_threads")
        ):
            thread = await message.create_thread(name=render.shorten(question, 100) or "Answer")
            await self._send_answer(thread, question, reply, None)
            return
        await self._send_answer(channel, question, reply, message)

    async def _send_answer(
        self,
        channel: discord.abc.Messageable,
        question: str,
        reply: Reply,
        reference: discord.Message | None,
    ) -> None:
        answered = reply.answer.answered
        can_embed = _can(channel, "embed_links")
        if answered and can_embed:
            embed = render.answer_embed(reply.answer, terms_of(question))
            await self._send(
                reference, channel=channel, embed=embed, view=answer_view(reply.answer, reply.key)
            )
        elif answered:
            await self._send(
                reference,
                channel=channel,
                content=render.answer_text(reply.answer, terms_of(question)),
            )
        else:
            await self._send(reference, channel=channel, content=render.decline_text(reply.answer))

    async def _send(
        self,
        reference: discord.Message | None,
        *,
        channel: discord.abc.Messageable | None = None,
        **kwargs: Any,
    ) -> None:
        """Send into ``channel`` (a reply when ``reference`` is given); log when we may not."""
        target = channel if channel is not None else reference.channel if reference else None
        if target is None or not _can(target, "send_messages"):
            log.warning(
                "cannot send messages in channel %s; question left unanswered",
                getattr(target, "id", None),
            )
            return
        options: dict[str, Any] = dict(kwargs, allowed_mentions=discord.AllowedMentions.none())
        try:
            if reference is not None and target == reference.channel:
                await reference.reply(mention_author=False, **options)
            else:
                await target.send(**options)
        except discord.Forbidden as exc:
            log.warning("not allowed to answer in channel %s: %s", getattr(target, "id", None), exc)


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
