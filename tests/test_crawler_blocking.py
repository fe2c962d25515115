"""Challenge and block pages: recognised, recorded per portal as ``blocked``, never read as an empty
list, never a reason to mark a report removed.  The pages are real (tests/fixtures/portals/antibot)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nianbao.crawler.blocking import block_reason
from nianbao.crawler.mirror.server import SITE_DIR
from nianbao.crawler.run import MIRROR_SETTINGS, run_crawl_subprocess

ANTIBOT = Path(__file__).parent / "fixtures" / "portals" / "antibot"
RUISHU = (ANTIBOT / "ruishu_412_challenge_head.extracted.html").read_bytes()
JIASULE = (ANTIBOT / "jiasule_521_stage1.extracted.html").read_bytes()
CHUANGYUDUN = (ANTIBOT / "chuangyudun_jiasule_block_wjw.beijing.gov.cn_excerpt.github-39156327210.offset6000-end.md").read_bytes()
# (status, body, extra headers) as the real walls answer.  创宇盾's status is not known (README §8): both
# a 403 and a 200 (the worse case: a 200 page without report links must not pass for an empty list).
CHALLENGES = {
    "ruishu-412": (412, RUISHU, {}),
    "jiasule-521": (521, JIASULE, {"Set-Cookie": "__jsluid_s=6a3c2b1f0e9d8c7b6a5f4e3d2c1b0a99; max-age=31536000; path=/"}),
    "chuangyudun-403": (403, CHUANGYUDUN, {}),
    "chuangyudun-200": (200, CHUANGYUDUN, {}),
}


@pytest.mark.parametrize(("status", "body", "marker"), [
    (412, RUISHU, "瑞数"), (521, JIASULE, "加速乐"), (403, CHUANGYUDUN, "创宇盾"), (200, CHUANGYUDUN, "创宇盾"),
    (405, b"<html><body>403 Forbidden WAF eventID: 1234</body></html>", "HTTP 405"),
    (200, b"<html><script>location.href='/x?'+Math.random()</script></html>", "tiny page"),
])
def test_real_challenge_pages_are_recognised(status, body, marker):
    reason = block_reason(status, body, "text/html; charset=utf-8")
    assert reason and marker in reason


def test_the_portals_own_pages_are_not_block_pages():
    pages = [p for p in (SITE_DIR / "1").rglob("*") if p.is_file() and p.suffix in (".html", ".jhtml", "")]
    assert len(pages) > 20
    for page in pages:
        assert block_reason(200, page.read_bytes(), "text/html") is None, page
    assert block_reason(404, b"404 Not Found\n", "text/plain") is None


class ChallengeProxy(ThreadingHTTPServer):
    """An HTTP proxy on loopback that answers every request, whatever it asks for, with one challenge page."""

    daemon_threads = True

    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.answer = (status, body, headers)
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), ChallengeHandler)


class ChallengeHandler(BaseHTTPRequestHandler):
    server: ChallengeProxy
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        status, body, headers = self.server.answer
        self.send_response(status)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture(params=sorted(CHALLENGES))
def challenge_proxy(request: pytest.FixtureRequest) -> Iterator[ChallengeProxy]:
    server = ChallengeProxy(*CHALLENGES[request.param])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_portal_behind_a_challenge_is_blocked_and_nothing_is_removed(crawl_mirror, challenge_proxy, tmp_path):
    """First a good crawl of 中卫 from the mirror; then every request of the next crawl meets the wall."""
    db_path = tmp_path / "a.db"
    crawl_mirror(db_path, ("nxzw",))
    with sqlite3.connect(db_path) as db:
        reports = db.execute("select count(*) from reports where portal_id = 'nxzw' and status = 'active'").fetchone()[0]
    assert reports >= 3

    run_crawl_subprocess(str(db_path), ("nxzw",), f"http://127.0.0.1:{challenge_proxy.server_address[1]}",
                         MIRROR_SETTINGS | {"NIANBAO_WARC_DIR": str(tmp_path / "warc")}, timeout=240)
    assert challenge_proxy.requests, "the crawl went through the challenge proxy"
    with sqlite3.connect(db_path) as db:
        outcome, reason, error, pages = db.execute(
            "select outcome, outcome_reason, error, pages from crawl_run_portals where run_id = 2 and portal_id = 'nxzw'"
        ).fetchone()
        statuses = dict(db.execute("select status, count(*) from reports group by status").fetchall())
        removed_changes = db.execute("select count(*) from changes where kind = 'removed'").fetchone()[0]
    wall = {412: "瑞数", 521: "加速乐"}.get(challenge_proxy.answer[0], "创宇盾")
    assert outcome == "blocked" and wall in reason and f"HTTP {challenge_proxy.answer[0]}" in reason
    assert error.startswith("blocked: ") and pages == 0  # never read as an empty list
    assert statuses == {"active": reports} and removed_changes == 0



def test_an_attachment_answered_by_a_challenge_leaves_the_report_alone():
    """The article was fine, its PDF came back as a 瑞数 page: no capture, the portal is recorded blocked."""
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from nianbao.archive.capture import Capture, ReportCapture
    from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH
    from nianbao.crawler.spiders.portal import PortalSpider

    spider = PortalSpider.from_crawler(get_crawler(PortalSpider, {"NIANBAO_REGISTRY": str(SAMPLE_REGISTRY_PATH)}))
    capture = ReportCapture("nxzw", Capture("http://www.nxzw.gov.cn/zwgk/t20210129_1.html", 200, b"<html></html>"))
    url = "http://www.nxzw.gov.cn/zwgk/P020210129.pdf"
    for status in (200, 412):
        wall = HtmlResponse(url, status=status, body=RUISHU, request=Request(url))
        assert list(spider.parse_attachment(wall, capture, pending=[])) == []
    assert capture.attachments == [] and len(spider.blocked["nxzw"]) == 2
    fine = HtmlResponse(url, body=b"%PDF-1.4 ...", headers={"Content-Type": "application/pdf"}, request=Request(url))
    assert list(spider.parse_attachment(fine, capture, pending=[])) == [capture] and len(capture.attachments) == 1
