"""A loopback simulation of many portal hosts, for the crawl benches.

The bundled mirror answers for the four sample sites; this server answers for ``hosts`` copies of
them (``s007.www.nxzw.gov.cn`` is the 8th host, a copy of ``www.nxzw.gov.cn``: same pages, links
rewritten to its own name), each answer held back by a server latency drawn once per URL from
``latency`` (default 0.3–1 s, like a small government server).  It is used as the crawl's HTTP
proxy, like the mirror, and writes the registry of the copied portals for the crawl to read.

With ``columns`` (:class:`bench.simcolumns.ColumnSize`) each host serves instead one 年报 column
of a realistic length built from the sample reports (bench/simcolumns.py; simulated, and said so).

It records when each request arrived, so a bench can check the crawl's politeness per host
(robots.txt first, the gap between requests, requests at once).  On a loaded machine the server's
own threads start late now and then, which makes two arrivals look closer than they were sent; the
:class:`TimedHTTPHandler` records on the crawler's side when Scrapy's downloader let each request
go (after its host's delay), which is what the politeness settings govern.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml
from scrapy.crawler import Crawler

from bench.simcolumns import ColumnSize, LongColumns
from nianbao.crawler.mirror.server import SITE_DIR, MirrorHandler, MirrorServer, Resource, Snapshot, load_snapshot
from nianbao.crawler.politeness import PoliteHTTPHandler
from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH

TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml")  # may name the host
SAMPLE_SITES = sorted({entry["site"] for entry in yaml.safe_load(SAMPLE_REGISTRY_PATH.read_text("utf-8"))["portals"]})


def sim_host(index: int) -> tuple[str, str]:
    """The ``index``-th simulated host and the sample site it copies."""
    site = SAMPLE_SITES[index % len(SAMPLE_SITES)]
    return f"s{index:03d}.{site}", site


@dataclass(frozen=True)
class Arrival:
    host: str
    path: str
    at: float  # time.monotonic() when the request arrived
    left: float  # when its answer was sent


class SimSnapshot:
    """Snapshot 1 of the mirror seen through the simulated host names."""

    def __init__(self, base: Snapshot, hosts: int) -> None:
        self.base = base
        self.sites = dict(sim_host(i) for i in range(hosts))

    def resource(self, url: str) -> Resource | None:
        parts = urlsplit(url)
        site = self.sites.get(parts.hostname or "")
        if site is None:
            return None
        found = self.base.resource(urlunsplit(parts._replace(netloc=site)))
        if found is None or not found.content_type.startswith(TEXT_TYPES):
            return found
        renamed = found.body.replace(f"//{site}".encode(), f"//{parts.hostname}".encode())
        return Resource(renamed, found.content_type, found.last_modified)


class SimServer(MirrorServer):
    request_queue_size = 2048  # hundreds of hosts connect at once; the default backlog (5) drops them

    def __init__(self, hosts: int, latency: tuple[float, float] = (0.3, 1.0), columns: ColumnSize | None = None) -> None:
        super().__init__(0, 1, SITE_DIR)
        self.columns = LongColumns([sim_host(i)[0] for i in range(hosts)], columns) if columns else None
        self.snapshot = self.columns or SimSnapshot(load_snapshot(SITE_DIR, 1), hosts)  # type: ignore[assignment]
        self.hosts = hosts
        self.latency = latency
        self.arrivals: list[Arrival] = []
        self._arrivals_lock = threading.Lock()
        self.RequestHandlerClass = SimHandler

    def delay(self, url: str) -> float:
        """The server latency of a URL: fixed per URL, so two crawls of the simulation wait alike."""
        low, high = self.latency
        fraction = int.from_bytes(hashlib.sha256(url.encode()).digest()[:4]) / 2**32
        return low + (high - low) * fraction

    def arrived(self, arrival: Arrival) -> None:
        with self._arrivals_lock:
            self.arrivals.append(arrival)

    def take_arrivals(self) -> list[Arrival]:
        with self._arrivals_lock:
            taken, self.arrivals = self.arrivals, []
        return taken

    def write_registry(self, path: Path) -> Path:
        """The sample portals of every simulated host (or its long column), as a registry file."""
        sample = yaml.safe_load(SAMPLE_REGISTRY_PATH.read_text("utf-8"))
        if self.columns:
            path.write_text(yaml.safe_dump({**sample, "portals": self.columns.registry_entries()}, allow_unicode=True),
                            encoding="utf-8")
            return path
        portals = []
        for index in range(self.hosts):
            host, site = sim_host(index)
            for entry in sample["portals"]:
                if entry["site"] == site:
                    urls = [url.replace(f"//{site}", f"//{host}") for url in entry["start_urls"]]
                    portals.append(entry | {"id": f"{entry['id']}-s{index:03d}", "site": host, "start_urls": urls})
        path.write_text(yaml.safe_dump({**sample, "portals": portals}, allow_unicode=True), encoding="utf-8")
        return path


class SimHandler(MirrorHandler):
    server: SimServer

    def _answer(self, send_body: bool) -> None:
        url = self._target()
        arrived = time.monotonic()
        time.sleep(self.server.delay(url))
        super()._answer(send_body)
        parts = urlsplit(url)
        self.server.arrived(Arrival(parts.hostname or "", parts.path, arrived, time.monotonic()))


@dataclass
class Politeness:
    """How the crawl treated each host, from the server's side."""

    hosts: int
    requests: int
    min_gap: float  # shortest time between two request arrivals at one host
    max_at_once: int  # most requests of one host in progress together
    robots_first: bool  # every host was asked for robots.txt before anything else (or, if cached, not at all)

    def __str__(self) -> str:
        return (f"{self.hosts} hosts, {self.requests} requests; per host: shortest gap {self.min_gap:.2f} s, "
                f"at most {self.max_at_once} at once, robots.txt first: {'yes' if self.robots_first else 'NO'}")


def politeness(arrivals: list[Arrival], robots_cached: bool = False) -> Politeness:
    """``robots_cached``: a crawl may use a robots.txt cached by an earlier one (crawler/cache.py), so a
    host asked no robots.txt is fine; one asked for it must have been asked for it first."""
    by_host: dict[str, list[Arrival]] = defaultdict(list)
    for arrival in sorted(arrivals, key=lambda a: a.at):
        by_host[arrival.host].append(arrival)
    gaps = [b.at - a.at for visits in by_host.values() for a, b in zip(visits, visits[1:])]
    return Politeness(
        hosts=len(by_host),
        requests=len(arrivals),
        min_gap=min(gaps, default=float("inf")),
        max_at_once=max((_most_at_once(v) for v in by_host.values()), default=0),
        robots_first=all(visits[0].path == "/robots.txt" or (robots_cached and all(v.path != "/robots.txt" for v in visits))
                         for visits in by_host.values()),
    )


def _most_at_once(visits: list[Arrival]) -> int:
    events = sorted([(a.at, 1) for a in visits] + [(a.left, -1) for a in visits])
    running = most = 0
    for _, step in events:
        running += step
        most = max(most, running)
    return most


class TimedHTTPHandler(PoliteHTTPHandler):
    """The shipped HTTP handler, noting ``monotonic-time host path`` as each request goes to its connection.

    These are the send times the politeness settings govern (crawler/politeness.py); middlewares and
    signals see requests before the delay, the server a reactor turn later.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.log = open(crawler.settings["BENCH_SEND_LOG"], "a", encoding="utf-8")  # noqa: SIM115 (whole crawl)

    def sent(self, host: str, path: str, at: float) -> None:
        self.log.write(f"{at} {host} {path}\n")
        self.log.flush()


def send_log_settings(path: Path) -> dict[str, Any]:
    """Crawl settings that log send times to ``path`` (:class:`TimedHTTPHandler`), the shipped ones kept."""
    from nianbao.crawler.run import crawl_settings

    handlers = crawl_settings().getdict("DOWNLOAD_HANDLERS") | {"http": "bench.simhosts.TimedHTTPHandler"}
    return {"BENCH_SEND_LOG": str(path), "DOWNLOAD_HANDLERS": handlers}


def sent(path: Path) -> list[Arrival]:
    """The requests :class:`TimedHTTPHandler` logged, as arrivals (their answers' times unknown: sent = left)."""
    visits = []
    for line in path.read_text(encoding="utf-8").splitlines():
        at, host, request_path = line.split(" ", 2)
        visits.append(Arrival(host, request_path, float(at), float(at)))
    return visits


def start_sim(hosts: int, **kwargs: Any) -> SimServer:
    server = SimServer(hosts, **kwargs)
    server.start()
    return server
