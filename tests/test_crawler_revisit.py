"""The revisit policy: old reports are not re-requested on every crawl, yet an edit is caught within the bound.

Real crawls of the mirror (snapshot 2 edits the 2017 report of nxzw and removes one of gongyi) into a
real archive; time passing is the archive's visits moved back by SQL, as if they had happened then.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bench.timeshift import age_archive
from nianbao.crawler.mirror.server import SITE_DIR
from nianbao.crawler.revisit import KnownReport

CHANGES = json.loads((SITE_DIR / "2" / "manifest.json").read_text(encoding="utf-8"))["changes"]
EDITED_URL, REMOVED_URL = CHANGES["edited"]["url"], CHANGES["removed"]["url"]
PORTALS = ("nxzw", "gongyi")
BOUND = 30


def versions_of(conn, url: str) -> int:
    return conn.execute("select count(*) from report_versions v join reports r on r.id = v.report_id "
                        "where r.url = ?", [url]).fetchone()[0]


def test_edit_of_an_old_report_is_caught_within_the_bound(crawl_mirror, mirror, tmp_path):
    db_path = tmp_path / "archive.db"
    crawl_mirror(db_path, PORTALS, NIANBAO_REVISIT_MAX_DAYS=BOUND)
    with sqlite3.connect(db_path) as conn:  # fetches logs the exchanges of reports: articles and attachments
        articles = {url for (url,) in conn.execute("select url from fetches")}

    # The next day: the edit is there, but the report was verified yesterday and is years old: not requested.
    # gongyi's first page lists only known reports: paging stops there, so the report gone from its
    # second page is neither asked for nor taken as removed (the column was not walked to the end).
    age_archive(db_path, 1)
    mirror.clear_hits()
    crawl_mirror(db_path, PORTALS, snapshot=2, NIANBAO_REVISIT_MAX_DAYS=BOUND)
    requested = mirror.requested_urls()
    assert EDITED_URL not in requested
    assert not set(requested) & articles
    with sqlite3.connect(db_path) as conn:
        assert versions_of(conn, EDITED_URL) == 1
        run = conn.execute("select max(id) from crawl_runs").fetchone()[0]
        statuses = dict(conn.execute("select url, status from reports").fetchall())
        listed = conn.execute("select count(*) from listings where run_id = ?", [run]).fetchone()[0]
        not_due = conn.execute("select sum(reports_not_due) from crawl_run_portals where run_id = ?", [run]).fetchone()
        walks = dict(conn.execute("select portal_id, lists_complete from crawl_run_portals where run_id = ?", [run]))
        next_due = conn.execute("select l.next_due from listings l join reports r on r.id = l.report_id "
                                "where l.run_id = ? and r.url = ?", [run, EDITED_URL]).fetchone()[0]
    assert set(statuses.values()) == {"active"}
    assert walks["gongyi"] == 0
    assert listed == not_due[0] > 0
    assert datetime.fromisoformat(next_due) <= datetime.now(UTC) + timedelta(days=BOUND)

    # The bound later the lists are walked in full, every listed report is asked again: the edit becomes a
    # version and the unlisted report, now answering 404, is marked removed.
    age_archive(db_path, BOUND)
    mirror.clear_hits()
    crawl_mirror(db_path, PORTALS, snapshot=2, NIANBAO_REVISIT_MAX_DAYS=BOUND)
    assert EDITED_URL in mirror.requested_urls()
    with sqlite3.connect(db_path) as conn:
        assert versions_of(conn, EDITED_URL) == 2
        kinds = conn.execute("select c.kind from changes c join reports r on r.id = c.report_id where r.url = ? "
                             "order by c.id", [EDITED_URL]).fetchall()
        statuses = dict(conn.execute("select url, status from reports").fetchall())
    assert kinds == [("new",), ("edited",)]
    assert [u for u, s in statuses.items() if s == "removed"] == [REMOVED_URL]


def test_revalidate_and_zero_bound_request_every_report(crawl_mirror, mirror, tmp_path):
    db_path = tmp_path / "archive.db"
    crawl_mirror(db_path, ("nxzw",), NIANBAO_REVISIT_MAX_DAYS=BOUND)
    first = sorted(mirror.requested_urls())
    robots = "http://www.nxzw.gov.cn/robots.txt"
    assert robots in first
    mirror.clear_hits()
    crawl_mirror(db_path, ("nxzw",), NIANBAO_REVISIT_MAX_DAYS=0)  # every report and page; robots.txt from the cache
    assert sorted(mirror.requested_urls()) == [url for url in first if url != robots]
    mirror.clear_hits()
    crawl_mirror(db_path, ("nxzw",), NIANBAO_REVISIT_MAX_DAYS=BOUND, NIANBAO_REVALIDATE=True)  # no cache either
    assert sorted(mirror.requested_urls()) == first


DAY = timedelta(days=1)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def known(**kwargs) -> KnownReport:
    values = {"id": 1, "status": "active", "first_seen": NOW - 400 * DAY, "changed_at": None,
              "published": NOW - 1000 * DAY, "verified_at": NOW - DAY, "incomplete": False} | kwargs
    return KnownReport(**values)


@pytest.mark.parametrize(("report", "interval_days"), [
    (known(), BOUND),  # published long ago: the longest interval
    (known(changed_at=NOW - 11 * DAY), 1.0),  # edited 10 days before its last visit: a tenth of that
    (known(published=None, first_seen=NOW - 101 * DAY), 10.0),  # no date stated: from its first sighting
    (known(published=NOW + 100 * DAY, first_seen=NOW - 51 * DAY), 5.0),  # a date in the future is not trusted
])
def test_interval_grows_with_how_long_the_report_has_been_stable(report, interval_days):
    assert report.next_due(BOUND) == report.verified_at + timedelta(days=interval_days)


@pytest.mark.parametrize("report", [known(status="removed"), known(incomplete=True), known(verified_at=None)])
def test_removed_failing_or_never_fetched_reports_are_always_due(report):
    assert report.next_due(BOUND) is None
