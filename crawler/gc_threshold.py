"""Fewer garbage collections in the crawl process.

Python's cyclic garbage collector looks at its youngest objects every 700 allocations (net) and now
and then at every object; a crawl of hundreds of hosts holds around a million (queued requests,
responses, parse results), so one full pass takes 0.1–0.2 s with the reactor stopped.  With the
default threshold a 300-host crawl with its archive (bench/bench_crawl.py's simulation) spent 5.5 s
of its 26 s of CPU collecting (3,100 young and 25 full passes, timed with ``gc.callbacks``); with the
first threshold at 20,000, 1.4 s (330 young passes, 2 full).
Almost all of a crawl's garbage is freed by reference counting the moment it is dropped; only
cycles wait for a pass, a little longer now.
"""

from __future__ import annotations

import gc

from scrapy.crawler import Crawler

YOUNG_THRESHOLD = 20_000  # allocations between two passes over the youngest objects (Python's default: 700)


class FewerCollections:
    """A Scrapy extension: raises the collector's first threshold when the crawler is built."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FewerCollections:
        _, middle, oldest = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
        return cls()
