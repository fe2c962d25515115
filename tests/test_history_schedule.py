"""Scheduled crawls: exit statuses, a portal that is down, and a crawl killed with SIGKILL then restarted."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from nianbao.archive import runs
from nianbao.archive.db import open_archive
from nianbao.crawler.mirror.server import SITE_DIR, MirrorHandler, MirrorServer
from nianbao.crawler.outcome import NOTHING_DONE, OK, SOME_PORTALS_FAILED
from nianbao.crawler.run import MIRROR_SETTINGS

REPORTS = [a for a in json.loads((SITE_DIR / "1" / "manifest.json").read_text(encoding="utf-8"))["articles"]
           if a["report"]]
DOWN_HOST = "public.gongyishi.gov.cn"  # the 巩义 portal


class OneHostDownHandler(MirrorHandler):
    """The mirror, except that one portal's server answers 503 to everything."""

    def _answer(self, send_body: bool) -> None:
        if urlsplit(self._target()).hostname == DOWN_HOST:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super()._answer(send_body)


def nianbao_crawl(db: Path, proxy: str, *args: str, **settings) -> subprocess.Popen:
    pairs = [f"-s{k}={v}" for k, v in (MIRROR_SETTINGS | settings).items()]
    return subprocess.Popen(
        [sys.executable, "-c", "from nianbao.cli import main; main()", "crawl", "--db", str(db), "--proxy", proxy,
         *pairs, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(process: subprocess.Popen) -> tuple[int, str]:
    out, err = process.communicate(timeout=240)
    return process.returncode, out + err


def test_exit_status_ok_for_a_healthy_portal(mirror, tmp_path):
    status, output = finish(nianbao_crawl(tmp_path / "a.db", mirror.proxy_url, "--portal", "nxld"))
    assert status == OK, output


def test_a_portal_that_is_down_fails_alone(tmp_path):
    server = MirrorServer(0, 1)
    server.RequestHandlerClass = OneHostDownHandler
    server.start()
    try:
        status, output = finish(nianbao_crawl(tmp_path / "a.db", server.proxy_url))
    finally:
        server.stop()
    assert status == SOME_PORTALS_FAILED, output
    assert "failed: gongyi: " in output and "503" in output
    db = sqlite3.connect(tmp_path / "a.db")
    rows = {p: (pages, error) for p, pages, error in
            db.execute("select portal_id, pages, error from crawl_run_portals where run_id = 1")}
    assert rows["gongyi"][0] == 0 and "503" in rows["gongyi"][1]
    assert all(error is None and pages > 0 for p, (pages, error) in rows.items() if p != "gongyi")
    archived = {p for (p,) in db.execute("select distinct portal_id from reports")}
    assert archived == {r["portal"] for r in REPORTS} - {"gongyi"}
    assert db.execute("select status, ended_at is not null from crawl_runs").fetchall() == [("finished", 1)]


def test_nothing_done_when_no_portal_answers(tmp_path):
    with ThreadingHTTPServer(("127.0.0.1", 0), OneHostDownHandler) as closed:
        dead_proxy = f"http://127.0.0.1:{closed.server_port}"  # bound, then closed: connection refused
    status, output = finish(nianbao_crawl(tmp_path / "a.db", dead_proxy))
    assert status == NOTHING_DONE, output


def test_unknown_portal_is_nothing_done(tmp_path):
    status, output = finish(nianbao_crawl(tmp_path / "a.db", "http://127.0.0.1:9", "--portal", "nowhere"))
    assert status == NOTHING_DONE and "nowhere" in output


def versions(db_path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("select count(*) from report_versions").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet, or locked for a moment
        return 0


def slow_crawl_until(db_path: Path, proxy: str, archived: int) -> subprocess.Popen:
    """A crawl slowed down enough to be stopped mid-way, returned once ``archived`` versions are in."""
    crawl = nianbao_crawl(db_path, proxy, DOWNLOAD_DELAY=0.3, CONCURRENT_REQUESTS_PER_DOMAIN=1)
    deadline = time.monotonic() + 120
    while versions(db_path) < archived and crawl.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return crawl


@pytest.mark.slow
def test_killed_crawl_restarts_without_duplicates_or_corruption(mirror, tmp_path):
    db_path = tmp_path / "a.db"
    victim = slow_crawl_until(db_path, mirror.proxy_url, archived=3)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert victim.returncode == -signal.SIGKILL, "the crawl ended before it could be killed"
    killed_versions = versions(db_path)
    assert 3 <= killed_versions < len(REPORTS)

    status, output = finish(nianbao_crawl(db_path, mirror.proxy_url))
    assert status == OK, output
    db = sqlite3.connect(db_path)
    assert db.execute("pragma integrity_check").fetchone() == ("ok",)
    assert db.execute("pragma foreign_key_check").fetchall() == []
    per_report = db.execute("select url, count(v.id) from reports r join report_versions v on v.report_id = r.id "
                            "group by r.id").fetchall()
    assert sorted(url for url, _ in per_report) == sorted(r["url"] for r in REPORTS)
    assert all(count == 1 for _, count in per_report)
    assert db.execute("select kind, count(*) from changes group by kind").fetchall() == [("new", len(REPORTS))]
    killed_run = db.execute("select status, ended_at, started_at from crawl_runs where id = 1").fetchone()
    last_fetch = db.execute("select max(fetched_at) from fetches where run_id = 1").fetchone()[0]
    assert killed_run[:2] == ("interrupted", last_fetch) and last_fetch >= killed_run[2]
    restarted = db.execute("select reports_new, reports_unchanged from crawl_runs where id = 2").fetchone()
    assert restarted == (len(REPORTS) - killed_versions, killed_versions)


def test_a_crawl_stopped_with_sigterm_is_interrupted_not_finished(mirror, tmp_path):
    db_path = tmp_path / "a.db"
    stopped = slow_crawl_until(db_path, mirror.proxy_url, archived=2)
    stopped.send_signal(signal.SIGTERM)  # what systemd's time limit and a Scrapyd cancel send
    status, output = finish(stopped)
    assert status == SOME_PORTALS_FAILED, output
    assert "stopped before it finished" in output
    db = sqlite3.connect(db_path)
    assert db.execute("select status, ended_at is not null from crawl_runs where id = 1").fetchone() == (
        "interrupted", 1)
    assert db.execute("select count(*) from reports where status = 'removed'").fetchone() == (0,)


def test_revalidate_downloads_everything_again_but_adds_no_version(mirror, tmp_path):
    db_path = tmp_path / "a.db"
    assert finish(nianbao_crawl(db_path, mirror.proxy_url, "--portal", "yinchuan"))[0] == OK
    mirror.clear_hits()
    status, output = finish(nianbao_crawl(db_path, mirror.proxy_url, "--portal", "yinchuan", "--revalidate"))
    assert status == OK, output
    assert mirror.hits and not any("If-None-Match" in h.headers or "If-Modified-Since" in h.headers
                                   for h in mirror.hits)
    assert not any(h.status == 304 for h in mirror.hits)
    db = sqlite3.connect(db_path)
    assert db.execute("select count(*) from report_versions where run_id = 2").fetchone() == (0,)
    assert db.execute("select reports_unchanged, bytes > 0 from crawl_run_portals where run_id = 2").fetchone() \
        == db.execute("select reports_new, 1 from crawl_run_portals where run_id = 1").fetchone()


def test_only_runs_whose_process_is_gone_are_marked_interrupted(tmp_path):
    db = open_archive(tmp_path / "a.db")
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    here = socket.gethostname()
    try:
        db["crawl_runs"].insert_all([
            {"id": 1, "started_at": "2026-01-01T00:00:00Z", "status": "running", "host": here, "pid": gone.pid},
            {"id": 2, "started_at": "2026-01-02T00:00:00Z", "status": "running", "host": here, "pid": alive.pid},
            {"id": 3, "started_at": "2026-01-03T00:00:00Z", "status": "running", "host": "elsewhere",
             "pid": gone.pid},
            {"id": 4, "started_at": "2026-01-04T00:00:00Z", "status": "running"},  # from before pids were kept
        ])
        new_run = runs.start_run(db)
    finally:
        alive.kill()
        alive.wait()
    statuses = dict(db.execute("select id, status || ' ' || coalesce(ended_at, '-') from crawl_runs").fetchall())
    assert statuses == {1: "interrupted 2026-01-01T00:00:00Z", 2: "running -", 3: "running -", 4: "running -",
                        new_run: "running -"}
    assert db.execute("select host, pid from crawl_runs where id = ?", [new_run]).fetchone() == (here, os.getpid())
