"""Whatever an answer holds, the embed respects every Discord limit and pings nobody."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot import render
from index.models import Answer, Citation, Suggestion
from index.storage.coverage import ArticleMeta
from tests.markdown import split_bold, unescaped, visible

_text = st.text(min_size=1, max_size=3000)
_name = st.text(min_size=1, max_size=400)


@st.composite
def _citation(draw: st.DrawFn) -> Citation:
    quote = draw(_text)
    url = draw(
        st.one_of(
            st.none(),
            st.just("https://example.com/a"),
            st.text(max_size=900).map(lambda t: f"https://x.y/{t}"),
        )
    )
    return Citation(
        quote=quote,
        article_id="2022-01-01-x",
        title=draw(_name),
        author=draw(st.one_of(st.none(), _name)),
        outlet=draw(st.one_of(st.none(), _name)),
        published="2022-01-01",
        url=url,
        link=url,
        start=0,
        end=len(quote),
        score=1.0,
    )


@given(
    question=st.text(max_size=5000),
    citations=st.lists(_citation(), min_size=1, max_size=5),
    terms=st.frozensets(st.sampled_from(["putin", "nato", "talk", "x", "the"])),
)
def test_answer_embeds_fit_every_limit(
    question: str, citations: list[Citation], terms: frozenset[str]
) -> None:
    answer = Answer(question, True, "", tuple(citations), ())
    embed = render.answer_embed(answer, terms)
    assert render.embed_fits(embed)
    assert len(render.answer_text(answer, terms)) <= render.CONTENT_LIMIT


@given(
    question=st.text(max_size=600),
    missing=st.lists(_name, max_size=12),
    suggestions=st.lists(
        st.builds(Suggestion, st.just("id"), _name, st.one_of(st.none(), st.just("https://x.y"))),
        max_size=3,
    ),
)
def test_decline_messages_fit(
    question: str, missing: list[str], suggestions: list[Suggestion]
) -> None:
    answer = Answer(
        question, False, "The coverage doesn't say." * 200, (), tuple(missing), tuple(suggestions)
    )
    assert len(render.decline_text(answer)) <= render.CONTENT_LIMIT


#: Text made mostly of what Markdown and mentions are made of.
_markdownish = st.text(
    alphabet=st.sampled_from(list("ab Putin talk*_~`|\\>#-[]()@<:\n\t")), max_size=80
)


@given(quote=st.one_of(st.text(max_size=500), _markdownish))
def test_quotes_render_as_text_and_keep_their_words(quote: str) -> None:
    rendered = render.highlight(quote, frozenset())
    assert "@everyone" not in rendered and "@here" not in rendered
    assert visible(rendered) == quote.replace("\u200b", "")


@given(
    quote=_markdownish,
    terms=st.frozensets(st.sampled_from(["putin", "talk", "a", "b"])),
)
def test_bold_only_wraps_words_of_the_escaped_quote(quote: str, terms: frozenset[str]) -> None:
    plain = render.highlight(quote, frozenset())
    assert not unescaped(plain, "*_~`|")  # every Markdown character of the quote is escaped
    # Bolding adds only pairs of markers; without them it is the plain rendering again.
    bold, markers = split_bold(render.highlight(quote, terms))
    assert bold == plain and markers % 2 == 0


@given(text=st.text(max_size=3000), limit=st.integers(min_value=2, max_value=2000))
def test_shorten_respects_the_limit_and_marks_the_cut(text: str, limit: int) -> None:
    short = render.shorten(text, limit)
    assert len(short) <= limit
    assert short == text or short.endswith(render.ELLIPSIS)


@given(
    titles=st.lists(_name, min_size=0, max_size=30),
    page=st.integers(min_value=0, max_value=3),
    paragraph=_text,
)
def test_article_listings_and_cards_fit(titles: list[str], page: int, paragraph: str) -> None:
    metas = [
        ArticleMeta(f"id-{i}", t, t, t, "2022-01-01", "https://x.y", "")
        for i, t in enumerate(titles)
    ]
    assert render.embed_fits(
        render.articles_embed(metas, min(page, render.page_count(len(metas)) - 1))
    )
    if metas:
        assert render.embed_fits(render.article_embed(metas[0], paragraph, 3))
        start = len(paragraph) // 3
        assert render.embed_fits(render.paragraph_embed(metas[0], paragraph, start, start * 2))
