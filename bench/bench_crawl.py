"""Crawl rate across many hosts under production politeness: fetching alone, and fetching + archiving.

Run: python -m bench.bench_crawl [HOSTS ...]   (from the repo root; default: 30 300)

For each number of hosts, a loopback simulation (bench/simhosts.py) answers for that many copies of
the sample portal sites, each answer 0.3–1 s late.  The real spider crawls it with the shipped
settings (robots.txt, ≥ 1 s between requests to a host, at most 2 at once, AutoThrottle), first
without an archive (the anchor: how fast fetching alone goes) and then into a fresh archive (parsing
in the worker pool, writes in the crawl's writer thread).  Printed per run: reports/s, requests/s,
crawl time (Scrapy's, process start-up excluded), CPU seconds of the crawl process (its reactor and
writer threads, not its parse workers) against wall time; the archive's rate as a fraction of
fetching alone (goal ≥ 80%), how the rate scales with the hosts, and the conditions (load average,
cores).  And where the CPU went while each crawl process ran (start-up and close included): the crawl
process, its parse workers (and their fork server), the simulated servers (threads of this bench's
process), other work on the machine (/proc/stat less all of these), idle.  The archive run is bound
by the crawl process when that is busy all the time (its reactor and writer share one GIL), by the
machine when nothing is idle; the machine's bound on the ratio is the fetch-only wall against the
archive run's own CPU spread over the cores.

Verified on every run: each host was asked for robots.txt first and never more than 2 requests at
once, and no two of its requests were written to their connections within 1 s (the crawler's view,
bench/simhosts.py: TimedHTTPHandler) nor reached the server within 1 s less SERVER_NOISE; and the
archive holds one report per capture, as many as fetching alone found.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.simhosts import Politeness, SimServer, politeness, send_log_settings, sent, start_sim
from bench.verdict import conclude, conditions, machine_cpu
from nianbao.crawler.run import crawl_settings, run_crawl_subprocess

DEFAULT_HOSTS = (30, 300)
CORES = len(os.sched_getaffinity(0))
# s: the simulation's server notes an arrival in one of its threads, inside this bench's process: on a
# loaded machine that thread starts late now and then, making two arrivals look closer than they were sent
SERVER_NOISE = 0.05


@dataclass
class CPU:
    """CPU seconds while one crawl process ran, start-up and close included, by whom."""

    wall: float  # the crawl process's life
    crawl: float  # the crawl process's own threads
    workers: float  # its parse workers and their fork server
    servers: float  # the simulated hosts: this bench's process
    others: float  # the rest of the machine's busy time

    @property
    def own(self) -> float:
        return self.crawl + self.workers + self.servers

    def idle(self) -> float:
        return max(0.0, CORES * self.wall - self.own - self.others)

    def __str__(self) -> str:
        return (f"{self.wall:5.1f} s x {CORES} cores: crawl process {self.crawl:5.1f} s, parse workers {self.workers:5.1f} s, "
                f"simulated servers {self.servers:4.1f} s, other work {self.others:5.1f} s, idle {self.idle():5.1f} s")


@dataclass
class Crawl:
    label: str
    seconds: float
    cpu: float  # the crawl process's own threads
    reports: int
    requests: int
    politeness: Politeness  # as the server saw the requests arrive
    sent: Politeness  # as the crawler's downloader let them go
    spent: CPU
    archived: int | None = None

    @property
    def rate(self) -> float:
        return self.reports / self.seconds

    def __str__(self) -> str:
        return (f"  {self.label:16} {self.seconds:7.1f} s  {self.reports:5} reports ({self.rate:6.2f}/s)  "
                f"{self.requests:6} requests ({self.requests / self.seconds:6.1f}/s)  "
                f"crawl process CPU {self.cpu:6.1f} s ({self.cpu / self.seconds:4.0%} of wall)")

    def bound_by(self) -> str:
        """What held this crawl back: the crawl process (busy all its life), the machine (nothing idle), or neither."""
        spent = self.spent
        limits = [f"the crawl process ({spent.crawl / spent.wall:.0%} of a core)"] if spent.crawl >= 0.9 * spent.wall else []
        if spent.idle() <= 0.1 * CORES * spent.wall:
            limits.append(f"the machine ({spent.idle():.1f} s of {CORES} x {spent.wall:.1f} s idle)")
        return " and ".join(limits) or "neither: waiting (politeness, server latency)"


def crawl(server: SimServer, folder: Path, label: str, archive: bool) -> Crawl:
    registry = server.write_registry(folder / "registry.yml")
    db = folder / f"{label}.db" if archive else None
    send_log = folder / f"{label}.sent"
    overrides = {"NIANBAO_REGISTRY": str(registry), "NIANBAO_WARC_DIR": str(folder / "warc"), "LOG_LEVEL": "ERROR",
                 "TELNETCONSOLE_ENABLED": False} | send_log_settings(send_log)
    server.take_arrivals()
    busy, ours, start = machine_cpu(), os.times(), time.perf_counter()
    result = run_crawl_subprocess(str(db) if db else None, (), server.proxy_url, overrides, timeout=3600)
    wall, busy, ours = time.perf_counter() - start, machine_cpu() - busy, _minus(os.times(), ours)
    stats = json.loads(result.stdout.splitlines()[-1])
    process_cpu = stats["process_cpu_seconds"]
    # this process's CPU is the simulated servers' threads (its main thread waits); its children's are the crawl
    # process and, reaped by it, the fork server and the workers the fork server reaped
    servers, tree = ours.user + ours.system, ours.children_user + ours.children_system
    spent = CPU(wall, process_cpu, tree - process_cpu, servers, max(0.0, busy - servers - tree))
    archived = None
    if db:
        with sqlite3.connect(db) as conn:
            archived = conn.execute("select count(*) from reports").fetchone()[0]
    return Crawl(label, float(stats["elapsed_time_seconds"]), process_cpu,
                 stats.get("item_scraped_count", 0), stats.get("downloader/request_count", 0),
                 politeness(server.take_arrivals()), politeness(sent(send_log)), spent, archived)


def _minus(after: os.times_result, before: os.times_result) -> os.times_result:
    return os.times_result(tuple(a - b for a, b in zip(after, before)))


def verify(fetch: Crawl, full: Crawl, hosts: int) -> list[str]:
    settings = crawl_settings()
    floor, at_once = settings.getfloat("DOWNLOAD_DELAY"), settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
    problems = []
    for c in (fetch, full):
        p = c.politeness
        if p.hosts != hosts or not p.robots_first:
            problems.append(f"{c.label}: {p.hosts} of {hosts} hosts crawled, robots.txt first: {p.robots_first}")
        if c.sent.min_gap < floor or p.min_gap < floor - SERVER_NOISE or p.max_at_once > at_once:
            problems.append(f"{c.label}: impolite: sent {c.sent}; arrived {p}")
    if full.reports != fetch.reports or full.archived != full.reports:
        problems.append(f"captures: fetch-only {fetch.reports}, with archive {full.reports}, archived {full.archived}")
    return problems


def main(host_counts: list[int]) -> None:
    print(f"conditions: {conditions()} at start; shipped politeness settings; server latency 0.3-1 s per request")
    rates = {}
    problems = []
    for hosts in host_counts:
        server = start_sim(hosts)
        try:
            with tempfile.TemporaryDirectory() as name:
                fetch = crawl(server, Path(name), "fetch only", archive=False)
                full = crawl(server, Path(name), "fetch + archive", archive=True)
        finally:
            server.stop()
        rates[hosts] = (fetch.rate, full.rate)
        print(f"\n{hosts} hosts (load average {os.getloadavg()[0]:.1f}):\n{fetch}\n{full}")
        for c in (fetch, full):
            print(f"  {c.label}: shortest gap between two requests to a host as written {c.sent.min_gap:.2f} s; "
                  f"as seen by the server: {c.politeness}")
        print(f"  archive / fetch only: {full.rate / fetch.rate:.0%} of the reports/s (goal >= 80%)")
        print("  CPU while each crawl process ran (start-up and close included):")
        for c in (fetch, full):
            print(f"    {c.label:16} {c.spent}; bound by {c.bound_by()}")
        added = full.spent.crawl - fetch.spent.crawl
        print(f"  the archive's CPU per report: crawl process {added / full.reports * 1000:+.1f} ms "
              f"({added:+.1f} s over fetching alone), parse workers {full.spent.workers / full.reports * 1000:.1f} ms")
        own = full.spent.own
        print(f"  machine bound: fetching alone took {fetch.spent.wall:.1f} s; the archive run's own CPU "
              f"({full.spent.crawl:.1f} + {full.spent.workers:.1f} + {full.spent.servers:.1f} = {own:.1f} s) needs "
              f">= {own / CORES:.1f} s on {CORES} cores: at most {fetch.spent.wall / (own / CORES):.0%} of the rate "
              f"(80% needs <= {CORES * fetch.spent.wall / 0.8:.1f} s of CPU)")
        problems += [f"{hosts} hosts: {p}" for p in verify(fetch, full, hosts)]
    if len(rates) > 1:
        (low, (fetch_low, full_low)), (high, (fetch_high, full_high)) = min(rates.items()), max(rates.items())
        print(f"\nscaling {low} -> {high} hosts ({high / low:.0f}x): fetch only {fetch_high / fetch_low:.1f}x "
              f"the reports/s, with archive {full_high / full_low:.1f}x")
    conclude(problems, "robots.txt first, >= 1 s between requests and <= 2 at once per host, every capture archived")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or list(DEFAULT_HOSTS))
