"""Dates in generated texts: relative days resolve against publication; nothing is invented."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from index.answering.dates import extract_dates

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))
weekdays = st.integers(min_value=0, max_value=6)
#: Words that name no day: numbers, verbs that are month names, times and vague periods.
UNDATED = st.sampled_from(
    [
        "The talks may resume soon.",
        "Troops will march at 12 o'clock.",
        "He spoke for 45 minutes about 30 tanks.",
        "In recent weeks, the sides met twice.",
        "Sometime later this year, a summit could follow.",
        "The 7 points of the plan were agreed.",
        "Article 5 applies to all 30 allies.",
    ]
)


@given(days, weekdays)
def test_a_past_weekday_is_the_last_such_day_on_or_before_publication(
    published: date, weekday: int
) -> None:
    name = calendar.day_name[weekday]
    [(day, start, end)] = extract_dates(f"They spoke on {name} about security.", published)
    assert day.weekday() == weekday
    assert published - timedelta(days=6) <= day <= published
    assert f"They spoke on {name} about security."[start:end] == f"on {name}"


@given(days.filter(lambda d: d.weekday() == calendar.THURSDAY))
def test_tuesday_in_an_article_of_a_thursday_is_two_days_before(published: date) -> None:
    [(day, _, _)] = extract_dates("The call took place on Tuesday.", published)
    assert day == published - timedelta(days=2)


@given(days, weekdays)
def test_a_weekday_announced_for_the_future_is_the_next_such_day(
    published: date, weekday: int
) -> None:
    text = f"The presidents will speak on {calendar.day_name[weekday]}."
    [(day, _, _)] = extract_dates(text, published)
    assert day.weekday() == weekday
    assert published <= day <= published + timedelta(days=6)


@given(days, st.integers(min_value=-1, max_value=1))
def test_yesterday_today_and_tomorrow_are_one_day_apart(published: date, offset: int) -> None:
    word = {-1: "yesterday", 0: "today", 1: "tomorrow"}[offset]
    [(day, _, _)] = extract_dates(f"Officials met {word} in Geneva.", published)
    assert day == published + timedelta(days=offset)


@given(days, days)
def test_a_day_with_a_year_is_read_as_written_whatever_the_publication(
    stated: date, published: date
) -> None:
    text = f"It was signed on {calendar.month_name[stated.month]} {stated.day}, {stated.year}."
    assert [day for day, _, _ in extract_dates(text, published)] == [stated]


@given(days, st.lists(UNDATED, min_size=1, max_size=4))
def test_text_naming_no_day_yields_no_date(published: date, parts: list[str]) -> None:
    assert extract_dates(" ".join(parts), published) == []


@given(st.lists(UNDATED, min_size=0, max_size=3), weekdays)
def test_without_a_publication_date_relative_days_are_not_guessed(
    parts: list[str], weekday: int
) -> None:
    text = " ".join([*parts, f"They met on {calendar.day_name[weekday]} and yesterday."])
    assert extract_dates(text, None) == []


@given(days, days)
@example(stated=date(2000, 1, 1), published=date(2000, 12, 2))  # 336 days back: same year
def test_a_day_without_a_year_falls_in_the_year_around_publication_the_tense_allows(
    stated: date, published: date
) -> None:
    month_day = f"{calendar.month_name[stated.month]} {stated.day}"
    past = extract_dates(f"They met on {month_day}.", published)
    future = extract_dates(f"They will meet on {month_day}.", published)
    for found, earliest, latest in (
        (past, published - timedelta(days=366), published + timedelta(days=31)),
        (future, published - timedelta(days=31), published + timedelta(days=366)),
    ):
        if found:  # February 29 exists only in leap years
            [(day, _, _)] = found
            assert (day.month, day.day) == (stated.month, stated.day)
            assert earliest <= day <= latest
