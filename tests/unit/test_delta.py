"""An index grown by additions (deltas beside the main generation, merged when they grow)
answers exactly as one built over every article at once, and other processes pick it up."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from index.analyze import analyze
from index.ingest.files import read_folder
from index.models import Article
from index.storage import store
from index.storage.bm25 import BM25Params
from index.storage.coverage import Coverage
from index.storage.live import LiveCoverage
from index.storage.maintain import Maintainer
from index.storage.store import CURRENT, append_articles, load, write_index
from tests.conftest import ROOT, SEEDS

PARAMS = BM25Params()
QUERIES = [
    "Putin Biden call sanctions",
    "Nord Stream pipeline gas",
    "NATO guarantees Ukraine",
    "grain corridor Erdogan",
    "talks Geneva breakthrough security",
]


def _articles() -> list[Article]:
    """The seed articles and varied copies of them, so that additions change every idf."""
    base = read_folder(SEEDS).articles
    copies = [
        replace(a, id=f"{a.id}-{n}", url=None, body=a.body.replace("the", f"grain{n} the", n))
        for n in range(1, 5)
        for a in base
    ]
    return base + copies


def _same(grown: Coverage, whole: Coverage) -> None:
    assert grown.info.passages == whole.info.passages
    assert grown.info.vocabulary == whole.info.vocabulary
    assert [m.id for m in grown.metas] == [m.id for m in whole.metas]
    assert [grown.body(i) for i in range(len(grown))] == [whole.body(i) for i in range(len(whole))]
    assert grown.passages.tolist() == whole.passages.tolist()
    for number in range(len(whole.passages)):  # the same sentences, and terms by the same ids
        ours, theirs = grown.sentences(number), whole.sentences(number)
        assert [(s, ids.tolist()) for s, ids in ours] == [(s, ids.tolist()) for s, ids in theirs]
    for query in QUERIES:
        assert grown.ranked(analyze(query), 20) == whole.ranked(analyze(query), 20)
        assert grown.search(query, 10) == whole.search(query, 10)


@pytest.mark.parametrize(
    ("merge_passages", "segments"),
    [(10_000, [2, 2, 2, 2]), (50, [2, 2, 1, 2])],
    ids=["deltas", "merged on the way"],
)
def test_an_index_grown_by_several_additions_equals_a_full_build(
    tmp_path: Path, merge_passages: int, segments: list[int]
) -> None:
    articles = _articles()  # 10 articles of 21 or 24 passages
    grown, whole = tmp_path / "grown", tmp_path / "whole"
    write_index(articles[:6], grown, PARAMS, "fp", 0.0)
    live = []
    for n, batch in enumerate((articles[6:7], articles[7:8], articles[8:9], articles[9:])):
        append_articles(batch, grown, PARAMS, f"fp{n}", merge_passages=merge_passages)
        live.append((grown / CURRENT).read_text().split())
        assert sorted(p.name for p in grown.iterdir() if p.is_dir()) == sorted(live[-1])  # tidy
    assert [len(names) for names in live] == segments
    write_index(articles, whole, PARAMS, "fp", 0.0)
    _same(load(grown), load(whole))


def test_a_process_that_asked_before_an_addition_ranks_with_the_new_statistics(
    tmp_path: Path,
) -> None:
    """Opening the index again reuses the generation's arrays; the impacts the first
    coverage computed for the old average passage length must not come with them."""
    articles = _articles()
    grown, whole = tmp_path / "grown", tmp_path / "whole"
    write_index(articles[:6], grown, PARAMS, "fp", 0.0)
    before = load(grown)
    for query in QUERIES:
        before.ranked(analyze(query), 20)
    append_articles(articles[6:], grown, PARAMS, "fp1")
    write_index(articles, whole, PARAMS, "fp", 0.0)
    _same(load(grown), load(whole))


def test_a_delta_larger_than_its_generation_is_merged(tmp_path: Path) -> None:
    articles = _articles()
    write_index(articles[:1], tmp_path, PARAMS, "fp", 0.0)
    append_articles(articles[1:], tmp_path, PARAMS, "fp2")
    assert len((tmp_path / CURRENT).read_text().split()) == 1
    assert load(tmp_path).info.fingerprint == "fp2"


def test_a_damaged_delta_is_found_at_open(tmp_path: Path) -> None:
    articles = _articles()
    write_index(articles[:4], tmp_path, PARAMS, "fp", 0.0)
    append_articles(articles[4:5], tmp_path, PARAMS, "fp2")
    delta = tmp_path / (tmp_path / CURRENT).read_text().split()[1]
    data = bytearray((delta / "tf.npy").read_bytes())
    data[-1] ^= 0xFF
    (delta / "tf.npy").write_bytes(bytes(data))
    with pytest.raises(store.IndexCorruptError, match="checksum"):
        load(tmp_path)


_ADD = """
import sys
from pathlib import Path
from index.storage.bm25 import BM25Params
from index.storage.maintain import Maintainer
report = Maintainer(Path(sys.argv[1]), Path(sys.argv[2]), BM25Params()).add([sys.argv[3]])
assert report.added, report.problems
"""

STORY = """---
title: Geneva talks end without a breakthrough
date: 2022-01-10
---

Deputy Foreign Minister Sergei Ryabkov said Russia needed legally binding guarantees that
Ukraine would never join NATO, after talks in Geneva ended without a breakthrough.
"""


def test_a_running_process_picks_up_another_process_addition_without_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    live = LiveCoverage(Maintainer(tmp_path / "seeds", tmp_path / "index", PARAMS))
    story = tmp_path / "story.md"
    story.write_text(STORY)
    subprocess.run(
        [sys.executable, "-c", _ADD, str(tmp_path / "seeds"), str(tmp_path / "index"), str(story)],
        cwd=ROOT,
        check=True,
    )

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt instead of loading the other process's delta")

    monkeypatch.setattr("index.storage.maintain.build_index", no_build)
    assert live.refresh()
    hits = live.current.search("Ryabkov guarantees Geneva", 3)
    assert hits and hits[0].title == "Geneva talks end without a breakthrough"


def test_opening_again_after_an_addition_checks_only_the_delta(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = _articles()
    write_index(articles[:6], tmp_path, PARAMS, "fp", 0.0)
    load(tmp_path)
    append_articles(articles[6:7], tmp_path, PARAMS, "fp2")
    checked: list[str] = []
    checksum = store._checksum

    def counting(path: Path) -> int:
        checked.append(path.parent.name)
        return checksum(path)

    monkeypatch.setattr(store, "_checksum", counting)
    grown = load(tmp_path)
    assert checked and all(name.startswith("delta-") for name in checked)
    write_index(articles[:7], tmp_path / "whole", PARAMS, "fp", 0.0)
    _same(grown, load(tmp_path / "whole"))


def test_a_generation_damaged_after_it_was_opened_is_found_at_the_next_open(
    tmp_path: Path,
) -> None:
    write_index(_articles()[:4], tmp_path, PARAMS, "fp", 0.0)
    load(tmp_path)
    generation = tmp_path / (tmp_path / CURRENT).read_text().split()[0]
    data = bytearray((generation / "tf.npy").read_bytes())
    data[-1] ^= 0xFF
    (generation / "tf.npy").write_bytes(bytes(data))
    with pytest.raises(store.IndexCorruptError, match="checksum"):
        load(tmp_path)
