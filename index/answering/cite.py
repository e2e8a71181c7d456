"""Citations: a span of an article body turned into a quote with its source and link."""

from __future__ import annotations

from index.answering.links import text_fragment_link
from index.models import Citation
from index.storage.coverage import Coverage


def cite(coverage: Coverage, article: int, start: int, end: int, score: float = 0.0) -> Citation:
    """Quote ``body[start:end]`` of the article at index ``article``, with its metadata."""
    meta = coverage.metas[article]
    quote = coverage.body(article)[start:end]
    return Citation(
        quote=quote,
        article_id=meta.id,
        title=meta.title,
        author=meta.author,
        outlet=meta.outlet,
        published=meta.published,
        url=meta.url,
        link=text_fragment_link(meta.url, quote),
        start=start,
        end=end,
        score=round(score, 4),
    )
