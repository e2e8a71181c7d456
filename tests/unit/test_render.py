"""Rendering answers and articles for Discord: escaping, bold key words, cuts, source lines."""

from __future__ import annotations

import re

import pytest

from bot import render
from index.models import Answer, Citation, Suggestion
from index.storage.coverage import ArticleMeta
from tests.markdown import split_bold, unescaped

TERMS = frozenset({"putin", "talk", "nato"})
META = ArticleMeta(
    "2021-12-31-putins-talk-therapy",
    "Putin’s Talk Therapy",
    "Julia Ioffe",
    "Puck",
    "2021-12-31",
    "https://puck.news/putins-talk-therapy/",
    "",
)


def _citation(quote: str, **changes: object) -> Citation:
    fields: dict[str, object] = {
        "quote": quote,
        "article_id": META.id,
        "title": META.title,
        "author": META.author,
        "outlet": META.outlet,
        "published": META.published,
        "url": META.url,
        "link": f"{META.url}#:~:text=x",
        "start": 0,
        "end": len(quote),
        "score": 1.0,
    }
    fields.update(changes)
    return Citation(**fields)  # type: ignore[arg-type]


def test_key_words_are_bold_and_the_words_are_unchanged() -> None:
    quote = "Biden keeps talking to Putin’s people; talks with NATO went on."
    rendered = render.highlight(quote, TERMS)
    assert (
        rendered
        == "Biden keeps **talking** to **Putin’s** people; **talks** with **NATO** went on."
    )
    assert split_bold(rendered) == (quote, 8)


def test_neighbouring_bold_words_share_one_span_but_not_across_lines() -> None:
    assert render.highlight("Putin talk", TERMS) == "**Putin talk**"
    assert render.highlight("Putin\ntalk", TERMS) == "**Putin**\n**talk**"
    assert render.highlight("Putin, talk", TERMS) == "**Putin**, **talk**"


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        # Markdown in a quote is shown, not applied; bold goes around the word only.
        ("a *Putin* b", r"a \***Putin**\* b"),
        ("**won** __it__ ~~x~~ `y` ||z||", r"\*\*won\*\* \_\_it\_\_ \~\~x\~\~ \`y\` \|\|z\|\|"),
        # A masked link in a quote stays text: its bracket is escaped.
        ("[click](https://evil.example)", r"\[click](https://evil.example)"),
        # Line-start syntax: headings, lists, block quotes.
        ("# NATO\n- Putin\n> talk", "\\# **NATO**\n\\- **Putin**\n\\> **talk**"),
        # A dash inside a sentence needs no escape (a stray backslash would show).
        ("Putin - the president", "**Putin** - the president"),
        # Backslashes in the text stay visible.
        ("C:\\Putin", "C:\\\\**Putin**"),
    ],
)
def test_quotes_are_escaped_as_a_whole_before_bolding(quote: str, expected: str) -> None:
    assert render.highlight(quote, TERMS) == expected


def test_mentions_in_quotes_ping_nobody() -> None:
    quote = "He told @everyone and @here that <@123456789012345678> and <@&123456789012345678> won."
    rendered = render.highlight(quote, TERMS)
    assert "@everyone" not in rendered and "@here" not in rendered
    assert "<@123456789012345678>" not in rendered and "<@&123456789012345678>" not in rendered
    assert rendered.replace("\u200b", "") == quote


def test_words_inside_links_are_not_bolded() -> None:
    quote = "See https://putin.example/talk?nato=1 on Putin."
    assert render.highlight(quote, TERMS) == "See https://putin.example/talk?nato=1 on **Putin**."


def test_shorten_cuts_at_a_sentence_else_a_word_else_a_character() -> None:
    text = "One sentence here. Two sentences there. Three goes on and on."
    assert render.shorten(text, 45) == "One sentence here. Two sentences there. …"
    assert render.shorten("word " * 30, 23) == "word word word word…"
    assert render.shorten("x" * 50, 10) == "xxxxxxxx…"
    assert render.shorten(text, len(text)) == text


def test_a_cut_never_breaks_an_escape_or_a_bold_pair() -> None:
    quote = "Putin **said** talk " * 40
    for limit in range(10, 200, 7):
        rendered = render.block_quote(quote, TERMS, limit)
        assert len(rendered) <= limit
        assert rendered.endswith(render.ELLIPSIS)
        plain, markers = split_bold(rendered)
        assert markers % 2 == 0 and not unescaped(plain, "*")
        assert not plain.removesuffix(render.ELLIPSIS).endswith("\\") or plain.endswith("\\\\")


def test_block_quotes_mark_every_line() -> None:
    assert render.block_quote("Putin.\nTalk.", TERMS, 100) == "> **Putin**.\n> **Talk**."


def test_source_line_links_the_title_and_lists_the_byline() -> None:
    line = render.source_line(_citation("x"))
    assert line == (
        "[Putin’s Talk Therapy](<https://puck.news/putins-talk-therapy/#:~:text=x>)"
        " · Julia Ioffe · Puck · 2021-12-31"
    )


def test_source_line_keeps_odd_titles_inside_the_link_and_works_without_a_url() -> None:
    line = render.source_line(_citation("x", title="Talks [updated] *live*", author=None))
    assert line.startswith(r"[Talks \[updated\] \*live\*](<")
    bare = render.source_line(_citation("x", url=None, link=None, outlet=None))
    assert bare == "**Putin’s Talk Therapy** · Julia Ioffe · 2021-12-31"


def test_answer_embed_has_the_question_best_quote_source_two_more_and_footer() -> None:
    citations = tuple(_citation(f"Putin said thing {n}.") for n in range(4))
    answer = Answer("Why does Putin *talk*?", True, "", citations, ())
    embed = render.answer_embed(answer, TERMS)
    assert embed.title == r"Why does Putin \*talk\*?"
    assert embed.description is not None
    assert embed.description.startswith("> **Putin** said thing 0.\n\n[Putin’s Talk Therapy]")
    assert [f.name for f in embed.fields] == ["Also: Putin’s Talk Therapy"] * 2
    assert embed.fields[0].value is not None and "thing 1" in embed.fields[0].value
    assert "verbatim" in (embed.footer.text or "")


def test_plain_text_answer_fits_a_message_and_links_without_a_preview() -> None:
    answer = Answer("q", True, "", (_citation("Putin talks. " * 400),), ())
    text = render.answer_text(answer, TERMS)
    assert len(text) <= render.CONTENT_LIMIT
    assert text.startswith("> **Putin talks**. ")
    assert text.endswith("\n<https://puck.news/putins-talk-therapy/#:~:text=x>")


def test_decline_names_missing_words_and_closest_articles() -> None:
    answer = Answer(
        "What did Macron say?",
        False,
        "The coverage doesn't say.",
        (),
        ("Macron",),
        (Suggestion(META.id, META.title, META.url),),
    )
    text = render.decline_text(answer)
    assert text.splitlines() == [
        "**The coverage doesn't say.**",
        "No article in the coverage mentions **Macron**.",
        "Closest articles:",
        "• [Putin’s Talk Therapy](<https://puck.news/putins-talk-therapy/>)",
    ]


def test_a_refusal_without_suggestions_is_the_engine_text_escaped() -> None:
    answer = Answer("?", False, "Please ask a *question*.", (), ())
    assert render.decline_text(answer) == r"Please ask a \*question\*."


def test_paragraph_view_bolds_the_quote_and_keeps_context_that_fits() -> None:
    paragraph = "Before it. The point isn’t to humor him. After it."
    start = paragraph.index("The point")
    end = paragraph.index(" After")
    embed = render.paragraph_embed(META, paragraph, start, end)
    assert embed.description == "Before it. **The point isn’t to humor him.** After it."
    long = "context " * 1000 + paragraph + " more" * 1000
    offset = long.index("The point")
    embed = render.paragraph_embed(META, long, offset, offset + end - start)
    description = embed.description or ""
    assert len(description) <= render.DESCRIPTION_LIMIT
    assert description.startswith("…") and description.endswith("…")
    assert "**The point isn’t to humor him.**" in description


def test_paragraph_view_escapes_the_paragraph_as_a_whole() -> None:
    paragraph = "- a list-like start, then *the quote* - and a dash."
    start, end = paragraph.index("*the"), paragraph.index(" - and")
    embed = render.paragraph_embed(META, paragraph, start, end)
    assert embed.description == r"\- a list-like start, then **\*the quote\*** - and a dash."


def test_quote_check_is_short_and_tells_texts_apart() -> None:
    assert re.fullmatch(r"[0-9a-f]{4}", render.quote_check("The point isn’t"))
    assert render.quote_check("The point isn’t") != render.quote_check("The point is")


def test_article_card_and_list_pages() -> None:
    card = render.article_embed(META, "First *paragraph*.", 12)
    assert card.title == "Putin’s Talk Therapy" and card.url == META.url
    assert card.description == r"First \*paragraph\*."
    assert [f.name for f in card.fields] == ["Author", "Outlet", "Published"]
    metas = [META] * 9
    first, second = render.articles_embed(metas, 0), render.articles_embed(metas, 1)
    assert render.page_count(9) == 2 and render.page_count(0) == 1
    assert "Page 1 of 2" in (first.footer.text or "") and "**9.**" in (second.description or "")
    assert (first.description or "").count("\n\n") == render.ARTICLES_PER_PAGE - 1
