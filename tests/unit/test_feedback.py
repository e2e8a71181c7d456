"""The feedback store when its database is damaged, or locked by another process."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import FeedbackUnavailableError
from bot.feedback import PAUSE_SECONDS, Feedback
from index.models import Answer
from tests.sqlite_lock import locked

ANSWER = Answer("Is foreign policy personal?", True, "…", (), ())


class Clock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now: float = 0.0

    def __call__(self) -> float:
        return self.now


def _moved_aside(folder: Path) -> list[Path]:
    return sorted(folder.glob("feedback.broken-*.sqlite3"))


def _damaged_database(folder: Path) -> Path:
    """A feedback database of 300 answers whose every page header past the first is damaged:
    it opens, and the damage shows at the next write."""
    path = folder / "feedback.sqlite3"
    store = Feedback(path)
    for _ in range(300):
        store.record(ANSWER)
    store.close()
    damaged = bytearray(path.read_bytes())
    for page in range(4096, len(damaged), 4096):
        damaged[page : page + 64] = b"\xff" * 64
    path.write_bytes(damaged)
    return path


def test_a_file_that_is_not_a_database_is_moved_aside_and_a_new_one_started(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "feedback.sqlite3"
    garbage = os.urandom(4096)
    path.write_bytes(garbage)
    with caplog.at_level(logging.WARNING, logger="bot.feedback"):
        store = Feedback(path)
    [aside] = _moved_aside(tmp_path)
    assert aside.read_bytes() == garbage
    assert "damaged" in caplog.text and aside.name in caplog.text
    key = store.record(ANSWER)
    assert store.vote(key, 1, +1) == (1, 0)
    assert store.question("1") is None  # an old answer's key finds nothing, not this answer


def test_damaged_pages_found_while_running_are_moved_aside_and_the_answer_still_stored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _damaged_database(tmp_path)
    reopened = Feedback(path)
    assert not _moved_aside(tmp_path)  # the first pages are intact: it opens
    with caplog.at_level(logging.WARNING, logger="bot.feedback"):
        key = reopened.record(ANSWER)
    assert len(_moved_aside(tmp_path)) == 1 and "damaged" in caplog.text
    assert reopened.question(key) == ANSWER.question


def test_a_lock_held_by_another_process_is_waited_for_briefly_then_feedback_pauses(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "feedback.sqlite3"
    clock = Clock()
    store = Feedback(path, busy_seconds=0.05, clock=clock)
    earlier = store.record(ANSWER)
    with locked(path), caplog.at_level(logging.WARNING, logger="bot.feedback"):
        with pytest.raises(FeedbackUnavailableError):
            store.record(ANSWER)
        assert "unavailable" in caplog.text and "database is locked" in caplog.text
    with pytest.raises(FeedbackUnavailableError):
        store.question(earlier)  # paused: a burst of answers does not queue behind a lock
    clock.now += PAUSE_SECONDS
    assert store.question(earlier) == ANSWER.question
    assert store.question(store.record(ANSWER)) == ANSWER.question
    assert not _moved_aside(tmp_path)  # a locked database is not a broken one


def test_a_database_locked_at_start_does_not_stop_the_store(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    Feedback(path).close()
    sqlite3.connect(path).execute("PRAGMA journal_mode=DELETE").close()  # readers blocked too
    clock = Clock()
    with locked(path):
        store = Feedback(path, busy_seconds=0.05, clock=clock)
    clock.now += PAUSE_SECONDS
    assert store.question(store.record(ANSWER)) == ANSWER.question


def test_the_lock_holder_really_holds_the_lock(tmp_path: Path) -> None:
    """The harness itself: a write from here fails while the subprocess holds the lock."""
    path = tmp_path / "feedback.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE t (x)")
    with locked(path), pytest.raises(sqlite3.OperationalError, match="locked"):
        sqlite3.connect(path, timeout=0).execute("INSERT INTO t VALUES (1)")


def test_a_database_another_process_already_replaced_is_not_moved_aside_again(
    tmp_path: Path,
) -> None:
    """Two processes finding the same damage: only the first moves the file aside."""
    path = _damaged_database(tmp_path)
    ours = Feedback(path)  # opens the damaged file; its damage shows on the next write
    theirs = subprocess.run(
        [sys.executable, "-c", _RECORD_IN_ANOTHER_PROCESS, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert len(_moved_aside(tmp_path)) == 1
    key = ours.record(ANSWER)
    assert len(_moved_aside(tmp_path)) == 1  # the other process's new database stays
    assert ours.question(theirs) == ANSWER.question
    assert Feedback(path).question(key) == ANSWER.question


_RECORD_IN_ANOTHER_PROCESS = """
import sys
from pathlib import Path
from bot.feedback import Feedback
from index.models import Answer
store = Feedback(Path(sys.argv[1]))
print(store.record(Answer("Is foreign policy personal?", True, "…", (), ())))
"""
