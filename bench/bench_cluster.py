"""The cluster's cost and scaling: the sample portals crawled through Redis and N worker processes.

Run: python -m bench.bench_cluster [WORKERS ...]   (default 1 2 4; needs redis-server and nianbao[cluster])

Anchor, measured in the same run: the single-machine crawl of the same mirror snapshot
(``nianbao crawl`` in one process, parse pool on).  Then, for each worker count, a real
redis-server, N ``nianbao worker`` processes (each its own node and folder) and the archive writer
crawl the same snapshot.  Every cluster archive is checked against the anchor's (same reports,
versions, figures) before its time is printed.  Printed: wall time and its ratio to the anchor (at one worker
this includes a crawl process started per portal job), and the queue's overhead per capture: the
writer applying every uploaded result again from Redis, against ingesting the same captures directly.
Politeness is off (the mirror is on loopback): this measures the machinery, not the portals.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nianbao.archive.db import open_archive
from nianbao.archive.ingest import documents_to_parse, ingest_report
from nianbao.archive.runs import start_run
from nianbao.cluster.cli import _start_worker
from nianbao.cluster.queue import RESULTS, client
from nianbao.cluster.redis_server import RedisServer
from nianbao.cluster.writer import ArchiveWriter, same_archive
from nianbao.crawler.mirror.server import start_mirror
from nianbao.crawler.registry import SAMPLE_REGISTRY_PATH, select_portals
from nianbao.crawler.run import MIRROR_SETTINGS, run_crawl_subprocess


def single_machine(proxy: str, folder: Path) -> tuple[float, Path]:
    db = folder / "anchor.db"
    started = time.perf_counter()
    run_crawl_subprocess(str(db), (), proxy, MIRROR_SETTINGS | {"LOG_LEVEL": "ERROR",
                                                                "NIANBAO_WARC_DIR": str(folder / "warc-anchor")})
    return time.perf_counter() - started, db


def on_cluster(proxy: str, folder: Path, workers: int) -> tuple[float, Path, tuple[float, float]]:
    """Wall time of the crawl on ``workers`` nodes, its archive, and the writer's cost (see writer_cost)."""
    db = folder / f"cluster-{workers}.db"
    server = RedisServer(folder / f"redis-{workers}")
    nodes = [_start_worker(server.url, folder / f"w{workers}-node-{i}") for i in range(workers)]
    try:
        writer = ArchiveWriter(db, server.url)
        started = time.perf_counter()
        writer.crawl(select_portals((), SAMPLE_REGISTRY_PATH), proxy, MIRROR_SETTINGS, lambda _: None)
        elapsed = time.perf_counter() - started
        writer.close()
        (folder / f"replay-{workers}").mkdir()
        per_capture = writer_cost(server.url, folder / f"replay-{workers}")
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            node.wait(30)
        server.stop()
    return elapsed, db, per_capture


def writer_cost(redis_url: str, folder: Path) -> tuple[float, float]:
    """The writer's own seconds per capture: every uploaded result applied again to a fresh archive
    (bytes from Redis, parse results cached there), and the same captures ingested directly."""
    entries = [json.loads(entry[b"entry"]) for _, entry in client(redis_url).xrange(RESULTS)]
    writer = ArchiveWriter(folder / "replay.db", redis_url)
    run_id = start_run(writer.db)
    started = time.perf_counter()
    for entry in entries:
        writer.apply(entry | {"run": run_id})
    applied = time.perf_counter() - started
    captures = [writer.capture(line) for entry in entries for line in entry["captures"]]
    direct = open_archive(folder / "direct.db")
    started = time.perf_counter()
    for capture in captures:
        ingest_report(direct, capture, parsed=writer.parse(documents_to_parse(direct, capture)))
    ingested = time.perf_counter() - started
    writer.close()
    direct.close()
    return applied / len(captures), ingested / len(captures)


def main(worker_counts: list[int]) -> None:
    print(f"cores {os.cpu_count()}, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          "politeness off (loopback mirror); wall-clock seconds")
    mirror = start_mirror(0, 1)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            anchor, anchor_db = single_machine(mirror.proxy_url, folder)
            captures = subprocess.run(["sqlite3", str(anchor_db), "select count(*) from fetches where role = 'article'"],
                                      capture_output=True, text=True).stdout.strip()
            print(f"{'single machine (anchor)':26} {anchor:7.1f} s   1.00x   ({captures} article fetches)")
            for workers in worker_counts:
                elapsed, db, (from_stream, direct) = on_cluster(mirror.proxy_url, folder, workers)
                differences = same_archive(anchor_db, db)
                if differences:
                    raise SystemExit(f"cluster with {workers} workers built another archive: {differences}")
                line = f"{'cluster, ' + str(workers) + ' worker' + 's' * (workers > 1):26} {elapsed:7.1f} s  " \
                       f"{elapsed / anchor:5.2f}x"
                if workers == 1 and captures.isdigit():
                    line += f"   end to end {(elapsed - anchor) / int(captures) * 1000:.0f} ms more per capture"
                print(line + "   archive identical to the anchor's")
                print(f"{'':26} the writer: {from_stream * 1000:.0f} ms per capture from the stream, "
                      f"{direct * 1000:.0f} ms ingesting the same captures directly "
                      f"(queue overhead {(from_stream - direct) * 1000:.0f} ms per capture)")
    finally:
        mirror.stop()
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 2, 4])
