"""The HTTP cache's entries (crawler/cache.py), written in the crawl's writer thread and read back by
Scrapy's own filesystem storage code."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from nianbao.crawler.cache import ArchiveCacheStorage, write_entry
from nianbao.crawler.writer import crawl_writer

LIST_PAGE = "http://www.example.gov.cn/col/col123/index.html"


@pytest.fixture(params=[False, True], ids=["plain", "gzip"])
def storage(request, tmp_path: Path):
    crawler = get_crawler(Spider, {"NIANBAO_CACHE_DIR": str(tmp_path / "httpcache"), "HTTPCACHE_GZIP": request.param})
    spider = Spider.from_crawler(crawler, name="portal")
    cache = ArchiveCacheStorage(crawler.settings)
    cache.open_spider(spider)
    yield cache, spider
    crawl_writer(crawler).close()


def stored(cache: ArchiveCacheStorage, spider: Spider, body: bytes) -> None:
    response = HtmlResponse(LIST_PAGE, status=200, headers={"ETag": '"v1"'}, body=body)
    cache.store_response(spider, Request(LIST_PAGE), response)
    cache.writer.submit(lambda: None).result()  # the writer thread runs jobs in order: the entry is written


def test_an_entry_written_in_the_writer_thread_is_read_back_whole(storage):
    cache, spider = storage
    stored(cache, spider, "<ul><li>2023年政府信息公开工作年度报告</li></ul>".encode())
    response = cache.retrieve_response(spider, Request(LIST_PAGE))
    assert response is not None and response.status == 200 and response.headers["ETag"] == b'"v1"'
    assert "年度报告" in response.text


def test_an_entry_replaced_halfway_reads_as_missing_not_torn(storage):
    """As if the crawl were killed while rewriting the entry: the page is fetched again next time."""
    cache, spider = storage
    stored(cache, spider, b"<ul><li>old</li></ul>")
    folder = Path(cache._get_request_path(spider, Request(LIST_PAGE)))
    with pytest.raises(TypeError):
        write_entry(folder, {"response_headers": b"ETag: \"v2\"\r\n", "response_body": None})  # type: ignore[dict-item]
    assert cache.retrieve_response(spider, Request(LIST_PAGE)) is None
    assert not list(folder.glob("*.partial"))
