"""A small real archive for the site tests: the five seed reports ingested through the real parser
(one of them edited, so it has two versions, another removed), synthetic reports recombined from the
seeds, a real PDF report, and texts with the edge cases of Ctrl-F search (Latin case, KELVIN SIGN, quotes, spaces, emoji)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from archive_captures import BASE, SAMPLE_PDF, SEEDS, seed_capture

from bench.bench_search import SyntheticReport, insert_reports, synthetic_reports
from nianbao.archive.db import open_archive
from nianbao.archive.ingest import ingest_report
from nianbao.archive.publish import refresh_derived

EDGE_TEXTS = [
    "本年度PDF文件下载量上升，另有pdf与Pdf格式附件。",
    "温度单位 5\u212a（开尔文符号）。",
    "小写的 5k 与 street。",
    "ſtreet 一词为长 s 写法。",
    "办理结果：结 果 维 持 3 件；结果纠正 1 件。",
    '他说"公开"二字，书名号《条例》，全角（一）、〔2021〕。',
    "只有 Émile；ＡＢＣ全角字母。",
    "只有 émile；ａｂｃ全角小写。",
    "检索语法字符 AND OR NOT a* (一) -1 col:val 都是普通文字。",
    "表情😀出现在正文中，行尾是换行\n下一行\t制表符。",
    "疫情防控期间，复议案件3件，诉讼2件。",
]
SYNTHETIC = 120


PDF_REPORT_ID = 6  # the real PDF report (hongze-2023.pdf), ingested after the five seeds


def build_site_archive(path: Path) -> Path:
    db = open_archive(path)
    for i in range(len(SEEDS)):
        ingest_report(db, seed_capture(i))
    pdf_capture = seed_capture(1, url=f"{BASE}/art_pdf.html", report=("hongze.pdf", SAMPLE_PDF.read_bytes()))
    pdf = ingest_report(db, pdf_capture)
    assert pdf.report_id == PDF_REPORT_ID
    edited = SEEDS[0].read_text(encoding="utf-8").replace("认真贯彻落实", "全面贯彻落实") + "\n补充说明：本报告于2026年更正。"
    ingest_report(db, seed_capture(0, text=edited, at="2026-03-01T08:00:00Z"))
    db.execute("update reports set status = 'removed', removed_at = '2026-03-02T00:00:00Z' where id = 2")
    db["portals"].insert({"id": "synthetic", "name": "合成门户", "province": "宁夏", "city": "中卫市"}, pk="id", replace=True)
    insert_reports(db, synthetic_reports(SYNTHETIC, seed=11), "synthetic")
    insert_reports(db, [SyntheticReport("测试局", 2022, text) for text in EDGE_TEXTS], "synthetic")
    refresh_derived(db)
    db.conn.close()
    return path
