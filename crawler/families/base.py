"""What every CMS family module provides, and the reading all of them share.

A family is a frozen dataclass: its fields are the selectors and parameters a registry entry may
override (``rows: 'div.list li a'``, ``perpage: 20``); its methods say how a portal's lists are
requested and read.  The spider only calls :meth:`Family.start_requests`, :meth:`Family.read_list`
and :meth:`Family.read_article`; a list may be an HTML page or an XHR answer (XML, JSON), and the
requests a family returns may be GETs with a query string or POSTs with a body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import scrapy
from parsel import Selector
from scrapy.http import Response

from nianbao.crawler.families import article, pagers
from nianbao.crawler.families.links import Link, column_root, is_article_url, is_file_url, is_sub_column, page_links
from nianbao.parsers.encoding import decode_html

if TYPE_CHECKING:
    from nianbao.crawler.registry import Portal

NEXT_LINK_TEXT = ("下一页", "下页", "后一页", ">")


@dataclass
class Listing:
    """What one list answer yields: report links, further list requests, and links that failed the title test.

    ``pages`` are this list's own further pages (older items: the revisit policy may stop paging when
    a page shows nothing new); ``requests`` are other lists to read (sub-columns, a category's first
    page, the first XHR answer of a column page).
    """

    reports: list[Link] = field(default_factory=list)
    requests: list[scrapy.Request] = field(default_factory=list)
    pages: list[scrapy.Request] = field(default_factory=list)
    skipped: list[Link] = field(default_factory=list)
    sub_columns: list[str] = field(default_factory=list)


@dataclass
class ArticleInfo:
    title: str
    meta: dict[str, str]
    attachments: list[str]
    more_pages: list[str]  # the article's own further pages (an article split over several)


@dataclass(frozen=True)
class Family:
    """The generic reading: links and titles, JS or 下一页 pagers, shared body selectors."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    rows: str = ""  # CSS of the list's article links ('': only URL shape and title decide)
    body: str = ""  # CSS of a site's article body, tried before the shared ARTICLE_BODY_SELECTORS (parsers/extract/html.py)
    meta: str = ""  # CSS of metadata blocks whose text is read as 'label：value' runs
    breadcrumb: str = "div.position a, div.position span, div.crumbs a, div.zz-dqwz a, div.location a, .breadcrumb a"
    next_link: bool = True  # also follow a 下一页 link (sites whose pager is plain HTML)

    def start_requests(self, portal: Portal) -> list[scrapy.Request]:
        return [scrapy.Request(url) for url in portal.start_urls]

    def read_list(self, response: Response, portal: Portal) -> Listing:
        """Report links, sub-columns and further pages of an HTML list page."""
        page = selector(response)
        return self.listing(page, response.url, portal, self.list_pages(page, response.url))

    def listing(self, page: Selector, url: str, portal: Portal, pages: Iterable[str]) -> Listing:
        found = Listing()
        rows = {link.url for link in page_links(page, url, self.rows)} if self.rows else set()
        roots = tuple(column_root(u) for u in portal.start_urls)
        seen: set[str] = set()
        for link in page_links(page, url):
            if link.url in seen:
                continue
            seen.add(link.url)
            candidate = link.url in rows or self.is_candidate(link, roots, portal)
            if candidate and portal.is_report_title(link.title):
                found.reports.append(link)
            elif is_sub_column(link, roots):
                found.sub_columns.append(link.url)
            elif candidate:
                found.skipped.append(link)
        further = [u for u in dict.fromkeys(pages) if u not in found.sub_columns]
        found.pages = [scrapy.Request(u) for u in further]
        found.requests = [scrapy.Request(u) for u in dict.fromkeys(found.sub_columns)]
        return found

    def is_candidate(self, link: Link, roots: tuple[str, ...], portal: Portal) -> bool:
        """Whether a link outside the family's rows may be a report article (its title decides)."""
        return is_article_url(link.url) or is_file_url(link.url, portal.attachment_extensions)

    def list_pages(self, page: Selector, url: str) -> list[str]:
        """Further list pages: from a JS pager call, else (if the family allows) a 下一页 link."""
        urls = pagers.next_pages(scripts(page), url)
        if not urls and self.next_link:
            urls = [link.url for link in page_links(page, url) if link.title in NEXT_LINK_TEXT][:1]
        return urls

    def read_article(self, response: Response, portal: Portal) -> ArticleInfo:
        page = selector(response)
        return ArticleInfo(
            title=(page.css("title::text").get() or "").strip(),
            meta=article.page_meta(page, portal.meta_labels, self.meta, self.breadcrumb),
            attachments=article.attachment_urls(page, response.url, self.body, portal.attachment_extensions,
                                                portal.attachment_text),
            more_pages=pagers.article_pages(scripts(page), response.url),
        )


def decoded_text(response: Response) -> str:
    """The page as text, trusting the bytes over a lying Content-Type charset."""
    declared = re.search(r"charset=([\w-]+)", (response.headers.get("Content-Type") or b"").decode("latin-1"))
    text, _ = decode_html(response.body, declared.group(1) if declared else None)
    return text


def selector(response: Response) -> Selector:
    return Selector(text=decoded_text(response), base_url=response.url)


def scripts(page: Selector) -> str:
    return "\n".join(page.css("script::text").getall())
