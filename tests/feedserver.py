"""A feed server on 127.0.0.1 for tests: RSS 2.0, RSS 1.0 and Atom feeds and their pages.

Routes are set per test; a route with an ETag and a Last-Modified date answers 304 to a
request that sends them back. Every request's path and headers are recorded.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape

from index.ingest.fetch import FetchLimits

#: Limits for the local server: private addresses allowed, small and quick.
LOCAL = FetchLimits(timeout=0.5, max_bytes=50_000, max_redirects=3, allow_private=True)
RSS = "application/rss+xml"
ATOM = "application/atom+xml"
RDF = "application/rdf+xml"
HTML = "text/html; charset=utf-8"


@dataclass
class Route:
    """What one path answers."""

    body: bytes
    content_type: str
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    hang: bool = False  #: send headers, then nothing until the server stops


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class FeedServer:
    """A threaded HTTP server whose routes a test changes as it goes."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.release = threading.Event()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, body: str | bytes, content_type: str, **options: object) -> str:
        """Answer ``path`` with ``body`` from now on; return its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(data, content_type, **options)  # type: ignore[arg-type]
        return self.url(path)

    def requests_for(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    def run(self) -> Iterator[FeedServer]:
        self.thread.start()
        try:
            yield self
        finally:
            self.release.set()
            self.httpd.shutdown()
            self.httpd.server_close()


def _handler(server: FeedServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append(Request(self.path, dict(self.headers.items())))
            route = server.routes.get(self.path)
            if route is None:
                self._answer(404, "text/html", b"<h1>Not found</h1>", {})
                return
            headers = {"ETag": route.etag, "Last-Modified": route.last_modified}
            sent = {name: value for name, value in headers.items() if value}
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self._answer(304, route.content_type, b"", sent)
                return
            if route.hang:
                self.send_response(200)
                self.send_header("Content-Type", route.content_type)
                self.end_headers()
                server.release.wait(timeout=5)
                return
            self._answer(route.status, route.content_type, route.body, sent)

        def _answer(
            self, status: int, content_type: str, body: bytes, headers: dict[str, str]
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def page(title: str, topic: str, author: str | None = None, date: str | None = None) -> str:
    """An article page about ``topic`` (distinct words, so no two pages share a body)."""
    metas = ""
    if author:
        metas += f'<meta name="author" content="{escape(author)}">'
        metas += '<meta property="og:site_name" content="Local Wire">'
    if date:
        metas += f'<meta property="article:published_time" content="{date}T08:00:00Z">'
    paragraphs = "".join(f"<p>{escape(text)}</p>" for text in story(topic))
    return (
        f"<!doctype html><html><head><title>{escape(title)}</title>{metas}</head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>{escape(title)}</h1>{paragraphs}"
        "</article><footer>Local Wire</footer></body></html>"
    )


def story(topic: str) -> list[str]:
    """Three paragraphs, over forty words, about ``topic``."""
    return [
        f"Officials said on Tuesday that the {topic} would be reviewed by an independent "
        "panel before the end of the month, after weeks of public debate.",
        f"Critics of the {topic} argued that the process had been rushed and that local "
        "residents were never properly consulted about the changes.",
        f"Supporters replied that the {topic} had already been delayed twice and that a "
        "further delay would cost the region millions.",
    ]


def rss2(items: list[dict[str, str]], title: str = "Local Wire") -> str:
    """An RSS 2.0 document; item keys: title, link, guid, date (RFC 822), author, content."""
    parts = []
    for item in items:
        fields = [f"<title>{escape(item['title'])}</title>"]
        if "link" in item:
            fields.append(f"<link>{escape(item['link'])}</link>")
        if "guid" in item:
            fields.append(f'<guid isPermaLink="false">{escape(item["guid"])}</guid>')
        if "date" in item:
            fields.append(f"<pubDate>{item['date']}</pubDate>")
        if "author" in item:
            fields.append(f"<dc:creator>{escape(item['author'])}</dc:creator>")
        if "content" in item:
            fields.append(f"<content:encoded>{escape(item['content'])}</content:encoded>")
        parts.append("<item>" + "".join(fields) + "</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>http://example.invalid/</link>"
        "<description>news</description>" + "".join(parts) + "</channel></rss>"
    )


def rss1(items: list[dict[str, str]], title: str = "Valley Times") -> str:
    """An RSS 1.0 (RDF) document; item keys: title, link, date (ISO), author."""
    seq = "".join(f'<rdf:li rdf:resource="{escape(i["link"])}"/>' for i in items)
    body = "".join(
        f'<item rdf:about="{escape(i["link"])}"><title>{escape(i["title"])}</title>'
        f"<link>{escape(i['link'])}</link><dc:date>{i['date']}</dc:date>"
        f"<dc:creator>{escape(i['author'])}</dc:creator></item>"
        for i in items
    )
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="http://example.invalid/"><title>{escape(title)}</title>'
        "<link>http://example.invalid/</link><description>news</description>"
        f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>{body}</rdf:RDF>"
    )


def atom(entries: list[dict[str, str]], title: str = "Harbour Post") -> str:
    """An Atom document; entry keys: title, link, id, date (ISO), author, content."""
    body = ""
    for entry in entries:
        content = entry.get("content")
        body += (
            f"<entry><title>{escape(entry['title'])}</title>"
            f'<link rel="alternate" href="{escape(entry["link"])}"/>'
            f"<id>{escape(entry['id'])}</id><updated>{entry['date']}</updated>"
            f"<author><name>{escape(entry['author'])}</name></author>"
            + (f'<content type="html">{escape(content)}</content>' if content else "")
            + "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:harbour</id>"
        f"<updated>2026-11-01T00:00:00Z</updated>{body}</feed>"
    )
