"""How each CMS family's pages are laid out in the sample mirror, after the real artefacts.

One layout per family (and per site style): where list pages, articles and attachments live, and
which list answers a column serves — HTML pages with a JS pager, a Hanweb jcms column page with an
embedded ``<datastore>`` plus the ``dataproxy.jsp`` XML answers (POST), a jpaas column page plus the
``build/unit`` JSON answers, a gkmlpt index plus ``/gkmlpt/api/all/…`` JSON, or year sub-columns
with 下一页 links.  The shapes and what they rest on are in shared/portals/README.md and in the
family modules of crawler/families/.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from nianbao.crawler.families import gkmlpt, hanweb_jcms, hanweb_jpaas

if TYPE_CHECKING:
    from tools.mirror.build import Article, Column

Render = Any  # (template, url, **context) -> str


@dataclass(frozen=True)
class Served:
    """One list answer of a column: its URL, body and type, and the POST fields it requires."""

    url: str
    body: str
    content_type: str | None = None
    form: dict[str, str] | None = None


def pages_of(rows: list[Article]) -> list[list[Article]]:
    """Rows split over two pages (so every family's paging is exercised), one page when there is one row."""
    size = max(1, math.ceil(len(rows) / 2))
    return [rows[i:i + size] for i in range(0, len(rows), size)] or [[]]


def digest(text: str, n: int = 32) -> str:
    return hashlib.md5(text.encode()).hexdigest()[:n]


class Layout:
    """TRS WCM (index.html, index_N.html, createPageHTML(pages, cur, "index", "html"), ./YYYYMM/t….html)."""

    list_template = "trs_list.html"
    article_template = "trs_article.html"
    charset = "utf-8"
    page_name = "index"

    def list_url(self, column: Column, page: int) -> str:
        return urljoin(column.start_url, f"{self.page_name}.html" if page == 0 else f"{self.page_name}_{page}.html")

    def article_url(self, column: Column, doc_id: int, published: str) -> str:
        day = published.replace("-", "")
        return urljoin(column.start_url, f"{day[:6]}/t{day}_{doc_id}.html")

    def attachment_url(self, column: Column, article: Article, n: int, extension: str) -> str:
        return urljoin(article.url, f"P0{article.published.replace('-', '')}{article.doc_id}{n}.{extension}")

    def pages(self, rows: list[Article]) -> list[list[Article]]:
        return pages_of(rows)

    def lists(self, column: Column, rows: list[Article], render: Render) -> list[Served]:
        pages = self.pages(rows)
        served = []
        for page, chunk in enumerate(pages):
            url = self.list_url(column, page)
            served.append(Served(url, render(self.list_template, url, page=page, pages=len(pages),
                                             page_name=self.page_name, rows=[column.list_row(a, url) for a in chunk])))
        return served


class NingxiaCounty(Layout):
    """隆德 and its sister sites: list.html / list_N.html, rows div.xxgk_wrap ul > li, createPageHTML(n, cur, "list", "html")."""

    list_template = "county_list.html"
    article_template = "county_article.html"
    charset = "gbk"
    page_name = "list"


class ZzPublic(Layout):
    """郑州 public platform: /?a=dir&h=1&p=<code>&page=N lists, ul.page-list > a rows, /<code>/<id>.jhtml articles."""

    list_template = "public_list.html"
    article_template = "public_article.html"

    def list_url(self, column: Column, page: int) -> str:
        return column.start_url if page == 0 else f"{column.start_url}&page={page + 1}"

    def article_url(self, column: Column, doc_id: int, published: str) -> str:
        code = column.start_url.rsplit("p=", 1)[1].split("&")[0]
        return urljoin(column.start_url, f"/{code}/{doc_id}.jhtml")

    def attachment_url(self, column: Column, article: Article, n: int, extension: str) -> str:
        day = article.published.replace("-", "")
        return urljoin(article.url, f"/attachment/{day}/{digest(f'{article.url}#{n}', 20)}.{extension}")


class HanwebJcms(Layout):
    """大汉 jcms: /col/colN/index.html embeds the first records; the rest by POST to dataproxy.jsp."""

    list_template = "jcms_column.html"
    article_template = "jcms_article.html"
    ids = {"columnid": "12377", "unitid": "38486", "webid": "110"}  # written into the column page, read back by the family

    def article_url(self, column: Column, doc_id: int, published: str) -> str:
        year, month, day = (int(p) for p in published.split("-"))
        return urljoin(column.start_url, f"/art/{year}/{month}/{day}/art_{self.ids['columnid']}_{doc_id}.html")

    def attachment_url(self, column: Column, article: Article, n: int, extension: str) -> str:
        return urljoin(article.url, f"/module/download/downfile.jsp?classid=0&filename={digest(f'{article.url}#{n}')}.{extension}")

    def lists(self, column: Column, rows: list[Article], render: Render) -> list[Served]:
        family, ids = column.portal.family, self.ids
        assert isinstance(family, hanweb_jcms.HanwebJcms)
        records = [render("jcms_record.html", column.start_url, row=column.list_row(a, column.start_url)) for a in rows]
        served = [Served(column.start_url, render(self.list_template, column.start_url, ids=ids, total=len(rows),
                                                  datastore=datastore(records[:family.group], ids, column)))]
        for start in range(family.group + 1, len(rows) + 1, family.group):
            request = family.proxy_request(column.start_url, ids, start)
            served.append(Served(request.url, datastore(records[start - 1:start - 1 + family.group], ids, column),
                                 "text/xml;charset=UTF-8", form=ids))
        return served


def datastore(records: list[str], ids: dict[str, str], column: Column) -> str:
    """The jpage XML as the real 定西 answer has it: nextgroup link, then one CDATA record per row."""
    query = f"page=1&appid=1&appid=1&webid={ids['webid']}&path=/&columnid={ids['columnid']}&unitid={ids['unitid']}"
    rows = "".join(f"\n<record><![CDATA[\n{r}]]></record>" for r in records)
    return (f'<datastore>\n<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?{query}&permissiontype=0"></a>]]>'
            f"</nextgroup>\n<recordset>{rows}\n</recordset>\n</datastore>")


class HanwebJpaas(Layout):
    """Hanweb jpaas: a column page with queryData, lists as JSON from /api-gateway/…/front/page/build/unit."""

    list_template = "jpaas_column.html"
    article_template = "jpaas_article.html"
    ids = {"webId": "d5b9c9f1e6b74c0d9f6c1a9e1f2b3c4d", "tplSetId": "5c5ba7ad7e3a4f6b8a1d2c3e4f5a6b7c",
           "pageId": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "tagId": "栏目1板块"}

    def article_url(self, column: Column, doc_id: int, published: str) -> str:
        return urljoin(column.start_url, f"art/{published[:4]}/art_{digest(str(doc_id))}.html")

    def attachment_url(self, column: Column, article: Article, n: int, extension: str) -> str:
        return urljoin(article.url, f"/module/download/downfile.jsp?filename={digest(f'{article.url}#{n}')}.{extension}")

    def lists(self, column: Column, rows: list[Article], render: Render) -> list[Served]:
        family, ids = column.portal.family, self.ids
        assert isinstance(family, hanweb_jpaas.HanwebJpaas)
        served = [Served(column.start_url, render(self.list_template, column.start_url,
                                                  query_data=json.dumps(ids, ensure_ascii=False)))]
        # The real endpoint answers any pageSize: the sample portal's and the family's default are served.
        for size in sorted({family.page_size, hanweb_jpaas.HanwebJpaas().page_size}):
            sized = replace(family, page_size=size)
            for n, chunk in enumerate([rows[i:i + size] for i in range(0, len(rows), size)], start=1):
                url = sized.unit_request(column.start_url, ids, n).url
                html = render("jpaas_unit.html", url, count=len(rows), rows=[column.list_row(a, url) for a in chunk])
                served.append(Served(url, json.dumps({"success": True, "data": {"html": html}}, ensure_ascii=False),
                                     "application/json;charset=UTF-8"))
        return served


class Gkmlpt(Layout):
    """Guangdong gkmlpt: /gkmlpt/index with window._CONFIG (SID, TREE), JSON /gkmlpt/api/all/<cat>?page=&sid=."""

    list_template = "gkmlpt_index.html"
    article_template = "gkmlpt_article.html"
    sid, category, per_page = "755027", "2876", 2

    def article_url(self, column: Column, doc_id: int, published: str) -> str:
        return urljoin(column.start_url, f"/gkmlpt/content/{doc_id // 1000000}/{doc_id // 1000}/post_{doc_id}.html")

    def attachment_url(self, column: Column, article: Article, n: int, extension: str) -> str:
        doc_id = article.doc_id
        return urljoin(article.url, f"/attachment/0/{doc_id // 1000000}/{doc_id // 1000}/{doc_id}{n}.{extension}")

    def lists(self, column: Column, rows: list[Article], render: Render) -> list[Served]:
        family = column.portal.family
        assert isinstance(family, gkmlpt.Gkmlpt)
        served = [Served(column.start_url, render(self.list_template, column.start_url, sid=self.sid,
                                                  category=self.category))]
        for page in range(math.ceil(len(rows) / self.per_page)):
            chunk = rows[page * self.per_page:(page + 1) * self.per_page]
            url = family.api_request(column.start_url, self.category, self.sid, page + 1).url
            body = {"classify": {"id": int(self.category), "name": "政府信息公开年报", "post_count": len(rows)},
                    "articles": [{"id": a.doc_id, "title": a.title, "publisher": a.agency, "url": a.url,
                                  "identifier": a.index_no, "date": 0} for a in chunk]}
            served.append(Served(url, json.dumps(body, ensure_ascii=False), "application/json"))
        return served


class Generic(Layout):
    """An unknown CMS: a column of year sub-columns (2022n/, 2021n_5714/), each a list with 下一页 links."""

    list_template = "generic_list.html"
    article_template = "generic_article.html"

    def folder(self, column: Column, year: str) -> str:
        return urljoin(column.start_url, f"{year}n/" if year != "2021" else f"{year}n_5714/")

    def article_url(self, column: Column, doc_id: int, published: str) -> str:
        return urljoin(self.folder(column, published[:4]), f"{doc_id}.html")

    def attachment_url(self, column: Column, article: Article, n: int, extension: str) -> str:
        return urljoin(article.url, f"files/{article.doc_id}_{n}.{extension}")

    def lists(self, column: Column, rows: list[Article], render: Render) -> list[Served]:
        years = sorted({a.published[:4] for a in rows}, reverse=True)
        served = [Served(column.start_url, render(self.list_template, column.start_url, rows=[], pages=1, page=0,
                                                  sub_columns=[(f"{y}年", self.folder(column, y)) for y in years]))]
        for year in years:
            chunks = pages_of([a for a in rows if a.published.startswith(year)])
            for page, chunk in enumerate(chunks):
                url = urljoin(self.folder(column, year), "index.html" if page == 0 else f"index_{page}.html")
                served.append(Served(url, render(self.list_template, url, page=page, pages=len(chunks), sub_columns=[],
                                                 rows=[column.list_row(a, url) for a in chunk])))
        return served


LAYOUTS: dict[str, Layout] = {"trs": Layout(), "ningxia-county": NingxiaCounty(), "zz-public": ZzPublic(),
                              "hanweb-jcms": HanwebJcms(), "hanweb-jpaas": HanwebJpaas(), "gkmlpt": Gkmlpt(),
                              "generic": Generic()}
