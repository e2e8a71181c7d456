"""Fetching pages from misbehaving servers on 127.0.0.1 and from URLs that must never be fetched."""

from __future__ import annotations

import dataclasses
import http.server
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from index.ingest.fetch import FetchError, FetchLimits, fetch, is_public_address, web_url
from index.ingest.html import article_from_html
from index.models import Article
from index.storage.add import Added, add_sources
from tests.conftest import SEEDS
from tests.local_server import serve

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
ARTICLE = (PAGES / "article.html").read_bytes()
CANONICAL = b"https://wire.example.com/2022/01/10/geneva-talks"
#: Generous, so a loaded machine never turns an ordinary local fetch into a timeout.
LOCAL = FetchLimits(timeout=10.0, max_bytes=50_000, max_redirects=5, allow_private=True)
#: For the tests of the deadline itself.
SHORT = dataclasses.replace(LOCAL, timeout=1.0)
#: Pause between the bytes a trickling server sends, and how many it sends at most (60 s).
TRICKLE_PAUSE = 0.2
TRICKLE_BYTES = 300
#: Pause before each hop of the slow redirect chain: under the 1 s limit, over it in total.
HOP_PAUSE = 0.6


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves the saved article and routes that misbehave; stops trickling when told to."""

    stop = threading.Event()

    def do_GET(self) -> None:
        routes = {
            "/article.html": lambda: self._send("text/html", ARTICLE),
            "/trickle-body": self._trickle_body,
            "/trickle-headers": self._trickle_headers,
            "/latin1": lambda: self._send(
                "text/html; charset=ISO-8859-1", ARTICLE.replace(b"Geneva", b"Gen\xe8ve")
            ),
            "/with-credentials": lambda: self._redirect(
                f"http://user:secret@127.0.0.1:{self.server.server_address[1]}/article.html"
            ),
            "/canonical-credentials": lambda: self._send(
                "text/html", ARTICLE.replace(CANONICAL, b"https://user:secret@wire.example.com/a")
            ),
            "/canonical-bad-port": lambda: self._send(
                "text/html", ARTICLE.replace(CANONICAL, b"https://wire.example.com:99999/a")
            ),
        }
        if match := re.fullmatch(r"/charset/(.+)", self.path):
            self._send(f"text/html; charset={match[1]}", ARTICLE)
        elif match := re.fullmatch(r"/slow-hop/(\d+)", self.path):
            self._slow_hop(int(match[1]))
        else:
            routes.get(self.path, lambda: self.send_error(404))()

    def _send(self, content_type: str, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, target: str) -> None:
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _slow_hop(self, left: int) -> None:
        if self.stop.wait(HOP_PAUSE):
            return
        self._redirect(f"/slow-hop/{left - 1}" if left else "/article.html")

    def _trickle_body(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self._trickle()

    def _trickle_headers(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        self._trickle()

    def _trickle(self) -> None:
        """One byte per pause, for 60 s at most; stops when the client leaves or the test ends."""
        for _ in range(TRICKLE_BYTES):
            if self.stop.wait(TRICKLE_PAUSE):
                return
            try:
                self.wfile.write(b"x")
            except OSError:
                return

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    _Handler.stop.clear()
    with serve(_Handler) as url:
        yield url
        _Handler.stop.set()


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path / "seeds"


# Item 11: the timeout is one deadline for the whole fetch.


@pytest.mark.parametrize("route", ["/trickle-body", "/trickle-headers"])
def test_a_trickling_server_cannot_hold_a_fetch_past_its_deadline(server: str, route: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 1 s"):
        fetch(server + route, SHORT)
    assert time.monotonic() - started < 10  # generous: the server would trickle for 60 s


def test_the_deadline_covers_the_whole_redirect_chain(server: str) -> None:
    # Every hop answers within the 1 s limit; the chain of four takes over 2 s.
    with pytest.raises(FetchError, match=r"timed out after 1 s"):
        fetch(f"{server}/slow-hop/3", SHORT)


def test_a_slow_name_lookup_counts_against_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    lookup = socket.getaddrinfo

    def slow_lookup(*args: Any, **kwargs: Any) -> Any:
        release.wait(30)  # a resolver that takes its time, released when the test ends
        return lookup(*args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match=r"timed out after 0.5 s"):
            fetch("http://localhost:9/", FetchLimits(timeout=0.5, allow_private=True))
        assert time.monotonic() - started < 10  # generous: the lookup alone would take 30 s
    finally:
        release.set()


def test_a_slow_chain_within_the_deadline_is_followed(server: str) -> None:
    roomy = FetchLimits(timeout=30, max_redirects=5, allow_private=True)
    assert fetch(f"{server}/slow-hop/1", roomy).url == f"{server}/article.html"


# Item 12: malformed URLs and charsets are one clear line each.


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://h:99999/", "has an invalid port"),
        ("http://h:0/", "has an invalid port"),
        ("http://h:port/", "has an invalid port"),
        ("http://[::1/", "has a malformed [IPv6] address"),
        ("http://::1]/", "has a malformed [IPv6] address"),
        ("http://" + "a" * 64 + ".example/", "host name label longer than 63 characters"),
        ("http://" + "abcdefghi." * 26 + "example/", "host name longer than 253 characters"),
        ("http://a..example/", "host name with an empty label"),
        ("http:///path", "has no host name"),
        ("ftp://example.com/", "is not an http or https URL"),
    ],
)
def test_malformed_urls_get_a_specific_message(url: str, reason: str) -> None:
    with pytest.raises(FetchError, match=re.escape(reason)) as caught:
        fetch(url, LOCAL)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "charset", ["rot13", "base64", "hex", "undefined", "unicode_escape", "x-no"]
)
def test_a_charset_that_is_not_a_text_encoding_is_refused(server: str, charset: str) -> None:
    with pytest.raises(FetchError, match=f"unknown character set .{charset}."):
        fetch(f"{server}/charset/{charset}", LOCAL)


def test_a_declared_charset_decodes_the_page(server: str) -> None:
    assert "Genève" in fetch(f"{server}/latin1", LOCAL).html


def test_a_path_with_spaces_and_accents_is_sent_percent_encoded(server: str) -> None:
    with pytest.raises(FetchError, match="answered 404"):
        fetch(f"{server}/caf\u00e9 menu\x01", LOCAL)


def test_a_batch_goes_on_after_malformed_urls(
    seeds: Path, server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COVERAGE_SEEDS_DIR", str(seeds))
    monkeypatch.setenv("COVERAGE_INDEX_DIR", str(seeds.parent / "index"))
    monkeypatch.setenv("COVERAGE_ALLOW_PRIVATE_URLS", "true")
    bad = ["http://h:99999/", "http://[::1/", "http://" + "a" * 64 + ".example/"]
    assert main(["add", *bad, f"{server}/charset/rot13", f"{server}/article.html"]) == 1
    out, err = capsys.readouterr()
    assert "1 added, 4 failed" in out
    failed = err.splitlines()
    assert len(failed) == 4 and all(line.startswith("failed  http") for line in failed)


# Item 13: addresses that lead back inside, and credentials in URLs.


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::a00:1",  # local-use NAT64
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:c0a8:101::",  # 6to4 of 192.168.1.1
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "::a9fe:a9fe",  # IPv4-compatible 169.254.169.254
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:172.16.0.1",
        "::1",
        "::",
        "224.0.0.1",
        "239.255.255.250",
        "ff02::1",
        "ff0e::1",
        "127.0.0.1",
        "fe80::1%eth0",
    ],
)
def test_addresses_leading_back_inside_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"],
)
def test_public_addresses_and_their_ipv6_forms_are_public(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::1]/",
        "http://[::7f00:1]/",
        "http://239.1.2.3/",
    ],
)
def test_fetching_an_address_leading_back_inside_is_refused(url: str) -> None:
    with pytest.raises(FetchError, match="private, local or multicast address"):
        fetch(url, FetchLimits(timeout=0.5))


def test_credentials_are_never_stored_or_shown(
    seeds: Path, server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COVERAGE_SEEDS_DIR", str(seeds))
    monkeypatch.setenv("COVERAGE_INDEX_DIR", str(seeds.parent / "index"))
    monkeypatch.setenv("COVERAGE_ALLOW_PRIVATE_URLS", "true")
    with_secret = server.replace("http://", "http://user:secret@")
    sources = [
        f"{with_secret}/canonical-credentials",
        f"{with_secret}/missing",
        "ftp://u:secret@h/",
    ]
    assert main(["add", *sources]) == 1
    out, err = capsys.readouterr()
    assert "1 added, 2 failed" in out
    assert "secret" not in out + err
    assert not [p for p in seeds.iterdir() if "secret" in p.read_text(errors="replace")]


def test_a_redirect_to_a_url_with_credentials_loses_them(server: str) -> None:
    assert fetch(f"{server}/with-credentials", LOCAL).url == f"{server}/article.html"


def test_a_canonical_url_with_credentials_loses_them(server: str) -> None:
    page = fetch(f"{server}/canonical-credentials", LOCAL)
    article = article_from_html(page.html, page.url, "page")
    assert isinstance(article, Article) and article.url == "https://wire.example.com/a"


def test_a_malformed_canonical_url_gives_way_to_the_fetched_one(server: str) -> None:
    page = fetch(f"{server}/canonical-bad-port", LOCAL)
    article = article_from_html(page.html, page.url, "page")
    assert isinstance(article, Article) and article.url == page.url


def test_add_sources_reports_urls_without_credentials(seeds: Path, server: str) -> None:
    with_secret = server.replace("http://", "http://a:secret@")
    [added] = add_sources([f"{with_secret}/article.html"], seeds, LOCAL)
    assert isinstance(added, Added) and added.source == f"{server}/article.html"


@pytest.mark.parametrize(
    "url",
    ["https://example.com/a>[x](https://evil.example)", "https://example.com/a b", "http://h/<x"],
)
def test_a_url_with_spaces_or_angle_brackets_is_no_web_url(url: str) -> None:
    # Shown in Discord as <url>, a ">" or space would end the link and plant what follows.
    assert web_url(url) is None
    assert web_url("https://example.com/a%3Eb") == "https://example.com/a%3Eb"
