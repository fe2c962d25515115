"""Ingest throughput and database size: N captures of the shared seed reports into a fresh archive.

Run: python -m bench.bench_ingest [N]   (from the repo root, with ../shared beside it)
Prints reports per second (parsing included, and without it: re-ingesting unchanged captures),
bytes of database per report, and reparse speed.
"""

from __future__ import annotations

import html
import sys
import tempfile
import time
from pathlib import Path

from nianbao.archive.capture import Capture, ReportCapture
from nianbao.archive.db import open_archive
from nianbao.archive.ingest import ingest_report
from nianbao.archive.reparse import reparse_archive

SEEDS = sorted((Path(__file__).resolve().parents[1].parent / "shared" / "seeds").glob("*.txt"))


def capture(i: int, at: str) -> ReportCapture:
    text = SEEDS[i % len(SEEDS)].read_text(encoding="utf-8") + f"\n（第{i}份）"
    page = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines())
    body = f'<html><head><meta charset="utf-8"></head><body>{page}</body></html>'.encode()
    return ReportCapture("bench", Capture(f"http://bench.example/{i}.html", 200, body, fetched_at=at),
                         attachments=[Capture(f"http://bench.example/{i}.txt", 200, text.encode("gbk"), fetched_at=at)])


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = open_archive(path)
        start = time.perf_counter()
        for i in range(n):
            ingest_report(db, capture(i, "2026-01-01T00:00:00Z"))
        first = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(n):
            ingest_report(db, capture(i, "2026-02-01T00:00:00Z"))
        again = time.perf_counter() - start
        start = time.perf_counter()
        reparse_archive(db)
        reparse = time.perf_counter() - start
        db.close()
        size = path.stat().st_size
        print(f"captures: {n}")
        print(f"first ingest: {n / first:.1f} reports/s ({first:.2f} s)")
        print(f"unchanged re-ingest: {n / again:.1f} reports/s ({again:.2f} s)")
        print(f"reparse: {n / reparse:.1f} versions/s ({reparse:.2f} s)")
        print(f"database: {size / 1e6:.2f} MB, {size / n / 1e3:.1f} kB per report (raw bytes included)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
