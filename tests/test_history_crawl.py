"""History through the real spider against the mirror: unchanged recrawl, edit, removal, restore.

Four crawls into one archive, as a scheduler would run them: snapshot 1, snapshot 1 again (nothing
changed), snapshot 2 (one report edited, one removed, as its manifest says), snapshot 1 again (the
removed report is back).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlite_utils
from warcio.archiveiterator import ArchiveIterator

from nianbao.archive.diff import text_diff
from nianbao.crawler.mirror.server import SITE_DIR, Hit
from nianbao.crawler.run import MIRROR_SETTINGS, run_crawl_subprocess

CHANGES = json.loads((SITE_DIR / "2" / "manifest.json").read_text(encoding="utf-8"))["changes"]
EDITED_URL, REMOVED_URL = CHANGES["edited"]["url"], CHANGES["removed"]["url"]
WARCIO = Path(sys.executable).with_name("warcio")


@dataclass
class Run:
    run_id: int
    stats: dict
    hits: list[Hit]


@pytest.fixture(scope="module")
def crawls(mirror_server, tmp_path_factory) -> tuple[sqlite_utils.Database, list[Run], Path]:
    folder = tmp_path_factory.mktemp("history")
    db_path = folder / "archive.db"
    runs = []
    try:
        for snapshot in (1, 1, 2, 1):
            mirror_server.set_snapshot(snapshot)
            mirror_server.clear_hits()
            done = run_crawl_subprocess(str(db_path), (), mirror_server.proxy_url, MIRROR_SETTINGS, timeout=240)
            stats = json.loads(done.stdout.strip().splitlines()[-1])
            runs.append(Run(stats["nianbao/run_id"], stats, list(mirror_server.hits)))
    finally:
        mirror_server.set_snapshot(1)
    db = sqlite_utils.Database(db_path)
    yield db, runs, folder
    db.close()


def report(db, url: str) -> dict:
    [row] = db.query("select * from reports where url = ?", [url])
    return row


def changes_of(db, report_id: int) -> list[dict]:
    return list(db.query("select * from changes where report_id = ? order by id", [report_id]))


def test_unchanged_recrawl_adds_no_version_and_downloads_little(crawls):
    db, (first, second, *_), folder = crawls
    versions_after_first = db.execute("select count(*) from report_versions where run_id = ?", [first.run_id]).fetchone()
    assert versions_after_first[0] > 0
    assert db.execute("select count(*) from report_versions where run_id = ?", [second.run_id]).fetchone() == (0,)
    assert db.execute("select count(*) from changes where run_id = ?", [second.run_id]).fetchone() == (0,)
    counts = db.execute("select sum(reports_new), sum(reports_changed), sum(reports_unchanged) from crawl_run_portals "
                        "where run_id = ?", [second.run_id]).fetchone()
    assert counts == (0, 0, versions_after_first[0])
    assert second.stats["downloader/response_status_count/304"] > 0
    ratio = second.stats["downloader/response_bytes"] / first.stats["downloader/response_bytes"]
    assert ratio < 0.10, ratio
    # every report still seen: last_seen moved to the second run, nothing marked removed
    assert db.execute("select count(*) from reports where status != 'active'").fetchone() == (1,)  # the removed one


def test_conditional_requests_for_documents_and_list_pages(crawls):
    """Documents are revalidated against the archive, list pages against their cached copy (crawler/cache.py)."""
    db, (first, second, *_), folder = crawls
    assert not any("If-None-Match" in h.headers for h in first.hits)
    validated = {h.url for h in second.hits if "If-None-Match" in h.headers or "If-Modified-Since" in h.headers}
    documents = {url for (url,) in db.execute("select url from fetches where run_id = ? and status = 200",
                                              [first.run_id])}
    fetched = {url for (url,) in db.execute("select url from fetches")}
    list_pages = {h.url for h in first.hits if h.method == "GET" and h.status == 200 and h.url not in fetched
                  and not h.url.endswith("/robots.txt")}
    assert validated & documents
    assert validated - documents and validated - documents <= list_pages
    assert all(h.status == 304 for h in second.hits if h.url in validated - documents)  # the same snapshot again


def test_edited_report_gets_a_version_per_edit_with_its_figure_change(crawls):
    db, (_, _, third, fourth), folder = crawls
    edited = report(db, EDITED_URL)
    versions = list(db.query("select * from report_versions where report_id = ? order by version_no", [edited["id"]]))
    # snapshot 2 edits it; going back to snapshot 1 reverts the edit, which is a change of its own
    assert [(v["version_no"], v["run_id"]) for v in versions][1:] == [(2, third.run_id), (3, fourth.run_id)]
    assert versions[2]["content_hash"] == versions[0]["content_hash"] != versions[1]["content_hash"]
    assert edited["current_version_id"] == versions[2]["id"]
    new, edit, revert = changes_of(db, edited["id"])
    assert (new["kind"], edit["kind"], revert["kind"]) == ("new", "edited", "edited")
    assert (edit["run_id"], edit["from_version_id"], edit["version_id"]) == (third.run_id, versions[0]["id"],
                                                                             versions[1]["id"])
    [figure] = json.loads(edit["figure_changes"])
    assert figure["new"] == figure["old"] + 1  # the mirror's edit: one published figure raised by one
    assert f"{figure['key']}: {figure['old']} → {figure['new']}" in edit["summary"]
    # the text diff is that of the versions' extracted text (the mirror's edited sentence sits in the preamble,
    # before 一、, which the parser's sections, hence the extracted text, do not keep)
    assert edit["text_diff"] == text_diff(versions[0]["text"], versions[1]["text"], "version 1", "version 2")
    [back] = json.loads(revert["figure_changes"])
    assert (back["key"], back["old"], back["new"]) == (figure["key"], figure["new"], figure["old"])


def test_removed_report_marked_with_evidence_then_restored(crawls):
    db, (first, _, third, fourth), folder = crawls
    removed = report(db, REMOVED_URL)
    kinds = [(c["kind"], c["run_id"]) for c in changes_of(db, removed["id"])]
    assert kinds == [("new", first.run_id), ("removed", third.run_id), ("restored", fourth.run_id)]
    removal = changes_of(db, removed["id"])[1]
    assert "answered 404" in removal["summary"]
    assert removed["status"] == "restored" and removed["removed_at"] == removal["at"]
    assert db.execute("select reports_removed from crawl_run_portals where run_id = ? and portal_id = ?",
                      [third.run_id, removed["portal_id"]]).fetchone() == (1,)
    assert db.execute("select count(*) from report_versions where report_id = ?", [removed["id"]]).fetchone() == (1,)
    # the 404 that proves the removal is in the third run's WARC
    warc_file = next(folder.glob(f"warc/{third.run_id}-*.warc.gz"))
    with open(warc_file, "rb") as stream:
        answers = [r.http_headers.get_statuscode() for r in ArchiveIterator(stream)
                   if r.rec_type == "response" and r.rec_headers.get_header("WARC-Target-URI") == REMOVED_URL]
    assert "404" in answers


def test_only_the_removed_report_is_removed(crawls):
    db, _, folder = crawls
    statuses = dict(db.execute("select url, status from reports").fetchall())
    assert {url for url, status in statuses.items() if status != "active"} == {REMOVED_URL}


def test_every_document_links_to_a_valid_warc_record(crawls):
    db, (*_, fourth), folder = crawls
    missing = db.execute("select count(*) from fetches where status > 0 and warc_record_id is null").fetchone()
    assert missing == (0,)
    files = sorted({f for (f,) in db.execute("select distinct warc_file from fetches where warc_file is not null")})
    assert len(files) == 4  # one per run
    result = subprocess.run([str(WARCIO), "check", *(str(folder / f) for f in files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    for warc_file, record_id, url in db.execute(
        "select warc_file, warc_record_id, url from fetches where run_id = ? and status = 200 limit 5", [fourth.run_id]
    ).fetchall():
        with open(folder / warc_file, "rb") as stream:
            [record] = [r for r in ArchiveIterator(stream) if r.rec_headers.get_header("WARC-Record-ID") == record_id]
        assert record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == url
