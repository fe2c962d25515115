"""Redirect loops end in an error the spider records, instead of vanishing in the dupefilter.

Scrapy's dupefilter drops a redirect to a URL already requested without telling anyone, so an
article that redirects to itself (``A → B → A``) left no trace.  :class:`RedirectDupeFilter` lets
redirects through (two articles may well redirect to one page; each is a capture of its own), and
:class:`RedirectLoopMiddleware` stops a redirect back to a URL of its own chain with a
:class:`RedirectLoop` error, which reaches the request's errback like any failed fetch.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import IgnoreRequest


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already in the request's redirect chain."""


class RedirectDupeFilter(RFPDupeFilter):
    """Scrapy's dupefilter, except that redirects are never dropped as duplicates."""

    def request_seen(self, request: Request) -> bool:
        if request.meta.get("redirect_urls"):
            return False
        return super().request_seen(request)


class RedirectLoopMiddleware:
    """Downloader middleware: refuses a redirect that comes back to a URL it already went through."""

    def process_request(self, request: Request) -> None:
        chain = request.meta.get("redirect_urls", [])
        if request.url in chain:
            raise RedirectLoop("redirect loop: " + " → ".join([*chain, request.url]))
