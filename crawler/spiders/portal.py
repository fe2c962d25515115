"""The generic spider: walks each portal's 年报 column and captures every report with its attachments.

For each portal of the registry it reads the list pages (following the family's pagination), keeps
the links whose title looks like an annual report, and for each report article builds one
:class:`archive.capture.ReportCapture`: the article page as fetched, its metadata block and
breadcrumb, and every attachment (fetched one after another through ``cb_kwargs``; a failed
attachment is recorded with its status and error, and the report is still yielded).

``scrapy crawl portal`` crawls every portal; ``-a portal=nxzw,gongyi`` only those.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from nianbao.archive.capture import Capture, ReportCapture
from nianbao.crawler.failures import RedirectLoop
from nianbao.crawler.registry import Portal, select_portals
from nianbao.crawler.scope import LinkRefused
from nianbao.crawler.warc import META_FILE, META_RECORD_ID
from nianbao.parsers.encoding import decode_html

# createPageHTML(<pages>, <current>, "index", "html") in TRS list pages.
CREATE_PAGE_HTML = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([^\"']+)[\"']")


class PortalSpider(scrapy.Spider):
    name = "portal"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        kwargs.setdefault("registry", crawler.settings.get("NIANBAO_REGISTRY"))
        return super().from_crawler(crawler, *args, **kwargs)

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

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for portal in self.portals:
            for url in portal.start_urls:
                yield self._list_request(url, portal)

    def _list_request(self, url: str, portal: Portal) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_list, errback=self.list_failed, cb_kwargs={"portal": portal}
        )

    def parse_list(self, response: Response, portal: Portal) -> Iterator[scrapy.Request]:
        self.pages[portal.id] += 1
        page = Selector(text=decoded_text(response), base_url=response.url)
        for link in page.css(portal.family.list_links):
            title = link_title(link)
            url = response.urljoin(link.attrib["href"])
            if not portal.is_report_title(title):
                self.crawler.stats.inc_value("nianbao/skipped_articles")
                self.logger.debug("skipped (not a report title): %s %s", title, url)
                continue
            yield scrapy.Request(
                url,
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={"portal": portal, "listing_url": response.url, "title": title},
            )
        for url in next_list_pages(portal, page, response.url):
            yield self._list_request(url, portal)

    def list_failed(self, failure: Failure) -> None:
        portal: Portal = failure.request.cb_kwargs["portal"]
        self.list_failures[portal.id].append(f"{failure.request.url}: {failure_reason(failure)}")
        self.logger.warning("list page failed: %s (%s)", failure.request.url, failure_reason(failure))

    def article_failed(self, failure: Failure) -> ReportCapture | None:
        """A report article that cannot be fetched is still a finding (linked but 404 or 500, a redirect
        loop), unless we chose not to fetch it (out of scope: see refused_links; robots.txt)."""
        if not_fetched_by_choice(failure):
            return None
        kwargs = failure.request.cb_kwargs
        return ReportCapture(
            portal_id=kwargs["portal"].id,
            article=failed_capture(failure),
            listing_url=kwargs["listing_url"],
            title=kwargs["title"],
        )

    def parse_article(
        self, response: Response, portal: Portal, listing_url: str, title: str
    ) -> Iterator[scrapy.Request | ReportCapture]:
        if not isinstance(response, TextResponse):  # the list linked the report file itself
            yield ReportCapture(portal.id, response_capture(response), listing_url=listing_url, title=title)
            return
        page = Selector(text=decoded_text(response), base_url=response.url)
        capture = ReportCapture(
            portal_id=portal.id,
            article=response_capture(response),
            listing_url=listing_url,
            title=title or page_title(page),
            page_meta=page_meta(portal, page),
        )
        yield from self._next_attachment(capture, attachment_urls(portal, page, response.url))

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
            dont_filter=True,  # an attachment shared by two reports belongs to both
        )

    def parse_attachment(
        self, response: Response, capture: ReportCapture, pending: list[str]
    ) -> Iterator[scrapy.Request | ReportCapture]:
        capture.attachments.append(response_capture(response))
        yield from self._next_attachment(capture, pending)

    def attachment_failed(self, failure: Failure) -> Iterator[scrapy.Request | ReportCapture]:
        kwargs = failure.request.cb_kwargs
        kwargs["capture"].attachments.append(failed_capture(failure))
        yield from self._next_attachment(kwargs["capture"], kwargs["pending"])


def decoded_text(response: Response) -> str:
    """The page as text, trusting the bytes over a lying Content-Type charset."""
    declared = re.search(r"charset=([\w-]+)", response.headers.get("Content-Type", b"").decode("latin-1"))
    text, _ = decode_html(response.body, declared.group(1) if declared else None)
    return text


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
    request = failure.request
    redirects = request.meta.get("redirect_reasons") or [0]
    status = redirects[-1] if isinstance(redirects[-1], int) else 0
    first_url = (request.meta.get("redirect_urls") or [request.url])[0]
    return Capture(url=first_url, status=status, final_url=request.url, fetched_at=utc_now(),
                   error=failure_reason(failure))


def failure_reason(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"


def link_title(link: Selector) -> str:
    """A link's title: the title attribute (lists often truncate the text with …), else its text."""
    text = link.attrib.get("title") or " ".join(link.css("::text").getall())
    return re.sub(r"\s+", " ", text).strip()


def page_title(page: Selector) -> str:
    return (page.css("title::text").get() or "").strip()


def next_list_pages(portal: Portal, page: Selector, url: str) -> list[str]:
    """The further list pages a list page points to, per the family's pagination kind."""
    family = portal.family
    if family.pagination == "createPageHTML":
        # Only the first page enumerates the others; the dupefilter drops repeats anyway.
        match = CREATE_PAGE_HTML.search(" ".join(page.css("script::text").getall()))
        if not match or int(match.group(2)) != 0:
            return []
        pages, name, ext = int(match.group(1)), match.group(3), match.group(4)
        return [urljoin(url, f"{name}_{n}.{ext}") for n in range(1, pages)]
    if family.pagination == "next_link":
        return [urljoin(url, href) for href in page.xpath(family.next_link).getall()[:1]]
    return []


def page_meta(portal: Portal, page: Selector) -> dict[str, str]:
    """The metadata block (索引号 / 发布机构 / 发文日期 / 文号 ...) and the breadcrumb."""
    block = " ".join(t.strip() for t in page.css(portal.family.meta).css("::text").getall() if t.strip())
    meta = meta_pairs(block, portal.meta_labels)
    crumbs = [t for t in (" ".join(c.css("::text").getall()).strip() for c in page.css(portal.family.breadcrumb)) if t]
    if crumbs:
        meta["breadcrumb"] = " > ".join(c for c in crumbs if c not in (">", "›", "»"))
    return meta


def meta_pairs(block: str, labels: tuple[str, ...]) -> dict[str, str]:
    """Label: value pairs from the text of a metadata block; labels may be spaced (索 引 号).

    A value ends where the next label starts: a known one, or any short Chinese word and a colon
    (so an empty 文号 does not swallow the 标题 after it)."""
    spaced = "|".join(r"\s*".join(map(re.escape, label)) for label in labels)
    pattern = re.compile(rf"({spaced})\s*[:：]\s*(.*?)\s*(?=(?:{spaced}|[\u4e00-\u9fff]{{2,6}})\s*[:：]|$)")
    return {re.sub(r"\s+", "", m.group(1)): m.group(2) for m in pattern.finditer(block) if m.group(2)}


def attachment_urls(portal: Portal, page: Selector, url: str) -> list[str]:
    """Links in the article body to report files, by extension or by link text, in page order."""
    body = page.css(portal.family.body) or page
    found: dict[str, None] = {}
    for link in body.css("a[href]"):
        href = urljoin(url, link.attrib["href"].strip())
        extension = urlsplit(href).path.rsplit(".", 1)[-1].lower()
        if extension in portal.attachment_extensions or portal.attachment_text.search(link_title(link)):
            found[href] = None
    return list(found)
