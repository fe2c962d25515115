"""Scrapy settings for nianbao: polite by default (robots.txt, AutoThrottle, retries, a named User-Agent).

Run-time choices are settings too, so ``scrapy crawl portal -s NIANBAO_DB=...`` and ``nianbao crawl``
behave the same:

- ``NIANBAO_DB``: archive database the pipeline ingests into (no database: nothing is ingested).
- ``NIANBAO_PROXY``: HTTP proxy for every request, robots.txt included (e.g. the bundled mirror on
  loopback: the only way the crawler reaches a loopback or private address; see ``crawler/scope.py``).
- ``NIANBAO_WARC_DIR``: where WARC files go (default ``warc/`` beside the database).
- ``NIANBAO_REVALIDATE``: send no validators (If-None-Match / If-Modified-Since); fetch everything again.
- ``NIANBAO_REVISIT_MAX_DAYS``: the longest a listed, known report goes without being requested again,
  and a portal's lists without a full walk (``crawler/revisit.py``; default 30; 0 requests every
  report and reads every list page on every crawl).
- ``NIANBAO_CACHE_DIR``: where robots.txt and list pages are cached between crawls (default
  ``httpcache/`` beside the database; ``crawler/cache.py``).
- ``NIANBAO_ROBOTS_MAX_AGE``: seconds a cached robots.txt is used before it is asked again (default
  86400, the 24 hours RFC 9309 allows).
- ``NIANBAO_CAPTURE_LOG``: a JSON-lines file with one summary line per report capture (audit, tests).
- ``NIANBAO_PROGRESS``: print one line per archived report on stderr.
- ``NIANBAO_PARSE_WORKERS``: processes that parse the fetched documents (default: one per core; ``0``
  parses inline, in the crawl's process, without the caps below).
- ``NIANBAO_PARSE_MEMORY_MB``: address-space cap of each parse worker (a file beyond it is an error on
  that document).
- ``NIANBAO_PARSE_TIMEOUT``: seconds one document may take before its worker is killed.
"""

BOT_NAME = "nianbao"
SPIDER_MODULES = ["nianbao.crawler.spiders"]
NEWSPIDER_MODULE = "nianbao.crawler.spiders"

USER_AGENT = "nianbao/0.1 (+https://github.com/nianbao/nianbao)"
ROBOTSTXT_OBEY = True

# Government portals are small servers: per host at most 2 requests at once and at least 1 s between
# two (not randomised below that), AutoThrottle slowing down a host that answers slowly, patient retries.
# Across hosts a crawl is broad: enough requests at once for every portal host of a national crawl to be
# busy, and a scheduler that hands the downloader requests of idle hosts first (Scrapy's broad-crawl queue)
# rather than filling it with the queue of one host.  AutoThrottle starts each host at the 1 s floor, so a
# cold start of hundreds of hosts is not held to one request per 2 s each.
CONCURRENT_REQUESTS = 512
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
RANDOMIZE_DOWNLOAD_DELAY = False
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
REACTOR_THREADPOOL_MAXSIZE = 20  # DNS lookups of many hosts
# A report waits for the parse pool with its responses held; Scrapy stops fetching once the responses
# held pass this size (default 5 MB: two scanned PDFs), so allow the captures of many hosts in the pool.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 128 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 60
# Attachments of scanned reports can be large; anything above this is almost certainly not a report.
DOWNLOAD_MAXSIZE = 200 * 1024 * 1024

# Crawl scope (crawler/scope.py): only http(s), only the portals' hosts, never a private address.
# Each host's delay counts from when its last request really went out (crawler/politeness.py).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None,
                     "http": "nianbao.crawler.politeness.PoliteHTTPHandler",
                     "https": "nianbao.crawler.politeness.PoliteHTTPHandler"}
TWISTED_DNS_RESOLVER = "nianbao.crawler.scope.GuardedResolver"

# Redirects are not dropped as duplicates: a redirect loop must end in an error the spider records.
DUPEFILTER_CLASS = "nianbao.crawler.failures.RedirectDupeFilter"

DOWNLOADER_MIDDLEWARES = {
    "nianbao.crawler.scope.ScopeMiddleware": 50,  # first: a refused link reaches no other middleware (robots.txt)
    "nianbao.crawler.failures.RedirectLoopMiddleware": 60,
    "nianbao.crawler.middlewares.ProxyMiddleware": 740,  # before HttpProxyMiddleware (750)
    # Validators from the archive on requests; a 304 is filled with the stored bytes after the WARC saw it,
    # and after DownloaderStats (850) counted it, so downloader/response_bytes is what the network carried.
    "nianbao.crawler.conditional.ConditionalRequestMiddleware": 580,
    # robots.txt (24 h) and list pages (revalidated) cached across crawls beside the archive, by a subclass of
    # Scrapy's cache middleware with its own policy and storage (Scrapy's own stays off: HTTPCACHE_ENABLED).
    "nianbao.crawler.cache.CacheMiddleware": 900,
    "nianbao.crawler.warc.WarcWriterMiddleware": 950,  # next to the downloader: the exchange as sent and received
}
# At the end of a crawl: reports no longer listed whose URL now 404s or redirects away are marked removed.
# Python's garbage collector passes less often over the crawl's many objects (crawler/gc_threshold.py).
EXTENSIONS = {"nianbao.crawler.removals.RemovalCheckExtension": 500, "nianbao.crawler.gc_threshold.FewerCollections": 0}
ITEM_PIPELINES = {
    "nianbao.crawler.pipelines.CaptureLogPipeline": 200,
    "nianbao.crawler.pipelines.ArchivePipeline": 300,
}

NIANBAO_DB = None
NIANBAO_PROXY = None
NIANBAO_CAPTURE_LOG = None
NIANBAO_PROGRESS = False
NIANBAO_REVISIT_MAX_DAYS = 30
NIANBAO_CACHE_DIR = None
NIANBAO_ROBOTS_MAX_AGE = 24 * 3600
NIANBAO_PARSE_WORKERS = None  # one per core
NIANBAO_PARSE_MEMORY_MB = 2048
NIANBAO_PARSE_TIMEOUT = 180

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
