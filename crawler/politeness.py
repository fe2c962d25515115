"""Per-host delay counted from when a request really went to its connection, not when Scrapy let it go.

Scrapy's downloader enforces ``DOWNLOAD_DELAY`` (and AutoThrottle's delay) when it takes a request
off a host's queue; the request is then handed to the HTTP handler, waits for a connection and is
written to it, each step in a later turn of the reactor.  When the crawl process is busy (callbacks
of other hosts' pages), one request can lose hundreds of milliseconds on that way while the next,
let go a delay later, goes straight through: the host sees two requests closer than the delay
(0.68 s between hand-overs, 0.2 s between arrivals were measured at 300 hosts).

:class:`PoliteHTTPHandler`, Scrapy's HTTP/1.1 handler otherwise, notes for each host when the
bytes of its last request were given to the connection (the protocol's ``request()``; the socket
send follows in the reactor's next I/O step) and holds the next request of that host until its
slot's delay has passed since then, waiting first for a request still on its way to the
connection.  The slot's ``lastseen`` moves to that time too, so Scrapy's own schedule counts from
it.  Hosts are keyed like Scrapy's download slots, by host name.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
)
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IAddress
from twisted.internet.task import deferLater
from twisted.web._newclient import HTTP11ClientProtocol
from twisted.web._newclient import Request as TxRequest
from twisted.web.iweb import IResponse


@dataclass
class _Host:
    written: float = float("-inf")  # time.monotonic() when its last request went to a connection
    on_its_way: Deferred[None] | None = None  # fires when the request handed over last is written


class PoliteHTTPHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP(S) handler, each host's delay counted from its last request's write."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.crawler = crawler
        self.hosts: dict[str, _Host] = {}
        written = self.written

        class Factory(_LenientHTTP11ClientFactory):
            def buildProtocol(self, addr: IAddress | None) -> HTTP11ClientProtocol:
                return _NotingProtocol(self._quiescentCallback, written)

        self._pool._factory = Factory  # as Scrapy's own handler sets its lenient factory

    async def download_request(self, request: Request) -> Response:
        turn = await self.wait_turn(request)
        try:
            return await super().download_request(request)
        finally:
            if turn is not None and turn[0].on_its_way is turn[1]:  # never written (no connection)
                self._written_or_failed(turn[0])

    async def wait_turn(self, request: Request) -> tuple[_Host, Deferred[None]] | None:
        """Wait until the request's slot delay has passed since its host's last request was written."""
        from twisted.internet import reactor

        key = request.meta.get(Downloader.DOWNLOAD_SLOT)
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        slot = downloader.slots.get(key) if downloader and isinstance(key, str) else None
        if slot is None or not slot.delay:
            return None
        host = self.hosts.setdefault(urlsplit(request.url).hostname or "", _Host())
        while True:
            if host.on_its_way is not None:
                await maybe_deferred_to_future(host.on_its_way)
            elif (wait := host.written + slot.delay - time.monotonic()) > 0:
                await maybe_deferred_to_future(deferLater(reactor, wait))
            else:
                break
        host.on_its_way = Deferred()
        return host, host.on_its_way

    def written(self, key: str, path: str) -> None:
        """A request's bytes went to its connection: its host's next request counts its delay from now."""
        host = self.hosts.get(key)
        if host is None:  # a host without a delay
            return
        host.written = time.monotonic()
        slot = self.crawler.engine.downloader.slots.get(key) if self.crawler.engine else None
        if slot is not None:
            slot.lastseen = max(slot.lastseen, host.written)
        self.sent(key, path, host.written)
        self._written_or_failed(host)

    @staticmethod
    def _written_or_failed(host: _Host) -> None:
        on_its_way, host.on_its_way = host.on_its_way, None
        if on_its_way is not None:
            on_its_way.callback(None)

    def sent(self, host: str, path: str, at: float) -> None:
        """Called as a request of a host with a delay goes to its connection (``at``: time.monotonic()); for benches."""


class _NotingProtocol(_LenientHTTP11ClientProtocol):
    """Scrapy's client protocol, calling ``written(host, path)`` once it has written a request.

    Twisted buffers the bytes and sends them when the reactor next polls the socket, after whatever
    else is queued for that turn (a busy turn makes that late, by a different time for each
    request); so a plain TCP connection is asked to send them now, and the time noted is the send.
    (Through TLS the bytes are sent at the next poll.)
    """

    def __init__(self, quiescent: Callable[[HTTP11ClientProtocol], None], written: Callable[[str, str], None]) -> None:
        super().__init__(quiescent)
        self.written = written

    def request(self, request: TxRequest) -> Deferred[IResponse]:
        result = super().request(request)
        send_now = getattr(self.transport, "doWrite", None)  # a TCP socket; a failure is met at the next poll
        if send_now is not None:
            send_now()
        self.written(*_target(request))
        return result


def _target(tx_request: TxRequest) -> tuple[str, str]:
    """The host name and path of a Twisted request: from its absolute URI (through a proxy) or its Host header."""
    uri = tx_request.uri.decode("latin-1")
    if not uri.startswith(("http://", "https://")):
        host = (tx_request.headers.getRawHeaders(b"host") or [b""])[0].decode("latin-1")
        uri = f"//{host}{uri}"
    parts = urlsplit(uri)
    return parts.hostname or "", parts.path
