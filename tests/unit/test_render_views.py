"""Custom ids of the answer buttons: short enough for Discord, and read back to the same state."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.render import quote_check
from bot.views import MoreButton, ShowButton, VoteButton
from index.ingest.files import MAX_SLUG_CHARS

#: The longest article id: an ISO date, a capped slug, and a suffix told namesakes apart.
LONGEST_ID = f"2022-01-01-{'a' * MAX_SLUG_CHARS}-abcdef"


@given(
    article_id=st.from_regex(r"[a-z0-9-]{1,66}", fullmatch=True),
    start=st.integers(min_value=0, max_value=999_999_999),
    length=st.integers(min_value=0, max_value=999_999_999),
    quote=st.text(max_size=50),
)
def test_show_ids_fit_and_read_back(article_id: str, start: int, length: int, quote: str) -> None:
    end = min(start + length, 999_999_999)
    button = ShowButton(article_id, start, end, quote_check(quote))
    custom_id = button.item.custom_id
    assert custom_id is not None and len(custom_id) <= 100
    match = button.template.fullmatch(custom_id)
    assert match is not None
    assert (match["article"], int(match["start"]), int(match["end"])) == (article_id, start, end)


def test_the_longest_ids_fit() -> None:
    assert len(LONGEST_ID) == 66
    show = ShowButton(LONGEST_ID, 999_999_999, 999_999_999, "ffff").item.custom_id
    assert show is not None and len(show) == 100


def test_answer_keys_travel_in_more_and_vote_ids_without_the_question() -> None:
    more = MoreButton("zz9").item.custom_id
    up, down = VoteButton("zz9", "up").item.custom_id, VoteButton("zz9", "down").item.custom_id
    assert (more, up, down) == ("cb1:more:zz9", "cb1:vote:zz9:up", "cb1:vote:zz9:down")
    assert MoreButton("zz9").template.fullmatch(more or "")
    assert VoteButton("zz9", "down").template.fullmatch(down or "")
