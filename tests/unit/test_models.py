"""The helpers every layer shares: the byline and the term-set similarity."""

from __future__ import annotations

from index.analyze import jaccard
from index.models import byline, byline_parts
from index.storage.coverage import ArticleMeta


def test_a_byline_leaves_out_what_is_unknown_and_keeps_its_order() -> None:
    full = ArticleMeta("a", "T", "Jane Roe", "Wire", "2022-01-10", None, "a.md")
    assert byline(full) == "Jane Roe · Wire · 2022-01-10"
    assert byline(full, ", ") == "Jane Roe, Wire, 2022-01-10"
    partial = ArticleMeta("b", "T", None, "Wire", "", None, "b.md")
    assert byline_parts(partial) == ["Wire"] and byline(partial) == "Wire"
    assert byline(ArticleMeta("c", "T", None, None, None, None, "c.md")) == ""


def test_jaccard_is_shared_terms_over_all_terms() -> None:
    assert jaccard({"a", "b"}, {"b", "c"}) == 1 / 3
    assert jaccard(frozenset({"a"}), {"a"}) == 1.0
    assert jaccard(set(), set()) == 0.0 and jaccard({"a"}, set()) == 0.0
