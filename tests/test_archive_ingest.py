"""Ingesting report captures into a real SQLite archive."""

from __future__ import annotations

import json

import pytest
from archive_captures import BASE, PORTAL, SAMPLE_PDF, SEEDS, exchange, seed_capture

from nianbao.archive.db import open_archive
from nianbao.archive.documents import load_document, sha256_of
from nianbao.archive.ingest import ingest_report
from nianbao.archive.runs import count, finish_run, mark_removed, start_run, upsert_portal
from nianbao.archive.schema import TABLES
from nianbao.parsers import parse_bytes

PDF = SAMPLE_PDF.read_bytes()


@pytest.fixture
def db(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    upsert_portal(db, id=PORTAL, name="测试门户", province="江苏省", city="淮安市", region_code="320813",
                  level="county", base_url="http://www.example.gov.cn/")
    yield db
    db.close()


def pdf_capture(**kw):
    return seed_capture(0, report=("report.pdf", PDF), **kw)


def test_open_archive_is_idempotent_and_sets_wal_and_foreign_keys(tmp_path):
    path = tmp_path / "a.db"
    first = open_archive(path)
    schema = {t: first[t].schema for t in first.table_names()}
    first.close()
    again = open_archive(path)
    assert {t: again[t].schema for t in again.table_names()} == schema
    assert {spec.name for spec in TABLES} <= set(again.table_names())
    assert {"current_reports", "current_figures"} <= set(again.view_names())
    assert again.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert again.execute("pragma foreign_keys").fetchone()[0] == 1


def test_open_archive_adds_columns_missing_from_an_older_database(tmp_path):
    path = tmp_path / "old.db"
    open_archive(path).close()
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("alter table reports drop column listing_url")
    conn.commit()
    conn.close()
    assert "listing_url" in open_archive(path)["reports"].columns_dict


def test_ingest_real_report_fills_every_table(db):
    run_id = start_run(db)
    result = ingest_report(db, pdf_capture(), run_id)
    finish_run(db, run_id)
    assert result.outcome == "new" and result.version_no == 1
    parsed = parse_bytes(PDF, path=f"{BASE}/files/report.pdf")
    assert parsed.template != "unknown", "the sample PDF must parse into a template for this test to mean anything"
    for table in ("portals", "agencies", "crawl_runs", "crawl_run_portals", "documents", "fetches", "reports",
                  "report_urls", "report_versions", "version_documents", "figures", "checks", "raw_tables",
                  "sections"):
        assert db[table].count > 0, table
    version = db["report_versions"].get(result.version_id)
    assert version["document_role"] == "attachment"
    assert version["document_sha256"] == sha256_of(PDF)
    assert version["parse_ok"] == 1 and version["template"] == parsed.template
    assert version["year"] == parsed.year and version["agency"] == parsed.agency
    stored = dict(db.execute("select key, value from figures where version_id = ?", [result.version_id]).fetchall())
    assert stored == parsed.figures
    assert db["checks"].count == len({c["rule"] for c in parsed.checks})
    assert db["raw_tables"].count == len(parsed.tables)
    assert load_document(db, sha256_of(PDF)) == PDF
    current = list(db.query("select * from current_figures"))
    assert len(current) == len(parsed.figures) and current[0]["region_code"] == "320813"
    report = db["reports"].get(result.report_id)
    assert report["current_version_id"] == result.version_id and report["status"] == "active"
    assert report["agency_id"] == db.execute("select id from agencies where name = ?", [parsed.agency]).fetchone()[0]
    run = db["crawl_runs"].get(run_id)
    assert (run["status"], run["reports_new"], run["portals"]) == ("finished", 1, 1)
    assert run["bytes"] == len(PDF) + len(pdf_capture().article.body)


def test_reingesting_the_same_capture_adds_nothing(db):
    first = ingest_report(db, pdf_capture())
    counts = {t: db[t].count for t in db.table_names()}
    again = ingest_report(db, pdf_capture())
    assert again.outcome == "unchanged" and again.version_id == first.version_id
    assert {t: db[t].count for t in db.table_names()} == counts


def test_a_later_crawl_with_the_same_content_only_moves_last_seen(db):
    ingest_report(db, seed_capture(1, at="2026-01-10T08:00:00Z"))
    result = ingest_report(db, seed_capture(1, at="2026-02-10T08:00:00Z"))
    assert result.outcome == "unchanged"
    report = db["reports"].get(result.report_id)
    assert (report["first_seen"], report["last_seen"]) == ("2026-01-10T08:00:00Z", "2026-02-10T08:00:00Z")
    assert db["report_versions"].count == 1
    assert db["fetches"].count == 4  # each crawl's exchanges (article, attachment) are logged


def test_changed_content_makes_version_2_and_keeps_version_1(db):
    text = SEEDS[2].read_text(encoding="utf-8")
    first = ingest_report(db, seed_capture(2, text=text))
    edited = text.replace("共收到", "共收到和处理", 1) + "\n（本报告于2026年3月1日更正。）"
    second = ingest_report(db, seed_capture(2, text=edited, at="2026-03-01T00:00:00Z"))
    assert (second.outcome, second.version_no, second.report_id) == ("changed", 2, first.report_id)
    versions = list(db.query("select * from report_versions order by version_no"))
    assert [v["version_no"] for v in versions] == [1, 2]
    assert versions[0]["content_hash"] != versions[1]["content_hash"]
    assert versions[0]["document_sha256"] != versions[1]["document_sha256"]
    assert "2026年3月1日更正" in versions[1]["text"] and "2026年3月1日更正" not in versions[0]["text"]
    assert db["reports"].get(first.report_id)["current_version_id"] == second.version_id
    assert db["figures"].count == 2 * versions[0]["figure_count"]  # version 1's figures are kept
    assert db["documents"].count == 3  # one article page, two report texts


def test_same_report_re_encoded_and_new_page_chrome_is_not_a_new_version(db):
    first = ingest_report(db, seed_capture(3))
    version = db["report_versions"].get(first.version_id)
    if version["parse_ok"] != 1 or not version["text"]:
        pytest.fail("seed 3 must parse for this test to mean anything")
    capture = seed_capture(3, at="2026-04-01T00:00:00Z", encoding="gb18030")
    capture.article.body = capture.article.body.replace(b"</body>", "<div>访问量：12345</div></body>".encode())
    result = ingest_report(db, capture)
    assert (result.outcome, result.version_id) == ("unchanged", first.version_id)
    assert db["documents"].count == 4  # both encodings and both pages are kept as fetched


def test_garbage_attachment_keeps_bytes_and_records_errors(db):
    garbage = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00\xff broken OLE" * 50
    capture = seed_capture(0, extra=[exchange(f"{BASE}/broken.doc", garbage)])
    result = ingest_report(db, capture)
    assert result.outcome == "new"
    assert load_document(db, sha256_of(garbage)) == garbage
    doc = db["version_documents"].get((result.version_id, sha256_of(garbage)))
    assert doc["parse_ok"] == 0 and json.loads(doc["errors"])
    version_errors = json.loads(db["report_versions"].get(result.version_id)["errors"])
    assert any(e.startswith(f"{BASE}/broken.doc: ") for e in version_errors)


def test_unreadable_report_is_a_version_with_parse_ok_0(db):
    scan = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # a scan published as the report
    result = ingest_report(db, seed_capture(0, report=("scan.png", scan)))
    version = db["report_versions"].get(result.version_id)
    assert version["parse_ok"] == 0 and version["document_role"] == "article"
    assert version["template"] == "unknown" and json.loads(version["errors"])
    assert load_document(db, sha256_of(scan)) == scan


def test_404_attachment_is_logged_with_its_status(db):
    run_id = start_run(db)
    capture = seed_capture(0, extra=[exchange(f"{BASE}/gone.pdf", status=404)])
    result = ingest_report(db, capture, run_id)
    finish_run(db, run_id)
    row = next(db["fetches"].rows_where("url = ?", [f"{BASE}/gone.pdf"]))
    assert (row["status"], row["error"], row["sha256"], row["report_id"]) == (404, "HTTP 404", None, result.report_id)
    assert f"{BASE}/gone.pdf: HTTP 404" in result.errors
    assert db["crawl_runs"].get(run_id)["errors"] == 1


def test_article_that_failed_entirely_is_logged_without_a_report(db):
    capture = seed_capture(0)
    capture.article = exchange(f"{BASE}/art_x.html", status=0, error="DNS lookup failed")
    capture.attachments = []
    result = ingest_report(db, capture)
    assert result.outcome == "failed" and result.report_id is None
    assert db["reports"].count == 0
    assert next(db["fetches"].rows)["error"] == "DNS lookup failed"


def test_not_modified_reuses_the_stored_copy(db):
    first = ingest_report(db, seed_capture(1))
    capture = seed_capture(1, at="2026-05-01T00:00:00Z")
    capture.article = exchange(capture.article.url, status=304, at="2026-05-01T00:00:00Z", not_modified=True)
    capture.attachments[0] = exchange(capture.attachments[0].url, status=304, not_modified=True)
    result = ingest_report(db, capture)
    assert (result.outcome, result.version_id) == ("unchanged", first.version_id)


def test_moved_url_is_found_by_agency_year_and_title(db):
    first = ingest_report(db, pdf_capture())
    if db["reports"].get(first.report_id)["year"] is None:
        pytest.fail("the sample PDF must yield agency and year for the moved-URL lookup")
    moved = pdf_capture(url=f"{BASE}/2026/new_location.html", at="2026-06-01T00:00:00Z")
    moved.article.body += b"<!-- new CMS -->"
    result = ingest_report(db, moved)
    assert result.report_id == first.report_id and result.outcome == "unchanged"
    assert db["reports"].get(first.report_id)["url"] == f"{BASE}/2026/new_location.html"
    assert db["report_urls"].count == 2


def test_removed_then_seen_again_is_restored(db):
    ingest_report(db, seed_capture(4, at="2026-01-01T00:00:00Z"))
    run_id = start_run(db, started_at="2026-02-01T00:00:00Z")
    count(db, run_id, PORTAL, pages=3)
    assert mark_removed(db, run_id, PORTAL, removed_at="2026-02-01T01:00:00Z") == 1
    finish_run(db, run_id)
    report = next(db["reports"].rows)
    assert (report["status"], report["removed_at"]) == ("removed", "2026-02-01T01:00:00Z")
    run = db["crawl_runs"].get(run_id)
    assert (run["reports_removed"], run["pages"]) == (1, 3)
    result = ingest_report(db, seed_capture(4, at="2026-03-01T00:00:00Z"))
    assert result.restored and db["reports"].get(result.report_id)["status"] == "restored"


def test_same_title_with_other_content_at_another_url_is_another_report(db):
    first = ingest_report(db, seed_capture(1))
    text = SEEDS[1].read_text(encoding="utf-8") + "\n（另一份）"
    other = ingest_report(db, seed_capture(1, url=f"{BASE}/elsewhere.html", text=text))
    assert other.outcome == "new" and other.report_id != first.report_id


def test_attachment_timeout_on_a_known_report_is_not_a_new_version(db):
    first = ingest_report(db, seed_capture(2))
    capture = seed_capture(2, at="2026-07-01T00:00:00Z")
    capture.attachments[0] = exchange(capture.attachments[0].url, status=0, error="TimeoutError")
    result = ingest_report(db, capture)
    assert (result.outcome, result.version_id) == ("unchanged", first.version_id)
    assert any("TimeoutError" in e for e in result.errors)
    assert db["reports"].get(first.report_id)["last_seen"] == "2026-07-01T00:00:00Z"


def test_attachment_gone_404_on_a_known_report_is_recorded_as_a_version(db):
    first = ingest_report(db, seed_capture(2))
    capture = seed_capture(2, at="2026-08-01T00:00:00Z")
    capture.attachments[0] = exchange(capture.attachments[0].url, status=404)
    result = ingest_report(db, capture)
    assert (result.outcome, result.version_no) == ("changed", 2)
    version = db["report_versions"].get(result.version_id)
    assert version["document_role"] == "article" and version["parse_ok"] == 0
    assert db["figures"].count == db["report_versions"].get(first.version_id)["figure_count"]
    report = db["reports"].get(first.report_id)
    assert (report["year"], report["template"]) == (2020, "unknown")  # still that year's report, now unreadable


def test_edited_article_while_its_attachment_answers_500_is_a_new_version_each_edit(db):
    first = ingest_report(db, seed_capture(2))
    outcomes = []
    for crawl, at in enumerate(["2026-07-01T00:00:00Z", "2026-07-02T00:00:00Z", "2026-07-03T00:00:00Z"]):
        capture = seed_capture(2, at=at)
        edit = f'<div class="content"><p>更正说明第{min(crawl, 1)}版。</p>'.encode()  # crawls 2 and 3: the same edit
        capture.article.body = capture.article.body.replace(b'<div class="content">', edit)
        capture.attachments[0] = exchange(capture.attachments[0].url, status=500, at=at)
        result = ingest_report(db, capture)
        outcomes.append((result.outcome, result.version_no))
        assert f"{capture.attachments[0].url}: HTTP 500" in result.errors
    assert outcomes == [("changed", 2), ("changed", 3), ("unchanged", 3)]  # the third crawl saw edit 1 again
    for version in db["report_versions"].rows_where("report_id = ? and version_no > 1", [first.report_id]):
        assert any("HTTP 500" in e for e in json.loads(version["errors"]))


def test_documents_parsed_elsewhere_are_not_parsed_again(db):
    from nianbao.archive.ingest import documents_to_parse

    capture = pdf_capture()
    documents = documents_to_parse(db, capture)
    assert [path for _, path in documents] == [capture.article.url, capture.attachments[0].url]
    parsed = {sha256_of(data): parse_bytes(data, path=path) for data, path in documents}
    parsed[sha256_of(PDF)].title = "由工作进程解析的标题"
    result = ingest_report(db, capture, parsed=parsed)
    assert db["report_versions"].get(result.version_id)["title"] == "由工作进程解析的标题"
    assert documents_to_parse(db, capture) == []  # unchanged now: nothing to parse
