"""COVERAGE_WATCH_SEEDS=watch: a new file in the seeds folder is noticed and swapped in."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from bot import create_bot
from bot.settings import Settings
from tests.conftest import SEEDS


async def test_the_watcher_rebuilds_when_a_seed_file_appears(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        seeds_dir=tmp_path / "seeds",
        index_dir=tmp_path / "index",
        data_dir=tmp_path / "data",
        watch_seeds="watch",
    )
    bot = create_bot(settings)
    async with bot:
        await bot.load_extension("bot.cogs.admin")  # as setup_hook does; starts the watcher
        admin = bot.get_cog("Admin")
        rebuilt = asyncio.Event()
        refresh = admin.refresh  # type: ignore[union-attr]

        async def noting(force: bool = False) -> bool:
            done = await refresh(force)
            if done:
                rebuilt.set()
            return done

        admin.refresh = noting  # type: ignore[union-attr]
        (settings.seeds_dir / "grain.md").write_text(
            "---\ntitle: Grain talks\n---\n\nDelegations met in Istanbul to discuss grain corridors.\n"
        )
        await asyncio.wait_for(rebuilt.wait(), timeout=30)  # a file event, or the periodic check
        assert len(bot.live.current) == 3
        await bot.unload_extension("bot.cogs.admin")  # stops the watcher
