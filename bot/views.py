"""Buttons under answers and lists. Stateful buttons keep their state in their custom id.

Answer buttons are ``DynamicItem``s with short, versioned custom ids (``cb1:...``), so they
work after a restart: "More from the coverage" and the votes carry the answer's key in the
feedback store (the question itself never travels in a custom id); "Show in article" carries
the article id, the quote's offsets and a check of the quote's text, and says "this source is
gone" when a rebuild removed or changed it. The ``/articles`` pager carries the page it leads
to and who asked; ``/compare``'s swap buttons carry the comparison's key (its topic is in the
feedback store), the sides shown and who asked. Sources are link buttons: nothing to persist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import discord

from bot import render, render_compare
from bot.client import report_error, respond, update, within_deadline
from bot.errors import SourceGoneError
from index.answering.answer import answer as answer_question
from index.answering.compare import Comparison, compare, outlets
from index.answering.question import key_terms
from index.passages import paragraphs

if TYPE_CHECKING:
    from bot.client import CoverageBot
    from index.models import Answer, Citation

    Interaction = discord.Interaction[CoverageBot]

#: Citations an answer shows; "More from the coverage" shows the next ``MORE_CITATIONS``.
SHOWN_CITATIONS = 3
MORE_CITATIONS = 3
#: Longest URL a link button takes.
LINK_BUTTON_LIMIT = 512
_MORE = re.compile(r"cb1:more:(?P<key>[0-9a-z]{1,12})")


def terms_of(question: str) -> frozenset[str]:
    """The question's content terms, which answers show in bold."""
    return frozenset(term for term, _ in key_terms(question).content)


def answer_view(answer: Answer, key: str) -> discord.ui.View:
    """Buttons under an answer: more, show in article, votes; then a link to each source.

    Without a feedback ``key`` (the store was unavailable) only "Show in article" and the
    links remain: "More" and the votes need the answer on record.
    """
    view = discord.ui.View(timeout=None)
    best = answer.citations[0]
    if key:
        view.add_item(MoreButton(key))
    view.add_item(ShowButton(best.article_id, best.start, best.end, render.quote_check(best.quote)))
    if key:
        view.add_item(VoteButton(key, "up"))
        view.add_item(VoteButton(key, "down"))
    add_source_links(view, answer.citations[:SHOWN_CITATIONS])
    return view


def add_source_links(view: discord.ui.View, citations: Sequence[Citation]) -> None:
    """One link button per cited article, on its own row, opening it at the first quote."""
    seen: set[str] = set()
    for citation in citations:
        link = next(
            (u for u in (citation.link, citation.url) if u and len(u) <= LINK_BUTTON_LIMIT), None
        )
        if link is None or citation.article_id in seen:
            continue
        seen.add(citation.article_id)
        view.add_item(discord.ui.Button(label=render.source_label(citation), url=link, row=1))


def answer_key(message: discord.Message) -> str | None:
    """The feedback key under one of the bot's answers (from its "More" button), if any."""
    for row in message.components:
        for item in getattr(row, "children", ()):
            match = _MORE.fullmatch(getattr(item, "custom_id", None) or "")
            if match:
                return match["key"]
    return None


class Guarded:
    """Routes a button's errors to the bot's one error handler (mixed into each button)."""

    async def callback(self, interaction: discord.Interaction[Any]) -> Any:
        try:
            await self.run(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def run(self, interaction: Interaction) -> None:
        raise NotImplementedError  # every button defines what it does


class MoreButton(
    Guarded,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=_MORE.pattern,
):
    """Shows the next citations for the answer's question, privately."""

    def __init__(self, key: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="More from the coverage",
                emoji="📰",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb1:more:{key}",
            )
        )
        self.key: str = key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> MoreButton:
        return cls(match["key"])

    async def run(self, interaction: Interaction) -> None:
        result = await within_deadline(interaction, self._more(interaction), ephemeral=True)
        if result is None:
            await respond(
                interaction,
                content="That's everything the coverage has on this question.",
                ephemeral=True,
            )
            return
        view = discord.ui.View()
        add_source_links(view, result.citations[:SHOWN_CITATIONS])
        embed = render.answer_embed(result, terms_of(result.question))
        await respond(interaction, embed=embed, view=view, ephemeral=True)

    async def _more(self, interaction: Interaction) -> Answer | None:
        """The citations after the answer's first three, or None when there are none."""
        bot = interaction.client
        question = await bot.off_loop_feedback(bot.feedback.question, self.key)
        if question is None:
            raise SourceGoneError()
        result = await bot.off_loop(
            answer_question,
            bot.live.current,
            question,
            max_chars=bot.settings.max_question_chars,
            limit=SHOWN_CITATIONS + MORE_CITATIONS,
        )
        extra = result.citations[SHOWN_CITATIONS:]
        return replace(result, citations=extra) if extra else None


class VoteButton(
    Guarded,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cb1:vote:(?P<key>[0-9a-z]{1,12}):(?P<way>up|down)",
):
    """👍 or 👎 on an answer; one vote per user per answer (voting again changes it)."""

    def __init__(self, key: str, way: str) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="👍" if way == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb1:vote:{key}:{way}",
            )
        )
        self.key: str = key
        self.way: str = way

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> VoteButton:
        return cls(match["key"], match["way"])

    async def run(self, interaction: Interaction) -> None:
        value = 1 if self.way == "up" else -1
        vote = interaction.client.off_loop_feedback(
            interaction.client.feedback.vote, self.key, interaction.user.id, value
        )
        tally = await within_deadline(interaction, vote, ephemeral=True)
        if tally is None:
            raise SourceGoneError()
        thanks = (
            "Thanks — glad it helped." if value > 0 else "Thanks — noted; that helps us improve."
        )
        await respond(
            interaction, content=f"{thanks} (👍 {tally[0]} · 👎 {tally[1]})", ephemeral=True
        )


class ShowButton(
    Guarded,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=(
        r"cb1:show:(?P<article>[a-z0-9-]{1,80}):(?P<start>\d{1,9}):(?P<end>\d{1,9})"
        r":(?P<check>[0-9a-f]{4})"
    ),
):
    """The quote's paragraph, with the quote in bold, privately."""

    def __init__(self, article_id: str, start: int, end: int, check: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Show in article",
                emoji="📄",
                style=discord.ButtonStyle.secondary,
                # At most 100 characters: article ids have at most 66 (a date, a slug capped
                # by index.ingest.files.MAX_SLUG_CHARS, a 6-character suffix for namesakes).
                custom_id=f"cb1:show:{article_id}:{start}:{end}:{check}",
            )
        )
        self.article_id: str = article_id
        self.start: int = start
        self.end: int = end
        self.check: str = check

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ShowButton:
        return cls(match["article"], int(match["start"]), int(match["end"]), match["check"])

    async def run(self, interaction: Interaction) -> None:
        coverage = interaction.client.live.current
        index = coverage.index_of(self.article_id)
        if index is None:
            raise SourceGoneError()
        body = coverage.body(index)
        if render.quote_check(body[self.start : self.end]) != self.check:
            raise SourceGoneError()  # the article was rebuilt with other text here
        span = next((p for p in paragraphs(body) if p.start <= self.start < p.end), None)
        if span is None:
            raise SourceGoneError()
        # A quote may run on into the next paragraph (answers pair passages across cuts).
        paragraph = body[span.start : max(span.end, self.end)]
        embed = render.paragraph_embed(
            coverage.metas[index], paragraph, self.start - span.start, self.end - span.start
        )
        await respond(interaction, embed=embed, ephemeral=True)


def articles_view(owner_id: int, page: int, pages: int) -> discord.ui.View:
    """◀ ▶ under a page of ``/articles``; the buttons carry the page they lead to."""
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton("prev", max(0, page - 1), owner_id, disabled=page == 0))
    view.add_item(
        PageButton("next", min(pages - 1, page + 1), owner_id, disabled=page >= pages - 1)
    )
    return view


class PageButton(
    Guarded,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"cb1:page:(?P<way>prev|next):(?P<page>\d{1,6}):(?P<owner>\d{1,20})",
):
    """Turns ``/articles`` to a page; only the person who asked can turn it."""

    def __init__(self, way: str, page: int, owner_id: int, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="◀" if way == "prev" else "▶",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb1:page:{way}:{page}:{owner_id}",
                disabled=disabled,
            )
        )
        self.page: int = page
        self.owner_id: int = owner_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> PageButton:
        return cls(match["way"], int(match["page"]), int(match["owner"]))

    async def run(self, interaction: Interaction) -> None:
        if interaction.user.id != self.owner_id:
            await respond(interaction, content="Run `/articles` to page yourself.", ephemeral=True)
            return
        metas = interaction.client.live.current.metas
        pages = render.page_count(len(metas))  # the coverage may have grown or shrunk
        page = min(self.page, pages - 1)
        await update(
            interaction,
            embed=render.articles_embed(metas, page),
            view=articles_view(self.owner_id, page, pages),
        )


def compare_view(
    key: str, shown: Sequence[int], owner_id: int, names: Sequence[str]
) -> discord.ui.View:
    """One "Swap" button per side of ``/compare``; each carries the sides shown.

    ``shown`` are the sides' positions in the coverage's sorted outlets (``outlets``), so the
    button can name them again after a restart; ``names`` are their outlets, for the labels.
    """
    view = discord.ui.View(timeout=None)
    for slot, name in enumerate(names):
        view.add_item(SwapButton(key, slot, shown, owner_id, label=render_compare.swap_label(name)))
    return view


class SwapButton(
    Guarded,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=(
        r"cb1:swap:(?P<key>[0-9a-z]{1,12}):(?P<slot>\d):(?P<shown>\d{1,5}(?:\.\d{1,5}){0,4})"
        r":(?P<owner>\d{1,20})"
    ),
):
    """Replaces one side of ``/compare`` by the next source on the topic; only for the asker.

    The topic is read from the feedback store by the comparison's key (it never travels in
    a custom id); the next source is the next outlet, in the order of how much they say about
    the topic, that is not already shown.
    """

    def __init__(
        self, key: str, slot: int, shown: Sequence[int], owner_id: int, *, label: str = "Swap"
    ) -> None:
        code = ".".join(str(i) for i in shown)
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="🔁",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cb1:swap:{key}:{slot}:{code}:{owner_id}",
            )
        )
        self.key: str = key
        self.slot: int = slot
        self.shown: tuple[int, ...] = tuple(shown)
        self.owner_id: int = owner_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> SwapButton:
        shown = [int(i) for i in match["shown"].split(".")]
        return cls(match["key"], int(match["slot"]), shown, int(match["owner"]))

    async def run(self, interaction: Interaction) -> None:
        if interaction.user.id != self.owner_id:
            await respond(
                interaction, content="Run `/compare` to compare sources yourself.", ephemeral=True
            )
            return
        work = self._swap(interaction)
        swapped = await within_deadline(interaction, work, ephemeral=True, updating=True)
        if swapped is None:
            await respond(
                interaction,
                content="No other source in the coverage covers this topic.",
                ephemeral=True,
            )
            return
        positions = [swapped.names.index(n) for n in swapped.shown]
        await update(
            interaction,
            embed=render_compare.compare_embed(swapped.result, terms_of(swapped.topic)),
            view=compare_view(self.key, positions, self.owner_id, swapped.shown),
        )

    async def _swap(self, interaction: Interaction) -> _Swapped | None:
        """The comparison with this side swapped; None when no other source covers the topic.

        Two comparisons on the index worker: together they may outlast Discord's 3 seconds.
        """
        bot = interaction.client
        topic = await bot.off_loop_feedback(bot.feedback.question, self.key)
        coverage = bot.live.current
        names = list(outlets(coverage))
        if (
            topic is None
            or any(i >= len(names) for i in self.shown)
            or self.slot >= len(self.shown)
        ):
            raise SourceGoneError()
        shown = [names[i] for i in self.shown]
        limit = bot.settings.max_question_chars
        current = await bot.off_loop(compare, coverage, topic, shown, max_chars=limit)
        following = next_source(current.candidates, shown, self.slot)
        if following is None:
            return None
        shown[self.slot] = following
        result = await bot.off_loop(compare, coverage, topic, shown, max_chars=limit)
        return _Swapped(result, topic, names, shown)


@dataclass(frozen=True, slots=True)
class _Swapped:
    """What a swap came to: the new comparison, its topic, all outlets and the sides shown."""

    result: Comparison
    topic: str
    names: list[str]
    shown: list[str]


def next_source(candidates: Sequence[str], shown: Sequence[str], slot: int) -> str | None:
    """The outlet to show instead of ``shown[slot]``: the next candidate after it not shown."""
    start = candidates.index(shown[slot]) + 1 if shown[slot] in candidates else 0
    rotated = [*candidates[start:], *candidates[:start]]
    return next((name for name in rotated if name not in shown), None)
