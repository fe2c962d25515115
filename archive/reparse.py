"""Rebuild every version's figures, checks, tables and sections with the current parser.

Choice: versions are reparsed *in place* (same version id and number, new
``parser_version`` and ``parsed_at``), because what a portal published is
the stored raw bytes, which never change; figures are our reading of them.
So that no reading once shown is lost, each reparse that changes anything
writes a ``reparse_log`` row with the old parser version, the old main
document and every figure whose value changed (``{key: [old, new]}``).
Reparse never adds versions: versions record changes at the source only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlite_utils

from nianbao.archive.db import transaction
from nianbao.archive.documents import load_document
from nianbao.archive.runs import utc_now
from nianbao.archive.versions import ParsedDocument, choose_main, report_columns, version_fields, write_parse_rows
from nianbao.parsers import parse_bytes


@dataclass
class ReparseSummary:
    versions: int = 0
    changed: int = 0  # versions whose figures, main document or parse errors changed
    failed: int = 0  # versions whose main document still parses into no known template


def reparse_archive(db: sqlite_utils.Database, progress: Callable[[int, int], None] | None = None) -> ReparseSummary:
    """Reparse all versions from their stored documents; one transaction per version."""
    summary = ReparseSummary()
    version_ids = [row[0] for row in db.execute("select id from report_versions order by id").fetchall()]
    for n, version_id in enumerate(version_ids, 1):
        docs = list(_parsed_documents(db, version_id))
        if docs:
            with transaction(db):
                changed, ok = _rewrite_version(db, version_id, docs)
            summary.versions += 1
            summary.changed += changed
            summary.failed += not ok
        if progress:
            progress(n, len(version_ids))
    return summary


def _parsed_documents(db: sqlite_utils.Database, version_id: int) -> Iterator[ParsedDocument]:
    rows = db.execute(
        "select sha256, url, role, position from version_documents where version_id = ? order by position",
        [version_id],
    ).fetchall()
    for sha, url, role, position in rows:
        yield ParsedDocument(sha, url, role, position, parse_bytes(load_document(db, sha), path=url))


def _rewrite_version(db: sqlite_utils.Database, version_id: int, docs: list[ParsedDocument]) -> tuple[bool, bool]:
    """Replace one version's parsed rows; log what changed. Returns (changed, parse_ok)."""
    old = db["report_versions"].get(version_id)
    old_figures = dict(db.execute("select key, value from figures where version_id = ?", [version_id]).fetchall())
    main = choose_main(docs)
    fields = version_fields(docs, main, utc_now())
    for kept in ("title", "agency"):  # from the article page when the parser finds none
        fields[kept] = fields[kept] or old[kept]
    new_figures = main.result.figures
    changed_figures = {
        key: [old_figures.get(key), new_figures.get(key)]
        for key in sorted(old_figures.keys() | new_figures.keys())
        if old_figures.get(key) != new_figures.get(key) or (key in old_figures) != (key in new_figures)
    }
    changed = bool(changed_figures) or old["document_sha256"] != main.sha256 or old["errors"] != fields["errors"]
    db["report_versions"].update(version_id, fields)
    write_parse_rows(db, version_id, docs, main)
    if changed:
        db["reparse_log"].insert(
            {
                "version_id": version_id,
                "reparsed_at": fields["parsed_at"],
                "old_parser_version": old["parser_version"],
                "new_parser_version": fields["parser_version"],
                "old_document_sha256": old["document_sha256"],
                "new_document_sha256": main.sha256,
                "changed_figures": json.dumps(changed_figures, ensure_ascii=False),
                "old_errors": old["errors"],
            }
        )
    report = db["reports"].get(old["report_id"])
    if report["current_version_id"] == version_id:
        db["reports"].update(report["id"], report_columns(db, fields, report))
    return changed, bool(fields["parse_ok"])
