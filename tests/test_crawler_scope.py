"""Crawl scope: a hostile portal page cannot make the crawler fetch local files, private addresses or
other hosts; refusals are recorded in the stats and in the archive.  Real spider, real loopback server."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from nianbao.crawler.registry import load_registry
from nianbao.crawler.run import MIRROR_SETTINGS, run_crawl_subprocess
from nianbao.crawler.scope import forbidden_address, portal_hosts, refusal
from tools.loopback_portal import Page, article_page, list_page, serve, write_registry

HOST = "www.hostile.gov.cn"
REPORT_TITLE = "2023年政府信息公开工作年度报告"
HOSTILE_LINKS = {
    "file:///etc/passwd": "scheme",
    "data:text/html;base64,PGgxPmluamVjdGVkPC9oMT4=": "scheme",  # <h1>injected</h1>
    "http://169.254.169.254/latest/meta-data/report.pdf": "address",
    "http://127.0.0.1:9/report.pdf": "address",
    "http://[::1]/report.pdf": "address",
    "http://evil.example.com/report.pdf": "host",
}
CRAWL_SETTINGS = {k: v for k, v in MIRROR_SETTINGS.items() if k != "NIANBAO_REGISTRY"} | {"ROBOTSTXT_OBEY": False}


def crawl(tmp_path: Path, registry: Path, proxy: str | None) -> tuple[dict, sqlite3.Connection]:
    db = tmp_path / "archive.db"
    done = run_crawl_subprocess(str(db), (), proxy, CRAWL_SETTINGS | {"NIANBAO_REGISTRY": str(registry),
                                                                       "NIANBAO_WARC_DIR": str(tmp_path / "warc")},
                                timeout=240)
    return json.loads(done.stdout.splitlines()[-1]), sqlite3.connect(db)


@pytest.fixture
def hostile_crawl(tmp_path):
    pages = {
        f"{HOST}/list/index.html": list_page(
            ("/2023/report.html", REPORT_TITLE),
            ("http://evil.example.com/2022/report.html", "2022年政府信息公开工作年度报告"),
            ("file:///etc/hosts", "2021年政府信息公开工作年度报告"),
        ),
        f"{HOST}/2023/report.html": article_page(
            REPORT_TITLE, *[(url, f"附件{i}.pdf") for i, url in enumerate(HOSTILE_LINKS)],
            ("/files/report.pdf", "附件.pdf"), text="现将年度报告予以公布。"),
        f"{HOST}/files/report.pdf": Page(Path("tools/mirror/files/hongze-2023.pdf").read_bytes(), 200,
                                          "application/pdf"),
    }
    with serve(pages) as server:
        registry = write_registry(tmp_path / "portals.yml", "hostile", HOST, f"http://{HOST}/list/index.html")
        stats, db = crawl(tmp_path, registry, server.proxy_url)
        yield server, stats, db
        db.close()


def test_hostile_links_are_never_fetched_nor_stored(hostile_crawl):
    server, _, db = hostile_crawl
    assert sorted(server.hits) == sorted([f"{HOST}/list/index.html", f"{HOST}/2023/report.html",
                                          f"{HOST}/files/report.pdf"])
    stored = b"".join(bytes(content) for (content,) in db.execute("select content from documents"))
    assert b"root:" not in stored and b"injected" not in stored
    fetched = {url for (url,) in db.execute("select url from fetches where sha256 is not null")}
    assert fetched == {f"http://{HOST}/2023/report.html", f"http://{HOST}/files/report.pdf"}
    (figures,) = db.execute("select figure_count from report_versions").fetchone()
    assert figures > 100  # the real attachment was read


def test_refusals_are_recorded_in_the_stats_and_the_run(hostile_crawl):
    _, stats, db = hostile_crawl
    refused = {url: (kind, reason, portal, run) for url, kind, reason, portal, run in db.execute(
        "select url, kind, reason, portal_id, run_id from refused_links")}
    expected = HOSTILE_LINKS | {"http://evil.example.com/2022/report.html": "host", "file:///etc/hosts": "scheme"}
    assert {url: kind for url, (kind, *_) in refused.items()} == expected
    assert {portal for _, _, portal, _ in refused.values()} == {"hostile"}
    assert {run for *_, run in refused.values()} == {stats["nianbao/run_id"]}
    assert refused["http://169.254.169.254/latest/meta-data/report.pdf"][1] == "169.254.169.254: link-local address"
    assert refused["http://evil.example.com/report.pdf"][1] == "host 'evil.example.com' is not one of the portal's hosts"
    assert stats["nianbao/refused"] == len(expected)
    assert stats["nianbao/refused/scheme"] == 3 and stats["nianbao/refused/host"] == 2


def test_a_name_resolving_to_loopback_is_refused_without_a_proxy(tmp_path):
    """No proxy: the portal's own host name resolves to 127.0.0.1, so nothing is fetched from it."""
    with serve({}) as server:
        site = f"localhost:{server.port}"
        registry = write_registry(tmp_path / "portals.yml", "local", site, f"http://{site}/list/index.html")
        stats, db = crawl(tmp_path, registry, proxy=None)
        assert server.hits == []
    ((url, kind, reason),) = db.execute("select url, kind, reason from refused_links").fetchall()
    assert (url, kind) == (f"http://{site}/list/index.html", "resolved")
    assert reason == "localhost resolves to 127.0.0.1: loopback address"
    assert stats["nianbao/refused/resolved"] == 1
    (error,) = db.execute("select error from crawl_run_portals").fetchone()
    assert error == f"{url}: LinkRefused: {reason}"  # the portal could not be read: the run says why


@pytest.mark.parametrize(("address", "reason"), [
    ("10.1.2.3", "10.1.2.3: private address"),
    ("192.168.0.1", "192.168.0.1: private address"),
    ("[fe80::1]", "fe80::1: link-local address"),
    ("::ffff:127.0.0.1", "127.0.0.1: loopback address"),
    ("224.0.0.1", "224.0.0.1: multicast address"),
    ("0.0.0.0", "0.0.0.0: unspecified address"),
    ("8.8.8.8", None),
    ("www.gov.cn", None),
])
def test_forbidden_addresses(address, reason):
    assert forbidden_address(address) == reason


def test_a_portal_allows_its_site_start_and_attachment_hosts(tmp_path):
    registry = write_registry(tmp_path / "p.yml", "x", "www.x.gov.cn", "http://xxgk.x.gov.cn/list/",
                              extra="attachment_hosts: [files.cdn.example.cn]")
    hosts = portal_hosts(load_registry(registry)["x"])
    assert hosts == {"www.x.gov.cn", "xxgk.x.gov.cn", "files.cdn.example.cn"}
    assert refusal("https://FILES.cdn.example.cn./a.pdf", hosts) is None
    assert refusal("ftp://www.x.gov.cn/a.pdf", hosts).kind == "scheme"
    assert refusal("http://www.x.gov.cn.evil.cn/a.pdf", hosts).kind == "host"
