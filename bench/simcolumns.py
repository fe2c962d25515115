"""Simulated 年报 columns of a realistic length, built from the sample reports (for bench/simhosts.py).

The sample mirror's columns hold 1–6 reports over 1–3 list pages; real ones are far longer:
- a list page holds 15–25 items: 25 rows on the real 袁州区 TRS list page, 45 records per 定西 jcms
  data-proxy answer (3 pages of 15), pageSize 15 on the 工信部 jpaas column, perpage 20 for Jiangsu
  jcms and 20-row gkmlpt pages in third-party crawler code (shared/portals/README.md §2, §4–6);
  the default here is 20, the middle of that range;
- a 政府信息公开年报 column holds one report per publishing agency and year since 2008, kept online
  for 5–15 years (an estimate from the sample columns' years and the size of a county's or city's
  list of departments, not a count of a real column).

Each simulated host serves one TRS WCM column (``index.html``, ``index_N.html``, a
``createPageHTML`` pager; tools/mirror's TRS layout and templates) of ``reports`` reports, newest
first: variants of the sample reports with agency and year changed (10 years × as many agencies
as needed), so each is a report of its own with its own figures; every other one inline HTML, the
rest a PDF attachment.  The data are sample data (示例); the column is SIMULATED.  The tests
change a column the way portals do: :meth:`HostColumn.add` (a new report on page 1),
:meth:`HostColumn.remove` and :meth:`HostColumn.edit` (an old report, anywhere in the column).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from nianbao.crawler.mirror.server import Resource, content_type_for, site_key
from nianbao.crawler.registry import portal_from_entry
from tools.mirror.build import Column, File, http_date, report_article, snapshot_files
from tools.mirror.layouts import Layout
from tools.mirror.samples import SampleReport, Signature, load_reports

YEARS = 10  # a column of N reports: N / YEARS agencies, each with a report per year
LATEST_YEAR = 2024
DEPARTMENTS = ("人民政府办公室", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局", "财政局",
               "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水务局",
               "农业农村局", "商务局", "文化旅游广电局", "卫生健康委员会", "应急管理局", "审计局",
               "市场监督管理局", "统计局")
ROBOTS = b"User-agent: *\nDisallow: /admin/\n"
REGION = {"province": "宁夏回族自治区", "province_code": "640000", "city": "中卫市", "code": "640500"}


@dataclass(frozen=True)
class ColumnSize:
    reports: int  # per host
    page_size: int = 20

    def __str__(self) -> str:
        pages = math.ceil(self.reports / self.page_size)
        return f"{self.reports} reports per column, {self.page_size} per list page ({pages} pages) — simulated"


class PagedTrs(Layout):
    """The TRS layout with a fixed number of rows per list page."""

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size

    def pages(self, rows: list) -> list[list]:
        return [rows[i:i + self.page_size] for i in range(0, len(rows), self.page_size)] or [[]]


@dataclass
class SimColumn(Column):
    page_size: int = 20

    @property
    def layout(self) -> Layout:
        return PagedTrs(self.page_size)


@dataclass
class HostColumn:
    """One simulated host's column: its reports in list order (newest first), rendered to the files it serves."""

    host: str
    index: int
    size: ColumnSize
    reports: list[SampleReport] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # report id -> html / pdf, fixed at creation
    files: dict[str, File] = field(default_factory=dict)

    def __post_init__(self) -> None:
        agencies = max(1, math.ceil(self.size.reports / YEARS))
        made = [self._variant(LATEST_YEAR - k // agencies, k % agencies, k) for k in range(self.size.reports)]
        self.reports = sorted(made, key=lambda r: r.published, reverse=True)  # as the list shows them
        self._render()

    @property
    def portal_id(self) -> str:
        return f"column-s{self.index:03d}"

    @property
    def start_url(self) -> str:
        return f"http://{self.host}/xxgk/zfxxgknb/index.html"

    def registry_entry(self) -> dict:
        return {"id": self.portal_id, "name": f"示例市人民政府（模拟栏目 {self.index}）", "site": self.host,
                "region": REGION, "level": "city", "family": "trs", "start_urls": [self.start_url]}

    def url_of(self, position: int) -> str:
        """The article URL of the report at ``position`` in the column (0: the newest, on page 1)."""
        return self._column().article_url(self.reports[position].title, self.reports[position].published)

    def add(self) -> str:
        """A new report (next year's, of the first agency) at the top of page 1; its URL."""
        newest = self.reports[0]
        self.reports.insert(0, self._variant(newest.year + 1, 0, len(self.formats)))
        self._render()
        return self.url_of(0)

    def remove(self, position: int) -> str:
        """The report at ``position`` leaves the column and its URL answers 404; its URL."""
        url = self.url_of(position)
        del self.reports[position]
        self._render()
        return url

    def edit(self, position: int) -> str:
        """A figure and a paragraph of the report at ``position`` corrected, as tools/mirror's snapshot 2 does."""
        url = self.url_of(position)
        edited = copy.deepcopy(self.reports[position])
        key = next(k for k, v in sorted(edited.figures.items()) if isinstance(v, int) and v > 0)
        edited.figures[key] += 1
        section = next(s for s in edited.sections if s.paragraphs)
        section.paragraphs[0] += "（本报告部分数据已于发布后更正。）"
        self.reports[position] = edited
        self._render()
        return url

    def resource(self, url: str) -> Resource | None:
        if urlsplit(url).path == "/robots.txt":
            return Resource(ROBOTS, "text/plain", http_date("2025-01-01"))
        found = self.files.get(site_key(url))
        if found is None:
            return None
        return Resource(found.body, found.content_type or content_type_for(url), found.last_modified)

    def _variant(self, year: int, agency_no: int, serial: int) -> SampleReport:
        sample = SAMPLES[serial % len(SAMPLES)]
        agency = f"示例市{DEPARTMENTS[agency_no % len(DEPARTMENTS)]}" + (f"（{agency_no // len(DEPARTMENTS) + 1}）"
                                                                         if agency_no >= len(DEPARTMENTS) else "")
        day = 10 + agency_no % 20
        report = replace(copy.deepcopy(sample), id=f"{self.portal_id}-{serial}", agency=agency, year=year,
                         published=f"{year + 1}-01-{day:02d}", title=f"{agency}{year}年政府信息公开工作年度报告",
                         signature=Signature(agency, f"{year + 1}年1月{day}日"))
        self.formats[report.id] = ("html", "pdf")[serial % 2]
        return report

    def _column(self) -> SimColumn:
        return SimColumn(portal_from_entry(self.registry_entry()), page_size=self.size.page_size)

    def _render(self) -> None:
        column = self._column()
        column.articles = [report_article(column, r, self.formats[r.id]) for r in self.reports]
        urls = [a.url for a in column.articles]
        if len(set(urls)) != len(urls):
            raise ValueError(f"{self.host}: two simulated reports share an article URL")
        self.files = snapshot_files([column], 1)


SAMPLES = [r for r in load_reports() if r.portal and not r.file]  # the sample reports nianbao renders itself


class LongColumns:
    """The columns of every simulated host, answering like a mirror snapshot (``resource``)."""

    def __init__(self, hosts: list[str], size: ColumnSize) -> None:
        self.size = size
        self.columns = {host: HostColumn(host, n, size) for n, host in enumerate(hosts)}

    def resource(self, url: str) -> Resource | None:
        column = self.columns.get(urlsplit(url).hostname or "")
        return column.resource(url) if column else None

    def registry_entries(self) -> list[dict]:
        return [column.registry_entry() for column in self.columns.values()]
