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
