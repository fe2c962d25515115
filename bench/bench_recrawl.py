"""Re-crawls under production politeness: what a crawl of unchanged portals costs after the first one.

Run: python -m bench.bench_recrawl [HOSTS]   (from the repo root; default 30 hosts)

A loopback simulation of HOSTS portal hosts (bench/simhosts.py: copies of the sample sites, answers
0.3–1 s late) is crawled with the shipped settings (robots.txt, ≥ 1 s between requests to a host,
AutoThrottle) into a fresh archive, then, with nothing changed on the portals:

- again with the revisit policy (crawler/revisit.py, default bound 30 days): old reports not requested;
- again with every report requested (NIANBAO_REVISIT_MAX_DAYS=0): conditional requests, 304s;
- again with NIANBAO_REVALIDATE: no validators, everything downloaded (the old worst case).

Printed per crawl: requests (robots.txt / list pages / articles and attachments, as the server saw
them), 304s, bytes received, crawl time, each against the first crawl (goal for the revisit policy:
≤ 20% of the requests and of the time).  Verified: the archive is unchanged by the re-crawls (no
version added, nothing marked removed), every report not requested is recorded as listed in its
run, and each host was treated politely.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.simhosts import Arrival, SimServer, start_sim
from bench.verdict import conclude, conditions
from nianbao.crawler.run import run_crawl_subprocess

CRAWLS = (
    ("first crawl", {}),
    ("revisit policy", {}),
    ("every report, 304s", {"NIANBAO_REVISIT_MAX_DAYS": 0}),
    ("forced revalidation", {"NIANBAO_REVALIDATE": True}),
)


@dataclass
class Crawl:
    label: str
    stats: dict
    arrivals: list[Arrival]
    archive: tuple[int, int, int]  # versions, removed reports, listings
    kinds: Counter[str] = field(default_factory=Counter)  # robots / list / report requests, as the server saw them

    @property
    def requests(self) -> int:
        return self.stats.get("downloader/request_count", 0)

    @property
    def bytes(self) -> int:
        return self.stats.get("downloader/response_bytes", 0)

    @property
    def seconds(self) -> float:
        return float(self.stats["elapsed_time_seconds"])


def kind(arrival: Arrival, reports: set[tuple[str, str]]) -> str:
    """robots.txt, a report's article or attachment (a URL the archive logged in ``fetches``), else a list page."""
    if arrival.path == "/robots.txt":
        return "robots"
    return "report" if (arrival.host, arrival.path) in reports else "list"


def report_paths(db: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return {(parts.hostname or "", parts.path) for (url,) in conn.execute("select url from fetches")
                for parts in [urlsplit(url)]}


def crawl(server: SimServer, folder: Path, label: str, extra: dict) -> Crawl:
    registry = server.write_registry(folder / "registry.yml")
    db = folder / "archive.db"
    settings = {"NIANBAO_REGISTRY": str(registry), "NIANBAO_WARC_DIR": str(folder / "warc"), "LOG_LEVEL": "ERROR",
                "TELNETCONSOLE_ENABLED": False} | extra
    server.take_arrivals()
    result = run_crawl_subprocess(str(db), (), server.proxy_url, settings, timeout=3600)
    arrivals = server.take_arrivals()
    with sqlite3.connect(db) as conn:
        run = conn.execute("select max(id) from crawl_runs").fetchone()[0]
        archive = conn.execute(
            "select (select count(*) from report_versions), (select count(*) from reports where status = 'removed'), "
            "(select count(*) from listings where run_id = ?)", [run]).fetchone()
    return Crawl(label, json.loads(result.stdout.splitlines()[-1]), arrivals, archive)


def verify(crawls: list[Crawl]) -> list[str]:
    first, *again = crawls
    problems = []
    for c in again:
        if c.archive[:2] != first.archive[:2]:
            problems.append(f"{c.label}: versions/removed {c.archive[:2]} != first crawl's {first.archive[:2]}")
        if c.stats.get("nianbao/reports_not_due", 0) != c.archive[2]:
            problems.append(f"{c.label}: {c.stats.get('nianbao/reports_not_due', 0)} not requested, "
                            f"{c.archive[2]} recorded as listed")
    if crawls[1].kinds["report"] or not crawls[1].archive[2]:
        problems.append(f"revisit policy: {crawls[1].kinds['report']} reports requested, {crawls[1].archive[2]} listed")
    return problems


def main(hosts: int) -> None:
    print(f"conditions: {conditions()}; {hosts} simulated "
          "hosts, latency 0.3-1 s; shipped politeness settings (robots.txt, >= 1 s per host, AutoThrottle)")
    server = start_sim(hosts)
    try:
        with tempfile.TemporaryDirectory() as name:
            crawls = [crawl(server, Path(name), label, extra) for label, extra in CRAWLS]
            reports = report_paths(Path(name) / "archive.db")
    finally:
        server.stop()
    for c in crawls:
        c.kinds = Counter(kind(a, reports) for a in c.arrivals)
    first = crawls[0]
    print(f"\n{'crawl':20} {'requests':>8} {'robots':>6} {'lists':>5} {'reports':>7} {'304s':>5} {'of first':>8} "
          f"{'bytes':>10} {'of first':>8} {'seconds':>7} {'of first':>8}")
    for c in crawls:
        print(f"{c.label:20} {c.requests:8} {c.kinds['robots']:6} {c.kinds['list']:5} {c.kinds['report']:7} "
              f"{c.stats.get('downloader/response_status_count/304', 0):5} {c.requests / first.requests:8.0%} "
              f"{c.bytes:10} {c.bytes / first.bytes:8.1%} {c.seconds:7.1f} {c.seconds / first.seconds:8.0%}")
    policy = crawls[1]
    print(f"\nrevisit policy / first crawl: {policy.requests / first.requests:.0%} of the requests, "
          f"{policy.seconds / first.seconds:.0%} of the time (goal <= 20% each); its requests are robots.txt and list "
          f"pages only, which are {first.kinds['robots'] + first.kinds['list']} of the first crawl's {first.requests}")
    conclude(verify(crawls), "re-crawls added no version and removed nothing; every report not requested is listed in its run")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
