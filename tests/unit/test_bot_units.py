"""The bot's parts that need no Discord: feedback store, settings, token handling, choices."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Literal

import pytest
from pydantic import ValidationError

from bot.choices import title_choices
from bot.cli import main
from bot.client import answer_processes
from bot.feedback import Feedback
from bot.settings import Settings
from index.models import Answer
from index.storage.coverage import ArticleMeta


def test_feedback_keeps_one_vote_per_user_and_survives_reopening(tmp_path: Path) -> None:
    store = Feedback(tmp_path / "feedback.sqlite3")
    key = store.record(Answer("Is foreign policy personal?", True, "…", (), ()))
    assert store.vote(key, 1, +1) == (1, 0)
    assert store.vote(key, 1, -1) == (0, 1)  # changed, not added
    assert store.vote(key, 2, -1) == (0, 2)
    store.close()
    reopened = Feedback(tmp_path / "feedback.sqlite3")
    assert reopened.question(key) == "Is foreign policy personal?"
    assert reopened.vote("zzzz", 1, 1) is None and reopened.question("not base36!") is None


def test_settings_precedence_and_secret_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "COVERAGE_SEEDS_DIR=from-dotenv\nCOVERAGE_INDEX_DIR=from-dotenv\nDISCORD_TOKEN=abc.def.ghi\n"
    )
    monkeypatch.setenv("COVERAGE_INDEX_DIR", "from-env")
    settings = Settings(_env_file=dotenv, data_dir=Path("from-constructor"))  # type: ignore[call-arg]
    assert settings.seeds_dir == Path("from-dotenv")
    assert settings.index_dir == Path("from-env")
    assert settings.data_dir == Path("from-constructor")
    assert settings.discord_token is not None and "abc.def.ghi" not in repr(settings)
    assert Settings(_env_file=None, discord_token="  ").discord_token is None  # type: ignore[call-arg]


def test_a_misspelled_setting_is_caught(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("COVERAGE_SEED_DIR=typo\n")
    with pytest.raises(ValidationError, match="coverage_seed_dir"):
        Settings(_env_file=dotenv)  # type: ignore[call-arg]


@pytest.mark.parametrize("command", ["run", "sync"])
@pytest.mark.parametrize(
    ("token", "says"), [(None, "No DISCORD_TOKEN"), ("not-a-token", "does not look like")]
)
def test_without_a_usable_token_run_and_sync_explain_and_exit_2(
    command: str, token: str | None, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    if token:
        monkeypatch.setenv("DISCORD_TOKEN", token)
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert says in err and "discord.com/developers/applications" in err
    assert "Traceback" not in err and (token is None or token not in err)


@pytest.mark.parametrize("command", ["run", "sync"])
def test_a_rejected_token_explains_and_exits_2(
    command: str, seed_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    import discord

    async def rejected(self: object, token: str) -> None:
        raise discord.LoginFailure("Improper token has been passed.")  # what a 401 becomes

    token = f"{'M' * 24}.{'T' * 6}.{'s' * 27}"
    shutil.copytree(seed_index_dir, tmp_path / "coverage")
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "DISCORD_TOKEN": token,
        "COVERAGE_SEEDS_DIR": str(tmp_path / "coverage" / "seeds"),
        "COVERAGE_INDEX_DIR": str(tmp_path / "coverage" / "index"),
        "COVERAGE_WATCH_SEEDS": "off",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(discord.http.HTTPClient, "static_login", rejected)
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert "Discord rejected DISCORD_TOKEN" in err and "discord.com/developers/applications" in err
    assert "Traceback" not in err and token not in err


def test_only_run_and_sync_load_discord() -> None:
    """The CLI and every index module import without discord (it loads inside run and sync)."""
    script = (
        "import importlib, pkgutil, sys, index, bot.cli\n"
        "for m in pkgutil.walk_packages(index.__path__, 'index.'): importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n == 'discord' or n.startswith('discord.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_title_choices_fit_discords_limits() -> None:
    metas = [
        ArticleMeta(
            f"id-{i}", "A very long title " * 10, None, None, f"2022-01-{i % 28 + 1:02d}", None, ""
        )
        for i in range(40)
    ]
    choices = title_choices(metas, "long title")
    assert len(choices) == 25
    assert all(len(c.name) <= 100 and c.value.startswith("id-") for c in choices)
    assert title_choices(metas, "nothing like this") == []


@pytest.mark.parametrize(
    ("setting", "passages", "cores", "expected"),
    [
        (0, 10**6, 8, 0),
        (3, 10, 1, 3),
        ("auto", 1_000, 8, 0),  # a small coverage: one thread answers in milliseconds
        ("auto", 100_000, 2, 2),
        ("auto", 100_000, 32, 4),
        ("auto", 100_000, None, 1),
    ],
)
def test_answer_processes_follow_the_setting_or_the_coverage_and_cores(
    setting: int | Literal["auto"], passages: int, cores: int | None, expected: int
) -> None:
    assert answer_processes(setting, passages, cores) == expected
