"""Fetching a web page safely: a URL typed by a Discord user must not reach internal services.

Only http and https; every hop of a redirect chain is resolved and refused when it points at a
loopback, private, link-local, multicast or otherwise non-public address, including IPv6 forms
that carry such an IPv4 address (NAT64, 6to4, IPv4-mapped and -compatible), unless
``allow_private``. The connection goes to the address that was checked, so a DNS answer cannot
change between the check and the request. The timeout is one deadline for the whole fetch,
redirects included, so a server sending a byte at a time cannot hold it longer; size and
redirects are capped, and ``fetch`` accepts only HTML (``fetch_resource`` serves feeds: any
content type, extra request headers for conditional requests, and 304 as an answer). A
malformed URL or an unusable character set is a ``FetchError`` like any other failure, and
user names and passwords in a URL are never kept: not in the page's URL, not in messages
(they are not sent to the server either).
"""

from __future__ import annotations

import codecs
import http.client
import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from urllib.parse import SplitResult, quote, urljoin, urlsplit, urlunsplit

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: Seconds the whole fetch may take, redirects included.
TIMEOUT_SECONDS = 10.0
#: Largest page read, in bytes.
MAX_BYTES = 5_000_000
#: Redirects followed at most.
MAX_REDIRECTS = 5
#: Content types accepted as a web page.
HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECTS = (301, 302, 303, 307, 308)
_USER_AGENT = "coverage-bot/0.1 (+article ingestion)"
#: Characters left as they are in a request path; everything else is percent-encoded as UTF-8.
_PATH_SAFE = "!$%&'()*+,/:;=?@[]~"
#: Characters a URL never holds; ``web_url`` refuses a URL with any of them.
_NOT_IN_URL = re.compile(r"[\s<>]")
#: ``scheme://user:password@`` at the start of a URL (the authority ends at / ? or #).
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")
#: Python codecs that decode bytes to text but are no character set a web page can be in.
_NOT_CHARSETS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"})
#: IPv6 ranges whose last 32 bits are an IPv4 address: NAT64 (RFC 6052), IPv4-compatible.
_EMBEDDING_IPV4 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("::/96"))
#: Local-use NAT64 (RFC 8215): translated inside one network, never a public destination.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


class FetchError(Exception):
    """A page could not be fetched; the message is one clear line for the user."""


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched HTML page and the URL it was finally served from (without credentials)."""

    url: str
    html: str


@dataclass(frozen=True, slots=True)
class Resource:
    """What a URL finally answered: 200 with its body, or 304 (not modified) with none."""

    url: str  #: where it was served from, without credentials
    status: int
    headers: Mapping[str, str]  #: response headers, names in lower case
    body: bytes


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How far a fetch may go."""

    timeout: float = TIMEOUT_SECONDS  #: seconds for the whole fetch, redirects included
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS
    allow_private: bool = False  #: allow loopback and private-network targets (tests only)


@dataclass(frozen=True, slots=True)
class _Target:
    """Where one request goes, from a URL that parsed and passed the checks."""

    scheme: str
    host: str
    port: int
    path: str


@dataclass(frozen=True, slots=True)
class _Response:
    """What one hop answered, read within the limits."""

    status: int
    headers: dict[str, str]  #: names in lower case
    body: bytes


def without_credentials(url: str) -> str:
    """``url`` without a ``user:password@`` part, so it can be stored, shown or linked.

    Only that part is cut, so the rest stays as typed; text without a scheme and an authority
    (a file path) is returned unchanged. Whatever ``urlsplit`` (and so ``fetch``) would still
    read as credentials, say after removing a tab, is cut from its reading of the URL.
    """
    cleaned = _USERINFO.sub(r"\1", url, count=1)
    try:
        parts = urlsplit(cleaned)
    except ValueError:  # a malformed [IPv6] host: fetching it fails anyway
        return cleaned
    if not parts.scheme or "@" not in parts.netloc:
        return cleaned
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def web_url(url: str) -> str | None:
    """``url`` without credentials when it is a well-formed http(s) URL, else None.

    Whitespace, ``<`` and ``>`` are refused: never part of a URL (RFC 3986), and shown in
    Discord as ``<url>`` they would end the link and let the rest render as Markdown.
    """
    if _NOT_IN_URL.search(url):
        return None
    try:
        _target(url)
    except FetchError:
        return None
    return without_credentials(url)


def is_public_address(address: str) -> bool:
    """Whether ``address`` is a public unicast address, judging IPv4 inside IPv6 by the IPv4."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.is_multicast:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public_address(str(embedded))
    return ip.is_global


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to: mapped, 6to4, NAT64 or IPv4-compatible."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _EMBEDDING_IPV4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def fetch(url: str, limits: FetchLimits | None = None) -> Page:
    """Fetch an HTML page, following redirects within ``limits``; raise ``FetchError``."""
    resource = fetch_resource(url, limits, {"Accept": "text/html"})
    if resource.status != 200:
        raise FetchError(f"{resource.url} answered {resource.status}")
    content_type = resource.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        raise FetchError(
            f"{resource.url} is not an HTML page ({content_type or 'no content type'})"
        )
    return Page(resource.url, _decode(resource.body, content_type, resource.url))


def fetch_resource(
    url: str, limits: FetchLimits | None = None, headers: Mapping[str, str] | None = None
) -> Resource:
    """Fetch ``url`` whatever its content type, sending ``headers`` besides our own.

    Every limit and the private-address rule apply as for ``fetch``. A 200 or, for a
    conditional request (``If-None-Match``, ``If-Modified-Since``), a 304 is an answer; any
    other final status is a ``FetchError``.
    """
    limits = limits or FetchLimits()
    deadline = _Deadline(limits.timeout)
    current = without_credentials(url)
    for _ in range(limits.max_redirects + 1):
        response = _request(current, limits, deadline, headers or {})
        location = response.headers.get("location")
        if response.status in _REDIRECTS and location:
            current = _redirect_target(current, location)
            continue
        if response.status not in (200, 304):
            raise FetchError(f"{current} answered {response.status}")
        return Resource(current, response.status, response.headers, response.body)
    raise FetchError(f"{current} redirects more than {limits.max_redirects} times")


def _redirect_target(url: str, location: str) -> str:
    try:
        return without_credentials(urljoin(url, location))
    except ValueError as exc:
        raise FetchError(f"{url} redirects to a malformed URL") from exc


def _target(url: str) -> _Target:
    """Parse and check ``url``; every way it can be malformed is a ``FetchError``."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError(f"{url} {_malformed(url)}") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"{url} is not an http or https URL")
    if not parts.hostname:
        raise FetchError(f"{url} has no host name")
    problem = _host_problem(parts.hostname)
    if problem:
        raise FetchError(f"{url} has a {problem}")
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_PATH_SAFE)
    return _Target(parts.scheme, parts.hostname, _port(url, parts), path)


def _port(url: str, parts: SplitResult) -> int:
    try:
        port = parts.port
    except ValueError:  # not a number, or over 65535
        port = 0
    if port == 0:
        raise FetchError(f"{url} has an invalid port (a number from 1 to 65535)")
    return port or (443 if parts.scheme == "https" else 80)


def _malformed(url: str) -> str:
    """Why ``urlsplit`` refused ``url``: in practice, its [IPv6] host."""
    if "[" in url or "]" in url:
        return "has a malformed [IPv6] address"
    return "is not a valid URL"


def _host_problem(host: str) -> str | None:
    """What makes ``host`` no possible DNS name (None for an IP address or a good name)."""
    try:
        ipaddress.ip_address(host.split("%")[0])
        return None
    except ValueError:
        pass
    name = host.removesuffix(".")
    labels = name.split(".")
    if not all(labels):
        return "host name with an empty label"
    if any(len(label) > 63 for label in labels):
        return "host name label longer than 63 characters"
    try:
        length = len(name.encode("idna"))
    except UnicodeError:
        return "host name that is not a valid international name"
    return "host name longer than 253 characters" if length > 253 else None


def _request(
    url: str, limits: FetchLimits, deadline: _Deadline, headers: Mapping[str, str]
) -> _Response:
    target = _target(url)
    try:
        address = _checked_address(target, limits.allow_private, deadline)
        response = _exchange(target, address, limits.max_bytes, deadline, headers)
    except TimeoutError as exc:
        raise FetchError(f"{url} timed out after {limits.timeout:g} s") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"{url} could not be fetched: {exc}") from exc
    if len(response.body) > limits.max_bytes:
        raise FetchError(f"{url} is larger than {limits.max_bytes:,} bytes")
    return response


def _exchange(
    target: _Target, address: str, max_bytes: int, deadline: _Deadline, headers: Mapping[str, str]
) -> _Response:
    """One GET to ``address``, reading at most one byte more than ``max_bytes`` of body."""
    connection = _connection(target, address, deadline)
    try:
        connection.request("GET", target.path, headers={"User-Agent": _USER_AGENT, **headers})
        response = connection.getresponse()
        body = response.read(max_bytes + 1)
    finally:
        connection.close()
    answered = {name.lower(): value for name, value in response.getheaders()}
    return _Response(response.status, answered, body)


def _checked_address(target: _Target, allow_private: bool, deadline: _Deadline) -> str:
    """Resolve the target's host and return an address that is safe to connect to."""
    try:
        addresses = _resolve(target.host, target.port, deadline)
    except socket.gaierror as exc:
        raise FetchError(f"{target.host} cannot be resolved") from exc
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise FetchError(
                    f"{target.host} points at a private, local or multicast address "
                    f"({address}); refused"
                )
    return addresses[0]


def _resolve(host: str, port: int, deadline: _Deadline) -> list[str]:
    """``getaddrinfo`` within the deadline: it has no timeout of its own, so it runs aside and
    is left to finish alone (within the system resolver's own limits) if the deadline passes."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fetch-resolve")
    try:
        return pool.submit(_addresses, host, port).result(timeout=deadline.remaining())
    finally:
        pool.shutdown(wait=False)


def _addresses(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class _Deadline:
    """The moment a fetch must be over; each wait on the network gets only what is left."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; ``TimeoutError`` once there are none."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the fetch deadline has passed")
        return left


class _DeadlineSocket(socket.socket):
    """A socket whose reads all end by the deadline, however slowly the bytes arrive."""

    deadline: _Deadline

    def recv_into(self, buffer: WriteableBuffer, nbytes: int = 0, flags: int = 0) -> int:
        self.settimeout(self.deadline.remaining())
        return super().recv_into(buffer, nbytes, flags)


class _DeadlineSSLSocket(ssl.SSLSocket):
    """The TLS twin of ``_DeadlineSocket`` (an ``SSLSocket`` reads through its own methods)."""

    deadline: _Deadline

    def recv_into(self, buffer: WriteableBuffer, nbytes: int | None = None, flags: int = 0) -> int:
        self.settimeout(self.deadline.remaining())
        return super().recv_into(buffer, nbytes, flags)


def _connection(target: _Target, address: str, deadline: _Deadline) -> http.client.HTTPConnection:
    """A connection to the checked ``address`` that still speaks to the host (Host header, TLS)."""
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target.host, address, target.port, deadline)
    return _PinnedHTTPConnection(target.host, address, target.port, deadline)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, deadline: _Deadline) -> None:
        super().__init__(host, port)
        self.address = address
        self.deadline = deadline

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.deadline.remaining())
        sock = _DeadlineSocket(raw.family, raw.type, raw.proto, fileno=raw.detach())
        sock.deadline = self.deadline
        sock.settimeout(self.deadline.remaining())  # for sending the request
        self.sock = sock


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, port: int, deadline: _Deadline) -> None:
        self.tls = ssl.create_default_context()
        self.tls.sslsocket_class = _DeadlineSSLSocket
        super().__init__(host, port, context=self.tls)
        self.address = address
        self.deadline = deadline

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.deadline.remaining())
        raw.settimeout(self.deadline.remaining())  # the handshake as a whole gets what is left
        sock = cast(_DeadlineSSLSocket, self.tls.wrap_socket(raw, server_hostname=self.host))
        sock.deadline = self.deadline
        self.sock = sock


def _decode(body: bytes, content_type: str, url: str) -> str:
    """The page's text in the character set it declares (UTF-8 when it declares none)."""
    declared = _charset(content_type)
    codec = _text_codec(declared)
    if codec is None:
        raise FetchError(f"{url} declares an unknown character set '{declared}'")
    return body.decode(codec, errors="replace")


def _text_codec(name: str) -> str | None:
    """The codec for character set ``name``, or None when Python has none that decodes bytes
    to text as a character set does (``rot13`` and ``base64`` are codecs, not charsets)."""
    try:
        codec = codecs.lookup(name).name
        b"a".decode(codec, errors="replace")  # LookupError when it is no text encoding
    except (LookupError, UnicodeError):
        return None
    return None if codec in _NOT_CHARSETS else codec


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return "utf-8"
