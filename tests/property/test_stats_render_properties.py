"""Whatever members asked, ``/stats`` fits Discord's limits, pings nobody and shows no Markdown."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot import render
from bot.render_stats import SHOWN, stats_embed, stats_text
from bot.stats import Day, Gap, Stats, Voted
from tests.markdown import visible

_question = st.one_of(
    st.text(max_size=600),
    st.text(alphabet=st.sampled_from(list("ab*_~`|\\>#-[]()@<:\n everyonehr")), max_size=200),
)
_count = st.integers(min_value=0, max_value=10**9)
_pairs = st.lists(st.tuples(st.text(min_size=1, max_size=200), _count), max_size=10)


@st.composite
def _stats(draw: st.DrawFn) -> Stats:
    days = draw(st.integers(min_value=1, max_value=400))
    first = date(2026, 1, 1)
    return Stats(
        days=days,
        answered=draw(_count),
        declined=draw(_count),
        ups=draw(_count),
        downs=draw(_count),
        top_missing_terms=tuple(draw(_pairs)),
        unanswered=tuple(
            draw(st.lists(st.builds(Gap, _question, _count, st.just(first)), max_size=10))
        ),
        top_articles=tuple(draw(_pairs)),
        by_day=tuple(Day(first + timedelta(days=n), 0, 0) for n in range(days)),
        downvoted=tuple(draw(st.lists(st.builds(Voted, _question, _count, _count), max_size=10))),
    )


@given(stats=_stats(), where=st.sampled_from(["This server", "This server and DMs"]))
def test_the_stats_embed_fits_every_limit_and_pings_nobody(stats: Stats, where: str) -> None:
    embed = stats_embed(stats, where, "chart.png")
    assert render.embed_fits(embed)
    shown = [embed.description or ""] + [field.value or "" for field in embed.fields]
    assert not any("@everyone" in text or "@here" in text for text in shown)
    gaps = embed.fields[0].value or ""
    assert gaps.count("\n• ") < SHOWN  # at most SHOWN lines, whole lines only
    assert embed.image.url == "attachment://chart.png"


_word = st.text(alphabet=st.sampled_from(list("ab*_~`|\\>#-[]()@<:")), min_size=1, max_size=20)


@given(term=_word, question=_word, count=st.integers(min_value=1, max_value=99))
def test_a_reader_sees_the_words_and_questions_as_they_were_asked(
    term: str, question: str, count: int
) -> None:
    stats = Stats(
        1, 0, count, 0, 0, ((term, count),), (Gap(question, count, date(2026, 1, 1)),), (), (), ()
    )
    fields = {field.name: field.value or "" for field in stats_embed(stats, "Here", None).fields}
    assert visible(fields["Words no article uses"]) == f"{term} ({count})"
    assert visible(fields["Asked but not answered"]) == f"• {count}× {question} (last 2026-01-01)"


@given(stats=_stats())
def test_the_terminal_text_lists_every_gap(stats: Stats) -> None:
    text = stats_text(stats)
    assert text.startswith("Questions in the last ")
    assert all(gap.question in text for gap in stats.unanswered)
