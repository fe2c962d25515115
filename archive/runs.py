"""Crawl runs: when a crawl started and ended, and what it found per portal.

A crawler calls :func:`start_run`, passes the run id to every
``ingest_report`` (which counts new / changed / unchanged reports and bytes
into ``crawl_run_portals``), adds its own counts (pages, errors) with
:func:`count`, marks reports gone from a fully crawled portal with
:func:`mark_removed`, and ends with :func:`finish_run`, which totals the
portal rows into ``crawl_runs``.

A run records the host and pid of the process that writes it.  A crawl killed
before :func:`finish_run` leaves its run ``running``; the next :func:`start_run`
on the same host marks such runs whose process no longer exists as
``interrupted`` (see :func:`close_interrupted_runs`).
"""

from __future__ import annotations

import os
import socket
from dataclasses import asdict
from datetime import UTC, datetime

import sqlite_utils

from nianbao.archive.capture import ListedReport
from nianbao.archive.db import transaction
from nianbao.archive.schema import COUNTERS


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def upsert_portal(db: sqlite_utils.Database, **fields: str | None) -> None:
    """Insert or update one portal (``id`` required; other columns as in the ``portals`` table)."""
    if not fields.get("id"):
        raise ValueError("a portal needs an id")
    known = set(db.table("portals").columns_dict)
    db.table("portals").upsert({k: v for k, v in fields.items() if k in known}, pk="id")


def ensure_portal(db: sqlite_utils.Database, portal_id: str) -> None:
    """Make sure a portal row exists, so a capture from an unlisted portal still ingests."""
    db.execute("insert or ignore into portals (id) values (?)", [portal_id])


def start_run(db: sqlite_utils.Database, started_at: str | None = None) -> int:
    """Open a run for this process, first closing earlier runs whose crawl was killed."""
    close_interrupted_runs(db)
    with transaction(db):
        return int(db.table("crawl_runs").insert({
            "started_at": started_at or utc_now(), "status": "running", "host": socket.gethostname(),
            "pid": os.getpid(),
        }).last_pk or 0)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def close_interrupted_runs(db: sqlite_utils.Database) -> list[int]:
    """Mark runs still ``running`` whose process is gone as ``interrupted``; return their ids.

    Only runs recorded on this host can be checked (``os.kill(pid, 0)``); runs of
    another host, or from before runs recorded their process, are left alone,
    and so is a pid the system has since reused (it looks alive): never close a
    run that may still be crawling.  ``ended_at`` becomes the run's last
    recorded fetch (its start if it fetched nothing): when it was last seen alive.
    """
    candidates = db.execute(
        "select id, pid from crawl_runs where status = 'running' and host = ? and pid is not null and pid != ?",
        [socket.gethostname(), os.getpid()],
    ).fetchall()
    gone = [run_id for run_id, pid in candidates if not process_exists(pid)]
    for run_id in gone:
        (last_seen,) = db.execute(
            "select coalesce((select max(fetched_at) from fetches where run_id = :id), started_at) "
            "from crawl_runs where id = :id", {"id": run_id},
        ).fetchone()
        finish_run(db, run_id, status="interrupted", ended_at=last_seen)
    return gone


def count(db: sqlite_utils.Database, run_id: int, portal_id: str, error: str | None = None, **increments: int) -> None:
    """Add ``increments`` (counter columns such as ``pages=1``) to a portal's row of a run."""
    unknown = set(increments) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown counters: {sorted(unknown)}")
    ensure_portal(db, portal_id)
    db.execute("insert or ignore into crawl_run_portals (run_id, portal_id) values (?, ?)", [run_id, portal_id])
    sets = [f"{name} = {name} + :{name}" for name in increments]
    if error is not None:
        sets.append("error = coalesce(error || char(10), '') || :error")
    if sets:
        db.execute(
            f"update crawl_run_portals set {', '.join(sets)} where run_id = :run_id and portal_id = :portal_id",
            {**increments, "error": error, "run_id": run_id, "portal_id": portal_id},
        )


def mark_removed(db: sqlite_utils.Database, run_id: int, portal_id: str, removed_at: str | None = None) -> int:
    """Mark reports of ``portal_id`` not seen since the run started as removed; return how many.

    Call only after the portal was crawled completely, or reports on pages
    that failed to load would be wrongly marked removed.
    """
    (started_at,) = db.execute("select started_at from crawl_runs where id = ?", [run_id]).fetchone()
    with transaction(db):
        cursor = db.execute(
            "update reports set status = 'removed', removed_at = ? "
            "where portal_id = ? and status != 'removed' and last_seen < ?",
            [removed_at or utc_now(), portal_id, started_at],
        )
        if cursor.rowcount:
            count(db, run_id, portal_id, reports_removed=cursor.rowcount)
    return cursor.rowcount


def record_listing(db: sqlite_utils.Database, run_id: int, listed: ListedReport) -> None:
    """Note a known report this run saw listed but did not request, its revisit not being due."""
    with transaction(db):
        db.table("listings").insert({"run_id": run_id, "seen_at": utc_now()} | asdict(listed), replace=True)
        count(db, run_id, listed.portal_id, reports_not_due=1)


def set_outcome(db: sqlite_utils.Database, run_id: int, portal_id: str, outcome: str, reason: str | None,
                report_links: int) -> None:
    """Record how a portal's crawl went in this run (see ``crawler.health``)."""
    ensure_portal(db, portal_id)
    db.execute("insert or ignore into crawl_run_portals (run_id, portal_id) values (?, ?)", [run_id, portal_id])
    db.execute("update crawl_run_portals set outcome = ?, outcome_reason = ?, report_links = ? "
               "where run_id = ? and portal_id = ?", [outcome, reason, report_links, run_id, portal_id])


def set_lists_complete(db: sqlite_utils.Database, run_id: int, portal_id: str, complete: bool | None) -> None:
    """Record whether this run read every list page of the portal (a full walk: True), stopped paging
    early by design (False) or could not tell (None: a list page failed or was blocked)."""
    ensure_portal(db, portal_id)
    with transaction(db):
        db.execute("insert or ignore into crawl_run_portals (run_id, portal_id) values (?, ?)", [run_id, portal_id])
        db.execute("update crawl_run_portals set lists_complete = ? where run_id = ? and portal_id = ?",
                   [None if complete is None else int(complete), run_id, portal_id])


def last_good_links(db: sqlite_utils.Database, portal_id: str, before_run: int) -> int | None:
    """How many report links the portal's last complete run with outcome ok found; None when there is
    no such run, or when run ``before_run`` stopped paging early (it sees fewer links by design)."""
    current = db.execute("select lists_complete from crawl_run_portals where run_id = ? and portal_id = ?",
                         [before_run, portal_id]).fetchone()
    if current and current[0] == 0:
        return None
    row = db.execute("select report_links from crawl_run_portals where portal_id = ? and run_id < ? "
                     "and outcome = 'ok' and coalesce(lists_complete, 1) = 1 order by run_id desc limit 1",
                     [portal_id, before_run]).fetchone()
    return row[0] if row else None


def finish_run(db: sqlite_utils.Database, run_id: int, status: str = "finished", ended_at: str | None = None) -> None:
    """Close a run and total its per-portal counters."""
    totals = ", ".join(
        f"{name} = (select coalesce(sum({name}), 0) from crawl_run_portals where run_id = :id)" for name in COUNTERS
    )
    with transaction(db):
        db.execute(
            f"update crawl_runs set ended_at = :ended_at, status = :status, {totals}, "
            "portals = (select count(*) from crawl_run_portals where run_id = :id) where id = :id",
            {"id": run_id, "status": status, "ended_at": ended_at or utc_now()},
        )
