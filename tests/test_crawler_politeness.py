"""Politeness as the host sees it: >= DOWNLOAD_DELAY between two requests even when the crawl process is busy.

A real spider (tests/polite_spider.py, the shipped settings) crawls a loopback host that notes when
each request arrives, while its reactor is blocked at the start of every turn, as a broad crawl's
callbacks for other hosts' pages block it.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nianbao.crawler.run import crawl_settings

SPIDER = Path(__file__).with_name("polite_spider.py")
PAGES = 12
STALL = 0.15  # s: the test spider blocks its reactor 0 to 2 x this long at the start of every turn
ARRIVAL_NOISE = 0.02  # s: the recording server's own threads note an arrival this much late now and then


class RecordingHandler(BaseHTTPRequestHandler):
    """A home page linking PAGES pages, each answered at once; robots.txt is 404 (everything allowed)."""

    server: RecordingServer

    def do_GET(self) -> None:
        self.server.arrivals.append((time.monotonic(), self.path))
        if self.path == "/robots.txt":
            self.send_error(404)
            return
        links = "".join(f'<a href="/p{i}">{i}</a>' for i in range(PAGES)) if self.path == "/" else ""
        body = f"<html><body>{links}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RecordingHandler)
        self.arrivals: list[tuple[float, str]] = []


def crawl(stall: float, handler: str, folder: Path) -> tuple[list[float], list[float]]:
    """Crawl the recording host; return when the handler handed each request over and when it arrived."""
    server = RecordingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    log = folder / f"{handler}.sent"
    try:
        subprocess.run([sys.executable, str(SPIDER), f"http://127.0.0.1:{server.server_port}/", str(stall), handler,
                        str(log)], check=True, timeout=120, capture_output=True)
    finally:
        server.shutdown()
    assert [path for _, path in sorted(server.arrivals)[:2]] == ["/robots.txt", "/"]
    assert len(server.arrivals) == 2 + PAGES
    return [float(line) for line in log.read_text().split()], sorted(at for at, _ in server.arrivals)


def shortest_gap(times: list[float]) -> float:
    return min(b - a for a, b in zip(times, times[1:]))


@pytest.mark.slow
def test_each_hosts_delay_counts_from_the_real_write(tmp_path):
    """Scrapy counts the delay from when it lets a request go; a busy reactor writes it later, and the
    next request, let go a delay later, goes at once.  The shipped handler counts from the write."""
    delay = crawl_settings().getfloat("DOWNLOAD_DELAY")
    _, scrapy_arrived = crawl(STALL, "scrapy", tmp_path)
    polite_written, polite_arrived = crawl(STALL, "polite", tmp_path)
    assert shortest_gap(scrapy_arrived) < delay  # the failure this guards against happens here
    assert shortest_gap(polite_written) >= delay
    assert shortest_gap(polite_arrived) >= delay - ARRIVAL_NOISE, polite_arrived
