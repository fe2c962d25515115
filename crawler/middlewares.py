"""Downloader middleware: route every request through ``NIANBAO_PROXY`` when it is set.

Setting ``request.meta["proxy"]`` here (rather than in the spider) also covers the robots.txt
requests Scrapy makes on its own, so a mirror used as the proxy answers for those too.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class ProxyMiddleware:
    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        proxy = crawler.settings.get("NIANBAO_PROXY")
        if not proxy:
            raise NotConfigured
        return cls(proxy)

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("proxy", self.proxy)
