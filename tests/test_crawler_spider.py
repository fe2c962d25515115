"""The spider's page reading on small real-shaped pages: pagination, metadata block, attachment links."""

from __future__ import annotations

from parsel import Selector

from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH, load_registry
from nianbao.crawler.spiders.portal import attachment_urls, meta_pairs, next_list_pages

REGISTRY = load_registry(SAMPLE_REGISTRY_PATH)
LIST = "http://www.nxzw.gov.cn/zwgk/zfxxgkzl/zfxxgknb/"


def test_trs_create_page_html_enumerates_pages_from_the_first_page_only():
    first = Selector(text='<script>createPageHTML(3, 0, "index", "html");</script>')
    later = Selector(text="<script>createPageHTML(3, 1, 'index', 'html');</script>")
    assert next_list_pages(REGISTRY["nxzw"], first, LIST + "index.html") == [
        LIST + "index_1.html", LIST + "index_2.html"]
    assert next_list_pages(REGISTRY["nxzw"], later, LIST + "index_1.html") == []


def test_next_link_pagination():
    page = Selector(text='<div class="page"><a href="list.html">首页</a><a href="list_2.html"> 下一页 </a></div>')
    url = "http://www.nxld.gov.cn/xxgk/zfxxgkml/zfxxgknb/list_1.html"
    assert next_list_pages(REGISTRY["nxld"], page, url) == ["http://www.nxld.gov.cn/xxgk/zfxxgkml/zfxxgknb/list_2.html"]
    last = Selector(text='<div class="page"><a href="list.html">首页</a></div>')
    assert next_list_pages(REGISTRY["nxld"], last, url) == []


def test_meta_block_with_spaced_labels_full_width_colons_and_an_empty_value():
    labels = REGISTRY["nxld"].meta_labels
    block = "索 引 号：640423/2021-00012 发布机构：隆德县人民政府 文　　号： 标题： 某某 发文日期:2021-01-27"
    assert meta_pairs(block, labels) == {"索引号": "640423/2021-00012", "发布机构": "隆德县人民政府",
                                         "发文日期": "2021-01-27"}


def test_attachments_by_extension_or_link_text_in_the_body_only():
    page = Selector(text="""
      <div class="TRS_Editor">
        <a href="./P020210129123.pdf">附件1</a>
        <a href="/download.jhtml?id=7">2020年年报.DOCX</a>
        <a href="./P020210129123.pdf">同一附件</a>
        <a href="../202101/t20210101_1.html">相关链接</a>
        <a href="report.wps">wps</a>
      </div>
      <a href="/elsewhere.pdf">页脚里的说明.pdf</a>""")
    url = LIST + "202101/t20210129_1.html"
    assert attachment_urls(REGISTRY["nxzw"], page, url) == [
        LIST + "202101/P020210129123.pdf",
        "http://www.nxzw.gov.cn/download.jhtml?id=7",
        LIST + "202101/report.wps",
    ]
