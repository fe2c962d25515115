"""``nianbao discover``: from a portal's home or 政府信息公开 page to a ready registry entry.

It reads one page: which CMS family the markup and URLs point to (each signal is listed, so a
person can judge), which links lead to an annual-report column (link texts such as 政府信息公开年报,
年度报告, 工作年报), and what the page already lists: report links, further list pages and year or
unit sub-columns, read by the family module itself.  ``--check`` then fetches the proposed column
the way a crawl would (the family's first requests, one XHR hop) and counts the report links.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse

from nianbao.crawler.families.links import Link, is_article_url, page_links
from nianbao.crawler.registry import Portal, portal_from_entry

# (family, what to look for in the page's HTML and link URLs, what it means)
SIGNALS: list[tuple[str, re.Pattern[str], str]] = [
    ("gkmlpt", re.compile(r"/gkmlpt/|window\._CONFIG\s*=\s*\{[^}]*SID"), "gkmlpt path or window._CONFIG SID"),
    ("hanweb-jpaas", re.compile(r"jpaas-publish-server|queryData\s*=|/art/\d{4}/art_[0-9a-f]{32}\.html"),
     "jpaas build/unit, queryData or /art/YYYY/art_<32hex>.html"),
    ("hanweb-jcms", re.compile(r"/col/col\d+/|dataproxy\.jsp|<datastore>|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html"),
     "/col/colN/, jpage dataproxy.jsp/<datastore> or /art/Y/M/D/art_C_N.html"),
    ("zz-public", re.compile(r"/[A-Z]\d+[A-Z]/\d+\.jhtml|[?&]a=(?:dir|path|platform|info)\b|ul class=\"(?:page|common)-list"),
     "郑州 platform /<code>/<id>.jhtml, ?a=dir|path|platform lists"),
    ("trs", re.compile(r"createPageHTML|createPage\(|/t\d{8}_\d+\.s?html|TRS_Editor|trs_editor_view|_trs_u|/irs/front/search"),
     "TRS createPageHTML/createPage, t-date articles, TRS_Editor"),
]
DISCLOSURE_TEXT = re.compile(r"^(?:政府)?信息公开(?:专栏|目录|平台)?$|^政务公开$")
COLUMN_TEXT = re.compile(r"政府信息公开(?:工作)?年(?:度报告|报)|信息公开年报|(?:工作|信息公开)?年度报告|工作年报|^年报$")


@dataclass
class Discovery:
    url: str
    family: str
    signals: dict[str, list[str]]
    columns: list[Link] = field(default_factory=list)  # links to annual-report columns
    report_links: list[Link] = field(default_factory=list)
    list_pages: list[str] = field(default_factory=list)
    sub_columns: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # XHR list requests the family would make
    disclosure_pages: list[str] = field(default_factory=list)  # 政府信息公开 pages, where a home page has no 年报 link

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("columns", "report_links"):
            data[key] = [{"url": link.url, "title": link.title} for link in getattr(self, key)]
        data["entry"] = registry_entry(self)
        return data


def detect_family(html: str, url: str) -> tuple[str, dict[str, list[str]]]:
    """The family with the most signals in the page (generic when none), and every signal seen."""
    seen: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    for name, pattern, _ in SIGNALS:
        hits = pattern.findall(url + "\n" + html)
        if hits:
            seen[name] = sorted({re.sub(r"\d+", "N", hit) for hit in hits})  # one of each shape
            counts[name] = len(hits)
    return (counts.most_common(1)[0][0] if counts else "generic"), seen


def discover_page(body: bytes, url: str, content_type: str = "text/html") -> Discovery:
    """Everything ``discover`` can tell from one saved or fetched page (no network)."""
    response = TextResponse(url, body=body, headers={"Content-Type": content_type}, encoding=None,
                            request=scrapy.Request(url))
    family, signals = detect_family(response_text(response), url)
    portal = proposed_portal(url, family, url)
    page = Selector(text=response_text(response), base_url=url)
    columns = [link for link in page_links(page, url)
               if COLUMN_TEXT.search(link.title.replace(" ", "")) and not is_article_url(link.url)
               and not portal.is_report_title(link.title)]
    disclosure = [link.url for link in page_links(page, url) if DISCLOSURE_TEXT.match(link.title.replace(" ", ""))]
    listing = portal.family.read_list(response, portal)
    follow = listing.pages + listing.requests
    list_pages = [r.url for r in follow if r.url not in listing.sub_columns and r.method == "GET" and not r.meta]
    xhr = [f"{r.method} {r.url}" for r in follow if r.method != "GET" or r.meta]
    return Discovery(url, family, signals, columns=list(dict.fromkeys(columns)), report_links=listing.reports,
                     list_pages=list_pages, sub_columns=listing.sub_columns, requests=xhr,
                     disclosure_pages=list(dict.fromkeys(disclosure)))


def discover_site(url: str, proxy: str | None = None) -> Discovery:
    """Online: read the page at ``url`` (a home page without a 年报 link: its 政府信息公开 page); when
    it only links the annual-report column, read that column page too and judge the family from it
    (a home page rarely shows the CMS's list mechanics)."""
    found = discover_page(*fetched_page(url, proxy))
    if not found.columns and not found.report_links and found.disclosure_pages:  # home → 政府信息公开 → 年报
        found = discover_page(*fetched_page(found.disclosure_pages[0], proxy))
    if found.columns and not found.report_links:
        column = discover_page(*fetched_page(found.columns[0].url, proxy))
        column.columns = found.columns
        for name, hits in found.signals.items():
            column.signals.setdefault(name, hits)
        return column
    return found


def fetched_page(url: str, proxy: str | None) -> tuple[bytes, str, str]:
    response = fetch(scrapy.Request(url), proxy)
    return response.body, url, (response.headers.get("Content-Type") or b"text/html").decode("latin-1")


def registry_entry(found: Discovery) -> dict[str, Any]:
    """A registry entry to paste into crawler/portals.yml; region and names are for a person to fill in."""
    start = found.url if found.report_links or not found.columns else found.columns[0].url
    host = urlsplit(start).hostname or ""
    labels = [label for label in host.split(".")[:-2] if label != "www"] or [host]
    return {"id": "-".join(labels), "name": "TODO 机关名称", "site": host,
            "region": {"province": "TODO", "province_code": "000000", "code": "000000"}, "level": "city",
            "family": found.family, "start_urls": [start],
            "evidence": f"nianbao discover {found.url}: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in found.signals.items()),
            "verified": False}


def proposed_portal(start_url: str, family: str, site: str) -> Portal:
    return portal_from_entry({"id": "discovered", "name": "discovered", "site": urlsplit(site).hostname or "x",
                              "region": {"province": "?", "province_code": "000000", "code": "000000"},
                              "level": "city", "family": family, "start_urls": [start_url]})


def check(entry: dict[str, Any], proxy: str | None = None, hops: int = 3) -> tuple[int, list[str]]:
    """Fetch the entry's column as a crawl would (its first request, then the list requests it leads
    to — XHR answers, sub-columns — until report links turn up or ``hops`` answers were read);
    returns the report links found and what was fetched."""
    portal = proposed_portal(entry["start_urls"][0], entry["family"], entry["start_urls"][0])
    queue = portal.family.start_requests(portal)[:1]
    fetched: list[str] = []
    reports = 0
    while queue and len(fetched) < hops and not reports:
        request = queue.pop(0)
        response = fetch(request, proxy)
        fetched.append(f"{request.method} {request.url} -> {response.status}")
        listing = portal.family.read_list(response, portal)
        reports = len(listing.reports)
        queue = listing.requests + listing.pages + queue  # XHR answers and sub-columns first: they hold the rows
    return reports, fetched


def fetch(request: scrapy.Request, proxy: str | None = None) -> Response:
    """One request with the standard library (a one-off command needs no crawler), as a Scrapy response."""
    from nianbao.crawler.settings import USER_AGENT

    handlers = [urllib.request.ProxyHandler({"http": proxy, "https": proxy})] if proxy else []
    opener = urllib.request.build_opener(*handlers)
    headers = {k.decode(): v[0].decode() for k, v in request.headers.items()} | {"User-Agent": USER_AGENT}
    plain = urllib.request.Request(request.url, data=request.body or None, headers=headers, method=request.method)
    try:
        with opener.open(plain, timeout=30) as answer:
            status, body, answer_headers = answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        status, body, answer_headers = error.code, error.read(), dict(error.headers)
    return TextResponse(request.url, status=status, body=body, headers=answer_headers, request=request, encoding=None)


def response_text(response: TextResponse) -> str:
    from nianbao.crawler.families.base import decoded_text

    return decoded_text(response)
