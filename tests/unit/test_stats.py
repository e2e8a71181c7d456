"""Summing up the record: gaps grouped by analysed terms, days, votes; the chart; the CLI."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.chart import daily_chart
from bot.cli import main
from bot.feedback import Feedback
from bot.records import Asked, Recorded
from bot.stats import Day, stats_json, summarize, window
from index.models import Answer, Citation

TODAY = date(2026, 3, 10)
PNG = b"\x89PNG\r\n\x1a\n"


def _row(
    question: str,
    answered: bool = False,
    *,
    days_ago: int = 0,
    missing: tuple[str, ...] = (),
    articles: tuple[str, ...] = (),
    ups: int = 0,
    downs: int = 0,
) -> Recorded:
    asked = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) - timedelta(days=days_ago)
    return Recorded(asked, 1, 2, "hash", question, answered, missing, articles, ups, downs)


def test_near_identical_declined_questions_are_one_gap_ranked_by_count() -> None:
    rows = [
        _row("What did Macron say?", days_ago=3, missing=("Macron",)),
        _row("Who is Scholz?", days_ago=2, missing=("Scholz",)),
        _row("what did MACRON say", days_ago=1, missing=("MACRON",)),
        _row("Why does Biden talk to Putin?", True, articles=("a", "b", "a"), ups=2, downs=1),
        _row("why does biden talk to putin", True, articles=("a",), downs=2),
        _row("Did Putin call the pope?", True, articles=("b",), ups=1),
    ]
    stats = summarize(rows, 7, TODAY)
    assert (stats.questions, stats.answered, stats.declined) == (6, 3, 3)
    assert stats.answer_rate == 0.5 and (stats.ups, stats.downs) == (3, 3)
    assert [(g.question, g.count, g.last_asked) for g in stats.unanswered] == [
        ("what did MACRON say", 2, TODAY - timedelta(days=1)),
        ("Who is Scholz?", 1, TODAY - timedelta(days=2)),
    ]
    assert stats.top_missing_terms == (("macron", 2), ("scholz", 1))
    assert stats.top_articles == (("a", 3), ("b", 2))
    assert [(v.question, v.ups, v.downs) for v in stats.downvoted] == [
        ("why does biden talk to putin", 2, 3)
    ]


def test_every_day_of_the_window_is_listed_oldest_first() -> None:
    rows = [_row("q", True, days_ago=6), _row("r", days_ago=0), _row("s", days_ago=0)]
    stats = summarize(rows, 7, TODAY)
    assert [d.date for d in stats.by_day] == [TODAY - timedelta(days=n) for n in range(6, -1, -1)]
    assert stats.by_day[0] == Day(TODAY - timedelta(days=6), 1, 0)
    assert stats.by_day[-1] == Day(TODAY, 0, 2)
    assert sum(d.answered + d.declined for d in stats.by_day[1:-1]) == 0
    since, until = window(7, TODAY)
    assert since.date() == TODAY - timedelta(days=6) and until.date() == TODAY + timedelta(days=1)


def test_nothing_asked_gives_zeros_and_the_json_shape() -> None:
    document = stats_json(summarize([], 3, TODAY))
    assert document == {
        "days": 3,
        "questions": 0,
        "answered": 0,
        "declined": 0,
        "answer_rate": 0.0,
        "votes": {"up": 0, "down": 0},
        "top_missing_terms": [],
        "unanswered": [],
        "top_articles": [],
        "by_day": [
            {"date": "2026-03-08", "answered": 0, "declined": 0},
            {"date": "2026-03-09", "answered": 0, "declined": 0},
            {"date": "2026-03-10", "answered": 0, "declined": 0},
        ],
    }


@pytest.mark.parametrize("days", [1, 30, 3650])
def test_the_chart_is_a_png_for_any_window(days: int) -> None:
    by_day = [Day(TODAY - timedelta(days=n), n % 3, n % 2) for n in range(days)][::-1]
    assert daily_chart(by_day).startswith(PNG)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder for the CLI; the working directory holds no ``.env``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COVERAGE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_cli_stats_without_a_database_prints_zeros_and_creates_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--json", "--days", "2"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["questions"] == 0 and "no questions on record yet" in err
    assert not data_dir.exists()
    assert main(["stats"]) == 0
    assert "Questions in the last 30 days: 0 asked" in capsys.readouterr().out


def test_cli_stats_text_guild_filter_and_export(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Feedback.in_folder(data_dir)
    at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    citation = Citation("q", "2021-a", "A", None, None, None, None, None, 0, 1, 1.0)
    store.record(Answer("Who?", True, "…", (citation,), ()), Asked(1, 10, 20, at))
    store.record(Answer("=HYPERLINK(1)", False, "…", (), ("x",)), Asked(2, 11, 21, at))
    store.close()
    export = tmp_path / "questions.csv"
    arguments = ["stats", "--until", "2026-03-10", "--guild", "11", "--export", str(export)]
    assert main(arguments) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Questions in the last 30 days: 1 asked, 0 answered, 1 declined")
    assert "   1× =HYPERLINK(1) (last 2026-03-10)" in out and "wrote 1 questions" in err
    [header, row] = list(csv.reader(export.open(encoding="utf-8")))
    record = dict(zip(header, row, strict=True))
    assert record["question"] == "'=HYPERLINK(1)"  # stays text in a spreadsheet
    assert (record["guild_id"], record["answered"], record["missing_terms"]) == ("11", "0", "x")
    assert main(["stats", "--until", "2026-03-10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["questions"] == 2  # every server


def test_cli_stats_bad_input_is_one_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Feedback.in_folder(data_dir).close()
    assert main(["stats", "--export", str(tmp_path / "missing" / "q.csv")]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("cannot write ")
    with pytest.raises(SystemExit) as exited:
        main(["stats", "--until", "yesterday"])
    assert exited.value.code == 2
    assert "is not a date like 2022-02-12" in capsys.readouterr().err


@pytest.mark.parametrize(("until", "days"), [("9999-12-31", "30"), ("0001-01-01", "5")])
def test_cli_stats_until_a_day_at_the_calendars_end_is_one_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str], until: str, days: str
) -> None:
    """The window runs to the midnight after --until and back --days: past year 9999 or 1."""
    with pytest.raises(SystemExit) as exited:
        main(["stats", "--until", until, "--days", days])
    assert exited.value.code == 2
    assert "--until" in capsys.readouterr().err.strip().splitlines()[-1]
