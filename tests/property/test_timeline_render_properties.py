"""Timeline embeds, source lists and buttons stay within Discord's limits, whatever the text."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.cogs.timeline import TOPIC_CHARS, TimelineButton
from bot.render import embed_fits
from bot.timeline_render import (
    EVENTS_PER_PAGE,
    chart_png,
    needs_chart,
    page_count,
    sources_embed,
    timeline_embed,
)
from index.answering.timeline import Event, Mention, Timeline
from index.models import Citation

texts = st.lists(
    st.sampled_from([*"ab *_~`>|@#[]()<\\\n.!?“”", "@everyone", "https://x.y/z ", "word "]),
    min_size=1,
    max_size=300,
).map("".join)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2023, 12, 31))


@st.composite
def mentions(draw: st.DrawFn) -> Mention:
    quote = draw(texts)
    url = draw(st.none() | st.just("https://example.org/" + "a" * draw(st.integers(0, 1100))))
    citation = Citation(
        quote=quote,
        article_id="a",
        title=draw(texts),
        author=None,
        outlet=draw(st.none() | texts),
        published=None,
        url=url,
        link=url,
        start=0,
        end=len(quote),
        score=0.0,
    )
    return Mention(draw(days), draw(st.sampled_from(["text", "published"])), citation, 1.0)


@st.composite
def timelines(draw: st.DrawFn) -> Timeline:
    events = draw(
        st.lists(
            st.builds(Event, mentions(), st.lists(mentions(), max_size=6).map(tuple)), max_size=20
        )
    )
    events.sort(key=lambda event: event.day)
    return Timeline(draw(texts), bool(events), tuple(events), ())


@given(timelines(), st.integers(min_value=-1, max_value=5))
def test_every_page_fits_and_shows_each_date_in_bold(result: Timeline, page: int) -> None:
    embed = timeline_embed(result, page)
    assert embed_fits(embed)
    shown = min(max(page, 0), page_count(len(result.events)) - 1)
    events = result.events[shown * EVENTS_PER_PAGE :][:EVENTS_PER_PAGE]
    description = embed.description or ""
    assert description.count("\n\n") < EVENTS_PER_PAGE
    if events:
        assert description.startswith(f"**{events[0].day.isoformat()}**")


@given(timelines())
def test_source_lists_fit(result: Timeline) -> None:
    assert embed_fits(sources_embed(result.topic, result.events[:EVENTS_PER_PAGE]))


@given(
    st.text(min_size=1, max_size=TOPIC_CHARS).filter(lambda t: "\n" not in t),
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=0, max_value=2**64 - 1),
    st.none() | days,
    st.none() | days,
)
def test_button_ids_fit_and_round_trip(
    topic: str, page: int, owner: int, since: date | None, until: date | None
) -> None:
    for way in ("prev", "next", "more"):
        button = TimelineButton(way, page, owner, topic, since, until)
        custom_id = button.item.custom_id or ""
        assert len(custom_id) <= 100
        match = TimelineButton.__discord_ui_compiled_template__.fullmatch(custom_id)
        assert match is not None and match["topic"] == topic and int(match["page"]) == page


def test_a_chart_is_a_png_and_is_wanted_past_a_month() -> None:
    first = date(2022, 1, 3)
    png = chart_png("pipeline", [first, first + timedelta(days=3), first + timedelta(days=40)])
    assert png.startswith(b"\x89PNG")
    mention = Mention(
        first, "text", Citation("q", "a", "t", None, None, None, None, None, 0, 1, 0), 1
    )
    later = Mention(first + timedelta(days=32), "text", mention.citation, 1)
    assert needs_chart(Timeline("t", True, (Event(mention, ()), Event(later, ())), ()))
    assert not needs_chart(Timeline("t", True, (Event(mention, ()),), ()))
