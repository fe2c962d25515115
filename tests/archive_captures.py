"""Report captures built from the shared real reports, for the archive tests.

Also runnable: ``python archive_captures.py DB N`` ingests N distinct
captures into DB, printing each finished index (the kill test's victim).
"""

from __future__ import annotations

import html
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.capture import Capture, ReportCapture  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
SAMPLE_PDF = SHARED / "samples" / "hongze-2023.pdf"
PORTAL = "test-portal"
BASE = "http://www.example.gov.cn/zwgk/ndbg"


def article_page(text: str, title: str) -> bytes:
    """An article page carrying the report inline, as many portals publish it."""
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines() if line.strip())
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f'<body><div class="nav">首页 &gt; 政务公开</div><h1>{html.escape(title)}</h1>'
        f'<div class="content">{paragraphs}</div></body></html>'
    ).encode("utf-8")


def exchange(url: str, body: bytes = b"", status: int = 200, at: str = "2026-01-10T08:00:00Z", **kw) -> Capture:
    return Capture(url=url, status=status, body=body, fetched_at=at, headers=kw.pop("headers", {}), **kw)


def seed_capture(index: int = 0, url: str | None = None, at: str = "2026-01-10T08:00:00Z",
                 text: str | None = None, attachments: list[Capture] | None = None) -> ReportCapture:
    """A report whose article page holds seed ``index`` inline."""
    text = SEEDS[index].read_text(encoding="utf-8") if text is None else text
    title = next(line.strip("# ").strip() for line in text.splitlines() if line.strip())
    return ReportCapture(
        portal_id=PORTAL,
        article=exchange(url or f"{BASE}/art_{index}.html", article_page(text, title), at=at,
                         headers={"Content-Type": "text/html; charset=utf-8"}),
        listing_url=f"{BASE}/index.html",
        title=title,
        page_meta={"发布机构": "测试发布机构"},
        attachments=attachments or [],
    )


def ingest_many(db_path: str, count: int) -> None:
    from archive.db import open_archive
    from archive.ingest import ingest_report

    db = open_archive(db_path)
    for i in range(count):
        text = SEEDS[i % len(SEEDS)].read_text(encoding="utf-8") + f"\n第{i}份"
        attachments = [
            exchange(f"{BASE}/{i}/big.bin", os.urandom(3_000_000)),  # large writes widen the transaction
            exchange(f"{BASE}/{i}/report.txt", text.encode("gbk", errors="replace")),
            exchange(f"{BASE}/{i}/missing.pdf", status=404),
        ]
        ingest_report(db, seed_capture(i % len(SEEDS), url=f"{BASE}/art_{i}.html", text=text, attachments=attachments))
        print(i, flush=True)


if __name__ == "__main__":
    ingest_many(sys.argv[1], int(sys.argv[2]))
