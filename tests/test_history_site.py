"""History pages through a real Datasette (test client) and a real headless Chromium (served port)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from archive_captures import seed_capture
from conftest import datasette_get, free_port
from test_history_changes import EDITED

from nianbao.archive import history, runs
from nianbao.archive.db import open_archive
from nianbao.archive.ingest import ingest_report
from nianbao.archive.publish import make_datasette

ATOM = "{http://www.w3.org/2005/Atom}"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory) -> Path:
    """Report 1 edited (10 → 12 requests), report 2 removed then restored, report 3 removed."""
    path = tmp_path_factory.mktemp("site") / "nianbao.db"
    db = open_archive(path)
    run1 = runs.start_run(db, "2026-01-10T00:00:00Z")
    for i in range(3):
        ingest_report(db, seed_capture(i, at="2026-01-10T08:00:00Z"), run1)
    history.sync_changes(db, run1)
    runs.finish_run(db, run1, ended_at="2026-01-10T09:00:00Z")
    run2 = runs.start_run(db, "2026-02-10T00:00:00Z")
    ingest_report(db, seed_capture(0, at="2026-02-10T08:00:00Z", text=EDITED), run2)
    history.mark_removed(db, 2, run2, "http://x/art_1.html answered 404", at="2026-02-10T08:30:00Z")
    history.mark_removed(db, 3, run2, "http://x/art_2.html answered 302 → http://x/", at="2026-02-10T08:31:00Z")
    history.sync_changes(db, run2)
    runs.finish_run(db, run2, ended_at="2026-02-10T09:00:00Z")
    run3 = runs.start_run(db, "2026-03-10T00:00:00Z")
    ingest_report(db, seed_capture(1, at="2026-03-10T08:00:00Z"), run3)
    history.sync_changes(db, run3)
    runs.finish_run(db, run3, ended_at="2026-03-10T09:00:00Z")
    db.close()
    return path


def get(path_to_db: Path, path: str):
    return datasette_get(make_datasette(path_to_db), path)


def test_history_page_shows_versions_events_and_the_figure_change(archive_path):
    page = get(archive_path, "/report/1/history")
    assert page.status_code == 200
    html = page.text
    assert html.count("<tr>\n    <td>") == 2  # two versions
    assert "新增 new" in html and "修改 edited" in html
    assert "<code>requests.new.total</code>" in html
    assert '<td class="old">10</td>' in html and '<td class="new">12</td>' in html
    assert "<del>0</del>" in html or "<del>10</del>" in html  # the changed characters of the narrative
    assert "<ins>2</ins>" in html or "<ins>12</ins>" in html


def test_any_two_versions_and_bad_version_ids(archive_path):
    same = get(archive_path, "/report/1/history?a=1&b=1")
    assert same.status_code == 200 and "No figure differs." in same.text and "The extracted text is the same." in same.text
    backwards = get(archive_path, "/report/1/history?a=4&b=1")
    assert '<td class="old">12</td>' in backwards.text and '<td class="new">10</td>' in backwards.text
    assert get(archive_path, "/report/1/history?a=2").status_code == 404  # version 2 belongs to report 2
    assert get(archive_path, "/report/99/history").status_code == 404


def test_removed_and_restored_report_history(archive_path):
    html = get(archive_path, "/report/2/history").text
    assert "删除 removed" in html and "恢复 restored" in html and "answered 404" in html
    assert "status-restored" in html
    removed = get(archive_path, "/report/3/history").text
    assert "status-removed" in removed and "found missing 2026-02-10T08:31:00Z" in removed


def test_recent_changes_page_filters_and_freshness(archive_path):
    html = get(archive_path, "/changes").text
    table = html[html.index('<table class="changes">'):]
    assert table.index("恢复 restored") < table.index("删除 removed") < table.index("修改 edited") \
        < table.index("新增 new")  # newest first
    assert 'href="/report/1/history?a=1&amp;b=4"' in html  # an edit links straight to its comparison
    assert "2026-03-10T09:00:00Z" in html  # when the portal was last crawled
    only_removed = get(archive_path, "/changes?kind=removed").text
    assert "删除 removed</span>" in only_removed and "修改 edited</span>" not in only_removed


def test_freshness_shows_an_interrupted_run(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    db = open_archive(tmp_path / "nianbao.db")
    killed = runs.start_run(db, "2026-04-01T00:00:00Z")
    runs.count(db, killed, "nxzw", pages=3)
    db.execute("update crawl_runs set pid = ? where id = ?", [gone.pid, killed])  # as if its crawl was killed
    assert runs.close_interrupted_runs(db) == [killed]
    db.close()
    row = get(tmp_path / "nianbao.db", "/changes").text.split('<table class="freshness">')[1]
    assert '<td class="run-interrupted">interrupted</td>' in row and "2026-04-01T00:00:00Z" in row

def test_atom_feed_is_valid_and_filterable(archive_path):
    response = get(archive_path, "/changes.atom")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 7  # 3 new, 1 edited, 2 removed, 1 restored
    assert feed.find(f"{ATOM}updated").text == "2026-03-10T08:00:00Z"
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):
            assert entry.find(f"{ATOM}{tag}").text, tag
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
    assert len({e.find(f"{ATOM}id").text for e in entries}) == 7
    edited = ET.fromstring(get(archive_path, "/changes.atom?kind=edited").content).findall(f"{ATOM}entry")
    assert len(edited) == 1 and "总计 (requests.new.total): 10 → 12" in edited[0].find(f"{ATOM}summary").text  # in words
    assert edited[0].find(f"{ATOM}content").text.startswith("--- version 1")




@pytest.fixture(scope="module")
def served(archive_path):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "nianbao.cli", "serve", "--db", str(archive_path),
                               "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/changes", timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise AssertionError("datasette did not start") from None
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=10)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium (scripts/setup-system)")
def test_journalist_compares_versions_in_a_browser(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{served}/changes")
        page.click("text=修改 edited")
        page.locator("table.changes a").first.click()
        assert page.url.endswith("/report/1/history?a=1&b=4")
        old, new = page.locator("table.figure-diff tr:has(code:text('requests.new.total')) td.old, "
                                "table.figure-diff tr:has(code:text('requests.new.total')) td.new").all_inner_texts()
        assert (old, new) == ("10", "12")
        changed = page.locator("table.text-diff tr.replace")
        assert changed.count() >= 1
        assert page.locator("table.text-diff del").first.evaluate("e => getComputedStyle(e).textDecorationLine") \
            == "line-through"
        # compare the other way round with the form
        page.select_option("select[name=a]", "4")
        page.select_option("select[name=b]", "1")
        with page.expect_navigation():
            page.click("form.compare button")
        assert "a=4&b=1" in page.url
        assert page.locator("table.figure-diff tr:has(code:text('requests.new.total')) td.new").inner_text() == "10"
        browser.close()
