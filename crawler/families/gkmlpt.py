"""Guangdong gkmlpt (政府信息公开目录管理平台), e.g. the 深圳 districts.

The 年报 category is listed as JSON: ``GET <base>/gkmlpt/api/all/<category>?page=<n>&sid=<sid>``
answering ``{"classify": {"post_count": …}, "articles": [{"title", "url", "date", …}]}``; ``sid`` and
``category`` come from the registry entry, or from ``<base>/gkmlpt/index`` (``window._CONFIG = {SID:
'…', TREE: [...]}``, categories whose name says 年报/年度报告).  Articles are
``/gkmlpt/content/<a>/<b>/post_<id>.html`` (or a portal's ``…/content/post_<id>.html``), attachments
``/attachment/0/…`` with class ``nfw-cms-attachment``.  Paging is contradictory in the sources
(shared/portals/README.md §6): pages are asked for until ``post_count`` articles were seen or a page
comes back empty.  Evidence: a developer's excerpt of the JSON shape and third-party code; no raw
answer was seen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from nianbao.crawler.families import register
from nianbao.crawler.families.base import Family, Listing, decoded_text
from nianbao.crawler.families.links import Link

if TYPE_CHECKING:
    from nianbao.crawler.registry import Portal

SID = re.compile(r"\bSID\s*:\s*['\"]?(\d+)")
TREE_NODE = re.compile(r"\{[^{}]*?['\"]?id['\"]?\s*:\s*(\d+)[^{}]*?['\"]?name['\"]?\s*:\s*['\"]([^'\"]*(?:年报|年度报告)[^'\"]*)['\"]")


@register
@dataclass(frozen=True)
class Gkmlpt(Family):
    name: ClassVar[str] = "gkmlpt"
    description: ClassVar[str] = "Guangdong gkmlpt: JSON lists /gkmlpt/api/all/<category>?page=&sid=, post_N articles"
    meta: str = "table.table-info, div.introduce"
    sid: str = ""
    category: str = ""

    def start_requests(self, portal: Portal) -> list[scrapy.Request]:
        if self.sid and self.category:
            return [self.api_request(url, self.category, self.sid, 1) for url in portal.start_urls]
        return super().start_requests(portal)

    def api_request(self, url: str, category: str, sid: str, page: int, seen: int = 0) -> scrapy.Request:
        base = url.split("/gkmlpt/", 1)[0] + "/" if "/gkmlpt/" in url else urljoin(url, "/")
        return scrapy.Request(urljoin(base, f"gkmlpt/api/all/{category}?page={page}&sid={sid}"),
                              meta={"gkmlpt": {"category": category, "sid": sid, "page": page, "seen": seen}})

    def read_list(self, response: Response, portal: Portal) -> Listing:
        state = response.meta.get("gkmlpt")
        text = decoded_text(response)
        if state is None:  # a gkmlpt index page (find sid and the 年报 categories) or a portal's HTML column
            listing = super().read_list(response, portal)
            sid = SID.search(text)
            if sid:
                listing.requests += [self.api_request(response.url, c, sid.group(1), 1) for c, _ in TREE_NODE.findall(text)]
            return listing
        data = json.loads(text)
        articles = data.get("articles") or []
        listing = Listing()
        for row in articles:
            link = Link(urljoin(response.url, row.get("url", "")), row.get("title", ""))
            (listing.reports if portal.is_report_title(link.title) else listing.skipped).append(link)
        seen = state["seen"] + len(articles)
        if articles and seen < int((data.get("classify") or {}).get("post_count") or 0):
            listing.pages.append(self.api_request(response.url, state["category"], state["sid"], state["page"] + 1, seen))
        return listing
