"""Whatever a comparison holds, its embed respects every Discord limit and pings nobody."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot import render, render_compare
from index.answering.compare import Comparison, Quote, Side

_text = st.one_of(
    st.text(min_size=1, max_size=3000), st.text(max_size=3000).map(lambda t: f"@everyone {t}")
)
_name = st.text(min_size=1, max_size=400)
_url = st.one_of(
    st.none(),
    st.just("https://example.com/a"),
    st.text(max_size=900).map(lambda t: f"https://x.y/{t}"),
)


@st.composite
def _quote(draw: st.DrawFn) -> Quote:
    quote = draw(_text)
    url = draw(_url)
    link = None if url is None else url + "#:~:text=" + draw(st.text(max_size=400))
    return Quote(quote, "2021-12-30-x", draw(_name), "2021-12-30", url, link, 0, len(quote))


_side = st.builds(Side, _name, st.integers(0, 10_000), st.lists(_quote(), max_size=3).map(tuple))


@given(
    topic=st.text(max_size=400),
    note=st.text(max_size=3000),
    sides=st.lists(_side, min_size=1, max_size=6),  # more than /compare shows: the guard holds
    words=st.lists(st.lists(_name, min_size=1, max_size=4).map(tuple), max_size=4),
    terms=st.frozensets(st.sampled_from(["putin", "call", "biden", "x"])),
)
def test_compare_embeds_fit_every_limit_with_long_quotes(
    topic: str,
    note: str,
    sides: list[Side],
    words: list[tuple[str, ...]],
    terms: frozenset[str],
) -> None:
    only_in = {side.outlet: w for side, w in zip(sides, words, strict=False)}
    comparison = Comparison(topic, True, tuple(sides), only_in, (), note, None, ())
    embed = render_compare.compare_embed(comparison, terms)
    assert render.embed_fits(embed)
    assert [f.name for f in embed.fields[len(sides) :]] in ([], [render_compare.ONLY_IN_NAME])
    for field, side in zip(embed.fields, sides, strict=False):
        value = field.value or ""
        assert value == render_compare.SILENT if not side.quotes else value.startswith("> ")
    assert "@everyone" not in str(embed.to_dict())


@given(outlet=_name)
def test_swap_labels_fit_a_button(outlet: str) -> None:
    assert 0 < len(render_compare.swap_label(outlet)) <= render.LABEL_LIMIT


def test_many_sides_of_long_quotes_share_the_embed() -> None:
    """Six full sides would need 6 x 1,024 characters: they share the 6,000 instead."""
    quote = Quote("word " * 600, "a", "Title", None, "https://x.y/a", "https://x.y/a#t", 0, 3000)
    sides = tuple(Side(f"Outlet {n}", 1, (quote,) * 3) for n in range(6))
    only_in = {side.outlet: ("word word",) for side in sides}
    comparison = Comparison("topic", True, sides, only_in, (), "", None, ())
    embed = render_compare.compare_embed(comparison, frozenset())
    assert render.embed_fits(embed) and len(embed) > 5000
    assert embed.fields[-1].name == render_compare.ONLY_IN_NAME  # its words are on show


def test_only_in_lists_words_of_the_quotes_on_show() -> None:
    """A third quote that does not fit is left out, and so are the words only it holds."""
    link = "https://x.y/" + "a" * 300
    quotes = tuple(
        Quote(text, "a", "T", None, link, link, 0, len(text))
        for text in (
            "First quote says tensions.",
            "Second says diplomacy.",
            "Third: dialogue " * 20,
        )
    )
    side = Side("The White House", 1, quotes)
    other = Side(
        "President of Russia", 1, (Quote("Greetings.", "b", "T", None, None, None, 0, 10),)
    )
    only_in = {side.outlet: ("tensions", "dialogue"), other.outlet: ("Greetings",)}
    comparison = Comparison("t", True, (side, other), only_in, (), "", None, ())
    embed = render_compare.compare_embed(comparison, frozenset())
    assert (embed.fields[0].value or "").count("> ") == 2
    assert embed.fields[-1].value == (
        "Only The White House mentions “tensions”. Only President of Russia mentions “Greetings”."
    )
