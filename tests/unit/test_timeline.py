"""``coverage-bot timeline``, ``ask --since/--until`` and ``article --json`` dates, on a small story."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from index.answering.timeline import weekly
from tests.timeline_coverage import CALL, FREEZE, HALT, INSOLVENCY, write_coverage

EVENT_KEYS = {
    "date",
    "date_source",
    "quote",
    "article_id",
    "title",
    "outlet",
    "published",
    "url",
    "link",
    "start",
    "end",
}


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The generated story as the coverage; the working directory holds no ``.env``."""
    write_coverage(tmp_path / "seeds", extra=3)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COVERAGE_SEEDS_DIR", str(tmp_path / "seeds"))
    monkeypatch.setenv("COVERAGE_INDEX_DIR", str(tmp_path / "index"))
    return tmp_path


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_the_json_contract_quotes_are_body_slices(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _json(capsys, "timeline", "pipeline", "--json")
    assert set(result) == {"topic", "answered", "events", "missing_terms"}
    assert result["topic"] == "pipeline" and result["answered"] and result["missing_terms"] == []
    for event in result["events"]:
        assert set(event) == EVENT_KEYS | {"more"}
        assert all(set(more) == EVENT_KEYS for more in event["more"])
        for mention in [event, *event["more"]]:
            assert mention["date_source"] in {"text", "published"}
            article = _json(capsys, "article", mention["article_id"], "--json")
            assert article["body"][mention["start"] : mention["end"]] == mention["quote"]
            assert mention["published"] == article["published"]
            if mention["date_source"] == "published":
                assert mention["date"] == mention["published"]
            assert mention["link"].startswith(mention["url"] + "#:~:text=")


def test_events_are_in_date_order_one_per_story_with_stated_dates(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _json(capsys, "timeline", "pipeline", "--json")["events"]
    days = [event["date"] for event in events]
    assert days == sorted(days) and len(days) == len(set(days))
    assert days[:3] == [CALL.isoformat(), HALT.isoformat(), FREEZE.isoformat()]
    call, halt, freeze = events[:3]
    # The Kremlin's account, published the next day, is the same call: one event, two sources.
    assert call["outlet"] == "whitehouse.gov" and call["date_source"] == "text"
    assert [m["outlet"] for m in call["more"]] == ["kremlin.ru"]
    assert halt["date_source"] == "text" and halt["published"] == "2022-02-20"
    assert freeze["date_source"] == "text" and "on Tuesday" in freeze["quote"]
    assert "harvested" not in json.dumps(events)


def test_an_undated_article_is_placed_only_by_a_full_date_it_states(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _json(capsys, "timeline", "pipeline", "--json")["events"]
    undated = [event for event in events if event["published"] is None]
    assert [(e["date"], e["date_source"]) for e in undated] == [(INSOLVENCY.isoformat(), "text")]
    assert "neighbours" not in json.dumps(events)


def test_the_plain_listing_names_the_other_sources(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["timeline", "pipeline", "--until", "2022-01-31"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{CALL.isoformat()}  “President Biden spoke today")
    assert "also: kremlin.ru" in out


def test_since_and_until_bound_the_events(story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    window = ["--since", "2022-02-01", "--until", "2022-03-31"]
    days = [e["date"] for e in _json(capsys, "timeline", "pipeline", *window, "--json")["events"]]
    assert days == [HALT.isoformat(), FREEZE.isoformat()]
    limited = _json(capsys, "timeline", "pipeline", "--limit", "1", "--json")["events"]
    assert len(limited) == 1


def test_a_topic_the_coverage_does_not_discuss_is_declined(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _json(capsys, "timeline", "sourdough baking", "--json")
    assert result["answered"] is False and result["events"] == []
    assert result["missing_terms"] == ["sourdough", "baking"]
    assert main(["timeline", "sourdough baking"]) == 0
    assert "no article mentions “sourdough”, “baking”" in capsys.readouterr().out


def test_a_period_with_nothing_about_the_topic_is_not_answered(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _json(capsys, "timeline", "pipeline", "--until", "2021-12-31", "--json")
    assert result["answered"] is False and result["events"] == []


def test_a_bad_date_is_one_clear_line(story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["timeline", "pipeline", "--since", "2022-02-30"])
    assert "'2022-02-30' is not a date like 2022-02-12" in capsys.readouterr().err


def test_ask_since_until_answers_from_that_period_only(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    question = "What happened to the pipeline?"
    answer = _json(capsys, "ask", question, "--since", "2022-03-01", "--json")
    assert answer["citations"]
    assert all(c["published"] >= "2022-03-01" for c in answer["citations"])
    early = _json(capsys, "ask", question, "--until", "2022-01-31", "--json")
    assert early["citations"]
    assert all(c["published"] <= "2022-01-31" for c in early["citations"])


def test_a_question_naming_a_period_is_answered_from_it(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = _json(capsys, "ask", "What happened to the pipeline in March 2022?", "--json")
    assert answer["citations"][0]["published"].startswith("2022-03")


def test_article_json_lists_dates_with_their_spans(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = _json(capsys, "articles", "--json")
    freeze = next(a for a in listing if a["published"] == "2022-03-17")
    article = _json(capsys, "article", freeze["id"], "--json")
    [found] = article["dates"]
    assert found["date"] == FREEZE.isoformat()
    assert article["body"][found["start"] : found["end"]] == "on Tuesday"


def test_weekly_counts_start_on_mondays_and_keep_empty_weeks() -> None:
    days = (date(2022, 1, 5), date(2022, 1, 9), date(2022, 1, 24))  # Wed, Sun, Mon
    assert weekly(days) == [
        (date(2022, 1, 3), 2),
        (date(2022, 1, 10), 0),
        (date(2022, 1, 17), 0),
        (date(2022, 1, 24), 1),
    ]
    assert weekly(()) == []


def test_an_article_dated_at_the_calendars_edge_is_read_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """0001-01-01 is Go's zero time, which exports write for an unknown date: "yesterday"
    and the grouping of reports a day apart reached past the calendar (OverflowError)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    body = "Yesterday the ferry sank near Zanzibar. Last Thursday the ferry was full."
    records = [
        {"title": "Zero time", "date": "0001-01-01T00:00:00Z", "body": body},
        {"title": "Far future", "date": "9999-12-31", "body": "Tomorrow the ferry sails on."},
        {"title": "Report", "date": "2022-02-02", "body": "On February 1 the ferry sank."},
    ]
    (seeds / "export.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    monkeypatch.setenv("COVERAGE_SEEDS_DIR", str(seeds))
    monkeypatch.setenv("COVERAGE_INDEX_DIR", str(tmp_path / "index"))
    events = _json(capsys, "timeline", "ferry", "--json")["events"]
    assert "2022-02-01" in [event["date"] for event in events]
    for argv in (["ask", "What happened to the ferry on February 1?"], ["compare", "ferry"]):
        assert main(argv) in (0, 1)
