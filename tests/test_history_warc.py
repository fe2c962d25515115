"""WARC capture: a tiny real spider against a loopback server; the files must pass `warcio check`."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

WARCIO = Path(sys.executable).with_name("warcio")
ARTICLE = "<html><head><meta charset=gbk></head><body>政府信息公开工作年度报告 申请 10 件</body></html>".encode("gbk")
ZIPPED = "压缩的正文 共收到申请12件".encode()

SPIDER = '''
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess

class Tiny(scrapy.Spider):
    name = "tiny"
    portal_id = "tiny-portal"
    run_id = "7"
    handle_httpstatus_list = [404]
    start_urls = [sys.argv[1] + "/"]

    def parse(self, response):
        yield {"url": response.url, "status": response.status,
               "warc_file": response.meta.get("warc_file"), "warc_record_id": response.meta.get("warc_record_id")}
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href)

process = CrawlerProcess({
    "NIANBAO_DB": sys.argv[2],
    "DOWNLOADER_MIDDLEWARES": {"nianbao.crawler.warc.WarcWriterMiddleware": 950},
    "FEEDS": {sys.argv[3]: {"format": "json"}},
    "LOG_LEVEL": "WARNING",
    "ROBOTSTXT_OBEY": False,
})
process.crawl(Tiny)
process.start()
'''


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/":
            self._send(200, b'<a href="/article">a</a> <a href="/zipped">z</a> <a href="/chunked">c</a> '
                            b'<a href="/gone">g</a> <a href="/moved">m</a>', "text/html")
        elif self.path in ("/article", "/article?via=moved"):
            self._send(200, ARTICLE, "text/html; charset=utf-8")  # a lying charset header, kept as served
        elif self.path == "/zipped":
            self._send(200, gzip.compress(ZIPPED), "text/html", [("Content-Encoding", "gzip")])
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (b"<p>part one</p>", b"<p>part two</p>"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/moved":
            self._send(302, b"", "text/html", [("Location", "/article?via=moved")])
        else:
            self._send(404, b"not here", "text/plain")

    def _send(self, status: int, body: bytes, kind: str, extra: list[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Run the tiny spider once; return (items, warc files, db dir)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder = tmp_path_factory.mktemp("warc")
    script = folder / "tiny.py"
    script.write_text(SPIDER)
    items_file = folder / "items.json"
    base = f"http://127.0.0.1:{server.server_port}"
    subprocess.run([sys.executable, str(script), base, str(folder / "nianbao.db"), str(items_file)],
                   check=True, cwd=Path(__file__).parents[1], timeout=120)
    server.shutdown()
    return json.loads(items_file.read_text()), sorted((folder / "warc").glob("*.warc.gz")), folder


def test_one_file_named_after_run_and_portal_passes_warcio_check(crawled):
    _, files, _ = crawled
    assert len(files) == 1
    assert files[0].name.startswith("7-tiny-portal-")
    result = subprocess.run([str(WARCIO), "check", "-v", str(files[0])], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout


def test_every_exchange_is_a_request_response_pair_with_the_bytes_served(crawled):
    _, files, _ = crawled
    with open(files[0], "rb") as stream:
        records = [(r.rec_type, r.rec_headers, r.http_headers, r.raw_stream.read()) for r in ArchiveIterator(stream)]
    assert records[0][0] == "warcinfo"
    pairs = records[1:]
    assert [kind for kind, *_ in pairs] == ["response", "request"] * (len(pairs) // 2)  # warcio's pair order
    responses = {}
    for (_, response_headers, http_headers, body), (_, request_headers, _, _) in zip(pairs[::2], pairs[1::2]):
        assert request_headers.get_header("WARC-Concurrent-To") == response_headers.get_header("WARC-Record-ID")
        responses[response_headers.get_header("WARC-Target-URI").rsplit("/", 1)[1]] = (http_headers, body)
    assert {"", "article", "zipped", "chunked", "gone", "moved", "article?via=moved"} == set(responses)
    assert responses["article"][1] == ARTICLE
    assert responses["zipped"][0].get_header("Content-Encoding") == "gzip"
    assert gzip.decompress(responses["zipped"][1]) == ZIPPED  # stored compressed, as served
    assert responses["chunked"][1] == b"<p>part one</p><p>part two</p>"
    assert responses["chunked"][0].get_header("Transfer-Encoding") is None  # de-chunked: replayable as stored
    assert responses["gone"][0].get_statuscode() == "404"
    assert responses["moved"][0].get_statuscode() == "302"
    requests_ = [headers for kind, _, headers, _ in pairs if kind == "request"]
    assert all(h.get_header("Host", "").startswith("127.0.0.1:") for h in requests_)
    assert all(h.get_header("User-Agent") for h in requests_)


def test_items_point_at_their_response_record(crawled):
    items, files, folder = crawled
    with open(files[0], "rb") as stream:
        ids = {r.rec_headers.get_header("WARC-Record-ID"): r.rec_headers.get_header("WARC-Target-URI")
               for r in ArchiveIterator(stream) if r.rec_type == "response"}
    assert len(items) == 6  # root, article, zipped, chunked, gone (404 handled), article after redirect
    for item in items:
        assert item["warc_file"] == f"warc/{files[0].name}"
        assert (folder / item["warc_file"]).exists()
        assert item["warc_record_id"] in ids
    # the redirected fetch points at the final response, not at the 302
    [redirected] = [i for i in items if i["url"].endswith("via=moved")]
    assert ids[redirected["warc_record_id"]].endswith("/article?via=moved")
