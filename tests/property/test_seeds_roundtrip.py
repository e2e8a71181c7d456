"""An article written into the seeds folder reads back exactly: a rebuild reproduces the index."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from index.ingest.files import read_folder
from index.ingest.seeds import write_article
from index.models import Article

_paragraph = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co")),
        min_size=1,
        max_size=80,
    )
    .map(lambda text: " ".join(text.split()))
    .filter(bool)
)
_title = st.text(alphabet=st.characters(whitelist_categories=("L", "N", "P", "Zs")), max_size=40)


@given(
    paragraphs=st.lists(_paragraph, min_size=1, max_size=5),
    title=_title.map(lambda t: " ".join(t.split())).filter(bool),
    author=st.one_of(st.none(), st.sampled_from(["Jane Roe", "Ana María Ñúñez"])),
)
def test_written_article_reads_back_unchanged(
    paragraphs: list[str], title: str, author: str | None
) -> None:
    article = Article(
        id="2022-01-01-x",
        title=title,
        author=author,
        outlet="Example Wire",
        published="2022-01-01",
        url="https://example.com/x?a=1&b=2",
        body="\n\n".join(paragraphs),
        source="",
    )
    with tempfile.TemporaryDirectory() as folder:
        write_article(article, Path(folder))
        [reread] = read_folder(Path(folder)).articles
    assert reread.body == article.body
    assert (reread.author, reread.outlet, reread.published, reread.url) == (
        article.author,
        article.outlet,
        article.published,
        article.url,
    )
