"""The generic spider: walks each portal's 年报 column and captures every report with its attachments.

For each portal of the registry its CMS family (crawler/families/) says which list requests to make
(HTML pages, XHR answers), which links of an answer are reports, further pages or sub-columns, and
how an article's metadata and attachments are read.  Which reports are requested, and how deep a
column is paged, is the revisit policy's (crawler/revisit.py): outside a full walk the further
pages of a list are read one after another, and paging stops at the first page whose report links
are all known.  For each report article the spider builds one
:class:`archive.capture.ReportCapture`: the article page as fetched, its metadata block and
breadcrumb, and every attachment (fetched one after another through ``cb_kwargs``; a failed
attachment is recorded with its status and error, and the report is still yielded).  A challenge or
block page (crawler/blocking.py) is never read: the portal is recorded as blocked.  Each portal
keeps its own cookie jar.

``scrapy crawl portal`` crawls every portal; ``-a portal=nxzw,gongyi`` only those.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from nianbao.archive.capture import Capture, ListedReport, ReportCapture
from nianbao.crawler.blocking import block_reason
from nianbao.crawler.failures import RedirectLoop
from nianbao.crawler.families.base import Listing
from nianbao.crawler.registry import Portal, select_portals
from nianbao.crawler.revisit import RevisitPolicy
from nianbao.crawler.scope import LinkRefused
from nianbao.crawler.warc import META_FILE, META_RECORD_ID

META_LIST = "nianbao_list"  # a list request (HTTP-cached and revalidated: crawler/cache.py)
META_MORE_PAGES = "nianbao_more_pages"  # further pages of the same list, to read after this one


class PortalSpider(scrapy.Spider):
    name = "portal"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        kwargs.setdefault("registry", crawler.settings.get("NIANBAO_REGISTRY"))
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.revisits = RevisitPolicy.from_settings(crawler.settings)
        return spider

    def __init__(self, portal: str | None = None, registry: str | None = None, **kwargs: Any) -> None:
        """``portal``: comma-separated ids (default all); ``registry``: a registry file (default the production one)."""
        super().__init__(**kwargs)
        ids = [p for p in (portal or "").split(",") if p]
        self.portals = select_portals(ids, registry)
        self.portal_id = "+".join(ids) or "all"  # names the run's WARC file
        self.run_id: int | None = None  # set by the archive pipeline when it starts the run
        # Per portal: list pages read, list pages that failed (a portal with failures was not crawled
        # completely, so its missing reports must not be taken as removed).
        self.pages: Counter[str] = Counter()
        self.list_failures: dict[str, list[str]] = defaultdict(list)
        # Per portal: report links the lists gave, and answers that were challenge/block pages.
        self.report_links: Counter[str] = Counter()
        self.blocked: dict[str, list[str]] = defaultdict(list)
        # Per portal: list pages where paging stopped (all their reports known): the walk was not complete.
        self.paging_stopped: dict[str, list[str]] = defaultdict(list)
        self.revisits = RevisitPolicy(None, 0)  # set from the settings by from_crawler: which reports to request

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for portal in self.portals:
            for request in portal.family.start_requests(portal):
                yield self._list_request(request, portal)

    def _list_request(self, request: scrapy.Request, portal: Portal, more: list[scrapy.Request] | None = None
                      ) -> scrapy.Request:
        return request.replace(callback=self.parse_list, errback=self.list_failed, cb_kwargs={"portal": portal},
                               meta={**request.meta, "cookiejar": portal.id, META_LIST: True,
                                     META_MORE_PAGES: more or []})

    def lists_complete(self, portal_id: str) -> bool | None:
        """True: every list page of the portal was read in this crawl (only then does 'not listed' mean
        something); False: paging stopped early by the revisit policy; None: a list page failed or was
        blocked, or none was read."""
        if not self.pages.get(portal_id) or self.list_failures.get(portal_id) or self.blocked.get(portal_id):
            return None
        return not self.paging_stopped.get(portal_id)

    def parse_list(self, response: Response, portal: Portal) -> Iterator[scrapy.Request | ListedReport]:
        if self._blocked(response, portal):
            return
        self.pages[portal.id] += 1
        listing = portal.family.read_list(response, portal)
        self.report_links[portal.id] += len(listing.reports)
        for link in listing.skipped:
            self.crawler.stats.inc_value("nianbao/skipped_articles")
            self.logger.debug("skipped (not a report title): %s %s", link.title, link.url)
        for link in listing.reports:
            listed = self.revisits.not_due(portal.id, link.url, response.url, link.title)
            if listed:  # a known report, not due for a revisit: noted, not requested
                self.crawler.stats.inc_value("nianbao/reports_not_due")
                yield listed
                continue
            yield scrapy.Request(
                link.url,
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={"portal": portal, "listing_url": response.url, "title": link.title},
                meta={"cookiejar": portal.id},
            )
        for request in listing.requests:
            yield self._list_request(request, portal)
        yield from self._further_pages(response, portal, listing)

    def _further_pages(self, response: Response, portal: Portal, listing: Listing) -> Iterator[scrapy.Request]:
        """A full walk reads every further page at once; otherwise one at a time while each shows
        something new (newest first: past a page of known reports lie only older ones)."""
        pending = listing.pages + response.meta.get(META_MORE_PAGES, [])
        if not pending:
            return
        if self.revisits.full_walk(portal.id):
            yield from (self._list_request(request, portal) for request in pending)
        elif listing.reports and all(self.revisits.known(portal.id, link.url) for link in listing.reports):
            self.paging_stopped[portal.id].append(response.url)
            self.crawler.stats.inc_value("nianbao/paging_stopped")
        else:
            yield self._list_request(pending[0], portal, more=pending[1:])

    def _blocked(self, response: Response, portal: Portal) -> bool:
        """A challenge or block page instead of the portal's own: record why, read nothing from it."""
        reason = block_reason(response.status, response.body, (response.headers.get("Content-Type") or b"").decode("latin-1"))
        if reason:
            self.blocked[portal.id].append(f"{response.url}: {reason}")
            self.logger.warning("blocked: %s %s (%s)", portal.id, response.url, reason)
        return bool(reason)

    def _portal(self, capture: ReportCapture) -> Portal:
        return next(p for p in self.portals if p.id == capture.portal_id)

    def list_failed(self, failure: Failure) -> None:
        portal: Portal = failed_request(failure).cb_kwargs["portal"]
        if failure.check(HttpError) and self._blocked(failure.value.response, portal):
            return
        self.list_failures[portal.id].append(f"{failed_request(failure).url}: {failure_reason(failure)}")
        self.logger.warning("list page failed: %s (%s)", failed_request(failure).url, failure_reason(failure))

    def article_failed(self, failure: Failure) -> ReportCapture | None:
        """A report article that cannot be fetched is still a finding (linked but 404 or 500, a redirect
        loop), unless we chose not to fetch it (out of scope: see refused_links; robots.txt)."""
        if not_fetched_by_choice(failure):
            return None
        kwargs = failed_request(failure).cb_kwargs
        if failure.check(HttpError) and self._blocked(failure.value.response, kwargs["portal"]):
            return None  # a challenge page says nothing about the report
        return ReportCapture(
            portal_id=kwargs["portal"].id,
            article=failed_capture(failure),
            listing_url=kwargs["listing_url"],
            title=kwargs["title"],
        )

    def parse_article(
        self, response: Response, portal: Portal, listing_url: str, title: str
    ) -> Iterator[scrapy.Request | ReportCapture]:
        if self._blocked(response, portal):
            return
        if not isinstance(response, TextResponse):  # the list linked the report file itself
            yield ReportCapture(portal.id, response_capture(response), listing_url=listing_url, title=title)
            return
        article = portal.family.read_article(response, portal)
        capture = ReportCapture(
            portal_id=portal.id,
            article=response_capture(response),
            listing_url=listing_url,
            title=title or article.title,
            page_meta=article.meta,
        )
        # An article split over pages: its further pages are kept with it, like attachments.
        yield from self._next_attachment(capture, article.more_pages + article.attachments)

    def _next_attachment(self, capture: ReportCapture, pending: list[str]) -> Iterator[scrapy.Request | ReportCapture]:
        """Fetch the attachments one at a time; the capture is complete when none is left."""
        if not pending:
            yield capture
            return
        yield scrapy.Request(
            pending[0],
            callback=self.parse_attachment,
            errback=self.attachment_failed,
            cb_kwargs={"capture": capture, "pending": pending[1:]},
            meta={"cookiejar": capture.portal_id},
            dont_filter=True,  # an attachment shared by two reports belongs to both
        )

    def parse_attachment(
        self, response: Response, capture: ReportCapture, pending: list[str]
    ) -> Iterator[scrapy.Request | ReportCapture]:
        if self._blocked(response, self._portal(capture)):
            return  # a challenge instead of the file: the report is left as it is this run
        capture.attachments.append(response_capture(response))
        yield from self._next_attachment(capture, pending)

    def attachment_failed(self, failure: Failure) -> Iterator[scrapy.Request | ReportCapture]:
        kwargs = failed_request(failure).cb_kwargs
        if failure.check(HttpError) and self._blocked(failure.value.response, self._portal(kwargs["capture"])):
            return
        kwargs["capture"].attachments.append(failed_capture(failure))
        yield from self._next_attachment(kwargs["capture"], kwargs["pending"])


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def response_capture(response: Response) -> Capture:
    """The exchange as fetched: raw body bytes untouched, headers (first value each)."""
    redirects = response.request.meta.get("redirect_urls") if response.request else None
    status = response.status
    return Capture(
        url=redirects[0] if redirects else response.url,
        status=status,
        body=response.body,
        headers={k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v},
        final_url=response.url,
        fetched_at=utc_now(),
        error=None if 200 <= status < 400 else f"HTTP {status}",
        warc_file=response.meta.get(META_FILE),
        warc_record_id=response.meta.get(META_RECORD_ID),
        not_modified=status == 304,
    )


def not_fetched_by_choice(failure: Failure) -> bool:
    """Requests nianbao chose not to send: out of scope (recorded in refused_links) or forbidden by robots.txt."""
    if failure.check(LinkRefused):
        return True
    return bool(failure.check(IgnoreRequest)) and not failure.check(HttpError, RedirectLoop) \
        and "max redirections" not in failure.getErrorMessage()


def failed_capture(failure: Failure) -> Capture:
    """A fetch that failed: an HTTP error keeps its response; a redirect loop has the status of its last
    redirect; a network error has status 0."""
    if failure.check(HttpError):
        return response_capture(failure.value.response)
    request = failed_request(failure)
    redirects = request.meta.get("redirect_reasons") or [0]
    status = redirects[-1] if isinstance(redirects[-1], int) else 0
    first_url = (request.meta.get("redirect_urls") or [request.url])[0]
    return Capture(url=first_url, status=status, final_url=request.url, fetched_at=utc_now(),
                   error=failure_reason(failure))


def failure_reason(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"


def failed_request(failure: Failure) -> scrapy.Request:
    """The request an errback's failure is about (Scrapy sets it on the failure; Twisted's type does not say so)."""
    return failure.request  # type: ignore[attr-defined]
