"""The sample portal mirror: a small HTTP server on 127.0.0.1 that answers for the portal hosts.

The crawler uses it as its HTTP proxy, so spiders request the real URLs unchanged
(``GET http://www.nxzw.gov.cn/... HTTP/1.1``); a direct request is answered by its Host header.
Content comes from ``site/<snapshot>/<host>/<path>``; a snapshot's ``manifest.json`` gives per-file
headers (a lying charset on purpose, Last-Modified) and 404s, and may name a ``base`` snapshot it
overlays (snapshot 2 holds only what changed since snapshot 1).  Conditional requests
(If-None-Match / If-Modified-Since) get 304.  XHR list answers are files too, keyed by URL with its
query string; one the real site answers to a POST (Hanweb's dataproxy.jsp) names the form fields
the POST body must carry (``form``), and a POST without them gets 400.

    server = start_mirror(port=0, snapshot=1)   # in a background thread
    server.proxy_url                            # e.g. http://127.0.0.1:41234
    server.set_snapshot(2)                      # or GET http://127.0.0.1:<port>/_mirror/snapshot/2
    server.stop()
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import mimetypes
import threading
from dataclasses import dataclass, field
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

SITE_DIR = Path(str(files("nianbao.crawler.mirror") / "site"))  # package data; a directory on disk
CONTROL_PREFIX = "/_mirror/snapshot/"
CONTROL_HOSTS = {"127.0.0.1", "localhost"}
CONTENT_TYPES = {".html": "text/html", ".jhtml": "text/html", ".wps": "application/vnd.ms-works"}


def site_key(url: str) -> str:
    """Where a URL lives in a snapshot tree: ``<host>/<path>``, ``index.html`` for a directory,
    and a query string kept in the file name as ``%3F<query>`` (a long one as its SHA-1)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if path.endswith("/"):
        path += "index.html"
    key = f"{parts.hostname}{path}"
    if not parts.query:
        return key
    query = quote(parts.query, safe="=&")
    # A long XHR query (jpaas paramJson=…) would make too long a file name: its digest stands in.
    return f"{key}%3F{query if len(query) <= 120 else hashlib.sha1(query.encode()).hexdigest()}"


def content_type_for(url: str) -> str:
    suffix = Path(urlsplit(url).path).suffix.lower() or ".html"
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"


@dataclass(frozen=True)
class Hit:
    """One request the mirror answered (kept for tests and debugging)."""

    method: str
    url: str
    status: int
    headers: dict[str, str]


@dataclass(frozen=True)
class Resource:
    body: bytes
    content_type: str
    last_modified: str  # RFC 1123 date
    form: dict[str, str] = field(default_factory=dict)  # fields a POST for it must carry

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


class Snapshot:
    """One snapshot tree with its manifest, falling back to the snapshot it overlays."""

    def __init__(self, site_dir: Path, number: int) -> None:
        self.dir = site_dir / str(number)
        if not self.dir.is_dir():
            raise ValueError(f"no snapshot {number} in {site_dir}")
        manifest = json.loads((self.dir / "manifest.json").read_text(encoding="utf-8"))
        self.files: dict[str, dict[str, Any]] = manifest.get("files", {})
        self.default_last_modified: str = manifest["last_modified"]
        self.base = Snapshot(site_dir, manifest["base"]) if manifest.get("base") else None

    def resource(self, url: str) -> Resource | None:
        """What the URL serves in this snapshot, or None (404)."""
        key = site_key(url)
        entry = self.files.get(key, {})
        if entry.get("status") == 404:
            return None
        path = self.dir / key
        if not path.is_file():
            return self.base.resource(url) if self.base else None
        return Resource(
            body=path.read_bytes(),
            content_type=entry.get("content_type") or content_type_for(url),
            last_modified=entry.get("last_modified") or self.default_last_modified,
            form=entry.get("form") or {},
        )


@cache
def load_snapshot(site_dir: Path, number: int) -> Snapshot:
    return Snapshot(site_dir, number)


class MirrorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int = 0, snapshot: int = 1, site_dir: Path = SITE_DIR) -> None:
        self.site_dir = site_dir
        self.snapshot = load_snapshot(site_dir, snapshot)
        self.snapshot_number = snapshot
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__(("127.0.0.1", port), MirrorHandler)

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def set_snapshot(self, number: int) -> None:
        self.snapshot = load_snapshot(self.site_dir, number)
        self.snapshot_number = number

    def requested_urls(self) -> list[str]:
        with self._lock:
            return [hit.url for hit in self.hits]

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def clear_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    def start(self) -> MirrorServer:
        self._thread = threading.Thread(target=self.serve_forever, name="nianbao-mirror", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread:
            self._thread.join()


def start_mirror(port: int = 0, snapshot: int = 1, site_dir: Path = SITE_DIR) -> MirrorServer:
    """Serve the mirror in a background thread; port 0 picks a free port (see ``proxy_url``)."""
    return MirrorServer(port, snapshot, site_dir).start()


class MirrorHandler(BaseHTTPRequestHandler):
    server: MirrorServer
    server_version = "nianbao-mirror/0.1"
    protocol_version = "HTTP/1.1"
    posted: dict[str, str] = {}  # the form fields of a POST (none for GET)

    def do_GET(self) -> None:
        self.posted = {}
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
        self.posted = dict(parse_qsl(body))
        self._answer(send_body=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: requests are kept in ``server.hits`` instead."""

    def _target(self) -> str:
        """The absolute URL asked for: absolute-form (proxy) or path plus Host header."""
        if self.path.startswith(("http://", "https://")):
            return self.path
        return f"http://{(self.headers.get('Host') or '127.0.0.1').split(':')[0]}{self.path}"

    def _answer(self, send_body: bool) -> None:
        url = self._target()
        parts = urlsplit(url)
        if parts.hostname in CONTROL_HOSTS and parts.path.startswith(CONTROL_PREFIX):
            self._control(parts.path.removeprefix(CONTROL_PREFIX), send_body)
            return
        resource = self.server.snapshot.resource(url)
        if resource is None:
            self._send(url, HTTPStatus.NOT_FOUND, b"404 Not Found\n", {"Content-Type": "text/plain"}, send_body)
            return
        missing = [k for k, v in resource.form.items() if self.posted.get(k) != v]
        if missing:
            message = f"POST with form fields {', '.join(missing)} expected\n".encode()
            self._send(url, HTTPStatus.BAD_REQUEST, message, {"Content-Type": "text/plain"}, send_body)
            return
        headers = {
            "Content-Type": resource.content_type,
            "ETag": resource.etag,
            "Last-Modified": resource.last_modified,
        }
        if self._not_modified(resource):
            self._send(url, HTTPStatus.NOT_MODIFIED, b"", headers, send_body)
        else:
            self._send(url, HTTPStatus.OK, resource.body, headers, send_body)

    def _not_modified(self, resource: Resource) -> bool:
        etags = self.headers.get("If-None-Match")
        if etags is not None:
            return resource.etag in [e.strip() for e in etags.split(",")] or etags.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return email.utils.parsedate_to_datetime(resource.last_modified) <= email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False

    def _control(self, argument: str, send_body: bool) -> None:
        url = self._target()
        try:
            self.server.set_snapshot(int(argument))
        except ValueError as e:
            self._send(url, HTTPStatus.BAD_REQUEST, f"{e}\n".encode(), {"Content-Type": "text/plain"}, send_body)
            return
        body = f"snapshot {self.server.snapshot_number}\n".encode()
        self._send(url, HTTPStatus.OK, body, {"Content-Type": "text/plain"}, send_body)

    def _send(self, url: str, status: HTTPStatus, body: bytes, headers: dict[str, str], send_body: bool) -> None:
        self.server.record(Hit(self.command, url, status.value, dict(self.headers.items())))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and status != HTTPStatus.NOT_MODIFIED:
            self.wfile.write(body)
