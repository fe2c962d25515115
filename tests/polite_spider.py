"""A spider crawling one loopback host while its reactor is kept busy (run by test_crawler_politeness).

Usage: python tests/polite_spider.py URL STALL HANDLER LOG — the shipped politeness settings (the
loopback guards off), ``polite`` (the shipped handler) or ``scrapy`` (Scrapy's own) as the http
handler, each noting in LOG when it hands a request to the network; every turn of the reactor
begins with a block of 0 to 2 x STALL seconds, as a broad crawl's callbacks for other hosts' pages do.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time

import scrapy
from scrapy import Request, signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.http import Response

from nianbao.crawler.politeness import PoliteHTTPHandler
from nianbao.crawler.run import crawl_settings


def note(crawler: Crawler, at: float) -> None:
    with open(crawler.settings["TEST_SEND_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{at}\n")


class LoggedPolite(PoliteHTTPHandler):
    def sent(self, host: str, path: str, at: float) -> None:
        note(self.crawler, at)


class LoggedScrapy(HTTP11DownloadHandler):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.crawler = crawler

    async def download_request(self, request: Request) -> Response:
        note(self.crawler, time.monotonic())
        return await super().download_request(request)


class BusySpider(scrapy.Spider):
    name = "busy"

    def __init__(self, url: str, stall: float) -> None:
        super().__init__()
        self.start_urls = [url]
        self.stall = stall
        self.running = True

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.keep_busy, signal=signals.spider_opened)
        return spider

    def keep_busy(self) -> None:
        """Block the reactor at the start of each of its turns (a callback that queues itself again),
        for 0 to 2 x STALL seconds: each request loses a different time on its way to the socket."""
        if self.running:
            time.sleep(random.uniform(0, 2 * self.stall))
            asyncio.get_event_loop().call_soon(self.keep_busy)

    def parse(self, response):
        yield from response.follow_all(css="a")

    def closed(self, reason: str) -> None:
        self.running = False


if __name__ == "__main__":
    url, stall, handler, log = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
    handler_path = f"__main__.{'LoggedPolite' if handler == 'polite' else 'LoggedScrapy'}"
    settings = crawl_settings(overrides={
        "DOWNLOAD_HANDLERS": {"http": handler_path}, "TEST_SEND_LOG": log, "ITEM_PIPELINES": {}, "EXTENSIONS": {},
        "DOWNLOADER_MIDDLEWARES": {"nianbao.crawler.scope.ScopeMiddleware": None}, "TELNETCONSOLE_ENABLED": False,
        "TWISTED_DNS_RESOLVER": "scrapy.resolver.CachingThreadedResolver", "LOG_LEVEL": "ERROR",
    })
    process = CrawlerProcess(settings)
    process.crawl(BusySpider, url=url, stall=stall)
    process.start()
