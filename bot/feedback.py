"""Answers given and the votes on them, in SQLite under the data folder.

Buttons under an answer carry only a short answer key in their custom id; the question and
answer live here, so "More from the coverage" and 👍/👎 keep working after a restart. One
vote per user per answer: voting again changes the vote. Users are known only by a salted
hash (``bot.records.Salt``); a database from before that, with raw user ids in its votes, is
migrated when opened, and deleted content is overwritten (``secure_delete``), so no raw id is
left in the file. The same database holds the questions on record (``bot.records``).

Feedback is secondary to answering, so a database that cannot be used never stops the bot. A
file that is not a database, or whose pages are damaged, is moved aside (renamed
``feedback.broken-<UTC time>.sqlite3``) with a warning, and a new database is started; when
several processes find the same damage, only the first moves the file (a file lock beside it,
and the file's identity), so no process moves aside the new database another has started. A lock
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
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from filelock import FileLock

from bot import records
from bot.errors import FeedbackUnavailableError
from bot.records import Asked, Recorded, Salt, Scope
from index.models import Answer

log = logging.getLogger(__name__)

#: Longest wait, in seconds, for a lock another process holds on the database.
BUSY_SECONDS = 1.0
#: Seconds the store stays off after a failure before it tries the database again.
PAUSE_SECONDS = 10.0

_VOTES = """
CREATE TABLE IF NOT EXISTS votes (
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    user_hash TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (answer_id, user_hash)
)"""
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (datetime('now'))
);
{_VOTES};
{records.SCHEMA}"""
#: The database's file name in the data folder, and the salt's beside it.
FILE_NAME = "feedback.sqlite3"
SALT_NAME = "user-hash.salt"
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


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction: all of the body's statements are stored, or none."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _identity(path: Path) -> tuple[int, int] | None:
    """The file at ``path`` as (device, inode), or None when there is none."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def _is_broken(error: sqlite3.Error) -> bool:
    """Whether ``error`` says the file itself is damaged (the primary code, not extended)."""
    return error.sqlite_errorcode & 0xFF in _BROKEN


class Feedback:
    """The answers, the votes and the questions on record; safe to use from worker threads.

    ``clock`` (monotonic seconds) times the pause after a failure; tests pass their own.
    The salt of the user hashes is ``SALT_NAME`` in the database's folder.
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
        self._salt: Salt = Salt(path.with_name(SALT_NAME))
        self._busy_seconds: float = busy_seconds
        self._clock: Callable[[], float] = clock
        self._lock: threading.Lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._opened: tuple[int, int] | None = None  #: (device, inode) of the file last opened
        self._paused_until: float = -math.inf
        # Open now, so a broken file is replaced at start; if the database cannot be used
        # (logged), the bot starts without feedback and tries again later.
        with contextlib.suppress(FeedbackUnavailableError):
            self._run(lambda db: None)

    @classmethod
    def in_folder(cls, data_dir: Path) -> Feedback:
        """The store in the bot's data folder (``COVERAGE_DATA_DIR``)."""
        return cls(data_dir / FILE_NAME)

    def record(self, answer: Answer, asked: Asked | None = None) -> str:
        """Store an answer for its buttons and, given ``asked``, put the question on record.

        Returns the key the answer's buttons carry; empty for a declined question, which has
        no buttons (and is stored only on record). Users the question mentions are stored as
        "@user", never by id.
        """
        question = records.without_user_ids(answer.question)
        document = json.dumps(asdict(replace(answer, question=question)), ensure_ascii=False)

        def insert(db: sqlite3.Connection) -> int | None:
            with _transaction(db):
                answer_id = None
                if answer.answered:
                    answer_id = db.execute(
                        "INSERT INTO answers (question, answer) VALUES (?, ?)",
                        (question, document),
                    ).lastrowid
                if asked is not None:
                    user_hash = self._salt.hash(asked.user_id)
                    records.insert(db, asked, user_hash, answer, answer_id)
            return answer_id

        answer_id = self._run(insert)
        return "" if answer_id is None else _key(answer_id)

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
        """Record ``user_id``'s vote (+1 or -1) on an answer; return (ups, downs), or None.

        The vote is kept under the user's salted hash, never the id.
        """
        if self.question(key) is None:
            return None

        def cast(db: sqlite3.Connection) -> tuple[int, int]:
            db.execute(
                "INSERT INTO votes (answer_id, user_hash, vote) VALUES (?, ?, ?) "
                "ON CONFLICT (answer_id, user_hash) DO UPDATE SET vote = excluded.vote, "
                "voted = datetime('now')",
                (int(key, 36), self._salt.hash(user_id), vote),
            )
            ups, downs = db.execute(
                "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM votes "
                "WHERE answer_id = ?",
                (int(key, 36),),
            ).fetchone()
            return int(ups), int(downs)

        return self._run(cast)

    def recorded(self, since: datetime, until: datetime, scope: Scope) -> list[Recorded]:
        """The questions on record asked from ``since`` to before ``until`` in ``scope``."""
        return self._run(lambda db: records.read(db, since, until, scope))

    def prune(self, before: datetime) -> int:
        """Delete what was recorded before ``before`` (``COVERAGE_RECORD_DAYS``); rows deleted.

        The write-ahead log is then emptied, so deleted text does not linger in it.
        """

        def delete(db: sqlite3.Connection) -> int:
            with _transaction(db):
                deleted = records.prune(db, before)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return deleted

        return self._run(delete)

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
            self._opened = _identity(self._path)
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
                # Deleted rows are overwritten with zeros: pruned questions and migrated raw
                # ids do not linger in free pages.
                db.execute("PRAGMA secure_delete=ON")
                db.executescript(_SCHEMA)
                self._hash_old_votes(db)
            except BaseException:
                db.close()
                raise
            self._db = db
        return self._db

    def _hash_old_votes(self, db: sqlite3.Connection) -> None:
        """Votes kept by raw user id (before user hashes) are re-keyed by the hash, once."""
        columns = {row[1] for row in db.execute("PRAGMA table_info(votes)")}
        if "user_id" not in columns:
            return
        db.create_function("user_hash", 1, self._salt.hash, deterministic=True)
        with _transaction(db):
            db.execute("ALTER TABLE votes RENAME TO votes_by_user_id")
            db.execute(_VOTES)
            db.execute(
                "INSERT INTO votes (answer_id, user_hash, vote, voted) "
                "SELECT answer_id, user_hash(user_id), vote, voted FROM votes_by_user_id"
            )
            db.execute("DROP TABLE votes_by_user_id")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        log.info("feedback database %s: votes re-keyed by salted user hashes", self._path)

    def _replace(self, error: sqlite3.Error) -> None:
        """Move the damaged database (and its WAL files) aside and start a new one.

        Under a file lock, and only when the file is still the one this store opened: another
        process that found the same damage first has already started a new database there.
        """
        self._close()
        with FileLock(f"{self._path}.lock", timeout=self._busy_seconds):
            if _identity(self._path) != self._opened:
                log.info("feedback database %s was already replaced", self._path)
                return
            aside = self._path.with_name(
                f"{self._path.stem}.broken-{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}{self._path.suffix}"
            )
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
