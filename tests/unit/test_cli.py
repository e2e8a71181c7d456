"""The command line as a user runs it: index, articles, article, search."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import SEEDS


@pytest.fixture
def seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private seeds folder and index; the working directory holds no ``.env``."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COVERAGE_SEEDS_DIR", str(tmp_path / "seeds"))
    monkeypatch.setenv("COVERAGE_INDEX_DIR", str(tmp_path / "index"))
    return tmp_path / "seeds"


def test_index_build_info_and_if_needed(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "build"]) == 0
    assert "indexed 2 articles" in capsys.readouterr().out
    assert main(["index", "build", "--if-needed"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["index", "info"]) == 0
    out = capsys.readouterr().out
    for label in (
        "articles",
        "passages",
        "vocabulary",
        "on disk",
        "built",
        "ranking",
        "fingerprint",
    ):
        assert label in out
    assert main(["index", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["articles"] == 2 and info["bytes_on_disk"] > 0 and info["build_seconds"] >= 0


def test_articles_and_article_json_shapes(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["articles", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [list(entry) for entry in listing] == [
        ["id", "title", "author", "outlet", "published", "url", "passages"]
    ] * 2
    assert {e["author"] for e in listing} == {"Mark Galeotti", "Julia Ioffe"}
    assert main(["article", listing[1]["id"], "--json"]) == 0
    article = json.loads(capsys.readouterr().out)
    assert set(article) == {
        "id",
        "title",
        "author",
        "outlet",
        "published",
        "url",
        "passages",
        "body",
        "dates",
    }
    assert main(["articles"]) == 0 and "Julia Ioffe" in capsys.readouterr().out


def test_unknown_article_is_an_error_on_stderr(
    seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["article", "no-such-thing"]) == 1
    captured = capsys.readouterr()
    assert "no such article: no-such-thing" in captured.err and captured.out == ""


def test_search_finds_the_passage_and_text_is_the_body_slice(
    seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "Nord Stream", "--json", "-k", "3"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert list(hits[0]) == ["article_id", "title", "url", "text", "start", "end", "score"]
    assert "Nord Stream 2" in hits[0]["text"]
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        assert main(["article", hit["article_id"], "--json"]) == 0
        body = json.loads(capsys.readouterr().out)["body"]
        assert body[hit["start"] : hit["end"]] == hit["text"]
    assert main(["search", "xylophone quasar"]) == 0
    assert "No passage" in capsys.readouterr().out


def test_k_is_bounded(seeds: Path) -> None:
    with pytest.raises(SystemExit):
        main(["search", "Putin", "-k", "0"])


def test_a_malformed_file_is_reported_and_the_rest_indexed(
    seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (seeds / "broken.jsonl").write_text('{"title": "ok", "body": "Fine text here."}\n{oops\n')
    assert main(["index", "build"]) == 1
    captured = capsys.readouterr()
    assert "indexed 3 articles" in captured.out
    assert "broken.jsonl:2" in captured.err and "not valid JSON" in captured.err


def test_no_command_prints_help(seeds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "usage: coverage-bot" in capsys.readouterr().out


def test_invalid_settings_are_one_clear_message(
    seeds: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COVERAGE_BM25_B", "7")
    assert main(["articles"]) == 2
    assert "invalid settings" in capsys.readouterr().err
