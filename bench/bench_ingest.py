"""Ingest throughput and database size: N captures of the shared seed reports into a fresh archive.

Run: python -m bench.bench_ingest [N]   (from the repo root, with ../shared beside it; default 200)

Each capture is an HTML article page and the seed report as a GBK text attachment.  Timed in the
same run: the anchor (parsing every document of the N captures in one process, nothing written),
the first ingest (parse + write, one transaction per report, as a crawl does), an unchanged
re-ingest (nothing parsed: the files are the current version's), and a reparse of the archive in
the worker pool.  Printed: rates, each against the anchor, database bytes per report, conditions.
Verified: N reports and N versions; every re-ingest unchanged; the reparse changed nothing.
"""

from __future__ import annotations

import html
import sys
import tempfile
import time
from pathlib import Path

from bench.verdict import conclude, conditions
from nianbao.archive.capture import Capture, ReportCapture
from nianbao.archive.db import open_archive
from nianbao.archive.ingest import ingest_report
from nianbao.archive.reparse import reparse_archive
from nianbao.parsers import parse_bytes

SEEDS = sorted((Path(__file__).resolve().parents[1].parent / "shared" / "seeds").glob("*.txt"))


def capture(i: int, at: str) -> ReportCapture:
    text = SEEDS[i % len(SEEDS)].read_text(encoding="utf-8") + f"\n（第{i}份）"
    page = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    body = f'<html><head><meta charset="utf-8"></head><body>{page}</body></html>'.encode()
    return ReportCapture("bench", Capture(f"http://bench.example/{i}.html", 200, body, fetched_at=at),
                         attachments=[Capture(f"http://bench.example/{i}.txt", 200, text.encode("gbk"), fetched_at=at)])


def seconds(work) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def main(n: int) -> None:
    print(f"conditions: {conditions()} at start; {n} captures (HTML article + GBK text attachment)")
    first_captures = [capture(i, "2026-01-01T00:00:00Z") for i in range(n)]
    again_captures = [capture(i, "2026-02-01T00:00:00Z") for i in range(n)]
    documents = [(c.body, c.url) for r in first_captures for c in (r.article, *r.attachments)]
    anchor, _ = seconds(lambda: [parse_bytes(body, path=url) for body, url in documents])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = open_archive(path)
        first, _ = seconds(lambda: [ingest_report(db, c) for c in first_captures])
        again, outcomes = seconds(lambda: [ingest_report(db, c).outcome for c in again_captures])
        reparse, summary = seconds(lambda: reparse_archive(db))
        counts = db.execute("select (select count(*) from reports), (select count(*) from report_versions)").fetchone()
        db.close()
        size = path.stat().st_size
    print(f"anchor: parse only       {n / anchor:7.1f} reports/s ({anchor:.2f} s)")
    print(f"first ingest             {n / first:7.1f} reports/s ({first:.2f} s)   {first / anchor:.2f}x the anchor's time")
    print(f"unchanged re-ingest      {n / again:7.1f} reports/s ({again:.2f} s)   {again / anchor:.2f}x")
    print(f"reparse (worker pool)    {n / reparse:7.1f} versions/s ({reparse:.2f} s)   {reparse / anchor:.2f}x")
    print(f"database: {size / 1e6:.2f} MB, {size / n / 1e3:.1f} kB per report (raw bytes included)")
    problems = []
    if counts != (n, n):
        problems.append(f"{counts[0]} reports and {counts[1]} versions, expected {n} of each")
    if set(outcomes) != {"unchanged"}:  # type: ignore[arg-type]
        problems.append(f"re-ingest outcomes: {sorted(set(outcomes))}")  # type: ignore[arg-type]
    if summary.changed or summary.versions != n:  # type: ignore[attr-defined]
        problems.append(f"reparse: {summary}")
    conclude(problems, "one report and one version per capture, re-ingest unchanged, reparse changed nothing")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
