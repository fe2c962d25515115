"""大汉 Hanweb jcms: ``/col/col<N>/index.html`` columns, ``/art/YYYY/M/D/art_<col>_<id>.html`` articles.

A column page embeds the first records of its list in ``<script type="text/xml"><datastore>…``; the
rest come from the jpage data proxy ``/module/web/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P``
with ``columnid``, ``unitid``, ``webid`` … as form fields (POST, as the jpage script sends them:
inferred; third-party crawlers send the same fields as GET query parameters and get the same
answer).  The answer (real samples in shared/portals/hanweb-jcms) is
``<datastore><nextgroup>…</nextgroup><recordset><record><![CDATA[<li>…<a href title>…</li>]]></record>…``.
Attachments are ``/module/download/downfile.jsp?…`` links.  The ids come from the column page
(``webid=…&unitid=…``) or from the registry entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urljoin

import scrapy
from parsel import Selector
from scrapy.http import Response

from nianbao.crawler.families import register
from nianbao.crawler.families.base import Family, Listing, decoded_text

if TYPE_CHECKING:
    from nianbao.crawler.registry import Portal

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
TOTAL = re.compile(r"totalRecord['\"]?\s*[:=]\s*['\"]?(\d+)|<totalrecord>(\d+)</totalrecord>", re.IGNORECASE)
EMBEDDED = re.compile(r"<datastore>(.*?)</datastore>", re.DOTALL)


def _param(name: str, text: str) -> str:
    found = re.search(rf"\b{name}['\"]?\s*[=:]\s*['\"]?(\d+)", text, re.IGNORECASE)
    return found.group(1) if found else ""


@register
@dataclass(frozen=True)
class HanwebJcms(Family):
    name: ClassVar[str] = "hanweb-jcms"
    description: ClassVar[str] = "Hanweb jcms: /col/colN/ columns listed by the jpage dataproxy.jsp XML"
    rows: str = "li a[href], tr td a[href]"
    meta: str = "table.xxgk_table, div.xxgk_table, table.xxgk-table"
    column_id: str = ""
    unit_id: str = ""
    web_id: str = ""
    perpage: int = 15
    group: int = 45  # records per data proxy answer (3 pages of 15, as in the real 定西 answer)

    def read_list(self, response: Response, portal: Portal) -> Listing:
        text = decoded_text(response)
        if "jcms_start" in response.meta:  # a data proxy answer
            return self.records(text, response, portal, response.meta["jcms_start"])
        embedded = EMBEDDED.search(text)
        if not embedded:
            listing = super().read_list(response, portal)
            ids = self.ids(text)
            if not listing.reports and all(ids.values()):  # the list comes from the proxy alone
                listing.requests.append(self.proxy_request(response.url, ids, 1))
            return listing
        total = TOTAL.search(text)
        return self.records(embedded.group(1), response, portal, 1, ids=self.ids(text),
                            total=int(next(g for g in total.groups() if g)) if total else None)

    def records(self, xml: str, response: Response, portal: Portal, start: int,
                ids: dict[str, str] | None = None, total: int | None = None) -> Listing:
        """The rows of one datastore; the next group is asked for while the total (from the column
        page, when it says) is not reached, else while groups come back full."""
        rows = RECORD.findall(xml)
        wrapper = ("<table>", "</table>") if rows and rows[0].lstrip().startswith("<tr") else ("<ul>", "</ul>")
        page = Selector(text=wrapper[0] + "".join(rows) + wrapper[1], base_url=response.url)  # table rows: older jpage
        listing = self.listing(page, response.url, portal, pages=())
        ids = ids or response.meta.get("jcms_ids") or {}
        total = total if total is not None else response.meta.get("jcms_total")
        after = start + len(rows)
        more = after <= total if total is not None else len(rows) >= self.group
        if rows and more and all(ids.values()):
            listing.pages.append(self.proxy_request(response.url, ids, after, total))
        return listing

    def ids(self, text: str) -> dict[str, str]:
        return {"columnid": self.column_id or _param("columnid", text), "unitid": self.unit_id or _param("unitid", text),
                "webid": self.web_id or _param("webid", text)}

    def proxy_request(self, url: str, ids: dict[str, str], start: int, total: int | None = None) -> scrapy.Request:
        end = start + self.group - 1
        return scrapy.FormRequest(
            urljoin(url, f"{DATAPROXY}?startrecord={start}&endrecord={end}&perpage={self.perpage}"),
            formdata={"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0", **ids},
            meta={"jcms_start": start, "jcms_ids": ids, "jcms_total": total},
        )
