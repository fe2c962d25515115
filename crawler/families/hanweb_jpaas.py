"""Hanweb jpaas, the newer 大汉 publishing platform: articles ``/<path>/art/YYYY/art_<32hex>.html``.

A column's list comes from ``GET /api-gateway/jpaas-publish-server/front/page/build/unit`` with
``webId``, ``tplSetId``, ``pageId`` (the column), ``tagId`` (the list block) and
``paramJson={"pageNo":N,"pageSize":M}``; the answer is ``{"success":true,"data":{"html":"…"}}`` whose
HTML holds the rows and a pager with ``count="<records>"``.  The ids come from the registry entry or
from the column page (``queryData="{…}"`` attribute, ``<meta name="ColId">``).  Evidence: several
independent third-party crawlers (shared/portals/README.md §5) and a real 白银区 report page's text;
no real JSON answer was seen.  Both spellings of ``parseType`` (``bulidstatic``, ``buildstatic``) are
in use; ``parse_type`` picks one.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlencode, urljoin

import scrapy
from parsel import Selector
from scrapy.http import Response

from nianbao.crawler.families import register
from nianbao.crawler.families.base import Family, Listing, decoded_text

if TYPE_CHECKING:
    from nianbao.crawler.registry import Portal

UNIT_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
QUERY_DATA = re.compile(r"queryData\s*=\s*[\"']([^\"']+)[\"']")
COUNT = re.compile(r"\bcount\s*=\s*[\"']?(\d+)")


@register
@dataclass(frozen=True)
class HanwebJpaas(Family):
    name: ClassVar[str] = "hanweb-jpaas"
    description: ClassVar[str] = "Hanweb jpaas: lists as JSON from /api-gateway/jpaas-publish-server/front/page/build/unit"
    rows: str = "li a[href], p a[href]"
    meta: str = "div.xxgk-info, table.xxgk-table, div.info-box"
    web_id: str = ""
    tpl_set_id: str = ""
    page_id: str = ""
    tag_id: str = "栏目1板块"
    page_size: int = 15
    parse_type: str = "bulidstatic"

    def read_list(self, response: Response, portal: Portal) -> Listing:
        text = decoded_text(response)
        if "jpaas_page" not in response.meta:  # the column page: find the ids, ask for page 1
            listing = super().read_list(response, portal)
            ids = self.ids(text)
            if all(ids.values()):
                listing.requests.append(self.unit_request(response.url, ids, 1))
            return listing
        data = json.loads(text).get("data") or {}
        page = Selector(text=data.get("html") or "", base_url=response.url)
        listing = self.listing(page, response.url, portal, pages=())
        count = COUNT.search(data.get("html") or "")
        if response.meta["jpaas_page"] == 1 and count:
            pages = math.ceil(int(count.group(1)) / self.page_size)
            listing.pages += [self.unit_request(response.url, response.meta["jpaas_ids"], n) for n in range(2, pages + 1)]
        return listing

    def ids(self, text: str) -> dict[str, str]:
        found: dict[str, str] = {}
        query = QUERY_DATA.search(text)
        if query:
            try:
                found = {k: str(v) for k, v in json.loads(html.unescape(query.group(1))).items()}
            except ValueError:
                found = {}
        col = re.search(r"<meta\s+name=[\"']ColId[\"']\s+content=[\"']([^\"']+)", text, re.IGNORECASE)
        return {"webId": self.web_id or found.get("webId", ""), "tplSetId": self.tpl_set_id or found.get("tplSetId", ""),
                "pageId": self.page_id or found.get("pageId", "") or (col.group(1) if col else ""),
                "tagId": found.get("tagId") or self.tag_id}

    def unit_request(self, url: str, ids: dict[str, str], page: int) -> scrapy.Request:
        query = {"parseType": self.parse_type, "webId": ids["webId"], "tplSetId": ids["tplSetId"], "pageType": "column",
                 "tagId": ids["tagId"], "editType": "null", "pageId": ids["pageId"],
                 "paramJson": json.dumps({"pageNo": page, "pageSize": self.page_size}, separators=(",", ":"))}
        return scrapy.Request(urljoin(url, f"{UNIT_PATH}?{urlencode(query)}"), meta={"jpaas_page": page, "jpaas_ids": ids})
