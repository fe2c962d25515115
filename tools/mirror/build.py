"""Builds the sample portal mirror: ``site/1`` (full tree) and ``site/2`` (what changed since 1).

Each sample portal gets its 年报 column laid out the way its CMS family does it, after the real
artefacts (tools/mirror/layouts.py: TRS ``index_N.html`` + createPageHTML, the Ningxia county
``div.xxgk_wrap`` lists, 郑州 ``?a=dir…&page=N``, Hanweb jcms ``dataproxy.jsp`` XML by POST, jpaas
``build/unit`` JSON, gkmlpt ``/gkmlpt/api/all`` JSON, a generic site with year sub-columns), more
than one list answer where there are rows enough, report articles with the metadata block and breadcrumb, reports inline
(Word-exported HTML) or as PDF / DOCX attachments, and on purpose: GBK pages, a lying charset
header, non-report articles in the lists, a 404 attachment, and a report link under a path the
portal's robots.txt disallows.  Snapshot 2 edits one report (a figure and a paragraph) and removes
another (gone from its list, its URL 404s).

``python -m tools.mirror.build`` rewrites ``site/``; the result is committed.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from nianbao.crawler.mirror.server import SITE_DIR, content_type_for, site_key
from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH, Portal, load_registry
from tools.mirror.layouts import LAYOUTS, Layout
from tools.mirror.render import render_doc, render_docx, render_html, render_pdf
from tools.mirror.samples import SampleReport, load_reports

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
    keep_trailing_newline=True,
)
SNAPSHOT_DATES = {1: "2025-02-01", 2: "2025-06-01"}
RENDERERS = {"pdf": render_pdf, "docx": render_docx, "doc": render_doc}  # attachment formats
FORMATS = ("html", *RENDERERS)  # inline, or attachment; assigned in turn within a column
# Which column a report goes to when its portal has several (银川市: the office and a department).
AGENCY_COLUMNS = {"银川市市政管理局": "yinchuan-cgj", "银川市城市管理局": "yinchuan-cgj"}
# Reports shown on the sample portal of another CMS family, so that every family has reports: the
# real 洪泽区 PDFs on the Hanweb jcms sample, three sample reports on the jpaas, gkmlpt and generic ones.
REPORT_COLUMNS = {"hongze-2023": "hongze", "hongze-2024": "hongze", "sample-yinchuan-zrzy-2019": "yinchuan-zrzy",
                  "sample-yinchuan-2018": "gkmlpt-sample", "sample-yinchuan-2021": "generic-sample"}
# Sites laid out unlike the rest of their family (隆德's TRS county template).
SITE_LAYOUTS = {"nxld": "ningxia-county"}
# Reports served in a given format whatever their turn in the column: the demo keeps one Word 97 .doc,
# which the built-in reader parses with no office suite installed.
REPORT_FORMATS = {"sample-yinchuan-2022": "doc"}
# Columns whose list links reports of this format straight to the file, with no article page.
DIRECT_LINKS = {"nxld": "pdf"}
REAL_COPY_NOTE = ("说明：附件为江苏省淮安市洪泽区人民政府真实发布的政府信息公开工作年度报告原文件副本，"
                  "仅作为 nianbao 项目的样例，挂在本示例栏目下。")
DISCLOSURE_PATH = "/zfxxgk/index.html"  # each host's 政府信息公开 page
BLOCKED_PREFIX = "/preview/"  # disallowed in www.nxzw.gov.cn/robots.txt
ROBOTS = {
    "www.nxzw.gov.cn": f"User-agent: *\nDisallow: {BLOCKED_PREFIX}\n",
    "www.yinchuan.gov.cn": "User-agent: *\nDisallow:\n",
    "www.nxld.gov.cn": "User-agent: *\nDisallow: /admin/\n",
    # public.gongyishi.gov.cn has none: robots.txt answers 404, which means everything is allowed.
}


# Per-file Content-Type lies: the county CMS declares UTF-8 for its GBK pages in one column,
# the Zhengzhou platform declares GBK for UTF-8 pages.
LYING_CONTENT_TYPES = {"ningxia-county": "text/html; charset=utf-8", "zz-public": "text/html; charset=GBK"}


@dataclass
class Attachment:
    url: str
    name: str  # the link text
    body: bytes | None  # None: linked but missing (404)


@dataclass
class Article:
    kind: str  # "report", "other" (not a report, must be skipped) or "blocked" (robots.txt)
    title: str
    agency: str
    published: str  # YYYY-MM-DD
    url: str
    body: str  # the content fragment (HTML)
    report: SampleReport | None = None
    format: str = "html"
    attachments: list[Attachment] = field(default_factory=list)
    doc_no: str = ""
    file: bytes | None = None  # served at ``url`` instead of an article page (a list linking the file)

    @property
    def doc_id(self) -> int:
        return int(hashlib.sha1(self.title.encode()).hexdigest()[:8], 16) % 9_000_000 + 1_000_000

    @property
    def index_no(self) -> str:
        return f"{self.published[:4]}-{self.doc_id % 100000:05d}"


@dataclass
class Column:
    """One registry portal's 年报 column and what it lists."""

    portal: Portal
    articles: list[Article] = field(default_factory=list)

    @property
    def layout_name(self) -> str:
        return SITE_LAYOUTS.get(self.portal.id, self.portal.family.name)

    @property
    def layout(self) -> Layout:
        return LAYOUTS[self.layout_name]

    @property
    def start_url(self) -> str:
        return self.portal.start_urls[0]

    def list_url(self, page: int) -> str:
        return self.layout.list_url(self, page)

    def article_url(self, title: str, published: str) -> str:
        return self.layout.article_url(self, Article("", title, "", published, "", "").doc_id, published)

    def attachment_url(self, article: Article, n: int, extension: str) -> str:
        return self.layout.attachment_url(self, article, n, extension)

    def list_row(self, article: Article, list_url: str) -> dict[str, str]:
        """A list entry; links below the list's folder are written relative (./202101/t….html)."""
        folder = list_url.split("?", 1)[0].rsplit("/", 1)[0] + "/"
        href = "./" + article.url.removeprefix(folder) if article.url.startswith(folder) else relative(article.url)
        return {"href": href, "title": article.title, "published": article.published,
                "index_no": article.index_no, "agency": article.agency}


def build(site_dir: Path = SITE_DIR) -> dict[int, dict]:
    """Write both snapshots under ``site_dir``; returns their manifests."""
    registry = load_registry(SAMPLE_REGISTRY_PATH)
    reports = load_reports()
    one = snapshot_files(columns(registry, reports), 1)
    edited, removed = snapshot_two_changes(reports)
    two = snapshot_files(columns(registry, [edited if r.id == edited.id else r for r in reports
                                             if r.id != removed.id]), 2)
    shutil.rmtree(site_dir, ignore_errors=True)
    manifests = {1: write_snapshot(site_dir / "1", one, base=None), 2: write_snapshot(site_dir / "2", two, base=one)}
    manifests[2]["changes"] = {
        "edited": {"report": edited.id, "url": report_url(two, edited.id)},
        "removed": {"report": removed.id, "url": report_url(one, removed.id)},
    }
    for number, manifest in manifests.items():
        (site_dir / str(number) / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
    return manifests


def columns(registry: dict[str, Portal], reports: list[SampleReport]) -> list[Column]:
    cols = {pid: Column(portal) for pid, portal in registry.items()}
    for column in cols.values():
        hosted = [r for r in reports if column_id(r) == column.portal.id]
        for n, report in enumerate(sorted(hosted, key=lambda r: (r.published, r.id))):
            article = report_article(column, report, REPORT_FORMATS.get(report.id) or FORMATS[n % len(FORMATS)])
            if DIRECT_LINKS.get(column.portal.id) == article.format and article.attachments:
                article.url, article.file = article.attachments[0].url, article.attachments[0].body
                article.attachments = []
            column.articles.append(article)
        column.articles += other_articles(column)
    if cols["gongyi"].articles:  # a broken attachment link: linked from the page, 404 on the server
        first = cols["gongyi"].articles[0]
        first.attachments.append(Attachment(cols["gongyi"].attachment_url(first, 9, "pdf"),
                                             f"附件：{first.title}（盖章扫描件）.pdf", None))
        first.body += attachment_links(first.attachments[-1:])
    return list(cols.values())


def column_id(report: SampleReport) -> str:
    return REPORT_COLUMNS.get(report.id) or AGENCY_COLUMNS.get(report.agency) or str(report.portal)


def report_article(column: Column, report: SampleReport, fmt: str) -> Article:
    article = Article("report", report.title, report.agency, report.published,
                      column.article_url(report.title, report.published), "", report=report, format=fmt)
    if report.file_path:
        article.format = "pdf"
        article.body = f"<p>{REAL_COPY_NOTE}</p>\n"
        article.attachments = [Attachment(column.attachment_url(article, 1, "pdf"), f"{report.title}.pdf",
                                          report.file_path.read_bytes())]
    elif fmt == "html":
        article.body = render_html(report)
    else:
        article.body = f"<p>{report.agency}{report.year}年政府信息公开工作年度报告全文见附件。</p>\n"
        article.attachments = [Attachment(column.attachment_url(article, 1, fmt), f"{report.title}.{fmt}",
                                          rendered(report, fmt))]
    article.body += attachment_links(article.attachments)
    return article


_RENDERED: dict[tuple[str, str], bytes] = {}


def rendered(report: SampleReport, fmt: str) -> bytes:
    """Render once per report content: PDF/DOC writers stamp the time, and an unchanged report must
    have the same bytes in both snapshots."""
    key = (fmt, json.dumps(report.to_json(), sort_keys=True, ensure_ascii=False))
    if key not in _RENDERED:
        _RENDERED[key] = RENDERERS[fmt](report)
    return _RENDERED[key]


def attachment_links(attachments: list[Attachment]) -> str:
    """Links as the CMS writes them: relative for TRS (./P0….pdf), site-absolute elsewhere."""
    links = []
    for a in attachments:
        href = "./" + a.url.rsplit("/", 1)[1] if "/P0" in a.url else "/" + a.url.split("/", 3)[3]
        links.append(f'<p>附件：<a href="{href}">{a.name}</a></p>')
    return "\n".join(links) + "\n" if links else ""


def other_articles(column: Column) -> list[Article]:
    """Articles in the same column that are not reports (and, on 中卫, one robots.txt forbids)."""
    name, year = column.portal.name.split("（")[0], 2021
    titles = [f"{name}关于做好{year}年政务公开工作的通知",
              f"《{name}{year - 1}年政府信息公开工作年度报告》解读"]
    articles = [Article("other", t, name, f"{year}-03-1{n}", column.article_url(t, f"{year}-03-1{n}"),
                        f"<p>{t}。本文为示例数据。</p>\n") for n, t in enumerate(titles)]
    if column.portal.id == "nxzw":
        title = f"{name}{year}年政府信息公开工作年度报告（预览稿）"
        url = urljoin(column.start_url, f"{BLOCKED_PREFIX}t{year}0101_1.html")
        articles.append(Article("blocked", title, name, f"{year + 1}-01-01", url, "<p>预览稿，示例数据。</p>\n"))
    return articles


def snapshot_two_changes(reports: list[SampleReport]) -> tuple[SampleReport, SampleReport]:
    """Snapshot 2: the first 中卫 report gets a figure and a paragraph changed; the newest 巩义 report goes."""
    target = next(r for r in sorted(reports, key=lambda r: r.published) if r.portal == "nxzw" and not r.file)
    edited = copy.deepcopy(target)
    key = next(k for k, v in sorted(edited.figures.items()) if isinstance(v, int) and v > 0)
    edited.figures[key] += 1
    section = next(s for s in edited.sections if s.paragraphs)
    section.paragraphs[0] += "（本报告部分数据已于发布后更正。）"
    removed = max((r for r in reports if r.portal == "gongyi"), key=lambda r: r.published)
    return edited, removed


@dataclass(frozen=True)
class File:
    body: bytes
    last_modified: str
    content_type: str | None = None
    form: dict[str, str] | None = None  # an XHR answered to a POST carrying these fields


def snapshot_files(cols: list[Column], number: int) -> dict[str, File]:
    """Every file of one snapshot by site key, plus the list of reports for the manifest."""
    files: dict[str, File] = {}
    listed = http_date(SNAPSHOT_DATES[number])
    for host, robots in ROBOTS.items():
        files[f"{host}/robots.txt"] = File(robots.encode(), http_date(SNAPSHOT_DATES[1]))
    for column in cols:
        layout = column.layout
        rows = sorted(column.articles, key=lambda a: a.published, reverse=True)
        render = lambda template, url, c=column, **context: render_page(c, template, url, title=column_label(c), **context)  # noqa: E731
        for served in layout.lists(column, rows, render):
            files[site_key(served.url)] = File(served.body.encode("utf-8"), listed, served.content_type, served.form)
        for n, article in enumerate(column.articles):
            if article.file is not None:
                files[site_key(article.url)] = File(article.file, http_date(article.published))
                continue
            html = render_page(column, layout.article_template, article.url, title=article.title,
                               meta=meta(article), body=Markup(article.body))
            lie = LYING_CONTENT_TYPES.get(column.layout_name) if n == 0 else None
            files[site_key(article.url)] = File(html.encode(layout.charset, "xmlcharrefreplace"),
                                                http_date(article.published), lie)
            for a in article.attachments:
                if a.body is not None:
                    files[site_key(a.url)] = File(a.body, http_date(article.published), attachment_type(a.url))
    # For `nianbao discover`: a home page linking 政府信息公开, which links each 年报 column of the host.
    for host, hosted in group_by_host(cols).items():
        name = hosted[0].portal.name.split("（")[0]
        for url, columns in ((f"http://{host}/", []), (f"http://{host}{DISCLOSURE_PATH}",
                             [(c.portal.name.split("（")[0], relative(c.start_url)) for c in hosted])):
            html = render_page(hosted[0], "home.html", url, title=name, columns=columns, disclosure=DISCLOSURE_PATH)
            files[site_key(url)] = File(html.encode("utf-8"), listed)
    files["_reports"] = File(json.dumps(report_index(cols), ensure_ascii=False).encode(), listed)
    return files


def group_by_host(cols: list[Column]) -> dict[str, list[Column]]:
    hosts: dict[str, list[Column]] = {}
    for column in cols:
        hosts.setdefault(urlsplit(column.start_url).hostname or "", []).append(column)
    return hosts


def render_page(column: Column, template: str, url: str, **context: object) -> str:
    return TEMPLATES.get_template(template).render(
        site_name=column.portal.name.split("（")[0], column="政府信息公开年报", charset=charset_label(column),
        list_href=lambda page: relative(column.list_url(page)), **context
    )


def charset_label(column: Column) -> str:
    return "gb2312" if column.layout.charset == "gbk" else "utf-8"


def attachment_type(url: str) -> str | None:
    """Download URLs (downfile.jsp?…filename=x.pdf) say the file type only in their query."""
    return content_type_for("x." + url.rsplit(".", 1)[1]) if "?" in url else None


def column_label(column: Column) -> str:
    return f"{column.portal.name}政府信息公开年报"


def relative(url: str) -> str:
    """Site-absolute form of a URL (path and query), as most CMS links are written."""
    return "/" + url.split("/", 3)[3]


def meta(article: Article) -> dict[str, str]:
    return {"index_no": article.index_no, "agency": article.agency, "published": article.published,
            "doc_no": article.doc_no}


def report_index(cols: list[Column]) -> list[dict]:
    """What a complete crawl must find: every report article with its attachments."""
    return [
        {"report": a.report.id, "portal": c.portal.id, "title": a.title, "url": a.url, "format": a.format,
         "direct": a.file is not None,
         "attachments": [{"url": x.url, "status": 200 if x.body is not None else 404} for x in a.attachments]}
        for c in cols for a in c.articles if a.kind == "report" and a.report
    ] + [{"report": None, "portal": c.portal.id, "title": a.title, "url": a.url, "kind": a.kind}
         for c in cols for a in c.articles if a.kind != "report"]


def report_url(files: dict[str, File], report_id: str) -> str:
    index = json.loads(files["_reports"].body)
    return next(r["url"] for r in index if r["report"] == report_id)


def http_date(day: str) -> str:
    return format_datetime(datetime.combine(date.fromisoformat(day), time(), tzinfo=UTC), usegmt=True)


def write_snapshot(directory: Path, files: dict[str, File], base: dict[str, File] | None) -> dict:
    """Write the files (only those that differ from ``base``) and return the manifest."""
    manifest: dict = {"base": 1 if base else None, "last_modified": http_date(SNAPSHOT_DATES[1]), "files": {},
                      "articles": json.loads(files["_reports"].body)}
    for key, f in sorted(files.items()):
        if key == "_reports" or (base and key in base and base[key].body == f.body):
            continue
        path = directory / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f.body)
        entry = ({"last_modified": f.last_modified} | ({"content_type": f.content_type} if f.content_type else {})
                 | ({"form": f.form} if f.form else {}))
        manifest["files"][key] = entry
    for key in sorted(set(base or {}) - set(files)):
        manifest["files"][key] = {"status": 404}
    return manifest


if __name__ == "__main__":
    for number, manifest in build().items():
        print(f"snapshot {number}: {len(manifest['files'])} files, "
              f"{sum(1 for a in manifest['articles'] if a['report'])} reports")
