"""Shared fixtures: the seed articles and a prebuilt seed index (read-only, session scope)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from index.storage.bm25 import BM25Params
from index.storage.coverage import Coverage
from index.storage.store import build_index, load

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"

settings.register_profile("ci", max_examples=50, derandomize=True, deadline=None)
settings.register_profile("dev", max_examples=50, deadline=None)
# `make test-random`: fresh seeds and many more examples, to find what CI's fixed seed hides.
settings.register_profile("random", max_examples=1000, derandomize=False, deadline=None)
settings.load_profile(
    os.environ.get("COVERAGE_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seeds and an index built over it, shared by read-only tests."""
    root = tmp_path_factory.mktemp("seed-index")
    shutil.copytree(SEEDS, root / "seeds")
    build_index(root / "seeds", root / "index", BM25Params())
    return root


@pytest.fixture(scope="session")
def seed_coverage(seed_index_dir: Path) -> Coverage:
    """The seed coverage, loaded once."""
    return load(seed_index_dir / "index")


@pytest.fixture
def seed_env(seed_index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings pointing at the seed index; the working directory holds no ``.env``."""
    monkeypatch.chdir(seed_index_dir)
    monkeypatch.setenv("COVERAGE_SEEDS_DIR", str(seed_index_dir / "seeds"))
    monkeypatch.setenv("COVERAGE_INDEX_DIR", str(seed_index_dir / "index"))
    return seed_index_dir
