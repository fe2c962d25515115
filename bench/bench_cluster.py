"""The cluster's cost and scaling: the sample portals crawled through Redis and N worker processes.

Run: python -m bench.bench_cluster [WORKERS ...]   (default 1 2 4; needs redis-server and nianbao[cluster])

Anchor, measured in the same run: the single-machine crawl of the same mirror snapshot
(``nianbao crawl`` in one process, parse pool on).  Then, for each worker count, a real
redis-server, N ``nianbao worker`` processes (each its own node and folder) and the archive writer
crawl the same snapshot.  Every cluster archive is checked against the anchor's (same reports,
versions, figures) before its time is printed.  Printed: wall time, the ratio to the anchor, and the
queue's overhead per capture (extra wall time over the anchor at one worker, divided by captures).
Politeness is off (the mirror is on loopback): this measures the machinery, not the portals.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nianbao.cluster.cli import _start_worker
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


def on_cluster(proxy: str, folder: Path, workers: int) -> tuple[float, Path]:
    db = folder / f"cluster-{workers}.db"
    server = RedisServer(folder / f"redis-{workers}")
    nodes = [_start_worker(server.url, folder / f"w{workers}-node-{i}") for i in range(workers)]
    try:
        writer = ArchiveWriter(db, server.url)
        started = time.perf_counter()
        writer.crawl(select_portals((), SAMPLE_REGISTRY_PATH), proxy, MIRROR_SETTINGS, lambda _: None)
        elapsed = time.perf_counter() - started
        writer.close()
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            node.wait(30)
        server.stop()
    return elapsed, db


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
                elapsed, db = on_cluster(mirror.proxy_url, folder, workers)
                differences = same_archive(anchor_db, db)
                if differences:
                    raise SystemExit(f"cluster with {workers} workers built another archive: {differences}")
                line = f"{'cluster, ' + str(workers) + ' worker' + 's' * (workers > 1):26} {elapsed:7.1f} s  " \
                       f"{elapsed / anchor:5.2f}x"
                if workers == 1 and captures.isdigit():
                    line += f"   queue overhead {(elapsed - anchor) / int(captures) * 1000:.0f} ms per capture"
                print(line + "   archive identical to the anchor's")
    finally:
        mirror.stop()
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 2, 4])
