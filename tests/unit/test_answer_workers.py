"""Answering processes: the answers of this process, and additions reach them at once (one
soon after another within ``FOLLOW_SECONDS``)."""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import shutil
import signal
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from index.answering import workers as workers_module
from index.answering.answer import answer
from index.answering.workers import AnswerWorkers
from index.storage.bm25 import BM25Params
from index.storage.maintain import Maintainer
from index.storage.store import load
from tests.conftest import SEEDS
from tests.unit.test_live import NEW_ARTICLE

#: Seconds a worker may take to start (imports, opening the index) on a loaded CI machine.
START_SECONDS = 120
NEW_QUESTION = "What guarantees did Ryabkov say Russia needed?"
NEW_TITLE = "Geneva talks end without a breakthrough"


@pytest.fixture
def maintainer(tmp_path: Path) -> Maintainer:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    maintainer = Maintainer(tmp_path / "seeds", tmp_path / "index", BM25Params())
    maintainer.open()
    return maintainer


@pytest.fixture
def workers(maintainer: Maintainer) -> Iterator[AnswerWorkers]:
    workers = AnswerWorkers(maintainer.index_dir, 2)
    yield workers
    workers.close()


def test_a_worker_answers_exactly_as_this_process_does(
    maintainer: Maintainer, workers: AnswerWorkers
) -> None:
    coverage = load(maintainer.index_dir)
    workers.wait_ready(START_SECONDS)
    assert workers.ready()
    for question in ("Is foreign policy personal?", "Who wrote about Biden and Putin's call?"):
        expected = answer(coverage, question, limit=2)
        assert workers.submit(question, limit=2).result(START_SECONDS) == expected


def test_an_addition_reaches_the_workers_with_the_next_question(
    maintainer: Maintainer, workers: AnswerWorkers, tmp_path: Path
) -> None:
    before = workers.submit(NEW_QUESTION).result(START_SECONDS)
    assert all(c.title != NEW_TITLE for c in before.citations)
    (tmp_path / "geneva.md").write_text(NEW_ARTICLE)
    maintainer.add([str(tmp_path / "geneva.md")])
    for _ in range(4):  # every worker, whichever takes the question
        after = workers.submit(NEW_QUESTION).result(START_SECONDS)
        assert after.citations and after.citations[0].title == NEW_TITLE


def test_additions_in_quick_succession_are_followed_at_most_every_follow_seconds(
    maintainer: Maintainer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first addition after a quiet spell at once, the next one after the window."""
    clock = [1000.0]
    monkeypatch.setattr(workers_module, "_clock", lambda: clock[0])
    monkeypatch.setattr(workers_module, "_index_dir", maintainer.index_dir)
    monkeypatch.setattr(workers_module, "_opened", None)
    monkeypatch.setattr(workers_module, "_followed_at", -math.inf)
    articles = len(workers_module._current().metas)
    (tmp_path / "geneva.md").write_text(NEW_ARTICLE)
    maintainer.add([str(tmp_path / "geneva.md")])
    assert len(workers_module._current().metas) == articles + 1  # at once
    (tmp_path / "vienna.md").write_text(
        NEW_ARTICLE.replace("Geneva", "Vienna").replace("NATO", "the EU")
    )
    maintainer.add([str(tmp_path / "vienna.md")])
    clock[0] += workers_module.FOLLOW_SECONDS - 0.1
    assert len(workers_module._current().metas) == articles + 1  # not yet
    clock[0] += 0.1
    assert len(workers_module._current().metas) == articles + 2


def test_questions_that_saw_a_worker_die_replace_the_pool_once(
    workers: AnswerWorkers, caplog: pytest.LogCaptureFixture
) -> None:
    workers.wait_ready(START_SECONDS)
    for child in multiprocessing.active_children():
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()
    failed = []
    for _ in range(5):  # a burst in flight when the worker died: each question sees it
        with pytest.raises(BrokenProcessPool):
            workers.submit(NEW_QUESTION).result(START_SECONDS)
        failed.append(True)
    with caplog.at_level(logging.WARNING):
        for _ in failed:
            workers.restart()
    assert len([r for r in caplog.records if "stopped" in r.getMessage()]) == 1
    assert workers.submit(NEW_QUESTION).result(START_SECONDS).question == NEW_QUESTION
