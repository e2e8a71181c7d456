"""The one maintenance path: nothing outside the seeds folder is touched, processes don't collide,
and faults (damaged files, a full disk, a read-only folder) never lose the serving index.

Concurrency and crash tests run real processes against the same folders.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.ingest.files import read_folder
from index.storage.bm25 import BM25Params
from index.storage.check import check
from index.storage.maintain import Maintainer, RemoveError
from index.storage.store import CURRENT, IndexCorruptError, fingerprint, load
from tests.conftest import ROOT, SEEDS

PARAMS = BM25Params()
ARTICLE = """---
title: {title}
date: 2022-01-{day:02d}
---

{title} was discussed by diplomats in Geneva for {day} hours about NATO and Ukraine.
"""


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path / "seeds"


@pytest.fixture
def maintainer(seeds: Path, tmp_path: Path) -> Maintainer:
    maintainer = Maintainer(seeds, tmp_path / "index", PARAMS)
    maintainer.open()
    return maintainer


def _cli(tmp_path: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "COVERAGE_SEEDS_DIR": str(tmp_path / "seeds"),
        "COVERAGE_INDEX_DIR": str(tmp_path / "index"),
        "COVERAGE_DATA_DIR": str(tmp_path / "data"),
    }
    return subprocess.run(
        [str(Path(sys.executable).with_name("coverage-bot")), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )


# --- 1. remove touches only the article's own file inside the seeds folder ---------------------


def test_remove_after_add_leaves_the_users_original_file_alone(
    maintainer: Maintainer, tmp_path: Path
) -> None:
    original = tmp_path / "mine" / "story.md"
    original.parent.mkdir()
    original.write_text(ARTICLE.format(title="Geneva security talks", day=10))
    [added] = maintainer.add([str(original)]).added
    removed = maintainer.remove(added.article.id)
    assert original.read_text() == ARTICLE.format(title="Geneva security talks", day=10)
    assert removed.changed == added.path and not added.path.exists()
    assert load(maintainer.index_dir).index_of(added.article.id) is None


def test_remove_after_adding_a_json_lines_export_leaves_the_export_alone(
    maintainer: Maintainer, tmp_path: Path
) -> None:
    export = tmp_path / "export.jsonl"
    lines = [
        json.dumps({"title": f"Briefing {n}", "body": f"Briefing {n} covered grain exports."})
        for n in (1, 2)
    ]
    export.write_text("\n".join(lines) + "\n")
    added = maintainer.add([str(export)]).added
    maintainer.remove(added[0].article.id)
    assert export.read_text() == "\n".join(lines) + "\n"
    coverage = load(maintainer.index_dir)
    assert coverage.index_of(added[0].article.id) is None
    assert coverage.index_of(added[1].article.id) is not None


def test_remove_refuses_an_index_entry_that_points_outside_the_folder(
    maintainer: Maintainer, tmp_path: Path
) -> None:
    from index.ingest.seeds import OutsideSeedsError, remove_article

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    for source in (str(victim), "../victim.txt", f"../victim.txt:{1}"):
        with pytest.raises(OutsideSeedsError):
            remove_article(maintainer.seeds_dir, source)
    assert victim.read_text() == "keep me"


def test_remove_through_the_cli_keeps_the_original(seeds: Path, tmp_path: Path) -> None:
    original = tmp_path / "story.md"
    original.write_text(ARTICLE.format(title="Border talks resume", day=12))
    assert _cli(tmp_path, "add", str(original)).returncode == 0
    listed = json.loads(_cli(tmp_path, "articles", "--json").stdout)
    [new_id] = [a["id"] for a in listed if a["title"] == "Border talks resume"]
    result = _cli(tmp_path, "remove", new_id)
    assert result.returncode == 0, result.stderr
    assert original.exists()
    assert new_id not in {a["id"] for a in json.loads(_cli(tmp_path, "articles", "--json").stdout)}


def test_remove_from_a_damaged_compressed_export_says_so_and_changes_nothing(
    maintainer: Maintainer,
) -> None:
    """The lines before the damage are indexed, so their ids can be asked to be removed."""
    lines = [
        json.dumps({"title": f"Wire {n}", "body": f"Wire copy {n} on Geneva."}) for n in range(40)
    ]
    export = maintainer.seeds_dir / "wire.jsonl.gz"
    export.write_bytes(gzip.compress("\n".join(lines).encode())[:-30])
    coverage = maintainer.open().coverage
    first = coverage.metas[coverage.index_of("wire-0") or 0]
    assert first.source == "wire.jsonl.gz:1"
    damaged = export.read_bytes()
    with pytest.raises(RemoveError, match=r"wire\.jsonl\.gz.*compressed data"):
        maintainer.remove("wire-0")
    assert export.read_bytes() == damaged


def test_removing_an_article_says_when_a_copy_of_it_takes_its_place(
    maintainer: Maintainer,
) -> None:
    line = json.dumps({"title": "Ferry story", "body": "The ferry left Odesa at dawn."})
    (maintainer.seeds_dir / "wire.jsonl").write_text(f"{line}\n{line}\n")
    coverage = maintainer.open().coverage
    [number] = [n for n, m in enumerate(coverage.metas) if m.title == "Ferry story"]
    removed = maintainer.remove(coverage.metas[number].id)
    assert removed.copy is not None and removed.copy.title == "Ferry story"
    assert maintainer.remove(removed.copy.id).copy is None


# --- 3 and 4. several processes at once ----------------------------------------------------------

_WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from index.storage.bm25 import BM25Params
    from index.ingest.files import read_files
    from index.storage.maintain import Maintainer, RemoveError
    from index.ingest.seeds import write_article
    from index.storage.store import load

    seeds, index, role, n = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    maintainer = Maintainer(seeds, index, BM25Params())
    print("ready", flush=True)
    sys.stdin.read(1)                               # blocks until the parent says go
    if role == "build":
        maintainer.rebuild()
    elif role == "add":
        source = Path(sys.argv[5]) / f"story-{n}.md"
        assert maintainer.add([str(source)]).added, "nothing added"
    elif role == "read":
        for _ in range(30):
            assert load(index).search("Putin Biden call", 3)
    elif role == "write":
        [article] = read_files([Path(sys.argv[5]) / "same.md"]).articles
        write_article(article, seeds)
    """
)


def _run_at_once(tmp_path: Path, roles: list[str], extra: Path) -> list[subprocess.Popen[str]]:
    """Start one process per role, wait until all are ready, then let them go together."""
    processes = []
    for n, role in enumerate(roles):
        args = [tmp_path / "seeds", tmp_path / "index", role, n, extra]
        processes.append(
            subprocess.Popen(
                [sys.executable, "-c", _WORKER, *map(str, args)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for process in processes:  # blocking reads: nobody spins while the others start
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("g")
        process.stdin.close()
    for process in processes:
        process.wait(timeout=300)
    return processes


def test_concurrent_builds_adds_and_readers_all_succeed(
    maintainer: Maintainer, tmp_path: Path
) -> None:
    stories = tmp_path / "stories"
    stories.mkdir()
    roles = ["build", "add", "read", "build", "add", "read", "build", "add"]
    for n, role in enumerate(roles):
        if role == "add":
            (stories / f"story-{n}.md").write_text(ARTICLE.format(title=f"Story {n}", day=n + 1))
    processes = _run_at_once(tmp_path, roles, stories)
    failures = [p.stderr.read() for p in processes if p.returncode != 0 and p.stderr]
    assert not failures
    coverage = load(maintainer.index_dir)
    assert coverage.info.fingerprint == fingerprint(maintainer.seeds_dir, PARAMS)
    assert coverage.info.articles == 2 + roles.count("add")
    live = (maintainer.index_dir / CURRENT).read_text().split()
    assert all((maintainer.index_dir / name).is_dir() for name in live)
    assert not list(maintainer.seeds_dir.glob(".*.tmp"))


def test_articles_with_the_same_id_written_at_once_are_all_kept(
    seeds: Path, tmp_path: Path
) -> None:
    stories = tmp_path / "stories"
    stories.mkdir()
    (stories / "same.md").write_text(ARTICLE.format(title="Same title", day=3))
    processes = _run_at_once(tmp_path, ["write"] * 6, stories)
    assert all(p.returncode == 0 for p in processes)
    written = sorted(seeds.glob("2022-01-03-same-title*.md"))
    assert len(written) == 6
    assert all("Same title was discussed" in p.read_text() for p in written)


# --- 5. a damaged compressed export ---------------------------------------------------------------


def test_damaged_gzip_data_is_reported_and_the_lines_before_it_are_indexed(
    seeds: Path, tmp_path: Path
) -> None:
    records = [
        json.dumps({"title": f"Readout {n}", "body": f"Readout {n}: " + "grain " * 4000 + str(n)})
        for n in range(40)
    ]
    data = bytearray(gzip.compress("\n".join(records).encode(), compresslevel=1))
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(range(64))  # damaged deflate data, same size
    (seeds / "export.jsonl.gz").write_bytes(bytes(data))
    ingest = read_folder(seeds)
    [problem] = [p for p in ingest.problems if "compressed data" in p.reason]
    assert problem.path == "export.jsonl.gz" and "after line" in problem.reason
    readouts = [a for a in ingest.articles if a.title.startswith("Readout")]
    assert 0 < len(readouts) < 40  # what came before the damage is kept
    result = _cli(tmp_path, "index", "build")
    assert "Traceback" not in result.stderr and "export.jsonl.gz" in result.stderr
    assert "indexed" in result.stdout


# --- 6. a damaged index file of the same size --------------------------------------------------


@pytest.mark.parametrize("name", ["bodies.npy", "passages.npy", "tf.npy", "vocab.json"])
def test_same_size_damage_to_an_index_file_is_found_and_rebuilt(
    maintainer: Maintainer, name: str
) -> None:
    generation = maintainer.index_dir / (maintainer.index_dir / CURRENT).read_text().strip()
    target = generation / name
    size = target.stat().st_size
    rng = np.random.default_rng(7)
    with target.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(rng.bytes(min(64, size - size // 2)))
    with pytest.raises(IndexCorruptError, match="checksum"):
        load(maintainer.index_dir)
    report = check(maintainer.seeds_dir, maintainer.index_dir, PARAMS)
    assert not report.ok and report.index_error and "checksum" in report.index_error
    opened = maintainer.open()
    assert opened.report is not None  # rebuilt
    assert opened.coverage.search("Nord Stream", 1)


# --- 7. a full disk --------------------------------------------------------------------------------


def _small_files_only() -> None:
    """In the child: files may not grow past 4 KiB, and writing past that fails (EFBIG)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_a_build_that_runs_out_of_space_leaves_nothing_and_the_old_index_serves(
    maintainer: Maintainer, tmp_path: Path
) -> None:
    before = load(maintainer.index_dir).info.fingerprint
    generations = sorted(p.name for p in maintainer.index_dir.glob("gen-*"))
    (maintainer.seeds_dir / "extra.md").write_text(ARTICLE.format(title="Grain talks", day=20))
    for _ in range(2):  # retries must not pile up partial generations either
        result = _cli(tmp_path, "index", "build", preexec_fn=_small_files_only)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "cannot write the index" in result.stderr
    assert sorted(p.name for p in maintainer.index_dir.glob("gen-*")) == generations
    assert load(maintainer.index_dir).info.fingerprint == before
    asked = _cli(tmp_path, "ask", "--json", "Is all foreign policy personal?")
    assert json.loads(asked.stdout)["citations"]  # the old index keeps answering


# --- 8. a stale index in a read-only folder --------------------------------------------------


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` read-only even for root (immutable), or skip where that is impossible."""
    if os.geteuid() == 0 and shutil.which("chattr"):
        on, off = ["chattr", "+i", str(folder)], ["chattr", "-i", str(folder)]
        if subprocess.run(on, capture_output=True, check=False).returncode != 0:
            pytest.skip("this file system cannot make a folder immutable")
        try:
            yield
        finally:
            subprocess.run(off, check=True)
        return
    folder.chmod(0o555)
    try:
        yield
    finally:
        folder.chmod(0o755)


def test_a_stale_index_in_a_read_only_folder_is_served_with_a_warning(
    maintainer: Maintainer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = load(maintainer.index_dir).info.fingerprint
    (maintainer.seeds_dir / "extra.md").write_text(ARTICLE.format(title="Grain talks", day=21))
    with _read_only(maintainer.index_dir), caplog.at_level(logging.WARNING):
        opened = maintainer.open()
        result = _cli(tmp_path, "ask", "--json", "Is all foreign policy personal?")
    assert opened.coverage.info.fingerprint == before and opened.stale
    assert any("serving the existing index" in r.getMessage() for r in caplog.records)
    assert result.returncode == 0 and json.loads(result.stdout)["citations"]
    assert "serving the existing index" in result.stderr and "Traceback" not in result.stderr


def test_no_index_and_a_read_only_folder_says_what_to_fix(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "index").mkdir()
    with _read_only(tmp_path / "index"):
        result = _cli(tmp_path, "ask", "Is all foreign policy personal?")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no usable index" in result.stderr and "COVERAGE_INDEX_DIR" in result.stderr


# --- 14. links out of the seeds folder -----------------------------------------------------------


def test_symlinks_out_of_the_seeds_folder_are_reported_not_followed(
    seeds: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "host" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Host secret\n\nThe password is swordfish, and this is long prose text.\n")
    (seeds / "linked.txt").symlink_to(secret)
    (seeds / "linked-folder").symlink_to(secret.parent, target_is_directory=True)
    (seeds / "inside.txt").symlink_to(seeds / "ioffe-putins-talk-therapy.txt")
    ingest = read_folder(seeds)
    assert not any("swordfish" in a.body for a in ingest.articles)
    reported = {p.path for p in ingest.problems if "symbolic link" in p.reason}
    assert reported == {"linked.txt", "linked-folder"}
    coverage = Maintainer(seeds, tmp_path / "index", PARAMS).open().coverage
    assert all("swordfish" not in coverage.body(i) for i in range(len(coverage)))


def _refuse_folder_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(folder: Path) -> None:
        raise AssertionError(f"read {folder} again")

    monkeypatch.setattr("index.storage.add.read_folder", refuse)


def test_adding_to_a_current_index_checks_duplicates_without_reading_the_folder(
    maintainer: Maintainer, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = read_folder(seeds).articles[0]
    _refuse_folder_reads(monkeypatch)  # at 74k passages reading it took 10 s per add
    fresh = replace(existing, id="x", url=None, body="New text about Geneva.")
    report = maintainer.add_articles([existing, fresh])
    assert [type(o).__name__ for o in report.outcomes] == ["Problem", "Added"]
    assert str(report.problems[0]).endswith(f"already in the coverage as {existing.id}")
    assert report.info is not None and report.info.articles == 3


def test_adding_finds_a_duplicate_body_by_its_stored_key_without_reading_bodies(
    maintainer: Maintainer, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = read_folder(seeds).articles[1]
    maintainer.open()

    def refuse(self: object, index: int) -> str:
        raise AssertionError("read a body to find duplicates")

    monkeypatch.setattr("index.storage.coverage.Coverage.body", refuse)
    same_text = replace(existing, id="y", url=None, body="  " + existing.body.upper())
    report = maintainer.add_articles([same_text])
    assert str(report.problems[0]).endswith(f"already in the coverage as {existing.id}")


def test_additions_one_after_another_find_duplicates_of_every_earlier_one(
    maintainer: Maintainer, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The duplicate finder is carried from one addition to the next (extended with what
    each one added, never holding what an addition only looked at)."""
    existing = read_folder(seeds).articles[0]
    _refuse_folder_reads(monkeypatch)
    first = replace(existing, id="first", url="https://example.com/first", body="Geneva talks.")
    second = replace(existing, id="second", url=None, body="Talks in Vienna resumed.")
    assert maintainer.add_articles([first]).added
    report = maintainer.add_articles([second, replace(first, id="again", body="Other text.")])
    assert [type(o).__name__ for o in report.outcomes] == ["Added", "Problem"]  # same URL
    again = maintainer.add_articles([replace(second, id="copy"), replace(existing, id="old")])
    assert [str(p).rsplit(" ", 1)[1] for p in again.problems] == ["second", existing.id]
    assert again.info is None and len(load(maintainer.index_dir)) == 4


def test_adding_to_a_stale_index_checks_duplicates_in_the_folder(
    maintainer: Maintainer, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (seeds / "by-hand.md").write_text(ARTICLE.format(title="Hand written", day=3))
    by_hand = next(a for a in read_folder(seeds).articles if a.title == "Hand written")
    report = maintainer.add_articles([by_hand])
    assert str(report.problems[0]).endswith(f"already in the coverage as {by_hand.id}")


# --- found in review -------------------------------------------------------------------------


def test_remove_against_a_stale_index_removes_the_right_line(
    maintainer: Maintainer, tmp_path: Path
) -> None:
    export = maintainer.seeds_dir / "wire.jsonl"
    records = [{"title": t, "body": f"{t} was agreed in Geneva."} for t in ("Alpha", "Charlie")]
    export.write_text("".join(json.dumps(r) + "\n" for r in records))
    maintainer.open()
    # A line added at the top by hand: every stored line number is now off by one.
    bravo = json.dumps({"title": "Bravo", "body": "Bravo was agreed in Vienna."})
    export.write_text(bravo + "\n" + export.read_text())
    [charlie] = [m.id for m in load(maintainer.index_dir).metas if m.title == "Charlie"]
    maintainer.remove(charlie)
    titles = {m.title for m in load(maintainer.index_dir).metas}
    assert {"Alpha", "Bravo"} <= titles and "Charlie" not in titles


def test_adding_a_namesake_never_changes_an_articles_id(
    maintainer: Maintainer, tmp_path: Path
) -> None:
    ids = []
    for n in range(3):
        story = tmp_path / f"story-{n}.md"
        story.write_text(ARTICLE.format(title="Harbour vote", day=3) + f"Version {n}.\n")
        [added] = maintainer.add([str(story)]).added
        ids.append(added.article.id)
    assert len(set(ids)) == 3
    maintainer.rebuild()
    coverage = load(maintainer.index_dir)
    for n, article_id in enumerate(ids):  # the ids add reported still name the same articles
        number = coverage.index_of(article_id)
        assert number is not None and f"Version {n}." in coverage.body(number)
    maintainer.remove(ids[0])
    coverage = load(maintainer.index_dir)
    assert coverage.index_of(ids[0]) is None
    assert coverage.index_of(ids[1]) is not None and coverage.index_of(ids[2]) is not None


def test_written_files_keep_ordinary_permissions(maintainer: Maintainer, tmp_path: Path) -> None:
    export = maintainer.seeds_dir / "wire.jsonl"
    records = [{"title": t, "body": f"{t} was agreed."} for t in ("Alpha", "Bravo")]
    export.write_text("".join(json.dumps(r) + "\n" for r in records))
    export.chmod(0o644)
    story = tmp_path / "story.md"
    story.write_text(ARTICLE.format(title="Border talks", day=4))
    [added] = maintainer.add([str(story)]).added
    [alpha] = [m.id for m in load(maintainer.index_dir).metas if m.title == "Alpha"]
    maintainer.remove(alpha)
    umask = os.umask(0o022)
    os.umask(umask)
    assert added.path.stat().st_mode & 0o777 == 0o666 & ~umask  # as a plain write gives
    assert export.stat().st_mode & 0o777 == 0o644  # an edited file keeps its own
    assert (maintainer.index_dir / CURRENT).stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_file_dropped_in_during_an_add_is_indexed_too(
    maintainer: Maintainer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.storage import maintain

    story = tmp_path / "story.md"
    story.write_text(ARTICLE.format(title="Border talks", day=4))
    real = maintain.add_articles

    def and_someone_copies_a_file_in(*args: object, **kwargs: object) -> object:
        outcomes = real(*args, **kwargs)  # type: ignore[arg-type]
        (maintainer.seeds_dir / "by-hand.md").write_text(ARTICLE.format(title="By hand", day=5))
        return outcomes

    monkeypatch.setattr(maintain, "add_articles", and_someone_copies_a_file_in)
    maintainer.add([str(story)])
    coverage = load(maintainer.index_dir)
    assert {"Border talks", "By hand"} <= {m.title for m in coverage.metas}
    assert coverage.info.fingerprint == fingerprint(maintainer.seeds_dir, PARAMS)


_HOLD_OPEN = textwrap.dedent(
    """
    import fcntl, sys
    with open(sys.argv[1], "rb") as handle:       # what store.load does while it opens
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        print("holding", flush=True)
        sys.stdin.read(1)
    """
)


def test_a_generation_being_opened_by_another_process_is_not_removed(
    maintainer: Maintainer,
) -> None:
    old = maintainer.index_dir / (maintainer.index_dir / CURRENT).read_text().strip()
    reader = subprocess.Popen(
        [sys.executable, "-c", _HOLD_OPEN, str(old / "params.json")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None and reader.stdout.readline() == "holding\n"
    maintainer.rebuild()
    assert old.is_dir()  # left for the reader
    assert reader.stdin is not None
    reader.stdin.write("x")
    reader.stdin.close()
    reader.wait(timeout=60)
    maintainer.rebuild()
    assert not old.exists()  # removed by the next build once nobody opens it


def test_adding_nothing_takes_no_lock_and_reads_nothing(
    maintainer: Maintainer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_lock_expected() -> None:
        raise AssertionError("the maintenance lock was taken for nothing")

    monkeypatch.setattr(maintainer, "locked", no_lock_expected)
    report = maintainer.add_articles([])
    assert report.outcomes == [] and report.info is None


@pytest.mark.parametrize("action", ["open", "rebuild"])
def test_a_seeds_folder_that_does_not_exist_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, action: str
) -> None:
    maintainer = Maintainer(tmp_path / "mistyped", tmp_path / "index", BM25Params())
    with caplog.at_level(logging.WARNING):
        getattr(maintainer, action)()
    assert any(
        "does not exist" in r.getMessage() and str(tmp_path / "mistyped") in r.getMessage()
        for r in caplog.records
    )
