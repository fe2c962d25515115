"""TRS WCM: the Ningxia shared government-site platform (银川, 中卫, 隆德, 盐池, 固原 …) and many others.

Lists are ``index.html`` / ``list.html`` with further pages drawn by a ``createPageHTML`` /
``createPage`` script (every real form: see pagers.py); rows are ``div.xxgk_wrap ul > li`` (索引号,
``a[title]``, 发布机构, date) on the Ningxia county sites and ``ul`` lists elsewhere; articles are
``./YYYYMM/tYYYYMMDD_<id>.html`` with attachments ``./P0….pdf`` / ``W0….pdf`` beside them, and may
be split over pages.  Where the column is unknown, ``search_word`` makes the family ask the TRS site
search instead: ``POST /irs/front/search`` with a JSON body (the real request bodies are in
shared/portals/trs-ningxia; the answer ``data.middle.list[]`` with ``title``/``url``/``time`` is from
third-party crawler code, no real answer was seen).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response

from nianbao.crawler.families import register
from nianbao.crawler.families.base import Family, Listing
from nianbao.crawler.families.links import Link

if TYPE_CHECKING:
    from nianbao.crawler.registry import Portal

SEARCH_PATH = "/irs/front/search"


@register
@dataclass(frozen=True)
class Trs(Family):
    name: ClassVar[str] = "trs"
    description: ClassVar[str] = "TRS WCM: index_N/list_N pages from createPageHTML/createPage, t-date articles"
    rows: str = ("div.xxgk_wrap ul > li a[href], ul.xxgk-list li a[href], ul.list li a[href], ul.nx-list li a[href],"
                 " ul.commonList_dot li a[href], ul.list-cont li a[href], table[width='97%'] td > a[href]")
    meta: str = "table.xxgk-meta, div.xxgk-info, div.zz-xl-info, table.gkxl-top, div.nx-conmtab"
    next_link: bool = False  # the pager is a script: a 下一页 link, if drawn at all, repeats what it says
    search_word: str = ""  # use the site search (POST /irs/front/search) instead of a column
    tenant_id: str = ""
    config_tenant_id: str = "19"
    page_size: int = 10

    def start_requests(self, portal: Portal) -> list[scrapy.Request]:
        if not self.search_word:
            return super().start_requests(portal)
        return [self.search_request(url, 1) for url in portal.start_urls]

    def search_request(self, site: str, page: int) -> scrapy.Request:
        # The fields and their order as in the real request bodies (shared/portals/trs-ningxia/*.json);
        # ``sign`` is a fresh UUID there too.
        body: dict[str, Any] = {
            "tenantIds": self.tenant_id, "tenantId": self.tenant_id, "searchWord": self.search_word, "dataTypeId": 4,
            "historySearchWords": [], "orderBy": "time", "searchBy": "title", "pageNo": page,
            "pageSize": self.page_size, "endDateTime": "", "beginDateTime": "", "filters": [],
            "configTenantId": self.config_tenant_id, "customFilter": {"operator": "and", "properties": [], "filters": []},
            "sign": str(uuid.uuid4()),
        }
        return scrapy.Request(urljoin(site, SEARCH_PATH), method="POST", body=json.dumps(body, ensure_ascii=False),
                              headers={"Content-Type": "application/json"}, meta={"trs_search_page": page})

    def read_list(self, response: Response, portal: Portal) -> Listing:
        if "trs_search_page" not in response.meta:
            return super().read_list(response, portal)
        page = response.meta["trs_search_page"]
        rows = ((json.loads(response.text).get("data") or {}).get("middle") or {}).get("list") or []
        found = Listing()
        for row in rows:
            link = Link(urljoin(response.url, row.get("url", "")), row.get("title_no_tag") or row.get("title", ""))
            (found.reports if portal.is_report_title(link.title) else found.skipped).append(link)
        if len(rows) >= self.page_size:
            found.pages.append(self.search_request(response.url, page + 1))
        return found
