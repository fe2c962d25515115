"""Crawl scope: the crawler fetches only http(s) URLs of the portals' own hosts, never a private address.

Pages come over plain http, so anyone on the path can add links; a link is fetched only when

- its scheme is ``http`` or ``https`` (Scrapy's ``file``, ``data``, ``s3`` and ``ftp`` handlers are off
  as well, in ``settings.DOWNLOAD_HANDLERS``);
- its host is one a portal of the crawl allows: the host of its ``site``, of its ``start_urls``, or one
  of its ``attachment_hosts`` (e.g. a CDN serving its files);
- its host is not a literal loopback, private, link-local, multicast, reserved or unspecified address;
- its host name does not resolve to such an address: :class:`GuardedResolver`, Scrapy's resolver,
  refuses the address when the connection is made (so a name that changes its answer between a check
  and the connection is caught too).

With ``NIANBAO_PROXY`` set (the bundled mirror on loopback, or an operator's proxy) every request goes
to the proxy, which does the connecting: the URL's scheme, host and literal address are still checked
here, but its name is not resolved by the crawler; the proxy's own host is trusted, being the
operator's explicit choice.

:class:`ScopeMiddleware` refuses a link before anything is sent (an :class:`LinkRefused`, a kind of
``IgnoreRequest``) and sends the :data:`link_refused` signal; a refusal by the resolver (which Scrapy
retries like any failed lookup: no packet leaves) is reported the same way.  Each refusal is counted in Scrapy's stats (``nianbao/refused``, ``nianbao/refused/<kind>``)
and the archive pipeline writes it to the ``refused_links`` table of the run.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred

from nianbao.crawler.registry import Portal

SCHEMES = ("http", "https")
link_refused = object()  # signal: url, reason, kind, found_on, portal_id


class LinkRefused(IgnoreRequest):
    """A link outside the crawl's scope; the message says why."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.reason, self.kind = reason, kind


# Host names the resolver refused, with why: Scrapy reports a resolver's failure as a plain
# "DNS lookup failed", so the middleware looks the reason up here (process-wide, like Scrapy's DNS cache).
REFUSED_NAMES: dict[str, str] = {}


def host_of(url: str) -> str:
    """The URL's host name, lower case, without a trailing dot ('' when there is none)."""
    try:
        return (urlsplit(url if "//" in url else f"//{url}").hostname or "").rstrip(".")
    except ValueError:
        return ""


def portal_hosts(portal: Portal) -> set[str]:
    """The hosts a portal entry allows: its site, its start URLs' hosts and its attachment hosts."""
    return {host_of(url) for url in (portal.site, *portal.start_urls, *portal.attachment_hosts)} - {""}


def forbidden_address(address: str) -> str | None:
    """Why ``address`` (an IP address as text) must not be connected to; None for a public address."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return None  # a host name, not an address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):  # narrowest first
        if getattr(ip, f"is_{kind}"):
            return f"{ip}: {kind.replace('_', '-')} address"
    return None


def refusal(url: str, allowed_hosts: Iterable[str]) -> LinkRefused | None:
    """Why the crawler must not fetch ``url``, or None when it may."""
    try:
        parts = urlsplit(url)
        host = host_of(url)
    except ValueError:
        return LinkRefused(f"not a valid URL: {url[:200]}", "invalid")
    if parts.scheme.lower() not in SCHEMES:
        return LinkRefused(f"scheme {parts.scheme or '(none)'!r} is not http or https", "scheme")
    address = forbidden_address(host)
    if address:
        return LinkRefused(address, "address")
    if host not in allowed_hosts:
        return LinkRefused(f"host {host or '(none)'!r} is not one of the portal's hosts", "host")
    return None


def record_refusal(crawler: Crawler, request: Request, reason: str, kind: str) -> None:
    """Count a refused link in the stats and tell the archive (signal :data:`link_refused`)."""
    crawler.stats.inc_value("nianbao/refused")
    crawler.stats.inc_value(f"nianbao/refused/{kind}")
    found_on = request.headers.get("Referer")
    crawler.signals.send_catch_log(
        link_refused, url=request.url, reason=reason, kind=kind,
        found_on=found_on.decode("latin-1") if found_on else None, portal_id=_portal_id(request),
    )


def _portal_id(request: Request) -> str | None:
    """The portal a request was made for, when the spider says (list and article pages, attachments)."""
    portal = request.cb_kwargs.get("portal")
    capture = request.cb_kwargs.get("capture")
    return portal.id if portal is not None else getattr(capture, "portal_id", None)


class ScopeMiddleware:
    """Downloader middleware: refuses out-of-scope requests before anything else sees them."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.allowed: set[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        return cls(crawler)

    def _allowed(self, spider: Spider | None) -> set[str]:
        if self.allowed is None:
            portals: Sequence[Portal] = getattr(spider, "portals", ())
            self.allowed = set().union(*map(portal_hosts, portals))
        return self.allowed

    def process_request(self, request: Request) -> None:
        refused = refusal(request.url, self._allowed(self.crawler.spider))
        if refused:
            record_refusal(self.crawler, request, refused.reason, refused.kind)
            raise refused

    def process_exception(self, request: Request, exception: Exception) -> None:
        """A host name the resolver refused: recorded like any refusal, and the errback sees why."""
        reason = REFUSED_NAMES.get(host_of(request.url))
        if reason and isinstance(exception, CannotResolveHostError):
            record_refusal(self.crawler, request, reason, "resolved")
            raise LinkRefused(reason, "resolved") from exception


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve to loopback, private and like addresses.

    The proxy's host (``NIANBAO_PROXY``) is trusted: the operator named it."""

    trusted: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.trusted = frozenset({host_of(crawler.settings.get("NIANBAO_PROXY") or "")} - {""})
        return resolver

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        resolved = super().getHostByName(name, timeout)
        if name.lower().rstrip(".") in self.trusted:
            return resolved
        return resolved.addCallback(self._checked, name)

    @staticmethod
    def _checked(address: str, name: str) -> str:
        reason = forbidden_address(address)
        if reason:
            REFUSED_NAMES[name.lower().rstrip(".")] = f"{name} resolves to {reason}"
            raise CannotResolveHostError(REFUSED_NAMES[name.lower().rstrip(".")])
        return address
