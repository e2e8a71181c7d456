"""The command line over the seed articles, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def env(seed_index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COVERAGE_SEEDS_DIR", str(seed_index_dir / "seeds"))
    monkeypatch.setenv("COVERAGE_INDEX_DIR", str(seed_index_dir / "index"))
    monkeypatch.chdir(seed_index_dir)  # no developer .env is read
    return seed_index_dir


def test_articles_json_lists_both_seeds_with_metadata(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["articles", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    by_author = {entry["author"]: entry for entry in listing}
    assert set(by_author) == {"Mark Galeotti", "Julia Ioffe"}
    assert by_author["Julia Ioffe"]["url"] == "https://puck.news/putins-talk-therapy/"
    assert by_author["Julia Ioffe"]["published"] == "2021-12-31"
    assert by_author["Mark Galeotti"]["outlet"] == "The Moscow Times"
    assert all(entry["passages"] > 10 for entry in listing)


def test_search_json_text_is_the_body_slice(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "Nord Stream", "--json", "-k", "3"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert "Nord Stream 2" in hits[0]["text"]
    assert main(["article", hits[0]["article_id"], "--json"]) == 0
    body = json.loads(capsys.readouterr().out)["body"]
    for hit in hits:
        assert (
            body[hit["start"] : hit["end"]] == hit["text"]
            or hit["article_id"] != hits[0]["article_id"]
        )
