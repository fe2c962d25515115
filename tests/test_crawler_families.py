"""Each CMS family on saved real artefacts (tests/fixtures/portals, provenance in its README.md),
wrapped as Scrapy responses and passed through the spider's own callbacks: the report links,
further list requests (pages, XHR answers) and metadata they yield.

No raw HTML of a report article of these portals exists in the evidence (shared/portals/README.md
§9): article reading is tested on the text renderings here and on the mirror's pages elsewhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import scrapy
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from nianbao.crawler.families import pagers
from nianbao.crawler.families.article import meta_pairs
from nianbao.crawler.families.links import Link, column_root, is_article_url, is_sub_column
from nianbao.crawler.registry import DEFAULTS_PATH, REGISTRY_PATH, load_registry
from nianbao.crawler.spiders.portal import PortalSpider

FIXTURES = Path(__file__).parent / "fixtures" / "portals"
MANIFEST = json.loads((Path(__file__).parents[1].parent / "shared" / "portals" / "MANIFEST.json").read_text(
    encoding="utf-8")) if (Path(__file__).parents[1].parent / "shared" / "portals").is_dir() else []
YZQ = "http://www.yzq.gov.cn/zwgk/zwdt/zwyw/index.html"  # the page's own URL is not saved: path inferred from its links
DINGXI = "http://zwgk.dingxi.gov.cn/col/col12377/index.html"
NANTONG = "http://www.ntzfcg.gov.cn/col/col31685/index.html"  # host inferred; ids are the artefact's
ZHAOQING = "https://www.zhaoqing.gov.cn/zqhjj/gkmlpt/index"
ENTRY = "region: {province: P, province_code: '440000', code: '441200'}, level: city"
ANY_TITLE = "report_title: '.', skip_title: ''"  # to see every row the family reads, not only reports
REGISTRY = f"""portals:
  - {{id: yzq, name: 袁州区, site: www.yzq.gov.cn, {ENTRY}, family: trs, start_urls: ['{YZQ}'], {ANY_TITLE}}}
  - {{id: yzq-reports, name: 袁州区, site: www.yzq.gov.cn, {ENTRY}, family: trs, start_urls: ['{YZQ}']}}
  - {{id: dingxi, name: 定西市, site: zwgk.dingxi.gov.cn, {ENTRY}, family: hanweb-jcms, start_urls: ['{DINGXI}'],
     column_id: '12377', unit_id: '38486', web_id: '110', {ANY_TITLE}}}
  - {{id: dingxi-reports, name: 定西市, site: zwgk.dingxi.gov.cn, {ENTRY}, family: hanweb-jcms, start_urls: ['{DINGXI}'],
     column_id: '12377', unit_id: '38486', web_id: '110'}}
  - {{id: nantong, name: 南通, site: www.ntzfcg.gov.cn, {ENTRY}, family: hanweb-jcms, start_urls: ['{NANTONG}'],
     column_id: '31685', unit_id: '80325', web_id: '60', group: 25, {ANY_TITLE}}}
  - {{id: zhaoqing, name: 肇庆, site: www.zhaoqing.gov.cn, {ENTRY}, family: gkmlpt, start_urls: ['{ZHAOQING}'],
     sid: '758019', category: '21023', {ANY_TITLE}}}
  - {{id: zhaoqing-reports, name: 肇庆, site: www.zhaoqing.gov.cn, {ENTRY}, family: gkmlpt, start_urls: ['{ZHAOQING}'],
     sid: '758019', category: '21023'}}
"""


@pytest.fixture(scope="module")
def spider(tmp_path_factory: pytest.TempPathFactory) -> PortalSpider:
    path = tmp_path_factory.mktemp("registry") / "portals.yml"
    path.write_text(REGISTRY, encoding="utf-8")
    return PortalSpider.from_crawler(get_crawler(PortalSpider, {"NIANBAO_REGISTRY": str(path)}))


def through_parse_list(spider: PortalSpider, portal_id: str, request: scrapy.Request, body: bytes,
                       content_type: str = "text/html; charset=utf-8") -> tuple[list[scrapy.Request], list[scrapy.Request]]:
    """The answer to ``request`` through ``PortalSpider.parse_list``: (article requests, list requests)."""
    portal = next(p for p in spider.portals if p.id == portal_id)
    request = spider._list_request(request, portal)
    response = TextResponse(request.url, body=body, headers={"Content-Type": content_type}, request=request)
    out = list(spider.parse_list(response, **request.cb_kwargs))
    assert all(r.meta["cookiejar"] == portal_id for r in out)  # one cookie jar per portal
    return ([r for r in out if r.callback == spider.parse_article], [r for r in out if r.callback == spider.parse_list])


def portal(spider: PortalSpider, portal_id: str):
    return next(p for p in spider.portals if p.id == portal_id)


def test_trs_list_page_with_a_create_page_html_pager(spider):
    """袁州区's saved 政务要闻 list: 25 t-date rows in a table, createPageHTML(120, 0, "index", "html")."""
    body = (FIXTURES / "trs" / "yzq_zwyw_index_list_createPageHTML.github-38978784925.extracted.html").read_bytes()
    articles, lists = through_parse_list(spider, "yzq", scrapy.Request(YZQ), body)
    folder = YZQ.removesuffix("index.html")
    assert len(articles) == 25
    assert articles[0].url == folder + "201710/t20171020_398361.html"
    assert articles[0].cb_kwargs["title"] == "袁州区财政局掀起学习贯彻省、市、区有关文件精神热潮"
    assert all(re.search(r"/201710/t201710\d\d_\d+\.html$", a.url) for a in articles)
    assert [r.url for r in lists] == [f"{folder}index_{n}.html" for n in range(1, 120)]
    # The same page for the real title test: news, not reports; the pages are still followed.
    articles, lists = through_parse_list(spider, "yzq-reports", scrapy.Request(YZQ), body)
    assert articles == [] and len(lists) == 119


def test_trs_pager_script_itself_is_not_a_pager_call():
    script = (FIXTURES / "trs" / "trs_createPageHTML_pager_script_guoyl2008.github-33650809961.js").read_text(encoding="utf-8")
    assert pagers.next_pages(script, YZQ) == []
    assert pagers.next_pages(script + '\ncreatePageHTML(3, 0, "index", "html");', YZQ) == [
        YZQ.replace("index.html", "index_1.html"), YZQ.replace("index.html", "index_2.html")]


def test_trs_site_search_request_is_the_real_body(spider):
    """The POST /irs/front/search body has the fields of the real requests, in their order."""
    real = json.loads((FIXTURES / "trs-ningxia" / "nxzw_irs_front_search_POST_body.github-43403893136.excerpt.json")
                      .read_text(encoding="utf-8"))
    family = load_registry(REGISTRY_PATH)["nxzw"].family
    request = family.search_request("http://www.nxzw.gov.cn/", 1)
    sent = json.loads(request.body)
    assert request.method == "POST" and request.url == "http://www.nxzw.gov.cn/irs/front/search"
    assert request.headers["Content-Type"] == b"application/json"
    assert list(sent) == list(real)
    assert {k: sent[k] for k in ("tenantId", "tenantIds", "configTenantId", "dataTypeId", "searchBy")} == {
        k: real[k] for k in ("tenantId", "tenantIds", "configTenantId", "dataTypeId", "searchBy")}


def test_hanweb_jcms_dataproxy_answer(spider):
    """定西's real dataproxy.jsp answer: 45 <record> rows, the next group asked for by POST."""
    body = (FIXTURES / "hanweb-jcms" / "dingxi_jpage_dataproxy_datastore_sample.extracted.xml").read_bytes()
    family = portal(spider, "dingxi").family
    first = family.proxy_request(DINGXI, family.ids(""), 1)
    articles, lists = through_parse_list(spider, "dingxi", first, body, "text/xml;charset=UTF-8")
    assert len(articles) == 45
    assert articles[0].url == "http://zwgk.dingxi.gov.cn/art/2022/1/20/art_12377_1486865.html"
    assert "http://zwgk.dingxi.gov.cn/art/2021/11/4/art_12480_1461862.html" in [a.url for a in articles]
    assert articles[2].cb_kwargs["title"] == "2021年度政府网站年度工作报表"
    (more,) = lists
    assert more.method == "POST" and more.url.endswith("/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15")
    assert {"columnid=12377", "unitid=38486", "webid=110"} <= set(more.body.decode().split("&"))
    # None of the 45 real titles is a report (not even 2021年度政府网站年度工作报表).
    articles, _ = through_parse_list(spider, "dingxi-reports", first, body, "text/xml;charset=UTF-8")
    assert articles == []


def test_hanweb_jcms_older_table_row_answer(spider):
    """南通's older jquery/jpage answer: <tr> rows in the records (kept in the artefact as # comments)."""
    text = (FIXTURES / "hanweb-jcms" / "nantong_jquery_jpage_dataproxy_tablerows_sample.github-38433727683.commented-excerpt.txt"
            ).read_text(encoding="utf-8")
    body = "\n".join(line.removeprefix("# ") for line in text.splitlines() if line.startswith("#")).encode()
    family = portal(spider, "nantong").family
    articles, lists = through_parse_list(spider, "nantong", family.proxy_request(NANTONG, family.ids(""), 1), body)
    assert len(articles) == 25
    assert articles[0].url == "http://www.ntzfcg.gov.cn/art/2017/4/24/art_31685_2451995.html"
    assert articles[0].cb_kwargs["title"] == "南通市公安局交警支队空调设备询价2017XJ3018"
    assert len(lists) == 1 and "startrecord=26" in lists[0].url


def test_gkmlpt_api_answer(spider):
    """The gkmlpt /api/all answer as a developer wrote it down (comments and the elision removed)."""
    doc = (FIXTURES / "gkmlpt" / "zhaoqing_gkmlpt_api_all_response_shape.DOC-EXCERPT.github-56564168652.md").read_text(
        encoding="utf-8")
    answer = re.sub(r"\s*(?<!:)//[^\n]*", "", doc.split("```json", 1)[1].split("```", 1)[0])  # not https://
    family = portal(spider, "zhaoqing").family
    (first,) = family.start_requests(portal(spider, "zhaoqing"))
    assert first.url == "https://www.zhaoqing.gov.cn/zqhjj/gkmlpt/api/all/21023?page=1&sid=758019"
    articles, lists = through_parse_list(spider, "zhaoqing", first, answer.encode(), "application/json")
    assert [a.url for a in articles] == ["https://www.zhaoqing.gov.cn/zqhjj/gkmlpt/content/3/3255/post_3255421.html"]
    assert [r.url for r in lists] == ["https://www.zhaoqing.gov.cn/zqhjj/gkmlpt/api/all/21023?page=2&sid=758019"]
    articles, _ = through_parse_list(spider, "zhaoqing-reports", first, answer.encode(), "application/json")
    assert articles == []  # a 受理公告 is not a report


def test_metadata_runs_of_real_pages():
    labels = tuple(__import__("yaml").safe_load(DEFAULTS_PATH.read_text(encoding="utf-8"))["defaults"]["meta_labels"])
    baiyin = (FIXTURES / "hanweb-jpaas" / "baiyinqu_art_2026_bdc65e60_report_with_metadata.pages.txt").read_text(
        encoding="utf-8")
    assert meta_pairs(baiyin[:400], labels) == {
        "索引号": "234234234444444444/2026-206221", "生成日期": "2026-01-29", "所属机构": "白银区",
        "信息来源": "白银区人民政府", "发布时间": "2026-01-29 15:56"}
    dengfeng = (FIXTURES / "zhengzhou-public" / "THIRD-PARTY-MIRROR_henan.kjzch.com_dengfeng_2020_report.pages.txt"
                ).read_text(encoding="utf-8")
    assert meta_pairs(dengfeng[:300], labels) == {
        "索引号": "005303449/2021-00001", "发布机构": "登封市人民政府", "关键词": "公报公示",
        "成文日期": "2021-01-27", "发布日期": "2021-01-27"}


# Real report URLs of the evidence (MANIFEST.json), each with the column it sits in.
REPORT_URLS = {
    "https://www.yinchuan.gov.cn/xxgk/bmxxgkml/ycsszglj_38951/xxgknb_38953/202501/t20250123_4803329.html":
        "https://www.yinchuan.gov.cn/xxgk/bmxxgkml/ycsszglj_38951/",
    "https://www.cqyz.gov.cn/zwgk_229/zfxxgknan_ew/2020_504392/qzfbgs/202601/t20260129_15364021.html":
        "https://www.cqyz.gov.cn/zwgk_229/zfxxgknan_ew/",
    "https://www.cqstl.gov.cn/zwgk_171/zfxxgknb/qzfbm/qzfbgs/202601/t20260123_15350406.html":
        "https://www.cqstl.gov.cn/zwgk_171/zfxxgknb/",
    "https://public.zhengzhou.gov.cn/D41X/4779287.jhtml": None,
    "https://www.baiyinqu.gov.cn/ZFXXGKNB/2025n/bmdw/art/2026/art_bdc65e60f6a14413876d5f79de794e9a.html":
        "https://www.baiyinqu.gov.cn/ZFXXGKNB/",
    "https://www.lg.gov.cn/xxgk/xxgknb/qwgbm/content/post_12648970.html": None,
    "https://www.szlhq.gov.cn/bmxxgk/gafj/xxgkgz_124563/xxgkndbg_124564/content/post_11959097.html":
        "https://www.szlhq.gov.cn/bmxxgk/gafj/xxgkgz_124563/",
}


@pytest.mark.parametrize(("url", "column"), sorted(REPORT_URLS.items()))
def test_real_report_urls_are_articles_and_their_folders_sub_columns(url, column):
    assert is_article_url(url)
    if column:  # every folder between the column and the article is a sub-column to descend into
        folders = re.split(r"/(?:\d{6}|art|content)/", url.removeprefix(column))[0].split("/")  # up to the article's own folders
        assert folders, url
        for n in range(1, len(folders) + 1):
            folder = column + "/".join(folders[:n]) + "/"
            assert is_sub_column(Link(folder, ""), (column_root(column),)), folder


def test_manifest_urls_are_the_ones_tested():
    urls = {e["url"].replace("http://", "https://").replace("//yinchuan", "//www.yinchuan") for e in MANIFEST
            if e.get("url") and "THIRD-PARTY" not in e["file"] and ("/t20" in e["url"] or "post_" in e["url"]
                                                                      or "/art/" in e["url"] or ".jhtml" in e["url"])}
    assert urls, "shared/portals/MANIFEST.json is read"
    assert all(is_article_url(u) for u in urls)
