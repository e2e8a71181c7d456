"""A large coverage's delta is merged by a background process: the addition returns at once,
the merge is made live only if nothing changed meanwhile, additions racing it lose nothing,
and a killed merge leaves nothing behind. Real processes throughout."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from index.ingest.files import read_folder
from index.ingest.seeds import write_article
from index.storage import background, store
from index.storage.background import merge_live
from index.storage.bm25 import BM25Params
from index.storage.check import check
from index.storage.maintain import Maintainer
from index.storage.store import (
    CURRENT,
    MERGING,
    IndexWriteError,
    load,
    merging,
    write_index,
    write_merged,
)
from tests.conftest import ROOT
from tests.unit.test_delta import QUERIES, _articles, _same

PARAMS = BM25Params()


def _grown(tmp_path: Path, count: int) -> Maintainer:
    """A maintainer whose seeds hold the first ``count`` articles, indexed; every delta is due
    to be merged, in the background."""
    articles = _articles()
    for article in articles[:count]:
        write_article(article, tmp_path / "seeds")
    maintainer = Maintainer(
        tmp_path / "seeds", tmp_path / "index", PARAMS, merge_passages=0, inline_merge_passages=0
    )
    maintainer.open()
    return maintainer


def _with_a_delta(tmp_path: Path) -> Maintainer:
    """Six articles indexed and a seventh added as a delta, not due to be merged."""
    maintainer = Maintainer(tmp_path / "seeds", tmp_path / "index", PARAMS, inline_merge_passages=0)
    for article in _articles()[:6]:
        write_article(article, tmp_path / "seeds")
    maintainer.open()
    maintainer.add_articles(_articles()[6:7])  # a delta, not due: nothing in the background
    return maintainer


def _segments(index_dir: Path) -> list[str]:
    return (index_dir / CURRENT).read_text().split()


def _equals_a_full_build(tmp_path: Path, maintainer: Maintainer) -> None:
    """The index holds every article of the seeds folder and scores as one built at once."""
    grown = load(maintainer.index_dir)
    articles = [grown.article(n) for n in range(len(grown))]
    assert sorted(a.id for a in articles) == sorted(
        a.id for a in read_folder(maintainer.seeds_dir).articles
    )
    write_index(articles, tmp_path / "whole", PARAMS, "fp", 0.0)
    built = load(tmp_path / "whole")
    _same(grown, built)
    for query in QUERIES:
        assert grown.search(query, 10) == built.search(query, 10)


def test_an_addition_to_a_large_generation_leaves_the_merge_to_a_background_process(
    tmp_path: Path,
) -> None:
    maintainer = _grown(tmp_path, 6)
    maintainer.add_articles(_articles()[6:7])
    assert len(_segments(maintainer.index_dir)) == 2  # the addition wrote a delta, no more
    assert maintainer.merging is not None
    assert maintainer.merging.wait(timeout=120) == 0
    assert len(_segments(maintainer.index_dir)) == 1
    assert not list(maintainer.index_dir.glob(f"{MERGING}*"))
    _equals_a_full_build(tmp_path, maintainer)


def test_a_merge_overtaken_by_an_addition_is_not_made_live(tmp_path: Path) -> None:
    maintainer = _with_a_delta(tmp_path)
    assert maintainer.merging is None
    merged = write_merged(maintainer.index_dir)
    assert merged is not None and merging(maintainer.index_dir)
    maintainer.add_articles(_articles()[7:8])
    live = _segments(maintainer.index_dir)
    with maintainer.locked():
        assert not merged.publish()
    assert _segments(maintainer.index_dir) == live  # the newer delta stays live
    assert not merged.directory.exists() and not merging(maintainer.index_dir)
    assert merge_live(maintainer.index_dir)
    assert len(_segments(maintainer.index_dir)) == 1
    _equals_a_full_build(tmp_path, maintainer)


def test_additions_racing_a_background_merge_are_all_kept(tmp_path: Path) -> None:
    maintainer = _grown(tmp_path, 5)
    maintainer.add_articles(_articles()[5:6])
    first = maintainer.merging
    assert first is not None
    for article in _articles()[6:9]:  # while the merge runs (or after: either way, all kept)
        maintainer.add_articles([article])
    for process in {first, maintainer.merging} - {None}:
        assert process is not None and process.wait(timeout=120) == 0
    assert len(load(maintainer.index_dir)) == 9
    assert not merging(maintainer.index_dir)
    _equals_a_full_build(tmp_path, maintainer)


_KILLED = """
import sys
from pathlib import Path
from index.storage.store import write_merged
assert write_merged(Path(sys.argv[1])) is not None
print("written", flush=True)
sys.stdin.read()  # killed here, before making it live
"""


def test_a_killed_merge_leaves_nothing_behind(tmp_path: Path) -> None:
    maintainer = _with_a_delta(tmp_path)
    live = _segments(maintainer.index_dir)
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(maintainer.index_dir)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "written\n"
    assert merging(maintainer.index_dir)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert not merging(maintainer.index_dir)  # its lock died with it
    assert _segments(maintainer.index_dir) == live
    report = check(maintainer.seeds_dir, maintainer.index_dir, PARAMS)
    assert [line.split(": ", 1)[1] for line in report.orphans] == [
        "a merge that stopped before it finished"
    ]
    maintainer.add_articles(_articles()[7:8])  # the next write tidies up
    assert not list(maintainer.index_dir.glob(f"{MERGING}*"))
    _equals_a_full_build(tmp_path, maintainer)


#: Another process's addition, made only if the maintenance lock is free right now: a writer
#: that waited would wait on this test, which waits for it.
_ADDITION = """
import sys
from pathlib import Path
from filelock import FileLock, Timeout
from index.storage.bm25 import BM25Params
from index.storage.locking import LOCK_NAME
from index.storage.store import append_articles
from tests.unit.test_delta import _articles
index_dir = Path(sys.argv[1])
try:
    with FileLock(index_dir / LOCK_NAME).acquire(timeout=0):
        append_articles(_articles()[8:9], index_dir, BM25Params(), "fp", inline_merge_passages=0)
        print("added")
except Timeout:
    print("waited")
"""


def _add_elsewhere(index_dir: Path) -> str:
    """Run ``_ADDITION`` in a process of its own; what it did."""
    done = subprocess.run(
        [sys.executable, "-c", _ADDITION, str(index_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_an_addition_between_reading_current_and_opening_the_delta_does_not_fail_the_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The addition would remove the delta ``CURRENT`` named a moment before, and the merge
    gave up calling the index corrupt."""
    maintainer = _with_a_delta(tmp_path)
    opening = store._reading

    def raced(segments: list[Path]) -> contextlib.AbstractContextManager[None]:
        monkeypatch.setattr(store, "_reading", opening)
        _add_elsewhere(maintainer.index_dir)
        return opening(segments)

    monkeypatch.setattr(store, "_reading", raced)
    _merged_despite_the_race(maintainer)


def _merged_despite_the_race(maintainer: Maintainer) -> None:
    """A merge written while the race happens is made live, as one generation."""
    merged = write_merged(maintainer.index_dir)
    assert merged is not None and merged.directory.is_dir()
    with maintainer.locked():
        assert merged.publish()
    assert len(_segments(maintainer.index_dir)) == 1


def test_a_write_between_creating_and_locking_a_merge_folder_does_not_remove_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write's clean-up took the folder for a killed merge's and removed it under the
    merge, which then failed."""
    maintainer = _with_a_delta(tmp_path)
    opening = os.open

    def raced(path: str | Path, flags: int, *args: int, **kwargs: int) -> int:
        if Path(path).name.startswith(MERGING):
            monkeypatch.setattr(os, "open", opening)
            _add_elsewhere(maintainer.index_dir)
        return opening(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", raced)
    _merged_despite_the_race(maintainer)


def test_a_merge_that_cannot_point_current_at_its_generation_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renamed ``gen-...`` but ``CURRENT`` not written (a full disk): the renamed folder, a
    whole generation, was left on the full disk."""
    maintainer = _with_a_delta(tmp_path)
    live = _segments(maintainer.index_dir)
    merged = write_merged(maintainer.index_dir)
    assert merged is not None

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "write_atomic", full)
    with maintainer.locked(), pytest.raises(IndexWriteError, match="No space left"):
        merged.publish()
    assert _segments(maintainer.index_dir) == live
    assert sorted(p.name for p in maintainer.index_dir.iterdir() if p.is_dir()) == sorted(live)


_IMPATIENT = """
import sys
from index.storage import locking
from index.storage.background import main
locking.LOCK_WAIT_SECONDS = 0  # what waiting the full ten minutes comes to
sys.exit(main(["background", sys.argv[1]]))
"""


def test_a_merge_that_cannot_get_the_lock_says_so_in_one_line(tmp_path: Path) -> None:
    """A rebuild holding the lock past the wait made the merge process end in a traceback."""
    maintainer = _with_a_delta(tmp_path)
    with maintainer.locked():
        done = subprocess.run(
            [sys.executable, "-c", _IMPATIENT, str(maintainer.index_dir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (warning,) = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    assert "could not merge" in warning and "could not be acquired" in warning


@pytest.mark.parametrize(("pipe", "stderr"), [(True, subprocess.DEVNULL), (False, None)])
def test_a_merge_holds_standard_error_only_when_it_is_not_a_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pipe: bool, stderr: int | None
) -> None:
    """``$(coverage-bot add …)`` reads the output pipes to their end: a merge holding them
    would keep it waiting for the merge. A terminal or a log file is inherited."""
    started: dict[str, object] = {}
    monkeypatch.setattr(subprocess, "Popen", lambda *args, **kwargs: started.update(kwargs))
    if pipe:
        read, write = os.pipe()
        os.close(read)
        stream = os.fdopen(write, "w")
    else:
        stream = (tmp_path / "log").open("w")
    with stream:
        monkeypatch.setattr(sys, "stderr", stream)
        background.start_merge(tmp_path)
    assert started["stderr"] == stderr
