"""Conditional requests: don't download again what the archive already holds.

For a URL the archive has fetched before with a validator (``ETag`` or
``Last-Modified`` in the ``fetches`` table), the request carries
``If-None-Match`` / ``If-Modified-Since``.  The ``fetches`` table logs only
article and attachment exchanges, so list pages never get validators and
are always fetched in full.

A ``304 Not Modified`` reaches the spider with status 304 (so its capture is
``not_modified``) and, as its body, the bytes the archive stored at the last
fetch: the spider still finds the article's attachment links in it, and the
WARC (written nearer the downloader) keeps the real, empty 304.

``NIANBAO_REVALIDATE = True`` (``nianbao crawl --revalidate``) sends no
validators: every document is downloaded again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

META_STORED = "nianbao_stored_sha256"  # the archived document a 304 stands for


class ConditionalRequestMiddleware:
    """Downloader middleware adding validators from the archive and filling 304s with the stored bytes."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self._conn: sqlite3.Connection | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        settings = crawler.settings
        if not settings.get("NIANBAO_DB") or settings.getbool("NIANBAO_REVALIDATE"):
            raise NotConfigured
        return cls(settings.get("NIANBAO_DB"))

    def process_request(self, request: Request) -> None:
        if request.method != "GET" or META_STORED in request.meta:
            return
        last = self._last_fetch(request.url)
        if last is None:
            return
        sha, etag, last_modified = last
        if etag:
            request.headers["If-None-Match"] = etag
        if last_modified:
            request.headers["If-Modified-Since"] = last_modified
        request.meta[META_STORED] = sha
        request.meta["handle_httpstatus_list"] = [*request.meta.get("handle_httpstatus_list", []), 304]

    def process_response(self, request: Request, response: Response) -> Response:
        sha = request.meta.get(META_STORED)
        if response.status != 304 or not sha:
            return response
        stored = self._document(sha)
        return response.replace(body=stored) if stored is not None else response

    def _db(self) -> sqlite3.Connection | None:
        """A read-only connection, opened once the archive exists (a first crawl creates it)."""
        if self._conn is None and Path(self.db_path).exists():
            self._conn = sqlite3.connect(f"file:{Path(self.db_path).resolve()}?mode=ro", uri=True, timeout=30)
        return self._conn

    def _last_fetch(self, url: str) -> tuple[str, str | None, str | None] | None:
        db = self._db()
        if db is None:
            return None
        try:
            return db.execute(
                "select sha256, etag, last_modified from fetches "
                "where url = ? and sha256 is not null and (etag is not null or last_modified is not null) "
                "order by id desc limit 1",
                [url],
            ).fetchone()
        except sqlite3.OperationalError:  # an archive without a fetches table yet
            return None

    def _document(self, sha: str) -> bytes | None:
        db = self._db()
        row = db.execute("select content from documents where sha256 = ?", [sha]).fetchone() if db else None
        return bytes(row[0]) if row else None
