"""A loopback HTTP server playing one portal, hostile or broken pages included, for crawl tests and benches.

It answers as a proxy (``GET http://host/path``) and directly (by the Host header), from a dict of
``"host/path"`` → :class:`Page`, and logs every request it gets, so a test can say what was fetched.
A portal registry for it is written by :func:`write_registry`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class PortalServer:
    pages: dict[str, Page]
    hits: list[str] = field(default_factory=list)  # "host/path" of every request received
    port: int = 0

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def list_page(*links: tuple[str, str]) -> Page:
    """A TRS-family list page linking (href, title) pairs."""
    items = "".join(f'<li><a href="{href}" title="{title}">{title}</a></li>' for href, title in links)
    return Page(f'<html><body><ul class="list">{items}</ul></body></html>'.encode())


def article_page(title: str, *links: tuple[str, str], text: str = "") -> Page:
    """A TRS-family article whose body links (href, link text) pairs."""
    anchors = "".join(f'<p><a href="{href}">{label}</a></p>' for href, label in links)
    return Page(f'<html><head><title>{title}</title></head><body><div class="TRS_Editor"><p>{text}</p>'
                f'{anchors}</div></body></html>'.encode())


@contextmanager
def serve(pages: dict[str, Page], latency: float = 0.0) -> Iterator[PortalServer]:
    """Serve ``pages`` until the block ends; ``latency``: seconds each answer waits (a slow portal)."""
    server = PortalServer(pages)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            host = parts.hostname or (self.headers.get("Host") or "").split(":")[0]
            key = f"{host}{parts.path if parts.hostname else self.path.split('?')[0]}"
            server.hits.append(key)
            time.sleep(latency)
            page = server.pages.get(key, Page(b"not here", 404, "text/plain"))
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(page.body)))
            for name, value in page.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(page.body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


def write_registry(path: Path, portal_id: str, site: str, start_url: str, extra: str = "") -> Path:
    """A one-portal registry (TRS family) for the server; ``extra``: more YAML keys of the entry."""
    path.write_text(
        "portals:\n"
        f"  - {{id: {portal_id}, name: 测试门户, site: '{site}', level: county, family: trs,\n"
        f"     start_urls: ['{start_url}'], region: {{province: 江苏省, province_code: '320000', code: '320813'}}"
        f"{', ' + extra if extra else ''}}}\n",
        encoding="utf-8",
    )
    return path
