"""Item pipelines: hand each ReportCapture to the archive (and optionally log a summary line).

The archive is opened when the spider opens (starting a crawl run whose id the spider and the
WARC writer share), every capture's documents are parsed in a :class:`~nianbao.parsers.pool.ParsePool`
(worker processes: Scrapy goes on downloading while they parse, and a file that kills its worker is an
error on that document), then the capture is ingested in the crawl's writer thread
(``crawler/writer.py``: the archive's one writer, off Scrapy's reactor, many reports per
transaction; the pipeline awaits each report's commit).  When the spider closes
the run's per-portal counts (list pages read, list pages failed) are written and the run is
finished, with each portal's outcome (ok / blocked / suspect / failed, ``crawler.health``), and the
run's new versions are indexed for search (``nianbao publish`` then has little left to index).  Reports
no longer listed are checked by ``crawler.removals``, not here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import sys
from dataclasses import asdict
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import sqlite_utils
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from nianbao.archive.capture import Capture, ListedReport, ReportCapture
from nianbao.archive.ingest import IngestResult
from nianbao.crawler.health import portal_outcome
from nianbao.crawler.registry import Portal
from nianbao.crawler.scope import link_refused
from nianbao.crawler.writer import crawl_writer, in_reactor
from nianbao.parsers.model import ParseResult
from nianbao.parsers.pool import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, ParsePool

if TYPE_CHECKING:
    from nianbao.crawler.spiders.portal import PortalSpider

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Ingests captures into the archive at ``NIANBAO_DB``."""

    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        db_path = crawler.settings.get("NIANBAO_DB")
        if not db_path:
            raise NotConfigured("no NIANBAO_DB: captures are not archived")
        pipeline = cls(crawler, db_path)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.link_refused, signal=link_refused)
        return pipeline

    def open_spider(self) -> None:
        spider = cast("PortalSpider", self.crawler.spider)
        self.pool = parse_pool(self.crawler.settings)
        self.writer = crawl_writer(self.crawler)
        self.writer.attach_archive(self.db_path)
        self.run_id = self.writer.submit(self._start_run, spider.portals).result()
        spider.run_id = self.run_id
        self.crawler.stats.set_value("nianbao/run_id", self.run_id)  # tells `nianbao crawl` which run to report

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ReportCapture):
            to_parse = await self.writer.run(self._documents_to_parse, item)
            futures = [self.pool.submit(data, path) for data, path in to_parse]
            parsed = [await maybe_deferred_to_future(in_reactor(future)) for future in futures]
            result = await self.writer.run(self._ingest, item, parsed)
            if self.crawler.settings.getbool("NIANBAO_PROGRESS"):
                print_progress(item, result)
        elif isinstance(item, ListedReport):
            await self.writer.run(self._record_listing, item)
        return item

    # Jobs of the writer thread (they use self.writer.db, which only that thread may touch).

    def _start_run(self, portals: list[Portal]) -> int:
        from nianbao.archive import runs

        run_id = runs.start_run(self._db)
        for portal in portals:
            region = portal.region
            runs.upsert_portal(self._db, id=portal.id, name=portal.name, province=region.province, city=region.city,
                               county=region.county, region_code=region.code, level=portal.level,
                               base_url=portal.start_urls[0])
        return run_id

    def _documents_to_parse(self, item: ReportCapture) -> list[tuple[bytes, str]]:
        from nianbao.archive.ingest import documents_to_parse

        return documents_to_parse(self._db, item)

    def _ingest(self, item: ReportCapture, parsed: list[ParseResult]) -> IngestResult:
        from nianbao.archive.history import sync_changes
        from nianbao.archive.ingest import ingest_report

        result = ingest_report(self._db, item, run_id=self.run_id, parsed={r.sha256: r for r in parsed})
        if result.report_id is not None:
            sync_changes(self._db, self.run_id, result.report_id)  # new/edited/restored → a changes row
        return result

    def _record_listing(self, item: ListedReport) -> None:
        from nianbao.archive import runs

        runs.record_listing(self._db, self.run_id, item)

    @property
    def _db(self) -> sqlite_utils.Database:
        assert self.writer.db is not None  # attached in open_spider
        return self.writer.db

    def link_refused(self, url: str, reason: str, kind: str, found_on: str | None, portal_id: str | None) -> None:
        """A link the crawl would not fetch (crawler/scope.py): one ``refused_links`` row of this run."""
        from nianbao.archive.runs import utc_now

        if not hasattr(self, "run_id"):
            return
        row = {"run_id": self.run_id, "portal_id": portal_id, "url": url, "kind": kind, "reason": reason,
               "found_on": found_on, "at": utc_now()}
        self.writer.submit_unawaited(lambda: self._db.table("refused_links").insert(row))

    async def close_spider(self) -> None:
        spider = cast("PortalSpider", self.crawler.spider)
        await self.writer.run(self._count_portals, spider)

    def _count_portals(self, spider: PortalSpider) -> None:
        from nianbao.archive import runs

        for portal in spider.portals:
            failures = spider.list_failures.get(portal.id, [])
            blocked = spider.blocked.get(portal.id, [])
            runs.count(
                self._db,
                self.run_id,
                portal.id,
                error="\n".join([*(f"blocked: {b}" for b in blocked), *failures]) or None,
                pages=spider.pages[portal.id],
                errors=len(failures) + len(blocked),
            )
            links = spider.report_links[portal.id]
            outcome = portal_outcome(spider.pages[portal.id], failures, blocked, links,
                                     runs.last_good_links(self._db, portal.id, self.run_id))
            runs.set_outcome(self._db, self.run_id, portal.id, outcome.outcome, outcome.reason, links)

    async def spider_closed(self, reason: str) -> None:
        """Close the run once Scrapy says why it stopped: only a crawl that ran out of work is 'finished'.

        A crawl stopped by SIGTERM (systemd's time limit, a Scrapyd cancel) closes gracefully
        with reason 'shutdown' or 'cancelled'; it is recorded as 'interrupted', like a killed one.
        """
        from nianbao.archive import runs

        if hasattr(self, "pool"):
            self.pool.close()
        if not hasattr(self, "run_id"):  # the archive never opened: nothing to close
            return
        status = "finished" if reason == "finished" else "interrupted"
        await self.writer.run(lambda: runs.finish_run(self._db, self.run_id, status=status))
        # on a connection of its own, outside the writer's batched transactions (indexing commits its own)
        await maybe_deferred_to_future(deferToThread(index_for_search, self.db_path))


def index_for_search(db_path: str) -> None:
    """Index the run's new versions for search now, so ``nianbao publish`` indexes only what others wrote
    since; when another writer holds the archive too long, the next publish indexes them instead."""
    from nianbao.archive.db import open_archive
    from nianbao.archive.search import sync_search_index

    db = open_archive(db_path)
    try:
        logger.info("search index: %d versions indexed", sync_search_index(db))
    except sqlite3.OperationalError as error:
        logger.warning("search index not brought up to date (the next publish does it): %s", error)
    finally:
        db.close()


def parse_pool(settings: Settings) -> ParsePool:
    """The pool of ``NIANBAO_PARSE_WORKERS`` (default: one per core; 0 parses inline, in the crawl's process)."""
    workers = settings.get("NIANBAO_PARSE_WORKERS")
    return ParsePool(
        workers=None if workers in (None, "") else int(workers),
        memory_mb=settings.getint("NIANBAO_PARSE_MEMORY_MB", DEFAULT_MEMORY_MB),
        timeout=settings.getfloat("NIANBAO_PARSE_TIMEOUT", DEFAULT_TIMEOUT_SECONDS),
    )


def print_progress(capture: ReportCapture, result: IngestResult) -> None:
    """One line per archived report on stderr, for people watching a crawl (``nianbao crawl --progress``)."""
    version = f" v{result.version_no}" if result.version_no else ""
    problems = f"  ({'; '.join(result.errors)[:120]})" if result.errors else ""
    title = capture.title or capture.article.url
    sys.stderr.write(f"  {capture.portal_id:13} {result.outcome:9} {title}{version}{problems}\n")
    sys.stderr.flush()


class CaptureLogPipeline:
    """Writes one JSON line per capture to ``NIANBAO_CAPTURE_LOG``: what was fetched, not the bytes.

    With ``NIANBAO_CAPTURE_BLOBS`` (a folder) the bytes are written too, one file per sha256: a
    cluster's crawl node uploads the log and these files instead of writing the archive.
    """

    def __init__(self, path: str, blobs: str | None = None) -> None:
        self.path = path
        self.blobs = Path(blobs) if blobs else None
        self.file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureLogPipeline:
        path = crawler.settings.get("NIANBAO_CAPTURE_LOG")
        if not path:
            raise NotConfigured
        return cls(path, crawler.settings.get("NIANBAO_CAPTURE_BLOBS"))

    def open_spider(self) -> None:
        self.file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (open for the whole crawl)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ReportCapture) and self.file:
            line = {
                **{k: v for k, v in asdict(item).items() if k not in ("article", "attachments")},
                "article": capture_summary(item.article),
                "attachments": [capture_summary(a) for a in item.attachments],
            }
            if self.blobs:
                for capture, summary in zip([item.article, *item.attachments], [line["article"], *line["attachments"]]):
                    self._keep(capture.body, summary["sha256"])
            self.file.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.file.flush()
        return item

    def _keep(self, body: bytes, sha256: str) -> None:
        assert self.blobs is not None
        self.blobs.mkdir(parents=True, exist_ok=True)
        target = self.blobs / sha256
        if body and not target.exists():
            target.write_bytes(body)

    def close_spider(self) -> None:
        if self.file:
            self.file.close()


def capture_summary(capture: Capture) -> dict[str, Any]:
    summary = {k: v for k, v in asdict(capture).items() if k != "body"}
    summary["size"] = len(capture.body)
    summary["sha256"] = hashlib.sha256(capture.body).hexdigest()
    return summary
