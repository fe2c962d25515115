"""Crawl speed against the bundled mirror: the spider alone, and spider + archive ingest (parsing).

Run: python -m bench.bench_crawl [ROUNDS]   (from the repo root)
Starts the mirror on loopback, crawls every portal of snapshot 1 with politeness delays off, and
prints the crawl time as Scrapy measured it (start-up of the subprocess excluded), responses and
report captures per second, and the ratio ingest / spider-only (how much of a crawl is archive
work rather than fetching).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from nianbao.crawler.mirror.server import start_mirror
from nianbao.crawler.run import MIRROR_SETTINGS, run_crawl_subprocess


def timed_crawl(proxy: str, folder: Path, with_archive: bool) -> tuple[float, dict]:
    result = run_crawl_subprocess(str(folder / "a.db") if with_archive else None, (), proxy,
                                  MIRROR_SETTINGS | {"LOG_LEVEL": "ERROR", "NIANBAO_WARC_DIR": str(folder / "warc")})
    stats = json.loads(result.stdout.splitlines()[-1])
    return float(stats["elapsed_time_seconds"]), stats


def main(rounds: int) -> None:
    server = start_mirror()
    best_times = {}
    try:
        for label, with_archive in (("spider only", False), ("spider + ingest", True)):
            times = []
            for _ in range(rounds):
                with tempfile.TemporaryDirectory() as folder:
                    seconds, stats = timed_crawl(server.proxy_url, Path(folder), with_archive)
                    times.append(seconds)
            best = best_times[with_archive] = min(times)
            responses, items = stats.get("response_received_count", 0), stats.get("item_scraped_count", 0)
            print(f"{label:16} best of {rounds}: {best:6.2f} s  {responses} responses ({responses / best:6.1f}/s)  "
                  f"{items} reports ({items / best:5.2f}/s)")
    finally:
        server.stop()
    print(f"{'ratio':16} ingest / spider-only crawl time: {best_times[True] / best_times[False]:.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
