"""HTTP caching across crawls of what the archive does not keep: robots.txt and list pages.

Scrapy's own HTTP cache (``HttpCacheMiddleware`` with a filesystem storage, ``httpcache/`` beside
the database or ``NIANBAO_CACHE_DIR``) with a policy of nianbao's:

- ``robots.txt`` is reused for up to 24 hours (``NIANBAO_ROBOTS_MAX_AGE``, seconds), as RFC 9309
  §2.4 allows ("crawlers SHOULD NOT use the cached version for more than 24 hours"), then asked
  again, conditionally.  A 5xx or a network error is not stored (RFC 9309: "unreachable"); when
  the server is unreachable later, the stored copy is used, which the RFC also allows.
- A list page (a GET the spider marks as one) is stored when the server gives a validator
  (``ETag``, ``Last-Modified``) and revalidated on every crawl: ``If-None-Match`` /
  ``If-Modified-Since``; a ``304`` hands the spider the stored page (the WARC keeps the real 304).
  A list page that fails is a failure, never replaced by its stored copy: removal detection must
  not run on a list that was not read.
- Everything else is not cached here (reports and attachments are revalidated against the
  archive itself: crawler/conditional.py).

No cache without an archive (``NIANBAO_DB``) or with ``NIANBAO_REVALIDATE``.
"""

from __future__ import annotations

import gzip
import os
import pickle
from pathlib import Path
from time import time

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.extensions.httpcache import FilesystemCacheStorage, RFC2616Policy
from scrapy.http import Response
from scrapy.settings import BaseSettings, Settings
from scrapy.spiders import Spider
from scrapy.utils.httpobj import urlparse_cached
from w3lib.http import headers_dict_to_raw

from nianbao.crawler.spiders.portal import META_LIST
from nianbao.crawler.writer import crawl_writer

ROBOTS_MAX_AGE = 24 * 3600  # RFC 9309 §2.4


def cache_dir(settings: BaseSettings) -> Path:
    """``NIANBAO_CACHE_DIR``, else ``httpcache/`` beside the database."""
    configured = settings.get("NIANBAO_CACHE_DIR")
    return Path(configured) if configured else Path(settings["NIANBAO_DB"]).resolve().parent / "httpcache"


def is_robots(request: Request) -> bool:
    return bool(request.meta.get("dont_obey_robotstxt")) and urlparse_cached(request).path == "/robots.txt"


class CacheMiddleware(HttpCacheMiddleware):
    """Scrapy's HTTP cache with nianbao's policy and storage, on only with an archive (whatever
    ``HTTPCACHE_ENABLED`` says: that one switches Scrapy's own cache middleware); a failed list page
    stays a failure."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CacheMiddleware:
        settings = crawler.settings
        if not settings.get("NIANBAO_DB") or settings.getbool("NIANBAO_REVALIDATE"):
            raise NotConfigured
        own = Settings(settings.copy_to_dict() | {
            "HTTPCACHE_ENABLED": True, "HTTPCACHE_POLICY": f"{__name__}.RobotsAndListsPolicy",
            "HTTPCACHE_STORAGE": f"{__name__}.ArchiveCacheStorage"})
        middleware = cls(own, crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        middleware.crawler = crawler
        return middleware

    def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if request.meta.get(META_LIST):
            request.meta.pop("cached_response", None)  # no stale list instead of a retry and a recorded failure
            return None
        return super().process_exception(request, exception)


class ArchiveCacheStorage(FilesystemCacheStorage):
    """Scrapy's filesystem storage, its entries written lighter and in the crawl's writer thread.

    Scrapy writes seven files per entry (a readable ``meta`` and the request's headers and body, which
    nothing reads back, among them); creating a file costs this project's machine ~0.2–0.8 ms of CPU, and
    a 300-host crawl stores over a thousand entries (robots.txt and list pages): 6.5 s of CPU.  Here an
    entry is the four files Scrapy's :meth:`retrieve_response` reads, the one it looks for first
    (``pickled_meta``) written last, so an entry half written is never read (Scrapy writes it second).
    They are written in the writer thread (crawler/writer.py), not on the reactor; an entry not yet
    written when the crawl looks it up again is a miss: the page is fetched.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.cachedir = str(cache_dir(settings))

    def open_spider(self, spider: Spider) -> None:
        super().open_spider(spider)
        self.writer = crawl_writer(spider.crawler)

    def store_response(self, spider: Spider, request: Request, response: Response) -> None:
        folder = Path(self._get_request_path(spider, request))
        meta = {"url": request.url, "method": request.method, "status": response.status,
                "response_url": response.url, "timestamp": time()}
        data = {k: v for k, v in response.to_dict().items() if k not in {"url", "status", "headers", "body"}}
        files = {"response_headers": headers_dict_to_raw(response.headers), "response_body": response.body,
                 "response_data": pickle.dumps(data, protocol=4), "pickled_meta": pickle.dumps(meta, protocol=4)}
        if self.use_gzip:  # HTTPCACHE_GZIP: read back with gzip.open, as Scrapy's own storage writes them
            files = {name: gzip.compress(content) for name, content in files.items()}
        self.writer.submit_unawaited(write_entry, folder, files, size=len(response.body))


def write_entry(folder: Path, files: dict[str, bytes]) -> None:
    """In the writer thread: a cache entry's files, ``pickled_meta`` last.

    An entry it replaces reads as missing meanwhile (``pickled_meta``, which Scrapy looks for first, is
    removed first), and each file is renamed into place whole: a crawl reading the entry, or one killed
    in the middle of writing it, finds the old entry, none, or the new one, never half of one."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pickled_meta").unlink(missing_ok=True)
    for name, content in files.items():
        partial = folder / f"{name}.partial"
        partial.write_bytes(content)
        os.replace(partial, folder / name)


class RobotsAndListsPolicy(RFC2616Policy):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.robots_max_age = settings.getfloat("NIANBAO_ROBOTS_MAX_AGE", ROBOTS_MAX_AGE)

    def should_cache_request(self, request: Request) -> bool:
        return request.method == "GET" and (is_robots(request) or bool(request.meta.get(META_LIST)))

    def should_cache_response(self, response: Response, request: Request) -> bool:
        if is_robots(request):
            return response.status < 500 and response.status != 304
        return response.status == 200 and (b"ETag" in response.headers or b"Last-Modified" in response.headers)

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        if is_robots(request) and time() - request.meta.get("cache_timestamp", 0) < self.robots_max_age:
            return True
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(self, cachedresponse: Response, response: Response, request: Request) -> bool:
        if is_robots(request) and response.status >= 500:
            return True  # unreachable: the last copy stands (RFC 9309 §2.4)
        return response.status == 304
