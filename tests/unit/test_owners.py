"""Who counts as an owner: the application's owner (or team), and ``COVERAGE_OWNER_IDS`` too."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import discord
import pytest

from bot.client import CoverageBot
from bot.feedback import Feedback
from bot.settings import Settings

APP_OWNER = 7
EXTRA_OWNER = 42


def _user(user_id: int) -> discord.User:
    return cast(discord.User, SimpleNamespace(id=user_id))


@pytest.mark.parametrize(("owner_ids", "owners"), [([], {APP_OWNER}), ([EXTRA_OWNER], {APP_OWNER, EXTRA_OWNER})])  # fmt: skip
async def test_owner_ids_are_owners_besides_the_application_owner(
    owner_ids: list[int], owners: set[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(_env_file=None, owner_ids=owner_ids)  # type: ignore[call-arg]
    bot = CoverageBot(settings, cast(Any, None), Feedback(tmp_path / "feedback.sqlite3"))

    async def application_info() -> object:
        return SimpleNamespace(team=None, owner=SimpleNamespace(id=APP_OWNER))

    monkeypatch.setattr(bot, "application_info", application_info)
    assert {uid for uid in (APP_OWNER, EXTRA_OWNER, 99) if await bot.is_owner(_user(uid))} == owners
