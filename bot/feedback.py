"""Answers given and the votes on them, in SQLite under the data folder.

Buttons under an answer carry only a short answer key in their custom id; the question and
answer live here, so "More from the coverage" and 👍/👎 keep working after a restart. One
vote per user per answer: voting again changes the vote.

Feedback is secondary to answering, so a database that cannot be used never stops the bot. A
file that is not a database, or whose pages are damaged, is moved aside (renamed
``feedback.broken-<UTC time>.sqlite3``) with a warning, and a new database is started. A lock
held by another process is waited for at most ``BUSY_SECONDS``; then, as after any other
failure, the store pauses for ``PAUSE_SECONDS``, so a burst of answers does not queue behind
the lock. A call that cannot be served raises ``FeedbackUnavailableError``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from bot.errors import FeedbackUnavailableError
from index.models import Answer

log = logging.getLogger(__name__)

#: Longest wait, in seconds, for a lock another process holds on the database.
BUSY_SECONDS = 1.0
#: Seconds the store stays off after a failure before it tries the database again.
PAUSE_SECONDS = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    user_id INTEGER NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (answer_id, user_id)
);
"""
#: SQLite's result codes for a file that is not a database or is damaged.
_BROKEN = frozenset({sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT})

T = TypeVar("T")


def _key(row_id: int) -> str:
    """A short, custom-id-safe key for an answer row (base 36)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    key = ""
    while True:
        row_id, digit = divmod(row_id, 36)
        key = digits[digit] + key
        if row_id == 0:
            return key


def _is_broken(error: sqlite3.Error) -> bool:
    """Whether ``error`` says the file itself is damaged (the primary code, not extended)."""
    return error.sqlite_errorcode & 0xFF in _BROKEN


class Feedback:
    """The answers table and the votes table; safe to use from worker threads.

    ``clock`` (monotonic seconds) times the pause after a failure; tests pass their own.
    """

    def __init__(
        self,
        path: Path,
        *,
        busy_seconds: float = BUSY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path: Path = path
        self._busy_seconds: float = busy_seconds
        self._clock: Callable[[], float] = clock
        self._lock: threading.Lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._paused_until: float = -math.inf
        # Open now, so a broken file is replaced at start; if the database cannot be used
        # (logged), the bot starts without feedback and tries again later.
        with contextlib.suppress(FeedbackUnavailableError):
            self._run(lambda db: None)

    def record(self, answer: Answer) -> str:
        """Store an answer; return the key its buttons carry."""
        document = json.dumps(asdict(answer), ensure_ascii=False)

        def insert(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO answers (question, answer) VALUES (?, ?)", (answer.question, document)
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

        return _key(self._run(insert))

    def question(self, key: str) -> str | None:
        """The question an answer key belongs to, or None when unknown."""
        try:
            row_id = int(key, 36)
        except ValueError:
            return None
        row: tuple[str] | None = self._run(
            lambda db: db.execute("SELECT question FROM answers WHERE id = ?", (row_id,)).fetchone()
        )
        return None if row is None else str(row[0])

    def vote(self, key: str, user_id: int, vote: int) -> tuple[int, int] | None:
        """Record ``user_id``'s vote (+1 or -1) on an answer; return (ups, downs), or None."""
        if self.question(key) is None:
            return None

        def cast(db: sqlite3.Connection) -> tuple[int, int]:
            db.execute(
                "INSERT INTO votes (answer_id, user_id, vote) VALUES (?, ?, ?) "
                "ON CONFLICT (answer_id, user_id) DO UPDATE SET vote = excluded.vote, "
                "voted = datetime('now')",
                (int(key, 36), user_id, vote),
            )
            ups, downs = db.execute(
                "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM votes "
                "WHERE answer_id = ?",
                (int(key, 36),),
            ).fetchone()
            return int(ups), int(downs)

        return self._run(cast)

    def close(self) -> None:
        with self._lock:
            self._close()

    def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` on the database, replacing a broken one; or ``FeedbackUnavailableError``."""
        with self._lock:
            if self._clock() < self._paused_until:
                raise FeedbackUnavailableError()
            try:
                try:
                    return work(self._connection())
                except sqlite3.DatabaseError as exc:
                    if not _is_broken(exc):
                        raise
                    self._replace(exc)
                    return work(self._connection())
            except (sqlite3.Error, OSError) as exc:
                self._pause(exc)
                raise FeedbackUnavailableError() from exc

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            db = sqlite3.connect(
                self._path,
                timeout=self._busy_seconds,
                check_same_thread=False,
                isolation_level=None,
            )
            try:
                # WAL with normal sync: a vote or answer is one quick append, not an fsync each.
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(_SCHEMA)
            except BaseException:
                db.close()
                raise
            self._db = db
        return self._db

    def _replace(self, error: sqlite3.Error) -> None:
        """Move the damaged database (and its WAL files) aside and start a new one."""
        self._close()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        aside = self._path.with_name(f"{self._path.stem}.broken-{stamp}{self._path.suffix}")
        for suffix in ("", "-wal", "-shm"):
            companion = Path(f"{self._path}{suffix}")
            if companion.exists():
                companion.replace(f"{aside}{suffix}")
        log.warning(
            "feedback database %s is damaged (%s): moved it to %s and started a new one",
            self._path,
            error,
            aside.name,
        )
        # Buttons under older answers carry keys of the old database; new answers get ids
        # above any it can have handed out (milliseconds since 1970), so an old key finds
        # nothing rather than another question's answer.
        self._connection().execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('answers', ?)",
            (time.time_ns() // 1_000_000,),
        )

    def _pause(self, error: sqlite3.Error | OSError) -> None:
        self._close()  # the next try opens afresh
        self._paused_until = self._clock() + PAUSE_SECONDS
        log.warning(
            "feedback database %s unavailable (%s): answers go out without feedback buttons "
            "for %.0f s",
            self._path,
            error,
            PAUSE_SECONDS,
        )

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
