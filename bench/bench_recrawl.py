"""Incremental re-crawls: what a second crawl of an unchanged mirror costs compared with the first.

Run: python -m bench.bench_recrawl   (from the repo root)

Crawls snapshot 1 of the bundled mirror into a fresh archive, then again (conditional requests:
unchanged articles and attachments answer 304), then once more with ``NIANBAO_REVALIDATE``
(no validators: everything downloaded again), and prints requests, response bytes and crawl
time of each, the second crawl as a fraction of the first (aim: under 10% of the bytes), and
the size of each run's WARC file.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from nianbao.crawler.mirror.server import start_mirror
from nianbao.crawler.run import MIRROR_SETTINGS, run_crawl_subprocess

CRAWLS = (("first crawl", {}), ("unchanged recrawl", {}), ("forced revalidation", {"NIANBAO_REVALIDATE": True}))


def crawl(proxy: str, folder: Path, extra: dict) -> dict:
    settings = MIRROR_SETTINGS | {"LOG_LEVEL": "ERROR"} | extra
    result = run_crawl_subprocess(str(folder / "archive.db"), (), proxy, settings, timeout=600)
    return json.loads(result.stdout.splitlines()[-1])


def main() -> None:
    server = start_mirror()
    try:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            results = [(label, crawl(server.proxy_url, folder, extra)) for label, extra in CRAWLS]
            warc_sizes = {int(p.name.split("-")[0]): p.stat().st_size for p in (folder / "warc").glob("*.warc.gz")}
    finally:
        server.stop()
    first = results[0][1]
    print(f"{'crawl':20} {'requests':>8} {'304s':>5} {'bytes':>10} {'of first':>8} {'seconds':>8} {'WARC bytes':>10}")
    for label, stats in results:
        requests = stats.get("downloader/request_count", 0)
        received = stats.get("downloader/response_bytes", 0)
        print(f"{label:20} {requests:8} {stats.get('downloader/response_status_count/304', 0):5} {received:10} "
              f"{received / first['downloader/response_bytes']:8.1%} {float(stats['elapsed_time_seconds']):8.2f} "
              f"{warc_sizes.get(stats['nianbao/run_id'], 0):10}")
    second = results[1][1]
    print(f"\nsecond crawl / first: {second['downloader/response_bytes'] / first['downloader/response_bytes']:.1%} "
          f"of the bytes, {second['downloader/request_count'] / first['downloader/request_count']:.0%} of the "
          f"requests, {float(second['elapsed_time_seconds']) / float(first['elapsed_time_seconds']):.0%} of the time")


if __name__ == "__main__":
    main()
