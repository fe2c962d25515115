"""Reparse rebuilds parsed rows from stored documents, in place, logging what changed."""

from __future__ import annotations

import json

from archive_captures import BASE, SAMPLE_PDF, exchange, seed_capture
from click.testing import CliRunner

from nianbao.archive.cli import reparse
from nianbao.archive.db import open_archive
from nianbao.archive.ingest import ingest_report
from nianbao.archive.reparse import reparse_archive
from nianbao.parsers import PARSER_VERSION, parse_bytes
from nianbao.parsers.pool import ParsePool

PDF = SAMPLE_PDF.read_bytes()


def build(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    capture = seed_capture(0, report=("report.pdf", PDF), extra=[exchange(f"{BASE}/x.doc", b"junk")])
    version_id = ingest_report(db, capture).version_id
    second = ingest_report(db, seed_capture(1)).version_id
    return db, version_id, second


def stored_figures(db, version_id):
    return dict(db.execute("select key, value from figures where version_id = ?", [version_id]).fetchall())


def age_version(db, version_id):
    """Make a version look parsed by an older parser that read a figure differently."""
    db.execute("update report_versions set parser_version = 'old-0' where id = ?", [version_id])
    db.execute("delete from figures where version_id = ?", [version_id])
    db["figures"].insert({"version_id": version_id, "key": "requests.new.total", "value": 999, "inferred": 0})
    db.execute("delete from sections where version_id = ?", [version_id])


def test_reparse_rebuilds_rows_and_logs_old_values(tmp_path):
    db, version_id, other = build(tmp_path)
    before = {t: db[t].count for t in ("report_versions", "documents", "fetches")}
    other_figures = stored_figures(db, other)
    age_version(db, version_id)
    summary = reparse_archive(db)
    assert summary.versions == 2 and summary.changed >= 1
    expected = parse_bytes(PDF, path=f"{BASE}/files/report.pdf")
    main_figures = expected.figures if expected.template != "unknown" else {}
    assert stored_figures(db, version_id) == main_figures
    assert stored_figures(db, other) == other_figures
    version = db["report_versions"].get(version_id)
    assert version["parser_version"] == PARSER_VERSION
    log = next(db["reparse_log"].rows_where("version_id = ?", [version_id]))
    assert log["old_parser_version"] == "old-0" and log["new_parser_version"] == PARSER_VERSION
    assert json.loads(log["changed_figures"])["requests.new.total"][0] == 999
    assert {t: db[t].count for t in before} == before  # no new versions, documents or fetches


def misread_version(db, version_id):
    """Make a version look read by an older parser that got title, year, agency, text and sections wrong."""
    db["report_versions"].update(version_id, {"title": "旧标题", "year": 1999, "agency": "旧机关", "text": "旧正文"})
    db.execute("update sections set heading = '旧小标题' where version_id = ? and position = 0", [version_id])


def test_reparse_logs_every_changed_field(tmp_path):
    db, version_id, other = build(tmp_path)
    reparse_archive(db)  # the reading of the current parser, as stored
    right = db["report_versions"].get(version_id)
    right_sections = list(db["sections"].rows_where("version_id = ?", [version_id], order_by="position"))
    misread_version(db, version_id)
    summary = reparse_archive(db)
    assert summary.changed == 1  # the other version read the same as before: no log row
    (log,) = db["reparse_log"].rows_where("version_id = ?", [version_id])
    fields = json.loads(log["changed_fields"])
    assert fields["title"] == ["旧标题", right["title"]]
    assert fields["year"] == [1999, right["year"]]
    assert fields["agency"] == ["旧机关", right["agency"]]
    assert fields["text"] == ["旧正文", right["text"]]
    old_sections, new_sections = fields["sections"]
    assert old_sections[0]["heading"] == "旧小标题" and len(old_sections) == len(new_sections) == len(right_sections)
    assert set(fields) == {"title", "year", "agency", "text", "sections"}  # nothing else moved
    assert db["report_versions"].get(version_id)["title"] == right["title"]
    assert not list(db["reparse_log"].rows_where("version_id = ?", [other]))


def test_reparse_keeps_the_fetch_failures_ingest_recorded(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    missing = exchange(f"{BASE}/files/annex.pdf", status=404)
    version_id = ingest_report(db, seed_capture(0, extra=[missing])).version_id
    errors = db["report_versions"].get(version_id)["errors"]
    assert f"{missing.url}: HTTP 404" in json.loads(errors)
    assert reparse_archive(db).changed == 0
    assert db["report_versions"].get(version_id)["errors"] == errors
    assert not db["reparse_log"].count


def test_reparse_in_worker_processes_reads_like_inline(tmp_path):
    db, version_id, _ = build(tmp_path)
    readings = []
    for workers in (0, 2):
        age_version(db, version_id)
        with ParsePool(workers) as pool:
            summary = reparse_archive(db, pool)
        assert summary.versions == 2
        readings.append({t: [dict(r) for r in db[t].rows_where(order_by="version_id")]
                         for t in ("figures", "checks", "raw_tables", "sections", "version_documents")})
    assert readings[0] == readings[1]
    logs = list(db["reparse_log"].rows_where("version_id = ?", [version_id]))
    assert len(logs) == 2 and logs[0]["changed_fields"] == logs[1]["changed_fields"]


def test_reparse_twice_changes_nothing_more(tmp_path):
    db, version_id, _ = build(tmp_path)
    reparse_archive(db)
    snapshot = {t: list(db[t].rows) for t in ("figures", "checks", "raw_tables", "sections", "version_documents")}
    logged = db["reparse_log"].count
    assert reparse_archive(db).changed == 0
    assert {t: list(db[t].rows) for t in snapshot} == snapshot
    assert db["reparse_log"].count == logged


def test_reparse_command(tmp_path):
    db, version_id, _ = build(tmp_path)
    age_version(db, version_id)
    db.close()
    result = CliRunner().invoke(reparse, ["--db", str(tmp_path / "archive.db")])
    assert result.exit_code == 0, result.output
    assert "2 versions reparsed" in result.output
    assert open_archive(tmp_path / "archive.db")["report_versions"].get(version_id)["parser_version"] == PARSER_VERSION
    missing = CliRunner().invoke(reparse, ["--db", str(tmp_path / "none.db")])
    assert missing.exit_code != 0 and "no archive database" in missing.output
