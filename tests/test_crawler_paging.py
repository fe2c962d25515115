"""Revisiting list pages: a long column is paged only as deep as something new shows, walked in full
once per bound, and robots.txt is reused for 24 hours.

Real crawls (the real spider in a subprocess) of a simulated long TRS column on loopback
(bench/simcolumns.py: 30 sample-report variants, 6 a page, 5 pages) into a real archive; the
column is changed between crawls the way portals change, and time passing is the archive's
visits (and the HTTP cache's timestamps) moved back, as if they had happened then (bench/timeshift.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_crawler_revisit import versions_of

from bench.simcolumns import ColumnSize, HostColumn
from bench.simhosts import SimServer, start_sim
from bench.timeshift import age_archive, age_cache
from nianbao.crawler.run import MIRROR_SETTINGS, run_crawl_subprocess

BOUND = 30
PAGE = 6


@pytest.fixture
def sim() -> Iterator[SimServer]:
    server = start_sim(1, latency=(0.0, 0.0), columns=ColumnSize(reports=5 * PAGE, page_size=PAGE))
    yield server
    server.stop()


def column(sim: SimServer) -> HostColumn:
    assert sim.columns is not None
    return next(iter(sim.columns.columns.values()))


def crawl(sim: SimServer, db: Path) -> list[str]:
    """One crawl of the column with the shipped revisit policy; the URLs the server was asked for."""
    sim.clear_hits()
    settings = MIRROR_SETTINGS | {"NIANBAO_REGISTRY": str(sim.write_registry(db.parent / "registry.yml")),
                                  "NIANBAO_WARC_DIR": str(db.parent / "warc"), "NIANBAO_REVISIT_MAX_DAYS": BOUND}
    run_crawl_subprocess(str(db), (), sim.proxy_url, settings, timeout=240)
    return sim.requested_urls()


def list_pages(column: HostColumn, requested: list[str]) -> list[str]:
    folder = column.start_url.rsplit("/", 1)[0] + "/"
    return sorted(url.removeprefix(folder) for url in requested if url.startswith(folder) and url.endswith(".html")
                  and "/t20" not in url)


def last_run(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        run = conn.execute("select max(id) from crawl_runs").fetchone()[0]
        complete, not_due = conn.execute("select lists_complete, reports_not_due from crawl_run_portals "
                                         "where run_id = ?", [run]).fetchone()
        listed = conn.execute("select count(*) from listings where run_id = ?", [run]).fetchone()[0]
        statuses = dict(conn.execute("select url, status from reports").fetchall())
    return {"complete": complete, "not_due": not_due, "listed": listed, "statuses": statuses}


def test_unchanged_column_is_paged_no_further_than_page_one_and_robots_txt_is_kept_24_hours(sim, tmp_path):
    db = tmp_path / "archive.db"
    col = column(sim)
    robots = f"http://{col.host}/robots.txt"
    first = crawl(sim, db)
    assert list_pages(col, first) == ["index.html", "index_1.html", "index_2.html", "index_3.html", "index_4.html"]
    assert robots in first
    assert last_run(db)["complete"] == 1
    reports = len(last_run(db)["statuses"])
    assert reports == 5 * PAGE

    second = crawl(sim, db)  # nothing changed: page 1 (answered 304), no report, no robots.txt
    assert second == [col.start_url]
    assert [h.status for h in sim.hits] == [304]
    run = last_run(db)
    assert run["complete"] == 0  # paging stopped: no removal detection in this run
    assert run["listed"] == run["not_due"] == PAGE  # page 1's reports, known and not due
    assert set(run["statuses"].values()) == {"active"} and len(run["statuses"]) == reports

    assert age_cache(db.parent / "httpcache", suffix="/robots.txt", hours=23) == 1
    assert robots not in crawl(sim, db)  # 23 hours on: still the cached copy
    assert age_cache(db.parent / "httpcache", suffix="/robots.txt", hours=2) == 1
    assert robots in crawl(sim, db)  # 25 hours on: asked again (RFC 9309 §2.4)


def test_a_new_report_on_page_one_is_found_on_the_next_crawl(sim, tmp_path):
    db = tmp_path / "archive.db"
    col = column(sim)
    crawl(sim, db)
    age_archive(db, 1)
    new_url = col.add()

    requested = crawl(sim, db)
    assert new_url in requested
    # page 1 showed something new, so page 2 was read (it holds page 1's last report now, known): stop there
    assert list_pages(col, requested) == ["index.html", "index_1.html"]
    run = last_run(db)
    assert run["statuses"][new_url] == "active" and len(run["statuses"]) == 5 * PAGE + 1
    assert run["complete"] == 0


def test_removal_and_edit_deep_in_a_column_show_within_the_bound_and_never_before_a_full_walk(sim, tmp_path):
    db = tmp_path / "archive.db"
    col = column(sim)
    crawl(sim, db)
    removed_url = col.remove(2 * PAGE + 2)  # from page 3
    edited_url = col.edit(3 * PAGE + 1)  # on page 4 (page 5 before the removal)

    age_archive(db, 1)
    requested = crawl(sim, db)  # the next day: page 1 only; neither report asked for, nothing marked removed
    assert list_pages(col, requested) == ["index.html"]
    assert removed_url not in requested and edited_url not in requested
    run = last_run(db)
    assert run["complete"] == 0 and set(run["statuses"].values()) == {"active"}
    with sqlite3.connect(db) as conn:
        assert versions_of(conn, edited_url) == 1

    age_archive(db, BOUND - 2)  # the full walk 29 days ago: still within the bound
    crawl(sim, db)
    assert set(last_run(db)["statuses"].values()) == {"active"}

    age_archive(db, 1)  # the bound since the last full walk: every page read, every listed report asked again
    requested = crawl(sim, db)
    assert list_pages(col, requested) == ["index.html", "index_1.html", "index_2.html", "index_3.html", "index_4.html"]
    assert removed_url in requested and edited_url in requested  # the removal check (404) and the revisit
    run = last_run(db)
    assert run["complete"] == 1
    assert [url for url, status in run["statuses"].items() if status == "removed"] == [removed_url]
    with sqlite3.connect(db) as conn:
        assert versions_of(conn, edited_url) == 2
        kinds = conn.execute("select c.kind from changes c join reports r on r.id = c.report_id where r.url = ? "
                             "order by c.id", [edited_url]).fetchall()
    assert kinds == [("new",), ("edited",)]
