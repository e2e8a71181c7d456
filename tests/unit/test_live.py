"""Switching to a new index while questions keep coming: none fails, new articles appear."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.answering.answer import answer, prepare
from index.models import Answer
from index.storage.bm25 import BM25Params
from index.storage.coverage import ArticleMeta, Coverage
from index.storage.live import LiveCoverage
from index.storage.maintain import Maintainer
from tests.conftest import ROOT, SEEDS

NEW_ARTICLE = """---
title: Geneva talks end without a breakthrough
author: Jane Roe
outlet: Example Wire
date: 2022-01-10
---

Deputy Foreign Minister Sergei Ryabkov said Russia needed legally binding guarantees that
Ukraine would never join NATO.
"""


@pytest.fixture
def live(tmp_path: Path) -> LiveCoverage:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return LiveCoverage(Maintainer(tmp_path / "seeds", tmp_path / "index", BM25Params()))


def test_questions_asked_during_a_swap_all_get_answers(live: LiveCoverage) -> None:
    answers: list[Answer] = []
    errors: list[BaseException] = []
    stop = threading.Event()
    asked_once = threading.Event()
    asked_after_swap = threading.Event()
    first = live.current

    def ask_until_stopped() -> None:
        while not stop.is_set():
            coverage = live.current
            try:
                answers.append(answer(coverage, "Is foreign policy personal?"))
            except BaseException as exc:  # any failure at all is the finding
                errors.append(exc)
            asked_once.set()
            if coverage is not first:
                asked_after_swap.set()

    asker = threading.Thread(target=ask_until_stopped)
    asker.start()
    asked_once.wait(timeout=10)
    (live.seeds_dir / "geneva.md").write_text(NEW_ARTICLE)
    assert live.changed()
    swapped = live.refresh()
    assert asked_after_swap.wait(timeout=10)
    stop.set()
    asker.join(timeout=10)
    assert not errors
    assert answers and all(a.answered for a in answers)
    assert swapped and live.current.info.articles == 3
    assert answer(live.current, "What did Ryabkov say about guarantees?").answered


def test_a_merge_by_another_process_is_followed_so_the_old_segments_are_let_go(
    tmp_path: Path,
) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    maintainer = Maintainer(tmp_path / "seeds", tmp_path / "index", BM25Params())
    live = LiveCoverage(maintainer)
    (tmp_path / "geneva.md").write_text(NEW_ARTICLE)
    maintainer.add([str(tmp_path / "geneva.md")])
    assert live.refresh() and len(live.current.bodies) == 2  # the generation and a delta
    subprocess.run(
        [sys.executable, "-m", "index.storage.background", str(maintainer.index_dir)],
        cwd=ROOT,
        check=True,
    )
    assert live.changed()
    assert live.refresh() and len(live.current.bodies) == 1  # the merged generation
    assert not live.changed() and not live.refresh()


def test_refresh_does_nothing_when_nothing_changed(live: LiveCoverage) -> None:
    assert not live.changed()
    assert not live.refresh()
    (live.seeds_dir / "ioffe-putins-talk-therapy.txt").touch()  # touched, not changed
    assert live.changed()
    assert not live.refresh()
    assert not live.changed()


def test_a_failed_rebuild_leaves_the_previous_coverage_serving(
    live: LiveCoverage, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = live.current
    (live.seeds_dir / "geneva.md").write_text(NEW_ARTICLE)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("index.storage.store.np.save", crash)
    assert not live.refresh()
    assert live.current is before
    assert live.changed()  # so the next poll tries again
    assert answer(live.current, "Is foreign policy personal?").answered
    monkeypatch.undo()
    assert not live.refresh()  # the same folder is not analysed again at once
    slot = LiveCoverage._retry_slot() + 1  # RETRY_SECONDS later
    monkeypatch.setattr(LiveCoverage, "_retry_slot", staticmethod(lambda: slot))
    assert live.refresh()  # the next attempt finishes the job
    assert live.current.info.articles == 3


def test_every_coverage_is_prepared_before_it_is_served(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    prepared: list[tuple[Coverage, Coverage | None]] = []  # (prepared, serving at that time)
    live: LiveCoverage | None = None

    def prepare(coverage: Coverage) -> None:
        prepared.append((coverage, live.current if live is not None else None))

    live = LiveCoverage(Maintainer(tmp_path / "seeds", tmp_path / "index", BM25Params()), prepare)
    assert [c for c, _ in prepared] == [live.current]  # the first one too
    first = live.current
    (live.seeds_dir / "geneva.md").write_text(NEW_ARTICLE)
    assert live.refresh()
    grown, serving = prepared[-1]
    assert grown is live.current and serving is first  # prepared while the old one served


class _NoScan(list[ArticleMeta]):
    """Article metadata that may be looked up but not read through."""

    def __iter__(self) -> Iterator[ArticleMeta]:
        raise AssertionError("every article's metadata read at a question")


def test_prepare_reads_what_every_question_reads_from_the_coverage(live: LiveCoverage) -> None:
    coverage = live.current
    prepare(coverage)
    coverage.metas = _NoScan(coverage.metas)
    assert answer(coverage, "Is foreign policy personal?").answered
    for question in ("Who wrote Putin's Talk Therapy?", "What did Putin say in December 2021?"):
        answer(coverage, question)  # metadata and dates: nothing read through every article
