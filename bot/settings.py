"""Every setting, read once from the environment and ``.env`` (see ``.env.example``).

Names carry the ``COVERAGE_`` prefix, except the token, which uses the conventional
``DISCORD_TOKEN``. The token is optional here and demanded only by ``run`` and ``sync``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.bm25 import BM25Params
from index.fetch import FetchLimits
from index.maintain import Maintainer


class Settings(BaseSettings):
    """coverage-bot's configuration; constructor arguments beat the environment and ``.env``."""

    model_config = SettingsConfigDict(
        env_prefix="COVERAGE_", env_file=".env", env_file_encoding="utf-8", populate_by_name=True
    )

    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    seeds_dir: Path = Path("seeds")
    index_dir: Path = Path("data/index")
    data_dir: Path = Path("data")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    bm25_variant: Literal["okapi", "l", "plus"] = "plus"
    bm25_k1: float = Field(default=1.5, gt=0, le=5)
    bm25_b: float = Field(default=0.9, ge=0, le=1)
    max_question_chars: int = Field(default=500, ge=20, le=4000)
    fetch_timeout: float = Field(default=10.0, gt=0, le=120)
    fetch_max_bytes: int = Field(default=5_000_000, ge=10_000, le=100_000_000)
    fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    allow_private_urls: bool = False
    # --- the Discord bot ---
    owner_ids: list[int] = Field(default_factory=list)  #: besides the application's owner
    listen_channels: list[int] = Field(default_factory=list)  #: empty: every channel it can read
    answer_in_thread: bool = False
    cooldown_questions: int = Field(default=4, ge=1, le=100)
    cooldown_seconds: float = Field(default=30.0, ge=0, le=3600)
    sync_on_start: bool = False
    shard_count: int | None = Field(default=None, ge=1, le=10_000)
    shard_ids: list[int] | None = None
    watch_seeds: Literal["poll", "watch", "off"] = "poll"
    poll_seconds: float = Field(default=10.0, ge=1, le=3600)
    add_role_id: int | None = None  #: members with this role may use /add; unset: /add is off

    @field_validator("discord_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        """``DISCORD_TOKEN=`` in ``.env.example`` means "no token", not an empty one."""
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("COVERAGE_SHARD_IDS needs COVERAGE_SHARD_COUNT")
            if any(not 0 <= shard < self.shard_count for shard in self.shard_ids):
                raise ValueError("every shard id must be below COVERAGE_SHARD_COUNT")
        return self

    def fetch_limits(self) -> FetchLimits:
        """How far fetching a URL may go (``coverage-bot add URL``, ``/add``)."""
        return FetchLimits(
            timeout=self.fetch_timeout,
            max_bytes=self.fetch_max_bytes,
            max_redirects=self.fetch_max_redirects,
            allow_private=self.allow_private_urls,
        )

    def maintainer(self) -> Maintainer:
        """The one path through which every change to this coverage goes."""
        return Maintainer(self.seeds_dir, self.index_dir, self.bm25_params())

    def bm25_params(self) -> BM25Params:
        """The BM25 variant and parameters the index is built with."""
        # delta as rank-bm25's defaults: 0.5 for BM25L, 1 for BM25Plus (unused by Okapi)
        delta = 0.5 if self.bm25_variant == "l" else 1.0
        return BM25Params(variant=self.bm25_variant, k1=self.bm25_k1, b=self.bm25_b, delta=delta)
