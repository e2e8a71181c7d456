"""Links that open an article at a quote: URL Fragment Text Directives (``#:~:text=``).

Per the WICG spec a directive is ``text=[prefix-,]start[,end][,-suffix]``, each part
percent-encoded, with ``-``, ``&`` and ``,`` encoded too because they delimit the parts. Short
quotes are matched whole; long ones by their first and last words (``start,end``), which keeps
links short and still highlights the whole quote in Chromium-based browsers and Safari.
"""

from __future__ import annotations

from urllib.parse import quote as percent_encode

#: Quotes up to this many characters are matched whole; longer ones by start and end words.
WHOLE_QUOTE_CHARS = 80
#: Words taken from each end of a long quote.
EDGE_WORDS = 5


def text_fragment_link(url: str | None, quote: str) -> str | None:
    """``url`` with a text directive that scrolls to and highlights ``quote``, or None."""
    if not url:
        return None
    words = quote.split()
    if not words:
        return url
    base = url.split("#", 1)[0]
    if len(quote) <= WHOLE_QUOTE_CHARS or len(words) <= 2 * EDGE_WORDS:
        directive = _encode(" ".join(words))
    else:
        start = " ".join(words[:EDGE_WORDS])
        end = " ".join(words[-EDGE_WORDS:])
        directive = f"{_encode(start)},{_encode(end)}"
    return f"{base}#:~:text={directive}"


def _encode(text: str) -> str:
    return percent_encode(text, safe="").replace("-", "%2D")
