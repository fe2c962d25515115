"""Numbers and links taken from requests and rows, checked before they reach SQL or a page.

A URL can say anything: ``/report/99999999999999999999999`` overflows SQLite's INTEGER, ``'²'.isdigit()``
is True but ``int('²')`` fails, ``javascript:`` is a URL too.  Each is "no such thing" (404) or "bad
request" (400), never a 500, and only http(s) addresses become live links.
"""

from __future__ import annotations

import re
import urllib.parse

from datasette.utils.asgi import BadRequest

MAX_SQLITE_INTEGER = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
ID = "[0-9]+"  # for route patterns: Python's \d also matches '١' and '１'


def parse_id(text: str | None) -> int | None:
    """A non-negative integer written in ASCII digits that fits SQLite's INTEGER, else None."""
    if text is None or not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= MAX_SQLITE_INTEGER else None


def page_number(text: str | None, last: int) -> int:
    """``?page=``: 1 when absent, else a number from 1 to ``last``; anything else is a bad request."""
    if text is None or text == "":
        return 1
    page = parse_id(text)
    if page is None or not 1 <= page <= last:
        raise BadRequest(f"page must be a number from 1 to {last}")
    return page


def web_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) address a browser can open, else None (``javascript:``, ``data:``, ``file:``…)."""
    if not url:
        return None
    parts = urllib.parse.urlsplit(url.strip())
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None
