"""Questions on record: when and where each was asked, by whom (as a salted hash), what came of it.

What readers ask and the coverage cannot answer is the list of articles to add next, so the
bot keeps one row per question asked in Discord (``/stats``, ``coverage-bot stats``). The
rows live in the feedback database (``bot.feedback`` runs the SQL here on its own thread,
with its handling of damaged and locked files); this module owns the table and its queries.

Nobody is identifiable from the rows: the user id is never stored, only an HMAC-SHA256 of it
keyed by a random salt kept beside the database (``user-hash.salt``, readable by its owner
only). The same person gets the same hash, so votes stay one per person, but without the
salt the hash cannot be tied back to an account (Discord ids are guessable, hence the key).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index.atomic import claim_new
from index.models import Answer

#: Bytes of a new salt; a shorter file is not one this module wrote.
SALT_BYTES = 32
#: Hex digits kept of each user's hash (128 bits).
HASH_CHARS = 32
#: How times are stored: UTC, the format of SQLite's ``datetime('now')``, sortable as text.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
#: A user mention as Discord writes it in text: ``<@id>`` or ``<@!id>``.
_USER_MENTION = re.compile(r"<@!?\d+>")

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    asked TEXT NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    user_hash TEXT NOT NULL,
    question TEXT NOT NULL,
    answered INTEGER NOT NULL,
    missing_terms TEXT NOT NULL,
    article_ids TEXT NOT NULL,
    answer_id INTEGER REFERENCES answers(id)
);
CREATE INDEX IF NOT EXISTS questions_by_time ON questions (asked);
"""


@dataclass(frozen=True, slots=True)
class Asked:
    """Who asked, where and when, as Discord says; the user id is hashed before it is stored."""

    user_id: int
    guild_id: int | None  #: None in a DM
    channel_id: int | None  #: not stored for a DM
    at: datetime  #: timezone-aware


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose questions to read: every server (``guild_id`` None) or one, with or without DMs."""

    guild_id: int | None = None
    dms: bool = True


@dataclass(frozen=True, slots=True)
class Recorded:
    """One question on record, with the votes its answer got."""

    asked: datetime  #: UTC
    guild_id: int | None
    channel_id: int | None
    user_hash: str
    question: str
    answered: bool
    missing_terms: tuple[str, ...]
    article_ids: tuple[str, ...]  #: one per citation shown, best first
    ups: int
    downs: int


class Salt:
    """The key of the user hashes: read from its file, made on first use (mode 0600).

    Made once and claimed with a hard link (``index.atomic.claim_new``), so two processes
    starting together end up with one salt; a half-written salt is never visible.
    """

    def __init__(self, path: Path) -> None:
        self.path: Path = path
        self._key: bytes | None = None

    def hash(self, user_id: int) -> str:
        """The user's hash; an ``OSError`` when the salt cannot be read or made."""
        if self._key is None:
            self._key = self._load()
        digest = hmac.new(self._key, str(user_id).encode(), hashlib.sha256)
        return digest.hexdigest()[:HASH_CHARS]

    def _load(self) -> bytes:
        try:
            key = self.path.read_bytes()
        except FileNotFoundError:
            # Made by mkstemp: mode 0600. Another process may have made it first: use theirs.
            with contextlib.suppress(FileExistsError):
                claim_new([self.path], secrets.token_bytes(SALT_BYTES), mode=0o600)
            key = self.path.read_bytes()
        if len(key) < SALT_BYTES:
            raise OSError(
                f"{self.path} holds {len(key)} bytes, not a salt coverage-bot made; delete it to "
                "start a new one (people who voted before could then vote once more)"
            )
        return key


def without_user_ids(question: str) -> str:
    """The question with each user it mentions written "@user": the text is kept, ids not."""
    return _USER_MENTION.sub("@user", question)


def stored_time(moment: datetime) -> str:
    """``moment`` as the database stores it (UTC text)."""
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def insert(
    db: sqlite3.Connection, asked: Asked, user_hash: str, answer: Answer, answer_id: int | None
) -> None:
    """Put one question on record; ``answer_id`` links it to its stored answer and votes.

    A DM's channel id is not kept: Discord names the person at the other end of it.
    """
    db.execute(
        "INSERT INTO questions (asked, guild_id, channel_id, user_hash, question, answered, "
        "missing_terms, article_ids, answer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            stored_time(asked.at),
            asked.guild_id,
            None if asked.guild_id is None else asked.channel_id,
            user_hash,
            without_user_ids(answer.question),
            answer.answered,
            json.dumps(list(answer.missing_terms), ensure_ascii=False),
            json.dumps([c.article_id for c in answer.citations]),
            answer_id,
        ),
    )


def read(db: sqlite3.Connection, since: datetime, until: datetime, scope: Scope) -> list[Recorded]:
    """The questions asked from ``since`` to before ``until`` in ``scope``, oldest first."""
    rows = db.execute(
        "SELECT q.asked, q.guild_id, q.channel_id, q.user_hash, q.question, q.answered, "
        "q.missing_terms, q.article_ids, COALESCE(SUM(v.vote = 1), 0), "
        "COALESCE(SUM(v.vote = -1), 0) "
        "FROM questions q LEFT JOIN votes v ON v.answer_id = q.answer_id "
        "WHERE q.asked >= :since AND q.asked < :until AND (:guild IS NULL OR q.guild_id = :guild "
        "OR (:dms AND q.guild_id IS NULL)) "
        "GROUP BY q.id ORDER BY q.asked, q.id",
        {
            "since": stored_time(since),
            "until": stored_time(until),
            "guild": scope.guild_id,
            "dms": scope.dms,
        },
    ).fetchall()
    return [_recorded(*row) for row in rows]


def _recorded(
    asked: str,
    guild_id: int | None,
    channel_id: int | None,
    user_hash: str,
    question: str,
    answered: int,
    missing_terms: str,
    article_ids: str,
    ups: int,
    downs: int,
) -> Recorded:
    return Recorded(
        asked=datetime.strptime(asked, TIME_FORMAT).replace(tzinfo=UTC),
        guild_id=guild_id,
        channel_id=channel_id,
        user_hash=user_hash,
        question=question,
        answered=bool(answered),
        missing_terms=tuple(json.loads(missing_terms)),
        article_ids=tuple(json.loads(article_ids)),
        ups=int(ups),
        downs=int(downs),
    )


def prune(db: sqlite3.Connection, before: datetime) -> int:
    """Delete questions, answers and their votes from before ``before``; the rows deleted.

    Answers go too: they hold the question's text. Buttons under an answer that old then say
    the source is gone.
    """
    cutoff = stored_time(before)
    deleted = 0
    for statement in (
        "DELETE FROM questions WHERE asked < ?",
        "DELETE FROM votes WHERE answer_id IN (SELECT id FROM answers WHERE created < ?)",
        "DELETE FROM answers WHERE created < ?",
    ):
        deleted += db.execute(statement, (cutoff,)).rowcount
    return deleted
