"""Removal detection at the end of a crawl, per completely crawled portal.

When the spider runs out of work, every report of a portal whose list pages
were all read (a full walk: none failed, paging did not stop early, see
crawler/revisit.py) but which this run did not reach from them is requested
once more, without following redirects.  Whether each portal's lists were
walked completely is recorded in ``crawl_run_portals.lists_complete`` (the
revisit policy's next full walk is due the bound after the last complete one).  A 404/410, or a redirect to another
page, marks it removed (``archive.history.mark_removed``); any other answer
leaves it as it is: unlisted but still served is not removed, and a network
error or a challenge/block page (crawler/blocking.py) proves nothing.  A portal
that answered any request with a block page is not checked at all.  The exchanges go through the downloader like any
other, so the WARC holds the 404 as evidence.

Then the change rows a killed earlier run may have left unwritten are caught
up (``archive.history.sync_changes``).
"""

from __future__ import annotations

import logging
from typing import cast

import sqlite_utils
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from twisted.python.failure import Failure

from nianbao.archive import history, runs
from nianbao.archive.db import open_archive
from nianbao.crawler.blocking import block_reason
from nianbao.crawler.spiders.portal import PortalSpider, failed_request

META_REPORT = "nianbao_removal_check"
logger = logging.getLogger(__name__)


class RemovalCheckExtension:
    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.started = False
        self.db: sqlite_utils.Database | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RemovalCheckExtension:
        db_path = crawler.settings.get("NIANBAO_DB")
        if not db_path:
            raise NotConfigured
        extension = cls(crawler, db_path)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_idle(self) -> None:
        """Once, when the crawl proper is done: schedule one check per unlisted report."""
        spider = cast(PortalSpider, self.crawler.spider)
        run_id = getattr(spider, "run_id", None)
        if self.started or run_id is None:
            return
        self.started = True
        self.db = db = open_archive(self.db_path)
        for portal in spider.portals:
            runs.set_lists_complete(db, run_id, portal.id, spider.lists_complete(portal.id))
        checks = [
            Request(url, callback=self.answered, errback=self.unreachable, dont_filter=True,
                    meta={META_REPORT: report_id, "dont_redirect": True, "handle_httpstatus_all": True})
            for portal_id in completely_crawled(spider)
            for report_id, url in history.unlisted_reports(db, run_id, portal_id)
        ]
        for request in checks:
            self.crawler.engine.crawl(request)
        if checks:
            spider.logger.info("checking %d reports no longer listed", len(checks))
            raise DontCloseSpider

    def answered(self, response: Response) -> None:
        reason = block_reason(response.status, response.body, (response.headers.get("Content-Type") or b"").decode("latin-1"))
        if reason:  # a challenge page says nothing about the report
            logger.warning("removal check blocked, report kept: %s (%s)", response.url, reason)
            return
        location = response.headers.get("Location")
        target = response.urljoin(location.decode("latin-1")) if location else None
        if history.is_gone(response.status, response.url, target):
            evidence = f"{response.url} answered {response.status}" + (f" → {target}" if target else "")
            spider = cast(PortalSpider, self.crawler.spider)
            assert self.db is not None  # opened when the checks were scheduled
            history.mark_removed(self.db, response.meta[META_REPORT], spider.run_id, evidence)

    def unreachable(self, failure: Failure) -> None:
        logger.warning("removal check failed, report kept: %s (%s)",
                                           failed_request(failure).url, failure.getErrorMessage())

    def spider_closed(self) -> None:
        db = self.db or open_archive(self.db_path)
        history.sync_changes(db, getattr(self.crawler.spider, "run_id", None))
        db.close()


def completely_crawled(spider: PortalSpider) -> list[str]:
    """Portals whose list pages were all read, none failed and none was a block page: only there does
    'not listed' mean something."""
    return [p.id for p in spider.portals if spider.lists_complete(p.id)]
