"""One crawl job on a crawl node: the single-machine crawl, unchanged, then an upload of its result.

The node never writes the central archive.  It crawls one portal into a private copy of the
archive snapshot named in the job (so conditional requests, revisits and removal checks work as on
one machine), then uploads what the crawl found: every capture (the capture log and the raw bytes),
the WARC files, the reports the crawl found removed, and the portal's row of the run.  The bytes go
first and the result entry last, in one ``XADD``: a node that dies mid-upload leaves bytes nobody
refers to and no entry, and the job, never acknowledged, is crawled again by another node.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import redis

from nianbao.cluster.queue import PREFIX, RESULTS, put_blob
from nianbao.crawler.run import run_crawl_subprocess

CRAWL_TIMEOUT_S = 6 * 3600


def crawl_job(store: redis.Redis, job: dict[str, Any], home: Path) -> dict[str, Any]:
    """Crawl ``job["portal"]`` from snapshot ``job["snapshot"]`` and upload the result; returns the entry."""
    folder = home / "jobs" / job["id"]
    shutil.rmtree(folder, ignore_errors=True)  # a job crawled again on this node starts afresh
    folder.mkdir(parents=True)
    db_path = folder / "archive.db"
    shutil.copyfile(_snapshot(store, job["snapshot"], home), db_path)
    settings = job["settings"] | {
        "NIANBAO_CAPTURE_LOG": str(folder / "captures.jsonl"),
        "NIANBAO_CAPTURE_BLOBS": str(folder / "blobs"),
        "NIANBAO_WARC_DIR": str(folder / "warc"),
    }
    run_crawl_subprocess(str(db_path), [job["portal"]], job.get("proxy"), settings, timeout=CRAWL_TIMEOUT_S)
    entry = {"job": job["id"], "portal": job["portal"], "run": job["run"], **_found(folder, db_path, job["portal"])}
    for blob in sorted((folder / "blobs").glob("*")) if (folder / "blobs").is_dir() else []:
        put_blob(store, blob.name, blob.read_bytes())
    for warc in entry["warcs"]:
        put_blob(store, warc["sha256"], (folder / "warc" / warc["name"]).read_bytes())
    store.xadd(RESULTS, {"entry": json.dumps(entry, ensure_ascii=False)})
    shutil.rmtree(folder, ignore_errors=True)
    return entry


def _snapshot(store: redis.Redis, name: str, home: Path) -> Path:
    """The archive snapshot, fetched once per node and kept."""
    path = home / "snapshots" / f"{name}.db"
    if not path.exists():
        data = store.get(PREFIX + "snapshot:" + name)
        if not isinstance(data, bytes):
            raise LookupError(f"snapshot {name} is not in the shared store")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)
    return path


def _found(folder: Path, db_path: Path, portal_id: str) -> dict[str, Any]:
    """What the crawl found: captures, removed reports, the portal's run row, WARC files."""
    log = folder / "captures.jsonl"
    captures = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        (run_id,) = conn.execute("select max(id) from crawl_runs").fetchone()
        row = conn.execute("select * from crawl_run_portals where run_id = ? and portal_id = ?",
                           [run_id, portal_id]).fetchone()
        removals = conn.execute(
            "select r.url, c.at, c.summary from changes c join reports r on r.id = c.report_id "
            "where c.run_id = ? and c.kind = 'removed' and r.portal_id = ? order by c.id", [run_id, portal_id],
        ).fetchall()
    finally:
        conn.close()
    warcs = [{"name": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
             for p in sorted((folder / "warc").glob("*.warc.gz"))] if (folder / "warc").is_dir() else []
    return {
        "captures": captures,
        "removals": [dict(r) for r in removals],
        "portal_row": {k: row[k] for k in row.keys() if k not in ("run_id", "portal_id")} if row else None,  # noqa: SIM118
        "warcs": warcs,
    }
