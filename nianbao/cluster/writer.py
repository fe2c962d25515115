"""The archive writer: the one process that writes the central SQLite archive of a cluster.

It opens a run, puts a snapshot of the archive in the shared store, sends one crawl job per portal,
then applies the results the nodes upload, in the order they arrive, with the single-machine code:
each capture is parsed by the parse workers (``parse`` queue) and ingested by
:func:`~nianbao.archive.ingest.ingest_report`, removed reports are marked with
:func:`~nianbao.archive.history.mark_removed`, and the portal's row of the run is the node's.

Nothing is applied twice: a job's result is applied once (``cluster_jobs`` records it, in the same
transaction as the portal's row), and ingesting a capture again changes nothing but ``last_seen``.
A writer that dies before acknowledging an entry reads it again when it restarts (a consumer group).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

import redis

from nianbao.archive import runs
from nianbao.archive.capture import Capture, ReportCapture
from nianbao.archive.db import open_archive, transaction
from nianbao.archive.history import mark_removed, sync_changes
from nianbao.archive.ingest import canonical_url, documents_to_parse, ingest_report
from nianbao.cluster.queue import PREFIX, RESULTS, WRITER_GROUP, broker, client, get_blob, put_blob
from nianbao.cluster.tasks import declare, parsed_key
from nianbao.crawler.registry import Portal
from nianbao.parsers.model import ParseResult

PARSE_WAIT_S = 1800
_CAPTURE_FIELDS = {f.name for f in fields(Capture)} - {"body"}
_REMOVED = "removed from the portal: "


class ArchiveWriter:
    def __init__(self, db_path: Path, redis_url: str, warc_dir: Path | None = None) -> None:
        self.db = open_archive(db_path)
        self.db_path = db_path
        self.warc_dir = warc_dir or db_path.parent / "warc"
        self.store = client(redis_url)
        self.actors = declare(broker(redis_url), redis_url)
        self.db.table("cluster_jobs").create(
            {"job": str, "portal_id": str, "run_id": int, "applied_at": str}, pk="job", if_not_exists=True)
        try:
            self.store.xgroup_create(RESULTS, WRITER_GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    def crawl(self, portals: Iterable[Portal], proxy: str | None, settings: Mapping[str, Any],
              on_progress: Callable[[str], None] = print) -> int:
        """One run over ``portals`` on the cluster's crawl nodes; returns the run id."""
        portals = list(portals)
        run_id = runs.start_run(self.db)
        for portal in portals:
            runs.upsert_portal(self.db, id=portal.id, name=portal.name, province=portal.region.province,
                               city=portal.region.city, county=portal.region.county, region_code=portal.region.code,
                               level=portal.level, base_url=portal.start_urls[0])
        snapshot = self.publish_snapshot()
        jobs = set()
        for portal in portals:
            job_id = uuid.uuid4().hex
            self.actors.crawl.send({"id": job_id, "portal": portal.id, "run": run_id, "snapshot": snapshot,
                                    "proxy": proxy, "settings": dict(settings)})
            jobs.add(job_id)
        self.drain(jobs, on_progress)
        runs.finish_run(self.db, run_id)
        return run_id

    def publish_snapshot(self) -> str:
        """A consistent copy of the archive (VACUUM INTO) in the shared store, for crawl jobs to start from."""
        name = uuid.uuid4().hex
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "snapshot.db"
            self.db.execute("VACUUM INTO ?", [str(copy)])
            self.store.set(PREFIX + "snapshot:" + name, copy.read_bytes(), ex=7 * 24 * 3600)
        return name

    def drain(self, jobs: set[str], on_progress: Callable[[str], None] = print, timeout_s: float = 6 * 3600) -> None:
        """Apply uploaded results until every job of ``jobs`` has been applied."""
        deadline = time.monotonic() + timeout_s
        waiting = set(jobs) - self.applied_jobs()
        while waiting:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(waiting)} crawl jobs gave no result in {timeout_s:g} s")
            for stream_id, entry in self._read():
                job = json.loads(entry[b"entry"])
                if self.apply(job):
                    on_progress(f"  {job['portal']:13} {len(job['captures'])} captures, "
                                f"{len(job['removals'])} removed")
                self.store.xack(RESULTS, WRITER_GROUP, stream_id)
                waiting.discard(job["job"])

    def _read(self) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """Entries not yet acknowledged by this group: first any this writer read before dying, then new ones."""
        for start in ("0", ">"):
            answer: Any = self.store.xreadgroup(WRITER_GROUP, "archive-writer", {RESULTS: start}, count=10, block=1000)
            entries = [(stream_id, entry) for _, batch in answer or [] for stream_id, entry in batch if entry]
            if entries:
                return entries
        return []

    def applied_jobs(self) -> set[str]:
        return {row[0] for row in self.db.execute("select job from cluster_jobs")}

    def apply(self, job: dict[str, Any]) -> bool:
        """Apply one crawl job's result; False when it was applied before (delivered twice)."""
        if job["job"] in self.applied_jobs():
            return False
        run_id = job["run"]
        for warc in job["warcs"]:
            self._keep_warc(warc["name"], warc["sha256"])
        captures = [self.capture(line) for line in job["captures"]]
        documents = [documents_to_parse(self.db, capture) for capture in captures]
        self.request_parse([d for docs in documents for d in docs])  # all at once: the parse workers run in parallel
        for capture, docs in zip(captures, documents):
            result = ingest_report(self.db, capture, run_id=run_id, parsed=self.parse(docs))
            if result.report_id is not None:
                sync_changes(self.db, run_id, result.report_id)
        for removal in job["removals"]:
            report = self.db.execute("select id from reports where portal_id = ? and url = ?",
                                     [job["portal"], canonical_url(removal["url"])]).fetchone()
            if report:
                evidence = removal["summary"].removeprefix(_REMOVED).rsplit("; last seen", 1)[0]
                mark_removed(self.db, report[0], run_id, evidence, removal["at"])
        with transaction(self.db):
            if job["portal_row"] is not None:
                self.db.table("crawl_run_portals").upsert(
                    {**job["portal_row"], "run_id": run_id, "portal_id": job["portal"]}, pk=("run_id", "portal_id"))
            self.db.table("cluster_jobs").insert({"job": job["job"], "portal_id": job["portal"], "run_id": run_id,
                                                  "applied_at": runs.utc_now()})
        return True

    def capture(self, line: dict[str, Any]) -> ReportCapture:
        """A capture log line with its bytes from the shared store, as the crawl had it."""
        def exchange(summary: dict[str, Any]) -> Capture:
            body = get_blob(self.store, summary["sha256"]) if summary["size"] else b""
            return Capture(body=body, **{k: v for k, v in summary.items() if k in _CAPTURE_FIELDS})

        return ReportCapture(
            portal_id=line["portal_id"], article=exchange(line["article"]), listing_url=line.get("listing_url"),
            title=line.get("title"), page_meta=line.get("page_meta") or {},
            attachments=[exchange(a) for a in line["attachments"]],
        )

    def request_parse(self, documents: list[tuple[bytes, str]]) -> None:
        """Send the documents not parsed yet (by this parser version) to the parse workers."""
        sent = set()
        for data, path in documents:
            sha256 = hashlib.sha256(data).hexdigest()
            if sha256 not in sent and not self.store.exists(parsed_key(sha256)):
                put_blob(self.store, sha256, data)  # a 304's body comes from the archive, not from the node
                self.actors.parse.send(sha256, path)
                sent.add(sha256)

    def parse(self, documents: list[tuple[bytes, str]]) -> dict[str, ParseResult]:
        """The parse workers' results for ``documents`` (requested before, see request_parse); waits for them."""
        wanted = {hashlib.sha256(data).hexdigest(): path for data, path in documents}
        deadline = time.monotonic() + PARSE_WAIT_S
        results: dict[str, ParseResult] = {}
        while len(results) < len(wanted):
            for sha256 in set(wanted) - set(results):
                raw = self.store.get(parsed_key(sha256))
                if raw is not None:
                    results[sha256] = ParseResult(**json.loads(raw))
            if len(results) < len(wanted):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no parse result for {sorted(set(wanted) - set(results))} in {PARSE_WAIT_S} s")
                time.sleep(0.1)
        return results

    def _keep_warc(self, name: str, sha256: str) -> None:
        target = self.warc_dir / name
        if not target.exists():
            self.warc_dir.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            partial.write_bytes(get_blob(self.store, sha256))
            partial.replace(target)

    def close(self) -> None:
        self.db.close()


def same_archive(a: Path, b: Path) -> list[str]:
    """Differences between two archives in what a reader sees: reports, versions, figures (for tests)."""
    queries = {
        "reports": "select portal_id, url, status, title, agency, year from reports order by portal_id, url",
        "versions": "select r.portal_id, r.url, v.version_no, v.content_hash from report_versions v "
                    "join reports r on r.id = v.report_id order by 1, 2, 3",
        "figures": "select r.portal_id, r.url, v.version_no, f.key, f.value from figures f "
                   "join report_versions v on v.id = f.version_id join reports r on r.id = v.report_id "
                   "order by 1, 2, 3, 4",
    }
    differences = []
    with sqlite3.connect(a) as one, sqlite3.connect(b) as two:
        for name, sql in queries.items():
            left, right = one.execute(sql).fetchall(), two.execute(sql).fetchall()
            if left != right:
                differences.append(f"{name}: {len(set(left) - set(right))} rows only in {a.name}, "
                                   f"{len(set(right) - set(left))} only in {b.name}")
    return differences

