"""SQLite limits for the site's connections, so a statement that builds a huge value fails at once.

The site runs any read-only SQL a visitor sends.  ``select length(randomblob(900000000))`` used to
allocate 2 GB and be answered, and three at once stalled every page for 20 s.  Now every connection
Datasette opens (its worker threads open their own) refuses any string or blob longer than
``LENGTH_LIMIT`` ("string or blob too big"), and ``nianbao serve`` caps SQLite's memory for the whole
process (``HEAP_LIMIT``), so many medium values at once fail with "out of memory" instead of growing
the server.  Either is answered as a 400 with a plain explanation.

The stored documents are the one thing larger than that: ``/raw/<sha256>`` reads one with the limit
raised to the largest file the crawler downloads (:func:`longer_values`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response

from nianbao.crawler.settings import DOWNLOAD_MAXSIZE

LENGTH_LIMIT = 32 * 2**20  # a report's text is well under 2 MB
SQL_LENGTH_LIMIT = 100_000  # characters of SQL in one statement
HEAP_LIMIT = 256 * 2**20  # all SQLite allocations of the serving process together
DOCUMENT_LENGTH_LIMIT = DOWNLOAD_MAXSIZE
TOO_BIG = ("这个查询需要的内存超过本站的上限，请缩小查询范围。 "
           "This query needs more memory than the site allows: a value longer than {length} MiB, or more "
           "than {heap} MiB in all. Ask for fewer or smaller values.")
BUSY = ("本站正忙，此页面的查询超过了时间上限，请稍后再试。 "
        "The site is busy: this page's queries ran past the time limit. Please try again in a moment.")


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LENGTH_LIMIT)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, SQL_LENGTH_LIMIT)


def cap_sqlite_heap(limit: int = HEAP_LIMIT) -> None:
    """Cap the memory SQLite may hold in this process (all connections); for the serving process only."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"PRAGMA hard_heap_limit = {int(limit)}")
    finally:
        conn.close()


@contextmanager
def longer_values(conn: sqlite3.Connection, limit: int = DOCUMENT_LENGTH_LIMIT) -> Iterator[sqlite3.Connection]:
    """Let ``conn`` read values up to ``limit`` bytes for the duration of the block."""
    previous = conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)
    try:
        yield conn
    finally:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, previous)


def is_too_big(exception: BaseException) -> bool:
    """A statement stopped by the limits: a value over LENGTH_LIMIT, or SQLite's heap cap reached."""
    if isinstance(exception, MemoryError):
        return True
    return isinstance(exception, sqlite3.DataError) and "too big" in str(exception)


@hookimpl
def handle_exception(datasette, request, exception):
    if is_too_big(exception):
        message = TOO_BIG.format(length=LENGTH_LIMIT // 2**20, heap=HEAP_LIMIT // 2**20)
        return _error_page(datasette, request, 400, "查询过大 Query too large", message)
    if isinstance(exception, QueryInterrupted):  # the time limit, in one of the site's own pages
        return _error_page(datasette, request, 503, "稍后再试 Busy", BUSY, {"Retry-After": "10"})
    return None


def _error_page(datasette, request, status: int, title: str, message: str, headers: dict | None = None):
    async def inner() -> Response:
        if request.path.endswith((".json", ".atom")):
            return Response.json({"ok": False, "error": message, "status": status}, status=status, headers=headers)
        context = {"ok": False, "error": message, "status": status, "title": title}
        page = await datasette.render_template("error.html", context, request=request)
        return Response.html(page, status=status, headers=headers)

    return inner
