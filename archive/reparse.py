"""Rebuild every version's figures, checks, tables and sections with the current parser.

Choice: versions are reparsed *in place* (same version id and number, new
``parser_version`` and ``parsed_at``), because what a portal published is
the stored raw bytes, which never change; figures are our reading of them.
So that no reading once shown is lost, each reparse that changes anything
writes a ``reparse_log`` row with the old parser version, the old main
document, every figure whose value changed (``changed_figures``:
``{key: [old, new]}``) and every other field whose reading changed
(``changed_fields``: title, year, agency, text, errors… and the rows of
sections, checks, raw tables, figures and documents, each ``[old, new]``).
Reparse never adds versions: versions record changes at the source only.

Speed: documents are parsed in a :class:`~nianbao.parsers.pool.ParsePool`
(several processes) while this process writes; a few versions ahead are in
the pool at any time, each version is written as soon as it is parsed, and
the versions parsed while one is written share the next transaction, so
neither the parse of one document nor a commit per version holds the others up; a table whose rows the parse reads as stored is not rewritten.  Versions are read report by report, so a document two
versions share (an unchanged attachment) is parsed once.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import sqlite_utils

from nianbao.archive.db import get_row, transaction, update_row
from nianbao.archive.documents import load_document
from nianbao.archive.runs import utc_now
from nianbao.archive.versions import (
    ROW_TABLES,
    ParsedDocument,
    choose_main,
    parse_rows,
    replace_rows,
    report_columns,
    version_fields,
)
from nianbao.parsers.model import ParseResult
from nianbao.parsers.pool import ParsePool

VERSIONS_PER_TRANSACTION = 50
VERSIONS_AHEAD_PER_WORKER = 4  # in the pool while the writer works: enough to keep every worker busy
UNLOGGED_COLUMNS = ("id", "parsed_at", "parser_version")  # the parse itself, logged as old/new parser version


@dataclass
class ReparseSummary:
    versions: int = 0
    changed: int = 0  # versions whose reading changed in any field (logged in reparse_log)
    failed: int = 0  # versions whose main document still parses into no known template


@dataclass
class _PendingDocument:
    sha256: str
    url: str
    role: str
    position: int
    result: Future[ParseResult]


def reparse_archive(db: sqlite_utils.Database, pool: ParsePool | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    needs_ocr_only: bool = False) -> ReparseSummary:
    """Reparse all versions (``needs_ocr_only``: the scans not read yet) from their stored documents
    (in ``pool``, default one worker per core)."""
    if pool is None:
        with ParsePool() as own_pool:
            return reparse_archive(db, own_pool, progress, needs_ocr_only)
    summary = ReparseSummary()
    total = db["report_versions"].count_where("needs_ocr = 1" if needs_ocr_only else None)
    done = 0
    ahead = max(1, pool.workers) * VERSIONS_AHEAD_PER_WORKER
    for batch in _batches(_submitted_versions(db, pool, ahead, needs_ocr_only)):
        with transaction(db):
            for version_id, docs in batch:
                changed, ok = _rewrite_version(db, version_id, docs)
                summary.versions += 1
                summary.changed += changed
                summary.failed += not ok
        done += len(batch)
        if progress:
            progress(done, total)
    return summary


def _submitted_versions(db: sqlite_utils.Database, pool: ParsePool, ahead: int, needs_ocr_only: bool = False,
                        ) -> Iterator[tuple[int, list[_PendingDocument]]]:
    """Each version with its documents in the pool, in report order; ``ahead`` more versions are submitted in
    advance."""
    pending: deque[tuple[int, list[_PendingDocument]]] = deque()
    shared: dict[tuple[str, str], Future[ParseResult]] = {}  # the current report's documents
    report = None
    for version_id, report_id, rows in _version_documents(db, needs_ocr_only):
        if report_id != report:
            report, shared = report_id, {}
        docs = []
        for sha, url, role, position in rows:
            if (sha, url) not in shared:
                shared[sha, url] = pool.submit(load_document(db, sha), url)
            docs.append(_PendingDocument(sha, url, role, position, shared[sha, url]))
        pending.append((version_id, docs))
        if len(pending) > ahead:
            yield pending.popleft()
    yield from pending


def _batches(submitted: Iterator[tuple[int, list[_PendingDocument]]]) -> Iterator[list[tuple[int, list[ParsedDocument]]]]:
    """The parsed versions, a transaction's worth at a time: the next version is waited for (outside any
    transaction, so a crawl writing the same archive is not held up), then every following one already
    parsed joins it, up to VERSIONS_PER_TRANSACTION.  Each version is written as soon as it is parsed,
    while the workers parse the next: the writes do not pile up after the last parse."""
    following = next(submitted, None)
    while following is not None:
        batch = [_finished(*following)]
        following = next(submitted, None)
        while (following is not None and len(batch) < VERSIONS_PER_TRANSACTION
               and all(doc.result.done() for doc in following[1])):
            batch.append(_finished(*following))
            following = next(submitted, None)
        yield batch


def _finished(version_id: int, docs: list[_PendingDocument]) -> tuple[int, list[ParsedDocument]]:
    return version_id, [ParsedDocument(d.sha256, d.url, d.role, d.position, d.result.result()) for d in docs]


def _version_documents(db: sqlite_utils.Database, needs_ocr_only: bool = False,
                       ) -> Iterator[tuple[int, int, list[tuple[str, str, str, int]]]]:
    """(version id, report id, its documents) for every version (or every one flagged needs_ocr) that has
    documents, report by report."""
    where = "where v.needs_ocr = 1 " if needs_ocr_only else ""
    rows = db.execute(
        "select v.id, v.report_id, d.sha256, d.url, d.role, d.position from report_versions v "
        f"join version_documents d on d.version_id = v.id {where}"
        "order by v.report_id, v.version_no, v.id, d.position"
    ).fetchall()
    for (version_id, report_id), documents in groupby(rows, key=lambda row: (row[0], row[1])):
        yield version_id, report_id, [(sha, url, role, position) for _, _, sha, url, role, position in documents]


def _rewrite_version(db: sqlite_utils.Database, version_id: int, docs: list[ParsedDocument]) -> tuple[bool, bool]:
    """Replace one version's parsed rows; log what changed. Returns (changed, parse_ok)."""
    old = get_row(db, "report_versions", version_id)
    before = _reading(db, version_id, old)
    main = choose_main(docs)
    fields = version_fields(docs, main, utc_now())
    for kept in ("title", "agency"):  # from the article page when the parser finds none
        fields[kept] = fields[kept] or old[kept]
    fields["errors"] = json.dumps(_fetch_errors(old["errors"], before["version_documents"]) + json.loads(fields["errors"]),
                                  ensure_ascii=False)
    update_row(db, "report_versions", version_id, fields)
    rows = parse_rows(version_id, docs, main)
    changed_rows = {table: rows[table] for table in ROW_TABLES if not _unchanged(rows[table], before[table])}
    replace_rows(db, version_id, changed_rows)  # most reparses read most tables as before: no write
    after = before | _reading(db, version_id, get_row(db, "report_versions", version_id), tuple(changed_rows))
    changed_fields = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if changed_fields:
        db.table("reparse_log").insert(
            {
                "version_id": version_id,
                "reparsed_at": fields["parsed_at"],
                "old_parser_version": old["parser_version"],
                "new_parser_version": fields["parser_version"],
                "old_document_sha256": old["document_sha256"],
                "new_document_sha256": main.sha256,
                "changed_figures": json.dumps(_figure_changes(before["figures"], after["figures"]),
                                              ensure_ascii=False),
                "old_errors": old["errors"],
                "changed_fields": json.dumps(changed_fields, ensure_ascii=False),
            }
        )
    report = get_row(db, "reports", old["report_id"])
    if report["current_version_id"] == version_id:
        update_row(db, "reports", report["id"], report_columns(db, fields, report))
    return bool(changed_fields), bool(fields["parse_ok"])


def _fetch_errors(errors: str | None, documents: list[dict[str, Any]]) -> list[str]:
    """The errors ingest put before the parse errors (documents that could not be fetched): reparse
    reads no network, so they stay.  They are the old errors that no stored document's parse gave."""
    parsed: set[str] = set()
    for doc in documents:
        found = json.loads(doc["errors"] or "[]")
        parsed.update(found if doc["is_main"] else (f"{doc['url']}: {e}" for e in found))
    return [e for e in json.loads(errors or "[]") if e not in parsed]


def _reading(db: sqlite_utils.Database, version_id: int, version: dict[str, Any],
             tables: tuple[str, ...] = ROW_TABLES) -> dict[str, Any]:
    """Everything a parse wrote for a version, as stored: its columns (``version``, its row) and the rows of
    each of ``tables``."""
    reading: dict[str, Any] = {k: v for k, v in version.items() if k not in UNLOGGED_COLUMNS}
    for table in tables:
        # column 2 is the rest of each table's primary key (key, rule, table_index, position, sha256)
        rows = db.execute(f"select * from {table} where version_id = ? order by 2", [version_id])
        names = [d[0] for d in rows.description]
        reading[table] = [{k: v for k, v in zip(names, row) if k != "version_id"} for row in rows.fetchall()]
    return reading


def _unchanged(new: list[dict[str, Any]], stored: list[dict[str, Any]]) -> bool:
    """Whether writing ``new`` would leave a table's rows as ``stored`` (read by :func:`_reading`).

    Rows are matched on the rest of the primary key (a repeated key replaces the earlier row, as on
    insert); values compare as Python does, so 5 and 5.0 are equal: these columns' affinities
    (INTEGER, REAL, NUMERIC) store both as one number anyway."""
    if not stored:
        return not new
    key = next(iter(stored[0]))  # column 2, the rest of the primary key
    return {row[key]: {k: v for k, v in row.items() if k != "version_id"} for row in new} == \
        {row[key]: row for row in stored}


def _figure_changes(old: Iterable[dict[str, Any]], new: Iterable[dict[str, Any]]) -> dict[str, list[Any]]:
    """``{key: [old value, new value]}`` for every figure added, dropped or read differently."""
    old_values = {row["key"]: row["value"] for row in old}
    new_values = {row["key"]: row["value"] for row in new}
    return {
        key: [old_values.get(key), new_values.get(key)]
        for key in sorted(old_values.keys() | new_values.keys())
        if old_values.get(key) != new_values.get(key) or (key in old_values) != (key in new_values)
    }
