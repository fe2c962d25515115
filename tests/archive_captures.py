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

from nianbao.archive.capture import Capture, ReportCapture

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
SAMPLE_PDF = SHARED / "samples" / "hongze-2023.pdf"
PORTAL = "test-portal"
BASE = "http://www.example.gov.cn/zwgk/ndbg"


def article_page(title: str, links: list[str]) -> bytes:
    """An article page that introduces the report and links to its attachment(s)."""
    anchors = "".join(f'<p><a href="{html.escape(u)}">附件：{html.escape(u.rsplit("/", 1)[-1])}</a></p>' for u in links)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f'<body><div class="nav">首页 &gt; 政务公开 &gt; 年度报告</div><h1>{html.escape(title)}</h1>'
        f'<div class="content"><p>现将{html.escape(title)}予以公布。</p>{anchors}</div></body></html>'
    ).encode()


def exchange(url: str, body: bytes = b"", status: int = 200, at: str = "2026-01-10T08:00:00Z", **kw) -> Capture:
    return Capture(url=url, status=status, body=body, fetched_at=at, headers=kw.pop("headers", {}), **kw)


def seed_capture(index: int = 0, url: str | None = None, at: str = "2026-01-10T08:00:00Z",
                 text: str | None = None, encoding: str = "utf-8", report: tuple[str, bytes] | None = None,
                 extra: list[Capture] | None = None) -> ReportCapture:
    """An article page whose attachment is seed ``index`` as text (or ``report``: a file name and bytes)."""
    text = SEEDS[index].read_text(encoding="utf-8") if text is None else text
    title = next(line.strip("# ").strip() for line in text.splitlines() if line.strip())
    name, body = report or (f"report_{index}.txt", text.encode(encoding))
    attachment = exchange(f"{BASE}/files/{name}", body, at=at)
    extra = extra or []
    return ReportCapture(
        portal_id=PORTAL,
        article=exchange(url or f"{BASE}/art_{index}.html", article_page(title, [attachment.url]), at=at,
                         headers={"Content-Type": "text/html; charset=utf-8"}),
        listing_url=f"{BASE}/index.html",
        title=title,
        page_meta={"发布机构": "测试发布机构"},
        attachments=[attachment, *extra],
    )


def ingest_many(db_path: str, count: int) -> None:
    from nianbao.archive.db import open_archive
    from nianbao.archive.ingest import ingest_report

    db = open_archive(db_path)
    for i in range(count):
        text = SEEDS[i % len(SEEDS)].read_text(encoding="utf-8") + f"\n第{i}份"
        extra = [
            exchange(f"{BASE}/{i}/big.bin", os.urandom(3_000_000)),  # large writes widen the transaction
            exchange(f"{BASE}/{i}/missing.pdf", status=404),
        ]
        report = (f"{i}/report.txt", text.encode("gb18030"))
        capture = seed_capture(i % len(SEEDS), url=f"{BASE}/art_{i}.html", text=text, report=report, extra=extra)
        ingest_report(db, capture)
        print(i, flush=True)


if __name__ == "__main__":
    ingest_many(sys.argv[1], int(sys.argv[2]))
