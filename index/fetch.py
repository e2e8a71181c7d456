"""Fetching a web page safely: a URL typed by a Discord user must not reach internal services.

Only http and https; every hop of a redirect chain is resolved and refused when it points at a
loopback, private, link-local or otherwise non-public address (unless ``allow_private``); the
connection goes to the address that was checked, so a DNS answer cannot change between the
check and the request. Time, size and redirects are capped, and only HTML is accepted.
"""

from __future__ import annotations

import codecs
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

#: Seconds for connecting and for each read.
TIMEOUT_SECONDS = 10.0
#: Largest page read, in bytes.
MAX_BYTES = 5_000_000
#: Redirects followed at most.
MAX_REDIRECTS = 5
#: Content types accepted as a web page.
HTML_TYPES = ("text/html", "application/xhtml+xml")
_USER_AGENT = "coverage-bot/0.1 (+article ingestion)"


class FetchError(Exception):
    """A page could not be fetched; the message is one clear line for the user."""


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched HTML page and the URL it was finally served from."""

    url: str
    html: str


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How far a fetch may go."""

    timeout: float = TIMEOUT_SECONDS
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS
    allow_private: bool = False  #: allow loopback and private-network targets (tests only)


def fetch(url: str, limits: FetchLimits | None = None) -> Page:
    """Fetch an HTML page, following redirects within ``limits``; raise ``FetchError``."""
    limits = limits or FetchLimits()
    current = url
    for _ in range(limits.max_redirects + 1):
        status, location, content_type, body = _request(current, limits)
        if status in (301, 302, 303, 307, 308) and location:
            current = urljoin(current, location)
            continue
        if status != 200:
            raise FetchError(f"{current} answered {status}")
        if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
            raise FetchError(f"{current} is not an HTML page ({content_type or 'no content type'})")
        return Page(current, body.decode(_charset(content_type), errors="replace"))
    raise FetchError(f"{url} redirects more than {limits.max_redirects} times")


def _request(url: str, limits: FetchLimits) -> tuple[int, str | None, str, bytes]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url} is not an http or https URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _checked_address(parts.hostname, port, limits.allow_private)
    connection = _connection(parts.scheme, parts.hostname, address, port, limits.timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("GET", path, headers={"User-Agent": _USER_AGENT, "Accept": "text/html"})
        response = connection.getresponse()
        body = response.read(limits.max_bytes + 1)
    except TimeoutError as exc:
        raise FetchError(f"{url} timed out after {limits.timeout:g} s") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"{url} could not be fetched: {exc}") from exc
    finally:
        connection.close()
    if len(body) > limits.max_bytes:
        raise FetchError(f"{url} is larger than {limits.max_bytes:,} bytes")
    return (
        response.status,
        response.getheader("Location"),
        response.getheader("Content-Type", ""),
        body,
    )


def _checked_address(host: str, port: int, allow_private: bool) -> str:
    """Resolve ``host`` and return an address that is safe to connect to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"{host} cannot be resolved") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not allow_private:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise FetchError(
                    f"{host} points at a private or local address ({address}); refused"
                )
    return addresses[0]


def _connection(
    scheme: str, host: str, address: str, port: int, timeout: float
) -> http.client.HTTPConnection:
    """A connection to the checked ``address`` that still speaks to ``host`` (Host header, TLS)."""
    if scheme == "https":
        return _PinnedHTTPSConnection(host, address, port, timeout)
    return _PinnedHTTPConnection(host, address, port, timeout)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip('"')).name
            except LookupError:
                break
    return "utf-8"
