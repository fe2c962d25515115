"""Crawl throughput with parsing in the worker pool against parsing inline (the anchor), on a PDF-heavy portal.

Run: python -m bench.bench_pool [REPORTS] [LATENCY]   (from the repo root; defaults 24 reports, 0.05 s)

A loopback portal (tools/loopback_portal.py) lists REPORTS report articles, each with one PDF
attachment: the mirror's two real reports, each copy made distinct (a trailing comment) so every
one is parsed (copies of one report's content are one report in the archive: two reports, each
with every copy's fetch and document).  Every answer waits LATENCY seconds, as a portal across the network does.  The same
crawl (a fresh archive each time, politeness delays off) runs with ``NIANBAO_PARSE_WORKERS=0``
(inline: parsing on the crawl's reactor, downloads wait) and with the pool (one worker per core),
and prints the wall time Scrapy measured, reports/s, the CPU time of the crawl and its workers, and
the ratio pool / inline.  The CPU time counts the crawl process and what it waited for: the pool's
workers are the crawl's children, counted once the pool has stopped them.  It checks its own output: both
archives hold every PDF, the same reports with the same figure counts, and no parse error.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import sys
import tempfile
from pathlib import Path

from nianbao.crawler.run import MIRROR_SETTINGS, run_crawl_subprocess
from nianbao.parsers.pool import default_workers
from tools.loopback_portal import Page, article_page, list_page, serve, write_registry

HOST = "www.bench.gov.cn"
PDFS = sorted(Path("tools/mirror/files").glob("*.pdf"))


def portal_pages(reports: int) -> dict[str, Page]:
    pages: dict[str, Page] = {}
    links = []
    for i in range(reports):
        title = f"{2000 + i}年政府信息公开工作年度报告"
        links.append((f"/a/{i}.html", title))
        pages[f"{HOST}/a/{i}.html"] = article_page(title, (f"/f/{i}.pdf", "附件.pdf"))
        pdf = PDFS[i % len(PDFS)].read_bytes() + f"\n% copy {i}\n".encode()
        pages[f"{HOST}/f/{i}.pdf"] = Page(pdf, 200, "application/pdf")
    pages[f"{HOST}/list/index.html"] = list_page(*links)
    return pages


def crawl(proxy: str, registry: Path, workers: int) -> tuple[float, float, list[tuple]]:
    """Wall seconds (Scrapy's), CPU seconds of the crawl process and its workers, and per-report rows."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder, "a.db")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = run_crawl_subprocess(
            str(db), (), proxy,
            {k: v for k, v in MIRROR_SETTINGS.items() if k != "NIANBAO_REGISTRY"}
            | {"NIANBAO_REGISTRY": str(registry), "NIANBAO_WARC_DIR": str(Path(folder, "warc")), "LOG_LEVEL": "ERROR",
               "ROBOTSTXT_OBEY": False, "NIANBAO_PARSE_WORKERS": workers, "CONCURRENT_REQUESTS": 16,
               "CONCURRENT_REQUESTS_PER_DOMAIN": 16},
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        stats = json.loads(done.stdout.splitlines()[-1])
        archive = sqlite3.connect(db)
        rows = archive.execute(
            "select r.title, v.figure_count, v.errors from reports r join report_versions v on v.id = r.current_version_id "
            "order by r.title").fetchall()
        (pdfs,) = archive.execute("select count(*) from documents where format = 'pdf'").fetchone()
        archive.close()
    return float(stats["elapsed_time_seconds"]), cpu, pdfs, rows


def main(reports: int, latency: float) -> None:
    load = os.getloadavg()
    workers = default_workers()
    print(f"{reports} reports with a PDF each, {latency:g} s latency per answer, {os.cpu_count()} cores, "
          f"pool of {workers} workers; load average before: {load[0]:.2f}")
    results = {}
    with serve(portal_pages(reports), latency=latency) as server, tempfile.TemporaryDirectory() as folder:
        registry = write_registry(Path(folder, "portals.yml"), "bench", HOST, f"http://{HOST}/list/index.html")
        for label, count in (("inline (anchor)", 0), ("pool", workers)):
            wall, cpu, pdfs, rows = crawl(server.proxy_url, registry, count)
            assert pdfs == reports, f"{label}: {pdfs} of {reports} PDFs archived"
            results[label] = (wall, rows)
            print(f"{label:16} {wall:6.2f} s wall  {reports / wall:5.2f} reports/s  {cpu:6.2f} s CPU (crawl + workers)")
    (inline_wall, inline_rows), (pool_wall, pool_rows) = results.values()
    assert inline_rows == pool_rows, f"the two crawls archived different things: {inline_rows} {pool_rows}"
    assert all(figures > 0 and json.loads(errors) == [] for _, figures, errors in pool_rows), pool_rows
    print(f"{'ratio':16} pool / inline wall time: {pool_wall / inline_wall:.2f}  "
          f"(throughput x{inline_wall / pool_wall:.2f}); load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 24, float(sys.argv[2]) if len(sys.argv) > 2 else 0.05)
