"""Every setting, read once from the environment and ``.env`` (see ``.env.example``).

Names carry the ``COVERAGE_`` prefix, except the token, which uses the conventional
``DISCORD_TOKEN``. The token is optional here and demanded only by ``run`` and ``sync``.
``load_settings`` turns every way of getting them wrong into one ``SettingsError`` whose
message never repeats a value that may be a secret.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from index.ingest.feedstore import FeedStore
from index.ingest.fetch import FetchLimits
from index.storage.bm25 import BM25Params
from index.storage.feeds import FeedPoller
from index.storage.maintain import Maintainer

#: The feeds database in the data folder.
FEEDS_FILE = "feeds.sqlite3"


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
    #: processes answering questions; 0: the bot's own thread; auto: see ``answer_processes``
    answer_processes: Annotated[int, Field(ge=0, le=64)] | Literal["auto"] = "auto"
    #: members with this role may use /add and /feeds; unset: both are off
    add_role_id: int | None = None
    # --- questions on record (/stats, ``coverage-bot stats``) ---
    record_questions: bool = True
    record_days: int = Field(default=90, ge=1, le=3650)  #: older records are deleted
    announce_channel: int | None = None  #: where new articles from feeds are announced

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

    def feed_poller(self) -> FeedPoller:
        """Polls the feeds followed in the data folder into this coverage."""
        store = FeedStore(self.data_dir / FEEDS_FILE)
        return FeedPoller(store, self.maintainer(), self.fetch_limits())

    def bm25_params(self) -> BM25Params:
        """The BM25 variant and parameters the index is built with."""
        # delta as rank-bm25's defaults: 0.5 for BM25L, 1 for BM25Plus (unused by Okapi)
        delta = 0.5 if self.bm25_variant == "l" else 1.0
        return BM25Params(variant=self.bm25_variant, k1=self.bm25_k1, b=self.bm25_b, delta=delta)


#: Names of settings whose values are never repeated in an error message.
_SECRET_NAME = re.compile(r"token|secret|passw|key|credential", re.IGNORECASE)


class SettingsError(Exception):
    """Settings that cannot be loaded; ``str(error)`` says why without repeating any secret."""


def load_settings() -> Settings:
    """The settings from the environment and ``.env``; a ``SettingsError`` says what is wrong."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(
            "invalid settings (environment or .env):\n" + "\n".join(_describe(exc))
        ) from None
    except SourceError as exc:  # a list setting that is not JSON; the message holds no value
        field = re.search(r'field "(\w+)"', str(exc))
        name = _variable(field[1], None) if field else "a setting"
        raise SettingsError(
            f"invalid settings (environment or .env):\n  {name}: not a JSON list such as [1, 2]"
        ) from None
    except UnicodeDecodeError as exc:
        raise SettingsError(_not_utf8(exc)) from None


def _describe(error: ValidationError) -> list[str]:
    """One line per problem, naming the variable; the value only where it cannot be a secret.

    A name that is not a setting may be a misspelled secret (``DISCORD_TOKN=...``), so only
    the values of known settings with harmless names are shown.
    """
    lines = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else ""
        field = Settings.model_fields.get(name)
        if problem["type"] == "extra_forbidden":
            lines.append(f"  {name.upper()}: not a setting coverage-bot knows (misspelled?)")
        elif field is None:  # a rule across settings (the shards), or the token's alias
            lines.append(f"  {name.upper() + ': ' if name else ''}{problem['msg']}")
        elif _SECRET_NAME.search(name):
            lines.append(f"  {_variable(name, field.validation_alias)}: {problem['msg']}")
        else:
            shown = f" (got {problem['input']!r})"
            lines.append(f"  {_variable(name, field.validation_alias)}: {problem['msg']}{shown}")
    return lines


def _variable(name: str, alias: object) -> str:
    """The environment variable a field is read from."""
    return alias if isinstance(alias, str) else f"COVERAGE_{name.upper()}"


def _not_utf8(error: UnicodeDecodeError) -> str:
    """Where a ``.env`` that is not UTF-8 goes wrong, without quoting its contents."""
    env_file = Path(str(Settings.model_config.get("env_file"))).resolve()
    line = bytes(error.object[: error.start]).count(b"\n") + 1
    byte = error.object[error.start]
    return (
        f"cannot read settings from {env_file}: line {line} is not UTF-8 text "
        f"(byte 0x{byte:02x}); save the file as UTF-8"
    )
