"""Raw captures: every HTTP exchange of a crawl written to a WARC file (warcio).

A downloader middleware placed next to the downloader (priority 950) sees each
request with all headers the other middlewares added and each response as the
server sent it — before decompression, redirects or retries — so the WARC is
the evidence of what a portal served and when.  Each exchange becomes a
request record and a response record (gzip per record, ``WARC-Concurrent-To``
linking them).  The response record's id and the file are left in
``request.meta`` (``warc_file``, ``warc_record_id``) for the spider to put on
its :class:`archive.capture.Capture`.

One file per crawl run and portal: ``<dir>/<run_id>-<portal>-<UTC time>.warc.gz``
where ``<dir>`` is ``NIANBAO_WARC_DIR`` or ``warc/`` beside the database
(``NIANBAO_DB``).  Twisted keeps connection-control headers (Content-Length,
Transfer-Encoding, Connection) to itself, so the stored response headers lack
them and the stored body is de-chunked: exactly what replay tools expect.  Records are flushed after each exchange so a killed crawl
leaves a file that is valid up to its last exchange.
"""

from __future__ import annotations

import http
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import WARCWriter

from nianbao import __version__
from nianbao.crawler.writer import crawl_writer, in_reactor

MAX_BACKLOG = 64 * 1024 * 1024  # bytes of exchanges waiting to be written before responses wait for the disk
_Message = tuple[str, bytes, StatusAndHeaders]  # URL, body, HTTP headers of one side of an exchange
META_FILE = "warc_file"
META_RECORD_ID = "warc_record_id"


def warc_dir(settings: BaseSettings) -> Path:
    """Where WARC files go: ``NIANBAO_WARC_DIR``, else ``warc/`` beside the database."""
    configured = settings.get("NIANBAO_WARC_DIR")
    if configured:
        return Path(configured)
    return Path(settings.get("NIANBAO_DB", "nianbao.db")).resolve().parent / "warc"


def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    pairs = []
    for name, values in headers.items():
        text_name = name.decode("latin-1")
        for value in values:
            pairs.append((text_name, value.decode("latin-1")))
    return pairs


def _request_line(request: Request) -> str:
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return f"{request.method} {target} HTTP/1.1"


def _request_headers(request: Request) -> list[tuple[str, str]]:
    pairs = _header_pairs(request.headers)
    if not any(name.lower() == "host" for name, _ in pairs):
        pairs.insert(0, ("Host", urlsplit(request.url).netloc))
    return pairs


def _status_line(status: int) -> str:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return f"{status} {reason}".strip()


class WarcWriterMiddleware:
    """Downloader middleware writing each request/response pair to the crawl's WARC file."""

    def __init__(self, crawler: Crawler, directory: Path, run_id: str | None = None, db_path: str | None = None):
        self.crawler = crawler
        self.directory = directory
        self.run_id = run_id
        self.db_dir = Path(db_path).resolve().parent if db_path else None
        self.path: Path | None = None
        self._file: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self.thread = crawl_writer(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcWriterMiddleware:
        settings = crawler.settings
        middleware = cls(crawler, warc_dir(settings), settings.get("NIANBAO_RUN_ID"), settings.get("NIANBAO_DB"))
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    async def process_response(self, request: Request, response: Response) -> Response:
        """Queue the exchange for the writer thread; its record id goes in ``request.meta`` at once."""
        if "cached" in response.flags:  # from the HTTP cache (crawler/cache.py): no exchange took place
            return response
        assert self.crawler.spider is not None  # responses come only while a spider runs
        writer = self._open(self.crawler.spider)
        record_id = StatusAndHeadersParser.make_warc_id()
        sent = (request.url, request.body,
                StatusAndHeaders(_request_line(request), _request_headers(request), is_http_request=True))
        received = (response.url, response.body, StatusAndHeaders(
            _status_line(response.status), _header_pairs(response.headers), protocol="HTTP/1.1"))
        ids = {"WARC-Record-ID": record_id, "WARC-Date": writer.curr_warc_date()}
        written = self.thread.submit_unawaited(self._write, writer, sent, received, ids,
                                              size=len(request.body) + len(response.body))
        if self.thread.backlog() > MAX_BACKLOG:  # the disk is slower than the network: wait for it
            await maybe_deferred_to_future(in_reactor(written))
        request.meta[META_FILE] = self.stored_name
        request.meta[META_RECORD_ID] = record_id
        return response

    def _write(self, writer: WARCWriter, sent: _Message, received: _Message, ids: dict[str, str]) -> None:
        """In the writer thread: the request and response records (digests, gzip), then a flush."""
        (request_url, request_body, request_http), (response_url, response_body, response_http) = sent, received
        request_record = writer.create_warc_record(request_url, "request", payload=BytesIO(request_body),
                                                   http_headers=request_http)
        response_record = writer.create_warc_record(response_url, "response", payload=BytesIO(response_body),
                                                    warc_headers_dict=ids, http_headers=response_http)
        writer.write_request_response_pair(request_record, response_record)
        writer.out.flush()

    @property
    def stored_name(self) -> str:
        """The file as recorded in the archive: relative to the database's folder when inside it."""
        assert self.path is not None
        if self.db_dir and self.path.is_relative_to(self.db_dir):
            return str(self.path.relative_to(self.db_dir))
        return str(self.path)

    def _open(self, spider: Spider) -> WARCWriter:
        """Open the run's file at the first exchange, when the spider knows its run id."""
        if self._writer is not None:
            return self._writer
        run_id = getattr(spider, "run_id", None) or self.run_id or "run"
        portal = getattr(spider, "portal_id", None) or spider.name
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / f"{run_id}-{portal}-{stamp}.warc.gz"
        self._file = open(self.path, "wb")  # noqa: SIM115 (open for the whole run)
        self._writer = WARCWriter(self._file, gzip=True)
        info = {"software": f"nianbao/{__version__} (Scrapy)", "format": "WARC File Format 1.1",
                "isPartOf": f"run {run_id}", "description": f"crawl of portal {portal}"}
        self._writer.write_record(self._writer.create_warcinfo_record(self.path.name, info))
        return self._writer

    def close(self, spider: Spider) -> None:
        """Close the file after the records still queued (a job of the writer thread too)."""
        if self._file is not None:
            self.thread.submit_unawaited(self._file.close)
            self._file = None
            self._writer = None
