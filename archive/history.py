"""Change history on top of ingest: one ``changes`` row per event in a report's life.

Kinds: ``new`` (first version), ``edited`` (a later version: figure changes
and a unified text diff against the previous one), ``removed`` (gone from
its portal's listing and its URL now 404s or redirects away) and
``restored`` (a removed report seen again).  Nothing is ever deleted.

:func:`sync_changes` derives the ``new``/``edited``/``restored`` rows from
the versions and report statuses ingest wrote, for every one still lacking
its row.  It is idempotent, so a crawl killed between an ingest and its
change row catches up on the next run instead of losing the event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from nianbao.archive import runs
from nianbao.archive.db import row_dicts, transaction
from nianbao.archive.diff import FigureChange, figure_changes, text_diff
from nianbao.archive.runs import utc_now

SUMMARY_FIGURES = 3  # figure changes spelled out in a change's one-line summary
GONE_STATUSES = (404, 410)


def version_figures(db: sqlite_utils.Database, version_id: int) -> dict[str, Any]:
    """A version's figures as key → value, in key order."""
    return dict(db.execute("select key, value from figures where version_id = ? order by key", [version_id]).fetchall())


def sync_changes(db: sqlite_utils.Database, run_id: int | None = None, report_id: int | None = None) -> int:
    """Write the change rows missing for versions and restorations (of one report, or all); return how many."""
    added = 0
    with transaction(db):
        for version in _versions_without_change(db, report_id):
            _record_version(db, version, run_id)
            added += 1
        for restored_id, seen_at in _restorations_without_change(db, report_id):
            _insert(db, restored_id, None, "restored", seen_at, run_id, "back on the portal after its removal")
            added += 1
    return added


def _versions_without_change(db: sqlite_utils.Database, report_id: int | None) -> list[dict[str, Any]]:
    one_report = "and v.report_id = :report" if report_id is not None else ""  # a plain '=' uses the index
    rows = db.execute(
        "select v.* from report_versions v left join changes c on c.version_id = v.id "
        f"where c.id is null {one_report} order by v.report_id, v.version_no",
        {"report": report_id},
    )
    return row_dicts(rows)


def _restorations_without_change(db: sqlite_utils.Database, report_id: int | None) -> list[tuple[int, str]]:
    """Reports ingest marked 'restored' whose latest change is still their removal."""
    return db.execute(
        """
        select r.id, r.last_seen from reports r
        where r.status = 'restored' and coalesce(:report, r.id) = r.id and (
          select kind from changes c where c.report_id = r.id and c.kind in ('removed', 'restored')
          order by c.id desc limit 1
        ) = 'removed'
        """,
        {"report": report_id},
    ).fetchall()


def _record_version(db: sqlite_utils.Database, version: dict[str, Any], run_id: int | None) -> None:
    previous = db.execute(
        "select id, text from report_versions where report_id = ? and version_no < ? order by version_no desc limit 1",
        [version["report_id"], version["version_no"]],
    ).fetchone()
    at = version["fetched_at"] or utc_now()
    run = version["run_id"] or run_id
    if previous is None:
        summary = f"new report: {version['title'] or version['document_url']} ({version['figure_count'] or 0} figures)"
        _insert(db, version["report_id"], version["id"], "new", at, run, summary)
        return
    previous_id, previous_text = previous
    figures = figure_changes(version_figures(db, previous_id), version_figures(db, version["id"]))
    diff = text_diff(previous_text or "", version["text"] or "",
                     f"version {version['version_no'] - 1}", f"version {version['version_no']}")
    _insert(db, version["report_id"], version["id"], "edited", at, run, edit_summary(figures, diff),
            from_version_id=previous_id, figure_changes=json.dumps([f.to_json() for f in figures], ensure_ascii=False),
            text_diff=diff)


def edit_summary(figures: list[FigureChange], diff: str) -> str:
    """One line: the first figure changes spelled out, then how many text lines changed."""
    parts = [str(f) for f in figures[:SUMMARY_FIGURES]]
    if len(figures) > SUMMARY_FIGURES:
        parts.append(f"and {len(figures) - SUMMARY_FIGURES} more figures")
    lines = diff.splitlines()[2:]  # past the ---/+++ header
    removed = sum(1 for line in lines if line.startswith("-"))
    added = sum(1 for line in lines if line.startswith("+"))
    if removed or added:
        parts.append(f"text: +{added} −{removed} lines")
    return "; ".join(parts) or "content changed (no figure or text line differs: layout or file only)"


def _insert(db: sqlite_utils.Database, report_id: int, version_id: int | None, kind: str, at: str,
            run_id: int | None, summary: str, **extra: Any) -> None:
    db.table("changes").insert({"report_id": report_id, "version_id": version_id, "kind": kind, "at": at,
                          "run_id": run_id, "summary": summary, **extra})


def unlisted_reports(db: sqlite_utils.Database, run_id: int, portal_id: str) -> list[tuple[int, str]]:
    """Reports of a portal that this run did not reach from its listings: (id, url) of each.

    Reached: fetched in this run, or listed and not requested because its revisit was not due."""
    return db.execute(
        """
        select r.id, r.url from reports r
        where r.portal_id = :portal and r.status != 'removed'
          and not exists (select 1 from fetches f where f.report_id = r.id and f.run_id = :run)
          and not exists (select 1 from listings l where l.report_id = r.id and l.run_id = :run)
        order by r.id
        """,
        {"portal": portal_id, "run": run_id},
    ).fetchall()


def is_gone(status: int, url: str, location: str | None) -> bool:
    """Whether a report URL's answer means the report is gone: 404/410, or a redirect to another page."""
    if status in GONE_STATUSES:
        return True
    return 300 <= status < 400 and location is not None and location != "" and \
        location.split("#")[0] != url.split("#")[0]


def mark_removed(db: sqlite_utils.Database, report_id: int, run_id: int | None, evidence: str,
                 at: str | None = None) -> bool:
    """Mark a report removed (with a change row and the run's count); False if it already was."""
    at = at or utc_now()
    with transaction(db):
        report = db.table("reports").get(report_id)
        if report["status"] == "removed":
            return False
        db.table("reports").update(report_id, {"status": "removed", "removed_at": at})
        summary = f"removed from the portal: {evidence}; last seen {report['last_seen']}"
        _insert(db, report_id, report["current_version_id"], "removed", at, run_id, summary)
        if run_id is not None:
            runs.count(db, run_id, report["portal_id"], reports_removed=1)
    return True


def recent_changes(db: sqlite_utils.Database, kinds: Iterable[str] = ("new", "edited", "removed", "restored"),
                   limit: int = 50) -> list[dict[str, Any]]:
    """The latest changes across the archive, newest first, with their report's title and portal."""
    kinds = list(kinds)
    rows = db.execute(
        f"""
        select c.id, c.report_id, c.version_id, c.from_version_id, c.kind, c.at, c.run_id, c.summary,
               r.title, r.agency, r.year, r.portal_id, r.url, r.status
        from changes c join reports r on r.id = c.report_id
        where c.kind in ({', '.join('?' * len(kinds))})
        order by c.at desc, c.id desc limit ?
        """,
        [*kinds, limit],
    )
    return row_dicts(rows)
