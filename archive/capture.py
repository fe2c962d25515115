"""What the crawler hands to the archive: plain data, no Scrapy objects.

The spider assembles one :class:`ReportCapture` per report article: the
article page itself plus every attachment it links to (fetched or failed).
The archive ingests it in one transaction.  Keeping this contract free of
Scrapy lets ``archive`` be used (and tested) without a crawl, e.g. to
import a folder of files.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Capture:
    """One HTTP exchange as the crawler saw it."""

    url: str  # the URL requested
    status: int  # HTTP status; 0 when no response arrived (DNS, timeout)
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # response headers, first value each
    final_url: str | None = None  # after redirects
    fetched_at: str = ""  # ISO 8601 UTC
    error: str | None = None  # why the fetch failed, if it did
    warc_file: str | None = None  # WARC file holding this exchange
    warc_record_id: str | None = None  # its WARC-Record-ID
    not_modified: bool = False  # a conditional request answered 304: body is empty, content unchanged

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 or self.not_modified


@dataclass
class ListedReport:
    """A known report seen on its portal's list page but not requested: its revisit was not due."""

    portal_id: str
    report_id: int
    url: str
    listing_url: str
    title: str | None
    next_due: str  # when the revisit policy will request it again (ISO 8601 UTC)


@dataclass
class ReportCapture:
    """A report article and its attachments, as found on a portal."""

    portal_id: str
    article: Capture
    listing_url: str | None = None  # the list page the article was found on
    title: str | None = None  # the link text or page title
    page_meta: dict[str, str] = field(default_factory=dict)  # 索引号, 发布机构, 发文日期, 文号, breadcrumb
    attachments: list[Capture] = field(default_factory=list)
