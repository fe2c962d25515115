"""The sample portal mirror: its HTTP server (as a proxy and by Host header) and the built site."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter
from types import SimpleNamespace

import pytest

from nianbao.crawler.mirror.server import CONTROL_PREFIX, SITE_DIR
from tools.mirror.samples import load_reports

MANIFESTS = {n: json.loads((SITE_DIR / str(n) / "manifest.json").read_text(encoding="utf-8")) for n in (1, 2)}
ARTICLES = MANIFESTS[1]["articles"]
REPORTS = [a for a in ARTICLES if a["report"]]


def fetch(server, url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET through the mirror as an HTTP proxy (absolute-form request line)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": server.proxy_url}))
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_every_sample_report_is_on_the_mirror_once():
    assert len(REPORTS) >= 12
    assert Counter(a["report"] for a in REPORTS) == Counter(r.id for r in load_reports())
    assert {a["portal"] for a in REPORTS} >= {"nxzw", "yinchuan", "nxld", "gongyi"}
    assert {a["format"] for a in REPORTS} >= {"html", "pdf", "docx"}
    assert any(x["status"] == 404 for a in REPORTS for x in a["attachments"])


def test_proxy_request_serves_the_article(mirror):
    article = REPORTS[0]
    status, headers, body = fetch(mirror, article["url"])
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "示例数据" in body.decode("utf-8", errors="replace") or "示例数据" in body.decode("gb18030")
    assert mirror.requested_urls() == [article["url"]]


def test_direct_request_is_answered_by_host_header(mirror):
    connection = http.client.HTTPConnection("127.0.0.1", mirror.server_address[1], timeout=10)
    connection.request("GET", "/robots.txt", headers={"Host": "www.nxzw.gov.cn"})
    response = connection.getresponse()
    assert response.status == 200 and b"Disallow: /preview/" in response.read()
    connection.close()


def test_robots_txt_per_host(mirror):
    assert fetch(mirror, "http://www.nxld.gov.cn/robots.txt")[0] == 200
    assert fetch(mirror, "http://public.gongyishi.gov.cn/robots.txt")[0] == 404  # none: all allowed


def test_lying_charset_header_on_a_gbk_page(mirror):
    nxld = [a for a in ARTICLES if a["portal"] == "nxld"]
    lying = [a for a in nxld if "charset=utf-8" in fetch(mirror, a["url"])[1]["Content-Type"]]
    assert lying, "one 隆德县 page declares UTF-8"
    _, _, body = fetch(mirror, lying[0]["url"])
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert b"charset=gb2312" in body and "隆德县" in body.decode("gbk")


def test_conditional_requests_get_304(mirror):
    url = REPORTS[0]["url"]
    status, headers, _ = fetch(mirror, url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert fetch(mirror, url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(mirror, url, {"If-None-Match": '"something-else"'})[0] == 200
    assert fetch(mirror, url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(mirror, url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200


def test_snapshot_two_edits_one_report_and_removes_another(mirror):
    changes = MANIFESTS[2]["changes"]
    edited, removed = changes["edited"]["url"], changes["removed"]["url"]
    unchanged = next(a["url"] for a in REPORTS if a["url"] not in (edited, removed))
    before = {url: fetch(mirror, url) for url in (edited, removed, unchanged)}
    control = urllib.request.urlopen(f"{mirror.proxy_url}{CONTROL_PREFIX}2", timeout=10).read()
    assert control == b"snapshot 2\n"
    after = {url: fetch(mirror, url) for url in (edited, removed, unchanged)}
    assert before[removed][0] == 200 and after[removed][0] == 404
    assert before[edited][2] != after[edited][2]
    assert before[edited][1]["ETag"] != after[edited][1]["ETag"]
    assert before[unchanged][1]["ETag"] == after[unchanged][1]["ETag"]
    assert before[unchanged][1]["Last-Modified"] == after[unchanged][1]["Last-Modified"]
    listing = {a["url"] for a in MANIFESTS[2]["articles"]}
    assert removed not in listing and edited in listing


def test_bad_snapshot_number_is_refused(mirror):
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{mirror.proxy_url}{CONTROL_PREFIX}7", timeout=10)
    assert error.value.code == 400 and mirror.snapshot_number == 1


def test_mirror_command_serves_until_stopped():
    # Ctrl-C reaches the command as in a terminal, however the tests were started (a background job of a
    # non-interactive shell, as CI may run them, starts with SIGINT ignored, and a child inherits that)
    command = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); " \
              "from nianbao.crawler.cli import mirror; mirror()"
    process = subprocess.Popen(
        [sys.executable, "-u", "-c", command, "--port", "0", "--snapshot", "2"], stdout=subprocess.PIPE, text=True,
    )
    try:
        proxy_url = process.stdout.readline().split(" at ")[1].strip()
        server = SimpleNamespace(proxy_url=proxy_url)
        removed = MANIFESTS[2]["changes"]["removed"]["url"]
        assert fetch(server, removed)[0] == 404
        assert fetch(server, MANIFESTS[2]["changes"]["edited"]["url"])[0] == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
