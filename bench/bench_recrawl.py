"""Re-crawls under production politeness: what a crawl of unchanged portals costs after the first one.

Run: python -m bench.bench_recrawl [HOSTS] [--reports N] [--page-size P]
     (from the repo root; default 8 hosts, 120 reports per column, 20 a page)

Two settings, each a loopback simulation of HOSTS portal hosts (bench/simhosts.py, every answer
0.3–1 s late) crawled by the real spider with the shipped settings (robots.txt, ≥ 1 s between
requests to a host, at most 2 at once, AutoThrottle) into a fresh archive:

- ``sample``: copies of the sample sites as they are (1–6 reports per column over 1–3 list pages),
  the setting of the earlier figures;
- ``columns``: one 年报 column per host of a realistic length, built from the sample reports
  (bench/simcolumns.py: N reports, P a list page; SIMULATED).

In each: the first crawl (the anchor); the unchanged recrawl a day later with the shipped revisit
policy (crawler/revisit.py, bound 30 days: page 1 of each column, conditionally; robots.txt again,
being 24 hours old; no report); and the full walk once the bound has passed (every list page and
every listed report asked again, conditionally: the cost paid once per bound).  Time passing is
the archive's visits and the HTTP cache's entries moved back (bench/timeshift.py).

Printed per crawl: requests and 304s as the server saw them (robots.txt / list pages / reports'
articles and attachments), bytes as Scrapy counted them (a list page answered 304 counts with the
cached copy's size), Scrapy's crawl time and the crawl process's wall time, each
against the first crawl (goal for the unchanged recrawl: ≤ 20% of the requests and of the time),
and what daily crawls cost over one bound.  Verified on every run: the archive is unchanged by the
re-crawls (no report or version added, nothing marked removed); every report the run did not
request is recorded as listed in it, and every report on a list page the run read was requested or
recorded as listed (``columns``); each host was treated politely (robots.txt first unless cached,
never two requests written to their connections within 1 s — crawler/politeness.py —, never more
than 2 at once).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.simcolumns import ColumnSize, LongColumns
from bench.simhosts import Arrival, Politeness, SimServer, politeness, send_log_settings, sent, start_sim
from bench.timeshift import age_archive, age_cache
from bench.verdict import conclude, conditions
from nianbao.crawler.revisit import DEFAULT_MAX_DAYS
from nianbao.crawler.run import crawl_settings, run_crawl_subprocess

# (label, days since the previous crawl)
CRAWLS = (("first crawl", 0.0), ("unchanged recrawl", 1.0), ("full walk", DEFAULT_MAX_DAYS))


@dataclass
class Crawl:
    label: str
    stats: dict[str, Any]
    wall: float  # the crawl process, start-up included
    arrivals: list[Arrival]
    sent: Politeness
    archive: dict[str, Any]
    not_modified: int  # 304s the server sent (Scrapy's stats miss those of list pages: the cache answers for them)
    kinds: Counter[str] = field(default_factory=Counter)  # robots / list / report requests, as the server saw them

    @property
    def requests(self) -> int:
        return len(self.arrivals)

    @property
    def seconds(self) -> float:
        return float(self.stats["elapsed_time_seconds"])


def kind(arrival: Arrival, reports: set[tuple[str, str]]) -> str:
    """robots.txt, a report's article or attachment (a URL the archive logged in ``fetches``), else a list page."""
    if arrival.path == "/robots.txt":
        return "robots"
    return "report" if (arrival.host, arrival.path) in reports else "list"


def archive_state(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        run = conn.execute("select max(id) from crawl_runs").fetchone()[0]
        return {
            "run": run,
            "reports": conn.execute("select count(*) from reports").fetchone()[0],
            "versions": conn.execute("select count(*) from report_versions").fetchone()[0],
            "removed": conn.execute("select count(*) from reports where status = 'removed'").fetchone()[0],
            "listed": {url for (url,) in conn.execute("select url from listings where run_id = ?", [run])},
            "fetched": {url for (url,) in conn.execute("select url from fetches where run_id = ?", [run])},
            "active": {url for (url,) in conn.execute("select url from reports where status = 'active'")},
            "complete": [c for (c,) in conn.execute("select lists_complete from crawl_run_portals where run_id = ?",
                                                     [run])],
            "report_paths": {(parts.hostname or "", parts.path) for (url,) in conn.execute("select url from fetches")
                             for parts in [urlsplit(url)]},
        }


def crawl(server: SimServer, folder: Path, label: str, days: float) -> Crawl:
    db = folder / "archive.db"
    if days:  # time passes: the archive's visits and the cached robots.txt are that much older
        age_archive(db, days)
        age_cache(folder / "httpcache", hours=days * 24)
    send_log = folder / f"{label}.sent"
    settings = {"NIANBAO_REGISTRY": str(server.write_registry(folder / "registry.yml")), "LOG_LEVEL": "ERROR",
                "NIANBAO_WARC_DIR": str(folder / "warc"), "TELNETCONSOLE_ENABLED": False} | send_log_settings(send_log)
    server.take_arrivals()
    server.clear_hits()
    started = time.monotonic()
    result = run_crawl_subprocess(str(db), (), server.proxy_url, settings, timeout=7200)
    wall = time.monotonic() - started
    return Crawl(label, json.loads(result.stdout.splitlines()[-1]), wall, server.take_arrivals(),
                 politeness(sent(send_log), robots_cached=True), archive_state(db),
                 sum(1 for hit in server.hits if hit.status == 304))


def pages_read(columns: LongColumns, arrivals: list[Arrival]) -> list[tuple[str, int]]:
    """(host, page number from 0) of every list page of the simulated columns the crawl asked for."""
    read = []
    for a in arrivals:
        name = a.path.rsplit("/", 1)[-1]
        if a.host in columns.columns and name.startswith("index") and name.endswith(".html"):
            read.append((a.host, int(name.removeprefix("index").removesuffix(".html").lstrip("_") or 0)))
    return read


def unaccounted(columns: LongColumns, c: Crawl) -> list[str]:
    """Reports on a list page the crawl read that it neither requested nor recorded as listed."""
    seen = c.archive["fetched"] | c.archive["listed"]
    missing = []
    for host, page in pages_read(columns, c.arrivals):
        column = columns.columns[host]
        size = column.size.page_size
        missing += [column.url_of(p) for p in range(page * size, min((page + 1) * size, len(column.reports)))
                    if column.url_of(p) not in seen]
    return missing


def verify(server: SimServer, hosts: int, crawls: list[Crawl]) -> list[str]:
    first, again, walk = crawls
    floor = crawl_settings().getfloat("DOWNLOAD_DELAY")
    problems = []
    for c in crawls:
        if c.sent.hosts != hosts or not c.sent.robots_first or c.sent.min_gap < floor:
            problems.append(f"{c.label}: politeness as sent: {c.sent}")
        at_once = politeness(c.arrivals, robots_cached=True).max_at_once
        if at_once > 2:
            problems.append(f"{c.label}: {at_once} requests to one host at once")
        if c.stats.get("nianbao/reports_not_due", 0) != len(c.archive["listed"]):
            problems.append(f"{c.label}: {c.stats.get('nianbao/reports_not_due', 0)} reports not requested, "
                            f"{len(c.archive['listed'])} recorded as listed")
        if server.columns and unaccounted(server.columns, c):
            problems.append(f"{c.label}: reports on pages read neither requested nor listed: {unaccounted(server.columns, c)[:3]}")
    for c in (again, walk):
        for key in ("reports", "versions", "removed"):
            if c.archive[key] != first.archive[key]:
                problems.append(f"{c.label}: {key} {c.archive[key]} != first crawl's {first.archive[key]}")
    if first.archive["removed"]:
        problems.append(f"first crawl: {first.archive['removed']} reports marked removed")
    if again.kinds["report"]:
        problems.append(f"unchanged recrawl: {again.kinds['report']} report requests")
    if not all(walk.archive["complete"]) or walk.archive["active"] - walk.archive["fetched"] - walk.archive["listed"]:
        problems.append("full walk: a portal's lists not read completely, or a report neither requested nor listed")
    return problems


def measure(label: str, hosts: int, columns: ColumnSize | None) -> list[str]:
    server = start_sim(hosts, columns=columns)
    try:
        with tempfile.TemporaryDirectory() as name:
            crawls = [crawl(server, Path(name), crawl_label, days) for crawl_label, days in CRAWLS]
            problems = verify(server, hosts, crawls)
    finally:
        server.stop()
    reports = crawls[0].archive["report_paths"]
    for c in crawls:
        c.kinds = Counter(kind(a, reports) for a in c.arrivals)
    report(label, crawls)
    return problems


def report(label: str, crawls: list[Crawl]) -> None:
    first, again, walk = crawls
    print(f"\n{label}: {len(first.archive['active'])} reports archived; {conditions()} at the end of its crawls")
    print(f"{'crawl':18} {'requests':>8} {'robots':>6} {'lists':>5} {'reports':>7} {'304s':>5} {'of first':>8} "
          f"{'bytes':>10} {'of first':>8} {'crawl s':>7} {'of first':>8} {'wall s':>6} {'of first':>8}")
    for c in crawls:
        print(f"{c.label:18} {c.requests:8} {c.kinds['robots']:6} {c.kinds['list']:5} {c.kinds['report']:7} "
              f"{c.not_modified:5} {c.requests / first.requests:8.1%} "
              f"{c.stats.get('downloader/response_bytes', 0):10} "
              f"{c.stats.get('downloader/response_bytes', 0) / first.stats['downloader/response_bytes']:8.1%} "
              f"{c.seconds:7.1f} {c.seconds / first.seconds:8.1%} {c.wall:6.1f} {c.wall / first.wall:8.1%}")
    days = DEFAULT_MAX_DAYS
    daily_requests = ((days - 1) * again.requests + walk.requests) / days
    daily_seconds = ((days - 1) * again.seconds + walk.seconds) / days
    print(f"unchanged recrawl / first crawl: {again.requests / first.requests:.1%} of the requests, "
          f"{again.seconds / first.seconds:.1%} of the crawl time, {again.wall / first.wall:.1%} of the wall time "
          f"(goal <= 20% each)")
    print(f"daily crawls over one bound ({days:.0f} days: {days - 1:.0f} unchanged recrawls + 1 full walk, computed from "
          f"the rows above): {daily_requests / first.requests:.1%} of the first crawl's requests, "
          f"{daily_seconds / first.seconds:.1%} of its crawl time per day")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("hosts", nargs="?", type=int, default=8)
    parser.add_argument("--reports", type=int, default=120, help="reports per simulated column")
    parser.add_argument("--page-size", type=int, default=20, help="reports per list page")
    args = parser.parse_args()
    size = ColumnSize(args.reports, args.page_size)
    print(f"conditions: {conditions()} at start; {args.hosts} simulated hosts, latency 0.3-1 s; shipped politeness "
          "settings (robots.txt, >= 1 s per host, <= 2 at once, AutoThrottle); revisit bound "
          f"{DEFAULT_MAX_DAYS:.0f} days")
    problems = measure("sample: the sample sites as they are (the earlier figures' setting)", args.hosts, None)
    problems += measure(f"columns: {size}", args.hosts, size)
    conclude(problems, "re-crawls added no report or version and removed nothing; every report not requested is "
             "recorded as listed (and every one on a page read, columns); robots.txt first unless cached, >= 1 s "
             "between requests to a host as sent, <= 2 at once")


if __name__ == "__main__":
    main()
