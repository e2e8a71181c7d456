"""Answers given and the votes on them, in SQLite under the data folder.

Buttons under an answer carry only a short answer key in their custom id; the question and
answer live here, so "More from the coverage" and 👍/👎 keep working after a restart. One
vote per user per answer: voting again changes the vote.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict
from pathlib import Path

from index.models import Answer

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


def _key(row_id: int) -> str:
    """A short, custom-id-safe key for an answer row (base 36)."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    key = ""
    while True:
        row_id, digit = divmod(row_id, 36)
        key = digits[digit] + key
        if row_id == 0:
            return key


class Feedback:
    """The answers table and the votes table; safe to use from worker threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # WAL with normal sync: a vote or answer is one quick append, not an fsync each.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def record(self, answer: Answer) -> str:
        """Store an answer; return the key its buttons carry."""
        document = json.dumps(asdict(answer), ensure_ascii=False)
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO answers (question, answer) VALUES (?, ?)", (answer.question, document)
            )
        assert cursor.lastrowid is not None
        return _key(cursor.lastrowid)

    def question(self, key: str) -> str | None:
        """The question an answer key belongs to, or None when unknown."""
        row = self._fetch("SELECT question FROM answers WHERE id = ?", key)
        return None if row is None else str(row[0])

    def vote(self, key: str, user_id: int, vote: int) -> tuple[int, int] | None:
        """Record ``user_id``'s vote (+1 or -1) on an answer; return (ups, downs), or None."""
        if self.question(key) is None:
            return None
        with self._lock:
            self._db.execute(
                "INSERT INTO votes (answer_id, user_id, vote) VALUES (?, ?, ?) "
                "ON CONFLICT (answer_id, user_id) DO UPDATE SET vote = excluded.vote, "
                "voted = datetime('now')",
                (int(key, 36), user_id, vote),
            )
            ups, downs = self._db.execute(
                "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM votes "
                "WHERE answer_id = ?",
                (int(key, 36),),
            ).fetchone()
        return int(ups), int(downs)

    def _fetch(self, sql: str, key: str) -> tuple[object, ...] | None:
        try:
            row_id = int(key, 36)
        except ValueError:
            return None
        with self._lock:
            row: tuple[object, ...] | None = self._db.execute(sql, (row_id,)).fetchone()
        return row

    def close(self) -> None:
        with self._lock:
            self._db.close()
