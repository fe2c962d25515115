"""End to end: the real ``portal`` spider crawls the mirror (as its proxy) into a real archive.

One crawl of snapshot 1 through ``nianbao crawl`` in a subprocess serves most tests; the
request log of the mirror shows what the spider fetched and what it did not.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlite_utils

from nianbao.crawler.mirror.server import SITE_DIR, Hit, site_key
from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH, load_registry
from nianbao.crawler.run import MIRROR_SETTINGS
from nianbao.crawler.settings import USER_AGENT

MANIFEST = json.loads((SITE_DIR / "1" / "manifest.json").read_text(encoding="utf-8"))
REPORTS = [a for a in MANIFEST["articles"] if a["report"]]
OTHERS = [a for a in MANIFEST["articles"] if not a["report"]]


@dataclass
class Crawl:
    db_path: Path
    captures: list[dict]
    hits: list[Hit]
    output: str

    @property
    def urls(self) -> list[str]:
        return [h.url for h in self.hits]


@pytest.fixture(scope="module")
def crawl(mirror_server, tmp_path_factory) -> Crawl:
    """``nianbao crawl`` of every portal in snapshot 1, as an operator would run it."""
    folder = tmp_path_factory.mktemp("crawl")
    mirror_server.set_snapshot(1)
    mirror_server.clear_hits()
    settings = [f"-s{k}={v}" for k, v in (MIRROR_SETTINGS | {"NIANBAO_WARC_DIR": folder / "warc"}).items()]
    result = subprocess.run(
        [sys.executable, "-c", "from nianbao.crawler.cli import crawl; crawl()", "--db", str(folder / "a.db"),
         "--proxy", mirror_server.proxy_url, "--capture-log", str(folder / "captures.jsonl"), *settings],
        capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    captures = [json.loads(line) for line in (folder / "captures.jsonl").read_text(encoding="utf-8").splitlines()]
    return Crawl(folder / "a.db", captures, list(mirror_server.hits), result.stdout + result.stderr)


def test_every_sample_report_captured_once(crawl):
    assert Counter(c["article"]["url"] for c in crawl.captures) == Counter(r["url"] for r in REPORTS)
    by_url = {c["article"]["url"]: c for c in crawl.captures}
    for report in REPORTS:
        capture = by_url[report["url"]]
        assert capture["portal_id"] == report["portal"] and capture["title"] == report["title"]
        assert [(a["url"], a["status"]) for a in capture["attachments"]] == [
            (a["url"], a["status"]) for a in report["attachments"]
        ]


def test_every_sample_report_archived_once(crawl):
    db = sqlite_utils.Database(crawl.db_path)
    rows = list(db.query("select portal_id, url, status from reports"))
    assert Counter(r["url"] for r in rows) == Counter(r["url"] for r in REPORTS)
    assert {r["status"] for r in rows} == {"active"}
    assert db.execute("select count(*) from report_versions").fetchone()[0] == len(REPORTS)
    runs = {r["portal_id"]: r for r in db.query("select portal_id, pages, errors, error from crawl_run_portals")}
    assert set(runs) == set(load_registry(SAMPLE_REGISTRY_PATH))
    assert all(r["pages"] >= 2 and r["error"] is None for r in runs.values())  # every list page read
    broken = Counter(r["portal"] for r in REPORTS for a in r["attachments"] if a["status"] == 404)
    assert {pid: r["errors"] for pid, r in runs.items()} == {pid: broken[pid] for pid in runs}


def test_raw_bytes_reach_the_archive_untouched(crawl):
    db = sqlite_utils.Database(crawl.db_path)
    for capture in crawl.captures:
        for exchange in [capture["article"], *capture["attachments"]]:
            if exchange["status"] != 200:
                continue
            on_disk = (SITE_DIR / "1" / site_key(exchange["url"])).read_bytes()
            assert exchange["sha256"] == hashlib.sha256(on_disk).hexdigest()
            stored = db.execute("select content from documents where sha256 = ?", [exchange["sha256"]]).fetchone()
            assert stored is not None and bytes(stored[0]) == on_disk


def test_broken_attachment_recorded_and_report_still_yielded(crawl):
    broken = [(r["url"], a["url"]) for r in REPORTS for a in r["attachments"] if a["status"] == 404]
    assert broken
    by_url = {c["article"]["url"]: c for c in crawl.captures}
    db = sqlite_utils.Database(crawl.db_path)
    for article_url, attachment_url in broken:
        failed = [a for a in by_url[article_url]["attachments"] if a["url"] == attachment_url]
        assert failed and failed[0]["status"] == 404 and failed[0]["error"] == "HTTP 404"
        fetch = db.execute("select status, error from fetches where url = ?", [attachment_url]).fetchone()
        assert fetch is not None and fetch[0] == 404


def test_non_report_articles_skipped(crawl):
    others = [a["url"] for a in OTHERS if a["kind"] == "other"]
    assert others and not set(others) & set(crawl.urls)
    assert "non-report articles skipped" in crawl.output and f"{len(others)} non-report" in crawl.output


def test_pagination_followed(crawl):
    second_pages = [
        "http://www.nxzw.gov.cn/zwgk/zfxxgkzl/zfxxgknb/index_1.html",  # TRS createPageHTML
        "http://www.nxld.gov.cn/xxgk/zfxxgkml/zfxxgknb/list_1.html",  # Ningxia county createPageHTML(…, "list", …)
        "http://public.gongyishi.gov.cn/?a=dir&h=1&p=D41X&page=2",  # Zhengzhou ?page=N from .page-tile
        "http://www.hongze.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=15",  # jcms POST
        "http://gkmlpt.nianbao.example/gkmlpt/api/all/2876?page=2&sid=755027",  # gkmlpt JSON
        "http://generic.nianbao.example/zfxxgknb/2021n_5714/index_1.html",  # a year sub-column's 下一页
    ]
    assert set(second_pages) <= set(crawl.urls)
    assert all(Counter(crawl.urls)[url] == 1 for url in second_pages)


def test_gbk_and_lying_charset_pages_decoded(crawl):
    nxld = [c for c in crawl.captures if c["portal_id"] == "nxld"]
    lying = [c for c in nxld if "charset=utf-8" in c["article"]["headers"]["Content-Type"]]
    assert lying, "the mirror serves one GBK page as UTF-8"
    for capture in (c for c in nxld if c["page_meta"]):
        assert capture["page_meta"]["发布机构"] == "隆德县人民政府"
        assert capture["page_meta"]["breadcrumb"] == "首页 > 政府信息公开 > 政府信息公开年报"
    gongyi = [c for c in crawl.captures if c["portal_id"] == "gongyi"]
    assert any("charset=GBK" in c["article"]["headers"]["Content-Type"] for c in gongyi)
    assert all(c["page_meta"]["发布机构"] == "巩义市人民政府" for c in gongyi)


def test_page_meta_block(crawl):
    direct = {r["url"] for r in REPORTS if r["direct"]}
    for capture in crawl.captures:
        meta = capture["page_meta"]
        if capture["article"]["url"] in direct:  # a list link straight to the report file: no page
            assert meta == {} and capture["article"]["headers"]["Content-Type"] == "application/pdf"
            continue
        assert {"索引号", "发布机构", "breadcrumb"} <= set(meta), capture["article"]["url"]
        dates = [meta[k] for k in ("发文日期", "成文日期", "发布日期", "生成日期") if k in meta]
        assert dates and len(dates[0]) == 10 and "：" not in meta["发布机构"], capture["article"]["url"]


def test_robots_txt_obeyed(crawl):
    blocked = [a["url"] for a in OTHERS if a["kind"] == "blocked"]
    assert blocked and not set(blocked) & set(crawl.urls)
    assert "http://www.nxzw.gov.cn/robots.txt" in crawl.urls
    assert not any("/preview/" in c["article"]["url"] for c in crawl.captures)


def test_user_agent_names_the_project(crawl):
    agents = {h.headers.get("User-Agent") for h in crawl.hits}
    assert agents == {USER_AGENT} and "nianbao" in USER_AGENT and "+http" in USER_AGENT


def test_the_crawl_leaves_its_versions_indexed_for_search(crawl, tmp_path):
    """Publishing re-indexes nothing the crawl wrote: the search index is up to date when the crawl ends."""
    from nianbao.archive.db import open_archive
    from nianbao.archive.search import search, sync_search_index

    copy = tmp_path / "copy.db"
    with sqlite3.connect(crawl.db_path) as source:
        source.execute("VACUUM INTO ?", [str(copy)])  # as publish copies it
    db = open_archive(copy)
    versions = db.execute("select count(*) from report_versions").fetchone()[0]
    assert versions and db.execute("select count(*) from search_indexed").fetchone()[0] == versions
    assert sync_search_index(db) == 0
    assert search(db, "政府信息公开").total > 0  # answered from the index the crawl built


def test_one_portal_only(crawl_mirror, mirror, tmp_path):
    log = tmp_path / "captures.jsonl"
    crawl_mirror(None, ("gongyi",), NIANBAO_CAPTURE_LOG=str(log))
    captures = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {c["portal_id"] for c in captures} == {"gongyi"}
    assert len(captures) == sum(1 for r in REPORTS if r["portal"] == "gongyi")
    assert all("gongyishi" in url for url in mirror.requested_urls())


def test_scrapy_project_lists_the_spider():
    root = Path(__file__).parents[1]
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=root, capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.split() == ["portal"], result.stderr[-2000:]


def test_recrawl_of_snapshot_two(crawl, crawl_mirror, mirror, tmp_path):
    """Snapshot 2 over the first crawl's archive: unchanged documents answer 304, the edited report gets
    a second version, the removed one is no longer listed and ends up marked removed."""
    db_path = tmp_path / "a.db"
    with sqlite3.connect(crawl.db_path) as source, sqlite3.connect(db_path) as target:
        source.backup(target)
    log = tmp_path / "captures.jsonl"
    crawl_mirror(db_path, snapshot=2, NIANBAO_CAPTURE_LOG=str(log))
    captures = {c["article"]["url"]: c for c in map(json.loads, log.read_text(encoding="utf-8").splitlines())}
    changes = json.loads((SITE_DIR / "2" / "manifest.json").read_text(encoding="utf-8"))["changes"]
    edited, removed = changes["edited"]["url"], changes["removed"]["url"]
    first = {c["article"]["url"]: c for c in crawl.captures}

    assert set(captures) == {r["url"] for r in REPORTS} - {removed}
    assert captures[edited]["article"]["status"] == 200
    assert captures[edited]["article"]["sha256"] != first[edited]["article"]["sha256"]
    unchanged = [c for url, c in captures.items() if url != edited]
    assert all(c["article"]["not_modified"] and c["article"]["status"] == 304 for c in unchanged)
    assert all(c["article"]["sha256"] == first[c["article"]["url"]]["article"]["sha256"] for c in unchanged)

    db = sqlite_utils.Database(db_path)
    status = {r["url"]: r for r in db.query("select r.url, r.status, count(v.id) as versions from reports r "
                                            "join report_versions v on v.report_id = r.id group by r.id")}
    assert status[edited]["versions"] == 2
    assert status[removed]["status"] == "removed"
    assert {r["versions"] for url, r in status.items() if url != edited} == {1}
