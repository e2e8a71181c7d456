"""Dates in article text and in questions."""

from __future__ import annotations

from datetime import date

import pytest

from index.answering.dates import extract_dates, question_period

SPAN = (date(2021, 10, 1), date(2022, 6, 30))


def test_days_with_and_without_years_resolve_against_the_publication_date() -> None:
    text = "On Dec. 7, 2021 they met; on February 10 they spoke; and 12 March is next."
    days = [day for day, _, _ in extract_dates(text, date(2022, 2, 12))]
    assert days == [date(2021, 12, 7), date(2022, 2, 10), date(2022, 3, 12)]


def test_a_day_late_in_the_year_before_publication_belongs_to_the_previous_year() -> None:
    [(day, _, _)] = extract_dates("The December 30 call was short.", date(2022, 1, 3))
    assert day == date(2021, 12, 30)


def test_weekdays_and_yesterday_resolve_to_the_days_before_publication() -> None:
    found = extract_dates("On Thursday he called; yesterday he wrote.", date(2022, 2, 12))
    assert [day for day, _, _ in found] == [date(2022, 2, 10), date(2022, 2, 11)]
    start, end = found[0][1], found[0][2]
    assert "On Thursday he called"[start:end] == "On Thursday"


def test_without_a_publication_date_only_full_dates_are_read() -> None:
    assert extract_dates("On Thursday, February 10, 2022.", None) == [(date(2022, 2, 10), 13, 30)]


@pytest.mark.parametrize(
    ("question", "first", "last"),
    [
        ("What did they agree on in their January 31 call?", date(2022, 1, 30), date(2022, 2, 1)),
        ("What did Biden and Macron talk about on Feb 9?", date(2022, 2, 8), date(2022, 2, 10)),
        ("How long was the early-January call?", date(2022, 1, 1), date(2022, 1, 10)),
        ("What was said in the late-December call?", date(2021, 12, 21), date(2021, 12, 31)),
        ("Why did Biden travel to Kyiv in April?", date(2022, 4, 1), date(2022, 4, 30)),
    ],
)
def test_questions_name_days_and_periods_within_the_coverage(
    question: str, first: date, last: date
) -> None:
    period = question_period(question, SPAN)
    assert period is not None and (period.first, period.last) == (first, last)


@pytest.mark.parametrize(
    "question", ["You may ask what Putin said.", "Will they march on Kyiv?", "What did Putin say?"]
)
def test_verbs_that_are_month_names_name_no_period(question: str) -> None:
    assert question_period(question, SPAN) is None


def test_without_coverage_dates_no_period_is_resolved() -> None:
    assert question_period("in their January 31 call", None) is None


def test_a_weekday_naming_an_explicit_date_is_that_date_not_another() -> None:
    """ "on Tuesday, December 7, 2021" in a text of December 4 is December 7, not November 30."""
    text = "Biden will hold a secure video call with Putin on Tuesday, December 7, 2021."
    assert [day for day, _, _ in extract_dates(text, date(2021, 12, 4))] == [date(2021, 12, 7)]


def test_a_weekday_in_a_sentence_about_the_future_is_the_coming_one() -> None:
    text = "Earlier, they met on Monday. The leaders will speak on Thursday."
    days = [day for day, _, _ in extract_dates(text, date(2021, 12, 27))]  # a Monday
    assert days == [date(2021, 12, 27), date(2021, 12, 30)]


def test_a_day_announced_for_the_future_falls_after_publication_even_across_new_year() -> None:
    """ "talks that will begin on January 9" in an article of 31 December are in the new year."""
    text = "This call set the scene for negotiations that will begin in Geneva on January 9."
    assert [day for day, _, _ in extract_dates(text, date(2021, 12, 31))] == [date(2022, 1, 9)]
    ahead = "The leaders will meet on April 20."
    assert [day for day, _, _ in extract_dates(ahead, date(2022, 2, 12))] == [date(2022, 4, 20)]
    recent = "They will discuss the December 7 call."  # a recent day stays in its year
    assert [day for day, _, _ in extract_dates(recent, date(2021, 12, 15))] == [date(2021, 12, 7)]


def test_relative_days_past_the_calendars_ends_are_no_dates() -> None:
    assert extract_dates("Yesterday it sank.", date.min) == []
    assert extract_dates("Tomorrow it sails.", date.max) == []
    assert [d for d, _, _ in extract_dates("On January 3 it sank.", date.min)] == [date(1, 1, 3)]
    assert [d for d, _, _ in extract_dates("On December 30 it sank.", date.max)] == [
        date(9999, 12, 30)
    ]
