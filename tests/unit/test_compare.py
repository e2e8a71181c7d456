"""Comparing sources over a small coverage of dated readouts (tests/readouts.py)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.cogs.compare import outlet_choices
from bot.views import next_source
from index.analyze import analyze
from index.answering.compare import (
    Comparison,
    SourceError,
    compare,
    match_source,
    only_in_lines,
    outlets,
    resolve_sources,
    topic_event,
)
from index.storage.bm25 import BM25Params
from index.storage.coverage import Coverage
from index.storage.store import build_index, load
from tests.readouts import KREMLIN, MOSCOW_TIMES, UKRAINE, WHITE_HOUSE, write_readouts

DEC30 = "December 30 2021 call between Biden and Putin"


@pytest.fixture(scope="module")
def readouts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readouts")
    write_readouts(root / "seeds")
    build_index(root / "seeds", root / "index", BM25Params())
    return root


@pytest.fixture(scope="module")
def readouts(readouts_dir: Path) -> Coverage:
    return load(readouts_dir / "index")


def _urls(result: Comparison, outlet: str) -> set[str | None]:
    side = next(side for side in result.sides if side.outlet == outlet)
    return {quote.url for quote in side.quotes}


def _verbatim(coverage: Coverage, result: Comparison) -> None:
    for side in result.sides:
        assert len(side.quotes) <= 3
        for quote in side.quotes:
            index = coverage.index_of(quote.article_id)
            assert index is not None and coverage.metas[index].outlet in (side.outlet, None)
            assert coverage.body(index)[quote.start : quote.end] == quote.quote


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        (DEC30, (date(2021, 12, 30), date(2021, 12, 30))),
        ("the Dec. 7 video call", (date(2021, 12, 7), date(2021, 12, 7))),  # the coverage's year
        ("Putin Biden video call December 7", (date(2021, 12, 7), date(2021, 12, 7))),
        ("30 December 2021 call", (date(2021, 12, 30), date(2021, 12, 30))),
        ("the call of December 31st, 2021", (date(2021, 12, 31), date(2021, 12, 31))),
        ("Putin's calls in early January", (date(2022, 1, 1), date(2022, 1, 10))),
        ("Biden Putin call", None),
        ("February 30 call", None),
        ("May Day parade", None),
    ],
)
def test_topic_events(readouts: Coverage, topic: str, expected: tuple[date, date] | None) -> None:
    event = topic_event(readouts, topic)
    assert (event.first, event.last) == expected if event else expected is None


@pytest.mark.parametrize(
    ("typed", "outlet"),
    [
        ("whitehouse", WHITE_HOUSE),
        ("White House", WHITE_HOUSE),
        ("the white house", WHITE_HOUSE),
        ("kremlin", KREMLIN),  # only the links' host says Kremlin
        ("The Kremlin", KREMLIN),
        ("President of Russia", KREMLIN),
        ("moscowtimes", MOSCOW_TIMES),
        ("Moscow Times", MOSCOW_TIMES),
        ("example.org", "example.org"),  # an article without an outlet speaks for its site
    ],
)
def test_sources_are_matched_loosely(readouts: Coverage, typed: str, outlet: str) -> None:
    assert match_source(readouts, typed) == [outlet]
    assert resolve_sources(readouts, [typed, "", typed]) == [outlet]


def test_ambiguous_and_unknown_sources_are_explained(readouts: Coverage) -> None:
    with pytest.raises(SourceError, match="matches several outlets: President of Russia, "):
        resolve_sources(readouts, ["president"])
    with pytest.raises(SourceError, match="no outlet matches “Fox News”; the coverage's outlets"):
        resolve_sources(readouts, ["Fox News"])
    assert outlets(readouts)[KREMLIN] == 3


def test_outlets_counted_once_per_coverage_are_the_callers_to_change(readouts: Coverage) -> None:
    listed = outlets(readouts)
    listed.clear()
    assert outlets(readouts)[KREMLIN] == 3


def test_a_named_date_aligns_every_side_on_that_days_account(readouts: Coverage) -> None:
    sources = resolve_sources(readouts, ["whitehouse", "kremlin"])
    result = compare(readouts, DEC30, sources)
    assert result.answered and [s.outlet for s in result.sides] == [WHITE_HOUSE, KREMLIN]
    assert _urls(result, WHITE_HOUSE) == {
        "https://www.whitehouse.gov/briefing-room/2021/12/30/phone-call/"
    }
    assert _urls(result, KREMLIN) == {"http://en.kremlin.ru/events/president/news/67487"}
    # The day-before announcement names the date but cannot tell the call: not counted.
    assert [side.articles for side in result.sides] == [1, 1]
    quoted = " ".join(q.quote for side in result.sides for q in side.quotes)
    # The Kremlin's account recalls the December 7 call in a well-matching sentence: never quoted.
    assert "December 7" not in quoted and "video" not in quoted
    assert "New Year greetings" in quoted
    _verbatim(readouts, result)


@pytest.mark.parametrize("topic", ["Putin Biden video call December 7", "Dec 7 call Putin Biden"])
def test_a_side_never_quotes_another_dates_call(readouts: Coverage, topic: str) -> None:
    result = compare(readouts, topic)
    assert result.answered and result.event is not None
    assert result.event.first == result.event.last == date(2021, 12, 7)
    assert {WHITE_HOUSE, KREMLIN, MOSCOW_TIMES} <= {side.outlet for side in result.sides}
    for side in result.sides:
        for quote in side.quotes:
            assert quote.published is not None
            named = re.search(r"December \d+", quote.quote)
            assert "2021-12-07" <= quote.published <= "2021-12-09" or (
                named is not None and named.group() == "December 7"
            )
            assert "New Year" not in quote.quote and "December 30" not in quote.quote
    _verbatim(readouts, result)


def test_without_sources_the_outlets_that_say_most_up_to_four(readouts: Coverage) -> None:
    result = compare(readouts, "Putin Biden call")
    names = [side.outlet for side in result.sides]
    assert result.answered and 2 <= len(names) <= 4 and len(set(names)) == len(names)
    assert names == list(result.candidates[: len(names)])
    # Undated: the sides may tell different calls, and the note says how to align them.
    assert result.note.endswith("name a day in the topic to compare accounts of one event.")
    assert "name a day" not in compare(readouts, DEC30).note
    assert all(side.quotes and side.articles >= 1 for side in result.sides)
    _verbatim(readouts, result)


def test_only_in_lists_words_one_side_alone_uses(readouts: Coverage) -> None:
    result = compare(readouts, DEC30, [WHITE_HOUSE, KREMLIN])
    assert any("greetings" in words for words in result.only_in[KREMLIN])
    topic_terms = set(analyze(DEC30))
    for outlet, words in result.only_in.items():
        others = " ".join(
            q.quote for side in result.sides if side.outlet != outlet for q in side.quotes
        )
        for phrase in words:
            assert not set(analyze(phrase)) & set(analyze(others))
            assert not set(analyze(phrase)) & topic_terms
    assert only_in_lines(result)[1].startswith(f"Only {KREMLIN} mentions “")


def test_a_topic_one_source_covers_says_so(readouts: Coverage) -> None:
    result = compare(readouts, "Olympic torch relay")
    assert result.answered and [s.outlet for s in result.sides] == [MOSCOW_TIMES]
    assert result.note == f"Only {MOSCOW_TIMES} covers this topic."
    assert result.only_in == {}


def test_a_named_source_with_nothing_is_a_silent_side(readouts: Coverage) -> None:
    result = compare(readouts, "Olympic torch relay", [MOSCOW_TIMES, UKRAINE])
    assert result.answered and [len(s.quotes) for s in result.sides] == [1, 0]
    assert result.sides[1].articles == 0
    assert result.note == f"Only {MOSCOW_TIMES} covers this topic. {UKRAINE} says nothing about it."
    silent = compare(readouts, "Olympic torch relay", [UKRAINE])
    assert not silent.answered and silent.sides == ()
    assert (
        silent.note == f"{UKRAINE} says nothing about this topic. Sources that do: {MOSCOW_TIMES}."
    )


@pytest.mark.parametrize(
    ("topic", "said"),
    [
        ("football world cup", "no article mentions “football”, “world”, “cup”"),
        ("What did Macron say about the call?", "no article mentions “Macron”"),
        ("December 30 2021", "Name what to compare besides a date."),
        ("   ", "Ask me a question about the coverage"),
    ],
)
def test_topics_nobody_covers_are_declined(readouts: Coverage, topic: str, said: str) -> None:
    result = compare(readouts, topic)
    assert not result.answered and result.sides == () and result.only_in == {}
    assert said in result.note


def test_cli_compare_json_contract(
    readouts_dir: Path,
    readouts: Coverage,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COVERAGE_SEEDS_DIR", str(readouts_dir / "seeds"))
    monkeypatch.setenv("COVERAGE_INDEX_DIR", str(readouts_dir / "index"))
    monkeypatch.chdir(readouts_dir)
    assert main(["compare", DEC30, "--sources", "whitehouse,kremlin", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"topic", "answered", "sides", "only_in", "missing_terms"}
    assert doc["topic"] == DEC30 and doc["answered"] is True and doc["missing_terms"] == []
    assert [side["outlet"] for side in doc["sides"]] == [WHITE_HOUSE, KREMLIN]
    for side in doc["sides"]:
        assert set(side) == {"outlet", "articles", "quotes"} and side["articles"] >= 1
        for quote in side["quotes"]:
            assert set(quote) == {
                "quote",
                "article_id",
                "title",
                "published",
                "url",
                "link",
                "start",
                "end",
            }
            index = readouts.index_of(quote["article_id"])
            assert index is not None
            assert readouts.body(index)[quote["start"] : quote["end"]] == quote["quote"]
            assert quote["link"].startswith(quote["url"] + "#:~:text=")
    assert set(doc["only_in"]) <= {WHITE_HOUSE, KREMLIN}
    assert main(["compare", "football world cup", "--json"]) == 0
    declined = json.loads(capsys.readouterr().out)
    assert declined["answered"] is False and declined["sides"] == []
    assert declined["missing_terms"] == ["football", "world", "cup"]


def test_cli_compare_text_and_unknown_sources(
    readouts_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COVERAGE_SEEDS_DIR", str(readouts_dir / "seeds"))
    monkeypatch.setenv("COVERAGE_INDEX_DIR", str(readouts_dir / "index"))
    monkeypatch.chdir(readouts_dir)
    assert main(["compare", "Olympic torch relay"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Only {MOSCOW_TIMES} covers this topic.\n\n{MOSCOW_TIMES} (1 article)")
    assert main(["compare", DEC30, "--sources", "Fox News"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("coverage-bot compare: no outlet matches “Fox News”")
    assert captured.err.count("\n") == 1


@pytest.mark.parametrize(
    ("shown", "slot", "expected"),
    [
        (["A", "B"], 1, "C"),  # the next candidate after B that is not shown
        (["A", "D"], 1, "B"),  # past the end: from the top again
        (["C", "A"], 0, "D"),
        (["X", "A"], 0, "B"),  # a side no longer among the candidates: the first not shown
        (["A", "B", "C", "D"], 2, None),  # nothing left to bring
    ],
)
def test_swapping_brings_the_next_source(shown: list[str], slot: int, expected: str | None) -> None:
    assert next_source(("A", "B", "C", "D"), shown, slot) == expected


def test_outlet_choices_contain_what_was_typed_biggest_first() -> None:
    counts = {"President of Russia": 815, "President of Ukraine": 979, "Puck": 1, "x" * 150: 2}
    choices = outlet_choices(counts, "PRESIDENT")
    assert [c.value for c in choices] == ["President of Ukraine", "President of Russia"]
    assert choices[0].name == "President of Ukraine (979 articles)"
    everything = outlet_choices(counts, "")
    assert len(everything) == 4 and all(
        len(c.name) <= 100 and len(c.value) <= 100 for c in everything
    )
