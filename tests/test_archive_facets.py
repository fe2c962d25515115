"""The facet columns of current_reports come from reports itself: reports.failed_checks follows the current
version at ingest, an older archive gains it filled in, and the view's rows are what the join gave (the region
is the body's once bodies are built, the portal's before; the portal is its own column)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from nianbao.archive.db import open_archive

JOINED_VIEW = """
select
  r.id as report_id, r.portal_id, p.name as portal,
  iif(b.id is null, p.province, b.province) as province, iif(b.id is null, p.city, b.city) as city,
  iif(b.id is null, p.county, b.county) as county, iif(b.id is null, p.region_code, b.region_code) as region_code,
  iif(b.id is null, p.level, b.level) as level,
  a.body_id, b.name as body,
  r.url, r.title, r.agency_id, r.agency, r.year, r.template, r.status,
  r.first_seen, r.last_seen, r.removed_at,
  v.id as version_id, v.version_no, v.published, v.fetched_at, v.parser_version,
  v.format, v.document_role, v.document_url, v.document_sha256, v.article_sha256,
  v.parse_ok, v.needs_ocr, v.figure_count, v.failed_checks, v.errors
from reports r
left join report_versions v on v.id = r.current_version_id
left join portals p on p.id = r.portal_id
left join agencies a on a.id = r.agency_id
left join bodies b on b.id = a.body_id
order by r.id
"""


def mismatched_failed_checks(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(
        """select r.id, r.failed_checks, v.failed_checks from reports r
           join report_versions v on v.id = r.current_version_id
           where r.failed_checks is not v.failed_checks"""
    ).fetchall()


def test_ingest_keeps_failed_checks_on_reports(site_db: Path) -> None:
    with sqlite3.connect(site_db) as conn:
        assert conn.execute("select count(*) from reports where failed_checks > 0").fetchone()[0] > 0
        assert mismatched_failed_checks(conn) == []


def test_current_reports_rows_equal_the_joined_view(site_db: Path) -> None:
    with sqlite3.connect(site_db) as conn:
        joined = conn.execute(JOINED_VIEW)
        columns = [c[0] for c in joined.description]
        view = conn.execute(f"select {', '.join(columns)} from current_reports order by report_id").fetchall()
        assert len(view) > 100 and view == joined.fetchall()
        view_columns = [c[0] for c in conn.execute("select * from current_reports limit 0").description]
        assert sorted(view_columns) == sorted(columns)


def test_older_archive_gains_failed_checks_filled_in(site_db: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copy(site_db, old)
    with sqlite3.connect(old) as conn:  # as an archive made before the column existed
        conn.execute("drop view current_reports")
        for (index,) in conn.execute("select name from pragma_index_list('reports')").fetchall():
            if "failed_checks" in {c for (c,) in conn.execute("select name from pragma_index_info(?)", [index])}:
                conn.execute(f"drop index {index}")
        conn.execute("alter table reports drop column failed_checks")
    db = open_archive(old)
    assert db.execute("select count(*) from reports where failed_checks > 0").fetchone()[0] > 0
    assert mismatched_failed_checks(db.conn) == []
    db.conn.close()
