"""Ingest one :class:`ReportCapture`: raw bytes, fetch log, report identity, versions.

Parsing happens before the write transaction (it is the slow part; the
crawl does it in worker processes: :func:`documents_to_parse` says what to
parse, ``ingest_report(..., parsed=...)`` takes the results); all
writes for one capture happen in one transaction, so a killed crawl never
leaves half a report.  Bad content never raises: its bytes are stored and
the parser's reasons recorded on the version.  Ingesting the same capture
twice changes nothing but ``last_seen``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import sqlite_utils
from w3lib.url import canonicalize_url

from nianbao.archive.capture import Capture, ReportCapture
from nianbao.archive.db import transaction
from nianbao.archive.documents import load_document, sha256_of, store_document
from nianbao.archive.runs import count, ensure_portal, utc_now
from nianbao.archive.versions import ParsedDocument, choose_main, report_columns, version_fields, write_parse_rows
from nianbao.parsers import parse_bytes
from nianbao.parsers.model import ParseResult

Outcome = Literal["new", "changed", "unchanged", "failed"]
_WHITESPACE = re.compile(r"\s+")


@dataclass
class IngestResult:
    outcome: Outcome  # "failed": no document could be fetched, only the fetch log was written
    report_id: int | None = None
    version_id: int | None = None  # the report's current version
    version_no: int | None = None
    restored: bool = False  # the report had been marked removed and is back
    errors: list[str] = field(default_factory=list)  # fetch failures and parse errors


def canonical_url(url: str) -> str:
    """The article URL as the report's identity: w3lib's canonical form, fragment dropped."""
    return canonicalize_url(url, keep_fragments=False)


@dataclass
class _Plan:
    """What ingesting a capture needs, read from the archive before parsing."""

    exchanges: list[tuple[str, Capture]]
    bodies: list[bytes | None]  # None: nothing usable was fetched
    known_id: int | None  # the report already archived at this URL
    seen_again: bool  # nothing to parse: the report is unchanged


def _plan(db: sqlite_utils.Database, capture: ReportCapture) -> _Plan:
    exchanges = [("article", capture.article)] + [("attachment", a) for a in capture.attachments]
    bodies = [_body(db, c) for _, c in exchanges]
    known_id = _lookup_report(db, capture.portal_id, canonical_url(capture.article.url))
    # Nothing to compare when the article failed; nothing new when the files are the current version's,
    # or when only an attachment failed for a passing reason (a timeout, a 500) and the article is the
    # current version's: the failure is not a change of the report. An edited article is a new version.
    seen_again = bodies[0] is not None and known_id is not None and (
        _same_documents(db, known_id, bodies)
        or (any(_passing_failure(c) for _, c in exchanges) and _same_article(db, known_id, bodies[0]))
    )
    return _Plan(exchanges, bodies, known_id, seen_again)


def documents_to_parse(db: sqlite_utils.Database, capture: ReportCapture) -> list[tuple[bytes, str]]:
    """The (bytes, URL) of each document :func:`ingest_report` will need parsed; none when the report is unchanged.

    Parse them (e.g. in a :class:`~nianbao.parsers.pool.ParsePool`) and pass the results as ``parsed``."""
    plan = _plan(db, capture)
    if plan.seen_again or plan.bodies[0] is None:
        return []
    return [(body, c.final_url or c.url) for (_, c), body in zip(plan.exchanges, plan.bodies) if body is not None]


def _parsed_documents(plan: _Plan, parsed: Mapping[str, ParseResult]) -> list[ParsedDocument]:
    """Every fetched document with its parse: from ``parsed`` when there, else parsed now."""
    docs = []
    for position, ((role, c), body) in enumerate(zip(plan.exchanges, plan.bodies)):
        if body is not None:
            sha, path = sha256_of(body), c.final_url or c.url
            docs.append(ParsedDocument(sha, path, role, position, parsed.get(sha) or parse_bytes(body, path=path)))
    return docs


def ingest_report(db: sqlite_utils.Database, capture: ReportCapture, run_id: int | None = None,
                  parsed: Mapping[str, ParseResult] | None = None) -> IngestResult:
    """Store a capture; add a version when its content differs from the report's current one.

    ``parsed``: results already parsed, by document sha256 (see :func:`documents_to_parse`); a document
    missing from it is parsed here, in this process.
    """
    seen_at = capture.article.fetched_at or utc_now()
    url = canonical_url(capture.article.url)
    plan = _plan(db, capture)
    exchanges, bodies, known_id, seen_again = plan.exchanges, plan.bodies, plan.known_id, plan.seen_again
    docs = [] if seen_again or bodies[0] is None else _parsed_documents(plan, parsed or {})
    fetch_errors = [f"{c.url}: {_fetch_error(c)}" for _, c in exchanges if not c.ok]
    with transaction(db):
        ensure_portal(db, capture.portal_id)
        for (_, c), body in zip(exchanges, bodies):
            if body is not None:
                store_document(db, body, seen_at, _header(c, "Content-Type"))
        if seen_again and known_id is not None:
            result = _seen_again(db, known_id, capture, url, seen_at)
        elif docs:
            result = _record(db, capture, url, docs, seen_at, run_id, fetch_errors)
        else:
            result = IngestResult("failed", report_id=known_id)
        first_fetch_new = _log_fetches(db, exchanges, bodies, result.report_id, capture.portal_id, run_id)
        if run_id is not None and first_fetch_new:
            outcome: dict[str, int] = \
                {"articles_failed": 1} if result.outcome == "failed" else {f"reports_{result.outcome}": 1}
            count(
                db, run_id, capture.portal_id, None,
                **outcome,
                errors=len(fetch_errors),
                bytes=sum(len(c.body) for _, c in exchanges if not c.not_modified),  # downloaded, not reloaded
            )
    version_errors = db.table("report_versions").get(result.version_id)["errors"] if result.version_id else "[]"
    result.errors = list(dict.fromkeys(fetch_errors + json.loads(version_errors)))
    return result


def _same_documents(db: sqlite_utils.Database, report_id: int, bodies: list[bytes | None]) -> bool:
    """Whether the capture's files are exactly those of the report's current version."""
    shas = {sha256_of(b) for b in bodies if b is not None}
    stored = db.execute(
        "select d.sha256 from version_documents d join reports r on r.current_version_id = d.version_id "
        "where r.id = ?",
        [report_id],
    ).fetchall()
    return bool(shas) and shas == {sha for (sha,) in stored}


def _same_article(db: sqlite_utils.Database, report_id: int, article: bytes) -> bool:
    """Whether the article page is the report's current version's."""
    row = db.execute(
        "select v.article_sha256 from report_versions v join reports r on r.current_version_id = v.id where r.id = ?",
        [report_id],
    ).fetchone()
    return bool(row) and row[0] == sha256_of(article)


def _seen_again(db: sqlite_utils.Database, report_id: int, capture: ReportCapture, url: str, seen_at: str,
                ) -> IngestResult:
    """The report is still there with the same content: move ``last_seen``, note a return from removal."""
    report = db.table("reports").get(report_id)
    restored = report["status"] == "removed"
    db.table("reports").update(report_id, _sighting(report, capture, url, seen_at))
    current = db.table("report_versions").get(report["current_version_id"])
    return IngestResult("unchanged", report_id, current["id"], current["version_no"], restored)


def _sighting(report: dict, capture: ReportCapture, url: str, seen_at: str) -> dict:
    """The ``reports`` columns a new sighting updates; a removed report seen again is restored."""
    return {
        "url": url,
        "last_seen": max(seen_at, report["last_seen"] or ""),
        "listing_url": capture.listing_url or report["listing_url"],
        "status": "restored" if report["status"] == "removed" else report["status"],
    }


def _record(
    db: sqlite_utils.Database,
    capture: ReportCapture,
    url: str,
    docs: list[ParsedDocument],
    seen_at: str,
    run_id: int | None,
    fetch_errors: list[str],
) -> IngestResult:
    """Find or create the report, and add a version unless the content is unchanged.

    Attachments that could not be fetched are named in the version's errors, before the parse errors."""
    main = choose_main(docs)
    fields = version_fields(docs, main, utc_now())
    fields["errors"] = json.dumps(fetch_errors + json.loads(fields["errors"]), ensure_ascii=False)
    fields["title"] = fields["title"] or capture.title
    fields["agency"] = fields["agency"] or capture.page_meta.get("发布机构")
    report_id = _lookup_report(db, capture.portal_id, url) or _lookup_moved_report(db, capture.portal_id, fields)
    outcome: Outcome = "changed"
    if report_id is None:
        report_id = int(db.table("reports").insert(
            {"portal_id": capture.portal_id, "url": url, "status": "active", "first_seen": seen_at}
        ).last_pk or 0)
        outcome = "new"
    db.execute(
        "insert or ignore into report_urls (portal_id, url, report_id, first_seen) values (?, ?, ?, ?)",
        [capture.portal_id, url, report_id, seen_at],
    )
    report = db.table("reports").get(report_id)
    current = db.table("report_versions").get(report["current_version_id"]) if report["current_version_id"] else None
    if current and (current["content_hash"] == fields["content_hash"] or current["document_sha256"] == main.sha256):
        return _seen_again(db, report_id, capture, url, seen_at)
    version_no = (current["version_no"] if current else 0) + 1
    version_id = int(db.table("report_versions").insert(
        {
            "report_id": report_id,
            "version_no": version_no,
            "article_sha256": next((d.sha256 for d in docs if d.role == "article"), None),
            "fetched_at": seen_at,
            "run_id": run_id,
            "page_meta": json.dumps(capture.page_meta, ensure_ascii=False),
            **fields,
        }
    ).last_pk or 0)
    write_parse_rows(db, version_id, docs, main)
    db.table("reports").update(
        report_id,
        _sighting(report, capture, url, seen_at)
        | report_columns(db, fields, report)
        | {"current_version_id": version_id},
    )
    return IngestResult(outcome, report_id, version_id, version_no, restored=report["status"] == "removed")


def _body(db: sqlite_utils.Database, c: Capture) -> bytes | None:
    """The bytes of an exchange: its body, or for a 304 the copy stored at the last fetch of that URL."""
    if c.not_modified:
        row = db.execute(
            "select sha256 from fetches where url = ? and sha256 is not null order by id desc limit 1", [c.url]
        ).fetchone()
        return load_document(db, row[0]) if row else None
    return c.body if c.ok else None


def _passing_failure(c: Capture) -> bool:
    """No answer or a server error: says nothing about the document (unlike a 404 or 410)."""
    return not c.ok and (c.status == 0 or c.status >= 500)


def _fetch_error(c: Capture) -> str:
    return c.error or f"HTTP {c.status}"


def _log_fetches(
    db: sqlite_utils.Database,
    exchanges: list[tuple[str, Capture]],
    bodies: list[bytes | None],
    report_id: int | None,
    portal_id: str,
    run_id: int | None,
) -> bool:
    """Record every exchange; return whether the article's was new (not a re-ingest)."""
    inserted = []
    for (role, c), body in zip(exchanges, bodies):
        sha = sha256_of(body) if body is not None else None
        error = None if c.ok else _fetch_error(c)
        key_parts = [run_id, role, c.url, c.final_url, c.status, c.fetched_at, sha, error]
        row = {
            "run_id": run_id,
            "portal_id": portal_id,
            "report_id": report_id,
            "role": role,
            "url": c.url,
            "final_url": c.final_url,
            "status": c.status,
            "fetched_at": c.fetched_at or None,
            "sha256": sha,
            "content_type": _header(c, "Content-Type"),
            "error": error,
            "not_modified": int(c.not_modified),
            "warc_file": c.warc_file,
            "warc_record_id": c.warc_record_id,
            "etag": _header(c, "ETag"),
            "last_modified": _header(c, "Last-Modified"),
            "exchange_key": hashlib.sha256(json.dumps(key_parts).encode()).hexdigest(),
        }
        cursor = db.execute(
            f"insert or ignore into fetches ({', '.join(row)}) values ({', '.join('?' * len(row))})",
            list(row.values()),
        )
        inserted.append(cursor.rowcount == 1)
    return inserted[0]


def _header(c: Capture, name: str) -> str | None:
    lowered = {k.lower(): v for k, v in c.headers.items()}
    return lowered.get(name.lower())


def _lookup_report(db: sqlite_utils.Database, portal_id: str, url: str) -> int | None:
    row = db.execute("select report_id from report_urls where portal_id = ? and url = ?", [portal_id, url]).fetchone()
    return row[0] if row else None


def _lookup_moved_report(db: sqlite_utils.Database, portal_id: str, fields: dict) -> int | None:
    """A report the portal moved to a new URL: same agency, year, title and content, only one such report.

    Requiring the same content keeps two different reports that share a
    title (a corrected re-publication, one report per department under a
    generic title) apart.
    """
    if not (fields["agency"] and fields["year"] and fields["title"]):
        return None
    title = _WHITESPACE.sub("", fields["title"])
    rows = db.execute(
        "select r.id, r.title from reports r join report_versions v on v.id = r.current_version_id "
        "where r.portal_id = ? and r.agency = ? and r.year = ? and (v.content_hash = ? or v.document_sha256 = ?)",
        [portal_id, fields["agency"], fields["year"], fields["content_hash"], fields["document_sha256"]],
    ).fetchall()
    matches = [rid for rid, t in rows if _WHITESPACE.sub("", t or "") == title]
    return matches[0] if len(matches) == 1 else None
