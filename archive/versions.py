"""What a version says: the parsed documents of one capture, reduced to rows.

Shared by ingest (a new capture) and reparse (stored documents, newer
parser): pick the main document, compute the content hash, and write the
figures, checks, raw tables and sections of a version.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from nianbao.archive.schema import TABLES
from nianbao.parsers.model import ParseResult

_WHITESPACE = re.compile(r"\s+")
PARSE_TABLES = ("figures", "checks", "raw_tables", "sections")
ROW_TABLES = (*PARSE_TABLES, "version_documents")  # every table with rows of a version's parse
_PRIMARY_KEYS = {spec.name: (spec.pk,) if isinstance(spec.pk, str) else tuple(spec.pk or ())
                 for spec in TABLES if spec.name in ROW_TABLES}


@dataclass
class ParsedDocument:
    """One stored document of a capture and what the parser made of it."""

    sha256: str
    url: str
    role: str  # "article" or "attachment"
    position: int  # 0 for the article, 1… for attachments in page order
    result: ParseResult


def choose_main(docs: list[ParsedDocument]) -> ParsedDocument:
    """The report's document: the attachment with a known template and the most figures, else the article.

    An article page that only links to a PDF parses into no template; its
    attachment is the report.  When nothing parses, the article (or the
    first document there is) stands for the report so its text is kept.
    """
    known = [d for d in docs if d.role == "attachment" and d.result.template != "unknown"]
    if known:
        return max(known, key=lambda d: (len(d.result.figures), -d.position))
    articles = [d for d in docs if d.role == "article"]
    return (articles or docs)[0]


def extracted_text(result: ParseResult) -> str:
    """The report's running text, section by section."""
    parts = []
    for section in result.sections:
        heading = "、".join(p for p in (section.get("number"), section.get("heading")) if p)
        parts.append("\n".join(p for p in (heading, section.get("text")) if p))
    return "\n\n".join(parts)


def content_hash(main: ParsedDocument) -> str:
    """Hash of what the report says (text and figures), blind to whitespace and page chrome.

    When the parser read nothing (no text, no figures) the document's own
    bytes are all there is to compare, so their sha256 is the content.
    """
    result = main.result
    text = _WHITESPACE.sub("", extracted_text(result))
    if not text and not result.figures:
        return main.sha256
    payload = json.dumps({"text": text, "figures": result.figures}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def document_errors(docs: list[ParsedDocument], main: ParsedDocument) -> list[str]:
    """The main document's errors as they are, the others' prefixed with their URL."""
    errors = list(main.result.errors)
    for doc in docs:
        if doc is not main:
            errors.extend(f"{doc.url}: {error}" for error in doc.result.errors)
    return errors


def version_fields(docs: list[ParsedDocument], main: ParsedDocument, parsed_at: str) -> dict[str, Any]:
    """The ``report_versions`` columns that come from parsing."""
    result = main.result
    known = result.template != "unknown"
    return {
        "content_hash": content_hash(main),
        "document_sha256": main.sha256,
        "document_role": main.role,
        "document_url": main.url,
        "parser_version": result.parser_version,
        "parsed_at": parsed_at,
        "title": result.title,
        "agency": result.agency,
        "year": result.year,
        "published": result.published,
        "template": result.template,
        "format": result.format,
        "text": extracted_text(result),
        "errors": json.dumps(document_errors(docs, main), ensure_ascii=False),
        "notes": json.dumps(result.notes, ensure_ascii=False),
        "needs_ocr": int(result.needs_ocr or (not known and any(d.result.needs_ocr for d in docs))),
        "ocr": int(result.ocr),
        "parse_ok": int(known),
        "figure_count": len(result.figures),
        "failed_checks": len(result.failed_checks),
    }


def write_parse_rows(
    db: sqlite_utils.Database, version_id: int, docs: list[ParsedDocument], main: ParsedDocument
) -> None:
    """Replace the version's figures, checks, tables, sections and document list."""
    replace_rows(db, version_id, parse_rows(version_id, docs, main))


def replace_rows(db: sqlite_utils.Database, version_id: int, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Replace the version's rows of each table in ``rows`` (tables not named are left as they are)."""
    for table, table_rows in rows.items():
        db.execute(f"delete from {table} where version_id = ?", [version_id])
        _insert_rows(db, table, table_rows)


def parse_rows(version_id: int, docs: list[ParsedDocument], main: ParsedDocument) -> dict[str, list[dict[str, Any]]]:
    """The rows a parse gives a version, by table (``ROW_TABLES``), every column of each table."""
    result = main.result
    inferred = set(result.inferred)
    return {
        "figures": [_figure_row(version_id, key, value, key in inferred, result.provenance.get(key, {}))
                    for key, value in result.figures.items()],
        "checks": [
            {"version_id": version_id, "rule": c["rule"], "ok": int(bool(c.get("ok"))), "detail": c.get("detail")}
            for c in result.checks
        ],
        "raw_tables": [
            {
                "version_id": version_id,
                "table_index": i,
                "title": t.get("title"),
                "page": t.get("page"),
                "rows": json.dumps(t.get("rows", []), ensure_ascii=False),
                "spans": None if t.get("spans") is None else json.dumps(t["spans"]),
            }
            for i, t in enumerate(result.tables)
        ],
        "sections": [
            {"version_id": version_id, "position": i, "number": s.get("number"), "heading": s.get("heading"),
             "text": s.get("text")}
            for i, s in enumerate(result.sections)
        ],
        "version_documents": [  # the same file attached twice is one document (the later row)
            {
                "version_id": version_id,
                "sha256": d.sha256,
                "url": d.url,
                "role": d.role,
                "position": d.position,
                "format": d.result.format,
                "template": d.result.template,
                "parse_ok": int(d.result.template != "unknown"),
                "errors": json.dumps(d.result.errors, ensure_ascii=False),
                "is_main": int(d is main),
            }
            for d in docs
        ],
    }


def _figure_row(version_id: int, key: str, value: Any, inferred: bool, where: dict[str, Any]) -> dict[str, Any]:
    return {
        "version_id": version_id,
        "key": key,
        "value": value,
        "inferred": int(inferred),
        "table_index": where.get("table"),
        "row": where.get("row"),
        "col": where.get("col"),
        "page": where.get("page"),
        "cell_text": where.get("text"),
        "source": where.get("source"),
        "confidence": where.get("confidence"),
    }


def _insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows of one shape in one ``executemany``; of rows with the same primary key the last is kept.

    sqlite-utils' ``insert_all`` works out column types and builds its statements per call, which
    made writing a version's rows cost half as much as parsing it; these tables and columns exist.
    The rows are made unique here and inserted plainly: an ``INSERT OR REPLACE`` into a table with a
    foreign key costs SQLite twice the work per row (measured), though the version's rows were just deleted.
    """
    if rows:
        columns = list(rows[0])
        db.conn.executemany(
            f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})",
            [[row[c] for c in columns] for row in _last_of_each_key(table, rows)],
        )


def _last_of_each_key(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows without those a later row of the same primary key replaces (what ``INSERT OR REPLACE`` keeps)."""
    key = _PRIMARY_KEYS[table]
    last: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in reversed(rows):
        last.setdefault(tuple(row[c] for c in key), row)
    return list(reversed(last.values()))


def agency_id_for(db: sqlite_utils.Database, name: str | None, portal_id: str) -> int | None:
    """The agency's id, adding it (under the portal it was first seen on) if new."""
    if not name:
        return None
    db.execute(
        "insert or ignore into agencies (name, portal_id, region_code) "
        "select ?, id, region_code from portals where id = ?",
        [name, portal_id],
    )
    return db.execute("select id from agencies where name = ?", [name]).fetchone()[0]


def report_columns(db: sqlite_utils.Database, fields: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """The ``reports`` columns copied from its current version.

    Title, agency and year keep their earlier values when the current
    version does not state them (its document is gone or unreadable): the
    report is still that agency's report for that year.
    """
    kept = {k: fields[k] or report[k] for k in ("title", "agency", "year")}
    copied = {k: fields[k] for k in ("template", "failed_checks")}
    return kept | copied | {"agency_id": agency_id_for(db, kept["agency"], report["portal_id"])}
