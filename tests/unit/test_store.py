"""The index on disk: built when missing, rebuilt when stale or corrupt, never half-written."""

from __future__ import annotations

import json
import logging
import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest

from index.storage.bm25 import BM25Params
from index.storage.coverage import Coverage
from index.storage.maintain import Maintainer
from index.storage.store import (
    CURRENT,
    BuildReport,
    IndexCorruptError,
    IndexMissingError,
    IndexWriteError,
    build_index,
    load,
)
from tests.conftest import SEEDS

PARAMS = BM25Params()


def open_coverage(
    seeds: Path, index_dir: Path, params: BM25Params
) -> tuple[Coverage, BuildReport | None]:
    opened = Maintainer(seeds, index_dir, params).open()
    return opened.coverage, opened.report


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path / "seeds"


def _generation(index_dir: Path) -> Path:
    return index_dir / (index_dir / CURRENT).read_text().strip()


def test_a_missing_index_is_built_then_reused(seeds: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    with pytest.raises(IndexMissingError):
        load(index_dir)
    coverage, report = open_coverage(seeds, index_dir, PARAMS)
    assert report is not None and coverage.info.articles == 2 and coverage.info.passages > 20
    again, second = open_coverage(seeds, index_dir, PARAMS)
    assert second is None and again.info.fingerprint == coverage.info.fingerprint


def test_a_stale_index_is_rebuilt_when_articles_or_settings_change(
    seeds: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    first, _ = open_coverage(seeds, index_dir, PARAMS)
    (seeds / "extra.md").write_text(
        "---\ntitle: Extra\n---\n\nA new article about grain corridors.\n"
    )
    second, report = open_coverage(seeds, index_dir, PARAMS)
    assert report is not None and second.info.articles == 3
    third, report = open_coverage(seeds, index_dir, BM25Params(variant="okapi"))
    assert report is not None and third.info.params.variant == "okapi"
    assert len({first.info.fingerprint, second.info.fingerprint, third.info.fingerprint}) == 3


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (
            lambda g: (g / "tf.npy").write_bytes((g / "tf.npy").read_bytes()[:100]),
            "wrong size",
        ),
        (lambda g: _flip_last_byte(g / "doc_ids.npy"), "does not match its checksum"),
        (lambda g: (g / "params.json").write_text("{not json"), "JSONDecodeError"),
        (lambda g: (g / "params.json").write_text("[]"), "AttributeError"),
        (lambda g: (g / "params.json").write_text("null"), "AttributeError"),
        (lambda g: (g.parent / "CURRENT").write_bytes(b"\xff"), "UnicodeDecodeError"),
        (lambda g: (g / "vocab.json").unlink(), "FileNotFoundError"),
        (lambda g: shutil.rmtree(g), "FileNotFoundError"),
    ],
)
def test_a_corrupt_index_is_reported_and_rebuilt(
    seeds: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: object, reason: str
) -> None:
    index_dir = tmp_path / "index"
    build_index(seeds, index_dir, PARAMS)
    damage(_generation(index_dir))  # type: ignore[operator]
    with pytest.raises(IndexCorruptError, match=reason):
        load(index_dir)
    with caplog.at_level(logging.WARNING):
        coverage, report = open_coverage(seeds, index_dir, PARAMS)
    assert report is not None and coverage.info.articles == 2
    assert any(
        "corrupt" in r.getMessage() and str(index_dir) in r.getMessage() for r in caplog.records
    )


def test_an_index_from_another_format_is_not_misread(seeds: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index(seeds, index_dir, PARAMS)
    params = _generation(index_dir) / "params.json"
    doc = json.loads(params.read_text())
    params.write_text(json.dumps(doc | {"format": 0}))
    with pytest.raises(IndexCorruptError, match="format 0"):
        load(index_dir)


def test_a_crash_mid_build_leaves_the_previous_index_serving(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    build_index(seeds, index_dir, PARAMS)
    before = load(index_dir).info.fingerprint
    (seeds / "extra.md").write_text(
        "---\ntitle: Extra\n---\n\nA new article about grain corridors.\n"
    )
    calls = 0
    real_save = np.save

    def crash_after_two(*args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls > 2:
            raise OSError("disk full")
        real_save(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("index.storage.store.np.save", crash_after_two)
    with pytest.raises(IndexWriteError, match="disk full"):
        build_index(seeds, index_dir, PARAMS)
    monkeypatch.undo()
    assert load(index_dir).info.fingerprint == before  # the old generation still serves
    assert len(list(index_dir.glob("gen-*"))) == 1  # and nothing partial was left
    coverage, report = open_coverage(seeds, index_dir, PARAMS)  # the next start finishes the job
    assert report is not None and coverage.info.articles == 3
    assert len(list(index_dir.glob("gen-*"))) == 1


def test_nothing_is_loaded_with_pickle(seeds: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index(seeds, index_dir, PARAMS)
    generation = _generation(index_dir)
    np.save(generation / "doc_len.npy", np.array([object()], dtype=object), allow_pickle=True)
    doc = json.loads((generation / "params.json").read_text())
    doc["files"]["doc_len.npy"] = (generation / "doc_len.npy").stat().st_size
    doc["checksums"]["doc_len.npy"] = zlib.crc32((generation / "doc_len.npy").read_bytes())
    (generation / "params.json").write_text(json.dumps(doc))
    with pytest.raises(IndexCorruptError, match="Python objects"):  # refused, not unpickled
        load(index_dir)


def test_a_round_trip_gives_the_same_search_results(seeds: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index(seeds, index_dir, PARAMS)
    first = load(index_dir).search("Nord Stream sanctions", 5)
    shutil.copytree(index_dir, tmp_path / "copy")
    assert load(tmp_path / "copy").search("Nord Stream sanctions", 5) == first
    assert "Nord Stream 2" in first[0].text


def test_adding_articles_writes_a_delta_that_scores_as_a_full_rebuild(
    seeds: Path, tmp_path: Path
) -> None:
    from index.storage.store import fingerprint

    appended, rebuilt = tmp_path / "appended", tmp_path / "rebuilt"
    build_index(seeds, appended, PARAMS)
    extra = tmp_path / "extra.md"
    extra.write_text(
        "---\ntitle: Grain talks\ndate: 2022-05-01\n---\n\nPutin and Erdogan discussed grain corridors and NATO.\n"
    )
    generations = {p.name for p in appended.glob("gen-*")}
    info = Maintainer(seeds, appended, PARAMS).add([str(extra)]).info
    assert (
        info is not None and info.articles == 3 and info.fingerprint == fingerprint(seeds, PARAMS)
    )
    assert {p.name for p in appended.glob("gen-*")} == generations  # the main one is kept
    assert len(list(appended.glob("delta-*"))) == 1
    build_index(seeds, rebuilt, PARAMS)
    query = "Putin NATO grain corridors talks"
    by_text = lambda hits: sorted((h.article_id, h.start, h.end, round(h.score, 4)) for h in hits)  # noqa: E731
    assert by_text(load(appended).search(query, 10)) == by_text(load(rebuilt).search(query, 10))
    _, report = open_coverage(seeds, appended, PARAMS)
    assert report is None  # the appended index is current: no rebuild on the next start


def test_fingerprinting_again_reads_only_the_files_that_changed(
    seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.storage.store import fingerprint

    before = fingerprint(seeds, PARAMS)
    read: list[str] = []
    original = Path.read_bytes

    def counting(path: Path) -> bytes:
        read.append(path.name)
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", counting)
    assert fingerprint(seeds, PARAMS) == before and read == []
    (seeds / "new.md").write_text("---\ntitle: New\n---\n\nA new article.\n")
    assert fingerprint(seeds, PARAMS) != before and read == ["new.md"]
