"""Any text's summary is made of its own sentences, verbatim, in order, at most N of them."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from index.answering.summary import summarize_text
from index.passages import DANGLING_OPENERS

_word = st.one_of(
    st.text(alphabet=st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=10),
    st.sampled_from(sorted(DANGLING_OPENERS)),  # sentences that lean on the one before
)
_sentence = st.lists(_word, min_size=1, max_size=12).map(
    lambda words: " ".join(words).capitalize() + "."
)
_paragraph = st.lists(_sentence, min_size=1, max_size=6).map(" ".join)
_text = st.lists(_paragraph, min_size=1, max_size=5).map("\n\n".join)


@given(text=_text, n=st.integers(min_value=1, max_value=8))
@example(text="It rained all day in Geneva.", n=1)  # nothing before it to lean on
def test_summary_sentences_are_verbatim_and_in_order(text: str, n: int) -> None:
    result = summarize_text(text, n)
    assert result.scope == "text" and result.answered
    assert 0 < len(result.sentences) <= n
    for sentence in result.sentences:
        assert text[sentence.start : sentence.end] == sentence.text and sentence.article_id is None
    starts = [s.start for s in result.sentences]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


@given(text=st.text(max_size=2000), n=st.integers(min_value=1, max_value=5))
def test_any_text_gives_a_summary_or_none_never_an_error(text: str, n: int) -> None:
    result = summarize_text(text, n)
    assert all(
        text.replace("\r\n", "\n").replace("\r", "\n")[s.start : s.end] == s.text
        for s in result.sentences
    )


@given(
    heading=st.text(max_size=600),
    texts=st.lists(st.text(min_size=1, max_size=5000), min_size=1, max_size=8),
)
def test_summary_embeds_fit_discords_limits(heading: str, texts: list[str]) -> None:
    from bot import render
    from index.models import Summary, SummarySentence
    from index.storage.coverage import ArticleMeta

    metas = {
        f"a{i}": ArticleMeta(
            f"a{i}", "T" * 300, "Author", "Outlet", "2022-01-01", "https://x.y", ""
        )
        for i in range(2)
    }
    sentences = tuple(
        SummarySentence(t, f"a{i % 2}", 0, len(t), "https://x.y/#:~:text=a")
        for i, t in enumerate(texts)
    )
    embed = render.summary_embed(heading, Summary("topic", sentences, True), metas)
    assert render.embed_fits(embed)
    assert (embed.description or "").strip() not in (
        "",
        render.ELLIPSIS,
    )  # the first sentence always shows
