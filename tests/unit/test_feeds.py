"""Following feeds against a feed server on 127.0.0.1: parsing, pages, 304s, failures, restarts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from index.ingest.feeds import Validators, content_paragraphs, parse_feed
from index.ingest.feedstore import MAX_ENTRY_ATTEMPTS, FeedStore, FeedStoreError
from index.ingest.fetch import FetchLimits
from index.ingest.files import read_folder
from index.models import Article
from index.storage.bm25 import BM25Params
from index.storage.feeds import FeedPoller, FeedReport
from index.storage.maintain import Maintainer
from index.storage.store import load
from tests.conftest import ROOT, SEEDS
from tests.feedserver import ATOM, HTML, LOCAL, RDF, RSS, FeedServer, atom, page, rss1, rss2, story

HOUR = 3600.0


@pytest.fixture
def server() -> Iterator[FeedServer]:
    yield from FeedServer().run()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path


def poller_for(root: Path) -> FeedPoller:
    """A poller over ``root``'s seeds, index and data folders (a new store object each time)."""
    maintainer = Maintainer(root / "seeds", root / "index", BM25Params())
    return FeedPoller(FeedStore(root / "data" / "feeds.sqlite3"), maintainer, LOCAL)


def articles(root: Path) -> dict[str, Article]:
    """The articles in the seeds folder by URL."""
    return {a.url or a.id: a for a in read_folder(root / "seeds").articles}


def poll(poller: FeedPoller, now: float) -> dict[str, FeedReport]:
    reports = poller.poll(now)
    assert reports is not None
    return {report.name: report for report in reports}


def serve_rss(server: FeedServer, path: str = "/rss.xml", count: int = 2, **route: object) -> str:
    items = []
    for n in range(1, count + 1):
        link = server.serve(
            f"/rss/{n}.html", page(f"Bridge story {n}", f"bridge plan {n}", "Ann Page"), HTML
        )
        items.append(
            {
                "title": f"Feed title {n}",
                "link": link,
                "guid": f"rss-{n}",
                "date": f"Mon, 0{n} Nov 2026 10:00:00 GMT",
                "author": "Feed Author",
            }
        )
    return server.serve(path, rss2(items), RSS, **route)


def serve_rdf(server: FeedServer) -> str:
    items = []
    for n in (1, 2):
        # The page names no author and no date: both come from the feed.
        link = server.serve(f"/rdf/{n}.html", page(f"Valley story {n}", f"dam budget {n}"), HTML)
        items.append(
            {
                "title": f"Valley story {n}",
                "link": link,
                "date": f"2026-10-1{n}T09:00:00Z",
                "author": "Rita Dee",
            }
        )
    return server.serve("/rdf.xml", rss1(items), RDF)


def serve_atom(server: FeedServer) -> str:
    entries = []
    for n in (1, 2):
        link = server.serve(
            f"/atom/{n}.html",
            page(f"Harbour story {n}", f"harbour tax {n}", "Sam Oak", f"2026-09-0{n}"),
            HTML,
        )
        entries.append(
            {
                "title": f"Harbour feed title {n}",
                "link": link,
                "id": f"urn:harbour:{n}",
                "date": "2026-01-01T00:00:00Z",
                "author": "Feed Person",
            }
        )
    return server.serve("/atom.xml", atom(entries), ATOM)


class TestFollowing:
    def test_rss2_rss1_and_atom_entries_become_articles_with_their_metadata(
        self, server: FeedServer, root: Path
    ) -> None:
        poller = poller_for(root)
        poller.store.add(serve_rss(server), name="rss")
        poller.store.add(serve_rdf(server), name="rdf")
        poller.store.add(serve_atom(server), name="atom")
        reports = poll(poller, 0)
        assert {name: (r.status, r.new, r.failed) for name, r in reports.items()} == {
            "rss": ("ok", 2, 0),
            "rdf": ("ok", 2, 0),
            "atom": ("ok", 2, 0),
        }
        found = articles(root)
        bridge = found[server.url("/rss/1.html")]
        # The page's title and author win over the feed's; the feed gives the date.
        assert (bridge.title, bridge.author, bridge.published) == (
            "Bridge story 1",
            "Ann Page",
            "2026-11-01",
        )
        assert bridge.outlet == "Local Wire"  # the page's site name
        assert bridge.body.startswith("Officials said on Tuesday that the bridge plan 1")
        valley = found[server.url("/rdf/2.html")]
        assert (valley.title, valley.author, valley.published) == (
            "Valley story 2",
            "Rita Dee",
            "2026-10-12",
        )
        harbour = found[server.url("/atom/2.html")]
        assert (harbour.title, harbour.author, harbour.published) == (
            "Harbour story 2",
            "Sam Oak",
            "2026-09-02",
        )
        index = load(root / "index")
        assert len(index) == 2 + 6
        assert index.search("harbour tax", 1)[0].title.startswith("Harbour story")

    def test_a_second_poll_is_conditional_gets_304_and_adds_nothing(
        self, server: FeedServer, root: Path
    ) -> None:
        poller = poller_for(root)
        etag, modified = '"v1"', "Mon, 02 Nov 2026 10:00:00 GMT"
        poller.store.add(serve_rss(server, etag=etag, last_modified=modified), name="rss")
        assert poll(poller, 0)["rss"].new == 2
        assert "If-None-Match" not in server.requests_for("/rss.xml")[0].headers
        before = sorted(p.name for p in (root / "seeds").iterdir())
        assert poll(poller, 10 * 60) == {}  # not due before its 30 minutes
        report = poll(poller, 30 * 60)["rss"]
        assert (report.status, report.new) == ("not-modified", 0)
        sent = server.requests_for("/rss.xml")[-1].headers
        assert (sent["If-None-Match"], sent["If-Modified-Since"]) == (etag, modified)
        assert sorted(p.name for p in (root / "seeds").iterdir()) == before
        assert len(server.requests_for("/rss/1.html")) == 1  # a 304 costs nothing more

    def test_a_new_entry_is_added_and_the_old_ones_are_not_fetched_again(
        self, server: FeedServer, root: Path
    ) -> None:
        poller = poller_for(root)
        poller.store.add(serve_rss(server, etag='"v1"'), name="rss")
        poll(poller, 0)
        serve_rss(server, count=3, etag='"v2"')
        report = poll(poller, HOUR)["rss"]
        assert (report.status, report.new, report.skipped) == ("ok", 1, 0)
        assert [a.title for a in report.added] == ["Bridge story 3"]
        assert len(server.requests_for("/rss/1.html")) == 1

    def test_entries_sharing_a_teaser_are_all_added(self, server: FeedServer, root: Path) -> None:
        serve_rss(server, count=2)
        teaser = "<p>Read more on our site.</p>"
        items = [
            {
                "title": f"Story {n}",
                "link": server.url(f"/rss/{n}.html"),
                "guid": str(n),
                "content": teaser,
            }
            for n in (1, 2)
        ]
        poller = poller_for(root)
        poller.store.add(server.serve("/teased.xml", rss2(items[:1]), RSS), name="teased")
        assert poll(poller, 0)["teased"].new == 1
        server.serve("/teased.xml", rss2(items), RSS)
        assert poll(poller, HOUR)["teased"].new == 1  # the same teaser is no same article

    def test_an_entry_seen_before_under_another_id_and_link_is_known_by_its_text(
        self, server: FeedServer, root: Path
    ) -> None:
        full = "".join(f"<p>{text}</p>" for text in story("tram line"))
        first = {"title": "Tram", "link": server.url("/gone-1"), "guid": "1", "content": full}
        again = {
            "title": "Tram (updated)",
            "link": server.url("/gone-2"),
            "guid": "2",
            "content": full,
        }
        poller = poller_for(root)
        poller.store.add(server.serve("/tram.xml", rss2([first]), RSS), name="tram")
        assert poll(poller, 0)["tram"].new == 1
        server.serve("/tram.xml", rss2([first, again]), RSS)
        report = poll(poller, HOUR)["tram"]
        assert (report.new, report.skipped, report.failed) == (0, 0, 0)
        assert server.requests_for("/gone-2") == []  # known before its page was fetched

    def test_the_interval_is_per_feed(self, server: FeedServer, root: Path) -> None:
        poller = poller_for(root)
        poller.store.add(serve_rss(server), name="slow", every_minutes=120)
        poller.store.add(serve_atom(server), name="quick", every_minutes=5)
        poll(poller, 0)
        assert set(poll(poller, 6 * 60)) == {"quick"}
        assert set(poll(poller, 2 * HOUR)) == {"quick", "slow"}


class TestProblems:
    """Each problem is reported, and the rest goes on."""

    def test_malformed_and_missing_feeds_fail_while_others_are_read(
        self, server: FeedServer, root: Path
    ) -> None:
        poller = poller_for(root)
        poller.store.add(server.serve("/junk.xml", "{not: xml at all", RSS), name="junk")
        poller.store.add(server.serve("/html", "<html><p>no feed</p></html>", HTML), name="html")
        poller.store.add(server.url("/gone.xml"), name="gone")
        poller.store.add(serve_atom(server), name="atom")
        reports = poll(poller, 0)
        assert reports["junk"].status == "failed"
        assert "is not a readable RSS or Atom feed" in (reports["junk"].error or "")
        assert reports["html"].status == "failed"
        assert reports["gone"].error == f"{server.url('/gone.xml')} answered 404"
        assert (reports["atom"].status, reports["atom"].new) == ("ok", 2)

    def test_a_feed_malformed_after_its_entries_keeps_them_with_a_warning(
        self, server: FeedServer, root: Path
    ) -> None:
        serve_rss(server)
        whole = server.routes["/rss.xml"].body.decode()
        poller = poller_for(root)
        poller.store.add(server.serve("/cut.xml", whole.replace("</channel></rss>", ""), RSS))
        report = poll(poller, 0)["127.0.0.1"]
        assert (report.status, report.new) == ("ok", 2)
        assert report.error is not None and "is malformed" in report.error

    def test_failures_back_off_and_success_resets(self, server: FeedServer, root: Path) -> None:
        poller = poller_for(root)
        poller.store.add(server.url("/later.xml"), name="later")
        assert poll(poller, 0)["later"].status == "failed"
        assert poll(poller, 59 * 60) == {}  # twice the interval after one failure
        assert poll(poller, 60 * 60)["later"].status == "failed"
        assert poll(poller, 60 * 60 + 119 * 60) == {}  # four times after two
        feed = poller.store.find("later")
        assert feed is not None and feed.failures == 2
        assert feed.last_error == f"{server.url('/later.xml')} answered 404"
        serve_atom(server)
        server.routes["/later.xml"] = server.routes["/atom.xml"]
        assert poll(poller, 3 * HOUR)["later"].status == "ok"
        feed = poller.store.find("later")
        assert feed is not None and (feed.failures, feed.last_error) == (0, None)

    def test_an_index_that_cannot_be_written_is_stored_without_its_path(
        self,
        server: FeedServer,
        root: Path,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        # /feeds list shows the stored error in Discord: the host's folders stay in the log.
        poller = poller_for(root)
        poller.store.add(serve_rss(server), name="news")
        full = OSError(28, "No space left on device", str(root / "index" / "postings.npy"))

        def disk_full(*_: object) -> None:
            raise full

        monkeypatch.setattr(poller.maintainer, "add_articles", disk_full)
        report = poll(poller, 0)["news"]
        feed = poller.store.find("news")
        assert feed is not None and feed.last_error == report.error
        assert report.error == f"{feed.url}: the index could not be written; see the bot's log"
        assert str(root) in caplog.text and "No space left" in caplog.text

    def test_an_entry_whose_page_is_gone_falls_back_to_its_content_or_is_reported(
        self, server: FeedServer, root: Path
    ) -> None:
        full = "".join(f"<p>{text}</p>" for text in story("ferry timetable"))
        items = [
            {"title": "Ferry", "link": server.url("/missing-1"), "guid": "1", "content": full},
            {
                "title": "Teaser",
                "link": server.url("/missing-2"),
                "guid": "2",
                "content": "<p>A short teaser.</p>",
            },
            {"title": "No link", "guid": "3"},
        ]
        poller = poller_for(root)
        poller.store.add(server.serve("/rss.xml", rss2(items), RSS), name="rss")
        report = poll(poller, 0)["rss"]
        assert (report.new, report.failed) == (1, 2)
        ferry = report.added[0]
        assert (ferry.title, ferry.url, ferry.outlet) == (
            "Ferry",
            server.url("/missing-1"),
            "Local Wire",
        )
        assert ferry.body.split("\n\n") == story("ferry timetable")
        reasons = {p.path: p.reason for p in report.problems}
        assert reasons[server.url("/missing-2")].startswith(
            f"{server.url('/missing-2')} answered 404, and the feed carries no full text of it"
        )
        assert reasons["No link"].startswith("the entry has no link")

    def test_an_entry_that_keeps_failing_is_given_up(self, server: FeedServer, root: Path) -> None:
        items = [{"title": "Broken", "link": server.url("/missing"), "guid": "1"}]
        poller = poller_for(root)
        poller.store.add(server.serve("/rss.xml", rss2(items), RSS), name="rss")
        outcomes = [poll(poller, n * HOUR)["rss"] for n in range(MAX_ENTRY_ATTEMPTS + 1)]
        assert [r.failed for r in outcomes] == [1] * MAX_ENTRY_ATTEMPTS + [0]
        assert outcomes[-2].problems[0].reason.endswith("; given up")
        assert len(server.requests_for("/missing")) == MAX_ENTRY_ATTEMPTS

    @pytest.mark.parametrize(
        ("route", "message"),
        [
            ({"body": "x" * 60_000}, "is larger than 50,000 bytes"),
            ({"body": "", "hang": True}, "timed out after 0.5 s"),
        ],
    )
    def test_a_huge_or_slow_feed_fails_within_the_limits(
        self, server: FeedServer, root: Path, route: dict[str, object], message: str
    ) -> None:
        poller = poller_for(root)
        body = str(route.pop("body"))
        poller.store.add(server.serve("/big.xml", body, RSS, **route), name="big")
        poller.store.add(serve_atom(server), name="atom")
        reports = poll(poller, 0)
        assert message in (reports["big"].error or "")
        assert reports["atom"].new == 2

    def test_private_addresses_stay_refused_unless_allowed(
        self, server: FeedServer, root: Path
    ) -> None:
        maintainer = Maintainer(root / "seeds", root / "index", BM25Params())
        store = FeedStore(root / "data" / "feeds.sqlite3")
        store.add(serve_atom(server), name="atom")
        reports = FeedPoller(store, maintainer, FetchLimits(timeout=0.5)).poll(0)
        assert reports is not None and reports[0].status == "failed"
        assert "points at a private, local or multicast address" in (reports[0].error or "")

    def test_duplicate_entries_are_skipped_and_reported(
        self, server: FeedServer, root: Path
    ) -> None:
        serve_rss(server)
        link = server.url("/rss/1.html")
        items = [
            {"title": "One", "link": link, "guid": "a"},
            {"title": "One again", "link": link, "guid": "a"},  # the same entry twice
            {"title": "Same page", "link": link + "?from=feed", "guid": "b"},
        ]
        poller = poller_for(root)
        poller.store.add(server.serve("/dup.xml", rss2(items), RSS), name="dup")
        server.routes["/rss/1.html?from=feed"] = server.routes["/rss/1.html"]
        report = poll(poller, 0)["dup"]
        assert (report.new, report.skipped, report.failed) == (1, 2, 0)
        reasons = [p.reason for p in report.problems]
        assert "the same entry appears twice in the feed" in reasons
        assert any(reason.startswith("already in the coverage as") for reason in reasons)

    def test_an_article_already_in_the_coverage_is_skipped(
        self, server: FeedServer, root: Path
    ) -> None:
        poller = poller_for(root)
        poller.store.add(serve_rss(server), name="first")
        poll(poller, 0)
        poller.store.add(server.url("/rss.xml") + "?copy", name="copy")
        server.routes["/rss.xml?copy"] = server.routes["/rss.xml"]
        report = poll(poller, 0)["copy"]
        assert (report.new, report.skipped) == (0, 2)


class TestRestarts:
    def test_nothing_is_added_twice_with_a_new_store_object(
        self, server: FeedServer, root: Path
    ) -> None:
        poller_for(root).store.add(serve_rss(server), name="rss")  # no ETag: always 200
        assert poll(poller_for(root), 0)["rss"].new == 2
        report = poll(poller_for(root), HOUR)["rss"]
        assert (report.status, report.new, report.skipped) == ("ok", 0, 0)
        assert len(server.requests_for("/rss/1.html")) == 1

    def test_nothing_is_added_twice_by_a_new_process(self, server: FeedServer, root: Path) -> None:
        poller_for(root).store.add(serve_rss(server), name="rss")
        script = (
            "import json, sys\n"
            "from pathlib import Path\n"
            "from tests.unit.test_feeds import poller_for\n"
            "reports = poller_for(Path(sys.argv[1])).poll(float(sys.argv[2]))\n"
            "print(json.dumps([r.to_json() for r in reports]))\n"
        )
        runs = [
            subprocess.run(
                [sys.executable, "-c", script, str(root), str(moment)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            for moment in (0, HOUR)
        ]
        first, second = (json.loads(run.stdout)[0] for run in runs)
        assert (first["new"], second["new"], second["status"]) == (2, 0, "ok")
        assert len(read_folder(root / "seeds").articles) == 4

    def test_a_crash_before_the_feed_state_is_saved_adds_nothing_twice(
        self, server: FeedServer, root: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        poller = poller_for(root)
        poller.store.add(serve_rss(server), name="rss")

        def crash(*args: object, **kwargs: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(FeedStore, "polled", crash)
        with pytest.raises(KeyboardInterrupt):
            poller.poll(0)
        monkeypatch.undo()
        report = poll(poller_for(root), 0)["rss"]
        assert (report.new, report.skipped) == (0, 2)  # the seeds folder already has them
        assert len(read_folder(root / "seeds").articles) == 4


class TestOnePoller:
    def test_a_poll_skips_while_another_process_polls(self, root: Path) -> None:
        poller = poller_for(root)
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from filelock import FileLock\n"
                "lock = FileLock(sys.argv[1]); lock.acquire(); print('held', flush=True)\n"
                "sys.stdin.read()",
                str(poller.lock_path),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            assert poller.poll(0, wait=False) is None
        finally:
            holder.communicate("")
        assert poller.poll(0, wait=False) == []


class TestStore:
    def test_intervals_names_and_removal(self, tmp_path: Path) -> None:
        store = FeedStore(tmp_path / "feeds.sqlite3")
        first = store.add("https://news.example.com/rss")
        assert (first.name, first.every_minutes, first.next_poll) == ("news.example.com", 30, 0)
        assert store.add("https://news.example.com/atom").name == "news.example.com-2"
        with pytest.raises(FeedStoreError, match="every 5 to 10080 minutes, not 4"):
            store.add("https://other.example.com/rss", every_minutes=4)
        with pytest.raises(FeedStoreError, match=r"already followed as news\.example\.com"):
            store.add("https://news.example.com/rss")
        with pytest.raises(FeedStoreError, match=r"the name news\.example\.com is taken"):
            store.add("https://third.example.com/rss", name="news.example.com")
        with pytest.raises(FeedStoreError, match="is not an http or https URL"):
            store.add("file:///etc/passwd")
        assert store.remove("news.example.com-2").url == "https://news.example.com/atom"
        assert store.remove("https://news.example.com/rss").name == "news.example.com"
        with pytest.raises(FeedStoreError, match="no feed nope is followed"):
            store.remove("nope")
        assert store.feeds() == []

    def test_credentials_in_a_feed_url_are_never_stored(self, tmp_path: Path) -> None:
        store = FeedStore(tmp_path / "feeds.sqlite3")
        assert store.add("https://user:secret@news.example.com/rss").url == (
            "https://news.example.com/rss"
        )

    def test_validators_make_conditional_headers(self) -> None:
        assert Validators().headers() == {}
        assert Validators('"x"', "Mon").headers() == {
            "If-None-Match": '"x"',
            "If-Modified-Since": "Mon",
        }

    def test_content_paragraphs_drop_markup_and_scripts(self) -> None:
        html = "<div>One &amp; <b>two</b><script>x()</script></div><p>Three<br>four</p>"
        assert content_paragraphs(html) == ["One & two", "Three", "four"]


class TestCli:
    @pytest.fixture
    def env(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        monkeypatch.chdir(root)  # no developer .env
        for name, value in {
            "SEEDS_DIR": root / "seeds",
            "INDEX_DIR": root / "index",
            "DATA_DIR": root / "data",
            "ALLOW_PRIVATE_URLS": "true",
            "FETCH_TIMEOUT": "0.5",
        }.items():
            monkeypatch.setenv(f"COVERAGE_{name}", str(value))
        return root

    def test_add_list_poll_and_remove(
        self, env: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
    ) -> None:
        url = serve_atom(server)
        assert main(["feeds", "add", url, "--every", "15", "--name", "harbour"]) == 0
        assert "following harbour" in capsys.readouterr().out
        assert main(["feeds", "add", server.url("/gone.xml"), "--name", "gone"]) == 0
        capsys.readouterr()
        assert main(["feeds", "list", "--json"]) == 0
        listed = json.loads(capsys.readouterr().out)["feeds"]
        assert [(f["name"], f["every_minutes"], f["last_polled"]) for f in listed] == [
            ("gone", 30, None),
            ("harbour", 15, None),
        ]
        assert main(["feeds", "poll", "--json"]) == 1  # one feed failed
        out = capsys.readouterr().out
        assert json.loads(out) == {
            "feeds": [
                {
                    "url": server.url("/gone.xml"),
                    "name": "gone",
                    "status": "failed",
                    "new": 0,
                    "skipped": 0,
                    "failed": 0,
                    "error": f"{server.url('/gone.xml')} answered 404",
                },
                {
                    "url": url,
                    "name": "harbour",
                    "status": "ok",
                    "new": 2,
                    "skipped": 0,
                    "failed": 0,
                    "error": None,
                },
            ]
        }
        assert main(["feeds", "poll"]) == 0
        assert "No feed is due." in capsys.readouterr().out
        assert main(["feeds", "remove", "gone"]) == 0
        assert capsys.readouterr().out.startswith("stopped following gone")
        assert main(["feeds", "list"]) == 0
        out = capsys.readouterr().out
        assert "gone" not in out and out.startswith(f"harbour  {url}\n  every 15 min, last polled")

    def test_a_damaged_feeds_database_is_one_line(
        self, env: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (env / "data").mkdir()
        (env / "data" / "feeds.sqlite3").write_bytes(b"not a database at all" * 100)
        for command in (["list"], ["poll", "--json"], ["add", "https://example.com/rss"]):
            assert main(["feeds", *command]) == 1
        assert (
            capsys.readouterr().err.splitlines()
            == [
                f"coverage-bot: cannot use the feeds database {env / 'data' / 'feeds.sqlite3'}: "
                "file is not a database"
            ]
            * 3
        )

    def test_bad_input_is_one_line(self, env: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["feeds", "add", "https://example.com/rss", "--every", "1"]) == 1
        assert main(["feeds", "remove", "nothing"]) == 1
        err = capsys.readouterr().err.splitlines()
        assert err == [
            "coverage-bot: a feed is polled every 5 to 10080 minutes, not 1",
            "coverage-bot: no feed nothing is followed",
        ]


class TestParsing:
    def test_a_feed_without_a_content_type_is_read_as_xml_in_its_own_encoding(self) -> None:
        document = rss1(
            [
                {
                    "title": "Zürich 쭠",
                    "link": "https://example.com/1",
                    "date": "2026-11-02",
                    "author": "A",
                }
            ]
        )
        _, entries, _ = parse_feed(document.encode(), "https://example.com/feed", {})
        assert entries[0].title == "Zürich 쭠"

    def test_an_entry_without_id_or_link_is_known_by_its_title_and_date(self) -> None:
        document = rss2([{"title": "Same", "date": "Mon, 02 Nov 2026 10:00:00 GMT"}] * 2)
        _, entries, _ = parse_feed(document.encode(), "https://example.com/feed", {})
        assert entries[0].identity == entries[1].identity
        assert entries[0].identity.startswith("hash:")
