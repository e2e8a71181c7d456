"""URLs with credentials never keep them; no text makes URL checking raise anything unexpected."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from index.ingest.fetch import web_url, without_credentials

_scheme = st.sampled_from(["http", "https", "HTTP", "ftp"])
_host = st.from_regex(r"[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,3}", fullmatch=True)
_port = st.sampled_from(["", ":8080", ":1"])
_path = st.from_regex(r"(/[A-Za-z0-9._~%-]{0,8}){0,4}(\?[a-z=&]{0,8})?", fullmatch=True)
#: Anything but the characters that end a URL's authority, "@" and ":" included.
_userinfo = st.text(
    alphabet=st.characters(blacklist_characters="/?#\\", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=20,
)


def _authority(url: str) -> str:
    match = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)", url)
    assert match is not None
    return match[1]


@given(scheme=_scheme, userinfo=_userinfo, host=_host, port=_port, path=_path)
@example(scheme="http", userinfo="user:pa@ss[", host="h", port="", path="/x")
@example(scheme="http", userinfo="u\tser:\n", host="h", port=":1", path="")
def test_a_url_with_credentials_never_keeps_them(
    scheme: str, userinfo: str, host: str, port: str, path: str
) -> None:
    cleaned = without_credentials(f"{scheme}://{userinfo}@{host}{port}{path}")
    assert "@" not in _authority(cleaned)
    assert urlsplit(cleaned).hostname == host
    assert cleaned.endswith(path)
    assert without_credentials(cleaned) == cleaned


@given(scheme=_scheme, host=_host, port=_port, path=_path)
def test_a_url_without_credentials_is_left_alone(
    scheme: str, host: str, port: str, path: str
) -> None:
    url = f"{scheme}://{host}{port}{path}"
    assert without_credentials(url) == url


@given(text=st.one_of(st.text(), st.builds("http://{}".format, st.text())))
@example(text="http://[::1/")
@example(text="http://h:99999/")
@example(text="http://u:p@" + "a" * 64 + ".example/")
def test_checking_any_text_as_a_url_never_raises(text: str) -> None:
    link = web_url(text)
    assert link is None or "@" not in _authority(link)
