"""Answering on worker processes: a burst of questions uses every core, not one.

Answering is CPU-bound Python, so one process answers one question at a time whatever its
threads. A server with a large coverage and a few cores answers a burst of questions in a
fraction of the time with one process per core (``COVERAGE_ANSWER_PROCESSES``).

Each worker opens the index itself. Its arrays are memory-mapped, so the operating system
shares their pages between the workers and the bot. Before each question a worker reads which
generation and delta are live (``store.live_stamp``: one small file) and opens them anew when
they changed, so an addition made by any process reaches every worker with its next question.
Additions in quick succession (a feed poll, a burst of ``/add``) are followed at most every
``FOLLOW_SECONDS``: each reopening starts a worker's per-index work afresh (every BM25 impact
changes with the average passage length), and following five additions in a 200-question
burst at 1M passages cost a fifth of the burst's answers their 3 seconds.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import queue
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

from index.answering.answer import answer, prepare
from index.models import Answer
from index.storage.coverage import Coverage
from index.storage.store import StoreError, live_stamp, load

log = logging.getLogger(__name__)


class AnswerWorkers:
    """A pool of processes answering questions from the index in ``index_dir``."""

    def __init__(self, index_dir: Path, processes: int) -> None:
        """Start ``processes`` workers; each opens the index before its first question."""
        self.index_dir: Path = index_dir
        self.processes: int = processes
        self._opened: Queue[int]  #: each worker puts its pid once it has opened the index
        self._opening: int  #: workers yet to do so
        self._pool: ProcessPoolExecutor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: a fork of a process running threads (the bot's) may inherit a lock
        # held by one of them, and numba's compiled code is not fork-safe either.
        context = multiprocessing.get_context("spawn")
        self._opened = context.Queue()
        self._opening = self.processes
        pool = ProcessPoolExecutor(
            self.processes,
            mp_context=context,
            initializer=_open,
            initargs=(str(self.index_dir), self._opened),
        )
        for _ in range(self.processes):
            pool.submit(_ready)  # start every worker now, not when the first burst arrives
        return pool

    def ready(self) -> bool:
        """Whether every worker has opened the index; never waits."""
        while self._opening:
            try:
                self._opened.get_nowait()
            except queue.Empty:
                return False
            self._opening -= 1
        return True

    def wait_ready(self, timeout: float) -> None:
        """Wait until every worker has opened the index; ``queue.Empty`` after ``timeout``."""
        while self._opening:
            self._opened.get(timeout=timeout)
            self._opening -= 1

    def submit(self, question: str, **options: Any) -> Future[Answer]:
        """Answer ``question`` (``answer``'s keyword options) on a worker."""
        return self._pool.submit(_answer, question, options)

    def restart(self) -> None:
        """Replace the pool if a worker of it died (``BrokenProcessPool``).

        Every question in flight when a worker dies fails with it, and each asks for a restart:
        the pool is replaced once, by the first; the others find a working pool and keep it.
        """
        try:
            self._pool.submit(_ready)
            return
        except BrokenProcessPool:
            pass
        log.warning("an answering process stopped; starting %d new ones", self.processes)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._start()

    def close(self) -> None:
        """Stop the workers; questions not yet started are cancelled."""
        self._pool.shutdown(wait=False, cancel_futures=True)


#: Seconds a worker serves the index it followed an addition to before it follows another:
#: an addition after a quiet spell is followed at once, one soon after another within this.
FOLLOW_SECONDS = 2.0

#: The worker's index folder and the coverage it serves, with the stamp it was opened at.
_index_dir: Path | None = None
_opened: tuple[tuple[str, ...], Coverage] | None = None
#: When the worker last opened the index because it had changed (``_clock``).
_followed_at = -math.inf
_clock = time.monotonic


def _open(index_dir: str, opened: Queue[int]) -> None:
    """Worker start: open and prepare the index, so its first question is as fast as any."""
    global _index_dir
    _index_dir = Path(index_dir)
    try:
        _current()
    except StoreError as exc:  # the question that needs it gets the error, and is answered
        log.warning("an answering process could not open the index yet: %s", exc)
    opened.put(os.getpid())


def _ready() -> None:
    """Nothing: submitted once per worker at start so that the pool starts them all."""


def _current() -> Coverage:
    """The live index, opened again when another generation or delta became live, unless
    the worker did so less than ``FOLLOW_SECONDS`` ago (then on a later question)."""
    global _opened, _followed_at
    assert _index_dir is not None, "called outside a worker"
    if _opened is not None and _clock() - _followed_at < FOLLOW_SECONDS:
        return _opened[1]
    stamp = live_stamp(_index_dir)
    if _opened is None or _opened[0] != stamp:
        if _opened is not None:
            _followed_at = _clock()
        coverage = load(_index_dir)
        prepare(coverage)
        _opened = (stamp, coverage)
    return _opened[1]


def _answer(question: str, options: dict[str, Any]) -> Answer:
    return answer(_current(), question, **options)
