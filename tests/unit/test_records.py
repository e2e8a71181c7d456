"""Questions on record in the feedback database: the salt, the old votes, windows, deletion."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.errors import FeedbackUnavailableError
from bot.feedback import Feedback
from bot.records import Asked, Salt, Scope
from index.models import Answer, Citation

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
ALICE, BOB = 1456074443980800013, 1456074443980800099
CITATION = Citation("quote", "2021-12-31-a", "A", None, None, None, None, None, 0, 5, 1.0)
ANSWERED = Answer("Who called whom?", True, "…", (CITATION, CITATION), ())
DECLINED = Answer("What did Macron say?", False, "…", (), ("Macron",))
#: The feedback database as it was before user hashes: votes by raw user id.
OLD_SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, question TEXT NOT NULL, answer TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE votes (
    answer_id INTEGER NOT NULL REFERENCES answers(id), user_id INTEGER NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)), voted TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (answer_id, user_id));
"""


def _asked(user: int = ALICE, guild: int | None = 10, days_ago: float = 0) -> Asked:
    return Asked(user, guild, 20, NOW - timedelta(days=days_ago))


def _files(folder: Path) -> bytes:
    return b"".join(f.read_bytes() for f in sorted(folder.glob("feedback.sqlite3*")))


def _everything(store: Feedback) -> list[str]:
    rows = store.recorded(NOW - timedelta(days=365), NOW + timedelta(days=1), Scope())
    return [row.question for row in rows]


def test_an_answered_and_a_declined_question_are_recorded_with_the_votes(tmp_path: Path) -> None:
    store = Feedback.in_folder(tmp_path)
    key = store.record(ANSWERED, _asked(days_ago=1))
    assert key and store.record(DECLINED, _asked(BOB)) == ""  # a decline has no buttons
    assert store.vote(key, BOB, -1) == (0, 1)
    answered, declined = store.recorded(NOW - timedelta(days=2), NOW + timedelta(hours=1), Scope())
    assert (answered.question, answered.answered, answered.downs) == (ANSWERED.question, True, 1)
    assert answered.article_ids == ("2021-12-31-a", "2021-12-31-a")  # one per citation
    assert answered.asked == NOW - timedelta(days=1) and answered.guild_id == 10
    assert (declined.answered, declined.missing_terms, declined.ups) == (False, ("Macron",), 0)
    assert answered.user_hash != declined.user_hash
    assert str(ALICE) not in answered.user_hash


def test_windows_and_scopes(tmp_path: Path) -> None:
    store = Feedback.in_folder(tmp_path)
    for question, guild, days_ago in (("old", 10, 40), ("here", 10, 1), ("there", 11, 1)):
        asked = _asked(guild=guild, days_ago=days_ago)
        store.record(Answer(question, False, "", (), ()), asked)
    store.record(Answer("dm", False, "", (), ()), _asked(guild=None, days_ago=1))
    store.record(Answer("future", False, "", (), ()), _asked(days_ago=-2))
    month = (NOW - timedelta(days=30), NOW + timedelta(days=1))
    assert [r.question for r in store.recorded(*month, Scope())] == ["here", "there", "dm"]
    assert [r.question for r in store.recorded(*month, Scope(10, dms=False))] == ["here"]
    assert [r.question for r in store.recorded(*month, Scope(10, dms=True))] == ["here", "dm"]


def test_the_salt_is_private_kept_and_shared_by_every_store_in_the_folder(tmp_path: Path) -> None:
    first = Feedback.in_folder(tmp_path)
    key = first.record(ANSWERED, _asked())
    first.vote(key, ALICE, 1)
    salt = tmp_path / "user-hash.salt"
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600 and len(salt.read_bytes()) == 32
    first.close()
    again = Feedback.in_folder(tmp_path)
    assert again.vote(key, ALICE, -1) == (0, 1)  # the same person: the vote changed
    assert again.vote(key, BOB, -1) == (0, 2)


def _hash_in_new_process(folder: str, start: Any) -> str:
    start.wait()  # a Barrier: every process reads or makes the salt at the same moment
    return Salt(Path(folder) / "user-hash.salt").hash(ALICE)


def test_processes_starting_together_agree_on_one_salt(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(4) as pool:
        start = manager.Barrier(4)
        hashes = pool.starmap(_hash_in_new_process, [(str(tmp_path), start)] * 4)
    assert len(set(hashes)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["user-hash.salt"]  # no temporary left


def test_a_damaged_salt_makes_feedback_unavailable_and_says_which_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "user-hash.salt").write_bytes(b"short")
    store = Feedback.in_folder(tmp_path)
    with (
        caplog.at_level(logging.WARNING, logger="bot.feedback"),
        pytest.raises(FeedbackUnavailableError),
    ):
        store.record(ANSWERED, _asked())
    assert "user-hash.salt holds 5 bytes" in caplog.text and "delete it" in caplog.text


def _old_database(folder: Path) -> str:
    """A database of the old kind with two votes by raw user id; the answer's key."""
    with contextlib.closing(sqlite3.connect(folder / "feedback.sqlite3")) as db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO answers (question, answer) VALUES ('q', '{}')")
        db.executemany(
            "INSERT INTO votes (answer_id, user_id, vote) VALUES (1, ?, ?)", [(ALICE, 1), (BOB, -1)]
        )
        db.commit()
    return "1"


def test_votes_by_raw_user_id_are_rekeyed_by_hash_and_no_id_is_left(tmp_path: Path) -> None:
    key = _old_database(tmp_path)
    assert ALICE.to_bytes(8, "big") in _files(tmp_path)  # the scan finds raw ids when there
    store = Feedback.in_folder(tmp_path)
    assert store.vote(key, ALICE, -1) == (0, 2)  # alice's old 👍 changed, not a second vote
    store.close()
    stored = _files(tmp_path)
    for user in (ALICE, BOB):
        assert user.to_bytes(8, "big") not in stored and str(user).encode() not in stored
    with contextlib.closing(sqlite3.connect(tmp_path / "feedback.sqlite3")) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(votes)")]
    assert columns == ["answer_id", "user_hash", "vote", "voted"]


def test_pruning_deletes_old_questions_answers_and_votes_and_leaves_no_text(
    tmp_path: Path,
) -> None:
    store = Feedback.in_folder(tmp_path)
    key = store.record(ANSWERED, _asked(days_ago=100))
    store.vote(key, BOB, 1)
    store.record(Answer("A question kept", False, "", (), ()), _asked(days_ago=10))
    # Answers are dated by the database clock (now): a cutoff of now + 1 s takes them too.
    assert store.prune(NOW - timedelta(days=90)) == 1
    assert _everything(store) == ["A question kept"]
    assert store.question(key) == ANSWERED.question
    assert store.prune(datetime.now(UTC) + timedelta(seconds=1)) == 3  # answer, vote, question
    assert store.question(key) is None and _everything(store) == []
    stored = _files(tmp_path)
    assert b"Who called whom" not in stored and b"A question kept" not in stored


def test_a_user_mentioned_in_a_question_is_not_stored_by_id(tmp_path: Path) -> None:
    store = Feedback.in_folder(tmp_path)
    question = f"What did <@{BOB}> and <@!{ALICE}> say about NATO?"
    key = store.record(Answer(question, True, "…", (CITATION,), ()), _asked())
    store.record(Answer(question, False, "…", (), ()), _asked())
    assert _everything(store) == ["What did @user and @user say about NATO?"] * 2
    assert store.question(key) == "What did @user and @user say about NATO?"
    store.close()
    stored = _files(tmp_path)
    assert str(BOB).encode() not in stored and str(ALICE).encode() not in stored
