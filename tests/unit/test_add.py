"""Growing the coverage: files, saved pages and URLs served from 127.0.0.1, never the internet."""

from __future__ import annotations

import dataclasses
import gzip
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from index.ingest.fetch import FetchLimits
from index.ingest.files import read_folder
from index.models import Problem
from index.storage.add import Added, add_sources
from index.storage.bm25 import BM25Params
from index.storage.check import check
from index.storage.store import build_index, load
from tests.conftest import SEEDS
from tests.local_server import serve

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
#: Generous: a loaded CI machine must not turn a local fetch into a timeout.
LOCAL = FetchLimits(timeout=5.0, max_bytes=50_000, max_redirects=3, allow_private=True)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the saved pages plus a few misbehaving routes."""

    release = threading.Event()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, directory=str(PAGES), **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        routes = {
            "/redirect": lambda: self._redirect("/article.html"),
            "/loop": lambda: self._redirect("/loop"),
            "/plain": lambda: self._send(200, "text/plain", b"just text " * 100),
            "/huge": lambda: self._send(200, "text/html", b"<p>x</p>" * 20_000),
            "/hang": self._hang,
        }
        routes.get(self.path, super().do_GET)()

    def _redirect(self, target: str) -> None:
        self.send_response(302)
        self.send_header("Location", target)
        self.end_headers()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _hang(self) -> None:
        self.release.wait(timeout=10)  # never answers before the client's timeout

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(_Handler) as url:
        yield url
        _Handler.release.set()


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path / "seeds"


def _added(outcomes: list[Added | Problem]) -> list[Added]:
    return [o for o in outcomes if isinstance(o, Added)]


def _problems(outcomes: list[Added | Problem]) -> list[str]:
    return [str(o) for o in outcomes if isinstance(o, Problem)]


def test_a_url_becomes_a_markdown_article_in_the_seeds_folder(seeds: Path, server: str) -> None:
    outcomes = add_sources([f"{server}/article.html"], seeds, LOCAL)
    [added] = _added(outcomes)
    article = added.article
    assert article.title == "Geneva talks end without a breakthrough"
    assert (article.author, article.outlet, article.published) == (
        "Jane Roe",
        "Example Wire",
        "2022-01-10",
    )
    assert article.url == "https://wire.example.com/2022/01/10/geneva-talks"  # the canonical URL
    assert "Ryabkov" in article.body
    for noise in ("Subscribe", "First! This is a comment", "All rights reserved", "Home"):
        assert noise not in article.body
    assert added.path.parent == seeds and added.path.read_text().startswith(
        f"---\nid: {added.article.id}\ntitle:"
    )
    reread = {a.id: a for a in read_folder(seeds).articles}[article.id]
    assert (reread.body, reread.title, reread.url) == (article.body, article.title, article.url)


def test_each_bad_source_gets_one_clear_line_and_the_batch_goes_on(
    seeds: Path, server: str, tmp_path: Path
) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 society\n\n".encode("latin-1") * 50)
    sources = [
        f"{server}/missing.html",
        f"{server}/plain",
        f"{server}/no-article.html",
        f"{server}/hang",
        f"{server}/huge",
        f"{server}/loop",
        "ftp://example.com/file",
        str(tmp_path / "notes.pdf"),
        str(tmp_path / "latin1.txt"),
        str(tmp_path / "absent.md"),
        f"{server}/second-article.html",
    ]
    outcomes = add_sources(sources, seeds, dataclasses.replace(LOCAL, timeout=1.5))
    problems = _problems(outcomes)
    expected = [
        "answered 404",
        "is not an HTML page (text/plain)",
        "no article text found",
        "timed out after 1.5 s",
        "larger than 50,000 bytes",
        "redirects more than 3 times",
        "only http and https URLs",
        "unknown format",
        "not UTF-8 text",
        "no such file",
    ]
    assert len(problems) == len(expected)
    for line, fragment in zip(problems, expected, strict=True):
        assert fragment in line
    assert [a.article.title for a in _added(outcomes)] == ["NATO answers Russia in writing"]


@pytest.mark.parametrize("urls_only", [False, True])
def test_a_url_scheme_in_capitals_is_a_url(seeds: Path, server: str, urls_only: bool) -> None:
    shouted = server.replace("http://", "HTTP://") + "/article.html"
    [added] = _added(add_sources([shouted], seeds, LOCAL, urls_only=urls_only))
    assert added.article.title == "Geneva talks end without a breakthrough"


def test_redirects_are_followed(seeds: Path, server: str) -> None:
    [added] = _added(add_sources([f"{server}/redirect"], seeds, LOCAL))
    assert added.article.title == "Geneva talks end without a breakthrough"


def test_private_addresses_are_refused_unless_allowed(seeds: Path, server: str) -> None:
    strict = FetchLimits(timeout=0.5)
    [problem] = _problems(add_sources([f"{server}/article.html"], seeds, strict))
    assert "private, local or multicast address" in problem
    assert not list(seeds.glob("*.md"))


def test_duplicates_of_the_coverage_and_within_a_batch_are_refused(
    seeds: Path, server: str
) -> None:
    seed = SEEDS / "ioffe-putins-talk-therapy.txt"
    outcomes = add_sources(
        [str(seed), f"{server}/article.html", f"{server}/article.html"], seeds, LOCAL
    )
    problems = _problems(outcomes)
    assert "already in the coverage as 2021-12-31-putins-talk-therapy" in problems[0]
    assert "already in the coverage as 2022-01-10-geneva" in problems[1]
    assert len(_added(outcomes)) == 1


def test_json_lines_exports_become_one_file_per_article(seeds: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl.gz"
    alpha = {"title": "Alpha *bold* title", "url": "https://x.example/a", "date": "2022-02-01"}
    beta = {"title": "Beta", "url": "https://x.example/b", "published_time": "2022-02-02 10:00"}
    records = [
        alpha | {"body": "Alpha [one](two) costs 5 * 3 \\ #1 <b> _x."},
        beta | {"body": "Beta."},
    ]
    export.write_bytes(gzip.compress("\n".join(json.dumps(r) for r in records).encode()))
    added = _added(add_sources([str(export)], seeds, LOCAL))
    assert [a.article.published for a in added] == ["2022-02-01", "2022-02-02"]
    reread = {a.id: a for a in read_folder(seeds).articles}
    for item in added:
        assert item.path.suffix == ".md"
        assert reread[item.article.id].body == item.article.body


def test_cli_add_remove_and_check(
    seeds: Path, server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(seeds.parent)
    monkeypatch.setenv("COVERAGE_SEEDS_DIR", str(seeds))
    monkeypatch.setenv("COVERAGE_INDEX_DIR", str(seeds.parent / "index"))
    monkeypatch.setenv("COVERAGE_ALLOW_PRIVATE_URLS", "true")
    assert main(["add", f"{server}/article.html", f"{server}/missing.html"]) == 1
    out, err = capsys.readouterr()
    assert "1 added, 1 failed" in out and "answered 404" in err and "index updated" in out
    assert load(seeds.parent / "index").info.articles == 3
    assert main(["index", "check"]) == 0
    assert main(["remove", "2022-01-10-geneva-talks-end-without-a-breakthrough"]) == 0
    assert not list(seeds.glob("*.md"))
    assert load(seeds.parent / "index").info.articles == 2
    assert main(["remove", "no-such-id"]) == 1


def test_index_check_reports_stale_index_and_orphans(seeds: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index(seeds, index_dir, BM25Params())
    assert check(seeds, index_dir, BM25Params()).ok
    (seeds / "orphan.meta.yaml").write_text("outlet: Nobody\n")
    (index_dir / "gen-leftover").mkdir()
    report = check(seeds, index_dir, BM25Params())
    assert report.live != report.wanted  # the new sidecar changed the fingerprint
    assert any("sidecar without an article file" in line for line in report.orphans)
    assert any("gen-leftover" in line for line in report.orphans)
    assert not report.ok
