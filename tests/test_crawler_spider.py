"""The spider's page reading on small real-shaped pages: JS pagers, metadata cells and runs, attachment links.

The same reading on saved real pages is in test_crawler_families.py."""

from __future__ import annotations

import pytest
from parsel import Selector

from nianbao.crawler.families import pagers
from nianbao.crawler.families.article import attachment_urls, label_cells, meta_pairs, meta_tags
from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH, load_registry

REGISTRY = load_registry(SAMPLE_REGISTRY_PATH)
LIST = "http://www.nxzw.gov.cn/zwgk/zfxxgkzl/zfxxgknb/"


@pytest.mark.parametrize(
    ("script", "url", "expected"),
    [
        ('createPageHTML(3, 0, "index", "html");', "index.html", ["index_1.html", "index_2.html"]),
        ("createPageHTML(3, 1, 'index', 'html');", "index_1.html", []),  # later pages add nothing
        ('createPageHTML(2, 0, "list", "html");', "list.html", ["list_1.html"]),  # 隆德 and sister sites
        ("createPage(3, 0, \"index\", \"html\");", "index.html", ["index_1.html", "index_2.html"]),  # 重庆
        ("createPageHTML(45, 3, 0, \"index\", \"html\");", "index.html", ["index_1.html", "index_2.html"]),  # records first
        ("{createPageHTML('page_div',3, 1,'list_zw_wj','shtml',278);}", "list_zw_wj.shtml",
         ["list_zw_wj_2.shtml", "list_zw_wj_3.shtml"]),  # 6-argument page_div, 1-based
        ('var countPage = 3;//共多少页\nvar currentPage = 0;\ncreatePageHTML(countPage, currentPage, "index", "html");',
         "index.html", ["index_1.html", "index_2.html"]),  # variables instead of literals
        ("function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}", "index.html", []),  # the definition
    ],
)
def test_js_pagers(script, url, expected):
    assert pagers.next_pages(script, LIST + url) == [LIST + e for e in expected]


def test_multi_page_article():
    article = LIST + "202101/t20210129_1.html"
    assert pagers.article_pages('createPageHTML(3, 0, "t20210129_1", "html");', article) == [
        LIST + "202101/t20210129_1_1.html", LIST + "202101/t20210129_1_2.html"]
    assert pagers.article_pages("var currentPage = 0;//所在页从0开始\nvar countPage = 2//共多少页", article) == [
        LIST + "202101/t20210129_1_1.html"]
    assert pagers.article_pages("var x = 1;", article) == []


def test_meta_runs_with_spaced_labels_full_width_colons_and_an_empty_value():
    labels = REGISTRY["nxld"].meta_labels
    block = "索 引 号：640423/2021-00012 发布机构：隆德县人民政府 文　　号： 标题： 某某 发文日期:2021-01-27"
    assert meta_pairs(block, labels) == {"索引号": "640423/2021-00012", "发布机构": "隆德县人民政府",
                                         "发文日期": "2021-01-27", "标题": "某某"}


def test_meta_cells_with_or_without_colons_and_meta_tags():
    page = Selector(text="""<html><head><meta name="ArticleTitle" content="某区2025年政府信息公开工作年度报告">
      <meta name="pubdate" content="2026-01-29 15:56"><meta name="ContentSource" content="某区人民政府"></head><body>
      <table><tr><th>发文字号</th><td>某政办〔2026〕1号</td><th>所属机构</th><td>某区人民政府办公室</td></tr>
      <tr><td>生成日期：</td><td>2026-01-29</td><td>发文时间</td><td></td></tr></table>
      <dl><dt>索 引 号：</dt><dd>11640100/2026-00001</dd></dl><p>正文里的发布机构：不是元数据</p></body></html>""")
    labels = REGISTRY["nxzw"].meta_labels + ("发文字号",)
    assert meta_tags(page) == {"ArticleTitle": "某区2025年政府信息公开工作年度报告", "PubDate": "2026-01-29 15:56",
                               "ContentSource": "某区人民政府"}
    assert label_cells(page, labels) == {"发文字号": "某政办〔2026〕1号", "所属机构": "某区人民政府办公室",
                                         "生成日期": "2026-01-29", "索引号": "11640100/2026-00001"}


def test_attachments_in_the_body_in_a_related_block_and_download_links_not_in_the_footer():
    portal = REGISTRY["nxzw"]
    page = Selector(text="""
      <div class="TRS_Editor">
        <a href="./P020210129123.pdf">附件1</a>
        <a href="/download.jhtml?id=7">2020年年报.DOCX</a>
        <a href="./P020210129123.pdf">同一附件</a>
        <a href="../202101/t20210101_1.html">相关链接</a>
        <a href="report.wps">wps</a>
      </div>
      <div class="fj"><span>相关附件：</span><a href="./W020210129555.pdf">年报全文</a></div>
      <a href="/module/download/downfile.jsp?classid=0&amp;filename=ab12.pdf">下载</a>
      <a href="/elsewhere.pdf">页脚里的说明.pdf</a>""")
    url = LIST + "202101/t20210129_1.html"
    found = attachment_urls(page, url, portal.family.body, portal.attachment_extensions, portal.attachment_text)
    assert found == [
        LIST + "202101/P020210129123.pdf",
        "http://www.nxzw.gov.cn/download.jhtml?id=7",
        LIST + "202101/report.wps",
        LIST + "202101/W020210129555.pdf",
        "http://www.nxzw.gov.cn/module/download/downfile.jsp?classid=0&filename=ab12.pdf",
    ]
